/* SPDX-License-Identifier: MIT */
/* Compressed streams for the tests; see mkcompressed.h. */
#include "mkcompressed.h"

#include <bzlib.h>
#include <stdbool.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

const char *mkz_name(enum mkz_codec codec)
{
	static const char *const names[] = { "gzip", "zstd", "bzip2", "xz",
					     "lzop" };

	return names[codec];
}

/* One gzip member (deflate with a gzip header: window bits 16 + 15). */
static size_t gzip_piece(const uint8_t *in, size_t len, uint8_t *out,
			 size_t cap)
{
	z_stream z;
	size_t n;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return 0;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	n = deflate(&z, Z_FINISH) == Z_STREAM_END ? cap - z.avail_out : 0;
	deflateEnd(&z);
	return n;
}

/* One zstd frame with a checksum, written as a stream (no content size
 * in the header, as the kernel's streaming compressor leaves it). */
static size_t zstd_piece(const uint8_t *in, size_t len, uint8_t *out,
			 size_t cap)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_outBuffer ob = { out, cap, 0 };
	size_t left = 1;

	if (cc && !ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)))
		while (ib.pos < ib.size &&
		       !ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib,
							   ZSTD_e_continue)))
			;
	if (cc && ib.pos == ib.size)
		left = ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end);
	ZSTD_freeCCtx(cc);
	/* The bound leaves room: ending cannot need a second call. */
	return left == 0 ? ob.pos : 0;
}

/* One bzip2 stream, 100k blocks (bzip2 -1). */
static size_t bzip2_piece(const uint8_t *in, size_t len, uint8_t *out,
			  size_t cap)
{
	unsigned int n = (unsigned int)cap;

	return BZ2_bzBuffToBuffCompress((char *)out, &n, (char *)(uintptr_t)in,
					(unsigned int)len, 1, 0, 0) == BZ_OK ?
		       n :
		       0;
}

/* One xz stream (xz -1, CRC64, as the xz program checks by default). */
static size_t xz_piece(const uint8_t *in, size_t len, uint8_t *out,
		       size_t cap)
{
	size_t pos = 0;

	return lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, in, len, out,
				       &pos, cap) == LZMA_OK ?
		       pos :
		       0;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* lzop's header (version 1.04's fields), flags @flags, header checksum
 * Adler-32 (or CRC-32 with F_H_CRC32 0x1000). */
static size_t lzop_header(uint8_t *out, uint32_t flags)
{
	static const uint8_t magic[] = { 0x89, 'L', 'Z', 'O', 0,
					 0x0d, 0x0a, 0x1a, 0x0a };
	uint8_t *h = out + sizeof(magic);
	size_t n = 0;
	uint32_t sum;

	memcpy(out, magic, sizeof(magic));
	h[n++] = 0x10, h[n++] = 0x40; /* version 0x1040 */
	h[n++] = 0x20, h[n++] = 0xa0; /* LZO library 2.10 */
	h[n++] = 0x09, h[n++] = 0x40; /* needed to extract: 0.94 */
	h[n++] = 1;		      /* method LZO1X-1 */
	h[n++] = 3;		      /* level */
	be32(h + n, flags), n += 4;
	be32(h + n, 0100644), n += 4; /* mode */
	be32(h + n, 1700000000), n += 4; /* mtime low */
	be32(h + n, 0), n += 4;		 /* mtime high */
	h[n++] = 0;			 /* no name (stdin) */
	sum = flags & 0x1000 ? (uint32_t)crc32(0, h, (uInt)n) :
			       (uint32_t)adler32(1, h, (uInt)n);
	be32(h + n, sum), n += 4;
	return sizeof(magic) + n;
}

/* One lzop file of 256 KiB blocks (lzop's own size), each LZO1X-1 or
 * stored when it does not shrink; @crc: CRC-32 checksums (lzop -C uses
 * Adler-32 too; CRC-32 is what lzop --crc32 writes), else Adler-32 of
 * each block before and, when compressed, after compression. */
static size_t lzop_piece(const uint8_t *in, size_t len, uint8_t *out,
			 size_t cap, bool crc)
{
	static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
	uint32_t flags = crc ? 0x100 | 0x200 | 0x1000 : 0x1 | 0x2;
	size_t o = lzop_header(out, flags | 0x03000000 | 0xc);

	for (size_t at = 0; at < len; at += 256u << 10) {
		size_t n = len - at < 256u << 10 ? len - at : 256u << 10;
		const uint8_t *blk = in + at;
		lzo_uint clen;
		uint8_t *c = out + o + 16;

		if (cap - o < n + n / 16 + 64 + 3 + 16 ||
		    lzo1x_1_compress(blk, n, c, &clen, wrk) != LZO_E_OK)
			return 0;
		be32(out + o, (uint32_t)n);
		be32(out + o + 8, crc ? (uint32_t)crc32(0, blk, (uInt)n) :
					(uint32_t)adler32(1, blk, (uInt)n));
		if (clen < n) {
			be32(out + o + 4, (uint32_t)clen);
			be32(out + o + 12, crc ? (uint32_t)crc32(0, c, (uInt)clen) :
						 (uint32_t)adler32(1, c, (uInt)clen));
			o += 16 + clen;
		} else { /* stored: no second checksum */
			be32(out + o + 4, (uint32_t)n);
			memcpy(out + o + 12, blk, n);
			o += 12 + n;
		}
	}
	if (cap - o < 4)
		return 0;
	be32(out + o, 0);
	return o + 4;
}

static size_t piece(enum mkz_codec codec, unsigned int index,
		    const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	switch (codec) {
	case MKZ_GZIP:
		return gzip_piece(in, len, out, cap);
	case MKZ_ZSTD:
		return zstd_piece(in, len, out, cap);
	case MKZ_BZIP2:
		return bzip2_piece(in, len, out, cap);
	case MKZ_XZ:
		return xz_piece(in, len, out, cap);
	case MKZ_LZOP:
		return lzop_piece(in, len, out, cap, index % 2);
	}
	return 0;
}

uint8_t *mkz_compress(enum mkz_codec codec, const void *data, size_t len,
		      unsigned int pieces, size_t padding, size_t *size)
{
	size_t per = pieces ? (len + pieces - 1) / pieces : len;
	size_t cap = len + len / 4 + 65536 * (pieces + 1) + padding;
	uint8_t *out = calloc(1, cap);
	size_t o = 0;
	unsigned int index = 0;

	if (!out)
		return NULL;
	for (size_t at = 0; at < len || (!len && !o); at += per) {
		size_t n = len - at < per ? len - at : per;
		size_t got = piece(codec, index++, (const uint8_t *)data + at,
				   n, out + o, cap - o - padding);

		if (!got) {
			free(out);
			return NULL;
		}
		o += got;
		if (!len)
			break;
	}
	*size = o + padding; /* calloc's zeros are the padding */
	return out;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 &&
	    !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)n)) &&
	    fread(buf, 1, (size_t)n, f) == (size_t)n) {
		*size = (size_t)n;
	} else {
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

uint8_t *mkz_tool(enum mkz_codec codec, const void *data, size_t len,
		  size_t *size)
{
	char in[] = "/tmp/kdx-mkz-in-XXXXXX", out[64], *cmd = NULL;
	int fd = mkstemp(in);
	uint8_t *z = NULL;
	bool written;

	if (fd < 0)
		return NULL;
	written = write(fd, data, len) == (ssize_t)len;
	close(fd);
	snprintf(out, sizeof(out), "%s.%s", in, mkz_name(codec));
	if (written &&
	    asprintf(&cmd, "%s -c < %s > %s 2>/dev/null", mkz_name(codec), in,
		     out) > 0 &&
	    system(cmd) == 0)
		z = read_file(out, size);
	free(cmd);
	unlink(in);
	unlink(out);
	return z;
}
