/* SPDX-License-Identifier: MIT */
/* Test helper: `xl save` images; see mkxlsave.h. */
#include "mkxlsave.h"

#include "bytes.h"

#include <stdlib.h>
#include <string.h>

#define LE KDX_LITTLE_ENDIAN
#define BE KDX_BIG_ENDIAN

/* xl's JSON config stands in as optional data of an odd length: the
 * libxl stream need not start aligned. */
static const char config[] = "{\"c_info\":{}}\n";

/* vcpu_guest_context: ctrlreg[] at 4984 (x86_64) or 2716 (x86_32); its
 * whole size for x86_64 is 5168. */
#define CTX_SIZE 5168u
#define CTX64_CTRLREG 4984u
#define CTX32_CTRLREG 2716u
#define SHINFO64_MAX_PFN 3088u
#define SHINFO32_MAX_PFN 2316u

struct out {
	uint8_t *buf;
	size_t len, cap;
	bool failed;
};

static uint8_t *grow(struct out *o, size_t n)
{
	if (o->failed)
		return NULL;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2;
		uint8_t *b = realloc(o->buf, cap);

		if (!b) {
			o->failed = true;
			return NULL;
		}
		o->buf = b;
		o->cap = cap;
	}
	memset(o->buf + o->len, 0, n);
	o->len += n;
	return o->buf + o->len - n;
}

static void append(struct out *o, const void *p, size_t n)
{
	uint8_t *d = grow(o, n);

	if (d && n)
		memcpy(d, p, n);
}

/* A record: type, length, body, zeros to a multiple of 8; the body is
 * returned to be filled (the length field may lie by @delta). */
static uint8_t *record(struct out *o, uint32_t type, size_t len,
		       int32_t delta)
{
	uint8_t *h = grow(o, 8);
	uint8_t *body;

	if (!h)
		return NULL;
	put32(h, type, LE);
	put32(h + 4, (uint32_t)((int64_t)len + delta), LE);
	body = grow(o, (len + 7) & ~(size_t)7);
	return body;
}

static void headers(struct out *o, struct mkxls_layout *l)
{
	uint8_t h[16] = { 0 };
	uint8_t *p;

	append(o, "Xen saved domain, xl format\n \0 \r", 32);
	put32(h, 0x01020304, LE);    /* byte order */
	put32(h + 4, 3, LE);         /* mandatory: JSON, STREAMv2 */
	put32(h + 8, 0, LE);         /* optional flags */
	put32(h + 12, sizeof(config) - 1, LE);
	append(o, h, 16);
	append(o, config, sizeof(config) - 1);
	append(o, "LibxlFmt", 8);
	put32(h, 2, BE);
	put32(h + 4, 0, BE);
	append(o, h, 8);
	record(o, 1, 0, 0); /* LIBXC_CONTEXT */
	l->libxc_start = o->len;
	p = grow(o, 24 + 16);
	if (!p)
		return;
	memset(p, 0xff, 8);
	memcpy(p + 8, "XENF", 4);
	put32(p + 12, 3, BE);
	put32(p + 24, 1, LE); /* x86 PV */
	put16(p + 28, 12, LE);
	put32(p + 32, 4, LE);
	put32(p + 36, 17, LE);
}

static bool has_data(uint8_t type)
{
	return type < 0xD;
}

static void page_data(struct out *o, const struct mkxls_spec *s,
		      struct mkxls_layout *l)
{
	size_t per = s->per_record ? s->per_record : s->nr_entries;
	size_t page = 0;

	l->first_page_data = o->len;
	for (size_t first = 0; first < s->nr_entries; first += per) {
		size_t n = s->nr_entries - first < per ? s->nr_entries - first : per;
		size_t with_data = 0, at;
		uint8_t *b;

		for (size_t i = first; i < first + n; i++)
			with_data += has_data(s->types ? s->types[i] : 0);
		b = record(o, 1, 8 + 8 * n + with_data * MKXLS_PAGE,
			   first ? 0 : s->page_data_len_delta);
		if (!b)
			return;
		put32(b, (uint32_t)n, LE);
		at = 8 + 8 * n;
		for (size_t i = first; i < first + n; i++) {
			uint8_t t = s->types ? s->types[i] : 0;

			put64(b + 8 + 8 * (i - first),
			      s->pfns[i] | (uint64_t)t << 60, LE);
			if (!has_data(t))
				continue;
			memcpy(b + at, s->pages + page * MKXLS_PAGE, MKXLS_PAGE);
			at += MKXLS_PAGE;
			page++;
		}
	}
}

static void guest_records(struct out *o, const struct mkxls_spec *s)
{
	bool w64 = s->word_size == 8;
	uint8_t *b = record(o, 2, 8, 0); /* X86_PV_INFO */

	if (b) {
		b[0] = (uint8_t)s->word_size;
		b[1] = w64 ? 4 : 3;
	}
	b = record(o, 3, 16, 0); /* X86_PV_P2M_FRAMES: one frame */
	if (b) {
		put32(b + 4, s->p2m_end, LE);
		put64(b + 8, 0, LE);
	}
	if (s->unknown_optional && (b = record(o, 0x80000123u, 5, 0)))
		memcpy(b, "hello", 5);
	if (s->unknown_mandatory && (b = record(o, 0x7fff0000u, 3, 0)))
		memcpy(b, "abc", 3);
}

static void vcpu_records(struct out *o, const struct mkxls_spec *s)
{
	bool w64 = s->word_size == 8;

	for (size_t v = 0; v < s->nr_vcpus; v++) {
		uint8_t *b = record(o, 4, 8 + CTX_SIZE, 0);

		if (!b)
			return;
		put32(b, (uint32_t)v, LE);
		if (w64)
			put64(b + 8 + CTX64_CTRLREG + 3 * 8, s->cr3, LE);
		else
			put32(b + 8 + CTX32_CTRLREG + 3 * 4, (uint32_t)s->cr3, LE);
	}
	if (s->max_pfn) {
		uint8_t *b = record(o, 7, MKXLS_PAGE, 0); /* SHARED_INFO */

		if (b && w64)
			put64(b + SHINFO64_MAX_PFN, s->max_pfn, LE);
		else if (b)
			put32(b + SHINFO32_MAX_PFN, (uint32_t)s->max_pfn, LE);
	}
}

void mkxls_spec_init(struct mkxls_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->word_size = 8;
}

uint32_t mkxls_fold_cr3(uint32_t pfn)
{
	return pfn << 12 | pfn >> 20;
}

uint8_t *mkxls_build(const struct mkxls_spec *s, size_t *size,
		     struct mkxls_layout *layout)
{
	struct out o = { 0 };
	struct mkxls_layout l;

	headers(&o, &l);
	guest_records(&o, s);
	page_data(&o, s, &l);
	vcpu_records(&o, s);
	if (!s->no_end) {
		record(&o, 0, 0, 0); /* libxc END */
		record(&o, 0, 0, 0); /* libxl END */
	}
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	if (layout)
		*layout = l;
	*size = o.len;
	return o.buf;
}
