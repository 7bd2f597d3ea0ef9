/* SPDX-License-Identifier: MIT */
/* kdx dmesg: the kernel log of a dump, as dmesg prints it. */
#include "cli/cli.h"
#include "cli/json.h"
#include "cli/log_print.h"
#include "cli/xlat_args.h"

#include <kdx/log.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"Usage: kdx dmesg DUMP [--json] [--level LIST] [--since SECONDS] [--raw]\n"
	"\n"
	"Print the kernel log held in the dump, oldest record first, as dmesg\n"
	"does: \"[    1.234567] text\", lines of a multi-line record indented under\n"
	"the first, bytes that are not printable as \\xNN.  The log is found from\n"
	"VMCOREINFO alone (no debug symbols), for the lockless ring of Linux 5.10+,\n"
	"the structured log_buf of 3.5 - 5.9 and the character ring before that.\n"
	"A FreeBSD minidump's message buffer is printed as text (the options\n"
	"below apply to Linux logs).\n"
	"A damaged ring prints what is sound; where the walk stopped or what it\n"
	"skipped goes to stderr, and the exit status is then 1.\n"
	"\n"
	"Options:\n"
	"  --json            one JSON object: every record with its sequence,\n"
	"                    time (ns), level, facility, flags, caller (pid or\n"
	"                    cpu), text and metadata (SUBSYSTEM, DEVICE), then\n"
	"                    the walk's counters and status\n"
	"  -l, --level LIST  only these levels: names or numbers, comma\n"
	"                    separated (emerg,alert,crit,err,warn,notice,info,\n"
	"                    debug; 0-7); \"warn+\" means warn and more urgent\n"
	"  --since SECONDS   only records at or after this time since boot\n"
	"  -r, --raw         print \"<priority>[time] text\" with the text's bytes\n"
	"                    as they are (no escaping, no indentation)\n"
	"  -h, --help        show this help\n" CLI_XLAT_OPTIONS_HELP
	CLI_DUMP_OPTIONS_HELP;

static int run_dmesg(int argc, char **argv);

const struct cli_command cli_cmd_dmesg = {
	.name = "dmesg",
	.summary = "print the kernel log (printk buffer) held in the dump",
	.usage = usage,
	.run = run_dmesg,
};

struct dmesg_args {
	bool json, raw;
	unsigned int levels; /* bit per level; 0: all */
	bool has_since;
	uint64_t since_ns;
	struct kdx_open_options opts;
	struct kdx_kernel_options kopts;
	struct cli_dump_files files;
};

static bool parse_levels(const char *arg, unsigned int *mask)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	bool ok = copy != NULL;

	*mask = 0;
	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);
		bool plus = n && tok[n - 1] == '+';
		int level;

		if (plus)
			tok[n - 1] = '\0';
		level = cli_log_level_from_name(tok);
		if (level < 0)
			ok = false;
		else
			*mask |= plus ? (2u << level) - 1 : 1u << level;
	}
	free(copy);
	return ok && *mask;
}

/* "12.5" seconds, to nanoseconds. */
static bool parse_seconds(const char *arg, uint64_t *ns)
{
	char *end;
	double s = strtod(arg, &end);

	if (end == arg || *end || !(s >= 0) || s > 1.8e10)
		return false;
	*ns = (uint64_t)(s * 1e9 + 0.5);
	return true;
}

static bool wanted(const struct dmesg_args *a, const struct kdx_log_record *r)
{
	if (a->levels && (r->level < 0 || !(a->levels & (1u << r->level))))
		return false;
	if (a->has_since && (!r->has_timestamp || r->ts_nsec < a->since_ns))
		return false;
	return true;
}

static void json_record(struct json *j, const struct kdx_log_record *r)
{
	json_object_begin(j);
	json_key(j, "seq");
	json_u64(j, r->seq);
	json_key(j, "ts_nsec");
	if (r->has_timestamp)
		json_u64(j, r->ts_nsec);
	else
		json_null(j);
	json_key(j, "level");
	if (r->level >= 0)
		json_u64(j, (uint64_t)r->level);
	else
		json_null(j);
	json_key(j, "facility");
	if (r->facility >= 0)
		json_u64(j, (uint64_t)r->facility);
	else
		json_null(j);
	json_key(j, "flags");
	json_u64(j, r->flags);
	json_key(j, "cont");
	json_bool(j, r->flags & KDX_LOG_FLAG_CONT);
	if (r->flags & KDX_LOG_FLAG_TRUNCATED) {
		json_key(j, "truncated");
		json_bool(j, true);
	}
	if (r->flags & KDX_LOG_FLAG_DATALESS) {
		json_key(j, "dataless");
		json_bool(j, true);
	}
	if (r->has_caller) {
		json_key(j, r->caller_id & 0x80000000u ? "caller_cpu" : "caller_pid");
		json_u64(j, r->caller_id & 0x7fffffffu);
	}
	json_key(j, "text");
	json_string_n(j, r->text, r->text_len);
	if (r->dict) {
		const char *d = r->dict, *end = r->dict + r->dict_len;

		json_key(j, "dict");
		json_object_begin(j);
		/* Bounded: each pass consumes one NUL-terminated entry. */
		while (d < end) {
			size_t n = strlen(d);
			const char *eq = memchr(d, '=', n);

			if (eq) {
				char key[64];
				size_t kl = (size_t)(eq - d) < sizeof(key) - 1 ?
						    (size_t)(eq - d) : sizeof(key) - 1;

				memcpy(key, d, kl);
				key[kl] = '\0';
				json_key(j, key);
				json_string_n(j, eq + 1, n - (size_t)(eq - d) - 1);
			}
			d += n + 1;
		}
		json_object_end(j);
	}
	json_object_end(j);
}

static void json_stats(struct json *j, const struct kdx_log *log)
{
	struct kdx_log_stats s;
	const struct kdx_error *st = kdx_log_status(log);

	kdx_log_get_stats(log, &s);
	json_key(j, "stats");
	json_object_begin(j);
	json_key(j, "records");
	json_u64(j, s.records);
	json_key(j, "skipped");
	json_u64(j, s.skipped);
	json_key(j, "reserved");
	json_u64(j, s.reserved);
	json_key(j, "reusable");
	json_u64(j, s.reusable);
	json_key(j, "damaged");
	json_u64(j, s.damaged);
	json_key(j, "dataless");
	json_u64(j, s.dataless);
	json_key(j, "truncated");
	json_u64(j, s.truncated);
	json_key(j, "buffer_size");
	json_u64(j, s.buffer_size);
	json_key(j, "descriptors");
	json_u64(j, s.descriptors);
	json_object_end(j);
	json_key(j, "complete");
	json_bool(j, !kdx_log_stopped_early(log));
	json_key(j, "status");
	if (st)
		json_string(j, kdx_error_message(st));
	else
		json_null(j);
}

static int print_log(const struct dmesg_args *a, struct kdx_log *log)
{
	struct kdx_log_record r;
	const struct kdx_error *st;
	struct json j;

	if (a->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "file");
		json_string(&j, a->files.paths[0]);
		json_key(&j, "layout");
		json_string(&j, kdx_log_layout_name(kdx_log_get_layout(log)));
		json_key(&j, "records");
		json_array_begin(&j);
	}
	while (kdx_log_next(log, &r)) {
		if (!wanted(a, &r))
			continue;
		if (a->json)
			json_record(&j, &r);
		else if (!(r.flags & KDX_LOG_FLAG_DATALESS))
			cli_log_print(stdout, &r, a->raw);
	}
	if (a->json) {
		json_array_end(&j);
		json_stats(&j, log);
		json_object_end(&j);
		json_finish(&j);
	}
	if (fflush(stdout)) {
		perror("kdx: dmesg: write");
		return EXIT_DUMP;
	}
	st = kdx_log_status(log);
	if (!st)
		return EXIT_OK;
	fprintf(stderr, "kdx: dmesg: %s%s\n",
		kdx_log_stopped_early(log) ? "incomplete: " : "", kdx_error_message(st));
	return EXIT_DUMP;
}

static int parse_args(int argc, char **argv, struct dmesg_args *a)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "raw", no_argument, NULL, 'r' },
		{ "level", required_argument, NULL, 'l' },
		{ "since", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		CLI_XLAT_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jrl:h", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, &a->opts, &rc) ||
		    cli_xlat_option(opt, optarg, &a->kopts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'j':
			a->json = true;
			break;
		case 'r':
			a->raw = true;
			break;
		case 'l':
			if (!parse_levels(optarg, &a->levels))
				return cli_usage_error(&cli_cmd_dmesg,
						       "--level: bad level list '%s'",
						       optarg);
			break;
		case 's':
			if (!parse_seconds(optarg, &a->since_ns))
				return cli_usage_error(&cli_cmd_dmesg,
						       "--since: not a time in seconds: '%s'",
						       optarg);
			a->has_since = true;
			break;
		case 'h':
			return -1;
		default:
			return cli_usage_error(&cli_cmd_dmesg, "bad option");
		}
	}
	if (argc - optind < 1)
		return cli_usage_error(&cli_cmd_dmesg, "expected a DUMP");
	if (a->json && a->raw)
		return cli_usage_error(&cli_cmd_dmesg, "--json and --raw exclude each other");
	a->files.paths = (const char *const *)argv + optind;
	a->files.count = (size_t)(argc - optind);
	return EXIT_OK;
}

/* A dump that carries its message buffer (FreeBSD): print it as it is.
 * False for the others. */
static bool print_msgbuf(const struct kdx_dump *dump, int *rc)
{
	char *text;
	size_t len;
	struct kdx_error *err = kdx_dump_msgbuf(dump, &text, &len);

	if (err && kdx_error_code(err) == KDX_ERR_NOTFOUND) {
		kdx_error_destroy(err);
		return false;
	}
	if (err) {
		*rc = cli_report(err);
		return true;
	}
	fwrite(text, 1, len, stdout);
	if (len && text[len - 1] != '\n')
		putchar('\n');
	free(text);
	*rc = 0;
	return true;
}

static int run_dmesg(int argc, char **argv)
{
	struct dmesg_args a = { 0 };
	struct kdx_dump *dump = NULL;
	struct kdx_xlat *xlat = NULL;
	struct kdx_log *log = NULL;
	struct kdx_error *err;
	int rc;

	kdx_open_options_init(&a.opts);
	kdx_kernel_options_init(&a.kopts);
	rc = parse_args(argc, argv, &a);
	if (rc < 0)
		return cli_help(&cli_cmd_dmesg);
	if (rc)
		return rc;
	rc = cli_open_dump(&a.files, &a.opts, &dump);
	if (rc)
		return rc;
	if (print_msgbuf(dump, &rc)) {
		kdx_dump_destroy(dump);
		return rc;
	}
	rc = cli_open_xlat(dump, &a.kopts, NULL, &xlat);
	if (!rc) {
		err = kdx_log_open(dump, xlat, &log);
		rc = err ? cli_report(err) : print_log(&a, log);
	}
	kdx_log_destroy(log);
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	return rc;
}
