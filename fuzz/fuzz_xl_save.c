/* SPDX-License-Identifier: MIT */
/* Fuzz the xl_save reader: the input is a whole save image, opened with
 * the format forced and by detection (see fuzz_common.c), then a short
 * kernel walk through its page-table root (canonical: physical
 * addresses), which must end. */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_dump *dump = kdx_fuzz_open_as(data, size, "xl_save");

	if (!dump)
		return 0;
	/* A save image's memory is pseudo-physical: no machine addresses. */
	FUZZ_CHECK(!kdx_dump_has_machine(dump));
	kdx_fuzz_walk_kernel(dump);
	kdx_dump_destroy(dump);
	return 0;
}
