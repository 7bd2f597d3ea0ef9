/* SPDX-License-Identifier: MIT */
/* Whole-page decompression for the compressed dump formats: zlib (through
 * libdeflate, whole-buffer and faster than zlib's stream API), LZO1X,
 * snappy and zstd — all four always built in.  Decoders keep state (a
 * libdeflate or zstd context), so each thread borrows one from a pool. */
#ifndef KDX_FORMAT_COMMON_CODEC_H
#define KDX_FORMAT_COMMON_CODEC_H

#include "core/error.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum kdx_codec {
	KDX_CODEC_NONE,
	KDX_CODEC_ZLIB,
	KDX_CODEC_LZO,
	KDX_CODEC_SNAPPY,
	KDX_CODEC_ZSTD,
};

const char *kdx_codec_name(enum kdx_codec codec);

struct kdx_decoder;

/* A pool of decoders; any thread may borrow one. */
struct kdx_decoder_pool {
	pthread_mutex_t lock;
	struct kdx_decoder *free_list;
};

void kdx_decoder_pool_init(struct kdx_decoder_pool *pool);
void kdx_decoder_pool_deinit(struct kdx_decoder_pool *pool);
struct kdx_decoder *kdx_decoder_get(struct kdx_decoder_pool *pool);
void kdx_decoder_put(struct kdx_decoder_pool *pool, struct kdx_decoder *d);

/* Decompress @in into exactly @out_len bytes; anything else (bad data,
 * a different length) is a KDX_ERR_CORRUPT error saying which. */
struct kdx_error *kdx_decode(struct kdx_decoder *d, enum kdx_codec codec,
			     const uint8_t *in, size_t in_len, uint8_t *out,
			     size_t out_len);

/* Compression, for the writers.  An encoder belongs to one thread. */
struct kdx_encoder;

struct kdx_error *kdx_encoder_create(enum kdx_codec codec, int level,
				     struct kdx_encoder **out);
void kdx_encoder_destroy(struct kdx_encoder *e);

/* Room kdx_encode() needs for the output of an @in_len-byte input. */
size_t kdx_encode_bound(enum kdx_codec codec, size_t in_len);

/* Compress @in into @out (kdx_encode_bound() bytes): the compressed size,
 * or 0 when the result would not be smaller than the input (the page is
 * then stored plain, as makedumpfile does) or the codec failed. */
size_t kdx_encode(struct kdx_encoder *e, const uint8_t *in, size_t in_len,
		  uint8_t *out);

#endif
