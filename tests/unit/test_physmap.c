/* SPDX-License-Identifier: MIT */
/* The physical map against a brute-force oracle: random overlapping
 * pieces, every byte's owner computed the slow way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/error.h"
#include "format/common/physmap.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

#define SPACE 4096   /* physical bytes modelled */
#define NPIECES 40

/* The rule the map documents: file bytes beat zero bytes; within a kind
 * the lowest start wins, then the first added. */
struct owner {
	int piece; /* -1: hole */
};

static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

static void oracle(const struct kdx_physmap_entry *p, int n,
		   struct owner *own)
{
	for (int a = 0; a < SPACE; a++) {
		int best = -1;

		for (int i = 0; i < n; i++) {
			if ((uint64_t)a < p[i].start ||
			    (uint64_t)a >= p[i].start + p[i].size)
				continue;
			if (best < 0 || p[i].kind < p[best].kind ||
			    (p[i].kind == p[best].kind &&
			     p[i].start < p[best].start))
				best = i;
		}
		own[a].piece = best;
	}
}

static uint8_t format_byte(uint64_t cookie, uint64_t offset)
{
	return (uint8_t)(cookie * 3 + offset * 11 + 1);
}

/* Stands in for a reader that decodes its pieces (kdump pages). */
static struct kdx_error *format_bytes(void *priv, uint64_t cookie,
				      uint64_t offset, void *buf, size_t len)
{
	(void)priv;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = format_byte(cookie, offset + i);
	return NULL;
}

/* The end of the missing data a NODATA error names: past @a, and every
 * byte up to it is a hole or excluded. */
static void assert_missing_until(const struct kdx_physmap_entry *pieces,
				 const struct owner *own, int a,
				 const struct kdx_error *err)
{
	uint64_t end;

	assert_true(kdx_error_nodata_end(err, &end));
	assert_true(end > (uint64_t)a);
	for (uint64_t b = (uint64_t)a; b < end && b < SPACE; b++)
		assert_true(own[b].piece < 0 ||
			    pieces[own[b].piece].kind == KDX_PIECE_EXCLUDED);
}

static void random_maps_match_oracle(void **state)
{
	static uint8_t file_bytes[SPACE * 4];
	struct kdx_file *file;

	(void)state;
	for (size_t i = 0; i < sizeof(file_bytes); i++)
		file_bytes[i] = (uint8_t)(i * 7 + (i >> 8));
	assert_null(kdx_file_from_memory(file_bytes, sizeof(file_bytes), &file));
	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct kdx_physmap_entry pieces[NPIECES];
		struct kdx_physmap_builder b = { 0 };
		struct kdx_physmap map;
		struct owner own[SPACE];
		uint64_t s = seed;
		int n = (int)(rnd(&s) % NPIECES) + 1;

		for (int i = 0; i < n; i++) {
			pieces[i].start = rnd(&s) % SPACE;
			pieces[i].size = rnd(&s) % 600 + 1;
			if (pieces[i].start + pieces[i].size > SPACE)
				pieces[i].size = SPACE - pieces[i].start;
			pieces[i].kind = (enum kdx_piece_kind)(rnd(&s) % 4);
			pieces[i].file_offset = rnd(&s) % (SPACE * 2);
			assert_null(kdx_physmap_add(&b, pieces[i].start,
						    pieces[i].size,
						    pieces[i].kind,
						    pieces[i].file_offset));
		}
		oracle(pieces, n, own);
		assert_null(kdx_physmap_build(&b, &map));
		for (size_t i = 1; i < map.count; i++)
			assert_true(map.entries[i - 1].start +
					    map.entries[i - 1].size <=
				    map.entries[i].start);
		for (int a = 0; a < SPACE; a++) {
			uint8_t got = 0xAA;
			struct kdx_read_stats st;
			struct kdx_physmap_source src = {
				.file = file, .read_format = format_bytes,
			};
			struct kdx_error *err = kdx_physmap_read(
				&map, &src, (uint64_t)a, &got, 1, 0, &st);
			int p = own[a].piece;

			if (p < 0 || pieces[p].kind == KDX_PIECE_EXCLUDED) {
				assert_non_null(err);
				assert_int_equal(kdx_error_code(err),
						 KDX_ERR_NODATA);
				assert_missing_until(pieces, own, a, err);
				kdx_error_destroy(err);
				continue;
			}
			assert_null(err);
			if (pieces[p].kind == KDX_PIECE_FORMAT) {
				assert_int_equal(got, format_byte(
					pieces[p].file_offset,
					(uint64_t)a - pieces[p].start));
			} else if (pieces[p].kind == KDX_PIECE_ZERO) {
				assert_int_equal(got, 0);
				assert_int_equal(st.zero_bytes, 1);
			} else {
				assert_int_equal(
					got,
					file_bytes[pieces[p].file_offset +
						   (uint64_t)a - pieces[p].start]);
			}
		}
		kdx_physmap_deinit(&map);
	}
	kdx_file_close(file);
}

static void overflowing_piece_is_rejected(void **state)
{
	struct kdx_physmap_builder b = { 0 };
	struct kdx_error *err;

	(void)state;
	err = kdx_physmap_add(&b, UINT64_MAX - 10, 100, KDX_PIECE_FILE, 0);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	kdx_physmap_builder_deinit(&b);
}

static void adjacent_entries_merge_in_public_view(void **state)
{
	struct kdx_physmap_builder b = { 0 };
	struct kdx_physmap map;
	struct kdx_phys_range *r;
	size_t n;

	(void)state;
	assert_null(kdx_physmap_add(&b, 0x2000, 0x1000, KDX_PIECE_FILE, 0x9000));
	assert_null(kdx_physmap_add(&b, 0x1000, 0x1000, KDX_PIECE_FILE, 0));
	assert_null(kdx_physmap_add(&b, 0x3000, 0x800, KDX_PIECE_ZERO, 0));
	assert_null(kdx_physmap_add(&b, 0x5000, 0x100, KDX_PIECE_FILE, 0));
	assert_null(kdx_physmap_build(&b, &map));
	assert_null(kdx_physmap_ranges(&map, &r, &n));
	assert_int_equal(n, 3);
	assert_int_equal(r[0].start, 0x1000);
	assert_int_equal(r[0].size, 0x2000);
	assert_int_equal(r[0].kind, KDX_RANGE_DATA);
	assert_int_equal(r[1].kind, KDX_RANGE_ZERO);
	assert_int_equal(r[2].start, 0x5000);
	free(r);
	kdx_physmap_deinit(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_maps_match_oracle),
		cmocka_unit_test(overflowing_piece_is_rejected),
		cmocka_unit_test(adjacent_entries_merge_in_public_view),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
