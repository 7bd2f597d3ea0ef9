/* SPDX-License-Identifier: MIT */
/* The device sections of a QEMU migration stream, walked with the vmdesc
 * JSON QEMU writes after the stream, for each vCPU's registers. */
#ifndef KDX_FORMAT_QEMU_DEVSTATE_H
#define KDX_FORMAT_QEMU_DEVSTATE_H

#include "format/format.h"

/* The stream starting at @start of @file has its first device section
 * (a FULL section's type byte) at @devices_at, each section ending in a
 * footer when @footers (the RAM sections had them): add each "cpu" section's
 * registers to @desc (kdx_desc_add_cpu) and say in a detail where they
 * came from.  A stream without the JSON gives none; damage is a warning
 * and no CPU state, never an error (the memory is still good). */
void kdx_qemu_device_state(const struct kdx_file *file, uint64_t start,
			   uint64_t devices_at, bool footers,
			   struct kdx_dump_desc *desc);

#endif
