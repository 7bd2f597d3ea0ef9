/* SPDX-License-Identifier: MIT */
/* kdx_convert() to ELF (issue 5).  Physical mode: every byte of every
 * range back identical for both classes and byte orders, holes stay holes,
 * p_memsz tails stay tails, filtered kdump pages become holes (or zeros
 * with zero_fill), fractional pages written exactly and nothing else of
 * the input's file in the output (seed 004), ELF32 for 32-bit targets
 * unless an address needs 64 bits.  Paging mode (seed 003) on synthetic
 * page tables: program headers equal kdx_xlat_maps() of the source minus
 * what the dump lacks, aliases share bytes unless no_dedup, PN_XNUM past
 * 65534 headers (checked by kdx and by readelf).  Failures leave no file.
 *
 * The output is parsed here by a small ELF reader of the test's own, not
 * only by libkdx, so a shared bug cannot hide. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "linuxdump.h"
#include "mkelf.h"
#include "testfs.h"
#include "mkkdump.h"
#include "ptbuild.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EM_386 3
#define EM_PPC 20
#define EM_S390 22
#define EM_X86_64 62
#define PAGE 0x1000u
#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1u
#define PF_W 2u
#define PF_R 4u
#define VMALLOC 0xffffc90000000000ull

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kdx-elfw-XXXXXX");
	return testfs_make_dir(dir);
}

static int remove_dir(void **state)
{
	(void)state;
	return testfs_remove_dir(dir);
}

static const char *path_in_dir(const char *name)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

/* Files in @sub of the directory (temporaries included). */
static int files_in_dir(const char *sub)
{
	DIR *d = opendir(path_in_dir(sub));
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void remove_in_dir(const char *name)
{
	unlink(path_in_dir(name));
}

/* ---- the test's own ELF reader ---- */

struct ph {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct elf_out {
	uint8_t *bytes;
	size_t size;
	bool is64, big;
	uint16_t machine, phnum_field, shnum;
	uint64_t phoff, shoff, phnum;
	struct ph *ph;
	size_t nloads;
};

static uint64_t ld(const struct elf_out *e, uint64_t off, int width)
{
	uint64_t v = 0;

	assert_true(off + (uint64_t)width <= e->size);
	for (int i = 0; i < width; i++) {
		int k = e->big ? i : width - 1 - i;

		v = v << 8 | e->bytes[off + (uint64_t)k];
	}
	return v;
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		fail_msg("open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return buf;
}

static void parse_elf(const char *path, struct elf_out *e)
{
	memset(e, 0, sizeof(*e));
	e->bytes = slurp(path, &e->size);
	assert_true(e->size >= 52);
	assert_memory_equal(e->bytes, "\177ELF", 4);
	assert_true(e->bytes[4] == 1 || e->bytes[4] == 2);
	e->is64 = e->bytes[4] == 2;
	e->big = e->bytes[5] == 2;
	assert_int_equal(ld(e, 16, 2), 4); /* ET_CORE */
	e->machine = (uint16_t)ld(e, 18, 2);
	e->phoff = e->is64 ? ld(e, 32, 8) : ld(e, 28, 4);
	e->shoff = e->is64 ? ld(e, 40, 8) : ld(e, 32, 4);
	assert_int_equal(ld(e, e->is64 ? 54 : 42, 2), e->is64 ? 56 : 32);
	e->phnum_field = (uint16_t)ld(e, e->is64 ? 56 : 44, 2);
	e->shnum = (uint16_t)ld(e, e->is64 ? 60 : 48, 2);
	e->phnum = e->phnum_field;
	if (e->phnum_field == 0xffff) { /* PN_XNUM: sh_info of section 0 */
		assert_int_not_equal(e->shoff, 0);
		assert_int_equal(ld(e, e->is64 ? 58 : 46, 2), e->is64 ? 64 : 40);
		e->phnum = ld(e, e->shoff + (e->is64 ? 44 : 28), 4);
	}
	e->ph = calloc(e->phnum ? e->phnum : 1, sizeof(*e->ph));
	assert_non_null(e->ph);
	for (uint64_t i = 0; i < e->phnum; i++) {
		uint64_t o = e->phoff + i * (e->is64 ? 56 : 32);
		struct ph *p = &e->ph[i];

		p->type = (uint32_t)ld(e, o, 4);
		if (e->is64) {
			p->flags = (uint32_t)ld(e, o + 4, 4);
			p->offset = ld(e, o + 8, 8);
			p->vaddr = ld(e, o + 16, 8);
			p->paddr = ld(e, o + 24, 8);
			p->filesz = ld(e, o + 32, 8);
			p->memsz = ld(e, o + 40, 8);
		} else {
			p->offset = ld(e, o + 4, 4);
			p->vaddr = ld(e, o + 8, 4);
			p->paddr = ld(e, o + 12, 4);
			p->filesz = ld(e, o + 16, 4);
			p->memsz = ld(e, o + 20, 4);
			p->flags = (uint32_t)ld(e, o + 24, 4);
		}
		assert_true(p->offset + p->filesz <= e->size);
		assert_true(p->filesz <= p->memsz);
		e->nloads += p->type == PT_LOAD;
	}
}

static void free_elf(struct elf_out *e)
{
	free(e->bytes);
	free(e->ph);
}

/* Every byte of the file outside the headers, the notes and the PT_LOAD
 * file ranges is zero padding, and no run of the input's poison appears
 * anywhere. */
static void assert_only_padding_outside(const struct elf_out *e)
{
	uint8_t *used = calloc(e->size ? e->size : 1, 1);
	uint64_t hdr_end = e->phoff + e->phnum * (e->is64 ? 56 : 32);
	size_t run = 0;

	assert_non_null(used);
	memset(used, 1, (size_t)(e->is64 ? 64 : 52));
	memset(used + e->phoff, 1, (size_t)(hdr_end - e->phoff));
	if (e->shoff)
		memset(used + e->shoff, 1, e->is64 ? 64 : 40);
	for (uint64_t i = 0; i < e->phnum; i++)
		memset(used + e->ph[i].offset, 1, (size_t)e->ph[i].filesz);
	for (size_t i = 0; i < e->size; i++) {
		if (!used[i] && e->bytes[i])
			fail_msg("byte 0x%zx (0x%02x) lies outside every header and segment",
				 i, e->bytes[i]);
		run = e->bytes[i] == MKELF_POISON ? run + 1 : 0;
		if (run >= 16)
			fail_msg("poison of the input at 0x%zx of the output", i);
	}
	free(used);
}

/* ---- comparing dumps ---- */

static struct kdx_dump *open_memory(const uint8_t *bytes, size_t size)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(bytes, size, NULL, &d);

	if (err)
		fail_msg("open input: %s", kdx_error_message(err));
	return d;
}

static struct kdx_dump *open_path(const char *path)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open(path, NULL, &d);

	if (err)
		fail_msg("open %s: %s", path, kdx_error_message(err));
	return d;
}

static void convert_ok(const struct kdx_dump *in, const char *name,
		       const struct kdx_convert_options *o,
		       struct kdx_convert_stats *stats)
{
	struct kdx_error *err = kdx_convert(in, path_in_dir(name), o, stats);

	if (err)
		fail_msg("convert to %s: %s", name, kdx_error_message(err));
}

static void elf_options(struct kdx_convert_options *o)
{
	kdx_convert_options_init(o);
	o->format = KDX_OUTPUT_ELF;
}

static void assert_same_ranges(const struct kdx_dump *a,
			       const struct kdx_dump *b)
{
	size_t na, nb;
	const struct kdx_phys_range *ra = kdx_dump_phys_ranges(a, &na);
	const struct kdx_phys_range *rb = kdx_dump_phys_ranges(b, &nb);

	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(ra[i].start, rb[i].start);
		assert_int_equal(ra[i].size, rb[i].size);
		assert_int_equal(ra[i].kind, rb[i].kind);
	}
}

/* Every byte of every range of @a reads the same in @b, and the byte
 * before and after each range fails the same way in both. */
static void assert_same_bytes(const struct kdx_dump *a,
			      const struct kdx_dump *b)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(a, &n);

	for (size_t i = 0; i < n; i++) {
		uint8_t *x = malloc(r[i].size), *y = malloc(r[i].size);
		struct kdx_error *ea, *eb;
		uint8_t bx, by;

		assert_true(x && y);
		ea = kdx_read_phys(a, r[i].start, x, r[i].size, 0, NULL);
		eb = kdx_read_phys(b, r[i].start, y, r[i].size, 0, NULL);
		if (ea || eb)
			fail_msg("range 0x%llx: %s / %s",
				 (unsigned long long)r[i].start,
				 ea ? kdx_error_message(ea) : "ok",
				 eb ? kdx_error_message(eb) : "ok");
		assert_memory_equal(x, y, r[i].size);
		free(x);
		free(y);
		for (int side = 0; side < 2; side++) {
			uint64_t at = side ? r[i].start + r[i].size : r[i].start - 1;

			if (!side && !r[i].start)
				continue;
			ea = kdx_read_phys(a, at, &bx, 1, 0, NULL);
			eb = kdx_read_phys(b, at, &by, 1, 0, NULL);
			assert_int_equal(ea != NULL, eb != NULL);
			if (ea)
				assert_int_equal(kdx_error_code(ea),
						 kdx_error_code(eb));
			else
				assert_int_equal(bx, by);
			kdx_error_destroy(ea);
			kdx_error_destroy(eb);
		}
	}
}

static void assert_same_notes(const struct kdx_dump *a,
			      const struct kdx_dump *b)
{
	size_t na, nb;
	const struct kdx_note *x = kdx_dump_notes(a, &na);
	const struct kdx_note *y = kdx_dump_notes(b, &nb);

	assert_true(na > 0);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++) {
		assert_string_equal(x[i].name, y[i].name);
		assert_int_equal(x[i].type, y[i].type);
		assert_int_equal(x[i].desc_size, y[i].desc_size);
		assert_memory_equal(x[i].desc, y[i].desc, x[i].desc_size);
	}
}

/* Each PT_LOAD's file bytes are the source's memory at its p_paddr. */
static void assert_segments_hold_source(const struct elf_out *e,
					const struct kdx_dump *src)
{
	for (uint64_t i = 0; i < e->phnum; i++) {
		const struct ph *p = &e->ph[i];
		uint8_t *want;
		struct kdx_error *err;

		if (p->type != PT_LOAD || !p->filesz)
			continue;
		want = malloc(p->filesz);
		assert_non_null(want);
		err = kdx_read_phys(src, p->paddr, want, p->filesz,
				    KDX_READ_ZERO_FILL, NULL);
		if (err)
			fail_msg("segment %llu: %s", (unsigned long long)i,
				 kdx_error_message(err));
		if (memcmp(want, e->bytes + p->offset, p->filesz))
			fail_msg("segment %llu (paddr 0x%llx) differs from the source",
				 (unsigned long long)i,
				 (unsigned long long)p->paddr);
		free(want);
	}
}

/* ---- physical mode ---- */

/* Pages of every sort: plain data, a hole, a p_memsz tail, ranges not
 * page aligned, two ranges in one page, one across a page boundary,
 * poison in the file around each. */
static uint8_t *build_physical_input(uint16_t machine, unsigned int bits,
				     enum kdx_byte_order bo, size_t *size)
{
	static const struct mkelf_load loads[] = {
		{ .paddr = 0x0, .filesz = 0x3000, .memsz = 0x3000 },
		{ .paddr = 0x5010, .filesz = 0x123, .memsz = 0x123,
		  .poison_before = 0x80, .poison_after = 0x80 },
		{ .paddr = 0x7000, .filesz = 0x400, .memsz = 0x400,
		  .poison_before = 0x40, .poison_after = 0x400 },
		{ .paddr = 0x7800, .filesz = 0x200, .memsz = 0x200,
		  .poison_before = 0x400, .poison_after = 0x40 },
		{ .paddr = 0x9f00, .filesz = 0x300, .memsz = 0x300,
		  .poison_before = 0x100, .poison_after = 0x100 },
		{ .paddr = 0x10000, .filesz = 0x2000, .memsz = 0x3800,
		  .poison_after = 0x200 },
		{ .paddr = 0x20000, .filesz = 0x0, .memsz = 0x2000 },
		{ .paddr = 0x30000, .filesz = 0x4000, .memsz = 0x4000 },
	};
	struct mkelf_options o = { .class_bits = bits, .byte_order = bo,
				   .machine = machine };
	struct mkelf *m = mkelf_new(&o);
	static const uint64_t regs[4] = { 1, 2, 3, 4 };
	uint8_t *bytes;

	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-elfw\nPAGESIZE=4096\n");
	if (machine == EM_X86_64 || machine == EM_386)
		mkelf_add_prstatus(m, 42, regs, 4);
	mkelf_add_note(m, "QEMU", 0, "\1\2\3\4\5", 5);
	for (size_t i = 0; i < sizeof(loads) / sizeof(*loads); i++)
		mkelf_add_load(m, &loads[i]);
	bytes = mkelf_build(m, size);
	mkelf_free(m);
	return bytes;
}

struct elf_class_case {
	uint16_t machine;
	unsigned int bits;
	enum kdx_byte_order bo;
	const char *name;
};

static void physical_round_trip_case(const struct elf_class_case *c)
{
	size_t size;
	uint8_t *in_bytes = build_physical_input(c->machine, c->bits, c->bo, &size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out;
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct elf_out e;
	size_t nseg;
	const struct kdx_segment *seg;
	bool saw_tail = false, saw_zero_only = false;

	elf_options(&o);
	convert_ok(in, c->name, &o, &st);
	parse_elf(path_in_dir(c->name), &e);
	assert_int_equal(e.is64, c->bits == 64);
	assert_int_equal(e.big, c->bo == KDX_BIG_ENDIAN);
	assert_int_equal(e.machine, c->machine);
	assert_int_equal(e.ph[0].type, PT_NOTE);
	assert_int_equal(st.segments, e.phnum);
	assert_int_equal(st.bytes_out, e.size);
	for (uint64_t i = 1; i < e.phnum; i++) {
		const struct ph *p = &e.ph[i];

		assert_int_equal(p->type, PT_LOAD);
		/* page-granular readers can map the file */
		if (p->filesz)
			assert_int_equal(p->offset % PAGE, p->paddr % PAGE);
		/* no direct map known: p_vaddr repeats p_paddr */
		assert_int_equal(p->vaddr, p->paddr);
		saw_tail |= p->filesz && p->memsz > p->filesz;
		saw_zero_only |= !p->filesz;
	}
	assert_true(saw_tail);
	assert_true(saw_zero_only);
	assert_only_padding_outside(&e);
	assert_segments_hold_source(&e, in);

	out = open_path(path_in_dir(c->name));
	assert_int_equal(kdx_dump_byte_order(out), c->bo);
	assert_same_ranges(in, out);
	assert_same_bytes(in, out);
	assert_same_notes(in, out);
	seg = kdx_dump_segments(out, &nseg);
	assert_int_equal(nseg, e.nloads);
	/* 0x10000: 0x2000 bytes held, 0x1800 more described (p_memsz) */
	for (size_t i = 0; i < nseg; i++)
		if (seg[i].paddr == 0x10000) {
			assert_int_equal(seg[i].file_size, 0x2000);
			assert_int_equal(seg[i].mem_size, 0x3800);
		}
	kdx_dump_destroy(out);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	remove_in_dir(c->name);
}

static void physical_round_trip_every_class(void **state)
{
	static const struct elf_class_case cases[] = {
		{ EM_X86_64, 64, KDX_LITTLE_ENDIAN, "le64.elf" },
		{ EM_S390, 64, KDX_BIG_ENDIAN, "be64.elf" },
		{ EM_386, 32, KDX_LITTLE_ENDIAN, "le32.elf" },
		{ EM_PPC, 32, KDX_BIG_ENDIAN, "be32.elf" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		physical_round_trip_case(&cases[i]);
}

/* Seed 004 at its sharpest: two ranges in one page, each written exactly
 * at its offset in that page; the bytes between them (reserved memory in
 * the input's file, poison here) are not in the output and read as a
 * hole. */
static void fractional_pages_exact(void **state)
{
	size_t size;
	uint8_t *in_bytes = build_physical_input(EM_X86_64, 64,
						 KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out;
	struct kdx_convert_options o;
	struct elf_out e;
	const struct ph *a = NULL, *b = NULL;
	uint8_t byte;
	struct kdx_error *err;

	(void)state;
	elf_options(&o);
	convert_ok(in, "frac.elf", &o, NULL);
	parse_elf(path_in_dir("frac.elf"), &e);
	for (uint64_t i = 1; i < e.phnum; i++) {
		if (e.ph[i].paddr == 0x7000)
			a = &e.ph[i];
		if (e.ph[i].paddr == 0x7800)
			b = &e.ph[i];
	}
	assert_true(a && b);
	assert_int_equal(a->filesz, 0x400);
	assert_int_equal(b->filesz, 0x200);
	/* one file page holds both, at their offsets in the memory page */
	assert_int_equal(b->offset - a->offset, 0x800);
	for (uint64_t k = a->offset + a->filesz; k < b->offset; k++)
		assert_int_equal(e.bytes[k], 0);
	out = open_path(path_in_dir("frac.elf"));
	err = kdx_read_phys(out, 0x7400, &byte, 1, 0, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	kdx_error_destroy(err);
	err = kdx_read_phys(out, 0x5133, &byte, 1, 0, NULL);
	assert_non_null(err);
	kdx_error_destroy(err);
	assert_null(kdx_read_phys(out, 0x5132, &byte, 1, 0, NULL));
	assert_int_equal(byte, mkelf_pattern(0x5132));
	kdx_dump_destroy(out);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	remove_in_dir("frac.elf");
}

/* A filtered kdump input: excluded pages become holes (segments split),
 * never zeros; with zero_fill they are zeros and the segments join. */
static uint8_t *build_filtered_kdump(size_t *size)
{
	struct mkkdump_options o = { .machine = "x86_64",
				     .default_codec = MKKDUMP_CODEC_ZLIB,
				     .dump_level = 31 };
	struct mkkdump *m = mkkdump_new(&o);
	uint8_t *bytes;

	mkkdump_set_pages(m, 0, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 4, 2, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 6, 1, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 7, 1, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	/* pfns 8..9: holes */
	mkkdump_set_pages(m, 10, 6, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 16, 1, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 17, 3, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-elfw\nPAGESIZE=4096\n");
	mkkdump_add_prstatus(m, 7, (const uint64_t[3]){ 5, 6, 7 }, 3);
	bytes = mkkdump_build(m, size);
	mkkdump_free(m);
	return bytes;
}

static void kdump_excluded_pages(void **state)
{
	size_t size;
	uint8_t *in_bytes = build_filtered_kdump(&size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out, *filled;
	struct kdx_convert_options o;
	struct elf_out e;
	uint8_t x[PAGE], y[PAGE];

	(void)state;
	elf_options(&o);
	convert_ok(in, "holes.elf", &o, NULL);
	out = open_path(path_in_dir("holes.elf"));
	parse_elf(path_in_dir("holes.elf"), &e);
	/* data [0,4) [6,8) [10,16) [17,20): four segments, no zeros invented */
	assert_int_equal(e.nloads, 4);
	assert_only_padding_outside(&e);
	for (uint64_t pfn = 0; pfn < 21; pfn++) {
		struct kdx_error *ea = kdx_read_phys(in, pfn * PAGE, x, PAGE, 0, NULL);
		struct kdx_error *eb = kdx_read_phys(out, pfn * PAGE, y, PAGE, 0, NULL);

		assert_int_equal(ea != NULL, eb != NULL);
		if (ea)
			assert_int_equal(kdx_error_code(eb), KDX_ERR_NODATA);
		else
			assert_memory_equal(x, y, PAGE);
		kdx_error_destroy(ea);
		kdx_error_destroy(eb);
	}
	assert_same_notes(in, out);

	o.zero_fill = true;
	convert_ok(in, "filled.elf", &o, NULL);
	filled = open_path(path_in_dir("filled.elf"));
	free_elf(&e);
	parse_elf(path_in_dir("filled.elf"), &e);
	/* [0,8) and [10,20): the excluded pages joined their neighbours */
	assert_int_equal(e.nloads, 2);
	for (uint64_t pfn = 0; pfn < 21; pfn++) {
		struct kdx_error *ea = kdx_read_phys(in, pfn * PAGE, x, PAGE,
						     KDX_READ_ZERO_FILL, NULL);
		bool hole = pfn == 8 || pfn == 9 || pfn == 20;
		struct kdx_error *eb = kdx_read_phys(filled, pfn * PAGE, y, PAGE,
						     0, NULL);

		assert_null(ea);
		assert_int_equal(hole, eb != NULL);
		if (!hole)
			assert_memory_equal(x, y, PAGE);
		kdx_error_destroy(eb);
	}
	assert_null(kdx_read_phys(filled, 4 * PAGE, y, 1, 0, NULL));
	assert_int_equal(y[0], 0);
	kdx_dump_destroy(filled);
	kdx_dump_destroy(out);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	remove_in_dir("holes.elf");
	remove_in_dir("filled.elf");
}

/* Many ranges, each with a p_memsz tail, separated by holes: the plan is
 * linear in the ranges (it was quadratic, and cubic for the tails). */
static void many_ranges_with_tails(void **state)
{
	enum { N = 20000 };
	struct mkelf_options mo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = EM_X86_64 };
	struct mkelf *m = mkelf_new(&mo);
	struct kdx_convert_options o;
	struct kdx_dump *in, *out;
	struct elf_out e;
	uint8_t *bytes;
	size_t size;

	(void)state;
	mkelf_add_vmcoreinfo(m, "PAGESIZE=4096\n");
	for (uint64_t i = 0; i < N; i++) {
		struct mkelf_load l = { .paddr = i * 3 * PAGE, .filesz = PAGE,
					.memsz = 2 * PAGE };

		mkelf_add_load(m, &l);
	}
	bytes = mkelf_build(m, &size);
	mkelf_free(m);
	in = open_memory(bytes, size);
	elf_options(&o);
	convert_ok(in, "many.elf", &o, NULL);
	parse_elf(path_in_dir("many.elf"), &e);
	assert_int_equal(e.nloads, N);
	for (uint64_t i = 1; i < e.phnum; i++) {
		assert_int_equal(e.ph[i].paddr, (i - 1) * 3 * PAGE);
		assert_int_equal(e.ph[i].filesz, PAGE);
		assert_int_equal(e.ph[i].memsz, 2 * PAGE);
	}
	out = open_path(path_in_dir("many.elf"));
	assert_same_ranges(in, out);
	kdx_dump_destroy(out);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(bytes);
	remove_in_dir("many.elf");
}

/* ---- ELF32 or ELF64 ---- */

static struct elf_out convert_loads(uint16_t machine, unsigned int bits,
				    const struct mkelf_load *loads, size_t n,
				    const char *vmcoreinfo, const char *name)
{
	struct mkelf_options mo = { .class_bits = bits,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = machine };
	struct mkelf *m = mkelf_new(&mo);
	struct kdx_convert_options o;
	struct kdx_dump *in, *out;
	struct elf_out e;
	uint8_t *bytes;
	size_t size;

	if (vmcoreinfo)
		mkelf_add_vmcoreinfo(m, vmcoreinfo);
	for (size_t i = 0; i < n; i++)
		mkelf_add_load(m, &loads[i]);
	bytes = mkelf_build(m, &size);
	mkelf_free(m);
	in = open_memory(bytes, size);
	elf_options(&o);
	convert_ok(in, name, &o, NULL);
	parse_elf(path_in_dir(name), &e);
	out = open_path(path_in_dir(name));
	assert_same_ranges(in, out);
	assert_same_bytes(in, out);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(bytes);
	remove_in_dir(name);
	return e;
}

static void elf32_unless_64_bits_needed(void **state)
{
	/* i386 memory up to the last byte below 4 GiB (the BIOS ROM):
	 * every value fits ELF32 though the end is 2^32 */
	static const struct mkelf_load low[] = {
		{ .paddr = 0x0, .filesz = 0x2000, .memsz = 0x2000 },
		{ .paddr = 0xfffc0000, .filesz = 0x40000, .memsz = 0x40000 },
	};
	/* PAE memory above 4 GiB needs ELF64 (e_machine stays EM_386) */
	static const struct mkelf_load high[] = {
		{ .paddr = 0x0, .filesz = 0x2000, .memsz = 0x2000 },
		{ .paddr = 0x100000000ull, .filesz = 0x1000, .memsz = 0x1000 },
	};
	/* x86_64 always gets ELF64 */
	static const struct mkelf_load small[] = {
		{ .paddr = 0x0, .filesz = 0x2000, .memsz = 0x2000 },
	};
	struct elf_out e;

	(void)state;
	e = convert_loads(EM_386, 32, low, 2, NULL, "low.elf");
	assert_false(e.is64);
	assert_int_equal(e.machine, EM_386);
	assert_int_equal(e.ph[2].paddr, 0xfffc0000);
	assert_int_equal(e.ph[2].memsz, 0x40000);
	free_elf(&e);
	e = convert_loads(EM_386, 64, low, 2, NULL, "low64in.elf");
	assert_false(e.is64); /* the target is 32-bit whatever the input */
	free_elf(&e);
	e = convert_loads(EM_386, 64, high, 2, NULL, "high.elf");
	assert_true(e.is64);
	assert_int_equal(e.machine, EM_386);
	assert_int_equal(e.ph[2].paddr, 0x100000000ull);
	free_elf(&e);
	e = convert_loads(EM_X86_64, 32, small, 1, NULL, "x64.elf");
	assert_true(e.is64);
	free_elf(&e);
}

/* An i386 PAE kernel: p_vaddr is the direct-map address where that
 * fits in 32 bits; memory whose direct-map address would pass 4 GiB
 * (high memory) keeps p_vaddr = p_paddr and does not force ELF64. */
static void elf32_direct_map_vaddr(void **state)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_PAE, LD_MEM, LD_ROOT_PA);
	size_t memsize;
	uint8_t *mem;
	struct mkelf_load loads[2] = { { 0 } };
	struct elf_out e;

	(void)state;
	for (uint64_t a = 0; a < LD_MEM; a += 2 * LD_MiB)
		ptb_map(p, 0xc0000000u + a, a, 2 * LD_MiB, PTB_RW | PTB_G);
	mem = ptb_memory(p, &memsize);
	loads[0].data = mem;
	loads[0].filesz = loads[0].memsz = memsize;
	loads[1].paddr = 0x40000000;
	loads[1].filesz = loads[1].memsz = 0x1000;
	e = convert_loads(EM_386, 32, loads, 2,
			  "SYMBOL(swapper_pg_dir)=c1100000\nCONFIG_X86_PAE=y\n",
			  "pae-phys.elf");
	assert_false(e.is64);
	assert_int_equal(e.nloads, 2);
	assert_int_equal(e.ph[1].paddr, 0);
	assert_int_equal(e.ph[1].vaddr, 0xc0000000u);
	assert_int_equal(e.ph[2].paddr, 0x40000000);
	assert_int_equal(e.ph[2].vaddr, 0x40000000);
	free_elf(&e);
	ptb_free(p);
}

/* ---- paging mode ---- */

/* A Linux-looking x86_64 dump whose memory has a hole at [8, 10) MiB and
 * a last MiB described but not written, with aliases: the kernel text
 * (and a vmalloc page) in the direct map too, a vmalloc page in the hole,
 * and a direct map that runs over the hole and the unwritten tail.  Two
 * pages of "I/O memory" at IO_START are dumped but mapped nowhere. */
#define HOLE_START (8 * LD_MiB)
#define HOLE_END (10 * LD_MiB)
#define TAIL (LD_MEM - LD_MiB)
#define IO_START 0xfd000000ull

static uint8_t *build_paging_input(struct ptb **pp, size_t *size)
{
	struct ptb *p = linuxdump_tables(KDX_PAGING_X86_64, LD_DIRECT);
	struct mkelf_options mo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = EM_X86_64 };
	struct mkelf *m = mkelf_new(&mo);
	struct mkelf_load lo = { 0 }, hi = { 0 };
	struct mkelf_load io = { .paddr = IO_START, .filesz = 0x2000,
				 .memsz = 0x2000 };
	size_t memsize;
	uint8_t *mem, *bytes;

	ptb_map(p, VMALLOC, 0x500000, 4096, PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, VMALLOC + 0x1000, HOLE_START + 0x3000, 4096,
		PTB_RW | PTB_G | PTB_NX);
	ptb_map(p, VMALLOC + 0x2000, 0x501000, 4096, PTB_G); /* read-only, X */
	mem = ptb_memory(p, &memsize);
	for (size_t i = 0; i < memsize; i += 4096) /* tell pages apart */
		if (!mem[i + 4095])
			mem[i + 4095] = (uint8_t)(i >> 12 | 1);
	memcpy(mem + 0x500000, "KDX-ALIAS", 10);
	lo.data = mem;
	lo.filesz = lo.memsz = HOLE_START;
	hi.paddr = HOLE_END;
	hi.data = mem + HOLE_END;
	hi.filesz = TAIL - HOLE_END;
	hi.memsz = LD_MEM - HOLE_END;
	mkelf_add_vmcoreinfo(m, linuxdump_vmcoreinfo_64);
	mkelf_add_load(m, &lo);
	mkelf_add_load(m, &hi);
	mkelf_add_load(m, &io);
	bytes = mkelf_build(m, size);
	mkelf_free(m);
	*pp = p;
	return bytes;
}

/* The kernel's mappings of @in, as the translation layer lists them. */
static void source_maps(const struct kdx_dump *in, const struct kdx_convert_options *o,
			struct ptb_maps *maps)
{
	struct kdx_kernel_options ko;
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;
	struct kdx_error *err;

	kdx_kernel_options_init(&ko);
	if (o->has_root) {
		ko.has_root = true;
		ko.root = o->root;
	}
	assert_null(kdx_kernel_probe(in, &ko, &l));
	err = kdx_kernel_xlat_create(in, &l, &x);
	if (err)
		fail_msg("xlat: %s", kdx_error_message(err));
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, maps));
	kdx_xlat_destroy(x);
}

/* The program headers a paging ELF of @in must have: each mapping cut
 * to the ranges @in has (bytes held: p_filesz; described only: p_memsz),
 * pieces over holes and filtered pages left out. */
static struct ph *expected_paging_phdrs(const struct kdx_dump *in,
					const struct ptb_maps *maps,
					bool zero_fill, size_t *count)
{
	size_t nr, n = 0, cap = 1024;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(in, &nr);
	struct ph *out = malloc(cap * sizeof(*out));

	assert_non_null(out);
	for (size_t i = 0; i < maps->count; i++) {
		const struct kdx_mapping *m = &maps->maps[i];
		uint32_t flags = PF_R |
				 (m->flags & KDX_PAGE_WRITABLE ? PF_W : 0) |
				 (m->flags & KDX_PAGE_NX ? 0 : PF_X);
		size_t first = n;

		for (size_t k = 0; k < nr; k++) {
			uint64_t s = r[k].start > m->paddr ? r[k].start : m->paddr;
			uint64_t e1 = r[k].start + r[k].size, e2 = m->paddr + m->size;
			uint64_t e = e1 < e2 ? e1 : e2;
			bool held = r[k].kind == KDX_RANGE_DATA ||
				    (zero_fill && r[k].kind == KDX_RANGE_EXCLUDED);

			if (s >= e || (!held && r[k].kind != KDX_RANGE_ZERO))
				continue;
			if (n > first && held && out[n - 1].filesz &&
			    out[n - 1].paddr + out[n - 1].filesz == s &&
			    out[n - 1].vaddr + out[n - 1].memsz ==
				    m->vaddr + (s - m->paddr))
			{ /* held ranges next to each other are one run */
				out[n - 1].filesz += e - s;
				out[n - 1].memsz += e - s;
				continue;
			}
			if (n == cap) {
				cap *= 2;
				out = realloc(out, cap * sizeof(*out));
				assert_non_null(out);
			}
			out[n++] = (struct ph){ .type = PT_LOAD, .flags = flags,
						.vaddr = m->vaddr + (s - m->paddr),
						.paddr = s,
						.filesz = held ? e - s : 0,
						.memsz = e - s };
		}
	}
	*count = n;
	return out;
}

static void assert_phdrs_equal(const struct elf_out *e, const struct ph *want,
			       size_t n)
{
	assert_int_equal(e->nloads, n);
	assert_int_equal(e->ph[0].type, PT_NOTE);
	for (size_t i = 0; i < n; i++) {
		const struct ph *p = &e->ph[i + 1];

		if (p->vaddr != want[i].vaddr || p->paddr != want[i].paddr ||
		    p->memsz != want[i].memsz || p->filesz != want[i].filesz ||
		    p->flags != want[i].flags)
			fail_msg("PT_LOAD %zu: va 0x%llx pa 0x%llx filesz 0x%llx memsz 0x%llx flags %u; want va 0x%llx pa 0x%llx filesz 0x%llx memsz 0x%llx flags %u",
				 i, (unsigned long long)p->vaddr,
				 (unsigned long long)p->paddr,
				 (unsigned long long)p->filesz,
				 (unsigned long long)p->memsz, p->flags,
				 (unsigned long long)want[i].vaddr,
				 (unsigned long long)want[i].paddr,
				 (unsigned long long)want[i].filesz,
				 (unsigned long long)want[i].memsz,
				 want[i].flags);
	}
}

/* Dumped bytes of @in (held ranges). */
static uint64_t held_bytes(const struct kdx_dump *in)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(in, &n);
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += r[i].kind == KDX_RANGE_DATA ? r[i].size : 0;
	return sum;
}

/* Where physical address @pa of segment @p lies in the file. */
static uint64_t file_offset_of(const struct ph *p, uint64_t pa)
{
	return p->offset + (pa - p->paddr);
}

static const struct ph *segment_of(const struct elf_out *e, uint64_t va)
{
	for (uint64_t i = 1; i < e->phnum; i++)
		if (e->ph[i].vaddr <= va && va - e->ph[i].vaddr < e->ph[i].memsz)
			return &e->ph[i];
	return NULL;
}

static void paging_matches_maps(void **state)
{
	struct ptb *p;
	size_t size, nwant;
	uint8_t *in_bytes = build_paging_input(&p, &size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out;
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct ptb_maps maps;
	struct ph *want;
	struct elf_out e;
	const struct ph *text, *direct, *va, *inhole;
	struct kdx_xlat *x;
	uint8_t buf[16];

	(void)state;
	elf_options(&o);
	o.paging = true;
	convert_ok(in, "paging.elf", &o, &st);
	parse_elf(path_in_dir("paging.elf"), &e);
	source_maps(in, &o, &maps);
	want = expected_paging_phdrs(in, &maps, false, &nwant);
	/* direct map: [0, 8M) and [10M, 31M) held, [31M, 32M) described;
	 * vmalloc: two of three pages; the text in two halves (flags) */
	assert_int_equal(maps.count, 6);
	assert_int_equal(nwant, 7);
	assert_phdrs_equal(&e, want, nwant);
	assert_int_equal(st.segments, e.phnum);
	assert_segments_hold_source(&e, in);
	assert_only_padding_outside(&e);

	/* dedup: the kernel text and its direct-map alias share bytes */
	text = segment_of(&e, LD_TEXT_VA);
	direct = segment_of(&e, LD_DIRECT + LD_TEXT_PA);
	assert_true(text && direct && text != direct);
	assert_int_equal(file_offset_of(text, LD_TEXT_PA),
			 file_offset_of(direct, LD_TEXT_PA));
	va = segment_of(&e, VMALLOC);
	assert_non_null(va);
	assert_int_equal(va->flags, PF_R | PF_W);
	assert_int_equal(file_offset_of(va, 0x500000),
			 file_offset_of(segment_of(&e, LD_DIRECT + 0x500000),
					0x500000));
	assert_memory_equal(e.bytes + va->offset, "KDX-ALIAS", 10);
	assert_int_equal(segment_of(&e, VMALLOC + 0x2000)->flags, PF_R | PF_X);
	/* the vmalloc page in the hole and the direct map of the hole */
	assert_null(segment_of(&e, VMALLOC + 0x1000));
	assert_null(segment_of(&e, LD_DIRECT + HOLE_START));
	/* the unwritten tail: described, no bytes */
	inhole = segment_of(&e, LD_DIRECT + TAIL);
	assert_non_null(inhole);
	assert_int_equal(inhole->filesz, 0);
	assert_int_equal(inhole->memsz, LD_MEM - TAIL);
	/* the file holds each dumped byte once: no bigger than the memory
	 * plus headers, notes and a page of alignment per run */
	assert_true(e.size <= e.ph[0].offset + e.ph[0].filesz + held_bytes(in) +
				      4 * PAGE);

	/* kdx reads it back, virtually too: the paging ELF's own segments */
	out = open_path(path_in_dir("paging.elf"));
	assert_true(kdx_dump_segments_have_virtual(out));
	assert_same_notes(in, out);
	{
		struct kdx_kernel_layout l;

		assert_null(kdx_kernel_probe(out, NULL, &l));
		assert_null(kdx_kernel_xlat_create(out, &l, &x));
		assert_null(kdx_read_virt(out, x, VMALLOC, buf, 10, 0, NULL));
		assert_memory_equal(buf, "KDX-ALIAS", 10);
		kdx_xlat_destroy(x);
	}
	kdx_dump_destroy(out);
	free(want);
	ptb_maps_free(&maps);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	ptb_free(p);
	remove_in_dir("paging.elf");
}

/* Physical mode on a kernel with page tables: p_vaddr in the direct map
 * (as /proc/vmcore), where the tables confirm it: not for the I/O pages. */
static void physical_vaddr_in_direct_map(void **state)
{
	struct ptb *p;
	size_t size;
	uint8_t *in_bytes = build_paging_input(&p, &size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out;
	struct kdx_convert_options o;
	struct elf_out e;

	(void)state;
	elf_options(&o);
	convert_ok(in, "direct.elf", &o, NULL);
	parse_elf(path_in_dir("direct.elf"), &e);
	assert_int_equal(e.nloads, 3);
	assert_int_equal(e.ph[1].paddr, 0);
	assert_int_equal(e.ph[1].vaddr, LD_DIRECT);
	assert_int_equal(e.ph[2].paddr, HOLE_END);
	assert_int_equal(e.ph[2].vaddr, LD_DIRECT + HOLE_END);
	assert_int_equal(e.ph[2].filesz, TAIL - HOLE_END);
	assert_int_equal(e.ph[2].memsz, LD_MEM - HOLE_END);
	assert_int_equal(e.ph[3].paddr, IO_START);
	assert_int_equal(e.ph[3].vaddr, IO_START);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(e.ph[i].flags, PF_R | PF_W | PF_X);
	out = open_path(path_in_dir("direct.elf"));
	assert_same_ranges(in, out);
	assert_same_bytes(in, out);
	kdx_dump_destroy(out);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	ptb_free(p);
	remove_in_dir("direct.elf");
}

static void paging_no_dedup(void **state)
{
	struct ptb *p;
	size_t size, nwant;
	uint8_t *in_bytes = build_paging_input(&p, &size);
	struct kdx_dump *in = open_memory(in_bytes, size);
	struct kdx_convert_options o;
	struct ptb_maps maps;
	struct ph *want;
	struct elf_out e;
	const struct ph *text, *direct;
	uint64_t filesz_sum = 0;

	(void)state;
	elf_options(&o);
	o.paging = true;
	o.no_dedup = true;
	convert_ok(in, "nodedup.elf", &o, NULL);
	parse_elf(path_in_dir("nodedup.elf"), &e);
	source_maps(in, &o, &maps);
	want = expected_paging_phdrs(in, &maps, false, &nwant);
	assert_phdrs_equal(&e, want, nwant);
	assert_segments_hold_source(&e, in);
	assert_only_padding_outside(&e);
	text = segment_of(&e, LD_TEXT_VA);
	direct = segment_of(&e, LD_DIRECT + LD_TEXT_PA);
	assert_int_not_equal(file_offset_of(text, LD_TEXT_PA),
			     file_offset_of(direct, LD_TEXT_PA));
	/* separate copies: no two segments share a file byte */
	for (uint64_t i = 1; i < e.phnum; i++) {
		filesz_sum += e.ph[i].filesz;
		if (i > 1 && e.ph[i].filesz && e.ph[i - 1].filesz)
			assert_true(e.ph[i].offset >=
				    e.ph[i - 1].offset + e.ph[i - 1].filesz);
	}
	assert_true(filesz_sum > held_bytes(in));
	assert_true(e.size >= filesz_sum);
	free(want);
	ptb_maps_free(&maps);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(in_bytes);
	ptb_free(p);
	remove_in_dir("nodedup.elf");
}

/* Paging mode on a filtered kdump: mappings of filtered pages are left
 * out, or with zero_fill (also without dedup) written as zeros. */
static void paging_filtered_kdump(void **state)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 4 * LD_MiB, 0x100000);
	struct mkkdump_options ko = { .machine = "x86_64" };
	struct mkkdump *m = mkkdump_new(&ko);
	struct kdx_convert_options o;
	struct kdx_dump *in, *out;
	struct ptb_maps maps;
	struct elf_out e;
	struct ph *want;
	size_t size, memsize, nwant;
	uint8_t *mem, *bytes, page[PAGE];

	(void)state;
	for (uint64_t i = 0; i < 16; i++)
		ptb_map(p, VMALLOC + i * PAGE, 0x200000 + i * PAGE, PAGE,
			PTB_RW | PTB_NX);
	for (uint64_t i = 0; i < 16; i++) /* an alias */
		ptb_map(p, VMALLOC + 0x100000 + i * PAGE, 0x200000 + i * PAGE,
			PAGE, PTB_RW | PTB_NX);
	mem = ptb_memory(p, &memsize);
	for (uint64_t i = 0; i < memsize; i++)
		if (i >= 0x200000)
			mem[i] = (uint8_t)(i * 7 + (i >> 12));
	for (uint64_t pfn = 0; pfn < memsize / PAGE; pfn++)
		mkkdump_set_page_data(m, pfn, mem + pfn * PAGE, MKKDUMP_RAW);
	mkkdump_set_pages(m, 0x203, 2, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	bytes = mkkdump_build(m, &size);
	mkkdump_free(m);
	in = open_memory(bytes, size);

	elf_options(&o);
	o.paging = true;
	o.has_root = true;
	o.root = ptb_root(p);
	convert_ok(in, "kd-paging.elf", &o, NULL);
	parse_elf(path_in_dir("kd-paging.elf"), &e);
	source_maps(in, &o, &maps);
	assert_int_equal(maps.count, 2);
	want = expected_paging_phdrs(in, &maps, false, &nwant);
	assert_int_equal(nwant, 4); /* each mapping cut around 0x203-0x204 */
	assert_phdrs_equal(&e, want, nwant);
	assert_segments_hold_source(&e, in);
	free(want);
	free_elf(&e);

	o.zero_fill = true;
	o.no_dedup = true;
	convert_ok(in, "kd-paging-fill.elf", &o, NULL);
	parse_elf(path_in_dir("kd-paging-fill.elf"), &e);
	want = expected_paging_phdrs(in, &maps, true, &nwant);
	assert_int_equal(nwant, 2);
	assert_phdrs_equal(&e, want, nwant);
	assert_segments_hold_source(&e, in);
	memset(page, 0, sizeof(page));
	assert_memory_equal(e.bytes + e.ph[1].offset + 3 * PAGE, page, PAGE);
	assert_memory_equal(e.bytes + e.ph[2].offset + 4 * PAGE, page, PAGE);
	out = open_path(path_in_dir("kd-paging-fill.elf"));
	assert_int_equal(kdx_dump_segments(out, &size) != NULL, true);
	assert_int_equal(size, 2);
	kdx_dump_destroy(out);
	free(want);
	free_elf(&e);

	ptb_maps_free(&maps);
	kdx_dump_destroy(in);
	free(bytes);
	ptb_free(p);
	remove_in_dir("kd-paging.elf");
	remove_in_dir("kd-paging-fill.elf");
}

/* readelf (binutils) as a second reader of a PN_XNUM file: its count of
 * program headers and of PT_LOADs. */
static void readelf_agrees(const char *path, uint64_t phnum, uint64_t loads)
{
	char cmd[256], line[512];
	unsigned long long said = 0, seen = 0;
	FILE *f;
	int rc;

	if (system("readelf --version >/dev/null 2>&1") != 0) {
		const char *ci = getenv("CI");

		if (ci && !strcmp(ci, "true"))
			fail_msg("readelf is missing (binutils); CI needs it");
		fprintf(stderr, "SKIPPED: readelf is missing (binutils): "
				"PN_XNUM checked by kdx and this test only\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' 2>&1", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "There are %llu program headers", &said);
		seen += !strncmp(line, "  LOAD ", 7);
		if (strstr(line, "rror") || strstr(line, "arning"))
			fail_msg("readelf: %s", line);
	}
	rc = pclose(f);
	assert_int_equal(rc, 0);
	assert_int_equal(said, phnum);
	assert_int_equal(seen, loads);
}

/* More mappings than 65534 program headers can hold: consecutive
 * virtual pages alternating between two physical pages that are not
 * neighbours, so nothing merges.  Written with PN_XNUM, read back by kdx and readelf. */
static void pn_xnum_case(enum kdx_paging_mode mode, const char *name)
{
	enum { N = 70000 };
	bool pae = mode == KDX_PAGING_X86_PAE;
	uint64_t base = pae ? 0xd0000000u : VMALLOC;
	struct ptb *p = ptb_new(mode, pae ? LD_MEM : 2 * LD_MiB,
				pae ? LD_ROOT_PA : 0x100000);
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct kdx_dump *in, *out;
	struct elf_out e;
	size_t size, memsize, nseg;
	uint8_t *mem, *bytes;
	const struct kdx_segment *seg;

	for (uint64_t i = 0; i < N; i++)
		ptb_map(p, base + i * PAGE, i & 1 ? 0x3000 : 0x1000, PAGE,
			i % 3 ? PTB_RW : 0);
	if (pae) /* the top page of 32-bit space still fits ELF32 */
		ptb_map(p, 0xfffff000u, 0x5000, PAGE, 0);
	mem = ptb_memory(p, &memsize);
	memset(mem + 0x1000, 0x11, PAGE);
	memset(mem + 0x3000, 0x33, PAGE);
	memset(mem + 0x5000, 0x55, PAGE);
	bytes = linuxdump_elf(p, pae ? EM_386 : EM_X86_64, pae ? 32 : 64,
			      pae ? "SYMBOL(swapper_pg_dir)=c1100000\nCONFIG_X86_PAE=y\n" :
				    NULL,
			      NULL, &size);
	in = open_memory(bytes, size);
	elf_options(&o);
	o.paging = true;
	if (!pae) {
		o.has_root = true;
		o.root = ptb_root(p);
	}
	convert_ok(in, name, &o, &st);
	parse_elf(path_in_dir(name), &e);
	assert_int_equal(e.is64, !pae);
	assert_int_equal(e.phnum_field, 0xffff);
	assert_int_equal(e.shnum, 1);
	assert_int_equal(e.nloads, N + pae);
	assert_int_equal(e.phnum, N + pae + 1);
	assert_int_equal(st.segments, e.phnum);
	for (uint64_t i = 0; i < N; i++) {
		const struct ph *ph = &e.ph[i + 1];

		assert_int_equal(ph->vaddr, base + i * PAGE);
		assert_int_equal(ph->paddr, i & 1 ? 0x3000 : 0x1000);
		assert_int_equal(ph->flags, i % 3 ? PF_R | PF_W | PF_X : PF_R | PF_X);
		assert_int_equal(e.bytes[ph->offset + 5], i & 1 ? 0x33 : 0x11);
	}
	if (pae) {
		assert_int_equal(e.ph[N + 1].vaddr, 0xfffff000u);
		assert_int_equal(e.ph[N + 1].memsz, PAGE);
	}
	/* all aliases of two pages: the file holds the memory once */
	assert_true(e.size <= e.ph[0].offset + e.ph[0].filesz + memsize + PAGE);
	out = open_path(path_in_dir(name));
	seg = kdx_dump_segments(out, &nseg);
	assert_int_equal(nseg, N + pae);
	assert_int_equal(seg[N - 1].vaddr, base + (N - 1) * PAGE);
	kdx_dump_destroy(out);
	readelf_agrees(path_in_dir(name), e.phnum, e.nloads);
	free_elf(&e);
	kdx_dump_destroy(in);
	free(bytes);
	ptb_free(p);
	remove_in_dir(name);
}

static void pn_xnum_elf64(void **state)
{
	(void)state;
	pn_xnum_case(KDX_PAGING_X86_64, "xnum64.elf");
}

static void pn_xnum_elf32(void **state)
{
	(void)state;
	pn_xnum_case(KDX_PAGING_X86_PAE, "xnum32.elf");
}

/* ---- copying from the input's file ---- */

static void write_file(const char *path, const uint8_t *bytes, size_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

static bool same_file(const char *a, const char *b)
{
	size_t na, nb;
	uint8_t *x = slurp(a, &na), *y = slurp(b, &nb);
	bool same = na == nb && !memcmp(x, y, na);

	free(x);
	free(y);
	return same;
}

/* Converting @bytes opened from memory (every byte read and written) and
 * opened from a file in @where (bytes held verbatim copied file to file:
 * copy_file_range on one file system, splice across two) gives identical
 * output files, or the same error. */
static void assert_same_from_file(const uint8_t *bytes, size_t size,
				  const char *where,
				  const struct kdx_convert_options *o)
{
	char in_path[128];
	struct kdx_dump *mem = open_memory(bytes, size), *file;
	struct kdx_error *e1, *e2;

	snprintf(in_path, sizeof(in_path), "%s/kdx-elfw-in-%d.elf", where,
		 (int)getpid());
	write_file(in_path, bytes, size);
	file = open_path(in_path);
	e1 = kdx_convert(mem, path_in_dir("from-mem.elf"), o, NULL);
	e2 = kdx_convert(file, path_in_dir("from-file.elf"), o, NULL);
	assert_int_equal(e1 != NULL, e2 != NULL);
	if (e1) {
		assert_int_equal(kdx_error_code(e1), kdx_error_code(e2));
		kdx_error_destroy(e1);
		kdx_error_destroy(e2);
	} else if (!same_file(path_in_dir("from-mem.elf"),
			      path_in_dir("from-file.elf"))) {
		fail_msg("output differs when the input (in %s) is a file", where);
	}
	kdx_dump_destroy(file);
	kdx_dump_destroy(mem);
	unlink(in_path);
	remove_in_dir("from-mem.elf");
	remove_in_dir("from-file.elf");
}

static void verbatim_copy_from_file(void **state)
{
	const char *wheres[] = { dir, "/dev/shm" };
	struct ptb *p;
	size_t psize, gsize;
	uint8_t *phys = build_physical_input(EM_X86_64, 64, KDX_LITTLE_ENDIAN,
					     &psize);
	uint8_t *paging = build_paging_input(&p, &gsize);
	struct kdx_convert_options o;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		if (access(wheres[k], W_OK))
			continue;
		elf_options(&o);
		assert_same_from_file(phys, psize, wheres[k], &o);
		o.flatten = true;
		assert_same_from_file(phys, psize, wheres[k], &o);
		elf_options(&o);
		assert_same_from_file(paging, gsize, wheres[k], &o);
		o.paging = true;
		assert_same_from_file(paging, gsize, wheres[k], &o);
		o.no_dedup = true;
		assert_same_from_file(paging, gsize, wheres[k], &o);
		/* a file cut short in its last segment */
		elf_options(&o);
		assert_same_from_file(phys, psize - 0x800, wheres[k], &o);
	}
	free(phys);
	free(paging);
	ptb_free(p);
}

/* ---- output paths ---- */

/* A flattened stream (what '-' writes) holds the same ELF. */
static void flattened_elf(void **state)
{
	size_t size;
	uint8_t *in_bytes = build_physical_input(EM_X86_64, 64,
						 KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in = open_memory(in_bytes, size), *out;
	struct kdx_convert_options o;

	(void)state;
	elf_options(&o);
	o.flatten = true;
	convert_ok(in, "flat.elf", &o, NULL);
	out = open_path(path_in_dir("flat.elf"));
	assert_string_equal(kdx_dump_format_name(out), "elf");
	assert_same_ranges(in, out);
	assert_same_bytes(in, out);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	free(in_bytes);
	remove_in_dir("flat.elf");
}

struct progress_log {
	uint64_t last, total;
	unsigned int calls;
};

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct progress_log *l = ctx;

	assert_true(done >= l->last);
	assert_true(done <= total);
	l->last = done;
	l->total = total;
	l->calls++;
}

static void progress_reaches_total(void **state)
{
	struct ptb *p;
	size_t size;
	uint8_t *in_bytes = build_paging_input(&p, &size);
	struct kdx_dump *in = open_memory(in_bytes, size);
	struct kdx_convert_options o;
	struct kdx_convert_stats st;
	struct progress_log log = { 0 };

	(void)state;
	elf_options(&o);
	o.progress = on_progress;
	o.progress_ctx = &log;
	convert_ok(in, "progress.elf", &o, &st);
	assert_true(log.calls >= 2);
	assert_int_equal(log.last, log.total);
	assert_int_equal(log.total, held_bytes(in));
	assert_int_equal(st.bytes_in, held_bytes(in));
	kdx_dump_destroy(in);
	free(in_bytes);
	ptb_free(p);
	remove_in_dir("progress.elf");
}

/* No page table, a root in a hole, a root that maps nothing, a missing
 * directory: an error, and nothing left behind. */
static void failures_leave_no_file(void **state)
{
	size_t size;
	uint8_t *in_bytes = build_physical_input(EM_X86_64, 64,
						 KDX_LITTLE_ENDIAN, &size);
	struct kdx_dump *in = open_memory(in_bytes, size);
	struct kdx_convert_options o;
	struct kdx_error *err;

	(void)state;
	assert_int_equal(mkdir(path_in_dir("fail"), 0700), 0);
	assert_int_equal(files_in_dir("fail"), 0);
	elf_options(&o);
	o.paging = true;
	err = kdx_convert(in, path_in_dir("fail/nopt.elf"), &o, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	assert_non_null(strstr(kdx_error_message(err), "page table"));
	kdx_error_destroy(err);
	assert_int_equal(files_in_dir("fail"), 0);

	o.has_root = true;
	o.root = 0x40000; /* a hole */
	err = kdx_convert(in, path_in_dir("fail/badroot.elf"), &o, NULL);
	assert_non_null(err);
	assert_non_null(strstr(kdx_error_message(err), "0x40000"));
	kdx_error_destroy(err);
	assert_int_equal(files_in_dir("fail"), 0);

	o.root = 0x20000; /* reads as zeros (p_memsz only): maps nothing */
	err = kdx_convert(in, path_in_dir("fail/empty.elf"), &o, NULL);
	assert_non_null(err);
	assert_non_null(strstr(kdx_error_message(err), "maps no"));
	kdx_error_destroy(err);
	assert_int_equal(files_in_dir("fail"), 0);

	o.paging = o.has_root = false;
	err = kdx_convert(in, path_in_dir("fail/no/such/dir.elf"), &o, NULL);
	assert_non_null(err);
	kdx_error_destroy(err);
	assert_int_equal(files_in_dir("fail"), 0);
	rmdir(path_in_dir("fail"));
	kdx_dump_destroy(in);
	free(in_bytes);
}

/* Tables that point at each other (every PML4 and PDPT entry at one
 * table, every PD entry a 2 MiB leaf at physical 0: 2^27 mappings of a
 * 64 KiB image) are cut off with an error naming where, not collected
 * into gigabytes of program headers; and no file is left. */
static void aliasing_tables_are_bounded(void **state)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 0x10000, 0x1000);
	struct mkelf_options mo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = EM_X86_64 };
	struct mkelf *m = mkelf_new(&mo);
	struct mkelf_load all = { .filesz = 0x10000, .memsz = 0x10000 };
	struct kdx_convert_options o;
	struct kdx_dump *in;
	struct kdx_error *err;
	uint8_t *bytes;
	size_t size;
	int before = files_in_dir(".");

	(void)state;
	for (unsigned int i = 0; i < 512; i++) {
		ptb_set(p, 0x1000, i, 0x2000 | 3);
		ptb_set(p, 0x2000, i, 0x3000 | 3);
		ptb_set(p, 0x3000, i, 0x83); /* P, RW, PS at physical 0 */
	}
	all.data = ptb_memory(p, &size);
	mkelf_add_load(m, &all);
	bytes = mkelf_build(m, &size);
	in = open_memory(bytes, size);
	elf_options(&o);
	o.paging = true;
	o.has_root = true;
	o.root = 0x1000;
	err = kdx_convert(in, path_in_dir("alias.elf"), &o, NULL);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	/* 16 pages: the floor of 2^20 mappings; the next is at
	 * 2^20 * 2 MiB. */
	assert_non_null(strstr(kdx_error_message(err),
			       "more than 1048576 mappings by virtual 0x20000000000"));
	assert_non_null(strstr(kdx_error_message(err), "point at each other"));
	kdx_error_destroy(err);
	assert_int_equal(files_in_dir("."), before);
	kdx_dump_destroy(in);
	free(bytes);
	mkelf_free(m);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(physical_round_trip_every_class),
		cmocka_unit_test(fractional_pages_exact),
		cmocka_unit_test(kdump_excluded_pages),
		cmocka_unit_test(many_ranges_with_tails),
		cmocka_unit_test(elf32_unless_64_bits_needed),
		cmocka_unit_test(elf32_direct_map_vaddr),
		cmocka_unit_test(physical_vaddr_in_direct_map),
		cmocka_unit_test(paging_matches_maps),
		cmocka_unit_test(paging_no_dedup),
		cmocka_unit_test(paging_filtered_kdump),
		cmocka_unit_test(pn_xnum_elf64),
		cmocka_unit_test(pn_xnum_elf32),
		cmocka_unit_test(verbatim_copy_from_file),
		cmocka_unit_test(flattened_elf),
		cmocka_unit_test(progress_reaches_total),
		cmocka_unit_test(failures_leave_no_file),
		cmocka_unit_test(aliasing_tables_are_bounded),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
