/* SPDX-License-Identifier: MIT */
/* Test helper: build VMware .vmss/.vmsn state files in memory: the
 * header (magic, unknown word, group count), 80-byte group entries (name,
 * offset of the group's tags, size), and tag lists (flags: index count
 * in bits 7-6, value length in bits 5-0 or 62/63 for a block of data;
 * name length; name; u32 indices; value), ending with two zero bytes.
 * Written from Volatility 3's layers/vmware.py reading of the layout
 * (docs/memory-images.md), apart from libkdx's reader. */
#ifndef KDX_TESTS_MKVMWARE_H
#define KDX_TESTS_MKVMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkvmware_region {
	uint64_t ppn, page_num, pages;
};

struct mkvmware_options {
	unsigned int version; /* 0..3: the magic's low nibble */
	const struct mkvmware_region *regions;
	size_t region_count;
	bool no_regions_count; /* leave regionsCount out */
	bool drop_page_num;    /* leave region 0's regionPageNum out */
	/* The RAM in a "Memory" block tag of the state file, else NULL. */
	const uint8_t *memory;
	size_t memory_size;
	bool no_memory_group;
};

/* malloc'd; size in *@size. */
uint8_t *mkvmware_build(const struct mkvmware_options *o, size_t *size);

#endif
