/* SPDX-License-Identifier: MIT */
/* A FreeBSD minidump's page-table area, shown to the translation layer's
 * own walkers as page tables.
 *
 * The area holds one level of the kernel's tables for the KVA from
 * kernbase: last-level entries (amd64 v1, i386, arm, arm64, riscv; the
 * kernel writes fake last-level entries for its large mappings) or
 * amd64 v2+'s page-directory entries, whose page-table pages are among
 * the dumped pages.  Above it we build the missing upper levels in memory
 * and place both at synthetic physical addresses beyond any RAM: the
 * area's tables in a "window" (the area at its byte offset, zeros around
 * it), the built tables in "slots".  The direct map, which the dump gives
 * as arithmetic (dmapbase..dmapend maps dmapphys), becomes block entries
 * in the same built tables, so one walk, one `vtop -v` and one `maps`
 * cover both.  No walker here: the walkers of src/xlat/ read these
 * tables through kdx_fbsd_read_table().
 *
 * POWER radix (powerpc64 with mmu_radix) is the other way round: the
 * area is the 64 KiB root and the levels below are dumped pages, so the
 * root is copied into the first built slot and only the direct map is
 * built below it.  The hashed page table (mmu_g5, mmu_phyp: moea64) is
 * no tree: the area is the whole table, shown in the window as it is and
 * read by xlat/ppc64_hpt.c's hash lookup; its direct map is in it
 * already (moea64 enters it as bolted 16 MiB entries).
 *
 * mips keeps last-level entries (EntryLo words, 4 or 8 bytes) like
 * i386; KSEG0/KSEG1 and XKPHYS need no tables (xlat/mips.c). */
#include "format/fbsd_minidump.h"

#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

/* child[] marks: an entry that points into the window. */
#define CHILD_WINDOW UINT32_MAX
/* The direct map is built in at most this many entries. */
#define MAX_DMAP_ENTRIES (1u << 20)

/* ---- Entries, per page-table format ---- */

static uint64_t x86_table(unsigned int level, uint64_t a)
{
	(void)level;
	return a | 0x23; /* P | RW | A */
}

static uint64_t pae_table(unsigned int level, uint64_t a)
{
	/* A PDPTE has no RW or A bit: only P. */
	return a | (level == 0 ? 0x1 : 0x23);
}

static uint64_t x86_64_block(unsigned int level, bool last, uint64_t a)
{
	(void)level;
	/* P | RW | A | D (| PS above the last level) | NX: FreeBSD's
	 * direct map is never executable. */
	return a | (last ? 0x63 : 0xe3) | 1ull << 63;
}

static uint64_t arm_coarse_table(unsigned int level, uint64_t a)
{
	(void)level;
	return a | 0x1; /* L1 type 01: coarse page table, domain 0 */
}

static uint64_t arm_long_table(unsigned int level, uint64_t a)
{
	(void)level;
	return a | 0x3; /* valid | table */
}

static uint64_t a64_block(unsigned int level, bool last, uint64_t a)
{
	(void)level;
	/* valid (| page at L3), AF, inner shareable, attribute index 0 */
	return a | (last ? 0x703 : 0x701);
}

static uint64_t rv_table(unsigned int level, uint64_t a)
{
	(void)level;
	return (a >> 12) << 10 | 0x1; /* V, no R/W/X: a pointer */
}

static uint64_t rv_block(unsigned int level, bool last, uint64_t a)
{
	(void)level;
	(void)last;
	return (a >> 12) << 10 | 0xc7; /* V | R | W | A | D */
}

/* POWER radix: V | NLB | NLS 9 (a 4 KiB table). */
static uint64_t radix_table(unsigned int level, uint64_t a)
{
	(void)level;
	return 1ull << 63 | a | 9;
}

static uint64_t radix_block(unsigned int level, bool last, uint64_t a)
{
	(void)level;
	(void)last;
	/* V | leaf | privileged, read, write (no execute) | R | C */
	return 3ull << 62 | a | 0x18e;
}

/* MIPS: kdx's own directory form, the next table's address | present. */
static uint64_t mips_table(unsigned int level, uint64_t a)
{
	(void)level;
	return a | 0x1;
}

/* ---- The paging rows ---- */

#define MIB (1ull << 20)

enum {
	PG_AMD64_PTE, PG_AMD64_PDE, PG_I386, PG_I386_PAE, PG_ARM_V4,
	PG_ARM_V6, PG_ARM_LPAE, PG_ARM64_4K, PG_ARM64_16K, PG_SV39, PG_SV48,
	PG_PPC64_RADIX, PG_PPC64_HPT, PG_MIPS32, PG_MIPS64,
};

static const struct fbsd_paging paging_rows[] = {
	[PG_AMD64_PTE] = { "x86-64, page-table entries (v1)", KDX_PAGING_X86_64,
			   4096, 48, 8, 4, { 39, 30, 21, 12 }, 3, 30,
			   0x000f000000000000ull, 1ull << 36,
			   0x000f800000000000ull, 64 * MIB, x86_table,
			   x86_64_block, 0, false, false },
	[PG_AMD64_PDE] = { "x86-64, page-directory entries (v2+)",
			   KDX_PAGING_X86_64, 4096, 48, 8, 4, { 39, 30, 21, 12 },
			   2, 30, 0x000f000000000000ull, 1ull << 36,
			   0x000f800000000000ull, 64 * MIB, x86_table,
			   x86_64_block, 0, false, false },
	[PG_I386] = { "x86 2-level", KDX_PAGING_X86_32, 4096, 32, 4, 2,
		      { 22, 12 }, 1, 0, 0xfe000000ull, 16 * MIB,
		      0xfff00000ull, MIB, x86_table, NULL, 0, false, false },
	[PG_I386_PAE] = { "x86 PAE", KDX_PAGING_X86_PAE, 4096, 32, 8, 3,
			  { 30, 21, 12 }, 2, 0, 1ull << 40, 1ull << 32,
			  0xfff00000ull, MIB, pae_table, NULL, 0, false, false },
	[PG_ARM_V4] = { "ARMv4/v5 short descriptors", KDX_PAGING_ARM_V5, 4096,
			32, 4, 2, { 20, 12 }, 1, 0, 0xfe000000ull, 16 * MIB,
			0xfff00000ull, MIB, arm_coarse_table, NULL, 0, false, false },
	[PG_ARM_V6] = { "ARMv6/v7 short descriptors", KDX_PAGING_ARM, 4096, 32,
			4, 2, { 20, 12 }, 1, 0, 0xfe000000ull, 16 * MIB,
			0xfff00000ull, MIB, arm_coarse_table, NULL, 0, false, false },
	[PG_ARM_LPAE] = { "ARMv7 LPAE", KDX_PAGING_ARM_LPAE, 4096, 32, 8, 3,
			  { 30, 21, 12 }, 2, 0, 0x8000000000ull, 1ull << 32,
			  0xff00000000ull, MIB, arm_long_table, NULL, 0, false, false },
	[PG_ARM64_4K] = { "AArch64 4K", KDX_PAGING_AARCH64, 4096, 48, 8, 4,
			  { 39, 30, 21, 12 }, 3, 30, 0xf00000000000ull,
			  1ull << 36, 0xff0000000000ull, 64 * MIB,
			  arm_long_table, a64_block, 0, false, false },
	[PG_ARM64_16K] = { "AArch64 16K", KDX_PAGING_AARCH64, 16384, 48, 8, 4,
			   { 47, 36, 25, 14 }, 3, 30, 0xf00000000000ull,
			   1ull << 36, 0xff0000000000ull, 64 * MIB,
			   arm_long_table, a64_block, 0, false, false },
	[PG_SV39] = { "Sv39", KDX_PAGING_RISCV_SV39, 4096, 39, 8, 3,
		      { 30, 21, 12 }, 2, 30, 0x00f0000000000000ull, 1ull << 36,
		      0x00f8000000000000ull, 64 * MIB, rv_table, rv_block, 0,
		      false, false },
	[PG_SV48] = { "Sv48", KDX_PAGING_RISCV_SV48, 4096, 48, 8, 4,
		      { 39, 30, 21, 12 }, 3, 30, 0x00f0000000000000ull,
		      1ull << 36, 0x00f8000000000000ull, 64 * MIB, rv_table,
		      rv_block, 0, false, false },
	[PG_PPC64_RADIX] = { "POWER radix", KDX_PAGING_PPC64_RADIX, 4096, 52, 8,
			     4, { 39, 30, 21, 12 }, 0, 30, 0, 0,
			     0x00f0000000000000ull, 64 * MIB, radix_table,
			     radix_block, 0xc000000000000000ull, true,
			     false },
	/* The area is the hashed page table itself (2^n bytes, aligned to
	 * its size in the window). */
	[PG_PPC64_HPT] = { "POWER hashed page table", KDX_PAGING_PPC64_HPT,
			   4096, 64, 8, 1, { 12 }, 0, 0, 0x000f000000000000ull,
			   1ull << 36, 0, 0, NULL, NULL, 0, true, true },
	[PG_MIPS32] = { "MIPS32", KDX_PAGING_MIPS32, 4096, 32, 4, 2, { 22, 12 },
			1, 0, 0xfe000000ull, 16 * MIB, 0xfff00000ull, MIB,
			mips_table, NULL, 0, false, false },
	[PG_MIPS64] = { "MIPS64", KDX_PAGING_MIPS64, 4096, 39, 8, 3,
			{ 30, 21, 12 }, 2, 0, 0xf00000000000ull, 1ull << 36,
			0xff0000000000ull, 64 * MIB, mips_table, NULL,
			0xc000000000000000ull, false, false },
};

/* powerpc64: the MMU the kernel ran (its name in the header). */
static struct kdx_error *choose_ppc64(const struct fbsd_minidump *md,
				      int *row)
{
	if (!strcmp(md->mmu_name, "mmu_radix")) {
		*row = PG_PPC64_RADIX;
		return NULL;
	}
	/* moea64's two: bare metal (G5, POWER) and the hypervisor's. */
	if (!strcmp(md->mmu_name, "mmu_g5") || !strcmp(md->mmu_name, "mmu_phyp")) {
		*row = PG_PPC64_HPT;
		return NULL;
	}
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "minidump header at offset 0x20: unknown powerpc64 MMU \"%s\" (kdx reads mmu_radix, mmu_g5 and mmu_phyp)",
		       md->mmu_name);
}

static struct kdx_error *choose_paging(struct fbsd_minidump *md)
{
	int row = PG_AMD64_PTE;

	switch (md->row->arch) {
	case KDX_ARCH_X86_64:
		row = md->version == 1 ? PG_AMD64_PTE : PG_AMD64_PDE;
		break;
	case KDX_ARCH_I386:
		row = md->mode_field ? PG_I386_PAE : PG_I386;
		break;
	case KDX_ARCH_ARM:
		/* mmuformat 0 (dumps before the field): ARMv6/v7, as libkvm
		 * assumes. */
		if (md->mode_field > 3)
			return kdx_err(KDX_ERR_UNSUPPORTED,
				       "minidump header at offset 0x30: unknown arm mmuformat %u",
				       md->mode_field);
		row = md->mode_field == 1 ? PG_ARM_V4 :
		      md->mode_field == 3 ? PG_ARM_LPAE : PG_ARM_V6;
		break;
	case KDX_ARCH_AARCH64:
		row = md->page_size == 16384 ? PG_ARM64_16K : PG_ARM64_4K;
		break;
	case KDX_ARCH_PPC64: {
		struct kdx_error *err = choose_ppc64(md, &row);

		if (err)
			return err;
		break;
	}
	case KDX_ARCH_MIPS:
		row = md->addr32 ? PG_MIPS32 : PG_MIPS64;
		break;
	default:
		/* riscv: Sv48 kernels put kernbase below Sv39's upper half. */
		row = md->kernbase >= 0xffffffc000000000ull ? PG_SV39 : PG_SV48;
		break;
	}
	md->paging = paging_rows[row];
	return NULL;
}

/* ---- Geometry ---- */

static unsigned int entries_at(const struct fbsd_paging *pg, unsigned int l)
{
	unsigned int top = l == 0 ? pg->va_bits : pg->shift[l - 1];

	return 1u << (top - pg->shift[l]);
}

static uint64_t table_bytes(const struct fbsd_paging *pg, unsigned int l)
{
	return (uint64_t)entries_at(pg, l) * pg->entry_size;
}

static uint64_t linear(const struct fbsd_paging *pg, uint64_t va)
{
	return va & ((1ull << pg->va_bits) - 1);
}

/* Whether @va is an address the root maps: below 4 GiB for 32-bit
 * forms, the upper half (all bits above va_bits set) otherwise. */
static bool in_root(const struct fbsd_paging *pg, const struct fbsd_minidump *md,
		    uint64_t va)
{
	if (md->addr32)
		return va <= UINT32_MAX;
	if (pg->fixed_high)
		return (va & ~((1ull << pg->va_bits) - 1)) == pg->fixed_high;
	return (va >> pg->va_bits) == (UINT64_MAX >> pg->va_bits);
}

static unsigned int index_of(const struct fbsd_paging *pg, unsigned int l,
			     uint64_t lin)
{
	return (unsigned int)((lin >> pg->shift[l]) & (entries_at(pg, l) - 1));
}

/* ---- Slots ---- */

static size_t slot_entries(const struct fbsd_minidump *md)
{
	return md->tables.slot_size / md->paging.entry_size;
}

static uint64_t slot_addr(const struct fbsd_minidump *md, uint32_t slot)
{
	return md->paging.upper_base + (uint64_t)slot * md->tables.slot_size;
}

static enum kdx_byte_order entry_order(const struct fbsd_minidump *md)
{
	return md->paging.big_endian_entries ? KDX_BIG_ENDIAN : md->byte_order;
}

static uint64_t get_entry(const struct fbsd_minidump *md, uint32_t slot,
			  unsigned int index)
{
	const uint8_t *p = md->tables.upper + slot * md->tables.slot_size +
			   (size_t)index * md->paging.entry_size;

	return kdx_load_uint(p, md->paging.entry_size, entry_order(md));
}

static void set_entry(struct fbsd_minidump *md, uint32_t slot,
		      unsigned int index, uint64_t value)
{
	uint8_t *p = md->tables.upper + slot * md->tables.slot_size +
		     (size_t)index * md->paging.entry_size;

	if (md->paging.entry_size == 4)
		kdx_store_u32(p, (uint32_t)value, entry_order(md));
	else
		kdx_store_u64(p, value, entry_order(md));
}

/* Room for @cap slots in all. */
static struct kdx_error *grow_slots(struct fbsd_minidump *md, size_t cap)
{
	struct fbsd_tables *t = &md->tables;
	uint8_t *u = realloc(t->upper, cap * t->slot_size);
	uint32_t *c;

	if (!u)
		return kdx_err_nomem();
	t->upper = u;
	c = realloc(t->child, cap * slot_entries(md) * sizeof(*c));
	if (!c)
		return kdx_err_nomem();
	t->child = c;
	t->slot_capacity = cap;
	return NULL;
}

static struct kdx_error *new_slot(struct fbsd_minidump *md, uint32_t *out)
{
	struct fbsd_tables *t = &md->tables;
	size_t n = slot_entries(md);
	struct kdx_error *err;

	if ((uint64_t)(t->slots + 1) * t->slot_size > md->paging.upper_limit)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "minidump: the page tables over the page-table area and the direct map need more than 0x%llx bytes",
			       (unsigned long long)md->paging.upper_limit);
	if (t->slots == t->slot_capacity) {
		err = grow_slots(md, t->slot_capacity ? 2 * t->slot_capacity : 8);
		if (err)
			return err;
	}
	memset(t->upper + t->slots * t->slot_size, 0, t->slot_size);
	memset(t->child + t->slots * n, 0, n * sizeof(*t->child));
	*out = (uint32_t)t->slots++;
	return NULL;
}

/* The built table of level @level on the way to @lin, made as needed;
 * *blocked when an entry above it is already a block or the window. */
static struct kdx_error *table_for(struct fbsd_minidump *md, uint64_t lin,
				   unsigned int level, uint32_t *out,
				   bool *blocked)
{
	const struct fbsd_paging *pg = &md->paging;
	uint32_t slot = 0;

	*blocked = false;
	for (unsigned int l = 0; l < level; l++) {
		unsigned int i = index_of(pg, l, lin);
		uint32_t c = md->tables.child[slot * slot_entries(md) + i], n;
		struct kdx_error *err;

		if (c == CHILD_WINDOW || (!c && get_entry(md, slot, i))) {
			*blocked = true;
			return NULL;
		}
		if (!c) {
			err = new_slot(md, &n);
			if (err)
				return err;
			set_entry(md, slot, i, pg->table_entry(l, slot_addr(md, n)));
			md->tables.child[slot * slot_entries(md) + i] = n + 1;
			c = n + 1;
		}
		slot = c - 1;
	}
	*out = slot;
	return NULL;
}

/* ---- The kernel map: the area's tables ---- */

static struct kdx_error *place_window(struct fbsd_minidump *md)
{
	const struct fbsd_paging *pg = &md->paging;
	struct fbsd_tables *t = &md->tables;
	unsigned int al = pg->area_level, es = pg->entry_size;
	uint64_t step = 1ull << pg->shift[al], span = 1ull << pg->shift[al - 1];
	uint64_t tb = table_bytes(pg, al), lin = linear(pg, md->kernbase);
	uint64_t entries = md->pmapsize / es;

	if (md->kernbase % step || !in_root(pg, md, md->kernbase))
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header at offset 0x28: kernbase 0x%llx is not a %s address aligned to 0x%llx",
			       (unsigned long long)md->kernbase, pg->name,
			       (unsigned long long)step);
	if (md->pmapsize % es)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header at offset 0x24: page-table area size 0x%x is not a whole number of %u-byte entries",
			       md->pmapsize, es);
	if (entries > ((1ull << pg->va_bits) - lin) / step)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump page-table area at offset 0x%llx: 0x%llx entries from kernbase 0x%llx map past the end of the address space",
			       (unsigned long long)md->pmap_off,
			       (unsigned long long)entries,
			       (unsigned long long)md->kernbase);
	t->window_va = lin - lin % span;
	t->window_pad = (lin - t->window_va) / step * es;
	t->window_len = (t->window_pad + md->pmapsize + tb - 1) / tb * tb;
	if (t->window_len > pg->window_limit)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "minidump page-table area at offset 0x%llx: 0x%x bytes are more than kdx maps (0x%llx)",
			       (unsigned long long)md->pmap_off, md->pmapsize,
			       (unsigned long long)pg->window_limit);
	for (uint64_t n = 0; n < t->window_len / tb; n++) {
		uint64_t va = t->window_va + n * span;
		unsigned int i = index_of(pg, al - 1, va);
		bool blocked;
		uint32_t slot;
		struct kdx_error *err = table_for(md, va, al - 1, &slot, &blocked);

		if (err)
			return err;
		set_entry(md, slot, i,
			  pg->table_entry(al - 1, pg->window_base + n * tb));
		t->child[slot * slot_entries(md) + i] = CHILD_WINDOW;
	}
	return NULL;
}

/* ---- The direct map: blocks as large as alignment allows ---- */

/* The level whose blocks (or pages, at the last level) can map @lin ->
 * @pa with @left bytes to go; 0 if none. */
static unsigned int block_level(const struct fbsd_paging *pg, uint64_t lin,
				uint64_t pa, uint64_t left)
{
	for (unsigned int l = 1; l < pg->levels; l++) {
		uint64_t size = 1ull << pg->shift[l];
		bool last = l + 1 == pg->levels;

		if (!last && pg->shift[l] > pg->max_block_shift)
			continue;
		if (lin % size == 0 && pa % size == 0 && left >= size)
			return l;
	}
	return 0;
}

/* Where the built direct map ends: the header's end, or for a root
 * copied from the area (whose direct-map entries it replaces) the end of
 * physical memory, past which the direct map maps nothing the dump has. */
static uint64_t dmap_end(const struct fbsd_minidump *md)
{
	uint64_t top = 0;

	if (md->paging.area_level)
		return md->dmapend;
	for (size_t i = 0; i < md->navail; i++)
		if (md->avail[i].end > top)
			top = md->avail[i].end;
	if (top < md->dmapphys)
		return md->dmapbase;
	top -= md->dmapphys;
	return top < md->dmapend - md->dmapbase ? md->dmapbase + top : md->dmapend;
}

/* How many steps of @level's blocks from @lin (mapping @pa, @left bytes
 * to go) block_level() would take in a row, in one table: up to the
 * table's end, the bytes left, and the next point where the level above
 * would be chosen instead (only if @lin and @pa are aligned alike for
 * it). */
static uint64_t run_length(const struct fbsd_paging *pg, unsigned int level,
			   uint64_t lin, uint64_t pa, uint64_t left)
{
	uint64_t size = 1ull << pg->shift[level];
	uint64_t n = entries_at(pg, level) - index_of(pg, level, lin);

	n = kdx_min_u64(n, left / size);
	if (level > 1 && pg->shift[level - 1] <= pg->max_block_shift) {
		uint64_t up = 1ull << pg->shift[level - 1];

		if ((lin - pa) % up == 0 && lin % up)
			n = kdx_min_u64(n, (up - lin % up) / size);
	}
	return n ? n : 1;
}

/* Store entry @v at @p: @es bytes, byte-swapped from the host's order
 * when @swap says so. */
static void store_entry(uint8_t *p, unsigned int es, bool swap, uint64_t v)
{
	if (es == 4) {
		uint32_t w = swap ? __builtin_bswap32((uint32_t)v) : (uint32_t)v;

		memcpy(p, &w, 4);
	} else {
		v = swap ? __builtin_bswap64(v) : v;
		memcpy(p, &v, 8);
	}
}

/* @n blocks of @level from entry @first of @slot, the first mapping @pa;
 * the kernel map wins where the two would meet.  A table just built for
 * them (@fresh: all zeros, the common case) is written without looking
 * at each entry. */
static void fill_blocks(struct fbsd_minidump *md, uint32_t slot,
			unsigned int level, unsigned int first, uint64_t n,
			uint64_t pa, bool fresh)
{
	const struct fbsd_paging *pg = &md->paging;
	unsigned int es = pg->entry_size;
	uint8_t *p = md->tables.upper + slot * md->tables.slot_size +
		     (size_t)first * es;
	bool last = level + 1 == pg->levels;
	bool swap = entry_order(md) !=
		    (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? KDX_BIG_ENDIAN :
							    KDX_LITTLE_ENDIAN);
	uint64_t size = 1ull << pg->shift[level];

	for (uint64_t k = 0; k < n; k++, p += es)
		if (fresh || !kdx_load_uint(p, es, entry_order(md)))
			store_entry(p, es, swap,
				    pg->block_entry(level, last, pa + k * size));
}

static struct kdx_error *dmap_too_big(const struct fbsd_minidump *md)
{
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "minidump: the direct map 0x%llx-0x%llx needs more than %u entries",
		       (unsigned long long)md->dmapbase,
		       (unsigned long long)md->dmapend, MAX_DMAP_ENTRIES);
}

/* The direct map's runs without building them: whether they stay within
 * MAX_DMAP_ENTRIES (else the error, before a table is made), and at most
 * how many tables they need (each level's tables are met in address
 * order), so that room for them is made once. */
static struct kdx_error *plan_dmap(const struct fbsd_minidump *md,
				   uint64_t end, uint64_t *tables)
{
	const struct fbsd_paging *pg = &md->paging;
	uint64_t va = md->dmapbase, count = 0, last_key[8];
	bool seen[8] = { false };

	*tables = 0;
	while (va < end) {
		uint64_t pa = va - md->dmapbase + md->dmapphys, lin = linear(pg, va);
		unsigned int l = block_level(pg, lin, pa, end - va);
		uint64_t n;

		if (!l)
			break;
		n = run_length(pg, l, lin, pa, end - va);
		count += n;
		if (count > MAX_DMAP_ENTRIES)
			return dmap_too_big(md);
		for (unsigned int j = 1; j <= l && j < 8; j++) {
			uint64_t key = lin >> pg->shift[j - 1];

			if (!seen[j] || key != last_key[j])
				++*tables;
			seen[j] = true;
			last_key[j] = key;
		}
		va += n << pg->shift[l];
	}
	return NULL;
}

/* A run of blocks of one level in one table is filled at once: a
 * direct map of 4 KiB pages (misaligned bases, as fuzzed headers have)
 * is a million entries, and a walk from the root for each cost 2 s an
 * input under the fuzzer. */
static struct kdx_error *map_dmap(struct fbsd_minidump *md)
{
	const struct fbsd_paging *pg = &md->paging;
	uint64_t va = md->dmapbase, count = 0, pa_end, end = dmap_end(md);
	uint64_t tables, room;
	struct fbsd_tables *t = &md->tables;
	struct kdx_error *err;

	if (!md->has_dmap || !pg->block_entry)
		return NULL;
	if (!in_root(pg, md, md->dmapbase) || !in_root(pg, md, md->dmapend - 1) ||
	    kdx_add_overflows(md->dmapphys, md->dmapend - md->dmapbase, &pa_end))
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header: direct map 0x%llx-0x%llx (of physical 0x%llx) is not a range of %s kernel addresses",
			       (unsigned long long)md->dmapbase,
			       (unsigned long long)md->dmapend,
			       (unsigned long long)md->dmapphys, pg->name);
	err = plan_dmap(md, end, &tables);
	if (err)
		return err;
	/* Room once (no copies while doubling), within what new_slot()
	 * allows: past that it says so. */
	room = kdx_min_u64(t->slots + tables, pg->upper_limit / t->slot_size);
	if (room > t->slot_capacity) {
		err = grow_slots(md, (size_t)room);
		if (err)
			return err;
	}
	while (va < end) {
		uint64_t pa = va - md->dmapbase + md->dmapphys, lin = linear(pg, va);
		unsigned int l = block_level(pg, lin, pa, end - va);
		uint64_t n;
		size_t before;
		bool blocked;
		uint32_t slot;

		if (!l) {
			md->tables.dmap_unmapped = end - va;
			return NULL;
		}
		n = run_length(pg, l, lin, pa, end - va);
		count += n;
		if (count > MAX_DMAP_ENTRIES)
			return dmap_too_big(md);
		before = md->tables.slots;
		err = table_for(md, lin, l, &slot, &blocked);
		if (err)
			return err;
		if (!blocked)
			fill_blocks(md, slot, l, index_of(pg, l, lin), n, pa,
				    slot >= before);
		va += n << pg->shift[l];
	}
	return NULL;
}

/* The area as the root (slot 0), less the entries for the direct map's
 * range, which map_dmap() builds. */
static struct kdx_error *copy_root(struct fbsd_minidump *md)
{
	const struct fbsd_paging *pg = &md->paging;
	uint64_t bytes = table_bytes(pg, 0);
	struct kdx_error *err;

	if (md->pmapsize != bytes)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump page-table area at offset 0x%llx: 0x%x bytes, not the 0x%llx of a %s root table",
			       (unsigned long long)md->pmap_off, md->pmapsize,
			       (unsigned long long)bytes, pg->name);
	err = kdx_file_read(md->file, md->pmap_off, md->tables.upper, (size_t)bytes);
	if (err || !md->has_dmap)
		return err;
	if (!in_root(pg, md, md->dmapbase) || !in_root(pg, md, md->dmapend - 1))
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header: direct map 0x%llx-0x%llx is not a range of %s kernel addresses",
			       (unsigned long long)md->dmapbase,
			       (unsigned long long)md->dmapend, pg->name);
	for (unsigned int i = index_of(pg, 0, linear(pg, md->dmapbase));
	     i <= index_of(pg, 0, linear(pg, md->dmapend - 1)); i++)
		set_entry(md, 0, i, 0);
	return NULL;
}

/* The smallest hashed page table (2^11 PTEGs) and the largest (2^39). */
#define HPT_MIN_SHIFT 18
#define HPT_MAX_SHIFT 46

/* A hashed page table needs nothing built: the window is the table. */
static struct kdx_error *place_hashed(struct fbsd_minidump *md)
{
	uint32_t size = md->pmapsize;

	if (size < 1u << HPT_MIN_SHIFT || (size & (size - 1)) ||
	    size > md->paging.window_limit)
		return kdx_err(KDX_ERR_CORRUPT,
			       "minidump header at offset 0x4c: page-table area size 0x%x is not that of a hashed page table (a power of two from 0x%x)",
			       size, 1u << HPT_MIN_SHIFT);
	md->tables.window_pad = 0;
	md->tables.window_len = size;
	return NULL;
}

struct kdx_error *kdx_fbsd_tables_build(struct fbsd_minidump *md)
{
	struct fbsd_tables *t = &md->tables;
	uint32_t root;
	struct kdx_error *err;

	err = choose_paging(md);
	if (err)
		return err;
	if (md->paging.hashed)
		return place_hashed(md);
	t->slot_size = 4096;
	for (unsigned int l = 0; l < md->paging.levels; l++)
		if (table_bytes(&md->paging, l) > t->slot_size)
			t->slot_size = (size_t)table_bytes(&md->paging, l);
	err = new_slot(md, &root);
	if (!err)
		err = md->paging.area_level ? place_window(md) : copy_root(md);
	if (!err)
		err = map_dmap(md);
	return err;
}

void kdx_fbsd_tables_free(struct fbsd_tables *t)
{
	free(t->upper);
	free(t->child);
	memset(t, 0, sizeof(*t));
}

uint64_t kdx_fbsd_root(const struct fbsd_minidump *md)
{
	unsigned int htabsize = 0;

	if (!md->paging.hashed)
		return md->paging.upper_base;
	/* SDR1: HTABORG | HTABSIZE, 2^(18 + HTABSIZE) bytes. */
	while ((1ull << (HPT_MIN_SHIFT + htabsize)) < md->tables.window_len)
		htabsize++;
	return md->paging.window_base | htabsize;
}

/* ---- The table reader ---- */

/* Window bytes [@off, @off + @len): the area where it is, zeros
 * around it. */
static struct kdx_error *read_window(const struct fbsd_minidump *md,
				     uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t area_start = md->tables.window_pad;
	uint64_t area_end = area_start + md->pmapsize;

	memset(buf, 0, len);
	if (off + len <= area_start || off >= area_end)
		return NULL;
	uint64_t from = off > area_start ? off : area_start;
	uint64_t to = kdx_min_u64(off + len, area_end);

	return kdx_file_read(md->file, md->pmap_off + (from - area_start),
			     buf + (from - off), (size_t)(to - from));
}

struct kdx_error *kdx_fbsd_read_table(const struct fbsd_minidump *md,
				      uint64_t paddr, void *buf, size_t len,
				      bool *served)
{
	const struct fbsd_tables *t = &md->tables;
	uint64_t upper = (uint64_t)t->slots * t->slot_size;
	uint8_t *out = buf;

	*served = false;
	if (paddr >= md->paging.upper_base && paddr - md->paging.upper_base < upper) {
		uint64_t off = paddr - md->paging.upper_base;
		size_t n = (size_t)kdx_min_u64(len, upper - off);

		memcpy(out, t->upper + off, n);
		memset(out + n, 0, len - n);
		*served = true;
		return NULL;
	}
	if (paddr >= md->paging.window_base &&
	    paddr - md->paging.window_base < t->window_len) {
		*served = true;
		return read_window(md, paddr - md->paging.window_base, out, len);
	}
	return NULL;
}
