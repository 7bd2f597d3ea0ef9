/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

/* user_regs_struct order, as the kernel and QEMU write pr_reg. */
static const char *const regs[] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
	"r8",  "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs",
	"eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

static const char *const aliases[] = { "amd64", "x86-64", NULL };

const struct kdx_arch_info kdx_arch_x86_64 = {
	.arch = KDX_ARCH_X86_64,
	.name = "x86_64",
	.aliases = aliases,
	.elf_machine = 62, /* EM_X86_64 */
	.word_size = 8,
	.default_page_size = 4096,
	.prstatus = {
		.size = 336,
		.pid_offset = 32,
		.reg_offset = 112,
		.reg_count = 27,
		.reg_size = 8,
		.reg_names = regs,
	},
};
