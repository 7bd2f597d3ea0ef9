/* SPDX-License-Identifier: MIT */
/* Architectures kdx recognises and names, whose PRSTATUS register blocks
 * it does not decode yet (the notes stay listed, undecoded). */
#include "arch/arch.h"

static const char *const ppc64_aliases[] = { "powerpc64", "ppc64le", NULL };
static const char *const ppc_aliases[] = { "powerpc", NULL };
static const char *const s390x_aliases[] = { "s390", NULL };
static const char *const mips_aliases[] = { "mips64", "mipsel", NULL };

const struct kdx_arch_info kdx_arch_ppc64 = {
	.arch = KDX_ARCH_PPC64,
	.name = "ppc64",
	.aliases = ppc64_aliases,
	.elf_machine = 21, /* EM_PPC64 */
	.word_size = 8,
	.default_page_size = 65536,
};

const struct kdx_arch_info kdx_arch_ppc = {
	.arch = KDX_ARCH_PPC,
	.name = "ppc",
	.aliases = ppc_aliases,
	.elf_machine = 20, /* EM_PPC */
	.word_size = 4,
	.default_page_size = 4096,
};

const struct kdx_arch_info kdx_arch_s390x = {
	.arch = KDX_ARCH_S390X,
	.name = "s390x",
	.aliases = s390x_aliases,
	.elf_machine = 22, /* EM_S390 */
	.word_size = 8,
	.default_page_size = 4096,
};

const struct kdx_arch_info kdx_arch_mips = {
	.arch = KDX_ARCH_MIPS,
	.name = "mips",
	.aliases = mips_aliases,
	.elf_machine = 8, /* EM_MIPS */
	.word_size = 4,
	.default_page_size = 4096,
};
