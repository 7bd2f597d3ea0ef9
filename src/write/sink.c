/* SPDX-License-Identifier: MIT */
#include "write/sink.h"

#include "core/endian.h"
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLAT_HEADER_SIZE 4096

struct kdx_sink {
	int fd;
	bool flatten;
	bool is_stdout;
	char *path;     /* the destination */
	char *tmp_path; /* what we write until commit; NULL for stdout */
	uint64_t bytes; /* the stream's length (flattened) */
	uint64_t end;   /* the file's length: positional writes leave gaps */
};

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
			return kdx_err_os(n < 0 ? errno : EIO, "write %s",
					  sink->path);
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
	sink->flatten = flatten;
	sink->is_stdout = !strcmp(path, "-");
	if (sink->is_stdout && !flatten)
		err = kdx_err(KDX_ERR_INVALID,
			      "writing to standard output needs the flattened format (--flatten)");
	else if (sink->is_stdout)
		sink->fd = STDOUT_FILENO;
	else if (asprintf(&sink->tmp_path, "%s.kdx-XXXXXX", path) < 0)
		err = kdx_err_nomem();
	else if ((sink->fd = mkstemp(sink->tmp_path)) < 0)
		err = kdx_err_os(errno, "create %s", sink->tmp_path);
	if (!err && flatten)
		err = write_flat_header(sink);
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

uint64_t kdx_sink_bytes(const struct kdx_sink *sink)
{
	return sink->flatten ? sink->bytes : sink->end;
}

static void sink_free(struct kdx_sink *sink)
{
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
