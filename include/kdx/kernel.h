/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/kernel.h
 * @brief The kernel's address space: finding how to translate a dumped
 * kernel's virtual addresses, and setting that translation up.
 *
 * kdx_kernel_probe() recognises the kernel that ran (today Linux, on
 * x86, arm64, 32-bit ARM and riscv64) and finds its page-table root,
 * paging mode and the kernel's own layout values, each with where it came
 * from; the user's overrides (struct kdx_kernel_options) win over what
 * the dump says.  kdx_kernel_xlat_create() turns the result into a
 * struct kdx_xlat (see <kdx/xlat.h>).
 */
#ifndef KDX_KERNEL_H
#define KDX_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <kdx/common.h>

#include <kdx/dump.h>
#include <kdx/error.h>
#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of struct kdx_kernel_options this header describes. */
#define KDX_KERNEL_OPTIONS_VERSION 3

/**
 * Values that override what kdx_kernel_probe() finds in the dump.
 * Initialise with kdx_kernel_options_init(); set a has_ flag with each
 * value.
 */
struct kdx_kernel_options {
	unsigned int version;      /**< set by kdx_kernel_options_init() */
	enum kdx_paging_mode mode; /**< KDX_PAGING_NONE: find it */
	bool has_root;             /**< use @c root */
	uint64_t root;             /**< top-level table (CR3 value accepted) */
	bool has_kaslr_offset;     /**< use @c kaslr_offset */
	/** Linux's KASLR slide (struct kdx_linux_layout::kaslr_offset). */
	uint64_t kaslr_offset;
	bool has_phys_base;        /**< use @c phys_base */
	/** Linux's phys_base (struct kdx_linux_layout::phys_base; x86_64's
	 *  may be "negative"). */
	uint64_t phys_base;
	bool has_page_offset;      /**< use @c page_offset */
	/** The direct-map base (struct kdx_kernel_layout::direct_map; Linux
	 *  PAGE_OFFSET). */
	uint64_t page_offset;
	/** Bits the root covers (struct kdx_xlat_config::va_bits), 0: find
	 *  it.  E.g. 30 with the live TTBR1 of a 32-bit LPAE Linux. */
	unsigned int va_bits;
	/* Version 3: */
	bool has_root_low;         /**< use @c root_low */
	/** The table of the low (user) half: AArch64 and ARM TTBR0
	 *  (struct kdx_xlat_config::root_low).  Modes with one root for the
	 *  whole address space (x86, RISC-V) take a process's table as
	 *  @c root instead. */
	uint64_t root_low;
	/** Physical address bits entries may use (struct
	 *  kdx_xlat_config::phys_bits), 0: the mode's default.  E.g. 52 for
	 *  AArch64 FEAT_LPA with 64 KiB pages. */
	unsigned int phys_bits;
};

/** Fill @p opts with "find everything". */
KDX_API void kdx_kernel_options_init(struct kdx_kernel_options *opts);

/** Length of the source strings in struct kdx_kernel_layout. */
#define KDX_SOURCE_LEN 96

/** The kernel a layout describes. */
enum kdx_os {
	KDX_OS_UNKNOWN = 0, /**< no kernel recognised */
	KDX_OS_LINUX,       /**< Linux */
	KDX_OS_FREEBSD,     /**< FreeBSD */
	KDX_OS_XEN,         /**< the Xen hypervisor */
};

/** Short stable name of an OS: "unknown", "linux", "freebsd", "xen". */
KDX_API const char *kdx_os_name(enum kdx_os os);

/**
 * Linux's own values (struct kdx_kernel_layout::lnx), found when the
 * layout's @c os is KDX_OS_LINUX.
 */
struct kdx_linux_layout {
	bool has_kaslr_offset;            /**< @c kaslr_offset is known */
	/** KASLR slide of the kernel image (VMCOREINFO KERNELOFFSET). */
	uint64_t kaslr_offset;
	char kaslr_offset_source[KDX_SOURCE_LEN]; /**< its origin */
	bool has_phys_base;               /**< @c phys_base is known */
	/** Where the kernel's physical memory starts for its linear maps:
	 *  x86_64 phys_base (may be "negative"), arm/arm64 PHYS_OFFSET,
	 *  riscv64 phys_ram_base. */
	uint64_t phys_base;
	char phys_base_source[KDX_SOURCE_LEN]; /**< its origin */
};

/**
 * What kdx_kernel_probe() found, each value with where it came from
 * ("VMCOREINFO SYMBOL(init_top_pgt)", "command line", "CPU 0 CR3",
 * "page tables: first mapping of physical 0", ...).  The fields up to
 * @c note mean the same for every kernel; each kernel's own values are
 * in its part (@c lnx for Linux).
 */
struct kdx_kernel_layout {
	/** The kernel the layout is for (KDX_OS_UNKNOWN only when the probe
	 *  failed). */
	enum kdx_os os;
	/** The dump can only be read physically (paging was off); @c note
	 *  says why. */
	bool physical_only;
	/** The paging mode (KDX_PAGING_NONE if not found). */
	enum kdx_paging_mode mode;
	char mode_source[KDX_SOURCE_LEN]; /**< where @c mode came from */
	bool has_root;                    /**< @c root is known */
	uint64_t root;                    /**< top-level table, physical */
	char root_source[KDX_SOURCE_LEN]; /**< where @c root came from */
	bool has_direct_map;              /**< @c direct_map is known */
	/** Virtual base of the kernel's map of all physical memory (Linux
	 *  PAGE_OFFSET / page_offset_base, FreeBSD's DMAP). */
	uint64_t direct_map;
	char direct_map_source[KDX_SOURCE_LEN]; /**< its origin */
	unsigned int xlat_flags;          /**< KDX_XLAT_* for the walk */
	uint64_t ignore_mask;             /**< entry bits to clear (sme_mask) */
	unsigned int va_bits;             /**< kdx_xlat_config::va_bits */
	unsigned int page_size;           /**< kdx_xlat_config::page_size */
	unsigned int phys_bits;           /**< kdx_xlat_config::phys_bits */
	bool has_root_low;                /**< @c root_low is known */
	/** Table of the low half (kdx_xlat_config::root_low, ARM TTBR0). */
	uint64_t root_low;
	char root_low_source[KDX_SOURCE_LEN]; /**< where it came from */
	/** Empty, or why the dump is physical-only / why the root is not
	 *  known / a consistency check that failed. */
	char note[2 * KDX_SOURCE_LEN];
	/** Linux's own values (os KDX_OS_LINUX). */
	struct kdx_linux_layout lnx;
};

/** Empty @p layout: nothing known, empty sources and note. */
KDX_API void kdx_kernel_layout_init(struct kdx_kernel_layout *layout);

/**
 * Find how to translate the kernel's virtual addresses in @p dump.  The
 * kernel is the one whose marks the dump carries (Linux: VMCOREINFO) or,
 * without any, the one kdx knows for the dump's architecture; @p opts
 * are put into the layout first and win over what the dump says.  Linux
 * on x86 from VMCOREINFO (x86_64: SYMBOL(init_top_pgt), NUMBER(phys_base),
 * KERNELOFFSET, NUMBER(pgtable_l5_enabled), NUMBER(sme_mask); i386:
 * SYMBOL(swapper_pg_dir), CONFIG_X86_PAE), else from the CPU's control
 * registers in QEMU's notes (CR0.PG off: physical-only); the direct-map
 * base from the page tables (first mapping of low physical memory).
 * Linux on arm64, 32-bit ARM and riscv64 from VMCOREINFO.
 * @param opts NULL: no overrides.
 * @return NULL (the layout may still lack a root: see @c note), or
 *         KDX_ERR_UNSUPPORTED for a kernel kdx cannot set up (naming the
 *         architecture when no kernel of it is known).
 */
KDX_API struct kdx_error *kdx_kernel_probe(const struct kdx_dump *dump,
					   const struct kdx_kernel_options *opts,
					   struct kdx_kernel_layout *layout);

/**
 * Create the translation @p layout describes, on @p dump.
 * @return NULL; KDX_ERR_UNSUPPORTED if the dump is physical-only;
 *         KDX_ERR_NOTFOUND if the root or mode is not known.
 */
KDX_API struct kdx_error *
kdx_kernel_xlat_create(const struct kdx_dump *dump,
		       const struct kdx_kernel_layout *layout,
		       struct kdx_xlat **out);

#ifdef __cplusplus
}
#endif

#endif /* KDX_KERNEL_H */
