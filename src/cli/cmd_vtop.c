/* SPDX-License-Identifier: MIT */
/* kdx vtop: translate virtual addresses, showing the walk with -v. */
#include "cli/json.h"
#include "cli/xlat_args.h"

#include <inttypes.h>
#include <stdlib.h>

static const char usage[] =
	"Usage: kdx vtop DUMP ADDR... [-v] [--json] [--machine] [options]\n"
	"\n"
	"Translate kernel virtual addresses to physical ones by walking the\n"
	"dump's page tables: physical address, page size and flags (r/w/x,\n"
	"k(ernel)/u(ser), g(lobal), pwt, pcd, pat, accessed, dirty).  With -v,\n"
	"each level's table, index, entry address and raw entry, as crash's\n"
	"vtop shows them.  For a Xen PV guest, whose page tables hold machine\n"
	"frames, every address is shown as machine and pseudo-physical.  With\n"
	"--machine, ADDRs are machine addresses, shown with their pseudo-physical\n"
	"ones (the dump's m2p).  Exit status 1 if an address is not mapped.\n"
	"\n"
	"Options:\n"
	"  -v, --verbose     show every level of the walk\n"
	"  --json            one JSON object; every translation lists its levels\n"
	"  --machine         ADDRs are machine addresses (Xen PV guests)\n"
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
	bool verbose, json, machine;
	const struct kdx_dump *dump;
	struct kdx_open_options opts;
	struct kdx_kernel_options kopts;
	char **addrs;
	int naddrs;
	struct cli_dump_files files;
};

/* The pseudo-physical address of a machine one, as text ("-" when no pfn
 * maps it), with 0x or as a 16-digit column. */
static const char *pseudo_phys(const struct kdx_dump *dump, uint64_t maddr,
			       bool column, char *buf, size_t len)
{
	uint64_t paddr;
	struct kdx_error *err = kdx_machine_to_phys(dump, maddr, &paddr);

	if (err)
		snprintf(buf, len, "%s", column ? "               -" : "-");
	else
		snprintf(buf, len, column ? "%016" PRIx64 : "0x%" PRIx64, paddr);
	kdx_error_destroy(err);
	return buf;
}

static void print_levels(const struct vtop_args *a,
			 const struct kdx_xlat_trace *t)
{
	for (unsigned int i = 0; i < t->count; i++) {
		const struct kdx_xlat_step *s = &t->steps[i];
		char pa[24];

		printf("  %-5s table 0x%-12" PRIx64 " [%4u]  entry at 0x%-12" PRIx64
		       " => 0x%0*" PRIx64,
		       s->level, s->table, s->index, s->entry_addr,
		       (int)s->size * 2, s->entry);
		if (s->space == KDX_MACHPHYSADDR)
			printf("  (machine; table at pseudo-physical %s)",
			       pseudo_phys(a->dump, s->table, false, pa, sizeof(pa)));
		printf("\n");
	}
}

static void print_text(const struct vtop_args *a, uint64_t va,
		       const struct kdx_xlat_result *r,
		       const struct kdx_xlat_trace *t,
		       const struct kdx_error *err, bool verbose)
{
	char flags[64], size[16], pa[24];

	if (err)
		printf("%016" PRIx64 "  not mapped: %s\n", va,
		       kdx_error_message(err));
	else if (r->space == KDX_MACHPHYSADDR)
		printf("%016" PRIx64 "  %s  %016" PRIx64 "  %-4s  %s\n", va,
		       pseudo_phys(a->dump, r->paddr, true, pa, sizeof(pa)),
		       r->paddr,
		       cli_page_size(r->page_size, size, sizeof(size)),
		       cli_page_flags(r->flags, flags, sizeof(flags)));
	else
		printf("%016" PRIx64 "  %016" PRIx64 "  %-4s  %s\n", va,
		       r->paddr, cli_page_size(r->page_size, size, sizeof(size)),
		       cli_page_flags(r->flags, flags, sizeof(flags)));
	if (!verbose)
		return;
	print_levels(a, t);
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

/* "paddr" is always physical (pseudo-physical for a Xen guest); a
 * machine address adds "maddr". */
static void json_addr(struct json *j, const struct kdx_dump *dump,
		      const char *key, const char *mkey, uint64_t addr,
		      enum kdx_addr_space space)
{
	uint64_t paddr;
	struct kdx_error *err;

	if (space != KDX_MACHPHYSADDR) {
		json_key(j, key);
		json_u64(j, addr);
		return;
	}
	json_key(j, mkey);
	json_u64(j, addr);
	err = kdx_machine_to_phys(dump, addr, &paddr);
	if (!err) {
		json_key(j, key);
		json_u64(j, paddr);
	}
	kdx_error_destroy(err);
}

static void json_levels(struct json *j, const struct kdx_dump *dump,
			const struct kdx_xlat_trace *t)
{
	json_key(j, "levels");
	json_array_begin(j);
	for (unsigned int i = 0; i < t->count; i++) {
		json_object_begin(j);
		json_key(j, "level");
		json_string(j, t->steps[i].level);
		json_addr(j, dump, "table", "table_maddr", t->steps[i].table,
			  t->steps[i].space);
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

static void print_json(struct json *j, const struct kdx_dump *dump,
		       uint64_t va,
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
		json_addr(j, dump, "paddr", "maddr", r->paddr, r->space);
		json_key(j, "page_size");
		json_u64(j, r->page_size);
		json_key(j, "flags");
		json_flags(j, r->flags);
	}
	json_levels(j, dump, t);
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
			print_json(j, a->dump, va, &r, &t, err);
		else
			print_text(a, va, &r, &t, err, a->verbose);
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
		if (kdx_xlat_space(xlat) == KDX_MACHPHYSADDR)
			printf("%-16s  %-16s  %-16s  %-4s  %s\n", "VIRTUAL",
			       "PHYSICAL", "MACHINE", "PAGE", "FLAGS");
		else
			printf("%-16s  %-16s  %-4s  %s\n", "VIRTUAL",
			       "PHYSICAL", "PAGE", "FLAGS");
		return translate_all(a, xlat, NULL);
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "mode");
	json_string(&j, kdx_paging_mode_name(kdx_xlat_mode(xlat)));
	json_key(&j, "root");
	json_u64(&j, kdx_xlat_root(xlat));
	json_key(&j, "root_space");
	json_string(&j, kdx_addr_space_name(kdx_xlat_space(xlat)));
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
		{ "machine", no_argument, NULL, 'm' },
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
		case 'm': a->machine = true; break;
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
	struct vtop_args *a = arg;

	a->dump = dump;
	return run_translations(a, xlat, layout);
}

/* --machine: each machine address and its pseudo-physical one. */
static int machine_addresses(struct vtop_args *a)
{
	struct kdx_dump *dump;
	int rc = cli_open_dump(&a->files, &a->opts, &dump);

	if (rc)
		return rc;
	if (!kdx_dump_has_machine(dump)) {
		fprintf(stderr,
			"kdx: %s has no machine addresses (only a Xen PV guest's dump does)\n",
			a->files.paths[0]);
		kdx_dump_destroy(dump);
		return EXIT_USAGE;
	}
	printf("%-16s  %s\n", "MACHINE", "PHYSICAL");
	for (int i = 0; i < a->naddrs; i++) {
		uint64_t ma = 0, pa;
		struct kdx_error *err;

		cli_parse_u64(a->addrs[i], &ma);
		err = kdx_machine_to_phys(dump, ma, &pa);
		if (err)
			printf("%016" PRIx64 "  not in the dump: %s\n", ma,
			       kdx_error_message(err));
		else
			printf("%016" PRIx64 "  %016" PRIx64 "\n", ma, pa);
		if (err)
			rc = EXIT_DUMP;
		kdx_error_destroy(err);
	}
	kdx_dump_destroy(dump);
	return rc;
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
	if (a.machine)
		return machine_addresses(&a);
	return cli_with_xlat(&a.files, &a.opts, &a.kopts, run_translations_cb, &a);
}
