/* SPDX-License-Identifier: MIT */
/* Test helper: a buffer compressed the way FreeBSD's dumpon -z / -Z and
 * savecore leave a dump (a gzip or zstd stream of the whole file), or
 * the way libvirt's compressor programs leave a save file's QEMU stream
 * (gzip, bzip2, xz, lzop, zstd), with the codecs' own libraries, in one
 * or several gzip members / zstd frames / bzip2, xz streams / lzop
 * files, then zero padding (a dump device's last block).  lzop's
 * container has no library: it is written here from lzop's layout
 * (docs/memory-images.md) around liblzo2's LZO1X-1 blocks; mkz_tool()
 * runs the real program for a second opinion. */
#ifndef KDX_TESTS_MKCOMPRESSED_H
#define KDX_TESTS_MKCOMPRESSED_H

#include <stddef.h>
#include <stdint.h>

enum mkz_codec {
	MKZ_GZIP,
	MKZ_ZSTD,
	MKZ_BZIP2,
	MKZ_XZ,
	MKZ_LZOP,
};

/* "gzip", "zstd", "bzip2", "xz", "lzop". */
const char *mkz_name(enum mkz_codec codec);

/* @len bytes at @data as @codec, split into @pieces members or frames of
 * about equal size, then @padding zero bytes; malloc'd, size in *@size;
 * NULL on failure. */
uint8_t *mkz_compress(enum mkz_codec codec, const void *data, size_t len,
		      unsigned int pieces, size_t padding, size_t *size);

/* @len bytes at @data through the program @codec names ("lzop -c"),
 * via temporary files; NULL when the program is not installed or
 * fails. */
uint8_t *mkz_tool(enum mkz_codec codec, const void *data, size_t len,
		  size_t *size);

#endif
