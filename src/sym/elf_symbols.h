/* SPDX-License-Identifier: MIT */
/* A kernel image's symbol table (ELF: FreeBSD's kernel or kernel.debug,
 * Linux's vmlinux), for facts a dump does not carry: FreeBSD's kernbase,
 * KPML4phys, IdlePTD, msgbufp, version.
 *
 * The whole table is read once, names copied, sorted by name: a lookup is
 * a binary search.  .symtab is used when the image has one, else .dynsym
 * (a stripped FreeBSD kernel keeps .dynsym, and with it every global).
 * Every field is read with explicit width and byte order; every offset
 * is checked against the file, and an error names the offset that is
 * wrong.  No global state; a table is immutable once read, so threads may
 * share it. */
#ifndef KDX_SYM_ELF_SYMBOLS_H
#define KDX_SYM_ELF_SYMBOLS_H

#include <kdx/arch.h>
#include <kdx/byteorder.h>

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_file;
struct kdx_symtab;

/* ELF e_ident[EI_OSABI] values the OS layer tells kernels by. */
#define KDX_ELF_OSABI_FREEBSD 9
#define KDX_ELF_OSABI_STANDALONE 255 /* FreeBSD's dumpsys writes it */

/* One symbol. */
struct kdx_symbol {
	const char *name;
	uint64_t value;
	uint64_t size;
	uint8_t type;    /* STT_*: 0 none, 1 object, 2 func, ... */
	uint8_t binding; /* STB_*: 0 local, 1 global, 2 weak */
};

/* Read the symbols of the ELF image in @file.  @file must stay open only
 * during the call.  KDX_ERR_NOTFOUND when the image has neither .symtab
 * nor .dynsym; KDX_ERR_CORRUPT naming the offset of anything out of
 * bounds. */
struct kdx_error *kdx_symtab_read(const struct kdx_file *file,
				  struct kdx_symtab **out);

/* kdx_symtab_read() on the file at @path (errors name it). */
struct kdx_error *kdx_symtab_open(const char *path, struct kdx_symtab **out);

/* NULL is ignored. */
void kdx_symtab_destroy(struct kdx_symtab *tab);

/* The symbol named @name (the first defined one when several share the
 * name: a global is preferred to a local), or NULL. */
const struct kdx_symbol *kdx_symtab_find(const struct kdx_symtab *tab,
					 const char *name);

/* The @index-th symbol in name order, NULL past the last. */
const struct kdx_symbol *kdx_symtab_at(const struct kdx_symtab *tab,
				       size_t index);
size_t kdx_symtab_count(const struct kdx_symtab *tab);

/* What the image is: its machine, class, byte order, OS ABI, and which
 * section the symbols came from (".symtab" or ".dynsym"). */
enum kdx_arch kdx_symtab_arch(const struct kdx_symtab *tab);
unsigned int kdx_symtab_word_size(const struct kdx_symtab *tab);
enum kdx_byte_order kdx_symtab_byte_order(const struct kdx_symtab *tab);
unsigned int kdx_symtab_osabi(const struct kdx_symtab *tab);
const char *kdx_symtab_section(const struct kdx_symtab *tab);
/* The file's name as given (for sources and messages). */
const char *kdx_symtab_name(const struct kdx_symtab *tab);

#endif
