/* SPDX-License-Identifier: MIT */
/* Test helper: synthetic x86 page tables in a memory buffer, for every
 * paging mode and page size, plus the broken shapes a walker must survive
 * (loops, entries pointing past memory, a root in a hole).  Entries are
 * encoded here from the Intel SDM, apart from libkdx's decoders. */
#ifndef KDX_TESTS_PTBUILD_H
#define KDX_TESTS_PTBUILD_H

#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Raw x86 entry bits, for tests that spell entries out. */
#define PTB_P 0x001ull
#define PTB_RW 0x002ull
#define PTB_US 0x004ull
#define PTB_PWT 0x008ull
#define PTB_PCD 0x010ull
#define PTB_A 0x020ull
#define PTB_D 0x040ull
#define PTB_PS 0x080ull
#define PTB_PAT4K 0x080ull
#define PTB_G 0x100ull
#define PTB_PATLARGE 0x1000ull
#define PTB_NX (1ull << 63)

struct ptb;

/* Physical memory of @mem_size bytes (zeroed), tables allocated from
 * @table_base upwards. */
struct ptb *ptb_new(enum kdx_paging_mode mode, uint64_t mem_size,
		    uint64_t table_base);
void ptb_free(struct ptb *p);

/* Reads touching [start, start + size) fail with KDX_ERR_NODATA. */
void ptb_add_hole(struct ptb *p, uint64_t start, uint64_t size);

/* A zeroed table (4 KiB; 32 bytes for the PAE PDPT), its address. */
uint64_t ptb_alloc_table(struct ptb *p, bool pae_pdpt);

/* The root table (allocated by ptb_new). */
uint64_t ptb_root(const struct ptb *p);

/* Map @va -> @pa with a page of @page_size bytes (4K, 2M, 1G, 4M),
 * creating missing tables with P|RW|US.  @flags are extra raw bits of the
 * leaf (P and, for large pages, PS are added).  For 4 MiB pages @pa may be
 * above 4 GiB (PSE-36). */
void ptb_map(struct ptb *p, uint64_t va, uint64_t pa, uint64_t page_size,
	     uint64_t flags);

/* Address of the table at level @level (0 = top) on @va's path, creating
 * missing tables above it. */
uint64_t ptb_table(struct ptb *p, uint64_t va, unsigned int level);

/* Raw entry access. */
void ptb_set(struct ptb *p, uint64_t table, unsigned int index,
	     uint64_t entry);
uint64_t ptb_get(const struct ptb *p, uint64_t table, unsigned int index);

/* The memory itself (e.g. to put in a dump). */
uint8_t *ptb_memory(const struct ptb *p, size_t *size);

/* A translation on this memory: @cfg NULL for defaults (mode and root
 * filled in). */
struct kdx_xlat *ptb_xlat(struct ptb *p, const struct kdx_xlat_config *cfg);

/* read_phys calls so far. */
unsigned long ptb_reads(const struct ptb *p);

/* Every mapping kdx_xlat_maps() reports, in an array the caller frees. */
struct ptb_maps {
	struct kdx_mapping *maps;
	size_t count;
	char **problems;
	size_t nproblems;
};
struct kdx_error *ptb_collect(struct kdx_xlat *x, uint64_t start,
			      uint64_t end, unsigned int flags,
			      bool keep_going, struct ptb_maps *out);
void ptb_maps_free(struct ptb_maps *m);

#endif
