/* SPDX-License-Identifier: MIT */
/* The dump file: bounds-checked positional reads, whatever holds the
 * bytes (a file descriptor, caller memory, a container read in place;
 * io/file_backend.h for writing another).  Positional I/O keeps reads
 * thread-safe. */
#ifndef KDX_IO_FILE_H
#define KDX_IO_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_file;

/* A file or block device (io/file_fd.c): a regular file is mapped into
 * memory and read from the map unless @flags has KDX_FILE_NO_MAP, which
 * reads with pread (an I/O error is then an error, not SIGBUS). */
#define KDX_FILE_NO_MAP 1u
struct kdx_error *kdx_file_open_flags(const char *path, unsigned int flags,
				      struct kdx_file **out);
/* kdx_file_open_flags(@path, 0, @out). */
struct kdx_error *kdx_file_open(const char *path, struct kdx_file **out);
/* @size bytes at @data, which the caller keeps alive and unchanged while
 * the file is open (io/file_memory.c). */
struct kdx_error *kdx_file_from_memory(const void *data, size_t size,
				       struct kdx_file **out);
/* The @length bytes of @base from @start, as a file of their own
 * (io/file_slice.c).  Takes ownership of @base, also on failure. */
struct kdx_error *kdx_file_open_slice(struct kdx_file *base, uint64_t start,
				      uint64_t length, struct kdx_file **out);
/* Whether @file is such a window: *@base holds it from *@start. */
bool kdx_file_slice_info(const struct kdx_file *file,
			 const struct kdx_file **base, uint64_t *start);
void kdx_file_close(struct kdx_file *file);

uint64_t kdx_file_size(const struct kdx_file *file);
const char *kdx_file_name(const struct kdx_file *file);

/* Read exactly @len bytes at @offset.  A range past the end of the file is
 * a KDX_ERR_CORRUPT error naming offset, length and file size (the dump is
 * truncated or a header points outside it). */
struct kdx_error *kdx_file_read(const struct kdx_file *file, uint64_t offset,
				void *buf, size_t len);

/* kdx_file_read() for bytes a scan reads once (a program header table):
 * where a descriptor holds them as they are, they are read with pread,
 * so a mapped file's pages do not become resident in the process (a
 * million PT_LOADs are 56 MB of table, read twice at most). */
struct kdx_error *kdx_file_read_stream(const struct kdx_file *file,
				       uint64_t offset, void *buf, size_t len);

/* Read up to @len bytes at @offset, fewer at the end of the file. */
struct kdx_error *kdx_file_read_some(const struct kdx_file *file,
				     uint64_t offset, void *buf, size_t len,
				     size_t *got);

/* Where the file's bytes at @offset are stored in a plain file descriptor,
 * for copying them without reading (copy_file_range, splice): returns the
 * descriptor (owned by @file) and sets *@fd_offset and *@len, the bytes
 * from @offset held contiguously there (at most @max; 0 at or past the
 * end of the file).  -1 for files whose bytes no descriptor holds as they
 * are (memory-backed, flattened, compressed). */
int kdx_file_extent(const struct kdx_file *file, uint64_t offset,
		    uint64_t max, uint64_t *fd_offset, uint64_t *len);

/* The @len bytes at @offset of @file where they already lie in memory
 * as they are (a mapped file, caller memory, a decompressed stream kept
 * in memory), valid while @file is open; NULL otherwise, or for a range
 * outside the file: then read them with kdx_file_read.  Reading through
 * the pointer of a mapped file has the map's risk (SIGBUS if the file is
 * cut short while open), as kdx_file_read from the map has. */
const void *kdx_file_view(const struct kdx_file *file, uint64_t offset,
			  size_t len);

/* The first offset at or after @offset whose byte the file really holds:
 * @offset itself in a plain file; in a flattened stream, where the next
 * record's bytes start (bytes no record wrote read as zeros, and a stream
 * of a few records can describe exabytes of them).  The file size when no
 * written byte follows. */
uint64_t kdx_file_next_written(const struct kdx_file *file, uint64_t offset);

/* The end of the run of written bytes holding @offset (which must be
 * written): the file size in a plain file. */
uint64_t kdx_file_written_end(const struct kdx_file *file, uint64_t offset);

/* The first offset at or after @offset that may hold a non-zero byte:
 * every byte before it reads as zero, because no record of a flattened
 * stream wrote it or because it lies in a hole of a sparse plain file
 * (SEEK_DATA).  @offset itself where the file cannot tell; the file size
 * when only zeros follow.  Lets a scan of mostly empty bitmaps skip what
 * it need not read; never a reason to treat the bytes as absent. */
uint64_t kdx_file_next_data(const struct kdx_file *file, uint64_t offset);

/* Whether every byte of [@offset, @offset + @len) was written to the file
 * (always, inside a plain file); if not, *@gap is the first that was not
 * (a flattened stream's records leave it out). */
bool kdx_file_all_written(const struct kdx_file *file, uint64_t offset,
			  uint64_t len, uint64_t *gap);

/* The guard for a size read from a header: NULL when the file holds
 * every byte of @what at [@offset, @offset + @len); else a KDX_ERR_CORRUPT
 * error naming @what, the range and the first byte missing (past the end
 * of the file, or one no record of a flattened stream wrote, where a few
 * records can describe gigabytes of zeros), with that byte as the
 * error's file offset.  Reading what the header claims then costs what
 * the file holds. */
struct kdx_error *kdx_file_check_written(const struct kdx_file *file,
					 const char *what, uint64_t offset,
					 uint64_t len);

/* kdx_file_check_written(), then the @len bytes read into a new buffer
 * (*@out, malloc'd, at least one byte; NULL on error). */
struct kdx_error *kdx_file_read_alloc(const struct kdx_file *file,
				      const char *what, uint64_t offset,
				      size_t len, void **out);

#endif
