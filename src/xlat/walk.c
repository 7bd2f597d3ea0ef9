/* SPDX-License-Identifier: MIT */
/* The generic walker: one address, top level down, one entry per level,
 * for every paging form. */
#include "xlat/xlat.h"

#include <stdio.h>

const struct kdx_xlat_region *kdx_xlat_region_of(const struct kdx_xlat *xlat,
						 uint64_t linear)
{
	for (unsigned int i = 0; i < 2; i++) {
		const struct kdx_xlat_region *r = &xlat->region[i];

		if (r->used && linear >= r->lo && linear <= r->hi)
			return r;
	}
	return NULL;
}

/* An address between (or outside) the regions of a split form. */
static struct kdx_error *region_error(const struct kdx_xlat *xlat,
				      uint64_t vaddr)
{
	char ranges[160] = "";
	size_t n = 0;

	for (unsigned int i = 0; i < 2; i++) {
		const struct kdx_xlat_region *r = &xlat->region[i];

		if (r->used)
			n += (size_t)snprintf(ranges + n, sizeof(ranges) - n,
					      "%s%s 0x%llx-0x%llx", n ? ", " : "",
					      r->name ? r->name : "root",
					      (unsigned long long)r->lo,
					      (unsigned long long)r->hi);
	}
	return kdx_err(KDX_ERR_INVALID,
		       "0x%llx is outside the %s address ranges with a page table (%s%s)",
		       (unsigned long long)vaddr, xlat->form->name, ranges,
		       xlat->form->split && !xlat->region[0].used ?
			       "; no TTBR0 root given" : "");
}

struct kdx_error *kdx_xlat_linear(const struct kdx_xlat *xlat, uint64_t vaddr,
				  uint64_t *linear)
{
	const struct kdx_paging_form *form = xlat->form;
	unsigned int top = form->va_bits - 1;

	if (form->sign_extended) {
		uint64_t high = vaddr >> top;

		if (high != 0 && high != (UINT64_MAX >> top))
			return kdx_err_set_address(
				kdx_err(KDX_ERR_INVALID,
					"0x%llx is not canonical (%s paging: bits 63-%u must all equal bit %u)",
					(unsigned long long)vaddr, form->name,
					top, top),
				vaddr);
	} else if (form->fixed_high &&
		   (vaddr & ~xlat->va_mask) != form->fixed_high) {
		return kdx_err_set_address(
			kdx_err(KDX_ERR_INVALID,
				"0x%llx is outside %s paging's 0x%llx-0x%llx",
				(unsigned long long)vaddr, form->name,
				(unsigned long long)form->fixed_high,
				(unsigned long long)(form->fixed_high |
						     xlat->va_mask)),
			vaddr);
	} else if (vaddr > xlat->va_mask && !form->fixed_high) {
		return kdx_err_set_address(
			kdx_err(KDX_ERR_INVALID,
				"0x%llx is beyond the %u-bit address space of %s paging",
				(unsigned long long)vaddr, form->va_bits,
				form->name),
			vaddr);
	}
	*linear = vaddr & xlat->va_mask;
	if (!kdx_xlat_region_of(xlat, *linear))
		return kdx_err_set_address(region_error(xlat, vaddr), vaddr);
	return NULL;
}

uint64_t kdx_xlat_canonical(const struct kdx_xlat *xlat, uint64_t linear)
{
	unsigned int top = xlat->form->va_bits - 1;

	if (xlat->form->sign_extended && (linear >> top) & 1)
		return linear | ~xlat->va_mask;
	return linear | xlat->form->fixed_high;
}

struct kdx_error *kdx_xlat_entry_error(const struct kdx_xlat *xlat,
				       enum kdx_error_code code,
				       unsigned int level, uint64_t table,
				       unsigned int index, uint64_t entry,
				       const char *what)
{
	return kdx_err(code, "%s entry 0x%llx at 0x%llx [index %u] %s",
		       xlat->form->level[level].name,
		       (unsigned long long)entry, (unsigned long long)table,
		       index, what);
}

/* Where a walk is: the table of the current level and the entry that led
 * to it, for error messages. */
struct walk_pos {
	uint64_t table;
	unsigned int index;
	uint64_t entry;
};

static struct kdx_error *table_error(const struct kdx_xlat *xlat,
				     unsigned int level, uint64_t table,
				     const struct walk_pos *parent,
				     unsigned int parent_level,
				     struct kdx_error *err)
{
	const char *name = xlat->form->level[level].name;

	if (parent_level == UINT32_MAX)
		return kdx_err_wrap(err, "%s table at 0x%llx (the root)", name,
				    (unsigned long long)table);
	return kdx_err_wrap(err,
			    "%s table at 0x%llx (from %s entry 0x%llx at 0x%llx [index %u])",
			    name, (unsigned long long)table,
			    xlat->form->level[parent_level].name,
			    (unsigned long long)parent->entry,
			    (unsigned long long)parent->table, parent->index);
}

static void record(struct kdx_xlat_trace *trace, const struct kdx_xlat *xlat,
		   unsigned int level, const struct walk_pos *pos)
{
	struct kdx_xlat_step *s;

	if (!trace)
		return;
	s = &trace->steps[trace->count++];
	s->level = xlat->form->level[level].name;
	s->table = pos->table;
	s->index = pos->index;
	s->size = xlat->form->entry_size;
	s->entry_addr = pos->table + (uint64_t)pos->index * s->size;
	s->entry = pos->entry;
}

static struct kdx_error *pte_error(const struct kdx_xlat *xlat,
				   unsigned int level,
				   const struct walk_pos *pos,
				   const struct kdx_pte *pte)
{
	if (pte->kind == KDX_PTE_NONE)
		return kdx_xlat_entry_error(xlat, KDX_ERR_NODATA, level,
					    pos->table, pos->index, pos->entry,
					    "not present");
	return kdx_xlat_entry_error(xlat, KDX_ERR_CORRUPT, level, pos->table,
				    pos->index, pos->entry, pte->problem);
}

/* An index beyond the part of a table its parent entry says exists. */
static struct kdx_error *length_error(const struct kdx_xlat *xlat,
				      unsigned int parent_level,
				      const struct walk_pos *parent,
				      unsigned int index, unsigned int from,
				      unsigned int to)
{
	char what[120];

	snprintf(what, sizeof(what),
		 "gives the next table entries %u-%u only; index %u is outside (a length exception)",
		 from, to - 1, index);
	if (from >= to)
		snprintf(what, sizeof(what),
			 "gives the next table no entries (offset beyond length); index %u is outside",
			 index);
	return kdx_xlat_entry_error(xlat, KDX_ERR_NODATA, parent_level,
				    parent->table, parent->index, parent->entry,
				    what);
}

/* The set of 2 entries for @linear's block.  Blocks of one region (what
 * one entry two levels up maps: 512 GiB on x86_64) take consecutive sets,
 * so a region's run of blocks never collides with itself; each region
 * starts at its own scrambled set, so runs of different regions (a PV
 * guest's 4 GiB of espfix aliases, its vmalloc area, its direct map: all
 * 4 KiB pages) overlap little, and the second way holds what does. */
static struct kdx_psc_entry *psc_set(const struct kdx_xlat *xlat,
				     uint64_t linear)
{
	uint64_t block = linear >> xlat->psc_shift;
	uint64_t region = block >> 18;
	uint64_t set = block + ((region * 0x9e3779b97f4a7c15ull) >> 40);

	return &xlat->psc[(set & xlat->psc_mask) * 2];
}

/* Resume a walk at the last level from the paging-structure cache. */
static bool psc_resume(const struct kdx_xlat *xlat, uint64_t linear,
		       struct walk_pos *pos, struct walk_pos *parent,
		       unsigned int *rights, unsigned int *nx)
{
	const struct kdx_psc_entry *e;
	uint64_t tag = (linear >> xlat->psc_shift) + 1;

	if (!xlat->psc)
		return false;
	e = psc_set(xlat, linear);
	/* Which way holds it is data, not a pattern a branch predictor
	 * learns: a select, then one test that mostly passes. */
	e += (unsigned int)(e[0].tag != tag) & (unsigned int)(e[1].tag == tag);
	if (e->tag != tag)
		return false;
	pos->table = e->table;
	parent->table = e->parent_table;
	parent->index = e->parent_index;
	parent->entry = e->parent_entry;
	*rights = e->rights & (KDX_PAGE_WRITABLE | KDX_PAGE_USER);
	*nx = e->rights & KDX_PAGE_NX;
	return true;
}

/* The newest entry goes first; the one it displaces moves second, and
 * the older second one is dropped (least recently inserted). */
static void psc_insert(struct kdx_xlat *xlat, uint64_t linear,
		       const struct walk_pos *parent, uint64_t table,
		       unsigned int rights, unsigned int nx)
{
	struct kdx_psc_entry *e = psc_set(xlat, linear);

	e[1] = e[0];
	e->tag = (linear >> xlat->psc_shift) + 1;
	e->table = table;
	e->parent_table = parent->table;
	e->parent_index = parent->index;
	e->parent_entry = parent->entry;
	e->rights = rights | nx;
}

/* Bounded: one entry per level, and levels only go down the form. */
struct kdx_error *kdx_xlat_walk(struct kdx_xlat *xlat, uint64_t vaddr,
				uint64_t linear, struct kdx_xlat_result *out,
				struct kdx_xlat_trace *trace)
{
	const struct kdx_paging_form *form = xlat->form;
	const struct kdx_xlat_region *region = kdx_xlat_region_of(xlat, linear);
	struct walk_pos pos, parent = { 0 };
	unsigned int rights = KDX_PAGE_WRITABLE | KDX_PAGE_USER, nx = 0;
	unsigned int parent_level = UINT32_MAX, l;
	unsigned int lim_from = 0, lim_to = 0; /* of the current table */

	if (!region)
		return region_error(xlat, vaddr);
	if (form->lookup)
		return form->lookup(xlat, vaddr, linear, out, trace);
	l = region->first;
	pos.table = region->root;
	/* A trace shows every level, so it walks them all. */
	if (!trace && l + 1 < form->levels &&
	    psc_resume(xlat, linear, &pos, &parent, &rights, &nx)) {
		parent_level = form->levels - 2;
		l = form->levels - 1;
	}
	while (l < form->levels) {
		const struct kdx_xlat_level *lvl = &form->level[l];
		unsigned int entries = l == region->first ? region->entries :
							    lvl->entries;
		struct kdx_pte pte = { 0 };
		struct kdx_error *err;

		/* The top table's entry count need not be a power of two
		 * (s390x table lengths); the region's bounds keep the index
		 * below it. */
		pos.index = l == region->first ?
				    (unsigned int)((linear - region->base) >> lvl->shift) :
				    (unsigned int)(linear >> lvl->shift) & (entries - 1);
		if (lim_to && (pos.index < lim_from || pos.index >= lim_to))
			return length_error(xlat, parent_level, &parent,
					    pos.index, lim_from, lim_to);
		err = kdx_xlat_read_entry(xlat, l, pos.table,
					  (uint64_t)entries * form->entry_size,
					  pos.index, &pos.entry);
		if (err)
			return table_error(xlat, l, pos.table, &parent,
					   parent_level, err);
		record(trace, xlat, l, &pos);
		form->decode(xlat, l, pos.entry, &pte);
		if (pte.kind == KDX_PTE_NONE || pte.kind == KDX_PTE_BAD)
			return pte_error(xlat, l, &pos, &pte);
		rights &= pte.flags;
		nx |= pte.flags & KDX_PAGE_NX;
		if (pte.kind == KDX_PTE_PAGE) {
			unsigned int shift = pte.page_shift > lvl->shift ?
						     pte.page_shift : lvl->shift;
			uint64_t size = 1ull << shift;

			xlat->walk_repeated = pte.page_shift > lvl->shift;
			out->vaddr = vaddr;
			out->paddr = pte.addr | (linear & (size - 1));
			out->page_size = size;
			out->flags = (pte.flags & ~(KDX_PAGE_WRITABLE | KDX_PAGE_USER)) |
				     rights | nx;
			return NULL;
		}
		parent = pos;
		parent_level = l;
		pos.table = pte.addr;
		lim_from = pte.next_from;
		lim_to = pte.next_to;
		l = pte.next_level > l ? pte.next_level : l + 1;
		if (parent_level + 2 == form->levels && l + 1 == form->levels &&
		    xlat->psc)
			psc_insert(xlat, linear, &parent, pos.table, rights, nx);
	}
	/* Only reachable with a malformed form whose last level is not a
	 * leaf. */
	return kdx_err(KDX_ERR_CORRUPT, "%s walk ended without a page",
		       form->name);
}
