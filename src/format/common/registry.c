/* SPDX-License-Identifier: MIT */
/* The one list of dump formats, and detection by content. */
#include "format/format.h"

#include "core/util.h"
#include "io/file.h"

#include <string.h>

/* Probe order matters only where two formats could both claim a file. */
const struct kdx_format_ops *const kdx_formats[] = {
	&kdx_format_xc_core, /* before elf: an ELF64 core with sections only */
	&kdx_format_elf,
	&kdx_format_kdump,
	&kdx_format_fbsd_minidump,
	&kdx_format_lime,
	&kdx_format_avml,
	&kdx_format_qemu_savevm,
	&kdx_format_libvirt_save,
	&kdx_format_vmware,
	&kdx_format_xl_save,
	&kdx_format_raw,
	NULL,
};

/* Formats kdx recognises but cannot read yet: naming them beats
 * "unknown format". */
struct known_format {
	const char *name;
	uint64_t offset;
	const char *magic;
	size_t magic_len;
};

static const struct known_format known_formats[] = {
	{ NULL, 0, NULL, 0 }, /* none at the moment */
};

/* Enough for every magic above and every reader's probe. */
#define HEAD_SIZE 4096

static const struct kdx_format_ops *find_by_name(const char *name)
{
	for (size_t i = 0; kdx_formats[i]; i++)
		if (!strcmp(kdx_formats[i]->name, name))
			return kdx_formats[i];
	return NULL;
}

static struct kdx_error *unknown_format(const struct kdx_file *file,
					const uint8_t *head, size_t len)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(known_formats); i++) {
		const struct known_format *k = &known_formats[i];

		if (k->name && k->offset + k->magic_len <= len &&
		    !memcmp(head + k->offset, k->magic, k->magic_len))
			return kdx_err(KDX_ERR_UNSUPPORTED,
				       "%s: this is a %s dump, which kdx cannot read yet",
				       kdx_file_name(file), k->name);
	}
	if (len == 0)
		return kdx_err(KDX_ERR_NOTFOUND, "%s: the file is empty",
			       kdx_file_name(file));
	return kdx_err(KDX_ERR_NOTFOUND,
		       "%s: not a dump format kdx recognises (for a raw memory image use --format raw)",
		       kdx_file_name(file));
}

struct kdx_error *kdx_format_detect(const struct kdx_file *file,
				    const char *name,
				    const struct kdx_format_ops **out)
{
	uint8_t head[HEAD_SIZE];
	size_t len;
	struct kdx_error *err;

	if (name) {
		*out = find_by_name(name);
		if (!*out)
			return kdx_err(KDX_ERR_NOTFOUND,
				       "unknown format name '%s' (see `kdx help formats`)",
				       name);
		return NULL;
	}
	err = kdx_file_read_some(file, 0, head, sizeof(head), &len);
	if (err)
		return err;
	for (size_t i = 0; kdx_formats[i]; i++) {
		if (kdx_formats[i]->detect &&
		    kdx_formats[i]->probe(head, len)) {
			*out = kdx_formats[i];
			return NULL;
		}
	}
	return unknown_format(file, head, len);
}
