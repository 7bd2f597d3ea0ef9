/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Linux set-ups of every architecture (sources,
 * notes, VMCOREINFO numbers, the root-maps-itself check). */
#ifndef KDX_OS_LINUX_COMMON_H
#define KDX_OS_LINUX_COMMON_H

#include "os/os.h"

#include <stdbool.h>
#include <stdint.h>

/* Say where a value came from (a KDX_SOURCE_LEN buffer of the layout). */
void kdx_linux_source(char *dst, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append to the layout's note. */
void kdx_linux_note(struct kdx_kernel_layout *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A VMCOREINFO number: @hex for SYMBOL()/KERNELOFFSET (hex without 0x);
 * otherwise decimal, negative decimal or 0x hex. */
bool kdx_linux_vmci(const struct kdx_dump *dump, const char *key, bool hex,
		    uint64_t *value);
/* OSRELEASE as major * 1000 + minor; 0 if unknown. */
unsigned int kdx_linux_version(const struct kdx_dump *dump);
/* The table @xlat walks maps @symbol_va to its own root (same page);
 * on failure a note in @out says why. */
bool kdx_linux_root_maps_itself(struct kdx_kernel_layout *out,
				struct kdx_xlat *xlat, const char *symbol,
				uint64_t symbol_va);
/* The same on the translation @out describes (made and destroyed here);
 * one that cannot be made is a failed check, noted. */
bool kdx_linux_check_root(struct kdx_kernel_layout *out,
			  const struct kdx_dump *dump, const char *symbol,
			  uint64_t symbol_va);
/* detect() of a Linux entry whose architecture fits: LIKELY with
 * VMCOREINFO (Linux's own note, or found in memory), else FALLBACK (CPU
 * state and overrides may still set a translation up). */
enum kdx_os_match kdx_linux_match(const struct kdx_dump *dump);
/* Flags every target shares (byte order). */
void kdx_linux_common_flags(const struct kdx_dump *dump,
			    struct kdx_kernel_layout *out);

#endif
