/* SPDX-License-Identifier: MIT */
#include "write/notes.h"

#include "core/endian.h"
#include "write/view.h"

#include <kdx/verify.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* VMCOREINFO as the kernel writes it, from the entries kdx found in
 * physical memory (a LiME image, a migration stream: no note) so that the
 * written dump carries it as a note, for crash and makedumpfile. */
static char *found_vmcoreinfo(const struct kdx_dump *dump, size_t *len)
{
	size_t n, i, size = 1;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);
	const struct kdx_vmcoreinfo_entry *e;
	char *text;

	for (i = 0; i < n; i++)
		if (!strcmp(notes[i].kind, "vmcoreinfo"))
			return NULL;
	e = kdx_dump_vmcoreinfo(dump, &n);
	if (!n)
		return NULL;
	for (i = 0; i < n; i++)
		size += strlen(e[i].key) + strlen(e[i].value) + 2;
	text = malloc(size);
	if (!text)
		return NULL;
	*len = 0;
	for (i = 0; i < n; i++)
		*len += (size_t)snprintf(text + *len, size - *len, "%s=%s\n",
					 e[i].key, e[i].value);
	return text;
}

static size_t put_note(uint8_t *p, enum kdx_byte_order bo, const char *name,
		       uint32_t type, const void *desc, size_t desc_size,
		       size_t *desc_at)
{
	size_t namesz = strlen(name) + 1;

	kdx_store_u32(p, (uint32_t)namesz, bo);
	kdx_store_u32(p + 4, (uint32_t)desc_size, bo);
	kdx_store_u32(p + 8, type, bo);
	memcpy(p + 12, name, namesz);
	*desc_at = 12 + align4(namesz);
	memcpy(p + *desc_at, desc, desc_size);
	return *desc_at + align4(desc_size);
}

/* convert --machine: Xen's crash-info note, which tells crash where the
 * guest's p2m starts (write/machine.h). */
static size_t crash_info(const struct kdx_out_view *view,
			 enum kdx_byte_order bo, uint8_t *desc)
{
	if (!view->machine)
		return 0;
	for (size_t i = 0; i < KDX_XEN_CRASH_INFO_WORDS; i++)
		kdx_store_u64(desc + 8 * i, view->machine->crash_info[i], bo);
	return 8 * KDX_XEN_CRASH_INFO_WORDS;
}

struct kdx_error *kdx_encode_notes(const struct kdx_out_view *view,
				   enum kdx_byte_order bo,
				   struct kdx_encoded_notes *out)
{
	const struct kdx_dump *dump = view->dump;
	size_t n, pos = 0, at, found_len = 0;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);
	char *found = found_vmcoreinfo(dump, &found_len);
	/* A salvaged dump says in its own notes what it lost. */
	const char *lost = kdx_dump_lost(dump);
	size_t lost_len = lost ? strlen(lost) : 0;
	uint8_t xen[8 * KDX_XEN_CRASH_INFO_WORDS];
	size_t xen_len = crash_info(view, bo, xen);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++)
		if (kdx_view_keeps_note(view, &notes[i]))
			out->len += 12 + align4(strlen(notes[i].name) + 1) +
				    align4(notes[i].desc_size);
	if (found)
		out->len += 12 + align4(sizeof("VMCOREINFO")) +
			    align4(found_len);
	if (lost)
		out->len += 12 + align4(sizeof("KDX")) + align4(lost_len);
	if (xen_len)
		out->len += 12 + align4(sizeof("Xen")) + align4(xen_len);
	out->bytes = calloc(1, out->len ? out->len : 1);
	if (!out->bytes) {
		free(found);
		return kdx_err_nomem();
	}
	for (size_t i = 0; i < n; i++) {
		size_t len;

		if (!kdx_view_keeps_note(view, &notes[i]))
			continue;
		len = put_note(out->bytes + pos, bo, notes[i].name,
			       notes[i].type, notes[i].desc, notes[i].desc_size,
			       &at);
		if (!strcmp(notes[i].kind, "vmcoreinfo") && !out->vmcoreinfo_at) {
			out->vmcoreinfo_at = pos + at;
			out->vmcoreinfo_len = notes[i].desc_size;
		}
		pos += len;
	}
	if (found) {
		put_note(out->bytes + pos, bo, "VMCOREINFO", 0, found,
			 found_len, &at);
		out->vmcoreinfo_at = pos + at;
		out->vmcoreinfo_len = found_len;
		free(found);
		pos += 12 + align4(sizeof("VMCOREINFO")) + align4(found_len);
	}
	if (xen_len)
		pos += put_note(out->bytes + pos, bo, "Xen",
				KDX_XEN_ELFNOTE_CRASH_INFO, xen, xen_len, &at);
	if (lost)
		put_note(out->bytes + pos, bo, "KDX", KDX_NOTE_SALVAGE, lost,
			 lost_len, &at);
	return NULL;
}
