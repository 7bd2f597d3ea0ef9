/* SPDX-License-Identifier: MIT */
/* Test helper: `xl save` images (xl's header, libxl's stream v2, libxc's
 * migration stream v3 of an x86 PV guest) from a list of page copies,
 * written here from Xen's docs/specs/libxl-migration-stream.pandoc and
 * libxc-migration-stream.pandoc apart from libkdx's reader.
 * Little-endian, as x86 hosts write them. */
#ifndef KDX_TESTS_MKXLSAVE_H
#define KDX_TESTS_MKXLSAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MKXLS_PAGE 4096u

/* PAGE_DATA types (bits 60-63 of a pfn entry) */
#define MKXLS_NOTAB 0x0u
#define MKXLS_L4TAB_PIN 0xCu
#define MKXLS_XTAB 0xFu /* no data follows */

struct mkxls_spec {
	unsigned int word_size; /* the guest's: 8 or 4 */
	/* The stream's page entries in order: pfn, type (NULL: all NOTAB)
	 * and, for each entry of a type with data, the next page of
	 * @pages. */
	size_t nr_entries;
	const uint64_t *pfns;
	const uint8_t *types;
	const uint8_t *pages;
	size_t per_record;   /* entries per PAGE_DATA record (0: all) */
	size_t nr_vcpus;     /* X86_PV_VCPU_BASIC records (0: none) */
	uint64_t cr3;        /* ctrlreg[3] of every vCPU, as written */
	uint64_t max_pfn;    /* SHARED_INFO's (0: no SHARED_INFO record) */
	uint32_t p2m_end;    /* X86_PV_P2M_FRAMES' last pfn */
	/* Breakage and oddities */
	bool unknown_optional, unknown_mandatory; /* a record of each */
	int32_t page_data_len_delta; /* added to the first PAGE_DATA's length */
	bool no_end; /* end the file after the last record, without the
			libxc and libxl END records */
};

/* Where the builder put things, for tests that name offsets. */
struct mkxls_layout {
	size_t first_page_data; /* offset of the first PAGE_DATA record */
	size_t libxc_start;     /* libxc's image header */
};

void mkxls_spec_init(struct mkxls_spec *s);

/* The image; the caller frees it.  @layout may be NULL. */
uint8_t *mkxls_build(const struct mkxls_spec *s, size_t *size,
		     struct mkxls_layout *layout);

/* x86_32's folded cr3 of frame @pfn (xen_pfn_to_cr3). */
uint32_t mkxls_fold_cr3(uint32_t pfn);

#endif
