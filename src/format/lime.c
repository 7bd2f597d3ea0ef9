/* SPDX-License-Identifier: MIT */
/* LiME images (format=lime) and AVML images (LiME version 2).
 *
 * Both are a sequence of ranges, each a 32-byte little-endian header
 * (magic, version, first and last physical address, a reserved zero
 * word) followed by the range's memory.  In LiME (magic "EMiL", version
 * 1) the memory follows verbatim.  In AVML (magic "AVML", version 2) it
 * is a snappy *framed* stream (stream identifier, then chunks of at most
 * 64 KiB each with a masked CRC-32C), followed by the stream's length as
 * a little-endian u64.  Sources and layout: docs/memory-images.md. */
#include "format/format.h"

#include "core/endian.h"
#include "core/util.h"
#include "format/common/codec.h"
#include "format/common/crc32c.h"
#include "io/file.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_HEADER_SIZE 32u
#define LIME_MAGIC 0x4C694D45u /* "EMiL" read little-endian */
#define AVML_MAGIC 0x4C4D5641u /* "AVML" read little-endian */
#define LIME_VERSION 1u
#define AVML_VERSION 2u

/* Snappy framing format (google/snappy framing_format.txt). */
#define CHUNK_COMPRESSED 0x00u
#define CHUNK_UNCOMPRESSED 0x01u
#define CHUNK_PADDING 0xfeu
#define CHUNK_STREAM_ID 0xffu
#define CHUNK_MAX_DATA 65536u
#define CRC_SIZE 4u
#define SNAPPY_VARINT_MAX 5u
#define SNAPPY_MAX_RATIO 22u /* 64 bytes out of a 3-byte copy, rounded up */

#define CACHE_SLOTS 8u

struct lime_range {
	uint64_t header_offset;
	uint64_t start, size;
	size_t first_chunk, chunk_count; /* AVML */
};

/* One data chunk of an AVML range's snappy stream. */
struct snappy_chunk {
	uint64_t payload_offset; /* file offset of the data after the CRC */
	uint64_t out_offset;     /* where its bytes start in the range */
	uint32_t payload_size;   /* stored bytes after the CRC */
	uint32_t out_size;
	uint32_t crc;            /* masked CRC-32C of the uncompressed data */
	bool compressed;
};

/* A decoded chunk.  Each slot has its own lock, held while the chunk is
 * decoded into it, so threads reading other slots never wait. */
struct cache_slot {
	pthread_mutex_t lock;
	size_t chunk; /* SIZE_MAX: empty */
	uint8_t *data;
};

/* What reads of an AVML image need; LiME images need nothing. */
struct avml {
	const struct kdx_file *file;
	struct lime_range *ranges;
	size_t range_count;
	struct snappy_chunk *chunks;
	size_t chunk_count, chunk_capacity;
	struct kdx_crc32c crc;
	struct kdx_decoder_pool decoders;
	/* Each slot's CHUNK_MAX_DATA bytes are allocated on its first use:
	 * most opens read whole chunks or nothing (512 KiB per open was most
	 * of fuzz_lime's time under ASan). */
	struct cache_slot cache[CACHE_SLOTS];
};

/* What the header walk collects for either version. */
struct walk {
	const struct kdx_file *file;
	uint64_t file_size;
	uint32_t magic, version;
	struct lime_range *ranges;
	size_t count, capacity;
	struct avml *avml; /* NULL for LiME */
	bool nonzero_reserved;
	/* The last error came from the end of the file, not bad data. */
	bool cut_short;
};

static bool probe_version(const uint8_t *head, size_t len, uint32_t magic,
			  uint32_t version)
{
	return len >= RANGE_HEADER_SIZE &&
	       kdx_load_u32(head, KDX_LITTLE_ENDIAN) == magic &&
	       kdx_load_u32(head + 4, KDX_LITTLE_ENDIAN) == version;
}

static bool lime_probe(const uint8_t *head, size_t len)
{
	return probe_version(head, len, LIME_MAGIC, LIME_VERSION);
}

static bool avml_probe(const uint8_t *head, size_t len)
{
	return probe_version(head, len, AVML_MAGIC, AVML_VERSION);
}

/* The framing format stores CRCs rotated and offset ("masked"). */
static uint32_t crc_mask(uint32_t crc)
{
	return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

/* ---- walking an AVML range's snappy stream ---- */

static struct kdx_error *cut_short(struct walk *w, struct kdx_error *err)
{
	w->cut_short = true;
	return err;
}

static struct kdx_error *stream_error(uint64_t range_offset, uint64_t at,
				      const char *what)
{
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT,
			"range at offset 0x%llx: snappy chunk at offset 0x%llx: %s",
			(unsigned long long)range_offset,
			(unsigned long long)at, what),
		at);
}

/* The length a raw snappy block says it decompresses to (its leading
 * varint), or 0 if the varint is malformed or over CHUNK_MAX_DATA. */
static uint32_t snappy_length(const uint8_t *p, size_t n)
{
	uint32_t v = 0;

	for (size_t i = 0; i < n && i < SNAPPY_VARINT_MAX; i++) {
		v |= (uint32_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			return v <= CHUNK_MAX_DATA ? v : 0;
	}
	return 0;
}

static struct kdx_error *add_chunk(struct avml *a,
				   const struct snappy_chunk *chunk)
{
	if (!kdx_array_push((void **)&a->chunks, &a->chunk_count,
			    &a->chunk_capacity, chunk, sizeof(*chunk)))
		return kdx_err_nomem();
	return NULL;
}

/* Read a data chunk's CRC and (compressed) length. */
static struct kdx_error *data_chunk(const struct walk *w,
				    const struct lime_range *r, uint64_t at,
				    uint8_t type, uint32_t len,
				    struct snappy_chunk *c)
{
	uint8_t b[CRC_SIZE + SNAPPY_VARINT_MAX];
	size_t want = len < sizeof(b) ? len : sizeof(b);
	struct kdx_error *err;

	if (len <= CRC_SIZE)
		return stream_error(r->header_offset, at,
				    "a data chunk shorter than its CRC");
	err = kdx_file_read(w->file, at + 4, b, want);
	if (err)
		return err;
	c->payload_offset = at + 4 + CRC_SIZE;
	c->payload_size = len - CRC_SIZE;
	c->crc = kdx_load_u32(b, KDX_LITTLE_ENDIAN);
	c->compressed = type == CHUNK_COMPRESSED;
	c->out_size = c->compressed ? snappy_length(b + CRC_SIZE,
						    want - CRC_SIZE) :
				      c->payload_size;
	if (!c->out_size || c->out_size > CHUNK_MAX_DATA)
		return stream_error(r->header_offset, at,
				    "its data is not 1 to 65536 bytes long");
	/* Snappy's densest element, a 3-byte copy, yields 64 bytes: a block
	 * claiming more is corrupt, found here rather than at each read. */
	if (c->compressed &&
	    (uint64_t)c->payload_size * SNAPPY_MAX_RATIO < c->out_size)
		return stream_error(r->header_offset, at,
				    "it claims more data than snappy can encode in its size");
	return NULL;
}

/* Check a chunk that carries no data: only the stream identifier,
 * padding and the skippable types 0x80-0xfd may. */
static struct kdx_error *other_chunk(const struct walk *w,
				     const struct lime_range *r, uint64_t at,
				     uint8_t type, uint32_t len)
{
	uint8_t id[6];
	struct kdx_error *err;

	if (type == CHUNK_STREAM_ID) {
		if (len != sizeof(id))
			return stream_error(r->header_offset, at,
					    "a stream identifier not 6 bytes long");
		err = kdx_file_read(w->file, at + 4, id, sizeof(id));
		if (!err && memcmp(id, "sNaPpY", sizeof(id)))
			err = stream_error(r->header_offset, at,
					   "a stream identifier other than \"sNaPpY\"");
		return err;
	}
	if (type < 0x80)
		return stream_error(r->header_offset, at,
				    "a reserved unskippable chunk type");
	return NULL;
}

/* Index the chunks of @r's stream, which starts at @at, until they hold
 * r->size bytes; *@end is where the stream stops. */
static struct kdx_error *walk_stream(struct walk *w, struct lime_range *r,
				     uint64_t at, uint64_t *end)
{
	struct avml *a = w->avml;
	uint64_t out = 0;
	bool first = true;

	r->first_chunk = a->chunk_count;
	/* Bounded: every chunk moves @at forward by at least 4 bytes inside
	 * the file. */
	while (out < r->size) {
		uint8_t h[4];
		uint32_t len;
		struct snappy_chunk c;
		struct kdx_error *err;

		if (w->file_size - at < sizeof(h))
			return cut_short(w, kdx_err(KDX_ERR_CORRUPT,
				       "range at offset 0x%llx: the snappy stream is cut short at offset 0x%llx (0x%llx of 0x%llx bytes)",
				       (unsigned long long)r->header_offset,
				       (unsigned long long)at,
				       (unsigned long long)out,
				       (unsigned long long)r->size));
		err = kdx_file_read(w->file, at, h, sizeof(h));
		if (err)
			return err;
		len = h[1] | (uint32_t)h[2] << 8 | (uint32_t)h[3] << 16;
		if (w->file_size - at - sizeof(h) < len)
			return cut_short(w, kdx_err(KDX_ERR_CORRUPT,
				       "range at offset 0x%llx: the snappy chunk at offset 0x%llx (0x%x bytes) is cut short by the end of the file",
				       (unsigned long long)r->header_offset,
				       (unsigned long long)at, len));
		if (first && h[0] != CHUNK_STREAM_ID)
			return stream_error(r->header_offset, at,
					    "the stream does not start with a stream identifier");
		first = false;
		if (h[0] == CHUNK_COMPRESSED || h[0] == CHUNK_UNCOMPRESSED) {
			err = data_chunk(w, r, at, h[0], len, &c);
			if (!err && c.out_size > r->size - out)
				err = stream_error(r->header_offset, at,
						   "its data runs past the end of the range");
			c.out_offset = out;
			if (!err)
				err = add_chunk(a, &c);
			out += c.out_size;
		} else {
			err = other_chunk(w, r, at, h[0], len);
		}
		if (err)
			return err;
		at += sizeof(h) + len;
	}
	r->chunk_count = a->chunk_count - r->first_chunk;
	*end = at;
	return NULL;
}

/* The stream of the AVML range at @r, then its stored length. */
static struct kdx_error *avml_range(struct walk *w, struct lime_range *r,
				    uint64_t *next)
{
	uint64_t data = r->header_offset + RANGE_HEADER_SIZE, end = data;
	uint8_t b[8];
	struct kdx_error *err = walk_stream(w, r, data, &end);

	if (err)
		return err;
	if (w->file_size - end < sizeof(b))
		return cut_short(w, kdx_err(KDX_ERR_CORRUPT,
			       "range at offset 0x%llx: no stream length after its snappy stream (the file ends at 0x%llx)",
			       (unsigned long long)r->header_offset,
			       (unsigned long long)w->file_size));
	err = kdx_file_read(w->file, end, b, sizeof(b));
	if (!err && kdx_load_u64(b, KDX_LITTLE_ENDIAN) != end - data)
		err = kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"range at offset 0x%llx: the stream length at offset 0x%llx says 0x%llx bytes, the stream has 0x%llx",
				(unsigned long long)r->header_offset,
				(unsigned long long)end,
				(unsigned long long)kdx_load_u64(
					b, KDX_LITTLE_ENDIAN),
				(unsigned long long)(end - data)),
			end);
	*next = end + sizeof(b);
	return err;
}

/* ---- the range headers ---- */

static const char *format_name(const struct walk *w)
{
	return w->avml ? "AVML" : "LiME";
}

/* Parse the header at @off into @r; *@ours says whether it is one. */
static struct kdx_error *read_range_header(struct walk *w, uint64_t off,
					   struct lime_range *r, bool *ours)
{
	uint8_t h[RANGE_HEADER_SIZE];
	uint64_t end;
	struct kdx_error *err = kdx_file_read(w->file, off, h, sizeof(h));

	if (err)
		return err;
	*ours = kdx_load_u32(h, KDX_LITTLE_ENDIAN) == w->magic &&
		kdx_load_u32(h + 4, KDX_LITTLE_ENDIAN) == w->version;
	if (!*ours)
		return NULL;
	r->header_offset = off;
	r->start = kdx_load_u64(h + 8, KDX_LITTLE_ENDIAN);
	end = kdx_load_u64(h + 16, KDX_LITTLE_ENDIAN);
	r->first_chunk = r->chunk_count = 0;
	if (kdx_load_u64(h + 24, KDX_LITTLE_ENDIAN))
		w->nonzero_reserved = true;
	/* The end is inclusive: [0, UINT64_MAX] has no size in 64 bits. */
	if (end < r->start || end - r->start == UINT64_MAX)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"%s range header at offset 0x%llx: the range 0x%llx-0x%llx %s",
				format_name(w), (unsigned long long)off,
				(unsigned long long)r->start,
				(unsigned long long)end,
				end < r->start ? "ends before it starts" :
						 "is the whole 64-bit space"),
			off);
	r->size = end - r->start + 1;
	return NULL;
}

static struct kdx_error *keep_range(struct walk *w,
				    const struct lime_range *r)
{
	if (!kdx_array_push((void **)&w->ranges, &w->count, &w->capacity, r,
			    sizeof(*r)))
		return kdx_err_nomem();
	return NULL;
}

/* A LiME range: its bytes follow; a range cut short by the end of the
 * file (an acquisition that stopped) keeps the bytes it has. */
static struct kdx_error *lime_range(struct walk *w, struct lime_range *r,
				    struct kdx_dump_desc *desc,
				    uint64_t *next)
{
	uint64_t data = r->header_offset + RANGE_HEADER_SIZE;
	uint64_t held = w->file_size - data;

	if (held >= r->size) {
		*next = data + r->size;
		return keep_range(w, r);
	}
	*next = w->file_size;
	kdx_desc_add_warning(
		desc,
		"LiME range at offset 0x%llx (0x%llx-0x%llx) is cut short by the end of the file: 0x%llx of its 0x%llx bytes are present",
		(unsigned long long)r->header_offset,
		(unsigned long long)r->start,
		(unsigned long long)(r->start + r->size - 1),
		(unsigned long long)held, (unsigned long long)r->size);
	if (!held)
		return NULL;
	r->size = held;
	return keep_range(w, r);
}

/* Where the headers stop being readable after the first: say so and
 * keep the ranges before (LiME aborts a range on a write error after its
 * header went out, so the image desynchronises). */
static struct kdx_error *stop_walk(struct walk *w, struct kdx_dump_desc *desc,
				   uint64_t off, struct kdx_error *why)
{
	if (!w->count || kdx_error_code(why) == KDX_ERR_NOMEM)
		return why;
	kdx_desc_add_warning(desc,
			     "%s: the image is read up to offset 0x%llx, %zu ranges",
			     kdx_error_message(why), (unsigned long long)off,
			     w->count);
	kdx_error_destroy(why);
	return NULL;
}

static struct kdx_error *walk_ranges(struct walk *w,
				     struct kdx_dump_desc *desc)
{
	uint64_t off = 0;

	/* Bounded: every range moves @off forward by at least 33 bytes. */
	while (off < w->file_size) {
		struct lime_range r;
		uint64_t next = w->file_size;
		bool ours = false;
		struct kdx_error *err;

		if (w->file_size - off < RANGE_HEADER_SIZE)
			return stop_walk(w, desc, off,
					 kdx_err(KDX_ERR_CORRUPT,
						 "%llu bytes at offset 0x%llx are too few for a range header",
						 (unsigned long long)(w->file_size - off),
						 (unsigned long long)off));
		err = read_range_header(w, off, &r, &ours);
		if (err)
			return err;
		if (!ours)
			return stop_walk(w, desc, off,
					 kdx_err(KDX_ERR_CORRUPT,
						 "offset 0x%llx: no %s range header (magic or version differ)",
						 (unsigned long long)off,
						 format_name(w)));
		if (!w->avml) {
			err = lime_range(w, &r, desc, &next);
		} else {
			err = avml_range(w, &r, &next);
			if (!err)
				err = keep_range(w, &r);
			else /* the range is dropped with its chunks */
				w->avml->chunk_count = r.first_chunk;
			if (err && w->cut_short)
				return stop_walk(w, desc, off, err);
		}
		if (err)
			return err;
		off = next;
	}
	return NULL;
}

static int by_start(const void *a, const void *b)
{
	const struct lime_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Ranges must not claim the same memory twice; LiME writes them in
 * ascending order, so any other order is worth a warning. */
static struct kdx_error *check_order(const struct walk *w,
				     struct kdx_dump_desc *desc)
{
	struct lime_range *sorted;
	bool ascending = true;
	struct kdx_error *err = NULL;

	if (w->count < 2)
		return NULL;
	sorted = malloc(w->count * sizeof(*sorted));
	if (!sorted)
		return kdx_err_nomem();
	memcpy(sorted, w->ranges, w->count * sizeof(*sorted));
	qsort(sorted, w->count, sizeof(*sorted), by_start);
	for (size_t i = 1; i < w->count && !err; i++) {
		const struct lime_range *p = &sorted[i - 1], *q = &sorted[i];

		if (w->ranges[i].start < w->ranges[i - 1].start)
			ascending = false;
		if (q->start - p->start < p->size)
			err = kdx_err_set_file_offset(
				kdx_err(KDX_ERR_CORRUPT,
					"%s ranges at offsets 0x%llx (0x%llx-0x%llx) and 0x%llx (0x%llx-0x%llx) overlap",
					format_name(w),
					(unsigned long long)p->header_offset,
					(unsigned long long)p->start,
					(unsigned long long)(p->start + p->size - 1),
					(unsigned long long)q->header_offset,
					(unsigned long long)q->start,
					(unsigned long long)(q->start + q->size - 1)),
				q->header_offset);
	}
	free(sorted);
	if (!err && !ascending)
		kdx_desc_add_warning(desc,
				     "the %s ranges are not in ascending address order",
				     format_name(w));
	return err;
}

static void describe(const struct walk *w, struct kdx_dump_desc *desc)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < w->count; i++)
		bytes += w->ranges[i].size;
	desc->facts.format_version = w->version;
	desc->facts.set |= KDX_FACT_FORMAT_VERSION;
	kdx_desc_add_detail(desc, "version", "%u%s", w->version,
			    w->avml ? " (AVML: snappy-framed ranges)" : "");
	kdx_desc_add_detail(desc, "ranges", "%zu, 0x%llx bytes", w->count,
			    (unsigned long long)bytes);
	if (w->avml)
		kdx_desc_add_detail(desc, "snappy_chunks", "%zu",
				    w->avml->chunk_count);
	if (w->nonzero_reserved)
		kdx_desc_add_warning(desc,
				     "a range header's reserved word is not zero");
}

static void map_ranges(const struct walk *w, struct kdx_dump_desc *desc)
{
	for (size_t i = 0; i < w->count; i++) {
		const struct lime_range *r = &w->ranges[i];

		if (w->avml)
			kdx_desc_add_range(desc, r->start, r->size,
					   KDX_PIECE_FORMAT, i);
		else
			kdx_desc_add_range(desc, r->start, r->size,
					   KDX_PIECE_FILE,
					   r->header_offset + RANGE_HEADER_SIZE);
	}
}

static struct kdx_error *open_ranges(struct walk *w,
				     const struct kdx_open_options *opts,
				     struct kdx_dump_desc *desc)
{
	struct kdx_error *err = walk_ranges(w, desc);

	if (!err && !w->count)
		err = kdx_err(KDX_ERR_CORRUPT, "%s image with no range",
			      format_name(w));
	if (!err)
		err = check_order(w, desc);
	if (!err) {
		map_ranges(w, desc);
		describe(w, desc);
	}
	/* The format says nothing of the machine: --arch, else VMCOREINFO
	 * found in memory decides. */
	desc->arch = opts->arch;
	desc->byte_order = KDX_LITTLE_ENDIAN;
	return err;
}

static struct kdx_error *lime_open(const struct kdx_file *file,
				   const struct kdx_open_options *opts,
				   struct kdx_dump_desc *desc)
{
	struct walk w = {
		.file = file,
		.file_size = kdx_file_size(file),
		.magic = LIME_MAGIC,
		.version = LIME_VERSION,
	};
	struct kdx_error *err = open_ranges(&w, opts, desc);

	free(w.ranges);
	return err;
}

/* ---- AVML reads ---- */

static void avml_destroy(void *priv)
{
	struct avml *a = priv;

	if (!a)
		return;
	kdx_decoder_pool_deinit(&a->decoders);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		pthread_mutex_destroy(&a->cache[i].lock);
		free(a->cache[i].data);
	}
	free(a->chunks);
	free(a->ranges);
	free(a);
}

static struct avml *avml_new(const struct kdx_file *file)
{
	struct avml *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->file = file;
	kdx_crc32c_init(&a->crc);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		a->cache[i].chunk = SIZE_MAX;
		pthread_mutex_init(&a->cache[i].lock, NULL);
	}
	kdx_decoder_pool_init(&a->decoders);
	return a;
}

static struct kdx_error *avml_open(const struct kdx_file *file,
				   const struct kdx_open_options *opts,
				   struct kdx_dump_desc *desc)
{
	struct walk w = {
		.file = file,
		.file_size = kdx_file_size(file),
		.magic = AVML_MAGIC,
		.version = AVML_VERSION,
		.avml = avml_new(file),
	};
	struct kdx_error *err;

	if (!w.avml)
		return kdx_err_nomem();
	err = open_ranges(&w, opts, desc);
	w.avml->ranges = w.ranges;
	w.avml->range_count = w.count;
	if (err) {
		avml_destroy(w.avml);
		return err;
	}
	desc->priv = w.avml;
	return NULL;
}

static struct kdx_error *chunk_error(const struct snappy_chunk *c,
				     struct kdx_error *err, const char *what)
{
	uint64_t at = c->payload_offset - CRC_SIZE - 4;

	if (!err)
		err = kdx_err(KDX_ERR_CORRUPT, "%s", what);
	return kdx_err_set_file_offset(
		kdx_err_wrap(err, "snappy chunk at offset 0x%llx (0x%x bytes)",
			     (unsigned long long)at, c->payload_size),
		at);
}

/* Decompress chunk @index into @out (c->out_size bytes) and check its
 * CRC.  A compressed chunk is decoded from the file's own bytes where
 * they lie in memory (a mapped file), else from a copy. */
static struct kdx_error *decode_chunk(struct avml *a, size_t index,
				      uint8_t *out)
{
	const struct snappy_chunk *c = &a->chunks[index];
	const uint8_t *in = c->compressed ?
				    kdx_file_view(a->file, c->payload_offset,
						  c->payload_size) :
				    NULL;
	uint8_t *copy = NULL;
	struct kdx_decoder *d;
	struct kdx_error *err = NULL;

	if (!in) {
		copy = c->compressed ? malloc(c->payload_size) : out;
		if (!copy)
			return kdx_err_nomem();
		err = kdx_file_read(a->file, c->payload_offset, copy,
				    c->payload_size);
		in = copy;
	}
	if (!err && c->compressed) {
		d = kdx_decoder_get(&a->decoders);
		err = d ? kdx_decode(d, KDX_CODEC_SNAPPY, in, c->payload_size,
				     out, c->out_size) :
			  kdx_err_nomem();
		kdx_decoder_put(&a->decoders, d);
	}
	if (copy != out)
		free(copy);
	if (!err && crc_mask(kdx_crc32c(&a->crc, out, c->out_size)) != c->crc)
		return chunk_error(c, NULL,
				   "CRC-32C of the data does not match");
	return err ? chunk_error(c, err, NULL) : NULL;
}

/* The chunk of range @r holding byte @offset of it. */
static size_t find_chunk(const struct avml *a, const struct lime_range *r,
			 uint64_t offset)
{
	size_t lo = r->first_chunk, hi = r->first_chunk + r->chunk_count;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->chunks[mid].out_offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Bytes [@in_chunk, +@n) of chunk @index, through its cache slot. */
static struct kdx_error *cached_read(struct avml *a, size_t index,
				     size_t in_chunk, size_t n, uint8_t *out)
{
	struct cache_slot *slot = &a->cache[index % CACHE_SLOTS];
	struct kdx_error *err = NULL;

	pthread_mutex_lock(&slot->lock);
	if (!slot->data && !(slot->data = malloc(CHUNK_MAX_DATA)))
		err = kdx_err_nomem();
	else if (slot->chunk != index) {
		slot->chunk = SIZE_MAX;
		err = decode_chunk(a, index, slot->data);
		if (!err)
			slot->chunk = index;
	}
	if (!err)
		memcpy(out, slot->data + in_chunk, n);
	pthread_mutex_unlock(&slot->lock);
	return err;
}

static struct kdx_error *avml_read(void *priv, uint64_t cookie,
				   uint64_t offset, void *buf, size_t len)
{
	struct avml *a = priv;
	const struct lime_range *r = &a->ranges[cookie];
	uint8_t *out = buf;
	struct kdx_error *err = NULL;
	size_t index = find_chunk(a, r, offset);

	/* Chunks are contiguous in the range, so each pass moves on one;
	 * a whole chunk is decoded straight into the caller's buffer. */
	for (; len && !err; index++) {
		const struct snappy_chunk *c = &a->chunks[index];
		size_t in_chunk = (size_t)(offset - c->out_offset);
		size_t n = (size_t)kdx_min_u64(len, c->out_size - in_chunk);

		if (n == c->out_size)
			err = decode_chunk(a, index, out);
		else
			err = cached_read(a, index, in_chunk, n, out);
		out += n;
		offset += n;
		len -= n;
	}
	return err;
}

const struct kdx_format_ops kdx_format_lime = {
	.name = "lime",
	.description = "LiME physical memory image (format=lime)",
	.detect = true,
	.probe = lime_probe,
	.open = lime_open,
};

const struct kdx_format_ops kdx_format_avml = {
	.name = "avml",
	.description = "AVML physical memory image (LiME version 2, snappy)",
	.detect = true,
	.probe = avml_probe,
	.open = avml_open,
	.read = avml_read,
	.destroy = avml_destroy,
};
