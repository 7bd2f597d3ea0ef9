/* SPDX-License-Identifier: MIT */
/* POWER hashed page table on a synthetic HTAB: entries in their primary
 * and (behind a full primary group) secondary PTEG, 4 KiB and 16 MiB
 * pages, PP and N bits, entries that must not match (V clear, another
 * VSID, other page bits, the wrong page size), a bigger table
 * (HTABSIZE 1), the enumeration, and a table the dump lacks.  Entries
 * are encoded here from Power ISA v2.07 Book III 5.7.7 and FreeBSD's
 * KERNEL_VSID (sys/powerpc/include/slb.h). */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>

#define MEM (8ull << 20)
#define TABLES (4ull << 20)
#define HTAB_BYTES (256u << 10)

#define H_V 0x1ull
#define H_H 0x2ull
#define H_L 0x4ull
#define L_R 0x100ull
#define L_C 0x080ull
#define L_N 0x004ull
#define ACC KDX_PAGE_ACCESSED
#define DIRTY KDX_PAGE_DIRTY

static uint64_t vsid_of(uint64_t ea)
{
	uint64_t esid = ea >> 28, m = (1ull << 36) - 1;

	return ((((esid << 8) | (esid >> 28)) * 0x13bb) & m) | 1ull << 36;
}

struct htab {
	struct ptg *p;
	uint64_t base, ptegs;
};

static uint64_t pteg_of(const struct htab *t, uint64_t ea, unsigned int shift,
			bool secondary)
{
	uint64_t hash = (vsid_of(ea) & 0x7fffffffffull) ^ ((ea & 0xfffffff) >> shift);

	return (secondary ? ~hash : hash) & (t->ptegs - 1);
}

/* The entry for @ea in slot @slot of its (primary or secondary) PTEG;
 * returns the PTEG's address. */
static uint64_t put_pte(struct htab *t, uint64_t ea, unsigned int shift,
			bool secondary, unsigned int slot, uint64_t lo, uint64_t hi_extra)
{
	uint64_t page = (ea & 0xfffffff) >> shift;
	uint64_t ava_page = shift == 12 ? page >> 11 : page << 1;
	uint64_t g = t->base + pteg_of(t, ea, shift, secondary) * 128;

	ptg_set(t->p, g, 2 * slot, vsid_of(ea) << 12 | ava_page << 7 |
					   (secondary ? H_H : 0) |
					   (shift == 24 ? H_L : 0) | H_V | hi_extra);
	ptg_set(t->p, g, 2 * slot + 1, lo);
	return g;
}

static struct kdx_xlat *hpt(struct htab *t, unsigned int htabsize)
{
	struct kdx_xlat_config xc;

	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_PPC64_HPT;
	xc.root = t->base | htabsize;
	return ptg_xlat(t->p, &xc);
}

static struct htab new_htab(unsigned int htabsize)
{
	struct htab t = { ptg_new(MEM, TABLES, 8, true), 0, 2048ull << htabsize };

	t.base = ptg_alloc(t.p, (uint64_t)HTAB_BYTES << htabsize);
	return t;
}

static void lookups(void **state)
{
	struct htab t = new_htab(0);
	uint64_t k = 0xc008000000000000ull, d = 0xc000000000000000ull;
	struct kdx_xlat *x;
	char msg[400];

	(void)state;
	put_pte(&t, k, 12, false, 0, 0x123000 | L_R | L_C | 2, 0);
	/* A full primary group (a process's VSIDs): the secondary one. */
	for (unsigned int i = 0; i < 8; i++)
		ptg_set(t.p, t.base + pteg_of(&t, k + 0x1000, 12, false) * 128, 2 * i,
			(vsid_of(k) ^ 1ull << 36) << 12 | H_V);
	put_pte(&t, k + 0x1000, 12, true, 3, 0x456000 | 3 | L_N, 0);
	/* PP 0: supervisor only; PP 1: user read-only. */
	put_pte(&t, k + 0x2000, 12, false, 1, 0x789000, 0);
	put_pte(&t, k + 0x3000, 12, false, 2, 0x78a000 | 1, 0);
	/* 16 MiB in another segment (FreeBSD's direct map). */
	put_pte(&t, d + 0x3000000, 24, false, 4, 0x3000000 | L_R | 2, 0);
	/* No match: V clear; the page bits of another page; L set in a
	 * 4 KiB lookup. */
	put_pte(&t, k + 0x4000, 12, false, 5, 0x999000 | 2, 0);
	ptg_set(t.p, t.base + pteg_of(&t, k + 0x4000, 12, false) * 128, 10,
		ptg_get(t.p, t.base + pteg_of(&t, k + 0x4000, 12, false) * 128, 10) & ~H_V);
	put_pte(&t, k + 0x8000000, 12, false, 6, 0x777000 | 2, 0);
	x = hpt(&t, 0);
	assert_xlat(x, k + 0x10, 0x123010, 4096, RW | US | ACC | DIRTY);
	assert_xlat(x, k + 0x1ff8, 0x456ff8, 4096, NX);
	assert_xlat(x, k + 0x2000, 0x789000, 4096, RW);
	assert_xlat(x, k + 0x3004, 0x78a004, 4096, RW | US);
	assert_xlat(x, d + 0x3abcdef, 0x3abcdef, 16 << 20, RW | US | ACC);
	assert_xlat(x, k + 0x8000abc, 0x777abc, 4096, RW | US);
	snprintf(msg, sizeof(msg),
		 "translate 0xc008000000004000: no valid HPTE (VSID 0x%llx) in PTEGs at 0x%llx, 0x%llx (4 KiB pages) or 0x%llx, 0x%llx (16 MiB) of the hashed page table at 0x%llx (2048 PTEGs)",
		 (unsigned long long)vsid_of(k),
		 (unsigned long long)(t.base + pteg_of(&t, k + 0x4000, 12, false) * 128),
		 (unsigned long long)(t.base + pteg_of(&t, k + 0x4000, 12, true) * 128),
		 (unsigned long long)(t.base + pteg_of(&t, k + 0x4000, 24, false) * 128),
		 (unsigned long long)(t.base + pteg_of(&t, k + 0x4000, 24, true) * 128),
		 (unsigned long long)t.base);
	assert_xlat_fails(x, k + 0x4000, KDX_ERR_NODATA, msg);
	{
		/* Another segment's page: the entry's VSID is not its. */
		struct kdx_xlat_result r;
		struct kdx_error *err = kdx_xlat_translate(x, k + 0x18000000, &r);

		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
		kdx_error_destroy(err);
	}
	kdx_xlat_destroy(x);
	ptg_free(t.p);
}

static void bigger_table_and_maps(void **state)
{
	struct htab t = new_htab(1);
	uint64_t k = 0xc008000000000000ull, d = 0xc000000000000000ull;
	uint64_t far = k + 0x7ff000;
	struct want_map want[] = {
		{ d, 0, 32 << 20, RW | US },
		{ k, 0x200000, 0x2000, RW | US },
		{ far, 0x300000, 0x1000, RW | NX },
	};
	struct ptb_maps got;
	struct kdx_xlat *x;

	(void)state;
	/* A page whose PTEG is in the upper half: HTABSIZE 1 counts. */
	while (pteg_of(&t, far, 12, false) < 2048)
		far -= 0x1000;
	want[2].vaddr = far;
	/* d's and k's VSIDs share their low 12 bits: one PTEG for both. */
	put_pte(&t, d, 24, false, 0, 0 | 2, 0);
	put_pte(&t, d + (16 << 20), 24, true, 1, (16 << 20) | 2, 0);
	put_pte(&t, k, 12, false, 2, 0x200000 | 2, 0);
	put_pte(&t, k + 0x1000, 12, true, 6, 0x201000 | 2, 0);
	put_pte(&t, far, 12, false, 3, 0x300000 | 0 | L_N, 0);
	assert_int_equal(pteg_of(&t, d, 24, false), pteg_of(&t, k, 12, false));
	/* Not the kernel's: no KERNEL_VSID bit. */
	ptg_set(t.p, t.base, 14, 0x1234ull << 12 | H_V);
	x = hpt(&t, 1);
	assert_xlat(x, far + 8, 0x300008, 4096, RW | NX);
	assert_xlat(x, d + (17 << 20), 17 << 20, 16 << 20, RW | US);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
	assert_maps(&got, want, 3);
	ptb_maps_free(&got);
	/* Bounds cut the listing. */
	assert_null(ptb_collect(x, k + 0x1000, UINT64_MAX, 0, false, &got));
	assert_int_equal(got.count, 2);
	assert_int_equal(got.maps[0].vaddr, k + 0x1000);
	assert_int_equal(got.maps[0].paddr, 0x201000);
	ptb_maps_free(&got);
	kdx_xlat_destroy(x);
	ptg_free(t.p);
}

static void table_not_in_the_dump(void **state)
{
	struct htab t = new_htab(0);
	uint64_t k = 0xc008000000000000ull;
	struct kdx_xlat *x;
	struct kdx_xlat_result r;
	struct kdx_error *err;

	(void)state;
	ptg_hole(t.p, t.base + pteg_of(&t, k, 12, false) * 128, 128);
	x = hpt(&t, 0);
	err = kdx_xlat_translate(x, k, &r);
	assert_non_null(err);
	assert_non_null(strstr(kdx_error_message(err), "PTEG at 0x"));
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptg_free(t.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lookups),
		cmocka_unit_test(bigger_table_and_maps),
		cmocka_unit_test(table_not_in_the_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
