/* SPDX-License-Identifier: MIT */
/* IA-32e 4-level paging: every page size, flags, errors, caches. */
#include "xlat_test.h"

#include <stdio.h>

#define MiB (1ull << 20)
#define GiB (1ull << 30)
#define MEM (16 * MiB)
#define TABLES (8 * MiB)

static struct ptb *new4(void)
{
	return ptb_new(KDX_PAGING_X86_64, MEM, TABLES);
}

static void page_sizes(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0xffffffff81000000ull, 0x1000000, 2 * MiB, PTB_RW | PTB_G);
	ptb_map(p, 0xffff888000000000ull, 0, GiB, PTB_RW | PTB_NX | PTB_G);
	ptb_map(p, 0x00007f0000001000ull, 0x123000, 4096,
		PTB_RW | PTB_US | PTB_NX | PTB_A | PTB_D);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0xffffffff81000000ull, 0x1000000, 2 * MiB, RW | GL);
	assert_xlat(x, 0xffffffff811fffffull, 0x11fffff, 2 * MiB, RW | GL);
	assert_xlat(x, 0xffff888012345678ull, 0x12345678, GiB, RW | NX | GL);
	assert_xlat(x, 0x00007f0000001abcull, 0x123abc, 4096,
		    RW | US | NX | KDX_PAGE_ACCESSED | KDX_PAGE_DIRTY);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* PAT is bit 7 in a 4 KiB PTE and bit 12 in a large page. */
static void pat_bits(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0x1000, 0x5000, 4096, PTB_PAT4K | PTB_PWT | PTB_PCD);
	ptb_map(p, 0x200000, 0x400000, 2 * MiB, PTB_PATLARGE);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0x1000, 0x5000, 4096,
		    KDX_PAGE_PAT | KDX_PAGE_PWT | KDX_PAGE_PCD);
	/* bit 12 is PAT, not part of the 2 MiB frame address */
	assert_xlat(x, 0x200010, 0x400010, 2 * MiB, KDX_PAGE_PAT);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Writable/user only if every level allows; NX if any level forbids. */
static void effective_rights(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	uint64_t pml4 = ptb_root(p);
	uint64_t pdpt;

	(void)state;
	ptb_map(p, 0x40001000, 0x7000, 4096, PTB_RW | PTB_US);
	pdpt = ptb_table(p, 0x40001000, 1);
	/* PML4 entry: read-only, supervisor, NX */
	ptb_set(p, pml4, 0, pdpt | PTB_P | PTB_NX);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0x40001000, 0x7000, 4096, NX);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void not_present_names_entry(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	char msg[200];
	uint64_t pd;

	(void)state;
	ptb_map(p, 0xffff888000000000ull, 0x100000, 4096, PTB_RW);
	pd = ptb_table(p, 0xffff888000000000ull, 2);
	x = ptb_xlat(p, NULL);
	snprintf(msg, sizeof(msg),
		 "translate 0xffff888000201000: PD entry 0x0 at 0x%llx [index 1] not present",
		 (unsigned long long)pd);
	assert_xlat_fails(x, 0xffff888000201000ull, KDX_ERR_NODATA, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0xffffffff81000000: PML4 entry 0x0 at 0x%llx [index 511] not present",
		 (unsigned long long)ptb_root(p));
	assert_xlat_fails(x, 0xffffffff81000000ull, KDX_ERR_NODATA, msg);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void error_address_is_virtual(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x = ptb_xlat(p, NULL);
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(x, 0x1234, &r);
	uint64_t addr = 0;

	(void)state;
	assert_non_null(err);
	assert_true(kdx_error_address(err, &addr));
	assert_int_equal(addr, 0x1234);
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void non_canonical(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x = ptb_xlat(p, NULL);

	(void)state;
	assert_xlat_fails(x, 0x0000800000000000ull, KDX_ERR_INVALID,
			  "0x800000000000 is not canonical (IA-32e 4-level paging: bits 63-47 must all equal bit 47)");
	assert_xlat_fails(x, 0xff00000000000000ull, KDX_ERR_INVALID,
			  "0xff00000000000000 is not canonical (IA-32e 4-level paging: bits 63-47 must all equal bit 47)");
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void reserved_bits(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	char msg[200];
	uint64_t pml4 = ptb_root(p), pd;

	(void)state;
	ptb_map(p, 0x200000, 0x400000, 2 * MiB, 0);
	pd = ptb_table(p, 0x200000, 2);
	/* 2 MiB page with bit 13 set: reserved */
	ptb_set(p, pd, 2, 0x402000 | PTB_P | PTB_PS);
	/* PS in a PML4 entry: reserved */
	ptb_set(p, pml4, 3, 0x40000000 | PTB_P | PTB_PS);
	/* a 4K page above MAXPHYADDR 36 */
	ptb_map(p, 0x600000, 1ull << 40, 4096, 0);
	kdx_xlat_config_init(&cfg);
	cfg.root = pml4;
	cfg.phys_bits = 36;
	x = ptb_xlat(p, &cfg);
	snprintf(msg, sizeof(msg),
		 "translate 0x400000: PD entry 0x402081 at 0x%llx [index 2] has reserved bits set below its large-page address",
		 (unsigned long long)pd);
	assert_xlat_fails(x, 0x400000, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x18000000000: PML4 entry 0x40000081 at 0x%llx [index 3] has the PS bit set, which is reserved at this level",
		 (unsigned long long)pml4);
	assert_xlat_fails(x, 3ull << 39, KDX_ERR_CORRUPT, msg);
	snprintf(msg, sizeof(msg),
		 "translate 0x600000: PT entry 0x10000000001 at 0x%llx [index 0] has address bits above MAXPHYADDR set (reserved)",
		 (unsigned long long)ptb_table(p, 0x600000, 3));
	assert_xlat_fails(x, 0x600000, KDX_ERR_CORRUPT, msg);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void nx_without_nxe(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0x1000, 0x2000, 4096, PTB_NX);
	kdx_xlat_config_init(&cfg);
	cfg.root = ptb_root(p);
	cfg.flags &= ~KDX_XLAT_NXE;
	x = ptb_xlat(p, &cfg);
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(x, 0x1000, &r);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_non_null(strstr(kdx_error_message(err), "NX bit set"));
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* A table pointer past the end of memory: the error names the table and
 * the entry that pointed there, and keeps the reader's cause. */
static void table_past_memory(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	char msg[300];
	uint64_t pdpt;

	(void)state;
	ptb_map(p, 0x40000000, 0x1000, 4096, 0);
	pdpt = ptb_table(p, 0x40000000, 1);
	ptb_set(p, pdpt, 1, 0x7ff000000ull | PTB_P | PTB_RW);
	x = ptb_xlat(p, NULL);
	snprintf(msg, sizeof(msg),
		 "translate 0x40000000: PD table at 0x7ff000000 (from PDPT entry 0x7ff000003 at 0x%llx [index 1]): physical 0x7ff000000 is past the end of memory",
		 (unsigned long long)pdpt);
	assert_xlat_fails(x, 0x40000000, KDX_ERR_NODATA, msg);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void root_in_hole(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	struct ptb_maps m;
	struct kdx_error *err;

	(void)state;
	ptb_map(p, 0x1000, 0x2000, 4096, 0);
	ptb_add_hole(p, ptb_root(p), 4096);
	x = ptb_xlat(p, NULL);
	char msg[200];
	snprintf(msg, sizeof(msg),
		 "translate 0x1000: PML4 table at 0x%llx (the root): physical 0x%llx is in a hole",
		 (unsigned long long)ptb_root(p), (unsigned long long)ptb_root(p));
	assert_xlat_fails(x, 0x1000, KDX_ERR_NODATA, msg);
	err = ptb_collect(x, 0, UINT64_MAX, 0, false, &m);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_int_equal(m.count, 0);
	kdx_error_destroy(err);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	/* and a root past the end of memory */
	kdx_xlat_config_init(&cfg);
	cfg.root = 1ull << 40;
	x = ptb_xlat(p, &cfg);
	assert_xlat_fails(x, 0x1000, KDX_ERR_NODATA,
			  "translate 0x1000: PML4 table at 0x10000000000 (the root): physical 0x10000000000 is past the end of memory");
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* A leaf may point anywhere: translation does not need the page. */
static void leaf_past_memory(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0xffffc90000000000ull, 0xfee00000ull, 4096, PTB_RW | PTB_PCD);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0xffffc90000000010ull, 0xfee00010ull, 4096,
		    RW | KDX_PAGE_PCD);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* CR3 may carry a PCID; SME's C-bit is cleared from entries. */
static void cr3_pcid_and_sme(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	uint64_t pt;

	(void)state;
	ptb_map(p, 0x3000, 0x9000, 4096, 0);
	pt = ptb_table(p, 0x3000, 3);
	ptb_set(p, pt, 3, (1ull << 47) | 0x9000 | PTB_P);
	kdx_xlat_config_init(&cfg);
	cfg.root = ptb_root(p) | 0x5a5; /* PCID */
	cfg.ignore_mask = 1ull << 47;
	x = ptb_xlat(p, &cfg);
	assert_int_equal(kdx_xlat_root(x), ptb_root(p));
	assert_xlat(x, 0x3000, 0x9000, 4096, 0);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void trace_levels(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct kdx_xlat_trace t;
	struct kdx_xlat_result r;
	uint64_t va = 0xffff888000203000ull;
	struct kdx_error *err;

	(void)state;
	ptb_map(p, va, 0xabc000, 4096, PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_null(kdx_xlat_trace(x, va, &r, &t));
	assert_int_equal(t.count, 4);
	assert_string_equal(t.steps[0].level, "PML4");
	assert_string_equal(t.steps[3].level, "PT");
	assert_int_equal(t.steps[0].table, ptb_root(p));
	assert_int_equal(t.steps[0].index, 273);
	assert_int_equal(t.steps[0].entry_addr, ptb_root(p) + 273 * 8);
	assert_int_equal(t.steps[2].index, 1);
	assert_int_equal(t.steps[3].index, 3);
	assert_int_equal(t.steps[3].entry, 0xabc000 | PTB_P | PTB_RW);
	assert_int_equal(t.steps[3].size, 8);
	/* failing walk: the last step is the entry that stopped it */
	err = kdx_xlat_trace(x, va + 0x200000, &r, &t);
	assert_non_null(err);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.steps[2].entry, 0);
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void caches(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct kdx_xlat_stats s;
	unsigned long reads;

	(void)state;
	for (uint64_t i = 0; i < 64; i++)
		ptb_map(p, 0xffff888000000000ull + i * 4096, 0x100000 + i * 8192,
			4096, PTB_RW);
	ptb_map(p, 0xffffffff80000000ull, 0x200000, 2 * MiB, 0);
	x = ptb_xlat(p, NULL);
	for (uint64_t i = 0; i < 64; i++)
		assert_xlat(x, 0xffff888000000000ull + i * 4096 + 8,
			    0x100000 + i * 8192 + 8, 4096, RW);
	/* four tables for the first walk, then the table cache serves */
	assert_int_equal(ptb_reads(p), 4);
	for (uint64_t i = 0; i < 64; i++)
		assert_xlat(x, 0xffff888000000000ull + i * 4096 + 16,
			    0x100000 + i * 8192 + 16, 4096, RW);
	assert_xlat(x, 0xffffffff80000000ull, 0x200000, 2 * MiB, 0);
	assert_xlat(x, 0xffffffff801fffffull, 0x3fffff, 2 * MiB, 0);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.translations, 130);
	assert_int_equal(s.tlb_hits, 65);
	reads = ptb_reads(p);
	kdx_xlat_flush(x);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.translations, 0);
	assert_xlat(x, 0xffffffff80000000ull, 0x200000, 2 * MiB, 0);
	assert_int_equal(ptb_reads(p), reads + 3);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* The small-page TLB holds thousands of pages, and a hit gives back the
 * flags packed beside the page base exactly. */
static void tlb_holds_many_small_pages(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct kdx_xlat_stats s;
	const uint64_t base = 0xffffc90000000000ull, n = 8192;
	const unsigned int flags = RW | NX | GL | KDX_PAGE_ACCESSED |
				   KDX_PAGE_DIRTY | KDX_PAGE_PCD;

	(void)state;
	for (uint64_t i = 0; i < n; i++)
		ptb_map(p, base + i * 4096, 0x7ff000 - (i * 4096) % 0x400000,
			4096, PTB_RW | PTB_NX | PTB_G | PTB_A | PTB_D | PTB_PCD);
	x = ptb_xlat(p, NULL);
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t i = 0; i < n; i++)
			assert_xlat(x, base + i * 4096 + 0x123,
				    0x7ff000 - (i * 4096) % 0x400000 + 0x123,
				    4096, flags);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.translations, 2 * n);
	assert_int_equal(s.tlb_hits, n);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* The paging-structure cache: once a 2 MiB block's PTE table is known,
 * a walk of another small page in it reads one entry, and gives the
 * same flags (rights and NX from the levels above) and the same error
 * text as a full walk. */
static void block_cache_keeps_rights_and_errors(void **state)
{
	struct ptb *p = new4();
	struct kdx_xlat *x;
	struct kdx_xlat_stats s;
	struct kdx_xlat_trace t;
	struct kdx_xlat_result r;
	const uint64_t base = 0xffffc90000200000ull;
	uint64_t pd, hits;
	unsigned int idx;
	char cached[256];
	struct kdx_error *err;

	(void)state;
	for (uint64_t i = 0; i < 8; i++)
		if (i != 5)
			ptb_map(p, base + i * 4096, 0x300000 + i * 4096, 4096,
				PTB_RW | PTB_US);
	/* The PD entry takes away user access and adds NX. */
	pd = ptb_table(p, base, 2);
	idx = (unsigned int)(base >> 21) & 511;
	ptb_set(p, pd, idx, (ptb_get(p, pd, idx) | PTB_NX) & ~PTB_US);
	x = ptb_xlat(p, NULL);

	assert_xlat(x, base + 0x10, 0x300010, 4096, RW | NX);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.table_hits + s.table_reads, 4);
	hits = s.table_hits + s.table_reads;
	for (uint64_t i = 1; i < 8; i++) {
		if (i == 5)
			continue;
		assert_xlat(x, base + i * 4096, 0x300000 + i * 4096, 4096,
			    RW | NX);
		kdx_xlat_get_stats(x, &s);
		assert_int_equal(s.table_hits + s.table_reads, hits + 1);
		hits++;
	}
	err = kdx_xlat_translate(x, base + 5 * 4096, &r);
	assert_non_null(err);
	snprintf(cached, sizeof(cached), "%s", kdx_error_message(err));
	kdx_error_destroy(err);
	/* A trace still shows all four levels. */
	assert_null(kdx_xlat_trace(x, base + 0x2000, &r, &t));
	assert_int_equal(t.count, 4);
	assert_int_equal(r.flags, RW | NX);

	kdx_xlat_flush(x);
	assert_xlat_fails(x, base + 5 * 4096, KDX_ERR_NODATA, cached);
	kdx_xlat_get_stats(x, &s);
	assert_int_equal(s.table_hits + s.table_reads, 4);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Table entries the walks have read so far. */
static uint64_t entries_read(const struct kdx_xlat *x)
{
	struct kdx_xlat_stats s;

	kdx_xlat_get_stats(x, &s);
	return s.table_hits + s.table_reads;
}

/* The block cache keeps two blocks whose sets collide (8 GiB apart in
 * one region: a PV guest's espfix aliases and vmalloc area are such);
 * a third drops the block inserted least recently. */
static void block_cache_two_ways(void **state)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 8 << 20, 4 << 20);
	const uint64_t a = 0xffffc90000200000ull, apart = 8ull << 30;
	struct kdx_xlat *x;
	uint64_t before;

	(void)state;
	for (uint64_t b = 0; b < 3; b++)
		for (uint64_t i = 0; i < 3; i++)
			ptb_map(p, a + b * apart + i * 4096,
				0x100000 + (b * 3 + i) * 4096, 4096, PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, a, 0x100000, 4096, RW);
	assert_xlat(x, a + apart, 0x100000 + 3 * 4096, 4096, RW);
	before = entries_read(x);
	/* both blocks cached: one entry each */
	assert_xlat(x, a + 4096, 0x100000 + 4096, 4096, RW);
	assert_xlat(x, a + apart + 4096, 0x100000 + 4 * 4096, 4096, RW);
	assert_int_equal(entries_read(x), before + 2);
	/* a third block: the first one inserted is dropped */
	assert_xlat(x, a + 2 * apart, 0x100000 + 6 * 4096, 4096, RW);
	before = entries_read(x);
	assert_xlat(x, a + apart + 2 * 4096, 0x100000 + 5 * 4096, 4096, RW);
	assert_int_equal(entries_read(x), before + 1);
	assert_xlat(x, a + 2 * 4096, 0x100000 + 2 * 4096, 4096, RW);
	assert_int_equal(entries_read(x), before + 1 + 4);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void bad_config(void **state)
{
	struct kdx_xlat_config cfg;
	struct kdx_xlat_ops ops = { .version = KDX_XLAT_OPS_VERSION };
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	(void)state;
	kdx_xlat_config_init(&cfg);
	cfg.mode = KDX_PAGING_X86_64;
	err = kdx_xlat_create(&cfg, &ops, NULL, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	kdx_error_destroy(err);
	assert_null(x);
}

static void mode_names(void **state)
{
	enum kdx_paging_mode m;

	(void)state;
	assert_true(kdx_paging_mode_from_name("4level", &m));
	assert_int_equal(m, KDX_PAGING_X86_64);
	assert_true(kdx_paging_mode_from_name("la57", &m));
	assert_int_equal(m, KDX_PAGING_X86_LA57);
	assert_string_equal(kdx_paging_mode_name(KDX_PAGING_X86_PAE), "x86-pae");
	assert_false(kdx_paging_mode_from_name("ppc64-hash", &m));
	assert_true(kdx_paging_mode_from_name("sv39", &m));
	assert_int_equal(m, KDX_PAGING_RISCV_SV39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(page_sizes),
		cmocka_unit_test(pat_bits),
		cmocka_unit_test(effective_rights),
		cmocka_unit_test(not_present_names_entry),
		cmocka_unit_test(error_address_is_virtual),
		cmocka_unit_test(non_canonical),
		cmocka_unit_test(reserved_bits),
		cmocka_unit_test(nx_without_nxe),
		cmocka_unit_test(table_past_memory),
		cmocka_unit_test(root_in_hole),
		cmocka_unit_test(leaf_past_memory),
		cmocka_unit_test(cr3_pcid_and_sme),
		cmocka_unit_test(trace_levels),
		cmocka_unit_test(caches),
		cmocka_unit_test(tlb_holds_many_small_pages),
		cmocka_unit_test(block_cache_keeps_rights_and_errors),
		cmocka_unit_test(block_cache_two_ways),
		cmocka_unit_test(bad_config),
		cmocka_unit_test(mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
