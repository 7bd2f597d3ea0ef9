/* SPDX-License-Identifier: MIT */
/* QEMU migration streams and libvirt save files built by mkqemu: pages
 * read back where the pc machine puts them, every record kind, and the
 * ways a stream can be wrong; the vCPUs' registers from the "cpu"
 * sections walked with the vmdesc JSON, their CR3 rooting the kernel's
 * translation, and damaged device state costing only the CPU state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkcompressed.h"
#include "mkkdump.h"
#include "mkqemu.h"
#include "roundtrip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE MKQEMU_PAGE
#define RAM_PAGES 64u
#define FOUR_GIB (4ull << 30)

static uint8_t page_byte(uint64_t block_offset, unsigned int block, size_t i)
{
	return (uint8_t)(block_offset / PAGE * 31 + block * 7 + i * 13 + 1);
}

static void fill_page(uint8_t *p, uint64_t block_offset, unsigned int block)
{
	for (size_t i = 0; i < PAGE; i++)
		p[i] = page_byte(block_offset, block, i);
}

/* Detail @key of @d, "" when it has none (the tests strstr() it). */
static const char *detail(const struct kdx_dump *d, const char *key)
{
	const char *value = dump_detail(d, key);

	return value ? value : "";
}

static struct kdx_dump *open_ok(const uint8_t *bytes, size_t size)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(bytes, size, NULL, &d);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

static void expect_open_error(const uint8_t *bytes, size_t size,
			      enum kdx_error_code code, const char *needle)
{
	struct kdx_dump *d = NULL;

	expect_error_text(kdx_dump_open_memory(bytes, size, NULL, &d), code,
			  needle);
	assert_null(d);
}

/* pc.ram of RAM_PAGES pages: even pages data, odd pages zero, the last
 * eight never sent in the first part and sent in the END section; the
 * BIOS; and a block the machine places at run time. */
static const struct mkqemu_block blocks[] = {
	{ "pc.ram", RAM_PAGES * PAGE },
	{ "0000:00:02.0/vga.vram", 2 * PAGE },
	{ "pc.bios", 2 * PAGE },
};

static void ram_page(struct mkqemu *q, uint64_t off, bool cont)
{
	uint8_t page[PAGE];

	fill_page(page, off, 0);
	if ((off / PAGE) % 2 == 0)
		mkqemu_ram_page(q, "pc.ram", cont, off, page);
	else
		mkqemu_ram_zero(q, "pc.ram", cont, off);
}

static struct mkqemu *pc_stream_with(const char *machine, bool footers,
				     const struct mkqemu_devstate *dev);

static struct mkqemu *pc_stream(const char *machine, bool footers)
{
	return pc_stream_with(machine, footers, NULL);
}

static struct mkqemu *pc_stream_with(const char *machine, bool footers,
				     const struct mkqemu_devstate *dev)
{
	struct mkqemu *q = mkqemu_new();
	uint8_t page[PAGE];

	if (machine)
		mkqemu_configuration(q, machine);
	mkqemu_section(q, MKQEMU_START, 2, "ram", 4);
	mkqemu_ram_blocks(q, blocks, 3);
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 2);
	mkqemu_section(q, MKQEMU_PART, 2, NULL, 0);
	for (uint64_t p = 0; p < RAM_PAGES - 8; p++)
		ram_page(q, p * PAGE, p > 0);
	for (unsigned int b = 1; b < 3; b++)
		for (uint64_t p = 0; p < 2; p++) {
			fill_page(page, p * PAGE, b);
			mkqemu_ram_page(q, blocks[b].name, p > 0, p * PAGE,
					page);
		}
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 2);
	mkqemu_u8(q, MKQEMU_COMMAND); /* a command to skip */
	mkqemu_be16(q, 7);
	mkqemu_be16(q, 3);
	mkqemu_bytes(q, "abc", 3);
	mkqemu_section(q, MKQEMU_END, 2, NULL, 0);
	for (uint64_t p = RAM_PAGES - 8; p < RAM_PAGES; p++)
		ram_page(q, p * PAGE, false);
	mkqemu_ram_eos(q);
	if (footers)
		mkqemu_footer(q, 2);
	if (dev) {
		mkqemu_devices(q, 3, dev);
		return q;
	}
	/* Device state without a vmdesc: not read. */
	mkqemu_section(q, MKQEMU_FULL, 3, "timer", 2);
	mkqemu_bytes(q, "\x01\x02\x03", 3);
	mkqemu_u8(q, MKQEMU_EOF);
	return q;
}

/* Every page of pc.ram at its own address, the BIOS below 4 GiB. */
static void check_pc(const struct kdx_dump *d)
{
	uint8_t buf[PAGE], want[PAGE];
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &n);

	assert_int_equal(kdx_dump_page_size(d), PAGE);
	for (uint64_t p = 0; p < RAM_PAGES; p++) {
		assert_null(kdx_read_phys(d, p * PAGE, buf, PAGE, 0, NULL));
		if (p % 2)
			memset(want, 0, PAGE);
		else
			fill_page(want, p * PAGE, 0);
		assert_memory_equal(buf, want, PAGE);
	}
	/* Across pages of both kinds, at odd offsets. */
	assert_null(kdx_read_phys(d, PAGE - 3, buf, 6, 0, NULL));
	assert_int_equal(buf[0], page_byte(0, 0, PAGE - 3));
	assert_int_equal(buf[3], 0);
	for (uint64_t p = 0; p < 2; p++) {
		assert_null(kdx_read_phys(d, FOUR_GIB - 2 * PAGE + p * PAGE,
					  buf, PAGE, 0, NULL));
		fill_page(want, p * PAGE, 2);
		assert_memory_equal(buf, want, PAGE);
	}
	/* Data and zero pages alternate: one range each. */
	assert_int_equal(n, RAM_PAGES + 1);
	assert_int_equal(r[1].kind, KDX_RANGE_ZERO);
	assert_int_equal(r[n - 1].start, FOUR_GIB - 2 * PAGE);
	expect_error_text(kdx_read_phys(d, RAM_PAGES * PAGE, buf, 1, 0, NULL),
			  KDX_ERR_NODATA, "");
	assert_non_null(strstr(detail(d, "ram_blocks"),
			       "vga.vram 0x2000 (not placed)"));
	assert_non_null(strstr(detail(d, "pages"), "36 data, 32 zero"));
	assert_non_null(strstr(detail(d, "read_up_to"), "device state 'timer'"));
}

static void pc_stream_reads_back(void **state)
{
	static const char *const machines[] = { "pc-i440fx-7.2", "pc-q35-7.2",
						NULL };

	(void)state;
	for (size_t m = 0; m < 3; m++) {
		struct mkqemu *q = pc_stream(machines[m], m < 2);
		size_t size;
		const uint8_t *bytes = mkqemu_data(q, &size);
		struct kdx_dump *d = open_ok(bytes, size);

		assert_string_equal(kdx_dump_format_name(d), "qemu-savevm");
		check_pc(d);
		assert_string_equal(detail(d, "machine"),
				    machines[m] ? machines[m] :
						  "(not named: no configuration section)");
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

/* pc.ram over the split is cut at QEMU's default for the machine, the
 * rest from 4 GiB; the zero-page records keep the stream ~9 bytes/page. */
static void pc_ram_splits_around_the_pci_hole(void **state)
{
	static const struct {
		const char *machine;
		uint64_t ram, low;
	} cases[] = {
		{ "pc-i440fx-7.2", 0xe0000000ull + 4 * PAGE, 0xc0000000ull },
		{ "pc-i440fx-1.7", 0xe0000000ull + 4 * PAGE, 0xe0000000ull },
		{ "pc-q35-7.2", 0xb0000000ull, 0x80000000ull },
		{ "pc-q35-7.2", 0xaffff000ull, 0xaffff000ull },
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct mkqemu_block ram = { "pc.ram", cases[c].ram };
		struct mkqemu *q = mkqemu_new();
		uint8_t page[PAGE], buf[PAGE];
		uint64_t last = cases[c].ram - PAGE, low = cases[c].low;
		size_t size;
		const uint8_t *bytes;
		struct kdx_dump *d;

		mkqemu_configuration(q, cases[c].machine);
		mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
		mkqemu_ram_blocks(q, &ram, 1);
		for (uint64_t off = 0; off < cases[c].ram; off += PAGE) {
			if (off == low - PAGE || off == last ||
			    (off == low && low < cases[c].ram)) {
				fill_page(page, off, 0);
				mkqemu_ram_page(q, "pc.ram", off > 0, off, page);
			} else {
				mkqemu_ram_zero(q, "pc.ram", off > 0, off);
			}
		}
		mkqemu_ram_eos(q);
		mkqemu_u8(q, MKQEMU_EOF);
		bytes = mkqemu_data(q, &size);
		d = open_ok(bytes, size);
		assert_null(kdx_read_phys(d, low - PAGE, buf, PAGE, 0, NULL));
		fill_page(page, low - PAGE, 0);
		assert_memory_equal(buf, page, PAGE);
		if (low < cases[c].ram) {
			assert_null(kdx_read_phys(d, FOUR_GIB, buf, PAGE, 0,
						  NULL));
			fill_page(page, low, 0);
			assert_memory_equal(buf, page, PAGE);
			assert_null(kdx_read_phys(d, FOUR_GIB + last - low,
						  buf, PAGE, 0, NULL));
			fill_page(page, last, 0);
			assert_memory_equal(buf, page, PAGE);
			expect_error_text(kdx_read_phys(d, low, buf, 1, 0, NULL),
					  KDX_ERR_NODATA, "");
		}
		assert_true(dump_has_warning(d, "no end record"));
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

/* A page sent again (a live migration's dirty page) holds what was sent
 * last; the count says so. */
static void page_sent_again_keeps_the_last(void **state)
{
	struct mkqemu_block ram = { "pc.ram", 2 * PAGE };
	struct mkqemu *q = mkqemu_new();
	uint8_t a[PAGE], b[PAGE], buf[PAGE];
	size_t size;
	const uint8_t *bytes;
	struct kdx_dump *d;

	(void)state;
	fill_page(a, 0, 1);
	fill_page(b, 0, 2);
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_ram_blocks(q, &ram, 1);
	mkqemu_ram_page(q, "pc.ram", false, 0, a);
	mkqemu_ram_zero(q, "pc.ram", true, PAGE);
	mkqemu_ram_page(q, "pc.ram", true, 0, b);
	mkqemu_ram_page(q, "pc.ram", true, PAGE, a);
	mkqemu_ram_zero(q, "pc.ram", true, 0);
	mkqemu_ram_eos(q);
	mkqemu_section(q, MKQEMU_END, 0, NULL, 0);
	mkqemu_ram_page(q, "pc.ram", false, 0, b);
	mkqemu_ram_eos(q);
	mkqemu_u8(q, MKQEMU_EOF);
	bytes = mkqemu_data(q, &size);
	d = open_ok(bytes, size);
	assert_null(kdx_read_phys(d, 0, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, b, PAGE);
	assert_null(kdx_read_phys(d, PAGE, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, a, PAGE);
	assert_non_null(strstr(detail(d, "pages"), "4 sent again"));
	assert_non_null(strstr(detail(d, "read_up_to"), "end marker"));
	kdx_dump_destroy(d);
	mkqemu_free(q);
}

/* A stream built up to a point, to damage. */
struct bad_case {
	const char *needle;
	enum kdx_error_code code;
};

static struct mkqemu *ram_start(void)
{
	struct mkqemu_block ram = { "pc.ram", 2 * PAGE };
	struct mkqemu *q = mkqemu_new();

	mkqemu_configuration(q, "pc-i440fx-7.2");
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_ram_blocks(q, &ram, 1);
	return q;
}

static void expect_stream_error(struct mkqemu *q, enum kdx_error_code code,
				const char *needle)
{
	size_t size;
	const uint8_t *bytes = mkqemu_data(q, &size);

	expect_open_error(bytes, size, code, needle);
	mkqemu_free(q);
}

static void bad_streams_are_errors(void **state)
{
	uint8_t page[PAGE] = { 0 };
	struct mkqemu *q;
	struct mkqemu_block huge = { "pc.ram", 1ull << 40 };

	(void)state;
	q = mkqemu_new();
	mkqemu_u8(q, 0x42);
	expect_stream_error(q, KDX_ERR_CORRUPT, "unknown item type 0x42");

	q = ram_start();
	mkqemu_ram_page(q, "pc.rom", false, 0, page);
	expect_stream_error(q, KDX_ERR_CORRUPT,
			    "RAM block 'pc.rom', which the block list does not name");

	q = ram_start();
	mkqemu_ram_page(q, "pc.ram", false, 2 * PAGE, page);
	expect_stream_error(q, KDX_ERR_CORRUPT, "beyond the end of RAM block");

	q = ram_start();
	mkqemu_ram_page(q, NULL, true, 0, page);
	expect_stream_error(q, KDX_ERR_CORRUPT, "continuing no RAM block");

	q = ram_start();
	mkqemu_be64(q, 0 | MKQEMU_RAM_ZERO);
	mkqemu_name(q, "pc.ram");
	mkqemu_u8(q, 0xaa);
	expect_stream_error(q, KDX_ERR_UNSUPPORTED, "other than 0");

	q = ram_start();
	mkqemu_be64(q, 0 | MKQEMU_RAM_XBZRLE);
	expect_stream_error(q, KDX_ERR_UNSUPPORTED, "xbzrle");

	q = ram_start();
	mkqemu_be64(q, 0 | MKQEMU_RAM_COMPRESS);
	expect_stream_error(q, KDX_ERR_UNSUPPORTED, "compress");

	q = ram_start();
	mkqemu_ram_blocks(q, blocks, 1);
	expect_stream_error(q, KDX_ERR_CORRUPT, "a second list of RAM blocks");

	/* Cut in the middle of a page. */
	q = ram_start();
	mkqemu_ram_page(q, "pc.ram", false, 0, page);
	{
		size_t size;
		const uint8_t *bytes = mkqemu_data(q, &size);

		expect_open_error(bytes, size - 100, KDX_ERR_CORRUPT,
				  "the file ends before the end of a page");
	}
	mkqemu_free(q);

	q = ram_start();
	mkqemu_ram_eos(q);
	mkqemu_footer(q, 9);
	expect_stream_error(q, KDX_ERR_CORRUPT, "footer names another section");

	/* 1 TiB of RAM cannot be described by a few bytes. */
	q = mkqemu_new();
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_ram_blocks(q, &huge, 1);
	mkqemu_ram_eos(q);
	expect_stream_error(q, KDX_ERR_CORRUPT, "more RAM pages than");

	/* A block longer than the total. */
	q = mkqemu_new();
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_be64(q, PAGE | 0x04);
	mkqemu_name(q, "pc.ram");
	mkqemu_be64(q, 2 * PAGE);
	expect_stream_error(q, KDX_ERR_CORRUPT, "longer than all RAM");

	q = mkqemu_new();
	mkqemu_section(q, MKQEMU_FULL, 0, "timer", 1);
	expect_stream_error(q, KDX_ERR_CORRUPT, "no RAM section");

	q = mkqemu_new();
	mkqemu_section(q, MKQEMU_START, 0, "ram", 3);
	expect_stream_error(q, KDX_ERR_UNSUPPORTED, "version other than 4");

	q = mkqemu_new();
	mkqemu_configuration(q, "pc-i440fx-7.2");
	mkqemu_u8(q, MKQEMU_SUBSECTION);
	mkqemu_name(q, "configuration/novel");
	mkqemu_be32(q, 1);
	expect_stream_error(q, KDX_ERR_UNSUPPORTED,
			    "subsection 'configuration/novel'");
}

/* The RAM a stream claims is bounded by the bytes written after its block
 * list: in a flattened stream whose last record lies a terabyte out, the
 * zeros no record wrote describe no pages, so 64 GiB of RAM (a 128 MiB
 * page table) is refused as it is in the plain stream. */
static void ram_claim_over_a_flattened_gap(void **state)
{
	struct mkqemu_block big = { "pc.ram", 1ull << 36 };
	struct mkflat_options fo = { .chunk = PAGE };
	struct mkqemu *q = mkqemu_new();
	uint8_t stream[2 * PAGE] = { 0 }, *f;
	const uint8_t *bytes;
	size_t size, fsize;
	/* Records of 16 header bytes after the 4096-byte file header. */
	const size_t second = 4096 + 16 + PAGE;

	(void)state;
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_ram_blocks(q, &big, 1);
	mkqemu_ram_eos(q);
	bytes = mkqemu_data(q, &size);
	assert_true(size < PAGE);
	expect_open_error(bytes, size, KDX_ERR_CORRUPT, "more RAM pages than");
	memcpy(stream, bytes, size);
	f = mkflat_build(stream, sizeof(stream), &fo, &fsize);
	put64(f + second, 1ull << 40, KDX_BIG_ENDIAN);
	expect_open_error(f, fsize, KDX_ERR_CORRUPT, "more RAM pages than");
	free(f);
	mkqemu_free(q);
}

/* The configuration's subsections are read, not guessed past. */
static void configuration_subsections(void **state)
{
	struct mkqemu_block ram = { "pc.ram", PAGE };
	struct mkqemu *q = mkqemu_new();
	uint8_t page[PAGE], buf[PAGE];
	size_t size;
	const uint8_t *bytes;
	struct kdx_dump *d;

	(void)state;
	fill_page(page, 0, 5);
	mkqemu_configuration(q, "pc-i440fx-7.2");
	mkqemu_u8(q, MKQEMU_SUBSECTION);
	mkqemu_name(q, "configuration/capabilities");
	mkqemu_be32(q, 1);
	mkqemu_be32(q, 2);
	mkqemu_name(q, "x-ignore-shared");
	mkqemu_name(q, "zero-blocks");
	mkqemu_u8(q, MKQEMU_SUBSECTION);
	mkqemu_name(q, "configuration/uuid");
	mkqemu_be32(q, 1);
	mkqemu_bytes(q, "0123456789abcdef", 16);
	mkqemu_section(q, MKQEMU_START, 0, "ram", 4);
	mkqemu_ram_blocks(q, &ram, 1);
	mkqemu_ram_page(q, "pc.ram", false, 0, page);
	mkqemu_ram_eos(q);
	bytes = mkqemu_data(q, &size);
	d = open_ok(bytes, size);
	assert_null(kdx_read_phys(d, 0, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, page, PAGE);
	assert_non_null(strstr(detail(d, "read_up_to"), "no end marker"));
	kdx_dump_destroy(d);
	mkqemu_free(q);
}

static void libvirt_save_files(void **state)
{
	static const char xml[] = "<domain type='kvm'>\n  <name>guest7</name>\n";
	struct mkqemu *q = pc_stream("pc-i440fx-7.2", true);
	size_t qsize, size;
	const uint8_t *stream = mkqemu_data(q, &qsize);
	uint8_t *f;
	struct kdx_dump *d;

	(void)state;
	for (int big = 0; big < 2; big++) {
		f = mkqemu_libvirt(stream, qsize, xml, 4096 + 3, 0, big, big,
				   &size);
		d = open_ok(f, size);
		assert_string_equal(kdx_dump_format_name(d), "libvirt-save");
		assert_string_equal(detail(d, "domain"), "guest7");
		assert_string_equal(detail(d, "qemu_stream_offset"),
				    "0x105f");
		assert_int_equal(dump_has_warning(d, "never finished"), big);
		check_pc(d);
		kdx_dump_destroy(d);
		free(f);
	}
	/* A sparse (mapped-ram) save and a format libvirt has not. */
	f = mkqemu_libvirt(stream, qsize, xml, 0, 6, false, false, &size);
	expect_open_error(f, size, KDX_ERR_UNSUPPORTED,
			  "offset 0x1c: format 6, a sparse");
	free(f);
	f = mkqemu_libvirt(stream, qsize, xml, 0, 9, false, false, &size);
	expect_open_error(f, size, KDX_ERR_CORRUPT,
			  "offset 0x1c: format 9 is none of libvirt's");
	free(f);
	/* data_len past the stream's start: no QEVM there. */
	f = mkqemu_libvirt(stream, qsize, xml, 0, 0, false, false, &size);
	put32(f + 20, (uint32_t)strlen(xml) + 2, KDX_LITTLE_ENDIAN);
	expect_open_error(f, size, KDX_ERR_CORRUPT, "no QEVM magic");
	free(f);
	mkqemu_free(q);
}

/* Every page and range of @d equal to @want's. */
static void same_pages(const struct kdx_dump *d, const struct kdx_dump *want)
{
	size_t n, wn;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &n);
	const struct kdx_phys_range *w = kdx_dump_phys_ranges(want, &wn);
	uint8_t a[PAGE], b[PAGE];
	unsigned int pages = 0;

	assert_int_equal(n, wn);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].start, w[i].start);
		assert_int_equal(r[i].size, w[i].size);
		assert_int_equal(r[i].kind, w[i].kind);
		for (uint64_t at = 0; at < r[i].size; at += PAGE, pages++) {
			size_t len = (size_t)(r[i].size - at < PAGE ?
						      r[i].size - at :
						      PAGE);

			assert_null(kdx_read_phys(d, r[i].start + at, a, len,
						  0, NULL));
			assert_null(kdx_read_phys(want, r[i].start + at, b,
						  len, 0, NULL));
			assert_memory_equal(a, b, len);
		}
	}
	assert_true(pages >= RAM_PAGES);
}

/* libvirt's formats 1-5 and the codec its program writes. */
static const struct {
	uint32_t format;
	enum mkz_codec codec;
} compressors[] = {
	{ 1, MKZ_GZIP }, { 2, MKZ_BZIP2 }, { 3, MKZ_XZ },
	{ 4, MKZ_LZOP }, { 5, MKZ_ZSTD },
};

/* A save whose stream was piped through each compressor libvirt runs:
 * opened with no option, every page equal to the raw save's; the
 * caller's max_decompressed holds the stream too. */
static void libvirt_compressed_saves(void **state)
{
	static const char xml[] = "<domain><name>squeezed</name></domain>";
	struct mkqemu *q = pc_stream("pc-i440fx-7.2", true);
	size_t qsize, rsize;
	const uint8_t *stream = mkqemu_data(q, &qsize);
	uint8_t *raw = mkqemu_libvirt(stream, qsize, xml, 0, 0, false, false,
				      &rsize);
	struct kdx_dump *want = open_ok(raw, rsize);
	struct kdx_open_options opts;

	(void)state;
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]);
	     i++) {
		char text[64];
		size_t zsize, size;
		uint8_t *z = mkz_compress(compressors[i].codec, stream, qsize,
					  1, 0, &zsize);
		uint8_t *f = mkqemu_libvirt(z, zsize, xml, 0,
					    compressors[i].format, false,
					    i % 2, &size);
		struct kdx_dump *d = open_ok(f, size);

		assert_string_equal(kdx_dump_format_name(d), "libvirt-save");
		assert_string_equal(detail(d, "domain"), "squeezed");
		snprintf(text, sizeof(text), "%s, 0x%zx bytes decompressed",
			 mkz_name(compressors[i].codec), zsize);
		assert_non_null(strstr(detail(d, "compression"), text));
		check_pc(d);
		same_pages(d, want);
		kdx_dump_destroy(d);
		d = NULL;
		kdx_open_options_init(&opts);
		opts.max_decompressed = qsize - 1;
		expect_error_text(kdx_dump_open_memory(f, size, &opts, &d),
				  KDX_ERR_UNSUPPORTED, "kdx's limit");
		assert_null(d);
		free(f);
		free(z);
	}
	kdx_dump_destroy(want);
	free(raw);
	mkqemu_free(q);
}

/* "offset 0x@at" in an error of the open of @f. */
static void expect_offset_error(const uint8_t *f, size_t size,
				enum kdx_error_code code, const char *words,
				uint64_t at)
{
	char text[48];
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(f, size, NULL, &d);

	assert_non_null(err);
	snprintf(text, sizeof(text), "offset 0x%llx", (unsigned long long)at);
	if (kdx_error_code(err) != code ||
	    !strstr(kdx_error_message(err), words) ||
	    !strstr(kdx_error_message(err), text))
		fail_msg("expected \"%s\" and \"%s\", got: %s", words, text,
			 kdx_error_message(err));
	kdx_error_destroy(err);
	assert_null(d);
}

/* Compressed saves gone wrong: each error names the file offset. */
static void libvirt_compressed_errors(void **state)
{
	static const char xml[] = "<domain><name>broken</name></domain>";
	struct mkqemu *q = pc_stream("pc-i440fx-7.2", true);
	size_t qsize;
	const uint8_t *stream = mkqemu_data(q, &qsize);

	(void)state;
	for (size_t i = 0; i < sizeof(compressors) / sizeof(compressors[0]);
	     i++) {
		size_t zsize, size, at;
		uint8_t *z = mkz_compress(compressors[i].codec, stream, qsize,
					  1, 0, &zsize);
		uint8_t *f = mkqemu_libvirt(z, zsize, xml, 0,
					    compressors[i].format, false, false,
					    &size);

		at = size - zsize; /* where the stream starts */
		/* Cut short: the end of the file is named. */
		expect_offset_error(f, size - zsize / 2, KDX_ERR_CORRUPT,
				    "cut short", size - zsize / 2);
		/* The header names another compressor than the one used. */
		put32(f + 28, compressors[(i + 1) % 5].format,
		      KDX_LITTLE_ENDIAN);
		expect_offset_error(f, size, KDX_ERR_CORRUPT, "holds no", at);
		put32(f + 28, compressors[i].format, KDX_LITTLE_ENDIAN);
		/* A damaged byte inside: named somewhere in the stream. */
		f[at + zsize / 2] ^= 0x55;
		{
			struct kdx_dump *d = NULL;
			struct kdx_error *err =
				kdx_dump_open_memory(f, size, NULL, &d);

			if (!err)
				fail_msg("%s: damaged stream opened",
					 mkz_name(compressors[i].codec));
			assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
			assert_non_null(strstr(kdx_error_message(err),
					       "is damaged"));
			kdx_error_destroy(err);
		}
		free(f);
		free(z);
	}
	mkqemu_free(q);
}

/* Converted to kdump and ELF, every byte reads back (the arch given:
 * these pages hold no VMCOREINFO to name it). */
static void convert_round_trips(void **state)
{
	static const char xml[] = "<domain><name>rt</name></domain>";
	struct mkqemu *q = pc_stream("pc-i440fx-7.2", true);
	struct kdx_open_options opts;
	size_t size, vsize;
	const uint8_t *bytes = mkqemu_data(q, &size);
	uint8_t *v = mkqemu_libvirt(bytes, size, xml, 0, 0, false, false,
				    &vsize);
	struct kdx_dump *d = NULL;

	(void)state;
	kdx_open_options_init(&opts);
	opts.arch = KDX_ARCH_X86_64;
	assert_null(kdx_dump_open_memory(bytes, size, &opts, &d));
	roundtrip_check(d);
	kdx_dump_destroy(d);
	assert_null(kdx_dump_open_memory(v, vsize, &opts, &d));
	assert_string_equal(kdx_dump_format_name(d), "libvirt-save");
	roundtrip_check(d);
	kdx_dump_destroy(d);
	free(v);
	mkqemu_free(q);
}

/* ---- the vCPUs ---- */

static void make_vcpus(struct mkqemu_vcpu v[2])
{
	memset(v, 0, 2 * sizeof(*v));
	for (unsigned int c = 0; c < 2; c++) {
		for (unsigned int i = 0; i < 16; i++)
			v[c].regs[i] = 0x100ull * c + i;
		v[c].rip = 0xffffffff81000000ull + c;
		v[c].rflags = 0x246;
		v[c].cr[0] = 0x80050033;
		v[c].cr[2] = 0x7f0000 + c;
		v[c].cr[3] = PAGE * (1 + 0x10 * c) | 0x8;
		v[c].cr[4] = 0x6f0 - 0x10 * c;
		v[c].efer = 0xd01;
		v[c].ttbr0 = 0x40001000 + c;
		v[c].ttbr1 = 0x1000ull << 48 | 0x41000000;
		v[c].tcr = 0x35b5503510ull;
	}
}

static void check_x86_vcpus(const struct kdx_dump *d,
			    const struct mkqemu_vcpu *v)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(d, &n);

	assert_int_equal(n, 2);
	for (unsigned int c = 0; c < 2; c++) {
		assert_int_equal(cpus[c].index, c);
		assert_string_equal(cpus[c].state_source, "QEMU migration stream");
		assert_true(cpus[c].has_control_regs);
		for (unsigned int r = 0; r < 5; r++)
			if (r != 1)
				assert_int_equal(cpus[c].cr[r], v[c].cr[r]);
		assert_true(cpus[c].has_efer);
		assert_int_equal(cpus[c].efer, 0xd01);
		assert_false(cpus[c].has_ttbr);
		assert_int_equal(cpus[c].reg_count, 18);
		assert_string_equal(cpus[c].reg_names[4], "rsp");
		for (unsigned int r = 0; r < 16; r++)
			assert_int_equal(cpus[c].regs[r], v[c].regs[r]);
		assert_int_equal(cpus[c].regs[16], v[c].rip);
		assert_int_equal(cpus[c].regs[17], v[c].rflags);
	}
	assert_non_null(strstr(detail(d, "cpu_state"), "2 vCPUs"));
}

/* With footers or without (QEMU before 2.4), with zeros after the
 * JSON (a writer padding the file): the same registers, the same RAM. */
static void cpu_sections_give_registers(void **state)
{
	struct mkqemu_vcpu v[2];
	struct mkqemu_devstate dev = { .cpus = v, .cpu_count = 2 };

	(void)state;
	make_vcpus(v);
	for (unsigned int form = 0; form < 3; form++) {
		struct mkqemu *q;
		const uint8_t *bytes;
		size_t size, nw;
		struct kdx_dump *d;

		dev.footers = form != 1;
		dev.zero_pad = form == 2 ? 5000 : 0;
		q = pc_stream_with("pc-i440fx-7.2", dev.footers, &dev);
		bytes = mkqemu_data(q, &size);
		d = open_ok(bytes, size);
		check_pc(d);
		check_x86_vcpus(d, v);
		kdx_dump_warnings(d, &nw);
		assert_int_equal(nw, 0);
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

/* A guest of its own: pc.ram page 0 holds VMCOREINFO naming no root
 * (or nothing), 1 the L4 (vCPU 0's CR3), 2 the L3, 3 the L2, 4 the L1
 * mapping 0xffffffff81000000 to page 5. */
#define GUEST_PAGES 8u
#define KERNEL_VA 0xffffffff81000000ull
static const char guest_data[] = "QEMU guest kernel data";

/* AArch64 (4K granule, 48 bits): page 1 the L0 table (TTBR1), 2 the
 * L1, 3 the L2, 4 the L3 mapping ARM_VA to page 5. */
#define ARM_VA 0xffff000000001000ull

static void arm_tables(uint8_t *page, unsigned int p)
{
	if (p >= 1 && p <= 3)
		put64(page, (p + 1) * PAGE | 3, KDX_LITTLE_ENDIAN);
	if (p == 4)
		put64(page + 8, 5 * PAGE | 0x403, KDX_LITTLE_ENDIAN);
}

static struct mkqemu *guest_stream(bool vmcoreinfo,
				   const struct mkqemu_devstate *dev)
{
	static const char vmci[] = "OSRELEASE=6.1.0-qemu\nPAGESIZE=4096\n";
	static const struct mkqemu_block ram[] = { { "pc.ram", GUEST_PAGES * PAGE } };
	struct mkqemu *q = mkqemu_new();
	uint8_t page[PAGE];
	uint64_t f = 0x63;

	mkqemu_configuration(q, "pc-i440fx-7.2");
	mkqemu_section(q, MKQEMU_START, 2, "ram", 4);
	mkqemu_ram_blocks(q, ram, 1);
	mkqemu_ram_eos(q);
	mkqemu_footer(q, 2);
	mkqemu_section(q, MKQEMU_END, 2, NULL, 0);
	for (unsigned int p = 0; p < GUEST_PAGES; p++) {
		memset(page, 0, PAGE);
		if (p == 0 && vmcoreinfo)
			memcpy(page, vmci, sizeof(vmci) - 1);
		if (dev->arm)
			arm_tables(page, p);
		if (p == 1 && !dev->arm)
			put64(page + 511 * 8, 2 * PAGE | f, KDX_LITTLE_ENDIAN);
		if (p == 2 && !dev->arm)
			put64(page + 510 * 8, 3 * PAGE | f, KDX_LITTLE_ENDIAN);
		if (p == 3 && !dev->arm)
			put64(page + 8 * 8, 4 * PAGE | f, KDX_LITTLE_ENDIAN);
		if (p == 4 && !dev->arm)
			put64(page, 5 * PAGE | f, KDX_LITTLE_ENDIAN);
		if (p == 5)
			memcpy(page, guest_data, sizeof(guest_data));
		mkqemu_ram_page(q, "pc.ram", p > 0, p * PAGE, page);
	}
	mkqemu_ram_eos(q);
	mkqemu_footer(q, 2);
	mkqemu_devices(q, 3, dev);
	return q;
}

/* No root in VMCOREINFO, or no VMCOREINFO at all: vCPU 0's CR3 roots
 * the walk, EFER.LMA makes the dump x86_64 where nothing else says. */
static void cr3_roots_the_kernel_walk(void **state)
{
	struct mkqemu_vcpu v[2];
	struct mkqemu_devstate dev = { .cpus = v, .cpu_count = 2,
				       .footers = true };

	(void)state;
	make_vcpus(v);
	for (int with_vmci = 0; with_vmci < 2; with_vmci++) {
		struct mkqemu *q = guest_stream(with_vmci, &dev);
		size_t size;
		const uint8_t *bytes = mkqemu_data(q, &size);
		struct kdx_dump *d = open_ok(bytes, size);
		struct kdx_kernel_layout layout;
		struct kdx_xlat *xlat;
		struct kdx_error *err;
		char buf[sizeof(guest_data)];

		assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
		assert_string_equal(detail(d, "arch_source"),
				    "CPU 0 state (QEMU migration stream)");
		err = kdx_kernel_probe(d, NULL, &layout);
		if (err)
			fail_msg("probe: %s", kdx_error_message(err));
		assert_true(layout.has_root);
		assert_int_equal(layout.root, PAGE | 0x8);
		assert_string_equal(layout.root_source,
				    "CPU 0 CR3 (QEMU migration stream)");
		assert_int_equal(layout.mode, KDX_PAGING_X86_64);
		if (!with_vmci)
			assert_string_equal(layout.mode_source,
					    "CPU 0 CR4 0x6f0, EFER 0xd01 (QEMU migration stream)");
		err = kdx_kernel_xlat_create(d, &layout, &xlat);
		if (err)
			fail_msg("xlat: %s", kdx_error_message(err));
		err = kdx_read_virt(d, xlat, KERNEL_VA, buf, sizeof(buf), 0,
				    NULL);
		if (err)
			fail_msg("read: %s", kdx_error_message(err));
		assert_memory_equal(buf, guest_data, sizeof(guest_data));
		kdx_xlat_destroy(xlat);
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

/* An ARM CPU's cpreg list gives TTBR0/TTBR1/TCR_EL1 and says aarch64;
 * with VMCOREINFO naming no swapper_pg_dir, vCPU 0's TTBR1 (its ASID
 * dropped) roots the walk, TCR_EL1 giving 48 bits and 4K pages. */
static void arm_cpreg_list(void **state)
{
	struct mkqemu_vcpu v[2];
	struct mkqemu_devstate dev = { .cpus = v, .cpu_count = 2,
				       .footers = true, .arm = true };
	struct mkqemu *q;
	const uint8_t *bytes;
	const struct kdx_cpu *cpus;
	struct kdx_dump *d;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct kdx_error *err;
	char buf[sizeof(guest_data)];
	size_t size, n;

	(void)state;
	make_vcpus(v);
	for (unsigned int c = 0; c < 2; c++) {
		v[c].ttbr1 = 0x2aull << 48 | PAGE | 1; /* ASID, CnP */
		v[c].tcr = 2ull << 30 | 16 << 16 | 16; /* TG1 4K, T1SZ 16 */
	}
	q = guest_stream(true, &dev);
	bytes = mkqemu_data(q, &size);
	d = open_ok(bytes, size);
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_AARCH64);
	cpus = kdx_dump_cpus(d, &n);
	assert_int_equal(n, 2);
	for (unsigned int c = 0; c < 2; c++) {
		assert_true(cpus[c].has_ttbr);
		assert_false(cpus[c].has_control_regs);
		assert_int_equal(cpus[c].ttbr0_el1, v[c].ttbr0);
		assert_int_equal(cpus[c].ttbr1_el1, v[c].ttbr1);
		assert_int_equal(cpus[c].tcr_el1, v[c].tcr);
		assert_string_equal(cpus[c].state_source, "QEMU migration stream");
	}
	err = kdx_kernel_probe(d, NULL, &layout);
	if (err)
		fail_msg("probe: %s", kdx_error_message(err));
	assert_true(layout.has_root);
	assert_int_equal(layout.root, PAGE);
	assert_string_equal(layout.root_source,
			    "CPU 0 TTBR1_EL1 (QEMU migration stream)");
	assert_int_equal(layout.va_bits, 48);
	assert_non_null(strstr(layout.mode_source, "CPU 0 TCR_EL1 T1SZ 16"));
	assert_int_equal(layout.page_size, PAGE);
	err = kdx_kernel_xlat_create(d, &layout, &xlat);
	if (err)
		fail_msg("xlat: %s", kdx_error_message(err));
	err = kdx_read_virt(d, xlat, ARM_VA, buf, sizeof(buf), 0, NULL);
	if (err)
		fail_msg("read: %s", kdx_error_message(err));
	assert_memory_equal(buf, guest_data, sizeof(guest_data));
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(d);
	mkqemu_free(q);
}

/* No JSON: x86 cpu sections of version 12 are found by their headers
 * and read at their fixed offsets; ARM ones are not read. */
static void fixed_layout_without_vmdesc(void **state)
{
	struct mkqemu_vcpu v[2];

	(void)state;
	make_vcpus(v);
	for (int arm = 0; arm < 2; arm++) {
		struct mkqemu_devstate dev = { .cpus = v, .cpu_count = 2,
					       .footers = true, .arm = arm,
					       .no_vmdesc = true };
		struct mkqemu *q = pc_stream_with("pc-i440fx-7.2", true, &dev);
		size_t size, n;
		const uint8_t *bytes = mkqemu_data(q, &size);
		struct kdx_dump *d = open_ok(bytes, size);
		const struct kdx_cpu *cpus = kdx_dump_cpus(d, &n);

		check_pc(d);
		assert_int_equal(n, arm ? 0 : 2);
		for (unsigned int c = 0; c < n; c++) {
			assert_string_equal(cpus[c].state_source,
					    "QEMU migration stream, fixed cpu v12 layout");
			assert_int_equal(cpus[c].cr[0], v[c].cr[0]);
			assert_int_equal(cpus[c].cr[2], v[c].cr[2]);
			assert_int_equal(cpus[c].cr[3], v[c].cr[3]);
			assert_int_equal(cpus[c].cr[4], v[c].cr[4]);
			assert_int_equal(cpus[c].efer, v[c].efer);
			assert_int_equal(cpus[c].regs[4], v[c].regs[4]);
			assert_int_equal(cpus[c].regs[16], v[c].rip);
		}
		assert_non_null(strstr(detail(d, "cpu_state"),
				       arm ? "0 vCPUs" : "2 vCPUs"));
		assert_non_null(strstr(detail(d, "cpu_state"), "no vmdesc JSON"));
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

/* A JSON whose sizes disagree with the stream, or cut short: the RAM
 * reads, no CPU state, a warning for the damage. */
static void damaged_device_state_costs_only_the_cpus(void **state)
{
	struct mkqemu_vcpu v[2];
	static const struct {
		int delta;
		size_t cut;
		bool no_vmdesc, footers;
		const char *warning, *detail;
	} cases[] = {
		{ 1, 0, false, true, "section 'timer' does not end where the vmdesc's sizes say", "" },
		{ 1, 0, false, false, "no device section where the vmdesc puts 'cpu_common'", "" },
		{ -4, 0, false, true, "the vmdesc's device 0 lacks a name, instance or field sizes", "" },
		{ 0, 10, false, true, "the vmdesc JSON at offset", "" },
	};

	(void)state;
	make_vcpus(v);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mkqemu_devstate dev = {
			.cpus = v, .cpu_count = 2, .footers = cases[i].footers,
			.timer_size_delta = cases[i].delta,
			.cut_json = cases[i].cut,
			.no_vmdesc = cases[i].no_vmdesc,
		};
		struct mkqemu *q = pc_stream_with("pc-i440fx-7.2", dev.footers,
						  &dev);
		size_t size, n, nw;
		const uint8_t *bytes = mkqemu_data(q, &size);
		struct kdx_dump *d = open_ok(bytes, size);

		check_pc(d);
		kdx_dump_cpus(d, &n);
		assert_int_equal(n, 0);
		kdx_dump_warnings(d, &nw);
		if (cases[i].warning && !dump_has_warning(d, cases[i].warning))
			fail_msg("case %zu: no warning '%s' (%zu warnings)", i,
				 cases[i].warning, nw);
		if (cases[i].warning)
			assert_true(dump_has_warning(d, cases[i].warning));
		else
			assert_int_equal(nw, 0);
		assert_non_null(strstr(detail(d, "cpu_state"), cases[i].detail));
		kdx_dump_destroy(d);
		mkqemu_free(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pc_stream_reads_back),
		cmocka_unit_test(pc_ram_splits_around_the_pci_hole),
		cmocka_unit_test(page_sent_again_keeps_the_last),
		cmocka_unit_test(bad_streams_are_errors),
		cmocka_unit_test(configuration_subsections),
		cmocka_unit_test(libvirt_save_files),
		cmocka_unit_test(libvirt_compressed_saves),
		cmocka_unit_test(libvirt_compressed_errors),
		cmocka_unit_test(convert_round_trips),
		cmocka_unit_test(cpu_sections_give_registers),
		cmocka_unit_test(cr3_roots_the_kernel_walk),
		cmocka_unit_test(arm_cpreg_list),
		cmocka_unit_test(fixed_layout_without_vmdesc),
		cmocka_unit_test(damaged_device_state_costs_only_the_cpus),
		cmocka_unit_test(ram_claim_over_a_flattened_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
