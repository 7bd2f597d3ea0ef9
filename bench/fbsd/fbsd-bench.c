/* SPDX-License-Identifier: MIT */
/* fbsd-bench: numbers for FreeBSD minidumps (bench/fbsd-minidump.sh runs
 * it; not a test).
 *   fbsd-bench make OUT RAM_GIB STRIDE RUN
 *       write a sparse amd64 v3 minidump of RAM_GIB GiB of RAM whose
 *       bitmap holds the first RUN pages of every STRIDE; only the header,
 *       bitmap, page-table area and the page-table pages are written, the
 *       rest of the page data is a hole.  The kernel map: 1 GiB of KVA,
 *       2 MiB pages but for 64 MiB in the middle, 32 page-table pages of
 *       4 KiB pages spread over RAM (a table working set like a Linux
 *       guest's).
 *   fbsd-bench read DUMP      read every dumped byte (1 MiB at a time)
 *   fbsd-bench open DUMP      time kdx_dump_open() and report the peak RSS
 *   fbsd-bench xlat DUMP N    translate N random mapped kernel addresses
 *                             (any dump kdx sets up: FreeBSD or Linux) */
#include <kdx/dump.h>
#include <kdx/kernel.h>
#include <kdx/xlat.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int die(const char *what)
{
	perror(what);
	return 1;
}

#define PAGE ((uint64_t)4096)
#define KVA ((uint64_t)1 << 30)

/* ---- make ---- */

static int make(const char *out, uint64_t ram_gib, uint64_t stride, uint64_t run)
{
	uint64_t pages = (ram_gib << 30) / PAGE, bitmap = (pages + 63) / 64 * 8;
	uint64_t pmap = KVA >> 21 << 3, dumped = pages / stride * run;
	uint64_t off_bitmap = 3 * PAGE, off_pmap, off_sparse, pt = 0;
	uint8_t hdr[PAGE] = { 0 }, avail[PAGE] = { 0 }, page[PAGE];
	uint8_t *bits = calloc(1, bitmap), *pdes = calloc(1, pmap);
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || !bits || !pdes || run > stride || pages % stride)
		return die(out);
	off_pmap = off_bitmap + (bitmap + PAGE - 1) / PAGE * PAGE;
	off_sparse = off_pmap + (pmap + PAGE - 1) / PAGE * PAGE;
	memcpy(hdr, "minidump FreeBSD/amd64", 22);
	le32(hdr + 24, 3);
	le32(hdr + 28, PAGE); /* msgbufsize */
	le32(hdr + 32, (uint32_t)bitmap);
	le32(hdr + 36, (uint32_t)pmap);
	le64(hdr + 40, 0xfffffe0000000000ull);
	le64(hdr + 48, 0xfffff80000000000ull);
	le64(hdr + 56, 0xfffff80000000000ull + (ram_gib << 30));
	le32(hdr + 64, PAGE); /* dumpavailsize */
	le64(avail + 8, ram_gib << 30);
	for (uint64_t p = 0; p < pages; p++)
		if (p % stride < run)
			bits[p / 8] |= (uint8_t)(1u << (p % 8));
	/* PDE i: a 2 MiB page, or in 224..255 a page-table page (the n-th
	 * dumped page) of 4 KiB pages spread over RAM. */
	for (uint64_t i = 0; i < pmap / 8; i++) {
		if (i < 224 || i >= 256) {
			le64(pdes + i * 8, ((i * 0x200000) % (ram_gib << 30)) | 0xe3);
			continue;
		}
		uint64_t pfn = pt / run * stride + pt % run;

		memset(page, 0, sizeof(page));
		for (int e = 0; e < 512; e++)
			le64(page + e * 8,
			     ((pfn * 7919 + (uint64_t)e * 104729) % pages) * PAGE | 0x63);
		le64(pdes + i * 8, pfn * PAGE | 0x23);
		if (pwrite(fd, page, PAGE, (off_t)(off_sparse + pt * PAGE)) != (ssize_t)PAGE)
			return die(out);
		pt++;
	}
	if (pwrite(fd, hdr, PAGE, 0) != (ssize_t)PAGE ||
	    pwrite(fd, avail, PAGE, 2 * PAGE) != (ssize_t)PAGE ||
	    pwrite(fd, bits, bitmap, (off_t)off_bitmap) != (ssize_t)bitmap ||
	    pwrite(fd, pdes, pmap, (off_t)off_pmap) != (ssize_t)pmap ||
	    ftruncate(fd, (off_t)(off_sparse + dumped * PAGE)) || close(fd))
		return die(out);
	printf("%s: %" PRIu64 " GiB of RAM, %" PRIu64 " pages dumped, %" PRIu64 " bytes\n",
	       out, ram_gib, dumped, off_sparse + dumped * PAGE);
	free(bits);
	free(pdes);
	return 0;
}

/* ---- read, open, xlat ---- */

static struct kdx_dump *open_dump(const char *path, double *secs)
{
	struct kdx_dump *dump;
	double t = now();
	struct kdx_error *err = kdx_dump_open(path, NULL, &dump);

	if (err) {
		fprintf(stderr, "%s\n", kdx_error_message(err));
		exit(1);
	}
	if (secs)
		*secs = now() - t;
	return dump;
}

static int read_all(const char *path)
{
	struct kdx_dump *dump = open_dump(path, NULL);
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint8_t *buf = malloc(1 << 20);
	uint64_t bytes = 0;
	double t = now();

	for (size_t i = 0; i < n; i++) {
		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		for (uint64_t a = r[i].start; a < r[i].start + r[i].size;) {
			uint64_t len = r[i].start + r[i].size - a;

			len = len > (1 << 20) ? (1 << 20) : len;
			if (kdx_read_phys(dump, a, buf, len, 0, NULL))
				return 1;
			a += len;
			bytes += len;
		}
	}
	t = now() - t;
	printf("read %" PRIu64 " bytes in %.3f s: %.0f MiB/s\n", bytes, t,
	       (double)bytes / t / (1 << 20));
	free(buf);
	kdx_dump_destroy(dump);
	return 0;
}

static int open_only(const char *path)
{
	double secs;
	struct rusage ru;
	struct kdx_dump *dump = open_dump(path, &secs);

	getrusage(RUSAGE_SELF, &ru);
	printf("open %.3f s, peak RSS %ld MiB\n", secs, ru.ru_maxrss / 1024);
	kdx_dump_destroy(dump);
	return 0;
}

struct sample {
	struct kdx_mapping *m;
	size_t n, cap;
};

static bool collect(void *arg, const struct kdx_mapping *m)
{
	struct sample *s = arg;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->m = realloc(s->m, s->cap * sizeof(*s->m));
		if (!s->m)
			return false;
	}
	s->m[s->n++] = *m;
	return s->n < (1u << 22);
}

static int xlat(const char *path, uint64_t count)
{
	struct kdx_dump *dump = open_dump(path, NULL);
	struct kdx_kernel_layout layout;
	struct kdx_xlat *x;
	struct sample s = { 0 };
	uint64_t *va = malloc(count * sizeof(*va)), seed = 88172645463325252ull, sink = 0;
	double t;

	if (!va || kdx_kernel_probe(dump, NULL, &layout) ||
	    kdx_kernel_xlat_create(dump, &layout, &x) ||
	    kdx_xlat_maps(x, 0, UINT64_MAX, KDX_MAPS_NO_MERGE, collect, NULL, &s) ||
	    !s.n) {
		fprintf(stderr, "%s: no translation\n", path);
		return 1;
	}
	/* Uniform over leaf entries, then over the bytes of each. */
	for (uint64_t i = 0; i < count; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		const struct kdx_mapping *m = &s.m[seed % s.n];

		va[i] = m->vaddr + (seed >> 20) % m->size;
	}
	for (int pass = 0; pass < 2; pass++) {
		kdx_xlat_flush(x);
		t = now();
		for (uint64_t i = 0; i < count; i++) {
			struct kdx_xlat_result r;

			if (kdx_xlat_translate(x, va[i], &r))
				return 1;
			sink += r.paddr;
		}
		t = now() - t;
		struct kdx_xlat_stats st;

		kdx_xlat_get_stats(x, &st);
		printf("%s: %zu leaf entries, %" PRIu64 " translations in %.3f s: %.2f M/s (%s; %" PRIu64 " TLB hits, %" PRIu64 " table reads)\n",
		       path, s.n, count, t, (double)count / t / 1e6,
		       pass ? "second pass, caches flushed again" : "caches flushed",
		       st.tlb_hits, st.table_reads);
	}
	/* Walks alone (kdx_xlat_trace never answers from the TLB): what a
	 * translation costs apart from the layout's TLB hit rate. */
	kdx_xlat_flush(x);
	t = now();
	for (uint64_t i = 0; i < count; i++) {
		struct kdx_xlat_result r;
		struct kdx_xlat_trace tr;

		if (kdx_xlat_trace(x, va[i], &r, &tr))
			return 1;
		sink += r.paddr;
	}
	t = now() - t;
	printf("%s: %" PRIu64 " walks in %.3f s: %.2f M/s (no TLB)\n", path,
	       count, t, (double)count / t / 1e6);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(dump);
	free(s.m);
	free(va);
	return sink == 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "make"))
		return make(argv[2], strtoull(argv[3], NULL, 0),
			    strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "read"))
		return read_all(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "open"))
		return open_only(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "xlat"))
		return xlat(argv[2], strtoull(argv[3], NULL, 0));
	fprintf(stderr, "usage: fbsd-bench make OUT RAM_GIB STRIDE RUN | read DUMP | open DUMP | xlat DUMP N\n");
	return 2;
}
