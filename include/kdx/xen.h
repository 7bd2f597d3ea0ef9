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
	/** Entries under a page of the p2m (leaf, list page, mid page, page
	 *  table of the list) that an earlier part of the walk already went
	 *  through: a damaged or hostile p2m.  They are neither handed out
	 *  nor counted elsewhere.  Linux's own shared pages of missing
	 *  entries (p2m_missing, p2m_identity and the tables naming only
	 *  them), named many times on purpose, count as missing instead. */
	uint64_t repeated;
	uint64_t first_repeated;     /**< first such pfn (valid if repeated) */
	uint64_t first_repeated_mfn; /**< the page met again */
	/** Machine address of the entry that names it again (top or mid
	 *  entry, PMD entry or PTE of the list's page tables). */
	uint64_t first_repeated_at;
	/** Valid entries (KDX_XEN_P2M_FRAME) whose mfn, a frame the dump
	 *  holds, an entry of a lower pfn already has: damage (a guest's
	 *  frame is one pfn's), or Linux 3.12-3.18's balloon scratch pages.
	 *  They are handed out and counted as frames. */
	uint64_t duplicate;
	uint64_t first_duplicate;     /**< first such pfn (valid if duplicate) */
	uint64_t first_duplicate_mfn; /**< its mfn */
	uint64_t first_duplicate_at;  /**< machine address of its entry */
};

/**
 * Read the p2m Linux keeps in @p dump's guest (a Xen PV guest's dump that
 * holds shared_info), and compare it with the dump's own.
 * @param[out] out set only on success.
 * @return NULL; KDX_ERR_NOTFOUND when the dump does not publish the shape
 *         asked for (no shared_info, p2m_cr3 0, frame list list 0 or ~0);
 *         KDX_ERR_UNSUPPORTED for a dump that is not a PV guest's; a read
 *         error of the list's page tables or the tree's top pages;
 *         KDX_ERR_CORRUPT for a max_pfn over 2^28 or a p2m_vaddr that is
 *         not page aligned.
 */
KDX_API struct kdx_error *kdx_xen_linux_p2m(const struct kdx_dump *dump,
					    enum kdx_xen_p2m_shape shape,
					    struct kdx_xen_p2m_report *out);

/** What one p2m entry says of its pfn. */
enum kdx_xen_p2m_kind {
	KDX_XEN_P2M_FRAME = 0, /**< the guest's own machine frame */
	KDX_XEN_P2M_IDENTITY,  /**< 1:1 (IDENTITY_FRAME_BIT): not RAM */
	KDX_XEN_P2M_FOREIGN,   /**< another domain's frame (FOREIGN_FRAME_BIT) */
};

/**
 * Called for each entry of a p2m that is not missing, in pfn order.
 * @param mfn the frame, its kind bits cleared.
 * @return false to stop the walk (kdx_xen_linux_p2m_walk() then returns
 *         NULL with the report so far).
 */
typedef bool (*kdx_xen_p2m_fn)(void *arg, uint64_t pfn, uint64_t mfn,
			       enum kdx_xen_p2m_kind kind);

/** @name start_info flags (SIF_*, xen/include/public/xen.h)
 *  @{ */
#define KDX_XEN_SIF_PRIVILEGED (1u << 0)     /**< a privileged domain */
#define KDX_XEN_SIF_INITDOMAIN (1u << 1)     /**< dom0 */
#define KDX_XEN_SIF_VIRT_P2M_4TOOLS (1u << 4) /**< no p2m tree for tools */
/** @} */

/**
 * A PV domain's kernel in a dump of a Xen host's machine memory (QEMU's
 * dump of the VM running Xen, a Xen host's kdump), found by its
 * start_info page ("xen-3.0-x86_64"), which Linux keeps for the
 * domain's life, and the shared_info page it names.
 */
struct kdx_xen_domain {
	uint64_t start_info;  /**< machine address of its start_info page */
	uint32_t flags;       /**< KDX_XEN_SIF_* bits */
	unsigned int word;    /**< the guest's word size: 8 or 4 */
	uint64_t nr_pages;    /**< pages Xen gave it at start */
	uint64_t shared_info; /**< machine address of its shared_info */
	uint64_t max_pfn;     /**< shared_info: pfns its p2m describes */
	uint64_t frame_list_list; /**< shared_info: the p2m tree's top mfn */
	uint64_t p2m_cr3;     /**< shared_info: the list's root (machine; its
			       *   kernel's own top table, swapper_pg_dir) */
	uint64_t p2m_vaddr;   /**< shared_info: the linear p2m list */
	/** The start_info page's frame is in the domain's own p2m: it is
	 *  the domain's, not a copy (another domain's page cache may hold
	 *  one: a dump file written from dom0). */
	bool verified;
};

/**
 * Find the PV domains in @p dump's machine memory: a dump whose physical
 * addresses are machine addresses (not a guest's own dump).  Copies of
 * one start_info (same shared_info) count once: the verified one, else
 * the first.  Order: initial domain first, then by start_info address.
 * Scans every page of the dump (one small read each).
 * @param out room for @p capacity domains; @p count is the number found
 *        (which may exceed @p capacity; only @p capacity are written).
 * @return NULL (also when none is found); a read error of the dump.
 */
KDX_API struct kdx_error *kdx_xen_find_domains(const struct kdx_dump *dump,
					       struct kdx_xen_domain *out,
					       size_t capacity, size_t *count);

/**
 * Read Linux's p2m as kdx_xen_linux_p2m() does, calling @p fn (which may
 * be NULL) for each entry that is not missing (nor repeated).  Each page
 * of the p2m is read once: the walk costs the distinct pages the dump
 * holds, not the pfns max_pfn claims; its memory, a few bits per page
 * the dump holds, touched ones only.
 * @param domain NULL: the dump's own guest (a PV guest's dump with
 *        shared_info, or a Xen host's kdump whose crash notes name dom0's
 *        p2m tree); else a domain kdx_xen_find_domains() found in it.
 * @return as kdx_xen_linux_p2m(); @p out is set on success.
 */
KDX_API struct kdx_error *
kdx_xen_linux_p2m_walk(const struct kdx_dump *dump,
		       const struct kdx_xen_domain *domain,
		       enum kdx_xen_p2m_shape shape, kdx_xen_p2m_fn fn,
		       void *arg, struct kdx_xen_p2m_report *out);

#ifdef __cplusplus
}
#endif

#endif /* KDX_XEN_H */
