/* SPDX-License-Identifier: MIT */
/* Translation options shared by vtop, maps and read. */
#include "cli/xlat_args.h"

#include <inttypes.h>
#include <string.h>

/* Like cli_parse_u64, but a leading '-' negates (phys_base can be below
 * the kernel's link address). */
static bool parse_signed(const char *arg, uint64_t *out)
{
	if (*arg == '-') {
		if (!cli_parse_u64(arg + 1, out))
			return false;
		*out = (uint64_t)0 - *out;
		return true;
	}
	return cli_parse_u64(arg, out);
}

static bool bad(const char *option, const char *arg, int *exit_code)
{
	fprintf(stderr, "kdx: %s: not a number: '%s'\n", option, arg);
	*exit_code = EXIT_USAGE;
	return true;
}

bool cli_xlat_option(int opt, const char *arg, struct kdx_kernel_options *k,
		     int *exit_code)
{
	switch (opt) {
	case CLI_OPT_ROOT:
		k->has_root = true;
		return cli_parse_u64(arg, &k->root) || bad("--root", arg, exit_code);
	case CLI_OPT_MODE:
		if (!kdx_paging_mode_from_name(arg, &k->mode) ||
		    k->mode == KDX_PAGING_NONE) {
			fprintf(stderr,
				"kdx: --mode: unknown paging mode '%s' (x86-32, x86-pae, x86-64, x86-la57, arm-v5, arm, arm-lpae, aarch64, sv32, sv39, sv48, sv57, ppc64-radix, s390x, mips32, mips64, ppc64-hpt)\n",
				arg);
			*exit_code = EXIT_USAGE;
		}
		return true;
	case CLI_OPT_KASLR:
		k->has_kaslr_offset = true;
		return parse_signed(arg, &k->kaslr_offset) ||
		       bad("--kaslr-offset", arg, exit_code);
	case CLI_OPT_PHYS_BASE:
		k->has_phys_base = true;
		return parse_signed(arg, &k->phys_base) ||
		       bad("--phys-base", arg, exit_code);
	case CLI_OPT_VA_BITS: {
		uint64_t v;

		if (!cli_parse_u64(arg, &v) || v < 25 || v > 52) {
			fprintf(stderr, "kdx: --va-bits: not 25..52: '%s'\n", arg);
			*exit_code = EXIT_USAGE;
			return true;
		}
		k->va_bits = (unsigned int)v;
		return true;
	}
	case CLI_OPT_ROOT_LOW:
		k->has_root_low = true;
		return cli_parse_u64(arg, &k->root_low) ||
		       bad("--root-low", arg, exit_code);
	case CLI_OPT_PHYS_BITS: {
		uint64_t v;

		/* the mode's own limit is checked when the walk is set up */
		if (!cli_parse_u64(arg, &v) || v < 32 || v > 64) {
			fprintf(stderr, "kdx: --phys-bits: not 32..64: '%s'\n", arg);
			*exit_code = EXIT_USAGE;
			return true;
		}
		k->phys_bits = (unsigned int)v;
		return true;
	}
	case CLI_OPT_PAGE_OFFSET:
		k->has_page_offset = true;
		return cli_parse_u64(arg, &k->page_offset) ||
		       bad("--page-offset", arg, exit_code);
	}
	return false;
}

int cli_open_xlat(const struct kdx_dump *dump,
		  const struct kdx_kernel_options *kopts,
		  struct kdx_kernel_layout *layout, struct kdx_xlat **out)
{
	struct kdx_kernel_layout local;
	struct kdx_error *err;

	if (!layout)
		layout = &local;
	err = kdx_kernel_probe(dump, kopts, layout);
	if (!err)
		err = kdx_kernel_xlat_create(dump, layout, out);
	return err ? cli_report(err) : EXIT_OK;
}

int cli_with_xlat(const struct cli_dump_files *files,
		  const struct kdx_open_options *opts,
		  const struct kdx_kernel_options *kopts,
		  int (*fn)(void *arg, const struct kdx_dump *dump,
			    struct kdx_xlat *xlat,
			    const struct kdx_kernel_layout *layout),
		  void *arg)
{
	struct kdx_kernel_layout layout;
	struct kdx_dump *dump;
	struct kdx_xlat *xlat;
	int rc = cli_open_dump(files, opts, &dump);

	if (rc)
		return rc;
	rc = cli_open_xlat(dump, kopts, &layout, &xlat);
	if (!rc) {
		rc = fn(arg, dump, xlat, &layout);
		kdx_xlat_destroy(xlat);
	}
	kdx_dump_destroy(dump);
	return rc;
}

const struct cli_flag_name cli_flag_names[] = {
	{ KDX_PAGE_WRITABLE, "writable" }, { KDX_PAGE_USER, "user" },
	{ KDX_PAGE_NX, "nx" },             { KDX_PAGE_GLOBAL, "global" },
	{ KDX_PAGE_PWT, "pwt" },           { KDX_PAGE_PCD, "pcd" },
	{ KDX_PAGE_PAT, "pat" },           { KDX_PAGE_ACCESSED, "accessed" },
	{ KDX_PAGE_DIRTY, "dirty" },
};
const size_t cli_flag_name_count =
	sizeof(cli_flag_names) / sizeof(cli_flag_names[0]);

/* Fixed columns "rwx u g" first, then the rarer ones by name. */
const char *cli_page_flags(unsigned int f, char *buf, size_t len)
{
	snprintf(buf, len, "r%c%c %c %c%s%s%s%s%s",
		 f & KDX_PAGE_WRITABLE ? 'w' : '-', f & KDX_PAGE_NX ? '-' : 'x',
		 f & KDX_PAGE_USER ? 'u' : 'k', f & KDX_PAGE_GLOBAL ? 'g' : '-',
		 f & KDX_PAGE_PWT ? " pwt" : "", f & KDX_PAGE_PCD ? " pcd" : "",
		 f & KDX_PAGE_PAT ? " pat" : "",
		 f & KDX_PAGE_ACCESSED ? " accessed" : "",
		 f & KDX_PAGE_DIRTY ? " dirty" : "");
	return buf;
}

const char *cli_page_size(uint64_t size, char *buf, size_t len)
{
	if (size >= (1ull << 30) && !(size & ((1ull << 30) - 1)))
		snprintf(buf, len, "%" PRIu64 "G", size >> 30);
	else if (size >= (1ull << 20) && !(size & ((1ull << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 "M", size >> 20);
	else
		snprintf(buf, len, "%" PRIu64 "K", size >> 10);
	return buf;
}
