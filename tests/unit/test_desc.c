/* SPDX-License-Identifier: MIT */
/* The sticky description builders: the first failure is kept, later
 * calls do nothing, and an allocation that fails anywhere while a dump
 * opens surfaces as that open's KDX_ERR_NOMEM, never as a dump with
 * something silently missing.
 *
 * Allocations are counted through the linker (--wrap=malloc, calloc,
 * realloc; see tests/CMakeLists.txt) so the N-th one can be made to fail:
 * SQLite's fault-injection idea, without a hook in the library. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "format/format.h"
#include "mkelf.h"
#include "mkkdump.h"

#include <stdlib.h>
#include <string.h>

/* ---- allocation failures on demand ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* 0: never fail; otherwise the allocation that fails (1-based) counting
 * from when it was armed.  Only the test's thread allocates. */
static unsigned long fail_at, allocations;

static bool this_one_fails(void)
{
	return fail_at && ++allocations == fail_at;
}

void *__wrap_malloc(size_t size)
{
	return this_one_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return this_one_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return this_one_fails() ? NULL : __real_realloc(p, size);
}

/* Fail the @n-th allocation from now on. */
static void fail_allocation(unsigned long n)
{
	allocations = 0;
	fail_at = n;
}

/* Stop failing; allocations keeps the count made while armed. */
static void disarm(void)
{
	fail_at = 0;
}

/* ---- the builders themselves ---- */

static const uint8_t payload[4] = { 1, 2, 3, 4 };

/* One of each builder's entries. */
static void add_one_of_each(struct kdx_dump_desc *desc)
{
	kdx_desc_add_detail(desc, "key", "value %d", 1);
	kdx_desc_add_warning(desc, "warning %d", 1);
	kdx_desc_add_note(desc, "CORE", 5, 1, payload, sizeof(payload), 0x40);
	kdx_desc_add_range(desc, 0x1000, 0x1000, KDX_PIECE_FILE, 0);
}

static void expect_counts(const struct kdx_dump_desc *desc, size_t n)
{
	assert_int_equal(desc->detail_count, n);
	assert_int_equal(desc->warning_count, n);
	assert_int_equal(desc->note_count, n);
	assert_int_equal(desc->physmap.count, n);
}

static void first_failure_is_kept(void **state)
{
	struct kdx_dump_desc desc = { 0 };
	struct kdx_error *err;

	(void)state;
	add_one_of_each(&desc);
	expect_counts(&desc, 1);
	assert_false(kdx_desc_failed(&desc));
	assert_string_equal(desc.details[0].value, "value 1");
	assert_memory_equal(desc.notes[0].desc, payload, sizeof(payload));

	/* A range that wraps is the first failure... */
	kdx_desc_add_range(&desc, UINT64_MAX - 0xff, 0x1000, KDX_PIECE_FILE,
			   0);
	assert_true(kdx_desc_failed(&desc));
	/* ...and every call after it does nothing, failing or not. */
	add_one_of_each(&desc);
	kdx_desc_add_range(&desc, UINT64_MAX - 0xfff, 0x2000, KDX_PIECE_ZERO,
			   0);
	kdx_desc_fail(&desc, kdx_err(KDX_ERR_INVALID, "a later failure"));
	kdx_desc_parse_notes(&desc, payload, sizeof(payload), 0,
			     KDX_LITTLE_ENDIAN);
	expect_counts(&desc, 1);

	err = kdx_desc_take_error(&desc);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_non_null(strstr(kdx_error_message(err), "0xffffffffffffff00"));
	kdx_error_destroy(err);

	/* Taken: the builders work again. */
	assert_false(kdx_desc_failed(&desc));
	assert_null(kdx_desc_take_error(&desc));
	add_one_of_each(&desc);
	expect_counts(&desc, 2);
	kdx_desc_fail(&desc, NULL);
	assert_false(kdx_desc_failed(&desc));
	kdx_desc_deinit(&desc);
}

/* A failure nobody took is freed with the description (ASan checks). */
static void deinit_frees_a_failure(void **state)
{
	struct kdx_dump_desc desc = { 0 };

	(void)state;
	kdx_desc_fail(&desc, kdx_err(KDX_ERR_INVALID, "never taken"));
	kdx_desc_deinit(&desc);
	assert_null(desc.error);
}

/* Out of memory in any builder is recorded, and what it half-built is
 * freed (ASan's leak check): fail each allocation in turn. */
static void out_of_memory_in_each_builder(void **state)
{
	unsigned long n;

	(void)state;
	for (n = 1;; n++) {
		struct kdx_dump_desc desc = { 0 };
		struct kdx_error *err;

		fail_allocation(n);
		add_one_of_each(&desc);
		disarm();
		err = kdx_desc_take_error(&desc);
		if (allocations < n) {
			/* Nothing failed: every entry is there. */
			assert_null(err);
			expect_counts(&desc, 1);
			kdx_desc_deinit(&desc);
			break;
		}
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_NOMEM);
		kdx_desc_deinit(&desc);
	}
	/* An array each for five builders, two copies for the note. */
	assert_true(n > 5);
}

/* ---- whole opens ---- */

static uint8_t *elf_dump(size_t *size)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = 62 };
	struct mkelf *m = mkelf_new(&o);
	uint64_t regs[27] = { 0 };
	uint8_t *bytes;

	for (int i = 0; i < 20; i++) {
		struct mkelf_load l = { .paddr = (uint64_t)i << 20,
					.vaddr = 0xffff888000000000ull +
						 ((uint64_t)i << 20),
					.filesz = 0x1000, .memsz = 0x2000 };

		mkelf_add_load(m, &l);
	}
	mkelf_add_prstatus(m, 1, regs, 27);
	mkelf_add_prstatus(m, 2, regs, 27);
	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-kdx\nPAGESIZE=4096\n");
	bytes = mkelf_build(m, size);
	mkelf_free(m);
	return bytes;
}

static uint8_t *kdump_dump(size_t *size)
{
	struct mkkdump_options o = { .machine = "x86_64", .dump_level = 31,
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);
	uint64_t regs[27] = { 0 };
	uint8_t *bytes;

	for (uint64_t pfn = 0; pfn < 64; pfn += 4) {
		mkkdump_set_pages(m, pfn, 2, MKKDUMP_DATA,
				  MKKDUMP_CODEC_DEFAULT);
		mkkdump_set_pages(m, pfn + 2, 1, MKKDUMP_EXCLUDED,
				  MKKDUMP_CODEC_DEFAULT);
	}
	mkkdump_add_prstatus(m, 1, regs, 27);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-kdx\nPAGESIZE=4096\n");
	bytes = mkkdump_build(m, size);
	mkkdump_free(m);
	return bytes;
}

/* What an open found, to compare a clean open with one that survived
 * failed allocations. */
struct shape {
	size_t details, warnings, segments, notes, ranges, cpus, vmcoreinfo;
};

static struct shape shape_of(const struct kdx_dump *d)
{
	struct shape s;

	kdx_dump_details(d, &s.details);
	kdx_dump_warnings(d, &s.warnings);
	kdx_dump_segments(d, &s.segments);
	kdx_dump_notes(d, &s.notes);
	kdx_dump_phys_ranges(d, &s.ranges);
	kdx_dump_cpus(d, &s.cpus);
	kdx_dump_vmcoreinfo(d, &s.vmcoreinfo);
	return s;
}

/* Fail the 1st, 2nd, ... allocation of an open until one needs no more:
 * each either fails with KDX_ERR_NOMEM or opens the whole dump. */
static void every_failed_allocation_fails_the_open(const uint8_t *bytes,
						   size_t size)
{
	struct kdx_dump *d;
	struct shape clean;
	unsigned long n;

	assert_null(kdx_dump_open_memory(bytes, size, NULL, &d));
	clean = shape_of(d);
	kdx_dump_destroy(d);
	for (n = 1; n < 100000; n++) {
		struct kdx_error *err;

		d = NULL;
		fail_allocation(n);
		err = kdx_dump_open_memory(bytes, size, NULL, &d);
		disarm();
		if (err) {
			if (kdx_error_code(err) != KDX_ERR_NOMEM)
				fail_msg("allocation %lu failed: %s", n,
					 kdx_error_message(err));
			assert_null(d);
			kdx_error_destroy(err);
			continue;
		}
		{
			struct shape s = shape_of(d);

			kdx_dump_destroy(d);
			if (memcmp(&s, &clean, sizeof(s)))
				fail_msg("allocation %lu failed, yet the open succeeded with less",
					 n);
		}
		if (allocations < n)
			break; /* the open needed fewer: all were tried */
	}
	assert_true(n > 10);
}

static void elf_open_out_of_memory(void **state)
{
	size_t size;
	uint8_t *bytes = elf_dump(&size);

	(void)state;
	every_failed_allocation_fails_the_open(bytes, size);
	free(bytes);
}

static void kdump_open_out_of_memory(void **state)
{
	size_t size;
	uint8_t *bytes = kdump_dump(&size);

	(void)state;
	every_failed_allocation_fails_the_open(bytes, size);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_failure_is_kept),
		cmocka_unit_test(deinit_frees_a_failure),
		cmocka_unit_test(out_of_memory_in_each_builder),
		cmocka_unit_test(elf_open_out_of_memory),
		cmocka_unit_test(kdump_open_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
