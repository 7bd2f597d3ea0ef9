/* SPDX-License-Identifier: MIT */
/* The kdx_file dispatcher: one place checks every request against the
 * file's size, loops over short reads, retries interrupted ones and names
 * the file and the offset in errors, so the backends (file_backend.h)
 * only move bytes. */
#include "io/file_backend.h"

#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A backend interrupted this many times in a row without moving a byte
 * is failing, not being interrupted. */
#define MAX_INTERRUPTS 100

struct kdx_file {
	const struct kdx_file_ops *ops;
	void *priv;
	char *name;
	uint64_t size;
};

struct kdx_error *kdx_file_create(const struct kdx_file_ops *ops, void *priv,
				  const char *name, uint64_t size,
				  struct kdx_file **out)
{
	struct kdx_file *file;

	if (ops->version != KDX_FILE_OPS_VERSION || !ops->read ||
	    !ops->next_written != !ops->written_end) {
		if (ops->close)
			ops->close(priv);
		return kdx_err(KDX_ERR_INVALID,
			       "%s: file backend table version %u is not %u, or lacks an operation",
			       name, ops->version, KDX_FILE_OPS_VERSION);
	}
	file = calloc(1, sizeof(*file));
	if (file)
		file->name = strdup(name);
	if (!file || !file->name) {
		free(file);
		if (ops->close)
			ops->close(priv);
		return kdx_err_nomem();
	}
	file->ops = ops;
	file->priv = priv;
	file->size = size;
	*out = file;
	return NULL;
}

void *kdx_file_priv(const struct kdx_file *file,
		    const struct kdx_file_ops *ops)
{
	return file->ops == ops ? file->priv : NULL;
}

void kdx_file_close(struct kdx_file *file)
{
	if (!file)
		return;
	if (file->ops->close)
		file->ops->close(file->priv);
	free(file->name);
	free(file);
}

uint64_t kdx_file_size(const struct kdx_file *file)
{
	return file->size;
}

const char *kdx_file_name(const struct kdx_file *file)
{
	return file->name;
}

int kdx_file_extent(const struct kdx_file *file, uint64_t offset,
		    uint64_t max, uint64_t *fd_offset, uint64_t *len)
{
	if (!file->ops->extent)
		return -1;
	max = offset < file->size ? kdx_min_u64(max, file->size - offset) : 0;
	return file->ops->extent(file->priv, offset, max, fd_offset, len);
}

const void *kdx_file_view(const struct kdx_file *file, uint64_t offset,
			  size_t len)
{
	uint64_t end;

	if (!file->ops->view || kdx_add_overflows(offset, len, &end) ||
	    end > file->size)
		return NULL;
	return file->ops->view(file->priv, offset, len);
}

uint64_t kdx_file_next_written(const struct kdx_file *file, uint64_t offset)
{
	if (offset >= file->size)
		return file->size;
	if (!file->ops->next_written)
		return offset;
	return kdx_min_u64(file->ops->next_written(file->priv, offset),
			   file->size);
}

uint64_t kdx_file_written_end(const struct kdx_file *file, uint64_t offset)
{
	if (offset >= file->size || !file->ops->written_end)
		return file->size;
	return kdx_min_u64(file->ops->written_end(file->priv, offset),
			   file->size);
}

/* SEEK_DATA on the descriptor that holds the bytes at @offset. */
static uint64_t next_data_in_fd(const struct kdx_file *file, uint64_t offset)
{
	uint64_t fd_offset, len;
	int fd = kdx_file_extent(file, offset, file->size - offset, &fd_offset,
				 &len);
	off_t data;

	if (fd < 0 || !len || fd_offset > (uint64_t)INT64_MAX)
		return offset;
	data = lseek(fd, (off_t)fd_offset, SEEK_DATA);
	if (data < 0)
		/* ENXIO: only a hole up to the end; anything else (no
		 * SEEK_DATA here): no knowledge. */
		return errno == ENXIO ? offset + len : offset;
	if ((uint64_t)data < fd_offset)
		return offset;
	return offset + kdx_min_u64((uint64_t)data - fd_offset, len);
}

uint64_t kdx_file_next_data(const struct kdx_file *file, uint64_t offset)
{
	if (offset >= file->size)
		return file->size;
	if (file->ops->next_written) {
		uint64_t written = kdx_file_next_written(file, offset);

		/* Written here: a window of a plain file may still know
		 * its holes. */
		if (written != offset)
			return written;
	}
	return next_data_in_fd(file, offset);
}

bool kdx_file_all_written(const struct kdx_file *file, uint64_t offset,
			  uint64_t len, uint64_t *gap)
{
	uint64_t pos = offset, end = offset + len;

	if (end < offset || end > file->size) {
		*gap = offset < file->size ? file->size : offset;
		return false;
	}
	/* Bounded: each pass moves past one written run. */
	while (pos < end) {
		uint64_t next = kdx_file_next_written(file, pos);

		if (next != pos) {
			*gap = pos;
			return false;
		}
		pos = kdx_file_written_end(file, pos);
	}
	return true;
}

struct kdx_error *kdx_file_check_written(const struct kdx_file *file,
					 const char *what, uint64_t offset,
					 uint64_t len)
{
	uint64_t gap, end;

	if (kdx_add_overflows(offset, len, &end))
		end = UINT64_MAX;
	if (kdx_file_all_written(file, offset, len, &gap))
		return NULL;
	if (gap >= file->size)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"%s at offset 0x%llx-0x%llx: past the end of %s (size 0x%llx)",
				what, (unsigned long long)offset,
				(unsigned long long)end, file->name,
				(unsigned long long)file->size),
			gap);
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT,
			"%s at offset 0x%llx-0x%llx: no record of the flattened stream wrote offset 0x%llx",
			what, (unsigned long long)offset,
			(unsigned long long)end, (unsigned long long)gap),
		gap);
}

struct kdx_error *kdx_file_read_alloc(const struct kdx_file *file,
				      const char *what, uint64_t offset,
				      size_t len, void **out)
{
	struct kdx_error *err = kdx_file_check_written(file, what, offset, len);

	*out = NULL;
	if (err)
		return err;
	*out = malloc(len ? len : 1);
	if (!*out)
		return kdx_err_nomem();
	err = kdx_file_read(file, offset, *out, len);
	if (err) {
		free(*out);
		*out = NULL;
		return kdx_err_wrap(err, "%s", what);
	}
	return NULL;
}

static struct kdx_error *read_error(const struct kdx_file *file,
				    struct kdx_error *err, uint64_t offset)
{
	return kdx_err_set_file_offset(
		kdx_err_wrap(err, "read %s at offset 0x%llx", file->name,
			     (unsigned long long)offset),
		offset);
}

/* One backend read of at most @len bytes, retrying interruptions. */
static struct kdx_error *read_once(const struct kdx_file *file,
				   uint64_t offset, void *buf, size_t len,
				   size_t *got)
{
	for (unsigned int tries = 1;; tries++) {
		struct kdx_error *err;

		*got = 0;
		err = file->ops->read(file->priv, offset, buf, len, got);
		if (err && kdx_error_errno(err) == EINTR &&
		    tries < MAX_INTERRUPTS) {
			kdx_error_destroy(err);
			continue;
		}
		if (err)
			return read_error(file, err, offset);
		if (*got > len)
			return read_error(
				file,
				kdx_err(KDX_ERR_INVALID,
					"the backend returned 0x%zx bytes for 0x%zx",
					*got, len),
				offset);
		return NULL;
	}
}

struct kdx_error *kdx_file_read_some(const struct kdx_file *file,
				     uint64_t offset, void *buf, size_t len,
				     size_t *got)
{
	size_t want = 0, done = 0;

	if (offset < file->size)
		want = (size_t)kdx_min_u64(len, file->size - offset);
	/* Bounded: every pass moves at least one byte, or ends. */
	while (done < want) {
		size_t n;
		struct kdx_error *err = read_once(file, offset + done,
						  (char *)buf + done,
						  want - done, &n);

		if (err)
			return err;
		if (n == 0)
			break; /* the storage ended early (the file shrank) */
		done += n;
	}
	*got = done;
	return NULL;
}

struct kdx_error *kdx_file_read(const struct kdx_file *file, uint64_t offset,
				void *buf, size_t len)
{
	struct kdx_error *err;
	size_t got;
	uint64_t end;

	if (kdx_add_overflows(offset, len, &end) || end > file->size)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"file offset 0x%llx + 0x%zx is past the end of %s (size 0x%llx)",
				(unsigned long long)offset, len, file->name,
				(unsigned long long)file->size),
			offset);
	err = kdx_file_read_some(file, offset, buf, len, &got);
	if (err)
		return err;
	if (got != len)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"short read of %s at offset 0x%llx: 0x%zx of 0x%zx bytes",
				file->name, (unsigned long long)offset, got,
				len),
			offset + got);
	return NULL;
}

struct kdx_error *kdx_file_read_stream(const struct kdx_file *file,
				       uint64_t offset, void *buf, size_t len)
{
	uint64_t fd_offset, held, end;
	size_t done = 0;
	int fd, interrupts = 0;

	if (kdx_add_overflows(offset, len, &end) || end > file->size)
		return kdx_file_read(file, offset, buf, len); /* the error */
	fd = kdx_file_extent(file, offset, len, &fd_offset, &held);
	if (fd < 0 || held < len || fd_offset > (uint64_t)INT64_MAX - len)
		return kdx_file_read(file, offset, buf, len);
	/* Bounded: each pass moves bytes, or is one of MAX_INTERRUPTS, or
	 * hands the rest to kdx_file_read(), which names any failure. */
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(fd_offset + done));

		if (n < 0 && errno == EINTR && ++interrupts < MAX_INTERRUPTS)
			continue;
		if (n <= 0)
			return kdx_file_read(file, offset + done,
					     (char *)buf + done, len - done);
		done += (size_t)n;
	}
	return NULL;
}
