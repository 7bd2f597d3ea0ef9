/* SPDX-License-Identifier: MIT */
/* Building a struct kdx_dump_desc: the helpers every reader shares. */
#include "format/format.h"

#include "core/endian.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdx_error *kdx_desc_add_detail(struct kdx_dump_desc *desc,
				      const char *key, const char *fmt, ...)
{
	struct kdx_detail detail;
	char *value;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&value, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return kdx_err_nomem();
	detail.key = key;
	detail.value = value;
	if (!kdx_array_push((void **)&desc->details, &desc->detail_count,
			    &desc->detail_capacity, &detail, sizeof(detail))) {
		free(value);
		return kdx_err_nomem();
	}
	return NULL;
}

struct kdx_error *kdx_desc_add_warning(struct kdx_dump_desc *desc,
				       const char *fmt, ...)
{
	char *text;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return kdx_err_nomem();
	if (!kdx_array_push((void **)&desc->warnings, &desc->warning_count,
			    &desc->warning_capacity, &text, sizeof(text))) {
		free(text);
		return kdx_err_nomem();
	}
	return NULL;
}

struct kdx_error *kdx_desc_add_segment(struct kdx_dump_desc *desc,
				       const struct kdx_segment *segment)
{
	if (!kdx_array_push((void **)&desc->segments, &desc->segment_count,
			    &desc->segment_capacity, segment,
			    sizeof(*segment)))
		return kdx_err_nomem();
	return NULL;
}

struct kdx_error *kdx_desc_add_note(struct kdx_dump_desc *desc,
				    const char *name, size_t name_len,
				    uint32_t type, const uint8_t *payload,
				    size_t payload_size, uint64_t file_offset)
{
	struct kdx_desc_note note = {
		.type = type,
		.desc_size = payload_size,
		.file_offset = file_offset,
	};

	note.name = kdx_strndup(name, name_len);
	/* +1 so an empty payload still has a valid pointer. */
	note.desc = malloc(payload_size + 1);
	if (!note.name || !note.desc)
		goto nomem;
	memcpy(note.desc, payload, payload_size);
	if (!kdx_array_push((void **)&desc->notes, &desc->note_count,
			    &desc->note_capacity, &note, sizeof(note)))
		goto nomem;
	return NULL;
nomem:
	free(note.name);
	free(note.desc);
	return kdx_err_nomem();
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

struct kdx_error *kdx_desc_parse_notes(struct kdx_dump_desc *desc,
				       const uint8_t *buf, size_t len,
				       uint64_t file_offset,
				       enum kdx_byte_order byte_order)
{
	size_t pos = 0;

	/* Each note takes at least 12 bytes, so the walk is bounded by the
	 * buffer's length. */
	while (len - pos >= 12) {
		uint32_t namesz = kdx_load_u32(buf + pos, byte_order);
		uint32_t descsz = kdx_load_u32(buf + pos + 4, byte_order);
		uint32_t type = kdx_load_u32(buf + pos + 8, byte_order);
		size_t name_at = pos + 12, desc_at, next;
		struct kdx_error *err;

		if (namesz == 0 && descsz == 0 && type == 0)
			break; /* the kernel's terminating empty note */
		if (namesz > len - name_at ||
		    align4(namesz) > len - name_at ||
		    descsz > len - name_at - align4(namesz))
			return kdx_desc_add_warning(
				desc,
				"note at file offset 0x%llx: name size 0x%x and payload size 0x%x run past the end of the note segment (0x%zx bytes left); later notes ignored",
				(unsigned long long)(file_offset + pos),
				namesz, descsz, len - pos);
		desc_at = name_at + align4(namesz);
		next = desc_at + descsz;
		next = align4(next) <= len ? align4(next) : len;
		/* The name's terminating NUL is part of namesz. */
		err = kdx_desc_add_note(desc, (const char *)buf + name_at,
					namesz, type, buf + desc_at, descsz,
					file_offset + pos);
		if (err)
			return err;
		pos = next;
	}
	return NULL;
}

void kdx_desc_deinit(struct kdx_dump_desc *desc)
{
	for (size_t i = 0; i < desc->detail_count; i++)
		free((char *)desc->details[i].value);
	free(desc->details);
	for (size_t i = 0; i < desc->warning_count; i++)
		free(desc->warnings[i]);
	free(desc->warnings);
	free(desc->segments);
	kdx_physmap_builder_deinit(&desc->physmap);
	for (size_t i = 0; i < desc->note_count; i++) {
		free(desc->notes[i].name);
		free(desc->notes[i].desc);
	}
	free(desc->notes);
	memset(desc, 0, sizeof(*desc));
}
