/* SPDX-License-Identifier: MIT */
/* The "translation" section of kdx info: how kdx would translate the
 * kernel's virtual addresses in this dump, and where each value came
 * from. */
#include "cli/json.h"
#include "cli/xlat_args.h"

#include <inttypes.h>

struct layout_value {
	const char *key, *source_key, *label;
	bool has;
	uint64_t value;
	const char *source;
	bool is_signed;
};

#define NVALUES 5

static void layout_values(const struct kdx_kernel_layout *l,
			  struct layout_value v[NVALUES])
{
	v[0] = (struct layout_value){ "root", "root_source", "root",
				      l->has_root, l->root, l->root_source,
				      false };
	v[1] = (struct layout_value){ "kaslr_offset", "kaslr_offset_source",
				      "KASLR offset", l->lnx.has_kaslr_offset,
				      l->lnx.kaslr_offset,
				      l->lnx.kaslr_offset_source, false };
	v[2] = (struct layout_value){ "phys_base", "phys_base_source",
				      "phys_base", l->lnx.has_phys_base,
				      l->lnx.phys_base, l->lnx.phys_base_source,
				      true };
	v[3] = (struct layout_value){ "page_offset", "page_offset_source",
				      "direct map", l->has_direct_map,
				      l->direct_map, l->direct_map_source,
				      false };
	v[4] = (struct layout_value){ "root_low", "root_low_source",
				      "low root", l->has_root_low,
				      l->root_low, l->root_low_source, false };
}

static void print_text(const struct kdx_kernel_layout *l)
{
	struct layout_value v[NVALUES];

	if (l->physical_only) {
		printf("translation: none, physical addresses only: %s\n", l->note);
		return;
	}
	printf("translation: %s paging (%s)\n", kdx_paging_mode_name(l->mode),
	       l->mode_source[0] ? l->mode_source : "not found");
	printf("  %-12s %s\n", "os", kdx_os_name(l->os));
	layout_values(l, v);
	for (int i = 0; i < NVALUES; i++) {
		if (!v[i].has)
			continue;
		if (v[i].is_signed && (int64_t)v[i].value < 0)
			printf("  %-12s -0x%" PRIx64 " (%s)\n", v[i].label,
			       (uint64_t)0 - v[i].value, v[i].source);
		else
			printf("  %-12s 0x%" PRIx64 " (%s)\n", v[i].label,
			       v[i].value, v[i].source);
	}
	if (l->note[0])
		printf("  note: %s\n", l->note);
}

static void print_json(struct json *j, const struct kdx_kernel_layout *l)
{
	struct layout_value v[NVALUES];

	json_object_begin(j);
	json_key(j, "os");
	json_string(j, kdx_os_name(l->os));
	json_key(j, "physical_only");
	json_bool(j, l->physical_only);
	json_key(j, "mode");
	json_string(j, kdx_paging_mode_name(l->mode));
	json_key(j, "mode_source");
	json_string(j, l->mode_source);
	layout_values(l, v);
	for (int i = 0; i < NVALUES; i++) {
		json_key(j, v[i].key);
		if (!v[i].has)
			json_null(j);
		else if (v[i].is_signed)
			json_i64(j, (int64_t)v[i].value);
		else
			json_u64(j, v[i].value);
		json_key(j, v[i].source_key);
		if (v[i].has)
			json_string(j, v[i].source);
		else
			json_null(j);
	}
	json_key(j, "note");
	json_string(j, l->note);
	json_object_end(j);
}

void cli_info_translation(const struct kdx_dump *dump, struct json *j)
{
	struct kdx_kernel_layout layout;
	struct kdx_error *err = kdx_kernel_probe(dump, NULL, &layout);

	if (j)
		json_key(j, "translation");
	if (err && j) {
		json_object_begin(j);
		json_key(j, "error");
		json_string(j, kdx_error_message(err));
		json_object_end(j);
	} else if (err) {
		printf("translation: %s\n", kdx_error_message(err));
	} else if (j) {
		print_json(j, &layout);
	} else {
		print_text(&layout);
	}
	cli_info_xen(dump, err ? NULL : &layout, j);
	kdx_error_destroy(err);
}
