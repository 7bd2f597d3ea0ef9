/* SPDX-License-Identifier: MIT */
/* Fuzz the ELF reader: the input is a whole dump file, opened with the
 * format forced and again by detection, then every accessor and a bounded
 * set of physical reads is checked (see fuzz_common.c). */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_fuzz_open forced, found;

	kdx_fuzz_open(data, size, "elf", true, &forced);
	kdx_fuzz_open(data, size, NULL, false, &found);
	/* Detection picks the ELF reader for anything with the magic and a
	 * known class, except Xen's xc_core (sections only, a Xen note
	 * first); it must then see exactly what the forced open saw. */
	if (size >= 16 && !memcmp(data, "\177ELF", 4) &&
	    (data[4] == 1 || data[4] == 2) && strcmp(found.format, "xc_core"))
		kdx_fuzz_same(&forced, &found);
	return 0;
}
