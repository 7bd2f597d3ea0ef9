/* SPDX-License-Identifier: MIT */
/* The tag lists of a VMware state file (.vmss, .vmsn), shared by the
 * reader (vmware.c: groups, memory) and the vCPU state (vmware_cpu.c).
 * Layout and sources: docs/memory-images.md. */
#ifndef KDX_FORMAT_VMWARE_H
#define KDX_FORMAT_VMWARE_H

#include "format/format.h"

#define KDX_VMW_TAG_NAME_MAX 255u

/* The state file as the tag reader needs it. */
struct kdx_vmw_file {
	const struct kdx_file *file;
	uint64_t size;
	unsigned int version; /* the magic's low nibble: 0 has 4-byte sizes */
};

struct kdx_vmw_tag {
	char name[KDX_VMW_TAG_NAME_MAX + 1];
	uint32_t index[3];
	unsigned int nindex;
	unsigned int len;     /* a plain tag's value length, 0..8 */
	uint64_t value;       /* a plain tag's value */
	bool block;           /* a block of data at data_offset */
	bool compressed;      /* the block's data is compressed */
	uint64_t data_offset, data_size;
};

/* The tag at @at; *@next is where the one after it starts (> @at), 0 at
 * the list's end marker. */
struct kdx_error *kdx_vmw_read_tag(const struct kdx_vmw_file *f, uint64_t at,
				   struct kdx_vmw_tag *t, uint64_t *next);

/* A KDX_ERR_CORRUPT error naming offset @at. */
struct kdx_error *kdx_vmw_bad(uint64_t at, const char *what);

/* The "cpu" group whose tags start at @at: each vCPU's registers into
 * @desc (kdx_desc_add_cpu), its count into the facts.  A malformed group
 * is a warning and no CPU state, never an error: the memory is still
 * good. */
void kdx_vmw_cpu_state(const struct kdx_vmw_file *f, uint64_t at,
		       struct kdx_dump_desc *desc);

#endif
