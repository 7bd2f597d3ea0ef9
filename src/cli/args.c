/* SPDX-License-Identifier: MIT */
/* Argument parsing and error reporting shared by the commands. */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

bool cli_parse_u64(const char *text, uint64_t *out)
{
	static const struct { const char *suffix; unsigned int shift; } units[] = {
		{ "", 0 }, { "k", 10 }, { "kib", 10 }, { "kb", 10 },
		{ "m", 20 }, { "mib", 20 }, { "mb", 20 }, { "g", 30 },
		{ "gib", 30 }, { "gb", 30 }, { "t", 40 }, { "tib", 40 },
	};
	unsigned long long value;
	char *end;

	if (!text || !*text || *text == '-' || isspace((unsigned char)*text))
		return false;
	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno || end == text)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) != 0)
			continue;
		if (units[i].shift && value > (UINT64_MAX >> units[i].shift))
			return false;
		*out = (uint64_t)value << units[i].shift;
		return true;
	}
	return false;
}

bool cli_dump_option(int opt, const char *arg, struct kdx_open_options *opts,
		     int *exit_code)
{
	uint64_t value;

	switch (opt) {
	case 'F':
		opts->format = arg;
		return true;
	case 'A':
		opts->arch = kdx_arch_from_name(arg);
		if (opts->arch == KDX_ARCH_UNKNOWN) {
			fprintf(stderr, "kdx: unknown architecture '%s'\n", arg);
			*exit_code = EXIT_USAGE;
		}
		return true;
	case 'B':
		if (!cli_parse_u64(arg, &opts->raw_base)) {
			fprintf(stderr, "kdx: --base: not an address: '%s'\n", arg);
			*exit_code = EXIT_USAGE;
		}
		return true;
	case 'P':
		if (!cli_parse_u64(arg, &value) || value < 512 ||
		    value > (1u << 24) || (value & (value - 1))) {
			fprintf(stderr,
				"kdx: --page-size: '%s' is not a power of two from 512 to 16M\n",
				arg);
			*exit_code = EXIT_USAGE;
		}
		opts->page_size = (uint32_t)value;
		return true;
	case CLI_OPT_NO_MAP:
		opts->no_map = true;
		return true;
	case CLI_OPT_KERNEL:
		opts->kernel = arg;
		return true;
	case CLI_OPT_MAX_DECOMPRESSED:
		if (!cli_parse_u64(arg, &opts->max_decompressed) ||
		    !opts->max_decompressed) {
			fprintf(stderr,
				"kdx: --max-decompressed: '%s' is not a size above 0 (bytes, or with k, M, G, T)\n",
				arg);
			*exit_code = EXIT_USAGE;
		}
		return true;
	}
	return false;
}

int cli_report(struct kdx_error *err)
{
	int code;

	fprintf(stderr, "kdx: %s\n", kdx_error_message(err));
	switch (kdx_error_code(err)) {
	case KDX_ERR_NOTFOUND:
	case KDX_ERR_UNSUPPORTED:
		code = EXIT_NOTFOUND;
		break;
	case KDX_ERR_INVALID:
		code = EXIT_USAGE;
		break;
	case KDX_ERR_OS:
		code = kdx_error_errno(err) == ENOENT ? EXIT_NOTFOUND : EXIT_DUMP;
		break;
	default:
		code = EXIT_DUMP;
	}
	kdx_error_destroy(err);
	return code;
}

size_t cli_existing_files(char *const *args, size_t n)
{
	struct stat st;
	size_t i = 0;

	while (i < n && stat(args[i], &st) == 0)
		i++;
	return i;
}

int cli_open_dump(const struct cli_dump_files *files,
		  const struct kdx_open_options *opts, struct kdx_dump **out)
{
	struct kdx_error *err =
		kdx_dump_open_files(files->paths, files->count, opts, out);

	return err ? cli_report(err) : EXIT_OK;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kdx %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `kdx %s --help`.\n", cmd->name);
	return EXIT_USAGE;
}

int cli_help(const struct cli_command *cmd)
{
	fputs(cmd->usage, stdout);
	return EXIT_OK;
}

const char *cli_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB", "EiB" };
	unsigned int u = 0;
	double v = (double)bytes;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
