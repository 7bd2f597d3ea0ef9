/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/addrspace.h
 * @brief Address spaces: what an address is an address of.
 *
 * Most dumps have one physical address space.  A Xen PV guest has two: its
 * kernel calls its frames pseudo-physical (pfns, what `--phys` reads),
 * while its page tables hold machine frames (mfns, the host's frames),
 * which the dump's p2m maps back to pfns.  Translations, their steps and
 * mappings say which space each address is in, as libaddrxlat tags every
 * address it returns.
 */
#ifndef KDX_ADDRSPACE_H
#define KDX_ADDRSPACE_H

#include <kdx/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The space an address belongs to. */
enum kdx_addr_space {
	/** Not known / not set. */
	KDX_ADDR_NONE = 0,
	/** Physical: the dump's physical memory; for a Xen guest its
	 *  pseudo-physical (guest-physical) memory. */
	KDX_KPHYSADDR,
	/** Machine: host-physical frames, as a Xen PV guest's page tables
	 *  and CR3 hold them. */
	KDX_MACHPHYSADDR,
	/** Kernel virtual. */
	KDX_KVADDR,
};

/** "physical", "machine", "virtual", or "none". */
KDX_API const char *kdx_addr_space_name(enum kdx_addr_space space);

#ifdef __cplusplus
}
#endif

#endif /* KDX_ADDRSPACE_H */
