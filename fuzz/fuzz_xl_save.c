/* SPDX-License-Identifier: MIT */
/* Fuzz the xl_save reader: the input is a whole save image, opened with
 * the format forced and by detection (see fuzz_common.c), then a short
 * kernel walk through its page-table root (canonical: physical
 * addresses), which must end. */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk_kernel(const struct kdx_dump *dump)
{
	static const uint64_t addrs[] = { 0xffffffff81000000ull,
					  0xffffffff80000000ull, 0xc0000000ull,
					  0xffff888000000000ull, 0 };
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct kdx_error *err = kdx_kernel_probe(dump, NULL, &layout);
	uint8_t buf[64];

	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	err = kdx_kernel_xlat_create(dump, &layout, &xlat);
	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		err = kdx_read_virt(dump, xlat, addrs[i], buf, sizeof(buf), 0,
				    NULL);
		if (err)
			kdx_fuzz_error(err);
	}
	kdx_xlat_destroy(xlat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_dump *dump = kdx_fuzz_open_as(data, size, "xl_save");

	if (!dump)
		return 0;
	/* A save image's memory is pseudo-physical: no machine addresses. */
	FUZZ_CHECK(!kdx_dump_has_machine(dump));
	walk_kernel(dump);
	kdx_dump_destroy(dump);
	return 0;
}
