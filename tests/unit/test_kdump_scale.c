/* SPDX-License-Identifier: MIT */
/* Opening the kdump of a large host: its bitmaps are read a window at a
 * time and never stay resident.
 *
 * The dump is bench/scale.sh's, written by the mkscale helper (its path
 * is the test's argument): a 1 TiB host whose first bitmap is all ones
 * (every page present, six of them dumped, the rest excluded), 32 MiB of
 * bitmap in a sparse file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "testfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { PFNS = 6, TIB_PAGES = 1 << 28 };

static const char *mkscale;

struct scale_dump {
	char path[64];
	uint64_t pfns[PFNS];
};

/* Have mkscale write the dump; read back the dumped pfns it prints. */
static void make_dump(struct scale_dump *s)
{
	char cmd[512];
	FILE *p;
	int fd;

	strcpy(s->path, "/tmp/kdx-kdump-scale-XXXXXX");
	fd = mkstemp(s->path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' kdump '%s' 1 --present", mkscale,
		 s->path);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (int i = 0; i < PFNS; i++) {
		unsigned long long v;

		if (fscanf(p, "%llx", &v) != 1)
			fail_msg("%s: pfn %d not printed", cmd, i);
		s->pfns[i] = v;
	}
	assert_int_equal(pclose(p), 0);
}

/* Resident file-backed memory of this process, in KiB. */
static long rss_file_kib(void)
{
	long kib = testfs_rss_file_kib();

	assert_true(kib >= 0);
	return kib;
}

/* 32 MiB of bitmap read at open; at most a few windows' worth (and a
 * page cache folio or two) may be resident afterwards.  Reading the
 * bitmaps through the file's map made all 32 MiB resident. */
static void bitmaps_stay_out_of_rss(void **state)
{
	struct scale_dump s;
	struct kdx_dump *d = NULL;
	const struct kdx_dump_facts *f;
	uint8_t page[4096];
	long before, grown;

	(void)state;
	make_dump(&s);
	/* A first open brings the code in: measure the second. */
	assert_null(kdx_dump_open(s.path, NULL, &d));
	kdx_dump_destroy(d);
	before = rss_file_kib();
	assert_null(kdx_dump_open(s.path, NULL, &d));
	grown = rss_file_kib() - before;
	if (grown > 4096)
		fail_msg("opening a 1 TiB host's kdump made %ld KiB resident",
			 grown);
	f = kdx_dump_facts(d);
	assert_true(f->set & KDX_FACT_NR_PAGES);
	assert_int_equal(f->nr_pages, PFNS);
	assert_int_equal(f->max_pfn, TIB_PAGES);
	/* The dumped pages read; their neighbours are excluded, not holes. */
	for (int i = 0; i < PFNS; i++)
		assert_null(kdx_read_phys(d, s.pfns[i] * 4096, page,
					  sizeof(page), 0, NULL));
	{
		struct kdx_error *err = kdx_read_phys(d, (s.pfns[2] + 1) * 4096,
						      page, 8, 0, NULL);

		assert_non_null(err);
		assert_non_null(strstr(kdx_error_message(err), "excluded"));
		kdx_error_destroy(err);
	}
	kdx_dump_destroy(d);
	unlink(s.path);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bitmaps_stay_out_of_rss),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s MKSCALE\n", argv[0]);
		return 2;
	}
	mkscale = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
