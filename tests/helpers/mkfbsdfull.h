/* SPDX-License-Identifier: MIT */
/* Test helper: synthetic FreeBSD full (non-mini) dumps, as dumpsys_generic()
 * in sys/kern/kern_dump.c writes them with debug.minidump=0: an ELF core
 * (e_ident[EI_OSABI] ELFOSABI_STANDALONE, ET_CORE) with one PT_LOAD per
 * physical chunk, p_vaddr = p_paddr = its start, optionally between two
 * kerneldumpheaders as a dump device holds it; and the kernel image
 * (mkkernel.h) whose symbols libkvm's kvm_amd64.c / kvm_i386.c read:
 * kernbase, KPML4phys or IdlePDPT or IdlePTD, msgbufp, version.
 *
 * The machine: RAM in three ranges with holes between, page tables the
 * helper builds (amd64 4-level with FreeBSD's recursive PML4 slot and a
 * 1 GiB direct map; i386 PAE; i386 2-level with 4 MiB pages), the kernel
 * linearly mapped from kernbase with large pages, and a small-page area
 * with an invalid entry, a page in a hole, pages in reverse order and a
 * page in the last range.  Every mapping is recorded, so a test checks
 * every translation and byte against the record, not against the
 * tables. */
#ifndef KDX_TESTS_MKFBSDFULL_H
#define KDX_TESTS_MKFBSDFULL_H

#include "mkkernel.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mkfull_arch { MKFULL_AMD64, MKFULL_I386_PAE, MKFULL_I386 };

struct mkfull_spec {
	enum mkfull_arch arch;
	bool kdh;             /* between kerneldumpheaders (a dump device) */
	bool no_version_text; /* no "FreeBSD x.y" text in memory */
	bool dynsym_only;     /* the kernel image keeps only .dynsym */
};

/* A recorded mapping: [va, va + size) -> [pa, pa + size); !valid: the
 * entry is there without its valid bit (no translation). */
struct mkfull_map {
	uint64_t va, pa, size;
	bool valid;
};

#define MKFULL_MAX_MAPS 16

struct mkfull {
	uint8_t *data;      /* the dump file */
	size_t size;
	uint64_t elf_offset; /* where the ELF core starts in data */
	uint8_t *mem;       /* physical memory [0, mem_size) */
	uint64_t mem_size;
	uint64_t ranges[6]; /* dumped [start, end) pairs */
	unsigned int nranges;
	uint64_t kernbase, root, root_var;
	struct mkfull_map maps[MKFULL_MAX_MAPS];
	unsigned int nmaps;
	struct mkkernel kernel;
	char *log;          /* what dmesg should print */
	size_t log_len;
	const char *version;
};

bool mkfull_build(const struct mkfull_spec *spec, struct mkfull *out);
void mkfull_free(struct mkfull *d);
/* Whether physical @pa is in the dump. */
bool mkfull_dumped(const struct mkfull *d, uint64_t pa);
/* What @va maps to by the record: true with *pa when mapped. */
bool mkfull_expect(const struct mkfull *d, uint64_t va, uint64_t *pa);
/* kdx's name of the dump's architecture ("x86_64", "i386"). */
const char *mkfull_arch_name(const struct mkfull *d);

#endif
