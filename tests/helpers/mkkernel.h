/* SPDX-License-Identifier: MIT */
/* Test helper: synthetic ELF kernel images (what `--kernel` reads):
 * either class, either byte order, symbols in .symtab or only in
 * .dynsym (a stripped FreeBSD kernel), with the section layout written
 * from the ELF specification, apart from libkdx's reader.  Offsets of the
 * pieces are recorded so tests can break them. */
#ifndef KDX_TESTS_MKKERNEL_H
#define KDX_TESTS_MKKERNEL_H

#include <kdx/byteorder.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkkernel_sym {
	const char *name;
	uint64_t value, size;
	uint8_t type;    /* STT_OBJECT 1, STT_FUNC 2 */
	uint8_t binding; /* STB_LOCAL 0, STB_GLOBAL 1 */
	bool absolute;   /* st_shndx SHN_ABS (FreeBSD's kernbase) */
	bool undefined;  /* st_shndx SHN_UNDEF */
};

struct mkkernel_spec {
	unsigned int class_bits;        /* 32 or 64 */
	enum kdx_byte_order byte_order;
	uint16_t machine;               /* EM_X86_64 62, EM_386 3, ... */
	uint8_t osabi;                  /* 9: FreeBSD */
	bool dynsym_only;               /* no .symtab: .dynsym + .dynstr */
	/* Both: .symtab holds the symbols, .dynsym a decoy copy whose
	 * values are wrong (the reader must prefer .symtab). */
	bool both;
	const struct mkkernel_sym *syms;
	size_t nsyms;
};

struct mkkernel {
	uint8_t *data;
	size_t size;
	/* Where things are: the section header table, the symbol
	 * section's header, its entries, the string table's bytes. */
	uint64_t shoff, sym_shdr_off, sym_off, str_off;
	unsigned int shnum, shentsize, sym_entsize;
	uint64_t str_size;
};

bool mkkernel_build(const struct mkkernel_spec *spec, struct mkkernel *out);
void mkkernel_free(struct mkkernel *k);
/* Write @k to @path; false on failure. */
bool mkkernel_write(const struct mkkernel *k, const char *path);

#endif
