/* SPDX-License-Identifier: MIT */
/* The dump file: bounds-checked positional reads from a file descriptor or
 * from caller-owned memory.  Positional I/O keeps reads thread-safe. */
#ifndef KDX_IO_FILE_H
#define KDX_IO_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_file;

struct kdx_error *kdx_file_open(const char *path, struct kdx_file **out);
struct kdx_error *kdx_file_from_memory(const void *data, size_t size,
				       struct kdx_file **out);
void kdx_file_close(struct kdx_file *file);

/* Whether @file starts with makedumpfile's flattened-stream header. */
bool kdx_file_is_flattened(const struct kdx_file *file);

/* View a makedumpfile flattened stream (makedumpfile -F: a header, then
 * (offset, size, data) records, for piping over ssh) as the file it
 * describes, without rewriting it: reads find their records by binary
 * search; where records overlap the later one wins, as in a rewrite;
 * bytes no record wrote read as zeros.  Takes ownership of @base (also on
 * failure). */
struct kdx_error *kdx_file_open_flattened(struct kdx_file *base,
					  struct kdx_file **out);

/* For a flattened view: its record count and whether the end marker was
 * missing (a stream cut short); false for other files. */
bool kdx_file_flattened_info(const struct kdx_file *file, size_t *records,
			     bool *truncated);

uint64_t kdx_file_size(const struct kdx_file *file);
const char *kdx_file_name(const struct kdx_file *file);

/* Read exactly @len bytes at @offset.  A range past the end of the file is
 * a KDX_ERR_CORRUPT error naming offset, length and file size (the dump is
 * truncated or a header points outside it). */
struct kdx_error *kdx_file_read(const struct kdx_file *file, uint64_t offset,
				void *buf, size_t len);

/* Where the file's bytes at @offset are stored in a plain file descriptor,
 * for copying them without reading (copy_file_range, splice): returns the
 * descriptor (owned by @file) and sets *@fd_offset and *@len, the bytes
 * from @offset held contiguously there (at most @max; 0 at or past the
 * end of the file).  -1 for memory-backed and flattened files. */
int kdx_file_extent(const struct kdx_file *file, uint64_t offset,
		    uint64_t max, uint64_t *fd_offset, uint64_t *len);

/* The first offset at or after @offset whose byte the file really holds:
 * @offset itself in a plain file; in a flattened stream, where the next
 * record's bytes start (bytes no record wrote read as zeros, and a stream
 * of a few records can describe exabytes of them).  The file size when no
 * written byte follows. */
uint64_t kdx_file_next_written(const struct kdx_file *file, uint64_t offset);

/* Whether every byte of [@offset, @offset + @len) was written to the file
 * (always, inside a plain file); if not, *@gap is the first that was not
 * (a flattened stream's records leave it out). */
/* The end of the run of written bytes holding @offset (which must be
 * written): the file size in a plain file. */
uint64_t kdx_file_written_end(const struct kdx_file *file, uint64_t offset);

bool kdx_file_all_written(const struct kdx_file *file, uint64_t offset,
			  uint64_t len, uint64_t *gap);

/* Read up to @len bytes at @offset, fewer at the end of the file. */
struct kdx_error *kdx_file_read_some(const struct kdx_file *file,
				     uint64_t offset, void *buf, size_t len,
				     size_t *got);

#endif
