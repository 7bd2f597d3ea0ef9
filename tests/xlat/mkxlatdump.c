/* SPDX-License-Identifier: MIT */
/* mkxlatdump OUT VARIANT: write a synthetic Linux x86 ELF core for the
 * translation CLI checks.
 *   kaslr     x86_64, VMCOREINFO with KASLR and a negative phys_base, a
 *             marker string in a vmalloc page and an unmapped page after it
 *   cpu       the same tables, no VMCOREINFO, QEMU CPU state with CR3
 *   physonly  QEMU CPU state with paging off, no VMCOREINFO
 *   pae       i386 PAE, VMCOREINFO with CONFIG_X86_PAE=y
 *   xenpv     the kaslr tables as a Xen PV guest's xc_core: the tables'
 *             frames are machine frames, pfn = mfn ^ 0x1000 (the two
 *             16 MiB halves swapped), VMCOREINFO text at machine
 *             XEN_VMCI, vCPU 0's CR3 the root
 *   arm64     AArch64 4K/48-bit kernel (VMCOREINFO) and a user table
 *             (TTBR0) at ARM64_TTBR0 mapping ARM64_USER to a marker page
 *             and ARM64_USER + 4K with PA[50] in bits 9:8 (FEAT_LPA2:
 *             0x4000000001000 with 52 physical bits, else 0x1000) */
#include "linuxdump.h"
#include "mkxccore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VMALLOC 0xffffc90000000000ull
#define MARKER "KDX-VIRT-MARKER"

static struct ptb *x86_64_tables(void)
{
	struct ptb *p = linuxdump_tables(KDX_PAGING_X86_64, LD_DIRECT);
	size_t size;
	uint8_t *mem = ptb_memory(p, &size);

	ptb_map(p, VMALLOC, 0x500000, 4096, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, VMALLOC + 0x2000, 0x300000, 4096, PTB_RW | PTB_G | PTB_NX);
	memcpy(mem + 0x500000 + 4096 - 8, MARKER, sizeof(MARKER));
	memcpy(mem + 0x300000, "after the hole", 15);
	return p;
}

#define XEN_SWAP 0x1000u
#define XEN_VMCI 0x1e00000u

/* init_top_pgt's pseudo-physical address is its frame's pfn: phys_base
 * = pa - (va - __START_KERNEL_map) = 0x100000 - 0x1f100000. */
static const char xen_vmcoreinfo[] =
	"OSRELEASE=6.1.0-xen-cli\nPAGESIZE=4096\n"
	"SYMBOL(init_top_pgt)=ffffffff9f100000\nKERNELOFFSET=1e000000\n"
	"NUMBER(phys_base)=-520093696\nNUMBER(pgtable_l5_enabled)=0\n";

static uint8_t *xen_pv(struct ptb *p, size_t *size)
{
	size_t memsize, n;
	uint8_t *mem = ptb_memory(p, &memsize), *out;
	uint64_t *pfns, *mfns, cr3 = LD_ROOT_PA;
	struct mkxc_spec s;

	n = memsize / MKXC_PAGE;
	pfns = calloc(n, sizeof(*pfns));
	mfns = calloc(n, sizeof(*mfns));
	for (size_t i = 0; i < n; i++) {
		mfns[i] = i;
		pfns[i] = i ^ XEN_SWAP;
	}
	memcpy(mem + XEN_VMCI, xen_vmcoreinfo, sizeof(xen_vmcoreinfo) - 1);
	mkxc_spec_init(&s);
	s.nr_pages = n;
	s.pages = mem;
	s.pfns = pfns;
	s.mfns = mfns;
	s.cr3 = &cr3;
	s.max_pfn = n;
	out = mkxc_build(&s, size);
	free(pfns);
	free(mfns);
	return out;
}

static struct ptb *pae_tables(void)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_PAE, LD_MEM, LD_ROOT_PA);

	for (uint64_t a = 0; a < LD_MEM; a += 2 * LD_MiB)
		ptb_map(p, 0xc0000000u + a, a, 2 * LD_MiB, PTB_RW | PTB_G);
	return p;
}

#define ARM64_TEXT_VA 0xffff800080000000ull
#define ARM64_TEXT_PA 0x1000000ull
#define ARM64_LINEAR 0xffff000000000000ull
#define ARM64_TTBR0 0x1105000ull
#define ARM64_USER 0x400000ull
#define ARM64_MARKER "KDX-TTBR0-MARKER"

static const char vmci_arm64[] =
	"OSRELEASE=6.1.0-50-arm64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffff800080100000\n"
	"NUMBER(VA_BITS)=48\n"
	"NUMBER(kimage_voffset)=0xffff80007f000000\n"
	"NUMBER(PHYS_OFFSET)=0x0\n"
	"NUMBER(TCR_EL1_T1SZ)=16\n"
	"KERNELOFFSET=0\n";

/* AArch64 descriptors, written into ptbuild memory used as plain
 * memory: 2 MiB blocks for the kernel, a 4 KiB walk for the user. */
static struct ptb *arm64_tables(void)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, LD_MEM, LD_ROOT_PA);
	uint64_t root = ptb_root(p);
	uint64_t l1t = ptb_alloc_table(p, false), l2t = ptb_alloc_table(p, false);
	uint64_t l1l = ptb_alloc_table(p, false), l2l = ptb_alloc_table(p, false);
	uint64_t u0 = ptb_alloc_table(p, false), u1 = ptb_alloc_table(p, false);
	uint64_t u2 = ptb_alloc_table(p, false), u3 = ptb_alloc_table(p, false);
	const uint64_t block = 0x1 | 1ull << 10, page = 0x3 | 1ull << 10;
	size_t size;
	uint8_t *mem = ptb_memory(p, &size);

	if (u0 != ARM64_TTBR0)
		abort();
	ptb_set(p, root, (ARM64_TEXT_VA >> 39) & 511, l1t | 3);
	ptb_set(p, l1t, (ARM64_TEXT_VA >> 30) & 511, l2t | 3);
	for (unsigned int i = 0; i < 2; i++)
		ptb_set(p, l2t, ((ARM64_TEXT_VA >> 21) & 511) + i,
			(ARM64_TEXT_PA + i * 2 * LD_MiB) | block);
	ptb_set(p, root, (ARM64_LINEAR >> 39) & 511, l1l | 3);
	ptb_set(p, l1l, 0, l2l | 3);
	for (unsigned int i = 0; i < 16; i++)
		ptb_set(p, l2l, i, (i * 2 * LD_MiB) | block | 1ull << 53);
	ptb_set(p, u0, 0, u1 | 3);
	ptb_set(p, u1, 0, u2 | 3);
	ptb_set(p, u2, ARM64_USER >> 21, u3 | 3);
	ptb_set(p, u3, 0, 0x600000 | page | 0x40); /* AP[1]: EL0 access */
	ptb_set(p, u3, 1, 0x1000 | page | 0x100);  /* bit 8: PA[50] with LPA2 */
	memcpy(mem + 0x600000, ARM64_MARKER, sizeof(ARM64_MARKER));
	return p;
}

int main(int argc, char **argv)
{
	static const uint64_t cr_on[5] = { 0x80050033, 0, 0, LD_ROOT_PA, 0x6f0 };
	static const uint64_t cr_off[5] = { 0x60000011, 0, 0, 0, 0 };
	struct ptb *p;
	uint8_t *elf;
	size_t size;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: mkxlatdump OUT kaslr|cpu|physonly|pae|xenpv|arm64\n");
		return 2;
	}
	if (!strcmp(argv[2], "arm64")) {
		p = arm64_tables();
		elf = linuxdump_elf(p, 183, 64, vmci_arm64, NULL, &size);
	} else if (!strcmp(argv[2], "pae")) {
		p = pae_tables();
		elf = linuxdump_elf(p, 3, 32,
				    "SYMBOL(swapper_pg_dir)=c1100000\nCONFIG_X86_PAE=y\n",
				    NULL, &size);
	} else {
		p = x86_64_tables();
		if (!strcmp(argv[2], "kaslr"))
			elf = linuxdump_elf(p, 62, 64, linuxdump_vmcoreinfo_64,
					    NULL, &size);
		else if (!strcmp(argv[2], "cpu"))
			elf = linuxdump_elf(p, 62, 64, NULL, cr_on, &size);
		else if (!strcmp(argv[2], "physonly"))
			elf = linuxdump_elf(p, 62, 64, NULL, cr_off, &size);
		else if (!strcmp(argv[2], "xenpv"))
			elf = xen_pv(p, &size);
		else
			return 2;
	}
	f = fopen(argv[1], "wb");
	if (!f || fwrite(elf, 1, size, f) != size || fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	free(elf);
	ptb_free(p);
	return 0;
}
