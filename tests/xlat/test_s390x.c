/* SPDX-License-Identifier: MIT */
/* s390x DAT on synthetic big-endian tables: every top-table type the ASCE
 * can designate (2 to 5 levels), 4 KiB pages, 1 MiB segment and 2 GiB
 * region-third frames, protection and execute protection, table lengths
 * in the ASCE and table offsets/lengths in region entries (also a length
 * of three quarters: 1536 entries), invalid bits at every level, wrong
 * table types and a loop.  Entries are encoded here from the
 * z/Architecture Principles of Operation (chapter 3, "Dynamic Address
 * Translation"), apart from libkdx's decoder. */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM (16ull << 20)
#define TABLES (1ull << 20)

/* least significant bit = 0 */
#define FC 0x400ull
#define P 0x200ull
#define IEP 0x100ull
#define INV 0x20ull
#define PTE_INV 0x400ull
#define TL_FULL 0x3ull

enum { R1, R2, R3, SGT, PGT };

/* Table type of a table of @level: R1 3 ... segment 0. */
static uint64_t tt(unsigned int level)
{
	return (uint64_t)(SGT - level) << 2;
}

static uint64_t table_entry(uint64_t addr, unsigned int level)
{
	return level == SGT ? addr : addr | tt(level) | TL_FULL;
}

/* Entries of zeros are valid: empty tables hold invalid entries. */
static uint64_t empty(unsigned int level)
{
	return level == PGT ? PTE_INV : tt(level) | INV;
}

/* A table of @level with @entries, every entry invalid. */
static uint64_t new_table(struct ptg *p, unsigned int level,
			  unsigned int entries)
{
	uint64_t t = ptg_alloc(p, (uint64_t)entries * 8);

	ptg_fill(p, t, entries, empty(level));
	return t;
}

static uint64_t table_of(uint64_t e, unsigned int level)
{
	if (e & INV || (e & FC && (level == SGT || level == R3)) ||
	    (e >> 2 & 3) != SGT - level)
		return UINT64_MAX;
	return level == SGT ? e & ~0x7ffull : e & ~0xfffull;
}

static struct ptg_shape shape_from(unsigned int first, unsigned int top)
{
	struct ptg_shape s = { 5, { 53, 42, 31, 20, 12 },
			       { 2048, 2048, 2048, 2048, 256 }, first, top,
			       table_entry, table_of, empty };

	return s;
}

static int cmp_want(const void *a, const void *b)
{
	const struct want_map *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static struct kdx_xlat *make(struct ptg *p, uint64_t asce)
{
	struct kdx_xlat_config xc;

	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_S390X;
	xc.root = asce;
	return ptg_xlat(p, &xc);
}

/* The ASCE designates a table of level @first (DT = 3 - first, TL = 3):
 * 5 - first levels.  Pages at every level the walk can end on. */
static void one_depth(unsigned int first)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	struct ptg_shape s = shape_from(first, 2048);
	uint64_t root = new_table(p, first, 2048);
	uint64_t asce = root | tt(first) | TL_FULL, pt2;
	struct want_map want[8];
	size_t n = 0;
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[200];

	/* 4 KiB page, writable */
	ptg_map(p, &s, root, 0x12345000, PGT, 0x7654000);
	want[n++] = (struct want_map){ 0x12345000, 0x7654000, 0x1000, RW };
	/* 4 KiB page, protected and not executable */
	ptg_map(p, &s, root, 0x12346000, PGT, 0x9999000 | P | IEP);
	want[n++] = (struct want_map){ 0x12346000, 0x9999000, 0x1000, NX };
	/* 1 MiB segment frame, protected by the segment entry */
	ptg_map(p, &s, root, 0x40100000, SGT,
		0x3f00000 | tt(SGT) | FC | P);
	want[n++] = (struct want_map){ 0x40100000, 0x3f00000, 1 << 20, 0 };
	/* a page table in the upper half of a 4 KiB page: bit 11 of its
	 * origin is an address bit */
	pt2 = ptg_alloc(p, 4096) + 2048;
	ptg_fill(p, pt2, 256, PTE_INV);
	ptg_set(p, pt2, 5, 0x4321000);
	ptg_map(p, &s, root, 0x40200000, SGT, pt2);
	want[n++] = (struct want_map){ 0x40205000, 0x4321000, 0x1000, RW };
	if (first <= R3) {
		/* 2 GiB region-third frame */
		ptg_map(p, &s, root, 0x180000000ull, R3,
			0x80000000ull | tt(R3) | FC);
		want[n++] = (struct want_map){ 0x180000000ull, 0x80000000ull,
					       1ull << 31, RW };
	}
	if (first <= R2) {
		ptg_map(p, &s, root, (1ull << 42) | 0x5000, PGT, 0x5000);
		want[n++] = (struct want_map){ (1ull << 42) | 0x5000, 0x5000,
					       0x1000, RW };
	}
	if (first == R1) {
		ptg_map(p, &s, root, 0xfff0000000006000ull, PGT, 0x6000 | P);
		want[n++] = (struct want_map){ 0xfff0000000006000ull, 0x6000,
					       0x1000, 0 };
	}
	qsort(want, n, sizeof(want[0]), cmp_want);

	x = make(p, asce);
	assert_int_equal(kdx_xlat_root(x), root);
	for (size_t i = 0; i < n; i++) {
		assert_xlat(x, want[i].vaddr, want[i].paddr, want[i].size,
			    want[i].flags);
		assert_xlat(x, want[i].vaddr + want[i].size - 1,
			    want[i].paddr + want[i].size - 1, want[i].size,
			    want[i].flags);
	}
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, n);
	ptb_maps_free(&got);
	if (first > R1) {
		/* above what the top table covers */
		uint64_t end = 2048ull << s.shift[first];

		snprintf(msg, sizeof(msg),
			 "0x%llx is outside the s390x address ranges with a page table (root 0x0-0x%llx)",
			 (unsigned long long)end, (unsigned long long)end - 1);
		assert_xlat_fails(x, end, KDX_ERR_INVALID, msg);
	}
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void depths(void **state)
{
	(void)state;
	for (unsigned int first = R1; first <= SGT; first++)
		one_depth(first);
}

/* Table lengths: the ASCE's (1536 entries: not a power of two) and a
 * region entry's offset and length, which also keep maps from reading
 * the quarters of a table that do not exist. */
static void lengths(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	struct ptg_shape s = shape_from(R2, 1536);
	uint64_t root = new_table(p, R2, 2048), r3;
	uint64_t asce = root | tt(R2) | 2; /* TL 2: three quarters */
	uint64_t va_hi = 1500ull << 42, va_r3 = 600ull << 31;
	struct want_map want[] = {
		{ va_r3, 0x2000, 0x1000, RW },
		{ va_hi, 0x1000, 0x1000, RW },
	};
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[300];

	(void)state;
	ptg_map(p, &s, root, va_hi, PGT, 0x1000);
	ptg_map(p, &s, root, va_r3, PGT, 0x2000);
	r3 = table_of(ptg_get(p, root, 0), R2);
	/* The R2 entry: only the second quarter (entries 512-1023) of its
	 * R3 table exists.  Entry 100 holds a frame the walk must not
	 * use, and the first quarter is absent from memory. */
	ptg_set(p, root, 0, r3 | tt(R2) | 1ull << 6 | 1);
	ptg_set(p, r3, 100, 0x80000000ull | tt(R3) | FC);
	ptg_hole(p, r3, 4096);

	x = make(p, asce);
	assert_xlat(x, va_hi | 0x123, 0x1123, 0x1000, RW);
	assert_xlat(x, va_r3 | 0x456, 0x2456, 0x1000, RW);
	snprintf(msg, sizeof(msg),
		 "translate 0x%llx: R2T entry 0x%llx at 0x%llx [index 0] gives the next table entries 512-1023 only; index 100 is outside (a length exception)",
		 100ull << 31, (unsigned long long)(r3 | tt(R2) | 0x41),
		 (unsigned long long)root);
	assert_xlat_fails(x, 100ull << 31, KDX_ERR_NODATA, msg);
	assert_xlat_fails(x, 1536ull << 42, KDX_ERR_INVALID,
			  "0x18000000000000 is outside the s390x address ranges with a page table (root 0x0-0x17ffffffffffff)");
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 2);
	ptb_maps_free(&got);

	/* Offset beyond length: nothing of the next table exists. */
	ptg_set(p, root, 0, r3 | tt(R2) | 2ull << 6 | 1);
	kdx_xlat_flush(x);
	snprintf(msg, sizeof(msg),
		 "translate 0x%llx: R2T entry 0x%llx at 0x%llx [index 0] gives the next table no entries (offset beyond length); index 600 is outside",
		 (unsigned long long)va_r3,
		 (unsigned long long)(r3 | tt(R2) | 0x81),
		 (unsigned long long)root);
	assert_xlat_fails(x, va_r3, KDX_ERR_NODATA, msg);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, &want[1], 1);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

/* Invalid bits at every level, a wrong table type, bit 52 of a page
 * entry, a loop. */
static void malformed(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	struct ptg_shape s = shape_from(R3, 2048);
	uint64_t root = new_table(p, R3, 2048), sgt, pgt;
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[300];

	(void)state;
	pgt = ptg_map(p, &s, root, 0x100000, PGT, 0x1000);
	sgt = table_of(ptg_get(p, root, 0), R3);
	ptg_set(p, pgt, 1, 0x2000 | PTE_INV);
	ptg_set(p, pgt, 2, 0x3000 | 0x800);
	ptg_set(p, sgt, 2, 0x5000 | INV);
	ptg_set(p, sgt, 3, 0x5000 | tt(R3)); /* a region type in a segment table */
	ptg_set(p, root, 1, sgt | tt(R3) | INV | TL_FULL);
	ptg_set(p, root, 2, root | tt(R3) | TL_FULL); /* R3 -> itself */
	x = make(p, root | tt(R3) | TL_FULL);
	assert_xlat(x, 0x100abc, 0x1abc, 0x1000, RW);
	snprintf(msg, sizeof(msg),
		 "translate 0x101000: PGT entry 0x2400 at 0x%llx [index 1] not present",
		 (unsigned long long)pgt);
	assert_xlat_fails(x, 0x101000, KDX_ERR_NODATA, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x102000: PGT entry 0x3800 at 0x%llx [index 2] has bit 52 set (a translation-specification exception)",
		 (unsigned long long)pgt);
	assert_xlat_fails(x, 0x102000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x200000: SGT entry 0x5020 at 0x%llx [index 2] not present",
		 (unsigned long long)sgt);
	assert_xlat_fails(x, 0x200000, KDX_ERR_NODATA, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x300000: SGT entry 0x5004 at 0x%llx [index 3] has a table type (TT) other than its table's",
		 (unsigned long long)sgt);
	assert_xlat_fails(x, 0x300000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x80000000: R3T entry 0x%llx at 0x%llx [index 1] not present",
		 (unsigned long long)(sgt | 0x27), (unsigned long long)root);
	assert_xlat_fails(x, 0x80000000, KDX_ERR_NODATA, msg);
	/* the loop: R3 entry 2 points at the R3 table, which is no
	 * segment table (its entry 0's type is R3's) */
	snprintf(msg, sizeof(msg),
		 "translate 0x100000000: SGT entry 0x%llx at 0x%llx [index 0] has a table type (TT) other than its table's",
		 (unsigned long long)(sgt | 0x7), (unsigned long long)root);
	assert_xlat_fails(x, 0x100000000ull, KDX_ERR_CORRUPT, msg);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &got));
	assert_int_equal(got.count, 1);
	assert_int_equal(got.nproblems, 3);
	snprintf(msg, sizeof(msg),
		 "R3T entry 0x%llx at 0x%llx [index 2] points back to a table above it (a loop); skipped",
		 (unsigned long long)(root | 0x7), (unsigned long long)root);
	assert_string_equal(got.problems[2], msg);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

/* A segment table in the last page of the address space: its entries
 * from 512 on would lie past 2^64.  Zeros are valid s390x entries, so
 * entry 512 read from physical 0 (the address wrapped) mapped
 * 0x20000000 in an enumeration while translating it failed (a
 * fuzz_xlat find).  Neither may use it. */
static void table_past_the_end(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	struct kdx_xlat *x;
	struct ptb_maps got;

	(void)state;
	x = make(p, 0xfffffffffffff000ull | tt(SGT) | TL_FULL);
	assert_xlat_fails(x, 0x20000000, KDX_ERR_CORRUPT,
			  "translate 0x20000000: SGT table at 0xfffffffffffff000 (the root): table at 0xfffffffffffff000: its entry at offset 0x1000 would lie past the end of the address space");
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &got));
	assert_int_equal(got.count, 0);
	assert_int_equal(got.nproblems, 1);
	assert_non_null(strstr(got.problems[0], "past the end of the address space"));
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(depths),
		cmocka_unit_test(lengths),
		cmocka_unit_test(malformed),
		cmocka_unit_test(table_past_the_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
