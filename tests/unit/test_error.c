/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"

#include <errno.h>
#include <string.h>

static void chain_reads_outermost_first(void **state)
{
	struct kdx_error *err;
	uint64_t addr, off;

	(void)state;
	err = kdx_err(KDX_ERR_CORRUPT, "entry 0x%x not present", 0x1234);
	err = kdx_err_set_file_offset(kdx_err_set_address(err, 0x1000), 0x40);
	err = kdx_err_wrap(err, "level %d", 4);
	err = kdx_err_set_address(err, 0xdead); /* outer: must not override */
	err = kdx_err_wrap(err, "read 0x%llx", 0xffffffff81000000ull);
	assert_string_equal(kdx_error_message(err),
			    "read 0xffffffff81000000: level 4: entry 0x1234 not present");
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_true(kdx_error_address(err, &addr));
	assert_int_equal(addr, 0x1000);
	assert_true(kdx_error_file_offset(err, &off));
	assert_int_equal(off, 0x40);
	assert_int_equal(kdx_error_errno(err), 0);
	kdx_error_destroy(err);
}

static void os_error_carries_errno(void **state)
{
	struct kdx_error *err = kdx_err_os(ENOENT, "open %s", "x");
	uint64_t addr;

	(void)state;
	assert_int_equal(kdx_error_code(err), KDX_ERR_OS);
	assert_int_equal(kdx_error_errno(err), ENOENT);
	assert_non_null(strstr(kdx_error_message(err), "open x: "));
	assert_false(kdx_error_address(err, &addr));
	kdx_error_destroy(err);
}

static void nomem_is_static_and_survives_wrapping(void **state)
{
	struct kdx_error *err = kdx_err_nomem();

	(void)state;
	assert_ptr_equal(kdx_err_wrap(err, "context"), err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOMEM);
	assert_string_equal(kdx_error_message(err), "out of memory");
	kdx_error_destroy(err); /* must be a no-op */
	kdx_error_destroy(NULL);
	assert_string_equal(kdx_error_code_name(KDX_ERR_NODATA), "nodata");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chain_reads_outermost_first),
		cmocka_unit_test(os_error_carries_errno),
		cmocka_unit_test(nomem_is_static_and_survives_wrapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
