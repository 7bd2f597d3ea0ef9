/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t image[0x3000];

static void raw_image_at_a_base(void **state)
{
	struct kdx_open_options opts;
	struct kdx_dump *d;
	struct kdx_error *err;
	const struct kdx_phys_range *r;
	uint8_t buf[0x20];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 13);
	kdx_open_options_init(&opts);
	/* Never detected: raw matches anything, so it must be asked for. */
	err = kdx_dump_open_memory(image, sizeof(image), &opts, &d);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	kdx_error_destroy(err);

	opts.format = "raw";
	opts.raw_base = 0x80000000;
	opts.arch = KDX_ARCH_AARCH64;
	assert_null(kdx_dump_open_memory(image, sizeof(image), &opts, &d));
	assert_string_equal(kdx_dump_format_name(d), "raw");
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_AARCH64);
	assert_int_equal(kdx_dump_word_size(d), 8);
	/* A raw image has no header: it states no facts, and the page size
	 * is the arch's. */
	assert_int_equal(kdx_dump_facts(d)->version, KDX_DUMP_FACTS_VERSION);
	assert_int_equal(kdx_dump_facts(d)->set, 0);
	assert_int_equal(kdx_dump_facts(d)->flags, 0);
	assert_int_equal(kdx_dump_page_size(d), 4096);
	assert_string_equal(kdx_dump_page_size_source(d),
			    "architecture default");
	r = kdx_dump_phys_ranges(d, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 0x80000000);
	assert_int_equal(r[0].size, sizeof(image));
	assert_null(kdx_read_phys(d, 0x80002ff0, buf, 0x10, 0, NULL));
	assert_memory_equal(buf, image + 0x2ff0, 0x10);
	err = kdx_read_phys(d, 0x7ffffff0, buf, 0x20, 0, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_non_null(strstr(kdx_error_message(err), "0x7ffffff0"));
	kdx_error_destroy(err);
	assert_null(kdx_read_phys(d, 0x80002ff0, buf, 0x20, KDX_READ_ZERO_FILL,
				  NULL));
	assert_memory_equal(buf, image + 0x2ff0, 0x10);
	for (int i = 0x10; i < 0x20; i++)
		assert_int_equal(buf[i], 0);
	kdx_dump_destroy(d);

	opts.raw_base = UINT64_MAX - 0x100;
	err = kdx_dump_open_memory(image, sizeof(image), &opts, &d);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	kdx_error_destroy(err);
}

/* A temporary file holding @len bytes of @data; its path in @path. */
static void write_temp(char *path, const void *data, size_t len)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static struct kdx_dump *open_raw_file(const char *path, bool no_map)
{
	struct kdx_open_options opts;
	struct kdx_dump *d;

	kdx_open_options_init(&opts);
	opts.format = "raw";
	opts.arch = KDX_ARCH_X86_64;
	opts.no_map = no_map;
	assert_null(kdx_dump_open(path, &opts, &d));
	return d;
}

/* Mapped (the default) and pread reads give the file's bytes, at every
 * offset class: the first page, across a page boundary, the last byte. */
static void mapped_and_pread_reads_agree(void **state)
{
	static const struct { uint64_t at, len; } reads[] = {
		{ 0, 0x10 }, { 0xff8, 0x10 }, { 0x1000, 0x1000 },
		{ 0x2fff, 1 }, { 0, 0x3000 },
	};
	char path[] = "/tmp/kdx-test-map-XXXXXX";
	uint8_t buf[0x3000];

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + 3);
	write_temp(path, image, sizeof(image));
	for (int no_map = 0; no_map <= 1; no_map++) {
		struct kdx_dump *d = open_raw_file(path, no_map);

		for (size_t i = 0; i < sizeof(reads) / sizeof(*reads); i++) {
			memset(buf, 0, sizeof(buf));
			assert_null(kdx_read_phys(d, reads[i].at, buf,
						  reads[i].len, 0, NULL));
			assert_memory_equal(buf, image + reads[i].at,
					    reads[i].len);
		}
		kdx_dump_destroy(d);
	}
	unlink(path);
}

/* With no_map, a file cut short after it was opened is an error naming
 * the file and the offset, and the bytes still there still read. */
static void no_map_names_a_file_truncated_while_open(void **state)
{
	char path[] = "/tmp/kdx-test-trunc-XXXXXX";
	struct kdx_error *err;
	struct kdx_dump *d;
	uint8_t buf[0x20];

	(void)state;
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 5 + 1);
	write_temp(path, image, sizeof(image));
	d = open_raw_file(path, true);
	assert_int_equal(truncate(path, 0x1800), 0);
	err = kdx_read_phys(d, 0x2000, buf, sizeof(buf), 0, NULL);
	assert_non_null(err);
	assert_non_null(strstr(kdx_error_message(err), "0x2000"));
	assert_non_null(strstr(kdx_error_message(err), path));
	kdx_error_destroy(err);
	assert_null(kdx_read_phys(d, 0x17e0, buf, sizeof(buf), 0, NULL));
	assert_memory_equal(buf, image + 0x17e0, sizeof(buf));
	kdx_dump_destroy(d);
	unlink(path);
}

static void arch_names_and_aliases(void **state)
{
	(void)state;
	assert_int_equal(kdx_arch_from_name("amd64"), KDX_ARCH_X86_64);
	assert_int_equal(kdx_arch_from_name("ARM64"), KDX_ARCH_AARCH64);
	assert_int_equal(kdx_arch_from_name("i686"), KDX_ARCH_I386);
	assert_int_equal(kdx_arch_from_name("vax"), KDX_ARCH_UNKNOWN);
	for (int a = 1; a < KDX_ARCH_COUNT; a++)
		assert_int_equal(kdx_arch_from_name(kdx_arch_name(a)), a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_image_at_a_base),
		cmocka_unit_test(arch_names_and_aliases),
		cmocka_unit_test(mapped_and_pread_reads_agree),
		cmocka_unit_test(no_map_names_a_file_truncated_while_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
