/* SPDX-License-Identifier: MIT */
/* kdx read: bytes of memory, as a hexdump or into a file. */
#include "cli/cli.h"
#include "cli/xlat_args.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large enough to amortise a lookup and a syscall, small enough to stay in
 * cache. */
#define CHUNK (1u << 20)
/* Reads at least this long show progress on a terminal. */
#define PROGRESS_MIN (64u << 20)

static const char usage[] =
	"Usage: kdx read DUMP ADDR LEN [--phys | --machine] [--hex | -o FILE]\n"
	"                [--zero-fill]\n"
	"\n"
	"Read LEN bytes of memory at ADDR, a kernel virtual address (translated\n"
	"page by page through the kernel's page tables), or a physical one with\n"
	"--phys (for a Xen guest: pseudo-physical), or a machine one with\n"
	"--machine (a Xen PV guest's, through the dump's p2m).  ADDR and LEN take 0x for hex and K/M/G suffixes (256MiB).  The\n"
	"read crosses page and segment boundaries; a hole (an address the dump\n"
	"does not hold, or a virtual page that is not mapped) is an error naming\n"
	"the first missing address, unless --zero-fill is given.  Memory the dump\n"
	"describes but did not write (ELF p_filesz < p_memsz) reads as zeros, with\n"
	"a note on stderr.\n"
	"\n"
	"Options:\n"
	"  --phys            ADDR is a physical address\n"
	"  --machine         ADDR is a machine address (Xen PV guests)\n"
	"  --hex             hexdump like xxd, with the memory address (default)\n"
	"  -o, --output FILE write the raw bytes to FILE ('-' for stdout); FILE\n"
	"                    appears only when the read succeeded\n"
	"  --zero-fill       read holes as zeros instead of failing\n"
	"  -h, --help        show this help\n" CLI_XLAT_OPTIONS_HELP
	CLI_DUMP_OPTIONS_HELP;

static int run_read(int argc, char **argv);

const struct cli_command cli_cmd_read = {
	.name = "read",
	.summary = "read memory at an address (hexdump or raw to a file)",
	.usage = usage,
	.run = run_read,
};

struct read_request {
	struct cli_dump_files files;
	uint64_t addr;
	uint64_t len;
	const char *output; /* NULL: hexdump to stdout */
	unsigned int flags;
	bool phys, machine;
	struct kdx_kernel_options kopts;
	struct kdx_xlat *xlat; /* NULL: physical addresses */
};

/* One xxd line: address, eight 2-byte groups, the printable bytes. */
static void hexdump_line(uint64_t addr, const uint8_t *p, size_t n)
{
	char ascii[17];

	printf("%08" PRIx64 ":", addr);
	for (size_t i = 0; i < 16; i++) {
		if (i % 2 == 0)
			putchar(' ');
		if (i < n)
			printf("%02x", p[i]);
		else
			fputs("  ", stdout);
		ascii[i] = i < n ? (p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.') : '\0';
	}
	ascii[n < 16 ? n : 16] = '\0';
	printf("  %s\n", ascii);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static void add_stats(struct kdx_read_stats *total,
		      const struct kdx_read_stats *chunk)
{
	if (chunk->zero_bytes && !total->zero_bytes)
		total->first_zero = chunk->first_zero;
	if (chunk->hole_bytes && !total->hole_bytes)
		total->first_hole = chunk->first_hole;
	total->zero_bytes += chunk->zero_bytes;
	total->hole_bytes += chunk->hole_bytes;
}

/* One chunk, physical or through the kernel's page tables. */
static struct kdx_error *read_chunk(const struct kdx_dump *dump,
				    const struct read_request *rq, uint64_t addr,
				    uint8_t *buf, size_t n,
				    struct kdx_read_stats *stats)
{
	if (rq->xlat)
		return kdx_read_virt(dump, rq->xlat, addr, buf, n, rq->flags,
				     stats);
	if (rq->machine)
		return kdx_read_machine(dump, addr, buf, n, rq->flags, stats);
	return kdx_read_phys(dump, addr, buf, n, rq->flags, stats);
}

static void report_stats(const struct kdx_read_stats *s)
{
	if (s->zero_bytes)
		fprintf(stderr,
			"kdx: note: 0x%" PRIx64 " bytes from 0x%" PRIx64
			" on were not written to the dump (p_memsz > p_filesz) and read as zeros\n",
			s->zero_bytes, s->first_zero);
	if (s->hole_bytes)
		fprintf(stderr,
			"kdx: note: 0x%" PRIx64 " bytes of holes from 0x%" PRIx64
			" on were filled with zeros (--zero-fill)\n",
			s->hole_bytes, s->first_hole);
}

static void progress(uint64_t done, uint64_t total, bool show)
{
	if (show)
		fprintf(stderr, "\rkdx: read %" PRIu64 " of %" PRIu64 " MiB",
			done >> 20, total >> 20);
}

/* Read the whole request in chunks, handing each to hexdump or the fd. */
static int copy_out(const struct kdx_dump *dump, const struct read_request *rq,
		    int fd, struct kdx_read_stats *stats)
{
	uint8_t *buf = malloc(CHUNK);
	bool show = fd >= 0 && rq->len >= PROGRESS_MIN && isatty(2);
	uint64_t done = 0;
	int rc = EXIT_OK;

	if (!buf) {
		fprintf(stderr, "kdx: out of memory\n");
		return EXIT_DUMP;
	}
	while (done < rq->len) {
		size_t n = (size_t)(rq->len - done < CHUNK ? rq->len - done : CHUNK);
		struct kdx_read_stats chunk;
		struct kdx_error *err = read_chunk(dump, rq, rq->addr + done,
						   buf, n, &chunk);

		add_stats(stats, &chunk);
		if (err) {
			rc = cli_report(err);
			break;
		}
		if (fd < 0) {
			for (size_t i = 0; i < n; i += 16)
				hexdump_line(rq->addr + done + i, buf + i,
					     n - i < 16 ? n - i : 16);
		} else if (!write_all(fd, buf, n)) {
			fprintf(stderr, "kdx: write %s: %s\n", rq->output,
				strerror(errno));
			rc = EXIT_DUMP;
			break;
		}
		done += n;
		if ((done & ((64u << 20) - 1)) == 0)
			progress(done, rq->len, show);
	}
	if (show)
		fputc('\n', stderr);
	free(buf);
	return rc;
}

/* An output that exists and is not a regular file (/dev/null, a FIFO, a
 * terminal) is written in place: renaming a temporary file over it would
 * replace the device or FIFO with a file, as it once replaced /dev/null. */
static int read_to_special(const struct kdx_dump *dump,
			   const struct read_request *rq,
			   struct kdx_read_stats *stats)
{
	int fd = open(rq->output, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		fprintf(stderr, "kdx: open %s: %s\n", rq->output,
			strerror(errno));
		return EXIT_DUMP;
	}
	rc = copy_out(dump, rq, fd, stats);
	if (close(fd) < 0 && !rc) {
		fprintf(stderr, "kdx: write %s: %s\n", rq->output, strerror(errno));
		rc = EXIT_DUMP;
	}
	return rc;
}

/* Write to a temporary file beside the output and rename it into place
 * only on success, so a failed read never leaves a file that looks
 * complete. */
static int read_to_file(const struct kdx_dump *dump,
			const struct read_request *rq,
			struct kdx_read_stats *stats)
{
	struct stat st;
	char *tmp;
	int fd, rc;

	if (!strcmp(rq->output, "-"))
		return copy_out(dump, rq, STDOUT_FILENO, stats);
	if (stat(rq->output, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "kdx: %s is a directory\n", rq->output);
		return EXIT_USAGE;
	}
	if (stat(rq->output, &st) == 0 && !S_ISREG(st.st_mode))
		return read_to_special(dump, rq, stats);
	if (asprintf(&tmp, "%s.kdx-XXXXXX", rq->output) < 0)
		return EXIT_DUMP;
	fd = mkstemp(tmp);
	/* mkstemp makes it 0600; the output is an ordinary file. */
	if (fd >= 0)
		fchmod(fd, 0644);
	if (fd < 0) {
		fprintf(stderr, "kdx: create %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return EXIT_DUMP;
	}
	rc = copy_out(dump, rq, fd, stats);
	if (close(fd) < 0 && !rc) {
		fprintf(stderr, "kdx: write %s: %s\n", rq->output, strerror(errno));
		rc = EXIT_DUMP;
	}
	if (!rc && rename(tmp, rq->output) < 0) {
		fprintf(stderr, "kdx: rename %s to %s: %s\n", tmp, rq->output,
			strerror(errno));
		rc = EXIT_DUMP;
	}
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int parse_args(int argc, char **argv, struct read_request *rq,
		      struct kdx_open_options *opts)
{
	static const struct option longopts[] = {
		{ "phys", no_argument, NULL, 'p' },
		{ "machine", no_argument, NULL, 'm' },
		{ "hex", no_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ "zero-fill", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		CLI_XLAT_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	bool hex = false;
	int opt, rc = EXIT_OK;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, opts, &rc) ||
		    cli_xlat_option(opt, optarg, &rq->kopts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'p': rq->phys = true; break;
		case 'm': rq->machine = true; break;
		case 'x': hex = true; break;
		case 'o': rq->output = optarg; break;
		case 'z': rq->flags |= KDX_READ_ZERO_FILL; break;
		case 'h': return -1;
		default: return cli_usage_error(&cli_cmd_read, "bad option");
		}
	}
	if (argc - optind < 3)
		return cli_usage_error(&cli_cmd_read, "expected DUMP ADDR LEN");
	/* The last two are ADDR and LEN; before them, the dump's files. */
	rq->files.paths = (const char *const *)argv + optind;
	rq->files.count = (size_t)(argc - optind - 2);
	if (!cli_parse_u64(argv[argc - 2], &rq->addr))
		return cli_usage_error(&cli_cmd_read, "not an address: '%s'",
				       argv[argc - 2]);
	if (!cli_parse_u64(argv[argc - 1], &rq->len))
		return cli_usage_error(&cli_cmd_read, "not a length: '%s'",
				       argv[argc - 1]);
	if (rq->phys && rq->machine)
		return cli_usage_error(&cli_cmd_read,
				       "--phys and --machine exclude each other");
	if (hex && rq->output)
		return cli_usage_error(&cli_cmd_read,
				       "--hex and --output exclude each other");
	if (rq->len && rq->addr + (rq->len - 1) < rq->addr)
		return cli_usage_error(&cli_cmd_read,
				       "0x%" PRIx64 " + 0x%" PRIx64
				       " wraps past the end of the address space",
				       rq->addr, rq->len);
	return EXIT_OK;
}

static int run_read(int argc, char **argv)
{
	struct read_request rq = { 0 };
	struct kdx_open_options opts;
	struct kdx_read_stats stats = { 0 };
	struct kdx_dump *dump;
	int rc;

	kdx_open_options_init(&opts);
	kdx_kernel_options_init(&rq.kopts);
	rc = parse_args(argc, argv, &rq, &opts);
	if (rc < 0)
		return cli_help(&cli_cmd_read);
	if (rc)
		return rc;
	rc = cli_open_dump(&rq.files, &opts, &dump);
	if (rc)
		return rc;
	if (rq.machine && !kdx_dump_has_machine(dump)) {
		fprintf(stderr,
			"kdx: %s has no machine addresses (only a Xen PV guest's dump does); use --phys\n",
			rq.files.paths[0]);
		kdx_dump_destroy(dump);
		return EXIT_USAGE;
	}
	if (!rq.phys && !rq.machine) {
		rc = cli_open_xlat(dump, &rq.kopts, NULL, &rq.xlat);
		if (rc) {
			kdx_dump_destroy(dump);
			return rc;
		}
	}
	rc = rq.output ? read_to_file(dump, &rq, &stats) :
			 copy_out(dump, &rq, -1, &stats);
	report_stats(&stats);
	kdx_xlat_destroy(rq.xlat);
	kdx_dump_destroy(dump);
	return rc;
}
