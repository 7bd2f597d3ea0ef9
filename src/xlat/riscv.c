/* SPDX-License-Identifier: MIT */
/* RISC-V paging (Privileged Architecture, "Sv32/39/48/57"): Sv32 has 2
 * levels of 1024 four-byte entries (34-bit physical), Sv39/48/57 have
 * 3/4/5 levels of 512 eight-byte entries (56-bit physical) and
 * sign-extended virtual addresses.  An entry with V and none of R/W/X
 * points to the next table; with any of them it is a leaf, a superpage
 * above the last level (its lower PPN fields must be zero).  Svnapot:
 * N (bit 63) on a last-level leaf with PPN[3:0] = 0b1000 maps the 64 KiB
 * around it.  Bits 60:54 are reserved, 62:61 are Svpbmt's memory type. */
#include "xlat/xlat.h"

#define RV_V 0x01ull
#define RV_R 0x02ull
#define RV_W 0x04ull
#define RV_X 0x08ull
#define RV_U 0x10ull
#define RV_G 0x20ull
#define RV_A 0x40ull
#define RV_D 0x80ull
#define RV_PPN_SHIFT 10
#define RV64_PPN_MASK ((1ull << 44) - 1)
#define RV32_PPN_MASK ((1ull << 22) - 1)
#define RV64_RESERVED (0x7full << 54)
#define RV64_PBMT_SHIFT 61
#define RV64_N (1ull << 63)
#define RV_NAPOT_64K_SHIFT 16

static void bad(struct kdx_pte *out, const char *problem)
{
	out->kind = KDX_PTE_BAD;
	out->problem = problem;
}

static unsigned int leaf_flags(uint64_t e)
{
	unsigned int flags = 0;

	if (e & RV_W)
		flags |= KDX_PAGE_WRITABLE;
	if (e & RV_U)
		flags |= KDX_PAGE_USER;
	if (!(e & RV_X))
		flags |= KDX_PAGE_NX;
	if (e & RV_G)
		flags |= KDX_PAGE_GLOBAL;
	if (e & RV_A)
		flags |= KDX_PAGE_ACCESSED;
	if (e & RV_D)
		flags |= KDX_PAGE_DIRTY;
	return flags;
}

static void riscv_decode(const struct kdx_xlat *xlat, unsigned int level,
			 uint64_t raw, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;
	bool rv32 = xlat->form->entry_size == 4;
	bool last = level + 1 == xlat->form->levels;
	unsigned int shift = xlat->form->level[level].shift;
	uint64_t ppn = (e >> RV_PPN_SHIFT) & (rv32 ? RV32_PPN_MASK : RV64_PPN_MASK);
	uint64_t addr = ppn << 12;

	if (!(e & RV_V)) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (!rv32 && (e & RV64_RESERVED)) {
		bad(out, "has reserved bits 60:54 set");
		return;
	}
	if (!rv32 && (e >> RV64_PBMT_SHIFT & 3) == 3) {
		bad(out, "has the reserved memory type 3 (Svpbmt)");
		return;
	}
	if (addr & ~xlat->addr_mask) {
		bad(out, "has a physical page number beyond the physical address width");
		return;
	}
	if (!(e & (RV_R | RV_W | RV_X))) {
		if (last) {
			bad(out, "points to a table below the last level");
			return;
		}
		if (e & RV64_N && !rv32) {
			bad(out, "has the Svnapot bit set on a pointer to a table");
			return;
		}
		out->kind = KDX_PTE_TABLE;
		out->addr = addr;
		out->flags = KDX_PAGE_WRITABLE | KDX_PAGE_USER;
		return;
	}
	if ((e & RV_W) && !(e & RV_R)) {
		bad(out, "is writable but not readable (reserved)");
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->flags = leaf_flags(e);
	if (!rv32 && (e & RV64_N)) {
		if (!last) {
			bad(out, "has the Svnapot bit set above the last level");
			return;
		}
		if ((ppn & 0xf) != 0x8) {
			bad(out, "has a Svnapot size other than 64 KiB");
			return;
		}
		out->addr = (ppn & ~0xfull) << 12;
		out->page_shift = RV_NAPOT_64K_SHIFT;
		return;
	}
	if (addr & ((1ull << shift) - 1)) {
		bad(out, "is a misaligned superpage (low PPN fields not zero)");
		return;
	}
	out->addr = addr;
}

#define RV_ROOT_64 0x00fffffffffff000ull

const struct kdx_paging_form kdx_form_riscv_sv32 = {
	.mode = KDX_PAGING_RISCV_SV32,
	.name = "RISC-V Sv32",
	.levels = 2,
	.entry_size = 4,
	.va_bits = 32,
	.root_mask = 0x3fffff000ull,
	.default_phys_bits = 34,
	.max_phys_bits = 34,
	.level = { { "L1", 22, 1024 }, { "L0", 12, 1024 } },
	.decode = riscv_decode,
};

const struct kdx_paging_form kdx_form_riscv_sv39 = {
	.mode = KDX_PAGING_RISCV_SV39,
	.name = "RISC-V Sv39",
	.levels = 3,
	.entry_size = 8,
	.va_bits = 39,
	.sign_extended = true,
	.root_mask = RV_ROOT_64,
	.default_phys_bits = 56,
	.max_phys_bits = 56,
	.level = { { "L2", 30, 512 }, { "L1", 21, 512 }, { "L0", 12, 512 } },
	.decode = riscv_decode,
};

const struct kdx_paging_form kdx_form_riscv_sv48 = {
	.mode = KDX_PAGING_RISCV_SV48,
	.name = "RISC-V Sv48",
	.levels = 4,
	.entry_size = 8,
	.va_bits = 48,
	.sign_extended = true,
	.root_mask = RV_ROOT_64,
	.default_phys_bits = 56,
	.max_phys_bits = 56,
	.level = { { "L3", 39, 512 }, { "L2", 30, 512 }, { "L1", 21, 512 },
		   { "L0", 12, 512 } },
	.decode = riscv_decode,
};

const struct kdx_paging_form kdx_form_riscv_sv57 = {
	.mode = KDX_PAGING_RISCV_SV57,
	.name = "RISC-V Sv57",
	.levels = 5,
	.entry_size = 8,
	.va_bits = 57,
	.sign_extended = true,
	.root_mask = RV_ROOT_64,
	.default_phys_bits = 56,
	.max_phys_bits = 56,
	.level = { { "L4", 48, 512 }, { "L3", 39, 512 }, { "L2", 30, 512 },
		   { "L1", 21, 512 }, { "L0", 12, 512 } },
	.decode = riscv_decode,
};
