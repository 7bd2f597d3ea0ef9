/* SPDX-License-Identifier: MIT */
/* Fuzz the QEMU migration stream and libvirt save file readers: the input
 * is a whole file, opened by detection and with each format forced, then
 * every accessor and a bounded set of physical reads is checked (see
 * fuzz_common.c).  Detection must agree with the forced reader whose
 * magic the input starts with. */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void open_and_exercise(const uint8_t *data, size_t size,
			      const char *format)
{
	struct kdx_open_options opts;
	struct kdx_fuzz_input in = { .data = data, .size = size };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	kdx_open_options_init(&opts);
	opts.format = format;
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	FUZZ_CHECK(!format || !strcmp(kdx_dump_format_name(dump), format));
	kdx_fuzz_exercise(dump, &in);
	kdx_dump_destroy(dump);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *mine = NULL;
	struct kdx_fuzz_open forced, found;

	if (size >= 8 && !memcmp(data, "QEVM\0\0\0", 7) &&
	    (data[7] == 2 || data[7] == 3))
		mine = "qemu-savevm";
	else if (size >= 92 && (!memcmp(data, "LibvirtQemudSave", 16) ||
				!memcmp(data, "LibvirtQemudPart", 16)))
		mine = "libvirt-save";
	open_and_exercise(data, size, "qemu-savevm");
	open_and_exercise(data, size, "libvirt-save");
	if (!mine)
		return 0;
	kdx_fuzz_open(data, size, mine, false, &forced);
	kdx_fuzz_open(data, size, NULL, false, &found);
	kdx_fuzz_same(&forced, &found);
	return 0;
}
