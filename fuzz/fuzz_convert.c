/* SPDX-License-Identifier: MIT */
/* Fuzz the writers: the input is a whole dump (any format kdx detects;
 * seeds are the ELF and kdump ones), converted to kdump and to ELF in a
 * tmpfs file, which is then opened again.  Every page the input holds must
 * read back with the same bytes, unless the output says it lacks it
 * (a hole, or a page left out); nothing may be invented where the input
 * has no data.  A Xen PV guest's page tables are the exception the
 * conversion reports (pages_rewritten): there a word may differ only where
 * the input held a present entry, and only in its frame (or be cleared).
 *
 * Fuzzing converts each input to one of the two (the length's parity
 * chooses); the corpus replay (KDX_FUZZ_REPLAY) converts to both.
 *
 * Only inputs whose memory map ends below MAX_END are converted: the
 * writers' work follows the map's extent (a kdump bitmap covers every pfn
 * up to the highest), and the eager-allocation bugs issue 14 lists for
 * huge maps are fixed elsewhere (branch hostile); raise the cap then. */
#include "fuzz_common.h"

#include <kdx/convert.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_END (64ull << 20)
/* Pages compared per conversion: the first and last of each range. */
#define PAGE 4096u
#define COMPARE_PAGES 64u

static void output_path(char *buf, size_t len, const char *what)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	snprintf(buf, len, "%s/kdx-fuzz-convert-%ld.%s", dir, (long)getpid(),
		 what);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A page-table page the conversion rewrote: each differing word was a
 * present entry of the input and keeps its flags, or is cleared. */
static bool rewritten_entries_only(const uint8_t *a, const uint8_t *b)
{
	const uint64_t frame = 0x000ffffffffff000ull;

	for (size_t i = 0; i < PAGE; i += 8) {
		uint64_t x = le64(a + i), y = le64(b + i);

		if (x != y && (!(x & 1) || (y && ((x ^ y) & ~frame))))
			return false;
	}
	return true;
}

/* The page at @addr of @in reads the same in @out, or @out says it lacks
 * some of it; @rewrites: the conversion rewrote page tables. */
static void compare_page(const struct kdx_dump *in, const struct kdx_dump *out,
			 uint64_t addr, uint8_t *a, uint8_t *b, bool rewrites)
{
	struct kdx_read_stats sa, sb;
	struct kdx_error *ea = kdx_read_phys(in, addr, a, PAGE, KDX_READ_ZERO_FILL, &sa);
	struct kdx_error *eb;

	if (ea) {
		/* A page the input cannot decode is not the writer's. */
		kdx_fuzz_error(ea);
		return;
	}
	eb = kdx_read_phys(out, addr, b, PAGE, KDX_READ_ZERO_FILL, &sb);
	if (eb) {
		fprintf(stderr, "converted dump: page 0x%llx: %s\n",
			(unsigned long long)addr, kdx_error_message(eb));
		FUZZ_CHECK(eb == NULL); /* the writer wrote what it read */
	}
	if (sa.hole_bytes || sa.excluded_bytes)
		return; /* the input lacks part of it: absent or zero is fine */
	if (sb.hole_bytes || sb.excluded_bytes)
		return; /* reported as left out */
	if (!memcmp(a, b, PAGE) || (rewrites && rewritten_entries_only(a, b)))
		return;
	fprintf(stderr, "converted dump: page 0x%llx differs\n",
		(unsigned long long)addr);
	FUZZ_CHECK(!memcmp(a, b, PAGE));
}

static void round_trip(const struct kdx_dump *in, enum kdx_output_format fmt,
		       const char *what)
{
	struct kdx_convert_options opts;
	struct kdx_convert_stats st;
	struct kdx_dump *out = NULL;
	struct kdx_error *err;
	const struct kdx_phys_range *r;
	size_t n, done = 0;
	char path[128];
	uint8_t *a = malloc(PAGE), *b = malloc(PAGE);

	if (!a || !b)
		goto free;
	output_path(path, sizeof(path), what);
	kdx_convert_options_init(&opts);
	opts.format = fmt;
	opts.threads = 1;
	err = kdx_convert(in, path, &opts, &st);
	if (err) {
		kdx_fuzz_error(err);
		/* A failed conversion leaves no output behind. */
		FUZZ_CHECK(access(path, F_OK) != 0);
		goto free;
	}
	err = kdx_dump_open(path, NULL, &out);
	if (err) {
		fprintf(stderr, "converted dump (%s) does not open: %s\n", what,
			kdx_error_message(err));
		FUZZ_CHECK(err == NULL);
	}
	r = kdx_dump_phys_ranges(in, &n);
	for (size_t i = 0; i < n && done < COMPARE_PAGES; i++) {
		uint64_t first = r[i].start & ~(uint64_t)(PAGE - 1);
		uint64_t last = (r[i].start + r[i].size - 1) & ~(uint64_t)(PAGE - 1);

		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		compare_page(in, out, first, a, b, st.pages_rewritten > 0);
		if (last != first)
			compare_page(in, out, last, a, b, st.pages_rewritten > 0);
		done += 2;
	}
	kdx_dump_destroy(out);
	unlink(path);
free:
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	const struct kdx_phys_range *r;
	size_t n;

	kdx_open_options_init(&opts);
	opts.max_decompressed = KDX_FUZZ_MAX_DECOMPRESSED;
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
		return 0;
	}
	r = kdx_dump_phys_ranges(dump, &n);
	if (n && r[n - 1].start + r[n - 1].size <= MAX_END &&
	    kdx_dump_page_size(dump) == PAGE) {
#ifdef KDX_FUZZ_REPLAY
		round_trip(dump, KDX_OUTPUT_KDUMP, "kdump");
		round_trip(dump, KDX_OUTPUT_ELF, "elf");
#else
		/* One writer per execution, chosen by the length's parity
		 * (mutations change it often; the bytes are the input's):
		 * a round trip is most of a run's cost, mostly ASan's and
		 * the kernel's for the writer's buffers and the output's
		 * mapping, so this doubles the executions per second for
		 * the same checks.  Replaying the corpus does both. */
		if (size & 1)
			round_trip(dump, KDX_OUTPUT_ELF, "elf");
		else
			round_trip(dump, KDX_OUTPUT_KDUMP, "kdump");
#endif
	}
	kdx_dump_destroy(dump);
	return 0;
}
