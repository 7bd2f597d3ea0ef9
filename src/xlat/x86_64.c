/* SPDX-License-Identifier: MIT */
/* x86 IA-32e 4-level paging: 48-bit virtual addresses, PML4 -> PDPT -> PD
 * -> PT, 512 eight-byte entries per table; 1 GiB pages in the PDPT, 2 MiB
 * pages in the PD.  CR3 bits 51:12 hold the PML4 address (bits 11:0 may
 * be a PCID). */
#include "xlat/x86.h"

/* Large pages are allowed where an entry maps 1 GiB or 2 MiB; shared with
 * the 5-level form, whose extra top level maps 256 TiB per entry. */
void kdx_x86_64_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t entry, struct kdx_pte *out)
{
	unsigned int shift = xlat->form->level[level].shift;
	bool last = level + 1 == xlat->form->levels;

	kdx_x86_decode64(xlat, entry, shift, last, shift == 21 || shift == 30,
			 out);
}

const struct kdx_paging_form kdx_form_x86_64 = {
	.mode = KDX_PAGING_X86_64,
	.name = "IA-32e 4-level",
	.levels = 4,
	.entry_size = 8,
	.va_bits = 48,
	.sign_extended = true,
	.root_mask = X86_PTE_ADDR_64,
	.default_phys_bits = 52,
	.max_phys_bits = 52,
	.level = {
		{ "PML4", 39, 512 },
		{ "PDPT", 30, 512 },
		{ "PD", 21, 512 },
		{ "PT", 12, 512 },
	},
	.decode = kdx_x86_64_decode,
};
