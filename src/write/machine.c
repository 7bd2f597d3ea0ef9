/* SPDX-License-Identifier: MIT */
#include "write/machine.h"

#include "core/util.h"
#include "format/common/p2m.h"
#include "lib/dump.h"
#include "os/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Words of crash_xen_info_t (Xen's xen/include/xen/elfcore.h), the
 * XEN_ELFNOTE_CRASH_INFO note's description. */
enum {
	CI_MAJOR = 0,
	CI_MINOR = 1,
	CI_PHYS_START = 8,
	CI_FLL = 9,
};

/* Add [start, start + size) of @kind, joined to the last range when it
 * continues it (ranges come in address order). */
static struct kdx_error *emit(struct kdx_machine_map *m, uint64_t start,
			      uint64_t size, enum kdx_range_kind kind)
{
	struct kdx_phys_range r = { start, size, kind };
	struct kdx_phys_range *last = m->nranges ? &m->ranges[m->nranges - 1] :
						   NULL;

	if (last && last->kind == kind && last->start + last->size == start) {
		last->size += size;
		return NULL;
	}
	if (!kdx_array_push((void **)&m->ranges, &m->nranges, &m->capacity, &r,
			    sizeof(r)))
		return kdx_err_nomem();
	return NULL;
}

/* The first of @n sorted ranges that ends after @addr. */
static size_t first_after(const struct kdx_phys_range *r, size_t n,
			  uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r[mid].start + r[mid].size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One m2p run: the input's ranges over its pfns, moved to its mfns. */
static struct kdx_error *place_run(struct kdx_machine_map *m,
				   const struct kdx_phys_range *in, size_t n,
				   const struct kdx_p2m_run *run)
{
	unsigned int s = m->page_shift;
	uint64_t a = run->to << s, b = (run->to + run->count) << s;
	struct kdx_error *err = NULL;

	for (size_t i = first_after(in, n, a); i < n && in[i].start < b && !err;
	     i++) {
		uint64_t from = in[i].start > a ? in[i].start : a;
		uint64_t to = kdx_min_u64(b, in[i].start + in[i].size);

		err = emit(m, (run->from << s) + (from - a), to - from,
			   in[i].kind);
		m->pages_placed += (to - from) >> s;
	}
	return err;
}

static uint64_t input_pages(const struct kdx_phys_range *in, size_t n,
			    unsigned int shift)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < n; i++)
		pages += in[i].size >> shift;
	return pages;
}

/* Xen's major and minor version from the reader's "xen_version" detail
 * ("4.17.7"); 0 when there is none. */
static void xen_version(const struct kdx_dump *dump, uint64_t *ci)
{
	size_t n;
	const struct kdx_detail *d = kdx_dump_details(dump, &n);
	unsigned long long major, minor;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(d[i].key, "xen_version") &&
		    sscanf(d[i].value, "%llu.%llu", &major, &minor) == 2) {
			ci[CI_MAJOR] = major;
			ci[CI_MINOR] = minor;
			return;
		}
}

static struct kdx_error *check_dump(const struct kdx_dump *dump,
				    uint64_t *fll)
{
	uint64_t machine = 0;

	if (!dump->p2m || !dump->p2m->frames)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "--machine places a Xen PV guest's pages at their machine addresses: this dump has no p2m");
	if (kdx_xen_fact(dump, "xen_phys_is_machine", &machine) && machine)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "--machine: this dump's physical addresses are machine ones already");
	if (!kdx_xen_fact(dump, "xen_p2m_frame_list_list", fll) || !*fll ||
	    *fll == ~0ull)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "--machine: the guest's p2m frame list list (arch_shared_info) is not in the dump; crash starts its p2m there");
	return NULL;
}

struct kdx_error *kdx_machine_map_create(const struct kdx_dump *dump,
					 struct kdx_machine_map **out)
{
	struct kdx_machine_map *m;
	const struct kdx_phys_range *in;
	size_t n;
	uint64_t fll;
	struct kdx_error *err = check_dump(dump, &fll);

	*out = NULL;
	if (err)
		return err;
	m = calloc(1, sizeof(*m));
	if (!m)
		return kdx_err_nomem();
	m->p2m = dump->p2m;
	m->page_shift = dump->p2m->page_shift;
	m->fll = fll;
	m->crash_info[CI_FLL] = fll;
	xen_version(dump, m->crash_info);
	in = kdx_dump_phys_ranges(dump, &n);
	for (size_t i = 0; i < m->p2m->mfn_runs && !err; i++)
		err = place_run(m, in, n, &m->p2m->by_mfn[i]);
	m->pages_unplaced = input_pages(in, n, m->page_shift) - m->pages_placed;
	if (!err && !m->nranges)
		err = kdx_err(KDX_ERR_NODATA,
			      "--machine: no page of the dump has a machine address in its p2m");
	if (err) {
		kdx_machine_map_destroy(m);
		return err;
	}
	*out = m;
	return NULL;
}

void kdx_machine_map_destroy(struct kdx_machine_map *m)
{
	if (!m)
		return;
	free(m->ranges);
	free(m);
}

bool kdx_machine_to_pseudo(const struct kdx_machine_map *m, uint64_t maddr,
			   uint64_t *paddr, uint64_t *span)
{
	unsigned int s = m->page_shift;
	uint64_t off = maddr & ((1ull << s) - 1), pfn, count;

	if (!kdx_p2m_pfn_span(m->p2m, maddr >> s, &pfn, &count))
		return false;
	*paddr = (pfn << s) + off;
	*span = (count << s) - off;
	return true;
}

bool kdx_machine_keeps_note(const struct kdx_note *n)
{
	/* xc_core's own notes describe its file; and a crash-info note
	 * of the input's would contradict the one written. */
	return strcmp(n->name, "Xen") != 0;
}
