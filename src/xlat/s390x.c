/* SPDX-License-Identifier: MIT */
/* s390x dynamic address translation (z/Architecture Principles of
 * Operation, chapter 3): up to five levels - region-first, -second and
 * -third tables and segment tables of 2048 eight-byte entries (16 KiB, in
 * four 4 KiB quarters), then page tables of 256 entries (2 KiB).  The
 * address-space-control element (ASCE) designates the top table: its
 * designation type (DT, bits 60-61 counting from the right as 3-2) says
 * which level it is, its table length (TL) how many quarters of it exist.
 * A region entry's table offset and length (TF, TL) say which quarters of
 * the next table exist; an index outside them is a length exception.
 * Every region and segment entry repeats its own table type (TT); a
 * mismatch is a translation-specification exception.  With the format
 * control (FC) a segment entry maps a 1 MiB frame, a region-third entry a
 * 2 GiB frame (EDAT-1/2).  Entries are big-endian; there is no user bit:
 * user space has its own ASCE. */
#include "xlat/xlat.h"

/* Bits, least significant = 0 (the manuals number from the left). */
#define S390_ORIGIN 0xfffull      /* region table / page origins: 4 KiB */
#define S390_PT_ORIGIN 0x7ffull   /* page-table origin: 2 KiB */
#define S390_SEG_LARGE 0xfffffull /* 1 MiB frame */
#define S390_R3_LARGE 0x7fffffffull /* 2 GiB frame */
#define S390_FC 0x400ull          /* format control: a large frame */
#define S390_P 0x200ull           /* DAT protection */
#define S390_IEP 0x100ull         /* instruction-execution protection */
#define S390_TF_SHIFT 6           /* table offset, 2 bits */
#define S390_I 0x20ull            /* region/segment entry invalid */
#define S390_TT_SHIFT 2           /* table type, 2 bits */
#define S390_TL 0x3ull            /* table length, in quarters - 1 */
#define S390_PTE_I 0x400ull       /* page entry invalid */
#define S390_PTE_ZERO 0x800ull    /* must be zero in a page entry */
#define S390_QUARTER 512u         /* entries in 4 KiB of a table */

enum { R1, R2, R3, SGT, PGT };

static void bad(struct kdx_pte *out, const char *problem)
{
	out->kind = KDX_PTE_BAD;
	out->problem = problem;
}

static unsigned int rights(uint64_t e)
{
	return (e & S390_P) ? 0 : KDX_PAGE_WRITABLE;
}

static void page_entry(const struct kdx_xlat *xlat, uint64_t e,
		       struct kdx_pte *out)
{
	if (e & S390_PTE_I) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	if (e & S390_PTE_ZERO) {
		bad(out, "has bit 52 set (a translation-specification exception)");
		return;
	}
	out->kind = KDX_PTE_PAGE;
	out->addr = e & ~S390_ORIGIN & xlat->addr_mask;
	out->flags = rights(e) | ((e & S390_IEP) ? KDX_PAGE_NX : 0);
}

static void large_entry(const struct kdx_xlat *xlat, unsigned int level,
			uint64_t e, struct kdx_pte *out)
{
	uint64_t frame = level == SGT ? S390_SEG_LARGE : S390_R3_LARGE;

	out->kind = KDX_PTE_PAGE;
	out->addr = e & ~frame & xlat->addr_mask;
	out->flags = rights(e) | ((e & S390_IEP) ? KDX_PAGE_NX : 0);
}

static void s390x_decode(const struct kdx_xlat *xlat, unsigned int level,
			 uint64_t raw, struct kdx_pte *out)
{
	uint64_t e = raw & ~xlat->cfg.ignore_mask;
	unsigned int tt = (unsigned int)(e >> S390_TT_SHIFT) & 3;

	if (level == PGT) {
		page_entry(xlat, e, out);
		return;
	}
	if (e & S390_I) {
		out->kind = KDX_PTE_NONE;
		return;
	}
	/* R1 tables have type 3, R2 2, R3 1, segment tables 0. */
	if (tt != SGT - level) {
		bad(out, "has a table type (TT) other than its table's");
		return;
	}
	if ((e & S390_FC) && (level == SGT || level == R3)) {
		large_entry(xlat, level, e, out);
		return;
	}
	out->kind = KDX_PTE_TABLE;
	out->flags = rights(e) | KDX_PAGE_USER;
	if (level == SGT) {
		/* page tables are 2 KiB: bit 11 is an address bit, which
		 * addr_mask (whole pages) would clear */
		out->addr = e & ~S390_PT_ORIGIN &
			    (xlat->addr_mask | S390_ORIGIN);
		return;
	}
	out->addr = e & ~S390_ORIGIN & xlat->addr_mask;
	out->next_from = ((unsigned int)(e >> S390_TF_SHIFT) & 3) * S390_QUARTER;
	out->next_to = ((unsigned int)(e & S390_TL) + 1) * S390_QUARTER;
}

/* The ASCE: DT 3 designates a region-first table ... 0 a segment table;
 * the table has TL + 1 quarters. */
static void s390x_root_table(const struct kdx_xlat *xlat, uint64_t asce,
			     unsigned int *level, unsigned int *entries)
{
	(void)xlat;
	*level = SGT - ((unsigned int)(asce >> S390_TT_SHIFT) & 3);
	*entries = ((unsigned int)(asce & S390_TL) + 1) * S390_QUARTER;
}

const struct kdx_paging_form kdx_form_s390x = {
	.mode = KDX_PAGING_S390X,
	.name = "s390x",
	.levels = 5,
	.entry_size = 8,
	.va_bits = 64,
	.root_mask = ~S390_ORIGIN,
	.default_phys_bits = 64,
	.max_phys_bits = 64,
	.level = { { "R1T", 53, 2048 }, { "R2T", 42, 2048 },
		   { "R3T", 31, 2048 }, { "SGT", 20, 2048 },
		   { "PGT", 12, 256 } },
	.decode = s390x_decode,
	.root_table = s390x_root_table,
	.big_endian_entries = true,
};
