/* SPDX-License-Identifier: MIT */
/* POWER radix translation (Power ISA v3.0 Book III 6.7.10, POWER9 and
 * later), as the kernel quadrant uses it: effective addresses whose top
 * two bits are 0b11 and whose bits 61:52 are zero; 52 bits translated
 * through a 64 KiB root of 8192 entries (EA bits 51:39) and three levels
 * of 512 (38:30, 29:21, 20:12), each level's leaves a page (512 GiB,
 * 1 GiB, 2 MiB, 4 KiB).  Entries are big-endian whatever the CPU's
 * endianness (the form says so).  V (bit 63) valid; L (bit 62) leaf;
 * a leaf's RPN is bits 55:12, a directory's next-level base (NLB) bits
 * 55:8 and its size (NLS) bits 4:0.  Leaf permissions: EAA bits 3:0
 * (privileged, read, write, execute), R (bit 8) referenced, C (bit 7)
 * changed. */
#include "xlat/xlat.h"

#define RPTE_VALID (1ull << 63)
#define RPTE_LEAF (1ull << 62)
#define RPTE_RPN 0x00fffffffffff000ull
#define RPDE_NLB 0x00ffffffffffff00ull
#define RPDE_NLS 0x1full
#define RPTE_PRIV 0x8ull
#define RPTE_READ 0x4ull
#define RPTE_WRITE 0x2ull
#define RPTE_EXEC 0x1ull
#define RPTE_REF 0x100ull
#define RPTE_CHG 0x080ull

static unsigned int leaf_flags(uint64_t e)
{
	unsigned int flags = 0;

	if (e & RPTE_WRITE)
		flags |= KDX_PAGE_WRITABLE;
	if (!(e & RPTE_PRIV))
		flags |= KDX_PAGE_USER;
	if (!(e & RPTE_EXEC))
		flags |= KDX_PAGE_NX;
	if (e & RPTE_REF)
		flags |= KDX_PAGE_ACCESSED;
	if (e & RPTE_CHG)
		flags |= KDX_PAGE_DIRTY;
	return flags;
}

static void radix_decode(const struct kdx_xlat *xlat, unsigned int level,
			 uint64_t raw, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;
	unsigned int shift = xlat->form->level[level].shift;
	bool last = level + 1 == xlat->form->levels;

	if (!(e & RPTE_VALID)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (!(e & RPTE_LEAF)) {
		uint64_t size = 8ull << (e & RPDE_NLS);

		if (last) {
			out->kind = KDX_PTE_BAD;
			out->problem = "is a directory entry at the last level";
			return;
		}
		/* NLS gives the next table's size: it must be the one the
		 * next level's index needs (0 in the area FreeBSD's
		 * minidump writer leaves alone). */
		if ((e & RPDE_NLS) &&
		    size != (uint64_t)xlat->form->level[level + 1].entries * 8) {
			out->kind = KDX_PTE_BAD;
			out->problem = "gives a next-level size (NLS) other than the level's";
			return;
		}
		out->kind = KDX_PTE_TABLE;
		out->addr = e & RPDE_NLB;
		out->flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER;
		return;
	}
	if ((e & RPTE_RPN) & ((1ull << shift) - 1)) {
		out->kind = KDX_PTE_BAD;
		out->problem = "is a misaligned leaf (RPN bits below the page size set)";
		return;
	}
	if ((e & RPTE_RPN) & ~xlat->addr_mask) {
		out->kind = KDX_PTE_BAD;
		out->problem = "has a real page number beyond the physical address width";
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = e & RPTE_RPN;
	out->flags = leaf_flags(e);
}

const struct kdx_paging_form kdx_form_ppc64_radix = {
	.mode = KDX_PAGING_PPC64_RADIX,
	.name = "POWER radix",
	.levels = 4,
	.entry_size = 8,
	.va_bits = 52,
	.fixed_high = 0xc000000000000000ull,
	.big_endian_entries = true,
	.root_mask = RPDE_NLB,
	.default_phys_bits = 56,
	.max_phys_bits = 56,
	.level = { { "L1", 39, 8192 }, { "L2", 30, 512 }, { "L3", 21, 512 },
		   { "L4", 12, 512 } },
	.decode = radix_decode,
};
