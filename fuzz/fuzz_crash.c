/* SPDX-License-Identifier: MIT */
/* Fuzz the crash summary (kdx_crash_summary) over a fuzzed kernel log and
 * VMCOREINFO.
 *
 * Input: fuzz_log's layout (flags, VMCOREINFO text, regions of kernel
 * memory; seeds are fuzz_log's).  The harness writes an ELF core of the
 * kernel's word size and byte order holding the text as its VMCOREINFO
 * note and each region as a PT_LOAD at physical address
 * va & (2^39 - 1), and translates through x86-64 page tables that map
 * every address that way (one PML4 whose entries all point at one PDPT of
 * 1 GiB pages), so every region reads at its address.  Checked: the
 * summary's strings are terminated, its numbers in range. */
#include "fuzz_common.h"

#include <kdx/crash.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REGIONS 16
#define PHYS_MASK ((1ull << 39) - 1)
#define PML4 0x1000ull
#define PDPT 0x2000ull

struct image {
	uint8_t *b;
	size_t size;
	bool be, is64;
};

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put(const struct image *f, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		f->b[off + (f->be ? (size_t)(n - 1 - i) : (size_t)i)] =
			(uint8_t)(v >> (8 * i));
}

/* An ELF core: a PT_NOTE with the VMCOREINFO @text, a PT_LOAD per
 * region. */
static bool build_core(struct image *f, const uint8_t *text, size_t tlen,
		       const uint8_t *const *bytes, const uint64_t *va,
		       const size_t *len, int n)
{
	size_t eh = f->is64 ? 64 : 52, ph = f->is64 ? 56 : 32;
	size_t desc = (tlen + 3) & ~(size_t)3, note = 24 + desc;
	size_t off = eh + ph * (size_t)(n + 1), at;

	f->size = off + note;
	for (int i = 0; i < n; i++)
		f->size += len[i];
	f->b = calloc(1, f->size);
	if (!f->b)
		return false;
	memcpy(f->b, "\177ELF", 4);
	f->b[4] = f->is64 ? 2 : 1;
	f->b[5] = f->be ? 2 : 1;
	f->b[6] = 1;
	put(f, 16, 4, 2);                                   /* ET_CORE */
	put(f, 18, f->is64 ? (f->be ? 21 : 62) : (f->be ? 20 : 3), 2);
	put(f, 20, 1, 4);
	put(f, f->is64 ? 32 : 28, eh, f->is64 ? 8 : 4);     /* e_phoff */
	put(f, f->is64 ? 52 : 40, eh, 2);
	put(f, f->is64 ? 54 : 42, ph, 2);
	put(f, f->is64 ? 56 : 44, (uint64_t)n + 1, 2);
	at = off;
	for (int i = 0; i <= n; i++) {
		size_t p = eh + ph * (size_t)i, sz = i ? len[i - 1] : note;
		uint64_t pa = i ? va[i - 1] & PHYS_MASK : 0;

		put(f, p, i ? 1 : 4, 4); /* PT_LOAD, PT_NOTE */
		if (f->is64) {
			put(f, p + 8, at, 8);
			put(f, p + 16, i ? va[i - 1] : 0, 8);
			put(f, p + 24, pa, 8);
			put(f, p + 32, sz, 8);
			put(f, p + 40, sz, 8);
		} else {
			put(f, p + 4, at, 4);
			put(f, p + 8, i ? va[i - 1] : 0, 4);
			put(f, p + 12, pa, 4);
			put(f, p + 16, sz, 4);
			put(f, p + 20, sz, 4);
		}
		if (i)
			memcpy(f->b + at, bytes[i - 1], sz);
		at += sz;
	}
	put(f, off, 11, 4);
	put(f, off + 4, tlen, 4);
	memcpy(f->b + off + 12, "VMCOREINFO", 11);
	memcpy(f->b + off + 24, text, tlen);
	return true;
}

/* Every PML4 entry -> the PDPT; PDPT entry i -> the 1 GiB page i. */
static struct kdx_error *read_tables(void *ctx, uint64_t paddr, void *buf,
				     size_t len)
{
	uint8_t *out = buf;

	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		uint64_t a = paddr + i, entry;

		if ((a & ~0xfffull) == PML4)
			entry = PDPT | 0x7;
		else if ((a & ~0xfffull) == PDPT)
			entry = ((a & 0xfff) / 8) << 30 | 0x87;
		else
			entry = 0;
		out[i] = (uint8_t)(entry >> (8 * (a % 8)));
	}
	return NULL;
}

static void check_text(const char *s, size_t size)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct kdx_xlat_ops ops = {
		.version = KDX_XLAT_OPS_VERSION,
		.read_phys = read_tables,
	};
	const uint8_t *bytes[MAX_REGIONS];
	uint64_t va[MAX_REGIONS];
	size_t len[MAX_REGIONS], text, at;
	struct image f = { .b = NULL };
	struct kdx_open_options opts;
	struct kdx_xlat_config cfg;
	struct kdx_xlat *xlat = NULL;
	struct kdx_dump *dump = NULL;
	struct kdx_crash_summary s;
	struct kdx_error *err;
	int n = 0;

	if (size < 3)
		return 0;
	f.be = data[0] & 1;
	f.is64 = !(data[0] & 2);
	text = (size_t)le(data + 1, 2);
	if (text > size - 3)
		text = size - 3;
	for (at = 3 + text; at + 12 <= size && n < MAX_REGIONS; n++) {
		size_t l = (size_t)le(data + at + 8, 4);

		va[n] = f.is64 ? le(data + at, 8) : (uint32_t)le(data + at, 8);
		at += 12;
		len[n] = l < size - at ? l : size - at;
		bytes[n] = data + at;
		at += len[n];
	}
	if (!build_core(&f, data + 3, text, bytes, va, len, n))
		return 0;
	kdx_open_options_init(&opts);
	opts.format = "elf";
	err = kdx_dump_open_memory(f.b, f.size, &opts, &dump);
	if (!err) {
		kdx_xlat_config_init(&cfg);
		cfg.mode = KDX_PAGING_X86_64;
		cfg.root = PML4;
		cfg.table_cache_pages = 4;
		cfg.tlb_entries = 64;
		err = kdx_xlat_create(&cfg, &ops, NULL, &xlat);
	}
	if (!err)
		err = kdx_crash_summary(dump, xlat, &s);
	if (err) {
		kdx_fuzz_error(err);
	} else {
		check_text(s.release, sizeof(s.release));
		check_text(s.version, sizeof(s.version));
		check_text(s.machine, sizeof(s.machine));
		check_text(s.nodename, sizeof(s.nodename));
		check_text(s.uts_source, sizeof(s.uts_source));
		check_text(s.panic, sizeof(s.panic));
		check_text(s.oops, sizeof(s.oops));
		check_text(s.comm, sizeof(s.comm));
		check_text(s.task_source, sizeof(s.task_source));
		check_text(s.log_status, sizeof(s.log_status));
		if (getenv("KDX_FUZZ_VERBOSE")) /* for checking seeds by hand */
			fprintf(stderr, "release '%s' (%s), uptime %s%llu, log: %s\n",
				s.release, s.uts_source,
				s.has_uptime ? "" : "none ",
				(unsigned long long)s.uptime_nsec,
				s.log_status[0] ? s.log_status : "read");
		FUZZ_CHECK(s.cpu >= -1);
		FUZZ_CHECK(s.has_panic || !s.panic[0]);
		FUZZ_CHECK(s.has_oops || !s.oops[0]);
	}
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	free(f.b);
	return 0;
}
