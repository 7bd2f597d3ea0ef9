/* SPDX-License-Identifier: MIT */
/* Test helper: build QEMU migration streams ("QEVM", as migrate
 * "exec:cat > FILE" writes them) and libvirt `virsh save` files around
 * them, item by item, so tests can write every variant and mistake.
 * Written from QEMU's migration/savevm.c and migration/ram.c and
 * libvirt's src/qemu/qemu_saveimage.h (docs/memory-images.md), apart
 * from libkdx's reader. */
#ifndef KDX_TESTS_MKQEMU_H
#define KDX_TESTS_MKQEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MKQEMU_PAGE 4096u

/* Item types and RAM record flags. */
enum {
	MKQEMU_EOF = 0x00,
	MKQEMU_START = 0x01,
	MKQEMU_PART = 0x02,
	MKQEMU_END = 0x03,
	MKQEMU_FULL = 0x04,
	MKQEMU_SUBSECTION = 0x05,
	MKQEMU_CONFIGURATION = 0x07,
	MKQEMU_COMMAND = 0x08,
	MKQEMU_FOOTER = 0x7e,

	MKQEMU_RAM_ZERO = 0x02,
	MKQEMU_RAM_MEM_SIZE = 0x04,
	MKQEMU_RAM_PAGE = 0x08,
	MKQEMU_RAM_EOS = 0x10,
	MKQEMU_RAM_CONTINUE = 0x20,
	MKQEMU_RAM_XBZRLE = 0x40,
	MKQEMU_RAM_COMPRESS = 0x100,
};

struct mkqemu_block {
	const char *name;
	uint64_t length;
};

struct mkqemu;

/* A stream with its header (magic, version 3). */
struct mkqemu *mkqemu_new(void);
void mkqemu_free(struct mkqemu *q);

/* Raw bytes, big-endian numbers. */
void mkqemu_u8(struct mkqemu *q, uint8_t v);
void mkqemu_be16(struct mkqemu *q, uint16_t v);
void mkqemu_be32(struct mkqemu *q, uint32_t v);
void mkqemu_be64(struct mkqemu *q, uint64_t v);
void mkqemu_bytes(struct mkqemu *q, const void *p, size_t n);
/* A u8 length, then the name. */
void mkqemu_name(struct mkqemu *q, const char *name);

/* The configuration section naming @machine (no subsection). */
void mkqemu_configuration(struct mkqemu *q, const char *machine);
/* A section header: type, id, and for START/FULL name, instance 0,
 * version. */
void mkqemu_section(struct mkqemu *q, uint8_t type, uint32_t id,
		    const char *name, uint32_t version);
void mkqemu_footer(struct mkqemu *q, uint32_t id);

/* RAM records: the block list, a page of @block (its name unless
 * @cont), a zero page, the end of a section's records. */
void mkqemu_ram_blocks(struct mkqemu *q, const struct mkqemu_block *b,
		       size_t n);
void mkqemu_ram_page(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset, const uint8_t *data);
void mkqemu_ram_zero(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset);
void mkqemu_ram_eos(struct mkqemu *q);

/* One vCPU's registers for mkqemu_devices(). */
struct mkqemu_vcpu {
	uint64_t regs[16], rip, rflags, cr[5], efer; /* x86 */
	uint64_t ttbr0, ttbr1, tcr;                  /* arm */
};

/* The device state after the RAM, as QEMU's
 * qemu_savevm_state_complete_precopy_non_iterable() writes it: FULL
 * sections of a "timer" (an old-style 3-byte buffer), then per vCPU a
 * "cpu_common" and a "cpu" section (x86: vmstate_x86_cpu version 12's
 * fields up to env.efer in their order and sizes, two more, and a
 * subsection; arm: a few
 * registers, then the cpreg list with TTBR0/TTBR1/TCR_EL1 among other
 * ids), the end marker, and the vmdesc JSON describing each section. */
struct mkqemu_devstate {
	const struct mkqemu_vcpu *cpus;
	size_t cpu_count;
	bool arm;
	bool footers;
	bool no_vmdesc;
	int timer_size_delta; /* added to the timer's size in the JSON */
	size_t cut_json;      /* drop this many bytes off the JSON's end */
	size_t zero_pad;      /* zeros after the JSON */
};

/* Device sections numbered from @first_id, the end marker and the
 * JSON. */
void mkqemu_devices(struct mkqemu *q, uint32_t first_id,
		    const struct mkqemu_devstate *d);

/* The bytes so far (owned by @q) and their count. */
const uint8_t *mkqemu_data(const struct mkqemu *q, size_t *size);

/* A `virsh save` file: header (version 2, @format, in @big_endian order
 * or little-endian), @xml padded to @data_len bytes (0: its length + 1),
 * then @stream.  malloc'd. */
uint8_t *mkqemu_libvirt(const uint8_t *stream, size_t stream_size,
			const char *xml, uint32_t data_len, uint32_t format,
			bool partial, bool big_endian, size_t *size);

#endif
