/* SPDX-License-Identifier: MIT */
/* x86 page-table entry bits shared by the x86 paging forms (Intel SDM
 * Vol. 3A ch. 4; AMD APM Vol. 2 ch. 5).  Target constants with an X86_
 * prefix: nothing here depends on the host. */
#ifndef KDX_XLAT_X86_H
#define KDX_XLAT_X86_H

#include "xlat/xlat.h"

#define X86_PTE_P 0x001u
#define X86_PTE_RW 0x002u
#define X86_PTE_US 0x004u
#define X86_PTE_PWT 0x008u
#define X86_PTE_PCD 0x010u
#define X86_PTE_A 0x020u
#define X86_PTE_D 0x040u
#define X86_PTE_PS 0x080u  /* large page in a PDE/PDPTE */
#define X86_PTE_PAT 0x080u /* ... but PAT in a 4 KiB PTE */
#define X86_PTE_G 0x100u
#define X86_PTE_PAT_LARGE 0x1000u /* PAT of a 2M/4M/1G page */
#define X86_PTE_NX (1ull << 63)
/* Address field of 64-bit entries, bits 12..51. */
#define X86_PTE_ADDR_64 0x000ffffffffff000ull

/* The decoders are inline: they run once per level of every walk. */

/* Rights an entry grants, as KDX_PAGE_* (writable/user/NX). */
static inline unsigned int kdx_x86_rights(const struct kdx_xlat *xlat,
					  uint64_t entry)
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

/* Flags of a leaf entry: rights plus G, PWT, PCD, PAT, A, D. */
static inline unsigned int kdx_x86_leaf_flags(const struct kdx_xlat *xlat,
					      uint64_t entry, bool large)
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

static inline void kdx_x86_bad(struct kdx_pte *out, const char *problem)
{
	out->kind = KDX_PTE_BAD;
	out->problem = problem;
}

/* A leaf: 4 KiB, or a large page whose address bits below the page size
 * (except the PAT bit, 12) must be clear. */
static inline void kdx_x86_leaf64(const struct kdx_xlat *xlat,
				  uint64_t entry, unsigned int shift,
				  bool large, struct kdx_pte *out)
{
	uint64_t page_mask = (1ull << shift) - 1;
	uint64_t addr = entry & xlat->addr_mask;

	if (large && (addr & page_mask & ~(uint64_t)X86_PTE_PAT_LARGE)) {
		kdx_x86_bad(out, "has reserved bits set below its large-page address");
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = addr & ~page_mask;
	out->flags = kdx_x86_leaf_flags(xlat, entry, large);
}

/* Decode a 64-bit entry (PAE and IA-32e) mapping @shift bits per entry:
 * @last is the lowest level; @large_ok says a PS bit makes a large page
 * here (else PS is reserved). */
static inline void kdx_x86_decode64(const struct kdx_xlat *xlat,
				    uint64_t entry, unsigned int shift,
				    bool last, bool large_ok,
				    struct kdx_pte *out)
{
	entry &= ~xlat->cfg.ignore_mask;
	if (!(entry & X86_PTE_P)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if ((entry & X86_PTE_NX) && !(xlat->cfg.flags & KDX_XLAT_NXE)) {
		kdx_x86_bad(out, "has the NX bit set, which is reserved without EFER.NXE");
		return;
	}
	if (entry & X86_PTE_ADDR_64 & ~xlat->addr_mask) {
		kdx_x86_bad(out, "has address bits above MAXPHYADDR set (reserved)");
		return;
	}
	if (last || (entry & X86_PTE_PS)) {
		if (!last && !large_ok) {
			kdx_x86_bad(out, "has the PS bit set, which is reserved at this level");
			return;
		}
		kdx_x86_leaf64(xlat, entry, shift, !last, out);
		return;
	}
	out->kind = KDX_PTE_TABLE;
	out->addr = entry & xlat->addr_mask;
	out->flags = kdx_x86_rights(xlat, entry);
}

/* The IA-32e decoder shared by 4- and 5-level forms. */
void kdx_x86_64_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t entry, struct kdx_pte *out);

#endif
