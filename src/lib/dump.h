/* SPDX-License-Identifier: MIT */
/* The kdx_dump object, shared by the files of the library layer. */
#ifndef KDX_LIB_DUMP_H
#define KDX_LIB_DUMP_H

#include <kdx/dump.h>

#include "format/format.h"
#include "format/common/physmap.h"

struct kdx_file;

struct kdx_dump {
	struct kdx_file *file;
	const struct kdx_format_ops *format;
	struct kdx_open_options opts;
	/* What the reader found; the dump owns it. */
	struct kdx_dump_desc desc;
	struct kdx_physmap physmap;
	struct kdx_phys_range *ranges;
	size_t range_count;
	struct kdx_note *notes;
	struct kdx_cpu *cpus;
	size_t cpu_count;
	char *vmcoreinfo_text; /* split in place into the entries */
	struct kdx_vmcoreinfo_entry *vmcoreinfo;
	size_t vmcoreinfo_count;
	char *vmcoreinfo_source;
	unsigned int word_size;
	uint32_t page_size;
	const char *page_size_source;
};

/* Decode the notes into dump->notes (with their kinds) and dump->cpus. */
struct kdx_error *kdx_dump_decode_notes(struct kdx_dump *dump);

/* Find VMCOREINFO among the notes and parse it. */
struct kdx_error *kdx_dump_load_vmcoreinfo(struct kdx_dump *dump);
/* No note: look for the kernel's VMCOREINFO text at page starts in
 * physical memory and use the first valid one (source says where). */
struct kdx_error *kdx_dump_search_vmcoreinfo(struct kdx_dump *dump);

/* Parse "KEY=value" lines of @text (copied) into dump->vmcoreinfo. */
struct kdx_error *kdx_dump_set_vmcoreinfo(struct kdx_dump *dump,
					  const char *text, size_t len,
					  const char *source);

#endif
