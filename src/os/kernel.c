/* SPDX-License-Identifier: MIT */
/* Setting up the kernel's address space of a dump: the OS-independent
 * entry points, dispatching to the kernel that ran on the dump's
 * architecture. */
#include "os/os.h"

#include <string.h>

void kdx_kernel_options_init(struct kdx_kernel_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = KDX_KERNEL_OPTIONS_VERSION;
}

void kdx_kernel_layout_init(struct kdx_kernel_layout *layout)
{
	memset(layout, 0, sizeof(*layout));
}

struct kdx_error *kdx_kernel_probe(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *opts,
				   struct kdx_kernel_layout *layout)
{
	struct kdx_kernel_options none;
	enum kdx_arch arch = kdx_dump_arch(dump);

	if (!opts) {
		kdx_kernel_options_init(&none);
		opts = &none;
	}
	if (opts->version != KDX_KERNEL_OPTIONS_VERSION)
		return kdx_err(KDX_ERR_INVALID,
			       "kernel options: unknown version (use kdx_kernel_options_init)");
	kdx_kernel_layout_init(layout);
	if (kdx_xen_pv_detect(dump)) /* HOOK: Xen PV guests (os/xen_pv.c) */
		return kdx_xen_pv_probe(dump, opts, layout);
	if (arch == KDX_ARCH_X86_64 || arch == KDX_ARCH_I386)
		return kdx_linux_x86_probe(dump, opts, layout);
	if (arch == KDX_ARCH_AARCH64)
		return kdx_linux_arm64_probe(dump, opts, layout);
	if (arch == KDX_ARCH_ARM)
		return kdx_linux_arm_probe(dump, opts, layout);
	if (arch == KDX_ARCH_RISCV64)
		return kdx_linux_riscv_probe(dump, opts, layout);
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "kernel address translation for %s dumps is not supported yet",
		       kdx_arch_name(arch));
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
	return kdx_dump_xlat_create(dump, &cfg, out);
}
