/* SPDX-License-Identifier: MIT */
/* Oracle, run by hand (tests/freebsd/run-fvc-oracle.sh): libfbsdvmcore,
 * libkvm's minidump code ported to other hosts (the reader LLDB uses),
 * reads mkminidump's synthetic minidumps, and every virtual read it
 * answers is compared with kdx's read of the same address (and both with
 * what mkminidump mapped).  Not built by default: it needs a
 * libfbsdvmcore build, which CI does not have.
 *
 * Usage: fvc-oracle WORKDIR
 *        fvc-oracle VMCORE KERNEL   (a real minidump and its kernel ELF)
 * Prints one line per dump: agreements and disagreements; exit status 1
 * on any disagreement.  With a real dump there is no record to judge
 * by: every mapping kdx lists is read at its first and last 64 bytes
 * (at most 100000 mappings) by both. */
#include <kdx/kdx.h>

#include "bytes.h"
#include "mkminidump.h"

#include <fvc.h>

#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What libfbsdvmcore reads (its headers: amd64 v1-v3, i386 v1-v2, arm
 * v1-v2, arm64 v1-v2, riscv v1-v2, powerpc64 HPT v1-v2 big-endian only:
 * it reads the header with be32toh, and not radix; mips v1-v2, 32-bit
 * or 64-bit by the kernel ELF's class). */
static const struct mkmd_spec specs[] = {
	{ .arch = MKMD_AMD64, .version = 1 },
	{ .arch = MKMD_AMD64, .version = 2 },
	{ .arch = MKMD_AMD64, .version = 3 },
	{ .arch = MKMD_I386, .version = 1 },
	{ .arch = MKMD_I386, .version = 2 },
	{ .arch = MKMD_I386, .version = 1, .pae = true },
	{ .arch = MKMD_I386, .version = 2, .pae = true },
	{ .arch = MKMD_ARM, .version = 1, .mmuformat = MKMD_MMU_V4 },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6 },
	{ .arch = MKMD_ARM, .version = 2, .mmuformat = MKMD_MMU_V6,
	  .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_ARM64, .version = 1 },
	{ .arch = MKMD_ARM64, .version = 2 },
	{ .arch = MKMD_RISCV, .version = 1 },
	{ .arch = MKMD_RISCV, .version = 2 },
	{ .arch = MKMD_PPC64, .version = 1, .byte_order = KDX_BIG_ENDIAN,
	  .hpt = true },
	{ .arch = MKMD_PPC64, .version = 2, .byte_order = KDX_BIG_ENDIAN,
	  .hpt = true },
	/* powerpc64le: libfbsdvmcore reads the header big-endian. */
	{ .arch = MKMD_PPC64, .version = 2, .hpt = true },
	{ .arch = MKMD_MIPS, .version = 1 },
	{ .arch = MKMD_MIPS, .version = 2 },
	{ .arch = MKMD_MIPS, .version = 2, .byte_order = KDX_BIG_ENDIAN },
	{ .arch = MKMD_MIPS, .version = 1, .mips64 = true },
	{ .arch = MKMD_MIPS, .version = 2, .mips64 = true },
	{ .arch = MKMD_MIPS, .version = 2, .mips64 = true,
	  .byte_order = KDX_BIG_ENDIAN },
};

#define PROBE 64

/* The kernel ELF libfbsdvmcore asks for: only its header is read (class,
 * byte order, type ET_EXEC, machine). */
static bool write_kernel(const char *path, const struct mkmd_dump *d)
{
	static const unsigned int machine[] = { 62, 3, 40, 183, 243, 21, 8 };
	bool is64 = d->spec.arch == MKMD_AMD64 || d->spec.arch == MKMD_ARM64 ||
		    d->spec.arch == MKMD_RISCV || d->spec.arch == MKMD_PPC64 ||
		    d->spec.mips64;
	enum kdx_byte_order bo = d->spec.byte_order;
	uint8_t h[64] = { 0x7f, 'E', 'L', 'F' };
	FILE *f = fopen(path, "wb");
	bool ok;

	h[4] = is64 ? 2 : 1;
	h[5] = bo == KDX_BIG_ENDIAN ? 2 : 1;
	h[6] = 1;
	h[7] = 9; /* ELFOSABI_FREEBSD */
	/* ET_EXEC; a powerpc kernel is relocatable, ET_DYN */
	put16(h + 16, d->spec.arch == MKMD_PPC64 ? 3 : 2, bo);
	put16(h + 18, (uint16_t)machine[d->spec.arch], bo);
	put32(h + 20, 1, bo);
	put16(h + (is64 ? 52 : 40), is64 ? 64 : 52, bo); /* e_ehsize */
	ok = f && fwrite(h, 1, is64 ? 64 : 52, f) == (is64 ? 64u : 52u);
	return f && !fclose(f) && ok;
}

static bool write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;

	return f && !fclose(f) && ok;
}

static int no_symbols(const char *name, fvc_addr_t *addr, void *arg)
{
	(void)name;
	(void)addr;
	(void)arg;
	return 1;
}

struct tally {
	unsigned long agree_read, agree_fail, disagree, wrong;
	/* Disagreements where kdx matches mkminidump's record and
	 * libfbsdvmcore does not. */
	unsigned long oracle_wrong;
};

static void compare(const struct mkmd_dump *d, fvc_t *kd, struct kdx_dump *dump,
		    struct kdx_xlat *xlat, uint64_t va, struct tally *t)
{
	uint8_t a[PROBE], b[PROBE], want[PROBE];
	ssize_t n = fvc_read(kd, va, a, sizeof(a));
	struct kdx_error *err = kdx_read_virt(dump, xlat, va, b, sizeof(b), 0, NULL);
	uint64_t pa;
	bool expect = mkmd_expect(d, va, &pa) && mkmd_dumped(d, pa);

	if (n == PROBE && !err && !memcmp(a, b, PROBE)) {
		t->agree_read++;
	} else if (n != PROBE && err) {
		t->agree_fail++;
	} else {
		t->disagree++;
		if (expect ? !err && (n != PROBE || memcmp(a, b, PROBE)) : !!err)
			t->oracle_wrong++;
		else if (t->disagree - t->oracle_wrong <= 5)
			printf("  differ at 0x%llx: fvc %zd, kdx %s\n",
			       (unsigned long long)va, n,
			       err ? kdx_error_message(err) : "read");
	}
	if (expect && !err) {
		mkmd_phys_bytes(d, pa, want, PROBE);
		if (memcmp(want, b, PROBE))
			t->wrong++;
	} else if (expect != !err) {
		t->wrong++;
	}
	kdx_error_destroy(err);
}

static int run_one(const struct mkmd_spec *spec, const char *dir)
{
	char core[PATH_MAX], kernel[PATH_MAX], errbuf[_POSIX2_LINE_MAX];
	struct mkmd_dump d;
	struct kdx_dump *dump;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct tally t = { 0 };
	fvc_t *kd;

	if (!mkmd_build(spec, &d))
		return 1;
	/* libfbsdvmcore's popcount table (_fvc_pt_init) has one u32 too few
	 * when the bitmap's 64-bit words % 16 < 8 and writes past its end:
	 * pad the bitmap with unused words so it does not. */
	if (d.bitmapsize / 8 % 16 < 8) {
		struct mkmd_spec padded = *spec;

		padded.bitmap_extra = (8 - d.bitmapsize / 8 % 16) * 8;
		mkmd_free(&d);
		if (!mkmd_build(&padded, &d))
			return 1;
	}
	snprintf(core, sizeof(core), "%s/vmcore.%s.%u%s", dir,
		 mkmd_arch_name(spec->arch), spec->version,
		 spec->hpt ? ".hpt" : spec->mips64 ? ".64" : "");
	snprintf(kernel, sizeof(kernel), "%s/kernel.%s", dir,
		 mkmd_arch_name(spec->arch));
	if (!write_file(core, d.data, d.size) || !write_kernel(kernel, &d))
		return 1;
	kd = fvc_open(kernel, core, errbuf, no_symbols, NULL);
	if (!kd) {
		printf("%-6s v%u%s%s%s%s: libfbsdvmcore cannot open it: %s\n",
		       mkmd_arch_name(spec->arch), spec->version,
		       spec->pae ? " pae" : "", spec->mmuformat == 1 ? " v4" : "",
		       spec->byte_order ? " be" : "",
		       spec->hpt ? " hpt" : spec->mips64 ? " n64" : "", errbuf);
		mkmd_free(&d);
		return 1;
	}
	if (kdx_dump_open(core, NULL, &dump) || kdx_kernel_probe(dump, NULL, &layout) ||
	    kdx_kernel_xlat_create(dump, &layout, &xlat))
		return 1;
	for (uint64_t va = d.kernbase - d.page_size;
	     va != d.kernbase + d.kva_size + d.page_size; va += d.page_size) {
		compare(&d, kd, dump, xlat, va, &t);
		compare(&d, kd, dump, xlat, va + d.page_size - PROBE, &t);
	}
	for (uint64_t va = d.dmapbase; d.has_dmap && va < d.dmapend; va += d.page_size)
		compare(&d, kd, dump, xlat, va + (va >> 12) % 8 * 64, &t);
	/* mips: KSEG0, KSEG1 (and XKPHYS) over physical memory. */
	for (uint64_t pa = 0; d.spec.arch == MKMD_MIPS && pa <= d.avail[2 * d.navail - 1];
	     pa += d.page_size) {
		uint64_t high = d.spec.mips64 ? 0xffffffff00000000ull : 0;

		compare(&d, kd, dump, xlat, high | (0x80000000ull + pa), &t);
		compare(&d, kd, dump, xlat, high | (0xa0000000ull + pa) + 0x40, &t);
		if (d.spec.mips64)
			compare(&d, kd, dump, xlat, 0x9800000000000000ull + pa + 0x80, &t);
	}
	printf("%-6s v%u%s%s%s%s: %lu reads agree, %lu failures agree, %lu disagree (%lu where kdx matches mkminidump's record and libfbsdvmcore does not); kdx vs mkminidump %lu wrong\n",
	       mkmd_arch_name(spec->arch), spec->version, spec->pae ? " pae" : "",
	       spec->mmuformat == 1 ? " v4" : "", spec->byte_order ? " be" : "",
	       spec->hpt ? " hpt" : spec->mips64 ? " n64" : "",
	       t.agree_read, t.agree_fail, t.disagree, t.oracle_wrong, t.wrong);
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	fvc_close(kd);
	mkmd_free(&d);
	return t.disagree > t.oracle_wrong || t.wrong;
}

struct real {
	fvc_t *kd;
	struct kdx_dump *dump;
	struct kdx_xlat *xlat;
	unsigned long maps, agree_read, agree_fail, disagree;
};

static void compare_real(struct real *r, uint64_t va)
{
	uint8_t a[PROBE], b[PROBE];
	ssize_t n = fvc_read(r->kd, va, a, sizeof(a));
	struct kdx_error *err = kdx_read_virt(r->dump, r->xlat, va, b, sizeof(b), 0, NULL);

	if (n == PROBE && !err && !memcmp(a, b, PROBE))
		r->agree_read++;
	else if (n != PROBE && err)
		r->agree_fail++;
	else if (++r->disagree <= 5)
		printf("  differ at 0x%llx: fvc %zd, kdx %s\n", (unsigned long long)va,
		       n, err ? kdx_error_message(err) : "read");
	kdx_error_destroy(err);
}

static bool on_real_mapping(void *arg, const struct kdx_mapping *m)
{
	struct real *r = arg;

	compare_real(r, m->vaddr);
	if (m->size >= PROBE)
		compare_real(r, m->vaddr + m->size - PROBE);
	return ++r->maps < 100000;
}

static int run_real(const char *core, const char *kernel)
{
	char errbuf[_POSIX2_LINE_MAX];
	struct kdx_kernel_layout layout;
	struct real r = { 0 };
	struct kdx_error *err;

	r.kd = fvc_open(kernel, core, errbuf, no_symbols, NULL);
	if (!r.kd) {
		printf("%s: libfbsdvmcore cannot open it: %s\n", core, errbuf);
		return 1;
	}
	err = kdx_dump_open(core, NULL, &r.dump);
	if (!err)
		err = kdx_kernel_probe(r.dump, NULL, &layout);
	if (!err)
		err = kdx_kernel_xlat_create(r.dump, &layout, &r.xlat);
	if (!err)
		err = kdx_xlat_maps(r.xlat, 0, UINT64_MAX, 0, on_real_mapping, NULL, &r);
	if (err) {
		printf("%s: kdx: %s\n", core, kdx_error_message(err));
		return 1;
	}
	printf("%s: %lu mappings, %lu reads agree, %lu failures agree, %lu disagree\n",
	       core, r.maps, r.agree_read, r.agree_fail, r.disagree);
	kdx_xlat_destroy(r.xlat);
	kdx_dump_destroy(r.dump);
	fvc_close(r.kd);
	return r.disagree != 0;
}

int main(int argc, char **argv)
{
	int bad = 0;

	if (argc == 3)
		return run_real(argv[1], argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: fvc-oracle WORKDIR | fvc-oracle VMCORE KERNEL\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		bad |= run_one(&specs[i], argv[1]);
	return bad;
}
