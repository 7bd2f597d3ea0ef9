/* SPDX-License-Identifier: MIT */
/* The xl_save reader on mkxlsave's images: every page (the last copy of
 * each pfn), the facts, a stream cut short, bad record lengths, unknown
 * records, and a kernel walked through the vCPU's canonical CR3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "mkxlsave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE MKXLS_PAGE
#define LE KDX_LITTLE_ENDIAN
#define NPFN 6      /* pfns 0..5 hold data at the end */
#define MAX_PFN 16u /* SHARED_INFO's */

/* The stream's entries: pfn 4 twice (the second copy wins), pfn 7 sent
 * then marked XTAB (a hole), pfn 9 only XTAB.  The guest: pfn 3 is the
 * L4, 1 the L3, 2 the L2, 0 the L1 mapping 0xffffffff81000000 to pfn 0
 * and 0xffffffff81001000 to pfn 4; pfn 5 holds VMCOREINFO naming no
 * page-table root. */
static const uint64_t entry_pfn[] = { 5, 4, 7, 1, 3, 9, 2, 0, 4, 7 };
static const uint8_t entry_type[] = {
	MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_L4TAB_PIN,
	MKXLS_XTAB,  MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_XTAB,
};
#define NENTRIES (sizeof(entry_pfn) / sizeof(entry_pfn[0]))
#define NDATA 8u
#define PER_RECORD 3u

static const char fresh[] = "Linux seed data";
static const char stale[] = "an older copy";
static const char vmci[] = "OSRELEASE=6.1.0-xlsave\nPAGESIZE=4096\n";

struct image {
	uint8_t data[NDATA * PAGE];   /* the pages in stream order */
	const uint8_t *want[NPFN];    /* pfn -> its last copy */
	uint8_t *bytes;
	size_t size;
	struct mkxls_layout layout;
	struct kdx_dump *dump;
};

static uint8_t *page(struct image *im, size_t i)
{
	return im->data + i * PAGE;
}

/* Page i of data is entry i's (entries 5 and 9 have none). */
static void fill_pages(struct image *im)
{
	uint64_t f = 0x67; /* P RW US A D */

	memset(im->data, 0, sizeof(im->data));
	for (size_t i = 0; i < NDATA; i++)
		memset(page(im, i) + 2048, 0xa0 + (int)i, 2048);
	memcpy(page(im, 0), vmci, sizeof(vmci) - 1);         /* pfn 5 */
	memcpy(page(im, 1), stale, sizeof(stale));           /* pfn 4 */
	put64(page(im, 3) + 510 * 8, 2 << 12 | f, LE);       /* pfn 1: L3 */
	put64(page(im, 4) + 511 * 8, 1 << 12 | f, LE);       /* pfn 3: L4 */
	put64(page(im, 5) + 8 * 8, 0 << 12 | f, LE);         /* pfn 2: L2 */
	put64(page(im, 6) + 0 * 8, 0 << 12 | f, LE);         /* pfn 0: L1 */
	put64(page(im, 6) + 1 * 8, (uint64_t)4 << 12 | f, LE);
	memcpy(page(im, 7), fresh, sizeof(fresh));           /* pfn 4 */
	im->want[5] = page(im, 0);
	im->want[1] = page(im, 3);
	im->want[3] = page(im, 4);
	im->want[2] = page(im, 5);
	im->want[0] = page(im, 6);
	im->want[4] = page(im, 7);
}

static void spec_init(struct mkxls_spec *s, struct image *im)
{
	mkxls_spec_init(s);
	s->nr_entries = NENTRIES;
	s->pfns = entry_pfn;
	s->types = entry_type;
	s->pages = im->data;
	s->per_record = PER_RECORD;
	s->nr_vcpus = 2;
	s->cr3 = 3 << 12 | 0x8; /* PWT: not part of the root */
	s->max_pfn = MAX_PFN;
	s->p2m_end = 31;
}

static void build(struct image *im, const struct mkxls_spec *s)
{
	im->bytes = mkxls_build(s, &im->size, &im->layout);
	assert_non_null(im->bytes);
}

static struct kdx_error *open_image(struct image *im, size_t size)
{
	im->dump = NULL;
	return kdx_dump_open_memory(im->bytes, size, NULL, &im->dump);
}

static void open_ok(struct image *im, size_t size)
{
	struct kdx_error *err = open_image(im, size);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_string_equal(kdx_dump_format_name(im->dump), "xl_save");
}

static void done(struct image *im)
{
	kdx_dump_destroy(im->dump);
	free(im->bytes);
}

static void expect_error(struct kdx_error *err, enum kdx_error_code code,
			 const char *needle)
{
	if (!err)
		fail_msg("expected an error containing '%s'", needle);
	if (kdx_error_code(err) != code || !strstr(kdx_error_message(err), needle))
		fail_msg("got %s error '%s', expected %s with '%s'",
			 kdx_error_code_name(kdx_error_code(err)),
			 kdx_error_message(err), kdx_error_code_name(code),
			 needle);
	kdx_error_destroy(err);
}

static bool has_warning(const struct kdx_dump *d, const char *needle)
{
	size_t n;
	const char *const *w = kdx_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(w[i], needle))
			return true;
	return false;
}

static void check_page(const struct kdx_dump *d, uint64_t pfn,
		       const uint8_t *want)
{
	uint8_t buf[PAGE];
	struct kdx_error *err = kdx_read_phys(d, pfn * PAGE, buf, PAGE, 0, NULL);

	if (err)
		fail_msg("pfn %llu: %s", (unsigned long long)pfn,
			 kdx_error_message(err));
	assert_memory_equal(buf, want, PAGE);
}

static void check_hole(const struct kdx_dump *d, uint64_t pfn)
{
	uint8_t buf[8];

	expect_error(kdx_read_phys(d, pfn * PAGE, buf, sizeof(buf), 0, NULL),
		     KDX_ERR_NODATA, "");
}

static void every_page_is_its_last_copy(void **state)
{
	struct image im;
	struct mkxls_spec s;
	const struct kdx_phys_range *r;
	size_t n;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	build(&im, &s);
	open_ok(&im, im.size);
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		check_page(im.dump, pfn, im.want[pfn]);
	check_hole(im.dump, 7); /* sent, then marked XTAB */
	check_hole(im.dump, 9); /* XTAB only */
	check_hole(im.dump, 6);
	r = kdx_dump_phys_ranges(im.dump, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].start, 0);
	assert_int_equal(r[0].size, NPFN * PAGE);
	assert_false(has_warning(im.dump, "xl save"));
	done(&im);
}

static void facts_of_a_64bit_guest(void **state)
{
	struct image im;
	struct mkxls_spec s;
	const struct kdx_dump_facts *f;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	build(&im, &s);
	open_ok(&im, im.size);
	f = kdx_dump_facts(im.dump);
	assert_int_equal(kdx_dump_arch(im.dump), KDX_ARCH_X86_64);
	assert_true(f->set & KDX_FACT_WORD_SIZE);
	assert_int_equal(f->word_size, 8);
	assert_true(f->set & KDX_FACT_NR_CPUS);
	assert_int_equal(f->nr_cpus, 2);
	assert_true(f->set & KDX_FACT_MAX_PFN);
	assert_int_equal(f->max_pfn, MAX_PFN);
	assert_true(f->set & KDX_FACT_NR_PAGES);
	assert_int_equal(f->nr_pages, NPFN);
	assert_true(f->set & KDX_FACT_FORMAT_VERSION);
	assert_int_equal(f->format_version, 3);
	assert_true(f->set & KDX_FACT_PGT_ROOT);
	assert_int_equal(f->pgt_root_form, KDX_ROOT_ADDRESS);
	assert_int_equal(f->pgt_root, 3 * PAGE);
	assert_false(f->pgt_root_machine);
	assert_int_equal(f->flags, 0);
	done(&im);

	/* No SHARED_INFO: max_pfn is one past the p2m's last pfn. */
	s.max_pfn = 0;
	build(&im, &s);
	open_ok(&im, im.size);
	assert_int_equal(kdx_dump_facts(im.dump)->max_pfn, 32);
	done(&im);
}

static void facts_of_a_32bit_guest(void **state)
{
	struct image im;
	struct mkxls_spec s;
	const struct kdx_dump_facts *f;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	s.word_size = 4;
	s.nr_vcpus = 1;
	s.cr3 = mkxls_fold_cr3(0x100003); /* a frame above 4 GiB */
	s.max_pfn = 0x100004;
	build(&im, &s);
	open_ok(&im, im.size);
	f = kdx_dump_facts(im.dump);
	assert_int_equal(kdx_dump_arch(im.dump), KDX_ARCH_I386);
	assert_int_equal(f->word_size, 4);
	assert_int_equal(f->nr_cpus, 1);
	assert_int_equal(f->max_pfn, 0x100004);
	assert_int_equal(f->pgt_root, UINT64_C(0x100003) * PAGE);
	done(&im);
}

/* linux-x86 takes the root from the fact when VMCOREINFO names none. */
static void kernel_walked_from_the_vcpu_cr3(void **state)
{
	struct image im;
	struct mkxls_spec s;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	char buf[sizeof(fresh)];
	struct kdx_error *err;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	build(&im, &s);
	open_ok(&im, im.size);
	err = kdx_kernel_probe(im.dump, NULL, &layout);
	if (err)
		fail_msg("probe: %s", kdx_error_message(err));
	assert_true(layout.has_root);
	assert_int_equal(layout.root, 3 * PAGE);
	assert_non_null(strstr(layout.root_source, "page-table root"));
	err = kdx_kernel_xlat_create(im.dump, &layout, &xlat);
	if (err)
		fail_msg("xlat: %s", kdx_error_message(err));
	err = kdx_read_virt(im.dump, xlat, 0xffffffff81001000ull, buf,
			    sizeof(buf), 0, NULL);
	if (err)
		fail_msg("read: %s", kdx_error_message(err));
	assert_memory_equal(buf, fresh, sizeof(fresh));
	kdx_xlat_destroy(xlat);
	done(&im);
}

/* A cut inside the third PAGE_DATA record keeps the first two's pages
 * (pfn 4's older copy among them) and says so. */
static void cut_stream_keeps_what_came_before(void **state)
{
	struct image im;
	struct mkxls_spec s;
	size_t third;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	build(&im, &s);
	/* Records 1 and 2: 3 entries each, 3 and 2 pages. */
	third = im.layout.first_page_data + (8 + 8 + 3 * 8 + 3 * PAGE) +
		(8 + 8 + 3 * 8 + 2 * PAGE);
	open_ok(&im, third + 100);
	assert_true(has_warning(im.dump, "cut short"));
	assert_true(kdx_dump_facts(im.dump)->flags & KDX_DUMP_TRUNCATED);
	check_page(im.dump, 5, page(&im, 0));
	check_page(im.dump, 4, page(&im, 1));
	check_page(im.dump, 7, page(&im, 2));
	check_page(im.dump, 1, page(&im, 3));
	check_page(im.dump, 3, page(&im, 4));
	check_hole(im.dump, 0);
	check_hole(im.dump, 2);
	kdx_dump_destroy(im.dump);

	expect_error(open_image(&im, 40), KDX_ERR_CORRUPT,
		     "shorter than xl's header");
	expect_error(open_image(&im, im.layout.libxc_start + 20),
		     KDX_ERR_CORRUPT, "inside libxc's image header");
	/* Every other cut opens or fails cleanly. */
	for (size_t cut = 0; cut < im.size; cut += 61) {
		struct kdx_error *err = open_image(&im, cut);

		if (err)
			kdx_error_destroy(err);
		else
			kdx_dump_destroy(im.dump);
	}
	free(im.bytes);
}

static void bad_record_length_names_the_record(void **state)
{
	static const int32_t deltas[] = { 8, -8, -(int32_t)PAGE, 1 };
	struct image im;
	struct mkxls_spec s;
	char where[64];

	(void)state;
	fill_pages(&im);
	for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++) {
		spec_init(&s, &im);
		s.page_data_len_delta = deltas[i];
		build(&im, &s);
		snprintf(where, sizeof(where), "PAGE_DATA record at offset 0x%zx",
			 im.layout.first_page_data);
		expect_error(open_image(&im, im.size), KDX_ERR_CORRUPT, where);
		assert_null(im.dump);
		free(im.bytes);
	}
	/* A length past the file's end: the stream is cut short there. */
	spec_init(&s, &im);
	s.page_data_len_delta = 1 << 30;
	build(&im, &s);
	open_ok(&im, im.size);
	snprintf(where, sizeof(where), "libxc record at offset 0x%zx",
		 im.layout.first_page_data);
	assert_true(has_warning(im.dump, where));
	assert_true(kdx_dump_facts(im.dump)->flags & KDX_DUMP_TRUNCATED);
	check_hole(im.dump, 5);
	done(&im);
}

static void unknown_records_are_skipped(void **state)
{
	struct image im;
	struct mkxls_spec s;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	s.unknown_optional = true;
	build(&im, &s);
	open_ok(&im, im.size);
	assert_false(has_warning(im.dump, "xl save"));
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		check_page(im.dump, pfn, im.want[pfn]);
	done(&im);

	s.unknown_mandatory = true;
	build(&im, &s);
	open_ok(&im, im.size);
	assert_true(has_warning(im.dump, "unknown mandatory type 0x7fff0000"));
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		check_page(im.dump, pfn, im.want[pfn]);
	done(&im);
}

static void stream_without_end_warns(void **state)
{
	struct image im;
	struct mkxls_spec s;

	(void)state;
	fill_pages(&im);
	spec_init(&s, &im);
	s.no_end = true;
	build(&im, &s);
	open_ok(&im, im.size);
	assert_true(has_warning(im.dump, "cut short"));
	for (uint64_t pfn = 0; pfn < NPFN; pfn++)
		check_page(im.dump, pfn, im.want[pfn]);
	assert_int_equal(kdx_dump_facts(im.dump)->nr_cpus, 2);
	done(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_page_is_its_last_copy),
		cmocka_unit_test(facts_of_a_64bit_guest),
		cmocka_unit_test(facts_of_a_32bit_guest),
		cmocka_unit_test(kernel_walked_from_the_vcpu_cr3),
		cmocka_unit_test(cut_stream_keeps_what_came_before),
		cmocka_unit_test(bad_record_length_names_the_record),
		cmocka_unit_test(unknown_records_are_skipped),
		cmocka_unit_test(stream_without_end_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
