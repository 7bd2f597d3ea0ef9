/* SPDX-License-Identifier: MIT */
/* lzop files (libvirt's `lzop -c`): lzop's container around LZO1X
 * blocks, parsed here, the blocks decompressed by liblzo2.  Layout and
 * sources: docs/memory-images.md ("lzop").  See decompress_impl.h.
 *
 * Every field is big-endian.  A header (magic, versions, method, flags,
 * mode, times, name, then an Adler-32 or CRC-32 of the header), then
 * blocks: uncompressed size (0 ends the file), compressed size, the
 * checksums the flags ask for, the bytes (stored as they are when both
 * sizes are equal). */
#include "io/decompress_impl.h"

#include "core/endian.h"
#include "core/error.h"

#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define LZOP_MAGIC_LEN 9u
static const uint8_t lzop_magic[LZOP_MAGIC_LEN] = { 0x89, 'L', 'Z', 'O', 0x00,
						    0x0d, 0x0a, 0x1a, 0x0a };
/* lzop refuses larger blocks (MAX_BLOCK_SIZE); so does kdx. */
#define LZOP_MAX_BLOCK (64u << 20)
/* The header without name, filter and checksum, version >= 0x0940. */
#define LZOP_HEADER_MAX (2 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4 + 4 + 1 + 255)

enum {
	F_ADLER32_D = 0x1,
	F_ADLER32_C = 0x2,
	F_H_EXTRA_FIELD = 0x40,
	F_CRC32_D = 0x100,
	F_CRC32_C = 0x200,
	F_MULTIPART = 0x400,
	F_H_FILTER = 0x800,
	F_H_CRC32 = 0x1000,
};

/* The LZO1X methods lzop writes (-1 .. -6, the default -3, -7 .. -9);
 * all decompress with lzo1x_decompress_safe. */
enum { M_LZO1X_1 = 1, M_LZO1X_1_15 = 2, M_LZO1X_999 = 3 };

struct lzop {
	struct kdx_source *s;
	struct kdx_decompressed *d;
	uint32_t flags;
	uint8_t *in, *out; /* one block each */
	size_t in_cap, out_cap;
};

static bool lzop_starts(uint8_t b)
{
	return b == 0x89;
}

static uint32_t checksum(bool crc, const uint8_t *p, size_t n)
{
	return crc ? (uint32_t)crc32(0, p, (uInt)n) :
		     (uint32_t)adler32(1, p, (uInt)n);
}

static struct kdx_error *get_be32(struct lzop *z, uint32_t *v,
				  const char *what)
{
	uint8_t b[4];
	struct kdx_error *err = kdx_source_get(z->s, b, 4, what);

	if (!err)
		*v = kdx_load_u32(b, KDX_BIG_ENDIAN);
	return err;
}

/* Damage (KDX_ERR_CORRUPT) or a feature kdx does not read, at @at. */
static struct kdx_error *bad(uint64_t at, enum kdx_error_code code,
			     const char *what)
{
	return kdx_err_set_file_offset(
		code == KDX_ERR_CORRUPT ?
			kdx_err(code, "offset 0x%llx: the lzop stream is damaged (%s)",
				(unsigned long long)at, what) :
			kdx_err(code, "offset 0x%llx: lzop: %s",
				(unsigned long long)at, what),
		at);
}

/* Append @n bytes from the source to @h (for the header's checksum). */
static struct kdx_error *take(struct lzop *z, uint8_t *h, size_t *len,
			      size_t n)
{
	struct kdx_error *err = kdx_source_get(z->s, h + *len, n,
					       "the lzop header");

	*len += n;
	return err;
}

/* The extra field lzop can write (it never does): a length, the bytes,
 * their checksum; skipped once the checksum agrees. */
static struct kdx_error *extra_field(struct lzop *z, bool crc)
{
	uint8_t buf[4096];
	uint32_t len, sum, want;
	uint64_t at = kdx_source_offset(z->s);
	struct kdx_error *err = kdx_source_get(z->s, buf, 4, "the extra field");

	if (err)
		return err;
	len = kdx_load_u32(buf, KDX_BIG_ENDIAN);
	sum = crc ? (uint32_t)crc32(0, buf, 4) : (uint32_t)adler32(1, buf, 4);
	/* Bounded by len: each pass takes up to 4 KiB of it. */
	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if ((err = kdx_source_get(z->s, buf, n, "the extra field")))
			return err;
		sum = crc ? (uint32_t)crc32(sum, buf, (uInt)n) :
			    (uint32_t)adler32(sum, buf, (uInt)n);
		len -= (uint32_t)n;
	}
	if ((err = get_be32(z, &want, "the extra field's checksum")))
		return err;
	return sum == want ? NULL :
			     bad(at, KDX_ERR_CORRUPT,
				 "the header's extra field fails its checksum");
}

/* What the header says beyond the magic; checks its checksum. */
static struct kdx_error *header(struct lzop *z)
{
	uint8_t h[LZOP_HEADER_MAX + 4], magic[LZOP_MAGIC_LEN];
	uint64_t at = kdx_source_offset(z->s);
	size_t len = 0, flags_at, name_len;
	uint16_t version;
	uint32_t want, method;
	struct kdx_error *err = kdx_source_get(z->s, magic, sizeof(magic),
					       "the lzop magic");
	bool new_header, crc;

	if (!err && memcmp(magic, lzop_magic, sizeof(magic)))
		err = bad(at, KDX_ERR_CORRUPT, "no lzop magic");
	if (!err)
		err = take(z, h, &len, 6); /* version, library, (extract) */
	if (err)
		return err;
	version = kdx_load_u16(h, KDX_BIG_ENDIAN);
	if (version < 0x0900)
		return bad(at + 9, KDX_ERR_UNSUPPORTED,
			   "a file of lzop before 0.90");
	new_header = version >= 0x0940;
	/* Before 0.94: no extract version, no level: the 6 bytes were
	 * version, library, method and the flags' first byte. */
	if (new_header)
		err = take(z, h, &len, 2); /* method, level */
	if (!err)
		err = take(z, h, &len, new_header ? 4 : 3);
	if (err)
		return err;
	method = h[new_header ? 6 : 4];
	flags_at = new_header ? 8 : 5;
	z->flags = kdx_load_u32(h + flags_at, KDX_BIG_ENDIAN);
	if (method != M_LZO1X_1 && method != M_LZO1X_1_15 &&
	    method != M_LZO1X_999)
		return bad(at + 9 + (new_header ? 6 : 4),
			   KDX_ERR_UNSUPPORTED,
			   "the blocks use a method other than LZO1X (1, 2 or 3)");
	if (z->flags & (F_H_FILTER | F_MULTIPART))
		return bad(at + 9 + flags_at, KDX_ERR_UNSUPPORTED,
			   "a filtered or multi-part file (lzop -F, or not lzop's own)");
	crc = z->flags & F_H_CRC32;
	/* mode, mtime low (and high), the name's length. */
	if ((err = take(z, h, &len, new_header ? 13 : 9)))
		return err;
	name_len = h[len - 1];
	if ((err = take(z, h, &len, name_len)) ||
	    (err = get_be32(z, &want, "the lzop header's checksum")))
		return err;
	if (checksum(crc, h, len) != want)
		return bad(at + 9 + len, KDX_ERR_CORRUPT,
			   "the header fails its checksum");
	return z->flags & F_H_EXTRA_FIELD ? extra_field(z, crc) : NULL;
}

static struct kdx_error *grow(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return NULL;
	p = realloc(*buf, need);
	if (!p)
		return kdx_err_nomem();
	*buf = p;
	*cap = need;
	return NULL;
}

/* The checksums a block carries, in the order lzop writes them; the
 * compressed ones only when the block is compressed (a stored block's
 * are its uncompressed ones). */
struct sums {
	bool d, c;
	uint32_t d_sum, c_sum;
};

static struct kdx_error *block_sums(struct lzop *z, bool compressed,
				    struct sums *k)
{
	struct kdx_error *err = NULL;

	*k = (struct sums){ 0 };
	k->d = z->flags & (F_ADLER32_D | F_CRC32_D);
	k->c = compressed && (z->flags & (F_ADLER32_C | F_CRC32_C));
	if (z->flags & F_ADLER32_D)
		err = get_be32(z, &k->d_sum, "a block's checksum");
	if (!err && (z->flags & F_CRC32_D))
		err = get_be32(z, &k->d_sum, "a block's checksum");
	if (!err && compressed && (z->flags & F_ADLER32_C))
		err = get_be32(z, &k->c_sum, "a block's checksum");
	if (!err && compressed && (z->flags & F_CRC32_C))
		err = get_be32(z, &k->c_sum, "a block's checksum");
	return err;
}

/* The block at @at of @dst_len bytes, whose sizes were read. */
static struct kdx_error *block(struct lzop *z, uint64_t at, uint32_t dst_len,
			       uint32_t src_len)
{
	bool compressed = src_len < dst_len;
	struct sums k;
	uint64_t data_at;
	lzo_uint got = dst_len;
	struct kdx_error *err = block_sums(z, compressed, &k);

	/* No buffer for bytes the file does not have (a size field read
	 * from a damaged or cut file asks up to 64 MiB). */
	if (!err && z->s->size - kdx_source_offset(z->s) < src_len)
		err = kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"offset 0x%llx: a block of 0x%x bytes from offset 0x%llx runs past the end of the file: it was cut short",
				(unsigned long long)z->s->size, src_len,
				(unsigned long long)kdx_source_offset(z->s)),
			z->s->size);
	if (!err)
		err = grow(&z->in, &z->in_cap, src_len);
	if (!err)
		err = grow(&z->out, &z->out_cap, dst_len);
	if (err)
		return err;
	data_at = kdx_source_offset(z->s);
	if ((err = kdx_source_get(z->s, z->in, src_len, "a block")))
		return err;
	if (k.c && checksum(z->flags & F_CRC32_C, z->in, src_len) != k.c_sum)
		return bad(at, KDX_ERR_CORRUPT,
			   "a block's compressed bytes fail their checksum");
	if (!compressed)
		memcpy(z->out, z->in, src_len);
	else if (lzo1x_decompress_safe(z->in, src_len, z->out, &got, NULL) !=
			 LZO_E_OK ||
		 got != dst_len)
		return bad(data_at, KDX_ERR_CORRUPT,
			   "a block's LZO1X data does not decompress to its size");
	if (k.d && checksum(z->flags & F_CRC32_D, z->out, dst_len) != k.d_sum)
		return bad(at, KDX_ERR_CORRUPT,
			   "a block's decompressed bytes fail their checksum");
	return kdx_sink_write(z->d, z->out, dst_len);
}

/* The blocks up to the end marker. */
static struct kdx_error *blocks(struct lzop *z)
{
	/* Bounded: each block takes at least 8 bytes of the file. */
	for (;;) {
		uint64_t at = kdx_source_offset(z->s);
		uint32_t dst_len, src_len;
		struct kdx_error *err = get_be32(z, &dst_len, "a block header");

		if (err || !dst_len)
			return err;
		if (dst_len > LZOP_MAX_BLOCK)
			return bad(at, KDX_ERR_CORRUPT,
				   "a block larger than lzop's 64 MiB (or a split file)");
		if ((err = get_be32(z, &src_len, "a block header")))
			return err;
		if (!src_len || src_len > dst_len)
			return bad(at + 4, KDX_ERR_CORRUPT,
				   "a block's compressed size is 0 or larger than its size");
		if ((err = block(z, at, dst_len, src_len)))
			return err;
	}
}

struct kdx_error *kdx_decompress_lzop(struct kdx_source *s,
				      struct kdx_decompressed *d, uint8_t *out)
{
	struct lzop z = { .s = s, .d = d };
	struct kdx_error *err = NULL;
	bool more = true;

	(void)out; /* blocks are decompressed whole, into z.out */
	/* Bounded: each file takes at least its header from the source. */
	while (!err && more) {
		err = header(&z);
		if (!err)
			err = blocks(&z);
		if (!err)
			err = kdx_source_after_stream(s, lzop_starts, d->kind,
						      &more);
	}
	free(z.in);
	free(z.out);
	return err;
}
