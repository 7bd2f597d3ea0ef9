/* SPDX-License-Identifier: MIT */
/* Printing kernel log records the way dmesg (and makedumpfile
 * --dump-dmesg) does; shared by `kdx dmesg` and the crash summary of
 * `kdx info`. */
#ifndef KDX_CLI_LOG_PRINT_H
#define KDX_CLI_LOG_PRINT_H

#include <kdx/log.h>

#include <stdbool.h>
#include <stdio.h>

/* Print one record: "[%5lu.%06lu] text\n", the lines of a multi-line
 * record indented under the first, bytes that are neither printable nor
 * white space as \xNN.  With @raw: "<priority>" first, text bytes as they
 * are. */
void cli_log_print(FILE *out, const struct kdx_log_record *rec, bool raw);

/* "emerg" ... "debug" for 0-7, "?" otherwise. */
const char *cli_log_level_name(int level);

/* A level from its name (also "warning", "error", "crit"...) or digit;
 * -1 if unknown. */
int cli_log_level_from_name(const char *name);

#endif
