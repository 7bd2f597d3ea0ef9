/* SPDX-License-Identifier: MIT */
/* Compressed streams for the tests; see mkcompressed.h. */
#include "mkcompressed.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

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

uint8_t *mkz_compress(enum mkz_codec codec, const void *data, size_t len,
		      unsigned int pieces, size_t padding, size_t *size)
{
	size_t per = pieces ? (len + pieces - 1) / pieces : len;
	size_t cap = (codec == MKZ_GZIP ? compressBound(len) + 64 * (pieces + 1)
					: ZSTD_compressBound(len) + 64 * (pieces + 1)) +
		     padding;
	uint8_t *out = calloc(1, cap);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t at = 0; at < len || (!len && !o); at += per) {
		size_t n = len - at < per ? len - at : per;
		size_t got = codec == MKZ_GZIP
				     ? gzip_piece((const uint8_t *)data + at, n,
						  out + o, cap - o - padding)
				     : zstd_piece((const uint8_t *)data + at, n,
						  out + o, cap - o - padding);

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
