/* SPDX-License-Identifier: MIT */
/* Fuzz page-table walks and enumerations (kdx_xlat_translate, _trace,
 * _maps, _next_mapping) for every paging mode, over physical memory the
 * input writes.
 *
 * Input: a 32-byte header, then 10-byte records.
 *   0      paging mode (enum kdx_paging_mode, modulo MODES, every mode
 *          through POWER's hashed page table; 0 is refused by
 *          kdx_xlat_create)
 *   1      bit 0 PSE, 1 NXE, 2 big-endian entries, 3 root_low is given;
 *          bit 4: enumerate with KDX_MAPS_NO_MERGE; bits 5-6: AArch64
 *          granule (4K, 16K, 64K, 4K)
 *   2, 3   va_bits, low_va_bits (0: the mode's default)
 *   4-11   root, little-endian;   12-19 root_low
 *   20-27  a virtual address to translate (and its neighbours)
 *   28     phys_bits (0: default)
 *   records: 2 bytes little-endian slot s, 8 bytes stored at s * 8 of a
 *   zeroed MEM_SIZE-byte image at physical address 0 (as they are: the
 *   entries' byte order is the input's business).
 * Tables that point at themselves, at each other or past the image are
 * the point: every walk must end, an enumeration must stay bounded by the
 * callbacks' stops and the table budget, and what is reported must agree
 * with single translations.  Seeds: fuzz/make-xlat-seeds.py. */
#include "fuzz_common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODES (KDX_PAGING_PPC64_HPT + 1)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 32
#define RECORD 10
#define MEM_SIZE (64u << 10)
#define MAX_MAPPINGS 256u
#define MAX_PROBLEMS 64u
#define CHECKED_MAPPINGS 8u

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct enumeration {
	struct kdx_mapping first[CHECKED_MAPPINGS];
	unsigned int mappings, problems;
	uint64_t next_va; /* reported mappings are in increasing order */
	bool wrapped;     /* a mapping ended at 2^64 */
};

static bool on_mapping(void *arg, const struct kdx_mapping *m)
{
	struct enumeration *e = arg;

	FUZZ_CHECK(m->size > 0);
	FUZZ_CHECK(!e->wrapped);
	FUZZ_CHECK(m->vaddr >= e->next_va);
	FUZZ_CHECK(m->page_sizes != 0);
	if (m->vaddr + m->size == 0)
		e->wrapped = true;
	else
		FUZZ_CHECK(m->vaddr + m->size > m->vaddr);
	e->next_va = m->vaddr + m->size;
	if (e->mappings < CHECKED_MAPPINGS)
		e->first[e->mappings] = *m;
	return ++e->mappings < MAX_MAPPINGS;
}

static bool on_problem(void *arg, const struct kdx_error *err)
{
	struct enumeration *e = arg;

	FUZZ_CHECK(kdx_error_message(err)[0] != '\0');
	return ++e->problems < MAX_PROBLEMS;
}

/* One translation, checked against itself: cached, traced and again. */
static void translate(struct kdx_xlat *xlat, uint64_t va)
{
	struct kdx_xlat_result a, b, c;
	struct kdx_xlat_trace trace;
	struct kdx_error *ea = kdx_xlat_translate(xlat, va, &a);
	struct kdx_error *eb = kdx_xlat_translate(xlat, va, &b);
	struct kdx_error *ec = kdx_xlat_trace(xlat, va, &c, &trace);

	FUZZ_CHECK(!ea == !eb && !ea == !ec);
	FUZZ_CHECK(trace.count <= KDX_XLAT_MAX_LEVELS);
	if (!ea) {
		FUZZ_CHECK(a.vaddr == va);
		FUZZ_CHECK(a.page_size >= 1024 &&
			   !(a.page_size & (a.page_size - 1)));
		FUZZ_CHECK(a.paddr % a.page_size == va % a.page_size);
		FUZZ_CHECK(b.paddr == a.paddr && b.page_size == a.page_size &&
			   b.flags == a.flags);
		FUZZ_CHECK(c.paddr == a.paddr && c.page_size == a.page_size);
		/* MIPS's unmapped segments (kseg0/1, xkphys) walk no table */
		FUZZ_CHECK(trace.count >= 1 ||
			   kdx_xlat_mode(xlat) == KDX_PAGING_MIPS32 ||
			   kdx_xlat_mode(xlat) == KDX_PAGING_MIPS64);
	} else {
		FUZZ_CHECK(kdx_error_code(ea) == kdx_error_code(eb));
		FUZZ_CHECK(kdx_error_code(ea) == kdx_error_code(ec));
	}
	kdx_fuzz_error(ea);
	kdx_fuzz_error(eb);
	kdx_fuzz_error(ec);
}

/* @va of mapping @m translates to @want. */
static void check_byte(struct kdx_xlat *xlat, const struct kdx_mapping *m,
		       uint64_t va, uint64_t want)
{
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(xlat, va, &r);

	if (err || r.paddr != want)
		fprintf(stderr,
			"mapping 0x%llx -> 0x%llx + 0x%llx (pages 0x%llx): 0x%llx %s 0x%llx\n",
			(unsigned long long)m->vaddr,
			(unsigned long long)m->paddr,
			(unsigned long long)m->size,
			(unsigned long long)m->page_sizes,
			(unsigned long long)va,
			err ? kdx_error_message(err) : "translates to",
			err ? 0ull : (unsigned long long)r.paddr);
	FUZZ_CHECK(err == NULL);
	FUZZ_CHECK(r.paddr == want);
	FUZZ_CHECK(r.page_size & m->page_sizes);
}

/* The start and end of a reported mapping translate as reported. */
static void check_mapping(struct kdx_xlat *xlat, const struct kdx_mapping *m)
{
	check_byte(xlat, m, m->vaddr, m->paddr);
	check_byte(xlat, m, m->vaddr + (m->size - 1), m->paddr + (m->size - 1));
}

static void enumerate(struct kdx_xlat *xlat, unsigned int flags)
{
	struct enumeration e = { .mappings = 0 };
	struct kdx_error *err = kdx_xlat_maps(xlat, 0, UINT64_MAX, flags,
					      on_mapping, on_problem, &e);
	struct kdx_mapping next;

	kdx_fuzz_error(err); /* the table budget may run out */
	for (unsigned int i = 0; i < e.mappings && i < CHECKED_MAPPINGS; i++)
		check_mapping(xlat, &e.first[i]);
	/* The first mapping is the first next_mapping() finds (merged). */
	err = kdx_xlat_next_mapping(xlat, 0, UINT64_MAX, &next);
	if (!err && e.mappings && !(flags & KDX_MAPS_NO_MERGE) && !e.problems)
		FUZZ_CHECK(next.vaddr == e.first[0].vaddr);
	if (!err)
		check_mapping(xlat, &next);
	else
		kdx_fuzz_error(err);
}

static struct kdx_dump *memory_dump(const uint8_t *rec, size_t n)
{
	static uint8_t *mem;
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	if (!mem)
		mem = malloc(MEM_SIZE);
	if (!mem)
		return NULL;
	memset(mem, 0, MEM_SIZE);
	for (size_t i = 0; i + RECORD <= n; i += RECORD) {
		size_t slot = (rec[i] | (size_t)rec[i + 1] << 8) %
			      (MEM_SIZE / 8);

		memcpy(mem + slot * 8, rec + i + 2, 8);
	}
	kdx_open_options_init(&opts);
	opts.format = "raw";
	err = kdx_dump_open_memory(mem, MEM_SIZE, &opts, &dump);
	kdx_fuzz_error(err);
	return dump;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned int granule[4] = { 4096, 16384, 65536, 4096 };
	struct kdx_xlat_config cfg;
	struct kdx_xlat *xlat = NULL;
	struct kdx_dump *dump;
	struct kdx_error *err;
	uint64_t va;

	if (size < HEADER)
		return 0;
	dump = memory_dump(data + HEADER, size - HEADER);
	if (!dump)
		return 0;
	kdx_xlat_config_init(&cfg);
	cfg.mode = (enum kdx_paging_mode)(data[0] % MODES);
	cfg.flags = data[1] & 0xf;
	cfg.page_size = granule[(data[1] >> 5) & 3];
	cfg.va_bits = data[2];
	cfg.low_va_bits = data[3];
	cfg.root = le64(data + 4);
	cfg.root_low = le64(data + 12);
	cfg.phys_bits = data[28];
	/* Small caches and budget: clearing the defaults costs more than a
	 * run, and the budget is what bounds an aliasing table tree. */
	cfg.table_cache_pages = 8;
	cfg.tlb_entries = 64;
	cfg.max_tables = 16;
	err = kdx_dump_xlat_create(dump, &cfg, &xlat);
	if (err) {
		kdx_fuzz_error(err);
		kdx_dump_destroy(dump);
		return 0;
	}
	FUZZ_CHECK(kdx_xlat_mode(xlat) == cfg.mode);
	va = le64(data + 20);
	for (unsigned int k = 0; k < 4; k++) {
		translate(xlat, va + ((uint64_t)k << 12));
		translate(xlat, va ^ ((uint64_t)1 << (20 + 7 * k)));
	}
	translate(xlat, 0);
	translate(xlat, UINT64_MAX);
	/* One enumeration a run: it is most of the cost. */
	enumerate(xlat, data[1] & 0x10 ? KDX_MAPS_NO_MERGE : 0);
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	return 0;
}
