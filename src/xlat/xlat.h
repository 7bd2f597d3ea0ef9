/* SPDX-License-Identifier: MIT */
/* The translation core, shared by its files.
 *
 * Page tables are data: a paging form lists its levels (name, index shift,
 * entry count) and the entry size, and supplies one function that decodes
 * an entry.  One generic walker (walk.c) translates and one enumerator
 * (maps.c) lists mappings for every form; each paging mode is a form in
 * its own file.  A translation covers one or two regions of the address
 * space (ARM's TTBR0 and TTBR1), each a root table at some level of the
 * form.  The core does no I/O: tables come through the read_phys (or, for
 * machine-frame tables, read_machine) callback, in pieces of at most 4 KiB, via a small set-associative
 * cache; finished translations go to a per-page-size translation cache
 * (TLB), and the last-level table of each block walked to a
 * paging-structure cache. */
#ifndef KDX_XLAT_XLAT_H
#define KDX_XLAT_XLAT_H

#include <kdx/xlat.h>

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* What one entry says. */
enum kdx_pte_kind {
	KDX_PTE_NONE,  /* not present */
	KDX_PTE_TABLE, /* points to the next level's table */
	KDX_PTE_PAGE,  /* maps a page of 1 << level shift bytes */
	KDX_PTE_BAD,   /* present but malformed (reserved bits) */
};

struct kdx_pte {
	enum kdx_pte_kind kind;
	uint64_t addr;      /* next table, or the page's physical base */
	unsigned int flags; /* KDX_PAGE_* this entry grants (rights:
			       writable/user set if this level allows) */
	const char *problem; /* KDX_PTE_BAD: what is wrong */
	/* KDX_PTE_PAGE: size of the page when larger than what one entry
	 * of this level spans (ARM supersections, large pages, RISC-V
	 * Svnapot: the entry is repeated); addr is aligned to it.  0: the
	 * level's size. */
	unsigned int page_shift;
	/* KDX_PTE_TABLE: level (form index) of the next table when it is
	 * not the next one (ARMv5 fine tables); 0: level + 1. */
	unsigned int next_level;
	/* KDX_PTE_TABLE: when next_to is not 0, only entries
	 * [next_from, next_to) of the next table exist (s390x's table
	 * offset and length); an index outside is a translation
	 * exception. */
	unsigned int next_from, next_to;
};

struct kdx_xlat_level {
	const char *name;     /* "PML4" */
	unsigned int shift;   /* lowest virtual-address bit of the index */
	unsigned int entries; /* power of two */
};

struct kdx_paging_form {
	enum kdx_paging_mode mode;
	const char *name;
	unsigned int levels;
	unsigned int entry_size; /* 4 or 8 bytes */
	unsigned int va_bits;    /* 32, 48, 57, 64 */
	bool sign_extended;      /* canonical addresses: bits above
				    va_bits - 1 copy bit va_bits - 1 */
	/* Not sign-extended: the bits above va_bits every address of the
	 * form carries (POWER radix's kernel quadrant 0b11 in bits 63:62),
	 * checked and stripped as sign extension is; 0 for none. */
	uint64_t fixed_high;
	/* Entries are big-endian whatever the dump's byte order (POWER
	 * radix: the MMU reads them so in little-endian mode too). */
	bool big_endian_entries;
	uint64_t root_mask;      /* applied to the configured root */
	unsigned int default_phys_bits;
	unsigned int max_phys_bits;
	/* Split forms (ARM): root maps the top 2^cfg.va_bits bytes (from
	 * the level whose entries fit), root_low the bottom
	 * 2^cfg.low_va_bits.  Not split: root maps everything. */
	bool split;
	unsigned int min_va_bits, max_va_bits, default_va_bits;
	struct kdx_xlat_level level[KDX_XLAT_MAX_LEVELS]; /* top first */
	/* Decode @entry of level @level (index into level[]). */
	void (*decode)(const struct kdx_xlat *xlat, unsigned int level,
		       uint64_t entry, struct kdx_pte *out);
	/* NULL, or turns a configured root (a register value) into the
	 * table's physical address. */
	uint64_t (*root_addr)(const struct kdx_xlat *xlat, uint64_t reg);
	/* NULL, or the level (form index) and entry count of the table a
	 * configured root designates (s390x's ASCE); not split forms only.
	 * The count need not be a power of two. */
	void (*root_table)(const struct kdx_xlat *xlat, uint64_t reg,
			   unsigned int *level, unsigned int *entries);
	/* NULL, or whether @vaddr lies in a segment the architecture maps
	 * without tables (MIPS KSEG0/KSEG1, XKPHYS): *out set if so.  Tried
	 * before anything else; such addresses are not listed by maps. */
	bool (*unmapped)(const struct kdx_xlat *xlat, uint64_t vaddr,
			 struct kdx_xlat_result *out);
	/* NULL, or the lookup that replaces the level walk for a form that
	 * is no tree (POWER's hashed page table); @trace may be NULL. */
	struct kdx_error *(*lookup)(struct kdx_xlat *xlat, uint64_t vaddr,
				    uint64_t linear, struct kdx_xlat_result *out,
				    struct kdx_xlat_trace *trace);
	/* With lookup: every mapping of [@lo, @hi] (linear), in address
	 * order, through @emit (false: stop). */
	struct kdx_error *(*list)(struct kdx_xlat *xlat, uint64_t lo,
				  uint64_t hi,
				  bool (*emit)(void *arg, uint64_t linear,
					       uint64_t paddr, uint64_t size,
					       unsigned int flags),
				  void *arg);
};

extern const struct kdx_paging_form kdx_form_x86_32;
extern const struct kdx_paging_form kdx_form_x86_pae;
extern const struct kdx_paging_form kdx_form_x86_64;
extern const struct kdx_paging_form kdx_form_x86_la57;
extern const struct kdx_paging_form kdx_form_arm_v5;
extern const struct kdx_paging_form kdx_form_arm;
extern const struct kdx_paging_form kdx_form_arm_lpae;
extern const struct kdx_paging_form kdx_form_aarch64_4k;
extern const struct kdx_paging_form kdx_form_aarch64_16k;
extern const struct kdx_paging_form kdx_form_aarch64_64k;
extern const struct kdx_paging_form kdx_form_riscv_sv32;
extern const struct kdx_paging_form kdx_form_riscv_sv39;
extern const struct kdx_paging_form kdx_form_riscv_sv48;
extern const struct kdx_paging_form kdx_form_riscv_sv57;
extern const struct kdx_paging_form kdx_form_ppc64_radix;
extern const struct kdx_paging_form kdx_form_s390x;
extern const struct kdx_paging_form kdx_form_mips32;
extern const struct kdx_paging_form kdx_form_mips64;
extern const struct kdx_paging_form kdx_form_ppc64_hpt;

/* Tables are read and cached in pieces of at most this many bytes that
 * never cross a 4 KiB boundary (a 64 KiB granule table is 16 pieces). */
#define KDX_TABLE_MAX 4096u

/* One root and the part of the address space it maps. */
struct kdx_xlat_region {
	bool used;
	uint64_t root;          /* physical address of its top table */
	unsigned int first;     /* level (form index) of the top table */
	unsigned int entries;   /* entries of the top table */
	uint64_t base;          /* linear address of entry 0 */
	uint64_t lo, hi;        /* linear addresses it translates, inclusive */
	const char *name;       /* "TTBR1", "TTBR0", or NULL (the only root) */
};

struct kdx_table_slot {
	uint64_t addr; /* table address; valid only if used */
	unsigned int size; /* bytes held */
	bool used;
	uint8_t *data;
};

#define KDX_TLB_CLASSES 3

struct kdx_tlb_entry {
	uint64_t tag; /* (linear address >> shift) + 1; 0 = empty */
	/* Page base | KDX_PAGE_* flags: pages are at least 1 KiB, flags
	 * fit below bit 10.  16 bytes: four entries per cache line. */
	uint64_t paddr_flags;
};

struct kdx_tlb_class {
	unsigned int shift; /* page size of this class */
	unsigned int mask;  /* entries - 1 */
	struct kdx_tlb_entry *entries;
};

/* Paging-structure cache, as CPUs keep one: for a linear address's block
 * of 2^psc_shift bytes (what one entry of the next-to-last level maps: 2
 * MiB on x86_64), the last-level table, the rights the levels above
 * granted and the entry that pointed there (for errors).  A walk of a
 * small page in a block already seen then reads one entry, not four. */
struct kdx_psc_entry {
	uint64_t tag;          /* (linear >> psc_shift) + 1; 0 = empty */
	uint64_t table;        /* the last-level table */
	uint64_t parent_table; /* the entry that pointed to it */
	uint64_t parent_entry;
	unsigned int parent_index;
	unsigned int rights;   /* KDX_PAGE_WRITABLE/USER granted, NX set above */
};

struct kdx_xlat {
	const struct kdx_paging_form *form;
	struct kdx_xlat_config cfg;
	struct kdx_xlat_ops ops;
	void *ctx;
	/* ops.read_phys, or ops.read_machine with KDX_XLAT_MACHINE; the
	 * walker never knows which. */
	struct kdx_error *(*read_table)(void *ctx, uint64_t addr, void *buf,
					size_t len);
	enum kdx_addr_space space; /* of the root, tables and results */
	uint64_t root;
	uint64_t addr_mask;   /* entry bits that hold an address */
	uint64_t va_mask;     /* linear addresses: low va_bits bits */
	bool big_endian;      /* entries are big-endian */
	/* Regions in address order (low first); one when not split. */
	struct kdx_xlat_region region[2];

	/* Table cache: sets of KDX_TABLE_WAYS slots, round-robin within
	 * a set. */
	struct kdx_table_slot *slots;
	unsigned int *next_way;
	unsigned int sets;

	/* TLB: one direct-mapped array per leaf page size. */
	struct kdx_tlb_class tlb[KDX_TLB_CLASSES];
	unsigned int tlb_classes;
	/* The last walk ended in one of the repeated entries of a page
	 * larger than its entry's span (ARM large pages, RISC-V NAPOT): the
	 * repeats may differ, so the page is not cached whole. */
	bool walk_repeated;

	/* Paging-structure cache (empty when the form has one level). */
	struct kdx_psc_entry *psc;
	unsigned int psc_mask, psc_shift; /* mask: of sets (2 entries each) */

	/* The cache slot each level of the walker used last: walks of
	 * nearby addresses share their upper tables. */
	struct kdx_table_slot *mru[KDX_XLAT_MAX_LEVELS];

	/* Per-level copies of the tables an enumeration is inside. */
	uint8_t *level_buf[KDX_XLAT_MAX_LEVELS];

	struct kdx_xlat_stats stats;
};

#define KDX_TABLE_WAYS 4u

/* Read entry @index of the table at @table (@bytes long) of level
 * @level through the cache: the piece of the table around the entry is
 * read once; when that piece is not all in the dump, the entry alone. */
struct kdx_error *kdx_xlat_read_entry_slow(struct kdx_xlat *xlat,
					   unsigned int level, uint64_t table,
					   uint64_t bytes, unsigned int index,
					   uint64_t *entry);


/* The entry at @addr, read by itself (through the cache): for tables a
 * sparse dump holds only in part. */
struct kdx_error *kdx_xlat_read_alone(struct kdx_xlat *xlat, uint64_t addr,
				      uint64_t *entry);

/* Copy the whole table at @table (@bytes long) into @buf, piece by piece
 * through the cache. */
struct kdx_error *kdx_xlat_load_table(struct kdx_xlat *xlat, uint64_t table,
				      uint64_t bytes, uint8_t *buf);

/* Entry @index of a table's bytes, in the target's byte order. */
static inline uint64_t kdx_xlat_entry(const struct kdx_xlat *xlat,
				      const uint8_t *table, unsigned int index)
{
	unsigned int es = xlat->form->entry_size;
	const uint8_t *p = table + (size_t)index * es;
	uint64_t v = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The hot case (x86 entries on a little-endian host): one load
	 * instead of a byte loop. */
	if (es == 8 && !xlat->big_endian) {
		memcpy(&v, p, sizeof(v));
		return v;
	}
#endif
	if (xlat->big_endian)
		for (unsigned int i = 0; i < es; i++)
			v = v << 8 | p[i];
	else
		for (unsigned int i = es; i-- > 0;)
			v = v << 8 | p[i];
	return v;
}

/* The walker's hot path: the slot this level used last holds the entry
 * when its bytes cover it (physical memory does not change, so any
 * cached piece covering those bytes will do); else the cache proper. */
static inline struct kdx_error *
kdx_xlat_read_entry(struct kdx_xlat *xlat, unsigned int level, uint64_t table,
		    uint64_t bytes, unsigned int index, uint64_t *entry)
{
	const struct kdx_table_slot *m = xlat->mru[level];
	unsigned int es = xlat->form->entry_size;
	uint64_t at = table + (uint64_t)index * es;

	/* (at < table: wrapped; the slow path refuses it) */
	if (m && m->used && at >= table && at >= m->addr &&
	    at - m->addr + es <= m->size) {
		xlat->stats.table_hits++;
		*entry = kdx_xlat_entry(xlat, m->data + (at - m->addr), 0);
		return NULL;
	}
	return kdx_xlat_read_entry_slow(xlat, level, table, bytes, index, entry);
}

/* Bytes of a table of level @level (a full one: a region's top table
 * may be smaller). */
static inline uint64_t kdx_xlat_table_size(const struct kdx_xlat *xlat,
					   unsigned int level)
{
	return (uint64_t)xlat->form->level[level].entries *
	       xlat->form->entry_size;
}

/* The region translating @linear, or NULL. */
const struct kdx_xlat_region *kdx_xlat_region_of(const struct kdx_xlat *xlat,
						 uint64_t linear);

/* Check @vaddr against the mode's width; on success *linear is the
 * address with the sign-extension bits removed. */
struct kdx_error *kdx_xlat_linear(const struct kdx_xlat *xlat, uint64_t vaddr,
				  uint64_t *linear);

/* The canonical form of a linear address. */
uint64_t kdx_xlat_canonical(const struct kdx_xlat *xlat, uint64_t linear);

/* Walk the tables for @linear; fills @trace when not NULL. */
struct kdx_error *kdx_xlat_walk(struct kdx_xlat *xlat, uint64_t vaddr,
				uint64_t linear, struct kdx_xlat_result *out,
				struct kdx_xlat_trace *trace);

/* "PML4 entry 0x... at 0x... [index N]" context for errors. */
struct kdx_error *kdx_xlat_entry_error(const struct kdx_xlat *xlat,
				       enum kdx_error_code code,
				       unsigned int level, uint64_t table,
				       unsigned int index, uint64_t entry,
				       const char *what);

/* Translation cache: inline, it is the hot path of every translation. */
static inline bool kdx_tlb_lookup(const struct kdx_xlat *xlat,
				  uint64_t linear,
				  struct kdx_xlat_result *out)
{
	/* Largest pages first: their arrays are small and stay in the CPU's
	 * cache; a mapping is in one class only. */
	for (unsigned int c = xlat->tlb_classes; c-- > 0;) {
		const struct kdx_tlb_class *tc = &xlat->tlb[c];
		uint64_t vpn = linear >> tc->shift;
		const struct kdx_tlb_entry *e =
			&tc->entries[vpn & tc->mask];

		if (e->tag != vpn + 1)
			continue;
		uint64_t mask = (1ull << tc->shift) - 1;

		out->paddr = (e->paddr_flags & ~mask) | (linear & mask);
		out->page_size = mask + 1;
		out->flags = (unsigned int)(e->paddr_flags & mask);
		return true;
	}
	return false;
}

/* Whether @vaddr is a plain address of the mode (canonical, in range):
 * then its linear address may be looked up in the TLB, whose entries all
 * come from successful walks. */
static inline bool kdx_xlat_plain(const struct kdx_xlat *xlat, uint64_t vaddr)
{
	unsigned int unused = 64 - xlat->form->va_bits;

	if (!unused)
		return true;
	if (xlat->form->sign_extended)
		return (uint64_t)((int64_t)(vaddr << unused) >> unused) == vaddr;
	return (vaddr & ~xlat->va_mask) == xlat->form->fixed_high;
}
void kdx_tlb_insert(struct kdx_xlat *xlat, uint64_t linear,
		    const struct kdx_xlat_result *res);
struct kdx_error *kdx_xlat_cache_init(struct kdx_xlat *xlat);
void kdx_xlat_cache_deinit(struct kdx_xlat *xlat);
void kdx_xlat_cache_clear(struct kdx_xlat *xlat);

#endif
