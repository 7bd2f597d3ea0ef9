/* SPDX-License-Identifier: MIT */
#include "format/common/physmap.h"

#include "core/error.h"
#include "core/util.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

struct kdx_error *kdx_physmap_add(struct kdx_physmap_builder *builder,
				  uint64_t start, uint64_t size,
				  enum kdx_piece_kind kind,
				  uint64_t file_offset)
{
	struct kdx_physmap_entry piece = {
		.start = start,
		.size = size,
		.file_offset = file_offset,
		.kind = kind,
	};
	uint64_t end;

	if (size == 0)
		return NULL;
	if (kdx_add_overflows(start, size, &end))
		return kdx_err_set_address(
			kdx_err(KDX_ERR_CORRUPT,
				"physical range 0x%llx + 0x%llx wraps past the end of the address space",
				(unsigned long long)start,
				(unsigned long long)size),
			start);
	if (!kdx_array_push((void **)&builder->pieces, &builder->count,
			    &builder->capacity, &piece, sizeof(piece)))
		return kdx_err_nomem();
	return NULL;
}

/* Exclusive end; kdx_physmap_add() made sure it does not overflow. */
static uint64_t piece_end(const struct kdx_physmap_entry *e)
{
	return e->start + e->size;
}

static int compare_pieces(const void *a, const void *b)
{
	const struct kdx_physmap_entry *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Equal starts: keep the order they were added in (file order). */
	return x < y ? -1 : (x > y);
}

static int compare_starts(const void *a, const void *b)
{
	const struct kdx_physmap_entry *x = a, *y = b;

	return x->start < y->start ? -1 : (x->start > y->start);
}

/* Dumps list their memory in order nearly always: a linear check spares
 * sorting a million pieces that already are. */
static bool in_order(const void *base, size_t n, size_t size,
		     int (*cmp)(const void *, const void *))
{
	const char *p = base;

	for (size_t i = 1; i < n; i++)
		if (cmp(p + (i - 1) * size, p + i * size) > 0)
			return false;
	return true;
}

static void sort_unless_sorted(void *base, size_t n, size_t size,
			       int (*cmp)(const void *, const void *))
{
	if (n > 1 && !in_order(base, n, size, cmp))
		qsort(base, n, size, cmp);
}

/* The part of @e from @from on, its offsets moved along. */
static struct kdx_physmap_entry tail_of(const struct kdx_physmap_entry *e,
					uint64_t from);

/* Give back the room the entries do not use (a reserve for every
 * program header, of which some were notes or overlapped). */
static void shrink(struct kdx_physmap *map, size_t capacity)
{
	struct kdx_physmap_entry *smaller;

	if (!map->count || map->count == capacity)
		return;
	smaller = realloc(map->entries, map->count * sizeof(*smaller));
	if (smaller)
		map->entries = smaller;
}

static bool emit(struct kdx_physmap *map, size_t *capacity,
		 const struct kdx_physmap_entry *piece, uint64_t from,
		 uint64_t to)
{
	struct kdx_physmap_entry e = *piece;

	if (to <= from)
		return true;
	if (piece->kind == KDX_PIECE_FORMAT)
		e.piece_offset += from - piece->start;
	else
		e.file_offset += from - piece->start;
	e.start = from;
	e.size = to - from;
	return kdx_array_push((void **)&map->entries, &map->count, capacity,
			      &e, sizeof(e));
}

/* Emit the parts of @piece not yet covered by this kind's earlier pieces
 * (everything below *covered) nor by the better kinds' entries
 * [0, nfile), which are sorted. */
static bool emit_uncovered(struct kdx_physmap *map, size_t *capacity,
			   size_t nfile, size_t *next_file,
			   const struct kdx_physmap_entry *piece,
			   uint64_t *covered)
{
	uint64_t from = piece->start > *covered ? piece->start : *covered;
	uint64_t end = piece_end(piece);
	size_t j = *next_file;

	if (end > *covered) {
		map->overlap_bytes += from - piece->start;
		*covered = end;
	} else {
		map->overlap_bytes += piece->size;
		return true;
	}
	while (j < nfile && piece_end(&map->entries[j]) <= from)
		j++;
	*next_file = j;
	for (; j < nfile && map->entries[j].start < end && from < end; j++) {
		uint64_t fstart = map->entries[j].start;
		uint64_t fend = piece_end(&map->entries[j]);

		if (fstart > from && !emit(map, capacity, piece, from, fstart))
			return false;
		if (fend > from) {
			map->overlap_bytes += kdx_min_u64(fend, end) -
					      (fstart > from ? fstart : from);
			from = fend;
		}
	}
	return emit(map, capacity, piece, from, end);
}

void kdx_physmap_reserve(struct kdx_physmap_builder *builder, uint64_t count)
{
	struct kdx_physmap_entry *grown;

	if (count <= builder->capacity ||
	    count > SIZE_MAX / sizeof(*grown))
		return;
	grown = realloc(builder->pieces, (size_t)count * sizeof(*grown));
	if (!grown)
		return;
	builder->pieces = grown;
	builder->capacity = (size_t)count;
}

/* The pieces of the first kind (sorted first) become the map's first
 * entries in place: nothing better covers them, so each gives at most
 * one entry, at an index no higher than its own, and a million pieces
 * need no second array.  Returns how many pieces that took. */
static size_t first_kind_in_place(struct kdx_physmap_builder *builder,
				  struct kdx_physmap *map)
{
	struct kdx_physmap_entry *e = builder->pieces;
	uint64_t covered = 0;
	size_t i, k = 0;

	for (i = 0; i < builder->count && e[i].kind == e[0].kind; i++) {
		struct kdx_physmap_entry piece = e[i];
		uint64_t from = piece.start > covered ? piece.start : covered;

		if (piece_end(&piece) <= covered) {
			map->overlap_bytes += piece.size;
			continue;
		}
		map->overlap_bytes += from - piece.start;
		covered = piece_end(&piece);
		e[k++] = tail_of(&piece, from);
	}
	map->entries = e;
	map->count = k;
	return i;
}

struct kdx_error *kdx_physmap_build(struct kdx_physmap_builder *builder,
				    struct kdx_physmap *map)
{
	size_t capacity = builder->capacity, nbetter = 0, next = 0, rest;
	size_t nlater;
	struct kdx_physmap_entry *later = NULL;
	uint64_t covered = 0;
	enum kdx_piece_kind kind = KDX_PIECE_FILE;
	bool ok = true;

	memset(map, 0, sizeof(*map));
	sort_unless_sorted(builder->pieces, builder->count,
			   sizeof(*builder->pieces), compare_pieces);
	rest = first_kind_in_place(builder, map);
	nlater = builder->count - rest;
	if (nlater) {
		/* The other kinds' pieces leave the array the entries grow
		 * in. */
		later = malloc(nlater * sizeof(*later));
		ok = later != NULL;
		if (ok) {
			memcpy(later, builder->pieces + rest,
			       nlater * sizeof(*later));
			kind = builder->pieces[0].kind;
		}
	}
	builder->pieces = NULL; /* now map->entries */
	for (size_t i = 0; i < nlater && ok; i++) {
		const struct kdx_physmap_entry *piece = &later[i];

		if (piece->kind != kind) {
			/* A lower-priority kind only fills the gaps the
			 * entries so far (kept sorted) leave. */
			sort_unless_sorted(map->entries, map->count,
					   sizeof(*map->entries),
					   compare_starts);
			nbetter = map->count;
			next = 0;
			covered = 0;
			kind = piece->kind;
		}
		ok = emit_uncovered(map, &capacity, nbetter, &next, piece,
				    &covered);
	}
	free(later);
	sort_unless_sorted(map->entries, map->count, sizeof(*map->entries),
			   compare_starts);
	kdx_physmap_builder_deinit(builder);
	if (!ok) {
		kdx_physmap_deinit(map);
		return kdx_err_nomem();
	}
	shrink(map, capacity);
	return NULL;
}

void kdx_physmap_builder_deinit(struct kdx_physmap_builder *builder)
{
	free(builder->pieces);
	memset(builder, 0, sizeof(*builder));
}

void kdx_physmap_deinit(struct kdx_physmap *map)
{
	free(map->entries);
	memset(map, 0, sizeof(*map));
}

static enum kdx_range_kind range_kind(enum kdx_piece_kind kind)
{
	switch (kind) {
	case KDX_PIECE_ZERO: return KDX_RANGE_ZERO;
	case KDX_PIECE_EXCLUDED: return KDX_RANGE_EXCLUDED;
	default: return KDX_RANGE_DATA;
	}
}

/* The part of @e from @from on, its offsets moved along. */
static struct kdx_physmap_entry tail_of(const struct kdx_physmap_entry *e,
					uint64_t from)
{
	struct kdx_physmap_entry t = *e;

	if (e->kind == KDX_PIECE_FORMAT)
		t.piece_offset += from - e->start;
	else
		t.file_offset += from - e->start;
	t.start = from;
	t.size = piece_end(e) - from;
	return t;
}

struct kdx_error *kdx_physmap_remove(struct kdx_physmap *map, uint64_t start,
				     uint64_t end)
{
	struct kdx_physmap_entry *out = NULL, e;
	size_t n = 0, capacity = 0;
	bool ok = true;

	for (size_t i = 0; i < map->count && ok; i++) {
		const struct kdx_physmap_entry *in = &map->entries[i];

		if (piece_end(in) <= start || in->start >= end) {
			ok = kdx_array_push((void **)&out, &n, &capacity, in,
					    sizeof(*in));
			continue;
		}
		if (in->start < start) {
			e = *in;
			e.size = start - in->start;
			ok = kdx_array_push((void **)&out, &n, &capacity, &e,
					    sizeof(e));
		}
		if (ok && piece_end(in) > end) {
			e = tail_of(in, end);
			ok = kdx_array_push((void **)&out, &n, &capacity, &e,
					    sizeof(e));
		}
	}
	if (!ok) {
		free(out);
		return kdx_err_nomem();
	}
	free(map->entries);
	map->entries = out;
	map->count = n;
	return NULL;
}

struct kdx_error *kdx_physmap_ranges(const struct kdx_physmap *map,
				     struct kdx_phys_range **ranges,
				     size_t *count)
{
	struct kdx_phys_range *out = NULL;
	size_t n = 0, capacity = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct kdx_physmap_entry *e = &map->entries[i];
		enum kdx_range_kind kind = range_kind(e->kind);
		struct kdx_phys_range r = { e->start, e->size, kind };

		if (n && out[n - 1].kind == kind &&
		    out[n - 1].start + out[n - 1].size == e->start) {
			out[n - 1].size += e->size;
			continue;
		}
		if (!kdx_array_push((void **)&out, &n, &capacity, &r,
				    sizeof(r))) {
			free(out);
			return kdx_err_nomem();
		}
	}
	*ranges = out;
	*count = n;
	return NULL;
}

size_t kdx_physmap_find(const struct kdx_physmap *map, uint64_t addr)
{
	size_t lo = 0, hi = map->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (piece_end(&map->entries[mid]) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct kdx_error *hole_error(const struct kdx_physmap *map, size_t i,
				    uint64_t addr)
{
	if (i < map->count)
		return kdx_err_set_nodata_end(
			kdx_err_set_address(
				kdx_err(KDX_ERR_NODATA,
					"physical address 0x%llx is not in the dump (hole up to 0x%llx)",
					(unsigned long long)addr,
					(unsigned long long)map->entries[i].start),
				addr),
			map->entries[i].start);
	return kdx_err_set_nodata_end(
		kdx_err_set_address(
			kdx_err(KDX_ERR_NODATA,
				"physical address 0x%llx is not in the dump (beyond the last dumped byte)",
				(unsigned long long)addr),
			addr),
		UINT64_MAX);
}

/* Account for @n bytes at @addr that read as zeros. */
static void count_zeros(uint64_t *bytes, uint64_t *first, uint64_t addr,
			uint64_t n)
{
	if (!*bytes)
		*first = addr;
	*bytes += n;
}

static struct kdx_error *excluded_error(const struct kdx_physmap *map,
					const struct kdx_physmap_entry *e,
					uint64_t addr)
{
	struct kdx_error *err;

	if (map->page_size)
		err = kdx_err(KDX_ERR_NODATA,
			      "physical address 0x%llx (pfn 0x%llx) was excluded from the dump by filtering",
			      (unsigned long long)addr,
			      (unsigned long long)(addr / map->page_size));
	else
		err = kdx_err(KDX_ERR_NODATA,
			      "physical address 0x%llx was excluded from the dump by filtering",
			      (unsigned long long)addr);
	return kdx_err_set_nodata_end(kdx_err_set_address(err, addr),
				      piece_end(e));
}

/* Bytes the reader decodes.  A read of many pages that fails is read
 * again a page at a time, so the error names the page that failed
 * (*@addr), not where the read began: only failures pay for it. */
static struct kdx_error *read_format_piece(const struct kdx_physmap *map,
					   const struct kdx_physmap_entry *e,
					   const struct kdx_physmap_source *src,
					   uint64_t *addr, uint8_t *out,
					   size_t n)
{
	uint64_t page = map->page_size, at = *addr, end = *addr + n;
	struct kdx_error *err =
		src->read_format(src->priv, e->file_offset,
				 e->piece_offset + (at - e->start), out, n);

	if (!err || page == 0 || n <= page)
		return err;
	while (at < end) {
		size_t k = (size_t)kdx_min_u64(end - at, page - at % page);
		struct kdx_error *one =
			src->read_format(src->priv, e->file_offset,
					 e->piece_offset + (at - e->start),
					 out + (at - *addr), k);

		if (one) {
			kdx_error_destroy(err);
			*addr = at;
			return one;
		}
		at += k;
	}
	return err; /* failed whole, never by the page: keep the first */
}

/* Read @n bytes at @addr, all inside entry @e. */
static struct kdx_error *read_entry(const struct kdx_physmap *map,
				    const struct kdx_physmap_entry *e,
				    const struct kdx_physmap_source *src,
				    uint64_t addr, uint8_t *out, size_t n,
				    unsigned int flags,
				    struct kdx_read_stats *stats)
{
	struct kdx_error *err = NULL;
	uint64_t off;

	switch (e->kind) {
	case KDX_PIECE_ZERO:
		count_zeros(&stats->zero_bytes, &stats->first_zero, addr, n);
		memset(out, 0, n);
		return NULL;
	case KDX_PIECE_EXCLUDED:
		if (!(flags & KDX_READ_ZERO_FILL))
			return excluded_error(map, e, addr);
		count_zeros(&stats->excluded_bytes, &stats->first_excluded,
			    addr, n);
		memset(out, 0, n);
		return NULL;
	case KDX_PIECE_FORMAT:
		err = read_format_piece(map, e, src, &addr, out, n);
		break;
	case KDX_PIECE_FILE:
		off = e->file_offset + (addr - e->start);
		err = kdx_file_read(src->file, off, out, n);
		break;
	}
	/* A format's reader may have met a hole of another map (a view
	 * over another dump): its end is not an address of this one. */
	kdx_err_forget_nodata_end(err);
	if (err)
		err = kdx_err_set_address(
			kdx_err_wrap(err, "physical address 0x%llx",
				     (unsigned long long)addr),
			addr);
	return err;
}

struct kdx_error *kdx_physmap_read(const struct kdx_physmap *map,
				   const struct kdx_physmap_source *source,
				   uint64_t addr, void *buf, size_t len,
				   unsigned int flags,
				   struct kdx_read_stats *stats)
{
	uint8_t *out = buf;
	struct kdx_read_stats local;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	if (len && addr + (len - 1) < addr)
		return kdx_err(KDX_ERR_INVALID,
			       "read of 0x%zx bytes at 0x%llx wraps past the end of the address space",
			       len, (unsigned long long)addr);
	while (len) {
		size_t i = kdx_physmap_find(map, addr);
		const struct kdx_physmap_entry *e =
			i < map->count ? &map->entries[i] : NULL;
		size_t n;

		if (!e || e->start > addr) {
			uint64_t gap = e ? e->start - addr : UINT64_MAX;

			if (!(flags & KDX_READ_ZERO_FILL))
				return hole_error(map, i, addr);
			n = (size_t)kdx_min_u64(len, gap);
			count_zeros(&stats->hole_bytes, &stats->first_hole,
				    addr, n);
			memset(out, 0, n);
		} else {
			struct kdx_error *err;

			n = (size_t)kdx_min_u64(len, piece_end(e) - addr);
			err = read_entry(map, e, source, addr, out, n, flags,
					 stats);
			if (err)
				return err;
		}
		out += n;
		addr += n;
		len -= n;
	}
	return NULL;
}
