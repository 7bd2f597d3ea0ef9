/* SPDX-License-Identifier: MIT */
/* Xen domains saved by `xl save` (or `xl migrate` to a file): three
 * nested layers, all little-endian on x86 hosts (Xen's
 * docs/specs/libxl-migration-stream.pandoc and
 * libxc-migration-stream.pandoc):
 *
 *  - xl's header: a 32-byte magic, then four u32s (byte order mark,
 *    mandatory flags, optional flags, optional data length) and the
 *    optional data (the domain's JSON config);
 *  - libxl's stream v2: "LibxlFmt", a big-endian version and options, then
 *    records {u32 type, u32 length, body padded to 8}; its LIBXC_CONTEXT
 *    record (length 0) is followed by
 *  - libxc's migration stream: a 24-byte image header ("XENF", big-endian
 *    version), a 16-byte domain header (type, page shift, Xen version),
 *    then records of the same shape up to its END.  PAGE_DATA records
 *    hold pfns with their types and the pages' bytes.
 *
 * Physical memory is the guest's pseudo-physical memory: each pfn's page
 * is its last copy in the stream (a live migration resends pages dirtied
 * since the previous pass).  libxc canonicalises a PV guest's page tables
 * as it writes them (each present entry's mfn replaced by its pfn, Xen's
 * L4 slots cleared) and the vCPU's CR3 too, so the guest is walked as an
 * ordinary one: no p2m, no machine addresses.  The first vCPU's CR3 goes
 * out as a physical page-table root. */
#include "format/format.h"

#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

#define XL_MAGIC "Xen saved domain, xl format\n \0 \r"
#define XL_MAGIC_LEN 32u
#define XL_HEADER_LEN (XL_MAGIC_LEN + 16u)
#define XL_BYTE_ORDER 0x01020304u
#define XL_FLAG_STREAM_V2 (1u << 1)
#define XL_MAX_OPTDATA (64u << 20)

#define LIBXL_IDENT "LibxlFmt"
#define LIBXL_HEADER_LEN 16u
#define LIBXL_OPT_BIG_ENDIAN (1u << 0)
#define LIBXL_OPT_LEGACY (1u << 1)
#define LIBXL_REC_END 0u
#define LIBXL_REC_LIBXC_CONTEXT 1u
#define LIBXL_REC_MAX_KNOWN 5u /* CHECKPOINT_STATE */

#define LIBXC_IMAGE_HEADER_LEN 24u
#define LIBXC_DOMAIN_HEADER_LEN 16u
#define LIBXC_IDENT 0x58454E46u /* "XENF" */
#define LIBXC_OPT_BIG_ENDIAN (1u << 0)
#define DOMAIN_X86_PV 1u
#define DOMAIN_X86_HVM 2u
#define DOMAIN_X86_PVH 3u

#define REC_HEADER_LEN 8u
#define REC_OPTIONAL (1u << 31)
#define REC_END 0x0u
#define REC_PAGE_DATA 0x1u
#define REC_X86_PV_INFO 0x2u
#define REC_X86_PV_P2M_FRAMES 0x3u
#define REC_X86_PV_VCPU_BASIC 0x4u
#define REC_SHARED_INFO 0x7u
#define REC_MAX_KNOWN 0x12u /* X86_MSR_POLICY in Xen 4.17 */

/* PAGE_DATA: bits 0-51 the pfn, 60-63 the type; BROKEN, XALLOC and XTAB
 * pages have no data. */
#define PFN_MASK ((UINT64_C(1) << 52) - 1)
#define PFN_TYPE_SHIFT 60
#define PFN_TYPE_BROKEN 0xDu
#define PFN_TYPE_XALLOC 0xEu
#define PFN_TYPE_XTAB 0xFu
#define PFN_CHUNK 512u

/* vcpu_guest_context's ctrlreg[3] (see xc_core.c's CTX*_CTRLREG): after
 * the record's 8-byte vcpu_id header. */
#define VCPU_HEADER_LEN 8u
#define CTX64_CR3 (4984u + 3u * 8u)
#define CTX32_CR3 (2716u + 3u * 4u)
/* shared_info's arch.max_pfn (see xc_core.c's SHINFO*_ARCH). */
#define SHINFO64_MAX_PFN 3088u
#define SHINFO32_MAX_PFN 2316u

#define MAX_VCPUS 4096u
/* x86_64 CR3: the table's address in bits 12-51. */
#define CR3_ADDR_MASK (((UINT64_C(1) << 52) - 1) & ~UINT64_C(0xfff))
/* Entries without data (XTAB and co.) cost memory but no file pages:
 * more than this many beyond one per file page is not a real stream. */
#define MAX_EXTRA_NODATA (UINT64_C(1) << 20)

/* One copy of a page in the stream; offset NO_DATA for a pfn a later
 * pass marked invalid (XTAB and co.). */
struct page_ref {
	uint64_t pfn;
	uint64_t offset;
	uint64_t seq;
};

#define NO_DATA UINT64_MAX

struct xls {
	const struct kdx_file *file;
	struct kdx_dump_desc *desc;
	uint64_t size; /* the file's */
	uint64_t pos;
	uint32_t domain_type;
	unsigned int page_shift;
	uint64_t page_size;
	unsigned int word_size; /* the guest's (X86_PV_INFO); 0: not known */
	unsigned int pt_levels;
	bool have_root, have_max_pfn, saw_end, truncated;
	uint64_t root;
	uint64_t max_pfn, p2m_end;
	bool have_p2m_frames;
	uint8_t vcpu_seen[MAX_VCPUS / 8];
	uint32_t nr_vcpus;
	struct page_ref *refs;
	size_t nrefs, cap;
	uint64_t nodata; /* entries without data so far */
};

static bool xl_save_probe(const uint8_t *head, size_t len)
{
	return len >= XL_MAGIC_LEN && !memcmp(head, XL_MAGIC, XL_MAGIC_LEN);
}

/* ---- Reading ---- */

static struct kdx_error *read_at(struct xls *s, uint64_t off, void *buf,
				 size_t len, const char *what)
{
	struct kdx_error *err = kdx_file_read(s->file, off, buf, len);

	if (err)
		return kdx_err_wrap(err, "xl save: reading the %s at offset 0x%llx",
				    what, (unsigned long long)off);
	return NULL;
}

/* The stream stops short of a record the file does not hold whole: what
 * came before is kept. */
static void cut_short(struct xls *s, uint64_t off, const char *what,
		      uint64_t need)
{
	s->truncated = true;
	s->desc->facts.flags |= KDX_DUMP_TRUNCATED;
	kdx_desc_add_warning(
		s->desc,
		"xl save: the file ends at 0x%llx, inside the %s at offset 0x%llx (0x%llx bytes): the stream is cut short, pages after it are missing",
		(unsigned long long)s->size, what, (unsigned long long)off,
		(unsigned long long)need);
}

/* A record header at s->pos; *whole false (and a warning) when the file
 * ends before the record does. */
static struct kdx_error *record_header(struct xls *s, const char *layer,
				       uint32_t *type, uint32_t *len,
				       bool *whole)
{
	uint8_t h[REC_HEADER_LEN];
	uint64_t padded;
	struct kdx_error *err;

	*whole = false;
	if (s->size - s->pos < REC_HEADER_LEN) {
		cut_short(s, s->pos, layer, REC_HEADER_LEN);
		return NULL;
	}
	err = read_at(s, s->pos, h, sizeof(h), layer);
	if (err)
		return err;
	*type = kdx_load_u32(h, KDX_LITTLE_ENDIAN);
	*len = kdx_load_u32(h + 4, KDX_LITTLE_ENDIAN);
	padded = ((uint64_t)*len + 7) & ~UINT64_C(7);
	if (s->size - s->pos - REC_HEADER_LEN < padded) {
		cut_short(s, s->pos, layer, REC_HEADER_LEN + padded);
		return NULL;
	}
	*whole = true;
	return NULL;
}

/* ---- The libxc stream's records ---- */

static struct kdx_error *add_ref(struct xls *s, uint64_t pfn,
				 uint64_t offset)
{
	if (offset == NO_DATA &&
	    ++s->nodata > MAX_EXTRA_NODATA + s->size / s->page_size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: over %llu pfn entries without data (XTAB, XALLOC, BROKEN) by pfn 0x%llx: not a real stream",
			       (unsigned long long)(MAX_EXTRA_NODATA +
						    s->size / s->page_size),
			       (unsigned long long)pfn);
	if (s->nrefs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct page_ref *r;

		if (cap > SIZE_MAX / sizeof(*r))
			return kdx_err_nomem();
		r = realloc(s->refs, cap * sizeof(*r));
		if (!r)
			return kdx_err_nomem();
		s->refs = r;
		s->cap = cap;
	}
	s->refs[s->nrefs] = (struct page_ref){ pfn, offset, s->nrefs };
	s->nrefs++;
	return NULL;
}

static bool has_data(unsigned int type)
{
	return type != PFN_TYPE_BROKEN && type != PFN_TYPE_XALLOC &&
	       type != PFN_TYPE_XTAB;
}

/* PAGE_DATA: count, reserved, count pfns, then a page for each pfn of a
 * type with data; the length must say exactly that. */
static struct kdx_error *page_data(struct xls *s, uint64_t body,
				   uint32_t len)
{
	uint8_t buf[PFN_CHUNK * 8];
	uint64_t count, data, with_data = 0;
	struct kdx_error *err;

	if (len < 8)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: PAGE_DATA record at offset 0x%llx is %u bytes, shorter than its count",
			       (unsigned long long)(body - REC_HEADER_LEN), len);
	err = read_at(s, body, buf, 8, "PAGE_DATA count");
	if (err)
		return err;
	count = kdx_load_u32(buf, KDX_LITTLE_ENDIAN);
	if (count == 0 || count > (len - 8) / 8)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: PAGE_DATA record at offset 0x%llx: %llu pfns do not fit its %u bytes",
			       (unsigned long long)(body - REC_HEADER_LEN),
			       (unsigned long long)count, len);
	data = body + 8 + count * 8;
	for (uint64_t i = 0; i < count && !err; i += PFN_CHUNK) {
		size_t n = (size_t)(count - i < PFN_CHUNK ? count - i : PFN_CHUNK);

		err = read_at(s, body + 8 + i * 8, buf, n * 8, "PAGE_DATA pfns");
		for (size_t k = 0; k < n && !err; k++) {
			uint64_t v = kdx_load_u64(buf + k * 8, KDX_LITTLE_ENDIAN);
			bool data_follows = has_data((unsigned int)(v >> PFN_TYPE_SHIFT));

			err = add_ref(s, v & PFN_MASK,
				      data_follows ? data + with_data * s->page_size :
						     NO_DATA);
			with_data += data_follows;
		}
	}
	if (!err && 8 + count * 8 + with_data * s->page_size != len)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "xl save: PAGE_DATA record at offset 0x%llx is %u bytes, but its %llu pfns (%llu with data) need %llu",
			      (unsigned long long)(body - REC_HEADER_LEN), len,
			      (unsigned long long)count,
			      (unsigned long long)with_data,
			      (unsigned long long)(8 + count * 8 +
						   with_data * s->page_size));
	return err;
}

static struct kdx_error *too_short(uint64_t body, const char *what,
				   uint32_t len, uint32_t need)
{
	return kdx_err(KDX_ERR_CORRUPT,
		       "xl save: %s record at offset 0x%llx is %u bytes, shorter than %u",
		       what, (unsigned long long)(body - REC_HEADER_LEN), len,
		       need);
}

static struct kdx_error *pv_info(struct xls *s, uint64_t body, uint32_t len)
{
	uint8_t b[2];
	struct kdx_error *err;

	if (len < 2)
		return too_short(body, "X86_PV_INFO", len, 2);
	err = read_at(s, body, b, sizeof(b), "X86_PV_INFO record");
	if (err)
		return err;
	if ((b[0] != 4 && b[0] != 8) || (b[1] != 3 && b[1] != 4))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: X86_PV_INFO at offset 0x%llx: guest width %u, %u page-table levels (want 4 or 8, 3 or 4)",
			       (unsigned long long)(body - REC_HEADER_LEN), b[0],
			       b[1]);
	s->word_size = b[0];
	s->pt_levels = b[1];
	return NULL;
}

static struct kdx_error *p2m_frames(struct xls *s, uint64_t body,
				    uint32_t len)
{
	uint8_t b[8];
	struct kdx_error *err;

	if (len < 8)
		return too_short(body, "X86_PV_P2M_FRAMES", len, 8);
	err = read_at(s, body, b, sizeof(b), "X86_PV_P2M_FRAMES record");
	if (err)
		return err;
	s->p2m_end = kdx_load_u32(b + 4, KDX_LITTLE_ENDIAN);
	s->have_p2m_frames = true;
	return NULL;
}

/* The root of a vCPU's tables from its CR3 (a pfn, canonicalised):
 * x86_64 keeps the frame in bits 12+; x86_32 folds the frame's top 12
 * bits into the low ones (xen_cr3_to_pfn). */
static struct kdx_error *vcpu_basic(struct xls *s, uint64_t body,
				    uint32_t len)
{
	uint8_t b[8];
	uint32_t at = s->word_size == 4 ? CTX32_CR3 : CTX64_CR3;
	uint32_t id;
	struct kdx_error *err;

	if (s->domain_type != DOMAIN_X86_PV || !s->word_size)
		return NULL; /* no context layout to read it by */
	if (len < VCPU_HEADER_LEN + at + s->word_size)
		return too_short(body, "X86_PV_VCPU_BASIC", len,
				 VCPU_HEADER_LEN + at + s->word_size);
	err = read_at(s, body, b, 4, "X86_PV_VCPU_BASIC record");
	if (err)
		return err;
	id = kdx_load_u32(b, KDX_LITTLE_ENDIAN);
	if (id < MAX_VCPUS && !(s->vcpu_seen[id / 8] & (1u << (id % 8)))) {
		s->vcpu_seen[id / 8] |= (uint8_t)(1u << (id % 8));
		s->nr_vcpus++;
	}
	err = read_at(s, body + VCPU_HEADER_LEN + at, b, s->word_size,
		      "vCPU's CR3");
	if (err || s->have_root)
		return err;
	if (s->word_size == 8) {
		s->root = kdx_load_u64(b, KDX_LITTLE_ENDIAN) & CR3_ADDR_MASK;
	} else {
		uint32_t cr3 = kdx_load_u32(b, KDX_LITTLE_ENDIAN);

		s->root = (((uint64_t)cr3 >> 12) | ((uint64_t)(cr3 & 0xfff) << 20))
			  << 12;
	}
	s->have_root = s->root != 0;
	return NULL;
}

static struct kdx_error *shared_info(struct xls *s, uint64_t body,
				     uint32_t len)
{
	uint8_t b[8];
	uint32_t at = s->word_size == 4 ? SHINFO32_MAX_PFN : SHINFO64_MAX_PFN;
	struct kdx_error *err;

	if (s->domain_type != DOMAIN_X86_PV || !s->word_size)
		return NULL;
	if (len < at + s->word_size)
		return too_short(body, "SHARED_INFO", len, at + s->word_size);
	err = read_at(s, body + at, b, s->word_size, "shared_info max_pfn");
	if (err)
		return err;
	s->max_pfn = kdx_load_uint(b, s->word_size, KDX_LITTLE_ENDIAN);
	s->have_max_pfn = true;
	return NULL;
}

static struct kdx_error *libxc_record(struct xls *s, uint32_t type,
				      uint64_t body, uint32_t len)
{
	switch (type) {
	case REC_PAGE_DATA:
		return page_data(s, body, len);
	case REC_X86_PV_INFO:
		return pv_info(s, body, len);
	case REC_X86_PV_P2M_FRAMES:
		return p2m_frames(s, body, len);
	case REC_X86_PV_VCPU_BASIC:
		return vcpu_basic(s, body, len);
	case REC_SHARED_INFO:
		return shared_info(s, body, len);
	default:
		if (type > REC_MAX_KNOWN && !(type & REC_OPTIONAL))
			kdx_desc_add_warning(
				s->desc,
				"xl save: libxc record at offset 0x%llx has the unknown mandatory type 0x%x (%u bytes): skipped",
				(unsigned long long)(body - REC_HEADER_LEN),
				type, len);
		return NULL; /* nothing kdx needs; optional ones skipped */
	}
}

/* ---- The libxc stream's headers ---- */

static struct kdx_error *libxc_headers(struct xls *s)
{
	uint8_t h[LIBXC_IMAGE_HEADER_LEN + LIBXC_DOMAIN_HEADER_LEN];
	uint64_t off = s->pos;
	uint32_t version, xen_major, xen_minor;
	uint16_t options;
	struct kdx_error *err;

	if (s->size - off < sizeof(h))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: the file ends at 0x%llx, inside libxc's image header at 0x%llx",
			       (unsigned long long)s->size,
			       (unsigned long long)off);
	err = read_at(s, off, h, sizeof(h), "libxc image header");
	if (err)
		return err;
	if (kdx_load_u64(h, KDX_LITTLE_ENDIAN) != UINT64_MAX ||
	    kdx_load_u32(h + 8, KDX_BIG_ENDIAN) != LIBXC_IDENT)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: no libxc image header (marker, \"XENF\") at offset 0x%llx",
			       (unsigned long long)off);
	version = kdx_load_u32(h + 12, KDX_BIG_ENDIAN);
	options = kdx_load_u16(h + 16, KDX_BIG_ENDIAN);
	if (version < 2 || version > 3)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: libxc stream version %u at offset 0x%llx (kdx reads 2 and 3)",
			       version, (unsigned long long)off);
	if (options & LIBXC_OPT_BIG_ENDIAN)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: big-endian libxc stream at offset 0x%llx",
			       (unsigned long long)off);
	s->domain_type = kdx_load_u32(h + 24, KDX_LITTLE_ENDIAN);
	s->page_shift = kdx_load_u16(h + 28, KDX_LITTLE_ENDIAN);
	xen_major = kdx_load_u32(h + 32, KDX_LITTLE_ENDIAN);
	xen_minor = kdx_load_u32(h + 36, KDX_LITTLE_ENDIAN);
	if (s->domain_type < DOMAIN_X86_PV || s->domain_type > DOMAIN_X86_PVH)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: domain type %u at offset 0x%llx (kdx reads x86 PV, HVM and PVH)",
			       s->domain_type, (unsigned long long)off + 24);
	if (s->page_shift < 12 || s->page_shift > 24)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: page shift %u at offset 0x%llx (want 12..24)",
			       s->page_shift, (unsigned long long)off + 28);
	s->page_size = UINT64_C(1) << s->page_shift;
	s->desc->facts.format_version = version;
	s->desc->facts.set |= KDX_FACT_FORMAT_VERSION;
	kdx_desc_add_detail(s->desc, "xen_save_stream",
			    "libxc v%u at 0x%llx, %s domain, saved by Xen %u.%u",
			    version, (unsigned long long)off,
			    s->domain_type == DOMAIN_X86_PV ? "x86 PV" :
			    s->domain_type == DOMAIN_X86_HVM ? "x86 HVM" : "x86 PVH",
			    xen_major, xen_minor);
	s->pos += sizeof(h);
	return NULL;
}

/* The libxc stream from its image header to its END record. */
static struct kdx_error *libxc_stream(struct xls *s)
{
	struct kdx_error *err = libxc_headers(s);

	while (!err && !s->saw_end && !kdx_desc_failed(s->desc)) {
		uint32_t type, len;
		bool whole;

		err = record_header(s, "libxc record", &type, &len, &whole);
		if (err || !whole)
			break;
		if (type == REC_END) {
			s->saw_end = true;
		} else {
			err = libxc_record(s, type, s->pos + REC_HEADER_LEN, len);
		}
		s->pos += REC_HEADER_LEN + (((uint64_t)len + 7) & ~UINT64_C(7));
	}
	return err;
}

/* ---- xl's header and libxl's stream ---- */

static struct kdx_error *xl_header(struct xls *s)
{
	uint8_t h[XL_HEADER_LEN];
	uint32_t order, mandatory, optlen;
	struct kdx_error *err;

	if (s->size < sizeof(h))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: the file (%llu bytes) is shorter than xl's header",
			       (unsigned long long)s->size);
	err = read_at(s, 0, h, sizeof(h), "xl header");
	if (err)
		return err;
	order = kdx_load_u32(h + 32, KDX_LITTLE_ENDIAN);
	mandatory = kdx_load_u32(h + 36, KDX_LITTLE_ENDIAN);
	optlen = kdx_load_u32(h + 44, KDX_LITTLE_ENDIAN);
	if (order != XL_BYTE_ORDER)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: byte order mark 0x%08x at offset 0x20 (kdx reads little-endian images)",
			       order);
	if (!(mandatory & XL_FLAG_STREAM_V2))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: mandatory flags 0x%x at offset 0x24 lack STREAMv2: a legacy (Xen < 4.6) stream, which kdx cannot read",
			       mandatory);
	if (optlen > XL_MAX_OPTDATA || optlen > s->size - sizeof(h))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: optional data of %u bytes at offset 0x30 runs past the file's end (0x%llx)",
			       optlen, (unsigned long long)s->size);
	s->pos = sizeof(h) + optlen;
	return NULL;
}

static struct kdx_error *libxl_header(struct xls *s)
{
	uint8_t h[LIBXL_HEADER_LEN];
	uint32_t version, options;
	struct kdx_error *err;

	if (s->size - s->pos < sizeof(h))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: the file ends at 0x%llx, inside libxl's stream header at 0x%llx",
			       (unsigned long long)s->size,
			       (unsigned long long)s->pos);
	err = read_at(s, s->pos, h, sizeof(h), "libxl stream header");
	if (err)
		return err;
	if (memcmp(h, LIBXL_IDENT, 8))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xl save: no libxl stream (\"LibxlFmt\") at offset 0x%llx",
			       (unsigned long long)s->pos);
	version = kdx_load_u32(h + 8, KDX_BIG_ENDIAN);
	options = kdx_load_u32(h + 12, KDX_BIG_ENDIAN);
	if (version != 2)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: libxl stream version %u at offset 0x%llx (kdx reads 2)",
			       version, (unsigned long long)s->pos);
	if (options & (LIBXL_OPT_BIG_ENDIAN | LIBXL_OPT_LEGACY))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "xl save: libxl stream options 0x%x at offset 0x%llx: %s, which kdx cannot read",
			       options, (unsigned long long)s->pos,
			       options & LIBXL_OPT_LEGACY ? "a legacy libxc stream follows" :
							    "big-endian");
	s->pos += sizeof(h);
	return NULL;
}

/* libxl's records up to its END; a LIBXC_CONTEXT record's libxc stream
 * follows it directly.  Only the first libxc stream is read (a
 * checkpointed stream's later ones are Remus/COLO updates). */
static struct kdx_error *libxl_stream(struct xls *s)
{
	struct kdx_error *err = libxl_header(s);
	bool have_libxc = false;

	while (!err && !s->truncated) {
		uint64_t rec = s->pos;
		uint32_t type, len;
		bool whole;

		err = record_header(s, "libxl record", &type, &len, &whole);
		if (err || !whole)
			break;
		s->pos += REC_HEADER_LEN + (((uint64_t)len + 7) & ~UINT64_C(7));
		if (type == LIBXL_REC_END)
			break;
		if (type == LIBXL_REC_LIBXC_CONTEXT && !have_libxc) {
			have_libxc = true;
			err = libxc_stream(s);
		} else if (type == LIBXL_REC_LIBXC_CONTEXT) {
			kdx_desc_add_warning(s->desc,
					     "xl save: a second libxc stream at offset 0x%llx (a checkpointed save): only the first is read",
					     (unsigned long long)rec);
			break;
		} else if (type > LIBXL_REC_MAX_KNOWN) {
			kdx_desc_add_warning(s->desc,
					     "xl save: libxl record at offset 0x%llx has the unknown type 0x%x: skipped",
					     (unsigned long long)rec, type);
		}
	}
	if (!err && !have_libxc)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "xl save: libxl's stream holds no LIBXC_CONTEXT record: no memory in the image");
	if (!err && !s->saw_end && !s->truncated)
		kdx_desc_add_warning(s->desc,
				     "xl save: the libxc stream has no END record");
	return err;
}

/* ---- Physical memory ---- */

static int by_pfn_then_seq(const void *a, const void *b)
{
	const struct page_ref *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The last copy of each pfn, as runs of consecutive pfns in consecutive
 * file pages. */
static void add_pages(struct xls *s)
{
	uint64_t run_pfn = 0, run_off = 0, run_len = 0, pages = 0, top = 0;

	if (s->nrefs) /* qsort wants a non-NULL array even for none */
		qsort(s->refs, s->nrefs, sizeof(*s->refs), by_pfn_then_seq);
	for (size_t i = 0; i < s->nrefs; i++) {
		const struct page_ref *r = &s->refs[i];

		if (i + 1 < s->nrefs && s->refs[i + 1].pfn == r->pfn)
			continue; /* a later copy wins */
		if (r->offset == NO_DATA)
			continue;
		pages++;
		top = r->pfn + 1;
		if (run_len && r->pfn == run_pfn + run_len &&
		    r->offset == run_off + run_len * s->page_size) {
			run_len++;
			continue;
		}
		if (run_len)
			kdx_desc_add_range(s->desc, run_pfn << s->page_shift,
					   run_len << s->page_shift,
					   KDX_PIECE_FILE, run_off);
		run_pfn = r->pfn;
		run_off = r->offset;
		run_len = 1;
	}
	if (run_len)
		kdx_desc_add_range(s->desc, run_pfn << s->page_shift,
				   run_len << s->page_shift, KDX_PIECE_FILE,
				   run_off);
	s->desc->facts.nr_pages = pages;
	s->desc->facts.set |= KDX_FACT_NR_PAGES;
	if (!s->have_max_pfn) {
		s->max_pfn = s->have_p2m_frames ? s->p2m_end + 1 : top;
		s->have_max_pfn = true;
	}
}

/* ---- Facts ---- */

static void set_facts(struct xls *s)
{
	struct kdx_dump_facts *f = &s->desc->facts;
	bool i386 = s->domain_type == DOMAIN_X86_PV && s->word_size == 4;

	s->desc->byte_order = KDX_LITTLE_ENDIAN;
	s->desc->arch = i386 ? KDX_ARCH_I386 : KDX_ARCH_X86_64;
	f->page_size = (uint32_t)s->page_size;
	f->max_pfn = s->max_pfn;
	f->set |= KDX_FACT_PAGE_SIZE | KDX_FACT_MAX_PFN;
	if (s->word_size) {
		f->word_size = s->word_size;
		f->set |= KDX_FACT_WORD_SIZE;
		kdx_desc_add_detail(s->desc, "xen_guest", "PV %u-bit, %u-level page tables",
				    s->word_size * 8, s->pt_levels);
	}
	if (s->nr_vcpus) {
		f->nr_cpus = s->nr_vcpus;
		f->set |= KDX_FACT_NR_CPUS;
	}
	if (s->have_root) {
		f->pgt_root = s->root;
		f->pgt_root_form = KDX_ROOT_ADDRESS;
		f->pgt_root_machine = false; /* libxc canonicalised it */
		f->set |= KDX_FACT_PGT_ROOT;
		kdx_desc_add_detail(s->desc, "xen_vcpu_cr3", "0x%llx (a pfn: libxc canonicalises PV page tables)",
				    (unsigned long long)s->root);
	}
}

static struct kdx_error *xl_save_open(const struct kdx_file *file,
				      const struct kdx_open_options *opts,
				      struct kdx_dump_desc *desc)
{
	struct xls *s = calloc(1, sizeof(*s));
	struct kdx_error *err;

	(void)opts;
	if (!s)
		return kdx_err_nomem();
	s->file = file;
	s->desc = desc;
	s->size = kdx_file_size(file);
	err = xl_header(s);
	if (!err)
		err = libxl_stream(s);
	if (!err && s->domain_type == DOMAIN_X86_PV && !s->word_size)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "xl save: a PV domain's stream with no X86_PV_INFO record (the guest's width)");
	if (!err) {
		add_pages(s);
		set_facts(s);
	}
	free(s->refs);
	free(s);
	return err;
}

const struct kdx_format_ops kdx_format_xl_save = {
	.name = "xl_save",
	.description = "Xen domain saved by `xl save`: libxl stream v2 around a libxc migration stream (v2/v3); pseudo-physical memory",
	.detect = true,
	.probe = xl_save_probe,
	.open = xl_save_open,
};
