/* SPDX-License-Identifier: MIT */
/* Linux's own p2m in a Xen PV guest (arch/x86/xen/p2m.c), read by machine
 * address from the frames shared_info names:
 * - the linear list (Linux >= 3.19): one word per pfn at p2m_vaddr, in
 *   the address space rooted at p2m_cr3, walked as any machine-frame page
 *   table (its tables come through the dump's m2p, never through the p2m
 *   being read: seed 000);
 * - the tree for the tools: the frame list list (one page of mfns of mid
 *   pages), each mid page a page of mfns of leaf pages, each leaf a page
 *   of one word per pfn; pfn = (top * PER + mid) * PER + leaf index.
 * Both cover pfns [0, max_pfn) (seed 001: not only the nr_pages the
 * domain started with).  Entries: ~0 missing, IDENTITY_FRAME_BIT (the
 * word's bit 62/30) a 1:1 non-RAM frame, FOREIGN_FRAME_BIT (bit 63/31)
 * another domain's frame; the rest are this guest's mfns. */
#include "os/os.h"

#include <kdx/xen.h>

#include "core/error.h"
#include "os/xen_frames.h"

#include <string.h>

#define PAGE 4096u
/* 2^28 pfns: a 1 TiB guest.  Beyond, max_pfn is not a real guest's. */
#define MAX_COVERED (1ull << 28)
/* Entries in one last-level page table (x86_64 and PAE alike). */
#define PT_ENTRIES 512u

/* What a frame is to the walk (kdx_frame_set's bits).  A page of the p2m
 * (a leaf, a list page, a mid page, a page table of the list) is walked
 * once.  Linux names some pages many times on purpose: p2m_missing and
 * p2m_identity, leaves of INVALID_P2M_ENTRY only (arch/x86/xen/p2m.c:
 * "The INVALID_P2M_ENTRY is filled in both p2m_*identity and in
 * p2m_*missing"), the page tables mapping nothing else
 * (p2m_missing_pte, p2m_identity_pte) and the tree's mid page naming
 * nothing else (p2m_mid_missing_mfn): such a page, once read, counts as
 * missing wherever it is named again, in one step.  Any other page named
 * twice would hand out the same entries for other pfns: damage, counted
 * as repeated, never walked again.  So a walk costs the distinct pages
 * the dump holds, not the pfns a header claims. */
enum frame_state {
	UNSEEN = 0,
	WALKED = 1,       /* a page of the p2m, walked */
	SHARED_LEAF = 2,  /* a leaf of missing entries only */
	SHARED_TABLE = 3, /* a mid page or page table naming only those */
};
#define STATE_MASK 3u
/* A valid entry named the frame: a second one is a duplicate. */
#define TAKEN 4u

struct p2m_reader {
	const struct kdx_dump *dump;
	unsigned int word;   /* the guest's: 8 or 4 */
	unsigned int per;    /* entries per page */
	bool machine;        /* reads go through the dump's m2p */
	struct kdx_xen_p2m_report *out;
	kdx_xen_p2m_fn fn;   /* NULL: count only */
	void *arg;
	bool stopped;        /* fn said stop, or the walk cannot go on */
	uint64_t last;       /* one past the last pfn not missing */
	bool extent_unknown; /* a tree no max_pfn bounds */
	unsigned int fails_in_row; /* unreadable pages since the last entry */
	struct kdx_frame_set *seen;
	struct kdx_error *fatal; /* out of memory keeping frames */
};

/* A tree no max_pfn bounds ends where its pages stop being readable: in
 * a real one every unused entry points at Linux's shared "missing"
 * pages, which read (and are counted once); a run of unreadable pages
 * after the last entry is the end of the data, not more pfns. */
#define MAX_FAILS_IN_ROW 64u

static uint64_t all_ones(const struct p2m_reader *r)
{
	return r->word == 8 ? UINT64_MAX : UINT32_MAX;
}

static struct kdx_error *read_machine(const struct p2m_reader *r,
				      uint64_t maddr, void *buf)
{
	if (r->machine)
		return kdx_read_machine(r->dump, maddr, buf, PAGE, 0, NULL);
	return kdx_read_phys(r->dump, maddr, buf, PAGE, 0, NULL);
}

static uint64_t entry(const struct p2m_reader *r, const uint8_t *page,
		      uint64_t i)
{
	uint64_t v = 0;

	for (unsigned int b = r->word; b-- > 0;)
		v = v << 8 | page[i * r->word + b];
	return v;
}

/* The frame set's index of machine frame @mfn; false when the dump does
 * not hold its bytes (then no page of the p2m can be read there). */
static bool frame_index(const struct p2m_reader *r, uint64_t mfn,
			uint64_t *index)
{
	uint64_t paddr = mfn * PAGE;
	struct kdx_error *err;

	if (mfn >= (UINT64_MAX >> 12))
		return false;
	if (r->machine) {
		err = kdx_machine_to_phys(r->dump, paddr, &paddr);
		if (err) {
			kdx_error_destroy(err);
			return false;
		}
	}
	return kdx_frame_set_index(r->seen, paddr, index);
}

static void put_bits(struct p2m_reader *r, uint64_t index, unsigned int bits)
{
	struct kdx_error *err = kdx_frame_set_put(r->seen, index, bits);

	if (err) {
		kdx_error_destroy(r->fatal);
		r->fatal = err;
		r->stopped = true;
	}
}

static void mark(struct p2m_reader *r, uint64_t index, enum frame_state st)
{
	unsigned int v = kdx_frame_set_get(r->seen, index);

	put_bits(r, index, (v & ~STATE_MASK) | st);
}

/* How a page of the p2m met now is to be taken. */
enum visit {
	V_NEW,     /* read it (now marked WALKED) */
	V_SHARED,  /* one of Linux's shared pages of its role: all missing */
	V_REPEAT,  /* walked before: damage */
	V_UNHELD,  /* the dump does not hold it */
};

static enum visit visit(struct p2m_reader *r, uint64_t mfn,
			enum frame_state shared, uint64_t *index)
{
	unsigned int st;

	if (!frame_index(r, mfn, index))
		return V_UNHELD;
	st = kdx_frame_set_get(r->seen, *index) & STATE_MASK;
	if (st == UNSEEN) {
		mark(r, *index, WALKED);
		return V_NEW;
	}
	return st == shared ? V_SHARED : V_REPEAT;
}

static void compare(struct p2m_reader *r, uint64_t pfn, uint64_t mfn)
{
	struct kdx_xen_p2m_report *o = r->out;
	uint64_t m;
	struct kdx_error *err;

	if (!o->compared)
		return;
	err = kdx_phys_to_machine(r->dump, pfn * PAGE, &m);
	if (!err && m / PAGE == mfn) {
		o->agree++;
	} else if (!o->differ++) {
		o->first_differ = pfn;
		o->first_differ_mfn = mfn;
	}
	kdx_error_destroy(err);
}

/* A guest's own frame is one pfn's: many pfns on one frame is damage
 * (or Linux 3.12-3.18's balloon, which mapped ballooned-out pfns to a
 * per-CPU scratch frame: reported, not refused).  Only frames the dump
 * holds are checked: the set is sized by them. */
static void unique(struct p2m_reader *r, uint64_t pfn, uint64_t mfn,
		   uint64_t at)
{
	struct kdx_xen_p2m_report *o = r->out;
	uint64_t index;
	unsigned int v;

	if (!frame_index(r, mfn, &index))
		return;
	v = kdx_frame_set_get(r->seen, index);
	if (!(v & TAKEN)) {
		put_bits(r, index, v | TAKEN);
		return;
	}
	if (!o->duplicate++) {
		o->first_duplicate = pfn;
		o->first_duplicate_mfn = mfn;
		o->first_duplicate_at = at;
	}
}

/* Entry @e of @pfn, read at machine address @at. */
static void take(struct p2m_reader *r, uint64_t pfn, uint64_t e, uint64_t at)
{
	unsigned int bits = r->word * 8;
	uint64_t identity = 1ull << (bits - 2), foreign = 1ull << (bits - 1);
	enum kdx_xen_p2m_kind kind = KDX_XEN_P2M_FRAME;

	if (e == all_ones(r)) {
		r->out->missing++;
		return;
	}
	if (e & identity) {
		r->out->identity++;
		kind = KDX_XEN_P2M_IDENTITY;
	} else if (e & foreign) {
		r->out->foreign++;
		kind = KDX_XEN_P2M_FOREIGN;
	} else {
		r->out->frames++;
		compare(r, pfn, e);
		unique(r, pfn, e, at);
	}
	r->last = pfn + 1;
	r->fails_in_row = 0;
	if (r->fn && !r->stopped &&
	    !r->fn(r->arg, pfn, e & ~(identity | foreign), kind))
		r->stopped = true;
}

static bool all_missing(const struct p2m_reader *r, const uint8_t *page)
{
	for (uint64_t k = 0; k < r->per; k++)
		if (entry(r, page, k) != all_ones(r))
			return false;
	return true;
}

static void unreadable(struct p2m_reader *r, uint64_t pfn, uint64_t n)
{
	if (!r->out->unreadable)
		r->out->first_unreadable = pfn;
	r->out->unreadable += n;
	r->last = pfn + n;
	if (r->extent_unknown && ++r->fails_in_row >= MAX_FAILS_IN_ROW)
		r->stopped = true;
}

/* [pfn, pfn + n) are under page @mfn, walked before for other pfns; the
 * entry naming it (mid or top entry, PTE, PMD entry) is at @at. */
static void repeated(struct p2m_reader *r, uint64_t pfn, uint64_t n,
		     uint64_t mfn, uint64_t at)
{
	struct kdx_xen_p2m_report *o = r->out;

	if (!o->repeated) {
		o->first_repeated = pfn;
		o->first_repeated_mfn = mfn;
		o->first_repeated_at = at;
	}
	o->repeated += n;
	r->last = pfn + n;
}

/* Sorts a page met in the walk: true when its pfns are dealt with (as
 * missing, unreadable or repeated), false when it is new and to be read. */
static bool met(struct p2m_reader *r, uint64_t mfn, enum frame_state shared,
		uint64_t pfn, uint64_t n, uint64_t at, uint64_t *index)
{
	switch (visit(r, mfn, shared, index)) {
	case V_NEW:
		return false;
	case V_SHARED:
		r->out->missing += n;
		break;
	case V_REPEAT:
		repeated(r, pfn, n, mfn, at);
		break;
	case V_UNHELD:
		unreadable(r, pfn, n);
		break;
	}
	return true;
}

/* A leaf or list page just read, at frame @mfn, for [pfn, pfn + n). */
static void take_page(struct p2m_reader *r, const uint8_t *page, uint64_t mfn,
		      uint64_t index, uint64_t pfn, uint64_t n)
{
	if (all_missing(r, page)) {
		mark(r, index, SHARED_LEAF);
		r->out->missing += n;
		return;
	}
	for (uint64_t k = 0; k < n && !r->stopped; k++)
		take(r, pfn + k, entry(r, page, k), mfn * PAGE + k * r->word);
}

/* The page of the tree at @mfn, covering pfns [pfn, pfn + n) and named
 * by the entry at @at, into @page: false when there is nothing to walk
 * (no page: missing; met before; not in the dump: unreadable), each
 * counted. */
static bool fetch(struct p2m_reader *r, uint64_t mfn, enum frame_state shared,
		  uint64_t pfn, uint64_t n, uint64_t at, uint8_t *page,
		  uint64_t *index)
{
	struct kdx_error *err;

	if (mfn == all_ones(r)) {
		r->out->missing += n;
		return false;
	}
	if (met(r, mfn, shared, pfn, n, at, index))
		return false;
	err = read_machine(r, mfn * PAGE, page);
	if (err) {
		kdx_error_destroy(err);
		unreadable(r, pfn, n);
		return false;
	}
	return true;
}

/* The pfns of one leaf page of the tree, [pfn, pfn + n), named by the
 * mid entry at @at. */
static void leaf(struct p2m_reader *r, uint64_t mfn, uint64_t pfn, uint64_t n,
		 uint64_t at)
{
	uint8_t page[PAGE];
	uint64_t index;

	if (fetch(r, mfn, SHARED_LEAF, pfn, n, at, page, &index))
		take_page(r, page, mfn, index, pfn, n);
}

/* Whether every entry of a mid page names no leaf or a shared one. */
static bool mid_shared(const struct p2m_reader *r, const uint8_t *page)
{
	for (uint64_t k = 0; k < r->per; k++) {
		uint64_t m = entry(r, page, k), index;

		if (m == all_ones(r))
			continue;
		if (!frame_index(r, m, &index) ||
		    (kdx_frame_set_get(r->seen, index) & STATE_MASK) !=
			    SHARED_LEAF)
			return false;
	}
	return true;
}

/* The pfns of one mid page, [pfn, pfn + n), named by the top entry at
 * @at. */
static void mid(struct p2m_reader *r, uint64_t mfn, uint64_t pfn, uint64_t n,
		uint64_t at)
{
	uint8_t page[PAGE];
	uint64_t index, per = r->per;

	if (!fetch(r, mfn, SHARED_TABLE, pfn, n, at, page, &index))
		return;
	/* Bounded: a page's entries. */
	for (uint64_t k = 0; k * per < n && !r->stopped; k++)
		leaf(r, entry(r, page, k), pfn + k * per,
		     n - k * per < per ? n - k * per : per,
		     mfn * PAGE + k * r->word);
	if (!r->stopped && mid_shared(r, page))
		mark(r, index, SHARED_TABLE);
}

static struct kdx_error *read_tree(struct p2m_reader *r, uint64_t fll)
{
	uint8_t top[PAGE];
	uint64_t span = (uint64_t)r->per * r->per, covered = r->out->covered;
	uint64_t index, tree = span * r->per;
	struct kdx_error *err = read_machine(r, fll * PAGE, top);

	if (err)
		return kdx_err_wrap(err, "Linux p2m tree: frame list list at mfn 0x%llx",
				    (unsigned long long)fll);
	/* The top page is no leaf or mid page. */
	if (frame_index(r, fll, &index))
		mark(r, index, WALKED);
	/* Bounded: the top page's entries. */
	for (uint64_t t = 0; t < r->per && t * span < covered && !r->stopped;
	     t++)
		mid(r, entry(r, top, t), t * span,
		    covered - t * span < span ? covered - t * span : span,
		    fll * PAGE + t * r->word);
	/* Pfns past what three levels name (Linux's MAX_P2M_PFN): the tree
	 * does not describe them. */
	if (covered > tree && !r->stopped)
		unreadable(r, tree, covered - tree);
	return NULL;
}

/* x86_32 folds the frame's top bits into cr3's low ones. */
static uint64_t cr3_address(const struct p2m_reader *r, uint64_t cr3)
{
	uint32_t v = (uint32_t)cr3;

	if (r->word == 8)
		return cr3 & ~(uint64_t)(PAGE - 1);
	return (uint64_t)(uint32_t)((v >> 12) | (v << 20)) * PAGE;
}

/* The list, seen through the page tables that map it: a last-level
 * table maps one region of PT_ENTRIES pages. */
struct list_walk {
	struct kdx_xlat *xlat;
	uint64_t vaddr;   /* p2m_vaddr, page aligned */
	uint64_t end;     /* one past its last entry */
	unsigned int levels; /* the last-level table's step in a trace */
};

/* One page of the list at @va, mapped by the entry at machine address
 * @at. */
static void list_page(struct p2m_reader *r, const struct list_walk *w,
		      uint64_t va, uint64_t at)
{
	uint64_t pfn = (va - w->vaddr) / r->word, n = (w->end - va) / r->word;
	uint64_t index, mfn;
	struct kdx_xlat_result res;
	uint8_t page[PAGE];
	struct kdx_error *err = kdx_xlat_translate(w->xlat, va, &res);

	if (n > r->per)
		n = r->per;
	if (err) {
		kdx_error_destroy(err);
		unreadable(r, pfn, n);
		return;
	}
	mfn = res.paddr / PAGE;
	if (met(r, mfn, SHARED_LEAF, pfn, n, at, &index))
		return;
	err = read_machine(r, mfn * PAGE, page);
	if (err) {
		kdx_error_destroy(err);
		unreadable(r, pfn, n);
		return;
	}
	take_page(r, page, mfn, index, pfn, n);
}

/* Whether every page of the region from @base maps a shared leaf. */
static bool region_shared(const struct p2m_reader *r,
			  const struct list_walk *w, uint64_t base)
{
	for (uint64_t i = 0; i < PT_ENTRIES; i++) {
		struct kdx_xlat_result res;
		struct kdx_error *err =
			kdx_xlat_translate(w->xlat, base + i * PAGE, &res);
		uint64_t index;

		if (err) {
			kdx_error_destroy(err);
			return false;
		}
		if (!frame_index(r, res.paddr / PAGE, &index) ||
		    (kdx_frame_set_get(r->seen, index) & STATE_MASK) !=
			    SHARED_LEAF)
			return false;
	}
	return true;
}

/* The list's pages in [va, end) in a large page (no PV guest maps its
 * list so, but the walk need not care), named by the entry at @at, its
 * first frame @mfn: that frame met before, the large page is named
 * again (damage), and is not walked page by page. */
static void large_region(struct p2m_reader *r, const struct list_walk *w,
			 uint64_t va, uint64_t end, uint64_t mfn, uint64_t at)
{
	uint64_t pfn = (va - w->vaddr) / r->word, n = (end - va) / r->word;
	uint64_t index;

	if (!frame_index(r, mfn, &index)) {
		unreadable(r, pfn, n);
		return;
	}
	if (kdx_frame_set_get(r->seen, index) & STATE_MASK) {
		repeated(r, pfn, n, mfn, at);
		return;
	}
	/* Bounded: the region's pages. */
	for (uint64_t p = va; p < end && !r->stopped; p += PAGE)
		list_page(r, w, p, at);
}

/* The list's pages in [va, end), one region: its last-level table is
 * walked once; met again, it is one of Linux's shared tables (all
 * missing) or damage. */
static void list_region(struct p2m_reader *r, const struct list_walk *w,
			uint64_t va, uint64_t end)
{
	uint64_t pfn = (va - w->vaddr) / r->word, n = (end - va) / r->word;
	uint64_t table, index;
	struct kdx_xlat_trace t = { 0 };
	struct kdx_xlat_result res;
	struct kdx_error *err = kdx_xlat_trace(w->xlat, va, &res, &t);

	if (t.count < w->levels) {
		/* No last-level table: nothing mapped, or a large page */
		if (err)
			unreadable(r, pfn, n);
		else
			large_region(r, w, va, end, res.paddr / PAGE,
				     t.steps[t.count - 1].entry_addr);
		kdx_error_destroy(err);
		return;
	}
	kdx_error_destroy(err);
	table = t.steps[w->levels - 1].table;
	if (met(r, table / PAGE, SHARED_TABLE, pfn, n,
		t.steps[w->levels - 2].entry_addr, &index))
		return;
	/* Bounded: the region's pages. */
	for (uint64_t p = va; p < end && !r->stopped; p += PAGE)
		list_page(r, w, p, table + (p / PAGE % PT_ENTRIES) * 8);
	if (!r->stopped &&
	    region_shared(r, w, va & ~((uint64_t)PT_ENTRIES * PAGE - 1)))
		mark(r, index, SHARED_TABLE);
}

static struct kdx_error *read_list(struct p2m_reader *r, uint64_t cr3,
				   uint64_t vaddr)
{
	const uint64_t region = (uint64_t)PT_ENTRIES * PAGE;
	struct kdx_xlat_config cfg;
	struct list_walk w = { NULL, vaddr, 0, r->word == 8 ? 4 : 3 };
	struct kdx_error *err;

	/* Linux's list is a vmalloc area: page aligned, and no wrap. */
	if ((vaddr & (PAGE - 1)) ||
	    vaddr > UINT64_MAX - r->out->covered * r->word)
		return kdx_err(KDX_ERR_CORRUPT,
			       "Linux p2m list: p2m_vaddr 0x%llx is no page-aligned list of 0x%llx pfns",
			       (unsigned long long)vaddr,
			       (unsigned long long)r->out->covered);
	w.end = vaddr + r->out->covered * r->word;
	kdx_xlat_config_init(&cfg);
	cfg.mode = r->word == 8 ? KDX_PAGING_X86_64 : KDX_PAGING_X86_PAE;
	cfg.root = cr3_address(r, cr3);
	if (r->machine)
		cfg.flags |= KDX_XLAT_MACHINE;
	err = kdx_dump_xlat_create(r->dump, &cfg, &w.xlat);
	if (err)
		return kdx_err_wrap(err, "Linux p2m list: its page table at p2m_cr3 0x%llx",
				    (unsigned long long)cr3);
	/* Bounded: each pass takes one region (at most 2^31 bytes of list
	 * in all, 2 MiB each). */
	for (uint64_t va = vaddr; va < w.end && !r->stopped;) {
		uint64_t next = (va & ~(region - 1)) + region;

		if (next > w.end || next < va)
			next = w.end;
		list_region(r, &w, va, next);
		va = next;
	}
	kdx_xlat_destroy(w.xlat);
	return NULL;
}

static enum kdx_xen_p2m_shape choose(const struct p2m_reader *r,
				     enum kdx_xen_p2m_shape shape,
				     uint64_t cr3, uint64_t vaddr, uint64_t fll)
{
	bool list = cr3 && vaddr;
	bool tree = fll && fll != all_ones(r);

	if (shape == KDX_XEN_P2M_AUTO)
		return list ? KDX_XEN_P2M_LIST : tree ? KDX_XEN_P2M_TREE :
							KDX_XEN_P2M_AUTO;
	if ((shape == KDX_XEN_P2M_LIST && !list) ||
	    (shape == KDX_XEN_P2M_TREE && !tree))
		return KDX_XEN_P2M_AUTO;
	return shape;
}

/* Where the p2m is: from the domain found in machine memory, else from
 * the dump's own facts (xc_core's shared_info, or a Xen host's crash
 * notes naming dom0's tree, whose extent no note gives). */
struct p2m_where {
	uint64_t cr3, vaddr, fll, covered;
	bool covered_known;
};

static struct kdx_error *where_own(const struct kdx_dump *dump,
				   const struct p2m_reader *r,
				   struct p2m_where *w)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(dump);

	if (f->version >= 2 && (f->set & KDX_FACT_XEN_DOM0_P2M) &&
	    !(f->set & KDX_FACT_MAX_PFN)) {
		w->fll = f->xen_dom0_p2m_fll;
		w->covered = (uint64_t)r->per * r->per * r->per;
		if (w->covered > MAX_COVERED)
			w->covered = MAX_COVERED;
		return NULL;
	}
	if (!kdx_xen_pv_detect(dump))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "not a Xen PV guest's dump: no Linux p2m to read");
	if (!(f->set & KDX_FACT_MAX_PFN))
		return kdx_err(KDX_ERR_NOTFOUND,
			       "no shared_info in the dump: Linux's p2m cannot be found");
	w->covered = f->max_pfn;
	w->covered_known = true;
	kdx_xen_fact(dump, "xen_p2m_cr3", &w->cr3);
	kdx_xen_fact(dump, "xen_p2m_vaddr", &w->vaddr);
	kdx_xen_fact(dump, "xen_p2m_frame_list_list", &w->fll);
	return NULL;
}

struct kdx_error *kdx_xen_linux_p2m_walk(const struct kdx_dump *dump,
					 const struct kdx_xen_domain *domain,
					 enum kdx_xen_p2m_shape shape,
					 kdx_xen_p2m_fn fn, void *arg,
					 struct kdx_xen_p2m_report *out)
{
	struct kdx_xen_p2m_report rep = { 0 };
	struct p2m_reader r = { dump, 8, PAGE / 8, kdx_dump_has_machine(dump),
				&rep, fn, arg, false, 0, false, 0, NULL, NULL };
	struct p2m_where w = { 0 };
	struct kdx_error *err;

	if (domain ? domain->word == 4 : kdx_dump_arch(dump) == KDX_ARCH_I386) {
		r.word = 4;
		r.per = PAGE / 4;
	}
	if (domain) {
		r.machine = false; /* a host's dump: physical is machine */
		w = (struct p2m_where){ domain->p2m_cr3, domain->p2m_vaddr,
					domain->frame_list_list,
					domain->max_pfn, true };
	} else if ((err = where_own(dump, &r, &w))) {
		return err;
	}
	rep.covered = w.covered;
	r.extent_unknown = !w.covered_known;
	if (rep.covered > MAX_COVERED)
		return kdx_err(KDX_ERR_CORRUPT,
			       "shared_info max_pfn 0x%llx is beyond any guest (over 2^28 pfns)",
			       (unsigned long long)rep.covered);
	rep.shape = choose(&r, shape, w.cr3, w.vaddr, w.fll);
	rep.compared = r.machine;
	if (rep.shape == KDX_XEN_P2M_AUTO)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "shared_info publishes no %s (p2m_cr3 0x%llx, p2m_vaddr 0x%llx, frame list list 0x%llx)",
			       shape == KDX_XEN_P2M_TREE ? "p2m tree" :
			       shape == KDX_XEN_P2M_LIST ? "linear p2m list" :
							   "p2m",
			       (unsigned long long)w.cr3,
			       (unsigned long long)w.vaddr,
			       (unsigned long long)w.fll);
	rep.root = rep.shape == KDX_XEN_P2M_LIST ? w.vaddr : w.fll;
	err = kdx_frame_set_create(dump, &r.seen);
	if (err)
		return err;
	err = rep.shape == KDX_XEN_P2M_LIST ? read_list(&r, w.cr3, w.vaddr) :
					      read_tree(&r, w.fll);
	kdx_frame_set_destroy(r.seen);
	if (!err)
		err = r.fatal;
	else
		kdx_error_destroy(r.fatal);
	if (err)
		return err;
	/* A tree whose extent no header gives: what it describes ends at
	 * its last entry that is not missing. */
	if (!w.covered_known) {
		rep.covered = r.last;
		rep.missing = r.last - rep.frames - rep.identity - rep.foreign -
			      rep.unreadable - rep.repeated;
	}
	*out = rep;
	return NULL;
}

struct kdx_error *kdx_xen_linux_p2m(const struct kdx_dump *dump,
				    enum kdx_xen_p2m_shape shape,
				    struct kdx_xen_p2m_report *out)
{
	return kdx_xen_linux_p2m_walk(dump, NULL, shape, NULL, NULL, out);
}
