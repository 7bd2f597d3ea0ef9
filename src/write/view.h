/* SPDX-License-Identifier: MIT */
/* What the writers read: the input dump as its output will hold it.  For
 * most dumps that is the dump itself; where the dump's OS entry made a
 * page filter (a Xen PV guest's page tables, os/page_filter.h), the pages
 * it names read rewritten, and the kernel is translated through the
 * rewritten tables, as any reader of the output will translate it.  The
 * writers know nothing of why. */
#ifndef KDX_WRITE_VIEW_H
#define KDX_WRITE_VIEW_H

#include <kdx/kernel.h>
#include <kdx/xlat.h>

#include "lib/dump.h"
#include "os/page_filter.h"
#include "write/machine.h"

struct kdx_out_view {
	const struct kdx_dump *dump;
	const struct kdx_page_filter *filter; /* NULL: pages as they are */
	/* Non-NULL (convert --machine, never with a filter): the output's
	 * physical addresses are the guest's machine addresses. */
	const struct kdx_machine_map *machine;
};

/* The output's physical memory map (kdx_dump_phys_ranges() of it). */
const struct kdx_phys_range *kdx_view_phys_ranges(const struct kdx_out_view *v,
						  size_t *count);

/* kdx_read_phys() of the output's bytes. */
struct kdx_error *kdx_view_read_phys(const struct kdx_out_view *v,
				     uint64_t paddr, void *buf, size_t len,
				     unsigned int flags,
				     struct kdx_read_stats *stats);

/* Whether [addr, addr + len) is memory the input describes but never
 * wrote: zero pages known without a read (never at machine addresses). */
bool kdx_view_all_zero_range(const struct kdx_out_view *v, uint64_t addr,
			     uint64_t len);

/* kdx_dump_phys_extent(), but bytes the filter rewrites are never held
 * verbatim (fd -1: read them with kdx_view_read_phys()). */
void kdx_view_phys_extent(const struct kdx_out_view *v, uint64_t addr,
			  uint64_t len, struct kdx_phys_extent *out);

/* The output's kernel layout: kdx_kernel_probe() with @opts, or the
 * filter's (its root where the output holds the rewritten tables). */
struct kdx_error *kdx_view_kernel_layout(const struct kdx_out_view *v,
					 const struct kdx_kernel_options *opts,
					 struct kdx_kernel_layout *layout);

/* The translation @layout describes, reading the output's bytes: as
 * kdx_kernel_xlat_create(), through the rewritten tables with a filter.
 * @v must outlive *@out. */
struct kdx_error *kdx_view_xlat_create(const struct kdx_out_view *v,
				       const struct kdx_kernel_layout *layout,
				       struct kdx_xlat **out);

/* Whether the output keeps the input's note @n. */
bool kdx_view_keeps_note(const struct kdx_out_view *v,
			 const struct kdx_note *n);

#endif
