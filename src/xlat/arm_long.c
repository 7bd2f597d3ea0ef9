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
