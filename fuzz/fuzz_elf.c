/* SPDX-License-Identifier: MIT */
/* Fuzz the ELF reader: the input is a whole dump file, opened with the
 * format forced and again by detection, then every accessor and a bounded
 * set of physical reads is checked (see fuzz_common.c). */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Open @data and exercise it; returns the error code (0 on success) and
 * the range and note counts, so the two opens can be compared. */
static int open_and_exercise(const uint8_t *data, size_t size,
			     const char *format, size_t *ranges, size_t *notes)
{
	struct kdx_open_options opts;
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	int code;

	kdx_open_options_init(&opts);
	opts.format = format;
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	if (err) {
		code = (int)kdx_error_code(err);
		kdx_fuzz_error(err);
		return code;
	}
	FUZZ_CHECK(dump != NULL);
	FUZZ_CHECK(!strcmp(kdx_dump_format_name(dump), "elf"));
	kdx_fuzz_exercise(dump, &in);
	kdx_dump_phys_ranges(dump, ranges);
	kdx_dump_notes(dump, notes);
	kdx_dump_destroy(dump);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t forced_ranges = 0, forced_notes = 0;
	size_t found_ranges = 0, found_notes = 0;
	int forced, found;

	forced = open_and_exercise(data, size, "elf", &forced_ranges,
				   &forced_notes);
	found = open_and_exercise(data, size, NULL, &found_ranges,
				  &found_notes);
	/* Detection picks the ELF reader for anything with the magic and a
	 * known class; it must then see exactly what the forced open saw. */
	if (size >= 16 && !memcmp(data, "\177ELF", 4) &&
	    (data[4] == 1 || data[4] == 2)) {
		FUZZ_CHECK(forced == found);
		FUZZ_CHECK(forced_ranges == found_ranges);
		FUZZ_CHECK(forced_notes == found_notes);
	}
	return 0;
}
