/* SPDX-License-Identifier: MIT */
/* kdx_convert(): open the output, run the format's writer, and publish
 * the file only if everything was written. */
#include "write/writer.h"

#include "write/sink.h"
#include "write/view.h"

#include <stddef.h>

#include <errno.h>
#include <string.h>
#include <strings.h>

static const char *const compression_names[] = {
	[KDX_COMPRESS_NONE] = "none",
	[KDX_COMPRESS_ZLIB] = "zlib",
	[KDX_COMPRESS_LZO] = "lzo",
	[KDX_COMPRESS_SNAPPY] = "snappy",
	[KDX_COMPRESS_ZSTD] = "zstd",
};

const char *kdx_compression_name(enum kdx_compression c)
{
	return (unsigned int)c < sizeof(compression_names) / sizeof(*compression_names) ?
		       compression_names[c] :
		       "unknown";
}

bool kdx_compression_from_name(const char *name, enum kdx_compression *out)
{
	for (size_t i = 0; i < sizeof(compression_names) / sizeof(*compression_names);
	     i++) {
		if (!strcasecmp(name, compression_names[i])) {
			*out = (enum kdx_compression)i;
			return true;
		}
	}
	return false;
}

void kdx_convert_options_init(struct kdx_convert_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = KDX_CONVERT_OPTIONS_VERSION;
	opts->format = KDX_OUTPUT_KDUMP;
	opts->compression = KDX_COMPRESS_ZLIB;
}

struct kdx_error *kdx_convert_check_stop(const struct kdx_convert_options *opts)
{
	if (opts->version < 2 || !opts->stop || !*opts->stop)
		return NULL;
	return kdx_err_os(EINTR, "stopped (signal %d)", (int)*opts->stop);
}

/* What the output holds instead of the input's bytes, if anything: the
 * dump's OS entry says (os/page_filter.h). */
static struct kdx_error *make_filter(const struct kdx_dump *dump,
				     const struct kdx_convert_options *opts,
				     struct kdx_page_filter **out)
{
	struct kdx_kernel_options ko;

	kdx_kernel_options_init(&ko);
	if (opts->has_root) {
		ko.has_root = true;
		ko.root = opts->root;
	}
	return kdx_output_filter_create(dump, &ko, out);
}

static void filter_stats(const struct kdx_page_filter *f,
			 struct kdx_convert_stats *s)
{
	if (!f)
		return;
	s->pages_rewritten = f->tables;
	s->entries_rewritten = f->entries_rewritten;
	s->entries_cleared = f->entries_cleared;
	s->first_cleared = f->first_cleared;
	s->table_aliases = f->aliases;
	s->root = f->layout.has_root ? f->layout.root : 0;
}

/* Copy what the caller's struct has room for (its options' version). */
static void give_stats(const struct kdx_convert_options *opts,
		       const struct kdx_convert_stats *local,
		       struct kdx_convert_stats *stats)
{
	size_t size = opts->version >= 3 ?
			      sizeof(*stats) :
			      offsetof(struct kdx_convert_stats, pages_rewritten);

	memcpy(stats, local, size);
}

static struct kdx_error *write_view(const struct kdx_out_view *view,
				    const char *path,
				    const struct kdx_convert_options *opts,
				    struct kdx_convert_stats *local)
{
	struct kdx_sink *sink;
	struct kdx_error *err = kdx_sink_open(path, opts->flatten, &sink);

	if (err)
		return err;
	err = opts->format == KDX_OUTPUT_ELF ?
		      kdx_write_elf(view, sink, opts, local) :
		      kdx_write_kdump(view, sink, opts, local);
	if (!err)
		err = kdx_convert_check_stop(opts);
	if (!err)
		local->bytes_out = kdx_sink_bytes(sink);
	if (err) {
		kdx_sink_abort(sink);
		return kdx_err_wrap(err, "writing %s", path);
	}
	return kdx_sink_commit(sink);
}

/* The output's pages and tables: a machine placement (--machine), or
 * the OS entry's page filter, or neither. */
static struct kdx_error *make_view(const struct kdx_dump *dump,
				   const struct kdx_convert_options *opts,
				   struct kdx_page_filter **filter,
				   struct kdx_machine_map **machine)
{
	if (opts->version < 4 || !opts->machine)
		return make_filter(dump, opts, filter);
	if (opts->paging)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "--machine writes physical memory (at machine addresses), not --paging's virtual mappings");
	return kdx_machine_map_create(dump, machine);
}

struct kdx_error *kdx_convert(const struct kdx_dump *dump, const char *path,
			      const struct kdx_convert_options *opts,
			      struct kdx_convert_stats *stats)
{
	struct kdx_convert_options defaults;
	struct kdx_convert_stats local;
	struct kdx_page_filter *filter = NULL;
	struct kdx_machine_map *machine = NULL;
	struct kdx_out_view view = { dump, NULL, NULL };
	struct kdx_error *err;

	if (!opts) {
		kdx_convert_options_init(&defaults);
		opts = &defaults;
	}
	if (opts->format != KDX_OUTPUT_KDUMP && opts->format != KDX_OUTPUT_ELF)
		return kdx_err(KDX_ERR_UNSUPPORTED, "unknown output format %d",
			       (int)opts->format);
	if ((unsigned int)opts->compression > KDX_COMPRESS_ZSTD)
		return kdx_err(KDX_ERR_INVALID, "unknown compression %d",
			       (int)opts->compression);
	err = make_view(dump, opts, &filter, &machine);
	if (err)
		return err;
	view.filter = filter;
	view.machine = machine;
	memset(&local, 0, sizeof(local));
	err = write_view(&view, path, opts, &local);
	filter_stats(filter, &local);
	kdx_page_filter_destroy(filter);
	kdx_machine_map_destroy(machine);
	if (!err && stats)
		give_stats(opts, &local, stats);
	return err;
}
