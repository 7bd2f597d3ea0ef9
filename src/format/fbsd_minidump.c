/* SPDX-License-Identifier: MIT */
/* FreeBSD kernel minidumps (see fbsd_minidump.h): the header, the
 * regions, dump_avail, and physical memory from the page bitmap. */
#include "format/fbsd_minidump.h"

#include "format/format.h"

#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_PREFIX "minidump FreeBSD/"
#define MAGIC_LEN 24
/* The largest header any version has (arm64 v3: flags at 76). */
#define HEADER_BYTES 144

/* sys/<arch>/include/minidump.h, every version. */
static const struct fbsd_header_row rows[] = {
	{ .magic = "minidump FreeBSD/amd64", .arch_name = "amd64",
	  .arch = KDX_ARCH_X86_64, .max_version = 3, .word_size = 8,
	  .kernbase_size = 8, .dmapbase_off = 48, .dmapend_off = 56,
	  .avail_off = 64, .avail_since = 3 },
	{ .magic = "minidump FreeBSD/i386", .arch_name = "i386",
	  .arch = KDX_ARCH_I386, .max_version = 2, .word_size = 4,
	  .kernbase_size = 4, .mode_off = 44, .avail_off = 48,
	  .avail_since = 2 },
	{ .magic = "minidump FreeBSD/arm", .arch_name = "arm",
	  .arch = KDX_ARCH_ARM, .bi_endian = true, .max_version = 2,
	  .word_size = 4, .kernbase_size = 4, .mode_off = 48,
	  .avail_off = 52, .avail_since = 2 },
	{ .magic = "minidump FreeBSD/arm64", .arch_name = "arm64",
	  .arch = KDX_ARCH_AARCH64, .max_version = 3, .word_size = 8,
	  .kernbase_size = 8, .dmapphys_off = 48, .dmapbase_off = 56,
	  .dmapend_off = 64, .avail_off = 72, .avail_since = 2,
	  .flags_off = 76, .flags_since = 3 },
	{ .magic = "minidump FreeBSD/riscv", .arch_name = "riscv",
	  .arch = KDX_ARCH_RISCV64, .max_version = 2, .word_size = 8,
	  .kernbase_size = 8, .dmapphys_off = 48, .dmapbase_off = 56,
	  .dmapend_off = 64, .avail_off = 72, .avail_since = 2 },
	/* sys/powerpc/include/minidump.h: big-endian, or little-endian
	 * (powerpc64le); kernend, hw_direct_map, startkernel and endkernel
	 * are not needed to translate. */
	{ .magic = "minidump FreeBSD/powerpc64", .arch_name = "powerpc64",
	  .arch = KDX_ARCH_PPC64, .bi_endian = true, .max_version = 2,
	  .word_size = 8, .kernbase_size = 8, .fields_off = 40, .mmu_off = 32,
	  .dmapbase_off = 96, .dmapend_off = 104, .avail_off = 136,
	  .avail_since = 2, .dmapend_inclusive = true },
	/* sys/mips/include/minidump.h: either byte order; the same header
	 * for 32- and 64-bit kernels (kernbase says which); dmapbase and
	 * dmapend are never written (KSEG0/XKPHYS are the architecture's). */
	{ .magic = "minidump FreeBSD/mips", .arch_name = "mips",
	  .arch = KDX_ARCH_MIPS, .bi_endian = true, .max_version = 2,
	  .word_size = 0, .kernbase_size = 8, .avail_off = 64,
	  .avail_since = 2 },
};

/* More runs of dumped pages than this and physical reads go through the
 * rank index instead of one map entry per run. */
#define MAX_FILE_PIECES (1u << 20)
/* The version string is looked for in this much page data at most. */
#define RELEASE_SCAN_BYTES (64ull << 20)

/* sys/sys/kerneldump.h (version 4): a 512-byte header, fields
 * big-endian, before and after the dump on a dump device. */
#define KDH_MAGIC "FreeBSD Kernel Dump"
#define KDH_TEXT_MAGIC "FreeBSD Text Dump"
#define KDH_SIZE 512

static bool is_kdh(const uint8_t *h)
{
	return !memcmp(h, KDH_MAGIC, sizeof(KDH_MAGIC));
}

static bool fbsd_probe(const uint8_t *head, size_t len)
{
	if (len >= sizeof(KDH_MAGIC) && is_kdh(head))
		return true;
	return len >= sizeof(MAGIC_PREFIX) - 1 &&
	       !memcmp(head, MAGIC_PREFIX, sizeof(MAGIC_PREFIX) - 1);
}

/* A NUL-terminated printable copy of a header string field. */
static void copy_text(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

/* The kerneldumpheader at @at: where the dump is.  Leading (at the
 * start of what was written): the dump follows one block (and the
 * encryption key) later; trailing (at the end of the device): the dump
 * ends where it starts. */
static struct kdx_error *read_kdh(struct fbsd_minidump *md, uint64_t at,
				  bool leading, uint64_t file_size)
{
	uint8_t k[KDH_SIZE];
	uint32_t version, keysize, blocksize;
	uint64_t length;
	struct kdx_error *err = kdx_file_read(md->file, at, k, sizeof(k));

	if (err)
		return err;
	if (!memcmp(k, KDH_TEXT_MAGIC, sizeof(KDH_TEXT_MAGIC)))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kerneldumpheader at offset 0x%llx: a textdump (a tar of ddb output), not a memory dump",
			       (unsigned long long)at);
	if (!is_kdh(k))
		return kdx_err(KDX_ERR_NOTFOUND,
			       "no minidump header at offset 0 and no kerneldumpheader at offset 0x%llx",
			       (unsigned long long)at);
	version = kdx_load_u32(k + 32, KDX_BIG_ENDIAN);
	length = kdx_load_u64(k + 40, KDX_BIG_ENDIAN);
	keysize = kdx_load_u32(k + 56, KDX_BIG_ENDIAN);
	blocksize = kdx_load_u32(k + 60, KDX_BIG_ENDIAN);
	if (version != 4)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kerneldumpheader at offset 0x%llx: version %u (kdx reads 4)",
			       (unsigned long long)at, version);
	if (k[495])
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kerneldumpheader at offset 0x%llx: the dump is compressed (%s) on the dump device, and kdx finds the stream only after a header at offset 0; run savecore, which keeps it as vmcore.N.gz or .zst, and open that",
			       (unsigned long long)at,
			       k[495] == 1 ? "gzip" : k[495] == 2 ? "zstd" : "unknown method");
	if (keysize)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kerneldumpheader at offset 0x%llx: the dump is encrypted (a %u-byte key)",
			       (unsigned long long)at, keysize);
	if (blocksize < KDH_SIZE || blocksize > (1u << 20) || blocksize % KDH_SIZE)
		return kdx_err(KDX_ERR_CORRUPT,
			       "kerneldumpheader at offset 0x%llx: block size %u",
			       (unsigned long long)at, blocksize);
	md->base = leading ? at + blocksize : at - kdx_min_u64(at, length);
	if (md->base > file_size || length > file_size - md->base ||
	    (!leading && length > at))
		return kdx_err(KDX_ERR_CORRUPT,
			       "kerneldumpheader at offset 0x%llx: 0x%llx bytes of dump from offset 0x%llx run past the file (0x%llx bytes)",
			       (unsigned long long)at, (unsigned long long)length,
			       (unsigned long long)md->base,
			       (unsigned long long)file_size);
	md->end = md->base + length;
	md->kdh = true;
	copy_text(md->kdh_hostname, k + 64, 64);
	copy_text(md->kdh_version, k + 128, 192);
	copy_text(md->kdh_panic, k + 320, 175);
	return NULL;
}

bool kdx_fbsd_compressed_device(const struct kdx_file *file, uint64_t *start,
				uint64_t *length, unsigned int *codec)
{
	uint8_t k[KDH_SIZE];
	uint64_t size = kdx_file_size(file);
	struct kdx_error *err = kdx_file_read(file, 0, k, sizeof(k));

	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	if (!is_kdh(k) || kdx_load_u32(k + 32, KDX_BIG_ENDIAN) != 4 ||
	    (k[495] != 1 && k[495] != 2))
		return false;
	*start = KDH_SIZE;
	*length = kdx_load_u64(k + 40, KDX_BIG_ENDIAN);
	*codec = k[495];
	return *length <= size - KDH_SIZE;
}

/* Where the minidump is: the whole file, or inside kerneldumpheaders. */
static struct kdx_error *find_dump(struct fbsd_minidump *md)
{
	uint64_t size = kdx_file_size(md->file);
	uint8_t head[32] = { 0 };
	size_t got;
	struct kdx_error *err = kdx_file_read_some(md->file, 0, head,
						   sizeof(head), &got);

	md->base = 0;
	md->end = size;
	if (err)
		return err;
	if (got >= sizeof(KDH_MAGIC) && is_kdh(head))
		return read_kdh(md, 0, true, size);
	if (!memcmp(head, MAGIC_PREFIX, sizeof(MAGIC_PREFIX) - 1) ||
	    size < KDH_SIZE)
		return NULL;
	/* A dump device's image: the last header says where the dump is. */
	return read_kdh(md, size - KDH_SIZE, false, size);
}

/* find_dump() for a dump device holding a full dump: the leading header,
 * or in a plain file the trailing one. */
static bool find_wrapped(struct fbsd_minidump *md)
{
	uint64_t fd_off, len, size = kdx_file_size(md->file);
	uint8_t head[sizeof(KDH_MAGIC)] = { 0 };
	size_t got;
	struct kdx_error *err = kdx_file_read_some(md->file, 0, head,
						   sizeof(head), &got);

	if (!err && got == sizeof(head) && is_kdh(head))
		err = read_kdh(md, 0, true, size);
	else if (!err && size >= 2 * KDH_SIZE &&
		 kdx_file_extent(md->file, 0, 1, &fd_off, &len) >= 0)
		err = read_kdh(md, size - KDH_SIZE, false, size);
	else if (!err)
		return false;
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	return md->kdh;
}

bool kdx_fbsd_wrapped_elf(const struct kdx_file *file, uint64_t *start,
			  uint64_t *length)
{
	struct fbsd_minidump md = { .file = file };
	uint8_t magic[4];
	struct kdx_error *err;

	if (!find_wrapped(&md) || md.end - md.base < 64)
		return false;
	err = kdx_file_read(file, md.base, magic, sizeof(magic));
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	*start = md.base;
	*length = md.end - md.base;
	return !memcmp(magic, "\177ELF", 4);
}

static bool has_detail(const struct kdx_dump_desc *desc, const char *key)
{
	for (size_t i = 0; i < desc->detail_count; i++)
		if (!strcmp(desc->details[i].key, key))
			return true;
	return false;
}

void kdx_fbsd_kdh_details(const struct kdx_file *file,
			  struct kdx_dump_desc *desc)
{
	struct fbsd_minidump md = { .file = file };

	if (!find_wrapped(&md))
		return;
	kdx_desc_add_detail(desc, "kerneldumpheader",
			    "full dump (ELF) at offset 0x%llx, 0x%llx bytes",
			    (unsigned long long)md.base,
			    (unsigned long long)(md.end - md.base));
	if (md.kdh_hostname[0])
		kdx_desc_add_detail(desc, "hostname", "%s", md.kdh_hostname);
	/* The scan of memory found it already, or this is all there is. */
	if (md.kdh_version[0] && !has_detail(desc, "os_release"))
		kdx_desc_add_detail(desc, "os_release", "%s", md.kdh_version);
	if (md.kdh_panic[0])
		kdx_desc_add_detail(desc, "panic", "%s", md.kdh_panic);
}

static const struct fbsd_header_row *find_row(const uint8_t *magic)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(rows); i++) {
		size_t n = strlen(rows[i].magic);

		/* The whole 24 bytes: "arm" must not match "arm64". */
		if (!memcmp(magic, rows[i].magic, n) && magic[n] == '\0')
			return &rows[i];
	}
	return NULL;
}

static uint64_t round_to(uint64_t v, uint64_t page)
{
	return (v + page - 1) / page * page;
}

static uint32_t field32(const struct fbsd_minidump *md, const uint8_t *h,
			unsigned int off)
{
	return off ? kdx_load_u32(h + off, md->byte_order) : 0;
}

static uint64_t field64(const struct fbsd_minidump *md, const uint8_t *h,
			unsigned int off)
{
	return off ? kdx_load_u64(h + off, md->byte_order) : 0;
}

/* The byte order: little-endian, except an arm or powerpc64 dump whose
 * version only makes sense read big-endian (armeb, powerpc64 as opposed
 * to powerpc64le).  A version that makes sense neither way is read the
 * way that gives the smaller number, so the error shows what was
 * probably meant. */
static void pick_byte_order(struct fbsd_minidump *md, const uint8_t *h)
{
	const uint8_t *v = h + 24 + md->row->fields_off;
	uint32_t le = kdx_load_u32(v, KDX_LITTLE_ENDIAN);
	uint32_t be = kdx_load_u32(v, KDX_BIG_ENDIAN);
	bool le_ok = le >= 1 && le <= md->row->max_version;
	bool be_ok = be >= 1 && be <= md->row->max_version;

	md->byte_order = KDX_LITTLE_ENDIAN;
	if (md->row->bi_endian && !le_ok && (be_ok || (le && be < le)))
		md->byte_order = KDX_BIG_ENDIAN;
}

static struct kdx_error *read_page_size(struct fbsd_minidump *md)
{
	unsigned int ps = md->flags & 3;

	md->page_size = 4096;
	if (!md->row->flags_off || md->version < md->row->flags_since || ps == 0)
		return NULL;
	if (ps == 1) {
		md->page_size = 16384;
		return NULL;
	}
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "minidump header at offset 0x%x: flags 0x%x give page size code %u (%s), which kdx does not read",
		       md->row->flags_off, md->flags, ps,
		       ps == 2 ? "64 KiB" : "unknown");
}

static struct kdx_error *parse_header(struct fbsd_minidump *md,
				      const struct kdx_file *file)
{
	uint8_t h[HEADER_BYTES] = { 0 };
	size_t got;
	struct kdx_error *err;
	const struct fbsd_header_row *row;

	err = find_dump(md);
	if (err)
		return err;
	err = kdx_file_read_some(file, md->base, h, sizeof(h), &got);
	if (err)
		return err;
	got = (size_t)kdx_min_u64(got, md->end - md->base);
	if (got < 48)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header at offset 0x%llx: the dump has only %zu bytes",
			       (unsigned long long)md->base, got);
	if (memcmp(h, MAGIC_PREFIX, sizeof(MAGIC_PREFIX) - 1))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "offset 0x%llx: the kerneldumpheader wraps neither a minidump nor a full dump (an ELF core)",
			       (unsigned long long)md->base);
	row = find_row(h);
	if (!row)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "minidump header at offset 0x%llx: magic \"%.24s\" names an architecture kdx cannot read yet",
			       (unsigned long long)md->base, (const char *)h);
	md->row = row;
	pick_byte_order(md, h);
	md->version = field32(md, h, 24 + row->fields_off);
	if (md->version < 1 || md->version > row->max_version)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "minidump header at offset 0x%x: FreeBSD/%s minidump version %u (kdx reads 1 to %u)",
			       24 + row->fields_off, row->arch_name, md->version,
			       row->max_version);
	md->msgbufsize = field32(md, h, 28 + row->fields_off);
	md->bitmapsize = field32(md, h, 32 + row->fields_off);
	md->pmapsize = field32(md, h, 36 + row->fields_off);
	md->kernbase = row->kernbase_size == 8 ?
			       field64(md, h, 40 + row->fields_off) :
			       field32(md, h, 40 + row->fields_off);
	md->word_size = row->word_size;
	md->addr32 = row->kernbase_size == 4;
	if (!row->word_size) {
		/* mips: a 32-bit kernel's kernbase is below 4 GiB. */
		md->addr32 = md->kernbase <= UINT32_MAX;
		md->word_size = md->addr32 ? 4 : 8;
	}
	if (row->mmu_off)
		copy_text(md->mmu_name, h + row->mmu_off, 32);
	md->dmapphys = field64(md, h, row->dmapphys_off);
	md->dmapbase = field64(md, h, row->dmapbase_off);
	md->dmapend = field64(md, h, row->dmapend_off);
	if (row->dmapend_inclusive && md->dmapend && md->dmapend != UINT64_MAX)
		md->dmapend++; /* one past the end, as elsewhere */
	md->has_dmap = row->dmapbase_off && md->dmapend > md->dmapbase;
	md->mode_field = field32(md, h, row->mode_off);
	if (md->version >= row->avail_since)
		md->dumpavailsize = field32(md, h, row->avail_off);
	if (row->flags_off && md->version >= row->flags_since)
		md->flags = field32(md, h, row->flags_off);
	return read_page_size(md);
}

/* Region offsets, each checked against the file's size. */
static struct kdx_error *check_region(const char *what, uint64_t off,
				      uint64_t size, uint64_t file_size)
{
	if (off > file_size || size > file_size - off)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump %s: 0x%llx bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
			       what, (unsigned long long)size,
			       (unsigned long long)off,
			       (unsigned long long)file_size);
	return NULL;
}

static struct kdx_error *lay_out(struct fbsd_minidump *md, uint64_t file_size)
{
	uint64_t p = md->page_size;
	struct kdx_error *err;

	md->msgbuf_off = md->base + p;
	md->dumpavail_off = md->msgbuf_off + round_to(md->msgbufsize, p);
	md->bitmap_off = md->dumpavail_off + round_to(md->dumpavailsize, p);
	md->pmap_off = md->bitmap_off + round_to(md->bitmapsize, p);
	md->sparse_off = md->pmap_off + round_to(md->pmapsize, p);
	err = check_region("message buffer", md->msgbuf_off, md->msgbufsize,
			   file_size);
	if (!err)
		err = check_region("dump_avail", md->dumpavail_off,
				   md->dumpavailsize, file_size);
	if (!err)
		err = check_region("page bitmap", md->bitmap_off,
				   md->bitmapsize, file_size);
	if (!err)
		err = check_region("page-table area", md->pmap_off,
				   md->pmapsize, file_size);
	/* A flattened stream's records may leave bytes unwritten (zeros): a
	 * few records could claim a gigabyte of bitmap or page-table area,
	 * copied and scanned at every open (fuzz_fbsd_minidump: 1.2 GB and
	 * seconds).  FreeBSD writes both whole. */
	if (!err)
		err = kdx_file_check_written(md->file, "minidump page bitmap",
					     md->bitmap_off, md->bitmapsize);
	if (!err)
		err = kdx_file_check_written(md->file,
					     "minidump page-table area",
					     md->pmap_off, md->pmapsize);
	if (!err && md->bitmapsize % md->word_size)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "minidump header at offset 0x%x: bitmap size 0x%x is not a whole number of %u-byte words",
			      32 + md->row->fields_off, md->bitmapsize,
			      md->word_size);
	return err;
}

/* ---- dump_avail ---- */

static struct kdx_error *push_avail(struct fbsd_minidump *md, size_t *cap,
				    uint64_t start, uint64_t end,
				    uint64_t *next_bit)
{
	uint64_t p = md->page_size, pages = round_to(end, p) / p - start / p;
	struct fbsd_avail a = { start, end, *next_bit };

	if (!kdx_array_push((void **)&md->avail, &md->navail, cap, &a,
			    sizeof(a)))
		return kdx_err_nomem();
	*next_bit += pages;
	return NULL;
}

static struct kdx_error *read_avail(struct fbsd_minidump *md)
{
	uint64_t bits = 0, prev_end = 0;
	size_t cap = 0, n = md->dumpavailsize / 16;
	uint8_t chunk[4096];
	struct kdx_error *err;

	if (!md->dumpavailsize)
		/* Older versions: the bitmap numbers every page from 0. */
		return push_avail(md, &cap, 0,
				  (uint64_t)md->bitmapsize * 8 * md->page_size,
				  &bits);
	for (size_t i = 0; i < n; i++) {
		uint64_t off = md->dumpavail_off + i * 16, start, end;
		const uint8_t *pair = chunk + i * 16 % sizeof(chunk);

		/* A page of pairs at a time: the kernel's array is one. */
		if (i * 16 % sizeof(chunk) == 0) {
			err = kdx_file_read(md->file, off, chunk,
					    (size_t)kdx_min_u64(sizeof(chunk),
								(n - i) * 16));
			if (err)
				return err;
		}
		start = kdx_load_u64(pair, md->byte_order);
		end = kdx_load_u64(pair + 8, md->byte_order);
		if (end == 0)
			break;
		if (end <= start || start < prev_end || end > UINT64_MAX - md->page_size)
			return kdx_err(KDX_ERR_CORRUPT,
				       "minidump dump_avail entry %zu at offset 0x%llx: [0x%llx, 0x%llx) is empty, out of order or overlaps the one before",
				       i, (unsigned long long)off,
				       (unsigned long long)start,
				       (unsigned long long)end);
		err = push_avail(md, &cap, start, end, &bits);
		if (err)
			return err;
		prev_end = end;
	}
	if (!md->navail)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump dump_avail at offset 0x%llx: no range",
			       (unsigned long long)md->dumpavail_off);
	return NULL;
}

/* ---- The bitmap's rank index ---- */

/* Bits 64 * @i.. of the bitmap in @chunk: the kernel's bitset is an
 * array of longs in its byte order, bit i being bit i % n of long i / n;
 * two 32-bit longs make one 64-bit host word, low first. */
static uint64_t load_word(const struct fbsd_minidump *md, const uint8_t *p)
{
	if (md->word_size == 4)
		return kdx_load_u32(p, md->byte_order) |
		       (uint64_t)kdx_load_u32(p + 4, md->byte_order) << 32;
	return kdx_load_u64(p, md->byte_order);
}

static uint64_t rank_word(const struct fbsd_rank *r, uint64_t i)
{
	uint64_t w;

	memcpy(&w, r->bits + i * 8, 8);
	return w;
}

/* The bitmap in host-order words, copied from the file in chunks. */
static struct kdx_error *copy_bits(struct fbsd_minidump *md)
{
	struct fbsd_rank *r = &md->rank;
	uint8_t chunk[8192];

	r->copy = malloc((r->nwords ? r->nwords : 1) * 8);
	if (!r->copy)
		return kdx_err_nomem();
	r->bits = r->copy;
	for (uint64_t w = 0; w < r->nwords;) {
		uint64_t n = kdx_min_u64(r->nwords - w, sizeof(chunk) / 8);
		uint64_t bytes = kdx_min_u64(n * 8, md->bitmapsize - w * 8);
		struct kdx_error *err;

		/* A 32-bit kernel's bitmap may end half-way in a word. */
		memset(chunk + bytes, 0, n * 8 - bytes);
		err = kdx_file_read(md->file, md->bitmap_off + w * 8, chunk, bytes);
		if (err)
			return kdx_err_wrap(err, "minidump page bitmap");
		for (uint64_t i = 0; i < n; i++, w++) {
			uint64_t v = load_word(md, chunk + i * 8);

			memcpy(r->copy + w * 8, &v, 8);
		}
	}
	return NULL;
}

/* A little-endian bitmap of whole 64-bit words is already host order on
 * a little-endian host (two 32-bit longs, low first, are one such word):
 * where the file lies in memory (mapped, or the caller's buffer) it is
 * used in place.  A 12 TiB host's bitmap is 384 MiB. */
static bool bits_in_place(const struct fbsd_minidump *md)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return md->byte_order == KDX_LITTLE_ENDIAN && md->bitmapsize % 8 == 0 &&
	       md->bitmapsize > 0;
#else
	(void)md;
	return false;
#endif
}

static struct kdx_error *build_rank(struct fbsd_minidump *md)
{
	struct fbsd_rank *r = &md->rank;
	uint64_t total = 0, nblocks;
	struct kdx_error *err = NULL;

	r->nwords = (md->bitmapsize + 7ull) / 8;
	nblocks = r->nwords / FBSD_RANK_BLOCK + 1;
	r->block = malloc(nblocks * 8);
	if (!r->block)
		return kdx_err_nomem();
	if (bits_in_place(md))
		r->bits = kdx_file_view(md->file, md->bitmap_off, md->bitmapsize);
	if (!r->bits)
		err = copy_bits(md);
	if (err)
		return err;
	for (uint64_t b = 0; b < nblocks; b++) {
		uint64_t first = b * FBSD_RANK_BLOCK;
		uint64_t n = kdx_min_u64(FBSD_RANK_BLOCK, r->nwords - first);

		r->block[b] = total;
		total += kdx_popcount(r->bits + first * 8, (size_t)n * 8);
	}
	r->total = total;
	return NULL;
}

static bool bit_set(const struct fbsd_rank *r, uint64_t bit)
{
	return bit / 64 < r->nwords && (rank_word(r, bit / 64) >> (bit % 64) & 1);
}

/* Set bits before @bit: one block count and at most seven popcounts. */
static uint64_t rank_of(const struct fbsd_rank *r, uint64_t bit)
{
	uint64_t w = bit / 64, n = r->block[w / FBSD_RANK_BLOCK];

	for (uint64_t i = w - w % FBSD_RANK_BLOCK; i < w; i++)
		n += (uint64_t)__builtin_popcountll(rank_word(r, i));
	if (bit % 64)
		n += (uint64_t)__builtin_popcountll(rank_word(r, w) &
						    ((1ull << (bit % 64)) - 1));
	return n;
}

static const struct fbsd_avail *avail_of(const struct fbsd_minidump *md,
					 uint64_t pa)
{
	size_t lo = 0, hi = md->navail;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pa >= round_to(md->avail[mid].end, md->page_size))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == md->navail ||
	    pa / md->page_size < md->avail[lo].start / md->page_size)
		return NULL;
	return &md->avail[lo];
}

bool kdx_fbsd_page_offset(const struct fbsd_minidump *md, uint64_t pa,
			  uint64_t *offset)
{
	const struct fbsd_avail *a = avail_of(md, pa);
	uint64_t bit;

	if (!a)
		return false;
	bit = a->first_bit + pa / md->page_size - a->start / md->page_size;
	if (!bit_set(&md->rank, bit))
		return false;
	*offset = md->sparse_off + rank_of(&md->rank, bit) * md->page_size;
	return true;
}

static struct kdx_error *check_pages(const struct fbsd_minidump *md,
				     uint64_t file_size)
{
	uint64_t need;

	if (kdx_mul_overflows(md->rank.total, md->page_size, &need) ||
	    need > file_size - md->sparse_off)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump page bitmap at offset 0x%llx: it marks %llu pages (0x%llx bytes from offset 0x%llx) but the file holds only 0x%llx bytes there",
			       (unsigned long long)md->bitmap_off,
			       (unsigned long long)md->rank.total,
			       (unsigned long long)(md->rank.total * md->page_size),
			       (unsigned long long)md->sparse_off,
			       (unsigned long long)(file_size - md->sparse_off));
	return NULL;
}

/* ---- Physical memory ---- */

/* Block @b's words hold no bit of @value: its count is 0 (or all). */
static bool block_without(const struct fbsd_rank *r, uint64_t b, bool value)
{
	uint64_t first = b * FBSD_RANK_BLOCK;
	uint64_t n = kdx_min_u64(FBSD_RANK_BLOCK, r->nwords - first);
	uint64_t next = first + FBSD_RANK_BLOCK < r->nwords ? r->block[b + 1] :
							      r->total;
	uint64_t set = next - r->block[b];

	return value ? set == 0 : set == n * 64;
}

/* First bit in [@bit, @end) equal to @value, or @end. */
static uint64_t next_bit(const struct fbsd_rank *r, uint64_t bit, uint64_t end,
			 bool value)
{
	while (bit < end) {
		uint64_t i = bit / 64;
		uint64_t w;

		/* Whole blocks of one value are skipped by their counts. */
		if (bit % (64 * FBSD_RANK_BLOCK) == 0 && i < r->nwords &&
		    block_without(r, i / FBSD_RANK_BLOCK, value)) {
			bit += 64 * FBSD_RANK_BLOCK;
			continue;
		}
		w = i < r->nwords ? rank_word(r, i) : 0;

		w = (value ? w : ~w) >> (bit % 64);
		if (w)
			return kdx_min_u64(bit + (uint64_t)__builtin_ctzll(w), end);
		bit = (bit / 64 + 1) * 64;
	}
	return end;
}

/* Call @fn for every run of dumped pages; stops at its error. */
static struct kdx_error *
for_each_run(const struct fbsd_minidump *md,
	     struct kdx_error *(*fn)(void *arg, uint64_t pa, uint64_t pages,
				     uint64_t rank),
	     void *arg)
{
	const struct fbsd_rank *r = &md->rank;
	uint64_t limit = r->nwords * 64;

	for (size_t i = 0; i < md->navail; i++) {
		const struct fbsd_avail *a = &md->avail[i];
		uint64_t p = md->page_size, base = a->start / p;
		uint64_t end = a->first_bit + round_to(a->end, p) / p - base;
		uint64_t bit = a->first_bit;

		end = kdx_min_u64(end, limit);
		while (bit < end) {
			uint64_t s = next_bit(r, bit, end, true), e;
			struct kdx_error *err;

			if (s == end)
				break;
			e = next_bit(r, s, end, false);
			err = fn(arg, (base + s - a->first_bit) * p, e - s,
				 rank_of(r, s));
			if (err)
				return err;
			bit = e;
		}
	}
	return NULL;
}

static struct kdx_error *count_run(void *arg, uint64_t pa, uint64_t pages,
				   uint64_t rank)
{
	(void)pa;
	(void)pages;
	(void)rank;
	++*(uint64_t *)arg;
	return NULL;
}

struct add_ctx {
	const struct fbsd_minidump *md;
	struct kdx_dump_desc *desc;
};

static struct kdx_error *add_run(void *arg, uint64_t pa, uint64_t pages,
				 uint64_t rank)
{
	struct add_ctx *c = arg;
	uint32_t p = c->md->page_size;

	return kdx_physmap_add(&c->desc->physmap, pa, pages * p, KDX_PIECE_FILE,
			       c->md->sparse_off + rank * p);
}

/* One map entry per run of dumped pages; a bitmap of very many runs
 * instead gives one entry per dump_avail range, read through the rank
 * index (fbsd_read). */
static struct kdx_error *add_memory(const struct fbsd_minidump *md,
				    struct kdx_dump_desc *desc)
{
	struct add_ctx ctx = { md, desc };
	uint64_t runs = 0;

	for_each_run(md, count_run, &runs);
	if (runs <= MAX_FILE_PIECES)
		return for_each_run(md, add_run, &ctx);
	for (size_t i = 0; i < md->navail; i++) {
		uint64_t p = md->page_size, s = md->avail[i].start / p * p;
		struct kdx_error *err = kdx_physmap_add(
			&desc->physmap, s, round_to(md->avail[i].end, p) - s,
			KDX_PIECE_FORMAT, s);

		if (err)
			return err;
	}
	kdx_desc_add_warning(desc,
			     "%llu runs of dumped pages: physical reads go through the bitmap index",
			     (unsigned long long)runs);
	return NULL;
}

static struct kdx_error *fbsd_read(void *priv, uint64_t cookie,
				   uint64_t offset, void *buf, size_t len)
{
	const struct fbsd_minidump *md = priv;
	uint8_t *out = buf;

	while (len) {
		uint64_t pa = cookie + offset, file_off;
		size_t n = (size_t)kdx_min_u64(len, md->page_size - pa % md->page_size);
		struct kdx_error *err;

		if (!kdx_fbsd_page_offset(md, pa, &file_off))
			return kdx_err_set_address(
				kdx_err(KDX_ERR_NODATA,
					"physical address 0x%llx is not in the dump (its page is not in the minidump bitmap)",
					(unsigned long long)pa),
				pa);
		err = kdx_file_read(md->file, file_off + pa % md->page_size, out, n);
		if (err)
			return err;
		out += n;
		offset += n;
		len -= n;
	}
	return NULL;
}

/* ---- The version string ---- */

/* "FreeBSD 14.1-RELEASE ..." at @p (at most @n bytes): copy its line. */
static bool take_release(struct fbsd_minidump *md, const uint8_t *p, size_t n)
{
	size_t i = 8, len;

	if (n < 12 || memcmp(p, "FreeBSD ", 8) || p[8] < '0' || p[8] > '9')
		return false;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i + 2 >= n || p[i] != '.' || p[i + 1] < '0' || p[i + 1] > '9')
		return false;
	for (len = 0; len < n && len + 1 < sizeof(md->release); len++)
		if (p[len] < 0x20 || p[len] > 0x7e)
			break;
	memcpy(md->release, p, len);
	md->release[len] = '\0';
	return true;
}

/* memchr for the first letter: page data is mostly zeros and memchr
 * skips them far faster than memmem. */
static bool scan_release(struct fbsd_minidump *md, const uint8_t *buf,
			 size_t n)
{
	for (const uint8_t *p = buf; (p = memchr(p, 'F', n - (size_t)(p - buf)));
	     p++)
		if (take_release(md, p, n - (size_t)(p - buf)))
			return true;
	return false;
}

/* The kernel prints its version at boot, so the message buffer has it;
 * else the kernel's `version` string is in the first dumped pages. */
static void find_release(struct fbsd_minidump *md, uint64_t file_size)
{
	/* 64 KiB a read: a buffer no bigger stays in the allocators' small
	 * classes (a megabyte, mapped and unmapped for each of a fuzzer's
	 * inputs, cost more than the scan). */
	enum { OVERLAP = 160, CHUNK = (64 << 10) - OVERLAP };
	uint64_t data = kdx_min_u64(file_size - md->sparse_off, RELEASE_SCAN_BYTES);
	/* No bigger than the regions scanned: small dumps open fast. */
	uint8_t *buf = malloc((size_t)kdx_min_u64(
				      CHUNK, data > md->msgbufsize ? data : md->msgbufsize) +
			      OVERLAP);
	uint64_t off = md->msgbuf_off, end = md->msgbuf_off + md->msgbufsize;

	if (!buf)
		return;
	for (int pass = 0; pass < 2 && !md->release[0]; pass++) {
		if (pass == 1) {
			off = md->sparse_off;
			end = md->sparse_off + data;
		}
		for (; off < end && !md->release[0]; off += CHUNK) {
			size_t n = (size_t)kdx_min_u64(end - off, CHUNK + OVERLAP);
			struct kdx_error *err = kdx_file_read(md->file, off, buf, n);

			/* Only a best effort: what cannot be read has no
			 * version string to give. */
			if (err) {
				kdx_error_destroy(err);
				break;
			}
			scan_release(md, buf, n);
		}
	}
	free(buf);
}

bool kdx_fbsd_scan_release(const struct kdx_file *file, uint64_t offset,
			   char *out, size_t size)
{
	struct fbsd_minidump md = { .file = file };
	uint64_t file_size = kdx_file_size(file);

	if (offset >= file_size || !size)
		return false;
	/* find_release()'s second pass alone: no message buffer. */
	md.msgbuf_off = md.sparse_off = offset;
	find_release(&md, file_size);
	snprintf(out, size, "%s", md.release);
	return md.release[0] != '\0';
}

/* ---- Open ---- */

static void fbsd_destroy(void *priv)
{
	struct fbsd_minidump *md = priv;

	if (!md)
		return;
	free(md->avail);
	free(md->rank.copy);
	free(md->rank.block);
	kdx_fbsd_tables_free(&md->tables);
	free(md);
}

static struct kdx_error *open_minidump(struct fbsd_minidump *md,
				       struct kdx_dump_desc *desc)
{
	uint64_t size;
	struct kdx_error *err;

	err = parse_header(md, md->file);
	size = md->end;
	if (!err)
		err = lay_out(md, size);
	if (!err)
		err = read_avail(md);
	if (!err)
		err = build_rank(md);
	if (!err)
		err = check_pages(md, size);
	if (err)
		return err;
	desc->arch = md->row->arch;
	desc->byte_order = md->byte_order;
	err = add_memory(md, desc);
	if (!err)
		err = kdx_fbsd_tables_build(md);
	if (err)
		return err;
	if (md->tables.dmap_unmapped)
		kdx_desc_add_warning(desc,
				     "0x%llx bytes of the direct map are not page aligned and were left out",
				     (unsigned long long)md->tables.dmap_unmapped);
	find_release(md, size);
	kdx_fbsd_add_facts(md, desc);
	kdx_fbsd_add_details(md, desc);
	return NULL;
}

static struct kdx_error *fbsd_open(const struct kdx_file *file,
				   const struct kdx_open_options *opts,
				   struct kdx_dump_desc *desc)
{
	struct fbsd_minidump *md = calloc(1, sizeof(*md));
	struct kdx_error *err;

	(void)opts;
	if (!md)
		return kdx_err_nomem();
	md->file = file;
	err = open_minidump(md, desc);
	if (err) {
		fbsd_destroy(md);
		return kdx_err_wrap(err, "%s", kdx_file_name(file));
	}
	desc->priv = md;
	return NULL;
}

static struct kdx_error *fbsd_read_table(void *priv, uint64_t paddr,
					 void *buf, size_t len, bool *served)
{
	return kdx_fbsd_read_table(priv, paddr, buf, len, served);
}

const struct kdx_format_ops kdx_format_fbsd_minidump = {
	.name = "fbsd-minidump",
	.description = "FreeBSD kernel minidump (amd64, i386, arm, arm64, riscv, powerpc64, mips; savecore's vmcore.N)",
	.detect = true,
	.not_linux = true,
	.probe = fbsd_probe,
	.open = fbsd_open,
	.read = fbsd_read,
	.read_table = fbsd_read_table,
	.destroy = fbsd_destroy,
};

void kdx_fbsd_add_facts(const struct fbsd_minidump *md,
			struct kdx_dump_desc *desc)
{
	struct kdx_dump_facts *f = &desc->facts;

	f->set |= KDX_FACT_FORMAT_VERSION | KDX_FACT_PAGE_SIZE |
		  KDX_FACT_KERNEL_BASE | KDX_FACT_NR_PAGES | KDX_FACT_WORD_SIZE;
	f->word_size = md->word_size; /* mips: 4 or 8 by its kernbase */
	f->format_version = md->version;
	f->page_size = md->page_size;
	f->kernel_base = md->kernbase;
	f->nr_pages = md->rank.total;
	if (md->has_dmap) {
		f->set |= KDX_FACT_DIRECT_MAP_BASE | KDX_FACT_DIRECT_MAP_END |
			  KDX_FACT_DIRECT_MAP_PHYS;
		f->direct_map_base = md->dmapbase;
		f->direct_map_end = md->dmapend;
		f->direct_map_phys = md->dmapphys;
	}
}

void kdx_fbsd_add_details(const struct fbsd_minidump *md,
			  struct kdx_dump_desc *desc)
{
	kdx_desc_add_detail(desc, "os", "FreeBSD");
	if (md->release[0])
		kdx_desc_add_detail(desc, "os_release", "%s", md->release);
	if (md->kdh)
		kdx_desc_add_detail(desc, "kerneldumpheader",
				    "minidump at offset 0x%llx, 0x%llx bytes",
				    (unsigned long long)md->base,
				    (unsigned long long)(md->end - md->base));
	if (md->kdh_hostname[0])
		kdx_desc_add_detail(desc, "hostname", "%s", md->kdh_hostname);
	if (md->kdh_panic[0])
		kdx_desc_add_detail(desc, "panic", "%s", md->kdh_panic);
	if (!md->release[0] && md->kdh_version[0])
		kdx_desc_add_detail(desc, "os_release", "%s", md->kdh_version);
	kdx_desc_add_detail(desc, "freebsd_arch", "%s", md->row->arch_name);
	kdx_desc_add_detail(desc, "minidump_version", "%u", md->version);
	kdx_desc_add_detail(desc, "page_size", "%u", md->page_size);
	kdx_desc_add_detail(desc, "paging", "%s", md->paging.name);
	if (md->mmu_name[0])
		kdx_desc_add_detail(desc, "mmu", "%s", md->mmu_name);
	kdx_desc_add_detail(desc, "kernbase", "0x%llx",
			    (unsigned long long)md->kernbase);
	if (md->has_dmap) {
		kdx_desc_add_detail(desc, "dmapbase", "0x%llx",
				    (unsigned long long)md->dmapbase);
		kdx_desc_add_detail(desc, "dmapend", "0x%llx",
				    (unsigned long long)md->dmapend);
		kdx_desc_add_detail(desc, "dmapphys", "0x%llx",
				    (unsigned long long)md->dmapphys);
	}
	kdx_desc_add_detail(desc, "dumped_pages", "%llu",
			    (unsigned long long)md->rank.total);
	kdx_desc_add_detail(desc, "dump_avail_ranges", "%zu%s", md->navail,
			    md->dumpavailsize ? "" : " (implied: no dump_avail)");
}
