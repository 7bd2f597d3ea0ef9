/* SPDX-License-Identifier: MIT */
/* kdx_convert() to kdump-compressed: every page back byte for byte, for
 * every codec; thread count does not change the bytes; filtered and
 * missing memory stays missing; failures leave no file behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "mkelf.h"
#include "mkkdump.h"
#include "testfs.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EM_X86_64 62
#define EM_386 3
#define EM_AARCH64 183

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kdx-convert-XXXXXX");
	return testfs_make_dir(dir);
}

static int remove_dir(void **state)
{
	(void)state;
	return testfs_remove_dir(dir);
}

static char *path_in_dir(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* A dump with data, a hole, all-zero pages, a p_memsz tail and a range
 * that is not page aligned (seed 004). */
static uint8_t *build_input(uint16_t machine, unsigned int bits,
			    enum kdx_byte_order bo, size_t *size)
{
	struct mkelf_options o = { .class_bits = bits, .byte_order = bo,
				   .machine = machine };
	struct mkelf *m = mkelf_new(&o);
	static uint8_t zeros[0x3000];
	struct mkelf_load data = { .paddr = 0x0, .filesz = 0x20000, .memsz = 0x20000 };
	struct mkelf_load zero = { .paddr = 0x20000, .filesz = sizeof(zeros),
				   .memsz = sizeof(zeros), .data = zeros };
	struct mkelf_load tail = { .paddr = 0x100000, .filesz = 0x1000, .memsz = 0x3000 };
	struct mkelf_load frac = { .paddr = 0x200800, .filesz = 0x1400, .memsz = 0x1400 };
	uint8_t *bytes;

	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-convert\nPAGESIZE=4096\nCRASHTIME=1234\n");
	mkelf_add_load(m, &data);
	mkelf_add_load(m, &zero);
	mkelf_add_load(m, &tail);
	mkelf_add_load(m, &frac);
	bytes = mkelf_build(m, size);
	mkelf_free(m);
	return bytes;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return buf;
}

/* How a page the input holds only in part shows in a kdump output. */
enum partial_pages {
	PARTIAL_NONE,     /* there are none (a kdump input) */
	PARTIAL_EXCLUDED, /* left out: nothing invented */
	PARTIAL_ZEROS,    /* --zero-fill: whole, missing bytes zero */
};

/* Whether the input holds the page of @addr only in part. */
static bool partly_held(const struct kdx_dump *a, uint64_t addr)
{
	static uint8_t page[0x1000];
	struct kdx_read_stats rs;

	assert_null(kdx_read_phys(a, addr & ~0xfffull, page, sizeof(page),
				  KDX_READ_ZERO_FILL, &rs));
	return rs.hole_bytes && rs.hole_bytes < sizeof(page);
}

/* Every byte of [0, end) reads the same (or fails the same) in both. */
static void assert_same_memory(const struct kdx_dump *a,
			       const struct kdx_dump *b, uint64_t end,
			       enum partial_pages partial)
{
	uint8_t x[0x100], y[0x100];

	for (uint64_t addr = 0; addr < end; addr += sizeof(x)) {
		struct kdx_error *ea = kdx_read_phys(a, addr, x, sizeof(x), 0, NULL);
		struct kdx_error *eb = kdx_read_phys(b, addr, y, sizeof(y), 0, NULL);

		if (partial == PARTIAL_EXCLUDED && partly_held(a, addr)) {
			/* Not one byte of it in the output. */
			assert_non_null(eb);
			assert_int_equal(kdx_error_code(eb), KDX_ERR_NODATA);
			kdx_error_destroy(ea);
			kdx_error_destroy(eb);
			continue;
		}
		if (ea && !eb && partial == PARTIAL_ZEROS) {
			/* kdump is page-granular: a partly dumped page is
			 * whole in the output, its undumped bytes zero. */
			kdx_error_destroy(ea);
			assert_null(kdx_read_phys(a, addr, x, sizeof(x),
						  KDX_READ_ZERO_FILL, NULL));
			assert_memory_equal(x, y, sizeof(x));
			continue;
		}
		if (ea || eb) {
			if (!ea || !eb)
				fail_msg("0x%llx: %s in the input, %s in the output",
					 (unsigned long long)addr,
					 ea ? kdx_error_message(ea) : "readable",
					 eb ? kdx_error_message(eb) : "readable");
			assert_int_equal(kdx_error_code(ea), kdx_error_code(eb));
			kdx_error_destroy(ea);
			kdx_error_destroy(eb);
			continue;
		}
		assert_memory_equal(x, y, sizeof(x));
	}
}

static struct kdx_dump *convert_and_open(const struct kdx_dump *in,
					 const struct kdx_convert_options *o,
					 const char *name,
					 struct kdx_convert_stats *stats)
{
	struct kdx_dump *out = NULL;
	struct kdx_error *err = kdx_convert(in, path_in_dir(name), o, stats);

	if (err)
		fail_msg("convert: %s", kdx_error_message(err));
	err = kdx_dump_open(path_in_dir(name), NULL, &out);
	if (err)
		fail_msg("reopen: %s", kdx_error_message(err));
	return out;
}

static void every_codec_round_trips(void **state)
{
	static const enum kdx_compression codecs[] = {
		KDX_COMPRESS_NONE, KDX_COMPRESS_ZLIB, KDX_COMPRESS_LZO,
		KDX_COMPRESS_SNAPPY, KDX_COMPRESS_ZSTD,
	};
	size_t size;
	uint8_t *bytes = build_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
		struct kdx_convert_options o;
		struct kdx_convert_stats st;
		struct kdx_dump *out;
		char name[32];

		kdx_convert_options_init(&o);
		o.compression = codecs[i];
		snprintf(name, sizeof(name), "c%zu.kdump", i);
		out = convert_and_open(in, &o, name, &st);
		assert_string_equal(kdx_dump_format_name(out), "kdump");
		assert_int_equal(kdx_dump_arch(out), KDX_ARCH_X86_64);
		assert_string_equal(kdx_dump_vmcoreinfo_get(out, "OSRELEASE"),
				    "6.1.0-convert");
		/* 0x20 data + 3 zero + 3 (tail) pages; the 2 pages of
		 * 0x200800-0x201bff, which the input holds in part, are
		 * excluded. */
		assert_int_equal(st.pages_dumped, 0x20 + 3 + 3);
		assert_int_equal(st.pages_zero, 3 + 2);
		assert_int_equal(st.pages_excluded, 2);
		assert_int_equal(st.pages_partial, 2);
		assert_int_equal(st.first_partial, 0x200000);
		assert_same_memory(in, out, 0x210000, PARTIAL_EXCLUDED);
		kdx_dump_destroy(out);
	}
	kdx_dump_destroy(in);
	free(bytes);
}

static void threads_give_identical_bytes(void **state)
{
	size_t size, n1, n4;
	uint8_t *bytes = build_input(EM_AARCH64, 64, KDX_BIG_ENDIAN, &size);
	struct kdx_dump *in, *out;
	struct kdx_convert_options o;
	uint8_t *one, *four;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	kdx_convert_options_init(&o);
	o.compression = KDX_COMPRESS_ZSTD;
	o.threads = 1;
	kdx_dump_destroy(convert_and_open(in, &o, "t1.kdump", NULL));
	o.threads = 4;
	out = convert_and_open(in, &o, "t4.kdump", NULL);
	assert_int_equal(kdx_dump_byte_order(out), KDX_BIG_ENDIAN);
	assert_same_memory(in, out, 0x210000, PARTIAL_EXCLUDED);
	one = read_file(path_in_dir("t1.kdump"), &n1);
	four = read_file(path_in_dir("t4.kdump"), &n4);
	assert_int_equal(n1, n4);
	assert_memory_equal(one, four, n1);
	free(one);
	free(four);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(bytes);
}

static void exclude_zero_and_flatten(void **state)
{
	size_t size;
	uint8_t *bytes = build_input(EM_386, 32, KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in, *out;
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct kdx_error *err;
	uint8_t page[0x1000];
	size_t n;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	kdx_convert_options_init(&o);
	o.exclude_zero = true;
	o.flatten = true;
	out = convert_and_open(in, &o, "flat.kdump", &st);
	assert_int_equal(st.pages_zero, 5);
	/* + the fraction's partly held pages */
	assert_int_equal(st.pages_excluded, 5 + 2);
	err = kdx_read_phys(out, 0x21000, page, sizeof(page), 0, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_non_null(strstr(kdx_error_message(err), "excluded"));
	kdx_error_destroy(err);
	assert_null(kdx_read_phys(out, 0x21000, page, sizeof(page),
				  KDX_READ_ZERO_FILL, NULL));
	kdx_dump_details(out, &n);
	assert_true(n > 0);
	/* Data pages survive the flattened round trip. */
	assert_null(kdx_read_phys(in, 0x1f000, page, sizeof(page), 0, NULL));
	{
		uint8_t again[0x1000];

		assert_null(kdx_read_phys(out, 0x1f000, again, sizeof(again),
					  0, NULL));
		assert_memory_equal(page, again, sizeof(page));
	}
	assert_int_equal(kdx_dump_word_size(out), 4);
	kdx_dump_destroy(out);

	/* A kdump input keeps its excluded pages excluded. */
	assert_null(kdx_dump_open(path_in_dir("flat.kdump"), NULL, &out));
	kdx_convert_options_init(&o);
	kdx_dump_destroy(in);
	in = convert_and_open(out, &o, "again.kdump", &st);
	assert_int_equal(st.pages_excluded, 5 + 2);
	assert_same_memory(out, in, 0x210000, PARTIAL_NONE);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(bytes);
}

/* A p_memsz tail of 2 MiB and 3 pages past one page of data: chunks of
 * the tail alone are zero pages without being read, the chunk with the
 * data page is read; either way every page is counted and reads back. */
static void zero_tail_chunks(void **state)
{
	struct mkelf_options mo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = 62 };
	struct mkelf *m = mkelf_new(&mo);
	struct mkelf_load load = { .paddr = 0, .filesz = 0x1000,
				   .memsz = 0x204000 };
	const uint64_t pages = 0x204000 / 0x1000;
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct kdx_dump *in, *out;
	uint8_t page[0x1000], zeros[0x1000] = { 0 };
	size_t size;
	uint8_t *bytes;

	(void)state;
	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-convert\nPAGESIZE=4096\n");
	mkelf_add_load(m, &load);
	bytes = mkelf_build(m, &size);
	mkelf_free(m);
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	for (int exclude = 0; exclude < 2; exclude++) {
		kdx_convert_options_init(&o);
		o.exclude_zero = exclude;
		out = convert_and_open(in, &o, "tail.kdump", &st);
		assert_int_equal(st.pages_zero, pages - 1);
		assert_int_equal(st.pages_excluded, exclude ? pages - 1 : 0);
		assert_same_memory(in, out, exclude ? 0x1000 : 0x204000,
				   PARTIAL_NONE);
		for (uint64_t pfn = 1; pfn < pages; pfn += 97) {
			assert_null(kdx_read_phys(out, pfn * 0x1000, page,
						  sizeof(page),
						  KDX_READ_ZERO_FILL, NULL));
			assert_memory_equal(page, zeros, sizeof(page));
		}
		kdx_dump_destroy(out);
	}
	kdx_dump_destroy(in);
	free(bytes);
}

/* A kdump input with dump_level 16, a header timestamp and phys_base,
 * and (if @vmcoreinfo) notes that say other ones. */
static struct kdx_dump *kdump_input(const char *vmcoreinfo, uint8_t **bytes)
{
	struct mkkdump_options mo = {
		.machine = "x86_64", .dump_level = 16,
		.timestamp = 1650000000, .phys_base = 0x3c000000,
		.nr_cpus = 2, .default_codec = MKKDUMP_CODEC_ZLIB,
	};
	struct mkkdump *m = mkkdump_new(&mo);
	struct kdx_dump *in;
	size_t size;

	mkkdump_set_pages(m, 0, 8, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 8, 2, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 10, 2, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	if (vmcoreinfo)
		mkkdump_add_vmcoreinfo(m, vmcoreinfo);
	*bytes = mkkdump_build(m, &size);
	mkkdump_free(m);
	assert_null(kdx_dump_open_memory(*bytes, size, NULL, &in));
	return in;
}

/* The output's header says what the input's did: its dump_level (with
 * the zero bit when we filter too), its crash time and phys_base -
 * VMCOREINFO's CRASHTIME and NUMBER(phys_base) first, else the input
 * header's own. */
static void kdump_header_facts_survive(void **state)
{
	static const struct {
		const char *vmcoreinfo;
		bool exclude_zero;
		uint32_t level;
		int64_t timestamp;
		uint64_t phys_base;
	} cases[] = {
		{ NULL, false, 16, 1650000000, 0x3c000000 },
		{ NULL, true, 17, 1650000000, 0x3c000000 },
		{ "OSRELEASE=6.1.0-convert\n", false, 16, 1650000000,
		  0x3c000000 },
		{ "CRASHTIME=1234\nNUMBER(phys_base)=0x5000000\n", true, 17,
		  1234, 0x5000000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *bytes;
		struct kdx_dump *in = kdump_input(cases[i].vmcoreinfo, &bytes);
		struct kdx_dump *out;
		const struct kdx_dump_facts *f;
		struct kdx_convert_options o;

		kdx_convert_options_init(&o);
		o.exclude_zero = cases[i].exclude_zero;
		o.compression = KDX_COMPRESS_LZO;
		out = convert_and_open(in, &o, "facts.kdump", NULL);
		f = kdx_dump_facts(out);
		assert_true(f->set & KDX_FACT_DUMP_LEVEL);
		assert_int_equal(f->dump_level, cases[i].level);
		assert_true(f->timestamp == cases[i].timestamp);
		assert_true(f->set & KDX_FACT_PHYS_BASE);
		assert_int_equal(f->phys_base, cases[i].phys_base);
		assert_int_equal(f->compression, KDX_COMPRESS_LZO);
		assert_int_equal(f->format_version, 6);
		assert_int_equal(f->page_size, 4096);
		assert_string_equal(f->uts_machine, "x86_64");
		/* Filtering turns the zero pages into excluded ones. */
		if (!cases[i].exclude_zero)
			assert_same_memory(in, out, 0xe000, false);
		kdx_dump_destroy(out);
		kdx_dump_destroy(in);
		free(bytes);
	}
}

/* An ELF input has no dump_level: the output's is ours alone. */
static void elf_input_gets_our_dump_level(void **state)
{
	size_t size;
	uint8_t *bytes = build_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in, *out;
	struct kdx_convert_options o;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	assert_false(kdx_dump_facts(in)->set & KDX_FACT_DUMP_LEVEL);
	for (int zero = 0; zero < 2; zero++) {
		kdx_convert_options_init(&o);
		o.exclude_zero = zero;
		out = convert_and_open(in, &o, "level.kdump", NULL);
		assert_int_equal(kdx_dump_facts(out)->dump_level, zero);
		/* build_input's VMCOREINFO says CRASHTIME=1234. */
		assert_true(kdx_dump_facts(out)->timestamp == 1234);
		kdx_dump_destroy(out);
	}
	kdx_dump_destroy(in);
	free(bytes);
}

/* A kdump file whose last page's compressed data is garbage. */
static struct kdx_dump *broken_kdump(const struct kdx_convert_options *o)
{
	size_t size, n;
	uint8_t *bytes = build_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in, *out;
	uint8_t *file;
	FILE *f;

	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	kdx_dump_destroy(convert_and_open(in, o, "broken.kdump", NULL));
	kdx_dump_destroy(in);
	free(bytes);
	file = read_file(path_in_dir("broken.kdump"), &n);
	memset(file + n - 64, 0x5a, 64); /* inside the last page's data */
	f = fopen(path_in_dir("broken.kdump"), "wb");
	assert_int_equal(fwrite(file, 1, n, f), n);
	fclose(f);
	free(file);
	assert_null(kdx_dump_open(path_in_dir("broken.kdump"), NULL, &out));
	return out;
}

static long count_entries(const char *path)
{
	long n = testfs_count_entries(path);

	assert_true(n >= 0);
	return n;
}

static void failures_leave_no_file(void **state)
{
	size_t size, before;
	uint8_t *bytes = build_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in;
	struct kdx_convert_options o;
	struct kdx_error *err;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &in));
	kdx_convert_options_init(&o);
	err = kdx_convert(in, "/nonexistent-dir/x.kdump", &o, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_OS);
	kdx_error_destroy(err);
	err = kdx_convert(in, dir, &o, NULL); /* before any work */
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	assert_non_null(strstr(kdx_error_message(err), "is a directory"));
	kdx_error_destroy(err);
	err = kdx_convert(in, "-", &o, NULL); /* stdout needs flatten */
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	kdx_error_destroy(err);

	/* A caller's stop flag (a signal handler's) stops it too. */
	{
		volatile sig_atomic_t stop = SIGTERM;

		o.stop = &stop;
		before = count_entries(dir);
		err = kdx_convert(in, path_in_dir("stopped.kdump"), &o, NULL);
		assert_non_null(err);
		assert_int_equal(kdx_error_errno(err), EINTR);
		kdx_error_destroy(err);
		assert_int_equal(count_entries(dir), before);
		o.stop = NULL;
	}

	/* An input page that cannot be read stops the conversion before
	 * anything is renamed into place, and the temporary file goes. */
	kdx_dump_destroy(in);
	in = broken_kdump(&o);
	before = count_entries(dir);
	err = kdx_convert(in, path_in_dir("broken-out.kdump"), &o, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_non_null(strstr(kdx_error_message(err), "pfn 0x"));
	kdx_error_destroy(err);
	assert_int_equal(count_entries(dir), before);
	kdx_dump_destroy(in);
	free(bytes);
}

/* An ELF whose one real page at 0 is followed by a PT_LOAD claiming
 * @memsz bytes at @paddr, of which the file holds @filesz. */
static struct kdx_dump *claiming_dump(uint64_t paddr, uint64_t filesz,
				      uint64_t memsz, uint8_t **bytes)
{
	struct mkelf_options mo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = EM_X86_64 };
	struct mkelf *m = mkelf_new(&mo);
	struct mkelf_load low = { .paddr = 0, .filesz = 0x1000, .memsz = 0x1000 };
	struct mkelf_load claim = { .paddr = paddr, .vaddr = paddr,
				    .filesz = filesz, .memsz = memsz };
	struct kdx_dump *dump;
	size_t size;

	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-claims\nPAGESIZE=4096\n");
	mkelf_add_load(m, &low);
	mkelf_add_load(m, &claim);
	*bytes = mkelf_build(m, &size);
	mkelf_free(m);
	assert_null(kdx_dump_open_memory(*bytes, size, NULL, &dump));
	return dump;
}

/* Headers that claim what the input does not hold cost neither a crash
 * (the bitmaps once failed to allocate and were read anyway) nor
 * gigabytes: memory at 2^50, a p_memsz of 2^62-2^63 or a terabyte of
 * p_memsz beyond p_filesz (6.4 GB of page descriptors) is refused before
 * any output; a claim the headers can afford converts, its zeros read
 * back as zeros. */
static void claims_cost_what_input_holds(void **state)
{
	static const uint64_t refused[][3] = {
		{ 1ull << 50, 0x1000, 0x1000 },
		{ 0x100000, 0, 1ull << 62 },
		{ 0x100000, 0x1000, (1ull << 63) - 0x200000 },
		{ 0x100000, 0, 1ull << 40 },
	};
	size_t before = count_entries(dir);
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct kdx_dump *in, *out;
	struct kdx_error *err;
	uint8_t *bytes;

	(void)state;
	kdx_convert_options_init(&o);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		in = claiming_dump(refused[i][0], refused[i][1], refused[i][2],
				   &bytes);
		err = kdx_convert(in, path_in_dir("claims.kdump"), &o, NULL);
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
		assert_non_null(strstr(kdx_error_message(err),
				       "bitmaps and page descriptors"));
		kdx_error_destroy(err);
		assert_int_equal(count_entries(dir), before);
		kdx_dump_destroy(in);
		free(bytes);
	}

	/* 64 MiB of zeros: 16384 descriptors, within the slack. */
	in = claiming_dump(0x100000, 0, 64 << 20, &bytes);
	out = convert_and_open(in, &o, "zeros.kdump", &st);
	assert_int_equal(st.pages_dumped, 1 + 16384);
	assert_int_equal(st.pages_zero, 16384);
	assert_same_memory(in, out, (64 << 20) + 0x100000, PARTIAL_NONE);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(bytes);
}

/* A file cut off inside a segment: the bytes it lost are never written
 * as data.  kdump pages are whole, so the page the cut runs through is
 * left out (or, with zero_fill, written with zeros as asked); ELF output
 * keeps exactly the bytes that are left. */
static void truncated_input_invents_nothing(void **state)
{
	size_t size, n;
	uint8_t *bytes = build_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN, &size);
	const struct kdx_segment *seg;
	struct kdx_dump *whole, *in, *out;
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct kdx_error *err;
	uint8_t page[0x1000];
	uint64_t cut;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &whole));
	seg = kdx_dump_segments(whole, &n);
	assert_true(n >= 1 && seg[0].paddr == 0 && seg[0].file_size == 0x20000);
	cut = seg[0].file_offset + 0x10123; /* in the data segment's page 0x10 */
	kdx_dump_destroy(whole);
	assert_null(kdx_dump_open_memory(bytes, (size_t)cut, NULL, &in));

	kdx_convert_options_init(&o);
	out = convert_and_open(in, &o, "cut.kdump", &st);
	/* 0x10 whole pages, and the 2 pages of p_memsz beyond p_filesz of
	 * the segment at 0x100000, which read as zeros cut or not. */
	assert_int_equal(st.pages_dumped, 0x10 + 2);
	assert_int_equal(st.pages_partial, 1);
	assert_int_equal(st.first_partial, 0x10000);
	assert_same_memory(in, out, 0x210000, PARTIAL_EXCLUDED);
	err = kdx_read_phys(out, 0x10000, page, 0x100, 0, NULL);
	assert_non_null(err); /* held in the input, but only in part */
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	kdx_error_destroy(err);
	kdx_dump_destroy(out);

	o.zero_fill = true;
	out = convert_and_open(in, &o, "cut-zeros.kdump", &st);
	assert_int_equal(st.pages_dumped, 0x11 + 2);
	assert_same_memory(in, out, 0x210000, PARTIAL_ZEROS);
	kdx_dump_destroy(out);

	kdx_convert_options_init(&o);
	o.format = KDX_OUTPUT_ELF;
	out = convert_and_open(in, &o, "cut.elf", &st);
	assert_same_memory(in, out, 0x210000, PARTIAL_NONE);
	err = kdx_read_phys(out, 0x10123, page, 1, 0, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	kdx_error_destroy(err);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_codec_round_trips),
		cmocka_unit_test(threads_give_identical_bytes),
		cmocka_unit_test(exclude_zero_and_flatten),
		cmocka_unit_test(zero_tail_chunks),
		cmocka_unit_test(kdump_header_facts_survive),
		cmocka_unit_test(elf_input_gets_our_dump_level),
		cmocka_unit_test(failures_leave_no_file),
		cmocka_unit_test(claims_cost_what_input_holds),
		cmocka_unit_test(truncated_input_invents_nothing),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
