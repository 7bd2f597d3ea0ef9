/* SPDX-License-Identifier: MIT */
/* Write the seeds of fuzz/corpus/elf_symbols/: mkkernel's images of
 * both classes and byte orders, .symtab, .dynsym only, both.
 * Usage: mkkernel-seeds DIR */
#include "mkkernel.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	static const struct mkkernel_sym syms[] = {
		{ "kernbase", 0xffffffff80000000ull, 0, 0, 1, true, false },
		{ "KPML4phys", 0xffffffff81234560ull, 8, 1, 1, false, false },
		{ "msgbufp", 0xffffffff81234568ull, 8, 1, 1, false, false },
		{ "msgbufp", 0xffffffff8000dead, 8, 1, 0, false, false },
		{ "version", 0xffffffff81300000ull, 300, 1, 1, false, false },
		{ "undefined_one", 0, 0, 0, 1, false, true },
	};
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	for (unsigned int bits = 32; bits <= 64; bits += 32)
		for (int be = 0; be < 2; be++)
			for (int kind = 0; kind < 3; kind++) {
				struct mkkernel_spec s = {
					.class_bits = bits,
					.byte_order = be ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN,
					.machine = bits == 64 ? 62 : 3,
					.osabi = 9,
					.dynsym_only = kind == 1,
					.both = kind == 2,
					.syms = syms,
					.nsyms = sizeof(syms) / sizeof(syms[0]),
				};
				struct mkkernel k;
				char path[4096];

				if (!mkkernel_build(&s, &k))
					return 1;
				snprintf(path, sizeof(path), "%s/elf%u%s-%s", argv[1],
					 bits, be ? "be" : "le",
					 kind == 0 ? "symtab" : kind == 1 ? "dynsym" : "both");
				if (!mkkernel_write(&k, path))
					return 1;
				mkkernel_free(&k);
				n++;
			}
	printf("%d seeds\n", n);
	return 0;
}
