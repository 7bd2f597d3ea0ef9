/* SPDX-License-Identifier: MIT */
/* Test helper: build VMware .vmss/.vmsn state files in memory: the
 * header (magic, unknown word, group count), 80-byte group entries (name,
 * offset of the group's tags, size), and tag lists (flags: index count
 * in bits 7-6, value length in bits 5-0 or 63 for a block of data, 62
 * for a compressed one; name length; name; u32 indices; value; a block's
 * value: two sizes, a u16 padding count, padding, data), ending with two
 * zero bytes.  Written from Volatility 3's layers/vmware.py and crash's
 * vmware_vmss.c readings of the layout (docs/memory-images.md), apart
 * from libkdx's reader. */
#ifndef KDX_TESTS_MKVMWARE_H
#define KDX_TESTS_MKVMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mkvmware_region {
	uint64_t ppn, page_num, pages;
};

/* One vCPU's registers as the "cpu" group holds them (crash's
 * vmware_vmss.c order: rax rcx rdx rbx rbp rsp rsi rdi r8..r15). */
struct mkvmware_vcpu {
	uint64_t gpregs[16];
	uint64_t rip, rflags;
	uint64_t cr[9]; /* CR64: cr0..cr8 */
};

struct mkvmware_options {
	unsigned int version; /* 0..3: the magic's low nibble */
	const struct mkvmware_region *regions;
	size_t region_count;
	bool no_regions_count; /* leave regionsCount out */
	uint64_t regions_count; /* regionsCount's value if not region_count */
	bool drop_page_num;    /* leave region 0's regionPageNum out */
	/* The RAM in a "Memory" block tag of the state file, else NULL. */
	const uint8_t *memory;
	size_t memory_size;
	bool no_memory_group;
	/* The "cpu" group: cpu:numVCPUs (num_vcpus when set, else
	 * vcpu_count), then per vCPU gpregs, rip, eflags, CR64 and IDTR. */
	const struct mkvmware_vcpu *vcpus;
	size_t vcpu_count;
	uint64_t num_vcpus;
	bool no_num_vcpus;     /* leave cpu:numVCPUs out */
	bool cpu_plain;        /* one plain tag per register (rax[n],
				  CR64[n][k]), as older files have them */
	uint64_t cr64_size;    /* the CR64 block's declared size if not 72
				  (at most 256 bytes are written) */
	bool no_cpu_group;     /* call the group "cpz" */
	bool compressed_memory; /* mark the Memory block compressed (62) */
	uint16_t block_pad;    /* padding bytes before each block's data */
};

/* malloc'd; size in *@size. */
uint8_t *mkvmware_build(const struct mkvmware_options *o, size_t *size);

#endif
