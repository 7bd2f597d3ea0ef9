/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

/* struct user_regs_struct of i386; segment registers are 32-bit slots. */
static const char *const regs[] = {
	"ebx", "ecx", "edx", "esi", "edi", "ebp", "eax", "ds", "es",
	"fs", "gs", "orig_eax", "eip", "cs", "eflags", "esp", "ss",
};

static const char *const aliases[] = { "x86", "i686", "i586", "ia32", NULL };

const struct kdx_arch_info kdx_arch_i386 = {
	.arch = KDX_ARCH_I386,
	.name = "i386",
	.aliases = aliases,
	.elf_machine = 3, /* EM_386 */
	.word_size = 4,
	.default_page_size = 4096,
	.prstatus = {
		.size = 144,
		.pid_offset = 24,
		.reg_offset = 72,
		.reg_count = 17,
		.reg_size = 4,
		.reg_names = regs,
	},
};
