/* SPDX-License-Identifier: MIT */
#include "mklime.h"

#include "bytes.h"
#include "growbuf.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

static void put_chunk_header(struct growbuf *o, uint8_t type, size_t len)
{
	uint8_t h[4] = { type, (uint8_t)len, (uint8_t)(len >> 8),
			 (uint8_t)(len >> 16) };

	growbuf_put(o, h, sizeof(h));
}

/* Bit by bit, the slowest and plainest way. */
uint32_t mklime_masked_crc(const uint8_t *data, size_t len)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= data[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
	}
	c = ~c;
	return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

static void put_data_chunk(struct growbuf *o, const uint8_t *data, size_t len,
			   bool compress)
{
	uint8_t crc[4];
	size_t clen = snappy_max_compressed_length(len);
	char *c = malloc(clen);

	if (!c)
		abort();
	put32(crc, mklime_masked_crc(data, len), KDX_LITTLE_ENDIAN);
	if (compress && snappy_compress((const char *)data, len, c, &clen) !=
				SNAPPY_OK)
		abort();
	put_chunk_header(o, compress ? 0x00 : 0x01, 4 + (compress ? clen : len));
	growbuf_put(o, crc, 4);
	growbuf_put(o, compress ? (const uint8_t *)c : data, compress ? clen : len);
	free(c);
}

/* A framed snappy stream of @r's data, then its length. */
static void put_stream(struct growbuf *o, const struct mklime_options *opt,
		       const struct mklime_range *r)
{
	size_t chunk = opt->chunk_size ? opt->chunk_size : 65536;
	size_t begin = o->len, n = 0;
	uint8_t len[8];
	static const uint8_t pad[3] = { 0 };

	put_chunk_header(o, 0xff, 6);
	growbuf_put(o, "sNaPpY", 6);
	for (uint64_t at = 0; at < r->size; at += chunk, n++) {
		size_t part = r->size - at < chunk ? (size_t)(r->size - at) :
						     chunk;
		bool compress = opt->chunking == MKLIME_COMPRESSED ||
				(opt->chunking == MKLIME_MIXED && n % 2 == 0);

		if (opt->chunking == MKLIME_MIXED) {
			put_chunk_header(o, n % 2 ? 0xfe : 0x80, sizeof(pad));
			growbuf_put(o, pad, sizeof(pad));
		}
		put_data_chunk(o, r->data + at, part, compress);
	}
	put64(len, o->len - begin, KDX_LITTLE_ENDIAN);
	growbuf_put(o, len, sizeof(len));
}

uint8_t *mklime_build(const struct mklime_options *o,
		      const struct mklime_range *ranges, size_t count,
		      size_t *size)
{
	struct growbuf out = { 0 };

	for (size_t i = 0; i < count; i++) {
		const struct mklime_range *r = &ranges[i];
		uint8_t h[MKLIME_HEADER] = { 0 };

		memcpy(h, o->version == 2 ? "AVML" : "EMiL", 4);
		put32(h + 4, o->version, KDX_LITTLE_ENDIAN);
		put64(h + 8, r->start, KDX_LITTLE_ENDIAN);
		put64(h + 16,
		      r->use_end_override ? r->end_override :
					    r->start + r->size - 1,
		      KDX_LITTLE_ENDIAN);
		growbuf_put(&out, h, sizeof(h));
		if (o->version == 2)
			put_stream(&out, o, r);
		else
			growbuf_put(&out, r->data, (size_t)r->size);
	}
	*size = out.len;
	return out.p;
}
