/* SPDX-License-Identifier: MIT */
/* kdx info --json's object, built in one place for the CLI and for the
 * Python module's Dump.info(), so the two cannot drift apart. */
#include "cli/info_json.h"
#include "cli/crash_summary.h"
#include "cli/xlat_args.h"

#include <string.h>

const char *cli_byte_order_name(enum kdx_byte_order bo)
{
	return bo == KDX_BIG_ENDIAN ? "big" : "little";
}

static const char *range_kind_name(enum kdx_range_kind kind)
{
	switch (kind) {
	case KDX_RANGE_ZERO: return "zero";
	case KDX_RANGE_EXCLUDED: return "excluded";
	default: return "file";
	}
}

uint64_t cli_total_memory(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += r[i].size;
	return total;
}

size_t cli_count_notes(const struct kdx_dump *dump, const char *kind)
{
	size_t n, count = 0;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);

	for (size_t i = 0; i < n; i++)
		count += !strcmp(notes[i].kind, kind);
	return count;
}

/* The library's labels for state from notes end in "note" (dump.h). */
static bool saved_state(const struct kdx_cpu *cpu)
{
	size_t len = cpu->state_source ? strlen(cpu->state_source) : 0;

	return len && (len < 4 || strcmp(cpu->state_source + len - 4, "note"));
}

size_t cli_count_saved_cpus(const struct kdx_dump *dump)
{
	size_t n, count = 0;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	for (size_t i = 0; i < n; i++)
		count += saved_state(&cpus[i]);
	return count;
}

const char *cli_saved_cpu_source(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	for (size_t i = 0; i < n; i++)
		if (saved_state(&cpus[i]))
			return cpus[i].state_source;
	return NULL;
}

static void json_memory(struct json *j, const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t prev_end = 0;

	json_key(j, "memory");
	json_object_begin(j);
	json_key(j, "ranges");
	json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(j);
		json_key(j, "start");
		json_u64(j, r[i].start);
		json_key(j, "end");
		json_u64(j, r[i].start + r[i].size);
		json_key(j, "size");
		json_u64(j, r[i].size);
		json_key(j, "kind");
		json_string(j, range_kind_name(r[i].kind));
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "total");
	json_u64(j, cli_total_memory(dump));
	json_key(j, "holes");
	json_array_begin(j);
	for (size_t i = 0; i < n; prev_end = r[i].start + r[i].size, i++) {
		if (r[i].start <= prev_end)
			continue;
		json_object_begin(j);
		json_key(j, "start");
		json_u64(j, prev_end);
		json_key(j, "end");
		json_u64(j, r[i].start);
		json_key(j, "size");
		json_u64(j, r[i].start - prev_end);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

static void json_cpu(struct json *j, const struct kdx_cpu *cpu)
{
	static const char *const cr_names[] = { "cr0", "cr1", "cr2", "cr3",
						"cr4" };

	json_object_begin(j);
	json_key(j, "index");
	json_u64(j, cpu->index);
	json_key(j, "pid");
	json_i64(j, cpu->pid);
	json_key(j, "registers");
	json_object_begin(j);
	for (unsigned int r = 0; r < cpu->reg_count; r++) {
		json_key(j, cpu->reg_names[r]);
		json_u64(j, cpu->regs[r]);
	}
	if (cpu->has_control_regs)
		for (int r = 0; r < 5; r++) {
			json_key(j, cr_names[r]);
			json_u64(j, cpu->cr[r]);
		}
	if (cpu->has_efer) {
		json_key(j, "efer");
		json_u64(j, cpu->efer);
	}
	if (cpu->has_ttbr) {
		json_key(j, "ttbr0_el1");
		json_u64(j, cpu->ttbr0_el1);
		json_key(j, "ttbr1_el1");
		json_u64(j, cpu->ttbr1_el1);
		json_key(j, "tcr_el1");
		json_u64(j, cpu->tcr_el1);
	}
	json_object_end(j);
	json_key(j, "source");
	if (cpu->state_source)
		json_string(j, cpu->state_source);
	else
		json_null(j);
	json_object_end(j);
}

static void json_notes_and_cpus(struct json *j, const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);
	const struct kdx_cpu *cpus;

	json_key(j, "notes");
	json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(j);
		json_key(j, "name");
		json_string(j, notes[i].name);
		json_key(j, "type");
		json_u64(j, notes[i].type);
		json_key(j, "kind");
		json_string(j, notes[i].kind);
		json_key(j, "size");
		json_u64(j, notes[i].desc_size);
		json_key(j, "offset");
		json_u64(j, notes[i].file_offset);
		json_object_end(j);
	}
	json_array_end(j);
	json_key(j, "cpus");
	json_u64(j, cli_count_notes(dump, "prstatus"));
	json_key(j, "qemu_cpu_notes");
	json_u64(j, cli_count_notes(dump, "qemu-cpu-state"));
	json_key(j, "cpu_state");
	json_array_begin(j);
	cpus = kdx_dump_cpus(dump, &n);
	for (size_t i = 0; i < n; i++)
		json_cpu(j, &cpus[i]);
	json_array_end(j);
}

static void json_vmcoreinfo(struct json *j, const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_vmcoreinfo_entry *e = kdx_dump_vmcoreinfo(dump, &n);

	json_key(j, "vmcoreinfo");
	if (!e) {
		json_null(j);
	} else {
		json_object_begin(j);
		for (size_t i = 0; i < n; i++) {
			json_key(j, e[i].key);
			json_string(j, e[i].value);
		}
		json_object_end(j);
	}
	json_key(j, "vmcoreinfo_source");
	json_string(j, kdx_dump_vmcoreinfo_source(dump));
}

void cli_info_json(struct json *jw, const char *path,
		   const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_detail *d = kdx_dump_details(dump, &n);
	const char *const *warnings;

	json_object_begin(jw);
	json_key(jw, "file");
	json_string(jw, path);
	json_key(jw, "format");
	json_string(jw, kdx_dump_format_name(dump));
	json_key(jw, "details");
	json_object_begin(jw);
	for (size_t i = 0; i < n; i++) {
		json_key(jw, d[i].key);
		json_string(jw, d[i].value);
	}
	json_object_end(jw);
	json_key(jw, "arch");
	json_string(jw, kdx_arch_name(kdx_dump_arch(dump)));
	json_key(jw, "byte_order");
	json_string(jw, cli_byte_order_name(kdx_dump_byte_order(dump)));
	json_key(jw, "word_size");
	json_u64(jw, kdx_dump_word_size(dump));
	json_key(jw, "page_size");
	json_u64(jw, kdx_dump_page_size(dump));
	json_key(jw, "page_size_source");
	json_string(jw, kdx_dump_page_size_source(dump));
	json_memory(jw, dump);
	n = kdx_dump_segment_count(dump);
	json_key(jw, "segments");
	json_u64(jw, n);
	json_key(jw, "segments_have_virtual");
	json_bool(jw, kdx_dump_segments_have_virtual(dump));
	json_notes_and_cpus(jw, dump);
	json_vmcoreinfo(jw, dump);
	cli_crash_summary_json(jw, dump);
	cli_info_translation(dump, jw);
	json_key(jw, "warnings");
	json_array_begin(jw);
	warnings = kdx_dump_warnings(dump, &n);
	for (size_t i = 0; i < n; i++)
		json_string(jw, warnings[i]);
	json_array_end(jw);
	json_object_end(jw);
}

