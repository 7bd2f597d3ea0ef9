/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/xlat_dump.h
 * @brief Address spaces on a dump: translations that read the dump,
 * virtual reads, and machine addresses through the dump's p2m.
 *
 * The translation core (<kdx/xlat.h>) does no I/O; this is the glue that
 * feeds it a dump's memory.  A Xen PV guest's dump (xc_core) also maps
 * machine frames to its pseudo-physical ones (the p2m, pfn -> mfn, and
 * its inverse, the m2p): page tables are then read by machine address,
 * and data by the pseudo-physical address the m2p gives, without ever
 * translating a virtual address on the way (seed 000).
 */
#ifndef KDX_XLAT_DUMP_H
#define KDX_XLAT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kdx/addrspace.h>
#include <kdx/common.h>
#include <kdx/dump.h>
#include <kdx/error.h>
#include <kdx/xlat.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Create a translation that reads page tables from @p dump: by physical
 * address with kdx_read_phys(), or with KDX_XLAT_MACHINE in @p cfg by
 * machine address with kdx_read_machine() (holes are errors).  The dump
 * must outlive the translation.
 * @return NULL; KDX_ERR_UNSUPPORTED for KDX_XLAT_MACHINE on a dump
 *         without machine addresses; kdx_xlat_create()'s errors.
 */
KDX_API struct kdx_error *kdx_dump_xlat_create(const struct kdx_dump *dump,
					       const struct kdx_xlat_config *cfg,
					       struct kdx_xlat **out);

/**
 * Read @p len bytes at virtual address @p vaddr, translating page by page
 * through @p xlat and reading @p dump's memory in the space the
 * translation returns (physical, or machine through the p2m), with the
 * rules of kdx_read_phys(): an unmapped page or a hole fails with an
 * error naming the first address that cannot be read, unless
 * KDX_READ_ZERO_FILL is given (then it counts as hole bytes in
 * @p stats).
 * @param stats NULL, or filled with what the read met (also on failure).
 */
KDX_API struct kdx_error *kdx_read_virt(const struct kdx_dump *dump,
					struct kdx_xlat *xlat, uint64_t vaddr,
					void *buf, size_t len,
					unsigned int flags,
					struct kdx_read_stats *stats);

/** Whether @p dump maps machine addresses to its physical ones (a Xen
 *  PV guest's p2m). */
KDX_API bool kdx_dump_has_machine(const struct kdx_dump *dump);

/** Counts of the dump's p2m, for `kdx info`. */
struct kdx_p2m_info {
	uint64_t frames;   /**< pfn/mfn pairs in the map */
	uint64_t max_pfn;  /**< highest pfn mapped */
	uint64_t max_mfn;  /**< highest mfn mapped */
	uint64_t runs;     /**< runs of consecutive pfns on consecutive mfns */
	const char *source; /**< where the map came from (".xen_p2m section") */
};

/**
 * Describe @p dump's p2m.
 * @param[out] out set only on success.
 * @return NULL, or KDX_ERR_UNSUPPORTED when it has none.
 */
KDX_API struct kdx_error *kdx_dump_p2m_info(const struct kdx_dump *dump,
					    struct kdx_p2m_info *out);

/**
 * The physical (pseudo-physical) address of machine address @p maddr,
 * through the m2p: O(log runs).
 * @param[out] paddr set only on success.
 * @return NULL; KDX_ERR_NODATA when no pfn maps that machine frame;
 *         KDX_ERR_UNSUPPORTED when the dump has no machine addresses.
 */
KDX_API struct kdx_error *kdx_machine_to_phys(const struct kdx_dump *dump,
					      uint64_t maddr, uint64_t *paddr);

/**
 * The machine address of physical (pseudo-physical) address @p paddr,
 * through the p2m.
 * @param[out] maddr set only on success.
 * @return NULL; KDX_ERR_NODATA when the p2m has no entry for the pfn;
 *         KDX_ERR_UNSUPPORTED when the dump has no machine addresses.
 */
KDX_API struct kdx_error *kdx_phys_to_machine(const struct kdx_dump *dump,
					      uint64_t paddr, uint64_t *maddr);

/**
 * Read @p len bytes at machine address @p maddr: each page through the
 * m2p to its pseudo-physical page, then as kdx_read_phys() (same flags
 * and errors; a machine frame no pfn maps is a hole).  @p stats addresses
 * are machine addresses.
 */
KDX_API struct kdx_error *kdx_read_machine(const struct kdx_dump *dump,
					   uint64_t maddr, void *buf,
					   size_t len, unsigned int flags,
					   struct kdx_read_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* KDX_XLAT_DUMP_H */
