/* SPDX-License-Identifier: MIT */
/* The crash summary section of `kdx info` (text and JSON). */
#ifndef KDX_CLI_CRASH_SUMMARY_H
#define KDX_CLI_CRASH_SUMMARY_H

#include "cli/json.h"

#include <kdx/dump.h>

/* "crash:" and its lines; a dump without VMCOREINFO gets one line. */
void cli_crash_summary_text(const struct kdx_dump *dump);

/* "crash": {...} (null without VMCOREINFO). */
void cli_crash_summary_json(struct json *j, const struct kdx_dump *dump);

#endif
