/* SPDX-License-Identifier: MIT */
/* Attributes of long-descriptor entries (ARMv7 LPAE and AArch64). */
#include "xlat/arm_long.h"

unsigned int kdx_arml_leaf_flags(uint64_t e)
{
	unsigned int flags = 0;
	bool user = (e & ARML_AP_USER) != 0;

	if (!(e & ARML_AP_RO))
		flags |= KDX_PAGE_WRITABLE;
	if (user)
		flags |= KDX_PAGE_USER;
	if (e & (user ? ARML_UXN : ARML_PXN))
		flags |= KDX_PAGE_NX;
	if (!(e & ARML_NG))
		flags |= KDX_PAGE_GLOBAL;
	if (e & ARML_AF)
		flags |= KDX_PAGE_ACCESSED;
	return flags;
}

void kdx_arml_decode_valid(uint64_t e, uint64_t addr, unsigned int shift,
			   bool last, struct kdx_pte *out)
{
	if (!(e & ARML_TABLE)) {
		out->kind = KDX_PTE_PAGE;
		out->addr = addr & ~((1ull << shift) - 1);
		out->flags = kdx_arml_leaf_flags(e);
		return;
	}
	out->addr = addr;
	out->kind = last ? KDX_PTE_PAGE : KDX_PTE_TABLE;
	out->flags = last ? kdx_arml_leaf_flags(e) : kdx_arml_table_flags(e);
}

unsigned int kdx_arml_table_flags(uint64_t e)
{
	unsigned int flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER;

	if (e & ARML_AP_TABLE_RO)
		flags &= ~KDX_PAGE_WRITABLE;
	if (e & ARML_AP_TABLE_NOUSER)
		flags &= ~KDX_PAGE_USER;
	/* Kernel view: PXNTable forbids execution below. */
	if (e & ARML_PXN_TABLE)
		flags |= KDX_PAGE_NX;
	return flags;
}
