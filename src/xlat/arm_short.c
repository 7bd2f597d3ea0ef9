/* SPDX-License-Identifier: MIT */
/* ARM short-descriptor paging (32-bit entries, 2 levels), in its two
 * generations (Arm ARM DDI 0406 B3.5 for v6/v7, DDI 0100 for v4/v5):
 *
 * - first level: 4096 entries of 1 MiB; fault, coarse table (256 entries
 *   of 4 KiB, 1 KiB long), 1 MiB section; v6/v7 add 16 MiB supersections
 *   (repeated in 16 entries, physical bits 39:32 in the entry) and PXN;
 *   v4/v5 have fine tables instead (1024 entries of 1 KiB, 4 KiB long).
 * - second level: 64 KiB large pages (repeated 16 times in a coarse
 *   table, 64 in a fine one), 4 KiB small pages, v4/v5 1 KiB tiny pages
 *   (fine tables) and XScale extended small pages (0b11 in a coarse
 *   table); v6/v7's 0b1x is a small page with XN in bit 0.
 *
 * TTBCR.N > 0 gives TTBR0 a table of 4096 >> N entries for addresses
 * below 2^(32-N): the low region (kdx_xlat_config::low_va_bits).
 *
 * Rights: AP[1:0] (and APX on v6/v7): writable when the kernel may
 * write, user when user mode may access at all; NX from XN/PXN.  Target
 * constants carry an ARM_ prefix; nothing depends on the host. */
#include "xlat/xlat.h"

#define ARM_L1_TYPE 0x3u
#define ARM_L1_COARSE 0x1u
#define ARM_L1_SECTION 0x2u
#define ARM_L1_FINE_V5 0x3u      /* v4/v5: fine table; v7: section + PXN */
#define ARM_L1_PXN 0x4u          /* coarse table entry, v7 with PXN */
#define ARM_SECT_XN 0x10u
#define ARM_SECT_AP_SHIFT 10
#define ARM_SECT_APX 0x8000u
#define ARM_SECT_NG 0x20000u
#define ARM_SECT_SUPER 0x40000u
#define ARM_L2_TYPE 0x3u
#define ARM_L2_LARGE 0x1u
#define ARM_L2_SMALL 0x2u
#define ARM_L2_AP_SHIFT 4
#define ARM_L2_APX 0x200u
#define ARM_L2_NG 0x800u
#define ARM_L2_LARGE_XN 0x8000u
#define ARM_L2_SMALL_XN 0x1u

/* Form levels. */
enum { L1, L2, L2_FINE };

/* AP[1:0] (+APX): writable for the kernel, accessible to user mode. */
static unsigned int ap_rights(unsigned int ap, bool apx)
{
	unsigned int flags = 0;

	if (ap != 0 && !apx)
		flags |= KDX_PAGE_WRITABLE;
	if (ap & 2)
		flags |= KDX_PAGE_USER;
	return flags;
}

static void table(struct kdx_pte *out, uint64_t addr, unsigned int flags,
		  unsigned int next_level)
{
	out->kind = KDX_PTE_TABLE;
	out->addr = addr;
	out->flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER | flags;
	out->next_level = next_level;
}

static void page(struct kdx_pte *out, uint64_t addr, unsigned int shift,
		 unsigned int flags)
{
	out->kind = KDX_PTE_PAGE;
	out->addr = addr;
	out->page_shift = shift;
	out->flags = flags;
}

/* v6/v7 first level. */
static void v7_l1(uint32_t e, struct kdx_pte *out)
{
	unsigned int type = e & ARM_L1_TYPE;
	unsigned int flags;

	if (type == 0) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (type == ARM_L1_COARSE) {
		table(out, e & 0xfffffc00u, e & ARM_L1_PXN ? KDX_PAGE_NX : 0, L2);
		return;
	}
	/* 0b10 section, 0b11 section with PXN (bit 0). */
	flags = ap_rights((e >> ARM_SECT_AP_SHIFT) & 3, e & ARM_SECT_APX);
	if (e & (ARM_SECT_XN | (type == 3 ? 1u : 0u)))
		flags |= KDX_PAGE_NX;
	if (!(e & ARM_SECT_NG))
		flags |= KDX_PAGE_GLOBAL;
	if (e & ARM_SECT_SUPER) {
		/* PA[31:24] = e[31:24], PA[35:32] = e[23:20], PA[39:36] = e[8:5] */
		uint64_t pa = (e & 0xff000000u) | (uint64_t)((e >> 20) & 0xf) << 32 |
			      (uint64_t)((e >> 5) & 0xf) << 36;

		page(out, pa, 24, flags);
		return;
	}
	page(out, e & 0xfff00000u, 0, flags);
}

static void v7_l2(uint32_t e, struct kdx_pte *out)
{
	unsigned int type = e & ARM_L2_TYPE;
	unsigned int flags;

	if (type == 0) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	flags = ap_rights((e >> ARM_L2_AP_SHIFT) & 3, e & ARM_L2_APX);
	if (!(e & ARM_L2_NG))
		flags |= KDX_PAGE_GLOBAL;
	if (type == ARM_L2_LARGE) {
		if (e & ARM_L2_LARGE_XN)
			flags |= KDX_PAGE_NX;
		page(out, e & 0xffff0000u, 16, flags);
		return;
	}
	if (e & ARM_L2_SMALL_XN)
		flags |= KDX_PAGE_NX;
	page(out, e & 0xfffff000u, 0, flags);
}

static void arm_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t raw, struct kdx_pte *out)
{
	uint32_t e = (uint32_t)(raw & ~xlat->cfg.ignore_mask);

	if (level == L1)
		v7_l1(e, out);
	else
		v7_l2(e, out);
}

/* v4/v5: AP of the first subpage stands for the page (Linux programs all
 * subpages alike); no XN, no nG. */
static void v5_decode(const struct kdx_xlat *xlat, unsigned int level,
		      uint64_t raw, struct kdx_pte *out)
{
	uint32_t e = (uint32_t)(raw & ~xlat->cfg.ignore_mask);
	unsigned int type = e & 3;

	if (type == 0) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (level == L1) {
		if (type == ARM_L1_COARSE)
			table(out, e & 0xfffffc00u, 0, L2);
		else if (type == ARM_L1_FINE_V5)
			table(out, e & 0xfffff000u, 0, L2_FINE);
		else
			page(out, e & 0xfff00000u, 0,
			     ap_rights((e >> ARM_SECT_AP_SHIFT) & 3, false));
		return;
	}
	{
		unsigned int flags = ap_rights((e >> ARM_L2_AP_SHIFT) & 3, false);

		if (type == ARM_L2_LARGE)
			page(out, e & 0xffff0000u, 16, flags);
		else if (type == ARM_L2_SMALL || level == L2)
			/* 0b11 in a coarse table: XScale extended small page */
			page(out, e & 0xfffff000u, 12, flags);
		else
			page(out, e & 0xfffffc00u, 0, flags); /* tiny, 1 KiB */
	}
}

const struct kdx_paging_form kdx_form_arm = {
	.mode = KDX_PAGING_ARM,
	.name = "ARMv7 short-descriptor",
	.levels = 2,
	.entry_size = 4,
	.va_bits = 32,
	.root_mask = 0xffffffffull, /* then aligned to the table's size */
	.default_phys_bits = 40,
	.max_phys_bits = 40,
	.split = true,
	.min_va_bits = 25, /* TTBCR.N <= 7 */
	.max_va_bits = 32,
	.default_va_bits = 32,
	.level = {
		{ "L1", 20, 4096 },
		{ "L2", 12, 256 },
	},
	.decode = arm_decode,
};

const struct kdx_paging_form kdx_form_arm_v5 = {
	.mode = KDX_PAGING_ARM_V5,
	.name = "ARMv4/v5 short-descriptor",
	.levels = 3,
	.entry_size = 4,
	.va_bits = 32,
	.root_mask = 0xffffffffull,
	.default_phys_bits = 32,
	.max_phys_bits = 32,
	.split = true,
	.min_va_bits = 32, /* one table, no TTBR1 */
	.max_va_bits = 32,
	.default_va_bits = 32,
	.level = {
		{ "L1", 20, 4096 },
		{ "L2", 12, 256 },
		{ "L2-fine", 10, 1024 },
	},
	.decode = v5_decode,
};
