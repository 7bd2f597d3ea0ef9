/* SPDX-License-Identifier: MIT */
/* Entry decoding shared by the x86 paging forms with 64-bit entries. */
#include "xlat/x86.h"

unsigned int kdx_x86_rights(const struct kdx_xlat *xlat, uint64_t entry)
{
	unsigned int flags = 0;

	if (entry & X86_PTE_RW)
		flags |= KDX_PAGE_WRITABLE;
	if (entry & X86_PTE_US)
		flags |= KDX_PAGE_USER;
	if ((entry & X86_PTE_NX) && (xlat->cfg.flags & KDX_XLAT_NXE))
		flags |= KDX_PAGE_NX;
	return flags;
}

unsigned int kdx_x86_leaf_flags(const struct kdx_xlat *xlat, uint64_t entry,
				bool large)
{
	unsigned int flags = kdx_x86_rights(xlat, entry);

	if (entry & X86_PTE_G)
		flags |= KDX_PAGE_GLOBAL;
	if (entry & X86_PTE_PWT)
		flags |= KDX_PAGE_PWT;
	if (entry & X86_PTE_PCD)
		flags |= KDX_PAGE_PCD;
	if (entry & (large ? X86_PTE_PAT_LARGE : X86_PTE_PAT))
		flags |= KDX_PAGE_PAT;
	if (entry & X86_PTE_A)
		flags |= KDX_PAGE_ACCESSED;
	if (entry & X86_PTE_D)
		flags |= KDX_PAGE_DIRTY;
	return flags;
}

static void bad(struct kdx_pte *out, const char *problem)
{
	out->kind = KDX_PTE_BAD;
	out->problem = problem;
}

/* A leaf: 4 KiB, or a large page whose address bits below the page size
 * (except the PAT bit, 12) must be clear. */
static void leaf64(const struct kdx_xlat *xlat, uint64_t entry,
		   unsigned int shift, bool large, struct kdx_pte *out)
{
	uint64_t page_mask = (1ull << shift) - 1;
	uint64_t addr = entry & xlat->addr_mask;

	if (large && (addr & page_mask & ~(uint64_t)X86_PTE_PAT_LARGE)) {
		bad(out, "has reserved bits set below its large-page address");
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = addr & ~page_mask;
	out->flags = kdx_x86_leaf_flags(xlat, entry, large);
}

void kdx_x86_decode64(const struct kdx_xlat *xlat, uint64_t entry,
		      unsigned int shift, bool last, bool large_ok,
		      struct kdx_pte *out)
{
	entry &= ~xlat->cfg.ignore_mask;
	if (!(entry & X86_PTE_P)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if ((entry & X86_PTE_NX) && !(xlat->cfg.flags & KDX_XLAT_NXE)) {
		bad(out, "has the NX bit set, which is reserved without EFER.NXE");
		return;
	}
	if (entry & X86_PTE_ADDR_64 & ~xlat->addr_mask) {
		bad(out, "has address bits above MAXPHYADDR set (reserved)");
		return;
	}
	if (last || (entry & X86_PTE_PS)) {
		if (!last && !large_ok) {
			bad(out, "has the PS bit set, which is reserved at this level");
			return;
		}
		leaf64(xlat, entry, shift, !last, out);
		return;
	}
	out->kind = KDX_PTE_TABLE;
	out->addr = entry & xlat->addr_mask;
	out->flags = kdx_x86_rights(xlat, entry);
}
