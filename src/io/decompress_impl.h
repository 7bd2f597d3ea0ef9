/* SPDX-License-Identifier: MIT */
/* Inside io/decompress.c: what a codec's decompressor is handed.  Each
 * codec (decompress.c: gzip, zstd; decompress_bzip2.c, decompress_xz.c,
 * decompress_lzop.c) reads the compressed bytes through a `source` and
 * writes what they expand to into a `decompressed` sink; decompress.c
 * owns both and serves the sink as a file. */
#ifndef KDX_IO_DECOMPRESS_IMPL_H
#define KDX_IO_DECOMPRESS_IMPL_H

#include "io/decompress.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The codecs' output scratch.  64 KiB costs nothing in speed (a 530 MB
 * dump decompresses as fast as with 1 MiB) and stays below the size at
 * which allocators (glibc's mmap threshold, ASan's large allocator) map
 * and unmap every buffer: small streams, fuzzed ones above all, do not
 * pay for a megabyte of page faults each. */
#define KDX_DECOMPRESS_OUT_CHUNK (64u << 10)

/* The decompressed bytes: in memory, or (once past memory_max) in an
 * unlinked temporary file. */
struct kdx_decompressed {
	uint8_t *mem;
	size_t cap;
	int fd;
	uint64_t size;
	enum kdx_stream_codec kind;
	uint64_t compressed_size;
	struct kdx_decompress_limits limits;
};

/* The compressed file read a chunk at a time. */
struct kdx_source {
	const struct kdx_file *file;
	uint64_t size; /* where the stream ends in the file */
	/* size is where the file stops holding bytes (an unwritten gap of
	 * a flattened stream), not its end */
	bool at_gap;
	uint64_t base; /* file offset of buf[0] */
	uint8_t *buf;
	size_t len, pos;
};

/* One codec's whole-stream decompressor: from @s into @d, with @out a
 * scratch buffer of KDX_DECOMPRESS_OUT_CHUNK bytes. */
typedef struct kdx_error *kdx_decompress_fn(struct kdx_source *s,
					    struct kdx_decompressed *d,
					    uint8_t *out);

kdx_decompress_fn kdx_decompress_bzip2, kdx_decompress_xz,
	kdx_decompress_lzop;

/* The file offset of the next unread byte. */
uint64_t kdx_source_offset(const struct kdx_source *s);
/* Make at least one unread byte available, unless the stream has ended
 * (then s->pos == s->len). */
struct kdx_error *kdx_source_fill(struct kdx_source *s);
/* Exactly @n bytes at the source's position into @buf; the stream
 * ending first is an error naming @what and the offset. */
struct kdx_error *kdx_source_get(struct kdx_source *s, void *buf, size_t n,
				 const char *what);
/* After a finished stream (gzip member, zstd frame, bzip2 or xz stream,
 * lzop file): whether another starts right there (*@more, judged by
 * @starts on its first byte), else only zero padding may follow. */
struct kdx_error *kdx_source_after_stream(struct kdx_source *s,
					  bool (*starts)(uint8_t),
					  enum kdx_stream_codec kind,
					  bool *more);
/* The error for a stream that stops at the end of the file. */
struct kdx_error *kdx_source_cut_short(const struct kdx_source *s,
				       enum kdx_stream_codec kind);
/* A damaged stream at the source's position: "offset 0x...: the xz
 * stream is damaged (@why)". */
struct kdx_error *kdx_source_damaged(const struct kdx_source *s,
				     enum kdx_stream_codec kind,
				     const char *why);

/* Append @n decompressed bytes (refused past limits.max_size). */
struct kdx_error *kdx_sink_write(struct kdx_decompressed *d, const uint8_t *p,
				 size_t n);

#endif
