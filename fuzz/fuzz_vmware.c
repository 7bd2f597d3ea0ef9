/* SPDX-License-Identifier: MIT */
/* Fuzz the VMware state reader: the input is a .vmss/.vmsn file opened
 * alone (memory-backed, so only memory held in its "Memory" tag can be
 * read: no .vmem is looked for beside it), by detection and forced, then
 * every accessor and a bounded set of physical reads is checked (see
 * fuzz_common.c). */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_open_options opts;
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_fuzz_open forced, found;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	kdx_open_options_init(&opts);
	opts.format = "vmware";
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
	} else {
		FUZZ_CHECK(!strcmp(kdx_dump_format_name(dump), "vmware"));
		kdx_fuzz_exercise(dump, &in);
		kdx_dump_destroy(dump);
	}
	if (size >= 12 && (!memcmp(data, "\xd0\xbe\xd2\xbe", 4) ||
			   !memcmp(data, "\xd1\xba\xd1\xba", 4) ||
			   !memcmp(data, "\xd2\xbe\xd2\xbe", 4) ||
			   !memcmp(data, "\xd3\xbe\xd3\xbe", 4))) {
		kdx_fuzz_open(data, size, "vmware", false, &forced);
		kdx_fuzz_open(data, size, NULL, false, &found);
		kdx_fuzz_same(&forced, &found);
	}
	return 0;
}
