/* SPDX-License-Identifier: MIT */
/* PAE 3-level paging: 32-byte PDPT, 4 KiB and 2 MiB pages, NX. */
#include "xlat_test.h"

#include <stdio.h>

#define MiB (1ull << 20)

static struct ptb *newpae(void)
{
	return ptb_new(KDX_PAGING_X86_PAE, 8 * MiB, 4 * MiB);
}

static void pages(void **state)
{
	struct ptb *p = newpae();
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0xc0000000u, 0x200000, 2 * MiB, PTB_RW | PTB_G);
	ptb_map(p, 0xc0200000u, 0x3000, 4096, PTB_RW | PTB_NX);
	ptb_map(p, 0x00001000u, 0x400005000ull, 4096, PTB_US);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0xc0012345u, 0x212345, 2 * MiB, RW | GL);
	assert_xlat(x, 0xc0200fffu, 0x3fff, 4096, RW | NX);
	/* PAE reaches physical memory above 4 GiB */
	assert_xlat(x, 0x00001004u, 0x400005004ull, 4096, US);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* The PDPT is 32-byte aligned; CR3 bits 3 and 4 (PWT, PCD) are masked. */
static void unaligned_pdpt(void **state)
{
	struct ptb *p = newpae();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	uint64_t pdpt, pd;

	(void)state;
	ptb_map(p, 0xc0000000u, 0x600000, 2 * MiB, PTB_RW);
	pd = ptb_table(p, 0xc0000000u, 1);
	pdpt = ptb_alloc_table(p, true);
	pdpt = ptb_alloc_table(p, true); /* a second one: offset 0x20 */
	assert_int_equal(pdpt & 0xfff, 0x20);
	ptb_set(p, pdpt, 3, pd | PTB_P);
	kdx_xlat_config_init(&cfg);
	cfg.root = pdpt | 0x18;
	x = ptb_xlat(p, &cfg);
	assert_int_equal(kdx_xlat_root(x), pdpt);
	assert_xlat(x, 0xc0000010u, 0x600010, 2 * MiB, RW);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void pdpte_reserved(void **state)
{
	struct ptb *p = newpae();
	struct kdx_xlat *x;
	char msg[200];
	uint64_t pd;

	(void)state;
	ptb_map(p, 0x40000000u, 0x1000, 4096, PTB_RW);
	pd = ptb_table(p, 0x40000000u, 1);
	/* R/W and Accessed, as real 686-pae kernels leave them: accepted */
	ptb_set(p, ptb_root(p), 1, pd | PTB_P | PTB_RW | PTB_A);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0x40000010u, 0x1010, 4096, RW);
	/* bits above the address field are reserved */
	ptb_set(p, ptb_root(p), 1, pd | PTB_P | (1ull << 62));
	kdx_xlat_flush(x);
	snprintf(msg, sizeof(msg),
		 "translate 0x40000000: PDPT entry 0x%llx at 0x%llx [index 1] has reserved bits set (PAE PDPT entry)",
		 (unsigned long long)(pd | 1 | (1ull << 62)),
		 (unsigned long long)ptb_root(p));
	assert_xlat_fails(x, 0x40000000u, KDX_ERR_CORRUPT, msg);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void maps_pae(void **state)
{
	struct ptb *p = newpae();
	struct kdx_xlat *x;
	struct ptb_maps m;
	const struct want_map want[] = {
		{ 0xbfe00000u, 0x0, 4 * MiB + 4096, RW },
		{ 0xc0201000u, 0x999000, 4096, RW },
	};

	(void)state;
	/* a run crossing a PDPT entry boundary (1 GiB) and mixing sizes */
	ptb_map(p, 0xbfe00000u, 0x0, 2 * MiB, PTB_RW);
	ptb_map(p, 0xc0000000u, 0x200000, 2 * MiB, PTB_RW);
	ptb_map(p, 0xc0200000u, 0x400000, 4096, PTB_RW);
	ptb_map(p, 0xc0201000u, 0x999000, 4096, PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_maps(&m, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(m.maps[0].page_sizes, 2 * MiB | 4096);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages),
		cmocka_unit_test(unaligned_pdpt),
		cmocka_unit_test(pdpte_reserved),
		cmocka_unit_test(maps_pae),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
