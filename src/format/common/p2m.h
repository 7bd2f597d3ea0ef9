/* SPDX-License-Identifier: MIT */
/* A Xen guest's frame map: pfn -> mfn (the p2m) and mfn -> pfn (the m2p),
 * built once from {pfn, mfn} pairs a reader found in the dump (xc_core's
 * .xen_p2m section, read by file offset), never through a translated
 * read (seed 000).
 *
 * Both directions are arrays of runs (consecutive pfns on consecutive
 * mfns), sorted, so a lookup is a binary search over runs: a guest whose
 * memory came in 2 MiB extents has few.  Pairs that contradict each other
 * (one pfn on two mfns, one mfn under two pfns) are counted and the first
 * of each kind reported, for the reader to warn about; the lookup then
 * keeps the lowest pfn for an mfn and the lowest mfn for a pfn. */
#ifndef KDX_FORMAT_P2M_H
#define KDX_FORMAT_P2M_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_p2m_pair {
	uint64_t pfn, mfn;
};

/* [from, from + count) maps to [to, to + count). */
struct kdx_p2m_run {
	uint64_t from, to, count;
};

/* What building met that a reader should warn about. */
struct kdx_p2m_report {
	uint64_t dup_pfns;       /* pairs dropped: their pfn came earlier */
	uint64_t dup_pfn, dup_pfn_mfn[2];
	uint64_t shared_mfns;    /* mfns under more than one pfn */
	uint64_t shared_mfn, shared_mfn_pfn[2];
};

struct kdx_p2m {
	struct kdx_p2m_run *by_pfn; /* sorted by pfn: the p2m */
	size_t pfn_runs;
	struct kdx_p2m_run *by_mfn; /* sorted by mfn: the m2p */
	size_t mfn_runs;
	uint64_t frames; /* distinct pfns */
	uint64_t max_pfn, max_mfn;
	unsigned int page_shift;
	const char *source; /* static text: where the pairs came from */
};

/* Build @map from @pairs (reordered in place).  @count may be 0. */
struct kdx_error *kdx_p2m_build(struct kdx_p2m *map,
				struct kdx_p2m_pair *pairs, size_t count,
				unsigned int page_shift, const char *source,
				struct kdx_p2m_report *report);

void kdx_p2m_deinit(struct kdx_p2m *map);

/* pfn -> mfn; false when the p2m has no entry for @pfn. */
bool kdx_p2m_mfn(const struct kdx_p2m *map, uint64_t pfn, uint64_t *mfn);

/* mfn -> pfn; false when no pfn maps @mfn. */
bool kdx_p2m_pfn(const struct kdx_p2m *map, uint64_t mfn, uint64_t *pfn);

/* As kdx_p2m_pfn(), and *count: how many mfns from @mfn on map to
 * consecutive pfns from *pfn on within its run (at least 1; the next run
 * may continue them). */
bool kdx_p2m_pfn_span(const struct kdx_p2m *map, uint64_t mfn, uint64_t *pfn,
		      uint64_t *count);

#endif
