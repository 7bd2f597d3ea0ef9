/* SPDX-License-Identifier: MIT */
/* POWER hashed page table (Power ISA v2.07 Book III 5.7.7, hash mode of
 * v3.0), 256 MiB segments.  No tree: the table is an array of PTE groups
 * (PTEGs) of eight 16-byte entries, big-endian whatever the CPU's mode,
 * and an address is found by hashing it.
 *
 * An effective address's segment (ESID, bits 63:28) has a virtual
 * segment id (VSID) that the OS chooses; this form uses FreeBSD's kernel
 * VSIDs (sys/powerpc/include/slb.h KERNEL_VSID: the ESID rotated left by
 * 8 in 36 bits, times 0x13bb, plus bit 36), the one place another OS's
 * scheme would differ.  With p the page shift (12, or 24 for a segment of
 * 16 MiB base pages) and page = EA bits 27:p, the primary hash is
 * (VSID & 0x7fffffffff) ^ page and the secondary its complement; the
 * PTEG is hash & (PTEGs - 1).  An entry matches when V (bit 0 of the
 * high word) is set, H (bit 1) says which hash, B (63:62) is 256 MiB,
 * its AVA (bits 61:7) holds the VSID and the page's top bits, and L
 * (bit 2) is the segment's page size.  The low word: the real page
 * number (bits 59:12; 59:24 for 16 MiB pages), R (8), C (7), N (2, no
 * execute) and PP (1:0).  The segment's page size lives in the SLB,
 * which no dump keeps: 4 KiB is tried first, then 16 MiB (FreeBSD's
 * direct map); an entry's L bit keeps the two apart.
 *
 * The root is an SDR1 value: HTABORG (the table, aligned to its size) |
 * HTABSIZE (bits 4:0), 2^(11 + HTABSIZE) PTEGs. */
#include "xlat/xlat.h"

#include "core/util.h"

#include <stdlib.h>

#define HTABSIZE_MASK 0x1full
#define HTABORG_MASK (~0x3ffffull)
#define MAX_HTABSIZE 28
#define PTEG_BYTES 128u
#define PTE_BYTES 16u

#define PTEH_VALID 0x1ull
#define PTEH_HID 0x2ull
#define PTEH_BIG 0x4ull
#define PTEH_B_MASK 0xc000000000000000ull
#define PTEH_AVA_VSID(h) (((h) & 0x3ffffffffffff000ull) >> 12)
#define PTEH_AVA_PAGE(h) (((h) & 0xf80ull) >> 7)
#define PTEL_RPN_4K 0x0ffffffffffff000ull
#define PTEL_RPN_16M 0x0fffffffff000000ull
#define PTEL_REF 0x100ull
#define PTEL_CHG 0x080ull
#define PTEL_NOEXEC 0x004ull
#define PTEL_PP 0x003ull

#define HASH_MASK 0x7fffffffffull
#define ESID_BITS 36
#define ESID_MASK ((1ull << ESID_BITS) - 1)
#define KERNEL_VSID_BIT (1ull << ESID_BITS)
#define VSID_MULTIPLIER 0x13bbull
#define SEGMENT_SHIFT 28

/* List at most this many entries (32 bytes each: 128 MiB). */
#define MAX_LISTED (1u << 22)

static uint64_t rotl36(uint64_t v, unsigned int n)
{
	return ((v << n) | (v >> (ESID_BITS - n))) & ESID_MASK;
}

/* FreeBSD's kernel VSID of a segment. */
static uint64_t kernel_vsid(uint64_t esid)
{
	return (rotl36(esid, 8) * VSID_MULTIPLIER & ESID_MASK) | KERNEL_VSID_BIT;
}

/* Its inverse: the multiplier is odd, so invertible modulo 2^36. */
static uint64_t kernel_esid(uint64_t vsid)
{
	uint64_t inv = VSID_MULTIPLIER;

	for (int i = 0; i < 6; i++) /* Newton: doubles the good bits */
		inv *= 2 - VSID_MULTIPLIER * inv;
	return rotl36((vsid & ESID_MASK) * inv & ESID_MASK, ESID_BITS - 8);
}

static uint64_t pteg_count(const struct kdx_xlat *xlat)
{
	uint64_t size = xlat->cfg.root & HTABSIZE_MASK;

	return 1ull << (11 + (size > MAX_HTABSIZE ? MAX_HTABSIZE : size));
}

static uint64_t hpt_root_addr(const struct kdx_xlat *xlat, uint64_t reg)
{
	return reg & HTABORG_MASK & xlat->addr_mask;
}

/* The page field a PTE's AVA keeps, shifted as the page number of a
 * segment of 2^@p-byte pages is (v2.07 5.7.7.3: AVA bits 50:54 hold the
 * page number's top bits, as many as fit above the hash's). */
static unsigned int ava_shift(unsigned int p)
{
	return p == 12 ? 0 : 1;
}

static unsigned int page_shift_in_ava(unsigned int p)
{
	return p == 12 ? 11 : 0;
}

static unsigned int leaf_flags(uint64_t lo)
{
	unsigned int pp = (unsigned int)(lo & PTEL_PP), flags = 0;

	if (pp != 3)
		flags |= KDX_PAGE_WRITABLE;
	if (pp == 1 || pp == 2)
		flags |= KDX_PAGE_USER;
	if (lo & PTEL_NOEXEC)
		flags |= KDX_PAGE_NX;
	if (lo & PTEL_REF)
		flags |= KDX_PAGE_ACCESSED;
	if (lo & PTEL_CHG)
		flags |= KDX_PAGE_DIRTY;
	return flags;
}

struct probe {
	uint64_t vsid, page, pteg_addr, hi, lo;
	unsigned int p, slot;
	bool secondary;
};

static bool matches(const struct probe *q, uint64_t hi)
{
	if (!(hi & PTEH_VALID) || (hi & PTEH_B_MASK) ||
	    !!(hi & PTEH_HID) != q->secondary || PTEH_AVA_VSID(hi) != q->vsid ||
	    PTEH_AVA_PAGE(hi) >> ava_shift(q->p) != q->page >> page_shift_in_ava(q->p))
		return false;
	return !!(hi & PTEH_BIG) == (q->p == 24);
}

/* Search one PTEG; *found when an entry matches. */
static struct kdx_error *search_pteg(struct kdx_xlat *xlat, struct probe *q,
				     bool *found)
{
	uint64_t hash = (q->vsid & HASH_MASK) ^ q->page;

	if (q->secondary)
		hash = ~hash & HASH_MASK;
	q->pteg_addr = xlat->root + (hash & (pteg_count(xlat) - 1)) * PTEG_BYTES;
	*found = false;
	for (unsigned int i = 0; i < 8; i++) {
		struct kdx_error *err = kdx_xlat_read_entry(
			xlat, 0, q->pteg_addr, PTEG_BYTES, 2 * i, &q->hi);

		if (err)
			return kdx_err_wrap(err, "PTEG at 0x%llx",
					    (unsigned long long)q->pteg_addr);
		if (!matches(q, q->hi))
			continue;
		q->slot = i;
		*found = true;
		return kdx_xlat_read_entry(xlat, 0, q->pteg_addr, PTEG_BYTES,
					   2 * i + 1, &q->lo);
	}
	return NULL;
}

static void record(struct kdx_xlat_trace *trace, const struct probe *q)
{
	struct kdx_xlat_step *s;

	if (!trace)
		return;
	for (unsigned int w = 0; w < 2; w++) {
		s = &trace->steps[trace->count++];
		s->level = w ? "HPTE low" :
			   q->secondary ? "HPTE high (secondary PTEG)" :
					  "HPTE high (primary PTEG)";
		s->table = q->pteg_addr;
		s->index = 2 * q->slot + w;
		s->size = 8;
		s->entry_addr = q->pteg_addr + q->slot * PTE_BYTES + 8 * w;
		s->entry = w ? q->lo : q->hi;
	}
}

static struct kdx_error *hpt_lookup(struct kdx_xlat *xlat, uint64_t vaddr,
				    uint64_t linear, struct kdx_xlat_result *out,
				    struct kdx_xlat_trace *trace)
{
	static const unsigned int shifts[2] = { 12, 24 };
	uint64_t vsid = kernel_vsid(linear >> SEGMENT_SHIFT);
	uint64_t tried[4] = { 0 };

	for (unsigned int n = 0; n < 4; n++) {
		struct probe q = { .vsid = vsid, .p = shifts[n / 2],
				   .secondary = n % 2 };
		uint64_t size = 1ull << q.p, base;
		bool found;
		struct kdx_error *err;

		q.page = (linear & ((1ull << SEGMENT_SHIFT) - 1)) >> q.p;
		err = search_pteg(xlat, &q, &found);
		tried[n] = q.pteg_addr;
		if (err)
			return err;
		if (!found)
			continue;
		record(trace, &q);
		base = q.lo & (q.p == 24 ? PTEL_RPN_16M : PTEL_RPN_4K);
		if (base & ~xlat->addr_mask)
			return kdx_err(KDX_ERR_CORRUPT,
				       "HPTE 0x%llx 0x%llx at 0x%llx has a real page number beyond the physical address width",
				       (unsigned long long)q.hi,
				       (unsigned long long)q.lo,
				       (unsigned long long)(q.pteg_addr + q.slot * PTE_BYTES));
		out->vaddr = vaddr;
		out->paddr = base | (linear & (size - 1));
		out->page_size = size;
		out->flags = leaf_flags(q.lo);
		return NULL;
	}
	return kdx_err(KDX_ERR_NODATA,
		       "no valid HPTE (VSID 0x%llx) in PTEGs at 0x%llx, 0x%llx (4 KiB pages) or 0x%llx, 0x%llx (16 MiB) of the hashed page table at 0x%llx (%llu PTEGs)",
		       (unsigned long long)vsid, (unsigned long long)tried[0],
		       (unsigned long long)tried[1], (unsigned long long)tried[2],
		       (unsigned long long)tried[3], (unsigned long long)xlat->root,
		       (unsigned long long)pteg_count(xlat));
}

/* ---- Listing: every valid kernel entry, its address from the hash ---- */

struct listed {
	uint64_t ea, pa, size;
	unsigned int flags;
};

static int by_address(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;

	return x->ea < y->ea ? -1 : x->ea > y->ea;
}

/* The address entry (@hi, @lo) in PTEG @pteg maps; false if it is not
 * a valid kernel entry. */
static bool entry_address(const struct kdx_xlat *xlat, uint64_t pteg,
			  uint64_t hi, uint64_t lo, struct listed *out)
{
	uint64_t vsid = PTEH_AVA_VSID(hi), hash = pteg, page, esid;
	unsigned int p = hi & PTEH_BIG ? 24 : 12;
	uint64_t mask = pteg_count(xlat) - 1, pages = 1ull << (SEGMENT_SHIFT - p);

	if (!(hi & PTEH_VALID) || (hi & PTEH_B_MASK) || !(vsid & KERNEL_VSID_BIT) ||
	    vsid >> (ESID_BITS + 1))
		return false;
	if (hi & PTEH_HID)
		hash = ~hash;
	/* The hash gives the page number's low bits (at least 11), the AVA
	 * the ones above them. */
	page = ((hash ^ vsid) & mask & (pages - 1)) |
	       (PTEH_AVA_PAGE(hi) >> ava_shift(p) << page_shift_in_ava(p) &
		~mask & (pages - 1));
	esid = kernel_esid(vsid);
	out->ea = esid << SEGMENT_SHIFT | page << p;
	out->size = 1ull << p;
	out->pa = lo & (p == 24 ? PTEL_RPN_16M : PTEL_RPN_4K);
	out->flags = leaf_flags(lo);
	return !(out->pa & ~xlat->addr_mask);
}

static struct kdx_error *
hpt_list(struct kdx_xlat *xlat, uint64_t lo, uint64_t hi,
	 bool (*emit)(void *arg, uint64_t linear, uint64_t paddr, uint64_t size,
		      unsigned int flags),
	 void *arg)
{
	uint64_t ptegs = pteg_count(xlat), n = 0, cap = 0;
	uint8_t chunk[KDX_TABLE_MAX];
	struct listed *all = NULL;
	struct kdx_error *err = NULL;

	/* Each 4 KiB of the table counts as a table against the budget:
	 * HTABSIZE alone would let a bad root ask for 2^39 PTEGs. */
	if (ptegs / (KDX_TABLE_MAX / PTEG_BYTES) > xlat->cfg.max_tables)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "hashed page table at 0x%llx: %llu PTEGs are more than the %llu tables' budget (max_tables) lets kdx list",
			       (unsigned long long)xlat->root,
			       (unsigned long long)ptegs,
			       (unsigned long long)xlat->cfg.max_tables);
	for (uint64_t g = 0; g < ptegs && !err; g += KDX_TABLE_MAX / PTEG_BYTES) {
		err = kdx_xlat_load_table(xlat, xlat->root + g * PTEG_BYTES,
					  KDX_TABLE_MAX, chunk);
		/* Most PTEGs of a real table are empty: 4 KiB of zeros hold
		 * no valid entry, skip them whole. */
		if (!err && kdx_all_zero(chunk, sizeof(chunk)))
			continue;
		for (unsigned int i = 0; !err && i < KDX_TABLE_MAX / PTE_BYTES; i++) {
			struct listed e;

			if (!entry_address(xlat, g + i / 8,
					   kdx_xlat_entry(xlat, chunk, 2 * i),
					   kdx_xlat_entry(xlat, chunk, 2 * i + 1), &e) ||
			    e.ea + (e.size - 1) < lo || e.ea > hi)
				continue;
			if (n == cap) {
				struct listed *grown;

				cap = cap ? 2 * cap : 256;
				grown = cap > MAX_LISTED ? NULL :
							   realloc(all, cap * sizeof(*all));
				if (!grown) {
					err = cap > MAX_LISTED ?
						      kdx_err(KDX_ERR_UNSUPPORTED,
							      "hashed page table: more than %u valid entries to list",
							      MAX_LISTED) :
						      kdx_err_nomem();
					break;
				}
				all = grown;
			}
			all[n++] = e;
		}
	}
	if (err) {
		free(all);
		return kdx_err_wrap(err, "hashed page table at 0x%llx",
				    (unsigned long long)xlat->root);
	}
	if (n) /* qsort of NULL, even of nothing, is undefined */
		qsort(all, (size_t)n, sizeof(*all), by_address);
	for (uint64_t i = 0, end = 0; i < n; i++) {
		/* A second entry for an address already listed (a stale
		 * one, or a 4 KiB page inside a 16 MiB one): the first. */
		if (i && all[i].ea < end)
			continue;
		end = all[i].ea + all[i].size;
		if (!emit(arg, all[i].ea, all[i].pa, all[i].size, all[i].flags))
			break;
	}
	free(all);
	return NULL;
}

const struct kdx_paging_form kdx_form_ppc64_hpt = {
	.mode = KDX_PAGING_PPC64_HPT,
	.name = "POWER hashed page table",
	.levels = 1,
	.entry_size = 8,
	.va_bits = 64,
	.big_endian_entries = true,
	.root_mask = HTABORG_MASK,
	.default_phys_bits = 60,
	.max_phys_bits = 60,
	.level = { { "PTEG", 12, 16 } },
	.root_addr = hpt_root_addr,
	.lookup = hpt_lookup,
	.list = hpt_list,
};
