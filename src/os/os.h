/* SPDX-License-Identifier: MIT */
/* The OS layer: what each kernel needs to set up translation. */
#ifndef KDX_OS_OS_H
#define KDX_OS_OS_H

#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#include "core/error.h"

/* Linux on x86 (x86_64 and i386); @layout is empty on entry. */
struct kdx_error *kdx_linux_x86_probe(const struct kdx_dump *dump,
				      const struct kdx_kernel_options *opts,
				      struct kdx_kernel_layout *layout);

/* Linux as a Xen PV guest on x86 (machine-frame page tables): detect
 * says whether the dump is one (it maps machine addresses, or is a legacy
 * xc_core whose physical addresses are machine ones). */
bool kdx_xen_pv_detect(const struct kdx_dump *dump);
/* A fact the xc_core reader left as a "0x..." detail ("xen_cr3",
 * "xen_max_pfn", "xen_p2m_vaddr", ...); false if absent. */
bool kdx_xen_fact(const struct kdx_dump *dump, const char *key,
		  uint64_t *value);
struct kdx_error *kdx_xen_pv_probe(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *opts,
				   struct kdx_kernel_layout *layout);

/* Linux on arm64, 32-bit ARM (LPAE or not) and riscv64. */
struct kdx_error *kdx_linux_arm64_probe(const struct kdx_dump *dump,
					const struct kdx_kernel_options *opts,
					struct kdx_kernel_layout *layout);
struct kdx_error *kdx_linux_arm_probe(const struct kdx_dump *dump,
				      const struct kdx_kernel_options *opts,
				      struct kdx_kernel_layout *layout);
struct kdx_error *kdx_linux_riscv_probe(const struct kdx_dump *dump,
					const struct kdx_kernel_options *opts,
					struct kdx_kernel_layout *layout);

#endif
