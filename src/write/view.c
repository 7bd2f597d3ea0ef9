/* SPDX-License-Identifier: MIT */
#include "write/view.h"

#include <kdx/xlat_dump.h>

#include "core/util.h"
#include "lib/dump.h"

#include <string.h>

const struct kdx_phys_range *kdx_view_phys_ranges(const struct kdx_out_view *v,
						  size_t *count)
{
	if (!v->machine)
		return kdx_dump_phys_ranges(v->dump, count);
	*count = v->machine->nranges;
	return v->machine->ranges;
}

/* A piece's stats into the whole read's: its first addresses are the
 * input's (@paddr), given as the output's (@maddr). */
static void add_stats(struct kdx_read_stats *t, const struct kdx_read_stats *p,
		      uint64_t paddr, uint64_t maddr)
{
	if (p->zero_bytes && !t->zero_bytes)
		t->first_zero = p->first_zero - paddr + maddr;
	if (p->hole_bytes && !t->hole_bytes)
		t->first_hole = p->first_hole - paddr + maddr;
	if (p->excluded_bytes && !t->excluded_bytes)
		t->first_excluded = p->first_excluded - paddr + maddr;
	t->zero_bytes += p->zero_bytes;
	t->hole_bytes += p->hole_bytes;
	t->excluded_bytes += p->excluded_bytes;
}

/* A machine frame no pfn of the guest is at: a hole. */
static struct kdx_error *machine_hole(uint64_t maddr, uint8_t *buf, size_t n,
				      unsigned int flags,
				      struct kdx_read_stats *stats)
{
	if (!(flags & KDX_READ_ZERO_FILL))
		return kdx_err(KDX_ERR_NODATA,
			       "machine address 0x%llx: no pfn of the guest is there",
			       (unsigned long long)maddr);
	memset(buf, 0, n);
	if (stats && !stats->hole_bytes)
		stats->first_hole = maddr;
	if (stats)
		stats->hole_bytes += n;
	return NULL;
}

/* Machine addresses: each run of frames read from the pfns under it. */
static struct kdx_error *read_machine(const struct kdx_out_view *v,
				      uint64_t maddr, uint8_t *buf, size_t len,
				      unsigned int flags,
				      struct kdx_read_stats *stats)
{
	uint64_t page = 1ull << v->machine->page_shift;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	while (len) {
		struct kdx_read_stats part;
		uint64_t paddr, span;
		size_t n;
		struct kdx_error *err;

		if (!kdx_machine_to_pseudo(v->machine, maddr, &paddr, &span)) {
			n = (size_t)kdx_min_u64(len, page - maddr % page);
			err = machine_hole(maddr, buf, n, flags, stats);
		} else {
			n = (size_t)kdx_min_u64(len, span);
			err = kdx_read_phys(v->dump, paddr, buf, n, flags, &part);
			if (err)
				err = kdx_err_wrap(err, "machine address 0x%llx",
						   (unsigned long long)maddr);
			else if (stats)
				add_stats(stats, &part, paddr, maddr);
		}
		if (err)
			return err;
		buf += n;
		maddr += n;
		len -= n;
	}
	return NULL;
}

struct kdx_error *kdx_view_read_phys(const struct kdx_out_view *v,
				     uint64_t paddr, void *buf, size_t len,
				     unsigned int flags,
				     struct kdx_read_stats *stats)
{
	struct kdx_error *err;

	if (v->machine)
		return read_machine(v, paddr, buf, len, flags, stats);
	err = kdx_read_phys(v->dump, paddr, buf, len, flags, stats);

	if (!err && v->filter)
		err = kdx_page_filter_apply(v->filter, paddr, buf, len);
	return err;
}

bool kdx_view_all_zero_range(const struct kdx_out_view *v, uint64_t addr,
			     uint64_t len)
{
	/* Machine addresses are not the dump's: the shortcut is skipped. */
	return !v->machine && kdx_dump_all_zero_range(v->dump, addr, len);
}

void kdx_view_phys_extent(const struct kdx_out_view *v, uint64_t addr,
			  uint64_t len, struct kdx_phys_extent *out)
{
	const struct kdx_filter_page *p;
	uint64_t page, in, span;

	if (v->machine) {
		if (!kdx_machine_to_pseudo(v->machine, addr, &in, &span)) {
			page = 1ull << v->machine->page_shift;
			out->fd = -1; /* the read says why */
			out->size = kdx_min_u64(len, page - addr % page);
			return;
		}
		kdx_dump_phys_extent(v->dump, in, kdx_min_u64(len, span), out);
		return;
	}
	kdx_dump_phys_extent(v->dump, addr, len, out);
	if (!v->filter || out->fd < 0)
		return;
	p = kdx_page_filter_next(v->filter, addr);
	if (!p || p->paddr >= addr + out->size)
		return;
	page = v->filter->page_size;
	if (p->paddr > addr) { /* copy up to the rewritten page */
		out->size = p->paddr - addr;
		return;
	}
	out->fd = -1; /* read the rewritten page */
	out->size = kdx_min_u64(out->size, p->paddr + page - addr);
}

static struct kdx_error *view_read_table(void *ctx, uint64_t paddr, void *buf,
					 size_t len)
{
	return kdx_view_read_phys(ctx, paddr, buf, len, 0, NULL);
}

struct kdx_error *kdx_view_kernel_layout(const struct kdx_out_view *v,
					 const struct kdx_kernel_options *opts,
					 struct kdx_kernel_layout *layout)
{
	if (v->machine) /* the guest's tables map pfns, not these addresses */
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "the kernel's view of a dump at machine addresses is not kdx's to give");
	if (!v->filter)
		return kdx_kernel_probe(v->dump, opts, layout);
	*layout = v->filter->layout;
	return NULL;
}

struct kdx_error *kdx_view_xlat_create(const struct kdx_out_view *v,
				       const struct kdx_kernel_layout *layout,
				       struct kdx_xlat **out)
{
	static const struct kdx_xlat_ops ops = {
		.version = KDX_XLAT_OPS_VERSION,
		.read_phys = view_read_table,
	};
	struct kdx_xlat_config cfg;

	if (!v->filter)
		return kdx_kernel_xlat_create(v->dump, layout, out);
	if (!layout->has_root || layout->mode == KDX_PAGING_NONE)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the kernel page-table root is not known%s%s",
			       layout->note[0] ? ": " : "", layout->note);
	kdx_xlat_config_init(&cfg);
	cfg.mode = layout->mode;
	cfg.root = layout->root;
	cfg.flags = layout->xlat_flags;
	cfg.ignore_mask = layout->ignore_mask;
	cfg.va_bits = layout->va_bits;
	cfg.page_size = layout->page_size;
	cfg.phys_bits = layout->phys_bits;
	/* The callback only reads: the view stays const. */
	return kdx_xlat_create(&cfg, &ops, (void *)v, out);
}

bool kdx_view_keeps_note(const struct kdx_out_view *v,
			 const struct kdx_note *n)
{
	if (v->machine)
		return kdx_machine_keeps_note(n);
	return !v->filter || !v->filter->drop_note || !v->filter->drop_note(n);
}
