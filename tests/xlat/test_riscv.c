/* SPDX-License-Identifier: MIT */
/* RISC-V Sv32/Sv39/Sv48/Sv57 on synthetic tables: a leaf at every level
 * (superpages up to 256 TiB), Svnapot 64 KiB pages, sign-extended
 * addresses, and malformed entries (misaligned superpages, W without R,
 * reserved bits, pointers at the last level, loops).  Entries are encoded
 * here from the RISC-V Privileged Architecture. */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>
#include <stdlib.h>

#define MEM (8ull << 20)
#define TABLES (1ull << 20)

#define V 0x01ull
#define R 0x02ull
#define W 0x04ull
#define X 0x08ull
#define U 0x10ull
#define G 0x20ull
#define A 0x40ull
#define D 0x80ull
#define N (1ull << 63)
#define ACC KDX_PAGE_ACCESSED
#define DIRTY KDX_PAGE_DIRTY

static uint64_t pte(uint64_t pa, uint64_t bits)
{
	return (pa >> 12) << 10 | bits;
}

static uint64_t ptr_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return pte(addr, V);
}

static uint64_t ptr_of(uint64_t e, unsigned int level)
{
	(void)level;
	return (e & (V | R | W | X)) == V ? ((e >> 10) & ((1ull << 44) - 1)) << 12 :
					    UINT64_MAX;
}

static uint64_t canon(uint64_t va, unsigned int bits)
{
	return va >> (bits - 1) & 1 ? va | ~((1ull << bits) - 1) : va;
}

static int cmp_want(const void *a, const void *b)
{
	const struct want_map *x = a, *y = b;

	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* A leaf at every level of Sv39/48/57 in the top half, a 4 KiB user page
 * and a Svnapot page in the bottom half. */
static void one_mode(enum kdx_paging_mode mode, unsigned int levels)
{
	unsigned int bits = 12 + 9 * levels;
	struct ptg_shape s = { levels, { 0 }, { 0 }, 0, 512, ptr_entry, ptr_of, NULL };
	struct ptg *p = ptg_new(MEM, TABLES, 8, false);
	uint64_t root = ptg_alloc(p, 4096);
	struct want_map want[8];
	size_t n = 0;
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;

	for (unsigned int l = 0; l < levels; l++) {
		s.shift[l] = 12 + 9 * (levels - 1 - l);
		s.entries[l] = 512;
	}
	/* top half: index 256 + level at the leaf's level, 256 above it */
	for (unsigned int l = 0; l < levels; l++) {
		uint64_t size = 1ull << s.shift[l];
		uint64_t va = canon((256ull << s.shift[0]) +
				    (uint64_t)(l + 1) * size, bits);
		uint64_t pa = (uint64_t)(l + 1) << s.shift[l];

		ptg_map(p, &s, root, va, l, pte(pa, V | R | W | X | A | D | G));
		want[n++] = (struct want_map){ va, pa, size, RW | GL };
	}
	ptg_map(p, &s, root, 0x10000, levels - 1,
		pte(0x1234000, V | R | W | U | A | D));
	want[n++] = (struct want_map){ 0x10000, 0x1234000, 4096, RW | US | NX };
	/* Svnapot: 16 entries of PPN 0x5678 (64 KiB at 0x5670000) */
	ptg_map_repeat(p, &s, root, 0x20000, levels - 1,
		       pte(0x5678000, V | R | X | A | N), 16, 0);
	want[n++] = (struct want_map){ 0x20000, 0x5670000, 0x10000, 0 };
	qsort(want, n, sizeof(want[0]), cmp_want);

	kdx_xlat_config_init(&xc);
	xc.mode = mode;
	xc.root = root;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0x2abcd, 0x567abcd, 0x10000, ACC);
	assert_xlat(x, 0x10fff, 0x1234fff, 4096, RW | US | NX | ACC | DIRTY);
	for (size_t i = 0; i < n; i++)
		if (want[i].size > 0x10000)
			assert_xlat(x, want[i].vaddr + want[i].size - 8,
				    want[i].paddr + want[i].size - 8,
				    want[i].size, RW | GL | ACC | DIRTY);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, n);
	ptb_maps_free(&got);
	{
		char msg[200];
		uint64_t bad = 1ull << (bits - 1); /* sign bit without the rest */

		snprintf(msg, sizeof(msg),
			 "0x%llx is not canonical (RISC-V Sv%u paging: bits 63-%u must all equal bit %u)",
			 (unsigned long long)bad, bits, bits - 1, bits - 1);
		assert_xlat_fails(x, bad, KDX_ERR_INVALID, msg);
	}
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void sv39_48_57(void **state)
{
	(void)state;
	one_mode(KDX_PAGING_RISCV_SV39, 3);
	one_mode(KDX_PAGING_RISCV_SV48, 4);
	one_mode(KDX_PAGING_RISCV_SV57, 5);
}

static void sv32(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 4, false);
	struct ptg_shape s = { 2, { 22, 12 }, { 1024, 1024 }, 0, 1024,
			       ptr_entry, ptr_of, NULL };
	uint64_t root = ptg_alloc(p, 4096);
	struct want_map want[] = {
		{ 0x400000, 0x3ffffe000ull, 0x1000, RW | US | NX },
		{ 0xc0000000, 0x200000000ull, 0x400000, RW | GL },
	};
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;

	(void)state;
	/* 34-bit physical addresses: a megapage at 8 GiB */
	ptg_map(p, &s, root, 0xc0000000, 0, pte(0x200000000ull, V | R | W | X | G));
	ptg_map(p, &s, root, 0x400000, 1, pte(0x3ffffe000ull, V | R | W | U));
	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_RISCV_SV32;
	xc.root = root;
	x = ptg_xlat(p, &xc);
	assert_xlat(x, 0xc0123456, 0x200123456ull, 4 << 20, RW | GL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 2);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

static void malformed(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, false);
	struct ptg_shape s = { 3, { 30, 21, 12 }, { 512, 512, 512 }, 0, 512,
			       ptr_entry, ptr_of, NULL };
	uint64_t root = ptg_alloc(p, 4096), l1, l0;
	struct kdx_xlat_config xc;
	struct kdx_xlat *x;
	struct ptb_maps got;
	char msg[250];

	(void)state;
	l0 = ptg_map(p, &s, root, 0x40000000, 2, pte(0x1000, V | R));
	l1 = ptr_of(ptg_get(p, root, 1), 0);
	ptg_set(p, l1, 1, pte(0x201000, V | R | W)); /* misaligned 2 MiB */
	ptg_set(p, l0, 1, pte(0x2000, V | W));       /* W without R */
	ptg_set(p, l0, 2, pte(0x3000, V));           /* pointer at L0 */
	ptg_set(p, l0, 3, pte(0x3000, V | R) | 1ull << 54);
	ptg_set(p, l0, 4, pte(0x5000, V | R | N));   /* NAPOT, PPN[3:0] != 8 */
	ptg_set(p, l1, 2, pte(l1, V));               /* loop */
	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_RISCV_SV39;
	xc.root = root;
	x = ptg_xlat(p, &xc);
	snprintf(msg, sizeof(msg),
		 "translate 0x40200000: L1 entry 0x80407 at 0x%llx [index 1] is a misaligned superpage (low PPN fields not zero)",
		 (unsigned long long)l1);
	assert_xlat_fails(x, 0x40200000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x40001000: L0 entry 0x805 at 0x%llx [index 1] is writable but not readable (reserved)",
		 (unsigned long long)l0);
	assert_xlat_fails(x, 0x40001000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x40002000: L0 entry 0xc01 at 0x%llx [index 2] points to a table below the last level",
		 (unsigned long long)l0);
	assert_xlat_fails(x, 0x40002000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x40003000: L0 entry 0x40000000000c03 at 0x%llx [index 3] has reserved bits 60:54 set",
		 (unsigned long long)l0);
	assert_xlat_fails(x, 0x40003000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x40004000: L0 entry 0x8000000000001403 at 0x%llx [index 4] has a Svnapot size other than 64 KiB",
		 (unsigned long long)l0);
	assert_xlat_fails(x, 0x40004000, KDX_ERR_CORRUPT, msg);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, true, &got));
	assert_int_equal(got.count, 1);
	assert_int_equal(got.nproblems, 6);
	snprintf(msg, sizeof(msg),
		 "L1 entry 0x%llx at 0x%llx [index 2] points back to a table above it (a loop); skipped",
		 (unsigned long long)pte(l1, V), (unsigned long long)l1);
	assert_string_equal(got.problems[5], msg);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sv39_48_57),
		cmocka_unit_test(sv32),
		cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
