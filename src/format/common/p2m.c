/* SPDX-License-Identifier: MIT */
/* The pfn <-> mfn map of a Xen guest: sorted runs, binary search. */
#include "format/common/p2m.h"

#include <stdlib.h>
#include <string.h>

/* By pfn, then mfn: qsort is not stable, so a pfn given twice keeps its
 * lowest mfn, whatever order the reader found the pairs in. */
static int by_pfn(const void *a, const void *b)
{
	const struct kdx_p2m_pair *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	if (x->mfn != y->mfn)
		return x->mfn < y->mfn ? -1 : 1;
	return 0;
}

/* By mfn, then pfn: the lowest pfn of a shared mfn comes first. */
static int by_mfn(const void *a, const void *b)
{
	const struct kdx_p2m_pair *x = a, *y = b;

	if (x->mfn != y->mfn)
		return x->mfn < y->mfn ? -1 : 1;
	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return 0;
}

static bool sorted_by_pfn(const struct kdx_p2m_pair *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (by_pfn(&p[i - 1], &p[i]) > 0)
			return false;
	return true;
}

/* Keep the first pair of each pfn (sorted: its lowest mfn). */
static size_t drop_dup_pfns(struct kdx_p2m_pair *p, size_t n,
			    struct kdx_p2m_report *rep)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (out && p[out - 1].pfn == p[i].pfn) {
			if (!rep->dup_pfns++) {
				rep->dup_pfn = p[i].pfn;
				rep->dup_pfn_mfn[0] = p[out - 1].mfn;
				rep->dup_pfn_mfn[1] = p[i].mfn;
			}
			continue;
		}
		p[out++] = p[i];
	}
	return out;
}

/* Runs of @p (sorted by the key @key_pfn says) into a new array. */
static struct kdx_error *make_runs(const struct kdx_p2m_pair *p, size_t n,
				   bool key_pfn, struct kdx_p2m_run **runs,
				   size_t *count)
{
	struct kdx_p2m_run *r = n ? malloc(n * sizeof(*r)) : NULL;
	size_t m = 0;

	if (n && !r)
		return kdx_err_nomem();
	for (size_t i = 0; i < n; i++) {
		uint64_t from = key_pfn ? p[i].pfn : p[i].mfn;
		uint64_t to = key_pfn ? p[i].mfn : p[i].pfn;

		if (m && r[m - 1].from + r[m - 1].count == from &&
		    r[m - 1].to + r[m - 1].count == to) {
			r[m - 1].count++;
			continue;
		}
		r[m++] = (struct kdx_p2m_run){ from, to, 1 };
	}
	if (m && m < n) {
		struct kdx_p2m_run *shrunk = realloc(r, m * sizeof(*r));

		if (shrunk)
			r = shrunk;
	}
	*runs = r;
	*count = m;
	return NULL;
}

static int run_by_to(const void *a, const void *b)
{
	const struct kdx_p2m_run *x = a, *y = b;

	return x->to < y->to ? -1 : x->to > y->to;
}

/* Sort pairs that are sorted by pfn by mfn.  They are runs of
 * consecutive pfns on consecutive mfns (a guest's memory comes in large
 * extents: 64 runs for a 128 MiB PV domU): ordered by mfn and laid out
 * again, the runs give qsort's order when no two overlap, in O(runs log
 * runs + n) instead of n log n comparisons (most of an xc_core's open).
 * Otherwise (shared mfns) qsort orders the pairs. */
static void sort_by_mfn(struct kdx_p2m_pair *p, size_t n,
			const struct kdx_p2m_run *runs, size_t nruns)
{
	struct kdx_p2m_run *r = nruns ? malloc(nruns * sizeof(*r)) : NULL;
	bool ordered = r != NULL;
	size_t k = 0;

	if (r) {
		memcpy(r, runs, nruns * sizeof(*r));
		qsort(r, nruns, sizeof(*r), run_by_to);
		for (size_t i = 0; i < nruns; i++)
			for (uint64_t c = 0; c < r[i].count && k < n; c++)
				p[k++] = (struct kdx_p2m_pair){ r[i].from + c,
								r[i].to + c };
		for (size_t i = 1; i < n && ordered; i++)
			ordered = p[i].mfn > p[i - 1].mfn;
		free(r);
	}
	if (!ordered && n)
		qsort(p, n, sizeof(*p), by_mfn);
}

/* Sort by mfn and note mfns under several pfns; every pair stays (the
 * lowest pfn of a shared mfn is found first by the search). */
static void note_shared_mfns(struct kdx_p2m_pair *p, size_t n,
			     const struct kdx_p2m_run *runs, size_t nruns,
			     struct kdx_p2m_report *rep)
{
	sort_by_mfn(p, n, runs, nruns);
	for (size_t i = 1; i < n; i++) {
		if (p[i].mfn != p[i - 1].mfn)
			continue;
		if (!rep->shared_mfns++) {
			rep->shared_mfn = p[i].mfn;
			rep->shared_mfn_pfn[0] = p[i - 1].pfn;
			rep->shared_mfn_pfn[1] = p[i].pfn;
		}
	}
}

/* Drop all but the first (lowest pfn) pair of each mfn: runs must not
 * overlap for the search. */
static size_t drop_shared(struct kdx_p2m_pair *p, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++)
		if (!out || p[out - 1].mfn != p[i].mfn)
			p[out++] = p[i];
	return out;
}

struct kdx_error *kdx_p2m_build(struct kdx_p2m *map,
				struct kdx_p2m_pair *pairs, size_t count,
				unsigned int page_shift, const char *source,
				struct kdx_p2m_report *report)
{
	struct kdx_error *err;
	size_t n;

	memset(map, 0, sizeof(*map));
	memset(report, 0, sizeof(*report));
	map->page_shift = page_shift;
	map->source = source;
	/* qsort's array may not be NULL, even empty; an xc_core's pairs
	 * come sorted, which one pass sees */
	if (count && !sorted_by_pfn(pairs, count))
		qsort(pairs, count, sizeof(*pairs), by_pfn);
	n = drop_dup_pfns(pairs, count, report);
	map->frames = n;
	for (size_t i = 0; i < n; i++) {
		if (pairs[i].pfn > map->max_pfn)
			map->max_pfn = pairs[i].pfn;
		if (pairs[i].mfn > map->max_mfn)
			map->max_mfn = pairs[i].mfn;
	}
	err = make_runs(pairs, n, true, &map->by_pfn, &map->pfn_runs);
	if (err)
		return err;
	note_shared_mfns(pairs, n, map->by_pfn, map->pfn_runs, report);
	n = drop_shared(pairs, n);
	err = make_runs(pairs, n, false, &map->by_mfn, &map->mfn_runs);
	if (err)
		kdx_p2m_deinit(map);
	return err;
}

void kdx_p2m_deinit(struct kdx_p2m *map)
{
	free(map->by_pfn);
	free(map->by_mfn);
	memset(map, 0, sizeof(*map));
}

/* The run containing @key, by binary search; *left: how many keys from
 * @key on the run still covers. */
static bool find_span(const struct kdx_p2m_run *r, size_t n, uint64_t key,
		      uint64_t *value, uint64_t *left)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key < r[mid].from)
			hi = mid;
		else if (key - r[mid].from >= r[mid].count)
			lo = mid + 1;
		else {
			*value = r[mid].to + (key - r[mid].from);
			*left = r[mid].count - (key - r[mid].from);
			return true;
		}
	}
	return false;
}

static bool find(const struct kdx_p2m_run *r, size_t n, uint64_t key,
		 uint64_t *value)
{
	uint64_t left;

	return find_span(r, n, key, value, &left);
}

bool kdx_p2m_mfn(const struct kdx_p2m *map, uint64_t pfn, uint64_t *mfn)
{
	return find(map->by_pfn, map->pfn_runs, pfn, mfn);
}

bool kdx_p2m_pfn(const struct kdx_p2m *map, uint64_t mfn, uint64_t *pfn)
{
	return find(map->by_mfn, map->mfn_runs, mfn, pfn);
}

bool kdx_p2m_pfn_span(const struct kdx_p2m *map, uint64_t mfn, uint64_t *pfn,
		      uint64_t *count)
{
	return find_span(map->by_mfn, map->mfn_runs, mfn, pfn, count);
}
