/* SPDX-License-Identifier: MIT */
/* Test helper: a buffer compressed the way FreeBSD's dumpon -z / -Z and
 * savecore leave a dump (a gzip or zstd stream of the whole file), with
 * the codecs' own compressors, in one or several gzip members / zstd
 * frames, then zero padding (a dump device's last block). */
#ifndef KDX_TESTS_MKCOMPRESSED_H
#define KDX_TESTS_MKCOMPRESSED_H

#include <stddef.h>
#include <stdint.h>

enum mkz_codec {
	MKZ_GZIP,
	MKZ_ZSTD,
};

/* @len bytes at @data as @codec, split into @pieces members or frames of
 * about equal size, then @padding zero bytes; malloc'd, size in *@size;
 * NULL on failure. */
uint8_t *mkz_compress(enum mkz_codec codec, const void *data, size_t len,
		      unsigned int pieces, size_t padding, size_t *size);

#endif
