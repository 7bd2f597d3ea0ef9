/* SPDX-License-Identifier: MIT */
/* Test helper: a small synthetic Linux x86 kernel (page tables in
 * ptbuild memory) written as an ELF core with VMCOREINFO and/or QEMU CPU
 * state, for the set-up tests and the CLI checks. */
#ifndef KDX_TESTS_LINUXDUMP_H
#define KDX_TESTS_LINUXDUMP_H

#include "ptbuild.h"

#define LD_MiB (1ull << 20)
#define LD_MEM (32 * LD_MiB)
#define LD_KASLR 0x1e000000ull
#define LD_TEXT_VA (0xffffffff81000000ull + LD_KASLR)
#define LD_TEXT_PA 0x1000000ull
#define LD_ROOT_PA 0x1100000ull /* init_top_pgt: text + 1 MiB */
#define LD_DIRECT 0xffff9a4000000000ull

/* VMCOREINFO of the x86_64 kernel: init_top_pgt at LD_TEXT_VA + 1 MiB,
 * phys_base = LD_TEXT_PA - (LD_TEXT_VA - __START_KERNEL_map) < 0. */
extern const char linuxdump_vmcoreinfo_64[];

/* Map the direct map at @direct (4K pages for the first 2 MiB, then 2M)
 * and 4 MiB of kernel text at LD_TEXT_VA into @p. */
void linuxdump_map(struct ptb *p, uint64_t direct);

/* Tables at LD_ROOT_PA mapping the direct map at @direct (4K pages for the
 * first 2 MiB, then 2M) and 4 MiB of kernel text at LD_TEXT_VA. */
struct ptb *linuxdump_tables(enum kdx_paging_mode mode, uint64_t direct);

/* The memory as one PT_LOAD at physical 0 in an ELF core of @machine
 * (62 x86_64, 3 i386) and @bits (64/32), with optional notes. */
uint8_t *linuxdump_elf(struct ptb *p, uint16_t machine, unsigned int bits,
		       const char *vmcoreinfo, const uint64_t *cr,
		       size_t *size);

#endif
