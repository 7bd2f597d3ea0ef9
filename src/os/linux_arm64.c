/* SPDX-License-Identifier: MIT */
/* Linux on arm64 (arch/arm64/kernel/vmcore_info.c): the kernel's TTBR1
 * table is swapper_pg_dir, at SYMBOL(swapper_pg_dir) - kimage_voffset;
 * the translated width is 64 - NUMBER(TCR_EL1_T1SZ) (else VA_BITS); the
 * granule is PAGESIZE.  The linear map starts at PAGE_OFFSET =
 * -(1 << VA_BITS) since 5.4 (-(1 << (VA_BITS - 1)) before) and maps
 * NUMBER(PHYS_OFFSET) there (a value that prints negative is normal).
 * Without those VMCOREINFO keys, the CPU state a format saved (a QEMU
 * migration stream's cpreg list) gives TTBR1_EL1, and TCR_EL1 the width
 * (64 - T1SZ) and granule (TG1) where VMCOREINFO does not; else only a
 * root given by hand (--root, TTBR1_EL1) helps. */
#include "os/linux_common.h"

#include <string.h>

/* TTBR's table address: BADDR, bits 47:1 (the ASID above, CnP in bit 0;
 * FEAT_LPA's bits 51:48 in 5:2 are not taken). */
#define TTBR_BADDR 0x0000fffffffffffeull
#define TCR_T1SZ(tcr) (((tcr) >> 16) & 0x3f)
#define TCR_TG1(tcr) (((tcr) >> 30) & 3)

static const struct kdx_cpu *first_cpu_with_ttbr(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	for (size_t i = 0; i < n; i++)
		if (cpus[i].has_ttbr)
			return &cpus[i];
	return NULL;
}

/* TCR_EL1.TG1: 1 16K, 2 4K, 3 64K; 0 is reserved. */
static unsigned int tg1_page_size(uint64_t tcr)
{
	static const unsigned int size[4] = { 0, 16384, 4096, 65536 };

	return size[TCR_TG1(tcr)];
}

/* The mode's source also says where the address width came from. */
static void find_geometry(const struct kdx_dump *dump,
			  struct kdx_kernel_layout *out, uint64_t *va_bits_cfg)
{
	const struct kdx_cpu *cpu = first_cpu_with_ttbr(dump);
	uint64_t t1sz, va_bits, psize;

	if (out->mode == KDX_PAGING_NONE) {
		out->mode = KDX_PAGING_AARCH64;
		kdx_linux_source(out->mode_source, "arm64 dump");
	}
	*va_bits_cfg = 48;
	if (kdx_linux_vmci(dump, "NUMBER(VA_BITS)", false, &va_bits))
		*va_bits_cfg = va_bits;
	if (out->va_bits) {
		/* given */
	} else if (kdx_linux_vmci(dump, "NUMBER(TCR_EL1_T1SZ)", false, &t1sz) &&
		   t1sz > 0 && t1sz < 64) {
		out->va_bits = 64 - (unsigned int)t1sz;
		kdx_linux_source(out->mode_source,
				 "VMCOREINFO NUMBER(TCR_EL1_T1SZ)=%u: %u-bit",
				 (unsigned int)t1sz, out->va_bits);
	} else if (cpu && !kdx_dump_vmcoreinfo_get(dump, "NUMBER(VA_BITS)") &&
		   TCR_T1SZ(cpu->tcr_el1) >= 12 && TCR_T1SZ(cpu->tcr_el1) <= 39) {
		out->va_bits = 64 - (unsigned int)TCR_T1SZ(cpu->tcr_el1);
		*va_bits_cfg = out->va_bits;
		kdx_linux_source(out->mode_source,
				 "CPU %u TCR_EL1 T1SZ %u (%s): %u-bit", cpu->index,
				 (unsigned int)TCR_T1SZ(cpu->tcr_el1),
				 cpu->state_source, out->va_bits);
	} else {
		out->va_bits = (unsigned int)*va_bits_cfg;
		kdx_linux_source(out->mode_source, "%s: %u-bit",
				 kdx_dump_vmcoreinfo_get(dump, "NUMBER(VA_BITS)") ?
					 "VMCOREINFO NUMBER(VA_BITS)" :
					 "assumed",
				 out->va_bits);
	}
	psize = kdx_dump_page_size(dump);
	if (!kdx_dump_vmcoreinfo_get(dump, "PAGESIZE") && cpu &&
	    tg1_page_size(cpu->tcr_el1))
		psize = tg1_page_size(cpu->tcr_el1);
	if (kdx_linux_vmci(dump, "PAGESIZE", false, &psize) ||
	    psize == 4096 || psize == 16384 || psize == 65536)
		out->page_size = (unsigned int)psize;
	if (out->page_size != 4096 && out->page_size != 16384 &&
	    out->page_size != 65536)
		out->page_size = 4096;
}

static enum kdx_os_match arm64_detect(const struct kdx_dump *dump)
{
	if (kdx_dump_arch(dump) != KDX_ARCH_AARCH64)
		return KDX_OS_MATCH_NO;
	return kdx_linux_match(dump);
}

static struct kdx_error *arm64_probe(const struct kdx_dump *dump,
				     const struct kdx_kernel_options *given,
				     struct kdx_kernel_layout *out)
{
	uint64_t voff = 0, sym = 0, va_bits_cfg;
	bool has_voff;

	(void)given;
	find_geometry(dump, out, &va_bits_cfg);
	kdx_linux_common_flags(dump, out);
	has_voff = kdx_linux_vmci(dump, "NUMBER(kimage_voffset)", false, &voff);
	if (!out->lnx.has_kaslr_offset &&
	    kdx_linux_vmci(dump, "KERNELOFFSET", true, &out->lnx.kaslr_offset)) {
		out->lnx.has_kaslr_offset = true;
		kdx_linux_source(out->lnx.kaslr_offset_source,
				 "VMCOREINFO KERNELOFFSET");
	}
	if (!out->lnx.has_phys_base &&
	    kdx_linux_vmci(dump, "NUMBER(PHYS_OFFSET)", false,
			   &out->lnx.phys_base)) {
		out->lnx.has_phys_base = true;
		kdx_linux_source(out->lnx.phys_base_source,
				 "VMCOREINFO NUMBER(PHYS_OFFSET)");
	}
	if (!out->has_direct_map &&
	    kdx_dump_vmcoreinfo_get(dump, "NUMBER(VA_BITS)")) {
		unsigned int v = kdx_linux_version(dump);
		bool flipped = v == 0 || v >= 5004;

		out->has_direct_map = true;
		out->direct_map = (uint64_t)0 -
				  (1ull << (va_bits_cfg - (flipped ? 0 : 1)));
		kdx_linux_source(out->direct_map_source,
				 "-(1 << %s) for VA_BITS %u (Linux %s 5.4)",
				 flipped ? "VA_BITS" : "(VA_BITS - 1)",
				 (unsigned int)va_bits_cfg,
				 flipped ? ">=" : "<");
	}
	if (out->has_root)
		return NULL; /* given */
	if (!has_voff || !kdx_linux_vmci(dump, "SYMBOL(swapper_pg_dir)", true, &sym)) {
		const struct kdx_cpu *cpu = first_cpu_with_ttbr(dump);

		if (cpu) {
			out->has_root = true;
			out->root = cpu->ttbr1_el1 & TTBR_BADDR;
			kdx_linux_source(out->root_source,
					 "CPU %u TTBR1_EL1 (%s)", cpu->index,
					 cpu->state_source);
			return NULL;
		}
		kdx_linux_note(out,
			       "no SYMBOL(swapper_pg_dir) and NUMBER(kimage_voffset) in VMCOREINFO: give --root (TTBR1_EL1)");
		return NULL;
	}
	out->has_root = true;
	out->root = sym - voff;
	kdx_linux_source(out->root_source,
			 "VMCOREINFO SYMBOL(swapper_pg_dir) - kimage_voffset");
	if (out->va_bits < va_bits_cfg)
		kdx_linux_note(out,
			       "the kernel is built for %u-bit addresses but runs with %u: the walk starts inside swapper_pg_dir",
			       (unsigned int)va_bits_cfg, out->va_bits);
	kdx_linux_check_root(out, dump, "SYMBOL(swapper_pg_dir)", sym);
	return NULL;
}

const struct kdx_os_ops kdx_os_linux_arm64 = {
	.name = "linux-arm64",
	.os = KDX_OS_LINUX,
	.detect = arm64_detect,
	.probe = arm64_probe,
};
