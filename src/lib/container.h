/* SPDX-License-Identifier: MIT */
/* Containers: wrappers around a dump file that are read through a view
 * of the file they hold (makedumpfile's flattened stream, a gzip or zstd
 * stream), whatever format is inside.  One table in lib/container.c
 * lists them; opening a dump unwraps them before choosing a reader. */
#ifndef KDX_LIB_CONTAINER_H
#define KDX_LIB_CONTAINER_H

#include <kdx/dump.h>

#include "format/format.h"

struct kdx_file;

/* Replace *@file by the view of what its containers hold, layer by layer
 * (at most a few deep), unless @opts ask for the raw format.  On failure
 * *@file is closed and NULL. */
struct kdx_error *kdx_container_unwrap(struct kdx_file **file,
				       const struct kdx_open_options *opts);

/* Add to @desc what the container holding @file says ("container"
 * detail, a warning for a stream cut short); nothing for a plain file. */
void kdx_container_describe(const struct kdx_file *file,
			    struct kdx_dump_desc *desc);

#endif
