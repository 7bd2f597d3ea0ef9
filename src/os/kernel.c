/* SPDX-License-Identifier: MIT */
/* kdx_kernel_probe(): choose the dump's kernel from the OS table, put
 * the user's overrides into the layout (here, once, for every kernel),
 * then let the kernel's entry find the rest. */
#include "os/os.h"

#include "core/error.h"

#include <stdio.h>
#include <string.h>

#define GIVEN "command line"

void kdx_kernel_options_init(struct kdx_kernel_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = KDX_KERNEL_OPTIONS_VERSION;
}

static void given(char *source)
{
	snprintf(source, KDX_SOURCE_LEN, "%s", GIVEN);
}

/* The overrides as known values: a probe keeps them and derives the
 * rest from them (a given phys_base moves the root it computes). */
static void apply_overrides(const struct kdx_kernel_options *o,
			    struct kdx_kernel_layout *l)
{
	if (o->mode != KDX_PAGING_NONE) {
		l->mode = o->mode;
		given(l->mode_source);
	}
	if (o->has_root) {
		l->has_root = true;
		l->root = o->root;
		given(l->root_source);
	}
	if (o->has_kaslr_offset) {
		l->lnx.has_kaslr_offset = true;
		l->lnx.kaslr_offset = o->kaslr_offset;
		given(l->lnx.kaslr_offset_source);
	}
	if (o->has_phys_base) {
		l->lnx.has_phys_base = true;
		l->lnx.phys_base = o->phys_base;
		given(l->lnx.phys_base_source);
	}
	if (o->has_page_offset) {
		l->has_direct_map = true;
		l->direct_map = o->page_offset;
		given(l->direct_map_source);
	}
	l->va_bits = o->va_bits;
	if (o->version < 3)
		return;
	if (o->has_root_low) {
		l->has_root_low = true;
		l->root_low = o->root_low;
		given(l->root_low_source);
	}
	l->phys_bits = o->phys_bits;
}

struct kdx_error *kdx_os_probe(const struct kdx_os_ops *os,
			       const struct kdx_dump *dump,
			       const struct kdx_kernel_options *opts,
			       struct kdx_kernel_layout *layout)
{
	kdx_kernel_layout_init(layout);
	layout->os = os->os;
	apply_overrides(opts, layout);
	return os->probe(dump, opts, layout);
}

struct kdx_error *kdx_kernel_probe(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *opts,
				   struct kdx_kernel_layout *layout)
{
	struct kdx_kernel_options none;
	const struct kdx_os_ops *os;

	if (!opts) {
		kdx_kernel_options_init(&none);
		opts = &none;
	}
	/* Version 2 is version 3 without its last fields. */
	if (opts->version != KDX_KERNEL_OPTIONS_VERSION && opts->version != 2)
		return kdx_err(KDX_ERR_INVALID,
			       "kernel options: unknown version (use kdx_kernel_options_init)");
	kdx_kernel_layout_init(layout);
	os = kdx_os_find(dump);
	if (!os)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kernel address translation for %s dumps is not supported yet",
			       kdx_arch_name(kdx_dump_arch(dump)));
	return kdx_os_probe(os, dump, opts, layout);
}
