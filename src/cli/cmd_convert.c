/* SPDX-License-Identifier: MIT */
/* kdx convert: write a dump in another format. */
#include "cli/cli.h"
#include "cli/json.h"

#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"Usage: kdx convert IN [IN...] OUT --to kdump|elf [options]\n"
	"\n"
	"Write the dump IN as a new file OUT.  Every page IN holds is written with\n"
	"the same bytes; what IN lacks (holes, pages filtered out) stays absent.\n"
	"OUT appears only when it is complete (it is written under a temporary\n"
	"name, synced, then renamed); '-' writes to standard output (--flatten).\n"
	"SIGINT, SIGTERM or SIGHUP stop it and remove the temporary file; one a\n"
	"killed kdx left (OUT.kdx-PID@HOST-XXXXXX) goes with the next conversion\n"
	"to OUT once that process is gone.\n"
	"The output is byte-identical whatever the number of threads.\n"
	"A Xen PV guest's dump (xc_core) is written as an ordinary Linux dump of\n"
	"its pseudo-physical memory: in the output (never in IN) the kernel's page\n"
	"tables hold pseudo-physical frames instead of machine frames, and entries\n"
	"whose frame is not the guest's are cleared; the report counts both.\n"
	"crash cannot read that output (for a Xen PV kernel it takes page-table\n"
	"entries as machine frames): for crash, write it with --machine.\n"
	"\n"
	"Options:\n"
	"  --to FORMAT        kdump: makedumpfile's kdump-compressed format\n"
	"                     elf: an ELF core as /proc/vmcore presents it (one\n"
	"                     PT_LOAD per physical range, p_vaddr in the direct map)\n"
	"  --machine          a Xen PV guest's dump for crash (ELF or\n"
	"                     kdump, not --paging): each pseudo-physical\n"
	"                     page at its machine address (the guest's p2m), page\n"
	"                     tables untouched, and Xen's crash-info note naming the\n"
	"                     guest's p2m frame list list, as a Xen kdump presents a\n"
	"                     domain (drgn and makedumpfile read the default output)\n"
	"\n"
	"ELF options:\n"
	"  --paging           one PT_LOAD per virtual mapping of the kernel's page\n"
	"                     tables, as QEMU's paging dumps (what gdb can read)\n"
	"  --root PADDR       with --paging: walk this page table (a CR3 value)\n"
	"  --no-dedup         with --paging: write each alias of a page separately\n"
	"  --zero-fill        write pages the input filtered out as zeros instead\n"
	"                     of leaving holes (kdump: write pages the input holds\n"
	"                     only in part, their missing bytes as zeros)\n"
	"\n"
	"kdump options:\n"
	"  --compress CODEC   zlib (default), lzo, snappy, zstd or none\n"
	"  --level N          codec level (default: the fast one, as makedumpfile)\n"
	"  --exclude zero     leave all-zero pages out (makedumpfile -d 1)\n"
	"  --threads N        compression threads (default: one per CPU)\n"
	"  --flatten          makedumpfile's flattened stream (makedumpfile -F)\n"
	"  --salvage          keep every readable page of a damaged dump: check\n"
	"                     every page first (kdx verify), leave the damaged\n"
	"                     ones out, report them on stderr and in a note\n"
	"  -q, --quiet        no progress line\n"
	"  --json             the report as one JSON object on standard output;\n"
	"                     with --salvage its \"salvage\" member holds what\n"
	"                     kdx verify --json would list (each lost range, its\n"
	"                     file offsets and error) and the pages kept\n"
	"  -h, --help         show this help\n" CLI_DUMP_OPTIONS_HELP;

static int run_convert(int argc, char **argv);

const struct cli_command cli_cmd_convert = {
	.name = "convert",
	.summary = "write a dump in another format (kdump-compressed, ELF)",
	.usage = usage,
	.run = run_convert,
};

/* The signal that asked us to stop, for kdx_convert_options.stop: the
 * library checks it between pieces of work and removes its temporary
 * file; then the signal is raised again, so the caller sees it. */
static volatile sig_atomic_t stop_signal;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void note_signal(int sig)
{
	stop_signal = sig;
}

static void catch_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = note_signal;
	sigemptyset(&sa.sa_mask);
	/* A signal ignored when we started (nohup, a background job) stays
	 * ignored. */
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(*stop_signals); i++) {
		struct sigaction old;

		if (sigaction(stop_signals[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
}

/* Die of the signal that stopped us, as if it had not been caught. */
static void reraise_stop_signal(void)
{
	int sig = stop_signal;

	if (!sig)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* OUT must not be one of the input's files (by another name, a hard
 * link): the rename at the end would replace the dump being read. */
static int check_output(const struct cli_dump_files *in, const char *out)
{
	struct stat o, i;

	if (!strcmp(out, "-") || stat(out, &o) < 0)
		return EXIT_OK;
	if (S_ISDIR(o.st_mode))
		return cli_usage_error(&cli_cmd_convert,
				       "%s is a directory; OUT names the file to write",
				       out);
	/* OUT is written as a temporary file renamed over OUT: that would
	 * replace a device or a FIFO (once /dev/null) with a regular file. */
	if (!S_ISREG(o.st_mode))
		return cli_usage_error(&cli_cmd_convert,
				       "%s is not a regular file; kdx writes OUT anew and renames it into place (use - for standard output)",
				       out);
	for (size_t k = 0; k < in->count; k++)
		if (stat(in->paths[k], &i) == 0 && i.st_dev == o.st_dev &&
		    i.st_ino == o.st_ino)
			return cli_usage_error(&cli_cmd_convert,
					       "%s is the input %s: converting would replace it",
					       out, in->paths[k]);
	return EXIT_OK;
}

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
	int *last = ctx;
	int pct = total ? (int)(done * 100 / total) : 100;

	if (pct == *last)
		return;
	*last = pct;
	fprintf(stderr, "\rkdx: converting: %3d%% (%" PRIu64 " of %" PRIu64
		" MiB)", pct, done >> 20, total >> 20);
}

static int parse_value(int opt, const char *arg,
		       struct kdx_convert_options *c)
{
	uint64_t v;

	switch (opt) {
	case 't':
		if (!strcmp(arg, "kdump"))
			c->format = KDX_OUTPUT_KDUMP;
		else if (!strcmp(arg, "elf"))
			c->format = KDX_OUTPUT_ELF;
		else
			return cli_usage_error(&cli_cmd_convert,
					       "--to: unknown format '%s' (kdump, elf)",
					       arg);
		return EXIT_OK;
	case 'r':
		if (!cli_parse_u64(arg, &c->root))
			return cli_usage_error(&cli_cmd_convert,
					       "--root: not an address: '%s'", arg);
		c->has_root = true;
		return EXIT_OK;
	case 'c':
		if (!kdx_compression_from_name(arg, &c->compression))
			return cli_usage_error(&cli_cmd_convert,
					       "--compress: unknown codec '%s'", arg);
		return EXIT_OK;
	case 'l':
		if (!cli_parse_u64(arg, &v) || v > 22)
			return cli_usage_error(&cli_cmd_convert,
					       "--level: not a level: '%s'", arg);
		c->level = (int)v;
		return EXIT_OK;
	case 'x':
		if (strcmp(arg, "zero"))
			return cli_usage_error(&cli_cmd_convert,
					       "--exclude: only 'zero' is known");
		c->exclude_zero = true;
		return EXIT_OK;
	case 'T':
		if (!cli_parse_u64(arg, &v) || v == 0 || v > 256)
			return cli_usage_error(&cli_cmd_convert,
					       "--threads: not 1..256: '%s'", arg);
		c->threads = (unsigned int)v;
		return EXIT_OK;
	}
	return cli_usage_error(&cli_cmd_convert, "bad option");
}

static void print_json(const char *out, const struct kdx_convert_options *o,
		       const struct kdx_convert_stats *s,
		       const struct cli_salvage_report *salvage)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "output");
	json_string(&j, out);
	json_key(&j, "format");
	json_string(&j, o->format == KDX_OUTPUT_ELF ? "elf" : "kdump");
	json_key(&j, "machine");
	json_bool(&j, o->machine);
	json_key(&j, "pages_dumped");
	json_u64(&j, s->pages_dumped);
	json_key(&j, "pages_zero");
	json_u64(&j, s->pages_zero);
	json_key(&j, "pages_excluded");
	json_u64(&j, s->pages_excluded);
	json_key(&j, "pages_partial");
	json_u64(&j, s->pages_partial);
	json_key(&j, "segments");
	json_u64(&j, s->segments);
	json_key(&j, "bytes_in");
	json_u64(&j, s->bytes_in);
	json_key(&j, "bytes_out");
	json_u64(&j, s->bytes_out);
	json_key(&j, "page_tables_rewritten");
	json_u64(&j, s->pages_rewritten);
	json_key(&j, "entries_rewritten");
	json_u64(&j, s->entries_rewritten);
	json_key(&j, "entries_cleared");
	json_u64(&j, s->entries_cleared);
	json_key(&j, "first_cleared");
	if (s->entries_cleared)
		json_u64(&j, s->first_cleared);
	else
		json_null(&j);
	json_key(&j, "table_aliases");
	json_u64(&j, s->table_aliases);
	json_key(&j, "root");
	if (s->pages_rewritten)
		json_u64(&j, s->root);
	else
		json_null(&j);
	json_key(&j, "salvage");
	cli_salvage_json(&j, salvage);
	json_object_end(&j);
	json_finish(&j);
}

static int run_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "compress", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "exclude", required_argument, NULL, 'x' },
		{ "threads", required_argument, NULL, 'T' },
		{ "flatten", no_argument, NULL, 'f' },
		{ "paging", no_argument, NULL, 'g' },
		{ "root", required_argument, NULL, 'r' },
		{ "no-dedup", no_argument, NULL, 'd' },
		{ "zero-fill", no_argument, NULL, 'z' },
		{ "machine", no_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "salvage", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct kdx_open_options opts;
	struct kdx_convert_options copts;
	struct kdx_convert_stats stats;
	struct cli_salvage_report report = { 0 };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	struct cli_dump_files in;
	const char *out;
	bool quiet = false, have_to = false, salvage = false, json = false;
	int opt, rc = EXIT_OK, last = -1;

	kdx_open_options_init(&opts);
	/* pread, not a map: failing storage must be an error that removes
	 * the temporary output, not SIGBUS, which would leave it. */
	opts.no_map = true;
	kdx_convert_options_init(&copts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, &opts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		if (opt == 'h')
			return cli_help(&cli_cmd_convert);
		if (strchr("qfgdzsjm", opt)) {
			quiet |= opt == 'q';
			json |= opt == 'j';
			salvage |= opt == 's';
			copts.flatten |= opt == 'f';
			copts.paging |= opt == 'g';
			copts.no_dedup |= opt == 'd';
			copts.zero_fill |= opt == 'z';
			copts.machine |= opt == 'm';
			continue;
		}
		if (opt == '?')
			return cli_usage_error(&cli_cmd_convert, "bad option");
		have_to |= opt == 't';
		rc = parse_value(opt, optarg, &copts);
		if (rc)
			return rc;
	}
	if (argc - optind < 2)
		return cli_usage_error(&cli_cmd_convert, "expected IN and OUT");
	/* The last is OUT; before it, the input's files (a --split set). */
	in.paths = (const char *const *)argv + optind;
	in.count = (size_t)(argc - optind - 1);
	out = argv[argc - 1];
	if (!have_to)
		return cli_usage_error(&cli_cmd_convert,
				       "say the output format: --to kdump or --to elf");
	if ((copts.paging || copts.no_dedup || copts.has_root) &&
	    copts.format != KDX_OUTPUT_ELF)
		return cli_usage_error(&cli_cmd_convert,
				       "--paging, --root and --no-dedup go with --to elf");
	if (copts.machine && copts.paging)
		return cli_usage_error(&cli_cmd_convert,
				       "--machine and --paging do not go together");
	rc = check_output(&in, out);
	if (rc)
		return rc;
	catch_stop_signals();
	copts.stop = &stop_signal;
	rc = cli_open_dump(&in, &opts, &dump);
	report.json = json;
	if (!rc && salvage)
		rc = cli_salvage(dump, &report);
	if (rc) {
		cli_salvage_report_free(&report);
		kdx_dump_destroy(dump);
		reraise_stop_signal();
		return rc;
	}
	if (!quiet && isatty(2)) {
		copts.progress = show_progress;
		copts.progress_ctx = &last;
	}
	err = kdx_convert(dump, out, &copts, &stats);
	if (copts.progress && last >= 0)
		fputc('\n', stderr);
	kdx_dump_destroy(dump);
	if (err)
		cli_salvage_report_free(&report);
	if (err && stop_signal) {
		kdx_error_destroy(err);
		fprintf(stderr, "kdx: stopped by signal %d: %s not written\n",
			(int)stop_signal, out);
		reraise_stop_signal();
	}
	if (err)
		return cli_report(err);
	if (stats.pages_partial && !copts.zero_fill)
		fprintf(stderr,
			"kdx: note: %" PRIu64 " pages from 0x%" PRIx64
			" on were only partly in the input; kdump pages are whole, so they are left out (--zero-fill writes them, their missing bytes as zeros)\n",
			stats.pages_partial, stats.first_partial);
	else if (stats.pages_partial)
		fprintf(stderr,
			"kdx: note: %" PRIu64 " pages from 0x%" PRIx64
			" on were only partly in the input; their missing bytes are zeros in the output (--zero-fill)\n",
			stats.pages_partial, stats.first_partial);
	if (json)
		print_json(out, &copts, &stats, &report);
	cli_salvage_report_free(&report);
	if (stats.pages_rewritten && !quiet)
		fprintf(stderr,
			"kdx: %s: %" PRIu64 " page-table pages rewritten for the output (machine frames -> pseudo-physical), %" PRIu64
			" entries rewritten, %" PRIu64 " cleared (frames not the guest's)%s; kernel root 0x%" PRIx64 "\n",
			out, stats.pages_rewritten, stats.entries_rewritten,
			stats.entries_cleared,
			stats.table_aliases ? ", tables reached at two levels kept as first reached" : "",
			stats.root);
	if (copts.machine && !quiet)
		fprintf(stderr,
			"kdx: %s: the guest's pages at their machine addresses, page tables as the guest wrote them, Xen's crash-info note naming its p2m (for crash)\n",
			out);
	if (!quiet && !json && copts.format == KDX_OUTPUT_ELF)
		fprintf(stderr,
			"kdx: wrote %s: %" PRIu64 " program headers, %" PRIu64
			" bytes of memory, %" PRIu64 " bytes\n",
			out, stats.segments, stats.bytes_in,
			stats.bytes_out);
	else if (!quiet && !json)
		fprintf(stderr,
			"kdx: wrote %s: %" PRIu64 " pages dumped (%" PRIu64
			" zero), %" PRIu64 " excluded, %" PRIu64 " bytes\n",
			out, stats.pages_dumped, stats.pages_zero,
			stats.pages_excluded, stats.bytes_out);
	return EXIT_OK;
}
