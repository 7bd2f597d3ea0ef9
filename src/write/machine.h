/* SPDX-License-Identifier: MIT */
/* `kdx convert --machine`: a Xen PV guest's memory presented as a Xen
 * kdump presents a domain, for crash.  Each pseudo-physical page of the
 * guest is placed at its machine address (the guest's p2m says where);
 * the bytes are the guest's, page tables included, untouched (they hold
 * machine frames, as they did in the running guest); and a
 * XEN_ELFNOTE_CRASH_INFO note names the mfn of the guest's own p2m frame
 * list list, where crash starts to read the guest's p2m.
 *
 * Why crash needs this (crash 8.0.2): for a pvops kernel whose
 * xen_start_info is set, kernel.c is_pvops_xen() turns on
 * WRITABLE_PAGE_TABLES, and every page-table entry is taken as a machine
 * frame and given back its pfn by xen_m2p().  For a kernel with a linear
 * p2m (xen_p2m_addr, Linux >= 4.0) that m2p is found only in an xc_core
 * (xendump) or, in a dump carrying Xen's crash notes (XEN_CORE), from
 * the p2m frame list list the note names (x86_64_xen_kdump_p2m_create(),
 * __xen_pvops_m2p_hyper()); such a dump's physical addresses are machine
 * ones and crash turns pseudo-physical reads into machine ones itself
 * (xen_dom0.c xen_kdump_p2m()).  A pseudo-physical output has neither. */
#ifndef KDX_WRITE_MACHINE_H
#define KDX_WRITE_MACHINE_H

#include <kdx/dump.h>
#include <kdx/error.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Xen's note types (xen/include/public/elfnote.h). */
#define KDX_XEN_ELFNOTE_CRASH_INFO 0x1000001u
/* crash_xen_info_t's words, dom0_pfn_to_mfn_frame_list_list last. */
#define KDX_XEN_CRASH_INFO_WORDS 10

struct kdx_machine_map {
	const struct kdx_p2m *p2m;
	unsigned int page_shift;
	/* The output's physical memory: machine addresses, sorted. */
	struct kdx_phys_range *ranges;
	size_t nranges, capacity;
	/* What is known of crash_xen_info_t: Xen's version, the frame
	 * list list; the rest (Xen's own addresses) is 0, unknown. */
	uint64_t crash_info[KDX_XEN_CRASH_INFO_WORDS];
	uint64_t fll;
	uint64_t pages_placed;   /* input pages given a machine address */
	uint64_t pages_unplaced; /* input pages no p2m entry places */
};

/* The placement of @dump's pages, or an error saying why there is none
 * (not a Xen PV guest's dump with a p2m, no p2m frame list list). */
struct kdx_error *kdx_machine_map_create(const struct kdx_dump *dump,
					 struct kdx_machine_map **out);

void kdx_machine_map_destroy(struct kdx_machine_map *m);

/* The input's (pseudo-physical) address of the output's @maddr, and how
 * many bytes from there on follow it in both; false when no pfn of the
 * guest is at that machine frame. */
bool kdx_machine_to_pseudo(const struct kdx_machine_map *m, uint64_t maddr,
			   uint64_t *paddr, uint64_t *span);

/* Whether the input's note @n is kept: xc_core's own notes are not. */
bool kdx_machine_keeps_note(const struct kdx_note *n);

#endif
