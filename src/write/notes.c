/* SPDX-License-Identifier: MIT */
#include "write/notes.h"

#include "core/endian.h"

#include <stdlib.h>
#include <string.h>

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

struct kdx_error *kdx_encode_notes(const struct kdx_dump *dump,
				   enum kdx_byte_order bo,
				   struct kdx_encoded_notes *out)
{
	size_t n, pos = 0;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		out->len += 12 + align4(strlen(notes[i].name) + 1) +
			    align4(notes[i].desc_size);
	out->bytes = calloc(1, out->len ? out->len : 1);
	if (!out->bytes)
		return kdx_err_nomem();
	for (size_t i = 0; i < n; i++) {
		size_t namesz = strlen(notes[i].name) + 1;

		kdx_store_u32(out->bytes + pos, (uint32_t)namesz, bo);
		kdx_store_u32(out->bytes + pos + 4, (uint32_t)notes[i].desc_size,
			      bo);
		kdx_store_u32(out->bytes + pos + 8, notes[i].type, bo);
		memcpy(out->bytes + pos + 12, notes[i].name, namesz);
		pos += 12 + align4(namesz);
		if (!strcmp(notes[i].kind, "vmcoreinfo") && !out->vmcoreinfo_at) {
			out->vmcoreinfo_at = pos;
			out->vmcoreinfo_len = notes[i].desc_size;
		}
		memcpy(out->bytes + pos, notes[i].desc, notes[i].desc_size);
		pos += align4(notes[i].desc_size);
	}
	return NULL;
}
