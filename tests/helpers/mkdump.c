/* SPDX-License-Identifier: MIT */
/* Write a small synthetic ELF dump for the command-line tests:
 *   mkdump OUT [--big-endian]
 * Little-endian: x86_64 with 2 CPUs, QEMU notes and VMCOREINFO; segments
 * [0, 0x9f000), [0x100000, 0x180000) whose last 0x10000 bytes are not in
 * the file (p_memsz > p_filesz), a hole between.  Big-endian: the same
 * memory as an ELF32 ppc dump. */
#include "mkelf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	bool big = argc > 2 && !strcmp(argv[2], "--big-endian");
	struct mkelf_options o = {
		.class_bits = big ? 32 : 64,
		.byte_order = big ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN,
		.machine = big ? 20 : 62,
	};
	struct mkelf_load low = { .paddr = 0, .vaddr = 0, .filesz = 0x9f000,
				  .memsz = 0x9f000 };
	struct mkelf_load high = { .paddr = 0x100000, .vaddr = 0x100000,
				   .filesz = 0x70000, .memsz = 0x80000 };
	uint64_t regs[27] = { 0 }, cr[5] = { 0x80050033, 0, 0, 0x1000, 0x20 };
	struct mkelf *m;
	uint8_t *bytes;
	size_t size;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: mkdump OUT [--big-endian]\n");
		return 2;
	}
	m = mkelf_new(&o);
	for (int c = 0; c < 2; c++) {
		regs[16] = 0xffffffff81000000ull + (uint64_t)c;
		mkelf_add_prstatus(m, c + 1, regs, big ? 0 : 27);
	}
	if (!big)
		for (int c = 0; c < 2; c++)
			mkelf_add_qemu_cpu(m, cr);
	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-synthetic\nPAGESIZE=4096\n");
	mkelf_add_load(m, &low);
	mkelf_add_load(m, &high);
	bytes = mkelf_build(m, &size);
	f = fopen(argv[1], "wb");
	if (!f || fwrite(bytes, 1, size, f) != size || fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	free(bytes);
	mkelf_free(m);
	return 0;
}
