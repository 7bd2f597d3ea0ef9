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
#include "io/file.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
	DUMP_DH_COMPRESSED_ZLIB = 0x1,
	DUMP_DH_COMPRESSED_LZO = 0x2,
	DUMP_DH_COMPRESSED_SNAPPY = 0x4,
	DUMP_DH_COMPRESSED_INCOMPLETE = 0x8,
	DUMP_DH_EXCLUDED_VMEMMAP = 0x10,
	DUMP_DH_COMPRESSED_ZSTD = 0x20,
	PAGE_DESC_SIZE = 24,
	UTS_FIELD = 65,
	/* Decompressed pages kept for repeated small reads (page-table
	 * walks read 8 bytes at a time). */
	CACHE_SLOTS = 64,
};

/* Bitmaps beyond this would describe more than 2^40 pages. */
#define MAX_BITMAP_BYTES (1ull << 37)

/* Where the sub-header's fields sit: three ABIs write it. */
struct sub_layout {
	const char *name;
	unsigned int word; /* unsigned long */
	size_t phys_base, dump_level, split, start_pfn, end_pfn;
	size_t off_vmcoreinfo, size_vmcoreinfo, off_note, size_note;
	size_t off_eraseinfo, size_eraseinfo, start_pfn_64, end_pfn_64,
		max_mapnr_64;
};

static const struct sub_layout lp64_abi = {
	"LP64", 8, 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96,
};
/* i386 aligns 64-bit fields to 4 bytes. */
static const struct sub_layout i386_abi = {
	"i386", 4, 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72,
};
/* ARM EABI (and other 32-bit ABIs) align 64-bit fields to 8 bytes. */
static const struct sub_layout ilp32_aligned = {
	"ILP32", 4, 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88,
};

struct kdump_header {
	enum kdx_byte_order bo;
	bool lp64;
	const struct sub_layout *sub;
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

struct kdump {
	const struct kdx_file *file;
	enum kdx_byte_order bo;
	uint32_t block_size;
	uint64_t desc_offset;
	uint64_t desc_count;  /* descriptors the file really holds */
	uint64_t file_size;
	struct kdx_decoder_pool decoders;
	pthread_mutex_t cache_lock;
	struct cache_slot cache[CACHE_SLOTS];
	uint8_t *cache_pages;
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

/* The struct timeval in the header is two longs: its width moves every
 * later field, so the ABI is found from utsname.machine, or failing
 * that from which reading gives a sane block size. */
static bool machine_is_64bit(const char *machine, bool *known)
{
	enum kdx_arch arch = kdx_arch_from_name(machine);
	const struct kdx_arch_info *info = kdx_arch_info(arch);

	*known = info != NULL;
	return info ? info->word_size == 8 : false;
}

static const struct sub_layout *pick_sub_layout(const char *machine,
						bool lp64)
{
	if (lp64)
		return &lp64_abi;
	return kdx_arch_from_name(machine) == KDX_ARCH_I386 ? &i386_abi :
							      &ilp32_aligned;
}

static struct kdx_error *parse_main_header(const uint8_t *b,
					   struct kdump_header *h)
{
	uint32_t v_le = kdx_load_u32(b + 8, KDX_LITTLE_ENDIAN);
	bool known;
	size_t base;

	h->diskdump = !memcmp(b, "DISKDUMP", 8);
	/* header_version is a small number in the writer's byte order. */
	h->bo = v_le && v_le < 0x10000 ? KDX_LITTLE_ENDIAN : KDX_BIG_ENDIAN;
	h->header_version = kdx_load_u32(b + 8, h->bo);
	copy_uts(h->nodename, b + 12 + UTS_FIELD);
	copy_uts(h->release, b + 12 + 2 * UTS_FIELD);
	copy_uts(h->version, b + 12 + 3 * UTS_FIELD);
	copy_uts(h->machine, b + 12 + 4 * UTS_FIELD);
	h->lp64 = machine_is_64bit(h->machine, &known);
	if (!known)
		h->lp64 = plausible_block_size(kdx_load_u32(b + 428, h->bo));
	base = h->lp64 ? 424 : 412;
	h->timestamp = kdx_load_uint(b + (h->lp64 ? 408 : 404),
				     h->lp64 ? 8 : 4, h->bo);
	h->status = kdx_load_u32(b + base, h->bo);
	h->block_size = kdx_load_u32(b + base + 4, h->bo);
	h->sub_hdr_size = kdx_load_u32(b + base + 8, h->bo);
	h->bitmap_blocks = kdx_load_u32(b + base + 12, h->bo);
	h->max_mapnr_32 = kdx_load_u32(b + base + 16, h->bo);
	h->nr_cpus = kdx_load_u32(b + base + 36, h->bo);
	h->sub = pick_sub_layout(h->machine, h->lp64);
	if (!plausible_block_size(h->block_size))
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"kdump header: block_size %u (at offset 0x%zx) is not a page size",
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
	const struct sub_layout *l = h->sub;

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

struct bitmaps {
	uint8_t *present; /* 1st: memory exists */
	uint8_t *dumped;  /* 2nd: page is in the file */
	uint64_t bytes;
};

static bool bit(const uint8_t *map, uint64_t pfn)
{
	return map[pfn >> 3] >> (pfn & 7) & 1;
}

static struct kdx_error *read_bitmaps(const struct kdx_file *file,
				      const struct kdump_header *h,
				      struct kdx_dump_desc *desc,
				      struct bitmaps *bm)
{
	uint64_t bs = h->block_size, one, start, need;
	struct kdx_error *err;

	one = (uint64_t)h->bitmap_blocks / 2 * bs;
	need = (h->max_mapnr + 7) / 8;
	/* Old diskdump files have one bitmap used for both purposes. */
	if (h->bitmap_blocks < 2 || one < need)
		one = (uint64_t)h->bitmap_blocks * bs;
	if (one > MAX_BITMAP_BYTES)
		return kdx_err(KDX_ERR_CORRUPT,
			       "kdump header: %u bitmap blocks of %u bytes is beyond any machine",
			       h->bitmap_blocks, h->block_size);
	start = (1 + (uint64_t)h->sub_hdr_size) * bs;
	bm->bytes = one;
	bm->present = malloc(one);
	bm->dumped = one * 2 <= (uint64_t)h->bitmap_blocks * bs ?
			     malloc(one) :
			     NULL;
	if (!bm->present)
		return kdx_err_nomem();
	err = kdx_file_read(file, start, bm->present, one);
	if (!err && bm->dumped)
		err = kdx_file_read(file, start + one, bm->dumped, one);
	if (err)
		return kdx_err_wrap(err, "kdump bitmaps at offset 0x%llx",
				    (unsigned long long)start);
	if (!bm->dumped) {
		bm->dumped = bm->present;
		return kdx_desc_add_detail(desc, "bitmaps",
					   "one (old diskdump layout)");
	}
	return NULL;
}

enum page_class { PAGE_HOLE, PAGE_DUMPED, PAGE_EXCLUDED };

static enum page_class classify(const struct bitmaps *bm, uint64_t pfn)
{
	if (bit(bm->dumped, pfn))
		return PAGE_DUMPED;
	return bit(bm->present, pfn) ? PAGE_EXCLUDED : PAGE_HOLE;
}

struct run_state {
	struct kdx_dump_desc *desc;
	uint64_t block_size;
	uint64_t desc_count; /* descriptors the file holds */
	uint64_t next_desc;  /* descriptor of the next dumped page */
	uint64_t dumped, excluded, lost, first_lost_pfn;
};

/* Add pfns [start, end) of one class to the physical map. */
static struct kdx_error *add_run(struct run_state *st, enum page_class cls,
				 uint64_t start, uint64_t end)
{
	uint64_t bs = st->block_size, n = end - start, usable;
	struct kdx_error *err = NULL;

	if (cls == PAGE_EXCLUDED) {
		st->excluded += n;
		return kdx_physmap_add(&st->desc->physmap, start * bs, n * bs,
				       KDX_PIECE_EXCLUDED, 0);
	}
	if (cls != PAGE_DUMPED)
		return NULL;
	/* Pages whose descriptors were never written (incomplete dump)
	 * stay holes. */
	usable = st->next_desc < st->desc_count ?
			 kdx_min_u64(n, st->desc_count - st->next_desc) :
			 0;
	if (usable)
		err = kdx_physmap_add(&st->desc->physmap, start * bs,
				      usable * bs, KDX_PIECE_FORMAT,
				      st->next_desc);
	if (usable < n && !st->lost)
		st->first_lost_pfn = start + usable;
	st->lost += n - usable;
	st->dumped += n;
	st->next_desc += n;
	return err;
}

/* A bitmap byte pair whose eight pages are all of one class. */
static bool uniform_class(uint8_t present, uint8_t dumped,
			  enum page_class *cls)
{
	if (dumped == 0xff)
		*cls = PAGE_DUMPED;
	else if (dumped == 0 && present == 0)
		*cls = PAGE_HOLE;
	else if (dumped == 0 && present == 0xff)
		*cls = PAGE_EXCLUDED;
	else
		return false;
	return true;
}

/* Walk the bitmaps, taking uniform bytes eight pages at a time. */
static struct kdx_error *map_pages(const struct bitmaps *bm,
				   uint64_t first_pfn, uint64_t end_pfn,
				   struct run_state *st)
{
	enum page_class cls = PAGE_HOLE, c;
	uint64_t run_start = first_pfn, pfn = first_pfn, step;
	struct kdx_error *err;

	while (pfn < end_pfn) {
		step = 1;
		if ((pfn & 7) == 0 && pfn + 8 <= end_pfn &&
		    uniform_class(bm->present[pfn >> 3], bm->dumped[pfn >> 3],
				  &c))
			step = 8;
		else
			c = classify(bm, pfn);
		if (c != cls) {
			err = add_run(st, cls, run_start, pfn);
			if (err)
				return err;
			cls = c;
			run_start = pfn;
		}
		pfn += step;
	}
	return add_run(st, cls, run_start, end_pfn);
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

static bool cache_lookup(struct kdump *k, uint64_t index, uint8_t *out)
{
	struct cache_slot *slot = &k->cache[index % CACHE_SLOTS];
	bool hit;

	pthread_mutex_lock(&k->cache_lock);
	hit = slot->desc_index == index;
	if (hit)
		memcpy(out, slot->data, k->block_size);
	pthread_mutex_unlock(&k->cache_lock);
	return hit;
}

static void cache_store(struct kdump *k, uint64_t index, const uint8_t *page)
{
	struct cache_slot *slot = &k->cache[index % CACHE_SLOTS];

	pthread_mutex_lock(&k->cache_lock);
	slot->desc_index = index;
	memcpy(slot->data, page, k->block_size);
	pthread_mutex_unlock(&k->cache_lock);
}

static struct kdx_error *decode_page(struct kdump *p, uint64_t index,
				     uint8_t *out)
{
	struct kdump *k = p;
	struct page_desc pd;
	struct kdx_decoder *d;
	uint8_t *in;
	struct kdx_error *err = read_desc(k, p->bo, index, &pd);

	if (err)
		return err;
	if (pd.size > k->block_size || pd.size == 0)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"page descriptor %llu: stored size %u is not 1..%u",
				(unsigned long long)index, pd.size,
				k->block_size),
			k->desc_offset + index * PAGE_DESC_SIZE);
	in = malloc(pd.size);
	d = kdx_decoder_get(&k->decoders);
	if (!in || !d) {
		free(in);
		kdx_decoder_put(&k->decoders, d);
		return kdx_err_nomem();
	}
	err = kdx_file_read(k->file, pd.offset, in, pd.size);
	if (!err)
		err = kdx_decode(d, codec_of(pd.flags), in, pd.size, out,
				 k->block_size);
	kdx_decoder_put(&k->decoders, d);
	free(in);
	if (err)
		return kdx_err_set_file_offset(
			kdx_err_wrap(err, "page data at offset 0x%llx (0x%x bytes, descriptor %llu)",
				     (unsigned long long)pd.offset, pd.size,
				     (unsigned long long)index),
			pd.offset);
	return NULL;
}

static struct kdx_error *kdump_read(void *priv, uint64_t first_desc,
				    uint64_t offset, void *buf, size_t len)
{
	struct kdump *p = priv;
	uint32_t bs = p->block_size;
	uint8_t *out = buf, *page = NULL;
	struct kdx_error *err = NULL;

	while (len && !err) {
		uint64_t index = first_desc + offset / bs;
		size_t in_page = (size_t)(offset % bs);
		size_t n = (size_t)kdx_min_u64(len, bs - in_page);
		bool whole = in_page == 0 && n == bs;
		uint8_t *dst;

		if (!whole && !page && !(page = malloc(bs)))
			return kdx_err_nomem();
		dst = whole ? out : page;
		if (!cache_lookup(p, index, dst)) {
			err = decode_page(p, index, dst);
			if (!err)
				cache_store(p, index, dst);
		}
		if (!err && !whole)
			memcpy(out, page + in_page, n);
		out += n;
		offset += n;
		len -= n;
	}
	free(page);
	return err;
}

static void kdump_destroy(void *priv)
{
	struct kdump *p = priv;

	kdx_decoder_pool_deinit(&p->decoders);
	pthread_mutex_destroy(&p->cache_lock);
	free(p->cache_pages);
	free(p);
}

static struct kdump *kdump_new(const struct kdx_file *file,
				    const struct kdump_header *h)
{
	struct kdump *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cache_pages = malloc((size_t)CACHE_SLOTS * h->block_size);
	if (!p->cache_pages) {
		free(p);
		return NULL;
	}
	p->bo = h->bo;
	p->file = file;
	p->block_size = h->block_size;
	p->file_size = kdx_file_size(file);
	p->desc_offset = (1 + (uint64_t)h->sub_hdr_size + h->bitmap_blocks) *
			   h->block_size;
	for (int i = 0; i < CACHE_SLOTS; i++) {
		p->cache[i].desc_index = UINT64_MAX;
		p->cache[i].data = p->cache_pages + (size_t)i * h->block_size;
	}
	kdx_decoder_pool_init(&p->decoders);
	pthread_mutex_init(&p->cache_lock, NULL);
	return p;
}

/* ---- notes, VMCOREINFO, description ---- */

static struct kdx_error *read_notes(const struct kdx_file *file,
				    const struct kdump_header *h,
				    struct kdx_dump_desc *desc)
{
	uint64_t limit = 64u << 20;
	uint8_t *buf;
	struct kdx_error *err;

	if (!h->off_note || !h->size_note) {
		/* Version 3 has VMCOREINFO but no notes: keep it as one. */
		if (!h->off_vmcoreinfo || !h->size_vmcoreinfo)
			return NULL;
		if (h->size_vmcoreinfo > limit)
			return kdx_desc_add_warning(
				desc, "VMCOREINFO size 0x%llx is absurd; ignored",
				(unsigned long long)h->size_vmcoreinfo);
		buf = malloc(h->size_vmcoreinfo);
		if (!buf)
			return kdx_err_nomem();
		err = kdx_file_read(file, h->off_vmcoreinfo, buf,
				    h->size_vmcoreinfo);
		if (!err)
			err = kdx_desc_add_note(desc, "VMCOREINFO", 10, 0, buf,
						h->size_vmcoreinfo,
						h->off_vmcoreinfo);
		free(buf);
		return err ? kdx_err_wrap(err, "VMCOREINFO") : NULL;
	}
	if (h->size_note > limit)
		return kdx_desc_add_warning(desc,
					    "notes size 0x%llx is absurd; ignored",
					    (unsigned long long)h->size_note);
	buf = malloc(h->size_note);
	if (!buf)
		return kdx_err_nomem();
	err = kdx_file_read(file, h->off_note, buf, h->size_note);
	if (!err) {
		err = kdx_desc_parse_notes(desc, buf, h->size_note, h->off_note,
					   h->bo);
	} else {
		/* Pages may still be readable without the notes. */
		struct kdx_error *read_err = err;

		err = kdx_desc_add_warning(desc, "ELF notes: %s",
					   kdx_error_message(read_err));
		kdx_error_destroy(read_err);
	}
	free(buf);
	return err;
}

static const char *const dump_level_bits[] = {
	"zero pages", "cache pages", "cache private pages", "user pages",
	"free pages",
};

static struct kdx_error *describe_level(struct kdx_dump_desc *desc,
					const struct kdump_header *h)
{
	char words[160] = "";

	for (unsigned int b = 0; b < 5; b++) {
		if (!(h->dump_level & (1u << b)))
			continue;
		if (words[0])
			strcat(words, ", ");
		strcat(words, dump_level_bits[b]);
	}
	return kdx_desc_add_detail(desc, "dump_level", "%llu (excluded: %s)",
				   (unsigned long long)h->dump_level,
				   words[0] ? words : "nothing");
}

static struct kdx_error *describe(struct kdx_dump_desc *desc,
				  const struct kdump_header *h,
				  const struct run_state *st)
{
	struct kdx_error *err;

	err = kdx_desc_add_detail(desc, "signature", "%s",
				  h->diskdump ? "DISKDUMP" : "KDUMP");
	if (!err)
		err = kdx_desc_add_detail(desc, "header_version", "%u",
					  h->header_version);
	if (!err)
		err = kdx_desc_add_detail(desc, "abi", "%s", h->sub->name);
	if (!err)
		err = kdx_desc_add_detail(desc, "utsname", "%s %s %s",
					  h->release, h->version, h->machine);
	if (!err)
		err = kdx_desc_add_detail(desc, "compression", "%s",
					  kdx_codec_name(codec_of(h->status)));
	if (!err)
		err = kdx_desc_add_detail(desc, "block_size", "%u", h->block_size);
	if (!err && h->header_version >= 1)
		err = describe_level(desc, h);
	if (!err)
		err = kdx_desc_add_detail(desc, "max_mapnr", "0x%llx",
					  (unsigned long long)h->max_mapnr);
	if (!err)
		err = kdx_desc_add_detail(desc, "phys_base", "0x%llx",
					  (unsigned long long)h->phys_base);
	if (!err)
		err = kdx_desc_add_detail(desc, "nr_cpus", "%u", h->nr_cpus);
	if (!err)
		err = kdx_desc_add_detail(desc, "timestamp", "%llu",
					  (unsigned long long)h->timestamp);
	if (!err)
		err = kdx_desc_add_detail(desc, "pages", "%llu dumped, %llu excluded",
					  (unsigned long long)st->dumped,
					  (unsigned long long)st->excluded);
	if (!err && h->split)
		err = kdx_desc_add_detail(desc, "split", "pfn 0x%llx-0x%llx",
					  (unsigned long long)h->start_pfn,
					  (unsigned long long)h->end_pfn);
	if (!err && (h->status & DUMP_DH_EXCLUDED_VMEMMAP))
		err = kdx_desc_add_detail(desc, "vmemmap", "unused vmemmap excluded");
	if (!err && st->lost)
		err = kdx_desc_add_warning(
			desc,
			"the dump is incomplete%s: %llu dumped pages from pfn 0x%llx (physical 0x%llx) on were never written",
			(h->status & DUMP_DH_COMPRESSED_INCOMPLETE) ?
				" (the writer marked it so)" :
				" (the file is cut short)",
			(unsigned long long)st->lost,
			(unsigned long long)st->first_lost_pfn,
			(unsigned long long)(st->first_lost_pfn * h->block_size));
	return err;
}

/* ---- open ---- */

static struct kdx_error *count_descs(struct kdump *p,
				     const struct kdump_header *h,
				     uint64_t dumpable)
{
	uint64_t in_file = 0;

	if (p->desc_offset < p->file_size)
		in_file = (p->file_size - p->desc_offset) / PAGE_DESC_SIZE;
	p->desc_count = kdx_min_u64(dumpable, in_file);
	if (!(h->status & DUMP_DH_COMPRESSED_INCOMPLETE))
		return NULL;
	return count_written_descs(p, p->bo, p->desc_count,
				   &p->desc_count);
}

static uint64_t count_dumped(const struct bitmaps *bm, uint64_t first,
			     uint64_t end)
{
	uint64_t n = 0;

	for (uint64_t pfn = first; pfn < end; pfn++) {
		if ((pfn & 7) == 0 && pfn + 8 <= end) {
			n += (uint64_t)__builtin_popcount(bm->dumped[pfn >> 3]);
			pfn += 7;
			continue;
		}
		n += bit(bm->dumped, pfn);
	}
	return n;
}

static struct kdx_error *build_map(const struct kdump_header *h,
				   struct kdump *p,
				   struct kdx_dump_desc *desc,
				   const struct bitmaps *bm,
				   struct run_state *st)
{
	uint64_t first = 0, end = kdx_min_u64(h->max_mapnr, bm->bytes * 8);
	struct kdx_error *err;

	if (h->max_mapnr > bm->bytes * 8) {
		err = kdx_desc_add_warning(
			desc,
			"max_mapnr 0x%llx exceeds the bitmap (0x%llx pages); pages beyond it are holes",
			(unsigned long long)h->max_mapnr,
			(unsigned long long)(bm->bytes * 8));
		if (err)
			return err;
	}
	if (h->split) {
		first = kdx_min_u64(h->start_pfn, end);
		end = kdx_min_u64(kdx_min_u64(h->end_pfn, end), UINT64_MAX);
		if (end < first)
			end = first;
	}
	err = count_descs(p, h, count_dumped(bm, first, end));
	if (err)
		return err;
	st->desc = desc;
	st->block_size = h->block_size;
	st->desc_count = p->desc_count;
	return map_pages(bm, first, end, st);
}

static struct kdx_error *kdump_open(const struct kdx_file *file,
				    const struct kdx_open_options *opts,
				    struct kdx_dump_desc *desc)
{
	struct kdump_header h;
	struct bitmaps bm = { 0 };
	struct run_state st = { 0 };
	struct kdump *p;
	struct kdx_error *err;

	(void)opts;
	err = read_headers(file, &h);
	if (err)
		return err;
	p = kdump_new(file, &h);
	if (!p)
		return kdx_err_nomem();
	desc->priv = p;
	desc->byte_order = h.bo;
	desc->arch = kdx_arch_from_name(h.machine);
	desc->page_size = h.block_size;
	err = read_bitmaps(file, &h, desc, &bm);
	if (!err)
		err = build_map(&h, p, desc, &bm, &st);
	if (bm.dumped != bm.present)
		free(bm.dumped);
	free(bm.present);
	if (!err)
		err = read_notes(file, &h, desc);
	if (!err)
		err = describe(desc, &h, &st);
	return err;
}

const struct kdx_format_ops kdx_format_kdump = {
	.name = "kdump",
	.description = "kdump-compressed (makedumpfile, QEMU kdump-*): zlib, lzo, snappy, zstd; also flattened",
	.detect = true,
	.probe = kdump_probe,
	.open = kdump_open,
	.read = kdump_read,
	.destroy = kdump_destroy,
};
