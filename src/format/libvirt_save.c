/* SPDX-License-Identifier: MIT */
/* libvirt's `virsh save` files: a virQEMUSaveHeader, the domain XML (and
 * a cookie) of data_len bytes, then QEMU's migration stream, read by
 * qemu_savevm.c where it lies, or, when the header names a compressor,
 * from the stream decompressed once at open (io/decompress.c).  Layout
 * and sources: docs/memory-images.md. */
#include "format/qemu_savevm.h"

#include "core/endian.h"
#include "io/decompress.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

#define SAVE_MAGIC "LibvirtQemudSave"
#define PARTIAL_MAGIC "LibvirtQemudPart" /* the save never completed */
#define MAGIC_LEN 16u
/* magic, then version, data_len, was_running, format, cookieOffset and
 * 14 unused u32s. */
#define HEADER_SIZE (MAGIC_LEN + 19u * 4u)
#define SAVE_VERSION 2u

/* virQEMUSaveFormat (src/qemu/qemu_saveimage_format.h); libvirt pipes
 * the stream through the program of that name. */
enum { FORMAT_RAW, FORMAT_SPARSE = 6, FORMAT_COUNT };
static const char *const formats[FORMAT_COUNT] = {
	"raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse (mapped-ram)"
};
static const enum kdx_stream_codec codec_of[FORMAT_SPARSE] = {
	[1] = KDX_STREAM_GZIP, [2] = KDX_STREAM_BZIP2, [3] = KDX_STREAM_XZ,
	[4] = KDX_STREAM_LZOP, [5] = KDX_STREAM_ZSTD,
};
#define FORMAT_AT (MAGIC_LEN + 12u)

/* desc->priv: the QEMU stream's reader, over the decompressed stream
 * when there is one. */
struct libvirt {
	struct kdx_file *stream; /* owned; NULL when raw */
	void *savevm;
};

struct header {
	enum kdx_byte_order bo;
	bool partial;
	uint32_t version, data_len, was_running, format;
};

static bool libvirt_probe(const uint8_t *head, size_t len)
{
	return len >= HEADER_SIZE && (!memcmp(head, SAVE_MAGIC, MAGIC_LEN) ||
				      !memcmp(head, PARTIAL_MAGIC, MAGIC_LEN));
}

/* libvirt writes the header in host order and byte-swaps a version it
 * reads swapped; so does kdx. */
static struct kdx_error *read_header(const uint8_t *b, struct header *h)
{
	if (!libvirt_probe(b, HEADER_SIZE))
		return kdx_err(KDX_ERR_CORRUPT,
			       "libvirt save header: no LibvirtQemudSave magic at offset 0");
	h->partial = !memcmp(b, PARTIAL_MAGIC, MAGIC_LEN);
	h->bo = kdx_load_u32(b + MAGIC_LEN, KDX_LITTLE_ENDIAN) == SAVE_VERSION ?
			KDX_LITTLE_ENDIAN :
			KDX_BIG_ENDIAN;
	h->version = kdx_load_u32(b + MAGIC_LEN, h->bo);
	h->data_len = kdx_load_u32(b + MAGIC_LEN + 4, h->bo);
	h->was_running = kdx_load_u32(b + MAGIC_LEN + 8, h->bo);
	h->format = kdx_load_u32(b + MAGIC_LEN + 12, h->bo);
	if (h->version != SAVE_VERSION)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_UNSUPPORTED,
				"libvirt save header at offset 0x10: version %u (kdx reads 2)",
				kdx_load_u32(b + MAGIC_LEN, KDX_LITTLE_ENDIAN)),
			MAGIC_LEN);
	if (h->format >= FORMAT_COUNT)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"libvirt save header at offset 0x%x: format %u is none of libvirt's (0 raw to 6 sparse)",
				FORMAT_AT, h->format),
			FORMAT_AT);
	if (h->format == FORMAT_SPARSE)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_UNSUPPORTED,
				"libvirt save header at offset 0x%x: format 6, a sparse (mapped-ram) save, which kdx does not read",
				FORMAT_AT),
			FORMAT_AT);
	return NULL;
}

/* The domain's <name>, from the first bytes of the XML. */
static void domain_name(const struct kdx_file *file, uint32_t data_len,
			char *out, size_t size)
{
	char xml[4096];
	size_t got = 0;
	const char *start, *end;

	out[0] = '\0';
	if (kdx_file_read_some(file, HEADER_SIZE, xml,
			       data_len < sizeof(xml) - 1 ? data_len :
							    sizeof(xml) - 1,
			       &got))
		return; /* only a detail */
	xml[got] = '\0';
	start = strstr(xml, "<name>");
	end = start ? strstr(start, "</name>") : NULL;
	if (!end || (size_t)(end - start - 6) >= size)
		return;
	memcpy(out, start + 6, (size_t)(end - start - 6));
	out[end - start - 6] = '\0';
}

/* The compressed stream at @at, checked against the header's format
 * (a header that names the wrong program is named, not decompressed as
 * garbage), then decompressed into l->stream. */
static struct kdx_error *decompress_stream(const struct kdx_file *file,
					   const struct header *h, uint64_t at,
					   const struct kdx_open_options *opts,
					   struct libvirt *l,
					   struct kdx_dump_desc *desc)
{
	struct kdx_decompress_limits limits = {
		.max_size = opts ? opts->max_decompressed : 0,
	};
	enum kdx_stream_codec codec = codec_of[h->format];
	uint64_t size = kdx_file_size(file);
	struct kdx_error *err;
	bool on_disk;
	uint64_t csize;

	if (at >= size)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"libvirt save file: the %s stream should start at offset 0x%llx, past the end of the file (0x%llx bytes)",
				formats[h->format], (unsigned long long)at,
				(unsigned long long)size),
			at);
	if (!kdx_file_is_compressed_at(file, at, codec))
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"libvirt save file: offset 0x%llx holds no %s stream, which the header's format %u (at 0x%x) says is there",
				(unsigned long long)at, formats[h->format],
				h->format, FORMAT_AT),
			at);
	err = kdx_file_decompress_range(file, at, size - at, codec, &limits,
					&l->stream);
	if (err)
		return err;
	kdx_file_decompressed_info(l->stream, &codec, &csize, &on_disk);
	kdx_desc_add_detail(desc, "compression",
			    "%s, 0x%llx bytes decompressed to 0x%llx%s",
			    formats[h->format], (unsigned long long)csize,
			    (unsigned long long)kdx_file_size(l->stream),
			    on_disk ? " (in a temporary file)" : "");
	return NULL;
}

static void libvirt_destroy(void *priv)
{
	struct libvirt *l = priv;

	if (!l)
		return;
	kdx_format_qemu_savevm.destroy(l->savevm);
	kdx_file_close(l->stream);
	free(l);
}

/* The QEMU stream, where it lies or decompressed. */
static struct kdx_error *open_stream(const struct kdx_file *file,
				     const struct header *h,
				     const struct kdx_open_options *opts,
				     struct kdx_dump_desc *desc,
				     struct libvirt *l)
{
	uint64_t at = HEADER_SIZE + (uint64_t)h->data_len;
	struct kdx_error *err;

	if (h->format == FORMAT_RAW)
		err = kdx_qemu_savevm_open_at(file, at, opts, desc);
	else if (!(err = decompress_stream(file, h, at, opts, l, desc)) &&
		 (err = kdx_qemu_savevm_open_at(l->stream, 0, opts, desc)))
		err = kdx_err_wrap(err,
				   "in the QEMU stream %s-decompressed from offset 0x%llx (offsets in the decompressed stream)",
				   formats[h->format], (unsigned long long)at);
	if (!err) {
		l->savevm = desc->priv;
		desc->priv = l;
	}
	return err;
}

static struct kdx_error *libvirt_open(const struct kdx_file *file,
				      const struct kdx_open_options *opts,
				      struct kdx_dump_desc *desc)
{
	uint8_t b[HEADER_SIZE];
	char name[128];
	struct header h = { 0 };
	struct libvirt *l;
	struct kdx_error *err = kdx_file_read(file, 0, b, sizeof(b));

	if (!err)
		err = read_header(b, &h);
	if (err)
		return err;
	domain_name(file, h.data_len, name, sizeof(name));
	kdx_desc_add_detail(desc, "domain", "%s",
			    *name ? name : "(no <name> in the XML)");
	kdx_desc_add_detail(desc, "qemu_stream_offset", "0x%llx",
			    (unsigned long long)HEADER_SIZE + h.data_len);
	kdx_desc_add_detail(desc, "was_running", "%s",
			    h.was_running ? "yes" : "no");
	if (h.partial)
		kdx_desc_add_warning(
			desc, "magic LibvirtQemudPart: libvirt never finished writing this save file");
	if (!(l = calloc(1, sizeof(*l))))
		return kdx_err_nomem();
	err = open_stream(file, &h, opts, desc, l);
	if (err)
		libvirt_destroy(l);
	return err;
}

/* The stream's pages are qemu_savevm.c's to read. */
static struct kdx_error *libvirt_read(void *priv, uint64_t cookie,
				      uint64_t offset, void *buf, size_t len)
{
	const struct libvirt *l = priv;

	return kdx_format_qemu_savevm.read(l->savevm, cookie, offset, buf,
					   len);
}

const struct kdx_format_ops kdx_format_libvirt_save = {
	.name = "libvirt-save",
	.description = "libvirt `virsh save` file (raw, gzip, bzip2, xz, lzop or zstd QEMU stream)",
	.detect = true,
	.probe = libvirt_probe,
	.open = libvirt_open,
	.read = libvirt_read,
	.destroy = libvirt_destroy,
};
