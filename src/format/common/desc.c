/* SPDX-License-Identifier: MIT */
/* Building a struct kdx_dump_desc: the helpers every reader shares. */
#include "format/format.h"

#include "core/endian.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kdx_desc_fail(struct kdx_dump_desc *desc, struct kdx_error *err)
{
	if (!err)
		return;
	if (desc->error)
		kdx_error_destroy(err);
	else
		desc->error = err;
}

bool kdx_desc_failed(const struct kdx_dump_desc *desc)
{
	return desc->error != NULL;
}

struct kdx_error *kdx_desc_take_error(struct kdx_dump_desc *desc)
{
	struct kdx_error *err = desc->error;

	desc->error = NULL;
	return err;
}

/* Append @elem to an array of @desc, or record that memory ran out. */
static bool push(struct kdx_dump_desc *desc, void *array, size_t *count,
		 size_t *capacity, const void *elem, size_t size)
{
	if (kdx_array_push(array, count, capacity, elem, size))
		return true;
	kdx_desc_fail(desc, kdx_err_nomem());
	return false;
}

/* vasprintf(), or NULL with the failure recorded. */
static char *format_text(struct kdx_dump_desc *desc, const char *fmt,
			 va_list ap)
{
	char *text;

	if (vasprintf(&text, fmt, ap) >= 0)
		return text;
	kdx_desc_fail(desc, kdx_err_nomem());
	return NULL;
}

void kdx_desc_add_detail(struct kdx_dump_desc *desc, const char *key,
			 const char *fmt, ...)
{
	struct kdx_detail detail = { .key = key };
	char *value;
	va_list ap;

	if (desc->error)
		return;
	va_start(ap, fmt);
	value = format_text(desc, fmt, ap);
	va_end(ap);
	detail.value = value;
	if (value && !push(desc, &desc->details, &desc->detail_count,
			   &desc->detail_capacity, &detail, sizeof(detail)))
		free(value);
}

void kdx_desc_add_warning(struct kdx_dump_desc *desc, const char *fmt, ...)
{
	char *text;
	va_list ap;

	if (desc->error)
		return;
	va_start(ap, fmt);
	text = format_text(desc, fmt, ap);
	va_end(ap);
	if (text && !push(desc, &desc->warnings, &desc->warning_count,
			  &desc->warning_capacity, &text, sizeof(text)))
		free(text);
}

void kdx_desc_add_note(struct kdx_dump_desc *desc, const char *name,
		       size_t name_len, uint32_t type, const uint8_t *payload,
		       size_t payload_size, uint64_t file_offset)
{
	struct kdx_desc_note note = {
		.type = type,
		.desc_size = payload_size,
		.file_offset = file_offset,
	};

	if (desc->error)
		return;
	note.name = kdx_strndup(name, name_len);
	/* +1 so an empty payload still has a valid pointer. */
	note.desc = malloc(payload_size + 1);
	if (!note.name || !note.desc) {
		kdx_desc_fail(desc, kdx_err_nomem());
	} else {
		memcpy(note.desc, payload, payload_size);
		if (push(desc, &desc->notes, &desc->note_count,
			 &desc->note_capacity, &note, sizeof(note)))
			return;
	}
	free(note.name);
	free(note.desc);
}

void kdx_desc_add_cpu(struct kdx_dump_desc *desc,
		      const struct kdx_desc_cpu *cpu)
{
	if (!desc->error)
		push(desc, &desc->cpus, &desc->cpu_count, &desc->cpu_capacity,
		     cpu, sizeof(*cpu));
}

void kdx_desc_add_range(struct kdx_dump_desc *desc, uint64_t start,
			uint64_t size, enum kdx_piece_kind kind,
			uint64_t file_offset)
{
	if (!desc->error)
		kdx_desc_fail(desc, kdx_physmap_add(&desc->physmap, start, size,
						    kind, file_offset));
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

void kdx_desc_parse_notes(struct kdx_dump_desc *desc, const uint8_t *buf,
			  size_t len, uint64_t file_offset,
			  enum kdx_byte_order byte_order)
{
	size_t pos = 0;

	/* Each note takes at least 12 bytes, so the walk is bounded by the
	 * buffer's length. */
	while (len - pos >= 12 && !desc->error) {
		uint32_t namesz = kdx_load_u32(buf + pos, byte_order);
		uint32_t descsz = kdx_load_u32(buf + pos + 4, byte_order);
		uint32_t type = kdx_load_u32(buf + pos + 8, byte_order);
		size_t name_at = pos + 12, desc_at, next;

		if (namesz == 0 && descsz == 0 && type == 0)
			break; /* the kernel's terminating empty note */
		if (namesz > len - name_at ||
		    align4(namesz) > len - name_at ||
		    descsz > len - name_at - align4(namesz)) {
			kdx_desc_add_warning(
				desc,
				"note at file offset 0x%llx: name size 0x%x and payload size 0x%x run past the end of the note segment (0x%zx bytes left); later notes ignored",
				(unsigned long long)(file_offset + pos),
				namesz, descsz, len - pos);
			return;
		}
		desc_at = name_at + align4(namesz);
		next = desc_at + descsz;
		next = align4(next) <= len ? align4(next) : len;
		/* The name's terminating NUL is part of namesz. */
		kdx_desc_add_note(desc, (const char *)buf + name_at, namesz,
				  type, buf + desc_at, descsz,
				  file_offset + pos);
		pos = next;
	}
}

void kdx_desc_deinit(struct kdx_dump_desc *desc)
{
	for (size_t i = 0; i < desc->detail_count; i++)
		free((char *)desc->details[i].value);
	free(desc->details);
	for (size_t i = 0; i < desc->warning_count; i++)
		free(desc->warnings[i]);
	free(desc->warnings);
	kdx_physmap_builder_deinit(&desc->physmap);
	for (size_t i = 0; i < desc->note_count; i++) {
		free(desc->notes[i].name);
		free(desc->notes[i].desc);
	}
	free(desc->notes);
	free(desc->cpus);
	kdx_error_destroy(desc->error);
	memset(desc, 0, sizeof(*desc));
}
