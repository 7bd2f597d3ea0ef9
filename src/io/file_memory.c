/* SPDX-License-Identifier: MIT */
/* The memory backend: bytes the caller holds (kdx_dump_open_memory, the
 * fuzz targets).  The private state is the caller's pointer itself. */
#include "io/file_backend.h"

#include <string.h>

static struct kdx_error *memory_read(void *priv, uint64_t offset, void *buf,
				     size_t len, size_t *got)
{
	const unsigned char *bytes = priv;

	memcpy(buf, bytes + offset, len);
	*got = len;
	return NULL;
}

static const void *memory_view(void *priv, uint64_t offset, size_t len)
{
	(void)len;
	return (const unsigned char *)priv + offset;
}

static const struct kdx_file_ops memory_ops = {
	.version = KDX_FILE_OPS_VERSION,
	.read = memory_read,
	.view = memory_view,
};

struct kdx_error *kdx_file_from_memory(const void *data, size_t size,
				       struct kdx_file **out)
{
	/* Never written through: the ops only read. */
	return kdx_file_create(&memory_ops, (void *)data, "<memory>", size,
			       out);
}
