/* SPDX-License-Identifier: MIT */
/* Fuzz the kdump-compressed reader (and the makedumpfile flattened
 * container it is often wrapped in): the input is a whole dump file,
 * opened with the format forced and again by detection, then every
 * accessor and a bounded set of physical reads, which decompress pages,
 * is checked (see fuzz_common.c). */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_fuzz_open forced, found;

	kdx_fuzz_open(data, size, "kdump", &forced);
	kdx_fuzz_open(data, size, NULL, &found);
	if (size >= 8 && (!memcmp(data, "KDUMP   ", 8) ||
			  !memcmp(data, "DISKDUMP", 8)))
		kdx_fuzz_same(&forced, &found);
	return 0;
}
