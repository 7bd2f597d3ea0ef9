/* SPDX-License-Identifier: MIT */
/* Oracle for FreeBSD full dumps, run by hand (run-fvc-oracle.sh):
 * libfbsdvmcore (libkvm's kvm_amd64.c / kvm_i386.c, ported) opens
 * mkfbsdfull's ELF cores with their kernel images (it resolves kernbase,
 * KPML4phys, IdlePDPT or IdlePTD with libelf), and every virtual read it
 * answers is compared with kdx's read of the same address, both judged
 * by the helper's record.  Full dumps between kerneldumpheaders are read
 * by kdx only (libkvm reads savecore's output, headers removed).
 *
 * Usage: fvc-full-oracle WORKDIR
 * Prints one line per dump; exit status 1 on any disagreement that is
 * kdx's fault. */
#include <kdx/kdx.h>

#include "mkfbsdfull.h"

#include <fvc.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROBE 64

struct tally {
	unsigned long agree_read, agree_fail, disagree, oracle_wrong, wrong;
	unsigned long scan_agree, scan_differ;
};

/* kdx opened without the kernel image, its root found by the scan. */
struct scan {
	struct kdx_dump *dump;
	struct kdx_xlat *xlat;
};

/* One address: both readers, and the record. */
static void compare(const struct mkfull *d, fvc_t *kd, struct kdx_dump *dump,
		    struct kdx_xlat *xlat, const struct scan *sc, uint64_t va,
		    struct tally *t)
{
	uint8_t a[PROBE], b[PROBE], c[PROBE];
	struct kdx_error *scan_err = kdx_read_virt(sc->dump, sc->xlat, va, c,
						   sizeof(c), 0, NULL);
	uint64_t pa;
	bool mapped = mkfull_expect(d, va, &pa) && mkfull_expect(d, va + PROBE - 1, &pa) &&
		      mkfull_expect(d, va, &pa);
	bool want = mapped && mkfull_dumped(d, pa) && mkfull_dumped(d, pa + PROBE - 1);
	ssize_t n = fvc_read(kd, va, a, sizeof(a));
	struct kdx_error *err = kdx_read_virt(dump, xlat, va, b, sizeof(b), 0, NULL);
	bool kdx_ok = !err && want && !memcmp(b, d->mem + pa, PROBE);

	if (!err != want || (!err && !kdx_ok))
		t->wrong++;
	if (!err == !scan_err && (err || !memcmp(b, c, PROBE)))
		t->scan_agree++;
	else
		t->scan_differ++;
	kdx_error_destroy(scan_err);
	if (n == PROBE && !err && !memcmp(a, b, PROBE))
		t->agree_read++;
	else if (n != PROBE && err)
		t->agree_fail++;
	else {
		t->disagree++;
		if (kdx_ok || (err && !want))
			t->oracle_wrong++;
		if (t->disagree <= 5)
			printf("  differ at 0x%llx: fvc %zd, kdx %s\n",
			       (unsigned long long)va, n,
			       err ? kdx_error_message(err) : "read");
	}
	kdx_error_destroy(err);
}

static bool write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(data, 1, size, f) == size;

	if (f && fclose(f))
		ok = false;
	return ok;
}

static int one(const char *dir, const struct mkfull_spec *s, const char *name)
{
	char core[PATH_MAX], kernel[PATH_MAX], errbuf[_POSIX2_LINE_MAX] = "";
	struct mkfull d;
	struct kdx_open_options o;
	struct kdx_dump *dump = NULL;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat = NULL;
	struct tally t = { 0 };
	struct scan sc = { 0 };
	fvc_t *kd;

	if (!mkfull_build(s, &d))
		return 1;
	snprintf(core, sizeof(core), "%s/full-%s", dir, name);
	snprintf(kernel, sizeof(kernel), "%s/full-%s.kernel", dir, name);
	if (!write_file(core, d.data, d.size) || !mkkernel_write(&d.kernel, kernel))
		return 1;
	kd = fvc_open(kernel, core, errbuf, NULL, NULL);
	if (!kd) {
		printf("%-16s: libfbsdvmcore cannot open it: %s\n", name, errbuf);
		mkfull_free(&d);
		return 1;
	}
	kdx_open_options_init(&o);
	o.kernel = kernel;
	if (kdx_dump_open(core, &o, &dump) || kdx_kernel_probe(dump, NULL, &layout) ||
	    kdx_kernel_xlat_create(dump, &layout, &xlat))
		return 1;
	if (kdx_dump_open(core, NULL, &sc.dump) ||
	    kdx_kernel_probe(sc.dump, NULL, &layout) ||
	    kdx_kernel_xlat_create(sc.dump, &layout, &sc.xlat))
		return 1;
	for (unsigned int i = 0; i < d.nmaps; i++) {
		uint64_t span = d.maps[i].size < (16u << 20) ? d.maps[i].size : (16u << 20);

		/* Every page of the map and the page around it, at its
		 * start and at its end. */
		for (uint64_t off = 0; off <= span; off += 4096) {
			compare(&d, kd, dump, xlat, &sc, d.maps[i].va + off, &t);
			compare(&d, kd, dump, xlat, &sc, d.maps[i].va + off + 4096 - PROBE, &t);
		}
	}
	printf("%-16s: %lu reads agree, %lu failures agree, %lu disagree (%lu where kdx matches mkfbsdfull's record and libfbsdvmcore does not); kdx vs mkfbsdfull %lu wrong; kdx without the kernel image (scan) %lu same, %lu different\n",
	       name, t.agree_read, t.agree_fail, t.disagree, t.oracle_wrong, t.wrong,
	       t.scan_agree, t.scan_differ);
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	kdx_xlat_destroy(sc.xlat);
	kdx_dump_destroy(sc.dump);
	fvc_close(kd);
	mkfull_free(&d);
	return t.disagree > t.oracle_wrong || t.wrong || t.scan_differ;
}

int main(int argc, char **argv)
{
	static const struct {
		struct mkfull_spec spec;
		const char *name;
	} dumps[] = {
		{ { .arch = MKFULL_AMD64 }, "amd64" },
		{ { .arch = MKFULL_AMD64, .dynsym_only = true }, "amd64-dynsym" },
		{ { .arch = MKFULL_I386_PAE }, "i386-pae" },
		{ { .arch = MKFULL_I386 }, "i386" },
		{ { .arch = MKFULL_I386, .dynsym_only = true }, "i386-dynsym" },
	};
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s WORKDIR\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++)
		status |= one(argv[1], &dumps[i].spec, dumps[i].name);
	return status;
}
