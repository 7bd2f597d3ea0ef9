/* SPDX-License-Identifier: MIT */
/* Linux on riscv64 (arch/riscv/kernel/vmcore_info.c): Sv39/48/57 from
 * NUMBER(VA_BITS); the root is swapper_pg_dir, in the kernel image
 * (va >= NUMBER(KERNEL_LINK_ADDR): pa = va - va_kernel_pa_offset) or
 * the linear map (pa = va - PAGE_OFFSET + phys_ram_base). */
#include "os/linux_common.h"

static enum kdx_os_match riscv_detect(const struct kdx_dump *dump)
{
	if (kdx_dump_arch(dump) != KDX_ARCH_RISCV64)
		return KDX_OS_MATCH_NO;
	return kdx_linux_match(dump);
}

static struct kdx_error *riscv_probe(const struct kdx_dump *dump,
				     const struct kdx_kernel_options *given,
				     struct kdx_kernel_layout *out)
{
	uint64_t va_bits = 39, sym, link = 0, koff = 0;
	bool has_va = kdx_linux_vmci(dump, "NUMBER(VA_BITS)", false, &va_bits);

	(void)given;
	kdx_linux_common_flags(dump, out);
	if (out->mode == KDX_PAGING_NONE) {
		out->mode = va_bits == 57 ? KDX_PAGING_RISCV_SV57 :
			    va_bits == 48 ? KDX_PAGING_RISCV_SV48 :
					    KDX_PAGING_RISCV_SV39;
		kdx_linux_source(out->mode_source, "%s%u",
				 has_va ? "VMCOREINFO NUMBER(VA_BITS)=" :
					  "assumed VA_BITS ",
				 (unsigned int)va_bits);
	}
	if (!out->has_direct_map &&
	    kdx_linux_vmci(dump, "NUMBER(PAGE_OFFSET)", false, &out->direct_map)) {
		out->has_direct_map = true;
		kdx_linux_source(out->direct_map_source,
				 "VMCOREINFO NUMBER(PAGE_OFFSET)");
	}
	if (!out->lnx.has_phys_base &&
	    kdx_linux_vmci(dump, "NUMBER(phys_ram_base)", false,
			   &out->lnx.phys_base)) {
		out->lnx.has_phys_base = true;
		kdx_linux_source(out->lnx.phys_base_source,
				 "VMCOREINFO NUMBER(phys_ram_base)");
	}
	if (out->has_root)
		return NULL; /* given */
	if (!kdx_linux_vmci(dump, "SYMBOL(swapper_pg_dir)", true, &sym)) {
		kdx_linux_note(out, "no SYMBOL(swapper_pg_dir) in VMCOREINFO: give --root (satp.PPN << 12)");
		return NULL;
	}
	if (kdx_linux_vmci(dump, "NUMBER(KERNEL_LINK_ADDR)", false, &link) &&
	    sym >= link &&
	    kdx_linux_vmci(dump, "NUMBER(va_kernel_pa_offset)", false, &koff)) {
		out->root = sym - koff;
		kdx_linux_source(out->root_source,
				 "VMCOREINFO SYMBOL(swapper_pg_dir) - va_kernel_pa_offset");
	} else if (out->has_direct_map && out->lnx.has_phys_base) {
		out->root = sym - out->direct_map + out->lnx.phys_base;
		kdx_linux_source(out->root_source,
				 "VMCOREINFO SYMBOL(swapper_pg_dir) - PAGE_OFFSET + phys_ram_base");
	} else {
		kdx_linux_note(out, "cannot place SYMBOL(swapper_pg_dir): give --root");
		return NULL;
	}
	out->has_root = true;
	kdx_linux_check_root(out, dump, "SYMBOL(swapper_pg_dir)", sym);
	return NULL;
}

const struct kdx_os_ops kdx_os_linux_riscv = {
	.name = "linux-riscv",
	.os = KDX_OS_LINUX,
	.detect = riscv_detect,
	.probe = riscv_probe,
};
