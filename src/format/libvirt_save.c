/* SPDX-License-Identifier: MIT */
/* libvirt's `virsh save` files: a virQEMUSaveHeader, the domain XML (and
 * a cookie) of data_len bytes, then QEMU's migration stream, read by
 * qemu_savevm.c where it lies.  Layout and sources:
 * docs/memory-images.md. */
#include "format/qemu_savevm.h"

#include "core/endian.h"
#include "io/file.h"

#include <string.h>

#define SAVE_MAGIC "LibvirtQemudSave"
#define PARTIAL_MAGIC "LibvirtQemudPart" /* the save never completed */
#define MAGIC_LEN 16u
/* magic, then version, data_len, was_running, format, cookieOffset and
 * 14 unused u32s. */
#define HEADER_SIZE (MAGIC_LEN + 19u * 4u)
#define SAVE_VERSION 2u

/* virQEMUSaveFormat (src/qemu/qemu_saveimage_format.h). */
static const char *const formats[] = { "raw", "gzip", "bzip2", "xz", "lzop",
				       "zstd" };

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
	if (h->format != 0)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_UNSUPPORTED,
				"libvirt save file: the QEMU stream is compressed with %s (format %u); decompress it first",
				h->format < sizeof(formats) / sizeof(formats[0]) ?
					formats[h->format] :
					"an unknown program",
				h->format),
			MAGIC_LEN + 12);
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

static struct kdx_error *libvirt_open(const struct kdx_file *file,
				      const struct kdx_open_options *opts,
				      struct kdx_dump_desc *desc)
{
	uint8_t b[HEADER_SIZE];
	char name[128];
	struct header h = { 0 };
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
	return kdx_qemu_savevm_open_at(file, HEADER_SIZE + (uint64_t)h.data_len,
				       opts, desc);
}

/* The stream's pages are qemu_savevm.c's to read. */
static struct kdx_error *libvirt_read(void *priv, uint64_t cookie,
				      uint64_t offset, void *buf, size_t len)
{
	return kdx_format_qemu_savevm.read(priv, cookie, offset, buf, len);
}

static void libvirt_destroy(void *priv)
{
	kdx_format_qemu_savevm.destroy(priv);
}

const struct kdx_format_ops kdx_format_libvirt_save = {
	.name = "libvirt-save",
	.description = "libvirt `virsh save` file (uncompressed QEMU stream)",
	.detect = true,
	.probe = libvirt_probe,
	.open = libvirt_open,
	.read = libvirt_read,
	.destroy = libvirt_destroy,
};
