/* SPDX-License-Identifier: MIT */
/* kdx: the command dispatcher. */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct cli_command *const commands[] = {
	&cli_cmd_info,
	&cli_cmd_read,
	&cli_cmd_convert,
	&cli_cmd_vtop,
	&cli_cmd_maps,
	&cli_cmd_dmesg,
	&cli_cmd_verify,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_main_help(FILE *out)
{
	fprintf(out,
		"kdx %s - read kernel memory dumps\n"
		"\n"
		"Usage: kdx COMMAND [OPTIONS] DUMP ...\n"
		"       kdx help [COMMAND | formats]\n"
		"\n"
		"Commands:\n",
		kdx_version());
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(out,
		"  help     show this help, a command's help, or the formats\n"
		"\n"
		"The format of a dump is detected from its content; --format overrides.\n"
		"Numbers take 0x for hex and K, M, G suffixes (KiB, MiB, GiB).\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  the dump has a problem, or lacks the data asked for\n"
		"  2  usage error\n"
		"  3  not found or not supported (file, format, key)\n");
}

static void print_formats(void)
{
	const char *name, *description;

	printf("Formats kdx reads:\n");
	for (size_t i = 0; (name = kdx_format_name_at(i, &description)); i++)
		printf("  %-14s %s\n", name, description);
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int run_help(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		print_main_help(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "formats")) {
		print_formats();
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "kdx: no command '%s'; see `kdx help`\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return cli_help(cmd);
}

/* A mapped dump file that shrank, or whose storage failed, raises
 * SIGBUS on the read that touches the lost page: say so and what to do,
 * instead of dying of the signal.  Only async-signal-safe calls. */
static void report_bus_error(int sig)
{
	static const char msg[] =
		"kdx: a dump file could not be read where it is mapped into "
		"memory (SIGBUS): it shrank while kdx read it, or its storage "
		"failed; run again with --no-map to have the error and the "
		"offset named\n";
	ssize_t unused;

	(void)sig;
	unused = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)unused;
	_exit(EXIT_DUMP);
}

static void catch_bus_error(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = report_bus_error;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	catch_bus_error();
	if (argc < 2) {
		print_main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h"))
		return run_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("kdx %s\n", kdx_version());
		return EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "kdx: no command '%s'; see `kdx help`\n",
			argv[1]);
		return EXIT_USAGE;
	}
	return cmd->run(argc - 1, argv + 1);
}
