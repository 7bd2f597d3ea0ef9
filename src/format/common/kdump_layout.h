/* SPDX-License-Identifier: MIT */
/* kdump-compressed on-disk constants and the sub-header layouts of the
 * three ABIs that write it, shared by the reader and the writer. */
#ifndef KDX_FORMAT_COMMON_KDUMP_LAYOUT_H
#define KDX_FORMAT_COMMON_KDUMP_LAYOUT_H

#include <kdx/arch.h>

#include <stdbool.h>
#include <stddef.h>

enum {
	DUMP_DH_COMPRESSED_ZLIB = 0x1,
	DUMP_DH_COMPRESSED_LZO = 0x2,
	DUMP_DH_COMPRESSED_SNAPPY = 0x4,
	DUMP_DH_COMPRESSED_INCOMPLETE = 0x8,
	DUMP_DH_EXCLUDED_VMEMMAP = 0x10,
	DUMP_DH_COMPRESSED_ZSTD = 0x20,
	PAGE_DESC_SIZE = 24,
	UTS_FIELD = 65,
	/* disk_dump_header: status and the fields after it start here. */
	KDUMP_STATUS_LP64 = 424,
	KDUMP_STATUS_ILP32 = 412,
	KDUMP_TIMESTAMP_LP64 = 408,
	KDUMP_TIMESTAMP_ILP32 = 404,
	KDUMP_HEADER_SIZE_LP64 = 464,
	KDUMP_HEADER_SIZE_ILP32 = 452,
};

/* Where the sub-header's fields sit: three ABIs write it. */
struct kdx_kdump_sub_layout {
	const char *name;
	unsigned int word; /* unsigned long */
	size_t phys_base, dump_level, split, start_pfn, end_pfn;
	size_t off_vmcoreinfo, size_vmcoreinfo, off_note, size_note;
	size_t off_eraseinfo, size_eraseinfo, start_pfn_64, end_pfn_64,
		max_mapnr_64;
	size_t size; /* sizeof(struct kdump_sub_header) */
};

static const struct kdx_kdump_sub_layout kdx_kdump_lp64 = {
	"LP64", 8, 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104,
};
/* i386 aligns 64-bit fields to 4 bytes. */
static const struct kdx_kdump_sub_layout kdx_kdump_i386 = {
	"i386", 4, 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72, 80,
};
/* ARM EABI (and other 32-bit ABIs) align 64-bit fields to 8 bytes. */
static const struct kdx_kdump_sub_layout kdx_kdump_ilp32 = {
	"ILP32", 4, 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96,
};

/* The layout a machine's makedumpfile writes. */
static inline const struct kdx_kdump_sub_layout *
kdx_kdump_sub_layout(enum kdx_arch arch, bool lp64)
{
	if (lp64)
		return &kdx_kdump_lp64;
	return arch == KDX_ARCH_I386 ? &kdx_kdump_i386 : &kdx_kdump_ilp32;
}

#endif
