/* SPDX-License-Identifier: MIT */
/* CRC-32C (format/common/crc32c.c): the check value, and every length
 * up to past the three-way split, at every alignment, against the
 * bit-by-bit definition, with the CPU's instruction and with the
 * tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/common/crc32c.h"

#include <stdlib.h>
#include <string.h>

/* The definition: reflected polynomial 0x82F63B78, one bit at a time. */
static uint32_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
	}
	return ~c;
}

static void check_value(void **state)
{
	struct kdx_crc32c c;

	(void)state;
	kdx_crc32c_init(&c);
	assert_int_equal(kdx_crc32c(&c, (const uint8_t *)"123456789", 9),
			 0xE3069283u);
	c.x86 = false;
	assert_int_equal(kdx_crc32c(&c, (const uint8_t *)"123456789", 9),
			 0xE3069283u);
	assert_int_equal(kdx_crc32c(&c, NULL, 0), 0);
}

static void every_length_both_ways(void **state)
{
	enum { MAX = 70000 };
	uint8_t *buf = malloc(MAX + 8);
	struct kdx_crc32c fast, tables;
	uint32_t x = 7;

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < MAX + 8; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	kdx_crc32c_init(&fast);
	tables = fast;
	tables.x86 = false;
	/* Short lengths all, then around the split and up to a chunk. */
	for (size_t n = 0; n < MAX; n += n < 200 ? 1 : n < 3200 ? 7 : 4099) {
		for (size_t off = 0; off < 8; off += n < 200 ? 1 : 3) {
			uint32_t want = crc_bitwise(buf + off, n);

			assert_int_equal(kdx_crc32c(&fast, buf + off, n), want);
			assert_int_equal(kdx_crc32c(&tables, buf + off, n), want);
		}
	}
	assert_int_equal(kdx_crc32c(&fast, buf, 65536), crc_bitwise(buf, 65536));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_value),
		cmocka_unit_test(every_length_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
