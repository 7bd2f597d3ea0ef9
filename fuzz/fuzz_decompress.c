/* SPDX-License-Identifier: MIT */
/* Fuzz the gzip, zstd, bzip2, xz and lzop containers (io/decompress*.c,
 * lzop's container parser among them) and whatever dump is inside them.
 *
 * The input is the compressed file itself: the codec whose magic it
 * starts with, else the one its first byte picks (byte % 5), so a
 * mutation of the magic still runs a decompressor.  It is decompressed under a small ceiling (so a
 * stream that expands without end is refused quickly, in memory); a
 * failure must be one of the documented errors.  On success every byte
 * of the view must read back, a read past its end must fail, and the
 * bytes, unless they are another container, are opened as a dump and
 * exercised (fuzz_common.c).  Seeds: mkminidump's tiny dumps and an ELF
 * seed, compressed (tests/helpers/mkminidump "tiny gz|zst", gzip/zstd;
 * the ELF seed also by bzip2, xz and lzop -c, the programs). */
#include "fuzz_common.h"

#include "io/decompress.h"
#include "io/file.h"
#include "lib/dump.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A bomb is refused after 256 KiB: with 8 MiB, under ASan, growing and
 * freeing the output was most of the time.  The dumps inside the seeds
 * are smaller but one (mk-arm64-3-16k-tiny.zst, 448 KiB), which now
 * tests the refusal. */
#define MAX_SIZE (256u << 10)

static bool is_container(const struct kdx_file *f)
{
	enum kdx_stream_codec kind;

	return kdx_file_compressed_codec(f, &kind);
}

/* Every byte of the view, which must all read; NULL when too large to
 * keep (cannot happen under the ceiling) or out of memory. */
static uint8_t *read_all(struct kdx_file *f)
{
	uint64_t size = kdx_file_size(f);
	uint8_t *all = malloc(size ? (size_t)size : 1), byte;
	struct kdx_error *err;

	FUZZ_CHECK(size <= MAX_SIZE);
	if (!all)
		return NULL;
	for (uint64_t at = 0; at < size; at += 4096) {
		size_t n = size - at < 4096 ? (size_t)(size - at) : 4096;

		FUZZ_CHECK(!kdx_file_read(f, at, all + at, n));
	}
	err = kdx_file_read(f, size, &byte, 1);
	FUZZ_CHECK(err && kdx_error_code(err) == KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	return all;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_decompress_limits lim = { .max_size = MAX_SIZE,
					     .memory_max = MAX_SIZE };
	static const enum kdx_stream_codec by_byte[] = {
		KDX_STREAM_GZIP, KDX_STREAM_ZSTD, KDX_STREAM_BZIP2,
		KDX_STREAM_XZ, KDX_STREAM_LZOP,
	};
	enum kdx_stream_codec kind = by_byte[size ? data[0] % 5 : 0];
	struct kdx_fuzz_input in = { 0 };
	uint8_t *bytes;
	struct kdx_open_options opts;
	struct kdx_file *base, *f;
	struct kdx_dump *dump;
	struct kdx_error *err;

	if (kdx_file_from_memory(data, size, &base))
		return 0;
	kdx_file_compressed_codec(base, &kind);
	err = kdx_file_open_decompressed(base, kind, &lim, &f);
	if (err) {
		FUZZ_CHECK(kdx_error_code(err) == KDX_ERR_CORRUPT ||
			   kdx_error_code(err) == KDX_ERR_UNSUPPORTED ||
			   kdx_error_code(err) == KDX_ERR_NOMEM);
		kdx_fuzz_error(err);
		return 0;
	}
	bytes = read_all(f);
	if (!bytes || is_container(f)) {
		free(bytes);
		kdx_file_close(f);
		return 0;
	}
	/* The oracles compare with the decompressed bytes. */
	in.data = bytes;
	in.size = (size_t)kdx_file_size(f);
	kdx_open_options_init(&opts);
	err = kdx_dump_open_file(f, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
		free(bytes);
		return 0;
	}
	kdx_fuzz_exercise(dump, &in);
	kdx_dump_destroy(dump);
	free(bytes);
	return 0;
}
