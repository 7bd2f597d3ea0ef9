/* SPDX-License-Identifier: MIT */
/* MIPS translation: the architecture's unmapped segments and kernel page
 * tables whose leaves are TLB EntryLo words.
 *
 * MIPS refills its TLB in software, so only two things are the
 * architecture's: the segments that bypass the TLB (KSEG0 cached and
 * KSEG1 uncached, each the first 512 MiB of physical memory at
 * 0x80000000 and 0xa0000000, sign-extended on 64-bit CPUs; XKPHYS,
 * 0x8000000000000000-0xbfffffffffffffff, physical memory by bits 58:0
 * with the cache attribute in bits 61:59; addresses beyond the physical
 * width, 48 bits by default, are address errors) and the EntryLo word a leaf
 * holds: G (bit 0), V (bit 1), D (bit 2, writes allowed), C (bits 5:3),
 * and the page frame from bit 6 (physical address bits 12 and up).
 * FreeBSD's 32-bit kernels keep 4-byte leaves (frame in bits 28:6,
 * software bits 31:29), its 64-bit ones 8-byte leaves (frame in bits
 * 33:6, software bits 63:55).
 *
 * The directory levels above the leaves are each OS's own (FreeBSD's
 * segment table holds kernel virtual pointers); these forms read the
 * simplest one: an entry is the next table's physical address, any of
 * bits 11:0 set meaning present.  "mips32": 32-bit addresses, 1024
 * directory entries of 4 MiB, 1024 leaves.  "mips64": the mapped kernel
 * segment XKSEG (0xc000000000000000 + 39 bits), three levels of 512. */
#include "xlat/xlat.h"

#define ENTRYLO_V 0x2ull
#define ENTRYLO_D 0x4ull
#define ENTRYLO_G 0x1ull
#define ENTRYLO_C 0x38ull
#define ENTRYLO_PFN_SHIFT 6
#define PFN32_MASK 0x1fffffc0ull
#define PFN64_MASK 0x3ffffffc0ull
/* C = 2: uncached. */
#define CACHE_UNCACHED 0x10ull

#define KSEG_SIZE 0x20000000ull
#define XKPHYS_START 0x8000000000000000ull
#define XKPHYS_END 0xc000000000000000ull
#define XKPHYS_ADDR_BITS 59

static void decode(const struct kdx_xlat *xlat, unsigned int level,
		   uint64_t raw, uint64_t pfn_mask, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;

	if (level + 1 < xlat->form->levels) {
		out->kind = e ? KDX_PTE_TABLE : KDX_PTE_NONE;
		out->addr = e & ~0xfffull & xlat->addr_mask;
		out->flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER;
		return;
	}
	if (!(e & ENTRYLO_V)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = (e & pfn_mask) >> ENTRYLO_PFN_SHIFT << 12;
	/* A kernel mapping: no user access; MIPS has no execute bit. */
	out->flags = (e & ENTRYLO_D ? KDX_PAGE_WRITABLE | KDX_PAGE_DIRTY : 0) |
		     (e & ENTRYLO_G ? KDX_PAGE_GLOBAL : 0) |
		     ((e & ENTRYLO_C) == CACHE_UNCACHED ? KDX_PAGE_PCD : 0);
}

static void mips32_decode(const struct kdx_xlat *xlat, unsigned int level,
			  uint64_t raw, struct kdx_pte *out)
{
	decode(xlat, level, raw, PFN32_MASK, out);
}

static void mips64_decode(const struct kdx_xlat *xlat, unsigned int level,
			  uint64_t raw, struct kdx_pte *out)
{
	decode(xlat, level, raw, PFN64_MASK, out);
}

static bool kseg(uint64_t low32, uint64_t vaddr, struct kdx_xlat_result *out)
{
	if (low32 < 0x80000000ull || low32 >= 0x80000000ull + 2 * KSEG_SIZE)
		return false;
	out->vaddr = vaddr;
	out->paddr = low32 & (KSEG_SIZE - 1);
	out->page_size = 4096;
	out->flags = KDX_PAGE_WRITABLE |
		     (low32 >= 0x80000000ull + KSEG_SIZE ? KDX_PAGE_PCD : 0);
	return true;
}

static bool mips32_unmapped(const struct kdx_xlat *xlat, uint64_t vaddr,
			    struct kdx_xlat_result *out)
{
	(void)xlat;
	return vaddr <= UINT32_MAX && kseg(vaddr, vaddr, out);
}

static bool mips64_unmapped(const struct kdx_xlat *xlat, uint64_t vaddr,
			    struct kdx_xlat_result *out)
{
	uint64_t pa = vaddr & ((1ull << XKPHYS_ADDR_BITS) - 1);

	if (vaddr >> 32 == 0xffffffffull)
		return kseg(vaddr & UINT32_MAX, vaddr, out);
	if (vaddr < XKPHYS_START || vaddr >= XKPHYS_END ||
	    pa > (xlat->addr_mask | 0xfff))
		return false;
	out->vaddr = vaddr;
	out->paddr = pa;
	out->page_size = 4096;
	out->flags = KDX_PAGE_WRITABLE |
		     ((vaddr >> XKPHYS_ADDR_BITS & 7) == 2 ? KDX_PAGE_PCD : 0);
	return true;
}

const struct kdx_paging_form kdx_form_mips32 = {
	.mode = KDX_PAGING_MIPS32,
	.name = "MIPS32",
	.levels = 2,
	.entry_size = 4,
	.va_bits = 32,
	.root_mask = ~0xfffull,
	.default_phys_bits = 36,
	.max_phys_bits = 36,
	.level = { { "PDE", 22, 1024 }, { "PTE", 12, 1024 } },
	.decode = mips32_decode,
	.unmapped = mips32_unmapped,
};

const struct kdx_paging_form kdx_form_mips64 = {
	.mode = KDX_PAGING_MIPS64,
	.name = "MIPS64",
	.levels = 3,
	.entry_size = 8,
	.va_bits = 39,
	.fixed_high = 0xc000000000000000ull,
	.root_mask = ~0xfffull,
	.default_phys_bits = 48,
	.max_phys_bits = 48,
	.level = { { "SEG", 30, 512 }, { "PDE", 21, 512 }, { "PTE", 12, 512 } },
	.decode = mips64_decode,
	.unmapped = mips64_unmapped,
};
