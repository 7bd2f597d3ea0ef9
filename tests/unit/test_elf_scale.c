/* SPDX-License-Identifier: MIT */
/* What opening and reading large dumps costs the heap.
 *
 * An ELF core with tens of thousands of PT_LOADs costs the heap only what
 * the map must hold: no per-segment array kept from the open (the
 * segments are read again when asked), no doubling's slack, no second
 * copy of the pieces, no overlap index when the segments are in order.
 *
 * The heap is measured through the linker (--wrap=malloc, calloc,
 * realloc, free; see tests/CMakeLists.txt) with malloc_usable_size(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "mkkdump.h"
#include "testfs.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

/* Bytes the wrapped allocators hold now, and the most they held since
 * reset_peak().  Only the test's thread allocates. */
static int64_t held, peak;
static uint64_t allocations;

static void *count_in(void *p)
{
	if (p) {
		allocations++;
		held += (int64_t)malloc_usable_size(p);
		if (held > peak)
			peak = held;
	}
	return p;
}

void *__wrap_malloc(size_t size)
{
	return count_in(__real_malloc(size));
}

void *__wrap_calloc(size_t n, size_t size)
{
	return count_in(__real_calloc(n, size));
}

void *__wrap_realloc(void *p, size_t size)
{
	int64_t before = p ? (int64_t)malloc_usable_size(p) : 0;
	void *q = __real_realloc(p, size);

	if (q || !size)
		held -= before;
	return count_in(q);
}

void __wrap_free(void *p)
{
	if (p)
		held -= (int64_t)malloc_usable_size(p);
	__real_free(p);
}

static void reset_peak(void)
{
	peak = held;
}

enum { LOADS = 60000, MANY = 250000, PAGE = 4096, EHDR = 64, PHDR = 56 };

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ELF64 little-endian x86_64 core: @loads one-page PT_LOADs 2 MiB apart,
 * all over the one data page at the end (as a sparse file's would);
 * PN_XNUM from 65535 on. */
static uint8_t *many_loads(uint64_t loads, size_t *size)
{
	uint64_t shdr = EHDR + loads * PHDR, data = shdr + 64;
	uint8_t *b = calloc(1, data + PAGE);

	assert_non_null(b);
	memcpy(b, "\177ELF\2\1\1", 7);
	put(b + 16, 4, 2);          /* ET_CORE */
	put(b + 18, 62, 2);         /* EM_X86_64 */
	put(b + 20, 1, 4);
	put(b + 32, EHDR, 8);       /* e_phoff */
	put(b + 52, EHDR, 2);
	put(b + 54, PHDR, 2);
	put(b + 56, loads < 0xffff ? loads : 0xffff, 2);
	put(b + 40, shdr, 8);       /* e_shoff */
	put(b + 58, 64, 2);         /* e_shentsize */
	put(b + 60, 1, 2);          /* e_shnum */
	put(b + shdr + 44, loads, 4); /* section 0's sh_info: the count */
	for (uint64_t i = 0; i < loads; i++) {
		uint8_t *ph = b + EHDR + i * PHDR;

		put(ph, 1, 4);                 /* PT_LOAD */
		put(ph + 8, data, 8);          /* p_offset */
		put(ph + 24, i << 21, 8);      /* p_paddr */
		put(ph + 32, PAGE, 8);         /* p_filesz */
		put(ph + 40, PAGE, 8);         /* p_memsz */
	}
	for (size_t i = 0; i < PAGE; i++)
		b[data + i] = (uint8_t)(i * 7 + 1);
	*size = data + PAGE;
	return b;
}

static void open_costs_only_the_map(void **state)
{
	size_t size, n;
	uint8_t *bytes = many_loads(LOADS, &size);
	struct kdx_dump *d = NULL;
	const struct kdx_segment *seg;
	const struct kdx_phys_range *r;
	int64_t start = held, during, after;
	uint8_t page[PAGE];

	(void)state;
	reset_peak();
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &d));
	during = peak - start;
	after = held - start;
	/* The map's entry (40 bytes) and the public range (24) per load;
	 * before: a kept segment (40) and the overlap index (32, twice
	 * while sorting) besides, in arrays of doubled capacity. */
	if (during > 72 * LOADS || after > 72 * LOADS)
		fail_msg("open of %d PT_LOADs: %lld heap bytes at most, %lld after (%lld, %lld per load)",
			 LOADS, (long long)during, (long long)after,
			 (long long)(during / LOADS), (long long)(after / LOADS));
	r = kdx_dump_phys_ranges(d, &n);
	assert_int_equal(n, LOADS);
	assert_int_equal(r[LOADS - 1].start, (uint64_t)(LOADS - 1) << 21);
	assert_int_equal(kdx_dump_segment_count(d), LOADS);
	assert_null(kdx_read_phys(d, (uint64_t)(LOADS - 1) << 21, page, PAGE,
				  0, NULL));
	assert_memory_equal(page, bytes + size - PAGE, PAGE);

	/* Asked for, the segments are read again, exactly as listed. */
	seg = kdx_dump_segments(d, &n);
	assert_non_null(seg);
	assert_int_equal(n, LOADS);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(seg[i].paddr, (uint64_t)i << 21);
		assert_int_equal(seg[i].file_offset, size - PAGE);
		assert_int_equal(seg[i].file_size, PAGE);
		assert_int_equal(seg[i].mem_size, PAGE);
	}
	assert_ptr_equal(kdx_dump_segments(d, &n), seg);
	kdx_dump_destroy(d);
	free(bytes);
}

/* Resident file-backed memory of this process, in KiB. */
static long rss_file_kib(void)
{
	long kib = testfs_rss_file_kib();

	assert_true(kib >= 0);
	return kib;
}

/* The program header table (14 MB here, 56 MB for a million PT_LOADs)
 * is read with pread: opening the dump from a mapped file does not make
 * the table's pages resident in the process.  (A fault may map a whole
 * large folio of the page cache, 2 MB: hence a margin.) */
static void table_scan_stays_out_of_rss(void **state)
{
	char path[] = "/tmp/kdx-elf-scale-XXXXXX";
	size_t size;
	uint8_t *bytes = many_loads(MANY, &size);
	struct kdx_dump *d = NULL;
	int fd = mkstemp(path);
	long before;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, size), (ssize_t)size);
	close(fd);
	free(bytes);
	/* A first open brings the code in: measure the second. */
	assert_null(kdx_dump_open(path, NULL, &d));
	kdx_dump_destroy(d);
	before = rss_file_kib();
	assert_null(kdx_dump_open(path, NULL, &d));
	if (rss_file_kib() - before > (long)(size / 1024 / 3))
		fail_msg("opening a %zu-byte ELF made %ld KiB of it resident",
			 size, rss_file_kib() - before);
	assert_int_equal(kdx_dump_segment_count(d), MANY);
	kdx_dump_destroy(d);
	unlink(path);
}

/* Reading a kdump's pages costs no allocation per page: the shared
 * zero page is decoded once, small compressed pages go through the
 * stack (a fuzzer's every input read thousands of them through malloc). */
static void kdump_pages_read_without_allocating(void **state)
{
	struct mkkdump_options o = { .machine = "x86_64",
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);
	struct kdx_dump *d = NULL;
	uint8_t page[PAGE], want[PAGE];
	uint64_t before;
	size_t size;
	uint8_t *bytes;

	(void)state;
	mkkdump_set_pages(m, 0, 8, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 8, 512, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 520, 8, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	bytes = mkkdump_build(m, &size);
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &d));
	before = allocations;
	for (uint64_t pfn = 0; pfn < 528; pfn++) {
		/* Whole pages, and a read across two (through a page
		 * buffer). */
		assert_null(kdx_read_phys(d, pfn * PAGE, page, PAGE, 0, NULL));
		mkkdump_expected_page(m, pfn, want);
		assert_memory_equal(page, want, PAGE);
		if (pfn)
			assert_null(kdx_read_phys(d, pfn * PAGE - 8, page, 16,
						  0, NULL));
	}
	if (allocations - before > 16)
		fail_msg("reading 528 pages allocated %llu times",
			 (unsigned long long)(allocations - before));
	kdx_dump_destroy(d);
	free(bytes);
	mkkdump_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_costs_only_the_map),
		cmocka_unit_test(table_scan_stays_out_of_rss),
		cmocka_unit_test(kdump_pages_read_without_allocating),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
