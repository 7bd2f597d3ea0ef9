/* SPDX-License-Identifier: MIT */
/* The long-descriptor entry format shared by ARMv7 LPAE and AArch64
 * (Arm ARM DDI 0406 B3.6, DDI 0487 D8.3): bits[1:0] 0bx0 invalid, 0b01
 * block, 0b11 table (page at the last level); leaf attributes AP[2:1]
 * (7:6), AF (10), nG (11), contiguous hint (52), PXN (53), UXN/XN (54);
 * table attributes PXNTable (59), UXNTable (60), APTable (62:61). */
#ifndef KDX_XLAT_ARM_LONG_H
#define KDX_XLAT_ARM_LONG_H

#include "xlat/xlat.h"

#define ARML_VALID 0x1ull
#define ARML_TABLE 0x2ull /* with VALID: table, or page at the last level */
#define ARML_AP_RO (1ull << 7)   /* AP[2]: read-only */
#define ARML_AP_USER (1ull << 6) /* AP[1]: EL0 access */
#define ARML_AF (1ull << 10)
#define ARML_NG (1ull << 11)
#define ARML_CONT (1ull << 52)
#define ARML_PXN (1ull << 53)
#define ARML_UXN (1ull << 54)
#define ARML_PXN_TABLE (1ull << 59)
#define ARML_UXN_TABLE (1ull << 60)
#define ARML_AP_TABLE_NOUSER (1ull << 61)
#define ARML_AP_TABLE_RO (1ull << 62)

/* KDX_PAGE_* of a leaf: writable unless AP[2], user if AP[1], NX when the
 * level that would run it (EL0 for user pages, EL1 otherwise) may not. */
unsigned int kdx_arml_leaf_flags(uint64_t entry);

/* What a table entry allows below it. */
unsigned int kdx_arml_table_flags(uint64_t entry);

/* A valid entry whose output address @addr the form has checked (and
 * whose type the form allows at this level): a block of 2^@shift bytes,
 * a page at the @last level, or the next table. */
void kdx_arml_decode_valid(uint64_t entry, uint64_t addr, unsigned int shift,
			   bool last, struct kdx_pte *out);

#endif
