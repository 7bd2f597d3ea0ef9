/* SPDX-License-Identifier: MIT */
/* The writers behind kdx_convert(): one per output format, each given an
 * open sink and the dump as the output holds it (write/view.h: the input,
 * with what its OS entry rewrites for the output), reading through
 * libkdx's public API and the view. */
#ifndef KDX_WRITE_WRITER_H
#define KDX_WRITE_WRITER_H

#include <kdx/convert.h>

#include "core/error.h"

struct kdx_sink;
struct kdx_out_view;

/* NULL, or the error that stops a conversion the caller asked to stop
 * (kdx_convert_options.stop): writers check between pieces of work. */
struct kdx_error *kdx_convert_check_stop(const struct kdx_convert_options *opts);

struct kdx_error *kdx_write_kdump(const struct kdx_out_view *view,
				  struct kdx_sink *sink,
				  const struct kdx_convert_options *opts,
				  struct kdx_convert_stats *stats);

struct kdx_error *kdx_write_elf(const struct kdx_out_view *view,
				struct kdx_sink *sink,
				const struct kdx_convert_options *opts,
				struct kdx_convert_stats *stats);

#endif
