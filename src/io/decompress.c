/* SPDX-License-Identifier: MIT */
/* Compressed streams decompressed once and served as a file: the codec
 * table, gzip and zstd, the source and the sink; bzip2, xz and lzop in
 * decompress_*.c.  See decompress.h. */
#include "io/decompress_impl.h"

#include "core/error.h"
#include "core/util.h"
#include "io/file_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define IN_CHUNK (64u << 10) /* see KDX_DECOMPRESS_OUT_CHUNK */
#define OUT_CHUNK KDX_DECOMPRESS_OUT_CHUNK
#define HOLE_BLOCK 4096u

/* The table of codecs: how each stream starts, the program that
 * decompresses it by hand, and its decompressor. */
struct codec {
	const char *name;
	uint8_t magic[9];
	size_t magic_len;
	const char *tool;
	kdx_decompress_fn *run;
};

static kdx_decompress_fn inflate_all, unzstd_all;

static const struct codec codecs[] = {
	[KDX_STREAM_GZIP] = { "gzip", { 0x1f, 0x8b, 0x08 }, 3, "gzip -d",
			      inflate_all },
	[KDX_STREAM_ZSTD] = { "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd -d",
			      unzstd_all },
	/* "BZh" and a block size digit the decompressor checks. */
	[KDX_STREAM_BZIP2] = { "bzip2", { 'B', 'Z', 'h' }, 3, "bzip2 -d",
			       kdx_decompress_bzip2 },
	[KDX_STREAM_XZ] = { "xz", { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6,
			    "xz -d", kdx_decompress_xz },
	[KDX_STREAM_LZOP] = { "lzop",
			      { 0x89, 'L', 'Z', 'O', 0x00, 0x0d, 0x0a, 0x1a,
				0x0a },
			      9, "lzop -d", kdx_decompress_lzop },
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

const char *kdx_stream_codec_name(enum kdx_stream_codec kind)
{
	return (unsigned int)kind < NCODECS ? codecs[kind].name : "unknown";
}

static bool gzip_starts(uint8_t b)
{
	return b == 0x1f;
}

/* A zstd frame (28 b5 2f fd, little-endian 0xfd2fb528) or a skippable
 * frame (0x184d2a5?, first byte 0x5?). */
static bool zstd_starts(uint8_t b)
{
	return b == 0x28 || (b & 0xf0) == 0x50;
}

bool kdx_file_is_compressed(const struct kdx_file *file,
			    enum kdx_stream_codec kind)
{
	return kdx_file_is_compressed_at(file, 0, kind);
}

bool kdx_file_is_compressed_at(const struct kdx_file *file, uint64_t offset,
			       enum kdx_stream_codec kind)
{
	uint8_t head[sizeof(codecs[0].magic)];
	struct kdx_error *err;

	if ((unsigned int)kind >= NCODECS)
		return false;
	err = kdx_file_read(file, offset, head, codecs[kind].magic_len);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	return !memcmp(head, codecs[kind].magic, codecs[kind].magic_len);
}

bool kdx_file_compressed_codec(const struct kdx_file *file,
			       enum kdx_stream_codec *kind)
{
	uint8_t head[sizeof(codecs[0].magic)];
	size_t got = 0;
	struct kdx_error *err = kdx_file_read_some(file, 0, head, sizeof(head),
						   &got);

	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	for (size_t i = 0; i < NCODECS; i++)
		if (got >= codecs[i].magic_len &&
		    !memcmp(head, codecs[i].magic, codecs[i].magic_len)) {
			*kind = (enum kdx_stream_codec)i;
			return true;
		}
	return false;
}

/* ---- The compressed side ---- */

uint64_t kdx_source_offset(const struct kdx_source *s)
{
	return s->base + s->pos;
}

/* Make at least one unread byte available, unless the file has ended. */
struct kdx_error *kdx_source_fill(struct kdx_source *s)
{
	uint64_t left;

	if (s->pos < s->len)
		return NULL;
	s->base += s->len;
	s->pos = 0;
	left = s->size - s->base;
	s->len = left < IN_CHUNK ? (size_t)left : IN_CHUNK;
	return s->len ? kdx_file_read(s->file, s->base, s->buf, s->len) : NULL;
}

/* After a finished gzip member or zstd frame: another one (*@more), or
 * zero padding to the end of the file (a dump device's last block), or
 * an error for anything else. */
struct kdx_error *kdx_source_after_stream(struct kdx_source *s,
					  bool (*starts)(uint8_t),
					  enum kdx_stream_codec kind,
					  bool *more)
{
	uint64_t padding_at = kdx_source_offset(s);
	struct kdx_error *err;

	for (;;) {
		if ((err = kdx_source_fill(s)))
			return err;
		if (s->pos == s->len) {
			*more = false;
			return NULL;
		}
		while (s->pos < s->len && !s->buf[s->pos])
			s->pos++;
		if (s->pos == s->len)
			continue;
		if (kdx_source_offset(s) == padding_at && starts(s->buf[s->pos])) {
			*more = true;
			return NULL;
		}
		return kdx_err(KDX_ERR_CORRUPT,
			       "offset 0x%llx: byte 0x%02x after the end of the %s stream at 0x%llx is neither another %s nor zero padding",
			       (unsigned long long)kdx_source_offset(s),
			       s->buf[s->pos], kdx_stream_codec_name(kind),
			       (unsigned long long)padding_at,
			       kind == KDX_STREAM_GZIP ? "member" :
			       kind == KDX_STREAM_ZSTD ? "frame" :
							 "stream");
	}
}

struct kdx_error *kdx_source_cut_short(const struct kdx_source *s,
				   enum kdx_stream_codec kind)
{
	if (s->at_gap)
		return kdx_err(KDX_ERR_CORRUPT,
			       "the %s stream stops at offset 0x%llx before its end: the file holds no bytes there (a gap no record of the flattened stream wrote)",
			       kdx_stream_codec_name(kind),
			       (unsigned long long)kdx_source_offset(s));
	return kdx_err(KDX_ERR_CORRUPT,
		       "the %s stream stops at offset 0x%llx (the end of the file) before its end: the file was cut short",
		       kdx_stream_codec_name(kind),
		       (unsigned long long)kdx_source_offset(s));
}

struct kdx_error *kdx_source_damaged(const struct kdx_source *s,
				     enum kdx_stream_codec kind,
				     const char *why)
{
	return kdx_err(KDX_ERR_CORRUPT,
		       "offset 0x%llx: the %s stream is damaged (%s)",
		       (unsigned long long)kdx_source_offset(s),
		       kdx_stream_codec_name(kind), why);
}

struct kdx_error *kdx_source_get(struct kdx_source *s, void *buf, size_t n,
				 const char *what)
{
	uint8_t *out = buf;
	uint64_t at = kdx_source_offset(s);

	/* Bounded: every pass takes at least one byte, or ends. */
	while (n) {
		struct kdx_error *err = kdx_source_fill(s);
		size_t take;

		if (err)
			return err;
		if (s->pos == s->len)
			return kdx_err(KDX_ERR_CORRUPT,
				       "offset 0x%llx: the file ends inside %s (from offset 0x%llx): it was cut short",
				       (unsigned long long)kdx_source_offset(s),
				       what, (unsigned long long)at);
		take = s->len - s->pos < n ? s->len - s->pos : n;
		memcpy(out, s->buf + s->pos, take);
		s->pos += take;
		out += take;
		n -= take;
	}
	return NULL;
}

/* ---- The decompressed side ---- */

static struct kdx_error *make_temp_file(struct kdx_decompressed *d)
{
	const char *dir = d->limits.tmpdir;
	char *path;
	int fd;

	if (!dir && !(dir = getenv("TMPDIR")))
		dir = "/tmp";
	if (asprintf(&path, "%s/kdx-decompressed-XXXXXX", dir) < 0)
		return kdx_err_nomem();
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		struct kdx_error *err = kdx_err_os(
			errno, "creating a temporary file in %s for the decompressed dump",
			dir);

		free(path);
		return err;
	}
	unlink(path);
	free(path);
	d->fd = fd;
	return NULL;
}

static struct kdx_error *write_all(int fd, uint64_t at, const uint8_t *p,
				   size_t n)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, (off_t)at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return kdx_err_os(w < 0 ? errno : ENOSPC,
					  "writing the decompressed dump to a temporary file at offset 0x%llx",
					  (unsigned long long)at);
		p += w;
		at += (uint64_t)w;
		n -= (size_t)w;
	}
	return NULL;
}

/* Write @n bytes at @at, leaving all-zero blocks as holes. */
static struct kdx_error *write_sparse(int fd, uint64_t at, const uint8_t *p,
				      size_t n)
{
	while (n) {
		size_t len = HOLE_BLOCK - (size_t)(at % HOLE_BLOCK);
		struct kdx_error *err;

		if (len > n)
			len = n;
		if (!kdx_all_zero(p, len) && (err = write_all(fd, at, p, len)))
			return err;
		p += len;
		at += len;
		n -= len;
	}
	return NULL;
}

static struct kdx_error *spill(struct kdx_decompressed *d)
{
	struct kdx_error *err = make_temp_file(d);

	if (!err)
		err = write_sparse(d->fd, 0, d->mem, (size_t)d->size);
	free(d->mem);
	d->mem = NULL;
	d->cap = 0;
	return err;
}

static struct kdx_error *grow_memory(struct kdx_decompressed *d, uint64_t need)
{
	size_t cap = d->cap ? d->cap : OUT_CHUNK;
	uint8_t *mem;

	while (cap < need)
		cap *= 2;
	if (cap > d->limits.memory_max)
		cap = (size_t)d->limits.memory_max;
	mem = realloc(d->mem, cap);
	if (!mem)
		return kdx_err_nomem();
	d->mem = mem;
	d->cap = cap;
	return NULL;
}

struct kdx_error *kdx_sink_write(struct kdx_decompressed *d, const uint8_t *p,
				    size_t n)
{
	struct kdx_error *err = NULL;

	if (!n)
		return NULL;
	if (n > d->limits.max_size - d->size)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "the %s stream decompresses to more than 0x%llx bytes, kdx's limit (max_decompressed, --max-decompressed): decompress it by hand (%s) and open the result",
			       kdx_stream_codec_name(d->kind),
			       (unsigned long long)d->limits.max_size,
			       codecs[d->kind].tool);
	if (d->fd < 0 && d->size + n <= d->limits.memory_max) {
		if (d->size + n > d->cap && (err = grow_memory(d, d->size + n)))
			return err;
		memcpy(d->mem + d->size, p, n);
	} else {
		if (d->fd < 0 && (err = spill(d)))
			return err;
		if ((err = write_sparse(d->fd, d->size, p, n)))
			return err;
	}
	d->size += n;
	return NULL;
}

/* ---- The two decompressors ---- */

static struct kdx_error *inflate_all(struct kdx_source *s, struct kdx_decompressed *d,
				     uint8_t *out)
{
	z_stream z;
	bool more = true, out_full = false;
	struct kdx_error *err = NULL;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return kdx_err_nomem();
	while (!err && more) {
		size_t before;

		if ((err = kdx_source_fill(s)))
			break;
		if (s->pos == s->len && !out_full) {
			err = kdx_source_cut_short(s, d->kind);
			break;
		}
		before = s->pos;
		z.next_in = s->buf + s->pos;
		z.avail_in = (uInt)(s->len - s->pos);
		z.next_out = out;
		z.avail_out = OUT_CHUNK;
		ret = inflate(&z, Z_NO_FLUSH);
		s->pos = s->len - z.avail_in;
		out_full = !z.avail_out;
		if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) {
			err = kdx_err(KDX_ERR_CORRUPT,
				      "offset 0x%llx: the gzip stream is damaged (%s)",
				      (unsigned long long)kdx_source_offset(s),
				      z.msg ? z.msg : "zlib error");
			break;
		}
		if (s->pos == before && z.avail_out == OUT_CHUNK &&
		    ret != Z_STREAM_END) {
			err = kdx_source_cut_short(s, d->kind);
			break;
		}
		err = kdx_sink_write(d, out, OUT_CHUNK - z.avail_out);
		if (!err && ret == Z_STREAM_END) {
			err = kdx_source_after_stream(s, gzip_starts, d->kind, &more);
			out_full = false;
			if (!err && more)
				inflateReset(&z);
		}
	}
	inflateEnd(&z);
	return err;
}

/* A window larger than everything the caller accepts cannot be needed
 * by a stream that fits, and zstd allocates it from the frame header
 * before a byte is decoded: refuse it there.  Never above zstd's own
 * default (27: 128 MiB), which a 20-byte file could otherwise raise. */
static int zstd_window_log_max(uint64_t max_size)
{
	int log = 10; /* the format's smallest window */

	while (log < 27 && (1ull << log) < max_size)
		log++;
	return log;
}

static struct kdx_error *unzstd_all(struct kdx_source *s, struct kdx_decompressed *d,
				    uint8_t *out)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	int window_log_max = zstd_window_log_max(d->limits.max_size);
	bool more = true, out_full = false;
	struct kdx_error *err = NULL;

	if (!dctx)
		return kdx_err_nomem();
	ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max);
	while (!err && more) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer o = { out, OUT_CHUNK, 0 };
		size_t hint;

		if ((err = kdx_source_fill(s)))
			break;
		if (s->pos == s->len && !out_full) {
			err = kdx_source_cut_short(s, d->kind);
			break;
		}
		in = (ZSTD_inBuffer){ s->buf, s->len, s->pos };
		hint = ZSTD_decompressStream(dctx, &o, &in);
		if (ZSTD_getErrorCode(hint) == ZSTD_error_frameParameter_windowTooLarge) {
			err = kdx_err(KDX_ERR_UNSUPPORTED,
				      "offset 0x%llx: the zstd frame asks for a window above %u bytes, kdx's limit (0x%llx bytes of output: max_decompressed, --max-decompressed; at most 128 MiB of window): decompress it by hand (zstd -d --long=31) and open the result",
				      (unsigned long long)kdx_source_offset(s),
				      1u << window_log_max,
				      (unsigned long long)d->limits.max_size);
			break;
		}
		if (ZSTD_isError(hint)) {
			err = kdx_err(KDX_ERR_CORRUPT,
				      "offset 0x%llx: the zstd stream is damaged (%s)",
				      (unsigned long long)kdx_source_offset(s),
				      ZSTD_getErrorName(hint));
			break;
		}
		if (in.pos == s->pos && !o.pos && hint) {
			err = kdx_source_cut_short(s, d->kind);
			break;
		}
		s->pos = in.pos;
		out_full = o.pos == OUT_CHUNK;
		err = kdx_sink_write(d, out, o.pos);
		if (!err && !hint) {
			err = kdx_source_after_stream(s, zstd_starts, d->kind, &more);
			out_full = false;
		}
	}
	ZSTD_freeDCtx(dctx);
	return err;
}

/* ---- The file ---- */

static struct kdx_error *decompressed_read(void *priv, uint64_t offset,
					   void *buf, size_t len, size_t *got)
{
	const struct kdx_decompressed *d = priv;
	ssize_t n;

	if (d->mem || d->fd < 0) {
		memcpy(buf, d->mem + offset, len);
		*got = len;
		return NULL;
	}
	n = pread(d->fd, buf, len, (off_t)offset);
	if (n < 0)
		return kdx_err_os(errno, "pread of the decompressed dump");
	*got = (size_t)n;
	return NULL;
}

static const void *decompressed_view(void *priv, uint64_t offset, size_t len)
{
	const struct kdx_decompressed *d = priv;

	(void)len;
	return d->mem && d->fd < 0 ? d->mem + offset : NULL;
}

/* The temporary file holds the bytes as they are: convert can copy them
 * without reading. */
static int decompressed_extent(void *priv, uint64_t offset, uint64_t max,
			       uint64_t *fd_offset, uint64_t *len)
{
	const struct kdx_decompressed *d = priv;

	if (d->fd < 0)
		return -1;
	*fd_offset = offset;
	*len = max;
	return d->fd;
}

static void decompressed_close(void *priv)
{
	struct kdx_decompressed *d = priv;

	if (d->fd >= 0)
		close(d->fd);
	free(d->mem);
	free(d);
}

static const struct kdx_file_ops decompressed_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = decompressed_read,
	.extent = decompressed_extent,
	.view = decompressed_view,
	.close = decompressed_close,
};

static void set_limits(struct kdx_decompressed *d,
		       const struct kdx_decompress_limits *limits)
{
	if (limits)
		d->limits = *limits;
	if (!d->limits.max_size)
		d->limits.max_size = KDX_DECOMPRESS_MAX_SIZE;
	if (!d->limits.memory_max)
		d->limits.memory_max = KDX_DECOMPRESS_MEMORY_MAX;
	if (d->limits.memory_max > SIZE_MAX / 2)
		d->limits.memory_max = SIZE_MAX / 2;
}

static struct kdx_error *decompress(const struct kdx_file *base, uint64_t start,
				    struct kdx_decompressed *d)
{
	/* The source ends where the stream's bytes do; messages give
	 * offsets in @base. */
	struct kdx_source s = { .file = base, .size = start + d->compressed_size,
			    .base = start };
	uint8_t *out = malloc(OUT_CHUNK);
	struct kdx_error *err;
	uint64_t gap;

	/* Bytes the file does not hold read as zeros, which some codecs
	 * take as endless empty blocks or padding: the stream ends where
	 * the held bytes do, so the work follows what the file holds. */
	if (!kdx_file_all_written(base, start, d->compressed_size, &gap)) {
		s.size = gap;
		s.at_gap = true;
	}

	/* No bigger than the stream: most are small. */
	s.buf = malloc((size_t)kdx_min_u64(IN_CHUNK, s.size - s.base + 1));
	if (!out || !s.buf)
		err = kdx_err_nomem();
	else
		err = codecs[d->kind].run(&s, d, out);
	if (!err && d->fd >= 0 && ftruncate(d->fd, (off_t)d->size) < 0)
		err = kdx_err_os(errno, "sizing the temporary file");
	free(out);
	free(s.buf);
	return err;
}

struct kdx_error *kdx_file_open_decompressed(
	struct kdx_file *base, enum kdx_stream_codec kind,
	const struct kdx_decompress_limits *limits, struct kdx_file **out)
{
	return kdx_file_open_decompressed_range(base, 0, kdx_file_size(base),
						kind, limits, out);
}

struct kdx_error *kdx_file_decompress_range(
	const struct kdx_file *base, uint64_t start, uint64_t length,
	enum kdx_stream_codec kind, const struct kdx_decompress_limits *limits,
	struct kdx_file **out)
{
	struct kdx_decompressed *d;
	struct kdx_error *err;
	char *name = NULL;

	if ((unsigned int)kind >= NCODECS)
		return kdx_err(KDX_ERR_INVALID, "no stream codec %u",
			       (unsigned int)kind);
	if (start > kdx_file_size(base) || length > kdx_file_size(base) - start)
		return kdx_err(KDX_ERR_CORRUPT,
			       "%s: a %s stream of 0x%llx bytes from offset 0x%llx runs past the end of the file",
			       kdx_file_name(base), kdx_stream_codec_name(kind),
			       (unsigned long long)length,
			       (unsigned long long)start);
	d = calloc(1, sizeof(*d));
	if (!d || asprintf(&name, "%s (%s)", kdx_file_name(base),
			   kdx_stream_codec_name(kind)) < 0) {
		free(d);
		return kdx_err_nomem();
	}
	d->fd = -1;
	d->kind = kind;
	d->compressed_size = length;
	set_limits(d, limits);
	err = decompress(base, start, d);
	if (err) {
		err = kdx_err_wrap(err, "%s: decompressing it as %s",
				   kdx_file_name(base), kdx_stream_codec_name(kind));
		decompressed_close(d);
	} else {
		err = kdx_file_create(&decompressed_ops, d, name, d->size, out);
	}
	free(name);
	return err;
}

struct kdx_error *kdx_file_open_decompressed_range(
	struct kdx_file *base, uint64_t start, uint64_t length,
	enum kdx_stream_codec kind, const struct kdx_decompress_limits *limits,
	struct kdx_file **out)
{
	struct kdx_error *err = kdx_file_decompress_range(base, start, length,
							  kind, limits, out);

	kdx_file_close(base);
	return err;
}

bool kdx_file_decompressed_info(const struct kdx_file *file,
				enum kdx_stream_codec *kind,
				uint64_t *compressed_size, bool *on_disk)
{
	const struct kdx_decompressed *d = kdx_file_priv(file, &decompressed_ops);

	if (!d)
		return false;
	*kind = d->kind;
	*compressed_size = d->compressed_size;
	*on_disk = d->fd >= 0;
	return true;
}
