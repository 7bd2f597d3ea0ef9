/* SPDX-License-Identifier: MIT */
/* Translation on a dump: the dump's physical (or, for a Xen PV guest,
 * machine) reads feed the walker, and virtual reads go page by page
 * through a translation, reading each page in the space it returns. */
#include <kdx/xlat_dump.h>

#include "core/error.h"
#include "lib/dump.h"
#include "xlat/xlat.h"

#include <string.h>

/* The walker's table reader: tables the format makes up (a FreeBSD
 * minidump's page-table area and the levels built over it) where it has
 * them, physical memory for the rest. */
static struct kdx_error *dump_read_phys(void *ctx, uint64_t paddr, void *buf,
					size_t len)
{
	const struct kdx_dump *dump = ctx;

	if (dump->format->read_table) {
		bool served;
		struct kdx_error *err = dump->format->read_table(
			dump->desc.priv, paddr, buf, len, &served);

		if (err || served)
			return err;
		/* The format's tables may lie in the physical map's holes:
		 * a hole's end says nothing of what the format serves. */
		err = kdx_read_phys(dump, paddr, buf, len, 0, NULL);
		kdx_err_forget_nodata_end(err);
		return err;
	}
	return kdx_read_phys(dump, paddr, buf, len, 0, NULL);
}

/* Page tables by machine address: through the m2p the reader built from
 * the dump's own p2m, never through a virtual address (seed 000). */
static struct kdx_error *dump_read_machine(void *ctx, uint64_t maddr,
					   void *buf, size_t len)
{
	struct kdx_error *err = kdx_read_machine(ctx, maddr, buf, len, 0, NULL);

	/* A hole's end is a physical address, not a machine one. */
	kdx_err_forget_nodata_end(err);
	return err;
}

/* A dump of fewer pages than the caches' defaults hold (256 table
 * pages, 32768 translations) fills no more of them than it has pages:
 * caches that size cost less to make (2 MiB zeroed at each create was
 * most of a small dump's open under the fuzzer). */
#define SMALL_DUMP_PAGES 256u

static uint64_t dump_pages(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t pages = 16; /* no less than a few */

	for (size_t i = 0; i < n && pages < SMALL_DUMP_PAGES; i++)
		pages += r[i].size / 4096 + 1;
	return pages;
}

struct kdx_error *kdx_dump_xlat_create(const struct kdx_dump *dump,
				       const struct kdx_xlat_config *cfg,
				       struct kdx_xlat **out)
{
	static const struct kdx_xlat_ops ops = {
		.version = KDX_XLAT_OPS_VERSION,
		.read_phys = dump_read_phys,
		.read_machine = dump_read_machine,
	};

	struct kdx_xlat_config small;

	if (cfg && (cfg->flags & KDX_XLAT_MACHINE) &&
	    !kdx_dump_has_machine(dump))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "machine-address page tables, but this dump has no machine addresses (no Xen p2m)");
	if (!cfg) {
		kdx_xlat_config_init(&small);
		cfg = &small;
	}
	if (!cfg->table_cache_pages || !cfg->tlb_entries) {
		uint64_t pages = dump_pages(dump);

		if (pages < SMALL_DUMP_PAGES) {
			if (cfg != &small) {
				small = *cfg;
				cfg = &small;
			}
			if (!small.table_cache_pages)
				small.table_cache_pages = (unsigned int)pages;
			if (!small.tlb_entries)
				small.tlb_entries = (unsigned int)pages;
		}
	}
	/* The callback only reads: the dump stays const. */
	return kdx_xlat_create(cfg, &ops, (void *)dump, out);
}

/* Add what one physical read met to the virtual read's totals, with the
 * addresses moved from physical to virtual. */
static void add_stats(struct kdx_read_stats *total,
		      const struct kdx_read_stats *part, uint64_t vaddr,
		      uint64_t paddr)
{
	if (part->zero_bytes && !total->zero_bytes)
		total->first_zero = vaddr + (part->first_zero - paddr);
	if (part->hole_bytes && !total->hole_bytes)
		total->first_hole = vaddr + (part->first_hole - paddr);
	total->zero_bytes += part->zero_bytes;
	total->hole_bytes += part->hole_bytes;
}

/* An unmapped page read with KDX_READ_ZERO_FILL. */
static void fill_hole(struct kdx_read_stats *total, uint64_t vaddr,
		      uint8_t *buf, size_t n)
{
	memset(buf, 0, n);
	if (!total->hole_bytes)
		total->first_hole = vaddr;
	total->hole_bytes += n;
}

/* The last address of @va's half of the address space: a zero-filled
 * hole never crosses into non-canonical addresses. */
static uint64_t half_end(const struct kdx_xlat *xlat, uint64_t va)
{
	uint64_t half = 1ull << (xlat->form->va_bits - 1);

	if (xlat->form->fixed_high)
		return xlat->form->fixed_high | xlat->va_mask;
	if (!xlat->form->sign_extended || xlat->form->va_bits >= 64)
		return xlat->va_mask;
	return va < half ? half - 1 : UINT64_MAX;
}

/* Bytes from @va, which is not mapped, to the next mapping, at most
 * @left: one enumeration instead of one failed walk per page.  If the
 * enumeration meets a problem, fall back to the smallest page (1 KiB). */
static size_t unmapped_span(struct kdx_xlat *xlat, uint64_t va, size_t left)
{
	uint64_t last = va + (left - 1), end = half_end(xlat, va);
	struct kdx_mapping m;
	struct kdx_error *err;
	bool none;

	if (last < va || last > end)
		last = end;
	err = kdx_xlat_next_mapping(xlat, va, last, &m);
	if (!err && m.vaddr > va)
		return (size_t)(m.vaddr - va);
	none = err && kdx_error_code(err) == KDX_ERR_NOTFOUND;
	kdx_error_destroy(err);
	if (none)
		return (size_t)(last - va) + 1;
	return 1024 - (size_t)(va & 1023) < left ? 1024 - (size_t)(va & 1023) :
						   left;
}

static size_t to_page_end(uint64_t addr, uint64_t page, size_t left)
{
	uint64_t n = page - (addr & (page - 1));

	return n < left ? (size_t)n : left;
}

struct kdx_error *kdx_read_virt(const struct kdx_dump *dump,
				struct kdx_xlat *xlat, uint64_t vaddr,
				void *buf, size_t len, unsigned int flags,
				struct kdx_read_stats *stats)
{
	struct kdx_read_stats local, *total = stats ? stats : &local;
	uint8_t *out = buf;
	size_t done = 0;

	memset(total, 0, sizeof(*total));
	/* Bounded: every pass consumes at least one byte. */
	while (done < len) {
		uint64_t va = vaddr + done;
		struct kdx_xlat_result r;
		struct kdx_read_stats part;
		struct kdx_error *err = kdx_xlat_translate(xlat, va, &r);
		size_t n;

		if (err) {
			if (!(flags & KDX_READ_ZERO_FILL) ||
			    kdx_error_code(err) != KDX_ERR_NODATA)
				return err;
			kdx_error_destroy(err);
			n = unmapped_span(xlat, va, len - done);
			fill_hole(total, va, out + done, n);
			done += n;
			continue;
		}
		n = to_page_end(r.paddr, r.page_size, len - done);
		if (r.space == KDX_MACHPHYSADDR)
			err = kdx_read_machine(dump, r.paddr, out + done, n,
					       flags, &part);
		else
			err = kdx_read_phys(dump, r.paddr, out + done, n, flags,
					    &part);
		add_stats(total, &part, va, r.paddr);
		if (err)
			return kdx_err_set_address(
				kdx_err_wrap(err, "read 0x%llx (virtual, at %s 0x%llx)",
					     (unsigned long long)va,
					     kdx_addr_space_name(r.space),
					     (unsigned long long)r.paddr),
				va);
		done += n;
	}
	return NULL;
}
