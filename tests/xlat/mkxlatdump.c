/* SPDX-License-Identifier: MIT */
/* mkxlatdump OUT VARIANT: write a synthetic Linux x86 ELF core for the
 * translation CLI checks.
 *   kaslr     x86_64, VMCOREINFO with KASLR and a negative phys_base, a
 *             marker string in a vmalloc page and an unmapped page after it
 *   cpu       the same tables, no VMCOREINFO, QEMU CPU state with CR3
 *   physonly  QEMU CPU state with paging off, no VMCOREINFO
 *   pae       i386 PAE, VMCOREINFO with CONFIG_X86_PAE=y */
#include "linuxdump.h"

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
		fprintf(stderr, "usage: mkxlatdump OUT kaslr|cpu|physonly|pae\n");
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
