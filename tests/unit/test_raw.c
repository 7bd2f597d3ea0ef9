/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include <string.h>

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
