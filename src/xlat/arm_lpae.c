/* SPDX-License-Identifier: MIT */
/* ARMv7 LPAE long-descriptor paging (Arm ARM DDI 0406 B3.6): 64-bit
 * entries, level 1 (4 entries of 1 GiB), level 2 (512 of 2 MiB), level 3
 * (512 of 4 KiB); blocks at levels 1 and 2; 40-bit output addresses.
 * TTBCR.T1SZ/T0SZ size the two regions (kdx_xlat_config::va_bits,
 * low_va_bits); a region of 1 GiB or less starts at level 2 - Linux's
 * live TTBR1 with VMSPLIT_3G is such a level-2 table, 0x4000 past
 * swapper_pg_dir. */
#include "xlat/arm_long.h"

#define LPAE_ADDR 0x000000fffffff000ull
#define LPAE_ADDR_HIGH 0x0000ff0000000000ull /* bits 47:40, must be 0 */

static void lpae_decode(const struct kdx_xlat *xlat, unsigned int level,
			uint64_t raw, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;
	unsigned int shift = xlat->form->level[level].shift;
	bool last = level + 1 == xlat->form->levels;
	uint64_t addr = e & LPAE_ADDR & xlat->addr_mask;

	if (!(e & ARML_VALID)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if ((e & LPAE_ADDR_HIGH) || (e & LPAE_ADDR & ~xlat->addr_mask)) {
		out->kind = KDX_PTE_BAD;
		out->problem = "has output address bits above the physical address width set";
		return;
	}
	if (!(e & ARML_TABLE) && last) {
		out->kind = KDX_PTE_BAD;
		out->problem = "has the reserved type 0b01 at level 3";
		return;
	}
	kdx_arml_decode_valid(e, addr, shift, last, out);
}

const struct kdx_paging_form kdx_form_arm_lpae = {
	.mode = KDX_PAGING_ARM_LPAE,
	.name = "ARMv7 LPAE",
	.levels = 3,
	.entry_size = 8,
	.va_bits = 32,
	.root_mask = LPAE_ADDR | 0xfe0ull, /* TTBR BADDR 39:5, no ASID */
	.default_phys_bits = 40,
	.max_phys_bits = 40,
	.split = true,
	.min_va_bits = 25, /* T1SZ <= 7 */
	.max_va_bits = 32,
	.default_va_bits = 32,
	.level = {
		{ "L1", 30, 4 },
		{ "L2", 21, 512 },
		{ "L3", 12, 512 },
	},
	.decode = lpae_decode,
};
