/* SPDX-License-Identifier: MIT */
/* Test helper: Xen guest dumps as `xl dump-core` writes them (an ELF64
 * core with sections only: .note.Xen, .xen_prstatus, .xen_shared_info,
 * .xen_pages, .xen_p2m or .xen_pfn) and the legacy pre-ELF xc_core, from
 * a page list, written here from Xen's public headers apart from libkdx's
 * reader.  Little-endian x86 hosts only, as Xen writes them. */
#ifndef KDX_TESTS_MKXCCORE_H
#define KDX_TESTS_MKXCCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MKXC_PAGE 4096u

struct mkxc_spec {
	unsigned int word_size; /* the guest's: 8 (x86_64) or 4 (x86_32 PV) */
	bool hvm;               /* .xen_pfn and the HVM magic */
	size_t nr_pages;        /* pages in .xen_pages */
	const uint8_t *pages;   /* nr_pages * MKXC_PAGE bytes, page i */
	const uint64_t *pfns;   /* pfn of page i */
	const uint64_t *mfns;   /* PV: mfn of page i (the legacy index) */
	size_t nr_vcpus;        /* contexts in .xen_prstatus (0: 1) */
	const uint64_t *cr3;    /* ctrlreg[3] of each vCPU as the guest
				   wrote it (x86_32: folded); NULL: 0 */
	/* shared_info's arch fields (PV) */
	uint64_t max_pfn, frame_list_list, p2m_cr3, p2m_vaddr;
	/* Breakage: entries written to .xen_p2m/.xen_pfn (< nr_pages: a
	 * short section; SIZE_MAX: all); leave the index or shared_info
	 * out; the header's page count (0: nr_pages). */
	size_t index_entries;
	bool no_index, no_shared_info;
	uint64_t header_pages;
};

/* A spec with defaults: 64-bit PV, all index entries. */
void mkxc_spec_init(struct mkxc_spec *s);

/* x86_32's folded cr3 of machine frame @mfn (xen_pfn_to_cr3). */
uint32_t mkxc_fold_cr3(uint32_t mfn);

/* The ELF xc_core file; the caller frees it. */
uint8_t *mkxc_build(const struct mkxc_spec *s, size_t *size);

/* The legacy file: header, contexts, index of mfns (PV) or pfns (HVM) in
 * word_size words, pages at a page boundary. */
uint8_t *mkxc_build_legacy(const struct mkxc_spec *s, size_t *size);

#endif
