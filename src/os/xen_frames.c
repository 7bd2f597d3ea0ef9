/* SPDX-License-Identifier: MIT */
/* A frame's index is its rank among the frames of the dump's DATA ranges
 * (ranges sorted, so a binary search finds it); two ranges sharing a
 * frame (seed 004: ranges need not be page aligned) give it two ranks,
 * of which the search always finds the same one.  4 bits per frame,
 * 8192 frames (32 MiB of memory) per 4 KiB chunk. */
#include "os/xen_frames.h"

#include "core/error.h"

#include <stdlib.h>

#define PAGE 4096u
#define CHUNK_FRAMES 8192u
/* 2^36 frames (256 TiB held as data): 64 MiB of chunk pointers.  Frames
 * beyond are not tracked (said not held). */
#define MAX_FRAMES (1ull << 36)

struct span {
	uint64_t first, count, rank; /* frames [first, first + count) */
};

struct kdx_frame_set {
	struct span *spans;
	size_t nspans;
	uint64_t frames;
	uint8_t **chunks;
};

static size_t count_spans(const struct kdx_phys_range *r, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += r[i].kind == KDX_RANGE_DATA;
	return k;
}

static void fill_spans(struct kdx_frame_set *s,
		       const struct kdx_phys_range *r, size_t n)
{
	for (size_t i = 0; i < n && s->frames < MAX_FRAMES; i++) {
		struct span *p = &s->spans[s->nspans];
		uint64_t last = (r[i].start + (r[i].size - 1)) / PAGE;

		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		p->first = r[i].start / PAGE;
		p->count = last - p->first + 1;
		if (p->count > MAX_FRAMES - s->frames)
			p->count = MAX_FRAMES - s->frames;
		p->rank = s->frames;
		s->frames += p->count;
		s->nspans++;
	}
}

struct kdx_error *kdx_frame_set_create(const struct kdx_dump *dump,
				       struct kdx_frame_set **out)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	struct kdx_frame_set *s = calloc(1, sizeof(*s));
	size_t k = count_spans(r, n);

	if (!s || !(s->spans = calloc(k ? k : 1, sizeof(*s->spans)))) {
		free(s);
		return kdx_err_nomem();
	}
	fill_spans(s, r, n);
	s->chunks = calloc(s->frames / CHUNK_FRAMES + 1, sizeof(*s->chunks));
	if (!s->chunks) {
		kdx_frame_set_destroy(s);
		return kdx_err_nomem();
	}
	*out = s;
	return NULL;
}

void kdx_frame_set_destroy(struct kdx_frame_set *s)
{
	if (!s)
		return;
	if (s->chunks)
		for (uint64_t i = 0; i <= s->frames / CHUNK_FRAMES; i++)
			free(s->chunks[i]);
	free(s->chunks);
	free(s->spans);
	free(s);
}

bool kdx_frame_set_index(const struct kdx_frame_set *s, uint64_t paddr,
			 uint64_t *index)
{
	uint64_t f = paddr / PAGE;
	size_t lo = 0, hi = s->nspans;

	/* The last span starting at or below f. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->spans[mid].first <= f)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || f - s->spans[lo - 1].first >= s->spans[lo - 1].count)
		return false;
	*index = s->spans[lo - 1].rank + (f - s->spans[lo - 1].first);
	return true;
}

unsigned int kdx_frame_set_get(const struct kdx_frame_set *s, uint64_t index)
{
	const uint8_t *c = s->chunks[index / CHUNK_FRAMES];
	uint64_t i = index % CHUNK_FRAMES;

	return c ? (c[i / 2] >> (i % 2 * 4)) & 0xfu : 0;
}

struct kdx_error *kdx_frame_set_put(struct kdx_frame_set *s, uint64_t index,
				    unsigned int bits)
{
	uint8_t **c = &s->chunks[index / CHUNK_FRAMES];
	uint64_t i = index % CHUNK_FRAMES;
	unsigned int shift = i % 2 * 4;

	if (!*c && !(*c = calloc(CHUNK_FRAMES / 2, 1)))
		return kdx_err_nomem();
	(*c)[i / 2] = (uint8_t)(((*c)[i / 2] & ~(0xfu << shift)) |
				(bits & 0xfu) << shift);
	return NULL;
}
