/* SPDX-License-Identifier: MIT */
/* The format layer: one reader per dump format, each a `struct
 * kdx_format_ops` in its own file, listed once in registry.c.
 *
 * A reader turns file offsets into physical memory and lists what else the
 * file holds (notes, segments, facts).  It fills a `struct kdx_dump_desc`;
 * the library turns that into a kdx_dump.  It never translates virtual
 * addresses. */
#ifndef KDX_FORMAT_FORMAT_H
#define KDX_FORMAT_FORMAT_H

#include <kdx/dump.h>

#include "core/error.h"
#include "format/common/physmap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_file;
struct kdx_p2m;

/* A note copied out of the file. */
struct kdx_desc_note {
	char *name;
	uint32_t type;
	uint8_t *desc;
	size_t desc_size;
	uint64_t file_offset;
};

/* One vCPU's saved state that a reader found outside any note (a VMware
 * state file's "cpu" group, a QEMU stream's "cpu" sections).  The library
 * lists it among the CPUs of the notes (the same index: merged). */
struct kdx_desc_cpu {
	struct kdx_cpu cpu; /* index: the vCPU's number; state_source set */
	/* The architecture the state proves (x86_64 for EFER.LMA, aarch64
	 * for an ARM CPU's registers), used only when neither the user nor
	 * VMCOREINFO names one; KDX_ARCH_UNKNOWN if it proves none. */
	enum kdx_arch arch;
};

/* What a format reader found in a dump. */
struct kdx_dump_desc {
	enum kdx_arch arch;
	enum kdx_byte_order byte_order;

	/* The headers' facts and kernel hints as numbers: what programs
	 * use.  The details below say the same for people. */
	struct kdx_dump_facts facts;

	struct kdx_detail *details;
	size_t detail_count, detail_capacity;

	char **warnings; /* problems that did not stop the open */
	size_t warning_count, warning_capacity;

	/* Load segments (PT_LOADs) the headers list: only counted here;
	 * ops->segments reads them when asked (a million of them held from
	 * the open would cost 40 MB that nothing but a caller's loop over
	 * kdx_dump_segments() uses). */
	size_t segment_count;

	struct kdx_physmap_builder physmap;

	struct kdx_desc_note *notes;
	size_t note_count, note_capacity;

	struct kdx_desc_cpu *cpus; /* in the order found */
	size_t cpu_count, cpu_capacity;

	void *priv; /* the reader's own state, kept for ops->read */

	/* The first failure of a builder below; see kdx_desc_take_error(). */
	struct kdx_error *error;
};

struct kdx_format_ops {
	/* Short name for --format and output ("elf"). */
	const char *name;
	/* One line for `kdx help formats`. */
	const char *description;
	/* Whether content detection may choose this format; false for
	 * formats any file would match (raw). */
	bool detect;
	/* The dump's kernel is never Linux (FreeBSD minidumps): no scan of
	 * physical memory for VMCOREINFO text when there is no note. */
	bool not_linux;
	/* Is this file ours, judging by its first bytes? */
	bool (*probe)(const uint8_t *head, size_t head_len);
	/* Read the headers and describe the dump in @desc. */
	struct kdx_error *(*open)(const struct kdx_file *file,
				  const struct kdx_open_options *opts,
				  struct kdx_dump_desc *desc);
	/* Read one dump written as several files (makedumpfile --split),
	 * @files in any order; NULL for formats that are never split. */
	struct kdx_error *(*open_parts)(const struct kdx_file *const *files,
					size_t nfiles,
					const struct kdx_open_options *opts,
					struct kdx_dump_desc *desc);
	/* Decode bytes of a KDX_PIECE_FORMAT piece (see physmap.h); NULL for
	 * readers that add none.  Must be safe to call from several threads
	 * at once. */
	struct kdx_error *(*read)(void *priv, uint64_t cookie, uint64_t offset,
				  void *buf, size_t len);
	/* A Xen guest's frame map (pfn <-> mfn), owned by @priv; NULL for
	 * readers whose dumps have no machine addresses. */
	const struct kdx_p2m *(*p2m)(const void *priv);
	/* Page-table bytes the reader makes up rather than finds in
	 * physical memory (a FreeBSD minidump's page-table area, shown to the
	 * walker as tables at addresses beyond RAM): serve @paddr and set
	 * *served, or leave *served false.  NULL for most readers. */
	struct kdx_error *(*read_table)(void *priv, uint64_t paddr, void *buf,
					size_t len, bool *served);
	/* The dump's load segments, desc->segment_count of them in file
	 * order, read from @file again into a new array (the caller frees
	 * it); NULL for readers whose dumps list none. */
	struct kdx_error *(*segments)(const struct kdx_file *file,
				      struct kdx_segment **out, size_t *count);
	/* Release desc->priv; may be NULL. */
	void (*destroy)(void *priv);
};

/* Every reader, in probe order; NULL-terminated. */
extern const struct kdx_format_ops *const kdx_formats[];

extern const struct kdx_format_ops kdx_format_elf;
extern const struct kdx_format_ops kdx_format_kdump;
extern const struct kdx_format_ops kdx_format_raw;
extern const struct kdx_format_ops kdx_format_xc_core;
extern const struct kdx_format_ops kdx_format_fbsd_minidump;
extern const struct kdx_format_ops kdx_format_lime;
extern const struct kdx_format_ops kdx_format_avml;
extern const struct kdx_format_ops kdx_format_qemu_savevm;
extern const struct kdx_format_ops kdx_format_libvirt_save;
extern const struct kdx_format_ops kdx_format_vmware;
extern const struct kdx_format_ops kdx_format_xl_save;

/* Choose the reader for @file: by name when @name is set, else by
 * content.  Formats kdx knows but cannot read yet are named in the
 * error. */
struct kdx_error *kdx_format_detect(const struct kdx_file *file,
				    const char *name,
				    const struct kdx_format_ops **out);

/* Builders for readers.  They are sticky: the first failure (out of
 * memory, a physical range that wraps) is kept in desc->error and makes
 * every later call do nothing.  A reader adds what it finds without
 * checking each call; the library takes the failure when the reader
 * returns, as the open's error (before any error the reader returned:
 * it came first). */
void kdx_desc_add_detail(struct kdx_dump_desc *desc, const char *key,
			 const char *fmt, ...) KDX_PRINTF(3, 4);
void kdx_desc_add_warning(struct kdx_dump_desc *desc, const char *fmt, ...)
	KDX_PRINTF(2, 3);
void kdx_desc_add_note(struct kdx_dump_desc *desc, const char *name,
		       size_t name_len, uint32_t type, const uint8_t *payload,
		       size_t payload_size, uint64_t file_offset);
/* A vCPU's saved state (reg_names and state_source must be static). */
void kdx_desc_add_cpu(struct kdx_dump_desc *desc,
		      const struct kdx_desc_cpu *cpu);
/* A piece of the physical map (kdx_physmap_add()). */
void kdx_desc_add_range(struct kdx_dump_desc *desc, uint64_t start,
			uint64_t size, enum kdx_piece_kind kind,
			uint64_t file_offset);

/* Walk a buffer of ELF notes (n_namesz, n_descsz, n_type; name and
 * payload each padded to 4 bytes) read from @file_offset, adding each to
 * @desc.  A malformed note stops the walk with a warning naming its
 * offset; what came before it is kept. */
void kdx_desc_parse_notes(struct kdx_dump_desc *desc, const uint8_t *buf,
			  size_t len, uint64_t file_offset,
			  enum kdx_byte_order byte_order);

/* Record @err as a builder's failure: kept if it is the first, destroyed
 * if not.  NULL does nothing. */
void kdx_desc_fail(struct kdx_dump_desc *desc, struct kdx_error *err);

/* Whether a builder has failed: loops over many entries stop early. */
bool kdx_desc_failed(const struct kdx_dump_desc *desc);

/* The first failure, handed to the caller (NULL if none); the builders
 * work again afterwards. */
struct kdx_error *kdx_desc_take_error(struct kdx_dump_desc *desc)
	KDX_MUST_CHECK;

/* Free everything @desc owns except priv (a failure not taken too). */
void kdx_desc_deinit(struct kdx_dump_desc *desc);

#endif
