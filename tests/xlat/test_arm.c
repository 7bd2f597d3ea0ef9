/* SPDX-License-Identifier: MIT */
/* 32-bit ARM paging on synthetic tables, in both byte orders (armeb):
 * ARMv7 short descriptors (sections, supersections with 40-bit
 * addresses, coarse tables with large and small pages, TTBCR.N), ARMv4/v5
 * (fine tables, tiny pages, extended small pages) and LPAE (1 GiB and
 * 2 MiB blocks, 40-bit addresses, a TTBR1 that starts at level 2).
 * Entries are encoded here from the Arm ARM (DDI 0406 B3.5, B3.6). */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>

#define MEM (8ull << 20)
#define TABLES (1ull << 20)
#define ACC KDX_PAGE_ACCESSED

/* ---- short descriptors ---- */

static uint64_t coarse_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return addr | 0x1;
}

static uint64_t coarse_of(uint64_t e, unsigned int level)
{
	(void)level;
	return (e & 3) == 1 ? (e & 0xfffffc00u) : UINT64_MAX;
}

static struct ptg_shape short_shape(unsigned int top)
{
	return (struct ptg_shape){ 2, { 20, 12 }, { 4096, 256 }, 0, top,
				   coarse_entry, coarse_of, NULL };
}

#define S_SECTION 0x2u
#define S_XN 0x10u
#define S_AP(ap) ((uint64_t)(ap) << 10)
#define S_APX 0x8000u
#define S_NG 0x20000u
#define S_SUPER 0x40000u
#define P_AP(ap) ((uint64_t)(ap) << 4)
#define P_NG 0x800u

static void short_v7(bool be, bool split)
{
	struct ptg *p = ptg_new(MEM, TABLES, 4, be);
	struct ptg_shape hs = short_shape(4096), ls = short_shape(1024);
	uint64_t ttbr1 = ptg_alloc(p, 16384);
	uint64_t ttbr0 = split ? ptg_alloc(p, 4096) : ttbr1;
	const struct ptg_shape *low = split ? &ls : &hs;
	/* supersection of 0x12_3400_0000: PA[35:32] in 23:20, PA[39:36] in 8:5 */
	uint64_t super = 0x34000000u | 2u << 20 | 1u << 5 | S_SUPER | S_SECTION |
			 S_AP(1);
	struct want_map want[] = {
		{ 0x12000, 0x4567000, 0x1000, RW | US },
		{ 0x13000, 0x4568000, 0x1000, RW | NX | GL },
		{ 0x20000, 0x510000, 0x10000, RW | US | GL },
		{ 0xc0000000, 0x80000000, 0x100000, RW | GL },
		{ 0xc0100000, 0x80100000, 0x100000, US | NX },
		{ 0xd0000000, 0x1234000000ull, 0x1000000, RW | GL },
	};
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;

	ptg_map(p, low, ttbr0, 0x12000, 1, 0x4567000 | 2 | P_AP(3) | P_NG);
	ptg_map(p, low, ttbr0, 0x13000, 1, 0x4568000 | 3 | P_AP(1));
	ptg_map_repeat(p, low, ttbr0, 0x20000, 1, 0x510000 | 1 | P_AP(3), 16, 0);
	ptg_map(p, &hs, ttbr1, 0xc0000000, 0, 0x80000000u | S_SECTION | S_AP(1));
	ptg_map(p, &hs, ttbr1, 0xc0100000, 0,
		0x80100000u | S_SECTION | S_XN | S_AP(3) | S_APX | S_NG);
	ptg_map_repeat(p, &hs, ttbr1, 0xd0000000, 0, super, 16, 0);

	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_ARM;
	xc.root = ttbr1 | 0x59; /* walk attributes in the low bits */
	if (split) {
		xc.flags |= KDX_XLAT_ROOT_LOW;
		xc.root_low = ttbr0 | 0x1;
		xc.low_va_bits = 30; /* TTBCR.N = 2 */
	}
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x12345, 0x4567345, 4096, RW | US);
	assert_xlat(x, 0x2fffe, 0x51fffe, 0x10000, RW | US | GL);
	assert_xlat(x, 0xc0012345, 0x80012345, 1 << 20, RW | GL);
	assert_xlat(x, 0xd0abcdef, 0x1234abcdefull, 1 << 24, RW | GL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 6);
	ptb_maps_free(&got);
	{
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "translate 0x12000000: L1 entry 0x0 at 0x%llx [index 288] not present",
			 (unsigned long long)ttbr0);
		assert_xlat_fails(x, 0x12000000, KDX_ERR_NODATA, msg);
	}
	assert_xlat_fails(x, 0x100000000ull, KDX_ERR_INVALID,
			  "0x100000000 is beyond the 32-bit address space of ARMv7 short-descriptor paging");
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void arm_v7(void **state)
{
	(void)state;
	short_v7(false, false);
	short_v7(true, false);
	short_v7(false, true);
	short_v7(true, true);
}

static void arm_v5(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 4, false);
	uint64_t l1 = ptg_alloc(p, 16384);
	uint64_t coarse = ptg_alloc(p, 1024), fine = ptg_alloc(p, 4096);
	struct want_map want[] = {
		{ 0x1000, 0x7000, 0x1000, RW | US },
		{ 0x2000, 0x8000, 0x1000, RW },
		{ 0x100400, 0x9400, 0x400, RW | US },
		{ 0x101000, 0xa000, 0x1000, RW },
		{ 0x110000, 0x20000, 0x10000, RW | US },
		{ 0xc0000000, 0x30000000, 0x100000, RW },
	};
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;

	(void)state;
	ptg_set(p, l1, 0, coarse | 1);
	ptg_set(p, l1, 1, fine | 3);
	ptg_set(p, l1, 0xc00, 0x30000000 | S_SECTION | S_AP(1));
	ptg_set(p, coarse, 1, 0x7000 | 2 | P_AP(3));
	ptg_set(p, coarse, 2, 0x8000 | 3 | P_AP(1)); /* XScale extended small */
	ptg_set(p, fine, 1, 0x9400 | 3 | P_AP(3));    /* tiny, 1 KiB */
	for (unsigned int i = 0; i < 4; i++)         /* small: 4 entries */
		ptg_set(p, fine, 4 + i, 0xa000 | 2 | P_AP(1));
	for (unsigned int i = 0; i < 64; i++)        /* large: 64 entries */
		ptg_set(p, fine, 64 + i, 0x20000 | 1 | P_AP(3));
	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_ARM_V5;
	xc.root = l1;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x1abc, 0x7abc, 4096, RW | US);
	assert_xlat(x, 0x1004ff, 0x94ff, 1024, RW | US);
	assert_xlat(x, 0x101abc, 0xaabc, 4096, RW);
	assert_xlat(x, 0x11abcd, 0x2abcd, 0x10000, RW | US);
	assert_xlat(x, 0xc0054321, 0x30054321, 1 << 20, RW);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 6);
	ptb_maps_free(&got);
	{
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "translate 0x100000: L2-fine entry 0x0 at 0x%llx [index 0] not present",
			 (unsigned long long)fine);
		assert_xlat_fails(x, 0x100000, KDX_ERR_NODATA, msg);
	}
	kdx_xlat_destroy(x);
	ptg_free(p);
}

/* ---- LPAE ---- */

static uint64_t lpae_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return addr | 3;
}

static uint64_t lpae_of(uint64_t e, unsigned int level)
{
	(void)level;
	return (e & 3) == 3 ? (e & 0xfffffff000ull) : UINT64_MAX;
}

#define L_AF (1ull << 10)
#define L_NG (1ull << 11)
#define L_RO (1ull << 7)
#define L_PXN (1ull << 53)
#define L_UXN (1ull << 54)

static void lpae_one(bool be)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, be);
	struct ptg_shape s = { 3, { 30, 21, 12 }, { 4, 512, 512 }, 0, 4,
			       lpae_entry, lpae_of, NULL };
	uint64_t l1 = ptg_alloc(p, 32), l2;
	struct want_map want[] = {
		{ 0x40000000, 0x100000000ull, 1ull << 30, GL },
		{ 0xc0000000, 0x80000000, 2 << 20, RW | GL | NX },
		{ 0xc0201000, 0xfffffff000ull, 0x1000, RW },
	};
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[200];

	ptg_map(p, &s, l1, 0x40000000, 0, 0x100000000ull | 1 | L_AF | L_RO);
	ptg_map(p, &s, l1, 0xc0000000, 1,
		0x80000000 | 1 | L_AF | L_PXN | L_UXN);
	ptg_map(p, &s, l1, 0xc0201000, 2, 0xfffffff000ull | 3 | L_AF | L_NG);
	l2 = lpae_of(ptg_get(p, l1, 3), 0);

	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_ARM_LPAE;
	xc.root = l1;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x7fffffff, 0x13fffffffull, 1 << 30, GL | ACC);
	assert_xlat(x, 0xc0201abc, 0xfffffffabcull, 4096, RW | ACC);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 3);
	ptb_maps_free(&got);

	/* bits 47:40 of an output address are not LPAE's */
	ptg_set(p, l2, 5, 0x10000000000ull | 0x200000 | 1);
	kdx_xlat_flush(x);
	snprintf(msg, sizeof(msg),
		 "translate 0xc0a00000: L2 entry 0x10000200001 at 0x%llx [index 5] has output address bits above the physical address width set",
		 (unsigned long long)l2);
	assert_xlat_fails(x, 0xc0a00000, KDX_ERR_CORRUPT, msg);
	kdx_xlat_destroy(x);
	ptg_set(p, l2, 5, 0);

	/* Linux's live TTBR1 (VMSPLIT_3G, T1SZ = 2): the level-2 table of
	 * the top GiB; nothing below 0xc0000000 without a TTBR0 */
	xc.root = l2;
	xc.va_bits = 30;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0xc0201abc, 0xfffffffabcull, 4096, RW | ACC);
	assert_xlat_fails(x, 0x40000000, KDX_ERR_INVALID,
			  "0x40000000 is outside the ARMv7 LPAE address ranges with a page table (TTBR1 0xc0000000-0xffffffff; no TTBR0 root given)");
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want + 1, 2);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);

	/* TTBR0 (T0SZ = 2) for the low GiB: the 1 GiB block is out of it */
	xc.flags |= KDX_XLAT_ROOT_LOW;
	xc.root_low = l1;
	xc.low_va_bits = 31;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x40000000, 0x100000000ull, 1 << 30, GL | ACC);
	assert_xlat_fails(x, 0x80000000, KDX_ERR_INVALID,
			  "0x80000000 is outside the ARMv7 LPAE address ranges with a page table (TTBR0 0x0-0x7fffffff, TTBR1 0xc0000000-0xffffffff)");
	kdx_xlat_destroy(x);
	ptg_free(p);
}

/* A TTBR1 block reaching into TTBR0's range (T0SZ = 5: 128 MiB; TTBR1
 * covers the rest of the 4 GiB with a 1 GiB block at 0): the block's
 * translation, once cached, must not answer for TTBR0's addresses
 * (fuzz_xlat found translate and trace disagreeing). */
static void lpae_block_over_ttbr0(bool be)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, be);
	uint64_t l1 = ptg_alloc(p, 32), low = ptg_alloc(p, 64 * 8);
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;

	ptg_set(p, l1, 0, 0x40000000 | 1 | L_AF);
	ptg_set(p, low, 0, 0x400000 | 1 | L_AF);
	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_ARM_LPAE;
	xc.root = l1;
	xc.flags = KDX_XLAT_ROOT_LOW;
	xc.root_low = low;
	xc.low_va_bits = 27;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x8004000, 0x48004000, 1 << 30, RW | GL | ACC);
	assert_xlat(x, 0x6000, 0x406000, 2 << 20, RW | GL | ACC);
	assert_xlat(x, 0x8004000, 0x48004000, 1 << 30, RW | GL | ACC);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void lpae(void **state)
{
	(void)state;
	lpae_one(false);
	lpae_one(true);
	lpae_block_over_ttbr0(false);
	lpae_block_over_ttbr0(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm_v7),
		cmocka_unit_test(arm_v5),
		cmocka_unit_test(lpae),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
