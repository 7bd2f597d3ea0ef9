/* SPDX-License-Identifier: MIT */
/* The ELF and kdump readers served through a fault-injecting file
 * (tests/helpers/faultfile.c, a kdx_file backend): files cut inside the
 * header, the notes, a bitmap or a page; EIO on the Nth read and on a bad
 * range; short reads; EINTR; a file that shrinks after it was sized.
 * Every fault must give an error naming the offset the fault hit, never
 * a crash, and the bytes the fault did not touch must still read right. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "faultfile.h"
#include "io/file.h"
#include "lib/dump.h"
#include "mkelf.h"
#include "mkkdump.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define ELF_LOW_PAGES 16u
#define ELF_HIGH_BASE 0x100000u
#define ELF_HIGH_PAGES 8u
#define KDUMP_PFNS 32u
#define NO_CUT UINT64_MAX

/* A dump image and the generator that knows what it holds. */
struct image {
	uint8_t *bytes;
	size_t size;
	struct mkelf *elf;     /* one of these two */
	struct mkkdump *kdump;
};

static void build_elf(struct image *im)
{
	struct mkelf_options o = { .class_bits = 64, .machine = 62 };
	struct mkelf_load low = { .paddr = 0, .filesz = ELF_LOW_PAGES * PAGE,
				  .memsz = ELF_LOW_PAGES * PAGE };
	struct mkelf_load high = { .paddr = ELF_HIGH_BASE,
				   .filesz = ELF_HIGH_PAGES * PAGE,
				   .memsz = ELF_HIGH_PAGES * PAGE };
	uint64_t regs[27] = { 0 };

	memset(im, 0, sizeof(*im));
	im->elf = mkelf_new(&o);
	mkelf_add_load(im->elf, &low);
	mkelf_add_load(im->elf, &high);
	mkelf_add_prstatus(im->elf, 1, regs, 27);
	mkelf_add_vmcoreinfo(im->elf, "OSRELEASE=6.1.0-fault\nPAGESIZE=4096\n");
	im->bytes = mkelf_build(im->elf, &im->size);
}

static void build_kdump(struct image *im)
{
	struct mkkdump_options o = { .machine = "x86_64",
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	uint64_t regs[27] = { 0 };

	memset(im, 0, sizeof(*im));
	im->kdump = mkkdump_new(&o);
	mkkdump_set_pages(im->kdump, 0, 16, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(im->kdump, 16, 2, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(im->kdump, 18, 2, MKKDUMP_EXCLUDED,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(im->kdump, 20, 2, MKKDUMP_RANDOM,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(im->kdump, 22, 10, MKKDUMP_DATA, MKKDUMP_RAW);
	mkkdump_add_prstatus(im->kdump, 1, regs, 27);
	mkkdump_add_vmcoreinfo(im->kdump,
			       "OSRELEASE=6.1.0-fault\nPAGESIZE=4096\n");
	im->bytes = mkkdump_build(im->kdump, &im->size);
}

static void free_image(struct image *im)
{
	mkelf_free(im->elf);
	mkkdump_free(im->kdump);
	free(im->bytes);
}

/* Open @im cut to @cut bytes through a fault file steered by @ff. */
static struct kdx_error *open_faulty(const struct image *im, uint64_t cut,
				     struct faultfile *ff,
				     struct kdx_dump **dump)
{
	struct kdx_file *mem, *file;
	struct kdx_error *err = kdx_file_from_memory(im->bytes, im->size, &mem);

	if (!err)
		err = faultfile_wrap(ff, mem, cut, &file);
	*dump = NULL;
	return err ? err : kdx_dump_open_file(file, NULL, dump);
}

static struct kdx_dump *open_ok(const struct image *im, uint64_t cut,
				struct faultfile *ff)
{
	struct kdx_dump *dump;
	struct kdx_error *err = open_faulty(im, cut, ff, &dump);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return dump;
}

/* @err has @code (and @errnum, when not 0), records file offset @offset
 * and names @named (often the same offset; a short read names where the
 * read began and records where the bytes ran out) in its message;
 * consumed. */
static void expect_error(struct kdx_error *err, enum kdx_error_code code,
			 int errnum, uint64_t offset, uint64_t named)
{
	char hex[32];
	uint64_t at = UINT64_MAX;

	if (!err)
		fail_msg("expected a %s error at offset 0x%" PRIx64,
			 kdx_error_code_name(code), offset);
	snprintf(hex, sizeof(hex), "0x%" PRIx64, named);
	if (kdx_error_code(err) != code ||
	    (errnum && kdx_error_errno(err) != errnum) ||
	    !kdx_error_file_offset(err, &at) || at != offset ||
	    !strstr(kdx_error_message(err), hex))
		fail_msg("got %s error at offset 0x%" PRIx64
			 " '%s', expected %s (errno %d) at 0x%" PRIx64
			 " naming %s",
			 kdx_error_code_name(kdx_error_code(err)), at,
			 kdx_error_message(err), kdx_error_code_name(code),
			 errnum, offset, hex);
	kdx_error_destroy(err);
}

static void expect_at(struct kdx_error *err, enum kdx_error_code code,
		      int errnum, uint64_t offset)
{
	expect_error(err, code, errnum, offset, offset);
}

/* ---- what the dumps must hold ---- */

static uint64_t elf_page_addr(unsigned int i)
{
	return i < ELF_LOW_PAGES ? (uint64_t)i * PAGE :
				   ELF_HIGH_BASE +
					   (uint64_t)(i - ELF_LOW_PAGES) * PAGE;
}

/* Where the ELF file holds page @i: the segment's p_offset, parsed here
 * from the built bytes (Elf64_Phdr, little-endian) apart from libkdx. */
static uint64_t elf_page_offset(const struct image *im, unsigned int i)
{
	/* The PT_NOTE comes first; the loads are headers 1 and 2. */
	size_t index = i < ELF_LOW_PAGES ? 1 : 2;
	const uint8_t *ph = im->bytes + mkelf_phdr_offset(im->elf, index);
	uint64_t p_offset = 0;

	for (int b = 7; b >= 0; b--)
		p_offset = p_offset << 8 | ph[8 + b];
	return p_offset + (elf_page_addr(i) -
			   (i < ELF_LOW_PAGES ? 0 : ELF_HIGH_BASE));
}

static struct kdx_error *read_page(const struct kdx_dump *dump,
				   uint64_t addr, uint8_t *buf)
{
	return kdx_read_phys(dump, addr, buf, PAGE, 0, NULL);
}

/* [@addr, @addr + @len) of the ELF dump holds mkelf's pattern. */
static void check_elf_bytes(const struct kdx_dump *dump, uint64_t addr,
			    size_t len)
{
	uint8_t buf[PAGE];
	struct kdx_error *err = kdx_read_phys(dump, addr, buf, len, 0, NULL);

	assert_true(len <= PAGE);
	if (err)
		fail_msg("read 0x%" PRIx64 ": %s", addr, kdx_error_message(err));
	for (size_t b = 0; b < len; b++)
		if (buf[b] != mkelf_pattern(addr + b))
			fail_msg("byte at 0x%" PRIx64 " is 0x%02x, expected 0x%02x",
				 addr + b, buf[b], mkelf_pattern(addr + b));
}

static void check_elf_page(const struct kdx_dump *dump, unsigned int i)
{
	check_elf_bytes(dump, elf_page_addr(i), PAGE);
}

static bool kdump_readable(const struct image *im, uint64_t pfn)
{
	enum mkkdump_page_kind k = mkkdump_page_kind(im->kdump, pfn);

	return k != MKKDUMP_HOLE && k != MKKDUMP_EXCLUDED;
}

static void check_kdump_page(const struct image *im,
			     const struct kdx_dump *dump, uint64_t pfn)
{
	uint8_t buf[PAGE], want[PAGE];
	struct kdx_error *err = read_page(dump, pfn * PAGE, buf);

	if (!kdump_readable(im, pfn)) {
		if (!err || kdx_error_code(err) != KDX_ERR_NODATA)
			fail_msg("pfn %" PRIu64 ": expected no data, got %s",
				 pfn, err ? kdx_error_message(err) : "bytes");
		kdx_error_destroy(err);
		return;
	}
	if (err)
		fail_msg("pfn %" PRIu64 ": %s", pfn, kdx_error_message(err));
	mkkdump_expected_page(im->kdump, pfn, want);
	assert_memory_equal(buf, want, PAGE);
}

/* Every page of @im reads right, but @skip (UINT64_MAX: none). */
static void check_all_but(const struct image *im, const struct kdx_dump *d,
			  uint64_t skip)
{
	unsigned int n = im->elf ? ELF_LOW_PAGES + ELF_HIGH_PAGES : KDUMP_PFNS;

	for (unsigned int i = 0; i < n; i++) {
		if (i == skip)
			continue;
		if (im->elf)
			check_elf_page(d, i);
		else
			check_kdump_page(im, d, i);
	}
}

static void check_vmcoreinfo(const struct kdx_dump *dump)
{
	const char *release = kdx_dump_vmcoreinfo_get(dump, "OSRELEASE");

	assert_non_null(release);
	assert_string_equal(release, "6.1.0-fault");
}

/* A warning of @dump names file offset @offset. */
static bool warned_about(const struct kdx_dump *dump, uint64_t offset)
{
	char hex[32];
	size_t n;
	const char *const *w = kdx_dump_warnings(dump, &n);

	snprintf(hex, sizeof(hex), "0x%" PRIx64, offset);
	for (size_t i = 0; i < n; i++)
		if (strstr(w[i], hex))
			return true;
	return false;
}

/* ---- short reads and interruptions: the dispatcher completes them ---- */

static void short_and_interrupted(struct image *im)
{
	struct faultfile_plan plan = { .short_reads = 7, .eintr_every = 3 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct faultfile_stats s;

	faultfile_init(&ff, &plan);
	dump = open_ok(im, NO_CUT, &ff);
	check_vmcoreinfo(dump);
	check_all_but(im, dump, UINT64_MAX);
	s = faultfile_stats(&ff);
	/* The faults really happened, on many reads. */
	assert_true(s.short_reads > 100);
	assert_true(s.interrupts > 100);
	assert_int_equal(s.faults, 0);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(im);
}

static void test_elf_short_and_interrupted_reads(void **state)
{
	struct image im;

	(void)state;
	build_elf(&im);
	short_and_interrupted(&im);
}

static void test_kdump_short_and_interrupted_reads(void **state)
{
	struct image im;

	(void)state;
	build_kdump(&im);
	short_and_interrupted(&im);
}

/* A backend that is never done being interrupted is asked again a
 * bounded number of times, then the read fails and says where. */
static void test_endless_interruption_is_reported(void **state)
{
	struct faultfile_plan plan = { .eintr_every = 1 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;
	uint64_t reads;

	(void)state;
	build_elf(&im);
	faultfile_init(&ff, &plan);
	expect_at(open_faulty(&im, NO_CUT, &ff, &dump), KDX_ERR_OS, EINTR, 0);
	assert_null(dump);
	/* Retried (the flattened-stream probe gives up quietly, detection
	 * fails): more than a few tries per read, never endless. */
	reads = faultfile_stats(&ff).reads;
	assert_true(reads >= 20 && reads <= 10000);
	assert_int_equal(faultfile_stats(&ff).interrupts, reads);
	faultfile_deinit(&ff);
	free_image(&im);
}

/* ---- truncation ---- */

static void test_elf_cut_in_header(void **state)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;

	(void)state;
	build_elf(&im);
	faultfile_init(&ff, &plan);
	/* Inside the 64-byte ELF header: the header read fails. */
	expect_at(open_faulty(&im, 40, &ff, &dump), KDX_ERR_CORRUPT, 0, 0);
	/* Inside the program headers: their table fails. */
	expect_at(open_faulty(&im, mkelf_phdr_offset(im.elf, 1) + 20, &ff,
			      &dump),
		  KDX_ERR_CORRUPT, 0, mkelf_phdr_offset(im.elf, 0));
	faultfile_deinit(&ff);
	free_image(&im);
}

/* Reading a page at @addr fails with @code naming physical address
 * @missing, the first byte that cannot be read. */
static void expect_read_fails(const struct kdx_dump *dump, uint64_t addr,
			      uint64_t missing, enum kdx_error_code code)
{
	uint8_t buf[PAGE];
	char hex[32];
	uint64_t at = UINT64_MAX;
	struct kdx_error *err = read_page(dump, addr, buf);

	snprintf(hex, sizeof(hex), "0x%" PRIx64, missing);
	if (!err || kdx_error_code(err) != code ||
	    !kdx_error_address(err, &at) || at != missing ||
	    !strstr(kdx_error_message(err), hex))
		fail_msg("read 0x%" PRIx64 ": expected a %s error naming it, got %s",
			 addr, kdx_error_code_name(code),
			 err ? kdx_error_message(err) : "bytes");
	kdx_error_destroy(err);
}

/* Notes cut short: the notes come before the loads, so the cut takes
 * every page with them; the dump still opens, warns where the notes and
 * the segments lie and names every missing address. */
static void test_elf_cut_in_notes(void **state)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;
	uint64_t notes, cut;

	(void)state;
	build_elf(&im);
	notes = mkelf_notes_offset(im.elf);
	cut = notes + 30;
	faultfile_init(&ff, &plan);
	dump = open_ok(&im, cut, &ff);
	assert_true(warned_about(dump, notes));
	assert_true(warned_about(dump, cut)); /* as the file's size */
	assert_null(kdx_dump_vmcoreinfo_get(dump, "OSRELEASE"));
	for (unsigned int i = 0; i < ELF_LOW_PAGES + ELF_HIGH_PAGES; i++)
		expect_read_fails(dump, elf_page_addr(i), elf_page_addr(i),
				  KDX_ERR_NODATA);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(&im);
}

/* Cut inside a page: the pages before it read, the rest are missing. */
static void test_elf_cut_in_page(void **state)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;
	const unsigned int cut_page = ELF_LOW_PAGES + 3;

	(void)state;
	build_elf(&im);
	faultfile_init(&ff, &plan);
	dump = open_ok(&im, elf_page_offset(&im, cut_page) + 100, &ff);
	check_vmcoreinfo(dump);
	assert_true(warned_about(dump, elf_page_addr(cut_page) + 100));
	for (unsigned int i = 0; i < ELF_LOW_PAGES + ELF_HIGH_PAGES; i++) {
		uint64_t addr = elf_page_addr(i);

		if (i < cut_page)
			check_elf_page(dump, i);
		else if (i == cut_page)
			/* Its first 100 bytes are there. */
			expect_read_fails(dump, addr, addr + 100,
					  KDX_ERR_NODATA);
		else
			expect_read_fails(dump, addr, addr, KDX_ERR_NODATA);
	}
	check_elf_bytes(dump, elf_page_addr(cut_page), 100);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(&im);
}

/* Cut at @cut_at, the open fails recording @error_at and naming
 * @named. */
static void expect_kdump_cut(uint64_t cut_at, uint64_t error_at,
			     uint64_t named)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;

	build_kdump(&im);
	faultfile_init(&ff, &plan);
	expect_error(open_faulty(&im, cut_at, &ff, &dump), KDX_ERR_CORRUPT, 0,
		     error_at, named);
	assert_null(dump);
	faultfile_deinit(&ff);
	free_image(&im);
}

static void test_kdump_cut_in_headers(void **state)
{
	struct image im;
	uint64_t bs;

	(void)state;
	build_kdump(&im);
	bs = mkkdump_block_size(im.kdump);
	free_image(&im);
	/* The main header's read names offset 0; the sub-header's, the
	 * block after it. */
	expect_kdump_cut(100, 0, 0);
	expect_kdump_cut(bs + 50, bs, bs);
}

/* The notes sit in the sub-header blocks, before the bitmaps: cutting
 * them cuts the bitmaps, which are the error; it records where they
 * start and names the file's (cut) size. */
static void test_kdump_cut_in_notes_and_bitmaps(void **state)
{
	struct image im;
	uint64_t notes, bitmaps;

	(void)state;
	build_kdump(&im);
	notes = mkkdump_field_offset(im.kdump, MKKDUMP_F_OFFSET_NOTE);
	notes = im.bytes[notes] | (uint64_t)im.bytes[notes + 1] << 8 |
		(uint64_t)im.bytes[notes + 2] << 16; /* little-endian, small */
	bitmaps = mkkdump_bitmap_offset(im.kdump);
	free_image(&im);
	assert_true(notes < bitmaps);
	expect_kdump_cut(notes + 20, bitmaps, notes + 20);
	expect_kdump_cut(bitmaps + 5, bitmaps, bitmaps + 5);
}

/* Cut in the descriptor table or in a page's data: the dump opens as an
 * incomplete one.  Data is written in pfn order, so the pages before the
 * first whose descriptor or data the cut reaches read right, that one
 * and the rest are holes named by address, and a warning names where
 * they begin.  (@cut_pfn's predecessor must be a data page: the reader
 * cannot tell where before a run of shared zero pages the data ended.) */
static void kdump_cut_in_pages(uint64_t cut_pfn, bool in_descriptor)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	struct image im;
	uint64_t cut, lost = KDUMP_PFNS;

	build_kdump(&im);
	cut = in_descriptor ? mkkdump_desc_offset(im.kdump, cut_pfn) + 9 :
			      mkkdump_data_offset(im.kdump, cut_pfn) + 17;
	for (uint64_t pfn = 0; pfn < KDUMP_PFNS && lost == KDUMP_PFNS; pfn++)
		if (kdump_readable(&im, pfn) &&
		    (mkkdump_desc_offset(im.kdump, pfn) + 16 > cut ||
		     mkkdump_data_offset(im.kdump, pfn) +
				     mkkdump_stored_size(im.kdump, pfn) >
			     cut))
			lost = pfn;
	assert_int_equal(lost, in_descriptor ? 0 : cut_pfn);
	faultfile_init(&ff, &plan);
	dump = open_ok(&im, cut, &ff);
	check_vmcoreinfo(dump);
	assert_true(warned_about(dump, lost * PAGE));
	for (uint64_t pfn = 0; pfn < KDUMP_PFNS; pfn++) {
		if (pfn < lost || !kdump_readable(&im, pfn))
			check_kdump_page(&im, dump, pfn);
		else
			expect_read_fails(dump, pfn * PAGE, pfn * PAGE,
					  KDX_ERR_NODATA);
	}
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(&im);
}

static void test_kdump_cut_in_page_data(void **state)
{
	(void)state;
	kdump_cut_in_pages(3, false);  /* zlib */
	kdump_cut_in_pages(21, false); /* random: stored raw */
	kdump_cut_in_pages(25, false); /* raw */
}

static void test_kdump_cut_in_descriptors(void **state)
{
	(void)state;
	kdump_cut_in_pages(0, true);
	kdump_cut_in_pages(12, true);
}

/* ---- EIO ---- */

/* EIO on each read an open makes, one at a time.  A failed open names
 * the offset of the read that failed, with its errno; an open that
 * survives did so because the read was a probe (at offset 0) or because
 * the reader could do without it and said so in a warning; its pages
 * then all read right. */
static void eio_on_each_read_of_open(struct image *im)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	uint64_t reads, failed = 0;

	faultfile_init(&ff, &plan);
	kdx_dump_destroy(open_ok(im, NO_CUT, &ff));
	reads = faultfile_stats(&ff).reads;
	assert_true(reads >= 4);
	for (plan.fail_nth = 1; plan.fail_nth <= reads; plan.fail_nth++) {
		struct kdx_error *err;
		struct faultfile_stats s;

		faultfile_set_plan(&ff, &plan);
		err = open_faulty(im, NO_CUT, &ff, &dump);
		s = faultfile_stats(&ff);
		assert_int_equal(s.faults, 1);
		if (err) {
			expect_at(err, KDX_ERR_OS, EIO, s.fault_offset);
			assert_null(dump);
			failed++;
			continue;
		}
		if (s.fault_offset != 0 && !warned_about(dump, s.fault_offset))
			fail_msg("read %" PRIu64 " at 0x%" PRIx64
				 " failed unnoticed", plan.fail_nth,
				 s.fault_offset);
		check_all_but(im, dump, UINT64_MAX);
		kdx_dump_destroy(dump);
	}
	/* The reads the reader needs are most of them. */
	assert_true(failed >= reads / 2);
	faultfile_deinit(&ff);
	free_image(im);
}

static void test_elf_eio_on_each_read_of_open(void **state)
{
	struct image im;

	(void)state;
	build_elf(&im);
	eio_on_each_read_of_open(&im);
}

static void test_kdump_eio_on_each_read_of_open(void **state)
{
	struct image im;

	(void)state;
	build_kdump(&im);
	eio_on_each_read_of_open(&im);
}

/* Where the read of a page meets the file first (@which 1) and second
 * (@which 2; kdump: descriptor, then data). */
static uint64_t page_read_offset(const struct image *im, unsigned int page,
				 unsigned int which)
{
	if (im->elf)
		return elf_page_offset(im, page);
	return which == 1 ? mkkdump_desc_offset(im->kdump, page) :
			    mkkdump_data_offset(im->kdump, page);
}

static unsigned int page_count(const struct image *im)
{
	return im->elf ? ELF_LOW_PAGES + ELF_HIGH_PAGES : KDUMP_PFNS;
}

static bool page_in_file(const struct image *im, unsigned int page)
{
	return im->elf || kdump_readable(im, page);
}

static uint64_t page_addr(const struct image *im, unsigned int page)
{
	return im->elf ? elf_page_addr(page) : (uint64_t)page * PAGE;
}

/* A transient EIO on the first (and, for kdump, the second) read of each
 * page: that read fails naming where it was, and once the fault is gone
 * every page reads right. */
static void eio_reading_pages(struct image *im)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	unsigned int tries = im->elf ? 1 : 2;

	faultfile_init(&ff, &plan);
	dump = open_ok(im, NO_CUT, &ff);
	for (unsigned int i = 0; i < page_count(im); i++) {
		if (!page_in_file(im, i))
			continue;
		for (unsigned int n = 1; n <= tries; n++) {
			uint8_t buf[PAGE];
			uint64_t at = page_read_offset(im, i, n);

			if (im->kdump &&
			    mkkdump_page_kind(im->kdump, i) == MKKDUMP_ZERO &&
			    n == 2)
				continue; /* reads the shared zero page */
			plan.fail_nth = n;
			faultfile_set_plan(&ff, &plan);
			expect_at(read_page(dump, page_addr(im, i), buf),
				  KDX_ERR_OS, EIO, at);
			assert_int_equal(faultfile_stats(&ff).fault_offset, at);
		}
	}
	plan.fail_nth = 0;
	faultfile_set_plan(&ff, &plan);
	check_all_but(im, dump, UINT64_MAX);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(im);
}

static void test_elf_eio_reading_pages(void **state)
{
	struct image im;

	(void)state;
	build_elf(&im);
	eio_reading_pages(&im);
}

static void test_kdump_eio_reading_pages(void **state)
{
	struct image im;

	(void)state;
	build_kdump(&im);
	eio_reading_pages(&im);
}

/* A bad sector under one page's bytes (or its descriptor): that page
 * fails every time, naming the offset; every other page reads. */
static void bad_sector(struct image *im, unsigned int page,
		       unsigned int which)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	uint8_t buf[PAGE];

	faultfile_init(&ff, &plan);
	dump = open_ok(im, NO_CUT, &ff);
	plan.bad_offset = page_read_offset(im, page, which);
	plan.bad_len = 1;
	faultfile_set_plan(&ff, &plan);
	for (int again = 0; again < 2; again++)
		expect_at(read_page(dump, page_addr(im, page), buf),
			  KDX_ERR_OS, EIO, plan.bad_offset);
	check_all_but(im, dump, page);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
}

static void test_bad_sector(void **state)
{
	struct image im;

	(void)state;
	build_elf(&im);
	bad_sector(&im, 5, 1);
	bad_sector(&im, ELF_LOW_PAGES + 2, 1);
	free_image(&im);
	build_kdump(&im);
	bad_sector(&im, 7, 1);  /* the descriptor */
	bad_sector(&im, 7, 2);  /* the data */
	bad_sector(&im, 24, 2);
	free_image(&im);
}

/* ---- a file that shrinks after it was sized ---- */

/* The storage ends inside a page's bytes while the size still says
 * more: reading that page is a short read that names where the read
 * began and records where the bytes ran out; the pages before read. */
static void shrunk(struct image *im, unsigned int page)
{
	struct faultfile_plan plan = { 0 };
	struct faultfile ff;
	struct kdx_dump *dump;
	uint8_t buf[PAGE];
	uint64_t start = page_read_offset(im, page, im->elf ? 1 : 2);

	faultfile_init(&ff, &plan);
	dump = open_ok(im, NO_CUT, &ff);
	plan.vanish = true;
	plan.vanish_at = start + 17;
	faultfile_set_plan(&ff, &plan);
	expect_error(read_page(dump, page_addr(im, page), buf),
		     KDX_ERR_CORRUPT, 0, start + 17, start);
	for (unsigned int i = 0; i < page; i++)
		if (page_in_file(im, i))
			im->elf ? check_elf_page(dump, i) :
				  check_kdump_page(im, dump, i);
	kdx_dump_destroy(dump);
	faultfile_deinit(&ff);
	free_image(im);
}

static void test_file_shrank_under_reader(void **state)
{
	struct image im;

	(void)state;
	build_elf(&im);
	shrunk(&im, ELF_LOW_PAGES + 4);
	build_kdump(&im);
	shrunk(&im, 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_short_and_interrupted_reads),
		cmocka_unit_test(test_kdump_short_and_interrupted_reads),
		cmocka_unit_test(test_endless_interruption_is_reported),
		cmocka_unit_test(test_elf_cut_in_header),
		cmocka_unit_test(test_elf_cut_in_notes),
		cmocka_unit_test(test_elf_cut_in_page),
		cmocka_unit_test(test_kdump_cut_in_headers),
		cmocka_unit_test(test_kdump_cut_in_notes_and_bitmaps),
		cmocka_unit_test(test_kdump_cut_in_page_data),
		cmocka_unit_test(test_kdump_cut_in_descriptors),
		cmocka_unit_test(test_elf_eio_on_each_read_of_open),
		cmocka_unit_test(test_kdump_eio_on_each_read_of_open),
		cmocka_unit_test(test_elf_eio_reading_pages),
		cmocka_unit_test(test_kdump_eio_reading_pages),
		cmocka_unit_test(test_bad_sector),
		cmocka_unit_test(test_file_shrank_under_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
