/* SPDX-License-Identifier: MIT */
/* xz streams (libvirt's `xz -c`; `xz -T` writes several blocks, and
 * streams may follow one another) through liblzma; see
 * decompress_impl.h. */
#include "io/decompress_impl.h"

#include "core/error.h"

#include <lzma.h>

/* The most liblzma may allocate for one stream's dictionary: xz -9e
 * needs 65 MiB to decompress; a header asking for more is refused
 * rather than honoured (a damaged or hostile file). */
#define XZ_MEMLIMIT (256ull << 20)

static bool xz_starts(uint8_t b)
{
	return b == 0xfd;
}

static const char *xz_why(lzma_ret ret)
{
	switch (ret) {
	case LZMA_FORMAT_ERROR:
		return "no xz stream header";
	case LZMA_OPTIONS_ERROR:
		return "options liblzma does not support";
	case LZMA_DATA_ERROR:
		return "corrupt data";
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "its dictionary needs more than kdx's 256 MiB limit";
	default:
		return "liblzma error";
	}
}

struct kdx_error *kdx_decompress_xz(struct kdx_source *s,
				    struct kdx_decompressed *d, uint8_t *out)
{
	lzma_stream z = LZMA_STREAM_INIT;
	struct kdx_error *err = NULL;
	lzma_ret ret;

	bool more = true;

	/* One stream at a time: what follows each is judged as after a gzip
	 * member (another stream, or zero padding to the end). */
	if (lzma_stream_decoder(&z, XZ_MEMLIMIT, 0) != LZMA_OK)
		return kdx_err_nomem();
	/* Bounded: liblzma consumes input or produces output on every call
	 * while both buffers have room, else says LZMA_BUF_ERROR. */
	while (more) {
		if ((err = kdx_source_fill(s)))
			break;
		z.next_in = s->buf + s->pos;
		z.avail_in = s->len - s->pos;
		z.next_out = out;
		z.avail_out = KDX_DECOMPRESS_OUT_CHUNK;
		ret = lzma_code(&z, LZMA_RUN);
		s->pos = (size_t)(z.next_in - s->buf);
		if (ret == LZMA_BUF_ERROR) {
			err = kdx_source_cut_short(s, d->kind);
			break;
		}
		if (ret != LZMA_OK && ret != LZMA_STREAM_END) {
			err = ret == LZMA_MEMLIMIT_ERROR || ret == LZMA_OPTIONS_ERROR ?
				      kdx_err(KDX_ERR_UNSUPPORTED,
					      "offset 0x%llx: the xz stream: %s",
					      (unsigned long long)kdx_source_offset(s),
					      xz_why(ret)) :
				      kdx_source_damaged(s, d->kind, xz_why(ret));
			break;
		}
		err = kdx_sink_write(d, out,
				     KDX_DECOMPRESS_OUT_CHUNK - z.avail_out);
		if (!err && ret == LZMA_STREAM_END) {
			err = kdx_source_after_stream(s, xz_starts, d->kind,
						      &more);
			if (!err && more &&
			    lzma_stream_decoder(&z, XZ_MEMLIMIT, 0) != LZMA_OK)
				err = kdx_err_nomem();
		}
		if (err)
			break;
	}
	lzma_end(&z);
	return err;
}
