/* SPDX-License-Identifier: MIT */
/* POWER radix on synthetic tables: a 64 KiB root and three levels of
 * 512 entries, a leaf at every level (512 GiB, 1 GiB, 2 MiB, 4 KiB),
 * the kernel quadrant (addresses 0xc000...), big-endian entries whatever
 * the configured byte order, the EAA permission bits, and malformed
 * entries.  Entries are encoded here from Power ISA v3.0 Book III. */
#include "xlat_test.h"
#include "ptgen.h"

#include <stdio.h>

#define MEM (8ull << 20)
#define TABLES (1ull << 20)
#define Q 0xc000000000000000ull

#define V (1ull << 63)
#define L (1ull << 62)
#define PRIV 0x8ull
#define RD 0x4ull
#define WR 0x2ull
#define EX 0x1ull
#define REF 0x100ull
#define CHG 0x080ull
#define ACC KDX_PAGE_ACCESSED
#define DIRTY KDX_PAGE_DIRTY

/* A directory entry: next-level base, size 2^(NLS + 3) = 4 KiB. */
static uint64_t ptr_entry(uint64_t addr, unsigned int level)
{
	(void)level;
	return V | addr | 9;
}

static uint64_t ptr_of(uint64_t e, unsigned int level)
{
	(void)level;
	return (e & (V | L)) == V ? e & 0x00ffffffffffff00ull : UINT64_MAX;
}

static const struct ptg_shape shape = {
	4, { 39, 30, 21, 12 }, { 8192, 512, 512, 512 }, 0, 8192,
	ptr_entry, ptr_of, NULL
};

static struct kdx_xlat *radix(struct ptg *p, uint64_t root, bool be_flag)
{
	struct kdx_xlat_config xc;

	kdx_xlat_config_init(&xc);
	xc.mode = KDX_PAGING_PPC64_RADIX;
	xc.root = root;
	/* The form reads entries big-endian either way. */
	xc.flags = be_flag ? KDX_XLAT_BIG_ENDIAN : 0;
	return ptg_xlat(p, &xc);
}

static void every_level(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	uint64_t root = ptg_alloc(p, 65536);
	struct want_map want[] = {
		{ Q | 0x10000, 0x1234000, 4096, RW | NX },
		{ Q | 0x40200000, 0x600000, 2 << 20, 0 },
		{ Q | 0x8040000000ull, 0x80000000ull, 1ull << 30, RW | US | NX },
		{ Q | (3ull << 39), 1ull << 40, 1ull << 39, RW | NX },
	};
	struct ptb_maps got;

	(void)state;
	ptg_map(p, &shape, root, want[0].vaddr, 3,
		V | L | 0x1234000 | PRIV | RD | WR | REF | CHG);
	ptg_map(p, &shape, root, want[1].vaddr, 2, V | L | 0x600000 | PRIV | RD | EX);
	ptg_map(p, &shape, root, want[2].vaddr, 1, V | L | 0x80000000ull | RD | WR);
	ptg_map(p, &shape, root, want[3].vaddr, 0, V | L | 1ull << 40 | PRIV | RD | WR);
	for (int be = 0; be <= 1; be++) {
		struct kdx_xlat *x = radix(p, root, be);
		char msg[200];

		assert_xlat(x, Q | 0x10abc, 0x1234abc, 4096, RW | NX | ACC | DIRTY);
		assert_xlat(x, Q | 0x403fffff, 0x7fffff, 2 << 20, 0);
		assert_xlat(x, Q | 0x8040000008ull, 0x80000008ull, 1ull << 30,
			    RW | US | NX);
		assert_xlat(x, Q | (3ull << 39) | 0x123456789ull,
			    (1ull << 40) | 0x123456789ull, 1ull << 39, RW | NX);
		assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &got));
		assert_maps(&got, want, 4);
		ptb_maps_free(&got);
		/* Another quadrant, or bits 61:52 set: not the kernel's. */
		snprintf(msg, sizeof(msg),
			 "0x10000 is outside POWER radix paging's 0xc000000000000000-0xc00fffffffffffff");
		assert_xlat_fails(x, 0x10000, KDX_ERR_INVALID, msg);
		snprintf(msg, sizeof(msg),
			 "0xc010000000010000 is outside POWER radix paging's 0xc000000000000000-0xc00fffffffffffff");
		assert_xlat_fails(x, Q | 1ull << 52 | 0x10000, KDX_ERR_INVALID, msg);
		kdx_xlat_destroy(x);
	}
	ptg_free(p);
}

static void malformed(void **state)
{
	struct ptg *p = ptg_new(MEM, TABLES, 8, true);
	uint64_t root = ptg_alloc(p, 65536), l4, l3;
	struct kdx_xlat *x;
	char msg[250];

	(void)state;
	l4 = ptg_map(p, &shape, root, Q | 0x1000, 3, V | L | 0x5000 | RD);
	l3 = ptr_of(ptg_get(p, ptr_of(ptg_get(p, root, 0), 0), 0), 1);
	ptg_set(p, l4, 2, V | 0x3000 | 9);          /* directory at L4 */
	ptg_set(p, l3, 1, V | L | 0x201000 | RD);   /* misaligned 2 MiB */
	ptg_set(p, l3, 2, V | 0x7000 | 12);         /* NLS: 32 KiB table */
	ptg_set(p, l4, 3, L | 0x6000 | RD);         /* leaf without V */
	x = radix(p, root, false);
	/* No privileged bit: user pages too. */
	assert_xlat(x, Q | 0x1008, 0x5008, 4096, US | NX);
	snprintf(msg, sizeof(msg),
		 "translate 0xc000000000002000: L4 entry 0x8000000000003009 at 0x%llx [index 2] is a directory entry at the last level",
		 (unsigned long long)l4);
	assert_xlat_fails(x, Q | 0x2000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0xc000000000200000: L3 entry 0xc000000000201004 at 0x%llx [index 1] is a misaligned leaf (RPN bits below the page size set)",
		 (unsigned long long)l3);
	assert_xlat_fails(x, Q | 0x200000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0xc000000000400000: L3 entry 0x800000000000700c at 0x%llx [index 2] gives a next-level size (NLS) other than the level's",
		 (unsigned long long)l3);
	assert_xlat_fails(x, Q | 0x400000, KDX_ERR_CORRUPT, msg);
	kdx_xlat_destroy(x);
	ptg_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_level),
		cmocka_unit_test(malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
