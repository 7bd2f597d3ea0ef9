/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/xen.h
 * @brief Xen PV guests: Linux's own p2m, read from the guest's memory.
 *
 * A Linux PV guest keeps its pfn -> mfn map in its own memory, in two
 * shapes it publishes in shared_info (seed 001): the linear list
 * (Linux >= 3.19: p2m_vaddr, mapped in the address space whose root is
 * p2m_cr3) and, for the tools, the 3-level tree of mfns reached from
 * pfn_to_mfn_frame_list_list.  Both describe pfns [0, max_pfn).  Every
 * read here goes by machine address (through the dump's own m2p, or
 * directly where the dump's physical addresses are machine ones): reading
 * the p2m never needs the p2m (seed 000).
 */
#ifndef KDX_XEN_H
#define KDX_XEN_H

#include <stdbool.h>
#include <stdint.h>

#include <kdx/common.h>
#include <kdx/dump.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Which of Linux's p2m shapes to read. */
enum kdx_xen_p2m_shape {
	KDX_XEN_P2M_AUTO = 0, /**< the list if published, else the tree */
	KDX_XEN_P2M_LIST,     /**< the linear list at p2m_vaddr */
	KDX_XEN_P2M_TREE,     /**< the mfn tree at the frame list list */
};

/** What reading Linux's p2m found, and how it compares with the dump's
 *  own p2m (xc_core's .xen_p2m) when there is one. */
struct kdx_xen_p2m_report {
	enum kdx_xen_p2m_shape shape; /**< the shape read */
	uint64_t root;        /**< p2m_vaddr, or the frame list list's mfn */
	uint64_t covered;     /**< pfns [0, covered) described (max_pfn) */
	uint64_t frames;      /**< valid entries */
	uint64_t missing;     /**< INVALID_P2M_ENTRY (~0) entries */
	uint64_t identity;    /**< IDENTITY_FRAME_BIT entries (1:1, not RAM) */
	uint64_t foreign;     /**< FOREIGN_FRAME_BIT entries (other domains') */
	uint64_t unreadable;  /**< entries on pages that could not be read */
	uint64_t first_unreadable; /**< first such pfn (valid if unreadable) */
	bool compared;        /**< the dump has a p2m of its own */
	uint64_t agree;       /**< valid entries the dump's p2m agrees with */
	uint64_t differ;      /**< valid entries it maps elsewhere or not */
	uint64_t first_differ; /**< first such pfn (valid if differ) */
	uint64_t first_differ_mfn; /**< Linux's mfn for it */
};

/**
 * Read the p2m Linux keeps in @p dump's guest (a Xen PV guest's dump that
 * holds shared_info), and compare it with the dump's own.
 * @param[out] out set only on success.
 * @return NULL; KDX_ERR_NOTFOUND when the dump does not publish the shape
 *         asked for (no shared_info, p2m_cr3 0, frame list list 0 or ~0);
 *         KDX_ERR_UNSUPPORTED for a dump that is not a PV guest's; a read
 *         error of the list's page tables or the tree's top pages.
 */
KDX_API struct kdx_error *kdx_xen_linux_p2m(const struct kdx_dump *dump,
					    enum kdx_xen_p2m_shape shape,
					    struct kdx_xen_p2m_report *out);

#ifdef __cplusplus
}
#endif

#endif /* KDX_XEN_H */
