/* SPDX-License-Identifier: MIT */
/* Write the header of a dump of a very large host, as a sparse file, for
 * bench/scale.sh:
 *   mkscale kdump OUT TIB [--present | --stripes N]
 *     a kdump-compressed file (x86_64, header version 6, zlib) whose
 *     bitmaps describe TIB TiB of 4 KiB pages; six pages are dumped, at
 *     the first, second and last two pfns and two in the middle.  The
 *     bitmaps are holes of the file (pages read as holes) unless --present
 *     fills the first one (every other page excluded, as a filtered dump of
 *     a full machine has it; that writes TIB * 32 MiB), or --stripes N
 *     marks N pages present (excluded) then N not, over and over (N a
 *     multiple of 8): a map of TIB * 2^28 / N runs, what a finely
 *     filtered dump costs.
 *   mkscale elf OUT COUNT
 *     an ELF64 x86_64 core with a VMCOREINFO note and COUNT PT_LOADs of
 *     one page each, 2 MiB apart, all holding the same page of data
 *     (PN_XNUM past 0xfffe).
 * Each dumped page's pfn is printed on stdout, one per line, then the file
 * offset of its data: the script reads them back.  The kdump's header,
 * notes and page data come from mkkdump (a six-page dump), moved to where
 * the large bitmaps put them. */
#include "bytes.h"
#include "mkkdump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { NPAGES = 6, DESC_SIZE = 24, BLOCK = 4096 };

static void die(const char *what)
{
	fprintf(stderr, "mkscale: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void put_at(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n <= 0)
			die("pwrite");
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
}

static void set_bit_at(int fd, uint64_t bitmap, uint64_t pfn)
{
	uint8_t b = 0;

	if (pread(fd, &b, 1, (off_t)(bitmap + pfn / 8)) < 0)
		die("pread");
	b |= (uint8_t)(1u << (pfn % 8));
	put_at(fd, &b, 1, bitmap + pfn / 8);
}

static struct mkkdump *six_page_dump(void)
{
	struct mkkdump_options o = { .header_version = 6,
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);

	mkkdump_set_pages(m, 0, NPAGES, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-kdx\nPAGESIZE=4096\n");
	return m;
}

/* The first bitmap: all ones, or stripes of @stripe pages on and off. */
static void fill_present(int fd, uint64_t bitmap, uint64_t bytes,
			 uint64_t stripe)
{
	static uint8_t ones[1 << 20];

	memset(ones, 0xff, sizeof(ones));
	for (size_t i = 0; stripe && i < sizeof(ones); i++)
		if (i * 8 / stripe % 2)
			ones[i] = 0;
	for (uint64_t at = 0; at < bytes; at += sizeof(ones))
		put_at(fd, ones,
		       bytes - at < sizeof(ones) ? (size_t)(bytes - at) :
						   sizeof(ones),
		       bitmap + at);
}

static int make_kdump(const char *out, uint64_t tib, bool present,
		      uint64_t stripe)
{
	uint64_t max_mapnr = tib << (40 - 12);
	uint64_t pfns[NPAGES] = { 0, 1, max_mapnr / 3, max_mapnr / 2 + 9,
				  max_mapnr - 2, max_mapnr - 1 };
	struct mkkdump *m = six_page_dump();
	size_t size;
	uint8_t *small = mkkdump_build(m, &size);
	uint64_t bitmap = mkkdump_bitmap_offset(m);
	uint64_t old_descs = mkkdump_desc_table_offset(m);
	uint64_t one = ((max_mapnr + 7) / 8 + BLOCK - 1) / BLOCK * BLOCK;
	uint64_t descs = bitmap + 2 * one, delta = descs - old_descs;
	uint64_t data = old_descs + NPAGES * DESC_SIZE;
	int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(out);
	mkkdump_patch(m, small,
		      mkkdump_field_offset(m, MKKDUMP_F_BITMAP_BLOCKS),
		      2 * one / BLOCK, 4);
	mkkdump_patch(m, small, mkkdump_field_offset(m, MKKDUMP_F_MAX_MAPNR),
		      max_mapnr > UINT32_MAX ? UINT32_MAX : max_mapnr, 4);
	mkkdump_patch(m, small,
		      mkkdump_field_offset(m, MKKDUMP_F_MAX_MAPNR_64),
		      max_mapnr, 8);
	if (ftruncate(fd, (off_t)(size + delta)) != 0)
		die("ftruncate");
	put_at(fd, small, (size_t)bitmap, 0);
	if (present)
		fill_present(fd, bitmap, one, stripe);
	for (int i = 0; i < NPAGES; i++) {
		uint8_t d[DESC_SIZE] = { 0 };

		set_bit_at(fd, bitmap, pfns[i]);
		set_bit_at(fd, bitmap + one, pfns[i]);
		put64(d, mkkdump_data_offset(m, (uint64_t)i) + delta, KDX_LITTLE_ENDIAN);
		put32(d + 8, mkkdump_stored_size(m, (uint64_t)i), KDX_LITTLE_ENDIAN);
		put32(d + 12, mkkdump_stored_flags(m, (uint64_t)i), KDX_LITTLE_ENDIAN);
		put_at(fd, d, sizeof(d), descs + (uint64_t)i * DESC_SIZE);
		printf("0x%llx\n", (unsigned long long)pfns[i]);
	}
	put_at(fd, small + data, (size_t)(size - data), data + delta);
	if (close(fd) != 0)
		die("close");
	free(small);
	mkkdump_free(m);
	return 0;
}

enum { EHDR = 64, PHDR = 56, SHDR = 64, PT_LOAD = 1, PT_NOTE = 4, PN_XNUM = 0xffff };

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-kdx\nPAGESIZE=4096\n";

/* The PT_NOTE's bytes: one "VMCOREINFO" note (name and text padded to
 * 4 bytes); its size. */
static size_t vmcoreinfo_note(uint8_t *n)
{
	size_t text = sizeof(vmcoreinfo) - 1;

	put32(n, 11, KDX_LITTLE_ENDIAN);
	put32(n + 4, (uint32_t)text, KDX_LITTLE_ENDIAN);
	memcpy(n + 12, "VMCOREINFO", 11);
	memcpy(n + 24, vmcoreinfo, text);
	return 24 + (text + 3) / 4 * 4;
}

static void elf_header(uint8_t *e, uint64_t count)
{
	memcpy(e, "\177ELF\2\1\1", 7);
	put16(e + 16, 4, KDX_LITTLE_ENDIAN);  /* ET_CORE */
	put16(e + 18, 62, KDX_LITTLE_ENDIAN); /* EM_X86_64 */
	put32(e + 20, 1, KDX_LITTLE_ENDIAN);
	put64(e + 32, EHDR, KDX_LITTLE_ENDIAN);  /* e_phoff */
	put64(e + 40, count >= PN_XNUM ? EHDR + count * PHDR : 0, KDX_LITTLE_ENDIAN);
	put16(e + 52, EHDR, KDX_LITTLE_ENDIAN);
	put16(e + 54, PHDR, KDX_LITTLE_ENDIAN);
	put16(e + 56, (uint16_t)(count >= PN_XNUM ? PN_XNUM : count),
	      KDX_LITTLE_ENDIAN);
	put16(e + 58, SHDR, KDX_LITTLE_ENDIAN);
	put16(e + 60, count >= PN_XNUM ? 1 : 0, KDX_LITTLE_ENDIAN);
}

static int make_elf(const char *out, uint64_t loads)
{
	uint64_t count = loads + 1, shdr = EHDR + count * PHDR;
	uint8_t note[128] = { 0 };
	size_t note_size = vmcoreinfo_note(note);
	uint64_t data = (shdr + SHDR + sizeof(note) + BLOCK - 1) / BLOCK * BLOCK;
	uint8_t e[EHDR] = { 0 }, s[SHDR] = { 0 }, ph[PHDR], page[BLOCK];
	FILE *f = fopen(out, "wb");

	if (!f)
		die(out);
	elf_header(e, count);
	fwrite(e, 1, sizeof(e), f);
	memset(ph, 0, sizeof(ph));
	put32(ph, PT_NOTE, KDX_LITTLE_ENDIAN);
	put64(ph + 8, shdr + SHDR, KDX_LITTLE_ENDIAN);
	put64(ph + 32, note_size, KDX_LITTLE_ENDIAN);
	fwrite(ph, 1, sizeof(ph), f);
	for (uint64_t i = 0; i < loads; i++) {
		memset(ph, 0, sizeof(ph));
		put32(ph, PT_LOAD, KDX_LITTLE_ENDIAN);
		put32(ph + 4, 7, KDX_LITTLE_ENDIAN);
		put64(ph + 8, data, KDX_LITTLE_ENDIAN);
		put64(ph + 16, i << 21, KDX_LITTLE_ENDIAN);
		put64(ph + 24, i << 21, KDX_LITTLE_ENDIAN);
		put64(ph + 32, BLOCK, KDX_LITTLE_ENDIAN);
		put64(ph + 40, BLOCK, KDX_LITTLE_ENDIAN);
		fwrite(ph, 1, sizeof(ph), f);
	}
	put32(s + 44, (uint32_t)count, KDX_LITTLE_ENDIAN); /* sh_info: the real e_phnum */
	fwrite(s, 1, sizeof(s), f);
	fwrite(note, 1, note_size, f);
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + 1);
	if (fseek(f, (long)data, SEEK_SET) != 0)
		die("fseek");
	fwrite(page, 1, sizeof(page), f);
	if (fclose(f) != 0)
		die("write");
	printf("0x0\n0x%llx\n", (unsigned long long)((loads - 1) << 9));
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long n;

	if (argc < 4 || (n = strtoull(argv[3], NULL, 0)) == 0 ||
	    (strcmp(argv[1], "kdump") && strcmp(argv[1], "elf"))) {
		fprintf(stderr, "usage: mkscale kdump OUT TIB [--present | --stripes N]\n"
				"       mkscale elf OUT COUNT\n");
		return 2;
	}
	if (!strcmp(argv[1], "elf"))
		return n > UINT32_MAX ? 2 : make_elf(argv[2], n);
	if (n > 1024) {
		fprintf(stderr, "mkscale: at most 1024 TiB\n");
		return 2;
	}
	if (argc > 5 && !strcmp(argv[4], "--stripes")) {
		unsigned long long stripe = strtoull(argv[5], NULL, 0);

		if (!stripe || stripe % 8 || (1u << 23) % stripe) {
			fprintf(stderr, "mkscale: --stripes N: a power of two, 8 to 2^23\n");
			return 2;
		}
		return make_kdump(argv[2], n, true, stripe);
	}
	return make_kdump(argv[2], n, argc > 4 && !strcmp(argv[4], "--present"), 0);
}
