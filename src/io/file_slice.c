/* SPDX-License-Identifier: MIT */
/* A window of another file: the bytes of a dump that a wrapper holds
 * plain between headers of its own (a FreeBSD dump device's full ELF
 * dump between kerneldumpheaders).  Reads, extents and sparse queries
 * pass through, shifted by the window's start. */
#include "io/file_backend.h"

#include "core/error.h"

#include <stdlib.h>

struct slice {
	struct kdx_file *base;
	uint64_t start;
};

static struct kdx_error *slice_read(void *priv, uint64_t offset, void *buf,
				    size_t len, size_t *got)
{
	struct slice *s = priv;

	return kdx_file_read_some(s->base, s->start + offset, buf, len, got);
}

static int slice_extent(void *priv, uint64_t offset, uint64_t max,
			uint64_t *fd_offset, uint64_t *len)
{
	struct slice *s = priv;

	return kdx_file_extent(s->base, s->start + offset, max, fd_offset, len);
}

/* A window of a flattened stream holds its unwritten gaps too. */
static uint64_t slice_next_written(void *priv, uint64_t offset)
{
	struct slice *s = priv;

	return kdx_file_next_written(s->base, s->start + offset) - s->start;
}

static uint64_t slice_written_end(void *priv, uint64_t offset)
{
	struct slice *s = priv;

	return kdx_file_written_end(s->base, s->start + offset) - s->start;
}

static void slice_close(void *priv)
{
	struct slice *s = priv;

	kdx_file_close(s->base);
	free(s);
}

static const struct kdx_file_ops slice_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = slice_read,
	.extent = slice_extent,
	.next_written = slice_next_written,
	.written_end = slice_written_end,
	.close = slice_close,
};

struct kdx_error *kdx_file_open_slice(struct kdx_file *base, uint64_t start,
				      uint64_t length, struct kdx_file **out)
{
	struct slice *s;
	uint64_t size = kdx_file_size(base);

	if (start > size || length > size - start) {
		struct kdx_error *err = kdx_err(
			KDX_ERR_CORRUPT,
			"%s: 0x%llx bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
			kdx_file_name(base), (unsigned long long)length,
			(unsigned long long)start, (unsigned long long)size);

		kdx_file_close(base);
		return err;
	}
	s = malloc(sizeof(*s));
	if (!s) {
		kdx_file_close(base);
		return kdx_err_nomem();
	}
	s->base = base;
	s->start = start;
	return kdx_file_create(&slice_ops, s, kdx_file_name(base), length, out);
}

bool kdx_file_slice_info(const struct kdx_file *file,
			 const struct kdx_file **base, uint64_t *start)
{
	const struct slice *s = kdx_file_priv(file, &slice_ops);

	if (!s)
		return false;
	*base = s->base;
	*start = s->start;
	return true;
}
