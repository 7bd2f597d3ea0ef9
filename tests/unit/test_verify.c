/* SPDX-License-Identifier: MIT */
/* kdx_dump_verify(): a sound dump has no problem and every page read;
 * damage injected into synthetic dumps (flipped bytes in compressed
 * pages, a broken descriptor, a file cut short) is reported once per run
 * of damaged pages, at the physical range and file offsets the builder
 * says the damage is at. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "mkelf.h"
#include "mkkdump.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_PROBLEMS = 16, PAGES = 64 };

struct seen {
	struct kdx_verify_problem p[MAX_PROBLEMS];
	size_t n;
};

static bool collect(const struct kdx_verify_problem *p, void *arg)
{
	struct seen *s = arg;

	if (s->n < MAX_PROBLEMS) {
		s->p[s->n] = *p;
		s->p[s->n].message = NULL; /* valid only in the callback */
		s->n++;
	}
	return true;
}

/* PAGES pages of zlib data, a hole, four excluded pages. */
static struct mkkdump *new_dump(void)
{
	struct mkkdump_options o = { .machine = "x86_64",
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);

	mkkdump_set_pages(m, 0, PAGES, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, PAGES + 8, 4, MKKDUMP_EXCLUDED,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, PAGES + 16, 1, MKKDUMP_DATA,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-kdx-test\nPAGESIZE=4096\n");
	return m;
}

static void verify_bytes(const uint8_t *bytes, size_t size, struct seen *s,
			 struct kdx_verify_stats *st)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(bytes, size, NULL, &d);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	memset(s, 0, sizeof(*s));
	assert_null(kdx_dump_verify(d, collect, s, st));
	assert_int_equal(st->problems, s->n);
	kdx_dump_destroy(d);
}

static void sound_dump_has_no_problem(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_verify_stats st;
	struct seen s;

	(void)state;
	verify_bytes(b, size, &s, &st);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.pages, PAGES + 1);
	assert_int_equal(st.bytes, (PAGES + 1) * 4096);
	assert_int_equal(st.bad_pages, 0);
	free(b);
	mkkdump_free(m);
}

static void flip(uint8_t *b, uint64_t offset)
{
	for (int i = 0; i < 4; i++)
		b[offset + (uint64_t)i] ^= 0xa5;
}

/* Pages 17 and 18 damaged (one run), page 40 (another). */
static void flipped_bytes_are_ranges(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_verify_stats st;
	struct seen s;

	(void)state;
	flip(b, mkkdump_data_offset(m, 17));
	flip(b, mkkdump_data_offset(m, 18));
	flip(b, mkkdump_data_offset(m, 40));
	verify_bytes(b, size, &s, &st);
	assert_int_equal(s.n, 2);
	assert_int_equal(st.bad_pages, 3);
	assert_int_equal(st.pages, PAGES + 1);
	assert_int_equal(s.p[0].area, KDX_VERIFY_PAGES);
	assert_int_equal(s.p[0].phys_start, 17 * 4096);
	assert_int_equal(s.p[0].phys_size, 2 * 4096);
	assert_true(s.p[0].has_file_offset);
	assert_int_equal(s.p[0].file_first, mkkdump_data_offset(m, 17));
	assert_int_equal(s.p[0].file_last, mkkdump_data_offset(m, 18));
	assert_int_equal(s.p[1].phys_start, 40 * 4096);
	assert_int_equal(s.p[1].phys_size, 4096);
	assert_int_equal(s.p[1].file_first, mkkdump_data_offset(m, 40));
	free(b);
	mkkdump_free(m);
}

/* A descriptor whose stored size is absurd: its page alone, at the
 * descriptor's offset. */
static void broken_descriptor_names_its_offset(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_verify_stats st;
	struct seen s;

	(void)state;
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 20) + 8, 0xffffff, 4);
	verify_bytes(b, size, &s, &st);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.p[0].phys_start, 20 * 4096);
	assert_int_equal(s.p[0].phys_size, 4096);
	assert_int_equal(s.p[0].file_first, mkkdump_desc_offset(m, 20));
	free(b);
	mkkdump_free(m);
}

/* Cut inside page 30's data: the open keeps pages 0-29 and says the rest
 * is lost; verify reports that, and the pages kept are sound. */
static void truncated_file_is_a_header_problem(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_verify_stats st;
	struct seen s;

	(void)state;
	verify_bytes(b, mkkdump_data_offset(m, 30) + 10, &s, &st);
	assert_true(s.n >= 1);
	assert_int_equal(s.p[0].area, KDX_VERIFY_HEADERS);
	assert_int_equal(st.bad_pages, 0);
	assert_int_equal(st.pages, 30);
	free(b);
	mkkdump_free(m);
}

static void vmcoreinfo_disagreeing_is_reported(void **state)
{
	struct mkkdump_options o = { .machine = "x86_64" };
	struct mkkdump *m = mkkdump_new(&o);
	size_t size;
	uint8_t *b;
	struct kdx_verify_stats st;
	struct seen s;

	(void)state;
	mkkdump_set_pages(m, 0, 2, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	/* The header's release is mkkdump's default, not this one. */
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=9.9.9-other\nPAGESIZE=4096\n");
	b = mkkdump_build(m, &size);
	verify_bytes(b, size, &s, &st);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.p[0].area, KDX_VERIFY_VMCOREINFO);
	free(b);
	mkkdump_free(m);
}

/* An ELF cut inside its second segment. */
static void truncated_elf(void **state)
{
	struct mkelf_options o = { .class_bits = 64, .machine = 62 };
	struct mkelf *m = mkelf_new(&o);
	struct mkelf_load a = { .paddr = 0, .filesz = 0x4000, .memsz = 0x4000 };
	struct mkelf_load c = { .paddr = 0x100000, .filesz = 0x4000,
				.memsz = 0x4000 };
	struct kdx_verify_stats st;
	struct seen s;
	size_t size;
	uint8_t *b;

	(void)state;
	mkelf_add_load(m, &a);
	mkelf_add_load(m, &c);
	b = mkelf_build(m, &size);
	verify_bytes(b, size, &s, &st);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.pages, 8);
	verify_bytes(b, size - 0x2000, &s, &st);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.p[0].area, KDX_VERIFY_HEADERS);
	assert_int_equal(st.pages, 6);
	free(b);
	mkelf_free(m);
}

/* Read back @d's page @pfn: the builder's bytes, or absent when lost. */
static void check_salvaged_page(const struct mkkdump *m, struct kdx_dump *d,
				uint64_t pfn, bool lost)
{
	uint8_t want[4096], got[4096];
	struct kdx_error *err = kdx_read_phys(d, pfn * 4096, got, 4096, 0,
					      NULL);

	if (lost || mkkdump_page_kind(m, pfn) == MKKDUMP_HOLE ||
	    mkkdump_page_kind(m, pfn) == MKKDUMP_EXCLUDED) {
		if (!err)
			fail_msg("pfn %llu reads, but it is not there",
				 (unsigned long long)pfn);
		assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
		kdx_error_destroy(err);
		return;
	}
	if (err)
		fail_msg("pfn %llu: %s", (unsigned long long)pfn,
			 kdx_error_message(err));
	mkkdump_expected_page(m, pfn, want);
	assert_memory_equal(got, want, 4096);
}

static bool is_lost(uint64_t pfn)
{
	return pfn == 17 || pfn == 18 || pfn == 20 || pfn == 40;
}

/* Convert the salvaged dump to @format and check the output page by
 * page against the builder, and its KDX note. */
static void check_converted(const struct mkkdump *m, struct kdx_dump *d,
			    enum kdx_output_format format)
{
	char path[] = "/tmp/kdx-test-salvage-XXXXXX";
	struct kdx_convert_options o;
	struct kdx_dump *out = NULL;
	const struct kdx_note *notes;
	struct kdx_error *err;
	size_t n, kdx_notes = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	kdx_convert_options_init(&o);
	o.format = format;
	o.threads = 1;
	err = kdx_convert(d, path, &o, NULL);
	if (!err)
		err = kdx_dump_open(path, NULL, &out);
	unlink(path);
	if (err)
		fail_msg("convert: %s", kdx_error_message(err));
	for (uint64_t pfn = 0; pfn < PAGES + 20; pfn++)
		check_salvaged_page(m, out, pfn, is_lost(pfn));
	notes = kdx_dump_notes(out, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(notes[i].name, "KDX")) {
			kdx_notes++;
			assert_int_equal(notes[i].type, KDX_NOTE_SALVAGE);
			assert_int_equal(notes[i].desc_size,
					 strlen(kdx_dump_lost(d)));
			assert_memory_equal(notes[i].desc, kdx_dump_lost(d),
					    notes[i].desc_size);
		}
	assert_int_equal(kdx_notes, 1);
	kdx_dump_destroy(out);
}

/* Flipped bytes in pages 17, 18 and 40, a broken descriptor for page
 * 20: salvage keeps every other page, byte for byte, in the dump and in
 * its conversions to kdump and ELF, and records the loss. */
static void salvage_keeps_every_readable_page(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_verify_stats st;
	struct kdx_dump *d = NULL;
	struct seen s = { 0 };
	const char *lost;

	(void)state;
	flip(b, mkkdump_data_offset(m, 17));
	flip(b, mkkdump_data_offset(m, 18));
	flip(b, mkkdump_data_offset(m, 40));
	mkkdump_patch(m, b, mkkdump_desc_offset(m, 20) + 8, 0xffffff, 4);
	assert_null(kdx_dump_open_memory(b, size, NULL, &d));
	assert_null(kdx_dump_lost(d));
	assert_null(kdx_dump_salvage(d, collect, &s, &st));
	assert_int_equal(s.n, 3);
	assert_int_equal(st.bad_pages, 4);
	lost = kdx_dump_lost(d);
	assert_non_null(lost);
	assert_non_null(strstr(lost, "lost physical 0x11000-0x12fff"));
	assert_non_null(strstr(lost, "lost physical 0x14000-0x14fff"));
	assert_non_null(strstr(lost, "lost physical 0x28000-0x28fff"));
	for (uint64_t pfn = 0; pfn < PAGES + 20; pfn++)
		check_salvaged_page(m, d, pfn, is_lost(pfn));
	check_converted(m, d, KDX_OUTPUT_KDUMP);
	check_converted(m, d, KDX_OUTPUT_ELF);
	kdx_dump_destroy(d);
	free(b);
	mkkdump_free(m);
}

/* A sound dump salvages to itself, with no note. */
static void salvage_of_a_sound_dump_loses_nothing(void **state)
{
	struct mkkdump *m = new_dump();
	size_t size, before, after;
	uint8_t *b = mkkdump_build(m, &size);
	struct kdx_dump *d = NULL;

	(void)state;
	assert_null(kdx_dump_open_memory(b, size, NULL, &d));
	kdx_dump_phys_ranges(d, &before);
	assert_null(kdx_dump_salvage(d, NULL, NULL, NULL));
	kdx_dump_phys_ranges(d, &after);
	assert_int_equal(before, after);
	assert_null(kdx_dump_lost(d));
	for (uint64_t pfn = 0; pfn < PAGES + 20; pfn++)
		check_salvaged_page(m, d, pfn, false);
	kdx_dump_destroy(d);
	free(b);
	mkkdump_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sound_dump_has_no_problem),
		cmocka_unit_test(flipped_bytes_are_ranges),
		cmocka_unit_test(broken_descriptor_names_its_offset),
		cmocka_unit_test(truncated_file_is_a_header_problem),
		cmocka_unit_test(vmcoreinfo_disagreeing_is_reported),
		cmocka_unit_test(truncated_elf),
		cmocka_unit_test(salvage_keeps_every_readable_page),
		cmocka_unit_test(salvage_of_a_sound_dump_loses_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
