/* SPDX-License-Identifier: MIT */
/* Names for the values of struct kdx_dump_facts that readers show in
 * their details and the CLI shows again: one table, so the two agree. */
#include "format/format.h"

#include "core/util.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *kdx_segment_vaddrs_name(enum kdx_segment_vaddrs v)
{
	static const char *const names[] = {
		[KDX_SEGMENT_VADDRS_NONE] = "none",
		[KDX_SEGMENT_VADDRS_LINEAR] = "linear",
		[KDX_SEGMENT_VADDRS_MAPPED] = "mapped",
	};

	return (unsigned int)v < KDX_ARRAY_SIZE(names) ? names[v] : "unknown";
}

/* makedumpfile's dump_level bits, lowest first. */
static const char *const dump_level_bits[] = {
	"zero pages", "cache pages", "cache private pages", "user pages",
	"free pages",
};

const char *kdx_dump_level_text(uint32_t level, char *buf, size_t size)
{
	/* Room for every name and separator (68 bytes). */
	char words[96] = "";

	for (unsigned int b = 0; b < KDX_ARRAY_SIZE(dump_level_bits); b++) {
		if (!(level & (1u << b)))
			continue;
		if (words[0])
			strcat(words, ", ");
		strcat(words, dump_level_bits[b]);
	}
	snprintf(buf, size, "%" PRIu32 " (excluded: %s)", level,
		 words[0] ? words : "nothing");
	return buf;
}
