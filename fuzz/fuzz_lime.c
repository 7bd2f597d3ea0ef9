/* SPDX-License-Identifier: MIT */
/* Fuzz the LiME and AVML readers: the input is a whole image, opened with
 * the format its magic names (by detection without one), then every
 * accessor and a bounded set of physical reads (which decompress AVML's
 * snappy chunks) is checked (see fuzz_common.c).  Detection must agree
 * with the forced reader whose magic the input starts with. */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t lime[8] = { 'E', 'M', 'i', 'L', 1, 0, 0, 0 };
	static const uint8_t avml[8] = { 'A', 'V', 'M', 'L', 2, 0, 0, 0 };
	const char *mine = NULL;
	struct kdx_fuzz_open forced, found;

	if (size >= 32 && !memcmp(data, lime, 8))
		mine = "lime";
	else if (size >= 32 && !memcmp(data, avml, 8))
		mine = "avml";
	/* Each reader forced on its own magic (both readers check the magic
	 * first; a forced open of the other's costs an AVML chunk cache
	 * and finds nothing), by detection otherwise. */
	kdx_fuzz_open(data, size, mine, true, &forced);
	if (!mine)
		return 0;
	kdx_fuzz_open(data, size, NULL, false, &found);
	kdx_fuzz_same(&forced, &found);
	return 0;
}
