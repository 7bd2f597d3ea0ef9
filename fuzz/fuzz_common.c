/* SPDX-License-Identifier: MIT */
#include "fuzz_common.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FUZZ_ASAN)
#define FUZZ_ASAN 1
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

/* Longest single read, and the bytes read per input in all: enough to
 * cross every edge, small enough to keep thousands of executions a
 * second. */
#define MAX_READ 4096u
#define MAX_SPAN (64u << 10)
#define READ_BUDGET (1u << 20)
/* Ranges examined one by one: the first and last this many.  Every
 * range's edges take the same code; the input-chosen reads below reach
 * the middle ones.  64 made a striped kdump bitmap cost ~1,500 reads. */
#define EDGE_RANGES 16u
/* The ELF oracle scans segments per byte checked; above this it is off. */
#define ORACLE_MAX_SEGMENTS 256u
/* Bytes of each read checked against the oracle (plus the last). */
#define ORACLE_SAMPLES 32u

void kdx_fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: contract broken: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

static size_t touch(const char *s)
{
	FUZZ_CHECK(s != NULL);
	return strlen(s);
}

void kdx_fuzz_error(struct kdx_error *err)
{
	enum kdx_error_code code;
	uint64_t value;

	if (!err)
		return;
	code = kdx_error_code(err);
	FUZZ_CHECK(code >= KDX_ERR_NOMEM && code <= KDX_ERR_INVALID);
	FUZZ_CHECK(touch(kdx_error_message(err)) > 0);
	FUZZ_CHECK(strcmp(kdx_error_code_name(code), "unknown") != 0);
	(void)kdx_error_address(err, &value);
	(void)kdx_error_file_offset(err, &value);
	if (code != KDX_ERR_OS && code != KDX_ERR_NOMEM)
		FUZZ_CHECK(kdx_error_errno(err) == 0);
	kdx_error_destroy(err);
}

uint8_t *kdx_fuzz_place(uint8_t *arena, size_t cap, size_t n)
{
	if (!arena || n > cap)
		return NULL;
	ASAN_UNPOISON_MEMORY_REGION(arena, cap);
	ASAN_POISON_MEMORY_REGION(arena, cap - n);
	return arena + cap - n;
}

/* ---- the accessors ---- */

static void check_ranges(const struct kdx_phys_range *r, size_t n)
{
	FUZZ_CHECK(n == 0 || r != NULL);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(r[i].size != 0);
		FUZZ_CHECK(r[i].start + r[i].size > r[i].start); /* no wrap */
		FUZZ_CHECK(r[i].kind == KDX_RANGE_DATA ||
			   r[i].kind == KDX_RANGE_ZERO ||
			   r[i].kind == KDX_RANGE_EXCLUDED);
		if (i == 0)
			continue;
		/* Sorted, disjoint, adjacent ranges of one kind merged. */
		FUZZ_CHECK(r[i].start >= r[i - 1].start + r[i - 1].size);
		if (r[i].start == r[i - 1].start + r[i - 1].size)
			FUZZ_CHECK(r[i].kind != r[i - 1].kind);
	}
}

/* What readers promise of their typed facts, whatever the input. */
static void check_facts(const struct kdx_dump *dump)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(dump);
	const char *const uts[] = { f->uts_release, f->uts_version,
				    f->uts_machine, f->uts_nodename };
	char level[KDX_DUMP_LEVEL_TEXT];

	FUZZ_CHECK(f->version == KDX_DUMP_FACTS_VERSION);
	FUZZ_CHECK(!(f->flags & ~(KDX_DUMP_INCOMPLETE | KDX_DUMP_TRUNCATED)));
	for (size_t i = 0; i < sizeof(uts) / sizeof(uts[0]); i++)
		FUZZ_CHECK(strnlen(uts[i], KDX_UTS_FIELD + 1) <= KDX_UTS_FIELD);
	if (f->set & KDX_FACT_PAGE_SIZE)
		FUZZ_CHECK(f->page_size &&
			   !(f->page_size & (f->page_size - 1)));
	if (f->set & KDX_FACT_COMPRESSION)
		FUZZ_CHECK(f->compression <= KDX_COMPRESS_ZSTD);
	if (f->set & KDX_FACT_SEGMENT_VADDRS)
		FUZZ_CHECK(f->segment_vaddrs <= KDX_SEGMENT_VADDRS_MAPPED);
	if (f->set & KDX_FACT_WORD_SIZE)
		FUZZ_CHECK(f->word_size == 4 || f->word_size == 8);
	FUZZ_CHECK(touch(kdx_dump_level_text(f->dump_level, level,
					     sizeof(level))) <
		   sizeof(level) - 1);
}

static void check_accessors(const struct kdx_dump *dump)
{
	const struct kdx_detail *details;
	const struct kdx_note *notes;
	const struct kdx_cpu *cpus;
	const struct kdx_vmcoreinfo_entry *vmci;
	const char *const *warnings;
	size_t n;
	uint32_t page;
	unsigned int word;
	volatile uint64_t sink = 0;

	touch(kdx_dump_format_name(dump));
	FUZZ_CHECK(kdx_dump_arch(dump) < KDX_ARCH_COUNT);
	touch(kdx_arch_name(kdx_dump_arch(dump)));
	FUZZ_CHECK(kdx_dump_byte_order(dump) == KDX_LITTLE_ENDIAN ||
		   kdx_dump_byte_order(dump) == KDX_BIG_ENDIAN);
	word = kdx_dump_word_size(dump);
	FUZZ_CHECK(word == 0 || word == 4 || word == 8);
	page = kdx_dump_page_size(dump);
	FUZZ_CHECK(page != 0 && (page & (page - 1)) == 0);
	touch(kdx_dump_page_size_source(dump));

	warnings = kdx_dump_warnings(dump, &n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(touch(warnings[i]) > 0);
	details = kdx_dump_details(dump, &n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(touch(details[i].key) > 0);
		touch(details[i].value);
	}
	check_facts(dump);
	kdx_dump_phys_ranges(dump, &n);
	(void)kdx_dump_segments(dump, &n);
	(void)kdx_dump_segments_have_virtual(dump);

	notes = kdx_dump_notes(dump, &n);
	for (size_t i = 0; i < n; i++) {
		touch(notes[i].name);
		touch(notes[i].kind);
		FUZZ_CHECK(notes[i].desc != NULL || notes[i].desc_size == 0);
		for (size_t b = 0; b < notes[i].desc_size; b++)
			sink += notes[i].desc[b];
	}
	cpus = kdx_dump_cpus(dump, &n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(cpus[i].index == i);
		FUZZ_CHECK(cpus[i].reg_count <= KDX_CPU_MAX_REGS);
		FUZZ_CHECK(cpus[i].reg_count == 0 || cpus[i].reg_names);
		for (unsigned int r = 0; r < cpus[i].reg_count; r++)
			FUZZ_CHECK(touch(cpus[i].reg_names[r]) > 0);
		sink += cpus[i].regs[0] + cpus[i].cr[3];
	}
	vmci = kdx_dump_vmcoreinfo(dump, &n);
	FUZZ_CHECK(vmci != NULL || n == 0);
	if (vmci)
		touch(kdx_dump_vmcoreinfo_source(dump));
	for (size_t i = 0; i < n; i++) {
		touch(vmci[i].key);
		touch(vmci[i].value);
		/* The first entry with a key is the one get() finds. */
		FUZZ_CHECK(kdx_dump_vmcoreinfo_get(dump, vmci[i].key) != NULL);
	}
	(void)kdx_dump_vmcoreinfo_get(dump, "PAGESIZE");
	(void)kdx_dump_vmcoreinfo_get(dump, "");
	(void)sink;
}

/* ---- reads ---- */

struct reader {
	const struct kdx_dump *dump;
	const struct kdx_fuzz_input *in;
	const struct kdx_phys_range *r;
	size_t n;
	const struct kdx_segment *seg;
	size_t nseg;
	bool elf_oracle;
	/* Formats that decode pages (kdump) may fail to, on damaged data. */
	bool decoded;
	uint64_t budget;
	uint8_t *arena; /* MAX_SPAN bytes: each read lands at its end */
};

/* Bytes of an ELF segment the dump really holds, as elf.c reads them:
 * min(p_filesz, p_memsz), cut at the end of the file; none for a segment
 * whose physical range wraps (ignored with a warning). */
static uint64_t seg_held(const struct reader *rd, const struct kdx_segment *s)
{
	uint64_t data = s->file_size < s->mem_size ? s->file_size : s->mem_size;

	if (s->mem_size == 0 || s->paddr + s->mem_size < s->paddr ||
	    s->file_offset >= rd->in->size)
		return 0;
	return data < rd->in->size - s->file_offset ?
		       data :
		       rd->in->size - s->file_offset;
}

/* Check one byte read at @addr from memory the map calls DATA. */
static void check_data_byte(const struct reader *rd, uint64_t addr,
			    uint8_t got)
{
	bool held = false, match = false;

	if (rd->in->is_raw) {
		FUZZ_CHECK(addr >= rd->in->raw_base &&
			   addr - rd->in->raw_base < rd->in->raw_size);
		FUZZ_CHECK(got == rd->in->raw_image[addr - rd->in->raw_base]);
		return;
	}
	if (!rd->elf_oracle)
		return;
	/* Some PT_LOAD that holds this address in the file gave the byte
	 * (which one is the map's business). */
	for (size_t i = 0; i < rd->nseg; i++) {
		const struct kdx_segment *s = &rd->seg[i];
		uint64_t h = seg_held(rd, s);

		if (addr < s->paddr || addr - s->paddr >= h)
			continue;
		held = true;
		if (rd->in->data[s->file_offset + (addr - s->paddr)] == got)
			match = true;
	}
	FUZZ_CHECK(held);
	FUZZ_CHECK(match);
}

/* Nothing in the file holds @addr (a hole, or a zero range: bytes held
 * in the file win over bytes that only read as zeros). */
static void check_not_held(const struct reader *rd, uint64_t addr)
{
	if (rd->in->is_raw) {
		FUZZ_CHECK(addr < rd->in->raw_base ||
			   addr - rd->in->raw_base >= rd->in->raw_size);
		return;
	}
	if (!rd->elf_oracle)
		return;
	for (size_t i = 0; i < rd->nseg; i++) {
		const struct kdx_segment *s = &rd->seg[i];

		FUZZ_CHECK(addr < s->paddr ||
			   addr - s->paddr >= seg_held(rd, s));
	}
}

/* Index of the range holding @addr or the first above it. */
static size_t find_range(const struct reader *rd, uint64_t addr)
{
	size_t lo = 0, hi = rd->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rd->r[mid].start + rd->r[mid].size <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum piece { P_DATA, P_ZERO, P_HOLE, P_EXCLUDED };

/* Check the bytes [off, off + len) of @buf, read from @addr, which the
 * map says are all of kind @p. */
static void check_piece(const struct reader *rd, const uint8_t *buf,
			uint64_t addr, size_t len, enum piece p)
{
	size_t step = len / ORACLE_SAMPLES + 1;

	if (p != P_DATA) {
		for (size_t i = 0; i < len; i++)
			FUZZ_CHECK(buf[i] == 0);
	}
	for (size_t i = 0; i < len; i += step) {
		if (p == P_DATA)
			check_data_byte(rd, addr + i, buf[i]);
		else
			check_not_held(rd, addr + i);
	}
	if (len && p == P_DATA)
		check_data_byte(rd, addr + len - 1, buf[len - 1]);
}

/* Read @len bytes at @addr and check the outcome against what the range
 * list says it must be. */
static void read_at(struct reader *rd, uint64_t addr, uint64_t len,
		    unsigned int flags)
{
	struct kdx_read_stats st, want = { 0 };
	struct kdx_error *err;
	uint64_t pos = addr, left, fail_at = 0;
	bool wraps, fails = false;
	uint8_t *buf;

	if (len > MAX_SPAN)
		len = MAX_SPAN;
	if (len > rd->budget)
		return;
	rd->budget -= len;
	wraps = len && addr + (len - 1) < addr;
	/* Exactly @len bytes (see kdx_fuzz_place): ASan sees overruns. */
	buf = kdx_fuzz_place(rd->arena, MAX_SPAN, (size_t)len);
	if (!buf)
		return;
	memset(buf, 0xa5, len);
	err = kdx_read_phys(rd->dump, addr, buf, (size_t)len, flags, &st);
	if (wraps) {
		FUZZ_CHECK(err && kdx_error_code(err) == KDX_ERR_INVALID);
		kdx_fuzz_error(err);
		return;
	}
	/* Walk the request over the range list: the expected outcome. */
	for (left = len; left && !fails;) {
		size_t i = find_range(rd, pos);
		uint64_t m;
		enum piece p;

		if (i == rd->n || rd->r[i].start > pos) {
			uint64_t gap = i < rd->n ? rd->r[i].start - pos : left;

			if (!(flags & KDX_READ_ZERO_FILL)) {
				fails = true;
				fail_at = pos;
				break;
			}
			m = gap < left ? gap : left;
			if (!want.hole_bytes)
				want.first_hole = pos;
			want.hole_bytes += m;
			p = P_HOLE;
		} else {
			uint64_t in_range = rd->r[i].start + rd->r[i].size - pos;

			m = in_range < left ? in_range : left;
			if (rd->r[i].kind == KDX_RANGE_EXCLUDED) {
				/* Left out by filtering: like a hole, but
				 * counted apart. */
				if (!(flags & KDX_READ_ZERO_FILL)) {
					fails = true;
					fail_at = pos;
					break;
				}
				if (!want.excluded_bytes)
					want.first_excluded = pos;
				want.excluded_bytes += m;
				p = P_EXCLUDED;
			} else if (rd->r[i].kind == KDX_RANGE_ZERO) {
				if (!want.zero_bytes)
					want.first_zero = pos;
				want.zero_bytes += m;
				p = P_ZERO;
			} else {
				p = P_DATA;
			}
		}
		if (!err)
			check_piece(rd, buf + (pos - addr), pos, (size_t)m, p);
		pos += m;
		left -= m;
	}
	if (err && rd->decoded && kdx_error_code(err) == KDX_ERR_CORRUPT) {
		/* A page the dump lists but cannot decode (kdx_read_phys()
		 * documents CORRUPT): the error names an address the read
		 * asked for, before the first hole. */
		uint64_t where = 0;

		FUZZ_CHECK(kdx_error_address(err, &where));
		FUZZ_CHECK(where >= addr && where - addr < len);
		FUZZ_CHECK(!fails || where < fail_at);
	} else if (fails) {
		uint64_t where = 0;

		FUZZ_CHECK(err != NULL);
		FUZZ_CHECK(kdx_error_code(err) == KDX_ERR_NODATA);
		FUZZ_CHECK(kdx_error_address(err, &where) && where == fail_at);
		check_not_held(rd, fail_at);
	} else {
		if (err)
			fprintf(stderr, "read 0x%llx + 0x%llx (flags %u): %s: %s\n",
				(unsigned long long)addr,
				(unsigned long long)len, flags,
				kdx_error_code_name(kdx_error_code(err)),
				kdx_error_message(err));
		FUZZ_CHECK(err == NULL);
		FUZZ_CHECK(st.zero_bytes == want.zero_bytes);
		FUZZ_CHECK(st.hole_bytes == want.hole_bytes);
		FUZZ_CHECK(st.excluded_bytes == want.excluded_bytes);
		if (want.excluded_bytes)
			FUZZ_CHECK(st.first_excluded == want.first_excluded);
		if (want.zero_bytes)
			FUZZ_CHECK(st.first_zero == want.first_zero);
		if (want.hole_bytes)
			FUZZ_CHECK(st.first_hole == want.first_hole);
	}
	kdx_fuzz_error(err);
}

static void read_both(struct reader *rd, uint64_t addr, uint64_t len)
{
	read_at(rd, addr, len, 0);
	read_at(rd, addr, len, KDX_READ_ZERO_FILL);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Starts, ends, middles, both boundaries and the hole before range @i. */
static void read_range_edges(struct reader *rd, size_t i)
{
	const struct kdx_phys_range *r = &rd->r[i];
	uint64_t end = r->start + r->size;
	uint64_t prev_end = i ? rd->r[i - 1].start + rd->r[i - 1].size : 0;

	read_at(rd, r->start, min64(r->size, 64), 0);
	read_at(rd, r->start, min64(r->size, MAX_READ), 0);
	read_at(rd, end - min64(r->size, 64), min64(r->size, 64), 0);
	read_at(rd, r->start + r->size / 2, min64(r->size - r->size / 2, 32),
		0);
	/* Across the end: into the next range or a hole. */
	read_both(rd, end - min64(r->size, 8), 16);
	/* Across the start, from the previous range or a hole. */
	if (r->start >= 8)
		read_both(rd, r->start - 8, 16);
	/* Into the hole below, alone. */
	if (r->start > prev_end || (i == 0 && r->start > 0))
		read_both(rd, prev_end, min64(r->start - prev_end, 64));
	if (i + 1 == rd->n)
		read_both(rd, end, 64);
}

static uint64_t hash64(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static void read_everywhere(struct reader *rd)
{
	uint64_t h;
	static const uint8_t nothing[1];

	/* A zero-length read succeeds anywhere and reads nothing. */
	FUZZ_CHECK(kdx_read_phys(rd->dump, 0x1234, (void *)nothing, 0, 0,
				 NULL) == NULL);
	read_both(rd, 0, 256);
	read_both(rd, UINT64_MAX - 15, 16);      /* up to the last byte */
	read_both(rd, UINT64_MAX - 7, 16);       /* wraps: invalid */
	for (size_t i = 0; i < rd->n; i++) {
		if (i == EDGE_RANGES && rd->n > 2 * EDGE_RANGES)
			i = rd->n - EDGE_RANGES;
		read_range_edges(rd, i);
	}
	if (rd->n) {
		uint64_t lo = rd->r[0].start;
		uint64_t hi = rd->r[rd->n - 1].start + rd->r[rd->n - 1].size;

		/* The whole map in one read when it is small. */
		if (hi - lo <= MAX_SPAN)
			read_both(rd, lo, hi - lo);
		/* A few addresses the input chooses, inside the map. */
		h = hash64(rd->in->data, rd->in->size < 256 ? rd->in->size : 256);
		for (int k = 0; k < 4; k++, h = h * 6364136223846793005ull + 1)
			read_both(rd, lo + (h >> 8) % (hi - lo), 1 + (h & 255));
	}
}

void kdx_fuzz_exercise(const struct kdx_dump *dump,
		       const struct kdx_fuzz_input *in)
{
	/* One arena for the whole run (see kdx_fuzz_place). */
	static uint8_t *arena;
	struct reader rd = { .dump = dump, .in = in, .budget = READ_BUDGET };

	if (!arena)
		arena = malloc(MAX_SPAN);
	rd.arena = arena;

	check_accessors(dump);
	rd.r = kdx_dump_phys_ranges(dump, &rd.n);
	check_ranges(rd.r, rd.n);
	rd.seg = kdx_dump_segments(dump, &rd.nseg);
	/* The file-offset oracle holds for a plain ELF file, not for an ELF
	 * inside anything (a makedumpfile flattened stream, a compressed
	 * stream, a FreeBSD dump device's header: offsets and length are
	 * then the container's). */
	rd.elf_oracle = !in->is_raw &&
			!strcmp(kdx_dump_format_name(dump), "elf") &&
			in->size >= 4 && !memcmp(in->data, "\x7f" "ELF", 4) &&
			rd.nseg <= ORACLE_MAX_SEGMENTS;
	rd.decoded = strcmp(kdx_dump_format_name(dump), "elf") != 0 &&
		     strcmp(kdx_dump_format_name(dump), "raw") != 0;
	read_everywhere(&rd);
}

/* Open @data as @format (NULL: detect) and record in @out what came of
 * it; the dump, or NULL when the open failed. */
static struct kdx_dump *open_recorded(const uint8_t *data, size_t size,
				      const char *format,
				      struct kdx_fuzz_open *out)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	memset(out, 0, sizeof(*out));
	kdx_open_options_init(&opts);
	opts.format = format;
	opts.max_decompressed = KDX_FUZZ_MAX_DECOMPRESSED;
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	if (err) {
		out->code = (int)kdx_error_code(err);
		kdx_fuzz_error(err);
		return NULL;
	}
	FUZZ_CHECK(dump != NULL);
	if (format)
		FUZZ_CHECK(!strcmp(kdx_dump_format_name(dump), format));
	snprintf(out->format, sizeof(out->format), "%s",
		 kdx_dump_format_name(dump));
	kdx_dump_phys_ranges(dump, &out->ranges);
	kdx_dump_notes(dump, &out->notes);
	kdx_dump_segments(dump, &out->segments);
	return dump;
}

void kdx_fuzz_open(const uint8_t *data, size_t size, const char *format,
		   bool exercise, struct kdx_fuzz_open *out)
{
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_dump *dump = open_recorded(data, size, format, out);

	if (dump && exercise)
		kdx_fuzz_exercise(dump, &in);
	kdx_dump_destroy(dump);
}

void kdx_fuzz_same(const struct kdx_fuzz_open *a,
		   const struct kdx_fuzz_open *b)
{
	FUZZ_CHECK(a->code == b->code);
	FUZZ_CHECK(!strcmp(a->format, b->format));
	FUZZ_CHECK(a->ranges == b->ranges);
	FUZZ_CHECK(a->notes == b->notes);
	FUZZ_CHECK(a->segments == b->segments);
}

struct kdx_dump *kdx_fuzz_open_as(const uint8_t *data, size_t size,
				  const char *format)
{
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_fuzz_open forced, found;
	struct kdx_dump *dump = open_recorded(data, size, format, &forced);

	if (dump)
		kdx_fuzz_exercise(dump, &in);
	kdx_fuzz_open(data, size, NULL, false, &found);
	if (!strcmp(found.format, format))
		kdx_fuzz_same(&forced, &found);
	return dump;
}

void kdx_fuzz_walk_kernel(const struct kdx_dump *dump)
{
	static const uint64_t addrs[] = { 0xffffffff81000000ull,
					  0xffffffff80000000ull, 0xc0000000ull,
					  0xffff888000000000ull, 0 };
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct kdx_error *err = kdx_kernel_probe(dump, NULL, &layout);
	uint8_t buf[64];

	if (!err)
		err = kdx_kernel_xlat_create(dump, &layout, &xlat);
	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct kdx_xlat_result r;

		err = kdx_xlat_translate(xlat, addrs[i], &r);
		if (err) {
			kdx_fuzz_error(err);
			continue;
		}
		FUZZ_CHECK(r.space == kdx_xlat_space(xlat));
		err = kdx_read_virt(dump, xlat, addrs[i], buf, sizeof(buf), 0,
				    NULL);
		if (err)
			kdx_fuzz_error(err);
	}
	kdx_xlat_destroy(xlat);
}
