/* SPDX-License-Identifier: MIT */
/* makedumpfile's flattened stream, read in place.
 *
 * Layout: a 4096-byte header starting "makedumpfile" (type and version as
 * big-endian int64 at 16 and 24), then records of a big-endian int64
 * logical offset, an int64 size and that many bytes, ended by a record
 * whose offset and size are both -1.  Records come in any order and may
 * overwrite each other; the latest wins. */
#include "io/flat.h"
#include "io/file_backend.h"

#include "core/endian.h"
#include "core/error.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAT_HEADER_SIZE 4096
#define FLAT_SIGNATURE "makedumpfile"

struct record {
	uint64_t offset, size, base_offset;
};

/* Where a run of the logical bytes lives in the stream. */
struct flat_extent {
	uint64_t offset;      /* logical offset */
	uint64_t size;
	uint64_t base_offset; /* where the bytes are in the stream file */
};

/* The backend's state: the stream and its sorted, disjoint extents. */
struct flat_view {
	struct kdx_file *base;
	struct flat_extent *extents;
	size_t extent_count;
	size_t record_count;
	uint64_t size; /* logical: the end of the last extent */
	bool truncated;
};

bool kdx_file_is_flattened(const struct kdx_file *file)
{
	uint8_t head[32];
	size_t got;
	struct kdx_error *err = kdx_file_read_some(file, 0, head, sizeof(head),
						   &got);

	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	return got == sizeof(head) && !memcmp(head, FLAT_SIGNATURE, 12) &&
	       kdx_load_u64(head + 16, KDX_BIG_ENDIAN) == 1;
}

/* Read the record headers; the walk is bounded because every record takes
 * at least 16 bytes the file holds: a header in bytes it does not hold (a
 * stream inside another stream's unwritten gap reads as zero-sized
 * records for as long as the gap, exabytes perhaps) is refused.  A stream
 * cut short (no end marker, the last record's data cut) keeps what it
 * holds. */
static struct kdx_error *scan_records(struct kdx_file *base,
				      struct record **out, size_t *count,
				      bool *truncated)
{
	uint64_t pos = FLAT_HEADER_SIZE, fsize = kdx_file_size(base);
	size_t capacity = 0;

	*truncated = true;
	while (pos <= fsize && fsize - pos >= 16) {
		uint8_t h[16];
		struct record r;
		uint64_t gap;
		struct kdx_error *err;

		if (!kdx_file_all_written(base, pos, 16, &gap))
			return kdx_err_set_file_offset(
				kdx_err(KDX_ERR_CORRUPT,
					"flattened record at offset 0x%llx: its header lies in a gap no record of the outer stream wrote (offset 0x%llx)",
					(unsigned long long)pos,
					(unsigned long long)gap),
				pos);
		err = kdx_file_read(base, pos, h, 16);
		if (err)
			return err;
		r.offset = kdx_load_u64(h, KDX_BIG_ENDIAN);
		r.size = kdx_load_u64(h + 8, KDX_BIG_ENDIAN);
		if (r.offset == UINT64_MAX && r.size == UINT64_MAX) {
			*truncated = false;
			break;
		}
		r.base_offset = pos + 16;
		if (r.offset >> 63 || r.size >> 63)
			return kdx_err_set_file_offset(
				kdx_err(KDX_ERR_CORRUPT,
					"flattened record at offset 0x%llx: offset 0x%llx size 0x%llx is impossible",
					(unsigned long long)pos,
					(unsigned long long)r.offset,
					(unsigned long long)r.size),
				pos);
		/* The last record, cut: keep the bytes that made it. */
		if (r.size > fsize - r.base_offset)
			r.size = fsize - r.base_offset;
		if (r.size && !kdx_array_push((void **)out, count, &capacity,
					      &r, sizeof(r)))
			return kdx_err_nomem();
		pos = r.base_offset + r.size;
	}
	return NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t boundary_index(const uint64_t *b, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Next unpainted interval at or after @k, with path halving. */
static size_t next_free(size_t *next, size_t k)
{
	while (next[k] != k) {
		next[k] = next[next[k]];
		k = next[k];
	}
	return k;
}

/* Cut the logical space at every record boundary, then paint each piece
 * with the latest record covering it: records are visited newest first
 * and skip painted pieces through "next unpainted" links, so hostile
 * streams of overlapping records still take O(n log n). */
static bool resolve(const struct record *r, size_t n, uint64_t *bounds,
		    size_t nb, size_t *owner)
{
	size_t *next = malloc((nb + 1) * sizeof(*next));

	if (!next)
		return false;
	for (size_t k = 0; k <= nb; k++)
		next[k] = k;
	for (size_t k = 0; k < nb; k++)
		owner[k] = SIZE_MAX;
	for (size_t i = n; i-- > 0;) {
		size_t first = boundary_index(bounds, nb, r[i].offset);
		size_t last = boundary_index(bounds, nb, r[i].offset + r[i].size);

		for (size_t k = next_free(next, first); k < last;
		     k = next_free(next, k)) {
			owner[k] = i;
			next[k] = k + 1;
		}
	}
	free(next);
	return true;
}

static struct kdx_error *build_extents(struct flat_view *view,
				       const struct record *r, size_t n)
{
	size_t nb = 2 * n, capacity = 0, *owner = NULL;
	uint64_t *bounds = malloc((nb ? nb : 1) * sizeof(*bounds));
	struct kdx_error *err = NULL;

	for (size_t i = 0; bounds && i < n; i++) {
		bounds[2 * i] = r[i].offset;
		bounds[2 * i + 1] = r[i].offset + r[i].size;
	}
	if (bounds && nb)
		qsort(bounds, nb, sizeof(*bounds), compare_u64);
	owner = bounds ? malloc((nb ? nb : 1) * sizeof(*owner)) : NULL;
	if (!owner || !resolve(r, n, bounds, nb, owner)) {
		err = kdx_err_nomem();
		goto out;
	}
	for (size_t k = 0; k + 1 < nb; k++) {
		const struct record *o;
		struct flat_extent e, *prev;

		if (owner[k] == SIZE_MAX || bounds[k] == bounds[k + 1])
			continue;
		o = &r[owner[k]];
		e.offset = bounds[k];
		e.size = bounds[k + 1] - bounds[k];
		e.base_offset = o->base_offset + (bounds[k] - o->offset);
		prev = view->extent_count ?
			       &view->extents[view->extent_count - 1] :
			       NULL;
		if (prev && prev->offset + prev->size == e.offset &&
		    prev->base_offset + prev->size == e.base_offset) {
			/* Pieces of one record cut by other records'
			 * boundaries: one extent again. */
			prev->size += e.size;
			view->size = prev->offset + prev->size;
			continue;
		}
		if (!kdx_array_push((void **)&view->extents,
				    &view->extent_count, &capacity, &e,
				    sizeof(e))) {
			err = kdx_err_nomem();
			goto out;
		}
		view->size = e.offset + e.size;
	}
out:
	free(bounds);
	free(owner);
	return err;
}

/* A stream inside another stream's view: a record's bytes that lie in a
 * gap of the outer stream were never written either (they read as
 * zeros).  Cut the extents to the base's written runs, so that the gaps
 * stay known as gaps and scans that skip them (the VMCOREINFO search, the
 * decompressors) cost what the file holds.  Plain bases: one piece each. */
static struct kdx_error *clip_to_written(struct flat_view *view)
{
	struct flat_extent *held = NULL;
	size_t count = 0, capacity = 0;
	uint64_t gap;

	/* A base that holds every byte (a plain file) cuts nothing: keep
	 * the extents rather than copy them. */
	if (kdx_file_all_written(view->base, 0, kdx_file_size(view->base),
				 &gap))
		return NULL;
	for (size_t i = 0; i < view->extent_count; i++) {
		const struct flat_extent *e = &view->extents[i];
		uint64_t pos = e->offset, end = e->offset + e->size;

		/* Bounded: each pass moves past one written run of the base. */
		while (pos < end) {
			uint64_t at = e->base_offset + (pos - e->offset);
			uint64_t next = kdx_file_next_written(view->base, at);
			struct flat_extent piece;

			if (next - at >= end - pos)
				break;
			pos += next - at;
			piece.offset = pos;
			piece.base_offset = next;
			piece.size = kdx_min_u64(
				kdx_file_written_end(view->base, next) - next,
				end - pos);
			if (!kdx_array_push((void **)&held, &count, &capacity,
					    &piece, sizeof(piece))) {
				free(held);
				return kdx_err_nomem();
			}
			pos += piece.size;
		}
	}
	free(view->extents);
	view->extents = held;
	view->extent_count = count;
	return NULL;
}

static size_t find_extent(const struct flat_view *view, uint64_t offset)
{
	size_t lo = 0, hi = view->extent_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct flat_extent *e = &view->extents[mid];

		if (e->offset + e->size <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t flat_written_end(void *priv, uint64_t offset)
{
	const struct flat_view *view = priv;
	size_t i = find_extent(view, offset);

	/* Extents are disjoint; touching ones are one written run. */
	while (i < view->extent_count && view->extents[i].offset <= offset) {
		offset = view->extents[i].offset + view->extents[i].size;
		i++;
	}
	return offset;
}

static uint64_t flat_next_written(void *priv, uint64_t offset)
{
	const struct flat_view *view = priv;
	size_t i = find_extent(view, offset);

	if (i == view->extent_count)
		return view->size;
	return view->extents[i].offset > offset ? view->extents[i].offset :
						  offset;
}

static struct kdx_error *flat_read(void *priv, uint64_t offset, void *buf,
				   size_t len, size_t *got)
{
	const struct flat_view *view = priv;
	uint8_t *out = buf;

	*got = len; /* never short: bytes no record wrote are zeros */
	while (len) {
		size_t i = find_extent(view, offset);
		const struct flat_extent *e =
			i < view->extent_count ? &view->extents[i] : NULL;
		size_t n;

		if (!e || e->offset > offset) {
			/* No record wrote these bytes: zeros, as in a
			 * rewritten (sparse) file. */
			n = (size_t)kdx_min_u64(len, e ? e->offset - offset : len);
			memset(out, 0, n);
		} else {
			struct kdx_error *err;

			n = (size_t)kdx_min_u64(len, e->offset + e->size - offset);
			err = kdx_file_read(view->base,
					    e->base_offset + (offset - e->offset),
					    out, n);
			if (err)
				return err;
		}
		out += n;
		offset += n;
		len -= n;
	}
	return NULL;
}

static void flat_close(void *priv)
{
	struct flat_view *view = priv;

	kdx_file_close(view->base);
	free(view->extents);
	free(view);
}

static const struct kdx_file_ops flat_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = flat_read,
	.next_written = flat_next_written,
	.written_end = flat_written_end,
	.close = flat_close,
};

struct kdx_error *kdx_file_open_flattened(struct kdx_file *base,
					  struct kdx_file **out)
{
	struct flat_view *view = calloc(1, sizeof(*view));
	struct record *records = NULL;
	size_t count = 0;
	struct kdx_error *err;
	char *name = NULL;

	if (!view || asprintf(&name, "%s (flattened)",
			      kdx_file_name(base)) < 0) {
		free(view);
		kdx_file_close(base);
		return kdx_err_nomem();
	}
	view->base = base;
	err = scan_records(base, &records, &count, &view->truncated);
	if (!err)
		err = build_extents(view, records, count);
	if (!err)
		err = clip_to_written(view);
	free(records);
	if (err) {
		err = kdx_err_wrap(err, "%s: flattened stream",
				   kdx_file_name(base));
		flat_close(view);
	} else {
		view->record_count = count;
		err = kdx_file_create(&flat_ops, view, name, view->size, out);
	}
	free(name);
	return err;
}

bool kdx_file_flattened_info(const struct kdx_file *file, size_t *records,
			     bool *truncated)
{
	const struct flat_view *view = kdx_file_priv(file, &flat_ops);

	if (!view)
		return false;
	*records = view->record_count;
	*truncated = view->truncated;
	return true;
}
