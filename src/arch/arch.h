/* SPDX-License-Identifier: MIT */
/* What libkdx knows about each target architecture.  One file per
 * architecture ends in a designated-initialiser `struct kdx_arch_info`;
 * arch.c lists them once.  To add an architecture: a new enum kdx_arch
 * value, a new file here, its line in arch.c, and its tests. */
#ifndef KDX_ARCH_ARCH_H
#define KDX_ARCH_ARCH_H

#include <kdx/arch.h>
#include <kdx/byteorder.h>

#include <stddef.h>
#include <stdint.h>

/* Where the kernel's struct elf_prstatus keeps what we decode.  The
 * register block is pr_reg_count words of pr_reg_size bytes. */
struct kdx_prstatus_layout {
	size_t size;             /* sizeof(struct elf_prstatus) */
	size_t pid_offset;       /* pr_pid: a 32-bit pid_t */
	size_t reg_offset;       /* pr_reg */
	unsigned int reg_count;  /* entries in reg_names */
	unsigned int reg_size;   /* bytes per register */
	const char *const *reg_names;
};

struct kdx_arch_info {
	enum kdx_arch arch;
	const char *name;
	/* Other names users type: "amd64", "arm64"; NULL-terminated. */
	const char *const *aliases;
	/* ELF e_machine; 0 when it alone does not identify the arch. */
	uint16_t elf_machine;
	/* ELF class that goes with elf_machine where one e_machine covers
	 * two word sizes (EM_RISCV); 0 for any. */
	unsigned int elf_class_bits;
	unsigned int word_size;
	uint32_t default_page_size;
	/* Zero-size layout when the PRSTATUS register block is not decoded. */
	struct kdx_prstatus_layout prstatus;
};

extern const struct kdx_arch_info kdx_arch_x86_64;
extern const struct kdx_arch_info kdx_arch_i386;
extern const struct kdx_arch_info kdx_arch_aarch64;
extern const struct kdx_arch_info kdx_arch_arm;
extern const struct kdx_arch_info kdx_arch_riscv64;
extern const struct kdx_arch_info kdx_arch_riscv32;
extern const struct kdx_arch_info kdx_arch_ppc64;
extern const struct kdx_arch_info kdx_arch_ppc;
extern const struct kdx_arch_info kdx_arch_s390x;
extern const struct kdx_arch_info kdx_arch_mips;

/* The info for @arch, or NULL for KDX_ARCH_UNKNOWN. */
const struct kdx_arch_info *kdx_arch_info(enum kdx_arch arch);

/* An ELF e_ident's class (*@class_bits 32 or 64) and byte order; the
 * error names the byte that is wrong.  @ident holds at least 16 bytes. */
struct kdx_error *kdx_elf_ident(const uint8_t *ident, unsigned int *class_bits,
				enum kdx_byte_order *bo);

/* The architecture an ELF e_machine (and class: 32 or 64) names. */
enum kdx_arch kdx_arch_from_elf(uint16_t machine, unsigned int class_bits);

#endif
