/* SPDX-License-Identifier: MIT */
/* kdump-read-bench DUMP [RUNS]: read every dumped page of a kdump-compressed
 * file with kdx and with libkdumpfile, in one run, and compare the bytes.
 *
 *   kdx           kdx_read_phys() of each page (4 KiB reads, ascending)
 *   kdx-1M        the same bytes in reads of up to 1 MiB
 *   libkdumpfile  kdump_read(KDUMP_KPHYSADDR) of each page
 *
 * Each is the best of RUNS (default 3) runs on a freshly opened dump (the
 * file itself warm in the OS page cache), timed in thread CPU time (the
 * machine is shared) and wall time.  Every page's hash must be the same in
 * both libraries.  Then, for the zlib pages of a plain (not flattened)
 * LP64 little-endian file, the page decoder alone: libdeflate's
 * whole-buffer zlib decoder (what kdx uses) against zlib's inflate() with
 * inflateReset() per page (libkdumpfile's way) and uncompress() (crash's
 * and makedumpfile's).  Lines starting "result" are for scripts.
 * libkdumpfile 0.5.1 needs addrxlat.ostype=linux set by hand. */
#include <kdx/dump.h>

#include <libdeflate.h>
#include <libkdumpfile/kdumpfile.h>
#include <zlib.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BIG_READ (1u << 20)

struct timing {
	double cpu, wall;
};

static double clock_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct timing start(void)
{
	return (struct timing){ clock_of(CLOCK_THREAD_CPUTIME_ID),
				clock_of(CLOCK_MONOTONIC) };
}

static void stop(struct timing *t, struct timing *best)
{
	t->cpu = clock_of(CLOCK_THREAD_CPUTIME_ID) - t->cpu;
	t->wall = clock_of(CLOCK_MONOTONIC) - t->wall;
	if (best->cpu == 0 || t->cpu < best->cpu)
		best->cpu = t->cpu;
	if (best->wall == 0 || t->wall < best->wall)
		best->wall = t->wall;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "kdump-read-bench: %s: %s\n", what, why);
	exit(2);
}

static uint64_t hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < n / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;
	return h;
}

struct pages {
	uint64_t *addr;
	size_t n;
	uint32_t size;
	const struct kdx_phys_range *r;
	size_t nr;
};

static struct kdx_dump *open_kdx(const char *path)
{
	struct kdx_dump *d;
	struct kdx_error *err = kdx_dump_open(path, NULL, &d);

	if (err)
		die(path, kdx_error_message(err));
	return d;
}

static void list_pages(struct kdx_dump *d, struct pages *p)
{
	p->size = kdx_dump_page_size(d);
	p->r = kdx_dump_phys_ranges(d, &p->nr);
	for (size_t i = 0; i < p->nr; i++)
		if (p->r[i].kind == KDX_RANGE_DATA)
			p->n += p->r[i].size / p->size;
	p->addr = malloc(p->n * sizeof(*p->addr));
	p->n = 0;
	for (size_t i = 0; i < p->nr; i++)
		for (uint64_t a = 0; p->r[i].kind == KDX_RANGE_DATA &&
				     a + p->size <= p->r[i].size;
		     a += p->size)
			p->addr[p->n++] = p->r[i].start + a;
}

static void kdx_pages(const char *path, const struct pages *p, uint64_t *h,
		      struct timing *best)
{
	struct kdx_dump *d = open_kdx(path);
	uint8_t *buf = malloc(p->size);
	struct timing t = start();

	for (size_t i = 0; i < p->n; i++) {
		struct kdx_error *err =
			kdx_read_phys(d, p->addr[i], buf, p->size, 0, NULL);

		if (err)
			die("kdx", kdx_error_message(err));
		h[i] = hash(buf, p->size);
	}
	stop(&t, best);
	free(buf);
	kdx_dump_destroy(d);
}

static uint64_t kdx_big(const char *path, struct timing *best)
{
	struct kdx_dump *d = open_kdx(path);
	size_t nr;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &nr);
	uint8_t *buf = malloc(BIG_READ);
	uint64_t sum = 0;
	struct timing t = start();

	for (size_t i = 0; i < nr; i++) {
		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		for (uint64_t a = 0; a < r[i].size; a += BIG_READ) {
			size_t n = r[i].size - a < BIG_READ ? r[i].size - a :
								BIG_READ;
			struct kdx_error *err = kdx_read_phys(
				d, r[i].start + a, buf, n, 0, NULL);

			if (err)
				die("kdx", kdx_error_message(err));
			sum += buf[0] + buf[n - 1];
		}
	}
	stop(&t, best);
	free(buf);
	kdx_dump_destroy(d);
	return sum;
}

static void lkd_pages(const char *path, const char *arch,
		      const struct pages *p, const uint64_t *want,
		      struct timing *best)
{
	kdump_ctx_t *ctx = kdump_new();
	int fd = open(path, O_RDONLY);
	uint8_t *buf = malloc(p->size);
	struct timing t;
	size_t bad = 0;

	if (!ctx || fd < 0)
		die(path, "cannot open");
	if (kdump_open_fd(ctx, fd) != KDUMP_OK)
		die("libkdumpfile", kdump_get_err(ctx));
	/* QEMU's header has only utsname.machine: say the arch too. */
	if (arch && kdump_set_string_attr(ctx, "arch.name", arch) != KDUMP_OK)
		die("libkdumpfile arch.name", kdump_get_err(ctx));
	if (kdump_set_string_attr(ctx, "addrxlat.ostype", "linux") != KDUMP_OK)
		die("libkdumpfile addrxlat.ostype", kdump_get_err(ctx));
	t = start();
	for (size_t i = 0; i < p->n; i++) {
		size_t n = p->size;

		if (kdump_read(ctx, KDUMP_KPHYSADDR, p->addr[i], buf, &n) !=
			    KDUMP_OK ||
		    n != p->size)
			die("libkdumpfile", kdump_get_err(ctx));
		bad += hash(buf, p->size) != want[i];
	}
	stop(&t, best);
	if (bad) {
		fprintf(stderr, "kdump-read-bench: %zu pages differ between kdx and libkdumpfile\n",
			bad);
		exit(1);
	}
	free(buf);
	kdump_free(ctx);
	close(fd);
}

/* ---- the page decoder alone ---- */

struct zpages {
	uint8_t *data;
	size_t *off, *len, n;
	uint32_t size;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The zlib pages of a plain LP64 little-endian kdump file, in memory. */
static int load_zlib_pages(const char *path, struct zpages *z)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	uint8_t *f;
	uint64_t desc, cap = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	f = malloc(st.st_size);
	if (!f || pread(fd, f, st.st_size, 0) != st.st_size) {
		close(fd);
		free(f);
		return -1;
	}
	close(fd);
	if (memcmp(f, "KDUMP   ", 8) || strcmp((char *)f + 12 + 4 * 65,
						    "x86_64")) {
		free(f);
		return -1;
	}
	z->size = le32(f + 428);
	desc = (1 + (uint64_t)le32(f + 432) + le32(f + 436)) * z->size;
	for (uint64_t at = desc; at + 24 <= (uint64_t)st.st_size; at += 24) {
		uint64_t off = le64(f + at);
		uint32_t len = le32(f + at + 8), flags = le32(f + at + 12);

		if (off <= desc || off + len > (uint64_t)st.st_size)
			break;
		if (!(flags & 1))
			continue;
		if (z->n == cap) {
			cap = cap ? 2 * cap : 4096;
			z->off = realloc(z->off, cap * sizeof(*z->off));
			z->len = realloc(z->len, cap * sizeof(*z->len));
		}
		z->off[z->n] = off;
		z->len[z->n++] = len;
	}
	z->data = f;
	return z->n ? 0 : -1;
}

static void decode_bench(const char *path, int runs)
{
	struct zpages z = { 0 };
	struct timing best_ld = { 0 }, best_inf = { 0 }, best_unc = { 0 };
	struct libdeflate_decompressor *ld = libdeflate_alloc_decompressor();
	z_stream zs;
	uint8_t *out;
	uint64_t sum_ld = 0, sum_inf = 0, sum_unc = 0;

	if (load_zlib_pages(path, &z) < 0) {
		printf("decode: no zlib pages in a plain x86_64 kdump file (flattened?); skipped\n");
		return;
	}
	out = malloc(z.size);
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK)
		die("zlib", "inflateInit");
	for (int r = 0; r < runs; r++) {
		struct timing t = start();

		sum_ld = 0;
		for (size_t i = 0; i < z.n; i++) {
			size_t got;

			if (libdeflate_zlib_decompress(ld, z.data + z.off[i],
						       z.len[i], out, z.size,
						       &got) != LIBDEFLATE_SUCCESS ||
			    got != z.size)
				die("libdeflate", "bad page");
			sum_ld += hash(out, z.size);
		}
		stop(&t, &best_ld);
		t = start();
		sum_inf = 0;
		for (size_t i = 0; i < z.n; i++) {
			inflateReset(&zs);
			zs.next_in = z.data + z.off[i];
			zs.avail_in = (uInt)z.len[i];
			zs.next_out = out;
			zs.avail_out = z.size;
			if (inflate(&zs, Z_FINISH) != Z_STREAM_END ||
			    zs.avail_out)
				die("inflate", "bad page");
			sum_inf += hash(out, z.size);
		}
		stop(&t, &best_inf);
		t = start();
		sum_unc = 0;
		for (size_t i = 0; i < z.n; i++) {
			uLongf got = z.size;

			if (uncompress(out, &got, z.data + z.off[i], z.len[i]) !=
				    Z_OK ||
			    got != z.size)
				die("uncompress", "bad page");
			sum_unc += hash(out, z.size);
		}
		stop(&t, &best_unc);
	}
	if (sum_ld != sum_inf || sum_ld != sum_unc)
		die("decode", "the decoders disagree");
	printf("decode: %zu zlib pages (%.1f MiB out), best of %d, CPU time:\n",
	       z.n, z.n * (double)z.size / (1 << 20), runs);
	printf("  libdeflate_zlib_decompress  %8.3f s  %7.0f MB/s\n",
	       best_ld.cpu, z.n * (double)z.size / best_ld.cpu / 1e6);
	printf("  zlib inflate+inflateReset   %8.3f s  %7.0f MB/s\n",
	       best_inf.cpu, z.n * (double)z.size / best_inf.cpu / 1e6);
	printf("  zlib uncompress             %8.3f s  %7.0f MB/s\n",
	       best_unc.cpu, z.n * (double)z.size / best_unc.cpu / 1e6);
	printf("result decode libdeflate/inflate %.2f libdeflate/uncompress %.2f\n",
	       best_inf.cpu / best_ld.cpu, best_unc.cpu / best_ld.cpu);
	inflateEnd(&zs);
	libdeflate_free_decompressor(ld);
	free(out);
	free(z.data);
	free(z.off);
	free(z.len);
}

/* The same pages read by kdx from OTHER, another dump of the same memory
 * (an AVML image made from it): every page must match; its speed is set
 * against libkdumpfile's on DUMP. */
static void other_image(const char *other, const struct pages *p,
			const uint64_t *want, int runs,
			const struct timing *lkd, double mb)
{
	struct timing best = { 0 };
	uint64_t *h = malloc(p->n * sizeof(*h));

	for (int r = 0; r < runs; r++)
		kdx_pages(other, p, h, &best);
	for (size_t i = 0; i < p->n; i++)
		if (h[i] != want[i])
			die(other, "a page differs from the kdump dump's");
	printf("  %-26s %8.3f %9.0f %8.3f %9.0f\n", "kdx on OTHER (page reads)",
	       best.cpu, mb / best.cpu, best.wall, mb / best.wall);
	printf("  every page identical in OTHER (%s)\n", other);
	printf("result other kdx/libkdumpfile %.2f (cpu) %.2f (wall)\n",
	       lkd->cpu / best.cpu, lkd->wall / best.wall);
	free(h);
}

int main(int argc, char **argv)
{
	struct pages p = { 0 };
	struct timing kdx = { 0 }, big = { 0 }, lkd = { 0 };
	struct kdx_dump *d;
	uint64_t *h;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	double mb;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: kdump-read-bench DUMP [RUNS [OTHER]]\n");
		return 2;
	}
	d = open_kdx(argv[1]);
	list_pages(d, &p);
	h = malloc(p.n * sizeof(*h));
	mb = p.n * (double)p.size / 1e6;
	for (int r = 0; r < runs; r++) {
		kdx_pages(argv[1], &p, h, &kdx);
		kdx_big(argv[1], &big);
		lkd_pages(argv[1], kdx_arch_name(kdx_dump_arch(d)), &p, h,
			  &lkd);
	}
	printf("%s: %zu pages (%.1f MB) in %zu ranges, best of %d runs\n",
	       argv[1], p.n, mb, p.nr, runs);
	printf("  %-26s %8s %9s %8s %9s\n", "", "cpu s", "MB/s", "wall s",
	       "MB/s");
	printf("  %-26s %8.3f %9.0f %8.3f %9.0f\n", "kdx (page reads)", kdx.cpu,
	       mb / kdx.cpu, kdx.wall, mb / kdx.wall);
	printf("  %-26s %8.3f %9.0f %8.3f %9.0f\n", "kdx (1 MiB reads)", big.cpu,
	       mb / big.cpu, big.wall, mb / big.wall);
	printf("  %-26s %8.3f %9.0f %8.3f %9.0f\n", "libkdumpfile (page reads)",
	       lkd.cpu, mb / lkd.cpu, lkd.wall, mb / lkd.wall);
	printf("  every page identical in kdx and libkdumpfile\n");
	printf("result read kdx/libkdumpfile %.2f (cpu) %.2f (wall) kdx_cpu %.3f kdx_wall %.3f mb %.1f\n",
	       lkd.cpu / kdx.cpu, lkd.wall / kdx.wall, kdx.cpu, kdx.wall, mb);
	if (argc > 3)
		other_image(argv[3], &p, h, runs, &lkd, mb);
	kdx_dump_destroy(d);
	free(h);
	free(p.addr);
	decode_bench(argv[1], runs);
	return 0;
}
