/* SPDX-License-Identifier: MIT */
/* 32-bit 2-level paging: 4 KiB pages, 4 MiB PSE pages, PSE-36. */
#include "xlat_test.h"

#include <stdio.h>

#define MiB (1ull << 20)

static struct ptb *new32(void)
{
	return ptb_new(KDX_PAGING_X86_32, 8 * MiB, 4 * MiB);
}

static void pages_4k_and_4m(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat *x;

	(void)state;
	ptb_map(p, 0xc0000000u, 0, 4 * MiB, PTB_RW | PTB_G);
	ptb_map(p, 0xc0400000u, 0x400000, 4 * MiB, PTB_RW | PTB_G | PTB_PATLARGE);
	ptb_map(p, 0x08048000u, 0x123000, 4096, PTB_US | PTB_PAT4K);
	ptb_map(p, 0xfffff000u, 0x7000, 4096, PTB_RW);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0xc0123456u, 0x123456, 4 * MiB, RW | GL);
	assert_xlat(x, 0xc07fffffu, 0x7fffff, 4 * MiB, RW | GL | KDX_PAGE_PAT);
	assert_xlat(x, 0x08048abcu, 0x123abc, 4096, US | KDX_PAGE_PAT);
	assert_xlat(x, 0xffffffffu, 0x7fff, 4096, RW);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* PSE-36: physical bits 39:32 of a 4 MiB page come from PDE bits 20:13. */
static void pse36(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	char msg[200];

	(void)state;
	ptb_map(p, 0x40000000u, 0xab80000000ull, 4 * MiB, PTB_RW);
	ptb_map(p, 0x40400000u, 0x1200400000ull, 4 * MiB, 0);
	x = ptb_xlat(p, NULL);
	assert_xlat(x, 0x40012345u, 0xab80012345ull, 4 * MiB, RW);
	assert_xlat(x, 0x40412345u, 0x1200412345ull, 4 * MiB, 0);
	kdx_xlat_destroy(x);
	/* with MAXPHYADDR 36 only 4 high bits exist: 0xab is reserved */
	kdx_xlat_config_init(&cfg);
	cfg.root = ptb_root(p);
	cfg.phys_bits = 36;
	x = ptb_xlat(p, &cfg);
	snprintf(msg, sizeof(msg),
		 "translate 0x40000000: PD entry 0x80156083 at 0x%llx [index 256] has reserved bits set (4 MiB page, PSE-36)",
		 (unsigned long long)ptb_root(p));
	assert_xlat_fails(x, 0x40000000u, KDX_ERR_CORRUPT, msg);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void pse36_bit21_reserved(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat *x;

	(void)state;
	ptb_set(p, ptb_root(p), 1, 0x00400000u | (1u << 21) | PTB_P | PTB_PS);
	x = ptb_xlat(p, NULL);
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(x, 0x00400000u, &r);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

/* Without CR4.PSE the PS bit is ignored: the PDE points to a table. */
static void pse_off(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x;
	uint64_t pt = ptb_alloc_table(p, false);

	(void)state;
	ptb_set(p, ptb_root(p), 2, pt | PTB_P | PTB_PS | PTB_RW);
	ptb_set(p, pt, 5, 0x66000 | PTB_P | PTB_RW);
	kdx_xlat_config_init(&cfg);
	cfg.root = ptb_root(p);
	cfg.flags &= ~KDX_XLAT_PSE;
	x = ptb_xlat(p, &cfg);
	assert_xlat(x, 0x00805010u, 0x66010, 4096, RW);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void beyond_32_bits(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat *x = ptb_xlat(p, NULL);

	(void)state;
	assert_xlat_fails(x, 0x100000000ull, KDX_ERR_INVALID,
			  "0x100000000 is beyond the 32-bit address space of 32-bit 2-level paging");
	kdx_xlat_destroy(x);
	ptb_free(p);
}

static void maps_32(void **state)
{
	struct ptb *p = new32();
	struct kdx_xlat *x;
	struct ptb_maps m;
	const struct want_map want[] = {
		{ 0x08048000u, 0x123000, 0x2000, US },
		/* 4M + 4M (dirty is ignored) + 4K: one run */
		{ 0xc0000000u, 0, 8 * MiB + 4096, RW | GL },
		{ 0xfffff000u, 0xfff000, 4096, 0 },
	};

	(void)state;
	ptb_map(p, 0xc0000000u, 0, 4 * MiB, PTB_RW | PTB_G);
	ptb_map(p, 0xc0400000u, 0x400000, 4 * MiB, PTB_RW | PTB_G | PTB_D);
	ptb_map(p, 0xc0800000u, 0x800000, 4096, PTB_RW | PTB_G);
	ptb_map(p, 0x08048000u, 0x123000, 4096, PTB_US);
	ptb_map(p, 0x08049000u, 0x124000, 4096, PTB_US | PTB_A);
	ptb_map(p, 0xfffff000u, 0xfff000, 4096, 0);
	x = ptb_xlat(p, NULL);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &m));
	assert_maps(&m, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(m.maps[1].page_sizes, 4 * MiB | 4096);
	ptb_maps_free(&m);
	kdx_xlat_destroy(x);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pages_4k_and_4m),
		cmocka_unit_test(pse36),
		cmocka_unit_test(pse36_bit21_reserved),
		cmocka_unit_test(pse_off),
		cmocka_unit_test(beyond_32_bits),
		cmocka_unit_test(maps_32),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
