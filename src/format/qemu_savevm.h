/* SPDX-License-Identifier: MIT */
/* A QEMU migration stream ("QEVM") read where it lies in a file: alone
 * (migrate "exec:cat > FILE") or wrapped (libvirt's `virsh save`). */
#ifndef KDX_FORMAT_QEMU_SAVEVM_H
#define KDX_FORMAT_QEMU_SAVEVM_H

#include "format/format.h"

/* Whether @head (at the stream's start) is a QEVM stream header. */
bool kdx_qemu_savevm_probe(const uint8_t *head, size_t len);

/* Describe the guest memory of the stream starting at @offset of @file
 * in @desc; desc->priv is then kdx_format_qemu_savevm's, for its .read
 * and .destroy. */
struct kdx_error *kdx_qemu_savevm_open_at(const struct kdx_file *file,
					  uint64_t offset,
					  const struct kdx_open_options *opts,
					  struct kdx_dump_desc *desc);

#endif
