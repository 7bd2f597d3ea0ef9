/* SPDX-License-Identifier: MIT */
/* kdx info's JSON object, shared by the CLI and the Python module. */
#ifndef KDX_CLI_INFO_JSON_H
#define KDX_CLI_INFO_JSON_H

#include "cli/json.h"

#include <kdx/dump.h>

/* "big" or "little". */
const char *cli_byte_order_name(enum kdx_byte_order bo);
/* Bytes of every physical range, holes not counted. */
uint64_t cli_total_memory(const struct kdx_dump *dump);
/* Notes kdx understood as @kind ("prstatus", "qemu-cpu-state"). */
size_t cli_count_notes(const struct kdx_dump *dump, const char *kind);
/* CPUs whose state a format kept outside notes (VMware, QEMU streams),
 * and what kept it ("VMware state"); NULL if none. */
size_t cli_count_saved_cpus(const struct kdx_dump *dump);
const char *cli_saved_cpu_source(const struct kdx_dump *dump);

/* The whole `kdx info --json` object for @dump, read from @path, as one
 * JSON value at @j's current position. */
void cli_info_json(struct json *j, const char *path,
		   const struct kdx_dump *dump);

#endif
