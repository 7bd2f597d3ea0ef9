/* SPDX-License-Identifier: MIT */
/* kdx vtop: translate virtual addresses, showing the walk with -v. */
#include "cli/json.h"
#include "cli/xlat_args.h"

#include <inttypes.h>
#include <stdlib.h>

static const char usage[] =
	"Usage: kdx vtop DUMP ADDR... [-v] [--json] [options]\n"
	"\n"
	"Translate kernel virtual addresses to physical ones by walking the\n"
	"dump's page tables: physical address, page size and flags (r/w/x,\n"
	"k(ernel)/u(ser), g(lobal), pwt, pcd, pat, accessed, dirty).  With -v,\n"
	"each level's table, index, entry address and raw entry, as crash's\n"
	"vtop shows them.  Exit status 1 if an address is not mapped.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose     show every level of the walk\n"
	"  --json            one JSON object; every translation lists its levels\n"
	"  -h, --help        show this help\n" CLI_XLAT_OPTIONS_HELP
	CLI_DUMP_OPTIONS_HELP;

static int run_vtop(int argc, char **argv);

const struct cli_command cli_cmd_vtop = {
	.name = "vtop",
	.summary = "translate virtual addresses to physical (page-table walk)",
	.usage = usage,
	.run = run_vtop,
};

struct vtop_args {
	bool verbose, json;
	struct kdx_open_options opts;
	struct kdx_kernel_options kopts;
	char **addrs;
	int naddrs;
	struct cli_dump_files files;
};

static void print_levels(const struct kdx_xlat_trace *t)
{
	for (unsigned int i = 0; i < t->count; i++) {
		const struct kdx_xlat_step *s = &t->steps[i];

		printf("  %-5s table 0x%-12" PRIx64 " [%4u]  entry at 0x%-12" PRIx64
		       " => 0x%0*" PRIx64 "\n",
		       s->level, s->table, s->index, s->entry_addr,
		       (int)s->size * 2, s->entry);
	}
}

static void print_text(uint64_t va, const struct kdx_xlat_result *r,
		       const struct kdx_xlat_trace *t,
		       const struct kdx_error *err, bool verbose)
{
	char flags[64], size[16];

	if (err)
		printf("%016" PRIx64 "  not mapped: %s\n", va,
		       kdx_error_message(err));
	else
		printf("%016" PRIx64 "  %016" PRIx64 "  %-4s  %s\n", va,
		       r->paddr, cli_page_size(r->page_size, size, sizeof(size)),
		       cli_page_flags(r->flags, flags, sizeof(flags)));
	if (!verbose)
		return;
	print_levels(t);
	if (!err)
		printf("  PAGE  0x%" PRIx64 " + offset 0x%" PRIx64 "\n\n",
		       r->paddr & ~(r->page_size - 1),
		       r->paddr & (r->page_size - 1));
	else
		printf("\n");
}

static void json_flags(struct json *j, unsigned int flags)
{
	json_array_begin(j);
	for (size_t i = 0; i < cli_flag_name_count; i++)
		if (flags & cli_flag_names[i].flag)
			json_string(j, cli_flag_names[i].name);
	json_array_end(j);
}

static void json_levels(struct json *j, const struct kdx_xlat_trace *t)
{
	json_key(j, "levels");
	json_array_begin(j);
	for (unsigned int i = 0; i < t->count; i++) {
		json_object_begin(j);
		json_key(j, "level");
		json_string(j, t->steps[i].level);
		json_key(j, "table");
		json_u64(j, t->steps[i].table);
		json_key(j, "index");
		json_u64(j, t->steps[i].index);
		json_key(j, "entry_addr");
		json_u64(j, t->steps[i].entry_addr);
		json_key(j, "entry");
		json_u64(j, t->steps[i].entry);
		json_object_end(j);
	}
	json_array_end(j);
}

static void print_json(struct json *j, uint64_t va,
		       const struct kdx_xlat_result *r,
		       const struct kdx_xlat_trace *t,
		       const struct kdx_error *err)
{
	json_object_begin(j);
	json_key(j, "vaddr");
	json_u64(j, va);
	if (err) {
		json_key(j, "error");
		json_string(j, kdx_error_message(err));
		json_key(j, "error_code");
		json_string(j, kdx_error_code_name(kdx_error_code(err)));
	} else {
		json_key(j, "paddr");
		json_u64(j, r->paddr);
		json_key(j, "page_size");
		json_u64(j, r->page_size);
		json_key(j, "flags");
		json_flags(j, r->flags);
	}
	json_levels(j, t);
	json_object_end(j);
}

static int translate_all(const struct vtop_args *a, struct kdx_xlat *xlat,
			 struct json *j)
{
	int rc = EXIT_OK;

	for (int i = 0; i < a->naddrs; i++) {
		uint64_t va = 0;
		struct kdx_xlat_result r = { 0 };
		struct kdx_xlat_trace t;
		struct kdx_error *err;

		cli_parse_u64(a->addrs[i], &va); /* checked in parse_args */
		err = kdx_xlat_trace(xlat, va, &r, &t);
		if (j)
			print_json(j, va, &r, &t, err);
		else
			print_text(va, &r, &t, err, a->verbose);
		if (err && rc == EXIT_OK)
			rc = kdx_error_code(err) == KDX_ERR_INVALID ? EXIT_USAGE :
								     EXIT_DUMP;
		kdx_error_destroy(err);
	}
	return rc;
}

static int run_translations(const struct vtop_args *a, struct kdx_xlat *xlat,
			    const struct kdx_kernel_layout *layout)
{
	struct json j;
	int rc;

	if (!a->json) {
		if (a->verbose)
			printf("%s paging, root 0x%" PRIx64 " (%s)\n\n",
			       kdx_paging_mode_name(kdx_xlat_mode(xlat)),
			       kdx_xlat_root(xlat), layout->root_source);
		printf("%-16s  %-16s  %-4s  %s\n", "VIRTUAL", "PHYSICAL", "PAGE",
		       "FLAGS");
		return translate_all(a, xlat, NULL);
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "mode");
	json_string(&j, kdx_paging_mode_name(kdx_xlat_mode(xlat)));
	json_key(&j, "root");
	json_u64(&j, kdx_xlat_root(xlat));
	json_key(&j, "root_source");
	json_string(&j, layout->root_source);
	if (layout->has_root_low) {
		json_key(&j, "root_low");
		json_u64(&j, layout->root_low);
	}
	json_key(&j, "translations");
	json_array_begin(&j);
	rc = translate_all(a, xlat, &j);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	return rc;
}

static int parse_args(int argc, char **argv, struct vtop_args *a)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		CLI_XLAT_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;
	uint64_t va;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, &a->opts, &rc) ||
		    cli_xlat_option(opt, optarg, &a->kopts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'v': a->verbose = true; break;
		case 'j': a->json = true; break;
		case 'h': return -1;
		default: return cli_usage_error(&cli_cmd_vtop, "bad option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_error(&cli_cmd_vtop, "expected DUMP ADDR...");
	/* The dump's files (a --split set has several), then addresses. */
	a->files.paths = (const char *const *)argv + optind;
	a->files.count = 1 + cli_existing_files(argv + optind + 1,
						(size_t)(argc - optind - 2));
	a->addrs = argv + optind + a->files.count;
	a->naddrs = argc - optind - (int)a->files.count;
	for (int i = 0; i < a->naddrs; i++)
		if (!cli_parse_u64(a->addrs[i], &va))
			return cli_usage_error(&cli_cmd_vtop,
					       "not an address: '%s'", a->addrs[i]);
	return EXIT_OK;
}

/* cli_with_xlat()'s callback: the dump and xlat are set up. */
static int run_translations_cb(void *arg, const struct kdx_dump *dump,
		 struct kdx_xlat *xlat, const struct kdx_kernel_layout *layout)
{
	(void)dump;
	return run_translations(arg, xlat, layout);
}

static int run_vtop(int argc, char **argv)
{
	struct vtop_args a = { 0 };
	int rc;

	kdx_open_options_init(&a.opts);
	kdx_kernel_options_init(&a.kopts);
	rc = parse_args(argc, argv, &a);
	if (rc < 0)
		return cli_help(&cli_cmd_vtop);
	if (rc)
		return rc;
	return cli_with_xlat(&a.files, &a.opts, &a.kopts, run_translations_cb, &a);
}
