/* SPDX-License-Identifier: MIT */
/* A whole-file compressed stream read as the file it holds: a kdx_file
 * backend over another kdx_file.  gzip and zstd: FreeBSD's `dumpon -z`/
 * `-Z` dumps as savecore keeps them (vmcore.N.gz / vmcore.N.zst), any dump
 * someone gzipped; gzip, bzip2, xz, lzop and zstd: the QEMU stream of a
 * libvirt save file, piped through the program its header names.
 *
 * None of these streams can be entered in the middle as the tools write
 * them (one deflate stream, one zstd frame, one xz block, bzip2 blocks at
 * bit offsets; lzop's blocks could be, but a QEMU stream must be read
 * whole to be indexed anyway: docs/memory-images.md has the
 * measurements), so the stream is decompressed once, when it is opened:
 * into memory while it is small, then into an unlinked temporary file
 * (all-zero blocks left as holes), never past a ceiling, so a stream that
 * would expand without end is refused with an error instead of filling
 * the disk. */
#ifndef KDX_IO_DECOMPRESS_H
#define KDX_IO_DECOMPRESS_H

#include "io/file.h"

#include <stdbool.h>
#include <stdint.h>

enum kdx_stream_codec {
	KDX_STREAM_GZIP,
	KDX_STREAM_ZSTD,
	KDX_STREAM_BZIP2,
	KDX_STREAM_XZ,
	KDX_STREAM_LZOP,
};

/* How far decompression may go; zero members take the defaults. */
struct kdx_decompress_limits {
	/* The largest decompressed size accepted (default 1 TiB); a zstd
	 * frame whose window is larger (above 128 MiB in any case) is
	 * refused before its window is allocated. */
	uint64_t max_size;
	/* Kept in memory up to this many bytes, then moved to a temporary
	 * file (default 64 MiB). */
	uint64_t memory_max;
	/* Where the temporary file goes (default $TMPDIR, else /tmp). */
	const char *tmpdir;
};

#define KDX_DECOMPRESS_MAX_SIZE (1ull << 40)
#define KDX_DECOMPRESS_MEMORY_MAX (64ull << 20)

/* Whether @file starts with @kind's magic (gzip 1f 8b 08, zstd
 * 28 b5 2f fd, bzip2 "BZh", xz fd "7zXZ" 00, lzop 89 "LZO" 00 0d 0a 1a
 * 0a). */
bool kdx_file_is_compressed(const struct kdx_file *file,
			    enum kdx_stream_codec kind);

/* Decompress @base, a @kind stream (gzip members or zstd frames, one or
 * several, then at most zero padding, as a dump device's last block
 * leaves), and view the result as a file named "NAME (gzip)".  Takes
 * ownership of @base (also on failure; it is closed once decompressed).
 * Errors name the compressed offset where the stream went wrong. */
struct kdx_error *kdx_file_open_decompressed(
	struct kdx_file *base, enum kdx_stream_codec kind,
	const struct kdx_decompress_limits *limits, struct kdx_file **out);

/* The same for the @length bytes of @base from @start (a stream inside
 * another file: a dump device's image after its 512-byte header). */
struct kdx_error *kdx_file_open_decompressed_range(
	struct kdx_file *base, uint64_t start, uint64_t length,
	enum kdx_stream_codec kind, const struct kdx_decompress_limits *limits,
	struct kdx_file **out);

/* The same without taking @base, which must outlive the view only until
 * this returns (the stream is decompressed before it does): a reader
 * decompressing part of the dump file it was handed. */
struct kdx_error *kdx_file_decompress_range(
	const struct kdx_file *base, uint64_t start, uint64_t length,
	enum kdx_stream_codec kind, const struct kdx_decompress_limits *limits,
	struct kdx_file **out);

/* Which codec's magic @file starts with, in one read: false for
 * none. */
bool kdx_file_compressed_codec(const struct kdx_file *file,
			       enum kdx_stream_codec *kind);

/* Whether the bytes of @file at @offset start with @kind's magic. */
bool kdx_file_is_compressed_at(const struct kdx_file *file, uint64_t offset,
			       enum kdx_stream_codec kind);

/* For a decompressed view: its kind, the compressed size and whether it
 * spilled to a temporary file; false for other files. */
bool kdx_file_decompressed_info(const struct kdx_file *file,
				enum kdx_stream_codec *kind,
				uint64_t *compressed_size, bool *on_disk);

/* "gzip", "zstd", "bzip2", "xz" or "lzop". */
const char *kdx_stream_codec_name(enum kdx_stream_codec kind);

#endif
