/* SPDX-License-Identifier: MIT */
#include "format/common/codec.h"

#include <libdeflate.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

struct kdx_decoder {
	struct kdx_decoder *next;
	struct libdeflate_decompressor *deflate;
	ZSTD_DCtx *zstd;
};

const char *kdx_codec_name(enum kdx_codec codec)
{
	switch (codec) {
	case KDX_CODEC_NONE: return "none";
	case KDX_CODEC_ZLIB: return "zlib";
	case KDX_CODEC_LZO: return "lzo";
	case KDX_CODEC_SNAPPY: return "snappy";
	case KDX_CODEC_ZSTD: return "zstd";
	}
	return "unknown";
}

void kdx_decoder_pool_init(struct kdx_decoder_pool *pool)
{
	pthread_mutex_init(&pool->lock, NULL);
	pool->free_list = NULL;
}

static void decoder_destroy(struct kdx_decoder *d)
{
	if (!d)
		return;
	if (d->deflate)
		libdeflate_free_decompressor(d->deflate);
	ZSTD_freeDCtx(d->zstd);
	free(d);
}

void kdx_decoder_pool_deinit(struct kdx_decoder_pool *pool)
{
	while (pool->free_list) {
		struct kdx_decoder *d = pool->free_list;

		pool->free_list = d->next;
		decoder_destroy(d);
	}
	pthread_mutex_destroy(&pool->lock);
}

struct kdx_decoder *kdx_decoder_get(struct kdx_decoder_pool *pool)
{
	struct kdx_decoder *d;

	pthread_mutex_lock(&pool->lock);
	d = pool->free_list;
	if (d)
		pool->free_list = d->next;
	pthread_mutex_unlock(&pool->lock);
	if (d)
		return d;
	/* Contexts are made on first use of each codec. */
	return calloc(1, sizeof(*d));
}

void kdx_decoder_put(struct kdx_decoder_pool *pool, struct kdx_decoder *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&pool->lock);
	d->next = pool->free_list;
	pool->free_list = d;
	pthread_mutex_unlock(&pool->lock);
}

static struct kdx_error *wrong_size(enum kdx_codec codec, size_t got,
				    size_t want)
{
	return kdx_err(KDX_ERR_CORRUPT,
		       "%s data decompressed to %zu bytes, not the page's %zu",
		       kdx_codec_name(codec), got, want);
}

static struct kdx_error *bad_data(enum kdx_codec codec, const char *why)
{
	return kdx_err(KDX_ERR_CORRUPT, "%s data does not decompress: %s",
		       kdx_codec_name(codec), why);
}

static struct kdx_error *decode_zlib(struct kdx_decoder *d, const uint8_t *in,
				     size_t in_len, uint8_t *out,
				     size_t out_len)
{
	size_t got = 0;
	enum libdeflate_result r;

	if (!d->deflate)
		d->deflate = libdeflate_alloc_decompressor();
	if (!d->deflate)
		return kdx_err_nomem();
	r = libdeflate_zlib_decompress(d->deflate, in, in_len, out, out_len,
				       &got);
	if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
		return bad_data(KDX_CODEC_ZLIB, "more than a page of output");
	if (r != LIBDEFLATE_SUCCESS)
		return bad_data(KDX_CODEC_ZLIB, "invalid zlib stream");
	return got == out_len ? NULL : wrong_size(KDX_CODEC_ZLIB, got, out_len);
}

static struct kdx_error *decode_lzo(const uint8_t *in, size_t in_len,
				    uint8_t *out, size_t out_len)
{
	lzo_uint got = out_len;
	int r = lzo1x_decompress_safe(in, in_len, out, &got, NULL);

	if (r != LZO_E_OK)
		return bad_data(KDX_CODEC_LZO, r == LZO_E_OUTPUT_OVERRUN ?
						       "more than a page of output" :
						       "invalid LZO1X block");
	return got == out_len ? NULL : wrong_size(KDX_CODEC_LZO, got, out_len);
}

static struct kdx_error *decode_snappy(const uint8_t *in, size_t in_len,
				       uint8_t *out, size_t out_len)
{
	size_t got = 0;

	if (snappy_uncompressed_length((const char *)in, in_len, &got) !=
	    SNAPPY_OK)
		return bad_data(KDX_CODEC_SNAPPY, "invalid length prefix");
	if (got != out_len)
		return wrong_size(KDX_CODEC_SNAPPY, got, out_len);
	if (snappy_uncompress((const char *)in, in_len, (char *)out, &got) !=
	    SNAPPY_OK)
		return bad_data(KDX_CODEC_SNAPPY, "invalid snappy block");
	return NULL;
}

static struct kdx_error *decode_zstd(struct kdx_decoder *d, const uint8_t *in,
				     size_t in_len, uint8_t *out,
				     size_t out_len)
{
	size_t got;

	if (!d->zstd)
		d->zstd = ZSTD_createDCtx();
	if (!d->zstd)
		return kdx_err_nomem();
	got = ZSTD_decompressDCtx(d->zstd, out, out_len, in, in_len);
	if (ZSTD_isError(got))
		return bad_data(KDX_CODEC_ZSTD, ZSTD_getErrorName(got));
	return got == out_len ? NULL : wrong_size(KDX_CODEC_ZSTD, got, out_len);
}

struct kdx_error *kdx_decode(struct kdx_decoder *d, enum kdx_codec codec,
			     const uint8_t *in, size_t in_len, uint8_t *out,
			     size_t out_len)
{
	switch (codec) {
	case KDX_CODEC_NONE:
		if (in_len != out_len)
			return wrong_size(codec, in_len, out_len);
		memcpy(out, in, out_len);
		return NULL;
	case KDX_CODEC_ZLIB:
		return decode_zlib(d, in, in_len, out, out_len);
	case KDX_CODEC_LZO:
		return decode_lzo(in, in_len, out, out_len);
	case KDX_CODEC_SNAPPY:
		return decode_snappy(in, in_len, out, out_len);
	case KDX_CODEC_ZSTD:
		return decode_zstd(d, in, in_len, out, out_len);
	}
	return kdx_err(KDX_ERR_UNSUPPORTED, "unknown compression");
}

struct kdx_encoder {
	enum kdx_codec codec;
	int level;
	struct libdeflate_compressor *deflate;
	ZSTD_CCtx *zstd;
	void *lzo_work;
};

struct kdx_error *kdx_encoder_create(enum kdx_codec codec, int level,
				     struct kdx_encoder **out)
{
	struct kdx_encoder *e = calloc(1, sizeof(*e));

	if (!e)
		return kdx_err_nomem();
	e->codec = codec;
	/* makedumpfile's choices: zlib Z_BEST_SPEED, zstd level 1. */
	e->level = level > 0 ? level : 1;
	switch (codec) {
	case KDX_CODEC_ZLIB:
		/* libdeflate's levels run 1..12; its level 1 is faster than
		 * zlib's and still a standard zlib stream. */
		e->deflate = libdeflate_alloc_compressor(
			e->level > 12 ? 12 : e->level);
		if (!e->deflate)
			goto nomem;
		break;
	case KDX_CODEC_ZSTD:
		e->zstd = ZSTD_createCCtx();
		if (!e->zstd)
			goto nomem;
		break;
	case KDX_CODEC_LZO:
		e->lzo_work = malloc(LZO1X_1_MEM_COMPRESS);
		if (!e->lzo_work)
			goto nomem;
		break;
	default:
		break;
	}
	*out = e;
	return NULL;
nomem:
	kdx_encoder_destroy(e);
	return kdx_err_nomem();
}

void kdx_encoder_destroy(struct kdx_encoder *e)
{
	if (!e)
		return;
	if (e->deflate)
		libdeflate_free_compressor(e->deflate);
	ZSTD_freeCCtx(e->zstd);
	free(e->lzo_work);
	free(e);
}

size_t kdx_encode_bound(enum kdx_codec codec, size_t in_len)
{
	switch (codec) {
	case KDX_CODEC_ZLIB: return libdeflate_zlib_compress_bound(NULL, in_len);
	case KDX_CODEC_LZO: return in_len + in_len / 16 + 64 + 3;
	case KDX_CODEC_SNAPPY: return snappy_max_compressed_length(in_len);
	case KDX_CODEC_ZSTD: return ZSTD_compressBound(in_len);
	default: return in_len;
	}
}

size_t kdx_encode(struct kdx_encoder *e, const uint8_t *in, size_t in_len,
		  uint8_t *out)
{
	size_t n = 0, cap = kdx_encode_bound(e->codec, in_len);
	lzo_uint lzo_len = 0;

	switch (e->codec) {
	case KDX_CODEC_ZLIB:
		n = libdeflate_zlib_compress(e->deflate, in, in_len, out, cap);
		break;
	case KDX_CODEC_LZO:
		if (lzo1x_1_compress(in, in_len, out, &lzo_len, e->lzo_work) ==
		    LZO_E_OK)
			n = lzo_len;
		break;
	case KDX_CODEC_SNAPPY:
		n = cap;
		if (snappy_compress((const char *)in, in_len, (char *)out, &n) !=
		    SNAPPY_OK)
			n = 0;
		break;
	case KDX_CODEC_ZSTD:
		n = ZSTD_compressCCtx(e->zstd, out, cap, in, in_len, e->level);
		if (ZSTD_isError(n))
			n = 0;
		break;
	default:
		return 0;
	}
	return n < in_len ? n : 0;
}
