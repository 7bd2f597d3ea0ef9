/* SPDX-License-Identifier: MIT */
/* The pfn <-> mfn map: every lookup of a scrambled map both ways, runs,
 * missing frames, and the contradictions a reader must warn about. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/common/p2m.h"

#include <stdlib.h>

#define N 3000

/* A bijection on [0, N) that is not the identity and has short runs:
 * pfn p -> mfn 0x10000 + (p * 7 + 3) % N (7 and N coprime). */
static uint64_t mfn_of(uint64_t pfn)
{
	return 0x10000 + (pfn * 7 + 3) % N;
}

static void scrambled(void **state)
{
	struct kdx_p2m_pair *pairs = malloc(N * sizeof(*pairs));
	struct kdx_p2m map;
	struct kdx_p2m_report rep;
	uint64_t v;

	(void)state;
	/* in reverse order: the builder sorts */
	for (size_t i = 0; i < N; i++)
		pairs[i] = (struct kdx_p2m_pair){ N - 1 - i, mfn_of(N - 1 - i) };
	assert_null(kdx_p2m_build(&map, pairs, N, 12, "test", &rep));
	assert_int_equal(map.frames, N);
	assert_int_equal(map.max_pfn, N - 1);
	assert_int_equal(rep.dup_pfns, 0);
	assert_int_equal(rep.shared_mfns, 0);
	for (uint64_t p = 0; p < N; p++) {
		assert_true(kdx_p2m_mfn(&map, p, &v));
		assert_int_equal(v, mfn_of(p));
		assert_true(kdx_p2m_pfn(&map, mfn_of(p), &v));
		assert_int_equal(v, p);
	}
	assert_false(kdx_p2m_mfn(&map, N, &v));
	assert_false(kdx_p2m_pfn(&map, 0x10000 + N, &v));
	assert_false(kdx_p2m_pfn(&map, 0xffff, &v));
	kdx_p2m_deinit(&map);
	free(pairs);
}

/* Contiguous extents become one run each. */
static void runs(void **state)
{
	struct kdx_p2m_pair pairs[600];
	struct kdx_p2m map;
	struct kdx_p2m_report rep;
	uint64_t v;

	(void)state;
	for (unsigned int i = 0; i < 512; i++)
		pairs[i] = (struct kdx_p2m_pair){ i, 0x80000 + i };
	for (unsigned int i = 512; i < 600; i++)
		pairs[i] = (struct kdx_p2m_pair){ i, 0x1000 + i };
	assert_null(kdx_p2m_build(&map, pairs, 600, 12, "test", &rep));
	assert_int_equal(map.pfn_runs, 2);
	assert_int_equal(map.mfn_runs, 2);
	assert_true(kdx_p2m_pfn(&map, 0x80000 + 511, &v));
	assert_int_equal(v, 511);
	assert_true(kdx_p2m_pfn(&map, 0x1000 + 599, &v));
	assert_int_equal(v, 599);
	assert_false(kdx_p2m_pfn(&map, 0x1000 + 600, &v));
	kdx_p2m_deinit(&map);
}

static void contradictions(void **state)
{
	struct kdx_p2m_pair pairs[] = {
		{ 5, 0x100 }, { 6, 0x101 }, { 7, 0x100 }, /* mfn under two pfns */
		{ 9, 0x300 }, { 9, 0x200 },               /* pfn on two mfns */
	};
	struct kdx_p2m map;
	struct kdx_p2m_report rep;
	uint64_t v;

	(void)state;
	assert_null(kdx_p2m_build(&map, pairs, 5, 12, "test", &rep));
	assert_int_equal(rep.shared_mfns, 1);
	assert_int_equal(rep.shared_mfn, 0x100);
	assert_int_equal(rep.shared_mfn_pfn[0], 5);
	assert_int_equal(rep.shared_mfn_pfn[1], 7);
	assert_int_equal(rep.dup_pfns, 1);
	assert_int_equal(rep.dup_pfn, 9);
	assert_int_equal(rep.dup_pfn_mfn[0], 0x200);
	assert_int_equal(rep.dup_pfn_mfn[1], 0x300);
	assert_int_equal(map.frames, 4);
	/* the lowest pfn of a shared mfn, the lowest mfn of a doubled pfn */
	assert_true(kdx_p2m_pfn(&map, 0x100, &v));
	assert_int_equal(v, 5);
	assert_true(kdx_p2m_mfn(&map, 7, &v));
	assert_int_equal(v, 0x100);
	assert_true(kdx_p2m_mfn(&map, 9, &v));
	assert_int_equal(v, 0x200);
	assert_false(kdx_p2m_pfn(&map, 0x300, &v));
	kdx_p2m_deinit(&map);
}

static void empty(void **state)
{
	struct kdx_p2m map;
	struct kdx_p2m_report rep;
	uint64_t v;

	(void)state;
	assert_null(kdx_p2m_build(&map, NULL, 0, 12, "test", &rep));
	assert_false(kdx_p2m_mfn(&map, 0, &v));
	assert_false(kdx_p2m_pfn(&map, 0, &v));
	kdx_p2m_deinit(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scrambled),
		cmocka_unit_test(runs),
		cmocka_unit_test(contradictions),
		cmocka_unit_test(empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
