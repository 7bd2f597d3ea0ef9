/* SPDX-License-Identifier: MIT */
/* A kernel layout and the translation it describes: what every OS entry
 * fills and what its callers (and the entries' own checks) build on. */
#include <kdx/kernel.h>

#include "core/error.h"

#include <string.h>

const char *kdx_os_name(enum kdx_os os)
{
	switch (os) {
	case KDX_OS_UNKNOWN: return "unknown";
	case KDX_OS_LINUX: return "linux";
	case KDX_OS_FREEBSD: return "freebsd";
	case KDX_OS_XEN: return "xen";
	}
	return "unknown";
}

void kdx_kernel_layout_init(struct kdx_kernel_layout *layout)
{
	memset(layout, 0, sizeof(*layout));
}

struct kdx_error *kdx_kernel_xlat_create(const struct kdx_dump *dump,
					 const struct kdx_kernel_layout *layout,
					 struct kdx_xlat **out)
{
	struct kdx_xlat_config cfg;

	if (layout->physical_only)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "no virtual addresses in this dump: %s; read it with --phys",
			       layout->note);
	if (layout->mode == KDX_PAGING_NONE)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the paging mode is not known%s%s; give --mode",
			       layout->note[0] ? ": " : "", layout->note);
	if (!layout->has_root)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the kernel page-table root is not known%s%s; give --root",
			       layout->note[0] ? ": " : "", layout->note);
	kdx_xlat_config_init(&cfg);
	cfg.mode = layout->mode;
	cfg.root = layout->root;
	cfg.flags = layout->xlat_flags;
	cfg.ignore_mask = layout->ignore_mask;
	cfg.va_bits = layout->va_bits;
	cfg.page_size = layout->page_size;
	cfg.phys_bits = layout->phys_bits;
	if (layout->has_root_low) {
		cfg.flags |= KDX_XLAT_ROOT_LOW;
		cfg.root_low = layout->root_low;
	}
	return kdx_dump_xlat_create(dump, &cfg, out);
}
