/* SPDX-License-Identifier: MIT */
/* Test helper: build synthetic ELF core dumps in memory — either class,
 * either byte order, any segments and notes, and the odd layouts real
 * writers produce (QEMU 7.2's headers, PN_XNUM) or broken ones. */
#ifndef KDX_TESTS_MKELF_H
#define KDX_TESTS_MKELF_H

#include <kdx/arch.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkelf_load {
	uint64_t paddr, vaddr;
	uint64_t filesz, memsz;
	/* NULL: the bytes are mkelf_pattern(paddr + i). */
	const uint8_t *data;
	/* Written into the file before/after the segment's bytes, so tests
	 * can check they never leak into reads (seed 004's shared pages). */
	size_t poison_before, poison_after;
	/* Override the computed p_offset (e.g. past the end of the file). */
	bool offset_override;
	uint64_t offset;
};

struct mkelf_options {
	unsigned int class_bits;        /* 32 or 64 */
	enum kdx_byte_order byte_order;
	uint16_t machine;               /* e_machine */
	uint16_t type;                  /* e_type; 0 means ET_CORE */
	uint32_t flags;                 /* e_flags */
	bool extended_numbering;        /* PN_XNUM even when not needed */
	bool qemu72_layout;             /* shdrs after the ehdr, phdrs later */
};

struct mkelf;

struct mkelf *mkelf_new(const struct mkelf_options *opts);
void mkelf_free(struct mkelf *m);

/* Returns the program header index of the new PT_LOAD. */
size_t mkelf_add_load(struct mkelf *m, const struct mkelf_load *load);
/* Add a note to the (single) PT_NOTE segment. */
void mkelf_add_note(struct mkelf *m, const char *name, uint32_t type,
		    const void *desc, size_t desc_size);
/* Add raw bytes to the PT_NOTE segment (for malformed notes). */
void mkelf_add_note_bytes(struct mkelf *m, const void *bytes, size_t len);

/* NT_PRSTATUS with the given pid and registers laid out as the kernel's
 * elf_prstatus for the dump's machine (x86_64, i386, aarch64, arm). */
void mkelf_add_prstatus(struct mkelf *m, int32_t pid, const uint64_t *regs,
			unsigned int nregs);
/* QEMU's "QEMU" CPU-state note (version 1) with control registers. */
void mkelf_add_qemu_cpu(struct mkelf *m, const uint64_t cr[5]);
void mkelf_add_vmcoreinfo(struct mkelf *m, const char *text);

/* Serialise; the caller frees the buffer. */
uint8_t *mkelf_build(struct mkelf *m, size_t *size);

/* After mkelf_build(): where program header @index sits in the file, and
 * where the notes start; for tests that patch fields. */
uint64_t mkelf_phdr_offset(const struct mkelf *m, size_t index);
uint64_t mkelf_notes_offset(const struct mkelf *m);
size_t mkelf_phdr_size(const struct mkelf *m);

/* The byte a pattern-filled segment holds at physical address @addr. */
static inline uint8_t mkelf_pattern(uint64_t addr)
{
	return (uint8_t)(addr ^ (addr >> 8) * 7 ^ (addr >> 16) * 13 ^
			 (addr >> 32) * 29);
}

#define MKELF_POISON 0xEE

#endif
