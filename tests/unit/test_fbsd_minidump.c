/* SPDX-License-Identifier: MIT */
/* FreeBSD minidumps: every architecture and version mkminidump builds,
 * each physical page, each translation of the kernel map and the direct
 * map, and each byte read through them checked against what the helper
 * recorded; the message buffer, the version string, and every error
 * path of a damaged dump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkcompressed.h"
#include "mkkdump.h"
#include "mkminidump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct mkmd_spec variants[] = {
	{ .arch = MKMD_AMD64, .version = 1 },
	{ .arch = MKMD_AMD64, .version = 1, .kernbase_skew = 0x5000 },
	{ .arch = MKMD_AMD64, .version = 2 },
	{ .arch = MKMD_AMD64, .version = 3 },
	{ .arch = MKMD_I386, .version = 1 },
	{ .arch = MKMD_I386, .version = 2, .kernbase_skew = 0x3000 },
	{ .arch = MKMD_I386, .version = 1, .pae = true },
	{ .arch = MKMD_I386, .version = 2, .pae = true },
	{ .arch = MKMD_ARM, .version = 1 }, /* mmuformat 0: v6 */
	{ .arch = MKMD_ARM, .version = 1, .mmuformat = MKMD_MMU_V4 },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6 },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V4,
	  .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6,
	  .byte_order = KDX_BIG_ENDIAN, .kernbase_skew = 0x10000 },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6_LPAE },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6_LPAE,
	  .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_ARM64, .version = 1 },
	{ .arch = MKMD_ARM64, .version = 2, .kernbase_skew = 0x9000 },
	{ .arch = MKMD_ARM64, .version = 3 },
	{ .arch = MKMD_ARM64, .version = 3, .page_size = 16384 },
	{ .arch = MKMD_RISCV, .version = 1 },
	{ .arch = MKMD_RISCV, .version = 2 },
	{ .arch = MKMD_RISCV, .version = 2, .kernbase_skew = 0x4000,
	  .msgbuf_no_header = true, .version_in_data_only = true },
	{ .arch = MKMD_AMD64, .version = 3, .msgbuf_no_header = true,
	  .version_in_data_only = true },
	{ .arch = MKMD_PPC64, .version = 1, .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_PPC64, .version = 2, .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_PPC64, .version = 2 }, /* powerpc64le */
	{ .arch = MKMD_PPC64, .version = 2, .byte_order = KDX_BIG_ENDIAN,
	  .msgbuf_no_header = true, .version_in_data_only = true },
	{ .arch = MKMD_PPC64, .version = 2, .tiny = true },
	{ .arch = MKMD_PPC64, .version = 1, .byte_order = KDX_BIG_ENDIAN,
	  .hpt = true },
	{ .arch = MKMD_PPC64, .version = 2, .byte_order = KDX_BIG_ENDIAN,
	  .hpt = true },
	{ .arch = MKMD_PPC64, .version = 2, .hpt = true }, /* powerpc64le */
	{ .arch = MKMD_PPC64, .version = 2, .hpt = true, .tiny = true },
	{ .arch = MKMD_MIPS, .version = 1 },
	{ .arch = MKMD_MIPS, .version = 2, .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_MIPS, .version = 2, .kernbase_skew = 0x3000 },
	{ .arch = MKMD_MIPS, .version = 2, .mips64 = true },
	{ .arch = MKMD_MIPS, .version = 2, .mips64 = true,
	  .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_MIPS, .version = 1, .mips64 = true,
	  .byte_order = KDX_BIG_ENDIAN, .tiny = true },
	/* The fuzz seeds' machine: a log that has not wrapped. */
	{ .arch = MKMD_AMD64, .version = 2, .tiny = true },
	{ .arch = MKMD_ARM64, .version = 3, .page_size = 16384, .tiny = true },
	{ .arch = MKMD_I386, .version = 1, .tiny = true, .msgbuf_no_header = true },
};

static const char *describe(const struct mkmd_spec *s)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s%s v%u%s mmu %u %s page %u skew 0x%llx",
		 mkmd_arch_name(s->arch),
		 s->hpt ? " HPT" : s->mips64 ? "64" : "", s->version,
		 s->pae ? " PAE" : "",
		 s->mmuformat, s->byte_order == KDX_BIG_ENDIAN ? "BE" : "LE",
		 s->page_size, (unsigned long long)s->kernbase_skew);
	return buf;
}

static struct kdx_dump *open_dump(const struct mkmd_dump *d)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	kdx_open_options_init(&opts);
	err = kdx_dump_open_memory(d->data, d->size, &opts, &dump);
	if (err)
		fail_msg("%s: %s", describe(&d->spec), kdx_error_message(err));
	return dump;
}

/* Every page of every dump_avail range: dumped pages byte for byte,
 * the others an error naming their address. */
static void check_physical(const struct mkmd_dump *d, struct kdx_dump *dump)
{
	uint8_t *got = malloc(d->page_size), *want = malloc(d->page_size);
	uint64_t dumped = 0;

	assert_non_null(got);
	assert_non_null(want);
	for (unsigned int i = 0; i < d->navail; i++) {
		for (uint64_t pa = d->avail[2 * i]; pa < d->avail[2 * i + 1];
		     pa += d->page_size) {
			struct kdx_error *err =
				kdx_read_phys(dump, pa, got, d->page_size, 0, NULL);

			if (!mkmd_dumped(d, pa)) {
				assert_non_null(err);
				assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
				kdx_error_destroy(err);
				continue;
			}
			if (err)
				fail_msg("%s: pa 0x%llx: %s", describe(&d->spec),
					 (unsigned long long)pa,
					 kdx_error_message(err));
			mkmd_phys_bytes(d, pa, want, d->page_size);
			assert_memory_equal(got, want, d->page_size);
			dumped++;
		}
	}
	assert_int_equal(dumped, d->pages);
	free(got);
	free(want);
}

/* One page of virtual memory: the translation and, when its physical
 * page is dumped, every byte. */
static void check_page(const struct mkmd_dump *d, struct kdx_dump *dump,
		       struct kdx_xlat *xlat, uint64_t va, uint8_t *got,
		       uint8_t *want, uint64_t *mapped)
{
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(xlat, va, &r);
	uint64_t pa;

	if (!mkmd_expect(d, va, &pa)) {
		if (!err)
			fail_msg("%s: va 0x%llx should not be mapped, got pa 0x%llx",
				 describe(&d->spec), (unsigned long long)va,
				 (unsigned long long)r.paddr);
		/* Not mapped, or (riscv's Sv39 below kernbase) not an
		 * address of the mode at all. */
		if (kdx_error_code(err) != KDX_ERR_NODATA &&
		    kdx_error_code(err) != KDX_ERR_INVALID)
			fail_msg("%s: va 0x%llx: %s", describe(&d->spec),
				 (unsigned long long)va, kdx_error_message(err));
		kdx_error_destroy(err);
		return;
	}
	if (err)
		fail_msg("%s: va 0x%llx: %s", describe(&d->spec),
			 (unsigned long long)va, kdx_error_message(err));
	if (r.paddr != pa)
		fail_msg("%s: va 0x%llx -> 0x%llx, expected 0x%llx",
			 describe(&d->spec), (unsigned long long)va,
			 (unsigned long long)r.paddr, (unsigned long long)pa);
	(*mapped)++;
	err = kdx_read_virt(dump, xlat, va, got, d->page_size, 0, NULL);
	if (!mkmd_dumped(d, pa)) {
		assert_non_null(err);
		kdx_error_destroy(err);
		return;
	}
	assert_null(err);
	mkmd_phys_bytes(d, pa, want, d->page_size);
	assert_memory_equal(got, want, d->page_size);
}

/* mips: KSEG0 and KSEG1 (and XKPHYS on mips64) over all of physical
 * memory and a page past it, with no table behind them. */
static void check_mips_segments(const struct mkmd_dump *d, struct kdx_dump *dump,
				struct kdx_xlat *xlat, uint8_t *got, uint8_t *want)
{
	uint64_t high = d->spec.mips64 ? 0xffffffff00000000ull : 0;
	uint64_t bases[3] = { high | 0x80000000ull, high | 0xa0000000ull,
			      0x9800000000000000ull }; /* XKPHYS, cached */
	uint64_t ram = d->avail[2 * d->navail - 1], mapped = 0;

	for (unsigned int b = 0; b < (d->spec.mips64 ? 3u : 2u); b++)
		for (uint64_t pa = 0; pa <= ram; pa += d->page_size)
			check_page(d, dump, xlat, bases[b] + pa, got, want, &mapped);
	assert_int_equal(mapped, (d->spec.mips64 ? 3 : 2) * (ram / d->page_size + 1));
}

static void check_virtual(const struct mkmd_dump *d, struct kdx_dump *dump)
{
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	uint8_t *got = malloc(d->page_size), *want = malloc(d->page_size);
	uint64_t mapped = 0, expected = 0;

	assert_null(kdx_kernel_probe(dump, NULL, &layout));
	assert_null(kdx_kernel_xlat_create(dump, &layout, &xlat));
	/* The kernel map from a page before kernbase to one past its end. */
	for (uint64_t va = d->kernbase - d->page_size;
	     va != d->kernbase + d->kva_size + d->page_size; va += d->page_size)
		check_page(d, dump, xlat, va, got, want, &mapped);
	for (unsigned int i = 0; i < d->nmaps; i++)
		if (d->maps[i].kind != MKMD_INVALID)
			expected += d->maps[i].size / d->page_size;
	/* mips32: the page below an unskewed kernbase is KSEG1's last. */
	if (d->spec.arch == MKMD_MIPS && !d->spec.mips64 &&
	    d->kernbase - d->page_size < 0xc0000000ull)
		expected++;
	assert_int_equal(mapped, expected);
	if (d->spec.arch == MKMD_MIPS)
		check_mips_segments(d, dump, xlat, got, want);
	if (d->has_dmap) {
		mapped = 0;
		for (uint64_t va = d->dmapbase - d->page_size;
		     va != d->dmapend + d->page_size; va += d->page_size)
			check_page(d, dump, xlat, va, got, want, &mapped);
		assert_int_equal(mapped, (d->dmapend - d->dmapbase) / d->page_size);
		assert_int_equal(layout.direct_map, d->dmapbase);
		assert_int_equal(kdx_dump_facts(dump)->direct_map_base, d->dmapbase);
	}
	kdx_xlat_destroy(xlat);
	free(got);
	free(want);
}

static void check_facts(const struct mkmd_dump *d, struct kdx_dump *dump)
{
	char want[32];
	char *text;
	size_t len;

	assert_string_equal(kdx_dump_format_name(dump), "fbsd-minidump");
	assert_int_equal(kdx_dump_arch(dump), d->kdx_arch);
	assert_int_equal(kdx_dump_byte_order(dump), d->spec.byte_order);
	assert_int_equal(kdx_dump_page_size(dump), d->page_size);
	assert_string_equal(dump_detail(dump, "os"), "FreeBSD");
	assert_string_equal(dump_detail(dump, "freebsd_arch"), mkmd_arch_name(d->spec.arch));
	snprintf(want, sizeof(want), "%u", d->spec.version);
	assert_string_equal(dump_detail(dump, "minidump_version"), want);
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)d->kernbase);
	assert_string_equal(dump_detail(dump, "kernbase"), want);
	assert_non_null(dump_detail(dump, "os_release"));
	assert_string_equal(dump_detail(dump, "os_release"), d->version_text);
	assert_null(kdx_dump_msgbuf(dump, &text, &len));
	assert_int_equal(len, d->log_len);
	assert_memory_equal(text, d->log, len);
	free(text);
}

static void every_variant(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct mkmd_dump d;
		struct kdx_dump *dump;

		assert_true(mkmd_build(&variants[i], &d));
		dump = open_dump(&d);
		check_facts(&d, dump);
		check_physical(&d, dump);
		check_virtual(&d, dump);
		kdx_dump_destroy(dump);
		mkmd_free(&d);
	}
}

/* A direct map whose bases are misaligned alike (a 4 KiB page short of
 * 4 MiB past a GiB): one 4 KiB page up to 2 MiB alignment, 2 MiB blocks
 * up to 1 GiB, 1 GiB blocks, then a 2 MiB block and a 4 KiB page at the
 * end.  The builder fills each run of one size in a table at once; every
 * address near each change of size maps where it should, with the
 * largest page its alignment allows. */
static void dmap_runs_of_every_size(void **state)
{
	static const struct {
		uint64_t from, to, page; /* offsets from the 1 GiB base */
	} runs[] = {
		{ 0x3ff000, 0x400000, 0x1000 },
		{ 0x400000, 1ull << 30, 0x200000 },
		{ 1ull << 30, 3ull << 30, 1ull << 30 },
		{ 3ull << 30, (3ull << 30) + 0x200000, 0x200000 },
		{ (3ull << 30) + 0x200000, (3ull << 30) + 0x201000, 0x1000 },
	};
	struct mkmd_spec spec = { .arch = MKMD_ARM64, .version = 3 };
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct kdx_dump *dump;
	struct mkmd_dump d;
	uint64_t base, phys, checked = 0;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	base = d.dmapbase & ~((1ull << 30) - 1);
	phys = (d.dmapphys & ~((1ull << 30) - 1)) + (1ull << 30);
	d.dmapbase = base + runs[0].from;
	d.dmapphys = phys + runs[0].from;
	d.dmapend = base + runs[4].to;
	memcpy(d.data + 48, &d.dmapphys, 8); /* little-endian host and dump */
	memcpy(d.data + 56, &d.dmapbase, 8);
	memcpy(d.data + 64, &d.dmapend, 8);
	dump = open_dump(&d);
	assert_null(kdx_kernel_probe(dump, NULL, &layout));
	assert_null(kdx_kernel_xlat_create(dump, &layout, &xlat));
	for (size_t i = 0; i < sizeof(runs) / sizeof(*runs); i++) {
		/* Four pages at each end of the run, and its middle. */
		uint64_t probes[9] = { runs[i].from, runs[i].from + 0x1000,
				       runs[i].from + 0x2000, runs[i].to - 0x1000,
				       runs[i].to - 0x2000, runs[i].to - 0x3000,
				       runs[i].from / 2 + runs[i].to / 2,
				       runs[i].from + 0x3000, runs[i].to - 0x4000 };

		for (size_t k = 0; k < 9; k++) {
			struct kdx_xlat_result r;
			uint64_t off = probes[k], va = base + off;
			struct kdx_error *err;

			if (off < runs[i].from || off >= runs[i].to)
				continue;
			err = kdx_xlat_translate(xlat, va, &r);
			if (err)
				fail_msg("va 0x%llx: %s", (unsigned long long)va,
					 kdx_error_message(err));
			if (r.paddr != phys + off || r.page_size != runs[i].page)
				fail_msg("va 0x%llx -> 0x%llx (page 0x%llx), expected 0x%llx (page 0x%llx)",
					 (unsigned long long)va,
					 (unsigned long long)r.paddr,
					 (unsigned long long)r.page_size,
					 (unsigned long long)(phys + off),
					 (unsigned long long)runs[i].page);
			checked++;
		}
	}
	assert_int_equal(checked, 33);
	{
		struct kdx_xlat_result r;

		expect_error_text(kdx_xlat_translate(xlat, d.dmapend, &r),
				  KDX_ERR_NODATA, "");
		expect_error_text(kdx_xlat_translate(xlat, d.dmapbase - 0x1000, &r),
				  KDX_ERR_NODATA, "");
	}
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	mkmd_free(&d);
}

/* ---- Damaged dumps ---- */
static void expect_error(const struct mkmd_dump *d, size_t size,
			 enum kdx_error_code code, const char *text1,
			 const char *text2)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	kdx_open_options_init(&opts);
	err = kdx_dump_open_memory(d->data, size, &opts, &dump);
	if (!err)
		fail_msg("opened a damaged dump (%s)", text1);
	if (kdx_error_code(err) != code || !strstr(kdx_error_message(err), text1) ||
	    (text2 && !strstr(kdx_error_message(err), text2)))
		fail_msg("unexpected error: %s (wanted %s, %s)",
			 kdx_error_message(err), text1, text2 ? text2 : "");
	kdx_error_destroy(err);
}

/* A direct map of 4 KiB pages only (bases misaligned differently): 2^20
 * entries (4 GiB) are built, one more is refused before any table is. */
static void dmap_entry_limit(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_ARM64, .version = 3 };
	struct mkmd_dump d;
	uint64_t base, phys;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	base = d.dmapbase & ~((1ull << 30) - 1);
	phys = (d.dmapphys & ~((1ull << 30) - 1)) + (1ull << 30) + 0x1000;
	for (int over = 0; over < 2; over++) {
		uint64_t end = base + (4ull << 30) + (over ? 0x1000 : 0);

		memcpy(d.data + 48, &phys, 8); /* little-endian host and dump */
		memcpy(d.data + 56, &base, 8);
		memcpy(d.data + 64, &end, 8);
		if (over) {
			expect_error(&d, d.size, KDX_ERR_UNSUPPORTED,
				     "needs more than 1048576 entries", NULL);
		} else {
			struct kdx_kernel_layout layout;
			struct kdx_xlat_result r;
			struct kdx_xlat *xlat;
			struct kdx_dump *dump;

			d.dmapbase = base;
			d.dmapphys = phys;
			d.dmapend = end;
			dump = open_dump(&d);
			assert_null(kdx_kernel_probe(dump, NULL, &layout));
			assert_null(kdx_kernel_xlat_create(dump, &layout, &xlat));
			assert_null(kdx_xlat_translate(xlat, end - 0x1000, &r));
			assert_int_equal(r.paddr, phys + (4ull << 30) - 0x1000);
			assert_int_equal(r.page_size, 0x1000);
			kdx_xlat_destroy(xlat);
			kdx_dump_destroy(dump);
		}
	}
	mkmd_free(&d);
}

static void truncated_files(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_AMD64, .version = 3 };
	struct mkmd_dump d;
	char off[32];

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	snprintf(off, sizeof(off), "offset 0x%llx", (unsigned long long)d.bitmap_off);
	expect_error(&d, d.bitmap_off + d.bitmapsize / 2, KDX_ERR_CORRUPT,
		     "page bitmap", off);
	snprintf(off, sizeof(off), "offset 0x%llx", (unsigned long long)d.pmap_off);
	expect_error(&d, d.pmap_off + 16, KDX_ERR_CORRUPT, "page-table area", off);
	snprintf(off, sizeof(off), "marks %llu pages", (unsigned long long)d.pages);
	expect_error(&d, d.size - 1, KDX_ERR_CORRUPT, off, "file holds only");
	expect_error(&d, 40, KDX_ERR_CORRUPT, "only 40 bytes", NULL);
	mkmd_free(&d);
}

static void bad_headers(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_ARM64, .version = 2 };
	struct mkmd_dump d;
	char off[48];

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	put32(d.data + 24, 9, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "version 9", "1 to 3");
	put32(d.data + 24, 2, KDX_LITTLE_ENDIAN);

	/* dump_avail out of order: the second range starts before the
	 * first ends. */
	put64(d.data + d.dumpavail_off + 16, d.avail[0], KDX_LITTLE_ENDIAN);
	snprintf(off, sizeof(off), "entry 1 at offset 0x%llx",
		 (unsigned long long)(d.dumpavail_off + 16));
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "dump_avail", off);
	put64(d.data + d.dumpavail_off + 16, d.avail[2], KDX_LITTLE_ENDIAN);

	/* A kernbase that is not page aligned. */
	put64(d.data + 40, d.kernbase + 0x800, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "kernbase", "aligned");
	put64(d.data + 40, d.kernbase, KDX_LITTLE_ENDIAN);

	/* A page-table area of more entries than the address space holds. */
	put64(d.data + 40, 0xfffffffffff00000ull, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "past the end of the address space",
		     NULL);
	put64(d.data + 40, d.kernbase, KDX_LITTLE_ENDIAN);

	/* An architecture kdx does not read names itself. */
	memcpy(d.data, "minidump FreeBSD/sparc64", 24);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "FreeBSD/sparc64", NULL);
	mkmd_free(&d);
}

/* powerpc64: a radix area that is not a root table, a hashed page table
 * of a size no HTAB has, an MMU kdx does not know, a version read at the
 * fields' offset. */
static void ppc64_headers(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_PPC64, .version = 2,
				  .byte_order = KDX_BIG_ENDIAN };
	struct mkmd_dump d;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	/* The radix root read as an HTAB: too small for one. */
	memcpy(d.data + 32, "mmu_phyp\0", 10);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "area size 0x10000",
		     "not that of a hashed page table");
	memcpy(d.data + 32, "mmu_g5\0\0\0", 10);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "area size 0x10000",
		     "hashed page table");
	memcpy(d.data + 32, "mmu_oea64", 10);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "unknown powerpc64 MMU",
		     "mmu_oea64");
	memcpy(d.data + 32, "\0\0\0\0\0\0\0\0\0\0", 10);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "unknown powerpc64 MMU \"\"",
		     NULL);
	memcpy(d.data + 32, "mmu_radix\0", 10);
	put32(d.data + 76, 0x8000, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "0x8000 bytes",
		     "not the 0x10000 of a POWER radix root table");
	put32(d.data + 76, 0x10000, KDX_BIG_ENDIAN);
	put32(d.data + 64, 3, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "offset 0x40",
		     "powerpc64 minidump version 3 (kdx reads 1 to 2)");
	mkmd_free(&d);
}

/* powerpc64 HPT: a table cut short, a size no HTAB has, a dump whose
 * bitmap claims pages the file lacks; the header little-endian. */
static void hpt_errors(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_PPC64, .version = 2, .hpt = true };
	struct mkmd_dump d;
	char off[48];

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	snprintf(off, sizeof(off), "offset 0x%llx", (unsigned long long)d.pmap_off);
	expect_error(&d, d.pmap_off + d.pmapsize / 2, KDX_ERR_CORRUPT,
		     "page-table area", off);
	snprintf(off, sizeof(off), "marks %llu pages", (unsigned long long)d.pages);
	expect_error(&d, d.size - 4096, KDX_ERR_CORRUPT, off, "file holds only");
	/* 0x30000: not a power of two (the file still holds it). */
	put32(d.data + 76, 0x30000, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "area size 0x30000",
		     "not that of a hashed page table");
	/* 128 KiB: a power of two, but below 2^11 PTEGs. */
	put32(d.data + 76, 0x20000, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "area size 0x20000", NULL);
	put32(d.data + 76, d.pmapsize, KDX_LITTLE_ENDIAN);
	memcpy(d.data + 32, "mmu_moea\0", 9);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "unknown powerpc64 MMU \"mmu_moea\"",
		     NULL);
	mkmd_free(&d);
}

/* mips: a PTE area of part of an entry, one cut short, a kernbase that
 * is no page's, one outside XKSEG, a version past 2. */
static void mips_errors(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_MIPS, .version = 2,
				  .byte_order = KDX_BIG_ENDIAN, .mips64 = true };
	struct mkmd_dump d;
	char off[48];

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	snprintf(off, sizeof(off), "offset 0x%llx", (unsigned long long)d.pmap_off);
	expect_error(&d, d.pmap_off + 100, KDX_ERR_CORRUPT, "page-table area", off);
	put32(d.data + 36, d.pmapsize - 4, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "not a whole number of 8-byte entries",
		     NULL);
	put32(d.data + 36, d.pmapsize, KDX_BIG_ENDIAN);
	put64(d.data + 40, d.kernbase + 0x800, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "kernbase 0xc000000000000800",
		     "MIPS64");
	put64(d.data + 40, 0xd000000000000000ull, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_CORRUPT, "kernbase 0xd000000000000000",
		     NULL);
	put64(d.data + 40, d.kernbase, KDX_BIG_ENDIAN);
	put32(d.data + 24, 3, KDX_BIG_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "mips minidump version 3",
		     "1 to 2");
	mkmd_free(&d);
}

static void arm64_64k_is_refused(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_ARM64, .version = 3 };
	struct mkmd_dump d;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	put32(d.data + 76, 2, KDX_LITTLE_ENDIAN);
	expect_error(&d, d.size, KDX_ERR_UNSUPPORTED, "64 KiB", "offset 0x4c");
	mkmd_free(&d);
}

/* ---- Inside kerneldumpheaders (a dump device's layout) ---- */

static void put_kdh(uint8_t *k, uint64_t length, uint8_t compression)
{
	memset(k, 0, 512);
	memcpy(k, "FreeBSD Kernel Dump", 20);
	memcpy(k + 20, "amd64", 5);
	put32(k + 32, 4, KDX_BIG_ENDIAN);
	put32(k + 36, 2, KDX_BIG_ENDIAN);
	put64(k + 40, length, KDX_BIG_ENDIAN);
	put32(k + 60, 512, KDX_BIG_ENDIAN);
	memcpy(k + 64, "buildhost", 9);
	memcpy(k + 320, "page fault while in kernel mode", 31);
	k[495] = compression;
}

/* [pad][leading header][dump][trailing header] */
static uint8_t *wrap(const struct mkmd_dump *d, size_t pad, uint8_t compression,
		     size_t *size)
{
	uint8_t *buf = calloc(1, pad + 1024 + d->size);

	assert_non_null(buf);
	put_kdh(buf + pad, d->size, compression);
	memcpy(buf + pad + 512, d->data, d->size);
	put_kdh(buf + pad + 512 + d->size, d->size, compression);
	*size = pad + 1024 + d->size;
	return buf;
}

static void inside_kerneldumpheaders(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_AMD64, .version = 3 };
	struct kdx_open_options opts;
	struct mkmd_dump d;
	struct kdx_dump *dump;
	struct kdx_error *err;
	uint8_t *buf;
	size_t size;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	kdx_open_options_init(&opts);

	/* Found by its leading header. */
	buf = wrap(&d, 0, 0, &size);
	assert_null(kdx_dump_open_memory(buf, size, &opts, &dump));
	assert_string_equal(dump_detail(dump, "panic"), "page fault while in kernel mode");
	assert_string_equal(dump_detail(dump, "hostname"), "buildhost");
	check_facts(&d, dump);
	check_physical(&d, dump);
	check_virtual(&d, dump);
	kdx_dump_destroy(dump);
	free(buf);

	/* A partition's image: only the last header says where the dump
	 * is, so the format must be named. */
	buf = wrap(&d, 8192, 0, &size);
	err = kdx_dump_open_memory(buf, size, &opts, &dump);
	assert_non_null(err);
	kdx_error_destroy(err);
	opts.format = "fbsd-minidump";
	assert_null(kdx_dump_open_memory(buf, size, &opts, &dump));
	check_physical(&d, dump);
	check_virtual(&d, dump);
	kdx_dump_destroy(dump);
	free(buf);

	/* Compressed (dumpon -z): named, not misread. */
	buf = wrap(&d, 0, 1, &size);
	err = kdx_dump_open_memory(buf, size, &opts, &dump);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	assert_non_null(strstr(kdx_error_message(err), "gzip"));
	kdx_error_destroy(err);
	/* A header claiming more dump than the file holds. */
	put64(buf + 40, (uint64_t)size, KDX_BIG_ENDIAN);
	buf[495] = 0;
	err = kdx_dump_open_memory(buf, size, &opts, &dump);
	assert_non_null(err);
	if (kdx_error_code(err) != KDX_ERR_CORRUPT)
		fail_msg("%s", kdx_error_message(err));
	assert_non_null(strstr(kdx_error_message(err), "run past the file"));
	kdx_error_destroy(err);
	free(buf);
	mkmd_free(&d);
}

/* ---- Compressed (dumpon -z / -Z, as savecore keeps them) ---- */

/* vmcore.N.gz / vmcore.N.zst: the whole minidump as one stream, zero
 * padding to the device's block after it; every page, translation and
 * byte as in the plain dump. */
static void compressed_dumps(void **state)
{
	static const struct mkmd_spec specs[] = {
		{ .arch = MKMD_AMD64, .version = 3 },
		{ .arch = MKMD_I386, .version = 2, .pae = true },
		{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6,
		  .byte_order = KDX_BIG_ENDIAN },
		{ .arch = MKMD_ARM64, .version = 3, .page_size = 16384 },
		{ .arch = MKMD_RISCV, .version = 2 },
		{ .arch = MKMD_PPC64, .version = 2, .byte_order = KDX_BIG_ENDIAN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		for (int codec = MKZ_GZIP; codec <= MKZ_ZSTD; codec++) {
			struct kdx_open_options opts;
			struct mkmd_dump d;
			struct kdx_dump *dump;
			struct kdx_error *err;
			size_t zlen;
			uint8_t *z;

			assert_true(mkmd_build(&specs[i], &d));
			z = mkz_compress((enum mkz_codec)codec, d.data, d.size, 1,
					 300, &zlen);
			assert_non_null(z);
			kdx_open_options_init(&opts);
			err = kdx_dump_open_memory(z, zlen, &opts, &dump);
			if (err)
				fail_msg("%s: %s", describe(&d.spec),
					 kdx_error_message(err));
			assert_non_null(strstr(dump_detail(dump, "container"),
					       codec == MKZ_GZIP ? "gzip" : "zstd"));
			check_facts(&d, dump);
			check_physical(&d, dump);
			check_virtual(&d, dump);
			kdx_dump_destroy(dump);
			free(z);
			mkmd_free(&d);
		}
	}
}

/* A dump device's image of a compressed dump (dumpon -z / -Z, before
 * savecore): the leading kerneldumpheader's compression field, the
 * stream after it (zero-padded to the block), the trailing header. */
static void compressed_on_the_device(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_ARM64, .version = 3 };
	struct mkmd_dump d;

	(void)state;
	assert_true(mkmd_build(&spec, &d));
	for (int codec = MKZ_GZIP; codec <= MKZ_ZSTD; codec++) {
		struct kdx_open_options opts;
		struct kdx_dump *dump;
		struct kdx_error *err;
		size_t zlen, padded, size;
		uint8_t *z = mkz_compress((enum mkz_codec)codec, d.data, d.size, 1,
					  0, &zlen);
		uint8_t *buf;

		assert_non_null(z);
		padded = (zlen + 511) / 512 * 512;
		size = 512 + padded + 512;
		buf = calloc(1, size);
		assert_non_null(buf);
		put_kdh(buf, zlen, (uint8_t)(codec == MKZ_GZIP ? 1 : 2));
		memcpy(buf + 512, z, zlen);
		put_kdh(buf + 512 + padded, zlen, (uint8_t)(codec == MKZ_GZIP ? 1 : 2));
		kdx_open_options_init(&opts);
		err = kdx_dump_open_memory(buf, size, &opts, &dump);
		if (err)
			fail_msg("%s", kdx_error_message(err));
		assert_non_null(strstr(dump_detail(dump, "container"),
				       codec == MKZ_GZIP ? "gzip" : "zstd"));
		check_facts(&d, dump);
		check_physical(&d, dump);
		check_virtual(&d, dump);
		kdx_dump_destroy(dump);
		/* A length past the file: not taken for a stream. */
		put64(buf + 40, size, KDX_BIG_ENDIAN);
		err = kdx_dump_open_memory(buf, size, &opts, &dump);
		assert_non_null(err);
		kdx_error_destroy(err);
		free(buf);
		free(z);
	}
	mkmd_free(&d);
}

/* ---- A bitmap of millions of runs ---- */

/* An amd64 version-1 header: no message buffer, a bitmap of @bitmap
 * bytes at 4096, a one-page page-table area after it. */
static void amd64_v1_header(uint8_t *head, uint64_t bitmap)
{
	memcpy(head, "minidump FreeBSD/amd64", 22);
	put32(head + 24, 1, KDX_LITTLE_ENDIAN);
	put32(head + 32, (uint32_t)bitmap, KDX_LITTLE_ENDIAN);
	put32(head + 36, 4096, KDX_LITTLE_ENDIAN);
	put64(head + 40, 0xffffffff80000000ull, KDX_LITTLE_ENDIAN);
}

/* Every other page dumped, 2^22 pages: too many runs for one map entry
 * each, so reads go through the rank index.  A sparse file of 8 GiB (the
 * page data is a hole but for two pages). */
static void many_runs_read_through_the_rank(void **state)
{
	enum { PAGES = 1 << 22 };
	char path[] = "/tmp/kdx-fbsd-runs-XXXXXX";
	uint64_t bitmap = PAGES / 8, sparse = 4096 + bitmap + 4096, pa;
	uint8_t page[4096], got[4096];
	struct kdx_dump *dump;
	struct kdx_error *err;
	uint8_t *head = calloc(1, sparse);
	int fd = mkstemp(path);
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(head);
	amd64_v1_header(head, bitmap);
	memset(head + 4096, 0x55, bitmap); /* pages 0, 2, 4, ... */
	assert_int_equal(pwrite(fd, head, sparse, 0), (ssize_t)sparse);
	/* Page 2 * 777777 is the 777777th dumped page. */
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(pwrite(fd, page, sizeof(page), (off_t)(sparse + 777777ull * 4096)),
			 (ssize_t)sizeof(page));
	assert_int_equal(ftruncate(fd, (off_t)(sparse + PAGES / 2 * 4096ull)), 0);
	close(fd);
	err = kdx_dump_open(path, NULL, &dump);
	unlink(path);
	if (err)
		fail_msg("%s", kdx_error_message(err));
	assert_non_null(strstr(kdx_dump_warnings(dump, &n)[0], "bitmap index"));
	pa = 2 * 777777ull * 4096;
	assert_null(kdx_read_phys(dump, pa, got, sizeof(got), 0, NULL));
	assert_memory_equal(got, page, sizeof(page));
	/* A read across two dumped pages and the hole between them. */
	err = kdx_read_phys(dump, pa + 4000, got, 200, 0, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_non_null(strstr(kdx_error_message(err), "0x17bc63000"));
	kdx_error_destroy(err);
	assert_null(kdx_read_phys(dump, pa - 8192, got, 16, 0, NULL));
	kdx_dump_destroy(dump);
	free(head);
}

/* Runs of every length from 1 to 1,500 pages, dumped and not, across
 * the rank index's 512-page blocks (some all dumped, some none): the
 * memory map is exactly the runs, and a page reads from its rank. */
static void runs_across_rank_blocks(void **state)
{
	enum { PAGES = 1 << 16, MAX_RUNS = 4096 };
	char path[] = "/tmp/kdx-fbsd-blocks-XXXXXX";
	uint64_t bitmap = PAGES / 8, sparse = 4096 + bitmap + 4096;
	uint64_t run_start[MAX_RUNS], run_len[MAX_RUNS], rank = 0, pfn = 0;
	uint64_t seed = 12345;
	const struct kdx_phys_range *r;
	uint8_t *head = calloc(1, sparse), got[4096], want[4096];
	size_t nruns = 0, n, k;
	struct kdx_dump *dump;
	struct kdx_error *err;
	bool dumped = false;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_non_null(head);
	amd64_v1_header(head, bitmap);
	while (pfn < PAGES) {
		uint64_t len;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		len = seed >> 33;
		len = len % 4 ? 1 + len % 40 : 1 + len % 1500;
		if (len > PAGES - pfn)
			len = PAGES - pfn;
		if (dumped) {
			assert_true(nruns < MAX_RUNS);
			run_start[nruns] = pfn;
			run_len[nruns++] = len;
			for (uint64_t p = pfn; p < pfn + len; p++)
				head[4096 + p / 8] |= (uint8_t)(1u << (p % 8));
		}
		pfn += len;
		dumped = !dumped;
	}
	assert_int_equal(pwrite(fd, head, sparse, 0), (ssize_t)sparse);
	/* The first and last page of every run hold their pfn. */
	for (k = 0; k < nruns; k++) {
		uint64_t last = run_start[k] + run_len[k] - 1;

		memset(want, 0, sizeof(want));
		put64(want, run_start[k], KDX_LITTLE_ENDIAN);
		assert_int_equal(pwrite(fd, want, sizeof(want), (off_t)(sparse + rank * 4096)),
				 (ssize_t)sizeof(want));
		put64(want, last, KDX_LITTLE_ENDIAN);
		assert_int_equal(pwrite(fd, want, sizeof(want),
					(off_t)(sparse + (rank + run_len[k] - 1) * 4096)),
				 (ssize_t)sizeof(want));
		rank += run_len[k];
	}
	assert_int_equal(ftruncate(fd, (off_t)(sparse + rank * 4096)), 0);
	close(fd);
	err = kdx_dump_open(path, NULL, &dump);
	unlink(path);
	if (err)
		fail_msg("%s", kdx_error_message(err));
	r = kdx_dump_phys_ranges(dump, &n);
	for (size_t i = 0, j = 0; i < n; i++) {
		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		assert_true(j < nruns);
		assert_int_equal(r[i].start, run_start[j] * 4096);
		assert_int_equal(r[i].size, run_len[j] * 4096);
		j++;
		if (i + 1 == n)
			assert_int_equal(j, nruns);
	}
	for (k = 0; k < nruns; k++) {
		uint64_t last = run_start[k] + run_len[k] - 1;

		put64(want, run_start[k], KDX_LITTLE_ENDIAN);
		assert_null(kdx_read_phys(dump, run_start[k] * 4096, got, 8, 0, NULL));
		assert_memory_equal(got, want, 8);
		put64(want, last, KDX_LITTLE_ENDIAN);
		assert_null(kdx_read_phys(dump, last * 4096, got, 8, 0, NULL));
		assert_memory_equal(got, want, 8);
	}
	kdx_dump_destroy(dump);
	free(head);
}

/* A minidump in a flattened stream whose records left its message
 * buffer out: the buffer is not read (its bytes would be zeros, and a
 * fuzzed header claimed 1.7 GB of them: 39 s and 4 GB per open); the
 * error names the first unwritten offset. */
static void msgbuf_in_a_flattened_gap(void **state)
{
	struct mkflat_options fo = { .no_end_marker = true };
	struct mkmd_dump d;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	uint8_t *f;
	size_t size, len;
	uint64_t at;
	char *text = NULL;

	(void)state;
	assert_true(mkmd_build(&variants[0], &d));
	fo.hole_start = d.msgbuf_off;
	fo.hole_size = d.dumpavail_off - d.msgbuf_off;
	f = mkflat_build(d.data, d.size, &fo, &size);
	assert_null(kdx_dump_open_memory(f, size, NULL, &dump));
	err = kdx_dump_msgbuf(dump, &text, &len);
	assert_non_null(err);
	assert_null(text);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_true(kdx_error_file_offset(err, &at));
	assert_int_equal(at, d.msgbuf_off);
	assert_non_null(strstr(kdx_error_message(err), "minidump message buffer at offset 0x"));
	assert_non_null(strstr(kdx_error_message(err), "no record of the flattened stream wrote offset 0x"));
	kdx_error_destroy(err);
	kdx_dump_destroy(dump);
	free(f);
	mkmd_free(&d);
}

/* The same with the page bitmap or the page-table area left out: the
 * open fails naming the first unwritten offset (fuzz_fbsd_minidump: a
 * stream of a few records claimed a 1.2 GB bitmap, copied and scanned,
 * seconds per open). */
static void tables_in_a_flattened_gap(void **state)
{
	struct mkflat_options fo = { .no_end_marker = true };
	struct mkmd_dump d;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	uint8_t *f;
	size_t size;
	uint64_t at;

	(void)state;
	assert_true(mkmd_build(&variants[0], &d));
	for (int which = 0; which < 2; which++) {
		fo.hole_start = which ? d.pmap_off : d.bitmap_off;
		fo.hole_size = 8;
		f = mkflat_build(d.data, d.size, &fo, &size);
		err = kdx_dump_open_memory(f, size, NULL, &dump);
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
		assert_true(kdx_error_file_offset(err, &at));
		assert_int_equal(at, fo.hole_start);
		assert_non_null(strstr(kdx_error_message(err),
				       which ? "minidump page-table area" :
					       "minidump page bitmap"));
		kdx_error_destroy(err);
		free(f);
	}
	mkmd_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_variant),
		cmocka_unit_test(dmap_runs_of_every_size),
		cmocka_unit_test(dmap_entry_limit),
		cmocka_unit_test(truncated_files),
		cmocka_unit_test(bad_headers),
		cmocka_unit_test(arm64_64k_is_refused),
		cmocka_unit_test(ppc64_headers),
		cmocka_unit_test(hpt_errors),
		cmocka_unit_test(mips_errors),
		cmocka_unit_test(inside_kerneldumpheaders),
		cmocka_unit_test(compressed_dumps),
		cmocka_unit_test(compressed_on_the_device),
		cmocka_unit_test(many_runs_read_through_the_rank),
		cmocka_unit_test(runs_across_rank_blocks),
		cmocka_unit_test(msgbuf_in_a_flattened_gap),
		cmocka_unit_test(tables_in_a_flattened_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
