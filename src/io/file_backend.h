/* SPDX-License-Identifier: MIT */
/* For backend authors: what a kdx_file is made of.
 *
 * A kdx_file is a dispatcher (io/file.c) over one backend: a table of
 * operations and the backend's private state.  The dispatcher owns the
 * name and the size, checks every request against the size once, loops
 * over short reads, retries interrupted ones and names the file and the
 * offset in every error; a backend only moves bytes.  The plain file
 * (file_fd.c), caller memory (file_memory.c) and makedumpfile's flattened
 * stream (flat.c) are backends; so are a compressed container or a test
 * that injects faults (tests/helpers/faultfile.c).
 *
 * The table is versioned, as libgit2's backend structs and SQLite's
 * io_methods are: a backend sets version to the KDX_FILE_OPS_VERSION it
 * was written against, and the dispatcher refuses a table it does not
 * know instead of calling through members that are not there. */
#ifndef KDX_IO_FILE_BACKEND_H
#define KDX_IO_FILE_BACKEND_H

#include "io/file.h"

#include <stddef.h>
#include <stdint.h>

#define KDX_FILE_OPS_VERSION 1

struct kdx_file_ops {
	/* KDX_FILE_OPS_VERSION. */
	unsigned int version;

	/* Required.  Read up to @len (> 0) bytes at @offset into @buf and
	 * set *@got.  The dispatcher has checked that @offset + @len lies
	 * inside the file's size.  Fewer than @len bytes is a short read:
	 * the dispatcher asks again for the rest; 0 says the bytes are gone
	 * (the storage ended before the size said), and the caller gets a
	 * short-read error.  An error whose errno is EINTR is retried; any
	 * other is the caller's, wrapped with the file's name and the
	 * offset.  Safe to call from several threads at once. */
	struct kdx_error *(*read)(void *priv, uint64_t offset, void *buf,
				  size_t len, size_t *got);

	/* Optional (NULL: never).  For copying without reading
	 * (copy_file_range, splice): when the bytes at @offset are stored
	 * verbatim in a descriptor, return it (owned by the backend) and
	 * set *@fd_offset to where they start there and *@len to how many
	 * of them (at most @max) lie there contiguously; else return -1.
	 * @offset is inside the file and @max fits in it, except at the
	 * end of the file, where @max is 0. */
	int (*extent)(void *priv, uint64_t offset, uint64_t max,
		      uint64_t *fd_offset, uint64_t *len);

	/* Optional, together, for sparse backends whose unwritten bytes
	 * read as zeros (NULL: every byte is written).  @offset is inside
	 * the file.  next_written: the first written offset at or after
	 * @offset, or the file's size.  written_end: the end of the run of
	 * written bytes holding @offset (which is written). */
	uint64_t (*next_written)(void *priv, uint64_t offset);
	uint64_t (*written_end)(void *priv, uint64_t offset);

	/* Optional (NULL: never).  The @len bytes at @offset where they
	 * already lie in memory as they are (a mapped file, caller
	 * memory), valid until the file is closed; NULL when they do not.
	 * Lets a reader decode straight from the file's bytes instead of
	 * copying them out first.  The dispatcher has checked the range. */
	const void *(*view)(void *priv, uint64_t offset, size_t len);

	/* Optional: release @priv and what it holds. */
	void (*close)(void *priv);
};

/* A file of @size bytes named @name (copied; for messages) served by
 * @ops over @priv.  Takes ownership of @priv: on failure @ops->close
 * releases it. */
struct kdx_error *kdx_file_create(const struct kdx_file_ops *ops, void *priv,
				  const char *name, uint64_t size,
				  struct kdx_file **out);

/* @file's private state if @ops serve it, else NULL: how a backend finds
 * its own state behind a kdx_file it is handed. */
void *kdx_file_priv(const struct kdx_file *file,
		    const struct kdx_file_ops *ops);

#endif
