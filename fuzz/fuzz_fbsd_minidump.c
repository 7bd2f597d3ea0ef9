/* SPDX-License-Identifier: MIT */
/* Fuzz the FreeBSD minidump reader, its page tables over the page-table
 * area, the FreeBSD kernel set-up and the message buffer.
 *
 * A minidump is page-aligned regions, mostly zeros: the input is the 80
 * header bytes, then the file from the second page (16 KiB for an arm64
 * header whose flags say so, else 4 KiB) run-length encoded: 0xff n is
 * (n + 1) * 64 zero bytes, 0xfe b n is n + 1 copies of b, any other byte
 * is itself.  The decoded file is at most MAX_FILE bytes (1 MiB: the
 * biggest generated seed, arm64 with 16 KiB pages, decodes to 432 KiB).  Seeds come
 * from tests/helpers/mkminidump (its "tiny fuzz" output).
 *
 * Checked: the generic accessor and physical-read contracts
 * (fuzz_common.c), that translations of a bounded set of kernel and
 * direct-map addresses and an enumeration of the kernel map end cleanly,
 * and that a translated address reads like its physical address. */
#include "fuzz_common.h"

#include <kdx/log.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 80
#define MAX_FILE (1u << 20)
#define MAX_MAPPINGS 4096

/* The decoded file, at the end of one buffer kept for the whole run: a
 * fresh megabyte per input cost more in page faults than the reader did
 * (see kdx_fuzz_place).  Only the header page is cleared: decode()
 * writes every byte after it. */
static uint8_t *place_file(size_t n, size_t page)
{
	static uint8_t *arena;
	uint8_t *file;

	if (!arena)
		arena = malloc(MAX_FILE);
	file = kdx_fuzz_place(arena, MAX_FILE, n);
	if (file)
		memset(file, 0, page);
	return file;
}

/* Decode into @out (NULL: only count), at most @cap bytes. */
static size_t decode(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o < cap;) {
		size_t run = 1;
		uint8_t b = in[i];

		if (in[i] == 0xff && i + 1 < n) {
			run = ((size_t)in[i + 1] + 1) * 64;
			b = 0;
			i += 2;
		} else if (in[i] == 0xfe && i + 2 < n) {
			b = in[i + 1];
			run = (size_t)in[i + 2] + 1;
			i += 3;
		} else {
			i++;
		}
		if (run > cap - o)
			run = cap - o;
		if (out)
			memset(out + o, b, run);
		o += run;
	}
	return o;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct count {
	unsigned int n;
};

static bool on_mapping(void *arg, const struct kdx_mapping *m)
{
	struct count *c = arg;

	FUZZ_CHECK(m->size > 0);
	return ++c->n < MAX_MAPPINGS;
}

static bool on_problem(void *arg, const struct kdx_error *err)
{
	struct count *c = arg;

	FUZZ_CHECK(kdx_error_message(err) != NULL);
	return ++c->n < MAX_MAPPINGS;
}

/* A translated address reads as its physical address does. */
static void check_address(const struct kdx_dump *dump, struct kdx_xlat *xlat,
			  uint64_t va)
{
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(xlat, va, &r);
	uint8_t a[64], b[64];
	struct kdx_error *ea, *eb;

	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	ea = kdx_read_virt(dump, xlat, va, a, sizeof(a), KDX_READ_ZERO_FILL, NULL);
	eb = kdx_read_phys(dump, r.paddr, b, sizeof(b), KDX_READ_ZERO_FILL, NULL);
	FUZZ_CHECK(!ea == !eb || r.paddr % r.page_size + sizeof(a) > r.page_size);
	if (!ea && !eb && r.paddr % r.page_size + sizeof(a) <= r.page_size)
		FUZZ_CHECK(!memcmp(a, b, sizeof(a)));
	if (ea)
		kdx_fuzz_error(ea);
	if (eb)
		kdx_fuzz_error(eb);
}

static void exercise_kernel(const struct kdx_dump *dump, const uint8_t *hdr)
{
	struct kdx_kernel_layout layout;
	struct kdx_xlat_config cfg;
	struct kdx_xlat *xlat = NULL;
	struct kdx_error *err = kdx_kernel_probe(dump, NULL, &layout);
	struct count c = { 0 };
	uint64_t kernbase = le64(hdr + 40);

	/* kdx_kernel_xlat_create()'s translation with small caches: the
	 * default ones (1.5 MiB) cost more to clear than a run. */
	kdx_xlat_config_init(&cfg);
	cfg.mode = layout.mode;
	cfg.root = layout.root;
	cfg.flags = layout.xlat_flags;
	cfg.va_bits = layout.va_bits;
	cfg.page_size = layout.page_size;
	cfg.phys_bits = layout.phys_bits;
	cfg.table_cache_pages = 8;
	cfg.tlb_entries = 64;
	if (!err && (!layout.has_root || layout.mode == KDX_PAGING_NONE))
		return;
	if (!err)
		err = kdx_dump_xlat_create(dump, &cfg, &xlat);
	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	for (uint64_t off = 0; off < 0x20000; off += 0x1000)
		check_address(dump, xlat, kernbase + off);
	check_address(dump, xlat, (uint32_t)kernbase);
	if (layout.has_direct_map)
		for (uint64_t off = 0; off < 0x400000; off += 0x40000)
			check_address(dump, xlat, layout.direct_map + off);
	/* The kernel map's start: the whole address space would cost more
	 * than everything else together. */
	err = kdx_xlat_maps(xlat, kernbase, kernbase + 0x3fffff, 0, on_mapping,
			    on_problem, &c);
	if (err)
		kdx_fuzz_error(err);
	kdx_xlat_destroy(xlat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	uint8_t *file;
	size_t page, n;
	char *text;

	if (size < HEADER)
		return 0;
	page = (data[0x4c] & 3) == 1 ? 16384 : 4096;
	n = page + decode(data + HEADER, size - HEADER, NULL, MAX_FILE - page);
	file = place_file(n, page);
	if (!file)
		return 0;
	memcpy(file, data, HEADER);
	decode(data + HEADER, size - HEADER, file + page, n - page);
	struct kdx_fuzz_input in = { .data = file, .size = n };

	kdx_open_options_init(&opts);
	opts.format = "fbsd-minidump";
	err = kdx_dump_open_memory(file, n, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
		return 0;
	}
	FUZZ_CHECK(!strcmp(kdx_dump_format_name(dump), "fbsd-minidump"));
	kdx_fuzz_exercise(dump, &in);
	err = kdx_dump_msgbuf(dump, &text, &n);
	if (err) {
		kdx_fuzz_error(err);
	} else {
		FUZZ_CHECK(strlen(text) == n);
		free(text);
	}
	exercise_kernel(dump, file);
	kdx_dump_destroy(dump);
	return 0;
}
