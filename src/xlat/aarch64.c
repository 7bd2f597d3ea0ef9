/* SPDX-License-Identifier: MIT */
/* AArch64 stage-1 paging (Arm ARM DDI 0487 D8): one form per granule
 * (4, 16, 64 KiB), each listing every level the granule can have; the
 * region's address width (64 - TnSZ, 25..52 bits) picks the top level
 * and its entry count.  Blocks where the architecture allows them:
 * levels mapping up to 1 GiB, and up to 4 TiB with 52-bit physical
 * addresses (FEAT_LPA2 on 4/16 KiB granules, FEAT_LPA on 64 KiB).
 * Output addresses: bits 47:granule; with FEAT_LPA (64 KiB, phys_bits
 * 52) PA[51:48] in bits 15:12; with FEAT_LPA2 (4/16 KiB, phys_bits 52 or
 * a VA wider than 48 bits) bits 49:granule and PA[51:50] in bits 9:8.
 * The contiguous hint (bit 52) is only a TLB hint: every entry of a run
 * holds its own address, so it is read as a plain mapping. */
#include "xlat/arm_long.h"

#define A64_ADDR_48 0x0000fffffffff000ull  /* bits 47:12 */
#define A64_ADDR_50 0x0003fffffffff000ull  /* bits 49:12 (LPA2) */
/* Bits 49:48: output address bits only with 52-bit addresses (bits 51
 * and 50 are DBM and GP in leaves). */
#define A64_ADDR_49_48 0x0003000000000000ull

static unsigned int granule_shift(const struct kdx_xlat *xlat)
{
	return xlat->form->level[xlat->form->levels - 1].shift;
}

static bool pa52(const struct kdx_xlat *xlat)
{
	return xlat->cfg.phys_bits == 52;
}

/* The output address of a table, block or page descriptor; false when it
 * has address bits the configuration does not allow. */
static bool output_address(const struct kdx_xlat *xlat, uint64_t e,
			   uint64_t *addr)
{
	unsigned int g = granule_shift(xlat);
	uint64_t low = ~((1ull << g) - 1);

	if (pa52(xlat) && g == 16) {
		*addr = (e & A64_ADDR_48 & low) | ((e >> 12) & 0xf) << 48;
		return true;
	}
	if (pa52(xlat)) {
		*addr = (e & A64_ADDR_50 & low) | ((e >> 8) & 0x3) << 50;
		return true;
	}
	*addr = e & A64_ADDR_48 & low;
	if (e & A64_ADDR_49_48)
		return false;
	return (*addr & ~xlat->addr_mask & A64_ADDR_48) == 0;
}

static bool block_allowed(const struct kdx_xlat *xlat, unsigned int shift)
{
	return shift <= 30 || (pa52(xlat) && shift <= 42);
}

static void bad(struct kdx_pte *out, const char *problem)
{
	out->kind = KDX_PTE_BAD;
	out->problem = problem;
}

static void a64_decode(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t raw, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;
	unsigned int shift = xlat->form->level[level].shift;
	bool last = level + 1 == xlat->form->levels;
	uint64_t addr;

	if (!(e & ARML_VALID)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (!output_address(xlat, e, &addr)) {
		bad(out, "has output address bits above the physical address width set");
		return;
	}
	if (!(e & ARML_TABLE) && last) {
		bad(out, "has the reserved type 0b01 at the last level");
		return;
	}
	if (!(e & ARML_TABLE) && !block_allowed(xlat, shift)) {
		bad(out, "is a block descriptor, which this level does not allow");
		return;
	}
	kdx_arml_decode_valid(e, addr, shift, last, out);
}

/* TTBRn_EL1: ASID in 63:48, BADDR in 47:1 (CnP in bit 0); with 52-bit
 * physical addresses BADDR[51:48] sits in bits 5:2. */
static uint64_t a64_root(const struct kdx_xlat *xlat, uint64_t reg)
{
	uint64_t root = reg & 0x0000fffffffffffeull;

	if (pa52(xlat))
		root = (root & ~0x3eull) | ((reg >> 2) & 0xf) << 48;
	return root;
}

#define A64_FORM(name_, sfx, ...)                                          \
	const struct kdx_paging_form kdx_form_aarch64_##sfx = {            \
		.mode = KDX_PAGING_AARCH64,                                \
		.name = name_,                                             \
		.entry_size = 8,                                           \
		.va_bits = 64,                                             \
		.root_mask = 0x0000fffffffffffeull,                        \
		.default_phys_bits = 48,                                   \
		.max_phys_bits = 52,                                       \
		.split = true,                                             \
		.min_va_bits = 25,                                         \
		.max_va_bits = 52,                                         \
		.default_va_bits = 48,                                     \
		.decode = a64_decode,                                      \
		.root_addr = a64_root,                                     \
		__VA_ARGS__                                                \
	}

A64_FORM("AArch64 4K", 4k, .levels = 5,
	 .level = { { "L-1", 48, 16 }, { "L0", 39, 512 }, { "L1", 30, 512 },
		    { "L2", 21, 512 }, { "L3", 12, 512 } });
A64_FORM("AArch64 16K", 16k, .levels = 4,
	 .level = { { "L0", 47, 32 }, { "L1", 36, 2048 }, { "L2", 25, 2048 },
		    { "L3", 14, 2048 } });
A64_FORM("AArch64 64K", 64k, .levels = 3,
	 .level = { { "L1", 42, 1024 }, { "L2", 29, 8192 },
		    { "L3", 16, 8192 } });
