/* SPDX-License-Identifier: MIT */
/* Write fuzz_split's seeds (see fuzz/fuzz_split.c for the layout): split
 * kdump sets built with tests/helpers/mkkdump.c.
 *
 * Usage: make-split-seeds OUTDIR   (built with the tests; the seeds are
 * checked in under fuzz/corpus/split) */
#include "mkkdump.h"

#include <stdio.h>
#include <stdlib.h>

struct part_spec {
	const char *machine;
	uint64_t start, end;
};

static uint8_t *part(const struct part_spec *s, size_t *size)
{
	struct mkkdump_options o = {
		.machine = s->machine, .block_size = 512, .split = true,
		.start_pfn = s->start, .end_pfn = s->end, .max_mapnr = 12,
		.default_codec = MKKDUMP_CODEC_ZLIB,
	};
	struct mkkdump *m = mkkdump_new(&o);
	uint8_t *bytes;

	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-split\nPAGESIZE=512\n");
	for (uint64_t pfn = s->start; pfn < s->end; pfn++)
		mkkdump_set_pages(m, pfn, 1,
				  pfn % 3 == 2 ? MKKDUMP_ZERO : MKKDUMP_DATA,
				  pfn % 2 ? MKKDUMP_RAW : MKKDUMP_CODEC_DEFAULT);
	bytes = mkkdump_build(m, size);
	mkkdump_free(m);
	return bytes;
}

static int save(const char *dir, const char *name,
		const struct part_spec *specs, unsigned int n)
{
	uint8_t *bytes[4];
	size_t sizes[4];
	char path[4096];
	FILE *f;
	int rc = 0;

	for (unsigned int i = 0; i < n; i++)
		bytes[i] = part(&specs[i], &sizes[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	fputc((int)n - 1, f);
	for (unsigned int i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			fputc((int)(sizes[i] >> (8 * b)) & 0xff, f);
	for (unsigned int i = 0; i < n; i++) {
		if (fwrite(bytes[i], 1, sizes[i], f) != sizes[i])
			rc = -1;
		free(bytes[i]);
	}
	return fclose(f) || rc ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct part_spec two[] = { { "x86_64", 0, 6 },
						{ "x86_64", 6, 12 } };
	static const struct part_spec three[] = { { "x86_64", 0, 4 },
						  { "x86_64", 4, 8 },
						  { "x86_64", 8, 12 } };
	static const struct part_spec twice[] = { { "x86_64", 0, 6 },
						  { "x86_64", 0, 6 } };
	static const struct part_spec overlap[] = { { "x86_64", 0, 8 },
						    { "x86_64", 4, 12 } };
	static const struct part_spec mixed[] = { { "x86_64", 0, 6 },
						  { "ppc64", 6, 12 } };
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	rc |= save(argv[1], "two-parts", two, 2);
	rc |= save(argv[1], "three-parts", three, 3);
	rc |= save(argv[1], "same-part-twice", twice, 2);
	rc |= save(argv[1], "overlapping", overlap, 2);
	rc |= save(argv[1], "different-machines", mixed, 2);
	return rc ? 1 : 0;
}
