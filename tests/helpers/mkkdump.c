/* SPDX-License-Identifier: MIT */
#include "mkkdump.h"

#include "bytes.h"
#include "mknote.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define UTS 65
#define DESC_SIZE 24

/* Offsets of the main header fields after utsname; ILP32's struct
 * timeval is two 4-byte longs, LP64's two 8-byte ones (diskdump_mod.h,
 * QEMU's DiskDumpHeader32/64). */
struct main_layout {
	size_t timestamp, ts_size, status;
};

static const struct main_layout main_lp64 = { 408, 16, 424 };
static const struct main_layout main_ilp32 = { 404, 8, 412 };

/* struct kdump_sub_header as LP64, i386 and ARM EABI lay it out (crash's
 * diskdump.c comments and kdump_sub_header_ARM_target). */
struct sub_layout {
	unsigned int word;
	size_t phys_base, dump_level, split, start_pfn, end_pfn;
	size_t off_vmcoreinfo, size_vmcoreinfo, off_note, size_note;
	size_t off_eraseinfo, size_eraseinfo;
	size_t start_pfn_64, end_pfn_64, max_mapnr_64, size;
};

static const struct sub_layout sub_lp64 = {
	8, 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104,
};
static const struct sub_layout sub_i386 = {
	4, 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72, 80,
};
static const struct sub_layout sub_arm = {
	4, 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96,
};

struct page {
	enum mkkdump_page_kind kind;
	enum mkkdump_codec codec;
	uint8_t *data; /* caller's bytes, or NULL */
	/* Filled by build. */
	uint64_t desc_offset, data_offset;
	uint32_t size, flags;
	bool has_desc;
};

struct mkkdump {
	struct mkkdump_options o;
	const struct main_layout *ml;
	const struct sub_layout *sl;
	uint16_t elf_machine;
	struct page *pages;
	uint64_t npages; /* pfns [0, npages) have entries */
	struct mknote_buf notes;
	size_t vmcoreinfo_at; /* payload offset in notes; SIZE_MAX if none */
	size_t vmcoreinfo_len;
	char *vmcoreinfo_text;
	/* Filled by build. */
	uint64_t max_mapnr, bitmap_offset, desc_offset;
	uint32_t sub_hdr_size, bitmap_blocks;
};

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool is_lp64(const char *m)
{
	static const char *const lp64[] = {
		"x86_64", "aarch64", "arm64", "s390x", "ppc64", "riscv64",
		"mips64", "loongarch64", "ia64", "sparc64", "alpha",
	};

	for (size_t i = 0; i < sizeof(lp64) / sizeof(lp64[0]); i++)
		if (prefix(m, lp64[i]))
			return true;
	return false;
}

static bool is_i386(const char *m)
{
	return strlen(m) == 4 && m[0] == 'i' && m[1] >= '3' && m[1] <= '6' &&
	       !strcmp(m + 2, "86");
}

static uint16_t elf_machine_of(const char *m)
{
	if (prefix(m, "x86_64"))
		return 62;
	if (is_i386(m))
		return 3;
	if (prefix(m, "aarch64"))
		return 183;
	if (prefix(m, "arm"))
		return 40;
	if (prefix(m, "riscv64"))
		return 243;
	return 0;
}

struct mkkdump *mkkdump_new(const struct mkkdump_options *opts)
{
	struct mkkdump *m = calloc(1, sizeof(*m));

	m->o = *opts;
	if (!m->o.machine)
		m->o.machine = "x86_64";
	if (!m->o.header_version && !m->o.zero_version)
		m->o.header_version = 6;
	if (!m->o.block_size)
		m->o.block_size = 4096;
	if (!m->o.nr_cpus)
		m->o.nr_cpus = 1;
	if (!m->o.release)
		m->o.release = "6.1.0-kdx-test";
	if (is_lp64(m->o.machine)) {
		m->ml = &main_lp64;
		m->sl = &sub_lp64;
	} else {
		m->ml = &main_ilp32;
		m->sl = is_i386(m->o.machine) ? &sub_i386 : &sub_arm;
	}
	m->elf_machine = elf_machine_of(m->o.machine);
	m->notes.byte_order = m->o.byte_order;
	m->vmcoreinfo_at = SIZE_MAX;
	return m;
}

void mkkdump_free(struct mkkdump *m)
{
	if (!m)
		return;
	for (uint64_t i = 0; i < m->npages; i++)
		free(m->pages[i].data);
	free(m->pages);
	mknote_free(&m->notes);
	free(m->vmcoreinfo_text);
	free(m);
}

static struct page *page_at(struct mkkdump *m, uint64_t pfn)
{
	if (pfn >= m->npages) {
		uint64_t n = pfn + 1 > 2 * m->npages ? pfn + 1 : 2 * m->npages;

		m->pages = realloc(m->pages, n * sizeof(*m->pages));
		memset(m->pages + m->npages, 0,
		       (n - m->npages) * sizeof(*m->pages));
		m->npages = n;
	}
	return &m->pages[pfn];
}

void mkkdump_set_pages(struct mkkdump *m, uint64_t first, uint64_t count,
		       enum mkkdump_page_kind kind, enum mkkdump_codec codec)
{
	if (codec == MKKDUMP_CODEC_DEFAULT)
		codec = m->o.default_codec;
	if (!count)
		return;
	page_at(m, first + count - 1);
	for (uint64_t pfn = first; pfn < first + count; pfn++) {
		struct page *p = page_at(m, pfn);

		free(p->data);
		p->data = NULL;
		p->kind = kind;
		p->codec = codec;
	}
}

void mkkdump_set_page_data(struct mkkdump *m, uint64_t pfn,
			   const uint8_t *data, enum mkkdump_codec codec)
{
	struct page *p;

	mkkdump_set_pages(m, pfn, 1, MKKDUMP_DATA, codec);
	p = page_at(m, pfn);
	p->data = malloc(m->o.block_size);
	memcpy(p->data, data, m->o.block_size);
}

void mkkdump_add_note(struct mkkdump *m, const char *name, uint32_t type,
		      const void *desc, size_t desc_size)
{
	mknote_add(&m->notes, name, type, desc, desc_size);
}

void mkkdump_add_vmcoreinfo(struct mkkdump *m, const char *text)
{
	m->vmcoreinfo_len = strlen(text);
	m->vmcoreinfo_at = mknote_add(&m->notes, "VMCOREINFO", 0, text,
				      m->vmcoreinfo_len);
	free(m->vmcoreinfo_text);
	m->vmcoreinfo_text = strdup(text);
}

void mkkdump_add_prstatus(struct mkkdump *m, int32_t pid,
			  const uint64_t *regs, unsigned int nregs)
{
	mknote_add_prstatus(&m->notes, m->elf_machine ? m->elf_machine : 62,
			    pid, regs, nregs);
}

/* ---- page contents ---- */

uint8_t mkkdump_page_byte(uint64_t pfn, size_t i)
{
	static const char text[] = "kdx kdump synthetic page ";
	uint8_t salt = (uint8_t)(pfn * 37 + (pfn >> 8) * 11 + 5);

	if ((i / 96) % 5 == 0)
		return 0; /* runs of zeros */
	return (uint8_t)(text[i % (sizeof(text) - 1)] ^ salt ^ (i / 512));
}

static void random_page(uint64_t pfn, uint8_t *buf, size_t n)
{
	uint64_t x = pfn * 0x9e3779b97f4a7c15ull + 0x1234567;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 24);
	}
}

enum mkkdump_page_kind mkkdump_page_kind(const struct mkkdump *m,
					 uint64_t pfn)
{
	return pfn < m->npages ? m->pages[pfn].kind : MKKDUMP_HOLE;
}

void mkkdump_expected_page(const struct mkkdump *m, uint64_t pfn,
			   uint8_t *buf)
{
	size_t bs = m->o.block_size;
	const struct page *p = pfn < m->npages ? &m->pages[pfn] : NULL;

	if (p && p->data) {
		memcpy(buf, p->data, bs);
	} else if (p && p->kind == MKKDUMP_DATA) {
		for (size_t i = 0; i < bs; i++)
			buf[i] = mkkdump_page_byte(pfn, i);
	} else if (p && p->kind == MKKDUMP_RANDOM) {
		random_page(pfn, buf, bs);
	} else {
		memset(buf, 0, bs);
	}
}

uint32_t mkkdump_block_size(const struct mkkdump *m)
{
	return m->o.block_size;
}

uint64_t mkkdump_max_mapnr(const struct mkkdump *m)
{
	return m->max_mapnr;
}

/* Compress as makedumpfile does; false when it does not shrink the page
 * (then the page is stored raw with flags 0). */
static bool compress_page(enum mkkdump_codec codec, const uint8_t *in,
			  size_t len, uint8_t *out, size_t cap, size_t *got,
			  uint32_t *flag)
{
	static bool lzo_ready;
	size_t n = 0;

	switch (codec) {
	case MKKDUMP_CODEC_ZLIB: {
		uLongf dl = cap;

		if (compress2(out, &dl, in, len, Z_BEST_SPEED) != Z_OK)
			return false;
		n = dl;
		*flag = MKKDUMP_ZLIB;
		break;
	}
	case MKKDUMP_CODEC_LZO: {
		lzo_uint dl = cap;
		void *wrk = malloc(LZO1X_1_MEM_COMPRESS);

		if (!lzo_ready)
			lzo_ready = lzo_init() == LZO_E_OK;
		if (lzo1x_1_compress(in, len, out, &dl, wrk) != LZO_E_OK) {
			free(wrk);
			return false;
		}
		free(wrk);
		n = dl;
		*flag = MKKDUMP_LZO;
		break;
	}
	case MKKDUMP_CODEC_SNAPPY: {
		size_t dl = cap;

		if (snappy_compress((const char *)in, len, (char *)out, &dl) !=
		    SNAPPY_OK)
			return false;
		n = dl;
		*flag = MKKDUMP_SNAPPY;
		break;
	}
	case MKKDUMP_CODEC_ZSTD:
		n = ZSTD_compress(out, cap, in, len, 1);
		if (ZSTD_isError(n))
			return false;
		*flag = MKKDUMP_ZSTD;
		break;
	default:
		return false;
	}
	*got = n;
	return n < len;
}

static uint32_t status_codec_bit(enum mkkdump_codec c)
{
	static const uint32_t bits[] = { 0, MKKDUMP_ZLIB, MKKDUMP_LZO,
					 MKKDUMP_SNAPPY, MKKDUMP_ZSTD };

	return c < MKKDUMP_CODEC_COUNT ? bits[c] : 0;
}

/* ---- build ---- */

struct out {
	uint8_t *b;
	size_t len, cap;
};

static void ensure(struct out *o, size_t end)
{
	if (end > o->cap) {
		size_t n = o->cap ? o->cap : 65536;

		while (n < end)
			n *= 2;
		o->b = realloc(o->b, n);
		memset(o->b + o->cap, 0, n - o->cap);
		o->cap = n;
	}
	if (end > o->len)
		o->len = end;
}

static void put_at(struct out *o, size_t off, const void *p, size_t n)
{
	ensure(o, off + n);
	memcpy(o->b + off, p, n);
}

static void put_uts(uint8_t *hdr, int field, const char *s)
{
	strncpy((char *)hdr + 12 + field * UTS, s, UTS - 1);
}

static bool dumped_kind(enum mkkdump_page_kind k)
{
	return k == MKKDUMP_DATA || k == MKKDUMP_RANDOM || k == MKKDUMP_ZERO;
}

static bool in_file_range(const struct mkkdump *m, uint64_t pfn)
{
	return !m->o.split || (pfn >= m->o.start_pfn && pfn < m->o.end_pfn);
}

static void write_main_header(struct mkkdump *m, struct out *o)
{
	enum kdx_byte_order bo = m->o.byte_order;
	uint32_t status = m->o.status;
	uint8_t *h;
	size_t s = m->ml->status;

	ensure(o, m->o.block_size);
	h = o->b;
	memcpy(h, m->o.diskdump ? "DISKDUMP" : "KDUMP   ", 8);
	put32(h + 8, m->o.header_version, bo);
	put_uts(h, 0, "Linux");
	put_uts(h, 1, "kdx-test");
	put_uts(h, 2, m->o.release);
	put_uts(h, 3, "#1 SMP PREEMPT_DYNAMIC Debian");
	put_uts(h, 4, m->o.uts_machine ? m->o.uts_machine : m->o.machine);
	put_uts(h, 5, "(none)");
	put_bytes(h + m->ml->timestamp,
		  m->o.timestamp ? (uint64_t)m->o.timestamp : 1700000000,
		  (int)m->ml->ts_size / 2, bo);
	if (!m->o.status_exact)
		status |= status_codec_bit(m->o.default_codec);
	if (m->o.incomplete)
		status |= MKKDUMP_INCOMPLETE;
	put32(h + s, status, bo);
	put32(h + s + 4, m->o.block_size, bo);
	put32(h + s + 8, m->sub_hdr_size, bo);
	put32(h + s + 12, m->bitmap_blocks, bo);
	put32(h + s + 16,
	      (uint32_t)(m->max_mapnr > UINT32_MAX ? UINT32_MAX : m->max_mapnr),
	      bo);
	put32(h + s + 36, m->o.nr_cpus, bo);
}

/* The sub-header, with the notes (v4+) or the VMCOREINFO text (v3) right
 * after it; offsets of eraseinfo are patched in later. */
static void write_sub_header(struct mkkdump *m, struct out *o)
{
	const struct sub_layout *l = m->sl;
	enum kdx_byte_order bo = m->o.byte_order;
	unsigned int v = m->o.header_version;
	uint64_t base = m->o.block_size, blob = base + l->size;
	uint8_t *s;

	ensure(o, base + (uint64_t)m->sub_hdr_size * m->o.block_size);
	if (m->o.diskdump)
		return; /* disk_dump_sub_header: nothing kdx reads */
	s = o->b + base;
	put_bytes(s + l->phys_base, m->o.phys_base, (int)l->word, bo);
	if (v >= 1)
		put32(s + l->dump_level, m->o.dump_level, bo);
	if (v >= 2 && m->o.split) {
		put32(s + l->split, 1, bo);
		put_bytes(s + l->start_pfn, m->o.start_pfn, (int)l->word, bo);
		put_bytes(s + l->end_pfn, m->o.end_pfn, (int)l->word, bo);
	}
	if (v == 3 && m->vmcoreinfo_text) {
		put64(s + l->off_vmcoreinfo, blob, bo);
		put_bytes(s + l->size_vmcoreinfo, m->vmcoreinfo_len,
			  (int)l->word, bo);
		memcpy(o->b + blob, m->vmcoreinfo_text, m->vmcoreinfo_len);
	}
	if (v >= 4 && m->notes.len) {
		put64(s + l->off_note, blob, bo);
		put_bytes(s + l->size_note, m->notes.len, (int)l->word, bo);
		memcpy(o->b + blob, m->notes.bytes, m->notes.len);
		if (m->vmcoreinfo_at != SIZE_MAX) {
			put64(s + l->off_vmcoreinfo, blob + m->vmcoreinfo_at,
			      bo);
			put_bytes(s + l->size_vmcoreinfo, m->vmcoreinfo_len,
				  (int)l->word, bo);
		}
	}
	if (v >= 6) {
		if (m->o.split) {
			put64(s + l->start_pfn_64, m->o.start_pfn, bo);
			put64(s + l->end_pfn_64, m->o.end_pfn, bo);
		}
		put64(s + l->max_mapnr_64, m->max_mapnr, bo);
	}
}

static void write_bitmaps(struct mkkdump *m, struct out *o, uint64_t one)
{
	uint8_t *b1, *b2;
	bool single = m->o.diskdump || m->o.single_bitmap;

	ensure(o, m->bitmap_offset + (single ? one : 2 * one));
	b1 = o->b + m->bitmap_offset;
	b2 = single ? b1 : b1 + one;
	for (uint64_t pfn = 0; pfn < m->npages && pfn < m->max_mapnr; pfn++) {
		enum mkkdump_page_kind k = m->pages[pfn].kind;

		if (k == MKKDUMP_HOLE)
			continue;
		/* A single bitmap cannot say "excluded": such pages are
		 * simply absent. */
		if (single && k == MKKDUMP_EXCLUDED)
			continue;
		b1[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
		if (dumped_kind(k))
			b2[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
	}
}

static void write_pages(struct mkkdump *m, struct out *o)
{
	enum kdx_byte_order bo = m->o.byte_order;
	size_t bs = m->o.block_size, cap = 2 * bs + 1024;
	uint64_t ndesc = 0, written = 0, data, zero_at = 0;
	bool any_zero = false;
	uint8_t *raw = malloc(bs), *comp = malloc(cap);

	for (uint64_t pfn = 0; pfn < m->npages && pfn < m->max_mapnr; pfn++) {
		if (!dumped_kind(m->pages[pfn].kind) || !in_file_range(m, pfn))
			continue;
		ndesc++;
		any_zero |= m->pages[pfn].kind == MKKDUMP_ZERO;
	}
	data = m->desc_offset + ndesc * DESC_SIZE;
	ensure(o, data);
	if (any_zero) {
		/* One all-zero page first; every zero page points at it. */
		zero_at = data;
		ensure(o, data + bs);
		data += bs;
	}
	ndesc = 0;
	for (uint64_t pfn = 0; pfn < m->npages && pfn < m->max_mapnr; pfn++) {
		struct page *p = &m->pages[pfn];
		uint8_t *d;
		size_t got = 0;
		uint32_t flag = 0;
		const uint8_t *src = raw;

		if (!dumped_kind(p->kind) || !in_file_range(m, pfn))
			continue;
		p->has_desc = true;
		p->desc_offset = m->desc_offset + ndesc++ * DESC_SIZE;
		if (m->o.incomplete && written >= m->o.incomplete_pages)
			continue; /* never written: stays zero */
		written++;
		if (p->kind == MKKDUMP_ZERO) {
			p->data_offset = zero_at;
			p->size = (uint32_t)bs;
			p->flags = 0;
		} else {
			mkkdump_expected_page(m, pfn, raw);
			if (compress_page(p->codec, raw, bs, comp, cap, &got,
					  &flag)) {
				src = comp;
			} else {
				got = bs;
				flag = 0;
			}
			p->data_offset = data;
			p->size = (uint32_t)got;
			p->flags = flag;
			put_at(o, data, src, got);
			data += got;
		}
		d = o->b + p->desc_offset;
		put64(d, p->data_offset, bo);
		put32(d + 8, p->size, bo);
		put32(d + 12, p->flags, bo);
		put64(d + 16, 0, bo);
	}
	if (m->o.incomplete) {
		/* The file ends after the last page written. */
		o->len = data > o->len ? o->len : data;
	} else if (m->o.eraseinfo && m->o.header_version >= 5 &&
		   !m->o.diskdump) {
		size_t n = strlen(m->o.eraseinfo);
		uint8_t *s;

		put_at(o, data, m->o.eraseinfo, n);
		s = o->b + m->o.block_size;
		put64(s + m->sl->off_eraseinfo, data, bo);
		put_bytes(s + m->sl->size_eraseinfo, n, (int)m->sl->word, bo);
	}
	free(raw);
	free(comp);
}

uint8_t *mkkdump_build(struct mkkdump *m, size_t *size)
{
	struct out o = { 0 };
	uint64_t bs = m->o.block_size, one, head;
	size_t blob = 0;

	m->max_mapnr = m->o.max_mapnr;
	if (!m->max_mapnr)
		for (uint64_t pfn = 0; pfn < m->npages; pfn++)
			if (m->pages[pfn].kind != MKKDUMP_HOLE)
				m->max_mapnr = pfn + 1;
	if (!m->o.diskdump && m->o.header_version == 3 && m->vmcoreinfo_text)
		blob = m->vmcoreinfo_len;
	else if (!m->o.diskdump && m->o.header_version >= 4)
		blob = m->notes.len;
	head = m->o.diskdump ? 0 : m->sl->size;
	m->sub_hdr_size = (uint32_t)((head + blob + bs - 1) / bs);
	if (!m->sub_hdr_size)
		m->sub_hdr_size = 1;
	/* makedumpfile: each bitmap is ceil(ceil(max_mapnr/8)/bs) blocks. */
	one = ((m->max_mapnr + 7) / 8 + bs - 1) / bs;
	if (!one)
		one = 1;
	m->bitmap_blocks = (uint32_t)(m->o.diskdump || m->o.single_bitmap ?
					      one :
					      2 * one);
	m->bitmap_offset = (1 + (uint64_t)m->sub_hdr_size) * bs;
	m->desc_offset = m->bitmap_offset + (uint64_t)m->bitmap_blocks * bs;
	write_main_header(m, &o);
	write_sub_header(m, &o);
	write_bitmaps(m, &o, one * bs);
	write_pages(m, &o);
	*size = o.len;
	return o.b;
}

/* ---- offsets for tests ---- */

uint64_t mkkdump_field_offset(const struct mkkdump *m, enum mkkdump_field f)
{
	size_t s = m->ml->status;
	uint64_t sub = m->o.block_size;

	switch (f) {
	case MKKDUMP_F_HEADER_VERSION: return 8;
	case MKKDUMP_F_STATUS: return s;
	case MKKDUMP_F_BLOCK_SIZE: return s + 4;
	case MKKDUMP_F_SUB_HDR_SIZE: return s + 8;
	case MKKDUMP_F_BITMAP_BLOCKS: return s + 12;
	case MKKDUMP_F_MAX_MAPNR: return s + 16;
	case MKKDUMP_F_NR_CPUS: return s + 36;
	case MKKDUMP_F_DUMP_LEVEL: return sub + m->sl->dump_level;
	case MKKDUMP_F_SPLIT: return sub + m->sl->split;
	case MKKDUMP_F_OFFSET_NOTE: return sub + m->sl->off_note;
	case MKKDUMP_F_SIZE_NOTE: return sub + m->sl->size_note;
	case MKKDUMP_F_START_PFN_64: return sub + m->sl->start_pfn_64;
	case MKKDUMP_F_END_PFN_64: return sub + m->sl->end_pfn_64;
	case MKKDUMP_F_MAX_MAPNR_64: return sub + m->sl->max_mapnr_64;
	}
	return 0;
}

uint64_t mkkdump_desc_offset(const struct mkkdump *m, uint64_t pfn)
{
	return pfn < m->npages ? m->pages[pfn].desc_offset : 0;
}

uint64_t mkkdump_data_offset(const struct mkkdump *m, uint64_t pfn)
{
	return pfn < m->npages ? m->pages[pfn].data_offset : 0;
}

uint32_t mkkdump_stored_size(const struct mkkdump *m, uint64_t pfn)
{
	return pfn < m->npages ? m->pages[pfn].size : 0;
}

uint32_t mkkdump_stored_flags(const struct mkkdump *m, uint64_t pfn)
{
	return pfn < m->npages ? m->pages[pfn].flags : 0;
}

uint64_t mkkdump_bitmap_offset(const struct mkkdump *m)
{
	return m->bitmap_offset;
}

uint64_t mkkdump_desc_table_offset(const struct mkkdump *m)
{
	return m->desc_offset;
}

void mkkdump_patch(const struct mkkdump *m, uint8_t *file, uint64_t offset,
		   uint64_t v, int width)
{
	put_bytes(file + offset, v, width, m->o.byte_order);
}

/* ---- flattened ---- */

static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void flat_record(struct out *o, uint64_t offset, uint64_t size,
			const uint8_t *data)
{
	uint8_t h[16];

	put64(h, offset, KDX_BIG_ENDIAN);
	put64(h + 8, size, KDX_BIG_ENDIAN);
	put_at(o, o->len, h, 16);
	if (data && size)
		put_at(o, o->len, data, size);
}

uint8_t *mkflat_build(const uint8_t *file, size_t size,
		      const struct mkflat_options *opts, size_t *out_size)
{
	struct mkflat_options d = { 0 };
	const struct mkflat_options *f = opts ? opts : &d;
	size_t chunk = f->chunk ? f->chunk : 4096;
	size_t n = (size + chunk - 1) / chunk;
	size_t *order = malloc((n ? n : 1) * sizeof(*order));
	uint32_t x = f->shuffle ? f->shuffle : 1;
	struct out o = { 0 };
	uint8_t hdr[4096] = { 0 };

	memcpy(hdr, "makedumpfile", 12);
	put64(hdr + 16, 1, KDX_BIG_ENDIAN); /* TYPE_FLAT_HEADER */
	put64(hdr + 24, 1, KDX_BIG_ENDIAN); /* VERSION_FLAT_HEADER */
	put_at(&o, 0, hdr, sizeof(hdr));
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (f->shuffle)
		for (size_t i = n; i > 1; i--) {
			size_t j = next_rand(&x) % i, t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
	for (unsigned int k = 0; k < f->overwritten && size; k++) {
		uint64_t at = next_rand(&x) % size;
		size_t len = 1 + next_rand(&x) % chunk;
		uint8_t *junk;

		if (len > size - at)
			len = size - at;
		junk = malloc(len);
		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)next_rand(&x);
		flat_record(&o, at, len, junk);
		free(junk);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t at = (uint64_t)order[i] * chunk;
		size_t len = size - at < chunk ? size - at : chunk;

		uint64_t hole_end = f->hole_start + f->hole_size;

		/* The part before the hole, then the part after it. */
		if (at < f->hole_start)
			flat_record(&o, at, (size_t)(f->hole_start - at) < len ?
						    (size_t)(f->hole_start - at) : len,
				    file + at);
		if (at + len > hole_end) {
			uint64_t from = at > hole_end ? at : hole_end;

			flat_record(&o, from, (size_t)(at + len - from), file + from);
		}
	}
	if (!f->no_end_marker)
		flat_record(&o, UINT64_MAX, UINT64_MAX, NULL);
	free(order);
	*out_size = o.len > f->cut ? o.len - f->cut : 0;
	return o.b;
}
