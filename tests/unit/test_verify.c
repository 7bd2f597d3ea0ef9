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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sound_dump_has_no_problem),
		cmocka_unit_test(flipped_bytes_are_ranges),
		cmocka_unit_test(broken_descriptor_names_its_offset),
		cmocka_unit_test(truncated_file_is_a_header_problem),
		cmocka_unit_test(vmcoreinfo_disagreeing_is_reported),
		cmocka_unit_test(truncated_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
