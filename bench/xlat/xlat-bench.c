/* SPDX-License-Identifier: MIT */
/* xlat-bench DUMP [N]: kdx against libkdumpfile's addrxlat on one dump,
 * in one run.  Prints translations per second and the kdx/libkdumpfile
 * ratio for
 *   - random kernel virtual addresses, uniform over mapped bytes ("bytes":
 *     mostly direct map) and uniform over mapping runs ("runs": mostly 4K
 *     pages in vmalloc, espfix, cpu_entry_area, modules);
 *   - cold (fresh contexts: kdx_xlat_flush(), a newly opened libkdumpfile
 *     context; the file itself is in the OS page cache for both) and warm
 *     (the same addresses again);
 *   - a full enumeration of the kernel page table: kdx_xlat_maps() against
 *     the best libkdumpfile offers (it has no enumerator): a hole-skipping
 *     walk with addrxlat_launch()/addrxlat_step(), one walk per page.
 * Every translation's result is compared; a difference aborts.
 * libkdumpfile 0.5.1 needs addrxlat.ostype=linux set by hand. */
#include <kdx/dump.h>
#include <kdx/kernel.h>
#include <kdx/xlat.h>

#include <libkdumpfile/kdumpfile.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_MAPS (1u << 20)

struct maps {
	struct kdx_mapping *m;
	size_t n;
	uint64_t bytes;
};

struct lkd {
	kdump_ctx_t *ctx;
	addrxlat_ctx_t *ax;
	addrxlat_sys_t *sys;
};

static double now(void)
{
	struct timespec ts;

	/* CPU time: the machine may be busy with other work */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "xlat-bench: %s: %s\n", what, why);
	exit(2);
}

static void check(struct kdx_error *err, const char *what)
{
	if (err)
		die(what, kdx_error_message(err));
}

static bool collect(void *arg, const struct kdx_mapping *m)
{
	struct maps *maps = arg;

	if (maps->n < MAX_MAPS) {
		maps->m[maps->n++] = *m;
		maps->bytes += m->size;
	}
	return true;
}

static void lkd_open(struct lkd *l, const char *path)
{
	int fd = open(path, O_RDONLY);

	l->ctx = kdump_new();
	if (fd < 0 || !l->ctx)
		die(path, "cannot open");
	if (kdump_open_fd(l->ctx, fd) != KDUMP_OK ||
	    kdump_set_string_attr(l->ctx, "addrxlat.ostype", "linux") != KDUMP_OK ||
	    kdump_get_addrxlat(l->ctx, &l->ax, &l->sys) != KDUMP_OK)
		die("libkdumpfile", kdump_get_err(l->ctx));
}

static void lkd_close(struct lkd *l)
{
	addrxlat_ctx_decref(l->ax);
	addrxlat_sys_decref(l->sys);
	kdump_free(l->ctx);
}

static uint64_t rnd64(uint64_t *s)
{
	/* xorshift64*: reproducible on every host */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* The run holding mapped byte @at (0 <= at < total), by binary search
 * over the runs' cumulative sizes. */
static size_t run_at(const uint64_t *cum, size_t n, uint64_t at)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cum[mid] > at)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Uniform over mapped bytes (by_runs false) or over runs. */
static void make_sample(const struct maps *maps, bool by_runs, uint64_t *va,
			size_t n)
{
	uint64_t seed = by_runs ? 0x1234567 : 0x7654321;
	uint64_t *cum = malloc(maps->n * sizeof(*cum)), sum = 0;

	for (size_t k = 0; k < maps->n; k++)
		cum[k] = sum += maps->m[k].size;
	for (size_t i = 0; i < n; i++) {
		const struct kdx_mapping *m;
		uint64_t at;

		if (by_runs) {
			m = &maps->m[rnd64(&seed) % maps->n];
			va[i] = m->vaddr + rnd64(&seed) % m->size;
			continue;
		}
		at = rnd64(&seed) % sum;
		m = &maps->m[run_at(cum, maps->n, at)];
		va[i] = m->vaddr + (m->size - (cum[m - maps->m] - at));
	}
	free(cum);
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

static double run_lkd(struct lkd *l, const uint64_t *va, const uint64_t *pa,
		      size_t n)
{
	double t0 = now();

	for (size_t i = 0; i < n; i++) {
		addrxlat_fulladdr_t fa = { va[i], ADDRXLAT_KVADDR };

		if (addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, l->ax,
					   l->sys) != ADDRXLAT_OK)
			die("libkdumpfile translate", addrxlat_ctx_get_err(l->ax));
		if (fa.addr != pa[i]) {
			fprintf(stderr, "0x%" PRIx64 ": kdx 0x%" PRIx64
				" libkdumpfile 0x%" PRIx64 "\n",
				va[i], pa[i], (uint64_t)fa.addr);
			exit(1);
		}
	}
	return now() - t0;
}

static void report(const char *what, size_t n, double kdx, double lkd)
{
	printf("%-34s kdx %8.2f M/s  libkdumpfile %8.2f M/s  ratio %6.1fx\n",
	       what, (double)n / kdx / 1e6, (double)n / lkd / 1e6, lkd / kdx);
}

/* One workload: cold (fresh contexts), then warm (same addresses, 5 more
 * passes, best taken). */
static void workload(const char *name, const char *path, struct kdx_xlat *x,
		     const uint64_t *va, uint64_t *pa, size_t n)
{
	char label[64];
	double tk, tl, bk = 1e9, bl = 1e9;
	struct lkd l;

	lkd_open(&l, path);
	kdx_xlat_flush(x);
	tk = run_kdx(x, va, pa, n);
	tl = run_lkd(&l, va, pa, n);
	snprintf(label, sizeof(label), "random %s, cold", name);
	report(label, n, tk, tl);
	for (int pass = 0; pass < 5; pass++) {
		tk = run_kdx(x, va, pa, n);
		tl = run_lkd(&l, va, pa, n);
		bk = tk < bk ? tk : bk;
		bl = tl < bl ? tl : bl;
	}
	snprintf(label, sizeof(label), "random %s, warm", name);
	report(label, n, bk, bl);
	lkd_close(&l);
}

/* The kernel half of the address space: 5-level paging has more of it;
 * 32-bit kernels start at PAGE_OFFSET (3G/1G split by default).  bits:
 * index bits per level below the top (x86-32's tables hold 1024). */
struct kernel_half {
	uint64_t lo, hi;
	unsigned int bits;
};

static struct kernel_half kernel_half(const struct kdx_xlat *x,
				      const struct kdx_kernel_layout *layout)
{
	switch (kdx_xlat_mode(x)) {
	case KDX_PAGING_X86_LA57:
		return (struct kernel_half){ 0xff00000000000000ull, UINT64_MAX, 9 };
	case KDX_PAGING_X86_32:
	case KDX_PAGING_X86_PAE:
		return (struct kernel_half){
			layout->has_direct_map ? layout->direct_map : 0xc0000000u,
			0xffffffffu,
			kdx_xlat_mode(x) == KDX_PAGING_X86_32 ? 10 : 9 };
	default:
		return (struct kernel_half){ 0xffff800000000000ull, UINT64_MAX, 9 };
	}
}

/* libkdumpfile has no enumerator: walk the page table with its step API,
 * skipping a whole entry's span when an entry is not present. */
static uint64_t lkd_enumerate(struct lkd *l, const struct kernel_half *half,
			      uint64_t *bytes)
{
	const addrxlat_meth_t *meth = addrxlat_sys_get_meth(l->sys,
							    ADDRXLAT_SYS_METH_PGT);
	uint64_t start = half->lo, va = start, pages = 0;

	*bytes = 0;
	while (va >= start && va <= half->hi) {
		addrxlat_step_t step = { .ctx = l->ax, .sys = l->sys, .meth = meth };
		unsigned int remain = 0;
		addrxlat_status st = addrxlat_launch(&step, va);
		uint64_t span;

		/* remember the level that produced the leaf (remain drops to
		 * 1) or the entry that was not present */
		while (st == ADDRXLAT_OK && step.remain > 1) {
			remain = step.remain;
			st = addrxlat_step(&step);
		}
		if (st != ADDRXLAT_OK)
			addrxlat_ctx_clear_err(l->ax);
		/* the entry read with `remain` left maps 2^(12 + bits * (remain - 2)) */
		span = 1ull << (12 + half->bits * (remain >= 2 ? remain - 2 : 0));
		if (st == ADDRXLAT_OK) {
			pages++;
			*bytes += span;
		}
		va = (va & ~(span - 1)) + span;
	}
	return pages;
}

static void enumeration(const char *path, struct kdx_xlat *x, struct maps *maps,
			const struct kernel_half *half)
{
	double t0, tk, tl, tw;
	uint64_t bytes, pages;
	struct lkd l;
	size_t before = maps->n;

	kdx_xlat_flush(x);
	maps->n = 0;
	maps->bytes = 0;
	t0 = now();
	check(kdx_xlat_maps(x, half->lo, half->hi, KDX_MAPS_NO_MERGE,
			    collect, NULL, maps), "kdx maps");
	tk = now() - t0;
	lkd_open(&l, path);
	t0 = now();
	pages = lkd_enumerate(&l, half, &bytes);
	tl = now() - t0;
	printf("%-34s kdx %8.1f ms  libkdumpfile %8.1f ms  ratio %6.1fx\n",
	       "enumerate kernel page table", tk * 1e3, tl * 1e3, tl / tk);
	printf("  kdx: %zu leaves, %" PRIu64 " MiB; libkdumpfile walk: %" PRIu64
	       " leaves, %" PRIu64 " MiB\n", maps->n, maps->bytes >> 20, pages,
	       bytes >> 20);
	if (maps->bytes != bytes || maps->n != pages)
		die("enumeration", "kdx and libkdumpfile disagree");
	kdx_xlat_flush(x);
	maps->n = 0;
	t0 = now();
	check(kdx_xlat_maps(x, half->lo, half->hi, 0, collect, NULL,
			    maps), "kdx maps");
	tw = now() - t0;
	printf("  kdx merged enumeration: %zu ranges in %.1f ms\n", maps->n,
	       tw * 1e3);
	lkd_close(&l);
	(void)before;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 0) : 200000;
	struct kdx_kernel_layout layout;
	struct maps maps = { malloc(MAX_MAPS * sizeof(struct kdx_mapping)), 0, 0 };
	uint64_t *va = malloc(n * sizeof(*va)), *pa = malloc(n * sizeof(*pa));
	struct kdx_dump *dump;
	struct kdx_xlat *x;
	struct kernel_half half;

	if (argc < 2) {
		fprintf(stderr, "usage: xlat-bench DUMP [N]\n");
		return 2;
	}
	check(kdx_dump_open(argv[1], NULL, &dump), argv[1]);
	check(kdx_kernel_probe(dump, NULL, &layout), "probe");
	check(kdx_kernel_xlat_create(dump, &layout, &x), "xlat");
	half = kernel_half(x, &layout);
	check(kdx_xlat_maps(x, half.lo, half.hi, 0, collect, NULL, &maps),
	      "maps");
	if (!maps.n)
		die(argv[1], "no kernel mappings");
	printf("%s: %zu kernel mapping runs, %" PRIu64 " MiB, %zu addresses per pass\n",
	       argv[1], maps.n, maps.bytes >> 20, n);
	make_sample(&maps, false, va, n);
	workload("over mapped bytes", argv[1], x, va, pa, n);
	make_sample(&maps, true, va, n);
	workload("over mapping runs", argv[1], x, va, pa, n);
	enumeration(argv[1], x, &maps, &half);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(dump);
	free(maps.m);
	free(va);
	free(pa);
	return 0;
}
