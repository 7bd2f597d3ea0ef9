/* SPDX-License-Identifier: MIT */
/* The plain file backend: a file or block device, whose bytes can also be
 * copied without reading (copy_file_range).
 *
 * A regular file is mapped into memory once and read by copying from the
 * map: a read served from the page cache is then a memcpy, with no system
 * call (2.5x pread's speed for 1 MiB reads here, 4x for drgn's 64-byte
 * ones; libkdumpfile maps its files too).  The price is the mapping's: an
 * I/O error, or the file truncated by someone else while open, raises
 * SIGBUS where pread returns an error.  KDX_FILE_NO_MAP keeps pread for
 * storage that may fail; so does any file that cannot be mapped.
 *
 * A small file is read into memory whole instead: setting up a map,
 * faulting its pages in and tearing it down (a TLB flush) cost more than
 * copying the bytes.  Measured here (a VM) opening, touching every page
 * and closing a tmpfs file: 4 KiB 39 us mapped, 6.5 us read; 64 KiB
 * 312 us, 9 us; 256 KiB 164 us, 16 us; 1 MiB 528 us, 81 us. */
#include "io/file_backend.h"

#include "core/error.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are read with pread: a map must fit the address space
 * with room to spare (47 bits of user space on x86_64). */
#define FD_MAP_MAX (UINT64_C(1) << 44)
/* Files up to this size are copied into memory at open. */
#define FD_COPY_MAX (UINT64_C(256) << 10)

struct fd_file {
	int fd;
	/* The whole file, or NULL: mapped, or a copy when @copied. */
	const unsigned char *map;
	uint64_t map_size;
	bool copied;
};

static struct kdx_error *fd_read(void *priv, uint64_t offset, void *buf,
				 size_t len, size_t *got)
{
	const struct fd_file *f = priv;
	ssize_t n;

	/* The dispatcher checked offset + len against the size, which is
	 * the map's. */
	if (f->map && offset <= f->map_size && len <= f->map_size - offset) {
		memcpy(buf, f->map + offset, len);
		*got = len;
		return NULL;
	}
	n = pread(f->fd, buf, len, (off_t)offset);

	if (n < 0)
		return kdx_err_os(errno, "pread");
	*got = (size_t)n;
	return NULL;
}

static const void *fd_view(void *priv, uint64_t offset, size_t len)
{
	const struct fd_file *f = priv;

	if (f->map && offset <= f->map_size && len <= f->map_size - offset)
		return f->map + offset;
	return NULL;
}

static int fd_extent(void *priv, uint64_t offset, uint64_t max,
		     uint64_t *fd_offset, uint64_t *len)
{
	const struct fd_file *f = priv;

	*fd_offset = offset;
	*len = max;
	return f->fd;
}

static void fd_close(void *priv)
{
	struct fd_file *f = priv;

	if (f->copied)
		free((void *)f->map);
	else if (f->map)
		munmap((void *)f->map, (size_t)f->map_size);
	close(f->fd);
	free(f);
}

static const struct kdx_file_ops fd_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = fd_read,
	.extent = fd_extent,
	.view = fd_view,
	.close = fd_close,
};

/* Block devices report st_size 0; ask the device itself. */
static uint64_t size_of(int fd, const struct stat *st)
{
	off_t end;

	if (!S_ISBLK(st->st_mode))
		return (uint64_t)st->st_size;
	end = lseek(fd, 0, SEEK_END);
	return end > 0 ? (uint64_t)end : 0;
}

/* What a file that is not a regular file or a directory is, for errors. */
static const char *kind_of_file(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO (named pipe)";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/* Copy @f's file of @size bytes into memory; any failure (a short read,
 * EIO) leaves it to pread, whose error then names the offset. */
static void copy_file(struct fd_file *f, uint64_t size)
{
	unsigned char *copy = malloc((size_t)size);
	size_t done = 0;

	while (copy && done < size) {
		ssize_t n = pread(f->fd, copy + done, (size_t)size - done,
				  (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (!copy || done < size) {
		free(copy);
		return;
	}
	f->map = copy;
	f->map_size = size;
	f->copied = true;
}

/* Map @f's file of @size bytes read-only (copy it when small), or leave
 * it to pread. */
static void map_file(struct fd_file *f, const struct stat *st, uint64_t size)
{
	void *map;

	if (!S_ISREG(st->st_mode) || size == 0 || size > FD_MAP_MAX ||
	    size > SIZE_MAX)
		return;
	if (size <= FD_COPY_MAX) {
		copy_file(f, size);
		return;
	}
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, f->fd, 0);
	if (map == MAP_FAILED)
		return;
	f->map = map;
	f->map_size = size;
}

struct kdx_error *kdx_file_open(const char *path, struct kdx_file **out)
{
	return kdx_file_open_flags(path, 0, out);
}

struct kdx_error *kdx_file_open_flags(const char *path, unsigned int flags,
				      struct kdx_file **out)
{
	uint64_t size;

	struct fd_file *f;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO without a writer must not block the open;
	 * what is not a file is refused before any read. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
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
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		close(fd);
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "%s is %s: kdx reads a dump by position, from a file or a block device (save it to a file first)",
			       path, kind_of_file(st.st_mode));
	}
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return kdx_err_nomem();
	}
	f->fd = fd;
	size = size_of(fd, &st);
	if (!(flags & KDX_FILE_NO_MAP))
		map_file(f, &st, size);
	return kdx_file_create(&fd_ops, f, path, size, out);
}
