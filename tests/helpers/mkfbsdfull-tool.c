/* SPDX-License-Identifier: MIT */
/* mkfbsdfull: write one synthetic FreeBSD full dump (see mkfbsdfull.h)
 * and its kernel image, for the command-line tests and the
 * libfbsdvmcore oracle.
 *   mkfbsdfull amd64|i386pae|i386 OUT [kdh] [dynsym] [noversion]
 * Writes OUT (the dump), OUT.kernel (the ELF kernel image), OUT.expect
 * ("VA PA DUMPED" for each page of the kernel maps and the first pages
 * of the direct map; PA "none" where nothing is mapped) and OUT.log
 * (what `kdx dmesg --kernel OUT.kernel` prints). */
#include "mkfbsdfull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;

	if (f && fclose(f))
		ok = false;
	return ok;
}

static bool write_expect(const struct mkfull *d, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkfull_map *m = &d->maps[i];
		uint64_t span = m->size < (1u << 20) ? m->size : (1u << 20);

		for (uint64_t off = 0; off < span; off += 0x3000) {
			uint64_t va = m->va + off + 0x10, pa;

			if (mkfull_expect(d, va, &pa))
				fprintf(f, "0x%llx 0x%llx %d\n",
					(unsigned long long)va,
					(unsigned long long)pa,
					mkfull_dumped(d, pa));
			else
				fprintf(f, "0x%llx none 0\n",
					(unsigned long long)va);
		}
	}
	return fclose(f) == 0;
}

int main(int argc, char **argv)
{
	struct mkfull_spec s = { 0 };
	struct mkfull d;
	char path[4096];
	bool ok;

	if (argc < 3) {
		fprintf(stderr, "usage: %s amd64|i386pae|i386 OUT [kdh] [dynsym] [noversion]\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "amd64"))
		s.arch = MKFULL_AMD64;
	else if (!strcmp(argv[1], "i386pae"))
		s.arch = MKFULL_I386_PAE;
	else if (!strcmp(argv[1], "i386"))
		s.arch = MKFULL_I386;
	else
		return 2;
	for (int i = 3; i < argc; i++) {
		s.kdh |= !strcmp(argv[i], "kdh");
		s.dynsym_only |= !strcmp(argv[i], "dynsym");
		s.no_version_text |= !strcmp(argv[i], "noversion");
	}
	if (!mkfull_build(&s, &d))
		return 1;
	ok = write_file(argv[2], d.data, d.size);
	snprintf(path, sizeof(path), "%s.kernel", argv[2]);
	ok = ok && mkkernel_write(&d.kernel, path);
	snprintf(path, sizeof(path), "%s.expect", argv[2]);
	ok = ok && write_expect(&d, path);
	snprintf(path, sizeof(path), "%s.log", argv[2]);
	ok = ok && write_file(path, d.log, d.log_len);
	mkfull_free(&d);
	return ok ? 0 : 1;
}
