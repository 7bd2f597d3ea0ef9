/* SPDX-License-Identifier: MIT */
/* Fuzz split sets (makedumpfile --split): kdx_dump_open_files() over
 * parts the input carries.
 *
 * Input: 1 byte n (parts: 1 + n % MAX_PARTS), n 4-byte little-endian
 * lengths, then the parts' bytes one after another (the last part takes
 * what is left; lengths are cut at the end of the input).  The parts are
 * written to tmpfs files and opened as one dump, whose accessors and
 * reads are checked (fuzz_common.c).  Seeds: make-split-seeds (built with
 * the tests): sound sets of two and three parts, and sets with a part
 * twice, overlapping parts and parts of different machines. */
#include "fuzz_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 4

static int write_part(const char *path, const uint8_t *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(bytes, 1, len, f) == len;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	char names[MAX_PARTS][96];
	const char *paths[MAX_PARTS];
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	size_t parts, at, written = 0;

	if (size < 1)
		return 0;
	parts = 1 + data[0] % MAX_PARTS;
	at = 1 + 4 * parts;
	if (at > size)
		return 0;
	for (size_t i = 0; i < parts; i++, written++) {
		const uint8_t *p = data + 1 + 4 * i;
		size_t len = (size_t)p[0] | (size_t)p[1] << 8 |
			     (size_t)p[2] << 16 | (size_t)p[3] << 24;

		if (i + 1 == parts || len > size - at)
			len = size - at;
		snprintf(names[i], sizeof(names[i]), "%s/kdx-fuzz-split-%ld.%zu",
			 dir, (long)getpid(), i);
		paths[i] = names[i];
		if (write_part(names[i], data + at, len))
			goto out;
		at += len;
	}
	err = kdx_dump_open_files(paths, parts, NULL, &dump);
	if (err) {
		kdx_fuzz_error(err);
		goto out;
	}
	kdx_fuzz_exercise(dump, &in);
	kdx_dump_destroy(dump);
out:
	for (size_t i = 0; i < written; i++)
		unlink(names[i]);
	return 0;
}
