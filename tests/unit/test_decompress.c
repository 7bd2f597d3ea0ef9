/* SPDX-License-Identifier: MIT */
/* gzip, zstd, bzip2, xz and lzop containers (io/decompress.c, lib/container.c): every
 * byte of the decompressed view, in memory and spilled to a temporary
 * file, several members/frames and the zero padding of a dump device's
 * last block, the size ceiling, every damaged stream an error naming the
 * compressed offset, and a dump of another format opened through them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "core/endian.h"

#include "dumpcheck.h"
#include "faultfile.h"
#include "io/decompress.h"
#include "io/file.h"
#include "io/flat.h"
#include "mkcompressed.h"
#include "mkelf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DATA_LEN (3u << 20)

static const enum mkz_codec codecs[] = { MKZ_GZIP, MKZ_ZSTD, MKZ_BZIP2,
					 MKZ_XZ, MKZ_LZOP };
#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

static enum kdx_stream_codec kdx_codec(enum mkz_codec c)
{
	static const enum kdx_stream_codec map[] = {
		[MKZ_GZIP] = KDX_STREAM_GZIP, [MKZ_ZSTD] = KDX_STREAM_ZSTD,
		[MKZ_BZIP2] = KDX_STREAM_BZIP2, [MKZ_XZ] = KDX_STREAM_XZ,
		[MKZ_LZOP] = KDX_STREAM_LZOP,
	};

	return map[c];
}

/* Bytes that differ everywhere, with runs of zeros (holes in a spilled
 * file) and a zero tail. */
static uint8_t *make_data(size_t len)
{
	uint8_t *d = malloc(len);
	uint32_t x = 12345;

	assert_non_null(d);
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (i / 4096) % 5 == 2 || i >= len - 10000 ? 0
							       : (uint8_t)(x >> 16) % 7;
	}
	return d;
}

static struct kdx_error *open_stream(const uint8_t *z, size_t zlen,
				     enum mkz_codec codec,
				     const struct kdx_decompress_limits *lim,
				     struct kdx_file **out)
{
	struct kdx_file *base;

	assert_null(kdx_file_from_memory(z, zlen, &base));
	return kdx_file_open_decompressed(base, kdx_codec(codec), lim, out);
}

static void check_bytes(struct kdx_file *f, const uint8_t *want, size_t len)
{
	uint8_t *got = malloc(len);

	assert_non_null(got);
	assert_int_equal(kdx_file_size(f), len);
	/* Unaligned pieces, so reads cross the holes' block edges. */
	for (size_t at = 0; at < len; at += 70001) {
		size_t n = len - at < 70001 ? len - at : 70001;

		assert_null(kdx_file_read(f, at, got + at, n));
	}
	assert_memory_equal(got, want, len);
	free(got);
}

static void every_byte_in_memory(void **state)
{
	uint8_t *data = make_data(DATA_LEN);

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		for (unsigned int pieces = 1; pieces <= 3; pieces += 2) {
			for (size_t pad = 0; pad <= 4000; pad += 4000) {
				enum kdx_stream_codec kind;
				uint64_t csize;
				bool on_disk;
				struct kdx_file *f;
				size_t zlen;
				uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN,
							  pieces, pad, &zlen);

				assert_non_null(z);
				assert_null(open_stream(z, zlen, codecs[c], NULL, &f));
				check_bytes(f, data, DATA_LEN);
				assert_true(kdx_file_decompressed_info(f, &kind, &csize,
								       &on_disk));
				assert_int_equal(kind, kdx_codec(codecs[c]));
				assert_int_equal(csize, zlen);
				assert_false(on_disk);
				kdx_file_close(f);
				free(z);
			}
		}
	}
	free(data);
}

static size_t dir_entries(const char *path)
{
	DIR *d = opendir(path);
	size_t n = 0;

	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void every_byte_spilled_to_a_file(void **state)
{
	char dir[] = "/tmp/kdx-test-decompress-XXXXXX";
	uint8_t *data = make_data(DATA_LEN);
	struct kdx_decompress_limits lim = { .memory_max = 256 << 10,
					     .tmpdir = dir };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t c = 0; c < NCODECS; c++) {
		enum kdx_stream_codec kind;
		uint64_t csize, fd_off, len;
		bool on_disk;
		struct kdx_file *f;
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 2, 512, &zlen);

		assert_non_null(z);
		assert_null(open_stream(z, zlen, codecs[c], &lim, &f));
		/* Unlinked at once: nothing is left behind. */
		assert_int_equal(dir_entries(dir), 0);
		check_bytes(f, data, DATA_LEN);
		assert_true(kdx_file_decompressed_info(f, &kind, &csize, &on_disk));
		assert_true(on_disk);
		/* The file holds the bytes as they are: copyable. */
		assert_true(kdx_file_extent(f, 100, 1000, &fd_off, &len) >= 0);
		assert_int_equal(fd_off, 100);
		assert_int_equal(len, 1000);
		kdx_file_close(f);
		free(z);
	}
	/* A directory that cannot take the file: the error names it. */
	lim.tmpdir = "/nonexistent-kdx-dir";
	for (size_t c = 0; c < NCODECS; c++) {
		struct kdx_file *f;
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 1, 0, &zlen);
		struct kdx_error *err = open_stream(z, zlen, codecs[c], &lim, &f);

		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_OS);
		assert_non_null(strstr(kdx_error_message(err), "/nonexistent-kdx-dir"));
		kdx_error_destroy(err);
		free(z);
	}
	assert_int_equal(rmdir(dir), 0);
	free(data);
}

static void expect_error(const uint8_t *z, size_t zlen, enum mkz_codec codec,
			 const struct kdx_decompress_limits *lim,
			 enum kdx_error_code code, const char *words)
{
	struct kdx_file *f = NULL;
	struct kdx_error *err = open_stream(z, zlen, codec, lim, &f);

	if (!err)
		fail_msg("%s stream of %zu bytes opened; expected \"%s\"",
			 mkz_name(codec), zlen, words);
	if (kdx_error_code(err) != code || !strstr(kdx_error_message(err), words))
		fail_msg("expected \"%s\", got: %s", words, kdx_error_message(err));
	kdx_error_destroy(err);
}

static void refused_past_the_ceiling(void **state)
{
	uint8_t *data = make_data(DATA_LEN);
	struct kdx_decompress_limits lim = { .max_size = DATA_LEN - 1 };

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 1, 0, &zlen);
		struct kdx_file *f;

		expect_error(z, zlen, codecs[c], &lim, KDX_ERR_UNSUPPORTED,
			     "kdx's limit");
		/* Exactly the ceiling is fine. */
		lim.max_size = DATA_LEN;
		assert_null(open_stream(z, zlen, codecs[c], &lim, &f));
		kdx_file_close(f);
		lim.max_size = DATA_LEN - 1;
		free(z);
	}
	free(data);
}

/* zstd allocates a frame's window from its header, before a byte is
 * decoded: a window above the output ceiling is refused there, naming
 * the limit (fuzz_decompress under ASan spent most of its time mapping
 * and poisoning windows); the same stream opens under the defaults.
 * mkz_compress streams without a content size, so the window is the
 * level's (2 MiB at level 3), whatever the data's size. */
static void zstd_window_above_the_ceiling(void **state)
{
	uint8_t *data = make_data(1000);
	struct kdx_decompress_limits lim = { .max_size = 64 << 10 };
	size_t zlen;
	uint8_t *z = mkz_compress(MKZ_ZSTD, data, 1000, 1, 0, &zlen);
	struct kdx_file *f = NULL;

	(void)state;
	assert_non_null(z);
	expect_error(z, zlen, MKZ_ZSTD, &lim, KDX_ERR_UNSUPPORTED,
		     "the zstd frame asks for a window above 65536 bytes, kdx's limit");
	assert_null(open_stream(z, zlen, MKZ_ZSTD, NULL, &f));
	check_bytes(f, data, 1000);
	kdx_file_close(f);
	free(z);
	free(data);
}

static void damaged_streams(void **state)
{
	uint8_t *data = make_data(DATA_LEN);

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 2, 0, &zlen);
		uint8_t *bad = malloc(zlen + 16);

		assert_non_null(z);
		assert_non_null(bad);
		/* Cut anywhere: after the magic, mid-way, one byte short. */
		expect_error(z, 4, codecs[c], NULL, KDX_ERR_CORRUPT, "cut short");
		expect_error(z, zlen / 2, codecs[c], NULL, KDX_ERR_CORRUPT,
			     "cut short");
		expect_error(z, zlen - 1, codecs[c], NULL, KDX_ERR_CORRUPT,
			     "cut short");
		/* A byte changed inside: the checksum or the coding fails. */
		memcpy(bad, z, zlen);
		bad[zlen / 3] ^= 0x5a;
		expect_error(bad, zlen, codecs[c], NULL, KDX_ERR_CORRUPT,
			     "is damaged");
		/* Something after the stream that is not padding. */
		memcpy(bad, z, zlen);
		memcpy(bad + zlen, "\0\0\0\0junk", 8);
		expect_error(bad, zlen + 8, codecs[c], NULL, KDX_ERR_CORRUPT,
			     "neither another");
		memcpy(bad + zlen, "junk", 4);
		expect_error(bad, zlen + 4, codecs[c], NULL, KDX_ERR_CORRUPT,
			     "neither another");
		free(bad);
		free(z);
	}
	free(data);
}

/* A stream inside a file: only its bytes are read, offsets in errors are
 * the file's, and a range past the end is refused. */
static void a_stream_inside_a_file(void **state)
{
	uint8_t *data = make_data(DATA_LEN);

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 1, 0, &zlen);
		uint8_t *file = malloc(zlen + 1024);
		struct kdx_file *base, *f;
		struct kdx_error *err;

		assert_non_null(file);
		memset(file, 0xee, zlen + 1024);
		memcpy(file + 512, z, zlen);
		assert_null(kdx_file_from_memory(file, zlen + 1024, &base));
		assert_true(kdx_file_is_compressed_at(base, 512, kdx_codec(codecs[c])));
		assert_false(kdx_file_is_compressed(base, kdx_codec(codecs[c])));
		assert_null(kdx_file_open_decompressed_range(
			base, 512, zlen, kdx_codec(codecs[c]), NULL, &f));
		check_bytes(f, data, DATA_LEN);
		kdx_file_close(f);
		/* One byte short: cut, at the file offset where it stops. */
		assert_null(kdx_file_from_memory(file, zlen + 1024, &base));
		err = kdx_file_open_decompressed_range(base, 512, zlen - 1,
						       kdx_codec(codecs[c]), NULL, &f);
		assert_non_null(err);
		{
			char want[64];

			snprintf(want, sizeof(want), "offset 0x%zx", 512 + zlen - 1);
			assert_non_null(strstr(kdx_error_message(err), want));
		}
		kdx_error_destroy(err);
		assert_null(kdx_file_from_memory(file, zlen + 1024, &base));
		err = kdx_file_open_decompressed_range(base, 512, zlen + 513,
						       kdx_codec(codecs[c]), NULL, &f);
		assert_non_null(err);
		assert_non_null(strstr(kdx_error_message(err), "runs past the end"));
		kdx_error_destroy(err);
		free(file);
		free(z);
	}
	free(data);
}

/* lzop's header and block fields, each wrong in turn (mkcompressed's
 * layout: magic 0-8, version 9, library 11, extract 13, method 15,
 * level 16, flags 17, mode 21, mtime 25 and 29, name length 33, header
 * checksum 34, the first block's sizes at 38 and 42). */
static void lzop_fields(void **state)
{
	static const struct {
		size_t at;
		uint8_t value;
		enum kdx_error_code code;
		const char *words;
	} cases[] = {
		{ 9, 0x18, KDX_ERR_UNSUPPORTED, "offset 0x9: lzop: a file of lzop before 0.90" },
		{ 15, 9, KDX_ERR_UNSUPPORTED, "offset 0xf: lzop: the blocks use a method" },
		{ 19, 0x08, KDX_ERR_UNSUPPORTED, "offset 0x11: lzop: a filtered" },
		{ 36, 0x77, KDX_ERR_CORRUPT, "offset 0x22: the lzop stream is damaged (the header fails its checksum)" },
		{ 38, 0x05, KDX_ERR_CORRUPT, "offset 0x26: the lzop stream is damaged (a block larger than lzop's 64 MiB" },
		{ 42, 0x7f, KDX_ERR_CORRUPT, "offset 0x2a: the lzop stream is damaged (a block's compressed size" },
		{ 50, 0x01, KDX_ERR_CORRUPT, "fail their checksum" },
	};
	uint8_t *data = make_data(1u << 20);
	size_t zlen;
	uint8_t *z = mkz_compress(MKZ_LZOP, data, 1u << 20, 1, 0, &zlen);
	uint8_t *bad = malloc(zlen);

	(void)state;
	assert_non_null(z);
	assert_non_null(bad);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(bad, z, zlen);
		bad[cases[i].at] ^= cases[i].value;
		expect_error(bad, zlen, MKZ_LZOP, NULL, cases[i].code,
			     cases[i].words);
	}
	/* A block size the rest of the file cannot hold: no buffer for it. */
	memcpy(bad, z, zlen);
	expect_error(bad, 60, MKZ_LZOP, NULL, KDX_ERR_CORRUPT,
		     "runs past the end of the file: it was cut short");
	free(bad);
	free(z);
	free(data);
}

/* lzop's container as the lzop program writes it (the helper's own
 * writer shares its author with the reader; the program does not), and
 * every other codec's program too: the same bytes come back. */
static void written_by_the_programs(void **state)
{
	uint8_t *data = make_data(DATA_LEN);
	unsigned int found = 0;

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		struct kdx_file *f;
		size_t zlen;
		uint8_t *z = mkz_tool(codecs[c], data, DATA_LEN, &zlen);

		if (!z)
			continue; /* the program is not installed */
		found++;
		assert_null(open_stream(z, zlen, codecs[c], NULL, &f));
		check_bytes(f, data, DATA_LEN);
		kdx_file_close(f);
		free(z);
	}
	free(data);
	if (!found)
		skip();
}

/* A read of the compressed file failing: the error is the read's. */
static void failing_reads(void **state)
{
	uint8_t *data = make_data(DATA_LEN);

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		struct faultfile_plan plan = { .fail_nth = 2 };
		struct faultfile ff;
		struct kdx_file *base, *f;
		struct kdx_error *err;
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], data, DATA_LEN, 1, 0, &zlen);

		assert_true(zlen > (256u << 10)); /* at least 2 reads */
		faultfile_init(&ff, &plan);
		assert_null(kdx_file_from_memory(z, zlen, &base));
		assert_null(faultfile_wrap(&ff, base, UINT64_MAX, &base));
		err = kdx_file_open_decompressed(base, kdx_codec(codecs[c]), NULL, &f);
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_OS);
		kdx_error_destroy(err);
		faultfile_deinit(&ff);
		free(z);
	}
	free(data);
}

/* ---- Through kdx_dump_open: any format inside ---- */

static uint8_t *make_elf(size_t *size)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = 62 /* EM_X86_64 */ };
	struct mkelf *m = mkelf_new(&o);
	struct mkelf_load l = { .paddr = 0x100000, .vaddr = 0xffff888000100000ull,
				.filesz = 0x20000, .memsz = 0x20000 };
	uint8_t *elf;

	mkelf_add_load(m, &l);
	elf = mkelf_build(m, size);
	mkelf_free(m);
	return elf;
}

static void an_elf_dump_inside(void **state)
{
	size_t elf_len;
	uint8_t *elf = make_elf(&elf_len);
	uint8_t got[0x20000];

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		struct kdx_open_options opts;
		struct kdx_dump *dump;
		char want[96];
		size_t zlen;
		uint8_t *z = mkz_compress(codecs[c], elf, elf_len, 1, 512, &zlen);

		kdx_open_options_init(&opts);
		assert_null(kdx_dump_open_memory(z, zlen, &opts, &dump));
		assert_string_equal(kdx_dump_format_name(dump), "elf");
		assert_null(kdx_read_phys(dump, 0x100000, got, sizeof(got), 0, NULL));
		for (size_t i = 0; i < sizeof(got); i++)
			if (got[i] != mkelf_pattern(0x100000 + i))
				fail_msg("pa 0x%zx: 0x%02x", 0x100000 + i, got[i]);
		snprintf(want, sizeof(want),
			 "%s stream, 0x%zx bytes decompressed to 0x%zx",
			 mkz_name(codecs[c]), zlen, elf_len);
		assert_string_equal(dump_detail(dump, "container"), want);
		kdx_dump_destroy(dump);

		/* --format raw reads the file as it is. */
		opts.format = "raw";
		assert_null(kdx_dump_open_memory(z, zlen, &opts, &dump));
		assert_string_equal(kdx_dump_format_name(dump), "raw");
		assert_null(dump_detail(dump, "container"));
		kdx_dump_destroy(dump);
		free(z);
	}
	free(elf);
}

/* Opening @z under a max_decompressed of @max fails at the limit. */
static void refused_under(const uint8_t *z, size_t zlen, uint64_t max)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;

	kdx_open_options_init(&opts);
	opts.max_decompressed = max;
	expect_error_text(kdx_dump_open_memory(z, zlen, &opts, &dump),
			  KDX_ERR_UNSUPPORTED, "kdx's limit");
	assert_null(dump);
}

/* The caller's max_decompressed bounds every codec's stream, a stream
 * inside another too (fuzzing keeps compressed inputs cheap with it); a
 * caller built against version 2 of the options never set it. */
static void the_callers_ceiling(void **state)
{
	size_t elf_len, zlen, zzlen;
	uint8_t *elf = make_elf(&elf_len), *z, *zz;
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;

	(void)state;
	for (size_t c = 0; c < NCODECS; c++) {
		z = mkz_compress(codecs[c], elf, elf_len, 1, 512, &zlen);
		refused_under(z, zlen, elf_len - 1);
		kdx_open_options_init(&opts);
		/* A zstd frame's window (2 MiB at level 3) must fit too. */
		opts.max_decompressed = 4u << 20;
		assert_null(kdx_dump_open_memory(z, zlen, &opts, &dump));
		kdx_dump_destroy(dump);
		opts.version = 2;
		opts.max_decompressed = 1;
		assert_null(kdx_dump_open_memory(z, zlen, &opts, &dump));
		kdx_dump_destroy(dump);
		free(z);
	}
	/* gzip around zstd: the inner stream is held to it too. */
	z = mkz_compress(MKZ_ZSTD, elf, elf_len, 1, 0, &zlen);
	zz = mkz_compress(MKZ_GZIP, z, zlen, 1, 0, &zzlen);
	refused_under(zz, zzlen, elf_len - 1);
	free(zz);
	free(z);
	free(elf);
}

/* A compressed stream inside a compressed stream inside ...: refused
 * after a few layers, not followed for ever. */
/* Compressed data does not compress: an outer stream that expanded
 * 64-fold into another compressed stream is a bomb, refused before the
 * inner one is decompressed (fuzz_vmware found 52 bytes of nested zstd
 * that made 2.5 GB; here 256 zstd frames of 1 MiB of zeros, gzipped,
 * which would make 256 MiB). */
static void a_bomb_inside_a_stream(void **state)
{
	size_t zeros_len = 1u << 20, frame_len, inner_len, outer_len;
	uint8_t *zeros = calloc(1, zeros_len);
	uint8_t *frame, *inner, *outer;
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	(void)state;
	assert_non_null(zeros);
	frame = mkz_compress(MKZ_ZSTD, zeros, zeros_len, 1, 0, &frame_len);
	assert_non_null(frame);
	inner_len = 256 * frame_len;
	inner = malloc(inner_len);
	assert_non_null(inner);
	for (size_t i = 0; i < 256; i++)
		memcpy(inner + i * frame_len, frame, frame_len);
	outer = mkz_compress(MKZ_GZIP, inner, inner_len, 1, 0, &outer_len);
	assert_non_null(outer);
	assert_true(outer_len * 64 < inner_len);
	kdx_open_options_init(&opts);
	err = kdx_dump_open_memory(outer, outer_len, &opts, &dump);
	assert_null(dump);
	assert_non_null(err);
	if (kdx_error_code(err) != KDX_ERR_UNSUPPORTED ||
	    !strstr(kdx_error_message(err), "a gzip stream of 0x") ||
	    !strstr(kdx_error_message(err), "decompression bomb"))
		fail_msg("got: %s", kdx_error_message(err));
	kdx_error_destroy(err);
	free(outer);
	free(inner);
	free(frame);
	free(zeros);
}

static void nested_containers(void **state)
{
	size_t elf_len, len[7];
	uint8_t *layer[7];
	struct kdx_open_options opts;
	struct kdx_dump *dump;
	struct kdx_error *err;

	(void)state;
	layer[0] = make_elf(&elf_len);
	len[0] = elf_len;
	for (int i = 1; i < 7; i++) {
		layer[i] = mkz_compress(i % 2 ? MKZ_ZSTD : MKZ_GZIP, layer[i - 1],
					len[i - 1], 1, 0, &len[i]);
		assert_non_null(layer[i]);
	}
	kdx_open_options_init(&opts);
	/* Two layers: opened. */
	assert_null(kdx_dump_open_memory(layer[2], len[2], &opts, &dump));
	assert_string_equal(kdx_dump_format_name(dump), "elf");
	kdx_dump_destroy(dump);
	err = kdx_dump_open_memory(layer[6], len[6], &opts, &dump);
	assert_non_null(err);
	assert_non_null(strstr(kdx_error_message(err), "containers inside each other"));
	kdx_error_destroy(err);
	for (int i = 0; i < 7; i++)
		free(layer[i]);
}

/* A flattened stream that writes a zstd frame's first bytes and 16 bytes
 * a TiB further on; what lies between reads as zeros. */
static struct kdx_file *flattened_with_a_gap(uint8_t *f, size_t size)
{
	static const uint8_t frame[6] = { 0x28, 0xb5, 0x2f, 0xfd, 0, 0 };
	struct kdx_file *base = NULL, *flat = NULL;

	memset(f, 0, size);
	memcpy(f, "makedumpfile", 12);
	kdx_store_u64(f + 16, 1, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 24, 1, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 4096, 0, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 4104, sizeof(frame), KDX_BIG_ENDIAN);
	memcpy(f + 4112, frame, sizeof(frame));
	kdx_store_u64(f + 4118, 1ull << 40, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 4126, 16, KDX_BIG_ENDIAN);
	memcpy(f + 4134, "0123456789abcdef", 16);
	kdx_store_u64(f + 4150, UINT64_MAX, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 4158, UINT64_MAX, KDX_BIG_ENDIAN);
	assert_null(kdx_file_from_memory(f, size, &base));
	assert_null(kdx_file_open_flattened(base, &flat));
	assert_int_equal(kdx_file_size(flat), (1ull << 40) + 16);
	return flat;
}

/* Bytes no record of a flattened stream wrote read as zeros, which zstd
 * takes as endless empty blocks (the fuzzer's 14 s input): the stream
 * ends where the held bytes do, and says so.  A window of such a stream
 * (a FreeBSD dump device's ELF) knows the same gaps. */
static void gaps_of_a_flattened_stream(void **state)
{
	uint8_t f[4096 + 16 + 6 + 16 + 16 + 16];
	struct kdx_file *flat, *slice = NULL, *out = NULL;
	struct kdx_error *err;
	uint64_t gap = 0;

	(void)state;
	flat = flattened_with_a_gap(f, sizeof(f));
	err = kdx_file_open_decompressed(flat, KDX_STREAM_ZSTD, NULL, &out);
	assert_non_null(err);
	assert_null(out);
	if (!strstr(kdx_error_message(err),
		    "the zstd stream stops at offset 0x6 before its end: the file holds no bytes there"))
		fail_msg("%s", kdx_error_message(err));
	kdx_error_destroy(err);

	flat = flattened_with_a_gap(f, sizeof(f));
	assert_null(kdx_file_open_slice(flat, 2, (1ull << 40) + 14, &slice));
	assert_int_equal(kdx_file_next_written(slice, 0), 0);
	assert_int_equal(kdx_file_written_end(slice, 0), 4);
	assert_int_equal(kdx_file_next_written(slice, 4), (1ull << 40) - 2);
	assert_int_equal(kdx_file_next_data(slice, 4), (1ull << 40) - 2);
	assert_int_equal(kdx_file_written_end(slice, (1ull << 40) - 2),
			 (1ull << 40) + 14);
	assert_true(kdx_file_all_written(slice, 0, 4, &gap));
	assert_false(kdx_file_all_written(slice, 0, 100, &gap));
	assert_int_equal(gap, 4);
	kdx_file_close(slice);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_byte_in_memory),
		cmocka_unit_test(every_byte_spilled_to_a_file),
		cmocka_unit_test(refused_past_the_ceiling),
		cmocka_unit_test(zstd_window_above_the_ceiling),
		cmocka_unit_test(damaged_streams),
		cmocka_unit_test(a_stream_inside_a_file),
		cmocka_unit_test(lzop_fields),
		cmocka_unit_test(written_by_the_programs),
		cmocka_unit_test(failing_reads),
		cmocka_unit_test(an_elf_dump_inside),
		cmocka_unit_test(nested_containers),
		cmocka_unit_test(a_bomb_inside_a_stream),
		cmocka_unit_test(gaps_of_a_flattened_stream),
		cmocka_unit_test(the_callers_ceiling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
