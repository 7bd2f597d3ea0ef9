/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

/* struct pt_regs of 32-bit Arm: r0-r15, cpsr, orig_r0. */
static const char *const regs[] = {
	"r0", "r1", "r2",  "r3",  "r4", "r5", "r6", "r7",   "r8",
	"r9", "r10", "fp", "ip", "sp", "lr", "pc", "cpsr", "orig_r0",
};

static const char *const aliases[] = { "arm32", "armv7", "armhf", "armel",
				       "armeb", NULL };

const struct kdx_arch_info kdx_arch_arm = {
	.arch = KDX_ARCH_ARM,
	.name = "arm",
	.aliases = aliases,
	.elf_machine = 40, /* EM_ARM */
	.word_size = 4,
	.default_page_size = 4096,
	.prstatus = {
		.size = 148,
		.pid_offset = 24,
		.reg_offset = 72,
		.reg_count = 18,
		.reg_size = 4,
		.reg_names = regs,
	},
};
