/* SPDX-License-Identifier: MIT */
/* LiME and AVML images built by mklime: every byte read back, every
 * framing variant, and every way a header or stream can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mklime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Physical layout of the images: a low range, a page-aligned one and one
 * whose size is not a multiple of any chunk or page size. */
#define NRANGES 3
static const uint64_t starts[NRANGES] = { 0x1000, 0x100000, 0x7000000 };
static const uint64_t sizes[NRANGES] = { 0x2000, 0x24000, 0x1801 };

struct image {
	uint8_t *data[NRANGES];
	struct mklime_range r[NRANGES];
};

static uint8_t mem_byte(uint64_t addr)
{
	/* Compressible runs broken by address-dependent bytes. */
	return (addr & 0x40) ? (uint8_t)(addr >> 9) : (uint8_t)(addr * 7 + 3);
}

static void image_init(struct image *im)
{
	for (int i = 0; i < NRANGES; i++) {
		im->data[i] = malloc(sizes[i]);
		assert_non_null(im->data[i]);
		for (uint64_t a = 0; a < sizes[i]; a++)
			im->data[i][a] = mem_byte(starts[i] + a);
		im->r[i] = (struct mklime_range){ .start = starts[i],
						  .size = sizes[i],
						  .data = im->data[i] };
	}
}

static void image_free(struct image *im)
{
	for (int i = 0; i < NRANGES; i++)
		free(im->data[i]);
}

static struct kdx_dump *open_ok(const uint8_t *bytes, size_t size)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(bytes, size, NULL, &d);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

/* Every range's bytes, in one read each and in odd-sized pieces that
 * cross pages and chunks; the bytes next to each range are holes. */
static void check_memory(const struct kdx_dump *d, const uint64_t *st,
			 const uint64_t *sz, int n)
{
	size_t count;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &count);

	assert_int_equal(count, n);
	for (int i = 0; i < n; i++) {
		uint8_t *buf = malloc(sz[i]);

		assert_int_equal(r[i].start, st[i]);
		assert_int_equal(r[i].size, sz[i]);
		assert_null(kdx_read_phys(d, st[i], buf, sz[i], 0, NULL));
		for (uint64_t a = 0; a < sz[i]; a++)
			if (buf[a] != mem_byte(st[i] + a))
				fail_msg("byte 0x%llx differs",
					 (unsigned long long)(st[i] + a));
		for (uint64_t a = 0; a < sz[i]; a += 0x777) {
			size_t len = (size_t)(sz[i] - a < 0x1333 ? sz[i] - a :
								   0x1333);

			assert_null(kdx_read_phys(d, st[i] + a, buf, len, 0,
						  NULL));
			for (size_t k = 0; k < len; k++)
				assert_int_equal(buf[k],
						 mem_byte(st[i] + a + k));
		}
		expect_error_text(kdx_read_phys(d, st[i] + sz[i] - 1, buf, 2, 0,
						NULL),
				  KDX_ERR_NODATA, "");
		free(buf);
	}
}

static void lime_ranges_read_back(void **state)
{
	struct mklime_options o = { .version = 1 };
	struct image im;
	size_t size;
	uint8_t *bytes;
	struct kdx_dump *d;

	(void)state;
	image_init(&im);
	bytes = mklime_build(&o, im.r, NRANGES, &size);
	d = open_ok(bytes, size);
	assert_string_equal(kdx_dump_format_name(d), "lime");
	assert_int_equal(kdx_dump_byte_order(d), KDX_LITTLE_ENDIAN);
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_UNKNOWN);
	assert_non_null(strstr(dump_detail(d, "ranges"), "3, 0x27801 bytes"));
	check_memory(d, starts, sizes, NRANGES);
	kdx_dump_destroy(d);
	free(bytes);
	image_free(&im);
}

static void avml_variants_read_back(void **state)
{
	static const struct {
		size_t chunk;
		enum mklime_chunking how;
	} variants[] = {
		{ 0, MKLIME_COMPRESSED },      { 4096, MKLIME_COMPRESSED },
		{ 1000, MKLIME_COMPRESSED },   { 0, MKLIME_UNCOMPRESSED },
		{ 0x3001, MKLIME_MIXED },      { 65536, MKLIME_MIXED },
	};
	struct image im;

	(void)state;
	image_init(&im);
	for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		struct mklime_options o = { .version = 2,
					    .chunk_size = variants[v].chunk,
					    .chunking = variants[v].how };
		size_t size;
		uint8_t *bytes = mklime_build(&o, im.r, NRANGES, &size);
		struct kdx_dump *d = open_ok(bytes, size);

		assert_string_equal(kdx_dump_format_name(d), "avml");
		assert_non_null(strstr(dump_detail(d, "version"), "AVML"));
		check_memory(d, starts, sizes, NRANGES);
		kdx_dump_destroy(d);
		free(bytes);
	}
	image_free(&im);
}

/* The format names no machine: VMCOREINFO found in memory does. */
static void arch_from_vmcoreinfo_in_memory(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				   "SYMBOL(init_top_pgt)=ffffffff82a0a000\n";
	uint8_t *mem = calloc(1, 0x3000);
	struct mklime_range r = { .start = 0x200000, .size = 0x3000,
				  .data = mem };
	struct mklime_options o = { .version = 2 };
	size_t size;
	uint8_t *bytes;
	struct kdx_dump *d;

	(void)state;
	memcpy(mem + 0x2000, text, sizeof(text));
	for (o.version = 1; o.version <= 2; o.version++) {
		bytes = mklime_build(&o, &r, 1, &size);
		d = open_ok(bytes, size);
		assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
		assert_int_equal(kdx_dump_word_size(d), 8);
		assert_string_equal(kdx_dump_vmcoreinfo_get(d, "OSRELEASE"),
				    "6.1.0-test");
		assert_non_null(strstr(kdx_dump_vmcoreinfo_source(d),
				       "0x202000"));
		assert_non_null(dump_detail(d, "arch_source"));
		kdx_dump_destroy(d);
		free(bytes);
	}
	free(mem);
}

static void unsorted_ranges_open_with_a_warning(void **state)
{
	struct image im;
	struct mklime_range swapped[NRANGES];
	uint64_t st[NRANGES], sz[NRANGES];

	(void)state;
	image_init(&im);
	for (int i = 0; i < NRANGES; i++) {
		swapped[i] = im.r[NRANGES - 1 - i];
		st[i] = starts[i];
		sz[i] = sizes[i];
	}
	for (unsigned int v = 1; v <= 2; v++) {
		struct mklime_options o = { .version = v };
		size_t size;
		uint8_t *bytes = mklime_build(&o, swapped, NRANGES, &size);
		struct kdx_dump *d = open_ok(bytes, size);

		assert_true(dump_has_warning(d, "not in ascending address order"));
		check_memory(d, st, sz, NRANGES);
		kdx_dump_destroy(d);
		free(bytes);
	}
	image_free(&im);
}

static void expect_open_error(const uint8_t *bytes, size_t size,
			      enum kdx_error_code code, const char *needle)
{
	struct kdx_dump *d = NULL;

	expect_error_text(kdx_dump_open_memory(bytes, size, NULL, &d), code,
			  needle);
	assert_null(d);
}

static void bad_headers_are_errors(void **state)
{
	struct image im;
	struct mklime_range r[2];

	(void)state;
	image_init(&im);
	for (unsigned int v = 1; v <= 2; v++) {
		struct mklime_options o = { .version = v };
		size_t size;
		uint8_t *bytes;

		/* Overlapping: the second starts inside the first. */
		r[0] = im.r[1];
		r[1] = im.r[0];
		r[1].start = r[0].start + 0x23000;
		bytes = mklime_build(&o, r, 2, &size);
		expect_open_error(bytes, size, KDX_ERR_CORRUPT,
				  "0x100000-0x123fff) and 0x");
		free(bytes);

		/* The end below the start. */
		r[0] = im.r[0];
		r[0].use_end_override = true;
		r[0].end_override = r[0].start - 1;
		bytes = mklime_build(&o, r, 1, &size);
		expect_open_error(bytes, size, KDX_ERR_CORRUPT,
				  "ends before it starts");
		free(bytes);

		/* The whole 64-bit space: no size fits in 64 bits. */
		r[0] = im.r[0];
		r[0].start = 0;
		bytes = mklime_build(&o, r, 1, &size);
		put64(bytes + 16, UINT64_MAX, KDX_LITTLE_ENDIAN);
		expect_open_error(bytes, size, KDX_ERR_CORRUPT,
				  "whole 64-bit space");
		free(bytes);
	}
	image_free(&im);
}

/* Forced onto other bytes, neither reader opens them. */
static void forced_format_on_other_bytes(void **state)
{
	static const uint8_t junk[64] = "EMiL\2";
	struct kdx_open_options opts;
	struct kdx_dump *d = NULL;

	(void)state;
	kdx_open_options_init(&opts);
	opts.format = "lime";
	expect_error_text(kdx_dump_open_memory(junk, sizeof(junk), &opts, &d),
			  KDX_ERR_CORRUPT, "offset 0x0: no LiME range header");
	opts.format = "avml";
	expect_error_text(kdx_dump_open_memory(junk, sizeof(junk), &opts, &d),
			  KDX_ERR_CORRUPT, "no AVML range header");
	expect_error_text(kdx_dump_open_memory(junk, 20, &opts, &d),
			  KDX_ERR_CORRUPT, "too few for a range header");
	assert_null(d);
}

/* A LiME acquisition cut short keeps what it has; junk after the last
 * range stops the walk with a warning. */
static void lime_truncated_and_trailing_junk(void **state)
{
	struct mklime_options o = { .version = 1 };
	struct image im;
	size_t size;
	uint8_t *bytes, *longer;
	struct kdx_dump *d;
	uint64_t sz[NRANGES];

	(void)state;
	image_init(&im);
	bytes = mklime_build(&o, im.r, NRANGES, &size);
	memcpy(sz, sizes, sizeof(sz));
	sz[2] = 0x1000;
	d = open_ok(bytes, size - (sizes[2] - 0x1000));
	assert_true(dump_has_warning(d, "0x1000 of its 0x1801 bytes are present"));
	check_memory(d, starts, sz, NRANGES);
	kdx_dump_destroy(d);

	/* An absurd size: 2^62 bytes claimed, 0x1801 present. */
	put64(bytes + size - sizes[2] - MKLIME_HEADER + 16,
	      starts[2] + (1ull << 62) - 1, KDX_LITTLE_ENDIAN);
	d = open_ok(bytes, size);
	assert_true(dump_has_warning(d, "cut short by the end of the file"));
	check_memory(d, starts, sizes, NRANGES);
	kdx_dump_destroy(d);

	longer = malloc(size + 40);
	memcpy(longer, bytes, size);
	memset(longer + size, 0x5a, 40);
	put64(bytes + size - sizes[2] - MKLIME_HEADER + 16,
	      starts[2] + sizes[2] - 1, KDX_LITTLE_ENDIAN);
	memcpy(longer, bytes, size);
	d = open_ok(longer, size + 40);
	assert_true(dump_has_warning(d, "no LiME range header"));
	check_memory(d, starts, sizes, NRANGES);
	kdx_dump_destroy(d);
	d = open_ok(longer, size + 20);
	assert_true(dump_has_warning(d, "too few for a range header"));
	kdx_dump_destroy(d);
	free(longer);
	free(bytes);
	image_free(&im);
}

/* Where range @i's header lies in the image of @r: the size of the
 * image of the ranges before it. */
static size_t range_offset(const struct mklime_options *o,
			   const struct mklime_range *r, int i)
{
	size_t size = 0;
	uint8_t *bytes = i ? mklime_build(o, r, (size_t)i, &size) : NULL;

	free(bytes);
	return size;
}

/* The first data chunk of a range: after its header and the stream
 * identifier; its type, 3-byte length, CRC, then the data. */
#define FIRST_CHUNK (MKLIME_HEADER + MKLIME_STREAM_ID)

static void avml_bad_chunks_fail_their_reads(void **state)
{
	struct mklime_options o = { .version = 2 };
	struct image im;
	size_t size, at;
	uint8_t *bytes, buf[0x100];
	struct kdx_dump *d;

	(void)state;
	image_init(&im);
	bytes = mklime_build(&o, im.r, NRANGES, &size);
	at = range_offset(&o, im.r, 1) + FIRST_CHUNK;
	assert_int_equal(bytes[at], 0x00);

	/* A wrong CRC: the chunk's reads fail, the rest reads. */
	bytes[at + 4] ^= 1;
	d = open_ok(bytes, size);
	expect_error_text(kdx_read_phys(d, starts[1] + 0x10, buf, 0x10, 0, NULL),
			  KDX_ERR_CORRUPT, "CRC-32C");
	assert_null(kdx_read_phys(d, starts[0], buf, sizeof(buf), 0, NULL));
	assert_null(kdx_read_phys(d, starts[2], buf, sizeof(buf), 0, NULL));
	kdx_dump_destroy(d);
	bytes[at + 4] ^= 1;

	/* A snappy block that does not decompress (its first copy made to
	 * reach back before the start), the error naming the chunk. */
	memset(bytes + at + 8 + 3, 0xff, 8);
	d = open_ok(bytes, size);
	expect_error_text(kdx_read_phys(d, starts[1], buf, sizeof(buf), 0, NULL),
			  KDX_ERR_CORRUPT, "snappy chunk at offset 0x");
	kdx_dump_destroy(d);
	free(bytes);
	image_free(&im);
}

static void avml_bad_streams_are_errors(void **state)
{
	struct mklime_options o = { .version = 2 };
	struct image im;
	size_t size, at;
	uint8_t *bytes;
	uint8_t saved;

	(void)state;
	image_init(&im);
	bytes = mklime_build(&o, im.r, NRANGES, &size);
	at = range_offset(&o, im.r, 1);

	/* No stream identifier first. */
	bytes[at + MKLIME_HEADER] = 0xfe;
	expect_open_error(bytes, size, KDX_ERR_CORRUPT,
			  "does not start with a stream identifier");
	bytes[at + MKLIME_HEADER] = 0xff;
	bytes[at + MKLIME_HEADER + 4] = 'x';
	expect_open_error(bytes, size, KDX_ERR_CORRUPT, "\"sNaPpY\"");
	bytes[at + MKLIME_HEADER + 4] = 's';

	/* A reserved unskippable chunk type. */
	saved = bytes[at + FIRST_CHUNK];
	bytes[at + FIRST_CHUNK] = 0x05;
	expect_open_error(bytes, size, KDX_ERR_CORRUPT,
			  "reserved unskippable chunk type");
	bytes[at + FIRST_CHUNK] = saved;

	/* A chunk saying it holds more than 64 KiB (varint 0x10001). */
	saved = bytes[at + FIRST_CHUNK + 8];
	bytes[at + FIRST_CHUNK + 8] = 0x81;
	bytes[at + FIRST_CHUNK + 9] = 0x80;
	bytes[at + FIRST_CHUNK + 10] = 0x04;
	expect_open_error(bytes, size, KDX_ERR_CORRUPT,
			  "not 1 to 65536 bytes long");
	free(bytes);

	/* A 9-byte snappy block claiming 64 KiB: more than 22x. */
	{
		struct mklime_options plain = { .version = 2,
						.chunk_size = 0x10000 };
		uint8_t zeros[0x10000] = { 0 };
		struct mklime_range z = { .start = 0, .size = sizeof(zeros),
					  .data = zeros };
		size_t zs;
		uint8_t *zb = mklime_build(&plain, &z, 1, &zs);

		/* The real block of 64 KiB of zeros is ~3 KiB: keep its
		 * length prefix, say it holds 8 bytes. */
		assert_int_equal(zb[FIRST_CHUNK], 0x00);
		zb[FIRST_CHUNK + 1] = 4 + 8;
		zb[FIRST_CHUNK + 2] = 0;
		zb[FIRST_CHUNK + 3] = 0;
		expect_open_error(zb, zs, KDX_ERR_CORRUPT,
				  "claims more data than snappy can encode");
		free(zb);
	}
	bytes = mklime_build(&o, im.r, NRANGES, &size);

	/* The stored stream length disagrees with the stream. */
	at = range_offset(&o, im.r, 2) - 8;
	bytes[at] ^= 0x10;
	expect_open_error(bytes, size, KDX_ERR_CORRUPT, "the stream has 0x");
	bytes[at] ^= 0x10;

	/* The header claims more than the stream holds: the chunks run
	 * into the stream length, then the next header. */
	put64(bytes + 16, starts[0] + 0x100000 - 1, KDX_LITTLE_ENDIAN);
	expect_open_error(bytes, size, KDX_ERR_CORRUPT, "range at offset 0x0");
	put64(bytes + 16, starts[0] + sizes[0] - 1, KDX_LITTLE_ENDIAN);

	/* Cut short in the last range: the first two are kept. */
	{
		struct kdx_dump *d = open_ok(bytes, size - 5);

		assert_true(dump_has_warning(d, "no stream length"));
		check_memory(d, starts, sizes, 2);
		kdx_dump_destroy(d);
		d = open_ok(bytes, range_offset(&o, im.r, 2) + FIRST_CHUNK + 20);
		assert_true(dump_has_warning(d, "cut short by the end of the file"));
		check_memory(d, starts, sizes, 2);
		kdx_dump_destroy(d);
	}
	/* Cut short in the only range: nothing to read. */
	expect_open_error(bytes, FIRST_CHUNK + 20, KDX_ERR_CORRUPT,
			  "cut short");
	free(bytes);
	image_free(&im);
}

/* kdx convert of either image to kdump and ELF: every byte of every
 * range the same when the output is reopened, and the VMCOREINFO kdx
 * found in memory written as a note (crash and makedumpfile need it). */
static void convert_round_trips(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				   "SYMBOL(init_top_pgt)=ffffffff82a0a000\n";
	static const enum kdx_output_format outs[] = { KDX_OUTPUT_KDUMP,
						      KDX_OUTPUT_ELF };
	struct image im;
	char dir[] = "/tmp/kdx-lime-convert-XXXXXX", path[64];

	(void)state;
	image_init(&im);
	/* Page-aligned sizes: kdump pages are whole. */
	im.r[2].size = 0x1000;
	memcpy(im.data[1] + 0x3000, text, sizeof(text));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	for (unsigned int v = 1; v <= 2; v++) {
		struct mklime_options o = { .version = v };
		size_t size;
		uint8_t *bytes = mklime_build(&o, im.r, NRANGES, &size);
		struct kdx_dump *d = open_ok(bytes, size), *back;
		uint64_t sz[NRANGES] = { sizes[0], sizes[1], 0x1000 };

		assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
		for (size_t f = 0; f < 2; f++) {
			struct kdx_convert_options co;

			kdx_convert_options_init(&co);
			co.format = outs[f];
			co.threads = 1;
			assert_null(kdx_convert(d, path, &co, NULL));
			assert_null(kdx_dump_open(path, NULL, &back));
			assert_string_equal(kdx_dump_format_name(back),
					    f ? "elf" : "kdump");
			assert_non_null(strstr(kdx_dump_vmcoreinfo_source(back),
					       "note"));
			assert_string_equal(kdx_dump_vmcoreinfo_get(back, "OSRELEASE"),
					    "6.1.0-test");
			assert_int_equal(kdx_dump_arch(back), KDX_ARCH_X86_64);
			/* The VMCOREINFO page was changed: compare against
			 * the image itself. */
			for (int i = 0; i < NRANGES; i++) {
				uint8_t *a = malloc(sz[i]), *b = malloc(sz[i]);

				assert_null(kdx_read_phys(d, starts[i], a, sz[i],
							  0, NULL));
				assert_null(kdx_read_phys(back, starts[i], b,
							  sz[i], 0, NULL));
				assert_memory_equal(a, b, sz[i]);
				free(a);
				free(b);
			}
			kdx_dump_destroy(back);
			unlink(path);
		}
		kdx_dump_destroy(d);
		free(bytes);
	}
	rmdir(dir);
	image_free(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lime_ranges_read_back),
		cmocka_unit_test(avml_variants_read_back),
		cmocka_unit_test(arch_from_vmcoreinfo_in_memory),
		cmocka_unit_test(unsorted_ranges_open_with_a_warning),
		cmocka_unit_test(bad_headers_are_errors),
		cmocka_unit_test(forced_format_on_other_bytes),
		cmocka_unit_test(lime_truncated_and_trailing_junk),
		cmocka_unit_test(avml_bad_chunks_fail_their_reads),
		cmocka_unit_test(avml_bad_streams_are_errors),
		cmocka_unit_test(convert_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
