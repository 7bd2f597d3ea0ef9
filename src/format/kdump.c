/* SPDX-License-Identifier: MIT */
/* makedumpfile's kdump-compressed format ("KDUMP   ", and the older
 * "DISKDUMP"), as makedumpfile and QEMU write it: a header block, a
 * sub-header followed by the ELF notes, two bitmaps (memory present;
 * page dumped), a page descriptor per dumped page, then page data —
 * each page compressed on its own with zlib, LZO, snappy or zstd, or
 * stored plain.  Headers are the writer's native structs in the dumped
 * machine's byte order; their layout is chosen from utsname.machine. */
#include "format/format.h"

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "format/common/codec.h"
#include "format/common/kdump_layout.h"
#include "io/file.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	/* Decompressed pages kept for repeated small reads (page-table
	 * walks read 8 bytes at a time): up to this many slots, in at most
	 * CACHE_BYTES (so a 1 MiB block size does not cost 64 MiB). */
	CACHE_SLOTS = 64,
	CACHE_BYTES = 1 << 20,
	/* Codec bits a page's flags may carry. */
	PAGE_CODEC_FLAGS = DUMP_DH_COMPRESSED_ZLIB | DUMP_DH_COMPRESSED_LZO |
			   DUMP_DH_COMPRESSED_SNAPPY | DUMP_DH_COMPRESSED_ZSTD,
	/* Old diskdump status values (diskdump.h), not kdump's flags. */
	DISKDUMP_HEADER_INCOMPLETED = 0x1,
	DISKDUMP_HEADER_COMPRESSED = 0x8,
	/* Descriptors read at once, and in all, while looking past a run
	 * of shared zero pages for the end of the data (16 MiB: beyond, the
	 * pages past the scan are taken as lost). */
	SCAN_CHUNK = 256,
	SCAN_BUDGET = 1 << 20,
};

/* Bitmaps beyond this would describe more than 2^40 pages. */
#define MAX_BITMAP_BYTES (1ull << 37)

struct kdump_header {
	enum kdx_byte_order bo;
	enum kdx_arch arch;
	bool lp64;
	/* The layout is not the one utsname.machine implies (QEMU). */
	bool abi_from_block_size;
	const struct kdx_kdump_sub_layout *sub;
	char release[UTS_FIELD + 1], version[UTS_FIELD + 1];
	char machine[UTS_FIELD + 1], nodename[UTS_FIELD + 1];
	bool diskdump;
	uint32_t header_version, status, block_size, sub_hdr_size;
	uint32_t bitmap_blocks, max_mapnr_32, nr_cpus;
	uint64_t timestamp;
	/* sub-header */
	uint64_t phys_base, dump_level, split, start_pfn, end_pfn;
	uint64_t off_vmcoreinfo, size_vmcoreinfo, off_note, size_note;
	uint64_t off_eraseinfo, size_eraseinfo, max_mapnr;
};

struct cache_slot {
	uint64_t desc_index; /* UINT64_MAX: empty */
	uint8_t *data;
};

/* A cookie names a part (the file of a --split set) and a descriptor. */
#define PART_SHIFT 48
#define DESC_MASK ((1ull << PART_SHIFT) - 1)

struct kdump {
	/* The first part holds the others (makedumpfile --split files). */
	struct kdump **parts;
	size_t nparts;
	const struct kdx_file *file;
	enum kdx_byte_order bo;
	uint32_t block_size;
	uint64_t desc_offset;
	uint64_t desc_count;  /* descriptors whose pages are readable */
	uint64_t data_start;  /* page data never lies below this */
	uint64_t file_size;
	struct kdx_decoder_pool decoders;
	pthread_mutex_t cache_lock;
	unsigned int cache_slots;
	/* A slot's page is allocated when first stored: most opens read a
	 * few pages, and a fuzzer opens thousands of dumps a second. */
	struct cache_slot cache[CACHE_SLOTS];
	/* The page at data_start, which every shared-zero-page descriptor
	 * points at, decoded once (under cache_lock): scanning a dump of
	 * zero pages must not decompress (and allocate for) each of them.
	 * shared_size 0: not decoded yet (shared_page allocated then). */
	uint32_t shared_size, shared_flags;
	uint8_t *shared_page;
};

static bool kdump_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && (!memcmp(head, "KDUMP   ", 8) ||
			    !memcmp(head, "DISKDUMP", 8));
}

static bool plausible_block_size(uint32_t bs)
{
	return bs >= 512 && bs <= (1u << 20) && !(bs & (bs - 1));
}

static void copy_uts(char *dst, const uint8_t *src)
{
	memcpy(dst, src, UTS_FIELD);
	dst[UTS_FIELD] = '\0';
}

/* What utsname.machine (`uname -m`) says about the writer's ABI. */
struct machine_abi {
	enum kdx_arch arch;  /* KDX_ARCH_UNKNOWN if kdx has no such arch */
	unsigned int word;   /* 8, 4; 0 if the name is not known */
	bool i386_align;     /* 64-bit fields 4-byte aligned */
};

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* `uname -m` names are not kdx's arch names ("armv7l", "i586",
 * "mips64"): prefixes first, as crash matches them, then kdx's own names
 * and aliases. */
static struct machine_abi machine_abi(const char *m)
{
	static const struct {
		const char *prefix;
		enum kdx_arch arch;
		unsigned int word;
	} names[] = {
		{ "x86_64", KDX_ARCH_X86_64, 8 },
		{ "aarch64", KDX_ARCH_AARCH64, 8 },
		{ "arm64", KDX_ARCH_AARCH64, 8 },
		{ "arm", KDX_ARCH_ARM, 4 },
		{ "ppc64", KDX_ARCH_PPC64, 8 },
		{ "ppc", KDX_ARCH_PPC, 4 },
		{ "s390x", KDX_ARCH_S390X, 8 },
		{ "s390", KDX_ARCH_UNKNOWN, 4 },
		{ "riscv64", KDX_ARCH_RISCV64, 8 },
		{ "riscv32", KDX_ARCH_RISCV32, 4 },
		{ "mips64", KDX_ARCH_MIPS, 8 },
		{ "mips", KDX_ARCH_MIPS, 4 },
		{ "loongarch64", KDX_ARCH_UNKNOWN, 8 },
		{ "ia64", KDX_ARCH_UNKNOWN, 8 },
		{ "sparc64", KDX_ARCH_UNKNOWN, 8 },
		{ "alpha", KDX_ARCH_UNKNOWN, 8 },
	};
	struct machine_abi a = { KDX_ARCH_UNKNOWN, 0, false };
	const struct kdx_arch_info *info;

	if (strlen(m) == 4 && m[0] == 'i' && m[1] >= '3' && m[1] <= '6' &&
	    !strcmp(m + 2, "86"))
		return (struct machine_abi){ KDX_ARCH_I386, 4, true };
	for (size_t i = 0; i < KDX_ARRAY_SIZE(names); i++)
		if (has_prefix(m, names[i].prefix))
			return (struct machine_abi){ names[i].arch,
						     names[i].word, false };
	a.arch = kdx_arch_from_name(m);
	info = kdx_arch_info(a.arch);
	if (info) {
		a.word = info->word_size;
		a.i386_align = a.arch == KDX_ARCH_I386;
	}
	return a;
}

/* Where the fields after the header's struct timeval start: its two
 * longs move them (status, then block_size 4 bytes on). */
static size_t status_at(bool lp64)
{
	return lp64 ? 424 : 412;
}

static uint32_t block_size_at(const uint8_t *b, bool lp64,
			      enum kdx_byte_order bo)
{
	return kdx_load_u32(b + status_at(lp64) + 4, bo);
}

/* Whether the fields read with @lp64's layout look like a header: an
 * ILP32 header read as LP64 finds max_mapnr where block_size would be,
 * which may be a power of two too (8192 pages), but bitmap_blocks 0. */
static bool plausible_layout(const uint8_t *b, bool lp64,
			     enum kdx_byte_order bo)
{
	return plausible_block_size(block_size_at(b, lp64, bo)) &&
	       kdx_load_u32(b + status_at(lp64) + 12, bo) != 0;
}

/* header_version is a small number in the writer's byte order; when it
 * is 0 either way, the order that gives a page-sized block_size wins. */
static enum kdx_byte_order guess_byte_order(const uint8_t *b)
{
	uint32_t v_le = kdx_load_u32(b + 8, KDX_LITTLE_ENDIAN);
	uint32_t v_be = kdx_load_u32(b + 8, KDX_BIG_ENDIAN);

	if (v_le < 0x10000 && v_be >= 0x10000)
		return KDX_LITTLE_ENDIAN;
	if (v_be < 0x10000 && v_le >= 0x10000)
		return KDX_BIG_ENDIAN;
	for (int lp64 = 1; lp64 >= 0; lp64--) {
		if (plausible_block_size(
			    block_size_at(b, lp64, KDX_LITTLE_ENDIAN)))
			return KDX_LITTLE_ENDIAN;
		if (plausible_block_size(block_size_at(b, lp64, KDX_BIG_ENDIAN)))
			return KDX_BIG_ENDIAN;
	}
	return KDX_LITTLE_ENDIAN;
}

static struct kdx_error *parse_main_header(const uint8_t *b,
					   struct kdump_header *h)
{
	struct machine_abi abi;
	size_t base;

	h->diskdump = !memcmp(b, "DISKDUMP", 8);
	h->bo = guess_byte_order(b);
	h->header_version = kdx_load_u32(b + 8, h->bo);
	copy_uts(h->nodename, b + 12 + UTS_FIELD);
	copy_uts(h->release, b + 12 + 2 * UTS_FIELD);
	copy_uts(h->version, b + 12 + 3 * UTS_FIELD);
	copy_uts(h->machine, b + 12 + 4 * UTS_FIELD);
	/* The struct timeval in the header is two longs: its width moves
	 * every later field, so the ABI is found from utsname.machine, or
	 * failing that from which reading gives a sane block size. */
	abi = machine_abi(h->machine);
	h->arch = abi.arch;
	h->lp64 = abi.word ? abi.word == 8 : plausible_layout(b, true, h->bo);
	/* QEMU built for x86_64 writes its 64-bit headers for a 32-bit
	 * guest too ("i686" with the LP64 layout): a machine name that
	 * contradicts the only sane block size loses. */
	if (abi.word && !plausible_block_size(block_size_at(b, h->lp64, h->bo)) &&
	    plausible_block_size(block_size_at(b, !h->lp64, h->bo))) {
		h->lp64 = !h->lp64;
		h->abi_from_block_size = true;
	}
	base = status_at(h->lp64);
	h->timestamp = kdx_load_uint(b + (h->lp64 ? 408 : 404),
				     h->lp64 ? 8 : 4, h->bo);
	h->status = kdx_load_u32(b + base, h->bo);
	h->block_size = kdx_load_u32(b + base + 4, h->bo);
	h->sub_hdr_size = kdx_load_u32(b + base + 8, h->bo);
	h->bitmap_blocks = kdx_load_u32(b + base + 12, h->bo);
	h->max_mapnr_32 = kdx_load_u32(b + base + 16, h->bo);
	h->nr_cpus = kdx_load_u32(b + base + 36, h->bo);
	h->sub = h->lp64 ? &kdx_kdump_lp64 :
			   abi.i386_align ? &kdx_kdump_i386 : &kdx_kdump_ilp32;
	if (!plausible_block_size(h->block_size))
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"kdump header: block_size %u (at offset 0x%zx) is not a page size (a power of two, 512 to 1 MiB)",
				h->block_size, base + 4),
			base + 4);
	if (h->bitmap_blocks == 0)
		return kdx_err(KDX_ERR_CORRUPT,
			       "kdump header: bitmap_blocks is 0: no bitmap");
	return NULL;
}

static uint64_t sub_word(const struct kdump_header *h, const uint8_t *s,
			 size_t off)
{
	return kdx_load_uint(s + off, h->sub->word, h->bo);
}

/* Only fields of the header's version are trusted. */
static void parse_sub_header(const uint8_t *s, struct kdump_header *h)
{
	const struct kdx_kdump_sub_layout *l = h->sub;

	h->max_mapnr = h->max_mapnr_32;
	if (h->diskdump)
		return;
	h->phys_base = sub_word(h, s, l->phys_base);
	if (h->header_version >= 1)
		h->dump_level = kdx_load_u32(s + l->dump_level, h->bo);
	if (h->header_version >= 2) {
		h->split = kdx_load_u32(s + l->split, h->bo);
		h->start_pfn = sub_word(h, s, l->start_pfn);
		h->end_pfn = sub_word(h, s, l->end_pfn);
	}
	if (h->header_version >= 3) {
		h->off_vmcoreinfo = kdx_load_u64(s + l->off_vmcoreinfo, h->bo);
		h->size_vmcoreinfo = sub_word(h, s, l->size_vmcoreinfo);
	}
	if (h->header_version >= 4) {
		h->off_note = kdx_load_u64(s + l->off_note, h->bo);
		h->size_note = sub_word(h, s, l->size_note);
	}
	if (h->header_version >= 5) {
		h->off_eraseinfo = kdx_load_u64(s + l->off_eraseinfo, h->bo);
		h->size_eraseinfo = sub_word(h, s, l->size_eraseinfo);
	}
	if (h->header_version >= 6) {
		h->start_pfn = kdx_load_u64(s + l->start_pfn_64, h->bo);
		h->end_pfn = kdx_load_u64(s + l->end_pfn_64, h->bo);
		h->max_mapnr = kdx_load_u64(s + l->max_mapnr_64, h->bo);
		/* A writer that left it zero: the 32-bit one is all there is. */
		if (!h->max_mapnr)
			h->max_mapnr = h->max_mapnr_32;
	}
}

static struct kdx_error *read_headers(const struct kdx_file *file,
				      struct kdump_header *h)
{
	uint8_t main_hdr[464], sub[104];
	struct kdx_error *err;

	memset(h, 0, sizeof(*h));
	err = kdx_file_read(file, 0, main_hdr, sizeof(main_hdr));
	if (err)
		return kdx_err_wrap(err, "kdump header");
	err = parse_main_header(main_hdr, h);
	if (err)
		return err;
	if (!h->diskdump) {
		err = kdx_file_read(file, h->block_size, sub, sizeof(sub));
		if (err)
			return kdx_err_wrap(err, "kdump sub-header at offset 0x%x",
					    h->block_size);
		parse_sub_header(sub, h);
	} else {
		h->max_mapnr = h->max_mapnr_32;
	}
	return NULL;
}

/* ---- bitmaps -> physical map ---- */

/* The bitmaps are read a window at a time, never whole: a 12 TiB host's
 * are 800 MB.  Runs of bytes the file knows to be zeros (holes of a
 * sparse file, bytes a flattened stream never wrote) are skipped unread. */
enum { BITMAP_WINDOW = 1 << 16 };

struct bitmaps {
	const struct kdx_file *file;
	uint64_t present_at, dumped_at; /* file offsets; equal when one */
	uint64_t bytes;                 /* of each bitmap */
	/* Bytes [win, win + win_len) of each, or zeros known up to
	 * zero_end (bytes [win, zero_end) read as zero in both). */
	uint64_t win, win_len, zero_end;
	uint8_t *present; /* 1st: memory exists */
	uint8_t *dumped;  /* 2nd: page is in the file (== present if one) */
};

static void bitmaps_free(struct bitmaps *bm)
{
	if (bm->dumped != bm->present)
		free(bm->dumped);
	free(bm->present);
}

/* Where the zeros from bitmap byte @byte on end, in that bitmap. */
static uint64_t zeros_end(const struct bitmaps *bm, uint64_t at,
			  uint64_t byte)
{
	uint64_t next = kdx_file_next_data(bm->file, at + byte);

	return next < at + byte ? byte :
	       kdx_min_u64(next - at, bm->bytes);
}

/* One bitmap's window: read, or zeros when the file holds none there.
 * Each window is read once at open (pread where the file allows): a
 * 12 TiB host's 800 MB of bitmaps must not stay resident as mapped
 * pages of the file. */
static struct kdx_error *load_one(const struct bitmaps *bm, uint64_t at,
				  uint8_t *buf)
{
	if (zeros_end(bm, at, bm->win) >= bm->win + bm->win_len) {
		memset(buf, 0, bm->win_len);
		return NULL;
	}
	return kdx_file_read_stream(bm->file, at + bm->win, buf, bm->win_len);
}

/* Make bitmap byte @byte readable: either it lies in a run of zeros
 * (*@zero_end > @byte: the run's end) or in the window (*@zero_end is
 * @byte). */
static struct kdx_error *bitmap_at(struct bitmaps *bm, uint64_t byte,
				   uint64_t *zero_end)
{
	struct kdx_error *err;
	uint64_t z;

	if (byte >= bm->win && byte < bm->zero_end) {
		*zero_end = bm->zero_end;
		return NULL;
	}
	if (byte >= bm->win && byte < bm->win + bm->win_len) {
		*zero_end = byte;
		return NULL;
	}
	z = kdx_min_u64(zeros_end(bm, bm->present_at, byte),
			zeros_end(bm, bm->dumped_at, byte));
	bm->win = byte;
	bm->zero_end = z;
	bm->win_len = 0;
	if (z > byte) {
		*zero_end = z;
		return NULL;
	}
	bm->win = byte - byte % BITMAP_WINDOW;
	bm->zero_end = bm->win;
	bm->win_len = kdx_min_u64(BITMAP_WINDOW, bm->bytes - bm->win);
	err = load_one(bm, bm->present_at, bm->present);
	if (!err && bm->dumped != bm->present)
		err = load_one(bm, bm->dumped_at, bm->dumped);
	if (err) {
		bm->win_len = 0;
		return kdx_err_wrap(err, "kdump bitmaps at offset 0x%llx",
				    (unsigned long long)(bm->present_at + byte));
	}
	*zero_end = byte;
	return NULL;
}

static bool bit(const uint8_t *map, uint64_t index)
{
	return map[index >> 3] >> (index & 7) & 1;
}

static struct kdx_error *read_bitmaps(const struct kdx_file *file,
				      const struct kdump_header *h,
				      struct kdx_dump_desc *desc,
				      struct bitmaps *bm)
{
	uint64_t bs = h->block_size, one, start, need, end;
	uint64_t fsize = kdx_file_size(file);
	struct kdx_error *err;
	bool two;
	size_t window;

	one = (uint64_t)h->bitmap_blocks / 2 * bs;
	need = (h->max_mapnr + 7) / 8;
	/* Old diskdump files have one bitmap used for both purposes (crash's
	 * dump_is_partial()): when half the blocks cannot cover max_mapnr
	 * but all of them can.  A max_mapnr neither covers is wrong, and
	 * must not change how the bitmaps are read. */
	two = h->bitmap_blocks >= 2 &&
	      (one >= need || (uint64_t)h->bitmap_blocks * bs < need);
	if (!two)
		one = (uint64_t)h->bitmap_blocks * bs;
	start = (1 + (uint64_t)h->sub_hdr_size) * bs;
	end = start + (two ? 2 * one : one);
	/* Both are whole in any real file, however cut short: checking
	 * first keeps a few bytes of header from asking for gigabytes. */
	if (one > MAX_BITMAP_BYTES || end > fsize)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"kdump header: %u bitmap blocks of %u bytes after %u sub-header blocks end at offset 0x%llx, past the end of the file (0x%llx)",
				h->bitmap_blocks, h->block_size,
				h->sub_hdr_size, (unsigned long long)end,
				(unsigned long long)fsize),
			start);
	/* A flattened stream's records may leave bytes unwritten (zeros):
	 * a few of them could claim gigabytes of bitmap.  Real writers
	 * (makedumpfile -F, QEMU) write every bitmap block, so the
	 * bitmaps cost what the file holds. */
	err = kdx_file_check_written(file, "kdump bitmaps", start, end - start);
	if (err)
		return err;
	bm->file = file;
	bm->bytes = one;
	bm->present_at = start;
	bm->dumped_at = two ? start + one : start;
	/* A window no larger than the bitmap: small dumps stay small. */
	window = (size_t)kdx_min_u64(BITMAP_WINDOW, one ? one : 1);
	bm->present = malloc(window);
	bm->dumped = two ? malloc(window) : bm->present;
	if (!bm->present || !bm->dumped)
		return kdx_err_nomem();
	if (!two)
		kdx_desc_add_detail(desc, "bitmaps", "one (old diskdump layout)");
	return NULL;
}

enum page_class { PAGE_HOLE, PAGE_DUMPED, PAGE_EXCLUDED };

/* @pfn's class; its byte is in the window. */
static enum page_class classify(const struct bitmaps *bm, uint64_t pfn)
{
	uint64_t i = pfn - bm->win * 8;

	if (bit(bm->dumped, i))
		return PAGE_DUMPED;
	return bit(bm->present, i) ? PAGE_EXCLUDED : PAGE_HOLE;
}

struct run_state {
	struct kdx_dump_desc *desc;
	uint64_t part;       /* cookie bits naming the file */
	uint64_t block_size;
	uint64_t desc_count; /* descriptors the file holds */
	uint64_t next_desc;  /* descriptor of the next dumped page */
	uint64_t dumped, excluded, lost, first_lost_pfn, last_lost_pfn;
};

/* Add pfns [start, end) of one class to the physical map. */
static void add_run(struct run_state *st, enum page_class cls, uint64_t start,
		    uint64_t end)
{
	uint64_t bs = st->block_size, n = end - start, usable;

	if (cls == PAGE_EXCLUDED) {
		st->excluded += n;
		kdx_desc_add_range(st->desc, start * bs, n * bs,
				   KDX_PIECE_EXCLUDED, 0);
		return;
	}
	if (cls != PAGE_DUMPED)
		return;
	/* Pages whose descriptors were never written (incomplete dump)
	 * stay holes. */
	usable = st->next_desc < st->desc_count ?
			 kdx_min_u64(n, st->desc_count - st->next_desc) :
			 0;
	if (usable)
		kdx_desc_add_range(st->desc, start * bs, usable * bs,
				   KDX_PIECE_FORMAT, st->part | st->next_desc);
	if (usable < n) {
		if (!st->lost)
			st->first_lost_pfn = start + usable;
		st->last_lost_pfn = end - 1;
	}
	st->lost += n - usable;
	st->dumped += n;
	st->next_desc += n;
}

/* Eight bytes of both bitmaps whose 64 pages are all of one class. */
static bool uniform_class(const struct bitmaps *bm, uint64_t byte,
			  enum page_class *cls)
{
	static const uint8_t zeros[8], ones[8] = { 0xff, 0xff, 0xff, 0xff,
						   0xff, 0xff, 0xff, 0xff };
	const uint8_t *p = bm->present + (byte - bm->win);
	const uint8_t *d = bm->dumped + (byte - bm->win);

	if (!memcmp(d, ones, 8))
		*cls = PAGE_DUMPED;
	else if (memcmp(d, zeros, 8))
		return false;
	else if (!memcmp(p, zeros, 8))
		*cls = PAGE_HOLE;
	else if (!memcmp(p, ones, 8))
		*cls = PAGE_EXCLUDED;
	else
		return false;
	return true;
}

/* How many pfns from @pfn are of one class (*@cls), at most @left:
 * a run of known zeros, 64 uniform pages, or one page. */
static struct kdx_error *next_step(struct bitmaps *bm, uint64_t pfn,
				   uint64_t left, enum page_class *cls,
				   uint64_t *step)
{
	uint64_t byte = pfn >> 3, zero_end = 0;
	struct kdx_error *err = bitmap_at(bm, byte, &zero_end);

	if (err)
		return err;
	if (zero_end > byte) {
		*cls = PAGE_HOLE;
		*step = kdx_min_u64(zero_end * 8 - pfn, left);
		return NULL;
	}
	*step = 1;
	if ((pfn & 63) == 0 && left >= 64 &&
	    byte + 8 <= bm->win + bm->win_len && uniform_class(bm, byte, cls))
		*step = 64;
	else
		*cls = classify(bm, pfn);
	return NULL;
}

/* Walk the bitmaps into runs of one class. */
static struct kdx_error *map_pages(struct bitmaps *bm, uint64_t first_pfn,
				   uint64_t end_pfn, struct run_state *st)
{
	enum page_class cls = PAGE_HOLE, c;
	uint64_t run_start = first_pfn, pfn = first_pfn, step;
	struct kdx_error *err;

	while (pfn < end_pfn && !kdx_desc_failed(st->desc)) {
		err = next_step(bm, pfn, end_pfn - pfn, &c, &step);
		if (err)
			return err;
		if (c != cls) {
			add_run(st, cls, run_start, pfn);
			cls = c;
			run_start = pfn;
		}
		pfn += step;
	}
	add_run(st, cls, run_start, end_pfn);
	return NULL;
}

/* ---- descriptors ---- */

struct page_desc {
	uint64_t offset;
	uint32_t size, flags;
};

static struct kdx_error *read_desc(const struct kdump *k,
				   enum kdx_byte_order bo, uint64_t index,
				   struct page_desc *pd)
{
	uint8_t b[PAGE_DESC_SIZE];
	uint64_t at = k->desc_offset + index * PAGE_DESC_SIZE;
	struct kdx_error *err = kdx_file_read(k->file, at, b, sizeof(b));

	if (err)
		return kdx_err_wrap(err, "page descriptor %llu",
				    (unsigned long long)index);
	pd->offset = kdx_load_u64(b, bo);
	pd->size = kdx_load_u32(b + 8, bo);
	pd->flags = kdx_load_u32(b + 12, bo);
	return NULL;
}

/* An incomplete dump's unwritten descriptors read back as zeros, and
 * descriptors and data are written in order: find the first such one by
 * bisection instead of reading them all. */
static struct kdx_error *count_written_descs(const struct kdump *k,
					     enum kdx_byte_order bo,
					     uint64_t total, uint64_t *written)
{
	uint64_t lo = 0, hi = total;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct page_desc pd;
		struct kdx_error *err = read_desc(k, bo, mid, &pd);

		if (err)
			return err;
		if (pd.offset != 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*written = lo;
	return NULL;
}

static enum kdx_codec codec_of(uint32_t flags)
{
	if (flags & DUMP_DH_COMPRESSED_ZLIB)
		return KDX_CODEC_ZLIB;
	if (flags & DUMP_DH_COMPRESSED_LZO)
		return KDX_CODEC_LZO;
	if (flags & DUMP_DH_COMPRESSED_SNAPPY)
		return KDX_CODEC_SNAPPY;
	if (flags & DUMP_DH_COMPRESSED_ZSTD)
		return KDX_CODEC_ZSTD;
	return KDX_CODEC_NONE;
}

/* ---- reading pages ---- */

/* Bytes [@in_page, @in_page + @n) of the page of descriptor @index, if
 * the cache holds it: a page-table walk reads 8 bytes, not the page. */
static bool cache_lookup(struct kdump *k, uint64_t index, size_t in_page,
			 size_t n, uint8_t *out)
{
	struct cache_slot *slot = &k->cache[index % k->cache_slots];
	bool hit;

	pthread_mutex_lock(&k->cache_lock);
	hit = slot->desc_index == index;
	if (hit)
		memcpy(out, slot->data + in_page, n);
	pthread_mutex_unlock(&k->cache_lock);
	return hit;
}

static void cache_store(struct kdump *k, uint64_t index, const uint8_t *page)
{
	struct cache_slot *slot = &k->cache[index % k->cache_slots];

	pthread_mutex_lock(&k->cache_lock);
	if (!slot->data)
		slot->data = malloc(k->block_size);
	/* Out of memory: the page is simply not kept. */
	slot->desc_index = slot->data ? index : UINT64_MAX;
	if (slot->data)
		memcpy(slot->data, page, k->block_size);
	pthread_mutex_unlock(&k->cache_lock);
}

static struct kdx_error *desc_error(const struct kdump *k, uint64_t index,
				     enum kdx_error_code code,
				     const char *what)
{
	return kdx_err_set_file_offset(
		kdx_err(code, "page descriptor %llu (at offset 0x%llx): %s",
			(unsigned long long)index,
			(unsigned long long)(k->desc_offset +
					     index * PAGE_DESC_SIZE),
			what),
		k->desc_offset + index * PAGE_DESC_SIZE);
}

/* Whether a descriptor can be followed; a bad one is an error for its
 * page alone. */
static struct kdx_error *check_desc(const struct kdump *k, uint64_t index,
				    const struct page_desc *pd)
{
	char what[128];

	/* kdx_read_phys() documents KDX_ERR_CORRUPT for any page the map
	 * holds but that cannot be decoded. */
	if (pd->offset == 0)
		/* crash: "descriptor with zero offset" - the writer never got
		 * to this page, yet later descriptors were written. */
		return desc_error(k, index, KDX_ERR_CORRUPT,
				  "offset 0: the page was never written");
	if (pd->offset < k->data_start) {
		snprintf(what, sizeof(what),
			 "page data offset 0x%llx lies in the headers (data starts at 0x%llx)",
			 (unsigned long long)pd->offset,
			 (unsigned long long)k->data_start);
		return desc_error(k, index, KDX_ERR_CORRUPT, what);
	}
	if (pd->size > k->block_size || pd->size == 0) {
		snprintf(what, sizeof(what), "stored size %u is not 1..%u",
			 pd->size, k->block_size);
		return desc_error(k, index, KDX_ERR_CORRUPT, what);
	}
	if (pd->flags & ~(uint32_t)PAGE_CODEC_FLAGS) {
		snprintf(what, sizeof(what),
			 "unknown compression flags 0x%x", pd->flags);
		return desc_error(k, index, KDX_ERR_CORRUPT, what);
	}
	return NULL;
}

/* Whether @pd is the shared page's descriptor and its bytes are known:
 * then they are in @out. */
static bool shared_lookup(struct kdump *k, const struct page_desc *pd,
			  size_t in_page, size_t n, uint8_t *out)
{
	bool hit;

	if (pd->offset != k->data_start)
		return false;
	pthread_mutex_lock(&k->cache_lock);
	hit = k->shared_size == pd->size && k->shared_flags == pd->flags;
	if (hit)
		memcpy(out, k->shared_page + in_page, n);
	pthread_mutex_unlock(&k->cache_lock);
	return hit;
}

static void shared_store(struct kdump *k, const struct page_desc *pd,
			 const uint8_t *page)
{
	if (pd->offset != k->data_start)
		return;
	pthread_mutex_lock(&k->cache_lock);
	if (!k->shared_page)
		k->shared_page = malloc(k->block_size);
	if (k->shared_page) {
		memcpy(k->shared_page, page, k->block_size);
		k->shared_size = pd->size;
		k->shared_flags = pd->flags;
	}
	pthread_mutex_unlock(&k->cache_lock);
}

/* Compressed pages up to this size are read into the stack: a malloc per
 * page is what reading a dump of small pages cost most under ASan. */
#define STACK_PAGE 16384

static struct kdx_error *page_data_error(struct kdx_error *err,
					  const struct page_desc *pd,
					  uint64_t index)
{
	return kdx_err_set_file_offset(
		kdx_err_wrap(err, "page data at offset 0x%llx (0x%x bytes, descriptor %llu)",
			     (unsigned long long)pd->offset, pd->size,
			     (unsigned long long)index),
		pd->offset);
}

static struct kdx_error *decode_page(struct kdump *k, uint64_t index,
				     const struct page_desc *pd, uint8_t *out)
{
	struct kdx_decoder *d;
	uint8_t small[STACK_PAGE], *in = small;
	struct kdx_error *err;

	if (pd->size > sizeof(small))
		in = malloc(pd->size);
	d = kdx_decoder_get(&k->decoders);
	if (!in || !d) {
		if (in != small)
			free(in);
		kdx_decoder_put(&k->decoders, d);
		return kdx_err_nomem();
	}
	err = kdx_file_read(k->file, pd->offset, in, pd->size);
	if (!err)
		err = kdx_decode(d, codec_of(pd->flags), in, pd->size, out,
				 k->block_size);
	kdx_decoder_put(&k->decoders, d);
	if (in != small)
		free(in);
	if (!err)
		shared_store(k, pd, out);
	return err ? page_data_error(err, pd, index) : NULL;
}

/* A page stored plain and whole in the file: its bytes are read where
 * they lie, as much as is asked, and not cached (the cache would cost a
 * copy of the page for nothing; a scan of every page's first bytes for
 * VMCOREINFO copied each page three times).  A stored page the file
 * cuts short takes decode_page()'s path, and its error. */
static bool stored_plain(const struct kdump *k, const struct page_desc *pd)
{
	uint64_t size = kdx_file_size(k->file);

	/* Not pd->offset + pd->size <= size: a descriptor's offset near
	 * 2^64 wraps that sum, and then pd->offset + in_page too, to bytes
	 * of the headers. */
	return codec_of(pd->flags) == KDX_CODEC_NONE &&
	       pd->size == k->block_size && pd->offset != k->data_start &&
	       pd->size <= size && pd->offset <= size - pd->size;
}

/* Bytes [@in_page, @in_page + @n) of descriptor @index's page, not
 * cached: @page is room for a whole page when @n is not one. */
static struct kdx_error *read_uncached(struct kdump *k, uint64_t index,
				       size_t in_page, size_t n,
				       uint8_t *out, uint8_t *page)
{
	struct page_desc pd = { 0 };
	struct kdx_error *err = read_desc(k, k->bo, index, &pd);
	uint8_t *dst = n == k->block_size ? out : page;

	if (!err)
		err = check_desc(k, index, &pd);
	if (err)
		return err;
	if (shared_lookup(k, &pd, in_page, n, out))
		return NULL;
	if (stored_plain(k, &pd)) {
		err = kdx_file_read(k->file, pd.offset + in_page, out, n);
		return err ? page_data_error(err, &pd, index) : NULL;
	}
	err = decode_page(k, index, &pd, dst);
	if (err)
		return err;
	cache_store(k, index, dst);
	if (dst != out)
		memcpy(out, dst + in_page, n);
	return NULL;
}

static struct kdx_error *kdump_read(void *priv, uint64_t cookie,
				    uint64_t offset, void *buf, size_t len)
{
	struct kdump *head = priv;
	struct kdump *p = head->parts[cookie >> PART_SHIFT];
	uint64_t first_desc = cookie & DESC_MASK;
	uint32_t bs = p->block_size;
	uint8_t *out = buf, *page = NULL, small[STACK_PAGE];
	struct kdx_error *err = NULL;

	while (len && !err) {
		uint64_t index = first_desc + offset / bs;
		size_t in_page = (size_t)(offset % bs);
		size_t n = (size_t)kdx_min_u64(len, bs - in_page);

		if (n != bs && !page &&
		    !(page = bs <= sizeof(small) ? small : malloc(bs)))
			return kdx_err_nomem();
		if (!cache_lookup(p, index, in_page, n, out))
			err = read_uncached(p, index, in_page, n, out, page);
		out += n;
		offset += n;
		len -= n;
	}
	if (page != small)
		free(page);
	return err;
}

static void part_destroy(struct kdump *p)
{
	kdx_decoder_pool_deinit(&p->decoders);
	pthread_mutex_destroy(&p->cache_lock);
	for (unsigned int i = 0; i < p->cache_slots; i++)
		free(p->cache[i].data);
	free(p->shared_page);
	free(p);
}

static void kdump_destroy(void *priv)
{
	struct kdump *head = priv;
	struct kdump **parts = head->parts;
	size_t n = head->nparts;

	/* parts[0] is the head itself. */
	for (size_t i = n; i-- > 1;)
		part_destroy(parts[i]);
	part_destroy(head);
	free(parts);
}

static struct kdump *kdump_new(const struct kdx_file *file,
			       const struct kdump_header *h)
{
	struct kdump *p = calloc(1, sizeof(*p));
	unsigned int slots = CACHE_BYTES / h->block_size;

	if (!p)
		return NULL;
	p->cache_slots = slots < 4 ? 4 : slots > CACHE_SLOTS ? CACHE_SLOTS :
								   slots;
	p->bo = h->bo;
	p->file = file;
	p->block_size = h->block_size;
	p->file_size = kdx_file_size(file);
	p->desc_offset = (1 + (uint64_t)h->sub_hdr_size + h->bitmap_blocks) *
			 h->block_size;
	p->data_start = p->desc_offset;
	for (unsigned int i = 0; i < p->cache_slots; i++)
		p->cache[i].desc_index = UINT64_MAX;
	kdx_decoder_pool_init(&p->decoders);
	pthread_mutex_init(&p->cache_lock, NULL);
	return p;
}

/* ---- notes, VMCOREINFO, description ---- */

/* Copy [offset, offset + size) of the file, or say in a warning why not:
 * pages may still be readable without the notes.  Notes past the end of
 * a cut file are lost with it; notes no record of a flattened stream
 * wrote would be invented zeros, and a few records could claim gigabytes
 * of them (fuzz_convert: 4 GiB allocated and zeroed at each open). */
static struct kdx_error *read_blob(const struct kdx_file *file,
				   struct kdx_dump_desc *desc, const char *what,
				   uint64_t offset, uint64_t size,
				   uint8_t **out)
{
	uint64_t fsize = kdx_file_size(file);
	struct kdx_error *err;

	if (offset > fsize || size > fsize - offset)
		desc->facts.flags |= KDX_DUMP_TRUNCATED;
	err = kdx_file_read_alloc(file, what, offset, (size_t)size,
				  (void **)out);
	if (err && kdx_error_code(err) == KDX_ERR_NOMEM)
		return err;
	if (err) {
		kdx_desc_add_warning(desc, "%s; ignored",
				     kdx_error_message(err));
		kdx_error_destroy(err);
	}
	return NULL;
}

static struct kdx_error *read_notes(const struct kdx_file *file,
				    const struct kdump_header *h,
				    struct kdx_dump_desc *desc)
{
	uint8_t *buf;
	struct kdx_error *err;

	if (!h->off_note || !h->size_note) {
		/* Version 3 has VMCOREINFO but no notes: keep it as one. */
		if (!h->off_vmcoreinfo || !h->size_vmcoreinfo)
			return NULL;
		err = read_blob(file, desc, "VMCOREINFO", h->off_vmcoreinfo,
				h->size_vmcoreinfo, &buf);
		if (buf)
			kdx_desc_add_note(desc, "VMCOREINFO", 10, 0, buf,
					  h->size_vmcoreinfo, h->off_vmcoreinfo);
		free(buf);
		return err;
	}
	err = read_blob(file, desc, "ELF notes", h->off_note, h->size_note,
			&buf);
	if (buf)
		kdx_desc_parse_notes(desc, buf, h->size_note, h->off_note,
				     h->bo);
	free(buf);
	return err;
}

/* Old diskdump's status is not kdump's flag word: 1 meant incomplete and
 * 8 compressed. */
static bool incomplete_flag(const struct kdump_header *h)
{
	return h->diskdump ? (h->status & DISKDUMP_HEADER_INCOMPLETED) :
			     (h->status & DUMP_DH_COMPRESSED_INCOMPLETE);
}

/* The codec the header names; old diskdump's status has one bit, zlib. */
static enum kdx_codec header_codec(const struct kdump_header *h)
{
	if (h->diskdump)
		return (h->status & DISKDUMP_HEADER_COMPRESSED) ? KDX_CODEC_ZLIB :
								  KDX_CODEC_NONE;
	return codec_of(h->status);
}

static enum kdx_compression compression_of(const struct kdump_header *h)
{
	switch (header_codec(h)) {
	case KDX_CODEC_ZLIB: return KDX_COMPRESS_ZLIB;
	case KDX_CODEC_LZO: return KDX_COMPRESS_LZO;
	case KDX_CODEC_SNAPPY: return KDX_COMPRESS_SNAPPY;
	case KDX_CODEC_ZSTD: return KDX_COMPRESS_ZSTD;
	default: return KDX_COMPRESS_NONE;
	}
}

/* The header's timeval: tv_sec is the writer's signed long. */
static int64_t timestamp_seconds(const struct kdump_header *h)
{
	return h->lp64 ? (int64_t)h->timestamp :
			 (int64_t)(int32_t)(uint32_t)h->timestamp;
}

_Static_assert(UTS_FIELD == KDX_UTS_FIELD, "utsname fields differ");

/* The header's numbers, for programs (describe() shows them to people). */
static void record_facts(struct kdx_dump_facts *f,
			 const struct kdump_header *h,
			 const struct run_state *st)
{
	f->set |= KDX_FACT_FORMAT_VERSION | KDX_FACT_PAGE_SIZE |
		  KDX_FACT_COMPRESSION | KDX_FACT_TIMESTAMP |
		  KDX_FACT_NR_CPUS | KDX_FACT_UTSNAME | KDX_FACT_MAX_PFN |
		  KDX_FACT_NR_PAGES;
	f->format_version = h->header_version;
	f->page_size = h->block_size;
	f->compression = compression_of(h);
	f->timestamp = timestamp_seconds(h);
	f->nr_cpus = h->nr_cpus;
	memcpy(f->uts_release, h->release, sizeof(f->uts_release));
	memcpy(f->uts_version, h->version, sizeof(f->uts_version));
	memcpy(f->uts_machine, h->machine, sizeof(f->uts_machine));
	memcpy(f->uts_nodename, h->nodename, sizeof(f->uts_nodename));
	f->max_pfn = h->max_mapnr;
	f->nr_pages = st->dumped;
	/* Only kdump's sub-header holds these; diskdump has none (its
	 * details show the zeros, as they always have). */
	if (!h->diskdump) {
		f->set |= KDX_FACT_PHYS_BASE;
		f->phys_base = h->phys_base;
	}
	if (!h->diskdump && h->header_version >= 1) {
		f->set |= KDX_FACT_DUMP_LEVEL;
		f->dump_level = (uint32_t)h->dump_level;
	}
	if (incomplete_flag(h))
		f->flags |= KDX_DUMP_INCOMPLETE;
	else if (st->lost)
		f->flags |= KDX_DUMP_TRUNCATED;
}

static void describe(struct kdx_dump_desc *desc, const struct kdump_header *h,
		     const struct run_state *st)
{
	char level[KDX_DUMP_LEVEL_TEXT];

	kdx_desc_add_detail(desc, "signature", "%s",
			    h->diskdump ? "DISKDUMP" : "KDUMP");
	kdx_desc_add_detail(desc, "header_version", "%u", h->header_version);
	kdx_desc_add_detail(desc, "abi", "%s%s", h->sub->name,
			    h->abi_from_block_size ?
				    " (not the machine's own: the only layout with a sane block_size, as QEMU writes it)" :
				    "");
	kdx_desc_add_detail(desc, "utsname", "%s %s %s", h->release,
			    h->version, h->machine);
	kdx_desc_add_detail(desc, "compression", "%s",
			    kdx_codec_name(header_codec(h)));
	kdx_desc_add_detail(desc, "block_size", "%u", h->block_size);
	if (h->header_version >= 1)
		kdx_desc_add_detail(desc, "dump_level", "%s",
				    kdx_dump_level_text((uint32_t)h->dump_level,
							level, sizeof(level)));
	kdx_desc_add_detail(desc, "max_mapnr", "0x%llx",
			    (unsigned long long)h->max_mapnr);
	kdx_desc_add_detail(desc, "phys_base", "0x%llx",
			    (unsigned long long)h->phys_base);
	kdx_desc_add_detail(desc, "nr_cpus", "%u", h->nr_cpus);
	kdx_desc_add_detail(desc, "timestamp", "%llu",
			    (unsigned long long)h->timestamp);
	kdx_desc_add_detail(desc, "pages", "%llu dumped, %llu excluded",
			    (unsigned long long)st->dumped,
			    (unsigned long long)st->excluded);
	if (h->split)
		kdx_desc_add_detail(desc, "split", "pfn 0x%llx-0x%llx",
				    (unsigned long long)h->start_pfn,
				    (unsigned long long)h->end_pfn);
	if (h->status & DUMP_DH_EXCLUDED_VMEMMAP)
		kdx_desc_add_detail(desc, "vmemmap", "unused vmemmap excluded");
	if (h->off_eraseinfo && h->size_eraseinfo)
		kdx_desc_add_detail(desc, "eraseinfo",
				    "0x%llx bytes at offset 0x%llx",
				    (unsigned long long)h->size_eraseinfo,
				    (unsigned long long)h->off_eraseinfo);
	if (st->lost)
		kdx_desc_add_warning(
			desc,
			"the dump is incomplete (%s): %llu dumped pages in pfn 0x%llx-0x%llx (physical 0x%llx-0x%llx) were never written and read as holes",
			incomplete_flag(h) ? "the writer marked it so" :
					     "the file is cut short",
			(unsigned long long)st->lost,
			(unsigned long long)st->first_lost_pfn,
			(unsigned long long)st->last_lost_pfn,
			(unsigned long long)(st->first_lost_pfn * h->block_size),
			(unsigned long long)((st->last_lost_pfn + 1) *
						     h->block_size -
					     1));
	else if (incomplete_flag(h))
		kdx_desc_add_warning(
			desc,
			"the writer marked the dump incomplete, yet every dumped page is there");
}

/* ---- open ---- */

/* Whether a descriptor's data runs past the end of the file. */
static bool data_past_end(const struct kdump *p, const struct page_desc *pd)
{
	return pd->offset >= p->file_size ||
	       pd->size > p->file_size - pd->offset;
}

/* The first descriptor in [@from, @to) that is not a shared zero page's
 * (every one of those points at the zero page opening the data) or whose
 * data is not in the file: *@found, *@pd, *@decided.  Else *@found is
 * where the scan stopped: @to, or sooner when it has read *@budget
 * descriptors (SCAN_CHUNK at a time). */
static struct kdx_error *next_data_desc(const struct kdump *p, uint64_t from,
					uint64_t to, uint64_t *budget,
					uint64_t *found, struct page_desc *pd,
					bool *decided)
{
	uint8_t b[SCAN_CHUNK * PAGE_DESC_SIZE];
	uint64_t i = from;
	struct kdx_error *err;

	*decided = false;
	while (i < to && *budget) {
		size_t n = (size_t)kdx_min_u64(kdx_min_u64(to - i, SCAN_CHUNK),
					       *budget);

		err = kdx_file_read(p->file, p->desc_offset + i * PAGE_DESC_SIZE,
				    b, n * PAGE_DESC_SIZE);
		if (err)
			return kdx_err_wrap(err, "page descriptors %llu-%llu",
					    (unsigned long long)i,
					    (unsigned long long)(i + n - 1));
		*budget -= n;
		for (size_t k = 0; k < n; k++, i++) {
			pd->offset = kdx_load_u64(b + k * PAGE_DESC_SIZE, p->bo);
			pd->size = kdx_load_u32(b + k * PAGE_DESC_SIZE + 8,
						p->bo);
			if (pd->offset != p->data_start || data_past_end(p, pd)) {
				*found = i;
				*decided = true;
				return NULL;
			}
		}
	}
	*found = i;
	return NULL;
}

/* A file cut short (a full disk, a copy interrupted) keeps its whole
 * descriptor table but loses the data at its end.  Page data is written
 * in descriptor order, so the pages whose data is in the file are a
 * prefix of the descriptors, except that shared zero pages all point at
 * the one zero page at the start of the data: bisect for the first
 * descriptor whose data is not in the file.  Where the middle lands on a
 * zero page, the next other descriptor decides, and the run of zero pages
 * between is readable or not with what precedes it.  Invariant: that
 * first descriptor is >= lo, and if it is >= hi it is end_at_hi. */
static struct kdx_error *find_data_end(const struct kdump *p, uint64_t count,
				       uint64_t *readable)
{
	uint64_t lo = 0, hi = count, end_at_hi = count, next;
	uint64_t budget = SCAN_BUDGET;
	struct page_desc pd = { 0 };
	bool decided;
	struct kdx_error *err;

	*readable = count;
	if (!count)
		return NULL;
	err = read_desc(p, p->bo, count - 1, &pd);
	if (err || (pd.offset != p->data_start && !data_past_end(p, &pd)))
		return err; /* the last page's data is there: all of it is */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;

		err = read_desc(p, p->bo, mid, &pd);
		if (err)
			return err;
		if (data_past_end(p, &pd)) {
			hi = end_at_hi = mid;
			continue;
		}
		if (pd.offset != p->data_start) {
			lo = mid + 1;
			continue;
		}
		err = next_data_desc(p, mid + 1, hi, &budget, &next, &pd,
				     &decided);
		if (err)
			return err;
		if (decided && !data_past_end(p, &pd)) {
			lo = next + 1;
			continue;
		}
		/* Zero pages in [mid, next): the first lost page is before
		 * mid, or next (or, out of budget, where the scan stopped:
		 * beyond, taken as lost). */
		if (next < hi)
			end_at_hi = next;
		hi = mid;
	}
	*readable = end_at_hi;
	return NULL;
}

static struct kdx_error *count_descs(struct kdump *p,
				     const struct kdump_header *h,
				     uint64_t dumpable)
{
	uint64_t in_file = 0;
	struct kdx_error *err;

	if (p->desc_offset < p->file_size)
		in_file = (p->file_size - p->desc_offset) / PAGE_DESC_SIZE;
	p->desc_count = kdx_min_u64(dumpable, in_file);
	p->data_start = p->desc_offset + dumpable * PAGE_DESC_SIZE;
	if (incomplete_flag(h)) {
		err = count_written_descs(p, p->bo, p->desc_count,
					  &p->desc_count);
		if (err)
			return err;
	}
	return find_data_end(p, p->desc_count, &p->desc_count);
}

/* Dumped pages in pfns [@first, @end): the CPU's popcount over the
 * window's whole bytes, bit by bit at the ends. */
static struct kdx_error *count_dumped(struct bitmaps *bm, uint64_t first,
				      uint64_t end, uint64_t *count)
{
	uint64_t n = 0, pfn = first, zero_end = 0, byte, upto;
	struct kdx_error *err;

	while (pfn < end) {
		byte = pfn >> 3;
		err = bitmap_at(bm, byte, &zero_end);
		if (err)
			return err;
		if (zero_end > byte) {
			pfn = kdx_min_u64(zero_end * 8, end);
			continue;
		}
		if ((pfn & 7) || end - pfn < 8) {
			n += bit(bm->dumped, pfn - bm->win * 8);
			pfn++;
			continue;
		}
		upto = kdx_min_u64(end >> 3, bm->win + bm->win_len);
		n += kdx_popcount(bm->dumped + (byte - bm->win),
				  (size_t)(upto - byte));
		pfn = upto * 8;
	}
	*count = n;
	return NULL;
}

static struct kdx_error *build_map(const struct kdump_header *h,
				   struct kdump *p,
				   struct kdx_dump_desc *desc,
				   struct bitmaps *bm,
				   struct run_state *st)
{
	uint64_t first = 0, end = kdx_min_u64(h->max_mapnr, bm->bytes * 8);
	uint64_t dumpable;
	struct kdx_error *err;

	if (h->max_mapnr > bm->bytes * 8)
		kdx_desc_add_warning(
			desc,
			"max_mapnr 0x%llx exceeds the bitmap (0x%llx pages); pages beyond it are holes",
			(unsigned long long)h->max_mapnr,
			(unsigned long long)(bm->bytes * 8));
	if (h->split) {
		first = kdx_min_u64(h->start_pfn, end);
		end = kdx_min_u64(kdx_min_u64(h->end_pfn, end), UINT64_MAX);
		if (end < first)
			end = first;
	}
	err = count_dumped(bm, first, end, &dumpable);
	if (!err)
		err = count_descs(p, h, dumpable);
	if (err)
		return err;
	st->desc = desc;
	st->block_size = h->block_size;
	st->desc_count = p->desc_count;
	return map_pages(bm, first, end, st);
}

/* Read one file's headers and bitmaps into the physical map; its pieces'
 * cookies carry @index so reads find this part. */
static struct kdx_error *open_part(const struct kdx_file *file, size_t index,
				   struct kdx_dump_desc *desc,
				   struct kdump_header *h, struct kdump **out,
				   struct run_state *st)
{
	struct bitmaps bm = { 0 };
	struct kdump *p;
	struct kdx_error *err;

	err = read_headers(file, h);
	if (err)
		return err;
	p = kdump_new(file, h);
	if (!p)
		return kdx_err_nomem();
	*out = p;
	st->part = (uint64_t)index << PART_SHIFT;
	st->next_desc = 0; /* each file numbers its own descriptors */
	err = read_bitmaps(file, h, desc, &bm);
	if (!err)
		err = build_map(h, p, desc, &bm, st);
	bitmaps_free(&bm);
	return err;
}

static struct kdx_error *add_part(struct kdump *head, struct kdump *p)
{
	struct kdump **grown = realloc(head->parts,
				       (head->nparts + 1) * sizeof(*grown));

	if (!grown)
		return kdx_err_nomem();
	head->parts = grown;
	head->parts[head->nparts++] = p;
	return NULL;
}

/* The utsname field in which @a and @b differ, or NULL. */
static const char *uts_difference(const struct kdump_header *a,
				  const struct kdump_header *b)
{
	if (strcmp(a->release, b->release))
		return "release";
	if (strcmp(a->version, b->version))
		return "version";
	if (strcmp(a->nodename, b->nodename))
		return "nodename";
	if (strcmp(a->machine, b->machine))
		return "machine";
	return NULL;
}

/* Later parts of a --split set must describe the same machine, the same
 * crash (one utsname, one max_mapnr), each its own pfns: parts of
 * different dumps, or one part twice, must not be combined silently.
 * @firsts and @ranges hold the earlier parts' files and pfn ranges. */
static struct kdx_error *check_part(const struct kdump_header *first,
				    const struct kdump_header *h,
				    const struct kdx_file *const *files,
				    const uint64_t (*ranges)[2], size_t index)
{
	const char *name = kdx_file_name(files[index]), *field;

	if (!h->split)
		return kdx_err(KDX_ERR_INVALID,
			       "%s: not part of a makedumpfile --split set (its header has no split range)",
			       name);
	if (h->block_size != first->block_size || h->bo != first->bo ||
	    h->arch != first->arch)
		return kdx_err(KDX_ERR_INVALID,
			       "%s: block size, byte order or machine differ from the first file's",
			       name);
	if ((field = uts_difference(first, h)))
		return kdx_err(KDX_ERR_INVALID,
			       "%s and %s are parts of different dumps: utsname.%s differs",
			       kdx_file_name(files[0]), name, field);
	if (h->max_mapnr != first->max_mapnr)
		return kdx_err(KDX_ERR_INVALID,
			       "%s and %s are parts of different dumps: max_mapnr 0x%llx and 0x%llx",
			       kdx_file_name(files[0]), name,
			       (unsigned long long)first->max_mapnr,
			       (unsigned long long)h->max_mapnr);
	for (size_t j = 0; j < index; j++) {
		if (h->start_pfn >= ranges[j][1] || ranges[j][0] >= h->end_pfn)
			continue;
		return kdx_err(KDX_ERR_INVALID,
			       "%s (pfn 0x%llx-0x%llx) overlaps %s (pfn 0x%llx-0x%llx)%s",
			       name, (unsigned long long)h->start_pfn,
			       (unsigned long long)h->end_pfn,
			       kdx_file_name(files[j]),
			       (unsigned long long)ranges[j][0],
			       (unsigned long long)ranges[j][1],
			       h->start_pfn == ranges[j][0] &&
					       h->end_pfn == ranges[j][1] ?
				       ": the same part twice" :
				       "");
	}
	return NULL;
}

/* The arch whose NT_PRSTATUS is @size bytes among @arches (all of them
 * when @count is 0); unknown unless exactly one. */
static enum kdx_arch arch_of_prstatus(size_t size, const enum kdx_arch *arches,
				      size_t count)
{
	enum kdx_arch found = KDX_ARCH_UNKNOWN;
	size_t n = count ? count : KDX_ARCH_COUNT - 1;

	for (size_t i = 0; i < n; i++) {
		enum kdx_arch a = count ? arches[i] : (enum kdx_arch)(i + 1);
		const struct kdx_arch_info *info = kdx_arch_info(a);

		if (!info || !info->prstatus.size || info->prstatus.size != size)
			continue;
		if (found != KDX_ARCH_UNKNOWN)
			return KDX_ARCH_UNKNOWN;
		found = a;
	}
	return found;
}

/* QEMU names its own target in utsname.machine, or nothing: "x86_64" for
 * a 32-bit x86 guest too, an empty string for Arm guests (arm64, armhf,
 * armhf-lpae).  The CPU notes it writes follow the guest, and
 * NT_PRSTATUS has each arch's own size (i386 144 bytes, x86_64 336, arm
 * 148, aarch64 392): where the header names x86 the notes choose the
 * mode, where it names nothing they name the arch. */
static void arch_from_prstatus(const struct kdump_header *h,
			       struct kdx_dump_desc *desc)
{
	static const enum kdx_arch x86[] = { KDX_ARCH_I386, KDX_ARCH_X86_64 };
	bool is_x86 = desc->arch == KDX_ARCH_X86_64 || desc->arch == KDX_ARCH_I386;
	enum kdx_arch from_notes = KDX_ARCH_UNKNOWN;

	if (!is_x86 && h->machine[0])
		return;
	for (size_t i = 0; i < desc->note_count; i++) {
		const struct kdx_desc_note *n = &desc->notes[i];

		if (n->type != 1 || strcmp(n->name, "CORE"))
			continue;
		from_notes = arch_of_prstatus(n->desc_size, x86,
					      is_x86 ? KDX_ARRAY_SIZE(x86) : 0);
		break;
	}
	if (from_notes == KDX_ARCH_UNKNOWN || from_notes == desc->arch)
		return;
	desc->arch = from_notes;
	kdx_desc_add_detail(
		desc, "arch_from", "NT_PRSTATUS is %s's, utsname.machine %s (QEMU names its own target there, or nothing)",
		kdx_arch_name(from_notes),
		h->machine[0] ? "is not" : "is empty");
}

static struct kdx_error *kdump_open_parts(const struct kdx_file *const *files,
					  size_t nfiles,
					  const struct kdx_open_options *opts,
					  struct kdx_dump_desc *desc)
{
	struct kdump_header first, h;
	struct run_state st = { 0 };
	struct kdump *head = NULL, *p = NULL;
	uint64_t (*ranges)[2];
	struct kdx_error *err;

	(void)opts;
	if (nfiles > (size_t)1 << (64 - PART_SHIFT))
		return kdx_err(KDX_ERR_INVALID, "too many files in one dump");
	err = open_part(files[0], 0, desc, &first, &head, &st);
	if (head) {
		desc->priv = head;
		err = err ? err : add_part(head, head);
	}
	if (err)
		return err;
	desc->byte_order = first.bo;
	desc->arch = first.arch;
	if (nfiles > 1 && !first.split)
		return kdx_err(KDX_ERR_INVALID,
			       "%s: not part of a makedumpfile --split set (its header has no split range)",
			       kdx_file_name(files[0]));
	ranges = calloc(nfiles, sizeof(*ranges));
	if (!ranges)
		return kdx_err_nomem();
	ranges[0][0] = first.start_pfn;
	ranges[0][1] = first.end_pfn;
	for (size_t i = 1; i < nfiles && !err; i++) {
		p = NULL;
		err = open_part(files[i], i, desc, &h, &p, &st);
		if (p) {
			struct kdx_error *add = add_part(head, p);

			if (add) {
				part_destroy(p);
				kdx_error_destroy(err);
				free(ranges);
				return add;
			}
		}
		if (!err)
			err = check_part(&first, &h, files, ranges, i);
		ranges[i][0] = h.start_pfn;
		ranges[i][1] = h.end_pfn;
		if (err)
			err = kdx_err_wrap(err, "split file %zu", i + 1);
	}
	free(ranges);
	if (!err)
		err = read_notes(files[0], &first, desc);
	if (err)
		return err;
	arch_from_prstatus(&first, desc);
	record_facts(&desc->facts, &first, &st);
	describe(desc, &first, &st);
	if (nfiles > 1)
		kdx_desc_add_detail(desc, "split_files", "%zu", nfiles);
	return NULL;
}

static struct kdx_error *kdump_open(const struct kdx_file *file,
				    const struct kdx_open_options *opts,
				    struct kdx_dump_desc *desc)
{
	return kdump_open_parts(&file, 1, opts, desc);
}

const struct kdx_format_ops kdx_format_kdump = {
	.name = "kdump",
	.description = "kdump-compressed (makedumpfile, QEMU kdump-*): zlib, lzo, snappy, zstd; also flattened",
	.detect = true,
	.probe = kdump_probe,
	.open = kdump_open,
	.open_parts = kdump_open_parts,
	.read = kdump_read,
	.destroy = kdump_destroy,
};
