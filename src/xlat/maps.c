/* SPDX-License-Identifier: MIT */
/* Enumerating every mapping of a page table: depth first, in address
 * order, each table read once per parent entry that points to it, leaves
 * merged into runs.  Bounded by the form's depth, by a budget of tables,
 * and by skipping any table an entry points back to from below it. */
#include "xlat/xlat.h"

#include <string.h>

#define RIGHTS (KDX_PAGE_WRITABLE | KDX_PAGE_USER)

struct maps_walk {
	struct kdx_xlat *xlat;
	uint64_t lo, hi; /* linear bounds, inclusive */
	unsigned int flags;
	kdx_mapping_fn on_mapping;
	kdx_xlat_error_fn on_error;
	void *arg;
	uint64_t path[KDX_XLAT_MAX_LEVELS]; /* tables above the current one */
	unsigned int first; /* level of the region's top table */
	uint64_t tables; /* tables visited, against cfg.max_tables */
	struct kdx_mapping run;
	bool have_run;
	bool stop;
	bool caller_stopped;   /* a callback said stop: report nothing more */
	struct kdx_error *err; /* ends the walk */
};

static void emit(struct maps_walk *w)
{
	if (w->have_run && !w->caller_stopped &&
	    !w->on_mapping(w->arg, &w->run))
		w->stop = w->caller_stopped = true;
	w->have_run = false;
}

/* Add a leaf of @size bytes (part of a page of @page bytes), clipped to
 * the walk's bounds. */
static void add_leaf(struct maps_walk *w, uint64_t linear, uint64_t paddr,
		     uint64_t size, uint64_t page, unsigned int flags)
{
	struct kdx_mapping *r = &w->run;
	uint64_t vaddr;

	if (linear < w->lo) {
		paddr += w->lo - linear;
		size -= w->lo - linear;
		linear = w->lo;
	}
	if (linear + (size - 1) > w->hi)
		size = w->hi - linear + 1;
	vaddr = kdx_xlat_canonical(w->xlat, linear);

	if (!(w->flags & KDX_MAPS_NO_MERGE)) {
		flags &= ~KDX_PAGE_STATE_FLAGS;
		if (w->have_run && r->vaddr + r->size == vaddr &&
		    r->paddr + r->size == paddr && r->flags == flags) {
			r->size += size;
			r->page_sizes |= page;
			return;
		}
	}
	emit(w);
	*r = (struct kdx_mapping){ vaddr, paddr, size, flags, page,
				   w->xlat->space };
	w->have_run = true;
}

/* A problem in one subtree: hand it to on_error, or end the walk. */
static void problem(struct maps_walk *w, struct kdx_error *err)
{
	if (!w->on_error) {
		w->err = err;
		w->stop = true;
		return;
	}
	if (!w->on_error(w->arg, err))
		w->stop = w->caller_stopped = true;
	kdx_error_destroy(err);
}

struct table_ctx {
	unsigned int level;
	unsigned int entries;  /* entries in this table */
	uint64_t table;
	uint64_t base;         /* linear address of entry 0 */
	unsigned int rights;   /* writable/user allowed by the levels above */
	unsigned int nx;       /* NX from the levels above */
	unsigned int from, to; /* entries that exist: [from, to) */
};

static void walk_table(struct maps_walk *w, const struct table_ctx *t);

static bool is_loop(const struct maps_walk *w, unsigned int level,
		    uint64_t table)
{
	for (unsigned int l = w->first; l <= level; l++)
		if (w->path[l] == table)
			return true;
	return false;
}

/* Whether the whole span of an entry lies where the CPU never looks at
 * tables (MIPS's KSEG0/KSEG1 inside MIPS32's directory): entries there
 * map nothing, whatever they hold. */
static bool span_unmapped(const struct kdx_xlat *xlat, uint64_t linear,
			  unsigned int shift)
{
	struct kdx_xlat_result r;
	uint64_t first = kdx_xlat_canonical(xlat, linear);
	uint64_t last = kdx_xlat_canonical(xlat, linear + ((1ull << shift) - 1));

	return xlat->form->unmapped(xlat, first, &r) &&
	       xlat->form->unmapped(xlat, last, &r);
}

/* Inlined into both callers: it runs once per entry of every table, and
 * a call per entry cost the enumeration a quarter of its time. */
static inline __attribute__((always_inline)) void
visit_entry(struct maps_walk *w, const struct table_ctx *t, unsigned int index,
	    uint64_t entry)
{
	const struct kdx_paging_form *form = w->xlat->form;
	unsigned int shift = form->level[t->level].shift;
	uint64_t linear = t->base + ((uint64_t)index << shift);
	struct kdx_pte pte = { 0 };
	struct table_ctx child;
	unsigned int next;

	form->decode(w->xlat, t->level, entry, &pte);
	if (pte.kind == KDX_PTE_NONE)
		return;
	if (form->unmapped && span_unmapped(w->xlat, linear, shift))
		return;
	if (pte.kind == KDX_PTE_BAD) {
		problem(w, kdx_err_set_address(
				   kdx_xlat_entry_error(w->xlat, KDX_ERR_CORRUPT,
							t->level, t->table, index,
							entry, pte.problem),
				   kdx_xlat_canonical(w->xlat, linear)));
		return;
	}
	if (pte.kind == KDX_PTE_PAGE) {
		unsigned int rights = t->rights & pte.flags;
		uint64_t page = 1ull << (pte.page_shift > shift ? pte.page_shift :
								  shift);

		/* An entry of a repeated larger page maps its own part. */
		add_leaf(w, linear, pte.addr + (linear & (page - 1)),
			 1ull << shift, page,
			 (pte.flags & ~RIGHTS) | rights | t->nx);
		return;
	}
	if (is_loop(w, t->level, pte.addr)) {
		if (w->xlat->cfg.flags & KDX_XLAT_SELF_MAP)
			return; /* the OS's own view of its tables */
		problem(w, kdx_xlat_entry_error(
				   w->xlat, KDX_ERR_CORRUPT, t->level, t->table,
				   index, entry,
				   "points back to a table above it (a loop); skipped"));
		return;
	}
	next = pte.next_level > t->level ? pte.next_level : t->level + 1;
	if (next >= form->levels) {
		problem(w, kdx_xlat_entry_error(w->xlat, KDX_ERR_CORRUPT,
						t->level, t->table, index, entry,
						"points to a table below the last level"));
		return;
	}
	child = (struct table_ctx){ next, form->level[next].entries, pte.addr,
				    linear, t->rights & pte.flags,
				    t->nx | (pte.flags & KDX_PAGE_NX), 0,
				    form->level[next].entries };
	if (pte.next_to) {
		child.from = pte.next_from;
		child.to = pte.next_to < child.entries ? pte.next_to :
							 child.entries;
		if (child.from >= child.to)
			return; /* nothing of the table exists */
	}
	walk_table(w, &child);
}

/* Read the table into this level's buffer: deeper levels reuse the
 * cache slots, so the bytes must not live there while we iterate. */
static bool load_table(struct maps_walk *w, const struct table_ctx *t,
		       struct kdx_error **err)
{
	struct kdx_xlat *xlat = w->xlat;
	unsigned int es = xlat->form->entry_size;

	*err = NULL;
	xlat->stats.tables_walked++;
	if (++w->tables > xlat->cfg.max_tables) {
		w->err = kdx_err(KDX_ERR_CORRUPT,
				 "page-table enumeration stopped after %llu tables (tables shared or looping too often?)",
				 (unsigned long long)xlat->cfg.max_tables);
		w->stop = true;
		return false;
	}
	/* Only the part that exists: the rest may be other data, or absent
	 * from the dump. */
	*err = kdx_xlat_load_table(
		xlat, t->table + (uint64_t)t->from * es,
		(uint64_t)(t->to - t->from) * es,
		xlat->level_buf[t->level] + (size_t)t->from * es);
	return true;
}

static void table_problem(struct maps_walk *w, const struct table_ctx *t,
			  struct kdx_error *err)
{
	const struct kdx_xlat *xlat = w->xlat;
	uint64_t at = kdx_xlat_canonical(xlat, t->base);

	problem(w, kdx_err_set_address(
			   kdx_err_wrap(err, "%s table at 0x%llx (for 0x%llx)",
					xlat->form->level[t->level].name,
					(unsigned long long)t->table,
					(unsigned long long)at),
			   at));
}

/* How many entries from @i on (to @last) the failed read @err of entry
 * @i says are missing: those up to the end of the hole it met, when it
 * knows it, else entry @i alone. */
static unsigned int entries_missing(const struct table_ctx *t, unsigned int i,
				    unsigned int last, unsigned int es,
				    const struct kdx_error *err)
{
	uint64_t at = t->table + (uint64_t)i * es, end, n;

	if (kdx_error_code(err) != KDX_ERR_NODATA ||
	    !kdx_error_nodata_end(err, &end) || end <= at)
		return 1;
	n = (end - at + es - 1) / es; /* entries that start in the hole */
	return n > last - i + 1 ? last - i + 1 : (unsigned int)n;
}

/* A table the dump holds only in part (a sparse image keeps the entries
 * in use, not their whole page): entry by entry, skipping the absent
 * ones and saying how many there were.  @whole is the error of reading
 * it whole. */
static void walk_sparse(struct maps_walk *w, const struct table_ctx *t,
			unsigned int first, unsigned int last,
			struct kdx_error *whole)
{
	unsigned int es = w->xlat->form->entry_size, missing = 0;

	for (unsigned int i = first; i <= last && !w->stop; i++) {
		uint64_t entry;
		struct kdx_error *err = kdx_xlat_read_alone(
			w->xlat, t->table + (uint64_t)i * es, &entry);

		if (err) {
			unsigned int skip = entries_missing(t, i, last, es, err);

			missing += skip;
			i += skip - 1;
			kdx_error_destroy(err);
			continue;
		}
		visit_entry(w, t, i, entry);
	}
	if (missing == last - first + 1) {
		table_problem(w, t, whole);
		return;
	}
	kdx_error_destroy(whole);
	if (missing && !w->stop)
		table_problem(w, t,
			      kdx_err(KDX_ERR_NODATA,
				      "%u of its %u entries are not in the dump; skipped",
				      missing, last - first + 1));
}

static void walk_table(struct maps_walk *w, const struct table_ctx *t)
{
	const struct kdx_xlat_level *lvl = &w->xlat->form->level[t->level];
	uint64_t span = (uint64_t)t->entries << lvl->shift;
	uint64_t last = t->base + (span - 1);
	unsigned int first_index = t->from, last_index = t->to - 1;

	if (w->lo > t->base && (w->lo - t->base) >> lvl->shift > first_index)
		first_index = (unsigned int)((w->lo - t->base) >> lvl->shift);
	if (w->hi < last && (w->hi - t->base) >> lvl->shift < last_index)
		last_index = (unsigned int)((w->hi - t->base) >> lvl->shift);
	struct kdx_error *err;

	if (first_index > last_index || w->stop || !load_table(w, t, &err))
		return;
	w->path[t->level] = t->table;
	if (err && kdx_error_code(err) == KDX_ERR_NODATA) {
		walk_sparse(w, t, first_index, last_index, err);
		return;
	}
	if (err) {
		table_problem(w, t, err);
		return;
	}
	for (unsigned int i = first_index; i <= last_index && !w->stop; i++)
		visit_entry(w, t, i,
			    kdx_xlat_entry(w->xlat, w->xlat->level_buf[t->level], i));
}

/* Clip [start, end] to addresses the mode can map; false if empty.  A
 * bound inside the non-canonical hole moves to the hole's edge, so the
 * walk crosses the hole in one step. */
static bool linear_bounds(const struct kdx_xlat *xlat, uint64_t start,
			  uint64_t end, uint64_t *lo, uint64_t *hi)
{
	const struct kdx_paging_form *form = xlat->form;
	uint64_t half = 1ull << (form->va_bits - 1);

	if (start > end)
		return false;
	if (form->fixed_high) {
		uint64_t first = form->fixed_high, last = first | xlat->va_mask;

		if (end < first || start > last)
			return false;
		*lo = (start < first ? first : start) & xlat->va_mask;
		*hi = (end > last ? last : end) & xlat->va_mask;
		return true;
	}
	if (!form->sign_extended) {
		if (start > xlat->va_mask)
			return false;
		*lo = start;
		*hi = end > xlat->va_mask ? xlat->va_mask : end;
		return true;
	}
	/* Canonical order: [0, half) then [~(half - 1), max]. */
	if (start >= half && start < ~(half - 1))
		start = ~(half - 1);
	if (end >= half && end < ~(half - 1))
		end = half - 1;
	if (start > end)
		return false;
	*lo = start & xlat->va_mask;
	*hi = end & xlat->va_mask;
	return true;
}

/* A lookup form's listing, through the same merging. */
static bool list_leaf(void *arg, uint64_t linear, uint64_t paddr,
		      uint64_t size, unsigned int flags)
{
	struct maps_walk *w = arg;

	add_leaf(w, linear, paddr, size, size, flags);
	return !w->stop;
}

struct kdx_error *kdx_xlat_maps(struct kdx_xlat *xlat, uint64_t start,
				uint64_t end, unsigned int flags,
				kdx_mapping_fn on_mapping,
				kdx_xlat_error_fn on_error, void *arg)
{
	struct maps_walk w = {
		.xlat = xlat, .flags = flags, .on_mapping = on_mapping,
		.on_error = on_error, .arg = arg,
	};
	uint64_t lo, hi;

	if (!linear_bounds(xlat, start, end, &lo, &hi))
		return NULL;
	if (xlat->form->list) {
		w.lo = lo;
		w.hi = hi;
		w.err = xlat->form->list(xlat, lo, hi, list_leaf, &w);
		emit(&w);
		return w.err;
	}
	/* Regions are in address order, each walked within its bounds. */
	for (unsigned int i = 0; i < 2 && !w.stop; i++) {
		const struct kdx_xlat_region *r = &xlat->region[i];
		struct table_ctx root = { r->first, r->entries, r->root,
					  r->base, RIGHTS, 0, 0, r->entries };

		if (!r->used || hi < r->lo || lo > r->hi)
			continue;
		w.lo = lo > r->lo ? lo : r->lo;
		w.hi = hi < r->hi ? hi : r->hi;
		w.first = r->first;
		walk_table(&w, &root);
	}
	emit(&w);
	return w.err;
}

struct next_ctx {
	struct kdx_mapping *out;
	bool found;
};

static bool take_first(void *arg, const struct kdx_mapping *m)
{
	struct next_ctx *n = arg;

	*n->out = *m; /* already cut to start by the walk */
	n->found = true;
	return false;
}

struct kdx_error *kdx_xlat_next_mapping(struct kdx_xlat *xlat, uint64_t start,
					uint64_t end, struct kdx_mapping *out)
{
	struct next_ctx n = { out, false };
	struct kdx_error *err = kdx_xlat_maps(xlat, start, end, 0, take_first,
					      NULL, &n);

	if (err || n.found)
		return err;
	return kdx_err(KDX_ERR_NOTFOUND,
		       "nothing is mapped from 0x%llx to 0x%llx",
		       (unsigned long long)start, (unsigned long long)end);
}
