/* SPDX-License-Identifier: MIT */
/* Write the mkkdump-built seeds of fuzz/corpus/kdump/ (each < 8 KiB, so
 * block size 512 or 1024 and a few pages):
 *   mkkdump-seeds OUTDIR
 * They add what fuzz/make-seeds.py's hand-encoded seeds do not: the ARM
 * and 32-bit big-endian sub-headers, header versions 0, 2 and 5, split
 * files, a file cut short without the flag, corrupt descriptors and page
 * data, one bitmap, and flattened streams with shuffled, overwritten and
 * cut records.  The compressors' output may change between library
 * versions, so the bytes are not compared in a test; rerun this tool and
 * review the difference when they do. */
#include "mkkdump.h"
#include "seedfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEED 8192

static void notes(struct mkkdump *m)
{
	uint64_t regs[27];

	for (int i = 0; i < 27; i++)
		regs[i] = 0x1111111111111111ull * (uint64_t)(i % 15);
	mkkdump_add_prstatus(m, 1, regs, 27);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-seed\nPAGESIZE=512\n");
}

/* A little of everything: data in two codecs, zero, raw, excluded, hole. */
static void pages(struct mkkdump *m, enum mkkdump_codec a,
		  enum mkkdump_codec b)
{
	mkkdump_set_pages(m, 0, 2, MKKDUMP_DATA, a);
	mkkdump_set_pages(m, 2, 1, MKKDUMP_ZERO, a);
	mkkdump_set_pages(m, 3, 1, MKKDUMP_RANDOM, a);
	mkkdump_set_pages(m, 4, 2, MKKDUMP_EXCLUDED, a);
	mkkdump_set_pages(m, 9, 2, MKKDUMP_DATA, b);
}

static struct mkkdump *kdump(const char *machine, enum kdx_byte_order bo,
			     unsigned int version, uint32_t block_size)
{
	struct mkkdump_options o = {
		.machine = machine, .byte_order = bo,
		.header_version = version, .zero_version = version == 0,
		.block_size = block_size, .dump_level = 19,
		.default_codec = MKKDUMP_CODEC_ZLIB, .nr_cpus = 1,
	};

	return mkkdump_new(&o);
}

static void build_save(struct seed_dir *dir, const char *name,
		       struct mkkdump *m)
{
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);

	seed_save(dir, name, b, size);
	free(b);
	mkkdump_free(m);
}

int main(int argc, char **argv)
{
	struct seed_dir out = { .max_size = MAX_SEED };
	struct seed_dir *dir = &out;
	struct mkkdump *m;
	uint8_t *b, *f;
	size_t size, fsize;

	if (argc != 2) {
		fprintf(stderr, "usage: mkkdump-seeds OUTDIR\n");
		return 2;
	}
	out.path = argv[1];

	m = kdump("armv7l", KDX_LITTLE_ENDIAN, 6, 512);
	notes(m);
	pages(m, MKKDUMP_CODEC_LZO, MKKDUMP_CODEC_SNAPPY);
	build_save(dir, "mk-armv7l-v6.kdump", m);

	m = kdump("ppc", KDX_BIG_ENDIAN, 4, 512);
	notes(m);
	pages(m, MKKDUMP_CODEC_ZSTD, MKKDUMP_CODEC_ZLIB);
	build_save(dir, "mk-ppc-be32-v4.kdump", m);

	{
		struct mkkdump_options o = {
			.machine = "ppc64", .byte_order = KDX_BIG_ENDIAN,
			.block_size = 512, .split = true, .start_pfn = 2,
			.end_pfn = 10, .default_codec = MKKDUMP_CODEC_LZO,
		};

		m = mkkdump_new(&o);
		notes(m);
		pages(m, MKKDUMP_CODEC_LZO, MKKDUMP_CODEC_ZSTD);
		build_save(dir, "mk-ppc64-split.kdump", m);
	}
	{
		struct mkkdump_options o = {
			.machine = "i686", .header_version = 5,
			.block_size = 512, .eraseinfo = "erase jiffies size 8\n",
			.default_codec = MKKDUMP_CODEC_SNAPPY,
		};

		m = mkkdump_new(&o);
		notes(m);
		pages(m, MKKDUMP_CODEC_SNAPPY, MKKDUMP_RAW);
		build_save(dir, "mk-i686-v5-eraseinfo.kdump", m);
	}
	m = kdump("x86_64", KDX_LITTLE_ENDIAN, 0, 512);
	pages(m, MKKDUMP_CODEC_ZLIB, MKKDUMP_CODEC_ZSTD);
	build_save(dir, "mk-x86_64-v0.kdump", m);

	{
		struct mkkdump_options o = {
			.machine = "x86_64", .header_version = 2,
			.block_size = 512, .split = true, .start_pfn = 0,
			.end_pfn = 4, .default_codec = MKKDUMP_CODEC_ZLIB,
		};

		m = mkkdump_new(&o);
		pages(m, MKKDUMP_CODEC_ZLIB, MKKDUMP_CODEC_ZLIB);
		build_save(dir, "mk-x86_64-v2-split.kdump", m);
	}
	{
		struct mkkdump_options o = {
			.machine = "x86_64", .block_size = 512,
			.single_bitmap = true,
			.default_codec = MKKDUMP_CODEC_ZSTD,
		};

		m = mkkdump_new(&o);
		pages(m, MKKDUMP_CODEC_ZSTD, MKKDUMP_CODEC_LZO);
		build_save(dir, "mk-x86_64-one-bitmap.kdump", m);
	}
	{
		struct mkkdump_options o = {
			.machine = "aarch64", .block_size = 1024,
			.incomplete = true, .incomplete_pages = 3,
			.default_codec = MKKDUMP_CODEC_ZSTD,
		};

		m = mkkdump_new(&o);
		notes(m);
		pages(m, MKKDUMP_CODEC_ZSTD, MKKDUMP_CODEC_ZSTD);
		build_save(dir, "mk-aarch64-1k-incomplete.kdump", m);
	}

	/* Cut short without the flag, inside the 5th page's data. */
	m = kdump("x86_64", KDX_LITTLE_ENDIAN, 6, 512);
	mkkdump_set_pages(m, 0, 8, MKKDUMP_DATA, MKKDUMP_CODEC_ZLIB);
	b = mkkdump_build(m, &size);
	seed_save(dir, "mk-x86_64-cut.kdump", b, mkkdump_data_offset(m, 4) + 7);
	free(b);
	mkkdump_free(m);

	/* Corrupt: bad zlib data, size > block, offset past the end,
	 * unknown flags, offset 0. */
	m = kdump("x86_64", KDX_LITTLE_ENDIAN, 6, 512);
	mkkdump_set_pages(m, 0, 8, MKKDUMP_DATA, MKKDUMP_CODEC_ZLIB);
	b = mkkdump_build(m, &size);
	memset(b + mkkdump_data_offset(m, 0) + 2, 0xff, 8);
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 1) + 8, 513, 4);
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 2), 1u << 20, 8);
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 3) + 12, 0x40, 4);
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 4), 0, 8);
	seed_save(dir, "mk-x86_64-corrupt-pages.kdump", b, size);
	free(b);
	mkkdump_free(m);

	/* Flattened: shuffled, some records overwritten; then one cut in
	 * the middle of a record, without the end marker. */
	m = kdump("x86_64", KDX_LITTLE_ENDIAN, 6, 512);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-flat\n");
	mkkdump_set_pages(m, 0, 2, MKKDUMP_DATA, MKKDUMP_CODEC_ZLIB);
	mkkdump_set_pages(m, 2, 1, MKKDUMP_ZERO, MKKDUMP_CODEC_ZLIB);
	mkkdump_set_pages(m, 3, 1, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_ZLIB);
	mkkdump_set_pages(m, 5, 1, MKKDUMP_DATA, MKKDUMP_CODEC_LZO);
	b = mkkdump_build(m, &size);
	{
		struct mkflat_options fo = { .chunk = 700, .shuffle = 3,
					     .overwritten = 3 };

		f = mkflat_build(b, size, &fo, &fsize);
		seed_save(dir, "mk-x86_64-flat-shuffled.kdump", f, fsize);
		free(f);
	}
	{
		struct mkflat_options fo = { .chunk = 512, .no_end_marker = true,
					     .cut = 300 };

		f = mkflat_build(b, size, &fo, &fsize);
		seed_save(dir, "mk-x86_64-flat-cut.kdump", f, fsize);
		free(f);
	}
	free(b);
	mkkdump_free(m);
	return out.failures ? 1 : 0;
}
