/* SPDX-License-Identifier: MIT */
/* Enumerating mappings: exact merged lists, each table read once, shared
 * tables, loops, budgets, unreadable tables, bounds. */
#include "xlat_test.h"

#include <stdio.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define KERNEL_HALF 0xffff800000000000ull

static struct ptb *new4(void)
{
	return ptb_new(KDX_PAGING_X86_64, 32 * MiB, 16 * MiB);
}

/* A little kernel: direct map of 1G + 2M + 4K pages, text, a hole. */
static void build_kernel(struct ptb *p)
{
	uint64_t dm = 0xffff888000000000ull;

	ptb_map(p, dm, 0, 4096, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, dm + 0x1000, 0x1000, 4096, PTB_RW | PTB_G | PTB_NX | PTB_A);
	ptb_map(p, dm + 0x2000, 0x2000, 4096, PTB_G | PTB_NX); /* read-only */
	for (uint64_t a = 0x3000; a < 2 * MiB; a += 4096)
		ptb_map(p, dm + a, a, 4096, PTB_RW | PTB_G | PTB_NX | PTB_D);
	ptb_map(p, dm + 2 * MiB, 2 * MiB, 2 * MiB, PTB_RW | PTB_G | PTB_NX);
	for (uint64_t a = 4 * MiB; a < GiB; a += 2 * MiB)
		ptb_map(p, dm + a, a, 2 * MiB, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, dm + GiB, GiB, GiB, PTB_RW | PTB_G | PTB_NX);
	/* not contiguous physically: a new run */
	ptb_map(p, dm + 2 * GiB, 5 * GiB, GiB, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, 0xffffffff81000000ull, 0x1000000, 2 * MiB, PTB_G);
	ptb_map(p, 0xffffffff81200000ull, 0x1200000, 2 * MiB, PTB_G | PTB_NX);
	ptb_map(p, 0x0000555555554000ull, 0x300000, 4096, PTB_US);
}

static const struct want_map kernel_maps[] = {
	{ 0x0000555555554000ull, 0x300000, 4096, US },
	{ 0xffff888000000000ull, 0, 0x2000, RW | GL | NX },
	{ 0xffff888000002000ull, 0x2000, 0x1000, GL | NX },
	{ 0xffff888000003000ull, 0x3000, 2 * GiB - 0x3000, RW | GL | NX },
	{ 0xffff888080000000ull, 5 * GiB, GiB, RW | GL | NX },
	{ 0xffffffff81000000ull, 0x1000000, 2 * MiB, GL },
	{ 0xffffffff81200000ull, 0x1200000, 2 * MiB, GL | NX },
};
#define NKERNEL (sizeof(kernel_maps) / sizeof(kernel_maps[0]))

static void exact_list(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_maps(&m, kernel_maps, NKERNEL);
	assert_int_equal(m.maps[3].page_sizes, 4096 | 2 * MiB | GiB);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Tables in this kernel: PML4, 3 PDPTs (user, direct map, text), 3 PDs
 * (user, direct map's first GiB, text), 2 PTs (user, direct map). */
static void each_table_read_once(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	struct kdx_xlat_stats s;

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_int_equal(ptb_reads(p), 9);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.tables_walked, 9);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void no_merge(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, KDX_MAPS_NO_MERGE, false, &m));
	/* 1 user + 512 4K + 511 2M + 2 1G + 2 text */
	assert_int_equal(m.count, 1 + 512 + 511 + 2 + 2);
	assert_int_equal(m.maps[2].vaddr, 0xffff888000001000ull);
	assert_int_equal(m.maps[2].flags, RW | GL | NX | KDX_PAGE_ACCESSED);
	assert_int_equal(m.maps[1 + 512].size, 2 * MiB);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void bounds_clip(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	const struct want_map want[] = {
		{ 0xffff888000001800ull, 0x1800, 0x800, RW | GL | NX },
		{ 0xffff888000002000ull, 0x2000, 0x1000, GL | NX },
		{ 0xffff888000003000ull, 0x3000, 0x400000 - 0x3000 + 1,
		  RW | GL | NX },
	};

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0xffff888000001800ull,
				0xffff888000400000ull, 0, false, &m));
	assert_maps(&m, want, 3);
	ptb_maps_free(&m);
	/* bounds inside the hole: only the kernel half, from its start */
	assert_null(ptb_collect(x, 0x0000800000000000ull, UINT64_MAX, 0, false,
				&m));
	assert_maps(&m, kernel_maps + 1, NKERNEL - 1);
	ptb_maps_free(&m);
	assert_null(ptb_collect(x, 0, 0xfff0000000000000ull, 0, false, &m));
	assert_maps(&m, kernel_maps, 1);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static bool stop_after_two(void *arg, const struct kdx_mapping *map)
{
	unsigned int *n = arg;

	(void)map;
	return ++*n < 2;
}

static void callback_stops(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	unsigned int n = 0;

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(kdx_xlat_maps(x, 0, UINT64_MAX, 0, stop_after_two, NULL, &n));
	assert_int_equal(n, 2);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void next_mapping(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct kdx_mapping m;
	struct kdx_error *err;

	(void)state;
	build_kernel(p);
	x = ptb_xlat(p, NULL);
	assert_null(kdx_xlat_next_mapping(x, 0x0000555555555000ull, UINT64_MAX, &m));
	assert_int_equal(m.vaddr, 0xffff888000000000ull);
	assert_null(kdx_xlat_next_mapping(x, 0xffff888000003010ull, UINT64_MAX, &m));
	assert_int_equal(m.vaddr, 0xffff888000003010ull);
	assert_int_equal(m.paddr, 0x3010);
	assert_int_equal(m.size, 2 * GiB - 0x3010);
	err = kdx_xlat_next_mapping(x, 0xffffffff81400000ull, UINT64_MAX, &m);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Two PML4 entries sharing one PDPT: both aliases are listed, the PDPT
 * comes from the cache the second time. */
static void shared_table(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	uint64_t pml4 = ptb_root(p);
	const struct want_map want[] = {
		{ 0xffffff0000000000ull, 0x5000, 4096, RW | NX },
		{ 0xffffff8000000000ull, 0x5000, 4096, RW | NX },
	};

	(void)state;
	ptb_map(p, 0xffffff0000000000ull, 0x5000, 4096, PTB_RW | PTB_NX);
	ptb_set(p, pml4, 511, ptb_get(p, pml4, 510));
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_maps(&m, want, 2);
	assert_int_equal(ptb_reads(p), 4);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Entries pointing back up the tree: skipped with a clear problem, the
 * rest is still listed, and the walk ends. */
static void loops(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	uint64_t pml4 = ptb_root(p), pdpt, pd;
	char want[200];

	(void)state;
	ptb_map(p, 0xffff888000000000ull, 0x7000, 4096, PTB_RW);
	pdpt = ptb_table(p, 0xffff888000000000ull, 1);
	pd = ptb_table(p, 0xffff888000000000ull, 2);
	ptb_set(p, pml4, 300, pml4 | PTB_P | PTB_RW); /* PML4 -> itself */
	ptb_set(p, pd, 7, pdpt | PTB_P | PTB_RW);      /* PD -> its PDPT */
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &m));
	assert_int_equal(m.count, 1);
	assert_int_equal(m.maps[0].paddr, 0x7000);
	assert_int_equal(m.nproblems, 2);
	snprintf(want, sizeof(want),
		 "PD entry 0x%llx at 0x%llx [index 7] points back to a table above it (a loop); skipped",
		 (unsigned long long)(pdpt | 3), (unsigned long long)pd);
	assert_string_equal(m.problems[0], want);
	snprintf(want, sizeof(want),
		 "PML4 entry 0x%llx at 0x%llx [index 300] points back to a table above it (a loop); skipped",
		 (unsigned long long)(pml4 | 3), (unsigned long long)pml4);
	assert_string_equal(m.problems[1], want);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Every entry of every level pointing at one table below: a legal DAG
 * with 512^3 paths.  The table budget stops it, fast, with an error. */
static void sharing_explosion_is_bounded(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	struct ptb_maps m;
	struct kdx_error *err;
	uint64_t pdpt = ptb_alloc_table(p, false), pd = ptb_alloc_table(p, false);
	uint64_t pt = ptb_alloc_table(p, false);
	struct kdx_xlat_stats st;

	(void)state;
	for (unsigned int i = 0; i < 512; i++) {
		ptb_set(p, ptb_root(p), i, pdpt | PTB_P);
		ptb_set(p, pdpt, i, pd | PTB_P);
		ptb_set(p, pd, i, pt | PTB_P);
	}
	ptb_set(p, pt, 0, 0x1000 | PTB_P);
	kdx_xlat_config_init(&cfg);
	cfg.root = ptb_root(p);
	cfg.max_tables = 20000;
	x = ptb_xlat(p, &cfg);
	err = ptb_collect(x, 0, UINT64_MAX, 0, true, &m);
	assert_non_null(err);
	assert_string_equal(kdx_error_message(err),
			    "page-table enumeration stopped after 20000 tables (tables shared or looping too often?)");
	assert_true(m.count > 10000);
	assert_int_equal(ptb_reads(p), 4);
	/* Bounded by work, not by a clock (no timed unit tests): the walk
	 * visited no more tables than its budget. */
	kdx_xlat_get_stats(x, &st);
	assert_true(st.tables_walked <= 20001);
	kdx_error_destroy(err);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* A PD pointer past the end of memory: reported, the rest listed. */
static void unreadable_table(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	struct kdx_error *err;
	uint64_t pdpt;

	(void)state;
	build_kernel(p);
	pdpt = ptb_table(p, 0xffffffff81000000ull, 1);
	ptb_set(p, pdpt, 0, 0x4000000000ull | PTB_P | PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &m));
	assert_maps(&m, kernel_maps, NKERNEL);
	assert_int_equal(m.nproblems, 1);
	assert_string_equal(m.problems[0],
			    "PD table at 0x4000000000 (for 0xffffff8000000000): physical 0x4000000000 is past the end of memory");
	ptb_maps_free(&m);
	/* without an error callback the first problem ends the walk */
	err = ptb_collect(x, 0, UINT64_MAX, 0, false, &m);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_int_equal(m.count, 5); /* the ones before it */
	kdx_error_destroy(err);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Tables a sparse dump holds only in part (an image keeping the
 * entries in use, not their pages): a walk reads the entry alone, an
 * enumeration every entry it can and says how many it could not. */
static void sparse_tables(void **state)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 32 * MiB, 16 * MiB);
	uint64_t va = 0xffffffff81003000ull, pd, pt;
	struct want_map want = { va, 0x200000, 4096, RW | NX };
	struct kdx_xlat *x;
	struct ptb_maps m;
	char msg[200];

	(void)state;
	ptb_map(p, va, 0x200000, 4096, PTB_RW | PTB_NX);
	pd = ptb_table(p, va, 2);
	pt = ptb_table(p, va, 3);
	/* PD entry 8 and PT entry 3 are all of their pages in the dump */
	ptb_add_hole(p, pd, 8 * 8);
	ptb_add_hole(p, pd + 9 * 8, 4096 - 9 * 8);
	ptb_add_hole(p, pt, 3 * 8);
	ptb_add_hole(p, pt + 4 * 8, 4096 - 4 * 8);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, va + 0x123, 0x200123, 4096, RW | NX);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &m));
	assert_maps(&m, &want, 1);
	assert_int_equal(m.nproblems, 2);
	snprintf(msg, sizeof(msg),
		 "PT table at 0x%llx (for 0xffffffff81000000): 511 of its 512 entries are not in the dump; skipped",
		 (unsigned long long)pt);
	assert_string_equal(m.problems[0], msg);
	snprintf(msg, sizeof(msg),
		 "PD table at 0x%llx (for 0xffffffff80000000): 511 of its 512 entries are not in the dump; skipped",
		 (unsigned long long)pd);
	assert_string_equal(m.problems[1], msg);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Reserved bits in one entry: that entry is a problem, not the walk. */
static void bad_entry_skipped(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct ptb_maps m;
	uint64_t pd;

	(void)state;
	build_kernel(p);
	pd = ptb_table(p, 0xffffffff81000000ull, 2);
	/* bit 13 set in a 2M page (bit 12 would be PAT) */
	ptb_set(p, pd, 20, 0x1002000 | PTB_P | PTB_PS);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &m));
	assert_maps(&m, kernel_maps, NKERNEL);
	assert_int_equal(m.nproblems, 1);
	assert_non_null(strstr(m.problems[0], "[index 20] has reserved bits set"));
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_list),
		cmocka_unit_test(each_table_read_once),
		cmocka_unit_test(no_merge),
		cmocka_unit_test(bounds_clip),
		cmocka_unit_test(callback_stops),
		cmocka_unit_test(next_mapping),
		cmocka_unit_test(shared_table),
		cmocka_unit_test(loops),
		cmocka_unit_test(sharing_explosion_is_bounded),
		cmocka_unit_test(unreadable_table),
		cmocka_unit_test(bad_entry_skipped),
		cmocka_unit_test(sparse_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
