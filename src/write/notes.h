/* SPDX-License-Identifier: MIT */
/* A dump's notes as one ELF note blob, for the writers: both ELF's
 * PT_NOTE and kdump's sub-header carry them this way. */
#ifndef KDX_WRITE_NOTES_H
#define KDX_WRITE_NOTES_H

#include <kdx/dump.h>

#include "core/error.h"

struct kdx_out_view;

struct kdx_encoded_notes {
	uint8_t *bytes; /* the caller frees it */
	size_t len;
	size_t vmcoreinfo_at;  /* VMCOREINFO payload offset; 0: none */
	size_t vmcoreinfo_len;
};

/* Every note of the view's dump the output keeps, in file order, in byte order @bo, names and
 * payloads padded to 4 bytes (also in ELF64, as Linux and QEMU do); when
 * @dump has no VMCOREINFO note but kdx found the text in its memory, a
 * VMCOREINFO note of it last. */
struct kdx_error *kdx_encode_notes(const struct kdx_out_view *view,
				   enum kdx_byte_order bo,
				   struct kdx_encoded_notes *out);

#endif
