/* SPDX-License-Identifier: MIT */
/* Converting a Xen PV guest's dump into an ordinary one: the output's
 * physical memory is the guest's pseudo-physical memory, so the kernel's
 * page tables must hold pseudo-physical frames there, as a native kernel's
 * do, for crash, drgn and makedumpfile to walk them.
 *
 * Every table reachable from the kernel's top tables (the vCPU's CR3, a
 * machine address, and SYMBOL(init_top_pgt) / swapper_pg_dir from
 * VMCOREINFO) is found by walking all levels through the dump's m2p,
 * breadth first, each page once whatever the number of ways it is reached
 * (tables that point at each other end the walk, they do not loop it; a
 * page reached at two levels is rewritten as first reached, the higher,
 * and counted).  In the output's copy
 * of those pages, each present entry's machine frame becomes the pfn the
 * m2p gives; an entry whose frame no pfn of the guest maps (a foreign or
 * granted page, I/O memory, Xen's own mappings) is cleared, never given
 * an invented frame, and counted.  So are the top table's slots Xen
 * reserves for itself (x86_64 L4 slots 256-271), as libxc clears them
 * when it saves a guest.  The dump itself is not changed: the writers
 * apply the rewrite to the bytes they write.
 *
 * Entries that are not present are left alone: Linux gives Xen only
 * present entries' frames as machine frames (swap entries and PROT_NONE
 * pages keep theirs).  Process page tables not reachable from the
 * kernel's top tables are written as they are. */
#include "os/os.h"
#include "os/page_filter.h"

#include "core/endian.h"
#include "format/common/p2m.h"
#include "lib/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define ENTRIES 512u
#define PTE_PRESENT 0x1ull
#define PTE_PSE 0x80ull
#define FRAME_MASK 0x000ffffffffff000ull
#define START_KERNEL_MAP 0xffffffff80000000ull
#define I386_PAGE_OFFSET 0xc0000000ull
/* x86_64 L4 slots Xen keeps for itself in every guest's top table. */
#define XEN_SLOT_FIRST 256u
#define XEN_SLOT_END 272u

/* What the rewrite needs, shared read-only by the writer's threads. */
struct pv_tables {
	const struct kdx_p2m *p2m;
	bool x86_64;
	unsigned int levels; /* 4, or 3 for PAE */
};

/* A pfn -> index set (open addressing), for "each table once". */
struct seen {
	uint64_t *keys; /* pfn + 1; 0 is empty */
	size_t *index;
	size_t size, used;
};

static size_t slot_of(const struct seen *s, uint64_t pfn)
{
	size_t i = (size_t)((pfn * 0x9e3779b97f4a7c15ull) >> 20) & (s->size - 1);

	while (s->keys[i] && s->keys[i] != pfn + 1)
		i = (i + 1) & (s->size - 1);
	return i;
}

static struct kdx_error *seen_grow(struct seen *s)
{
	struct seen bigger = { .size = s->size ? s->size * 2 : 1024 };

	bigger.keys = calloc(bigger.size, sizeof(*bigger.keys));
	bigger.index = calloc(bigger.size, sizeof(*bigger.index));
	if (!bigger.keys || !bigger.index) {
		free(bigger.keys);
		free(bigger.index);
		return kdx_err_nomem();
	}
	for (size_t i = 0; i < s->size; i++) {
		size_t j;

		if (!s->keys[i])
			continue;
		j = slot_of(&bigger, s->keys[i] - 1);
		bigger.keys[j] = s->keys[i];
		bigger.index[j] = s->index[i];
	}
	bigger.used = s->used;
	free(s->keys);
	free(s->index);
	*s = bigger;
	return NULL;
}

/* The index @pfn was added with, or SIZE_MAX. */
static size_t seen_find(const struct seen *s, uint64_t pfn)
{
	size_t i;

	if (!s->size)
		return SIZE_MAX;
	i = slot_of(s, pfn);
	return s->keys[i] ? s->index[i] : SIZE_MAX;
}

static struct kdx_error *seen_add(struct seen *s, uint64_t pfn, size_t index)
{
	size_t i;

	if (2 * (s->used + 1) > s->size) {
		struct kdx_error *err = seen_grow(s);

		if (err)
			return err;
	}
	i = slot_of(s, pfn);
	s->keys[i] = pfn + 1;
	s->index[i] = index;
	s->used++;
	return NULL;
}

/* ---- one entry ---- */

enum entry_fate { ENTRY_KEPT, ENTRY_REWRITTEN, ENTRY_CLEARED };

/* Bits of an entry's frame: a 4 KiB page or table, or a 2 MiB / 1 GiB
 * page (whose bit 12 is PAT, not frame). */
static uint64_t frame_mask(unsigned int level, bool leaf)
{
	if (!leaf || level == 1)
		return FRAME_MASK;
	return FRAME_MASK & ~((1ull << (PAGE_SHIFT + 9 * (level - 1))) - 1);
}

/* The pfn of machine frame @mfn, for @frames consecutive frames: the m2p
 * must map them to consecutive pfns, aligned as the page is. */
static bool frames_to_pfn(const struct kdx_p2m *p2m, uint64_t mfn,
			  uint64_t frames, uint64_t *pfn)
{
	uint64_t first, at, count;

	if (!kdx_p2m_pfn_span(p2m, mfn, &first, &count) || first % frames)
		return false;
	/* Run by run: bounded by the runs, not the frames. */
	for (uint64_t k = count; k < frames; k += count)
		if (!kdx_p2m_pfn_span(p2m, mfn + k, &at, &count) ||
		    at != first + k)
			return false;
	*pfn = first;
	return true;
}

static bool is_leaf(const struct pv_tables *t, unsigned int level,
		    uint64_t pte)
{
	return level == 1 ||
	       (level < t->levels && level <= 3 && (pte & PTE_PSE));
}

static enum entry_fate rewrite_entry(const struct pv_tables *t,
				     const struct kdx_filter_page *p,
				     unsigned int index, uint64_t *pte)
{
	bool leaf = is_leaf(t, p->level, *pte);
	uint64_t mask = frame_mask(p->level, leaf), pfn;

	if (!(*pte & PTE_PRESENT))
		return ENTRY_KEPT;
	if (p->top && t->x86_64 && index >= XEN_SLOT_FIRST &&
	    index < XEN_SLOT_END) {
		*pte = 0;
		return ENTRY_CLEARED;
	}
	if (!frames_to_pfn(t->p2m, (*pte & mask) >> PAGE_SHIFT,
			   (~mask & FRAME_MASK) / PAGE_SIZE + 1, &pfn)) {
		*pte = 0;
		return ENTRY_CLEARED;
	}
	*pte = (*pte & ~mask) | (pfn << PAGE_SHIFT);
	return ENTRY_REWRITTEN;
}

struct page_counts {
	uint64_t rewritten, cleared;
	unsigned int first_cleared; /* entry index; valid with cleared */
};

static void rewrite_page(const struct pv_tables *t,
			 const struct kdx_filter_page *p, uint8_t *page,
			 struct page_counts *c)
{
	for (unsigned int i = 0; i < p->count; i++) {
		uint8_t *at = page + p->first + 8u * i;
		uint64_t pte = kdx_load_u64(at, KDX_LITTLE_ENDIAN);

		switch (rewrite_entry(t, p, p->first / 8u + i, &pte)) {
		case ENTRY_KEPT:
			continue;
		case ENTRY_REWRITTEN:
			c->rewritten++;
			break;
		case ENTRY_CLEARED:
			if (!c->cleared++)
				c->first_cleared = p->first / 8u + i;
			break;
		}
		kdx_store_u64(at, pte, KDX_LITTLE_ENDIAN);
	}
}

static void rewrite_cb(const struct kdx_page_filter *f,
		       const struct kdx_filter_page *p, uint8_t *page)
{
	struct page_counts c = { 0, 0, 0 };

	rewrite_page(f->ctx, p, page, &c);
}

/* ---- the walk ---- */

struct walk {
	const struct kdx_dump *dump;
	struct pv_tables *t;
	struct kdx_page_filter *f;
	struct seen seen;
	size_t next; /* f->pages[next..] still to read */
	uint8_t page[PAGE_SIZE];
};

/* Queue the table at pseudo-physical page @pfn, reached at @level. */
static struct kdx_error *queue(struct walk *w, uint64_t pfn,
			       unsigned int level, bool top,
			       unsigned int first, unsigned int count)
{
	struct kdx_filter_page p = {
		.paddr = pfn << PAGE_SHIFT,
		.first = (uint16_t)first,
		.count = (uint16_t)count,
		.level = (uint8_t)level,
		.top = top,
	};
	size_t had = seen_find(&w->seen, pfn);
	struct kdx_error *err;

	if (had != SIZE_MAX) {
		/* Each page is rewritten once, as it was first reached. */
		if (w->f->pages[had].level != level || w->f->pages[had].top != top)
			w->f->aliases++;
		return NULL;
	}
	err = seen_add(&w->seen, pfn, w->f->count);
	return err ? err : kdx_page_filter_add(w->f, &p);
}

/* Read one queued table: count what its rewrite does, queue its
 * children.  A table the dump lacks is neither in the output nor walked
 * further (it is dropped from the filter). */
static struct kdx_error *visit(struct walk *w, size_t i)
{
	struct kdx_filter_page p = w->f->pages[i];
	struct page_counts c = { 0, 0, 0 };
	struct kdx_error *err;

	err = kdx_read_phys(w->dump, p.paddr, w->page, PAGE_SIZE, 0, NULL);
	if (err) {
		kdx_error_destroy(err);
		w->f->pages[i].count = 0; /* nothing to rewrite */
		return NULL;
	}
	for (unsigned int k = 0; k < p.count && p.level > 1; k++) {
		unsigned int index = p.first / 8u + k;
		uint64_t pte = kdx_load_u64(w->page + p.first + 8u * k,
					    KDX_LITTLE_ENDIAN);

		if (!(pte & PTE_PRESENT) || is_leaf(w->t, p.level, pte) ||
		    (p.top && w->t->x86_64 && index >= XEN_SLOT_FIRST &&
		     index < XEN_SLOT_END))
			continue;
		if (rewrite_entry(w->t, &p, index, &pte) != ENTRY_REWRITTEN)
			continue;
		err = queue(w, (pte & FRAME_MASK) >> PAGE_SHIFT, p.level - 1,
			    false, 0, ENTRIES);
		if (err)
			return err;
	}
	rewrite_page(w->t, &p, w->page, &c);
	w->f->entries_rewritten += c.rewritten;
	if (c.cleared && !w->f->entries_cleared)
		w->f->first_cleared = p.paddr + p.first + 8u * c.first_cleared;
	w->f->entries_cleared += c.cleared;
	return NULL;
}

/* Queue a top table at physical address @paddr (the 32-byte PAE table
 * lies inside its page). */
static struct kdx_error *queue_top(struct walk *w, uint64_t paddr)
{
	if (w->t->x86_64)
		return queue(w, paddr >> PAGE_SHIFT, 4, true, 0, ENTRIES);
	return queue(w, paddr >> PAGE_SHIFT, 3, true,
		     (unsigned int)(paddr & (PAGE_SIZE - 1) & ~31u), 4);
}

/* Bounded: each pfn is queued once, and there are no more pfns than the
 * p2m maps. */
static struct kdx_error *walk_all(struct walk *w)
{
	struct kdx_error *err = NULL;

	for (w->next = 0; w->next < w->f->count && !err; w->next++)
		err = visit(w, w->next);
	return err;
}

/* Drop the tables the dump lacked (count 0) and sort. */
static void finish(struct kdx_page_filter *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->count; i++)
		if (f->pages[i].count)
			f->pages[n++] = f->pages[i];
	f->count = n;
	f->tables = n;
	kdx_page_filter_sort(f);
}

/* ---- roots ---- */

static bool vmci_hex(const struct kdx_dump *dump, const char *key,
		     uint64_t *value)
{
	const char *text = kdx_dump_vmcoreinfo_get(dump, key);
	char *end;

	if (!text || !*text)
		return false;
	*value = strtoull(text, &end, 16);
	return end != text && *end == '\0';
}

/* The kernel's own top table from VMCOREINFO, pseudo-physical. */
static bool symbol_root(const struct kdx_dump *dump,
			const struct kdx_kernel_layout *l, bool x86_64,
			uint64_t *paddr)
{
	uint64_t va;

	if (x86_64) {
		if (!vmci_hex(dump, "SYMBOL(init_top_pgt)", &va) &&
		    !vmci_hex(dump, "SYMBOL(init_level4_pgt)", &va))
			return false;
		if (va < START_KERNEL_MAP)
			return false;
		*paddr = va - START_KERNEL_MAP + l->lnx.phys_base;
		return true;
	}
	if (!vmci_hex(dump, "SYMBOL(swapper_pg_dir)", &va) ||
	    va < I386_PAGE_OFFSET)
		return false;
	*paddr = va - I386_PAGE_OFFSET;
	return true;
}

/* The output's root: a pseudo-physical address. */
static void output_layout(struct kdx_page_filter *f, uint64_t root)
{
	struct kdx_kernel_layout *l = &f->layout;
	char was[KDX_SOURCE_LEN];

	l->root = root;
	snprintf(was, sizeof(was), "%s", l->root_source);
	snprintf(l->root_source, KDX_SOURCE_LEN, "%.*s, pseudo-physical",
		 KDX_SOURCE_LEN - 20, was);
}

/* The vCPU's CR3 (a machine address) as a pseudo-physical one: the
 * page through the m2p, the offset of a PAE table inside it kept. */
static bool cr3_to_phys(const struct walk *w, uint64_t cr3, uint64_t *paddr)
{
	uint64_t pfn, offset = w->t->x86_64 ? 0 : cr3 & (PAGE_SIZE - 1) & ~31ull;

	if (!kdx_p2m_pfn(w->t->p2m, (cr3 & FRAME_MASK) >> PAGE_SHIFT, &pfn))
		return false;
	*paddr = pfn << PAGE_SHIFT | offset;
	return true;
}

static struct kdx_error *find_tables(struct walk *w)
{
	struct kdx_page_filter *f = w->f;
	struct kdx_kernel_layout *l = &f->layout;
	uint64_t cr3 = 0, sym = 0;
	bool have_cr3 = false, have_sym;
	struct kdx_error *err = NULL;

	if (l->has_root)
		have_cr3 = cr3_to_phys(w, l->root, &cr3);
	have_sym = symbol_root(w->dump, l, w->t->x86_64, &sym);
	if (have_cr3)
		err = queue_top(w, cr3);
	if (!err && have_sym)
		err = queue_top(w, sym);
	if (!err)
		err = walk_all(w);
	if (err)
		return err;
	finish(f);
	l->xlat_flags &= ~KDX_XLAT_MACHINE; /* the output's tables are physical */
	if (!have_cr3 && !have_sym) {
		l->has_root = false;
		snprintf(l->note, sizeof(l->note), "%s",
			 "no kernel page table the m2p maps: tables written as they are");
	} else {
		l->has_root = true;
		output_layout(f, have_cr3 ? cr3 : sym);
		if (!have_cr3)
			snprintf(l->root_source, KDX_SOURCE_LEN, "VMCOREINFO %s",
				 w->t->x86_64 ? "SYMBOL(init_top_pgt)" :
						"SYMBOL(swapper_pg_dir)");
	}
	return NULL;
}

/* xc_core's own notes describe the file (its page count, format
 * version): nothing an ordinary dump's reader knows, crash warns. */
static bool drop_xc_core_note(const struct kdx_note *n)
{
	return !strcmp(n->name, "Xen") && n->type >= 0x2000000u &&
	       n->type <= 0x2000003u;
}

struct kdx_error *kdx_xen_pv_output_filter(const struct kdx_dump *dump,
					   const struct kdx_os_ops *self,
					   const struct kdx_kernel_options *opts,
					   struct kdx_page_filter **out)
{
	struct pv_tables *t;
	struct kdx_page_filter *f;
	struct walk *w;
	struct kdx_error *err;

	/* Without a p2m (a legacy xc_core, a host's machine memory) the
	 * physical addresses are the tables' own: nothing to rewrite. */
	if (!kdx_dump_has_machine(dump))
		return NULL;
	f = calloc(1, sizeof(*f) + sizeof(*t));
	w = calloc(1, sizeof(*w));
	if (!f || !w) {
		free(f);
		free(w);
		return kdx_err_nomem();
	}
	t = (struct pv_tables *)(f + 1);
	t->p2m = dump->p2m;
	t->x86_64 = kdx_dump_arch(dump) == KDX_ARCH_X86_64;
	t->levels = t->x86_64 ? 4 : 3;
	f->dump = dump;
	f->page_size = PAGE_SIZE;
	f->rewrite = rewrite_cb;
	f->ctx = t;
	f->drop_note = drop_xc_core_note;
	*w = (struct walk){ .dump = dump, .t = t, .f = f };
	err = kdx_os_probe(self, dump, opts, &f->layout);
	if (!err)
		err = find_tables(w);
	free(w->seen.keys);
	free(w->seen.index);
	free(w);
	if (err) {
		kdx_page_filter_destroy(f);
		return kdx_err_wrap(err, "finding the Xen PV guest's page tables");
	}
	*out = f;
	return NULL;
}
