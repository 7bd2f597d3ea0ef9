/* SPDX-License-Identifier: MIT */
/* mkminidump: write one synthetic FreeBSD minidump (see mkminidump.h) to
 * a file, for fuzz seeds, the command-line tests and the libfbsdvmcore
 * oracle.
 *   mkminidump ARCH VERSION OUT [pae] [v4|v6|lpae] [be] [16k] [skew]
 *              [noheader] [dataversion] */
#include "mkminidump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_arch(const char *name, enum mkmd_arch *arch)
{
	for (int a = MKMD_AMD64; a <= MKMD_RISCV; a++) {
		if (!strcmp(name, mkmd_arch_name((enum mkmd_arch)a))) {
			*arch = (enum mkmd_arch)a;
			return true;
		}
	}
	return false;
}

static bool parse_flag(struct mkmd_spec *s, const char *f)
{
	if (!strcmp(f, "pae"))
		s->pae = true;
	else if (!strcmp(f, "v4"))
		s->mmuformat = MKMD_MMU_V4;
	else if (!strcmp(f, "v6"))
		s->mmuformat = MKMD_MMU_V6;
	else if (!strcmp(f, "lpae"))
		s->mmuformat = MKMD_MMU_V6_LPAE;
	else if (!strcmp(f, "be"))
		s->byte_order = KDX_BIG_ENDIAN;
	else if (!strcmp(f, "16k"))
		s->page_size = 16384;
	else if (!strcmp(f, "skew"))
		s->kernbase_skew = 0x5000;
	else if (!strcmp(f, "noheader"))
		s->msgbuf_no_header = true;
	else if (!strcmp(f, "dataversion"))
		s->version_in_data_only = true;
	else
		return false;
	return true;
}

int main(int argc, char **argv)
{
	struct mkmd_spec spec = { 0 };
	struct mkmd_dump d;
	FILE *f;

	if (argc < 4 || !parse_arch(argv[1], &spec.arch)) {
		fprintf(stderr, "usage: mkminidump amd64|i386|arm|arm64|riscv VERSION OUT [pae] [v4|v6|lpae] [be] [16k] [skew] [noheader] [dataversion]\n");
		return 2;
	}
	spec.version = (unsigned int)atoi(argv[2]);
	for (int i = 4; i < argc; i++) {
		if (!parse_flag(&spec, argv[i])) {
			fprintf(stderr, "mkminidump: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!mkmd_build(&spec, &d)) {
		fprintf(stderr, "mkminidump: cannot build that dump\n");
		return 1;
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(d.data, 1, d.size, f) != d.size || fclose(f)) {
		perror(argv[3]);
		mkmd_free(&d);
		return 1;
	}
	mkmd_free(&d);
	return 0;
}
