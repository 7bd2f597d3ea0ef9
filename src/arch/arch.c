/* SPDX-License-Identifier: MIT */
#include "arch/arch.h"

#include "core/error.h"
#include "core/util.h"

#include <string.h>
#include <strings.h>

static const struct kdx_arch_info *const arches[] = {
	&kdx_arch_x86_64, &kdx_arch_i386,    &kdx_arch_aarch64,
	&kdx_arch_arm,    &kdx_arch_riscv64, &kdx_arch_riscv32,
	&kdx_arch_ppc64,  &kdx_arch_ppc,     &kdx_arch_s390x,
	&kdx_arch_mips,
};

const struct kdx_arch_info *kdx_arch_info(enum kdx_arch arch)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(arches); i++)
		if (arches[i]->arch == arch)
			return arches[i];
	return NULL;
}

const char *kdx_arch_name(enum kdx_arch arch)
{
	const struct kdx_arch_info *info = kdx_arch_info(arch);

	return info ? info->name : "unknown";
}

enum kdx_arch kdx_arch_from_name(const char *name)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(arches); i++) {
		if (!strcasecmp(arches[i]->name, name))
			return arches[i]->arch;
		for (const char *const *a = arches[i]->aliases; a && *a; a++)
			if (!strcasecmp(*a, name))
				return arches[i]->arch;
	}
	return KDX_ARCH_UNKNOWN;
}

struct kdx_error *kdx_elf_ident(const uint8_t *ident, unsigned int *class_bits,
				enum kdx_byte_order *bo)
{
	if (ident[4] != 1 && ident[4] != 2) /* EI_CLASS: ELFCLASS32, 64 */
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header at offset 0x4: bad class %u", ident[4]);
	if (ident[5] != 1 && ident[5] != 2) /* EI_DATA: LSB, MSB */
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header at offset 0x5: bad byte order %u",
			       ident[5]);
	*class_bits = ident[4] == 1 ? 32 : 64;
	*bo = ident[5] == 1 ? KDX_LITTLE_ENDIAN : KDX_BIG_ENDIAN;
	return NULL;
}

enum kdx_arch kdx_arch_from_elf(uint16_t machine, unsigned int class_bits)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(arches); i++) {
		const struct kdx_arch_info *a = arches[i];

		if (a->elf_machine != machine)
			continue;
		if (a->elf_class_bits && a->elf_class_bits != class_bits)
			continue;
		return a->arch;
	}
	return KDX_ARCH_UNKNOWN;
}
