/* SPDX-License-Identifier: MIT */
/* The translation's caches: page-table pages (set-associative,
 * round-robin replacement), finished translations (one direct-mapped
 * array per leaf page size) and last-level tables per block (the
 * paging-structure cache, direct-mapped; see walk.c). */
#include "xlat/xlat.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_TABLE_PAGES 256u
#define DEFAULT_TLB_ENTRIES 4096u
/* Small pages are many (vmalloc, modules, espfix's 64K aliases): their
 * class gets more room by default. */
#define DEFAULT_TLB_SMALL_ENTRIES 32768u
/* Blocks of small pages (2 MiB each on x86_64): a 512 MiB guest's
 * kernel page table has ~2,300, a 128 MiB Xen PV guest's ~2,700 (all of
 * its memory mapped with 4 KiB pages, and 4 GiB of espfix aliases). */
#define DEFAULT_PSC_ENTRIES 8192u

static unsigned int round_pow2(unsigned int v, unsigned int min)
{
	unsigned int p = min;

	while (p < v && p < (1u << 30))
		p <<= 1;
	return p;
}

static struct kdx_error *tables_init(struct kdx_xlat *xlat)
{
	unsigned int pages = xlat->cfg.table_cache_pages ?
				     xlat->cfg.table_cache_pages :
				     DEFAULT_TABLE_PAGES;
	size_t nslots;

	xlat->sets = round_pow2(pages, KDX_TABLE_WAYS) / KDX_TABLE_WAYS;
	nslots = (size_t)xlat->sets * KDX_TABLE_WAYS;
	/* Each slot's page is allocated when it is first filled: a
	 * translator that reads a few tables (one command, one fuzzed
	 * input) costs a few pages, not the whole cache (1 MiB). */
	xlat->slots = calloc(nslots, sizeof(*xlat->slots));
	xlat->next_way = calloc(xlat->sets, sizeof(*xlat->next_way));
	if (!xlat->slots || !xlat->next_way)
		return kdx_err_nomem();
	return NULL;
}

static struct kdx_error *tlb_init(struct kdx_xlat *xlat)
{
	const struct kdx_paging_form *form = xlat->form;
	unsigned int cfg = xlat->cfg.tlb_entries;

	/* Leaves can be at the lowest three levels at most (4K/2M/1G,
	 * 4K/4M); smallest page size first. */
	xlat->tlb_classes = form->levels < KDX_TLB_CLASSES ? form->levels :
							     KDX_TLB_CLASSES;
	for (unsigned int c = 0; c < xlat->tlb_classes; c++) {
		unsigned int n = round_pow2(cfg ? cfg :
					    c == 0 ? DEFAULT_TLB_SMALL_ENTRIES :
					    c == 1 ? DEFAULT_TLB_ENTRIES :
						     DEFAULT_TLB_ENTRIES / 8, 1);

		xlat->tlb[c].shift = form->level[form->levels - 1 - c].shift;
		xlat->tlb[c].mask = n - 1;
		xlat->tlb[c].entries = calloc(n, sizeof(struct kdx_tlb_entry));
		if (!xlat->tlb[c].entries)
			return kdx_err_nomem();
	}
	return NULL;
}

static struct kdx_error *psc_init(struct kdx_xlat *xlat)
{
	const struct kdx_paging_form *form = xlat->form;
	unsigned int n;

	if (form->levels < 2)
		return NULL;
	/* As many as the TLB when that is sized (a small dump's, a short
	 * walk's): it caches blocks of what the TLB caches. */
	n = xlat->cfg.tlb_entries ? round_pow2(xlat->cfg.tlb_entries, 2) :
				    DEFAULT_PSC_ENTRIES;
	if (n > DEFAULT_PSC_ENTRIES)
		n = DEFAULT_PSC_ENTRIES;
	xlat->psc_shift = form->level[form->levels - 2].shift;
	/* two ways per set (walk.c) */
	xlat->psc_mask = n / 2 - 1;
	xlat->psc = calloc(n, sizeof(*xlat->psc));
	return xlat->psc ? NULL : kdx_err_nomem();
}

struct kdx_error *kdx_xlat_cache_init(struct kdx_xlat *xlat)
{
	struct kdx_error *err = tables_init(xlat);

	if (!err)
		err = tlb_init(xlat);
	if (!err)
		err = psc_init(xlat);
	for (unsigned int l = 0; !err && l < xlat->form->levels; l++) {
		xlat->level_buf[l] = malloc(kdx_xlat_table_size(xlat, l));
		if (!xlat->level_buf[l])
			err = kdx_err_nomem();
	}
	return err;
}

void kdx_xlat_cache_deinit(struct kdx_xlat *xlat)
{
	if (xlat->slots)
		for (size_t i = 0; i < (size_t)xlat->sets * KDX_TABLE_WAYS; i++)
			free(xlat->slots[i].data);
	free(xlat->slots);
	free(xlat->next_way);
	free(xlat->psc);
	for (unsigned int c = 0; c < KDX_TLB_CLASSES; c++)
		free(xlat->tlb[c].entries);
	for (unsigned int l = 0; l < KDX_XLAT_MAX_LEVELS; l++)
		free(xlat->level_buf[l]);
}

void kdx_xlat_cache_clear(struct kdx_xlat *xlat)
{
	for (size_t i = 0; i < (size_t)xlat->sets * KDX_TABLE_WAYS; i++)
		xlat->slots[i].used = false;
	for (unsigned int c = 0; c < xlat->tlb_classes; c++)
		memset(xlat->tlb[c].entries, 0,
		       ((size_t)xlat->tlb[c].mask + 1) * sizeof(struct kdx_tlb_entry));
	if (xlat->psc)
		memset(xlat->psc, 0,
		       ((size_t)xlat->psc_mask + 1) * 2 * sizeof(*xlat->psc));
}

/* Pieces are at least 4-byte aligned (PAE's PDPT: 32 bytes): hash from
 * bit 2. */
static unsigned int table_set(const struct kdx_xlat *xlat, uint64_t addr)
{
	return (unsigned int)(((addr >> 2) * 0x9e3779b97f4a7c15ull) >> 40) &
	       (xlat->sets - 1);
}

/* The piece [addr, addr + size) of a table, through the cache. */
static struct kdx_error *piece(struct kdx_xlat *xlat, uint64_t addr,
			       unsigned int size, const uint8_t **data,
			       struct kdx_table_slot **used)
{
	unsigned int set = table_set(xlat, addr);
	struct kdx_table_slot *slots = &xlat->slots[(size_t)set * KDX_TABLE_WAYS];
	struct kdx_table_slot *slot;
	struct kdx_error *err;
	unsigned int hits = 0;

	/* Which way holds the piece is data, not a pattern: the ways are
	 * compared without a branch each, then one test. */
	for (unsigned int w = 0; w < KDX_TABLE_WAYS; w++)
		hits |= ((unsigned int)slots[w].used &
			 (unsigned int)(slots[w].addr == addr) &
			 (unsigned int)(slots[w].size >= size)) << w;
	if (hits) {
		unsigned int w = (unsigned int)__builtin_ctz(hits);

		xlat->stats.table_hits++;
		*data = slots[w].data;
		if (used)
			*used = &slots[w];
		return NULL;
	}
	slot = &slots[xlat->next_way[set]++ % KDX_TABLE_WAYS];
	slot->used = false;
	if (!slot->data && !(slot->data = malloc(KDX_TABLE_MAX)))
		return kdx_err_nomem();
	xlat->stats.table_reads++;
	err = xlat->read_table(xlat->ctx, addr, slot->data, size);
	if (err)
		return err;
	slot->used = true;
	slot->addr = addr;
	slot->size = size;
	*data = slot->data;
	if (used)
		*used = slot;
	return NULL;
}

/* The piece of the table [table, table + bytes) holding byte @off: from
 * the later of the table's start and the 4 KiB boundary below, to the
 * earlier of the table's end and the next boundary. */
static void piece_bounds(uint64_t table, uint64_t bytes, uint64_t off,
			 uint64_t *start, unsigned int *size)
{
	uint64_t at = table + off;
	uint64_t lo = at & ~(uint64_t)(KDX_TABLE_MAX - 1);
	uint64_t hi = lo + KDX_TABLE_MAX;

	if (lo < table)
		lo = table;
	if (hi - table > bytes)
		hi = table + bytes;
	*start = lo;
	*size = (unsigned int)(hi - lo);
}

/* A table's entries stop at the end of the address space: none wraps to
 * the bottom of memory (an enumeration once read entry 512 of a table at
 * 0xfffffffffffff000 from physical 0, where a translation failed). */
static struct kdx_error *past_the_end(uint64_t table, uint64_t off)
{
	return kdx_err(KDX_ERR_CORRUPT,
		       "table at 0x%llx: its entry at offset 0x%llx would lie past the end of the address space",
		       (unsigned long long)table, (unsigned long long)off);
}

struct kdx_error *kdx_xlat_read_entry_slow(struct kdx_xlat *xlat,
					   unsigned int level, uint64_t table,
					   uint64_t bytes, unsigned int index,
					   uint64_t *entry)
{
	unsigned int es = xlat->form->entry_size, size;
	uint64_t off = (uint64_t)index * es, start;
	const uint8_t *data;
	struct kdx_error *err;

	if (table + off < table)
		return past_the_end(table, off);
	piece_bounds(table, bytes, off, &start, &size);
	err = piece(xlat, start, size, &data, &xlat->mru[level]);
	if (err && size > es && kdx_error_code(err) == KDX_ERR_NODATA) {
		/* A sparse dump may hold the entry but not the rest of its
		 * table's page: read the entry alone (and cache it so). */
		struct kdx_error *alone = piece(xlat, table + off, es, &data,
						&xlat->mru[level]);

		if (alone) {
			kdx_error_destroy(alone);
			return err;
		}
		kdx_error_destroy(err);
		err = NULL;
		start = table + off;
	}
	if (err)
		return err;
	*entry = kdx_xlat_entry(xlat, data + (table + off - start), 0);
	return NULL;
}

struct kdx_error *kdx_xlat_read_alone(struct kdx_xlat *xlat, uint64_t addr,
				      uint64_t *entry)
{
	const uint8_t *data;
	struct kdx_error *err = piece(xlat, addr, xlat->form->entry_size,
				      &data, NULL);

	if (!err)
		*entry = kdx_xlat_entry(xlat, data, 0);
	return err;
}

struct kdx_error *kdx_xlat_load_table(struct kdx_xlat *xlat, uint64_t table,
				      uint64_t bytes, uint8_t *buf)
{
	uint64_t off = 0;

	if (bytes && table + (bytes - 1) < table)
		return past_the_end(table, 0 - table);
	/* Bounded: every pass copies at least one entry. */
	while (off < bytes) {
		uint64_t start;
		unsigned int size;
		const uint8_t *data;
		struct kdx_error *err;

		piece_bounds(table, bytes, off, &start, &size);
		err = piece(xlat, start, size, &data, NULL);
		if (err)
			return err;
		memcpy(buf + off, data, size);
		off += size;
	}
	return NULL;
}

void kdx_tlb_insert(struct kdx_xlat *xlat, uint64_t linear,
		    const struct kdx_xlat_result *res)
{
	for (unsigned int c = 0; c < xlat->tlb_classes; c++) {
		struct kdx_tlb_class *tc = &xlat->tlb[c];
		uint64_t vpn = linear >> tc->shift;
		struct kdx_tlb_entry *e;

		/* flags share the entry with the page base's low bits */
		if (res->page_size != 1ull << tc->shift ||
		    res->flags >= res->page_size)
			continue;
		e = &tc->entries[vpn & tc->mask];
		e->tag = vpn + 1;
		e->paddr_flags = (res->paddr & ~(res->page_size - 1)) | res->flags;
		return;
	}
}
