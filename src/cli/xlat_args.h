/* SPDX-License-Identifier: MIT */
/* Options and set-up shared by the commands that translate virtual
 * addresses (vtop, maps, read): the page-table root and mode, and the
 * Linux values kdx would otherwise find in the dump. */
#ifndef KDX_CLI_XLAT_ARGS_H
#define KDX_CLI_XLAT_ARGS_H

#include "cli/cli.h"

#include <kdx/kernel.h>
#include <kdx/xlat.h>

/* getopt codes above any character. */
enum {
	CLI_OPT_ROOT = 0x200,
	CLI_OPT_MODE,
	CLI_OPT_KASLR,
	CLI_OPT_PHYS_BASE,
	CLI_OPT_PAGE_OFFSET,
	CLI_OPT_VA_BITS,
	CLI_OPT_ROOT_LOW,
	CLI_OPT_PHYS_BITS,
};

#define CLI_XLAT_LONG_OPTIONS                                            \
	{ "root", required_argument, NULL, CLI_OPT_ROOT },               \
	{ "mode", required_argument, NULL, CLI_OPT_MODE },               \
	{ "kaslr-offset", required_argument, NULL, CLI_OPT_KASLR },      \
	{ "phys-base", required_argument, NULL, CLI_OPT_PHYS_BASE },     \
	{ "page-offset", required_argument, NULL, CLI_OPT_PAGE_OFFSET }, \
	{ "va-bits", required_argument, NULL, CLI_OPT_VA_BITS },         \
	{ "root-low", required_argument, NULL, CLI_OPT_ROOT_LOW },       \
	{ "phys-bits", required_argument, NULL, CLI_OPT_PHYS_BITS }

#define CLI_XLAT_OPTIONS_HELP                                                    \
	"Translation options (found in the dump when not given):\n"              \
	"  --root PADDR      physical address of the top page table (a CR3\n"     \
	"                    value is fine); default: the kernel's, from\n"      \
	"                    VMCOREINFO, else the first CPU's CR3\n"             \
	"  --mode MODE       x86-32 (2level), x86-pae (pae), x86-64 (4level),\n"  \
	"                    x86-la57 (5level), arm-v5, arm, arm-lpae,\n"         \
	"                    aarch64, sv32, sv39, sv48, sv57, s390x\n"            \
	"  --root-low PADDR  AArch64/ARM: the user half's table (TTBR0);\n"     \
	"                    x86 and RISC-V take a process's table as --root\n" \
	"  --phys-bits N     physical address bits entries may use (AArch64\n"  \
	"                    FEAT_LPA with 64K pages, LPA2: 52)\n"              \
	"  --va-bits N       address bits the root covers (AArch64: 64 - T1SZ;\n" \
	"                    LPAE: 30 for Linux's live TTBR1)\n"                  \
	"  --kaslr-offset N  KASLR slide of the kernel image\n"                  \
	"  --phys-base N     x86_64 phys_base (root = init_top_pgt -\n"          \
	"                    __START_KERNEL_map + phys_base); may be negative\n" \
	"  --page-offset VA  direct-map base (PAGE_OFFSET / page_offset_base)\n"

/* Handle one of CLI_XLAT_LONG_OPTIONS; false for other options.  A bad
 * value prints an error and sets *exit_code to EXIT_USAGE. */
bool cli_xlat_option(int opt, const char *arg, struct kdx_kernel_options *kopts,
		     int *exit_code);

/* Probe the kernel layout and create its translation, printing any
 * error; returns an exit code.  @layout may be NULL. */
int cli_open_xlat(const struct kdx_dump *dump,
		  const struct kdx_kernel_options *kopts,
		  struct kdx_kernel_layout *layout, struct kdx_xlat **out);

/* Open @files, probe the kernel and set up its translation, call @fn,
 * and release everything; every step's error is printed.  Returns the
 * exit code (@fn's when it ran). */
int cli_with_xlat(const struct cli_dump_files *files,
		  const struct kdx_open_options *opts,
		  const struct kdx_kernel_options *kopts,
		  int (*fn)(void *arg, const struct kdx_dump *dump,
			    struct kdx_xlat *xlat,
			    const struct kdx_kernel_layout *layout),
		  void *arg);

/* "rw- u nx g" style flag text. */
const char *cli_page_flags(unsigned int flags, char *buf, size_t len);

/* The KDX_PAGE_* flags and their names, for JSON. */
extern const struct cli_flag_name {
	unsigned int flag;
	const char *name;
} cli_flag_names[];
extern const size_t cli_flag_name_count;

struct json;

/* kdx info's "translation" section: text when @j is NULL, else a
 * "translation" member of the object @j is writing. */
void cli_info_translation(const struct kdx_dump *dump, struct json *j);

/* kdx info's Xen part (info_xen.c): Xen's crash notes, Linux's own p2m
 * of a PV guest's dump, the PV domains in a Xen host's machine memory;
 * @layout NULL when the kernel probe failed. */
void cli_info_xen(const struct kdx_dump *dump,
		  const struct kdx_kernel_layout *layout, struct json *j);

/* "4K", "2M", "1G", "4M". */
const char *cli_page_size(uint64_t size, char *buf, size_t len);

#endif
