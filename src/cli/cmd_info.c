/* SPDX-License-Identifier: MIT */
/* kdx info: what a dump is and what it holds. */
#include "cli/cli.h"
#include "cli/json.h"
#include "cli/crash_summary.h"
#include "cli/info_json.h"
#include "cli/xlat_args.h"

#include <inttypes.h>
#include <string.h>

/* Text output lists this many ranges; --json lists them all. */
#define TEXT_MAX_RANGES 48

static const char usage[] =
	"Usage: kdx info DUMP [DUMP...] [--json] [dump options]\n"
	"\n"
	"Describe a dump: its format and details, architecture, byte order, word\n"
	"and page size, physical memory map (ranges, total, holes), notes (CPUs\n"
	"from NT_PRSTATUS, QEMU CPU state, VMCOREINFO), the vCPU state VMware\n"
	"state files and QEMU migration streams keep (CR0-CR4, EFER, TTBR/TCR,\n"
	"each CPU labelled with its source), load segments and whether they\n"
	"carry virtual addresses, and any problems found while reading it.\n"
	"Several files are read as one dump split by makedumpfile --split.\n"
	"\n"
	"Options:\n"
	"  --json            print one JSON object (numbers are integers; range\n"
	"                    \"end\" is exclusive)\n"
	"  -h, --help        show this help\n" CLI_DUMP_OPTIONS_HELP;

static int run_info(int argc, char **argv);

const struct cli_command cli_cmd_info = {
	.name = "info",
	.summary = "describe a dump: format, arch, memory map, notes, CPUs",
	.usage = usage,
	.run = run_info,
};

/* What the segments' virtual addresses are; NONE where the format has
 * no virtual addresses at all. */
static enum kdx_segment_vaddrs segment_vaddrs(const struct kdx_dump *dump)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(dump);

	return (f->set & KDX_FACT_SEGMENT_VADDRS) ? f->segment_vaddrs :
						    KDX_SEGMENT_VADDRS_NONE;
}

/* ---- text ---- */

static void print_memory(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t prev_end = 0, holes = 0;
	char size[32];

	for (size_t i = 0; i < n; prev_end = r[i].start + r[i].size, i++)
		holes += r[i].start > prev_end;
	printf("memory:     %s in %zu range%s, %" PRIu64 " hole%s\n",
	       cli_size(cli_total_memory(dump), size, sizeof(size)), n,
	       n == 1 ? "" : "s", holes, holes == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < TEXT_MAX_RANGES; i++)
		printf("  0x%016" PRIx64 "-0x%016" PRIx64 "  %10s  %s\n",
		       r[i].start, r[i].start + r[i].size - 1,
		       cli_size(r[i].size, size, sizeof(size)),
		       r[i].kind == KDX_RANGE_ZERO ? "not in file (reads as zeros)" :
		       r[i].kind == KDX_RANGE_EXCLUDED ?
						     "excluded by filtering (--zero-fill reads zeros)" :
						     "");
	if (n > TEXT_MAX_RANGES)
		printf("  ... %zu more ranges (kdx info --json lists all)\n",
		       n - TEXT_MAX_RANGES);
}

static void print_cpus(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	printf("cpus:       %zu from NT_PRSTATUS", cli_count_notes(dump, "prstatus"));
	if (cli_count_notes(dump, "qemu-cpu-state"))
		printf(", %zu QEMU CPU state notes",
		       cli_count_notes(dump, "qemu-cpu-state"));
	if (cli_count_saved_cpus(dump))
		printf(", %zu from the %s", cli_count_saved_cpus(dump),
		       cli_saved_cpu_source(dump));
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		printf("  cpu %u: pid %" PRId32, cpus[i].index, cpus[i].pid);
		/* The program counter is the one register everyone wants. */
		for (unsigned int r = 0; r < cpus[i].reg_count; r++)
			if (!strcmp(cpus[i].reg_names[r], "rip") ||
			    !strcmp(cpus[i].reg_names[r], "eip") ||
			    !strcmp(cpus[i].reg_names[r], "pc"))
				printf(" %s 0x%" PRIx64, cpus[i].reg_names[r],
				       cpus[i].regs[r]);
		if (cpus[i].has_control_regs)
			printf(" cr0 0x%" PRIx64 " cr3 0x%" PRIx64
			       " cr4 0x%" PRIx64,
			       cpus[i].cr[0], cpus[i].cr[3], cpus[i].cr[4]);
		if (cpus[i].has_efer)
			printf(" efer 0x%" PRIx64, cpus[i].efer);
		if (cpus[i].has_ttbr)
			printf(" ttbr0_el1 0x%" PRIx64 " ttbr1_el1 0x%" PRIx64
			       " tcr_el1 0x%" PRIx64,
			       cpus[i].ttbr0_el1, cpus[i].ttbr1_el1,
			       cpus[i].tcr_el1);
		if (cpus[i].state_source)
			printf(" (%s)", cpus[i].state_source);
		printf("\n");
	}
}

static void print_notes(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);

	printf("notes:      %zu\n", n);
	for (size_t i = 0; i < n; i++)
		printf("  %-12s type 0x%-8x %-16s %6zu bytes at offset 0x%" PRIx64
		       "\n",
		       notes[i].name, notes[i].type, notes[i].kind,
		       notes[i].desc_size, notes[i].file_offset);
}

static void print_vmcoreinfo(const struct kdx_dump *dump)
{
	size_t n;
	const char *release = kdx_dump_vmcoreinfo_get(dump, "OSRELEASE");
	const char *page = kdx_dump_vmcoreinfo_get(dump, "PAGESIZE");

	if (!kdx_dump_vmcoreinfo(dump, &n)) {
		printf("vmcoreinfo: none\n");
		return;
	}
	printf("vmcoreinfo: %zu entries, %s\n", n,
	       kdx_dump_vmcoreinfo_source(dump));
	printf("  OSRELEASE=%s\n  PAGESIZE=%s\n", release ? release : "(absent)",
	       page ? page : "(absent)");
}

static void print_text(const char *path, const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_detail *d = kdx_dump_details(dump, &n);
	enum kdx_segment_vaddrs vaddrs = segment_vaddrs(dump);
	const char *const *warnings;

	printf("file:       %s\n", path);
	printf("format:     %s\n", kdx_dump_format_name(dump));
	for (size_t i = 0; i < n; i++)
		printf("  %-18s %s\n", d[i].key, d[i].value);
	printf("arch:       %s, %s-endian, %u-bit words\n",
	       kdx_arch_name(kdx_dump_arch(dump)),
	       cli_byte_order_name(kdx_dump_byte_order(dump)),
	       kdx_dump_word_size(dump) * 8);
	printf("page size:  %" PRIu32 " (%s)\n", kdx_dump_page_size(dump),
	       kdx_dump_page_size_source(dump));
	print_memory(dump);
	n = kdx_dump_segment_count(dump);
	printf("segments:   %zu, virtual addresses: %s%s\n", n,
	       kdx_segment_vaddrs_name(vaddrs),
	       vaddrs == KDX_SEGMENT_VADDRS_MAPPED ?
		       " (segments carry page-table mappings, as in QEMU's paging dumps)" :
		       "");
	print_cpus(dump);
	print_notes(dump);
	print_vmcoreinfo(dump);
	cli_crash_summary_text(dump);
	cli_info_translation(dump, NULL);
	warnings = kdx_dump_warnings(dump, &n);
	for (size_t i = 0; i < n; i++)
		printf("warning:    %s\n", warnings[i]);
}

static int run_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		CLI_DUMP_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct kdx_open_options opts;
	struct cli_dump_files files;
	struct kdx_dump *dump;
	bool json = false;
	int opt, rc = EXIT_OK;

	kdx_open_options_init(&opts);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		if (cli_dump_option(opt, optarg, &opts, &rc)) {
			if (rc)
				return rc;
			continue;
		}
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			return cli_help(&cli_cmd_info);
		default:
			return cli_usage_error(&cli_cmd_info, "bad option");
		}
	}
	if (argc - optind < 1)
		return cli_usage_error(&cli_cmd_info, "expected a DUMP");
	/* Several files are one dump split by makedumpfile --split. */
	files.paths = (const char *const *)argv + optind;
	files.count = (size_t)(argc - optind);
	rc = cli_open_dump(&files, &opts, &dump);
	if (rc)
		return rc;
	if (json) {
		struct json j;

		json_init(&j, stdout);
		cli_info_json(&j, argv[optind], dump);
		json_finish(&j);
	} else {
		print_text(argv[optind], dump);
	}
	kdx_dump_destroy(dump);
	return EXIT_OK;
}
