/* SPDX-License-Identifier: MIT */
/* Test helper: page tables of any shape in a memory buffer, in either
 * byte order - the sibling of ptbuild.h for the non-x86 forms.  Tables
 * are described by a shape (level shifts and entry counts) and entries
 * are encoded by the tests themselves, from the architecture manuals,
 * apart from libkdx's decoders. */
#ifndef KDX_TESTS_PTGEN_H
#define KDX_TESTS_PTGEN_H

#include <kdx/xlat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ptg;

/* How tables nest: level l indexes address bits from shift[l] with
 * entries[l] entries; a walk starts at level @first with @top entries. */
struct ptg_shape {
	unsigned int levels;
	unsigned int shift[6];
	unsigned int entries[6];
	unsigned int first;
	unsigned int top;
	/* A table entry pointing at @addr (a table of level @level + 1). */
	uint64_t (*table_entry)(uint64_t addr, unsigned int level);
	/* The table an entry points to, or UINT64_MAX if it is not a table
	 * pointer. */
	uint64_t (*table_of)(uint64_t entry, unsigned int level);
	/* NULL (an empty entry is 0), or the empty entry of a table of
	 * @level, which new tables are filled with (s390x: the invalid
	 * bit; an entry of zeros is valid there). */
	uint64_t (*empty)(unsigned int level);
};

/* @mem_size bytes of zeroed memory, tables from @table_base up. */
struct ptg *ptg_new(uint64_t mem_size, uint64_t table_base,
		    unsigned int entry_size, bool big_endian);
void ptg_free(struct ptg *p);
/* Reads touching [start, start + size) fail. */
void ptg_hole(struct ptg *p, uint64_t start, uint64_t size);
/* A zeroed table of @bytes, aligned to its size (at least 32 bytes). */
uint64_t ptg_alloc(struct ptg *p, uint64_t bytes);
/* The memory itself (e.g. to put in a dump). */
uint8_t *ptg_memory(const struct ptg *p, size_t *size);
/* Set all @entries of @table to @e. */
void ptg_fill(struct ptg *p, uint64_t table, unsigned int entries, uint64_t e);
void ptg_set(struct ptg *p, uint64_t table, unsigned int index, uint64_t e);
uint64_t ptg_get(const struct ptg *p, uint64_t table, unsigned int index);
/* Put @leaf at level @level on @va's path from @root (a table of
 * s->first), creating missing tables; returns the entry's table. */
uint64_t ptg_map(struct ptg *p, const struct ptg_shape *s, uint64_t root,
		 uint64_t va, unsigned int level, uint64_t leaf);
/* Same entry in @count consecutive slots (ARM large pages, contiguous
 * runs), from the slot of @va. */
void ptg_map_repeat(struct ptg *p, const struct ptg_shape *s, uint64_t root,
		    uint64_t va, unsigned int level, uint64_t leaf,
		    unsigned int count, uint64_t step);
/* A translation over this memory (KDX_XLAT_BIG_ENDIAN added as needed);
 * aborts on error. */
struct kdx_xlat *ptg_xlat(struct ptg *p, const struct kdx_xlat_config *cfg);
/* Create and return the error instead. */
struct kdx_error *ptg_xlat_try(struct ptg *p, const struct kdx_xlat_config *cfg,
			       struct kdx_xlat **out);

#endif
