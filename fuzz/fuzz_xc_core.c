/* SPDX-License-Identifier: MIT */
/* Fuzz the xc_core reader: the input is a whole dump file, opened with the
 * format forced and by detection (see fuzz_common.c), then, for a Xen PV
 * guest, the p2m both ways and a short page-table walk by machine
 * address: a pfn's mfn must map back to a pfn with that mfn, and every
 * walk must end (seed 000: no recursion through virtual reads). */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Each held pfn's mfn maps back to a pfn whose mfn it is. */
static void check_p2m(const struct kdx_dump *dump)
{
	size_t n, checked = 0;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);

	for (size_t i = 0; i < n && checked < 64; i++) {
		for (uint64_t a = r[i].start; a - r[i].start < r[i].size &&
					      checked < 64; a += 4096, checked++) {
			uint64_t m, p, m2;
			struct kdx_error *err = kdx_phys_to_machine(dump, a, &m);

			if (err) {
				kdx_fuzz_error(err);
				continue;
			}
			FUZZ_CHECK(!kdx_machine_to_phys(dump, m, &p));
			FUZZ_CHECK(!kdx_phys_to_machine(dump, p, &m2));
			FUZZ_CHECK(m2 == m);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_dump *dump = kdx_fuzz_open_as(data, size, "xc_core");

	if (!dump)
		return 0;
	if (kdx_dump_has_machine(dump))
		check_p2m(dump);
	kdx_fuzz_walk_kernel(dump);
	kdx_dump_destroy(dump);
	return 0;
}
