/* SPDX-License-Identifier: MIT */
/* The kdx_file object, shared by file.c and flat.c only. */
#ifndef KDX_IO_FILE_INTERNAL_H
#define KDX_IO_FILE_INTERNAL_H

#include "io/file.h"

#include <stdbool.h>
#include <stdint.h>

/* Where a run of a flattened stream's logical bytes lives in the stream. */
struct flat_extent {
	uint64_t offset;      /* logical offset */
	uint64_t size;
	uint64_t base_offset; /* where the bytes are in the stream file */
};

struct kdx_file {
	int fd;                 /* -1 for memory-backed and flattened files */
	const uint8_t *memory;  /* caller-owned bytes, or NULL */
	uint64_t size;
	char *name;
	/* Flattened view: the stream and its sorted, disjoint extents. */
	struct kdx_file *base;
	struct flat_extent *extents;
	size_t extent_count;
	size_t record_count;
	bool truncated;
};

/* Read @len bytes (all inside the logical size) of a flattened view. */
struct kdx_error *kdx_flat_read(const struct kdx_file *file, uint64_t offset,
				void *buf, size_t len);

/* kdx_file_written_end() of a flattened view. */
uint64_t kdx_flat_written_end(const struct kdx_file *file, uint64_t offset);

/* kdx_file_next_written() of a flattened view. */
uint64_t kdx_flat_next_written(const struct kdx_file *file, uint64_t offset);

#endif
