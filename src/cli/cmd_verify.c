/* SPDX-License-Identifier: MIT */
/* kdx verify: check a dump whole (kdx_dump_verify) and list its damage. */
#include "cli/cli.h"
#include "cli/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: kdx verify DUMP [--json] [options]\n"
	"\n"
	"Check a dump whole: every header field, segment, page descriptor and\n"
	"note the dump has, VMCOREINFO against the headers, and every page it\n"
	"holds, read and decompressed.  Each problem is one line; damaged pages\n"
	"are listed as physical ranges with the file offsets of their first and\n"
	"last page.  Exit status 0 only for a sound dump, 1 if anything is\n"
	"damaged (or the dump cannot be opened at all).\n"
	"\n"
	"Options:\n"
	"  --json            one JSON object: problems, pages checked, sound\n"
	"  -h, --help        show this help\n" CLI_DUMP_OPTIONS_HELP;

static int run_verify(int argc, char **argv);

const struct cli_command cli_cmd_verify = {
	.name = "verify",
	.summary = "check every header, note and page; list the damage",
	.usage = usage,
	.run = run_verify,
};

static const char *const area_names[] = {
	[KDX_VERIFY_HEADERS] = "headers",
	[KDX_VERIFY_VMCOREINFO] = "vmcoreinfo",
	[KDX_VERIFY_PAGES] = "pages",
};

struct verify_out {
	struct json *json; /* NULL: text */
};

static void print_problem_text(const struct kdx_verify_problem *p)
{
	if (p->area == KDX_VERIFY_PAGES)
		printf("damaged  physical 0x%016" PRIx64 "-0x%016" PRIx64
		       " (%" PRIu64 " bytes)",
		       p->phys_start, p->phys_start + p->phys_size - 1,
		       p->phys_size);
	else
		printf("%-8s", area_names[p->area]);
	if (p->has_file_offset)
		printf("  file 0x%" PRIx64 "-0x%" PRIx64, p->file_first,
		       p->file_last);
	printf(": %s\n", p->message);
}

static void print_problem_json(struct json *j, const struct kdx_verify_problem *p)
{
	json_object_begin(j);
	json_key(j, "area");
	json_string(j, area_names[p->area]);
	if (p->area == KDX_VERIFY_PAGES) {
		json_key(j, "phys_start");
		json_u64(j, p->phys_start);
		json_key(j, "phys_size");
		json_u64(j, p->phys_size);
	}
	if (p->has_file_offset) {
		json_key(j, "file_first");
		json_u64(j, p->file_first);
		json_key(j, "file_last");
		json_u64(j, p->file_last);
	}
	json_key(j, "message");
	json_string(j, p->message);
	json_object_end(j);
}

static bool on_problem(const struct kdx_verify_problem *p, void *arg)
{
	struct verify_out *out = arg;

	if (out->json)
		print_problem_json(out->json, p);
	else
		print_problem_text(p);
	return true;
}

static void print_summary(struct json *j, const struct kdx_verify_stats *s,
			  const char *open_error)
{
	bool sound = !open_error && !s->problems;

	if (!j) {
		if (open_error)
			printf("unreadable: %s\n", open_error);
		printf("%s: %" PRIu64 " pages (%" PRIu64 " bytes) read, %" PRIu64
		       " damaged, %" PRIu64 " problems\n",
		       sound ? "sound" : "damaged", s->pages, s->bytes,
		       s->bad_pages, s->problems + (open_error != NULL));
		return;
	}
	json_array_end(j);
	if (open_error) {
		json_key(j, "open_error");
		json_string(j, open_error);
	}
	json_key(j, "pages");
	json_u64(j, s->pages);
	json_key(j, "bytes");
	json_u64(j, s->bytes);
	json_key(j, "bad_pages");
	json_u64(j, s->bad_pages);
	json_key(j, "sound");
	json_bool(j, sound);
	json_object_end(j);
	json_finish(j);
}

static int parse_args(int argc, char **argv, bool *json,
		      struct kdx_open_options *opts,
		      struct cli_dump_files *files)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, opts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'j': *json = true; break;
		case 'h': return -1;
		default: return cli_usage_error(&cli_cmd_verify, "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(&cli_cmd_verify, "expected DUMP");
	files->paths = (const char *const *)argv + optind;
	files->count = (size_t)(argc - optind);
	return EXIT_OK;
}

static int run_verify(int argc, char **argv)
{
	struct kdx_open_options opts;
	struct cli_dump_files files = { 0 };
	struct kdx_verify_stats stats = { 0 };
	struct verify_out out = { 0 };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	struct json j;
	bool json = false;
	int rc;

	kdx_open_options_init(&opts);
	/* pread, not a map: an unreadable block is damage to report, not
	 * SIGBUS. */
	opts.no_map = true;
	rc = parse_args(argc, argv, &json, &opts, &files);
	if (rc < 0)
		return cli_help(&cli_cmd_verify);
	if (rc)
		return rc;
	err = kdx_dump_open_files(files.paths, files.count, &opts, &dump);
	/* A dump that cannot be opened is damaged (exit 1), unless the
	 * files are not there or the format is not one kdx reads. */
	if (err && (kdx_error_code(err) == KDX_ERR_CORRUPT ||
		    kdx_error_code(err) == KDX_ERR_NODATA)) {
		if (json) {
			json_init(&j, stdout);
			json_object_begin(&j);
			json_key(&j, "problems");
			json_array_begin(&j);
		}
		print_summary(json ? &j : NULL, &stats, kdx_error_message(err));
		kdx_error_destroy(err);
		return EXIT_DUMP;
	}
	if (err)
		return cli_report(err);
	if (json) {
		out.json = &j;
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "problems");
		json_array_begin(&j);
	}
	err = kdx_dump_verify(dump, on_problem, &out, &stats);
	kdx_dump_destroy(dump);
	if (err)
		return cli_report(err);
	print_summary(out.json, &stats, NULL);
	return stats.problems ? EXIT_DUMP : EXIT_OK;
}

static void print_lost_text(const struct kdx_verify_problem *p)
{
	fputs("kdx: salvage: ", stderr);
	if (p->area == KDX_VERIFY_PAGES)
		fprintf(stderr, "lost physical 0x%" PRIx64 "-0x%" PRIx64,
			p->phys_start, p->phys_start + p->phys_size - 1);
	else
		fputs(area_names[p->area], stderr);
	if (p->has_file_offset)
		fprintf(stderr, " (file 0x%" PRIx64 "-0x%" PRIx64 ")",
			p->file_first, p->file_last);
	fprintf(stderr, ": %s\n", p->message);
}

/* With --json the problems are kept until the conversion has succeeded:
 * a report is printed only for an output that exists. */
static bool keep_lost(struct cli_salvage_report *r,
		      const struct kdx_verify_problem *p)
{
	struct kdx_verify_problem *grown;

	if (r->count == r->capacity) {
		size_t cap = r->capacity ? 2 * r->capacity : 16;

		grown = realloc(r->problems, cap * sizeof(*grown));
		if (!grown) {
			r->failed = true;
			return false;
		}
		r->problems = grown;
		r->capacity = cap;
	}
	r->problems[r->count] = *p;
	r->problems[r->count].message = strdup(p->message ? p->message : "");
	if (!r->problems[r->count].message) {
		r->failed = true;
		return false;
	}
	r->count++;
	return true;
}

static bool on_lost(const struct kdx_verify_problem *p, void *arg)
{
	struct cli_salvage_report *r = arg;

	if (!r->json) {
		print_lost_text(p);
		return true;
	}
	return keep_lost(r, p);
}

int cli_salvage(struct kdx_dump *dump, struct cli_salvage_report *r)
{
	struct kdx_error *err = kdx_dump_salvage(dump, on_lost, r, &r->stats);

	if (err)
		return cli_report(err);
	if (r->failed) {
		fputs("kdx: salvage: out of memory keeping the report\n", stderr);
		return EXIT_DUMP;
	}
	r->done = true;
	if (r->json)
		return EXIT_OK;
	fprintf(stderr,
		"kdx: salvage: %" PRIu64 " of %" PRIu64
		" pages unreadable and left out, %" PRIu64 " problems%s\n",
		r->stats.bad_pages, r->stats.pages, r->stats.problems,
		r->stats.problems ? " (recorded in the output's KDX note)" : "");
	return EXIT_OK;
}

void cli_salvage_json(struct json *j, const struct cli_salvage_report *r)
{
	if (!r->done) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_key(j, "problems");
	json_array_begin(j);
	for (size_t i = 0; i < r->count; i++)
		print_problem_json(j, &r->problems[i]);
	json_array_end(j);
	json_key(j, "pages");
	json_u64(j, r->stats.pages);
	json_key(j, "bytes");
	json_u64(j, r->stats.bytes);
	json_key(j, "bad_pages");
	json_u64(j, r->stats.bad_pages);
	json_key(j, "pages_kept");
	json_u64(j, r->stats.pages - r->stats.bad_pages);
	json_key(j, "sound");
	json_bool(j, !r->stats.problems);
	json_object_end(j);
}

void cli_salvage_report_free(struct cli_salvage_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		free((char *)r->problems[i].message);
	free(r->problems);
	r->problems = NULL;
	r->count = r->capacity = 0;
}
