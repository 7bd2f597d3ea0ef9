/* SPDX-License-Identifier: MIT */
/* VMCOREINFO: the kernel's "KEY=value\n" description of itself. */
#include "lib/dump.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdx_error *kdx_dump_set_vmcoreinfo(struct kdx_dump *dump,
					  const char *text, size_t len,
					  const char *source)
{
	size_t capacity = 0;
	char *line;

	/* The note payload is padded with NULs; stop at the first. */
	dump->vmcoreinfo_text = kdx_strndup(text, len);
	dump->vmcoreinfo_source = strdup(source);
	if (!dump->vmcoreinfo_text || !dump->vmcoreinfo_source)
		return kdx_err_nomem();
	line = dump->vmcoreinfo_text;
	/* Bounded: each pass consumes at least one byte of the text. */
	while (*line) {
		char *end = strchr(line, '\n');
		char *eq;

		if (end)
			*end = '\0';
		eq = strchr(line, '=');
		if (eq) {
			struct kdx_vmcoreinfo_entry e = { line, eq + 1 };

			*eq = '\0';
			if (!kdx_array_push((void **)&dump->vmcoreinfo,
					    &dump->vmcoreinfo_count, &capacity,
					    &e, sizeof(e)))
				return kdx_err_nomem();
		}
		if (!end)
			break;
		line = end + 1;
	}
	return NULL;
}

struct kdx_error *kdx_dump_load_vmcoreinfo(struct kdx_dump *dump)
{
	for (size_t i = 0; i < dump->desc.note_count; i++) {
		const struct kdx_desc_note *n = &dump->desc.notes[i];
		char source[64];

		if (strcmp(n->name, "VMCOREINFO") != 0)
			continue;
		snprintf(source, sizeof(source), "ELF note at file offset 0x%llx",
			 (unsigned long long)n->file_offset);
		return kdx_dump_set_vmcoreinfo(dump, (const char *)n->desc,
					       n->desc_size, source);
	}
	return NULL;
}

const struct kdx_vmcoreinfo_entry *
kdx_dump_vmcoreinfo(const struct kdx_dump *dump, size_t *count)
{
	*count = dump->vmcoreinfo_count;
	return dump->vmcoreinfo;
}

const char *kdx_dump_vmcoreinfo_get(const struct kdx_dump *dump,
				    const char *key)
{
	for (size_t i = 0; i < dump->vmcoreinfo_count; i++)
		if (!strcmp(dump->vmcoreinfo[i].key, key))
			return dump->vmcoreinfo[i].value;
	return NULL;
}

const char *kdx_dump_vmcoreinfo_source(const struct kdx_dump *dump)
{
	return dump->vmcoreinfo_source;
}
