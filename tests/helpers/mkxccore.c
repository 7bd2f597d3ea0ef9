/* SPDX-License-Identifier: MIT */
/* Builds xc_core files; see mkxccore.h.  Sizes and offsets from Xen's
 * public headers (xen/include/public/arch-x86/xen*.h, xen.h, elfnote.h)
 * and tools/libs/guest/xg_core.[ch]. */
#include "mkxccore.h"

#include "bytes.h"
#include "mknote.h"

#include <stdlib.h>
#include <string.h>

#define LE KDX_LITTLE_ENDIAN
#define XC_MAGIC 0xF00FEBEDu
#define XC_MAGIC_HVM 0xF00FEBEEu

/* sizeof(vcpu_guest_context_any_t) as 64-bit tools write it. */
#define CTX_SIZE 5168u
/* ctrlreg[] in vcpu_guest_context: after fpu_ctxt (512), flags, user_regs
 * (x86_64: 200 bytes; x86_32: 68), trap_ctxt[256] (16; 8 bytes each),
 * ldt_base, ldt_ents, gdt_frames[16], gdt_ents, kernel_ss, kernel_sp. */
static size_t ctrlreg_offset(unsigned int w)
{
	size_t regs = w == 8 ? 200 : 68, trap = w == 8 ? 16 : 8;

	return 512 + w + regs + 256 * trap + (2 + 16 + 1 + 2) * (size_t)w;
}

/* shared_info's arch: vcpu_info[32] of 64 bytes, evtchn_pending and
 * evtchn_mask of 8*w words of w bytes, wc_version/sec/nsec (+ wc_sec_hi
 * on x86_64). */
static size_t shinfo_arch_offset(unsigned int w)
{
	return 32 * 64 + 2 * (8 * (size_t)w) * w + (w == 8 ? 16 : 12);
}

void mkxc_spec_init(struct mkxc_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->word_size = 8;
	s->index_entries = SIZE_MAX;
}

uint32_t mkxc_fold_cr3(uint32_t mfn)
{
	return (mfn << 12) | (mfn >> 20);
}

static size_t nvcpus(const struct mkxc_spec *s)
{
	return s->nr_vcpus ? s->nr_vcpus : 1;
}

static void fill_contexts(const struct mkxc_spec *s, uint8_t *p)
{
	size_t at = ctrlreg_offset(s->word_size) + 3 * s->word_size;

	for (size_t v = 0; v < nvcpus(s); v++)
		put_bytes(p + v * CTX_SIZE + at, s->cr3 ? s->cr3[v] : 0,
			  (int)s->word_size, LE);
}

static void build_notes(const struct mkxc_spec *s, struct mknote_buf *n)
{
	uint8_t header[32], version[1280] = { 0 }, format[8];

	n->byte_order = LE;
	mknote_add(n, "Xen", 0x2000000, NULL, 0);
	put64(header, s->hvm ? XC_MAGIC_HVM : XC_MAGIC, LE);
	put64(header + 8, nvcpus(s), LE);
	put64(header + 16, s->header_pages ? s->header_pages : s->nr_pages, LE);
	put64(header + 24, MKXC_PAGE, LE);
	mknote_add(n, "Xen", 0x2000001, header, sizeof(header));
	put64(version, 4, LE);
	put64(version + 8, 17, LE);
	memcpy(version + 16, ".9-mk", 5);
	/* platform_parameters.virt_start, then pagesize: 32-bit guests get
	 * it 4 bytes lower, as xg_core.c moves it. */
	put64(version + 1264, 0xffff800000000000ull, LE);
	if (s->word_size == 8) {
		put64(version + 1272, MKXC_PAGE, LE);
	} else {
		put64(version + 1268, MKXC_PAGE, LE);
		put32(version + 1276, 0, LE);
	}
	mknote_add(n, "Xen", 0x2000002, version, sizeof(version));
	put64(format, 1, LE);
	mknote_add(n, "Xen", 0x2000003, format, sizeof(format));
}

struct shdr {
	const char *name;
	uint32_t type;
	uint64_t offset, size, align, entsize;
};

static void put_shdr(uint8_t *p, uint32_t name, const struct shdr *h)
{
	put32(p, name, LE);
	put32(p + 4, h->type, LE);
	put64(p + 24, h->offset, LE);
	put64(p + 32, h->size, LE);
	put64(p + 48, h->align, LE);
	put64(p + 56, h->entsize, LE);
}

static uint64_t round_page(uint64_t v)
{
	return (v + MKXC_PAGE - 1) & ~(uint64_t)(MKXC_PAGE - 1);
}

static size_t index_count(const struct mkxc_spec *s)
{
	return s->index_entries < s->nr_pages ? s->index_entries : s->nr_pages;
}

/* Section table in file order; returns the count.  Offsets filled in. */
static size_t plan(const struct mkxc_spec *s, size_t notes_len,
		   struct shdr *h, uint64_t *strtab_off, size_t *strtab_len)
{
	size_t n = 0, names = 1;
	uint64_t at;

	h[n++] = (struct shdr){ "", 0, 0, 0, 0, 0 };
	h[n++] = (struct shdr){ ".shstrtab", 3, 0, 0, 0, 0 };
	h[n++] = (struct shdr){ ".note.Xen", 7, 0, notes_len, 0, 0 };
	h[n++] = (struct shdr){ ".xen_prstatus", 1, 0, nvcpus(s) * CTX_SIZE,
				8, CTX_SIZE };
	if (!s->no_shared_info)
		h[n++] = (struct shdr){ ".xen_shared_info", 1, 0, MKXC_PAGE, 8,
					MKXC_PAGE };
	h[n++] = (struct shdr){ ".xen_pages", 1, 0,
				(uint64_t)s->nr_pages * MKXC_PAGE, MKXC_PAGE,
				MKXC_PAGE };
	if (!s->no_index)
		h[n++] = s->hvm ?
			(struct shdr){ ".xen_pfn", 1, 0, index_count(s) * 8, 8, 8 } :
			(struct shdr){ ".xen_p2m", 1, 0, index_count(s) * 16, 8, 16 };
	at = 64 + n * 64;
	for (size_t i = 2; i < n; i++) {
		if (!strcmp(h[i].name, ".xen_pages"))
			at = round_page(at);
		h[i].offset = at;
		at += h[i].size;
	}
	for (size_t i = 0; i < n; i++)
		names += strlen(h[i].name) + 1;
	h[1].offset = *strtab_off = at;
	h[1].size = *strtab_len = names;
	return n;
}

static void write_index(const struct mkxc_spec *s, uint8_t *p)
{
	for (size_t i = 0; i < index_count(s); i++) {
		if (s->hvm) {
			put64(p + i * 8, s->pfns[i], LE);
		} else {
			put64(p + i * 16, s->pfns[i], LE);
			put64(p + i * 16 + 8, s->mfns[i], LE);
		}
	}
}

static void write_shared_info(const struct mkxc_spec *s, uint8_t *p)
{
	unsigned int w = s->word_size;
	size_t at = shinfo_arch_offset(w);

	put_bytes(p + at, s->max_pfn, (int)w, LE);
	put_bytes(p + at + w, s->frame_list_list, (int)w, LE);
	put_bytes(p + at + 3 * w, s->p2m_cr3, (int)w, LE);
	put_bytes(p + at + 4 * w, s->p2m_vaddr, (int)w, LE);
}

uint8_t *mkxc_build(const struct mkxc_spec *s, size_t *size)
{
	struct mknote_buf notes = { 0 };
	struct shdr h[8];
	uint64_t strtab_off;
	size_t strtab_len, n, name = 1;
	uint8_t *f;

	build_notes(s, &notes);
	n = plan(s, notes.len, h, &strtab_off, &strtab_len);
	*size = strtab_off + strtab_len;
	f = calloc(1, *size);
	memcpy(f, "\177ELF", 4);
	f[4] = 2; /* ELFCLASS64 */
	f[5] = 1; /* little-endian */
	f[6] = 1;
	put16(f + 16, 4, LE);  /* ET_CORE */
	put16(f + 18, 62, LE); /* EM_X86_64 */
	put32(f + 20, 1, LE);
	put64(f + 40, 64, LE); /* e_shoff */
	put16(f + 52, 64, LE);
	put16(f + 54, 56, LE);
	put16(f + 58, 64, LE);
	put16(f + 60, (uint16_t)n, LE);
	put16(f + 62, 1, LE);
	for (size_t i = 0; i < n; i++) {
		put_shdr(f + 64 + i * 64, i ? (uint32_t)name : 0, &h[i]);
		if (i) {
			memcpy(f + strtab_off + name, h[i].name,
			       strlen(h[i].name) + 1);
			name += strlen(h[i].name) + 1;
		}
	}
	for (size_t i = 2; i < n; i++) {
		uint8_t *p = f + h[i].offset;

		if (!strcmp(h[i].name, ".note.Xen"))
			memcpy(p, notes.bytes, notes.len);
		else if (!strcmp(h[i].name, ".xen_prstatus"))
			fill_contexts(s, p);
		else if (!strcmp(h[i].name, ".xen_shared_info"))
			write_shared_info(s, p);
		else if (!strcmp(h[i].name, ".xen_pages") && s->nr_pages)
			memcpy(p, s->pages, s->nr_pages * MKXC_PAGE);
		else if (!strcmp(h[i].name, ".xen_p2m") ||
			 !strcmp(h[i].name, ".xen_pfn"))
			write_index(s, p);
	}
	mknote_free(&notes);
	return f;
}

uint8_t *mkxc_build_legacy(const struct mkxc_spec *s, size_t *size)
{
	/* An x86_32 host wrote x86_32 contexts (ctrlreg at 2716, under
	 * 3000 bytes); an x86_64 one its 5168-byte ones. */
	size_t ctx = s->word_size == 8 ? CTX_SIZE : 2800;
	uint64_t ctxt_off = 24, index_off = ctxt_off + nvcpus(s) * ctx;
	uint64_t pages_off = round_page(index_off + s->nr_pages * s->word_size);
	size_t at = ctrlreg_offset(s->word_size) + 3 * s->word_size;
	uint8_t *f;

	*size = pages_off + s->nr_pages * MKXC_PAGE;
	f = calloc(1, *size);
	put32(f, s->hvm ? XC_MAGIC_HVM : XC_MAGIC, LE);
	put32(f + 4, (uint32_t)nvcpus(s), LE);
	put32(f + 8, (uint32_t)s->nr_pages, LE);
	put32(f + 12, (uint32_t)ctxt_off, LE);
	put32(f + 16, (uint32_t)index_off, LE);
	put32(f + 20, (uint32_t)pages_off, LE);
	for (size_t v = 0; v < nvcpus(s); v++)
		put_bytes(f + ctxt_off + v * ctx + at, s->cr3 ? s->cr3[v] : 0,
			  (int)s->word_size, LE);
	for (size_t i = 0; i < s->nr_pages; i++)
		put_bytes(f + index_off + i * s->word_size,
			  s->hvm ? s->pfns[i] : s->mfns[i], (int)s->word_size,
			  LE);
	if (s->nr_pages)
		memcpy(f + pages_off, s->pages, s->nr_pages * MKXC_PAGE);
	return f;
}
