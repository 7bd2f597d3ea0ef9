/* SPDX-License-Identifier: MIT */
/* x86 32-bit 2-level paging: PD -> PT, 1024 four-byte entries each.  With
 * CR4.PSE a PDE with PS maps a 4 MiB page; PSE-36 puts physical address
 * bits 39:32 in PDE bits 20:13 (as many as MAXPHYADDR - 32 allows) and
 * makes bit 21 reserved.  No NX in this mode. */
#include "xlat/x86.h"

#define PSE36_SHIFT 13
#define PSE36_RESERVED_BIT (1u << 21)

static void leaf_4m(const struct kdx_xlat *xlat, uint32_t entry,
		    struct kdx_pte *out)
{
	unsigned int high_bits = xlat->cfg.phys_bits > 32 ?
					 xlat->cfg.phys_bits - 32 : 0;
	uint32_t high_mask = high_bits >= 8 ? 0xffu : (1u << high_bits) - 1;
	uint32_t high = (entry >> PSE36_SHIFT) & 0xffu;

	if ((entry & PSE36_RESERVED_BIT) || (high & ~high_mask)) {
		out->kind = KDX_PTE_BAD;
		out->problem = "has reserved bits set (4 MiB page, PSE-36)";
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = (uint64_t)(entry & 0xffc00000u) | (uint64_t)high << 32;
	out->flags = kdx_x86_leaf_flags(xlat, entry, true);
}

static void x86_32_decode(const struct kdx_xlat *xlat, unsigned int level,
			  uint64_t raw, struct kdx_pte *out)
{
	uint32_t entry = (uint32_t)(raw & ~xlat->cfg.ignore_mask);

	if (!(entry & X86_PTE_P)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (level == 0 && (entry & X86_PTE_PS) &&
	    (xlat->cfg.flags & KDX_XLAT_PSE)) {
		leaf_4m(xlat, entry, out);
		return;
	}
	out->addr = entry & 0xfffff000u;
	if (level == 0) {
		out->kind = KDX_PTE_TABLE;
		out->flags = kdx_x86_rights(xlat, entry);
	} else {
		out->kind = KDX_PTE_PAGE;
		out->flags = kdx_x86_leaf_flags(xlat, entry, false);
	}
}

const struct kdx_paging_form kdx_form_x86_32 = {
	.mode = KDX_PAGING_X86_32,
	.name = "32-bit 2-level",
	.levels = 2,
	.entry_size = 4,
	.va_bits = 32,
	.sign_extended = false,
	.root_mask = 0xfffff000ull,
	.default_phys_bits = 40,
	.max_phys_bits = 52,
	.level = {
		{ "PD", 22, 1024 },
		{ "PT", 12, 1024 },
	},
	.decode = x86_32_decode,
};
