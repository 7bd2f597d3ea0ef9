/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

/* struct user_pt_regs: x0-x30, sp, pc, pstate. */
static const char *const regs[] = {
	"x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",
	"x9",  "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
	"x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
	"x27", "x28", "x29", "x30", "sp",  "pc",  "pstate",
};

static const char *const aliases[] = { "arm64", "aarch64_be", NULL };

const struct kdx_arch_info kdx_arch_aarch64 = {
	.arch = KDX_ARCH_AARCH64,
	.name = "aarch64",
	.aliases = aliases,
	.elf_machine = 183, /* EM_AARCH64 */
	.word_size = 8,
	.default_page_size = 4096,
	.prstatus = {
		.size = 392,
		.pid_offset = 32,
		.reg_offset = 112,
		.reg_count = 34,
		.reg_size = 8,
		.reg_names = regs,
	},
};
