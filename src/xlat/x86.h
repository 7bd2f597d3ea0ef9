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

/* Rights an entry grants, as KDX_PAGE_* (writable/user/NX). */
unsigned int kdx_x86_rights(const struct kdx_xlat *xlat, uint64_t entry);

/* Flags of a leaf entry: rights plus G, PWT, PCD, PAT, A, D. */
unsigned int kdx_x86_leaf_flags(const struct kdx_xlat *xlat, uint64_t entry,
				bool large);

/* Decode a 64-bit entry (PAE and IA-32e) mapping @shift bits per entry:
 * @last is the lowest level; @large_ok says a PS bit makes a large page
 * here (else PS is reserved). */
void kdx_x86_decode64(const struct kdx_xlat *xlat, uint64_t entry,
		      unsigned int shift, bool last, bool large_ok,
		      struct kdx_pte *out);

/* The IA-32e decoder shared by 4- and 5-level forms. */
void kdx_x86_64_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t entry, struct kdx_pte *out);

#endif
