/* SPDX-License-Identifier: MIT */
/* The plain file backend: a file or block device read with pread, whose
 * bytes can also be copied without reading (copy_file_range). */
#include "io/file_backend.h"

#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct fd_file {
	int fd;
};

static struct kdx_error *fd_read(void *priv, uint64_t offset, void *buf,
				 size_t len, size_t *got)
{
	const struct fd_file *f = priv;
	ssize_t n = pread(f->fd, buf, len, (off_t)offset);

	if (n < 0)
		return kdx_err_os(errno, "pread");
	*got = (size_t)n;
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

	close(f->fd);
	free(f);
}

static const struct kdx_file_ops fd_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = fd_read,
	.extent = fd_extent,
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

struct kdx_error *kdx_file_open(const char *path, struct kdx_file **out)
{
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
	f = malloc(sizeof(*f));
	if (!f) {
		close(fd);
		return kdx_err_nomem();
	}
	f->fd = fd;
	return kdx_file_create(&fd_ops, f, path, size_of(fd, &st), out);
}
