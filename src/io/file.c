/* SPDX-License-Identifier: MIT */
#include "io/file.h"
#include "io/file_internal.h"

#include "core/error.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct kdx_error *kdx_file_open(const char *path, struct kdx_file **out)
{
	struct kdx_file *file;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return kdx_err_os(errno, "open %s", path);
	if (fstat(fd, &st) < 0) {
		int saved = errno;

		close(fd);
		return kdx_err_os(saved, "stat %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return kdx_err(KDX_ERR_INVALID, "%s: is a directory", path);
	}
	file = calloc(1, sizeof(*file));
	if (file)
		file->name = strdup(path);
	if (!file || !file->name) {
		free(file);
		close(fd);
		return kdx_err_nomem();
	}
	file->fd = fd;
	/* Block devices report st_size 0; ask the device itself. */
	file->size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t end = lseek(fd, 0, SEEK_END);

		file->size = end > 0 ? (uint64_t)end : 0;
	}
	*out = file;
	return NULL;
}

struct kdx_error *kdx_file_from_memory(const void *data, size_t size,
				       struct kdx_file **out)
{
	struct kdx_file *file = calloc(1, sizeof(*file));

	if (file)
		file->name = strdup("<memory>");
	if (!file || !file->name) {
		free(file);
		return kdx_err_nomem();
	}
	file->fd = -1;
	file->memory = data;
	file->size = size;
	*out = file;
	return NULL;
}

void kdx_file_close(struct kdx_file *file)
{
	if (!file)
		return;
	if (file->fd >= 0)
		close(file->fd);
	kdx_file_close(file->base);
	free(file->extents);
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
	if (file->fd < 0)
		return -1;
	*fd_offset = offset;
	*len = offset < file->size ? kdx_min_u64(max, file->size - offset) : 0;
	return file->fd;
}

uint64_t kdx_file_next_written(const struct kdx_file *file, uint64_t offset)
{
	if (offset >= file->size)
		return file->size;
	return file->base ? kdx_flat_next_written(file, offset) : offset;
}

uint64_t kdx_file_written_end(const struct kdx_file *file, uint64_t offset)
{
	return file->base ? kdx_flat_written_end(file, offset) : file->size;
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

struct kdx_error *kdx_file_read_some(const struct kdx_file *file,
				     uint64_t offset, void *buf, size_t len,
				     size_t *got)
{
	size_t want = 0, done = 0;

	if (offset < file->size)
		want = (size_t)kdx_min_u64(len, file->size - offset);
	if (file->base) {
		*got = want;
		return kdx_flat_read(file, offset, buf, want);
	}
	if (file->memory) {
		if (want)
			memcpy(buf, file->memory + offset, want);
		*got = want;
		return NULL;
	}
	while (done < want) {
		ssize_t n = pread(file->fd, (char *)buf + done, want - done,
				  (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kdx_err_set_file_offset(
				kdx_err_os(errno, "read %s at offset 0x%llx",
					   file->name,
					   (unsigned long long)(offset + done)),
				offset + done);
		if (n == 0)
			break; /* the file shrank under us */
		done += (size_t)n;
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
