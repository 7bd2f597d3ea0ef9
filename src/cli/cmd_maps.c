/* SPDX-License-Identifier: MIT */
/* kdx maps: every present mapping of a page table, merged into runs. */
#include "cli/json.h"
#include "cli/maps_xen.h"
#include "cli/xlat_args.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: kdx maps DUMP [--start VA] [--end VA] [--no-merge] [--json] [options]\n"
	"       kdx maps DUMP --xen-p2m [--xen-domain N] [--json]\n"
	"\n"
	"List every present mapping of a page table (the kernel's by default),\n"
	"in virtual-address order.  Consecutive pages are merged into one range\n"
	"while virtual and physical addresses are both contiguous and the flags\n"
	"agree (accessed/dirty are ignored), like QEMU's memory-mapping list.\n"
	"Each table is read once per entry pointing to it.  Tables that cannot\n"
	"be read and malformed entries are reported on stderr and skipped; the\n"
	"exit status is then 1.  More than 8 ranges per page of the dump's memory\n"
	"(at least a million) are cut, with exit status 1: tables that point at each\n"
	"other would list the same memory without end.\n"
	"\n"
	"Options:\n"
	"  --start VA        first virtual address to list (default 0)\n"
	"  --end VA          last virtual address to list (inclusive)\n"
	"  --no-merge        one line per page-table leaf entry\n"
	"  --json            one JSON object (\"end\" is exclusive)\n"
	"  --xen-p2m         a Xen PV guest's p2m as Linux keeps it (its linear\n"
	"                    list, else its frame-list tree), read from its memory:\n"
	"                    one \"PFN MFN\" line per pfn that is not missing (then\n"
	"                    \"identity\" or \"foreign\" for such entries); pages\n"
	"                    of the p2m named again (left out) and frames given to\n"
	"                    several pfns are warned about, exit status 1\n"
	"  --xen-domain N    with --xen-p2m on a dump of a Xen host's machine\n"
	"                    memory: the N-th PV domain found there (kdx info lists\n"
	"                    them; 0, the default, is dom0 when it is found)\n"
	"  -h, --help        show this help\n" CLI_XLAT_OPTIONS_HELP
	CLI_DUMP_OPTIONS_HELP;

static int run_maps(int argc, char **argv);

const struct cli_command cli_cmd_maps = {
	.name = "maps",
	.summary = "list a page table's mappings (merged ranges)",
	.usage = usage,
	.run = run_maps,
};

struct maps_args {
	bool json;
	bool xen_p2m;
	long xen_domain; /* -1: the dump's own guest, else dom0 */
	unsigned int flags;
	uint64_t start, end;
	struct kdx_open_options opts;
	struct kdx_kernel_options kopts;
	struct cli_dump_files files;
};

/* Mappings never cut below: QEMU's paging dumps can hold more than
 * 65534 (PN_XNUM), and a million costs tens of MB. */
#define MAPPINGS_FLOOR (1u << 20)

struct maps_out {
	struct json *j; /* NULL: text */
	uint64_t count, bytes, problems;
	uint64_t limit;  /* ranges listed at most */
	bool cut;        /* the limit stopped the listing */
	uint64_t cut_at; /* the first address not listed */
};

/* Ranges listed at most: tables that point at each other list the same
 * memory without end (2^27 ranges from a 64 KiB image), while a kernel
 * maps each page of its memory a few times.  Eight ranges per page the
 * dump describes, and never fewer than a million. */
static uint64_t range_limit(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t pages = 0, page = kdx_dump_page_size(dump);

	for (size_t i = 0; i < n; i++)
		pages += r[i].size / page + 1;
	return pages > (UINT64_MAX >> 3) ? UINT64_MAX :
	       pages * 8 > MAPPINGS_FLOOR ? pages * 8 : MAPPINGS_FLOOR;
}

static void page_sizes_text(uint64_t sizes, char *buf, size_t len)
{
	char one[16];
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int b = 12; b < 64 && used < len; b++) {
		if (!(sizes & (1ull << b)))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "+" : "",
					 cli_page_size(1ull << b, one, sizeof(one)));
	}
}

static void json_mapping(struct json *j, const struct kdx_mapping *m)
{
	json_object_begin(j);
	json_key(j, "start");
	json_u64(j, m->vaddr);
	json_key(j, "end");
	json_u64(j, m->vaddr + m->size);
	json_key(j, "size");
	json_u64(j, m->size);
	/* A Xen PV guest's runs are machine-contiguous, not physically. */
	json_key(j, m->space == KDX_MACHPHYSADDR ? "machine" : "phys");
	json_u64(j, m->paddr);
	json_key(j, "page_sizes");
	json_array_begin(j);
	for (unsigned int b = 12; b < 64; b++)
		if (m->page_sizes & (1ull << b))
			json_u64(j, 1ull << b);
	json_array_end(j);
	json_key(j, "flags");
	json_array_begin(j);
	for (size_t i = 0; i < cli_flag_name_count; i++)
		if (m->flags & cli_flag_names[i].flag)
			json_string(j, cli_flag_names[i].name);
	json_array_end(j);
	json_object_end(j);
}

static bool on_mapping(void *arg, const struct kdx_mapping *m)
{
	struct maps_out *o = arg;
	char size[32], pages[32], flags[64];

	if (o->count >= o->limit) {
		o->cut = true;
		o->cut_at = m->vaddr;
		return false;
	}
	o->count++;
	o->bytes += m->size;
	if (o->j) {
		json_mapping(o->j, m);
		return true;
	}
	page_sizes_text(m->page_sizes, pages, sizeof(pages));
	printf("%016" PRIx64 "-%016" PRIx64 "  %016" PRIx64 "  %10s  %-5s  %s\n",
	       m->vaddr, m->vaddr + (m->size - 1), m->paddr,
	       cli_size(m->size, size, sizeof(size)), pages,
	       cli_page_flags(m->flags, flags, sizeof(flags)));
	return true;
}

static bool on_problem(void *arg, const struct kdx_error *err)
{
	struct maps_out *o = arg;

	o->problems++;
	fprintf(stderr, "kdx: warning: %s\n", kdx_error_message(err));
	return true;
}

static void json_head(struct json *j, struct kdx_xlat *xlat,
		      const struct kdx_kernel_layout *layout)
{
	json_object_begin(j);
	json_key(j, "mode");
	json_string(j, kdx_paging_mode_name(kdx_xlat_mode(xlat)));
	json_key(j, "root");
	json_u64(j, kdx_xlat_root(xlat));
	json_key(j, "root_source");
	json_string(j, layout->root_source);
	if (layout->has_root_low) {
		json_key(j, "root_low");
		json_u64(j, layout->root_low);
	}
	json_key(j, "mappings");
	json_array_begin(j);
}

static void json_tail(struct json *j, const struct maps_out *o)
{
	json_array_end(j);
	json_key(j, "count");
	json_u64(j, o->count);
	json_key(j, "mapped_bytes");
	json_u64(j, o->bytes);
	json_key(j, "problems");
	json_u64(j, o->problems);
	json_key(j, "complete");
	json_bool(j, !o->cut);
	json_object_end(j);
	json_finish(j);
}

static int list_maps(const struct maps_args *a, const struct kdx_dump *dump,
		     struct kdx_xlat *xlat,
		     const struct kdx_kernel_layout *layout)
{
	struct json j;
	struct maps_out o = { a->json ? &j : NULL, 0, 0, 0, range_limit(dump),
			      false, 0 };
	struct kdx_error *err;
	char total[32];

	if (a->json) {
		json_init(&j, stdout);
		json_head(&j, xlat, layout);
	} else {
		printf("# %s paging, root 0x%" PRIx64 " (%s)\n",
		       kdx_paging_mode_name(kdx_xlat_mode(xlat)),
		       kdx_xlat_root(xlat), layout->root_source);
		if (layout->has_root_low)
			printf("# low root 0x%" PRIx64 " (%s)\n",
			       layout->root_low, layout->root_low_source);
		printf("# %-33s  %-16s  %10s  %-5s  %s\n", "VIRTUAL (inclusive)",
		       kdx_xlat_space(xlat) == KDX_MACHPHYSADDR ? "MACHINE" :
								  "PHYSICAL",
		       "SIZE", "PAGES", "FLAGS");
	}
	err = kdx_xlat_maps(xlat, a->start, a->end, a->flags, on_mapping,
			    on_problem, &o);
	if (a->json)
		json_tail(&j, &o);
	else
		printf("# %" PRIu64 " ranges, %s mapped%s\n", o.count,
		       cli_size(o.bytes, total, sizeof(total)),
		       o.problems ? ", with problems (see stderr)" : "");
	if (err)
		return cli_report(err);
	if (o.cut) {
		fprintf(stderr,
			"kdx: maps: cut at 0x%" PRIx64 " after %" PRIu64
			" ranges, more than 8 per page of the dump's memory: page tables that point at each other? (--start and --end list a part)\n",
			o.cut_at, o.count);
		return EXIT_DUMP;
	}
	return o.problems ? EXIT_DUMP : EXIT_OK;
}

static int parse_args(int argc, char **argv, struct maps_args *a)
{
	enum { OPT_START = 0x300, OPT_END, OPT_NO_MERGE, OPT_XEN_P2M,
	       OPT_XEN_DOMAIN };
	static const struct option longopts[] = {
		{ "start", required_argument, NULL, OPT_START },
		{ "end", required_argument, NULL, OPT_END },
		{ "no-merge", no_argument, NULL, OPT_NO_MERGE },
		{ "xen-p2m", no_argument, NULL, OPT_XEN_P2M },
		{ "xen-domain", required_argument, NULL, OPT_XEN_DOMAIN },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		CLI_XLAT_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, &a->opts, &rc) ||
		    cli_xlat_option(opt, optarg, &a->kopts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case OPT_START:
			if (!cli_parse_u64(optarg, &a->start))
				return cli_usage_error(&cli_cmd_maps, "--start: not an address: '%s'", optarg);
			break;
		case OPT_END:
			if (!cli_parse_u64(optarg, &a->end))
				return cli_usage_error(&cli_cmd_maps, "--end: not an address: '%s'", optarg);
			break;
		case OPT_NO_MERGE: a->flags |= KDX_MAPS_NO_MERGE; break;
		case OPT_XEN_P2M: a->xen_p2m = true; break;
		case OPT_XEN_DOMAIN: {
			uint64_t v;

			if (!cli_parse_u64(optarg, &v) || v > 1u << 20)
				return cli_usage_error(&cli_cmd_maps, "--xen-domain: not an index: '%s'", optarg);
			a->xen_domain = (long)v;
			break;
		}
		case 'j': a->json = true; break;
		case 'h': return -1;
		default: return cli_usage_error(&cli_cmd_maps, "bad option");
		}
	}
	if (argc - optind < 1)
		return cli_usage_error(&cli_cmd_maps, "expected a DUMP");
	if (a->start > a->end)
		return cli_usage_error(&cli_cmd_maps, "--start is above --end");
	if (a->xen_domain >= 0 && !a->xen_p2m)
		return cli_usage_error(&cli_cmd_maps, "--xen-domain goes with --xen-p2m");
	a->files.paths = (const char *const *)argv + optind;
	a->files.count = (size_t)(argc - optind);
	return EXIT_OK;
}

/* cli_with_xlat()'s callback: the dump and xlat are set up. */
static int list_maps_cb(void *arg, const struct kdx_dump *dump,
		 struct kdx_xlat *xlat, const struct kdx_kernel_layout *layout)
{
	return list_maps(arg, dump, xlat, layout);
}

static int run_maps(int argc, char **argv)
{
	struct maps_args a = { .end = UINT64_MAX, .xen_domain = -1 };
	int rc;

	kdx_open_options_init(&a.opts);
	kdx_kernel_options_init(&a.kopts);
	rc = parse_args(argc, argv, &a);
	if (rc < 0)
		return cli_help(&cli_cmd_maps);
	if (rc)
		return rc;
	if (a.xen_p2m) {
		struct kdx_dump *dump;

		rc = cli_open_dump(&a.files, &a.opts, &dump);
		if (rc)
			return rc;
		rc = cli_maps_xen_p2m(dump, a.xen_domain, a.json);
		kdx_dump_destroy(dump);
		return rc;
	}
	return cli_with_xlat(&a.files, &a.opts, &a.kopts, list_maps_cb, &a);
}
