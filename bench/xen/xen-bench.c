/* SPDX-License-Identifier: MIT */
/* xen-bench XC_CORE NATIVE_DUMP [N]: kdx on a Xen PV guest's xc_core, in
 * one run:
 *   - the m2p index build alone (kdx_p2m_build() on the dump's pairs) and
 *     the whole open;
 *   - PV translation against libkdumpfile on the same file (with the
 *     options it needs set by hand: it finds no VMCOREINFO in an xc_core,
 *     so the page-table root and the Xen translation are forced);
 *   - PV translation against kdx on a native x86_64 dump, like with like:
 *     addresses on 4 KiB pages only, drawn from the same number of
 *     distinct 2 MiB blocks in both dumps (a PV guest maps everything with
 *     4 KiB pages, a native kernel its direct map with 2 MiB/1 GiB ones);
 *     and over all mapping runs, for reference;
 *   - a full read of the guest's pseudo-physical memory against read(2) of
 *     the whole file (what cat does), the file in the page cache for both.
 * Every translation result is compared; a difference aborts.
 * `xen-bench --only pv|native [--no-espfix] XC_CORE NATIVE_DUMP [N]` runs
 * one translation loop (for callgrind). */
#include <kdx/dump.h>
#include <kdx/kernel.h>
#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#include "format/common/p2m.h"

#include <libkdumpfile/kdumpfile.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LEAVES (1u << 21)
#define PAGE 4096u
#define BLOCK (2u << 20)
#define CHUNK (1u << 20)
/* x86_64 Linux's espfix area: 4 GiB of aliases of a few pages, so its
 * 2048 blocks share a handful of last-level tables. */
#define ESPFIX_LO 0xffffff0000000000ull
#define ESPFIX_HI 0xffffff8000000000ull

struct leaves {
	struct kdx_mapping *m;
	size_t n;
};

struct side {
	const char *path;
	struct kdx_dump *dump;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *x;
	struct leaves all;   /* every leaf of the kernel half */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "xen-bench: %s: %s\n", what, why);
	exit(2);
}

static void check(struct kdx_error *err, const char *what)
{
	if (err)
		die(what, kdx_error_message(err));
}

static uint64_t rnd64(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static bool collect(void *arg, const struct kdx_mapping *m)
{
	struct leaves *l = arg;

	if (l->n < MAX_LEAVES)
		l->m[l->n++] = *m;
	return true;
}

/* A PV guest's top table holds Xen's own slots (its m2p): frames no pfn
 * maps, skipped. */
static bool skip(void *arg, const struct kdx_error *err)
{
	(void)arg;
	(void)err;
	return true;
}

static void side_open(struct side *s, const char *path)
{
	s->path = path;
	check(kdx_dump_open(path, NULL, &s->dump), path);
	check(kdx_kernel_probe(s->dump, NULL, &s->layout), "probe");
	check(kdx_kernel_xlat_create(s->dump, &s->layout, &s->x), "xlat");
	s->all.m = malloc(MAX_LEAVES * sizeof(*s->all.m));
	check(kdx_xlat_maps(s->x, 0xffff800000000000ull, UINT64_MAX,
			    KDX_MAPS_NO_MERGE, collect, skip, &s->all),
	      "maps");
	if (!s->all.n)
		die(path, "no kernel mappings");
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Leaves counted as 4 KiB pages: with @no_espfix, those outside espfix,
 * so that each block has its own last-level table. */
static bool no_espfix;

static bool small(const struct kdx_mapping *m)
{
	return m->size == PAGE &&
	       !(no_espfix && m->vaddr >= ESPFIX_LO && m->vaddr < ESPFIX_HI);
}

/* The distinct 2 MiB blocks holding 4 KiB leaves, sorted. */
static uint64_t *small_blocks(const struct side *s, size_t *nb)
{
	uint64_t *b = malloc(s->all.n * sizeof(*b));
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->all.n; i++)
		if (small(&s->all.m[i]))
			b[n++] = s->all.m[i].vaddr / BLOCK;
	qsort(b, n, sizeof(*b), by_u64);
	for (size_t i = 0; i < n; i++)
		if (!k || b[k - 1] != b[i])
			b[k++] = b[i];
	*nb = k;
	return b;
}

/* The 4 KiB leaves of @want 2 MiB blocks chosen at random (a partial
 * Fisher-Yates shuffle of the blocks); *nl of them. */
static const struct kdx_mapping **small_leaves(const struct side *s,
					       size_t want, size_t *nl)
{
	size_t nb;
	uint64_t *blocks = small_blocks(s, &nb), seed = 0x5eed;
	uint64_t *chosen = malloc(want * sizeof(*chosen));
	const struct kdx_mapping **l = malloc(s->all.n * sizeof(*l));

	if (want > nb)
		die(s->path, "fewer 4K blocks than asked");
	for (size_t i = 0; i < want; i++) {
		size_t j = i + rnd64(&seed) % (nb - i);
		uint64_t t = blocks[i];

		blocks[i] = blocks[j];
		blocks[j] = t;
		chosen[i] = blocks[i];
	}
	qsort(chosen, want, sizeof(*chosen), by_u64);
	*nl = 0;
	for (size_t i = 0; i < s->all.n; i++) {
		uint64_t b = s->all.m[i].vaddr / BLOCK;

		if (small(&s->all.m[i]) &&
		    bsearch(&b, chosen, want, sizeof(b), by_u64))
			l[(*nl)++] = &s->all.m[i];
	}
	free(blocks);
	free(chosen);
	return l;
}

/* N addresses on @pages distinct 4 KiB leaves of @want blocks: the same
 * number of blocks and pages for both dumps, so the same pressure on the
 * translation caches; the pages taken at random among the blocks'. */
static void sample_small(const struct side *s, size_t want, size_t pages,
			 uint64_t *va, size_t n)
{
	size_t nl;
	const struct kdx_mapping **l = small_leaves(s, want, &nl);
	uint64_t seed = 0xfeed;

	if (pages > nl)
		die(s->path, "fewer 4K pages than asked");
	for (size_t i = 0; i < pages; i++) {
		size_t j = i + rnd64(&seed) % (nl - i);
		const struct kdx_mapping *t = l[i];

		l[i] = l[j];
		l[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kdx_mapping *m = l[rnd64(&seed) % pages];

		va[i] = m->vaddr + rnd64(&seed) % PAGE;
	}
	free(l);
}

/* N addresses uniform over leaves (any page size). */
static void sample_leaves(const struct side *s, uint64_t *va, size_t n)
{
	uint64_t seed = 0x1234567;

	for (size_t i = 0; i < n; i++) {
		const struct kdx_mapping *m = &s->all.m[rnd64(&seed) % s->all.n];

		va[i] = m->vaddr + rnd64(&seed) % m->size;
	}
}

static double run_kdx(struct kdx_xlat *x, const uint64_t *va, uint64_t *pa,
		      size_t n)
{
	double t0 = now();

	for (size_t i = 0; i < n; i++) {
		struct kdx_xlat_result r;

		check(kdx_xlat_translate(x, va[i], &r), "kdx translate");
		pa[i] = r.paddr;
	}
	return now() - t0;
}

/* Cold (caches flushed) and warm (best of 5 more passes). */
static void time_kdx(struct side *s, const uint64_t *va, uint64_t *pa,
		     size_t n, double *cold, double *warm)
{
	kdx_xlat_flush(s->x);
	*cold = run_kdx(s->x, va, pa, n);
	*warm = 1e9;
	for (int p = 0; p < 5; p++) {
		double t = run_kdx(s->x, va, pa, n);

		*warm = t < *warm ? t : *warm;
	}
}

static void ratio(const char *what, size_t n, double pv, double native)
{
	printf("%-44s PV %7.2f M/s  native %7.2f M/s  PV/native time %5.2fx\n",
	       what, (double)n / pv / 1e6, (double)n / native / 1e6,
	       pv / native);
}

static void print_stats(const struct kdx_xlat *x)
{
	struct kdx_xlat_stats st;

	kdx_xlat_get_stats(x, &st);
	printf("  translations %" PRIu64 ", TLB hits %" PRIu64
	       ", table hits %" PRIu64 ", table reads %" PRIu64 "\n",
	       st.translations, st.tlb_hits, st.table_hits, st.table_reads);
}

/* ---- m2p index ---- */

static void m2p_build(struct side *pv)
{
	struct kdx_p2m_info info;
	struct kdx_p2m_pair *pairs, *work;
	size_t n = 0;
	double best = 1e9, t0, topen = 1e9;

	check(kdx_dump_p2m_info(pv->dump, &info), "p2m info");
	pairs = malloc((info.max_pfn + 1) * sizeof(*pairs));
	work = malloc((info.max_pfn + 1) * sizeof(*work));
	for (uint64_t pfn = 0; pfn <= info.max_pfn; pfn++) {
		uint64_t m;
		struct kdx_error *err = kdx_phys_to_machine(pv->dump, pfn * PAGE, &m);

		if (err) {
			kdx_error_destroy(err);
			continue;
		}
		pairs[n++] = (struct kdx_p2m_pair){ pfn, m / PAGE };
	}
	/* in .xen_p2m's order, which is by pfn here: the index sorts
	 * anyway, so shuffle to time the general case too */
	for (int shuffled = 0; shuffled < 2; shuffled++) {
		uint64_t seed = 42;

		best = 1e9;
		for (int rep = 0; rep < 5; rep++) {
			struct kdx_p2m map;
			struct kdx_p2m_report r;

			memcpy(work, pairs, n * sizeof(*work));
			for (size_t i = n; shuffled && i > 1; i--) {
				size_t j = rnd64(&seed) % i;
				struct kdx_p2m_pair t = work[i - 1];

				work[i - 1] = work[j];
				work[j] = t;
			}
			t0 = now();
			check(kdx_p2m_build(&map, work, n, 12, "bench", &r), "build");
			t0 = now() - t0;
			best = t0 < best ? t0 : best;
			kdx_p2m_deinit(&map);
		}
		printf("m2p index build (%s): %zu pairs -> %" PRIu64
		       " runs in %.2f ms (%.1f M pairs/s)\n",
		       shuffled ? "pairs shuffled" : "pairs in file order", n,
		       info.runs, best * 1e3, (double)n / best / 1e6);
	}
	for (int rep = 0; rep < 5; rep++) {
		struct kdx_dump *d;

		t0 = now();
		check(kdx_dump_open(pv->path, NULL, &d), "open");
		t0 = now() - t0;
		topen = t0 < topen ? t0 : topen;
		kdx_dump_destroy(d);
	}
	printf("kdx_dump_open of the xc_core (headers, .xen_p2m, index): %.2f ms\n",
	       topen * 1e3);
	free(pairs);
	free(work);
}

/* ---- libkdumpfile ---- */

struct lkd {
	kdump_ctx_t *ctx;
	addrxlat_ctx_t *ax;
	addrxlat_sys_t *sys;
	int fd;
};

static bool lkd_set_num(struct lkd *l, const char *key, kdump_num_t v)
{
	kdump_attr_t a = { .type = KDUMP_NUMBER, .val.number = v };

	if (kdump_set_attr(l->ctx, key, &a) == KDUMP_OK)
		return true;
	printf("  libkdumpfile: %s=%llu: %s\n", key, (unsigned long long)v,
	       kdump_get_err(l->ctx));
	return false;
}

/* libkdumpfile on an xc_core: no VMCOREINFO there for it (the PV guest's
 * note is in a page it does not look at), so the Linux page-table root
 * (the vCPU's CR3, a machine address) and the Xen m2p/p2m translation
 * are forced. */
static bool lkd_open(struct lkd *l, const char *path, uint64_t cr3)
{
	kdump_attr_t a;

	l->fd = open(path, O_RDONLY);
	l->ctx = kdump_new();
	if (l->fd < 0 || !l->ctx || kdump_open_fd(l->ctx, l->fd) != KDUMP_OK) {
		printf("  libkdumpfile: cannot open %s: %s\n", path,
		       l->ctx ? kdump_get_err(l->ctx) : "no memory");
		return false;
	}
	if (kdump_set_string_attr(l->ctx, "addrxlat.ostype", "linux") != KDUMP_OK)
		printf("  libkdumpfile: addrxlat.ostype=linux: %s\n",
		       kdump_get_err(l->ctx));
	a.type = KDUMP_NUMBER;
	a.val.number = ADDRXLAT_MACHPHYSADDR;
	if (kdump_set_attr(l->ctx, "addrxlat.force.rootpgt.as", &a) != KDUMP_OK)
		printf("  libkdumpfile: addrxlat.force.rootpgt.as: %s\n",
		       kdump_get_err(l->ctx));
	a.type = KDUMP_ADDRESS;
	a.val.address = cr3;
	if (kdump_set_attr(l->ctx, "addrxlat.force.rootpgt.addr", &a) != KDUMP_OK)
		printf("  libkdumpfile: addrxlat.force.rootpgt.addr: %s\n",
		       kdump_get_err(l->ctx));
	lkd_set_num(l, "addrxlat.force.xen_xlat", 1);
	if (kdump_get_addrxlat(l->ctx, &l->ax, &l->sys) != KDUMP_OK) {
		printf("  libkdumpfile: no translation: %s\n", kdump_get_err(l->ctx));
		return false;
	}
	return true;
}

static void lkd_close(struct lkd *l)
{
	if (l->ax)
		addrxlat_ctx_decref(l->ax);
	if (l->sys)
		addrxlat_sys_decref(l->sys);
	if (l->ctx)
		kdump_free(l->ctx);
	if (l->fd >= 0)
		close(l->fd);
}

/* libkdumpfile's translations to @as, compared with kdx's; the time, or
 * a negative number (and why, printed) when it cannot. */
static double run_lkd(struct lkd *l, const uint64_t *va, const uint64_t *pa,
		      size_t n, addrxlat_addrspace_t as)
{
	double t0 = now();

	for (size_t i = 0; i < n; i++) {
		addrxlat_fulladdr_t fa = { va[i], ADDRXLAT_KVADDR };

		if (addrxlat_fulladdr_conv(&fa, as, l->ax, l->sys) != ADDRXLAT_OK) {
			printf("  libkdumpfile cannot translate 0x%" PRIx64 ": %s\n",
			       va[i], addrxlat_ctx_get_err(l->ax));
			return -1;
		}
		if (fa.addr != pa[i]) {
			printf("  0x%" PRIx64 ": kdx 0x%" PRIx64 " libkdumpfile 0x%" PRIx64 "\n",
			       va[i], pa[i], (uint64_t)fa.addr);
			exit(1);
		}
	}
	return now() - t0;
}

static void versus_lkd(struct side *pv, const uint64_t *va, uint64_t *pa,
		       size_t n, const char *what)
{
	struct lkd l = { .fd = -1 };
	double tk, tl, bk = 1e9, bl = 1e9;

	if (!lkd_open(&l, pv->path, kdx_xlat_root(pv->x))) {
		printf("%-44s libkdumpfile cannot translate this xc_core (above)\n", what);
		lkd_close(&l);
		return;
	}
	kdx_xlat_flush(pv->x);
	tk = run_kdx(pv->x, va, pa, n);
	tl = run_lkd(&l, va, pa, n, ADDRXLAT_MACHPHYSADDR);
	if (tl < 0) {
		printf("%-44s libkdumpfile fails (above); kdx %.2f M/s\n", what,
		       (double)n / tk / 1e6);
		lkd_close(&l);
		return;
	}
	printf("%-44s kdx %7.2f M/s  libkdumpfile %7.2f M/s  ratio %5.1fx (cold)\n",
	       what, (double)n / tk / 1e6, (double)n / tl / 1e6, tl / tk);
	for (int p = 0; p < 5; p++) {
		tk = run_kdx(pv->x, va, pa, n);
		tl = run_lkd(&l, va, pa, n, ADDRXLAT_MACHPHYSADDR);
		bk = tk < bk ? tk : bk;
		bl = tl < bl ? tl : bl;
	}
	printf("%-44s kdx %7.2f M/s  libkdumpfile %7.2f M/s  ratio %5.1fx (warm)\n",
	       what, (double)n / bk / 1e6, (double)n / bl / 1e6, bl / bk);
	lkd_close(&l);
}

/* ---- full read ---- */

static void full_read(struct side *pv)
{
	size_t nr;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(pv->dump, &nr);
	uint8_t *buf = malloc(CHUNK);
	uint64_t bytes = 0, fbytes = 0;
	double tk = 1e9, tc = 1e9;

	for (int rep = 0; rep < 3; rep++) {
		double t0 = wall();
		int fd = open(pv->path, O_RDONLY);
		ssize_t got;

		fbytes = 0;
		while ((got = read(fd, buf, CHUNK)) > 0)
			fbytes += (uint64_t)got;
		close(fd);
		t0 = wall() - t0;
		tc = t0 < tc ? t0 : tc;
		t0 = wall();
		bytes = 0;
		for (size_t i = 0; i < nr; i++)
			for (uint64_t a = r[i].start; a < r[i].start + r[i].size; a += CHUNK) {
				uint64_t len = r[i].start + r[i].size - a;

				len = len < CHUNK ? len : CHUNK;
				check(kdx_read_phys(pv->dump, a, buf, len, 0, NULL), "read");
				bytes += len;
			}
		t0 = wall() - t0;
		tk = t0 < tk ? t0 : tk;
	}
	printf("full read: kdx_read_phys of %" PRIu64 " MiB %.0f MB/s; read(2) of the file (%" PRIu64
	       " MiB, what cat does) %.0f MB/s; kdx/cat %.2fx\n",
	       bytes >> 20, (double)bytes / tk / 1e6, fbytes >> 20,
	       (double)fbytes / tc / 1e6, ((double)bytes / tk) / ((double)fbytes / tc));
	free(buf);
}

/* Cold passes of both, then warm passes alternating PV and native, the
 * best of 7 each: on a machine busy with other work, both see the same
 * spells of it. */
static void time_both(struct side *pv, const uint64_t *va_pv, struct side *nat,
		      const uint64_t *va_nat, uint64_t *pa, size_t n,
		      double t[4])
{
	kdx_xlat_flush(pv->x);
	kdx_xlat_flush(nat->x);
	t[0] = run_kdx(pv->x, va_pv, pa, n);
	t[1] = run_kdx(nat->x, va_nat, pa, n);
	t[2] = t[3] = 1e9;
	for (int p = 0; p < 7; p++) {
		double a = run_kdx(pv->x, va_pv, pa, n);
		double b = run_kdx(nat->x, va_nat, pa, n);

		t[2] = a < t[2] ? a : t[2];
		t[3] = b < t[3] ? b : t[3];
	}
}

/* PV against native on 4 KiB pages: the same number of 2 MiB blocks and
 * of distinct pages, drawn at random; against libkdumpfile too when
 * @lkd_label is given. */
static void like_with_like(struct side *pv, struct side *nat, uint64_t *va,
			   uint64_t *pa, size_t n, const char *lkd_label)
{
	size_t nb_pv, nb_nat, want, np_pv, np_nat, pages;
	uint64_t *b, *va_nat = malloc(n * sizeof(*va_nat));
	double t[4];

	b = small_blocks(pv, &nb_pv);
	free(b);
	b = small_blocks(nat, &nb_nat);
	free(b);
	want = nb_pv < nb_nat ? nb_pv : nb_nat;
	free(small_leaves(pv, want, &np_pv));
	free(small_leaves(nat, want, &np_nat));
	pages = np_pv < np_nat ? np_pv : np_nat;
	sample_small(pv, want, pages, va, n);
	sample_small(nat, want, pages, va_nat, n);
	if (lkd_label)
		versus_lkd(pv, va, pa, n, lkd_label);
	time_both(pv, va, nat, va_nat, pa, n, t);
	printf("like with like%s: %zu addresses on %zu distinct 4 KiB pages in %zu 2 MiB blocks each\n",
	       no_espfix ? ", espfix left out (a table per block)" : "",
	       n, pages, want);
	ratio("  4K pages, same blocks, cold", n, t[0], t[1]);
	ratio("  4K pages, same blocks, warm", n, t[2], t[3]);
	free(va_nat);
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	struct side pv = { 0 }, nat = { 0 };
	size_t n, nb_pv, nb_nat, want, np_pv, np_nat, pages;
	uint64_t *va, *pa, *b;
	double cp, wp;

	if (argc > 2 && !strcmp(argv[1], "--only")) {
		only = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc > 1 && !strcmp(argv[1], "--no-espfix")) {
		no_espfix = true;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: xen-bench [--only pv|native [--no-espfix]] XC_CORE NATIVE_DUMP [N]\n");
		return 2;
	}
	n = argc > 3 ? strtoul(argv[3], NULL, 0) : 400000;
	va = malloc(n * sizeof(*va));
	pa = malloc(n * sizeof(*pa));
	side_open(&pv, argv[1]);
	side_open(&nat, argv[2]);
	b = small_blocks(&pv, &nb_pv);
	free(b);
	b = small_blocks(&nat, &nb_nat);
	free(b);
	want = nb_pv < nb_nat ? nb_pv : nb_nat;
	free(small_leaves(&pv, want, &np_pv));
	free(small_leaves(&nat, want, &np_nat));
	pages = np_pv < np_nat ? np_pv : np_nat;
	if (only) {
		struct side *s = !strcmp(only, "pv") ? &pv : &nat;

		sample_small(s, want, pages, va, n);
		time_kdx(s, va, pa, n, &cp, &wp);
		printf("%s: %zu translations, %zu 4K pages in %zu 2 MiB blocks: cold %.2f M/s, warm %.2f M/s\n",
		       only, n, pages, want, (double)n / cp / 1e6, (double)n / wp / 1e6);
		print_stats(s->x);
		return 0;
	}
	printf("PV xc_core %s: %zu kernel leaves, %zu 2 MiB blocks of 4K pages\n",
	       pv.path, pv.all.n, nb_pv);
	printf("native %s: %zu kernel leaves, %zu 2 MiB blocks of 4K pages\n",
	       nat.path, nat.all.n, nb_nat);
	m2p_build(&pv);
	like_with_like(&pv, &nat, va, pa, n, "PV 4K pages vs libkdumpfile");
	no_espfix = true;
	like_with_like(&pv, &nat, va, pa, n, NULL);
	no_espfix = false;
	/* for reference: every leaf alike, whatever its size */
	sample_leaves(&pv, va, n);
	versus_lkd(&pv, va, pa, n, "PV all leaves vs libkdumpfile");
	{
		uint64_t *va_nat = malloc(n * sizeof(*va_nat));
		double t[4];

		sample_leaves(&nat, va_nat, n);
		time_both(&pv, va, &nat, va_nat, pa, n, t);
		printf("reference: uniform over leaves (PV 4K only; native 4K/2M/1G)\n");
		ratio("  all leaves, cold", n, t[0], t[1]);
		ratio("  all leaves, warm", n, t[2], t[3]);
		free(va_nat);
	}
	full_read(&pv);
	return 0;
}
