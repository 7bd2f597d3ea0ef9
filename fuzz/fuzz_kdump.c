/* SPDX-License-Identifier: MIT */
/* Fuzz the kdump-compressed reader (and the makedumpfile flattened
 * container it is often wrapped in): the input is a whole dump file,
 * opened with the format forced and again by detection, then every
 * accessor and a bounded set of physical reads, which decompress pages,
 * is checked on the forced open (see fuzz_common.c); the open by
 * detection must see the same dump.  That a flattened copy of a dump
 * reads as the plain one is fuzz_flattened's check. */
#include "fuzz_common.h"

#include <stdbool.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_fuzz_open forced, found;
	bool plain = size >= 8 && (!memcmp(data, "KDUMP   ", 8) ||
				   !memcmp(data, "DISKDUMP", 8));

	kdx_fuzz_open(data, size, "kdump", true, &forced);
	kdx_fuzz_open(data, size, NULL, false, &found);
	if (plain)
		kdx_fuzz_same(&forced, &found);
	return 0;
}
