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
 *             XEN_VMCI, vCPU 0's CR3 the root */
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

int main(int argc, char **argv)
{
	static const uint64_t cr_on[5] = { 0x80050033, 0, 0, LD_ROOT_PA, 0x6f0 };
	static const uint64_t cr_off[5] = { 0x60000011, 0, 0, 0, 0 };
	struct ptb *p;
	uint8_t *elf;
	size_t size;
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: mkxlatdump OUT kaslr|cpu|physonly|pae|xenpv\n");
		return 2;
	}
	if (!strcmp(argv[2], "pae")) {
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
