/* SPDX-License-Identifier: MIT */
/* The kdx_dump object, shared by the files of the library layer. */
#ifndef KDX_LIB_DUMP_H
#define KDX_LIB_DUMP_H

#include <kdx/dump.h>

#include <pthread.h>
#include <stdbool.h>

#include "format/format.h"
#include "format/common/physmap.h"

struct kdx_file;
struct kdx_symtab;

struct kdx_dump {
	struct kdx_file *file;
	/* The other files of a dump split across several (--split). */
	struct kdx_file **more_files;
	size_t more_count;
	const struct kdx_format_ops *format;
	struct kdx_open_options opts;
	/* What the reader found; the dump owns it. */
	struct kdx_dump_desc desc;
	struct kdx_physmap physmap;
	struct kdx_phys_range *ranges;
	size_t range_count;
	struct kdx_note *notes;
	struct kdx_cpu *cpus;
	size_t cpu_count;
	char *vmcoreinfo_text; /* split in place into the entries */
	struct kdx_vmcoreinfo_entry *vmcoreinfo;
	size_t vmcoreinfo_count;
	char *vmcoreinfo_source;
	/* kdx_dump_segments(): read from the file on the first call (the
	 * open only counts them), under the lock: readers share a dump. */
	pthread_mutex_t segments_lock;
	struct kdx_segment *segments;
	bool segments_read;
	/* kdx_dump_salvage(): what was lost, as text (NULL: nothing). */
	char *lost;
	unsigned int word_size;
	uint32_t page_size;
	const char *page_size_source;
	/* A Xen PV guest's pfn <-> mfn map (the reader's), or NULL: the
	 * dump's machine addresses (kdx_read_machine()). */
	const struct kdx_p2m *p2m;
	/* The kernel image's symbols (kdx_open_options.kernel), or NULL. */
	struct kdx_symtab *symtab;
};

/* The kernel image's symbols the dump was opened with, or NULL. */
const struct kdx_symtab *kdx_dump_symtab(const struct kdx_dump *dump);


/* Open a dump on @file, whatever backend serves it (io/file_backend.h);
 * the dump takes ownership of @file, also on failure.  Internal: for
 * tests that serve a dump through a fault-injecting file, and for
 * containers the library learns to open. */
struct kdx_error *kdx_dump_open_file(struct kdx_file *file,
				     const struct kdx_open_options *opts,
				     struct kdx_dump **out);

/* How the physical bytes at an address are held, for writers that copy
 * without reading (copy_file_range, splice). */
struct kdx_phys_extent {
	/* >= 0: the bytes are stored verbatim in this descriptor (owned by
	 * the dump); -1: read them with kdx_read_phys() (compressed, zeros,
	 * filtered, a hole, or a file without a descriptor). */
	int fd;
	uint64_t offset; /* with fd >= 0: where the first byte is */
	uint64_t size;   /* bytes from the address held this way (> 0) */
};

/* Describe how [@addr, @addr + @len) begins; @len > 0.  Calling again at
 * @addr + size walks the rest. */
void kdx_dump_phys_extent(const struct kdx_dump *dump, uint64_t addr,
			  uint64_t len, struct kdx_phys_extent *out);

/* Whether all of [@addr, @addr + @len) is memory the dump describes but
 * did not write (reads as zeros, KDX_RANGE_ZERO): a writer need not read
 * and test it page by page. */
bool kdx_dump_all_zero_range(const struct kdx_dump *dump, uint64_t addr,
			     uint64_t len);

/* The first address in [@addr, @end) whose bytes the dump holds (in the
 * file, or for the reader to decode), skipping holes, zero and excluded
 * memory and the unwritten bytes of a flattened stream; @end if none.
 * Lets a scan of all memory cost what the dump stores, not what it
 * describes. */
uint64_t kdx_dump_next_held(const struct kdx_dump *dump, uint64_t addr,
			    uint64_t end);

/* The reader's own state (desc.priv) when @dump was opened by @format,
 * else NULL: how the layers above reach a format's private facts
 * without knowing struct kdx_dump. */
const void *kdx_dump_format_priv(const struct kdx_dump *dump,
				 const struct kdx_format_ops *format);

/* Decode the notes into dump->notes (with their kinds) and dump->cpus. */
struct kdx_error *kdx_dump_decode_notes(struct kdx_dump *dump);

/* Find VMCOREINFO among the notes and parse it. */
struct kdx_error *kdx_dump_load_vmcoreinfo(struct kdx_dump *dump);
/* No note: look for the kernel's VMCOREINFO text at page starts in
 * physical memory and use the first valid one (source says where). */
struct kdx_error *kdx_dump_search_vmcoreinfo(struct kdx_dump *dump);

/* The architecture VMCOREINFO's arch-only keys name (for formats that do
 * not say: LiME, QEMU migration streams), or KDX_ARCH_UNKNOWN. */
enum kdx_arch kdx_dump_arch_from_vmcoreinfo(const struct kdx_dump *dump);

/* Parse "KEY=value" lines of @text (copied) into dump->vmcoreinfo. */
struct kdx_error *kdx_dump_set_vmcoreinfo(struct kdx_dump *dump,
					  const char *text, size_t len,
					  const char *source);

#endif
