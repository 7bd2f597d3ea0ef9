/* SPDX-License-Identifier: MIT */
/* Shared pieces of the kdx command-line tool.  The library never prints;
 * everything the user sees is written here. */
#ifndef KDX_CLI_CLI_H
#define KDX_CLI_CLI_H

#include <kdx/kdx.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, documented in `kdx help` and the man page. */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_DUMP = 1,     /* the dump has a problem / lacks the data */
	EXIT_USAGE = 2,    /* the command line is wrong */
	EXIT_NOTFOUND = 3, /* not found, or not supported */
};

struct cli_command {
	const char *name;
	const char *summary;
	const char *usage; /* full --help text */
	int (*run)(int argc, char **argv);
};

extern const struct cli_command cli_cmd_info;
extern const struct cli_command cli_cmd_read;
extern const struct cli_command cli_cmd_convert;
extern const struct cli_command cli_cmd_vtop;
extern const struct cli_command cli_cmd_maps;
extern const struct cli_command cli_cmd_dmesg;
extern const struct cli_command cli_cmd_verify;

/* Options every command that opens a dump accepts. */
#define CLI_OPT_NO_MAP 0x180
#define CLI_OPT_KERNEL 0x181
#define CLI_OPT_MAX_DECOMPRESSED 0x182
#define CLI_DUMP_LONG_OPTIONS                                   \
	{ "kernel", required_argument, NULL, CLI_OPT_KERNEL },  \
	{ "max-decompressed", required_argument, NULL,          \
	  CLI_OPT_MAX_DECOMPRESSED },                           \
	{ "format", required_argument, NULL, 'F' },             \
	{ "arch", required_argument, NULL, 'A' },               \
	{ "base", required_argument, NULL, 'B' },               \
	{ "page-size", required_argument, NULL, 'P' },          \
	{ "no-map", no_argument, NULL, CLI_OPT_NO_MAP }

#define CLI_DUMP_OPTIONS_HELP                                                  \
	"DUMP is one file, or every file of a makedumpfile --split set (in any\n" \
	"order), read as one dump.\n"                                           \
	"Dump options:\n"                                                      \
	"  --kernel FILE     the dumped kernel's ELF image (FreeBSD kernel.debug\n" \
	"                    or /boot/kernel/kernel, Linux vmlinux): its symbols\n" \
	"                    give what the dump lacks (kernbase, KPML4phys,\n"  \
	"                    IdlePTD, msgbufp, version)\n"                     \
	"  --format NAME     read the file as NAME instead of detecting it\n"   \
	"                    (elf, raw; see `kdx help formats`)\n"             \
	"  --arch NAME       architecture where the dump does not say (raw)\n" \
	"  --base ADDR       physical address of a raw image's first byte\n"   \
	"  --page-size N     page size where the dump does not say\n"         \
	"  --no-map          read the files with pread, not mapped into memory:\n" \
	"                    slower, but failing storage gives an error, not\n" \
	"                    SIGBUS\n"                                          \
	"  --max-decompressed SIZE\n"                                           \
	"                    refuse a compressed dump (vmcore.gz, .zst, dumpon\n" \
	"                    -z) that grows past SIZE (default 1T; k/M/G/T)\n"

/* Handle one of CLI_DUMP_LONG_OPTIONS; returns false for other options
 * (and sets *exit_code to EXIT_USAGE on a bad value). */
bool cli_dump_option(int opt, const char *arg, struct kdx_open_options *opts,
		     int *exit_code);

/* The files of one dump: one, or the parts of a makedumpfile --split
 * set in any order.  Every command takes them where it takes DUMP. */
struct cli_dump_files {
	const char *const *paths;
	size_t count;
};

/* How many of @args, from the first, name existing files (at most @n):
 * where a dump's files are followed by other arguments (vtop's
 * addresses). */
size_t cli_existing_files(char *const *args, size_t n);

/* Open a dump, printing the error; returns an exit code. */
int cli_open_dump(const struct cli_dump_files *files,
		  const struct kdx_open_options *opts, struct kdx_dump **out);

/* What convert --salvage found: its counts and, with --json, every
 * problem (messages owned) for the report printed after the output is
 * written. */
struct cli_salvage_report {
	bool json;         /* keep the problems instead of printing them */
	bool done;         /* a salvage ran */
	bool failed;       /* out of memory keeping a problem */
	struct kdx_verify_stats stats;
	struct kdx_verify_problem *problems;
	size_t count, capacity;
};

struct json;

/* convert --salvage (cmd_verify.c): cut the damaged pages out of @dump,
 * listing each on stderr (or keeping it in @r with r->json); returns an
 * exit code. */
int cli_salvage(struct kdx_dump *dump, struct cli_salvage_report *r);

/* The "salvage" value of convert --json: null when no salvage ran, else
 * verify --json's problems and counts plus pages_kept. */
void cli_salvage_json(struct json *j, const struct cli_salvage_report *r);

void cli_salvage_report_free(struct cli_salvage_report *r);

/* Print "kdx: " + the error's message to stderr; return its exit code. */
int cli_report(struct kdx_error *err);

/* Parse a number: decimal, 0x hex, with an optional K/M/G/T suffix
 * (KiB, MiB...; powers of 1024).  False on junk or overflow. */
bool cli_parse_u64(const char *text, uint64_t *out);

/* Print a usage error and the hint to see --help; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Standard handling of -h/--help and unknown options for getopt loops. */
int cli_help(const struct cli_command *cmd);

/* Human-readable size: "512 MiB", "4 KiB", "123 B". */
const char *cli_size(uint64_t bytes, char *buf, size_t len);

#endif
