/* SPDX-License-Identifier: MIT */
/* makedumpfile's flattened stream (makedumpfile -F: a header, then
 * (offset, size, data) records, for piping over ssh), read in place as
 * the file it describes: a kdx_file backend over another kdx_file. */
#ifndef KDX_IO_FLAT_H
#define KDX_IO_FLAT_H

#include "io/file.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether @file starts with makedumpfile's flattened-stream header. */
bool kdx_file_is_flattened(const struct kdx_file *file);

/* View the flattened stream @base as the file it describes, without
 * rewriting it: reads find their records by binary search; where records
 * overlap the later one wins, as in a rewrite; bytes no record wrote read
 * as zeros.  Takes ownership of @base (also on failure). */
struct kdx_error *kdx_file_open_flattened(struct kdx_file *base,
					  struct kdx_file **out);

/* For a flattened view: its record count and whether the end marker was
 * missing (a stream cut short); false for other files. */
bool kdx_file_flattened_info(const struct kdx_file *file, size_t *records,
			     bool *truncated);

#endif
