/* SPDX-License-Identifier: MIT */
/* x86 IA-32e 5-level paging (CR4.LA57): 57-bit virtual addresses, a PML5
 * table above the 4-level ones.  Entries decode exactly as in 4-level
 * paging, so this mode is a table row. */
#include "xlat/x86.h"

const struct kdx_paging_form kdx_form_x86_la57 = {
	.mode = KDX_PAGING_X86_LA57,
	.name = "IA-32e 5-level (LA57)",
	.levels = 5,
	.entry_size = 8,
	.va_bits = 57,
	.sign_extended = true,
	.root_mask = X86_PTE_ADDR_64,
	.default_phys_bits = 52,
	.max_phys_bits = 52,
	.level = {
		{ "PML5", 48, 512 },
		{ "PML4", 39, 512 },
		{ "PDPT", 30, 512 },
		{ "PD", 21, 512 },
		{ "PT", 12, 512 },
	},
	.decode = kdx_x86_64_decode,
};
