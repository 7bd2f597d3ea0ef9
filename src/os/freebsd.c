/* SPDX-License-Identifier: MIT */
/* FreeBSD: the kernel's address space and message buffer from a
 * minidump's own header, no symbols needed.  The page-table area and the
 * direct map are shown to the translation layer as tables
 * (format/fbsd_ptables.c); here we only say where the root is and which
 * walker reads it. */
#include "os/freebsd.h"

#include <kdx/log.h>

#include "core/endian.h"
#include "core/util.h"
#include "format/fbsd_minidump.h"
#include "io/file.h"
#include "lib/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAGIC KDX_FBSD_MSG_MAGIC

/* The minidump reader's state, or NULL for another format. */
static const struct fbsd_minidump *minidump_of(const struct kdx_dump *dump)
{
	return kdx_dump_format_priv(dump, &kdx_format_fbsd_minidump);
}

static enum kdx_os_match freebsd_detect(const struct kdx_dump *dump)
{
	return minidump_of(dump) || kdx_fbsd_full_dump(dump) ?
		       KDX_OS_MATCH_LIKELY :
		       KDX_OS_MATCH_NO;
}

static void source(char *dst, const char *fmt, const char *a, unsigned int v)
{
	snprintf(dst, KDX_SOURCE_LEN, fmt, a, v);
}

/* Everything from the minidump header; kdx_os_probe() has already put the
 * user's overrides in the layout, and they are kept. */
static struct kdx_error *freebsd_probe(const struct kdx_dump *dump,
				       const struct kdx_kernel_options *given,
				       struct kdx_kernel_layout *layout)
{
	const struct fbsd_minidump *md = minidump_of(dump);
	const struct fbsd_paging *pg;

	if (!md)
		return kdx_fbsd_full_probe(dump, given, layout);
	pg = &md->paging;
	if (layout->mode == KDX_PAGING_NONE) {
		layout->mode = pg->mode;
		source(layout->mode_source, "FreeBSD/%s minidump v%u header",
		       md->row->arch_name, md->version);
	}
	if (!layout->has_root) {
		layout->has_root = true;
		layout->root = kdx_fbsd_root(md);
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 pg->hashed ?
				 "hashed page table: the page-table area at file offset 0x%llx" :
				 "page-table area at file offset 0x%llx, upper levels built in memory",
			 (unsigned long long)md->pmap_off);
	}
	if (!layout->va_bits)
		layout->va_bits = pg->va_bits;
	layout->page_size = pg->page_size;
	if (pg->mode == KDX_PAGING_X86_64 || pg->mode == KDX_PAGING_X86_PAE ||
	    pg->mode == KDX_PAGING_X86_32)
		layout->xlat_flags |= KDX_XLAT_PSE | KDX_XLAT_NXE;
	if (md->byte_order == KDX_BIG_ENDIAN)
		layout->xlat_flags |= KDX_XLAT_BIG_ENDIAN;
	if (md->has_dmap && !layout->has_direct_map) {
		layout->has_direct_map = true;
		layout->direct_map = md->dmapbase;
		source(layout->direct_map_source,
		       "FreeBSD/%s minidump v%u header: dmapbase",
		       md->row->arch_name, md->version);
	}
	return NULL;
}

const struct kdx_os_ops kdx_os_freebsd = {
	.name = "freebsd",
	.os = KDX_OS_FREEBSD,
	.detect = freebsd_detect,
	.probe = freebsd_probe,
};

/* The buffer's bytes, oldest first: from the write position when struct
 * msgbuf follows the buffer (msgbufinit() puts it there, so the rounded
 * region holds it), else as stored.  NULs (never written) are left out. */
static size_t order_ring(const struct fbsd_minidump *md, const uint8_t *region,
			 size_t region_len, char *out)
{
	size_t size = md->msgbufsize;
	unsigned int w = md->word_size;
	uint32_t wseq = 0;

	if (size && region_len >= size + w + 12) {
		const uint8_t *h = region + size + w;

		if (kdx_load_u32(h, md->byte_order) == MSG_MAGIC &&
		    kdx_load_u32(h + 4, md->byte_order) == size)
			wseq = kdx_load_u32(h + 8, md->byte_order);
	}
	return kdx_fbsd_order_ring(region, size, wseq, out);
}

struct kdx_error *kdx_dump_msgbuf(const struct kdx_dump *dump, char **text,
				  size_t *len)
{
	const struct fbsd_minidump *md = minidump_of(dump);
	uint64_t region_len, file_size;
	uint8_t *region;
	struct kdx_error *err;

	/* No buffer of its own (a full dump, a minidump without one): the
	 * kernel's msgbufp, when a kernel image names it. */
	if ((!md || !md->msgbufsize) && kdx_dump_symtab(dump) &&
	    (md || kdx_fbsd_full_dump(dump)))
		return kdx_fbsd_msgbuf_from_symbols(dump, text, len);
	if (!md)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the dump carries no message buffer of its own");
	if (!md->msgbufsize)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the minidump has no message buffer section; give --kernel (its msgbufp finds the buffer)");
	file_size = md->end;
	region_len = (md->msgbufsize + (uint64_t)md->page_size - 1) /
		     md->page_size * md->page_size;
	region_len = kdx_min_u64(region_len, file_size - md->msgbuf_off);
	/* A flattened stream's unwritten bytes read as zeros: a few records
	 * may claim a gigabyte-sized ring.  The ring is read only when the
	 * file holds it, so it costs what the file holds. */
	err = kdx_file_check_written(md->file, "minidump message buffer",
				     md->msgbuf_off,
				     kdx_min_u64(region_len, md->msgbufsize));
	if (err)
		return err;
	region = malloc(region_len + 1);
	*text = malloc(md->msgbufsize + 1u);
	if (!region || !*text) {
		free(region);
		free(*text);
		*text = NULL;
		return kdx_err_nomem();
	}
	err = kdx_file_read(md->file, md->msgbuf_off, region, region_len);
	if (err) {
		free(region);
		free(*text);
		*text = NULL;
		return kdx_err_wrap(err, "minidump message buffer");
	}
	*len = order_ring(md, region, region_len, *text);
	(*text)[*len] = '\0';
	free(region);
	return NULL;
}
