/* SPDX-License-Identifier: MIT */
#include "roundtrip.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void same_memory(const struct kdx_dump *a, const struct kdx_dump *b)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(a, &n);

	for (size_t i = 0; i < n; i++) {
		uint8_t *x = malloc(r[i].size), *y = malloc(r[i].size);

		assert_non_null(x);
		assert_non_null(y);
		assert_null(kdx_read_phys(a, r[i].start, x, r[i].size, 0, NULL));
		assert_null(kdx_read_phys(b, r[i].start, y, r[i].size, 0,
					  NULL));
		assert_memory_equal(x, y, r[i].size);
		free(x);
		free(y);
	}
}

void roundtrip_check(const struct kdx_dump *dump)
{
	static const enum kdx_output_format outs[] = { KDX_OUTPUT_KDUMP,
						      KDX_OUTPUT_ELF };
	char dir[] = "/tmp/kdx-roundtrip-XXXXXX", path[64];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	for (size_t f = 0; f < 2; f++) {
		struct kdx_convert_options o;
		struct kdx_dump *back = NULL;
		struct kdx_error *err;

		kdx_convert_options_init(&o);
		o.format = outs[f];
		o.threads = 1;
		err = kdx_convert(dump, path, &o, NULL);
		if (err)
			fail_msg("convert: %s", kdx_error_message(err));
		assert_null(kdx_dump_open(path, NULL, &back));
		assert_string_equal(kdx_dump_format_name(back),
				    f ? "elf" : "kdump");
		same_memory(dump, back);
		kdx_dump_destroy(back);
		unlink(path);
	}
	rmdir(dir);
}
