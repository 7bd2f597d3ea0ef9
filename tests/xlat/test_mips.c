/* SPDX-License-Identifier: MIT */
/* MIPS on synthetic tables: mips32 (two levels of 1024 4-byte entries)
 * and mips64 (three levels of 512 8-byte entries over XKSEG), both byte
 * orders; EntryLo leaves (frame from bit 6, V, D, G, C), entries that are
 * not valid, and the unmapped segments (KSEG0/KSEG1, XKPHYS) that need
 * no table and win over one.  Leaves encoded here from the MIPS32/MIPS64
 * privileged architecture (EntryLo0/1). */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>

#define MEM (8ull << 20)
#define TABLES (1ull << 20)
#define XKSEG 0xc000000000000000ull
#define DIRTY KDX_PAGE_DIRTY
#define PCD KDX_PAGE_PCD

static uint64_t ptr_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return addr | 1;
}

static uint64_t ptr_of(uint64_t e, unsigned int level)
{
	(void)level;
	return e ? e & ~0xfffull : UINT64_MAX;
}

static const struct ptg_shape shape32 = {
	2, { 22, 12 }, { 1024, 1024 }, 0, 1024, ptr_entry, ptr_of, NULL
};

static const struct ptg_shape shape64 = {
	3, { 30, 21, 12 }, { 512, 512, 512 }, 0, 512, ptr_entry, ptr_of, NULL
};

/* EntryLo for @pa: C 3 (cacheable) | D | V | G, as given. */
static uint64_t lo(uint64_t pa, bool d, bool v, bool g, unsigned int c)
{
	return (pa >> 12) << 6 | (uint64_t)c << 3 | (d ? 4 : 0) | (v ? 2 : 0) | (g ? 1 : 0);
}

static struct kdx_xlat *mips(struct ptg *p, enum kdx_paging_mode mode,
			     uint64_t root, bool be)
{
	struct kdx_xlat_config xc;

	kdx_xlat_config_init(&xc);
	xc.mode = mode;
	xc.root = root;
	xc.flags = be ? KDX_XLAT_BIG_ENDIAN : 0;
	return ptg_xlat(p, &xc);
}

static void mips32(void **state)
{
	(void)state;
	for (int be = 0; be <= 1; be++) {
		struct ptg *p = ptg_new(MEM, TABLES, 4, be);
		uint64_t root = ptg_alloc(p, 4096), pt;
		struct want_map want[] = {
			{ 0xc0000000, 0x5000, 0x1000, RW | GL },
			{ 0xc0001000, 0x7000, 0x1000, PCD },
			{ 0xc0400000, 0x1ffff000, 0x1000, RW },
		};
		struct ptb_maps got;
		struct kdx_xlat *x;
		char msg[200];

		pt = ptg_map(p, &shape32, root, 0xc0000000, 1, lo(0x5000, true, true, true, 3));
		ptg_map(p, &shape32, root, 0xc0001000, 1, lo(0x7000, false, true, false, 2));
		ptg_map(p, &shape32, root, 0xc0002000, 1, lo(0x9000, true, false, true, 3));
		ptg_map(p, &shape32, root, 0xc0400000, 1, lo(0x1ffff000, true, true, false, 3));
		/* A table over KSEG0: the segment wins, tables unread. */
		ptg_map(p, &shape32, root, 0x80001000, 1, lo(0x3000, true, true, false, 3));
		x = mips(p, KDX_PAGING_MIPS32, root, be);
		assert_xlat(x, 0xc0000123, 0x5123, 4096, RW | DIRTY | GL);
		assert_xlat(x, 0xc0001ffc, 0x7ffc, 4096, PCD);
		assert_xlat(x, 0xc0400010, 0x1ffff010, 4096, RW | DIRTY);
		assert_xlat(x, 0x80001008, 0x1008, 4096, RW);
		assert_xlat(x, 0x9fffffff, 0x1fffffff, 4096, RW);
		assert_xlat(x, 0xa0000040, 0x40, 4096, RW | PCD);
		snprintf(msg, sizeof(msg),
			 "translate 0xc0002000: PTE entry 0x%llx at 0x%llx [index 2] not present",
			 (unsigned long long)lo(0x9000, true, false, true, 3),
			 (unsigned long long)pt);
		assert_xlat_fails(x, 0xc0002000, KDX_ERR_NODATA, msg);
		snprintf(msg, sizeof(msg),
			 "translate 0xc0800000: PDE entry 0x0 at 0x%llx [index 770] not present",
			 (unsigned long long)root);
		assert_xlat_fails(x, 0xc0800000, KDX_ERR_NODATA, msg);
		/* The listing of the whole space: the tables only, not the
		 * segments, and not the table entry over KSEG0 (the CPU never
		 * reads it; listing it contradicted the translation). */
		assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
		assert_maps(&got, want, 3);
		ptb_maps_free(&got);
		kdx_xlat_destroy(x);
		ptg_free(p);
	}
}

static void mips64(void **state)
{
	(void)state;
	for (int be = 0; be <= 1; be++) {
		struct ptg *p = ptg_new(MEM, TABLES, 8, be);
		uint64_t root = ptg_alloc(p, 4096);
		struct kdx_xlat *x;
		char msg[200];

		ptg_map(p, &shape64, root, XKSEG | 0x1000, 2,
			lo(0xfffffff000ull, true, true, true, 3));
		ptg_map(p, &shape64, root, XKSEG | 0x7fffff000ull, 2,
			lo(0x2000, false, true, true, 3));
		x = mips(p, KDX_PAGING_MIPS64, root, be);
		/* The widest frame FreeBSD's PTE holds: 40 bits. */
		assert_xlat(x, XKSEG | 0x1abc, 0xfffffffabcull, 4096, RW | DIRTY | GL);
		assert_xlat(x, XKSEG | 0x7ffffffffull, 0x2fff, 4096, GL);
		/* KSEG0/KSEG1 sign-extended; XKPHYS by its cache attribute. */
		assert_xlat(x, 0xffffffff80123456ull, 0x123456, 4096, RW);
		assert_xlat(x, 0xffffffffa0000008ull, 0x8, 4096, RW | PCD);
		assert_xlat(x, 0x9800000000201000ull, 0x201000, 4096, RW);
		assert_xlat(x, 0x9000000000201000ull, 0x201000, 4096, RW | PCD);
		assert_xlat(x, 0x9800ffffffffffffull, 0xffffffffffffull, 4096, RW);
		/* Beyond 48 physical bits, outside XKSEG: not an address. */
		snprintf(msg, sizeof(msg),
			 "0x9801000000000000 is outside MIPS64 paging's 0xc000000000000000-0xc000007fffffffff");
		assert_xlat_fails(x, 0x9801000000000000ull, KDX_ERR_INVALID, msg);
		snprintf(msg, sizeof(msg),
			 "0xc000008000000000 is outside MIPS64 paging's 0xc000000000000000-0xc000007fffffffff");
		assert_xlat_fails(x, 0xc000008000000000ull, KDX_ERR_INVALID, msg);
		snprintf(msg, sizeof(msg),
			 "translate 0xc000000000400000: PDE entry 0x0 at 0x%llx [index 2] not present",
			 (unsigned long long)ptr_of(ptg_get(p, root, 0), 0));
		assert_xlat_fails(x, XKSEG | 0x400000, KDX_ERR_NODATA, msg);
		kdx_xlat_destroy(x);
		ptg_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mips32),
		cmocka_unit_test(mips64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
