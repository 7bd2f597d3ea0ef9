/* SPDX-License-Identifier: MIT */
/* mkminidump: write one synthetic FreeBSD minidump (see mkminidump.h) to
 * a file, for fuzz seeds, the command-line tests and the libfbsdvmcore
 * oracle.
 *   mkminidump ARCH VERSION OUT [pae] [v4|v6|lpae] [be] [16k] [skew]
 *              [noheader] [dataversion] [tiny] [hpt] [mips64] [fuzz]
 * "fuzz" writes fuzz_fbsd_minidump's input: the 80 header bytes, then
 * the file from the second page run-length encoded (see that target),
 * each dumped page but page-table pages filled with its first byte.
 * A dump also gets OUT.expect, what the helper mapped ("VA PA DUMPED"
 * for the first and last page of each mapping and a few direct-map
 * pages), and OUT.log, the message buffer as `kdx dmesg` should print
 * it.  "gz" or "zst" writes the dump as dumpon -z / -Z and savecore
 * leave it: one gzip or zstd stream of the whole dump, zero-padded to the
 * dump device's 512-byte blocks.
 */
#include "mkcompressed.h"
#include "mkminidump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_arch(const char *name, enum mkmd_arch *arch)
{
	for (int a = MKMD_AMD64; a <= MKMD_MIPS; a++) {
		if (!strcmp(name, mkmd_arch_name((enum mkmd_arch)a))) {
			*arch = (enum mkmd_arch)a;
			return true;
		}
	}
	return false;
}

static bool parse_flag(struct mkmd_spec *s, const char *f)
{
	if (!strcmp(f, "pae"))
		s->pae = true;
	else if (!strcmp(f, "v4"))
		s->mmuformat = MKMD_MMU_V4;
	else if (!strcmp(f, "v6"))
		s->mmuformat = MKMD_MMU_V6;
	else if (!strcmp(f, "lpae"))
		s->mmuformat = MKMD_MMU_V6_LPAE;
	else if (!strcmp(f, "be"))
		s->byte_order = KDX_BIG_ENDIAN;
	else if (!strcmp(f, "16k"))
		s->page_size = 16384;
	else if (!strcmp(f, "skew"))
		s->kernbase_skew = 0x5000;
	else if (!strcmp(f, "noheader"))
		s->msgbuf_no_header = true;
	else if (!strcmp(f, "dataversion"))
		s->version_in_data_only = true;
	else if (!strcmp(f, "tiny"))
		s->tiny = true;
	else if (!strcmp(f, "hpt"))
		s->hpt = true;
	else if (!strcmp(f, "mips64"))
		s->mips64 = true;
	else
		return false;
	return true;
}

/* The run-length code fuzz_fbsd_minidump.c decodes: 0xff n is
 * (n + 1) * 64 zero bytes, 0xfe b n is n + 1 copies of b, any other byte
 * itself. */
static size_t encode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0, i = 0;

	while (i < n) {
		size_t run = 1;

		while (i + run < n && in[i + run] == in[i] && run < 256 * 64)
			run++;
		if (in[i] == 0 && run >= 64) {
			size_t k = run / 64 > 256 ? 256 : run / 64;

			out[o++] = 0xff;
			out[o++] = (uint8_t)(k - 1);
			i += k * 64;
		} else if (run >= 4 || in[i] >= 0xfe) {
			size_t k = run > 256 ? 256 : run;

			out[o++] = 0xfe;
			out[o++] = in[i];
			out[o++] = (uint8_t)(k - 1);
			i += k;
		} else {
			out[o++] = in[i++];
		}
	}
	return o;
}

static bool is_table(const struct mkmd_dump *d, uint64_t pa)
{
	for (unsigned int i = 0; i < d->ntables; i++)
		if (d->table_pa[i] == pa)
			return true;
	return false;
}

/* Dumped pages made uniform, so the seed stays small. */
static void flatten_pages(struct mkmd_dump *d)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < d->navail; i++)
		for (uint64_t pa = d->avail[2 * i]; pa < d->avail[2 * i + 1];
		     pa += d->page_size) {
			uint8_t *page = d->data + d->sparse_off + n * d->page_size;

			if (!mkmd_dumped(d, pa))
				continue;
			if (!is_table(d, pa))
				memset(page, page[0], d->page_size);
			n++;
		}
}

static bool write_fuzz(struct mkmd_dump *d, FILE *f)
{
	uint8_t *out = malloc(2 * d->size);
	size_t n;
	bool ok;

	if (!out)
		return false;
	flatten_pages(d);
	memcpy(out, d->data, 80);
	n = 80 + encode(d->data + d->page_size, d->size - d->page_size, out + 80);
	ok = fwrite(out, 1, n, f) == n;
	free(out);
	return ok;
}

static void expect_line(FILE *f, const struct mkmd_dump *d, uint64_t va)
{
	uint64_t pa;

	if (mkmd_expect(d, va, &pa))
		fprintf(f, "0x%llx 0x%llx %d\n", (unsigned long long)va,
			(unsigned long long)pa, mkmd_dumped(d, pa));
	else
		fprintf(f, "0x%llx none 0\n", (unsigned long long)va);
}

static bool write_expect(const struct mkmd_dump *d, const char *out)
{
	char path[4096];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s.expect", out);
	f = fopen(path, "w");
	if (!f)
		return false;
	for (unsigned int i = 0; i < d->nmaps; i++) {
		expect_line(f, d, d->maps[i].va);
		expect_line(f, d, d->maps[i].va + d->maps[i].size - d->page_size);
	}
	for (uint64_t off = 0; d->has_dmap && off < 0x4000000; off += 0x1001000)
		expect_line(f, d, d->dmapbase + off);
	ok = !fclose(f);
	snprintf(path, sizeof(path), "%s.log", out);
	f = fopen(path, "wb");
	if (!f)
		return false;
	ok &= fwrite(d->log, 1, d->log_len, f) == d->log_len;
	return !fclose(f) && ok;
}

/* The dump as one compressed stream, padded to 512-byte blocks. */
static bool write_compressed(const struct mkmd_dump *d, enum mkz_codec codec,
			     FILE *f)
{
	size_t n;
	uint8_t *z = mkz_compress(codec, d->data, d->size, 1, 0, &n);
	bool ok;

	if (!z)
		return false;
	free(z);
	z = mkz_compress(codec, d->data, d->size, 1, (512 - n % 512) % 512, &n);
	ok = z && fwrite(z, 1, n, f) == n;
	free(z);
	return ok;
}

static bool write_dump(const struct mkmd_dump *d, int codec, FILE *f)
{
	if (codec >= 0)
		return write_compressed(d, (enum mkz_codec)codec, f);
	return fwrite(d->data, 1, d->size, f) == d->size;
}

int main(int argc, char **argv)
{
	struct mkmd_spec spec = { 0 };
	struct mkmd_dump d;
	bool fuzz = false;
	int codec = -1;
	FILE *f;

	if (argc < 4 || !parse_arch(argv[1], &spec.arch)) {
		fprintf(stderr, "usage: mkminidump amd64|i386|arm|arm64|riscv|powerpc64 VERSION OUT [pae] [v4|v6|lpae] [be] [16k] [skew] [noheader] [dataversion] [tiny] [fuzz|gz|zst]\n");
		return 2;
	}
	spec.version = (unsigned int)atoi(argv[2]);
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "fuzz")) {
			fuzz = true;
			continue;
		}
		if (!strcmp(argv[i], "gz") || !strcmp(argv[i], "zst")) {
			codec = argv[i][0] == 'g' ? MKZ_GZIP : MKZ_ZSTD;
			continue;
		}
		if (!parse_flag(&spec, argv[i])) {
			fprintf(stderr, "mkminidump: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!mkmd_build(&spec, &d)) {
		fprintf(stderr, "mkminidump: cannot build that dump\n");
		return 1;
	}
	f = fopen(argv[3], "wb");
	if (!f || !(fuzz ? write_fuzz(&d, f) : write_dump(&d, codec, f)) ||
	    fclose(f) || (!fuzz && !write_expect(&d, argv[3]))) {
		perror(argv[3]);
		mkmd_free(&d);
		return 1;
	}
	mkmd_free(&d);
	return 0;
}
