/* SPDX-License-Identifier: MIT */
/* Test helper: build LiME (format=lime, version 1) and AVML (LiME
 * version 2, snappy-framed ranges) images in memory, from the layouts
 * LiME's src/lime.h and AVML's src/image.rs write (docs/memory-images.md),
 * written apart from libkdx's reader.  The framed stream and its CRC-32C
 * follow google/snappy's framing_format.txt. */
#ifndef KDX_TESTS_MKLIME_H
#define KDX_TESTS_MKLIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MKLIME_HEADER 32u
#define MKLIME_STREAM_ID 10u /* the framed stream's identifier chunk */

/* How an AVML range's data is framed. */
enum mklime_chunking {
	MKLIME_COMPRESSED,   /* snappy chunks, as AVML writes them */
	MKLIME_UNCOMPRESSED, /* stored chunks (type 0x01) */
	MKLIME_MIXED,        /* alternating, with padding and skippable
				chunks between them */
};

struct mklime_range {
	uint64_t start, size;
	const uint8_t *data; /* size bytes */
	/* The header's last address, when not start + size - 1 (to build
	 * bad headers); 0: computed. */
	uint64_t end_override;
	bool use_end_override;
};

struct mklime_options {
	unsigned int version;     /* 1: LiME; 2: AVML */
	size_t chunk_size;        /* AVML: data bytes per chunk (<= 65536);
				     0: 65536 */
	enum mklime_chunking chunking;
};

/* The image of @ranges, in the order given; malloc'd, size in *@size. */
uint8_t *mklime_build(const struct mklime_options *o,
		      const struct mklime_range *ranges, size_t count,
		      size_t *size);

/* Masked CRC-32C of @data, as a framed chunk stores it. */
uint32_t mklime_masked_crc(const uint8_t *data, size_t len);

#endif
