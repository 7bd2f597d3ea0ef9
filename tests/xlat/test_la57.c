/* SPDX-License-Identifier: MIT */
/* IA-32e 5-level paging (LA57): 57-bit canonical addresses, a PML5. */
#include "xlat_test.h"

#include <stdio.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static struct ptb *new5(void)
{
	return ptb_new(KDX_PAGING_X86_LA57, 16 * MiB, 8 * MiB);
}

static void pages(void **state)
{
	struct ptb *p = new5();
	struct kdx_xlat *x;
	struct kdx_xlat_trace t;
	struct kdx_xlat_result r;

	(void)state;
	ptb_map(p, 0xff11000000000000ull, 0, GiB, PTB_RW | PTB_NX);
	ptb_map(p, 0xffffffff81000000ull, 0x1000000, 2 * MiB, PTB_G);
	ptb_map(p, 0x00ff000000001000ull, 0x7000, 4096, PTB_US | PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0xff11000012345678ull, 0x12345678, GiB, RW | NX);
	assert_xlat(x, 0xffffffff81000123ull, 0x1000123, 2 * MiB, GL);
	assert_xlat(x, 0x00ff000000001008ull, 0x7008, 4096, US | RW);
	assert_null(kdx_xlat_trace(x, 0xff11000000000000ull, &r, &t));
	assert_int_equal(t.count, 3); /* PML5, PML4, PDPT (a 1G leaf) */
	assert_string_equal(t.steps[0].level, "PML5");
	assert_int_equal(t.steps[0].index, 0x111);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void canonical_57(void **state)
{
	struct ptb *p = new5();
	struct kdx_xlat *x = ptb_xlat(p, NULL);
	char msg[200];

	(void)state;
	/* canonical with 5 levels, not with 4: reaches the tables */
	snprintf(msg, sizeof(msg),
		 "translate 0xff00000000000000: PML5 entry 0x0 at 0x%llx [index 256] not present",
		 (unsigned long long)ptb_root(p));
	assert_xlat_fails(x, 0xff00000000000000ull, KDX_ERR_NODATA, msg);
	assert_xlat_fails(x, 0x0100000000000000ull, KDX_ERR_INVALID,
			  "0x100000000000000 is not canonical (IA-32e 5-level (LA57) paging: bits 63-56 must all equal bit 56)");
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* The enumeration walks from the top half of the lower half straight to
 * the bottom of the upper half, and never merges across the hole. */
static void maps_cross_hole(void **state)
{
	struct ptb *p = new5();
	struct kdx_xlat *x;
	struct ptb_maps m;
	struct kdx_mapping next;
	const struct want_map want[] = {
		{ 0x00fffffffffff000ull, 0x100000, 4096, RW },
		{ 0xff00000000000000ull, 0x101000, 4096, RW },
	};

	(void)state;
	ptb_map(p, 0x00fffffffffff000ull, 0x100000, 4096, PTB_RW);
	ptb_map(p, 0xff00000000000000ull, 0x101000, 4096, PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_maps(&m, want, 2);
	ptb_maps_free(&m);
	/* a start inside the hole moves to its end */
	assert_null(kdx_xlat_next_mapping(x, 0x0100000000000000ull, UINT64_MAX,
					  &next));
	assert_int_equal(next.vaddr, 0xff00000000000000ull);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages),
		cmocka_unit_test(canonical_57),
		cmocka_unit_test(maps_cross_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
