/* SPDX-License-Identifier: MIT */
/* bzip2 streams (libvirt's `bzip2 -c`; pbzip2 writes several, one after
 * another) through libbz2; see decompress_impl.h. */
#include "io/decompress_impl.h"

#include "core/error.h"

#include <bzlib.h>
#include <string.h>

static bool bzip2_starts(uint8_t b)
{
	return b == 'B';
}

static const char *bzip2_why(int ret)
{
	switch (ret) {
	case BZ_DATA_ERROR_MAGIC:
		return "no bzip2 stream header";
	case BZ_DATA_ERROR:
		return "a block's data or checksum is wrong";
	case BZ_MEM_ERROR:
		return "out of memory";
	default:
		return "libbz2 error";
	}
}

/* One libbz2 call: feed what the source holds, keep what comes out. */
static struct kdx_error *step(struct kdx_source *s, struct kdx_decompressed *d,
			      bz_stream *z, uint8_t *out, int *ret,
			      size_t *produced)
{
	size_t avail = s->len - s->pos;

	z->next_in = (char *)(s->buf + s->pos);
	z->avail_in = (unsigned int)avail; /* at most the source's chunk */
	z->next_out = (char *)out;
	z->avail_out = KDX_DECOMPRESS_OUT_CHUNK;
	*ret = BZ2_bzDecompress(z);
	s->pos = (size_t)((uint8_t *)z->next_in - s->buf);
	if (*ret != BZ_OK && *ret != BZ_STREAM_END)
		return kdx_source_damaged(s, d->kind, bzip2_why(*ret));
	*produced = KDX_DECOMPRESS_OUT_CHUNK - z->avail_out;
	return kdx_sink_write(d, out, *produced);
}

struct kdx_error *kdx_decompress_bzip2(struct kdx_source *s,
				       struct kdx_decompressed *d,
				       uint8_t *out)
{
	bz_stream z;
	struct kdx_error *err = NULL;
	bool more = true;

	memset(&z, 0, sizeof(z));
	if (BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
		return kdx_err_nomem();
	/* Bounded: each pass consumes input or produces output (libbz2
	 * makes progress while both buffers have room), or ends. */
	while (!err && more) {
		uint64_t before;
		size_t produced = 0;
		int ret;

		if ((err = kdx_source_fill(s)))
			break;
		before = kdx_source_offset(s);
		if ((err = step(s, d, &z, out, &ret, &produced)))
			break;
		if (ret == BZ_STREAM_END) {
			err = kdx_source_after_stream(s, bzip2_starts, d->kind,
						      &more);
			BZ2_bzDecompressEnd(&z);
			memset(&z, 0, sizeof(z));
			if (!err && more && BZ2_bzDecompressInit(&z, 0, 0) != BZ_OK)
				err = kdx_err_nomem();
		} else if (!produced && kdx_source_offset(s) == before) {
			err = kdx_source_cut_short(s, d->kind);
		}
	}
	BZ2_bzDecompressEnd(&z);
	return err;
}
