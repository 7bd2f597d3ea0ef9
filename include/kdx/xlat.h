/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/xlat.h
 * @brief Virtual-to-physical address translation by walking page tables.
 *
 * A `struct kdx_xlat` walks one page table (one root, one paging mode).
 * It does no I/O of its own: every page-table entry is read through the
 * `read_phys` callback it was created with (`read_machine` for a Xen PV
 * guest's machine-frame tables), so it works on a dump
 * (<kdx/xlat_dump.h>), on live memory, or on a synthetic buffer in a
 * test.  A translation never triggers another virtual translation.
 *
 * Walks are bounded: a single translation reads at most one entry per
 * paging level, and an enumeration (kdx_xlat_maps()) stops after a
 * configurable number of page tables and skips tables that point back at
 * one of their ancestors.
 *
 * Errors name the level, the table's physical address, the index and the
 * raw entry that stopped a walk:
 * "translate 0xffff888000000000: PML4 entry 0x0 at 0x1234000 [index 273]
 * not present".
 *
 * Threading: a kdx_xlat caches translations and page-table pages, so one
 * handle must not be used by two threads at once.  Separate handles on one
 * dump are independent (kdx_read_phys() is thread-safe).
 *
 * Setting a translation up for the kernel of a dump is in <kdx/kernel.h>.
 */
#ifndef KDX_XLAT_H
#define KDX_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kdx/addrspace.h>
#include <kdx/common.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A paging mode: the shape of the page tables and of their entries. */
enum kdx_paging_mode {
	/** No paging: there is nothing to walk. */
	KDX_PAGING_NONE = 0,
	/** x86 32-bit 2-level paging: 4 KiB pages, 4 MiB pages with
	 *  CR4.PSE (PSE-36 high address bits included). */
	KDX_PAGING_X86_32,
	/** x86 PAE 3-level paging: 4 KiB and 2 MiB pages. */
	KDX_PAGING_X86_PAE,
	/** x86 IA-32e 4-level paging (48-bit virtual addresses): 4 KiB,
	 *  2 MiB and 1 GiB pages. */
	KDX_PAGING_X86_64,
	/** x86 IA-32e 5-level paging, LA57 (57-bit virtual addresses). */
	KDX_PAGING_X86_LA57,
	/** ARMv4/v5 short descriptors: 1 MiB sections, coarse (256-entry)
	 *  and fine (1024-entry) second-level tables with 64 KiB large,
	 *  4 KiB small and 1 KiB tiny pages. */
	KDX_PAGING_ARM_V5,
	/** ARMv6/v7 short descriptors: 1 MiB sections, 16 MiB supersections
	 *  (40-bit physical), coarse tables with 64 KiB and 4 KiB pages;
	 *  TTBCR.N splits TTBR0/TTBR1 (struct kdx_xlat_config::low_va_bits). */
	KDX_PAGING_ARM,
	/** ARMv7 LPAE long descriptors: up to 3 levels, 1 GiB and 2 MiB
	 *  blocks, 4 KiB pages, 40-bit physical; T0SZ/T1SZ as va_bits. */
	KDX_PAGING_ARM_LPAE,
	/** AArch64 (VMSAv8-64 stage 1): 4, 16 or 64 KiB granule
	 *  (kdx_xlat_config::page_size), 25..52-bit virtual addresses
	 *  (va_bits = 64 - T1SZ), blocks, FEAT_LPA/LPA2 with phys_bits 52;
	 *  TTBR1 (root) for the top of the address space, TTBR0 (root_low)
	 *  for the bottom. */
	KDX_PAGING_AARCH64,
	/** RISC-V Sv32: 2 levels of 4-byte entries, 4 MiB megapages,
	 *  34-bit physical. */
	KDX_PAGING_RISCV_SV32,
	/** RISC-V Sv39: 3 levels, superpages at every level, Svnapot. */
	KDX_PAGING_RISCV_SV39,
	/** RISC-V Sv48: 4 levels. */
	KDX_PAGING_RISCV_SV48,
	/** RISC-V Sv57: 5 levels. */
	KDX_PAGING_RISCV_SV57,
	/** POWER radix (ISA v3.0), the kernel quadrant: addresses
	 *  0xc000000000000000 + 52 bits, a 64 KiB root and three levels of
	 *  512 big-endian entries; 512 GiB, 1 GiB, 2 MiB and 4 KiB pages. */
	KDX_PAGING_PPC64_RADIX,
	/** s390x (z/Architecture DAT): 2 to 5 levels (region-first,
	 *  -second, -third, segment and page tables), big-endian entries,
	 *  4 KiB pages, 1 MiB segment and 2 GiB region-third large pages.
	 *  The root is an address-space-control element (ASCE): its
	 *  designation type picks the top table, its length field how much
	 *  of it exists (the kernel's: origin | DT << 2 | 3). */
	KDX_PAGING_S390X,
	/** MIPS32: KSEG0/KSEG1 unmapped (the first 512 MiB of physical
	 *  memory), the rest through two levels of 4-byte entries, leaves
	 *  TLB EntryLo words (frame from bit 6), 4 KiB pages; directory
	 *  entries hold the next table's physical address. */
	KDX_PAGING_MIPS32,
	/** MIPS64: XKPHYS and the compatibility KSEG0/KSEG1 unmapped, XKSEG
	 *  (0xc000000000000000 + 39 bits) through three levels of 8-byte
	 *  entries, leaves EntryLo words. */
	KDX_PAGING_MIPS64,
	/** POWER hashed page table (HPT, ISA 2.0x/3.0 hash mode): no tree
	 *  but a table of PTE groups found by hashing the virtual address;
	 *  the root is an SDR1 value (HTABORG | HTABSIZE).  Kernel segments
	 *  get FreeBSD's VSIDs (KERNEL_VSID of the ESID), 16 MiB base pages
	 *  in the direct-map quadrant 0xc000000000000000, 4 KiB elsewhere. */
	KDX_PAGING_PPC64_HPT,
};

/** Short stable name of a mode: "none", "x86-32", "x86-pae", "x86-64",
 *  "x86-la57", "arm-v5", "arm", "arm-lpae", "aarch64", "sv32", "sv39",
 *  "sv48", "sv57", "ppc64-radix", "s390x", "mips32", "mips64",
 *  "ppc64-hpt". */
KDX_API const char *kdx_paging_mode_name(enum kdx_paging_mode mode);

/**
 * Look a mode up by name: the names kdx_paging_mode_name() returns and the
 * aliases "2level", "pae", "3level", "4level", "ia32e", "5level", "la57",
 * "armv5", "armv7", "lpae", "arm64".
 * @param[out] mode set when the function returns true.
 */
KDX_API bool kdx_paging_mode_from_name(const char *name,
				       enum kdx_paging_mode *mode);

/** @name Mapping flags (struct kdx_xlat_result and struct kdx_mapping)
 *  Writable and user are the effective rights (every level must allow
 *  them); no-execute is set when any level forbids execution.
 *  @{ */
#define KDX_PAGE_WRITABLE 0x001u /**< writes allowed (R/W at every level) */
#define KDX_PAGE_USER 0x002u     /**< user access (U/S at every level) */
#define KDX_PAGE_NX 0x004u       /**< execution forbidden (XD at any level) */
#define KDX_PAGE_GLOBAL 0x008u   /**< global page (leaf G bit) */
#define KDX_PAGE_PWT 0x010u      /**< write-through (leaf PWT) */
#define KDX_PAGE_PCD 0x020u      /**< cache disabled (leaf PCD) */
#define KDX_PAGE_PAT 0x040u      /**< PAT bit of the leaf */
#define KDX_PAGE_ACCESSED 0x080u /**< leaf accessed bit */
#define KDX_PAGE_DIRTY 0x100u    /**< leaf dirty bit */
/** Flags that record history rather than rights: not compared when
 *  kdx_xlat_maps() merges mappings, and cleared from merged ranges. */
#define KDX_PAGE_STATE_FLAGS (KDX_PAGE_ACCESSED | KDX_PAGE_DIRTY)
/** @} */

/** A translation: opaque. */
struct kdx_xlat;

/** Memory, as a translation reads its page tables. */
struct kdx_xlat_ops {
	/** Set to KDX_XLAT_OPS_VERSION (1: no @c read_machine). */
	unsigned int version;
	/**
	 * Read @p len bytes of physical memory at @p paddr into @p buf.
	 * Return NULL on success or an error the translation wraps with the
	 * level and entry that led to the read.  Called only for page-table
	 * pages (at most 4096 bytes, never crossing a page).
	 */
	struct kdx_error *(*read_phys)(void *ctx, uint64_t paddr, void *buf,
				       size_t len);
	/**
	 * Version 2: read by machine address, as read_phys does by physical
	 * address.  Used instead of read_phys when the translation has
	 * KDX_XLAT_MACHINE (a Xen PV guest, whose tables hold machine
	 * frames); it must never translate a virtual address itself.  NULL
	 * when the memory has no machine addresses.
	 */
	struct kdx_error *(*read_machine)(void *ctx, uint64_t maddr, void *buf,
					  size_t len);
};

/** Version of struct kdx_xlat_ops this header describes. */
#define KDX_XLAT_OPS_VERSION 2

/** Config flag: 32-bit paging honours the PS bit (CR4.PSE, 4 MiB pages). */
#define KDX_XLAT_PSE 0x1u
/** Config flag: bit 63 of 64-bit entries is no-execute (EFER.NXE); when
 *  clear that bit is reserved and an entry with it set is an error. */
#define KDX_XLAT_NXE 0x2u
/** Config flag: @c root_low is set (ARM TTBR0: the low part of the
 *  address space has its own table). */
#define KDX_XLAT_ROOT_LOW 0x4u
/** Config flag: page-table entries are big-endian (armeb, aarch64_be;
 *  kdx_kernel_probe() sets it from the dump's byte order). */
#define KDX_XLAT_BIG_ENDIAN 0x8u
/** Config flag: the root and every page-table entry hold machine
 *  addresses (a Xen PV guest): tables are read with
 *  kdx_xlat_ops::read_machine, and results, steps and mappings are in
 *  KDX_MACHPHYSADDR.  The root is then an address, not a register value
 *  (a 32-bit PV guest's folded cr3 is unfolded by the caller): only the
 *  top table's alignment is applied to it. */
#define KDX_XLAT_MACHINE 0x10u
/** Config flag: an entry that points back to a table above it is the
 *  OS's recursive mapping of its own page tables (FreeBSD amd64's
 *  PML4PML4I slot), not damage: kdx_xlat_maps() skips it without
 *  reporting a loop.  Translation is unaffected. */
#define KDX_XLAT_SELF_MAP 0x20u

/** Version of struct kdx_xlat_config this header describes. */
#define KDX_XLAT_CONFIG_VERSION 2

/**
 * How to walk.  Initialise with kdx_xlat_config_init() and change only the
 * fields you need.
 */
struct kdx_xlat_config {
	/** Set by kdx_xlat_config_init(). */
	unsigned int version;
	/** The paging mode (not KDX_PAGING_NONE). */
	enum kdx_paging_mode mode;
	/** Physical address of the top-level table; a CR3 value is accepted
	 *  (PCID and flag bits are masked off as the mode requires). */
	uint64_t root;
	/** KDX_XLAT_PSE, KDX_XLAT_NXE (both set by default). */
	unsigned int flags;
	/** MAXPHYADDR: address bits an entry may use (0: 52 for 64-bit
	 *  entries, 40 for 32-bit PSE-36). */
	unsigned int phys_bits;
	/** Entry bits to clear before use, e.g. AMD SME's C-bit
	 *  (Linux NUMBER(sme_mask)). */
	uint64_t ignore_mask;
	/** Cached page-table pages (0: 256; kdx_dump_xlat_create() on a
	 *  dump of fewer pages: about its page count). */
	unsigned int table_cache_pages;
	/** Cached translations per page size, rounded up to a power of two
	 *  (0: 32768 for the smallest page size, 4096 for the others;
	 *  kdx_dump_xlat_create() on a dump of fewer than 256 pages: about
	 *  its page count).  A size given here also bounds the cache of
	 *  last-level tables (at most 8192 entries). */
	unsigned int tlb_entries;
	/** kdx_xlat_maps() stops with an error after this many tables
	 *  (0: 4 Mi tables). */
	uint64_t max_tables;
	/** Page-table root for the low addresses (TTBR0), with
	 *  KDX_XLAT_ROOT_LOW; ARM and AArch64 only. */
	uint64_t root_low;
	/** Address bits @c root covers (0: the mode's default).  AArch64:
	 *  64 - TCR_EL1.T1SZ, 25..52 (default 48): root maps
	 *  [2^64 - 2^va_bits, 2^64).  ARM LPAE: 32 - TTBCR.T1SZ, 25..32
	 *  (default 32: root is the 4-entry first-level table; 30: a
	 *  second-level table mapping the top GiB, as Linux's live TTBR1). */
	unsigned int va_bits;
	/** Address bits @c root_low covers (0: as @c va_bits; ARM short
	 *  descriptors: 32 - TTBCR.N).  root_low maps [0, 2^low_va_bits). */
	unsigned int low_va_bits;
	/** AArch64 granule: 4096, 16384 or 65536 (0: 4096). */
	unsigned int page_size;
};

/** Fill @p cfg with defaults (no mode, root 0, PSE and NXE on). */
KDX_API void kdx_xlat_config_init(struct kdx_xlat_config *cfg);

/**
 * Create a translation that reads page tables through @p ops.
 * @param ops copied; @p ctx is passed to every callback and must outlive
 *        the translation.
 * @param[out] out set only on success.
 * @return NULL, or KDX_ERR_INVALID for a bad mode, root or version.
 */
KDX_API struct kdx_error *kdx_xlat_create(const struct kdx_xlat_config *cfg,
					  const struct kdx_xlat_ops *ops,
					  void *ctx, struct kdx_xlat **out);

/** Destroy a translation; NULL is ignored. */
KDX_API void kdx_xlat_destroy(struct kdx_xlat *xlat);

/** The translation's paging mode. */
KDX_API enum kdx_paging_mode kdx_xlat_mode(const struct kdx_xlat *xlat);

/** The physical address of the top-level table (masked as the mode
 *  requires); a machine address with KDX_XLAT_MACHINE. */
KDX_API uint64_t kdx_xlat_root(const struct kdx_xlat *xlat);

/** The space of the root, the tables and the addresses the translation
 *  returns: KDX_MACHPHYSADDR with KDX_XLAT_MACHINE, else KDX_KPHYSADDR. */
KDX_API enum kdx_addr_space kdx_xlat_space(const struct kdx_xlat *xlat);

/** The result of translating one address. */
struct kdx_xlat_result {
	uint64_t vaddr;     /**< the address translated */
	uint64_t paddr;     /**< its physical (or machine) address */
	uint64_t page_size; /**< size of the page that maps it */
	unsigned int flags; /**< KDX_PAGE_* */
	enum kdx_addr_space space; /**< @c paddr's space (kdx_xlat_space()) */
};

/**
 * Translate @p vaddr.
 * @param[out] out set only on success.
 * @return NULL; KDX_ERR_NODATA when an entry is not present (the message
 *         names level, table, index and entry); KDX_ERR_INVALID for a
 *         non-canonical address or one beyond the mode's address width;
 *         KDX_ERR_CORRUPT for an entry with reserved bits set; or the
 *         read_phys callback's error, wrapped with the table it was
 *         reading.
 */
KDX_API struct kdx_error *kdx_xlat_translate(struct kdx_xlat *xlat,
					     uint64_t vaddr,
					     struct kdx_xlat_result *out);

/** Most paging levels any mode has. */
#define KDX_XLAT_MAX_LEVELS 5

/** One level of a walk, for `vtop -v`. */
struct kdx_xlat_step {
	const char *level;   /**< table name: "PML4", "PD", "L1", "L3", ... */
	uint64_t table;      /**< physical address of the table */
	unsigned int index;  /**< entry index in the table */
	uint64_t entry_addr; /**< physical address of the entry */
	uint64_t entry;      /**< the raw entry */
	unsigned int size;   /**< entry size in bytes (4 or 8) */
	/** Space of @c table and @c entry_addr (kdx_xlat_space()). */
	enum kdx_addr_space space;
};

/** Every level a walk went through, top first. */
struct kdx_xlat_trace {
	unsigned int count;                              /**< valid steps */
	struct kdx_xlat_step steps[KDX_XLAT_MAX_LEVELS]; /**< the steps */
};

/**
 * Translate @p vaddr by walking the tables (never from the cache) and
 * record every level in @p trace, also when the walk fails: then the last
 * step is the entry that stopped it (when it could be read).
 * @param[out] out set only on success.
 */
KDX_API struct kdx_error *kdx_xlat_trace(struct kdx_xlat *xlat, uint64_t vaddr,
					 struct kdx_xlat_result *out,
					 struct kdx_xlat_trace *trace);

/** A run of mappings, virtually and physically contiguous. */
struct kdx_mapping {
	uint64_t vaddr;      /**< first virtual address (canonical) */
	uint64_t paddr;      /**< first physical address */
	uint64_t size;       /**< bytes */
	unsigned int flags;  /**< KDX_PAGE_* shared by the whole run */
	uint64_t page_sizes; /**< OR of the page sizes in the run */
	enum kdx_addr_space space; /**< @c paddr's space (kdx_xlat_space()) */
};

/** Called with each mapping; return false to stop the enumeration. */
typedef bool (*kdx_mapping_fn)(void *arg, const struct kdx_mapping *map);

/**
 * Called with each problem an enumeration met and skipped (a table that
 * cannot be read, an entry with reserved bits, a loop); the error is
 * destroyed after the call.  Return false to stop.
 */
typedef bool (*kdx_xlat_error_fn)(void *arg, const struct kdx_error *err);

/** kdx_xlat_maps() flag: report every leaf entry on its own. */
#define KDX_MAPS_NO_MERGE 0x1u

/**
 * Report every present mapping with a virtual address in [@p start, @p end]
 * (inclusive) in increasing virtual order.  Each table is read once per
 * parent entry that points to it (through the table cache); consecutive
 * leaves are merged while both addresses are contiguous and the flags
 * (without KDX_PAGE_STATE_FLAGS) agree, unless KDX_MAPS_NO_MERGE.  The
 * non-canonical hole is skipped in one step.
 *
 * @param on_error NULL: the first problem ends the enumeration and is
 *        returned.  Otherwise problems go to it and the walk goes on.
 * @return NULL when done or stopped by a callback; an error when the
 *         table budget (max_tables) ran out, or a problem with no
 *         @p on_error.
 */
KDX_API struct kdx_error *kdx_xlat_maps(struct kdx_xlat *xlat, uint64_t start,
					uint64_t end, unsigned int flags,
					kdx_mapping_fn on_mapping,
					kdx_xlat_error_fn on_error, void *arg);

/**
 * The first merged mapping that starts at or after @p start and at or
 * before @p end (a mapping containing @p start is cut to begin there).
 * @param[out] out set only on success.
 * @return NULL; KDX_ERR_NOTFOUND when nothing is mapped in the range.
 */
KDX_API struct kdx_error *kdx_xlat_next_mapping(struct kdx_xlat *xlat,
						uint64_t start, uint64_t end,
						struct kdx_mapping *out);

/** Counters, for benchmarks and tests. */
struct kdx_xlat_stats {
	uint64_t translations; /**< kdx_xlat_translate() calls */
	uint64_t tlb_hits;     /**< ... answered from the translation cache */
	uint64_t table_reads;  /**< read_phys calls for page-table pages */
	uint64_t table_hits;   /**< table lookups answered from the cache */
	uint64_t tables_walked; /**< tables visited by enumerations */
};

/** The counters since creation or the last kdx_xlat_flush(). */
KDX_API void kdx_xlat_get_stats(const struct kdx_xlat *xlat,
				struct kdx_xlat_stats *stats);

/** Empty the caches (tables, translations, paging structures) and reset
 * the counters. */
KDX_API void kdx_xlat_flush(struct kdx_xlat *xlat);

#ifdef __cplusplus
}
#endif

#endif /* KDX_XLAT_H */
