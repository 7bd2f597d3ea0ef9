/* SPDX-License-Identifier: MIT */
/* Write the seeds of fuzz/corpus/xc_core/ with mkxccore:
 *   mkxccore-seeds OUTDIR
 * A 64-bit PV guest of six pages (four levels of machine-frame page
 * tables, a data page, VMCOREINFO) under a scrambled p2m, the same with a
 * short p2m, a live dump's ~0 tail and an mfn under two pfns; a 32-bit PV
 * guest with PAE tables above 4 GiB; an HVM guest; a legacy file.  The
 * output is deterministic. */
#include "bytes.h"
#include "mkxccore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE MKXC_PAGE
#define N 6
#define LE KDX_LITTLE_ENDIAN
#define MAX_SEED (40u << 10)

static const char *outdir;
static int failures;

static void save(const char *name, uint8_t *bytes, const size_t *sizep)
{
	size_t size = *sizep;

	char path[4096];
	FILE *f;

	if (size > MAX_SEED) {
		fprintf(stderr, "%s: %zu bytes, over %u\n", name, size, MAX_SEED);
		failures++;
	}
	snprintf(path, sizeof(path), "%s/%s", outdir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, size, f) != size || fclose(f)) {
		perror(path);
		failures++;
	}
	free(bytes);
}

/* pfn p lives in machine frame 0x5000 + (5p + 1) % N * 2 */
static uint64_t mfn_of(uint64_t p)
{
	return 0x5000 + ((5 * p + 1) % N) * 2;
}

static uint8_t pages[N * PAGE];
static uint64_t pfns[N], mfns[N];

/* pfns 0..3: PML4, PDPT, PD, PT mapping 0xffffffff81000000 to pfn 4;
 * pfn 5: VMCOREINFO naming pfn 0 as init_top_pgt. */
static void guest64(void)
{
	static const char vmci[] = "OSRELEASE=6.1.0-seed\nPAGESIZE=4096\n"
				   "SYMBOL(init_top_pgt)=ffffffff80000000\n"
				   "NUMBER(phys_base)=0\nKERNELOFFSET=0\n";
	uint64_t flags = 0x67; /* P RW US A D */

	memset(pages, 0, sizeof(pages));
	for (uint64_t p = 0; p < N; p++) {
		pfns[p] = p;
		mfns[p] = mfn_of(p);
	}
	put64(pages + 511 * 8, mfn_of(1) << 12 | flags, LE);
	put64(pages + PAGE + 510 * 8, mfn_of(2) << 12 | flags, LE);
	put64(pages + PAGE + 0 * 8, mfn_of(2) << 12 | flags, LE);
	put64(pages + 2 * PAGE + 8 * 8, mfn_of(3) << 12 | flags, LE);
	put64(pages + 2 * PAGE + 0 * 8, mfn_of(3) << 12 | flags, LE);
	put64(pages + 3 * PAGE, mfn_of(0) << 12 | flags, LE);
	put64(pages + 3 * PAGE + 8, mfn_of(4) << 12 | flags, LE);
	memcpy(pages + 4 * PAGE, "Linux seed data", 15);
	memcpy(pages + 5 * PAGE, vmci, sizeof(vmci) - 1);
}

static void spec64(struct mkxc_spec *s, uint64_t *cr3)
{
	mkxc_spec_init(s);
	s->nr_pages = N;
	s->pages = pages;
	s->pfns = pfns;
	s->mfns = mfns;
	*cr3 = mfn_of(0) << 12;
	s->cr3 = cr3;
	s->max_pfn = N;
}

static void pv64_seeds(void)
{
	struct mkxc_spec s;
	uint64_t cr3;
	size_t size;

	guest64();
	spec64(&s, &cr3);
	save("pv64.xccore", mkxc_build(&s, &size), &size);
	s.index_entries = 4;
	save("pv64-short-p2m.xccore", mkxc_build(&s, &size), &size);
	spec64(&s, &cr3);
	pfns[5] = mfns[5] = UINT64_MAX;
	save("pv64-live-tail.xccore", mkxc_build(&s, &size), &size);
	guest64();
	mfns[4] = mfns[3];
	save("pv64-shared-mfn.xccore", mkxc_build(&s, &size), &size);
	guest64();
	s.nr_vcpus = 2;
	s.cr3 = (const uint64_t[]){ 0, mfn_of(0) << 12 };
	s.no_shared_info = true;
	save("pv64-2vcpu.xccore", mkxc_build(&s, &size), &size);
	s.nr_vcpus = 1;
	s.cr3 = &cr3;
	save("legacy-pv64.xccore", mkxc_build_legacy(&s, &size), &size);
}

/* PAE: PDPT (pfn 0) -> PD (1) -> PT (2) mapping 0xc0000000 + p * 4 KiB
 * to pfn p, in machine frames above 4 GiB. */
static void pv32_seed(void)
{
	static const char vmci[] = "OSRELEASE=5.10.0-seed32\nPAGESIZE=4096\n"
				   "SYMBOL(swapper_pg_dir)=c0000000\n";
	struct mkxc_spec s;
	uint64_t cr3;
	size_t size;

	memset(pages, 0, sizeof(pages));
	for (uint64_t p = 0; p < N; p++) {
		pfns[p] = p;
		mfns[p] = 0x100000 + mfn_of(p);
	}
	put64(pages + 3 * 8, mfns[1] << 12 | 1, LE);
	put64(pages + PAGE, mfns[2] << 12 | 3, LE);
	for (uint64_t p = 0; p < N; p++)
		put64(pages + 2 * PAGE + p * 8, mfns[p] << 12 | 3, LE);
	memcpy(pages + 3 * PAGE, vmci, sizeof(vmci) - 1);
	mkxc_spec_init(&s);
	s.word_size = 4;
	s.nr_pages = N;
	s.pages = pages;
	s.pfns = pfns;
	s.mfns = mfns;
	cr3 = mkxc_fold_cr3((uint32_t)mfns[0]);
	s.cr3 = &cr3;
	save("pv32-pae.xccore", mkxc_build(&s, &size), &size);
}

static void hvm_seed(void)
{
	static const uint64_t hvm_pfns[3] = { 9, 1, 4 };
	struct mkxc_spec s;
	size_t size;

	memset(pages, 0, sizeof(pages));
	for (size_t i = 0; i < 3; i++)
		memset(pages + i * PAGE, 0x41 + (int)i, 64);
	mkxc_spec_init(&s);
	s.hvm = true;
	s.nr_pages = 3;
	s.pages = pages;
	s.pfns = hvm_pfns;
	save("hvm.xccore", mkxc_build(&s, &size), &size);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mkxccore-seeds OUTDIR\n");
		return 2;
	}
	outdir = argv[1];
	pv64_seeds();
	pv32_seed();
	hvm_seed();
	return failures ? 1 : 0;
}
