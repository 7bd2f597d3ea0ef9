/* SPDX-License-Identifier: MIT */
/* Fuzz the QEMU migration stream and libvirt save file readers: the input
 * is a whole file, opened by detection and with each format forced, then
 * every accessor and a bounded set of physical reads is checked (see
 * fuzz_common.c).  Detection must agree with the forced reader whose
 * magic the input starts with. */
#include "fuzz_common.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *mine = NULL;
	struct kdx_fuzz_open savevm, libvirt, found;

	if (size >= 8 && !memcmp(data, "QEVM\0\0\0", 7) &&
	    (data[7] == 2 || data[7] == 3))
		mine = "qemu-savevm";
	else if (size >= 92 && (!memcmp(data, "LibvirtQemudSave", 16) ||
				!memcmp(data, "LibvirtQemudPart", 16)))
		mine = "libvirt-save";
	kdx_fuzz_open(data, size, "qemu-savevm", true, &savevm);
	kdx_fuzz_open(data, size, "libvirt-save", true, &libvirt);
	if (!mine)
		return 0;
	kdx_fuzz_open(data, size, NULL, false, &found);
	kdx_fuzz_same(!strcmp(mine, "libvirt-save") ? &libvirt : &savevm,
		      &found);
	return 0;
}
