/* SPDX-License-Identifier: MIT */
/* AArch64 stage-1 paging on synthetic tables: every granule (4/16/64 KiB)
 * with 25..52-bit address spaces, blocks at every level that allows them,
 * FEAT_LPA and FEAT_LPA2 output addresses, TTBR0/TTBR1 by address, the
 * contiguous hint, both byte orders, and broken tables (not present,
 * disallowed blocks, out-of-range addresses, loops, tables past memory).
 * Entries are encoded here from the Arm ARM (DDI 0487 D8.3). */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>
#include <stdlib.h>

#define MEM (64ull << 20)
#define TABLES (1ull << 20)

/* Descriptor bits. */
#define D_VALID 0x1ull
#define D_TABLE 0x3ull
#define D_PAGE 0x3ull
#define D_BLOCK 0x1ull
#define D_AP_USER (1ull << 6)
#define D_AP_RO (1ull << 7)
#define D_AF (1ull << 10)
#define D_NG (1ull << 11)
#define D_GP (1ull << 50)
#define D_DBM (1ull << 51)
#define D_CONT (1ull << 52)
#define D_PXN (1ull << 53)
#define D_UXN (1ull << 54)
#define ACC KDX_PAGE_ACCESSED

struct cfg {
	unsigned int g;       /* granule shift */
	unsigned int va_bits;
	unsigned int pa_bits; /* 48 or 52 */
};

/* The shape the architecture gives this granule and width. */
static struct ptg_shape shape_of(const struct cfg *c);

/* The current configuration, for the entry encoders. */
static struct cfg cur;

/* Output address field for @pa (FEAT_LPA: PA[51:48] in 15:12; FEAT_LPA2:
 * PA[51:50] in 9:8). */
static uint64_t oa(uint64_t pa)
{
	if (cur.pa_bits == 52 && cur.g == 16)
		return (pa & 0x0000ffffffff0000ull) | ((pa >> 48) & 0xf) << 12;
	if (cur.pa_bits == 52)
		return (pa & 0x0003fffffffff000ull) | ((pa >> 50) & 0x3) << 8;
	return pa;
}

static uint64_t oa_back(uint64_t e)
{
	if (cur.pa_bits == 52 && cur.g == 16)
		return (e & 0x0000ffffffff0000ull) | ((e >> 12) & 0xf) << 48;
	if (cur.pa_bits == 52)
		return (e & 0x0003fffffffff000ull & ~((1ull << cur.g) - 1)) |
		       ((e >> 8) & 0x3) << 50;
	return e & 0x0000fffffffff000ull & ~((1ull << cur.g) - 1);
}

static uint64_t table_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return oa(addr) | D_TABLE;
}

static uint64_t table_of(uint64_t e, unsigned int level)
{
	(void)level;
	return (e & 3) == 3 ? oa_back(e) : UINT64_MAX;
}

static struct ptg_shape shape_of(const struct cfg *c)
{
	struct ptg_shape s = { 0 };
	unsigned int b = c->g - 3, n = (c->va_bits - c->g + b - 1) / b;

	s.levels = n;
	for (unsigned int i = 0; i < n; i++) {
		s.shift[i] = c->g + b * (n - 1 - i);
		s.entries[i] = 1u << b;
	}
	s.first = 0;
	s.top = 1u << (c->va_bits - s.shift[0]);
	s.table_entry = table_entry;
	s.table_of = table_of;
	return s;
}

static bool block_ok(const struct cfg *c, unsigned int shift)
{
	return shift <= 30 || (c->pa_bits == 52 && shift <= 42);
}

static int cmp_want(const void *a, const void *b)
{
	const struct want_map *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static void config(struct kdx_xlat_config *xc, const struct cfg *c,
		   uint64_t root)
{
	kdx_xlat_config_init(xc);
	xc->mode = KDX_PAGING_AARCH64;
	xc->page_size = 1u << c->g;
	xc->va_bits = c->va_bits;
	xc->phys_bits = c->pa_bits;
	xc->root = root;
}

/* One page at the last level and one block at every level allowing it
 * in TTBR1's half, a user page through TTBR0: exact translations and the
 * exact list of mappings. */
static void one_config(const struct cfg *c, bool be)
{
	struct ptg_shape s;
	struct ptg *p = ptg_new(MEM, TABLES, 8, be);
	uint64_t base = (uint64_t)0 - (1ull << c->va_bits);
	uint64_t gran = 1ull << c->g;
	uint64_t root, root0, page_va, page_pa;
	struct want_map want[8];
	size_t n = 0;
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;
	struct kdx_error *err;
	unsigned int last;

	cur = *c;
	s = shape_of(c);
	last = s.levels - 1;
	root = ptg_alloc(p, (uint64_t)s.top * 8);
	root0 = ptg_alloc(p, (uint64_t)s.top * 8);

	/* kernel page: RW, global, executable (UXN only) */
	page_va = base + 5 * gran;
	page_pa = (c->pa_bits == 52 ? 0xfull << 48 : 0) | 7 * gran;
	ptg_map(p, &s, root, page_va, last,
		oa(page_pa) | D_PAGE | D_AF | D_UXN | D_DBM | D_GP);
	want[n++] = (struct want_map){ page_va, page_pa, gran, RW | GL };

	for (unsigned int l = 0; l < last; l++) {
		uint64_t size = 1ull << s.shift[l];
		uint64_t va = base + (l + 1) * size, pa = (l + 1) * size;

		if (!block_ok(c, s.shift[l]) || (l == 0 && s.top < 2))
			continue;
		ptg_map(p, &s, root, va, l,
			oa(pa) | D_BLOCK | D_AF | D_AP_RO | D_NG | D_PXN | D_UXN);
		want[n++] = (struct want_map){ va, pa, size, NX };
	}
	/* user page through TTBR0: RW, user, executable by EL0 */
	ptg_map(p, &s, root0, 0x400000, last,
		oa(0x400000) | D_PAGE | D_AF | D_AP_USER | D_PXN | D_NG);
	want[n++] = (struct want_map){ 0x400000, 0x400000, gran, RW | US };
	qsort(want, n, sizeof(want[0]), cmp_want);

	config(&xc, c, root);
	xc.flags |= KDX_XLAT_ROOT_LOW;
	xc.root_low = root0;
	x = ptg_xlat(p, &xc);
	for (size_t i = 0; i < n; i++) {
		unsigned int f = want[i].flags;

		/* leaves carry AF: translations report it, merged maps not */
		assert_xlat(x, want[i].vaddr + 0x18, want[i].paddr + 0x18,
			    want[i].size, f | ACC);
		assert_xlat(x, want[i].vaddr + want[i].size - 1,
			    want[i].paddr + want[i].size - 1, want[i].size, f | ACC);
	}
	err = ptb_collect(x, 0, UINT64_MAX, 0, false, &got);
	if (err)
		fail_msg("%s", kdx_error_message(err));
	if (got.count != n)
		fprintf(stderr, "granule %llu, %u bits, %s: %zu maps\n",
			(unsigned long long)gran, c->va_bits, be ? "BE" : "LE",
			got.count);
	assert_maps(&got, want, n);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static const struct cfg configs[] = {
	{ 12, 39, 48 }, { 12, 48, 48 }, { 12, 52, 52 }, { 12, 25, 48 },
	{ 12, 42, 48 }, { 12, 48, 52 },
	{ 14, 36, 48 }, { 14, 47, 48 }, { 14, 48, 48 }, { 14, 52, 52 },
	{ 14, 25, 48 },
	{ 16, 42, 48 }, { 16, 48, 48 }, { 16, 52, 52 }, { 16, 52, 48 },
	{ 16, 25, 48 },
};

static void every_granule_and_width(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		one_config(&configs[i], false);
		one_config(&configs[i], true);
	}
}

/* The contiguous hint changes nothing: 16 x 4 KiB entries, each with its
 * own address, merge into one 64 KiB run. */
static void contiguous_hint(void **state)
{
	struct cfg c = { 12, 48, 48 };
	struct ptg_shape s;
	struct ptg *p = ptg_new(MEM, TABLES, 8, false);
	uint64_t root, va = 0xffff000000010000ull;
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;
	struct want_map want[] = { { va, 0x2000000, 0x10000, RW | GL } };

	(void)state;
	cur = c;
	s = shape_of(&c);
	root = ptg_alloc(p, 512 * 8);
	ptg_map_repeat(p, &s, root, va, 3,
		       0x2000000 | D_PAGE | D_AF | D_CONT | D_UXN, 16, 0x1000);
	config(&xc, &c, root | 1); /* CnP in bit 0 is masked off */
	x = ptg_xlat(p, &xc);
	assert_int_equal(kdx_xlat_root(x), root);
	assert_xlat(x, va + 0x5123, 0x2005123, 4096, RW | GL | ACC);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 1);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void errors(void **state)
{
	struct cfg c = { 12, 48, 48 };
	struct ptg_shape s;
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	uint64_t root, l3, l1;
	uint64_t va = 0xffff800000200000ull;
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[300];

	(void)state;
	cur = c;
	s = shape_of(&c);
	root = ptg_alloc(p, 512 * 8);
	l3 = ptg_map(p, &s, root, va, 3, 0x5000 | D_PAGE | D_AF);
	l1 = s.table_of(ptg_get(p, root, 256), 0);
	config(&xc, &c, root);
	x = ptg_xlat(p, &xc);

	/* not present, named by level, table, index and entry */
	snprintf(msg, sizeof(msg),
		 "translate 0xffff800000207000: L3 entry 0x0 at 0x%llx [index 7] not present",
		 (unsigned long long)l3);
	assert_xlat_fails(x, va + 0x7000, KDX_ERR_NODATA, msg);

	/* a block at L0 (4 KiB granule without LPA2) */
	ptg_set(p, root, 300, 0x8000000000ull | D_BLOCK);
	kdx_xlat_flush(x); /* the tables changed */
	snprintf(msg, sizeof(msg),
		 "translate 0xffff960000000000: L0 entry 0x8000000001 at 0x%llx [index 300] is a block descriptor, which this level does not allow",
		 (unsigned long long)root);
	assert_xlat_fails(x, 0xffff960000000000ull, KDX_ERR_CORRUPT, msg);

	/* an output address beyond 48 bits */
	ptg_set(p, l3, 8, (1ull << 48) | 0x9000 | D_PAGE);
	kdx_xlat_flush(x); /* the tables changed */
	snprintf(msg, sizeof(msg),
		 "translate 0xffff800000208000: L3 entry 0x1000000009003 at 0x%llx [index 8] has output address bits above the physical address width set",
		 (unsigned long long)l3);
	assert_xlat_fails(x, va + 0x8000, KDX_ERR_CORRUPT, msg);

	/* type 0b01 at the last level is reserved */
	ptg_set(p, l3, 9, 0x9000 | D_BLOCK);
	kdx_xlat_flush(x); /* the tables changed */
	snprintf(msg, sizeof(msg),
		 "translate 0xffff800000209000: L3 entry 0x9001 at 0x%llx [index 9] has the reserved type 0b01 at the last level",
		 (unsigned long long)l3);
	assert_xlat_fails(x, va + 0x9000, KDX_ERR_CORRUPT, msg);

	/* a table past the end of memory */
	ptg_set(p, l1, 5, 0x7ffff000ull | D_TABLE);
	kdx_xlat_flush(x); /* the tables changed */
	snprintf(msg, sizeof(msg),
		 "translate 0xffff800140000000: L2 table at 0x7ffff000 (from L1 entry 0x7ffff003 at 0x%llx [index 5]): physical 0x7ffff000 is past the end of memory",
		 (unsigned long long)l1);
	assert_xlat_fails(x, 0xffff800140000000ull, KDX_ERR_NODATA, msg);

	/* a loop: an L1 entry pointing back at the root */
	ptg_set(p, l1, 6, root | D_TABLE);
	kdx_xlat_flush(x);
	assert_null(ptb_collect(x, 0xffff800000000000ull, UINT64_MAX, 0, true,
				&got));
	assert_int_equal(got.nproblems, 5);
	snprintf(msg, sizeof(msg),
		 "L1 entry 0x%llx at 0x%llx [index 6] points back to a table above it (a loop); skipped",
		 (unsigned long long)(root | 3), (unsigned long long)l1);
	assert_string_equal(got.problems[3], msg);
	ptb_maps_free(&got);

	/* low addresses without a TTBR0, and the gap between the halves */
	assert_xlat_fails(x, 0x1000, KDX_ERR_INVALID,
			  "0x1000 is outside the AArch64 4K address ranges with a page table (TTBR1 0xffff000000000000-0xffffffffffffffff; no TTBR0 root given)");
	kdx_xlat_destroy(x);
	xc.flags |= KDX_XLAT_ROOT_LOW;
	xc.root_low = root;
	x = ptg_xlat(p, &xc);
	assert_xlat_fails(x, 0x0001000000000000ull, KDX_ERR_INVALID,
			  "0x1000000000000 is outside the AArch64 4K address ranges with a page table (TTBR0 0x0-0xffffffffffff, TTBR1 0xffff000000000000-0xffffffffffffffff)");
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void bad_configs(void **state)
{
	struct ptg *p = ptg_new(1 << 20, 0, 8, false);
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct kdx_error *err;

	(void)state;
	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_AARCH64;
	xc.page_size = 8192;
	err = ptg_xlat_try(p, &xc, &x);
	assert_string_equal(kdx_error_message(err),
			    "AArch64 granule 8192 is not 4096, 16384 or 65536");
	kdx_error_destroy(err);
	xc.page_size = 4096;
	xc.va_bits = 53;
	err = ptg_xlat_try(p, &xc, &x);
	assert_string_equal(kdx_error_message(err),
			    "53 address bits are outside 25..52 for AArch64 4K paging");
	kdx_error_destroy(err);
	ptg_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_granule_and_width),
		cmocka_unit_test(contiguous_hint),
		cmocka_unit_test(errors),
		cmocka_unit_test(bad_configs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
