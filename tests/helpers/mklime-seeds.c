/* SPDX-License-Identifier: MIT */
/* Write the mklime-built seeds of fuzz/corpus/lime/ (each < 8 KiB):
 *   mklime-seeds OUTDIR
 * LiME and AVML images of two or three small ranges — AVML in every
 * chunking mklime has — and damaged copies: unsorted and overlapping
 * ranges, an end below the start, a range cut short, junk after the
 * last range, a bad CRC, a bad snappy block, a wrong stream length.
 * The snappy compressor's output may change between library versions,
 * so the bytes are not compared in a test; rerun this tool and review
 * the difference when they do. */
#include "mklime.h"
#include "seedfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEED 8192

static void one(struct seed_dir *dir, const char *name,
		const struct mklime_options *o, const struct mklime_range *r,
		size_t n, size_t cut, size_t flip)
{
	size_t size;
	uint8_t *b = mklime_build(o, r, n, &size);

	if (flip && flip < size)
		b[flip] ^= 0x20;
	seed_save(dir, name, b, cut && cut < size ? cut : size);
	free(b);
}

int main(int argc, char **argv)
{
	static uint8_t mem[3][0x600];
	struct mklime_range r[3] = {
		{ .start = 0x1000, .size = 0x600, .data = mem[0] },
		{ .start = 0x3000, .size = 0x401, .data = mem[1] },
		{ .start = 0x100000000ull, .size = 0x200, .data = mem[2] },
	}, swapped[2], overlap[2], backwards[1];
	struct mklime_options lime = { .version = 1 };
	struct mklime_options avml = { .version = 2, .chunk_size = 0x100 };
	struct mklime_options mixed = { .version = 2, .chunk_size = 0x180,
					.chunking = MKLIME_MIXED };
	struct mklime_options plain = { .version = 2, .chunk_size = 0x200,
					.chunking = MKLIME_UNCOMPRESSED };
	struct seed_dir out = { .path = argc > 1 ? argv[1] : NULL,
				 .max_size = MAX_SEED };
	struct seed_dir *dir = &out;

	if (!out.path) {
		fprintf(stderr, "usage: mklime-seeds OUTDIR\n");
		return 2;
	}
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 0x600; k++)
			mem[i][k] = (k & 0x20) ? (uint8_t)(k * 13 + i) : 0;
	memcpy(mem[0] + 0x200, "OSRELEASE=6.1.0-seed\nPAGESIZE=512\n"
			       "SYMBOL(init_top_pgt)=ffffffff82a0a000\n", 72);
	swapped[0] = r[1];
	swapped[1] = r[0];
	overlap[0] = r[0];
	overlap[1] = r[1];
	overlap[1].start = 0x1400;
	backwards[0] = r[0];
	backwards[0].use_end_override = true;
	backwards[0].end_override = 0xfff;

	one(dir, "lime-three.bin", &lime, r, 3, 0, 0);
	one(dir, "lime-unsorted.bin", &lime, swapped, 2, 0, 0);
	one(dir, "lime-overlap.bin", &lime, overlap, 2, 0, 0);
	one(dir, "lime-backwards.bin", &lime, backwards, 1, 0, 0);
	one(dir, "lime-cut.bin", &lime, r, 3, 0x600 + 0x401 + 0x50, 0);
	one(dir, "avml-three.bin", &avml, r, 3, 0, 0);
	one(dir, "avml-mixed.bin", &mixed, r, 3, 0, 0);
	one(dir, "avml-uncompressed.bin", &plain, r, 2, 0, 0);
	one(dir, "avml-unsorted.bin", &avml, swapped, 2, 0, 0);
	one(dir, "avml-cut.bin", &avml, r, 3, 700, 0);
	/* The first chunk's CRC, then its snappy data. */
	one(dir, "avml-bad-crc.bin", &avml, r, 1, 0,
	    MKLIME_HEADER + MKLIME_STREAM_ID + 4);
	one(dir, "avml-bad-block.bin", &avml, r, 1, 0,
	    MKLIME_HEADER + MKLIME_STREAM_ID + 12);
	return out.failures ? 1 : 0;
}
