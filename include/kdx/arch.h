/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/arch.h
 * @brief Target architectures a dump can come from.
 *
 * The architecture is a property of the dump, found at run time (ELF
 * e_machine, a format header, or the user).  It never depends on the host.
 */
#ifndef KDX_ARCH_H
#define KDX_ARCH_H

#include <kdx/common.h>

/* Every dumped machine has a byte order; arch.h users long had it here. */
#include <kdx/byteorder.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A dumped machine's architecture. */
enum kdx_arch {
	KDX_ARCH_UNKNOWN = 0, /**< not known (e.g. a raw image with no hint) */
	KDX_ARCH_X86_64,      /**< x86-64 (AMD64, Intel 64) */
	KDX_ARCH_I386,        /**< 32-bit x86 */
	KDX_ARCH_AARCH64,     /**< 64-bit Arm */
	KDX_ARCH_ARM,         /**< 32-bit Arm */
	KDX_ARCH_RISCV64,     /**< 64-bit RISC-V */
	KDX_ARCH_RISCV32,     /**< 32-bit RISC-V */
	KDX_ARCH_PPC64,       /**< 64-bit POWER */
	KDX_ARCH_PPC,         /**< 32-bit PowerPC */
	KDX_ARCH_S390X,       /**< IBM Z */
	KDX_ARCH_MIPS,        /**< MIPS (32 or 64) */
	KDX_ARCH_COUNT        /**< number of values; not an architecture */
};

/** Short name of an architecture ("x86_64", "aarch64", ...). */
KDX_API const char *kdx_arch_name(enum kdx_arch arch);

/**
 * Look an architecture up by name (the names kdx_arch_name() returns,
 * plus common aliases such as "amd64", "arm64", "i686").
 * @return the architecture, or KDX_ARCH_UNKNOWN.
 */
KDX_API enum kdx_arch kdx_arch_from_name(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* KDX_ARCH_H */
