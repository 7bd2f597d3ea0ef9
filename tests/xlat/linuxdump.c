/* SPDX-License-Identifier: MIT */
#include "linuxdump.h"

#include "mkelf.h"

const char linuxdump_vmcoreinfo_64[] =
	"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffffffff9f100000\n"
	"SYMBOL(init_top_pgt)=ffffffff9f100000\n"
	"NUMBER(phys_base)=-503316480\n" /* 0x1000000 - 0x1f000000 */
	"NUMBER(pgtable_l5_enabled)=0\n"
	"NUMBER(sme_mask)=0\n"
	"KERNELOFFSET=1e000000\n";

void linuxdump_map(struct ptb *p, uint64_t direct)
{
	for (uint64_t a = 0; a < 2 * LD_MiB; a += 4096)
		ptb_map(p, direct + a, a, 4096, PTB_RW | PTB_G | PTB_NX);
	for (uint64_t a = 2 * LD_MiB; a < LD_MEM; a += 2 * LD_MiB)
		ptb_map(p, direct + a, a, 2 * LD_MiB, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, LD_TEXT_VA, LD_TEXT_PA, 2 * LD_MiB, PTB_G);
	ptb_map(p, LD_TEXT_VA + 2 * LD_MiB, LD_TEXT_PA + 2 * LD_MiB,
		2 * LD_MiB, PTB_G | PTB_RW);
}

struct ptb *linuxdump_tables(enum kdx_paging_mode mode, uint64_t direct)
{
	struct ptb *p = ptb_new(mode, LD_MEM, LD_ROOT_PA);

	linuxdump_map(p, direct);
	return p;
}

uint8_t *linuxdump_elf(struct ptb *p, uint16_t machine, unsigned int bits,
		       const char *vmcoreinfo, const uint64_t *cr,
		       size_t *size)
{
	struct mkelf_options o = { .class_bits = bits,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = machine };
	struct mkelf *m = mkelf_new(&o);
	struct mkelf_load load = { 0 };
	size_t memsize;
	uint8_t *elf;

	load.data = ptb_memory(p, &memsize);
	load.filesz = load.memsz = memsize;
	mkelf_add_load(m, &load);
	if (vmcoreinfo)
		mkelf_add_vmcoreinfo(m, vmcoreinfo);
	if (cr)
		mkelf_add_qemu_cpu(m, cr);
	elf = mkelf_build(m, size);
	mkelf_free(m);
	return elf;
}
