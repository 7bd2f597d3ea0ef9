/* SPDX-License-Identifier: MIT */
/* Synthetic FreeBSD minidumps; see mkminidump.h. */
#include "mkminidump.h"

#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where each architecture keeps things (FreeBSD's vmparam.h values). */
struct arch_facts {
	const char *magic;
	enum kdx_arch kdx_arch;
	uint64_t kernbase, dmapbase, phys_base;
	bool has_dmap;
	unsigned int word;          /* pointer size */
	unsigned int avail_version; /* first version with dump_avail */
	unsigned int max_version;
};

static const struct arch_facts facts[] = {
	[MKMD_AMD64] = { "minidump FreeBSD/amd64", KDX_ARCH_X86_64,
			 0xfffffe0000000000ull, 0xfffff80000000000ull, 0,
			 true, 8, 3, 3 },
	[MKMD_I386] = { "minidump FreeBSD/i386", KDX_ARCH_I386, 0xc0000000ull,
			0, 0, false, 4, 2, 2 },
	[MKMD_ARM] = { "minidump FreeBSD/arm", KDX_ARCH_ARM, 0xc0000000ull, 0,
		       0, false, 4, 2, 2 },
	[MKMD_ARM64] = { "minidump FreeBSD/arm64", KDX_ARCH_AARCH64,
			 0xffff000000000000ull, 0xffffa00000000000ull,
			 0x40000000ull, true, 8, 2, 3 },
	[MKMD_RISCV] = { "minidump FreeBSD/riscv", KDX_ARCH_RISCV64,
			 0xffffffc000000000ull, 0xffffffd000000000ull,
			 0x80000000ull, true, 8, 2, 2 },
	/* sys/powerpc/include/vmparam.h (radix): VM_MIN_KERNEL_ADDRESS,
	 * DMAP_BASE_ADDRESS. */
	[MKMD_PPC64] = { "minidump FreeBSD/powerpc64", KDX_ARCH_PPC64,
			 0xc008000000000000ull, 0xc000000000000000ull, 0,
			 true, 8, 2, 2 },
	/* sys/mips/include/vmparam.h: VM_MIN_KERNEL_ADDRESS (32-bit; n64's
	 * is 0xc000000000000000, set in describe_machine). */
	[MKMD_MIPS] = { "minidump FreeBSD/mips", KDX_ARCH_MIPS, 0xc0000000ull,
			0, 0, false, 4, 2, 2 },
};

#define KVA_SIZE 0x800000ull
#define RAM_SIZE 0x4400000ull
#define R2_START 0x4000000ull
#define TABLE_BASE 0x4300000ull
#define UNDUMPED_PAGE 0x4380000ull

const char *mkmd_arch_name(enum mkmd_arch arch)
{
	static const char *const names[] = { "amd64", "i386", "arm", "arm64",
					     "riscv", "powerpc64", "mips" };

	return names[arch];
}

static const char version_string[] =
	"FreeBSD 14.1-RELEASE-p5 GENERIC amd64 #0 releng/14.1-n267700: Tue Oct  1 12:00:00 UTC 2024";

static uint64_t round_up(uint64_t v, uint64_t to)
{
	return (v + to - 1) / to * to;
}

/* Pattern byte of physical memory: differs between pages and within. */
static uint8_t pattern(uint64_t pa)
{
	return (uint8_t)((pa >> 12) * 151 + (pa >> 3) * 7 + (pa >> 24) * 3 + 1);
}

static bool in_avail(const struct mkmd_dump *d, uint64_t pa)
{
	for (unsigned int i = 0; i < d->navail; i++)
		if (pa >= d->avail[2 * i] && pa < d->avail[2 * i + 1])
			return true;
	return false;
}

static bool is_table_page(const struct mkmd_dump *d, uint64_t pa,
			  unsigned int *which)
{
	for (unsigned int i = 0; i < d->ntables; i++) {
		if (pa >= d->table_pa[i] && pa < d->table_pa[i] + 4096) {
			if (which)
				*which = i;
			return true;
		}
	}
	return false;
}

bool mkmd_dumped(const struct mkmd_dump *d, uint64_t pa)
{
	uint64_t base = facts[d->spec.arch].phys_base, rel, pfn;

	pa -= pa % d->page_size;
	if (!in_avail(d, pa))
		return false;
	for (unsigned int i = 0; i < d->ntables; i++)
		if (pa / d->page_size == d->table_pa[i] / d->page_size)
			return true;
	rel = pa - base;
	pfn = pa / d->page_size;
	if (d->spec.tiny)
		return rel < 0x200000 || pfn % 7 != 3;
	if (rel >= R2_START)
		return rel < R2_START + 0x40000;
	if (rel >= 0x200000)
		return pfn % 7 != 3 &&
		       (rel < 0x300000 || (rel >= 0x1000000 && rel < 0x1200000));
	return true;
}

void mkmd_phys_bytes(const struct mkmd_dump *d, uint64_t pa, uint8_t *buf,
		     size_t len)
{
	/* The kernel's version string, NUL included. */
	size_t vlen = strlen(d->version_text) + 1;

	for (size_t i = 0; i < len; i++, pa++) {
		unsigned int t;

		if (is_table_page(d, pa, &t))
			buf[i] = d->table_data[t][pa - d->table_pa[t]];
		else if (pa >= d->version_pa + 0x100 &&
			 pa < d->version_pa + 0x100 + vlen)
			buf[i] = (uint8_t)d->version_text[pa - d->version_pa -
							  0x100];
		else
			buf[i] = pattern(pa);
	}
}

static bool map_lookup(const struct mkmd_map *m, uint64_t va, uint64_t page,
		       uint64_t *pa)
{
	uint64_t off = va - m->va;

	if (va < m->va || off >= m->size || m->kind == MKMD_INVALID)
		return false;
	if (m->reverse) {
		uint64_t pages = m->size / page, n = off / page;

		*pa = m->pa + (pages - 1 - n) * page + off % page;
	} else {
		*pa = m->pa + off;
	}
	return true;
}

static bool mips_direct(const struct mkmd_dump *d, uint64_t va, uint64_t *pa);

bool mkmd_expect(const struct mkmd_dump *d, uint64_t va, uint64_t *pa)
{
	for (unsigned int i = 0; i < d->nmaps; i++)
		if (map_lookup(&d->maps[i], va, d->page_size, pa))
			return true;
	if (d->has_dmap && va >= d->dmapbase && va < d->dmapend) {
		*pa = va - d->dmapbase + d->dmapphys;
		return true;
	}
	return d->spec.arch == MKMD_MIPS && mips_direct(d, va, pa);
}

/* ---- Entries, as each pmap writes them ---- */

/* The kernel's long. */
static unsigned int word_of(const struct mkmd_dump *d)
{
	return d->spec.mips64 ? 8 : facts[d->spec.arch].word;
}

static bool is_hpt(const struct mkmd_dump *d)
{
	return d->spec.arch == MKMD_PPC64 && d->spec.hpt;
}

/* mips's direct segments, as the architecture defines them. */
static bool mips_direct(const struct mkmd_dump *d, uint64_t va, uint64_t *pa)
{
	uint64_t low = va & 0xffffffffull;
	bool kseg = d->spec.mips64 ? va >> 32 == 0xffffffffull : va >> 32 == 0;

	if (kseg && low >= 0x80000000ull && low < 0xc0000000ull) {
		*pa = low & 0x1fffffffull;
		return true;
	}
	/* XKPHYS, within 48 physical address bits */
	if (d->spec.mips64 && va >> 62 == 2 && (va & ((1ull << 59) - 1)) >> 48 == 0) {
		*pa = va & ((1ull << 48) - 1);
		return true;
	}
	return false;
}

static bool amd64_pde_area(const struct mkmd_dump *d)
{
	return d->spec.arch == MKMD_AMD64 && d->spec.version >= 2;
}

/* powerpc64 radix: the area is the 64 KiB root; the other levels are
 * dumped pages. */
static bool radix(const struct mkmd_dump *d)
{
	return d->spec.arch == MKMD_PPC64 && !d->spec.hpt;
}

static unsigned int entry_size(const struct mkmd_dump *d)
{
	switch (d->spec.arch) {
	case MKMD_I386:
		return d->spec.pae ? 8 : 4;
	case MKMD_ARM:
		return d->spec.mmuformat == MKMD_MMU_V6_LPAE ? 8 : 4;
	case MKMD_MIPS:
		return d->spec.mips64 ? 8 : 4;
	default:
		return 8;
	}
}

static uint64_t leaf_entry(const struct mkmd_dump *d, uint64_t pa,
			   enum mkmd_kind kind)
{
	bool valid = kind != MKMD_INVALID;

	switch (d->spec.arch) {
	case MKMD_AMD64:
	case MKMD_I386:
		/* P|RW|A|D; not valid: RW alone */
		return pa | (valid ? 0x63 : 0x02);
	case MKMD_ARM:
		if (d->spec.mmuformat == MKMD_MMU_V6_LPAE)
			return pa | (valid ? 0x403 : 0x400);
		if (!valid)
			return pa | 0x30; /* type 00: fault */
		if (kind == MKMD_LARGE)
			return (pa & ~0xffffull) |
			       (d->spec.mmuformat == MKMD_MMU_V4 ? 0xffd : 0x31);
		return pa | (d->spec.mmuformat == MKMD_MMU_V4 ? 0xffe : 0x32);
	case MKMD_ARM64:
		return pa | (valid ? 0x703 : 0x700);
	case MKMD_RISCV:
		return (pa >> 12) << 10 | (valid ? 0xc7 : 0xc6);
	case MKMD_PPC64:
		/* V (63) | leaf (62) | privileged, read, write | R | C */
		return pa | 1ull << 62 | 0x18e | (valid ? 1ull << 63 : 0);
	case MKMD_MIPS:
		/* EntryLo: PFN from bit 6 | C 3 (cached) | D | G (| V) */
		return (pa >> 12) << 6 | 0x1d | (valid ? 0x2 : 0);
	}
	return 0;
}

static void put_entry(const struct mkmd_dump *d, uint8_t *area, uint64_t index,
		      uint64_t value)
{
	put_bytes(area + index * entry_size(d), value, (int)entry_size(d),
		  d->spec.byte_order);
}

/* The page-table area for a leaf-entry layout: one entry per page of KVA
 * from kernbase. */
static void fill_leaf_area(const struct mkmd_dump *d, uint8_t *area)
{
	uint64_t page = d->page_size;

	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkmd_map *m = &d->maps[i];

		for (uint64_t off = 0; off < m->size; off += page) {
			uint64_t pa = m->pa + off;

			if (m->reverse)
				pa = m->pa + (m->size / page - 1 - off / page) *
						     page;
			put_entry(d, area, (m->va - d->kernbase + off) / page,
				  leaf_entry(d, pa, m->kind));
		}
	}
}

/* amd64 v2+: one PDE per 2 MiB of KVA; small pages through page-table
 * pages placed in dumped physical memory. */
static void fill_pde_area(struct mkmd_dump *d, uint8_t *area)
{
	uint64_t base = facts[d->spec.arch].phys_base;

	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkmd_map *m = &d->maps[i];
		uint64_t pdi = (m->va - d->kernbase) >> 21;
		unsigned int t;

		if (m->kind == MKMD_LARGE) {
			put64(area + pdi * 8, m->pa | 0xe3, KDX_LITTLE_ENDIAN);
			continue;
		}
		for (t = 0; t < d->ntables; t++)
			if (d->table_pa[t] == base + TABLE_BASE + pdi * 4096)
				break;
		if (t == d->ntables) {
			d->table_pa[t] = base + TABLE_BASE + pdi * 4096;
			memset(d->table_data[t], 0, 4096);
			d->ntables++;
			put64(area + pdi * 8, d->table_pa[t] | 0x23,
			      KDX_LITTLE_ENDIAN);
		}
		for (uint64_t off = 0; off < m->size; off += 4096) {
			uint64_t pa = m->pa + off;

			if (m->reverse)
				pa = m->pa + (m->size / 4096 - 1 - off / 4096) * 4096;
			put64(d->table_data[t] + (((m->va + off) >> 12) & 511) * 8,
			      leaf_entry(d, pa, m->kind), KDX_LITTLE_ENDIAN);
		}
	}
}

/* A radix table page in dumped memory, made on first use; @key tells
 * the pages apart (level and index bits). */
static uint8_t *radix_table(struct mkmd_dump *d, uint64_t key, uint64_t *pa)
{
	uint64_t base = facts[d->spec.arch].phys_base;

	for (unsigned int t = 0; t < d->ntables; t++)
		if (d->table_key[t] == key) {
			*pa = d->table_pa[t];
			return d->table_data[t];
		}
	d->table_key[d->ntables] = key;
	d->table_pa[d->ntables] = *pa = base + TABLE_BASE + d->ntables * 4096;
	memset(d->table_data[d->ntables], 0, 4096);
	return d->table_data[d->ntables++];
}

/* The radix directory entry for a 4 KiB table (NLS 9: 2^(9+3) bytes). */
static uint64_t radix_dir(uint64_t pa)
{
	return 1ull << 63 | pa | 9;
}

/* The root (the area, 8192 entries from EA bit 39) and L2/L3/L4 pages
 * for the kernel map; entries big-endian, as the MMU reads them. */
static void fill_radix_area(struct mkmd_dump *d, uint8_t *root)
{
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkmd_map *m = &d->maps[i];

		for (uint64_t off = 0; off < m->size; off += 4096) {
			uint64_t va = m->va + off, pa = m->pa + off, l2pa, l3pa, l4pa;
			uint64_t lin = va & ((1ull << 52) - 1);
			uint8_t *l2, *l3, *l4;

			if (m->reverse)
				pa = m->pa + (m->size / 4096 - 1 - off / 4096) * 4096;
			l2 = radix_table(d, 2ull << 60 | lin >> 39, &l2pa);
			put64(root + (lin >> 39) * 8, radix_dir(l2pa), KDX_BIG_ENDIAN);
			l3 = radix_table(d, 3ull << 60 | lin >> 30, &l3pa);
			put64(l2 + ((lin >> 30) & 511) * 8, radix_dir(l3pa),
			      KDX_BIG_ENDIAN);
			if (m->kind == MKMD_LARGE) {
				put64(l3 + ((lin >> 21) & 511) * 8,
				      leaf_entry(d, m->pa, m->kind), KDX_BIG_ENDIAN);
				break;
			}
			l4 = radix_table(d, 4ull << 60 | lin >> 21, &l4pa);
			put64(l3 + ((lin >> 21) & 511) * 8, radix_dir(l4pa),
			      KDX_BIG_ENDIAN);
			put64(l4 + ((lin >> 12) & 511) * 8, leaf_entry(d, pa, m->kind),
			      KDX_BIG_ENDIAN);
		}
	}
}

/* ---- powerpc64's hashed page table ---- */

#define HPT_BYTES 0x40000u /* the smallest: 2048 PTEGs */
#define HPT_KERNEL_VSID_BIT (1ull << 36)

/* sys/powerpc/include/slb.h's KERNEL_VSID, written from its definition. */
static uint64_t hpt_vsid(uint64_t esid)
{
	uint64_t mask = HPT_KERNEL_VSID_BIT - 1;

	return (((esid << 8) | (esid >> 28)) * 0x13bbull & mask) |
	       HPT_KERNEL_VSID_BIT;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Enter @ea -> @pa in the first free slot of its primary PTEG, else its
 * secondary, as moea64 does (struct lpte: big-endian high, low). */
static void hpt_insert(uint8_t *htab, uint64_t ea, uint64_t pa, bool large,
		       bool valid)
{
	unsigned int p = large ? 24 : 12;
	uint64_t vsid = hpt_vsid(ea >> 28), page = (ea & 0xfffffffull) >> p;
	uint64_t hash = (vsid & 0x7fffffffffull) ^ page, mask = HPT_BYTES / 128 - 1;

	for (unsigned int h = 0; h < 2; h++) {
		uint8_t *pteg = htab + ((h ? ~hash : hash) & mask) * 128;

		for (unsigned int i = 0; i < 8; i++) {
			uint8_t *pte = pteg + i * 16;
			uint64_t avpn = large ? page << 1 : page >> 11;

			if (get_be64(pte))
				continue;
			/* AVA (VSID, page's top bits) | H | L | V */
			put64(pte, vsid << 12 | avpn << 7 | (h ? 2 : 0) |
					   (large ? 4 : 0) | (valid ? 1 : 0),
			      KDX_BIG_ENDIAN);
			/* RPN | R | C | M | PP 2 (read-write) */
			put64(pte + 8, pa | 0x190 | 2, KDX_BIG_ENDIAN);
			return;
		}
	}
}

static void fill_hpt_area(const struct mkmd_dump *d, uint8_t *htab)
{
	uint64_t vsid = hpt_vsid(d->kernbase >> 28), page = (d->kernbase >> 12) & 0xffff;
	uint64_t pteg = ((vsid & 0x7fffffffffull) ^ page) & (HPT_BYTES / 128 - 1);

	/* A full primary PTEG (a process's entries) for kernbase's page:
	 * its entry goes to the secondary one. */
	for (unsigned int i = 0; i < 8; i++) {
		put64(htab + pteg * 128 + i * 16,
		      (vsid & ~HPT_KERNEL_VSID_BIT) << 12 | (uint64_t)i << 7 | 1,
		      KDX_BIG_ENDIAN);
		put64(htab + pteg * 128 + i * 16 + 8, 0x190 | 2, KDX_BIG_ENDIAN);
	}
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkmd_map *m = &d->maps[i];

		for (uint64_t off = 0; off < m->size; off += 4096) {
			uint64_t pa = m->pa + off;

			if (m->reverse)
				pa = m->pa + (m->size / 4096 - 1 - off / 4096) * 4096;
			hpt_insert(htab, m->va + off, pa, false,
				   m->kind != MKMD_INVALID);
		}
	}
	/* The direct map: bolted 16 MiB entries (moea64_setup_direct_map). */
	for (uint64_t pa = 0; pa < d->dmapend - d->dmapbase; pa += 1ull << 24)
		hpt_insert(htab, d->dmapbase + pa, pa, true, true);
}

/* ---- The machine ---- */

static void add_map(struct mkmd_dump *d, uint64_t va_off, uint64_t pa_off,
		    uint64_t size, enum mkmd_kind kind, bool reverse)
{
	uint64_t base = facts[d->spec.arch].phys_base;

	d->maps[d->nmaps++] = (struct mkmd_map){
		.va = d->kernbase + va_off,
		.pa = base + pa_off,
		.size = size,
		.kind = kind,
		.reverse = reverse,
	};
}

static void describe_machine(struct mkmd_dump *d)
{
	const struct arch_facts *f = &facts[d->spec.arch];
	uint64_t p = d->page_size;

	d->navail = 3;
	d->avail[0] = f->phys_base;
	d->avail[1] = f->phys_base + 0x80000;
	d->avail[2] = f->phys_base + 0x200000;
	d->avail[3] = f->phys_base + 0x2000000;
	d->avail[4] = f->phys_base + R2_START;
	d->avail[5] = f->phys_base + RAM_SIZE;
	d->kernbase = (d->spec.mips64 ? 0xc000000000000000ull : f->kernbase) +
		      (amd64_pde_area(d) || d->spec.arch == MKMD_PPC64 ?
			       0 : d->spec.kernbase_skew);
	d->kva_size = KVA_SIZE;
	if (d->spec.tiny) {
		d->avail[1] = f->phys_base + 8 * p;
		d->avail[3] = f->phys_base + 0x200000 + 16 * p;
		d->avail[4] = f->phys_base + TABLE_BASE;
		/* Room for the page tables radix keeps in memory. */
		d->avail[5] = f->phys_base + TABLE_BASE + (radix(d) ? 4 : 1) * 4096;
		d->kva_size = 0x200000;
	}
	d->has_dmap = f->has_dmap;
	if (d->has_dmap) {
		d->dmapbase = f->dmapbase;
		d->dmapphys = f->phys_base;
		d->dmapend = f->dmapbase + RAM_SIZE;
		/* radix's header gives the architectural end (1 PiB); what
		 * maps anything ends with physical memory. */
		if (radix(d))
			d->dmapend = f->dmapbase + d->avail[5] - f->phys_base;
		/* HPT: 16 MiB entries over all of it. */
		if (is_hpt(d))
			d->dmapend = f->dmapbase +
				     round_up(d->avail[5] - f->phys_base, 1ull << 24);
	}
	if (d->spec.tiny) {
		add_map(d, 0, 0x200000, 4 * p, MKMD_SMALL, false);
		add_map(d, 0x10000, 0x300000, p, MKMD_INVALID, false);
		add_map(d, 0x20000, 0, 2 * p, MKMD_SMALL, true);
		add_map(d, d->kva_size - p, p, p, MKMD_SMALL, false);
	} else {
		add_map(d, 0, 0x200000, 0x10000, MKMD_SMALL, false);
		add_map(d, 0x10000, 0x300000, p, MKMD_INVALID, false);
		add_map(d, 0x200000, 0x1000000, 0x200000, MKMD_LARGE, false);
		add_map(d, 0x400000, R2_START, 4 * p, MKMD_SMALL, true);
		add_map(d, 0x410000, UNDUMPED_PAGE, p, MKMD_SMALL, false);
		add_map(d, KVA_SIZE - p, 0x8000, p, MKMD_SMALL, false);
	}
	d->version_text = version_string;
	/* The first dumped page from 0x201000 holds the version string. */
	d->version_pa = f->phys_base + 0x200000 + p;
	while (!mkmd_dumped(d, d->version_pa))
		d->version_pa += p;
}

static uint64_t bitmap_bits(const struct mkmd_dump *d)
{
	uint64_t bits = 0;

	if (!d->has_dump_avail)
		return d->avail[2 * d->navail - 1] / d->page_size;
	for (unsigned int i = 0; i < d->navail; i++)
		bits += round_up(d->avail[2 * i + 1], d->page_size) / d->page_size -
			d->avail[2 * i] / d->page_size;
	return bits;
}

/* Bit number of dumped page @pa, in the version's numbering. */
static uint64_t bit_of(const struct mkmd_dump *d, uint64_t pa)
{
	uint64_t adj = 0;

	if (!d->has_dump_avail)
		return pa / d->page_size;
	for (unsigned int i = 0; i < d->navail; i++) {
		uint64_t s = d->avail[2 * i], e = d->avail[2 * i + 1];

		if (pa >= s && pa < e)
			return pa / d->page_size - s / d->page_size + adj;
		adj += round_up(e, d->page_size) / d->page_size - s / d->page_size;
	}
	return UINT64_MAX;
}

/* The message buffer: a ring that has wrapped, with struct msgbuf
 * (msg_ptr, msg_magic, msg_size, msg_wseq, msg_rseq, ...) right after it,
 * as msgbufinit() places it. */
static bool fill_msgbuf(struct mkmd_dump *d, uint8_t *region, size_t rsize)
{
	unsigned int w = word_of(d);
	size_t hdr = w + 8 * 4 + (w == 8 ? 32 : 16);
	size_t size = rsize - hdr, total = 0;
	size_t cap = d->spec.tiny ? 400 : 4 * rsize, wrap_at = d->spec.tiny ? 0 : size + 300;
	char *stream = malloc(cap);
	enum kdx_byte_order bo = d->spec.byte_order;

	if (!stream)
		return false;
	for (unsigned int n = 0; total + 200 < cap; n++) {
		if (total >= wrap_at && !d->spec.version_in_data_only) {
			total += (size_t)sprintf(stream + total, "%s\n",
						 version_string);
			total += (size_t)sprintf(stream + total, "last line\n");
			break;
		}
		total += (size_t)sprintf(stream + total,
					 "kernel message %u: some text\n", n);
	}
	/* The ring holds the last msg_size bytes, byte k of the stream at
	 * k % msg_size; a short stream leaves NULs after it. */
	for (size_t k = total > size ? total - size : 0; k < total; k++)
		region[k % size] = (uint8_t)stream[k];
	d->msgbufsize = (uint32_t)size;
	if (d->spec.msgbuf_no_header) {
		/* Printed as stored. */
		d->log = malloc(size);
		for (size_t k = 0; d->log && k < size; k++)
			if (region[k])
				d->log[d->log_len++] = (char)region[k];
	} else {
		uint8_t *h = region + size;

		put_bytes(h, 0x12345000, (int)w, bo); /* msg_ptr */
		put32(h + w, 0x063062, bo);
		put32(h + w + 4, (uint32_t)size, bo);
		put32(h + w + 8, (uint32_t)(total % (size * 16)), bo);
		put32(h + w + 12, (uint32_t)(total % (size * 16)), bo);
		d->log_len = total < size ? total : size;
		d->log = malloc(size);
		if (d->log)
			memcpy(d->log, stream + total - d->log_len, d->log_len);
	}
	free(stream);
	return d->log != NULL;
}

static void fill_header(const struct mkmd_dump *d, uint8_t *h)
{
	const struct mkmd_spec *s = &d->spec;
	enum kdx_byte_order bo = s->byte_order;

	memcpy(h, facts[s->arch].magic, strlen(facts[s->arch].magic));
	if (s->arch == MKMD_PPC64) {
		/* char magic[32], mmu_name[32]; the fields follow, the
		 * ints and longs at their natural alignment. */
		memcpy(h + 32, s->hpt ? "mmu_phyp" : "mmu_radix", 9);
		put32(h + 64, s->version, bo);
		put32(h + 68, d->msgbufsize, bo);
		put32(h + 72, d->bitmapsize, bo);
		put32(h + 76, d->pmapsize, bo);
		put64(h + 80, d->kernbase, bo);
		/* kernend: VM_MAX_KERNEL_ADDRESS, 32 GiB of KVA */
		put64(h + 88, d->kernbase + 0x7ffffffffull, bo);
		put64(h + 96, d->dmapbase, bo);
		put64(h + 104, 0xc003ffffffffffffull, bo); /* DMAP_MAX_ADDRESS */
		put32(h + 112, 1, bo);                /* hw_direct_map */
		put64(h + 120, 0x100100, bo);         /* startkernel */
		put64(h + 128, 0x100100 + 0x400000, bo); /* endkernel */
		if (d->has_dump_avail)
			put32(h + 136, d->dumpavailsize, bo);
		return;
	}
	put32(h + 24, s->version, bo);
	put32(h + 28, d->msgbufsize, bo);
	put32(h + 32, d->bitmapsize, bo);
	put32(h + 36, d->pmapsize, bo);
	switch (s->arch) {
	case MKMD_AMD64:
		put64(h + 40, d->kernbase, bo);
		put64(h + 48, d->dmapbase, bo);
		put64(h + 56, d->dmapend, bo);
		if (d->has_dump_avail)
			put32(h + 64, d->dumpavailsize, bo);
		break;
	case MKMD_I386:
		put32(h + 40, (uint32_t)d->kernbase, bo);
		put32(h + 44, s->pae, bo);
		if (d->has_dump_avail)
			put32(h + 48, d->dumpavailsize, bo);
		break;
	case MKMD_ARM:
		put32(h + 40, (uint32_t)d->kernbase, bo);
		put32(h + 44, s->mmuformat == MKMD_MMU_V4 ? 5 : 7, bo);
		put32(h + 48, s->mmuformat, bo);
		if (d->has_dump_avail)
			put32(h + 52, d->dumpavailsize, bo);
		break;
	case MKMD_ARM64:
	case MKMD_RISCV:
		put64(h + 40, d->kernbase, bo);
		put64(h + 48, d->dmapphys, bo);
		put64(h + 56, d->dmapbase, bo);
		put64(h + 64, d->dmapend, bo);
		if (d->has_dump_avail)
			put32(h + 72, d->dumpavailsize, bo);
		if (s->arch == MKMD_ARM64 && s->version >= 3)
			put32(h + 76, d->page_size == 16384 ? 1 : 0, bo);
		break;
	case MKMD_MIPS:
		/* kernbase always 64 bits; dmapbase, dmapend left 0 */
		put64(h + 40, d->kernbase, bo);
		if (d->has_dump_avail)
			put32(h + 64, d->dumpavailsize, bo);
		break;
	case MKMD_PPC64: /* written above */
		break;
	}
}

static bool spec_ok(const struct mkmd_spec *s)
{
	if (s->version < 1 || s->version > facts[s->arch].max_version)
		return false;
	if (s->byte_order == KDX_BIG_ENDIAN && s->arch != MKMD_ARM &&
	    s->arch != MKMD_PPC64 && s->arch != MKMD_MIPS)
		return false;
	if ((s->hpt && s->arch != MKMD_PPC64) ||
	    (s->mips64 && s->arch != MKMD_MIPS))
		return false;
	/* arm's 64 KiB large pages map 64 KiB-aligned addresses. */
	if (s->arch == MKMD_ARM && s->mmuformat != MKMD_MMU_V6_LPAE &&
	    s->kernbase_skew % 0x10000)
		return false;
	if (s->page_size && s->page_size != 4096 &&
	    !(s->page_size == 16384 && s->arch == MKMD_ARM64 && s->version >= 3))
		return false;
	return true;
}

static void write_pages(const struct mkmd_dump *d, uint8_t *data)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < d->navail; i++)
		for (uint64_t pa = d->avail[2 * i]; pa < d->avail[2 * i + 1];
		     pa += d->page_size) {
			if (!mkmd_dumped(d, pa))
				continue;
			mkmd_phys_bytes(d, pa, data + n * d->page_size,
					d->page_size);
			n++;
		}
}

static void write_bitmap(const struct mkmd_dump *d, uint8_t *bitmap)
{
	for (unsigned int i = 0; i < d->navail; i++)
		for (uint64_t pa = d->avail[2 * i]; pa < d->avail[2 * i + 1];
		     pa += d->page_size) {
			uint64_t bit = bit_of(d, pa);
			uint8_t *word;

			if (!mkmd_dumped(d, pa))
				continue;
			/* A struct bitset: bit i%n of the kernel's long
			 * (n bits) i/n, in the dump's byte order. */
			unsigned int w = word_of(d), n = 8 * w;

			word = bitmap + bit / n * w;
			if (d->spec.byte_order == KDX_BIG_ENDIAN)
				word[w - 1 - (bit % n) / 8] |= (uint8_t)(1u << (bit % 8));
			else
				word[(bit % n) / 8] |= (uint8_t)(1u << (bit % 8));
		}
}

static uint64_t count_pages(const struct mkmd_dump *d)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < d->navail; i++)
		for (uint64_t pa = d->avail[2 * i]; pa < d->avail[2 * i + 1];
		     pa += d->page_size)
			n += mkmd_dumped(d, pa);
	return n;
}

bool mkmd_build(const struct mkmd_spec *spec, struct mkmd_dump *d)
{
	uint64_t p, msgbuf_region;
	uint8_t *pmap;

	memset(d, 0, sizeof(*d));
	if (!spec_ok(spec))
		return false;
	d->spec = *spec;
	d->kdx_arch = facts[spec->arch].kdx_arch;
	d->page_size = p = spec->page_size ? spec->page_size : 4096;
	d->has_dump_avail = spec->version >= facts[spec->arch].avail_version;
	describe_machine(d);
	d->pmapsize = (uint32_t)(is_hpt(d) ? HPT_BYTES : radix(d) ? 65536 :
				 amd64_pde_area(d) ? (d->kva_size >> 21) * 8 :
						     d->kva_size / p * entry_size(d));
	/* The page-table area first: amd64's page-table pages join the
	 * dumped set. */
	pmap = calloc(1, d->pmapsize);
	if (!pmap)
		return false;
	if (is_hpt(d))
		fill_hpt_area(d, pmap);
	else if (radix(d))
		fill_radix_area(d, pmap);
	else if (amd64_pde_area(d))
		fill_pde_area(d, pmap);
	else
		fill_leaf_area(d, pmap);
	d->pages = count_pages(d);
	d->dumpavailsize = d->has_dump_avail ?
				   (uint32_t)round_up((d->navail + 1) * 16, p) : 0;
	d->bitmapsize = (uint32_t)(round_up(bitmap_bits(d), 64) / 8) +
			spec->bitmap_extra;
	msgbuf_region = spec->no_msgbuf ? 0 : p == 4096 && !spec->tiny ? 8192 : p;
	d->msgbuf_off = p;
	d->dumpavail_off = d->msgbuf_off + msgbuf_region;
	d->bitmap_off = d->dumpavail_off + d->dumpavailsize;
	d->pmap_off = d->bitmap_off + round_up(d->bitmapsize, p);
	d->sparse_off = d->pmap_off + round_up(d->pmapsize, p);
	d->size = d->sparse_off + d->pages * p;
	d->data = calloc(1, d->size);
	if (!d->data || (spec->no_msgbuf ? !(d->log = malloc(1)) :
			 !fill_msgbuf(d, d->data + d->msgbuf_off, msgbuf_region))) {
		free(pmap);
		mkmd_free(d);
		return false;
	}
	memcpy(d->data + d->pmap_off, pmap, d->pmapsize);
	free(pmap);
	for (unsigned int i = 0; d->has_dump_avail && i < 2 * d->navail; i++)
		put64(d->data + d->dumpavail_off + i * 8, d->avail[i],
		      spec->byte_order);
	write_bitmap(d, d->data + d->bitmap_off);
	write_pages(d, d->data + d->sparse_off);
	fill_header(d, d->data);
	return true;
}

void mkmd_free(struct mkmd_dump *d)
{
	free(d->data);
	free(d->log);
	d->data = NULL;
	d->log = NULL;
}
