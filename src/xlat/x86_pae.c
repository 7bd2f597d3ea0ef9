/* SPDX-License-Identifier: MIT */
/* x86 PAE paging: 32-bit virtual addresses, 64-bit entries.  A 4-entry
 * PDPT (32-byte aligned, CR3 bits 31:5) -> PD (512 entries, 2 MiB pages
 * with PS) -> PT (512 entries). */
#include "xlat/x86.h"

static void decode_pdpte(const struct kdx_xlat *xlat, uint64_t entry,
			 struct kdx_pte *out)
{
	entry &= ~xlat->cfg.ignore_mask;
	if (!(entry & X86_PTE_P)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	/* The SDM also reserves bits 1, 2 and 5-8, but real PDPTEs have
	 * them set: Debian's 686-pae kernel under QEMU leaves R/W and
	 * Accessed in them (0x...021).  They change no translation, so only
	 * the address bits are checked. */
	if ((entry & ~X86_PTE_ADDR_64 & ~0xfffull) ||
	    (entry & X86_PTE_ADDR_64 & ~xlat->addr_mask)) {
		out->kind = KDX_PTE_BAD;
		out->problem = "has reserved bits set (PAE PDPT entry)";
		return;
	}
	/* A PDPTE carries no rights: the PD and PT entries decide. */
	out->kind = KDX_PTE_TABLE;
	out->addr = entry & xlat->addr_mask;
	out->flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER;
}

static void pae_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t entry, struct kdx_pte *out)
{
	if (level == 0)
		decode_pdpte(xlat, entry, out);
	else
		kdx_x86_decode64(xlat, entry, xlat->form->level[level].shift,
				 level == 2, level == 1, out);
}

const struct kdx_paging_form kdx_form_x86_pae = {
	.mode = KDX_PAGING_X86_PAE,
	.name = "PAE 3-level",
	.levels = 3,
	.entry_size = 8,
	.va_bits = 32,
	.sign_extended = false,
	.root_mask = 0xffffffe0ull,
	.default_phys_bits = 52,
	.max_phys_bits = 52,
	.level = {
		{ "PDPT", 30, 4 },
		{ "PD", 21, 512 },
		{ "PT", 12, 512 },
	},
	.decode = pae_decode,
};
