/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

/* struct user_regs_struct of RISC-V: pc, then x1..x31 by ABI name. */
static const char *const regs[] = {
	"pc", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
	"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
	"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

static const char *const aliases64[] = { "riscv", "rv64", NULL };
static const char *const aliases32[] = { "rv32", NULL };

const struct kdx_arch_info kdx_arch_riscv64 = {
	.arch = KDX_ARCH_RISCV64,
	.name = "riscv64",
	.aliases = aliases64,
	.elf_machine = 243, /* EM_RISCV */
	.elf_class_bits = 64,
	.word_size = 8,
	.default_page_size = 4096,
	.prstatus = {
		.size = 376,
		.pid_offset = 32,
		.reg_offset = 112,
		.reg_count = 32,
		.reg_size = 8,
		.reg_names = regs,
	},
};

const struct kdx_arch_info kdx_arch_riscv32 = {
	.arch = KDX_ARCH_RISCV32,
	.name = "riscv32",
	.aliases = aliases32,
	.elf_machine = 243, /* EM_RISCV */
	.elf_class_bits = 32,
	.word_size = 4,
	.default_page_size = 4096,
	/* Not decoded: no ILP32 prstatus layout has been checked yet. */
};
