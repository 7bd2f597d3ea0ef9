/* SPDX-License-Identifier: MIT */
/* Where a writer's bytes go: a temporary file renamed into place only on
 * success, or makedumpfile's flattened stream (records of offset, size,
 * data), which can go to a pipe.  Writers address bytes by their offset
 * in the final file either way. */
#ifndef KDX_WRITE_SINK_H
#define KDX_WRITE_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_sink;

/* @path "-" is standard output (flattened only). */
struct kdx_error *kdx_sink_open(const char *path, bool flatten,
				struct kdx_sink **out);

struct kdx_error *kdx_sink_write_at(struct kdx_sink *sink, uint64_t offset,
				    const void *buf, size_t len);

/* Write @len bytes that file descriptor @fd holds at @in_offset, at
 * @offset in the output: without copying them through user space where
 * the kernel can (copy_file_range, then splice), else read and written.
 * An input that ends early is a KDX_ERR_CORRUPT error. */
struct kdx_error *kdx_sink_copy_from(struct kdx_sink *sink, uint64_t offset,
				     int fd, uint64_t in_offset, uint64_t len);

/* The output's size so far: the stream's length (record headers
 * included) when flattened, else the file's length (gaps included). */
uint64_t kdx_sink_bytes(const struct kdx_sink *sink);

/* Finish: end the stream, flush to disk, rename into place; frees @sink. */
struct kdx_error *kdx_sink_commit(struct kdx_sink *sink);

/* Give up: remove the temporary file; frees @sink.  NULL is ignored. */
void kdx_sink_abort(struct kdx_sink *sink);

#endif
