/* SPDX-License-Identifier: MIT */
/* Write the seeds of fuzz/corpus/xl_save/ with mkxlsave:
 *   mkxlsave-seeds OUTDIR
 * A 64-bit PV guest of five pages (four levels of canonical page tables
 * and VMCOREINFO) sent with a repeated and an XTAB pfn, the same with
 * unknown records and without its END, and a 32-bit guest's facts.  The
 * output is deterministic. */
#include "bytes.h"
#include "mkxlsave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE MKXLS_PAGE
#define LE KDX_LITTLE_ENDIAN
#define MAX_SEED (64u << 10)

static const char *outdir;
static int failures;

static void save(const char *name, const struct mkxls_spec *s)
{
	size_t size = 0;
	uint8_t *bytes = mkxls_build(s, &size, NULL);
	char path[4096];
	FILE *f;

	if (!bytes || size > MAX_SEED) {
		fprintf(stderr, "%s: not built or %zu bytes, over %u\n", name,
			size, MAX_SEED);
		failures++;
		free(bytes);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, size, f) != size || fclose(f)) {
		perror(path);
		failures++;
	}
	free(bytes);
}

/* pfn 0: L4, 1: L3, 2: L2, 3: L1 mapping 0xffffffff81000000 to pfn 4
 * (VMCOREINFO, naming pfn 0 as init_top_pgt), sent as entries
 * 4, 0, 1, 2, 3, 4 (the second copy of pfn 4 wins) and 9 (XTAB). */
static const uint64_t pfns[] = { 4, 0, 1, 2, 3, 4, 9 };
static const uint8_t types[] = { MKXLS_NOTAB, MKXLS_L4TAB_PIN, MKXLS_NOTAB,
				 MKXLS_NOTAB, MKXLS_NOTAB, MKXLS_NOTAB,
				 MKXLS_XTAB };
static uint8_t pages[6 * PAGE];

static void guest(void)
{
	static const char vmci[] = "OSRELEASE=6.1.0-seed\nPAGESIZE=4096\n"
				   "SYMBOL(init_top_pgt)=ffffffff80000000\n"
				   "NUMBER(phys_base)=0\nKERNELOFFSET=0\n";
	uint64_t f = 0x67;

	memset(pages, 0, sizeof(pages));
	memcpy(pages, "stale", 5);
	put64(pages + PAGE + 511 * 8, 1 << 12 | f, LE);
	put64(pages + 2 * PAGE + 510 * 8, 2 << 12 | f, LE);
	put64(pages + 2 * PAGE, 2 << 12 | f, LE);
	put64(pages + 3 * PAGE + 8 * 8, 3 << 12 | f, LE);
	put64(pages + 3 * PAGE, 3 << 12 | f, LE);
	put64(pages + 4 * PAGE, 0 << 12 | f, LE);
	put64(pages + 4 * PAGE + 8, (uint64_t)4 << 12 | f, LE);
	memcpy(pages + 5 * PAGE, vmci, sizeof(vmci) - 1);
}

static void spec(struct mkxls_spec *s)
{
	mkxls_spec_init(s);
	s->nr_entries = sizeof(pfns) / sizeof(pfns[0]);
	s->pfns = pfns;
	s->types = types;
	s->pages = pages;
	s->per_record = 3;
	s->nr_vcpus = 1;
	s->max_pfn = 5;
	s->p2m_end = 4;
}

int main(int argc, char **argv)
{
	struct mkxls_spec s;

	if (argc != 2) {
		fprintf(stderr, "usage: mkxlsave-seeds OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	guest();
	spec(&s);
	save("pv64.xlsave", &s);
	s.unknown_optional = s.unknown_mandatory = true;
	save("pv64-unknown-records.xlsave", &s);
	spec(&s);
	s.no_end = true;
	s.nr_vcpus = 0;
	save("pv64-no-end.xlsave", &s);
	spec(&s);
	s.word_size = 4;
	s.cr3 = mkxls_fold_cr3(0);
	save("pv32.xlsave", &s);
	return failures ? 1 : 0;
}
