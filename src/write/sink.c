/* SPDX-License-Identifier: MIT */
#include "write/sink.h"

#include "core/endian.h"
#include "core/error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FLAT_HEADER_SIZE 4096
/* Bytes per copy_file_range/splice call and read/write buffer: small
 * enough for the buffer to stay in cache, as cp's. */
#define COPY_STEP (1u << 20)
#define BUFFER_SIZE (128u << 10)

struct kdx_sink {
	int fd;
	bool flatten;
	bool is_stdout;
	char *path;     /* the destination */
	char *tmp_path; /* what we write until commit; NULL for stdout */
	uint64_t bytes; /* the stream's length (flattened) */
	uint64_t end;   /* the file's length: positional writes leave gaps */
	/* kdx_sink_copy_from(): what the kernel refused once is not tried
	 * again; the pipe splice goes through; the read/write buffer. */
	bool no_copy_range, no_splice;
	int pipe[2];
	uint8_t *buffer;
};

/* A failed write names where it was going: the output's offset, or
 * the stream's for flattened and standard output. */
static struct kdx_error *write_error(const struct kdx_sink *sink, int error,
				     uint64_t offset, bool positional)
{
	return kdx_err_os(error, "write at %soffset 0x%llx",
			  positional ? "" : "stream ",
			  (unsigned long long)(positional ? offset :
							    sink->bytes));
}

static struct kdx_error *write_all(struct kdx_sink *sink, const void *buf,
				   size_t len, uint64_t offset, bool positional)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = positional ? pwrite(sink->fd, p, len, (off_t)offset) :
					 write(sink->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return write_error(sink, n < 0 ? errno : EIO, offset,
					   positional);
		p += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
		sink->bytes += (uint64_t)n;
	}
	return NULL;
}

static struct kdx_error *write_flat_header(struct kdx_sink *sink)
{
	uint8_t h[FLAT_HEADER_SIZE] = "makedumpfile";

	kdx_store_u64(h + 16, 1, KDX_BIG_ENDIAN); /* TYPE_FLAT_HEADER */
	kdx_store_u64(h + 24, 1, KDX_BIG_ENDIAN); /* VERSION_FLAT_HEADER */
	return write_all(sink, h, sizeof(h), 0, false);
}

/* Temporary files are DEST.kdx-PID@HOST-XXXXXX: one whose process was
 * killed (SIGKILL, a crash, a power cut) says whose it was, so the next
 * conversion to DEST can tell it is stale. */
static bool this_host(char *host, size_t len)
{
	if (gethostname(host, len) < 0)
		return false;
	host[len - 1] = 0;
	return !strchr(host, '/');
}

static struct kdx_error *temp_name(const char *path, char **out)
{
	char host[256];

	if (!this_host(host, sizeof(host)))
		strcpy(host, "unknown");
	if (asprintf(out, "%s.kdx-%ld@%s-XXXXXX", path, (long)getpid(),
		     host) < 0) {
		*out = NULL;
		return kdx_err_nomem();
	}
	return NULL;
}

/* @name (in @dir) is a temporary file for DEST named @base, made on this
 * @host by a process that no longer exists, and a regular file of ours. */
static bool stale_temp(int dir, const char *name, const char *base,
		       const char *host)
{
	size_t blen = strlen(base), hlen = strlen(host);
	const char *p = name, *at;
	char *end;
	long pid;
	struct stat st;

	if (strncmp(p, base, blen) || strncmp(p + blen, ".kdx-", 5))
		return false;
	p += blen + 5;
	errno = 0;
	pid = strtol(p, &end, 10);
	at = end;
	if (errno || end == p || pid <= 0 || *at != '@' ||
	    strncmp(at + 1, host, hlen) || at[1 + hlen] != '-' ||
	    strlen(at + 2 + hlen) != 6)
		return false;
	if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
	    errno != ESRCH)
		return false; /* alive (or not ours to ask): not stale */
	return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode) && st.st_uid == geteuid();
}

/* Remove what killed conversions to @path on this host left; best
 * effort: a directory that cannot be read keeps its files. */
static void remove_stale_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dirname = slash ? strndup(path, (size_t)(slash - path + 1)) :
				strdup(".");
	const char *base = slash ? slash + 1 : path;
	char host[256];
	DIR *d = dirname ? opendir(dirname) : NULL;
	struct dirent *e;

	if (d && this_host(host, sizeof(host)))
		while ((e = readdir(d)))
			if (stale_temp(dirfd(d), e->d_name, base, host))
				(void)unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	free(dirname);
}

/* The file written until commit, beside the destination; errors name
 * the destination, which is what the caller knows. */
static struct kdx_error *create_temp(struct kdx_sink *sink)
{
	struct kdx_error *err;
	struct stat st;

	/* Found now, not by the rename after all the work. */
	if (stat(sink->path, &st) == 0 && S_ISDIR(st.st_mode))
		return kdx_err(KDX_ERR_INVALID, "%s is a directory",
			       sink->path);
	/* The rename at commit would replace a device or a FIFO (once
	 * /dev/null) with a regular file. */
	if (stat(sink->path, &st) == 0 && !S_ISREG(st.st_mode))
		return kdx_err(KDX_ERR_INVALID,
			       "%s is not a regular file; the output is written anew and renamed into place",
			       sink->path);
	remove_stale_temps(sink->path);
	err = temp_name(sink->path, &sink->tmp_path);
	if (err)
		return err;
	sink->fd = mkstemp(sink->tmp_path);
	if (sink->fd < 0)
		return kdx_err_os(errno, "create %s", sink->path);
	/* mkstemp makes the file private (0600); a dump written for others
	 * to read gets the usual 0644, as cp would give it. */
	if (fchmod(sink->fd, 0644) < 0)
		return kdx_err_os(errno, "chmod %s", sink->tmp_path);
	return NULL;
}

struct kdx_error *kdx_sink_open(const char *path, bool flatten,
				struct kdx_sink **out)
{
	struct kdx_sink *sink = calloc(1, sizeof(*sink));
	struct kdx_error *err = NULL;

	if (!sink || !(sink->path = strdup(path))) {
		free(sink);
		return kdx_err_nomem();
	}
	sink->fd = -1;
	sink->pipe[0] = sink->pipe[1] = -1;
	sink->flatten = flatten;
	sink->is_stdout = !strcmp(path, "-");
	if (sink->is_stdout && !flatten)
		err = kdx_err(KDX_ERR_INVALID,
			      "writing to standard output needs the flattened format (--flatten)");
	else if (sink->is_stdout)
		sink->fd = STDOUT_FILENO;
	else
		err = create_temp(sink);
	if (!err && flatten && (err = write_flat_header(sink)))
		err = kdx_err_wrap(err, "writing %s", path);
	if (err) {
		kdx_sink_abort(sink);
		return err;
	}
	*out = sink;
	return NULL;
}

struct kdx_error *kdx_sink_write_at(struct kdx_sink *sink, uint64_t offset,
				    const void *buf, size_t len)
{
	uint8_t h[16];
	struct kdx_error *err;

	if (!sink->flatten) {
		if (offset + len > sink->end)
			sink->end = offset + len;
		return write_all(sink, buf, len, offset, true);
	}
	kdx_store_u64(h, offset, KDX_BIG_ENDIAN);
	kdx_store_u64(h + 8, len, KDX_BIG_ENDIAN);
	err = write_all(sink, h, sizeof(h), 0, false);
	return err ? err : write_all(sink, buf, len, 0, false);
}

static struct kdx_error *input_error(int err, int fd, uint64_t offset)
{
	if (!err)
		return kdx_err(KDX_ERR_CORRUPT,
			       "the dump ends before offset 0x%llx (descriptor %d): it shrank while being read",
			       (unsigned long long)offset, fd);
	return kdx_err_os(err, "read the dump at offset 0x%llx",
			  (unsigned long long)offset);
}

/* copy_file_range() refuses descriptors it cannot serve with these; any
 * other error is real. */
static bool refused(int err)
{
	return err == EXDEV || err == EINVAL || err == ENOSYS ||
	       err == EOPNOTSUPP || err == EBADF || err == EPERM;
}

/* Read and write, through a buffer: always works. */
static struct kdx_error *copy_by_buffer(struct kdx_sink *sink, uint64_t *offset,
					int fd, uint64_t *in_offset,
					uint64_t len)
{
	if (!sink->buffer && !(sink->buffer = malloc(BUFFER_SIZE)))
		return kdx_err_nomem();
	while (len) {
		size_t n = len < BUFFER_SIZE ? (size_t)len : BUFFER_SIZE;
		ssize_t got = pread(fd, sink->buffer, n, (off_t)*in_offset);
		struct kdx_error *err;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return input_error(got < 0 ? errno : 0, fd, *in_offset);
		err = write_all(sink, sink->buffer, (size_t)got, *offset,
				!sink->flatten);
		if (err)
			return err;
		*offset += (uint64_t)got;
		*in_offset += (uint64_t)got;
		len -= (uint64_t)got;
	}
	return NULL;
}

/* Up to @len bytes file -> pipe -> file, the kernel moving page
 * references: one copy, not two.  *@moved 0 and no error: splice is
 * refused here, use another way. */
static struct kdx_error *splice_some(struct kdx_sink *sink, uint64_t *offset,
				     int fd, uint64_t *in_offset, uint64_t len,
				     uint64_t *moved)
{
	loff_t in = (loff_t)*in_offset;
	ssize_t n, left;

	*moved = 0;
	if (sink->pipe[0] < 0) {
		if (pipe(sink->pipe) < 0) {
			sink->no_splice = true;
			return NULL;
		}
		(void)fcntl(sink->pipe[1], F_SETPIPE_SZ, COPY_STEP);
	}
	n = splice(fd, &in, sink->pipe[1], NULL,
		   len < COPY_STEP ? (size_t)len : COPY_STEP, SPLICE_F_MOVE);
	if (n < 0 && errno == EINTR)
		return NULL;
	if (n < 0 && refused(errno)) {
		sink->no_splice = true;
		return NULL;
	}
	if (n <= 0)
		return input_error(n < 0 ? errno : 0, fd, *in_offset);
	for (left = n; left;) {
		loff_t out = (loff_t)*offset;
		ssize_t w = splice(sink->pipe[0], NULL, sink->fd, &out,
				   (size_t)left, SPLICE_F_MOVE);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* The output takes no splice: empty the pipe by hand. */
			sink->no_splice = true;
			while (left) {
				size_t k = (size_t)left < BUFFER_SIZE ? (size_t)left :
									BUFFER_SIZE;
				ssize_t r;
				struct kdx_error *err;

				if (!sink->buffer &&
				    !(sink->buffer = malloc(BUFFER_SIZE)))
					return kdx_err_nomem();
				r = read(sink->pipe[0], sink->buffer, k);
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					return kdx_err_os(r < 0 ? errno : EIO,
							  "read back a pipe");
				err = write_all(sink, sink->buffer, (size_t)r,
						*offset, true);
				if (err)
					return err;
				*offset += (uint64_t)r;
				left -= r;
			}
			break;
		}
		*offset += (uint64_t)w;
		left -= w;
	}
	*in_offset += (uint64_t)n;
	*moved = (uint64_t)n;
	return NULL;
}

struct kdx_error *kdx_sink_copy_from(struct kdx_sink *sink, uint64_t offset,
				     int fd, uint64_t in_offset, uint64_t len)
{
	uint8_t h[16];
	struct kdx_error *err;

	if (sink->flatten) { /* a stream: one record, its bytes read */
		kdx_store_u64(h, offset, KDX_BIG_ENDIAN);
		kdx_store_u64(h + 8, len, KDX_BIG_ENDIAN);
		err = write_all(sink, h, sizeof(h), 0, false);
		return err ? err : copy_by_buffer(sink, &offset, fd, &in_offset, len);
	}
	if (len && offset + len > sink->end)
		sink->end = offset + len;
	while (len) {
		uint64_t moved = 0;

		if (!sink->no_copy_range) {
			loff_t in = (loff_t)in_offset, out = (loff_t)offset;
			ssize_t n = copy_file_range(fd, &in, sink->fd, &out,
						    len < COPY_STEP ? (size_t)len :
								      COPY_STEP,
						    0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == ENOSPC || errno == EDQUOT ||
				      errno == EFBIG))
				return write_error(sink, errno, offset, true);
			if (n < 0) /* refused, or EIO of either file: the
				    * other ways tell which side failed */
				sink->no_copy_range = true;
			else if (n == 0)
				return input_error(0, fd, in_offset);
			else
				moved = (uint64_t)n;
			offset += moved;
			in_offset += moved;
		} else if (!sink->no_splice) {
			err = splice_some(sink, &offset, fd, &in_offset, len,
					  &moved);
			if (err)
				return err;
		} else {
			return copy_by_buffer(sink, &offset, fd, &in_offset,
					      len);
		}
		len -= moved;
	}
	return NULL;
}

uint64_t kdx_sink_bytes(const struct kdx_sink *sink)
{
	return sink->flatten ? sink->bytes : sink->end;
}

static void sink_free(struct kdx_sink *sink)
{
	if (sink->pipe[0] >= 0) {
		close(sink->pipe[0]);
		close(sink->pipe[1]);
	}
	free(sink->buffer);
	free(sink->path);
	free(sink->tmp_path);
	free(sink);
}

struct kdx_error *kdx_sink_commit(struct kdx_sink *sink)
{
	struct kdx_error *err = NULL;

	if (sink->flatten) {
		uint8_t end[16];

		memset(end, 0xff, sizeof(end)); /* offset = size = -1 */
		err = write_all(sink, end, sizeof(end), 0, false);
		if (err)
			err = kdx_err_wrap(err, "writing %s", sink->path);
	}
	if (sink->is_stdout) {
		sink_free(sink);
		return err;
	}
	/* Durable before it gets its name: a crash must not leave a file
	 * under the final name whose data never reached the disk. */
	if (!err && fdatasync(sink->fd) < 0 && errno != EINVAL)
		err = kdx_err_os(errno, "sync %s", sink->tmp_path);
	if (close(sink->fd) < 0 && !err)
		err = kdx_err_os(errno, "close %s", sink->tmp_path);
	sink->fd = -1;
	if (!err && rename(sink->tmp_path, sink->path) < 0)
		err = kdx_err_os(errno, "rename %s to %s", sink->tmp_path,
				 sink->path);
	if (err) {
		kdx_sink_abort(sink);
		return err;
	}
	sink_free(sink);
	return NULL;
}

void kdx_sink_abort(struct kdx_sink *sink)
{
	if (!sink)
		return;
	if (!sink->is_stdout && sink->fd >= 0)
		close(sink->fd);
	if (sink->tmp_path)
		unlink(sink->tmp_path);
	sink_free(sink);
}
