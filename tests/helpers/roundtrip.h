/* SPDX-License-Identifier: MIT */
/* Test helper: kdx_convert() @dump to kdump-compressed and to ELF in a
 * scratch directory, reopen each, and check every range of @dump reads
 * back the same (cmocka assertions). */
#ifndef KDX_TESTS_ROUNDTRIP_H
#define KDX_TESTS_ROUNDTRIP_H

#include <kdx/kdx.h>

void roundtrip_check(const struct kdx_dump *dump);

#endif
