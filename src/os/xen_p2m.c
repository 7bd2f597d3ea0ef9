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

#include "core/endian.h"
#include "core/error.h"

#include <string.h>

#define PAGE 4096u
/* 2^28 pfns: a 1 TiB guest.  Beyond, max_pfn is not a real guest's. */
#define MAX_COVERED (1ull << 28)

struct p2m_reader {
	const struct kdx_dump *dump;
	unsigned int word;   /* the guest's: 8 or 4 */
	unsigned int per;    /* entries per page */
	bool machine;        /* reads go through the dump's m2p */
	struct kdx_xen_p2m_report *out;
	kdx_xen_p2m_fn fn;   /* NULL: count only */
	void *arg;
	bool stopped;        /* fn said stop */
	uint64_t missing_leaf; /* a leaf page read all missing (~0: none) */
	uint64_t last;       /* one past the last pfn not missing */
	bool extent_unknown; /* a tree no max_pfn bounds */
	unsigned int fails_in_row; /* unreadable pages since the last entry */
	uint64_t frame_limit; /* more frames than the dump holds pages: corrupt */
	bool too_many;        /* the walk stopped at frame_limit */
};

/* Every valid entry names a distinct frame the dump holds, so no real
 * p2m has more of them than the dump has pages; a leaf page met again
 * and again (a fuzzed tree) would otherwise be taken up to 2^28 times. */
static uint64_t frame_limit(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t pages = 0;

	for (size_t i = 0; i < n; i++)
		pages += r[i].size / PAGE + 1;
	return pages;
}

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

/* A word load, not a loop over its bytes: it runs once per pfn (2^28
 * for a 1 TiB guest). */
static uint64_t entry(const struct p2m_reader *r, const uint8_t *page,
		      uint64_t i)
{
	const uint8_t *p = page + i * r->word;

	return r->word == 8 ? kdx_load_u64(p, KDX_LITTLE_ENDIAN) :
			      kdx_load_u32(p, KDX_LITTLE_ENDIAN);
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

static void take(struct p2m_reader *r, uint64_t pfn, uint64_t e)
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
		if (r->out->frames++ >= r->frame_limit) {
			r->too_many = true;
			r->stopped = true;
			return;
		}
		compare(r, pfn, e);
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

/* The pfns of one leaf page, [pfn, pfn + n). */
static void leaf(struct p2m_reader *r, uint64_t mfn, uint64_t pfn, uint64_t n,
		 uint8_t *buf, uint64_t *loaded)
{
	struct kdx_error *err = NULL;

	/* Linux points every hole at one page of missing entries (and, in
	 * the tree, every unused top entry at one page of those): counted
	 * without a pass over its entries. */
	if (mfn == all_ones(r) || mfn == r->missing_leaf) {
		r->out->missing += n;
		return;
	}
	/* Holes share one "missing" page: read it once. */
	if (mfn != *loaded) {
		*loaded = all_ones(r);
		err = read_machine(r, mfn * PAGE, buf);
		if (!err)
			*loaded = mfn;
	}
	if (err) {
		kdx_error_destroy(err);
		unreadable(r, pfn, n);
		return;
	}
	if (all_missing(r, buf)) {
		r->missing_leaf = mfn;
		r->out->missing += n;
		return;
	}
	for (uint64_t k = 0; k < n && !r->stopped; k++)
		take(r, pfn + k, entry(r, buf, k));
}

static struct kdx_error *read_tree(struct p2m_reader *r, uint64_t fll)
{
	uint8_t top[PAGE], mid[PAGE], page[PAGE];
	uint64_t per = r->per, covered = r->out->covered;
	uint64_t mid_loaded = all_ones(r), leaf_loaded = all_ones(r);
	struct kdx_error *err = read_machine(r, fll * PAGE, top);

	if (err)
		return kdx_err_wrap(err, "Linux p2m tree: frame list list at mfn 0x%llx",
				    (unsigned long long)fll);
	/* Bounded: each pass takes one leaf page's pfns, or a missing top
	 * entry's whole span. */
	for (uint64_t pfn = 0, n; pfn < covered && !r->stopped; pfn += n) {
		uint64_t ti = pfn / (per * per), mi = (pfn / per) % per;
		uint64_t mid_mfn = entry(r, top, ti);

		n = covered - pfn < per ? covered - pfn : per;
		if (mid_mfn == all_ones(r)) {
			/* One step, not per leaf: dom0's tree from the crash
			 * notes covers 2^27 pfns, mostly missing. */
			uint64_t end = (ti + 1) * per * per;

			n = (end < covered ? end : covered) - pfn;
			r->out->missing += n;
			continue;
		}
		if (mid_mfn != mid_loaded) {
			err = read_machine(r, mid_mfn * PAGE, mid);
			mid_loaded = err ? all_ones(r) : mid_mfn;
			kdx_error_destroy(err);
			if (err) {
				unreadable(r, pfn, n);
				continue;
			}
		}
		leaf(r, entry(r, mid, mi), pfn, n, page, &leaf_loaded);
	}
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

static struct kdx_error *read_list(struct p2m_reader *r, uint64_t cr3,
				   uint64_t vaddr)
{
	struct kdx_xlat_config cfg;
	struct kdx_xlat *xlat;
	uint8_t buf[PAGE];
	struct kdx_error *err;

	kdx_xlat_config_init(&cfg);
	cfg.mode = r->word == 8 ? KDX_PAGING_X86_64 : KDX_PAGING_X86_PAE;
	cfg.root = cr3_address(r, cr3);
	if (r->machine)
		cfg.flags |= KDX_XLAT_MACHINE;
	err = kdx_dump_xlat_create(r->dump, &cfg, &xlat);
	if (err)
		return kdx_err_wrap(err, "Linux p2m list: its page table at p2m_cr3 0x%llx",
				    (unsigned long long)cr3);
	/* Bounded: each pass takes one page of entries. */
	for (uint64_t pfn = 0; pfn < r->out->covered && !r->stopped;
	     pfn += r->per) {
		uint64_t n = r->out->covered - pfn;

		if (n > r->per)
			n = r->per;
		err = kdx_read_virt(r->dump, xlat, vaddr + pfn * r->word, buf,
				    (size_t)(n * r->word), 0, NULL);
		if (err) {
			kdx_error_destroy(err);
			unreadable(r, pfn, n);
			continue;
		}
		for (uint64_t k = 0; k < n && !r->stopped; k++)
			take(r, pfn + k, entry(r, buf, k));
	}
	kdx_xlat_destroy(xlat);
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
				&rep, fn, arg, false, UINT64_MAX, 0, false, 0,
				frame_limit(dump), false };
	struct p2m_where w = { 0 };
	struct kdx_error *err;

	if (domain ? domain->word == 4 : kdx_dump_arch(dump) == KDX_ARCH_I386) {
		r.word = 4;
		r.per = PAGE / 4;
	}
	r.missing_leaf = all_ones(&r);
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
	err = rep.shape == KDX_XEN_P2M_LIST ? read_list(&r, w.cr3, w.vaddr) :
					      read_tree(&r, w.fll);
	if (err)
		return err;
	if (r.too_many)
		return kdx_err(KDX_ERR_CORRUPT,
			       "Linux p2m %s at 0x%llx: more valid entries than the dump's %llu pages (by pfn 0x%llx): not a p2m",
			       rep.shape == KDX_XEN_P2M_LIST ? "list" : "tree",
			       (unsigned long long)rep.root,
			       (unsigned long long)r.frame_limit,
			       (unsigned long long)r.last);
	/* A tree whose extent no header gives: what it describes ends at
	 * its last entry that is not missing. */
	if (!w.covered_known) {
		rep.covered = r.last;
		rep.missing = r.last - rep.frames - rep.identity - rep.foreign -
			      rep.unreadable;
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
