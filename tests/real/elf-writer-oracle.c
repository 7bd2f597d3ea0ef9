/* SPDX-License-Identifier: MIT */
/* elf-writer-oracle DUMP < ADDRESSES: libkdumpfile's view of a dump kdx
 * wrote.  For each kernel virtual address on standard input (hex, one a
 * line) print one line:
 *
 *   VA ok PA BYTES    addrxlat translated VA to PA, and kdump_read() of
 *                     16 bytes at VA gave BYTES (hex; "-" if the read
 *                     failed)
 *   VA unmapped       addrxlat could not translate it
 *
 * check-elf-writer.sh compares these with kdx's answers on the source
 * dump.  Only libkdumpfile is linked here, never libkdx, so nothing of
 * kdx's reading code is in this oracle.  libkdumpfile 0.5.1 needs
 * addrxlat.ostype=linux set by hand (without it, translation crashes). */
#include <libkdumpfile/kdumpfile.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	kdump_ctx_t *ctx;
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	char line[128];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: elf-writer-oracle DUMP < ADDRESSES\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	ctx = kdump_new();
	if (fd < 0 || !ctx) {
		perror(argv[1]);
		return 2;
	}
	if (kdump_open_fd(ctx, fd) != KDUMP_OK ||
	    kdump_set_string_attr(ctx, "addrxlat.ostype", "linux") != KDUMP_OK ||
	    kdump_get_addrxlat(ctx, &axctx, &axsys) != KDUMP_OK) {
		fprintf(stderr, "elf-writer-oracle: libkdumpfile: %s\n",
			kdump_get_err(ctx));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		uint64_t va = strtoull(line, NULL, 16);
		addrxlat_fulladdr_t fa = { va, ADDRXLAT_KVADDR };
		unsigned char buf[16];
		size_t len = sizeof(buf);

		if (addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, axctx,
					   axsys) != ADDRXLAT_OK) {
			addrxlat_ctx_clear_err(axctx);
			printf("%" PRIx64 " unmapped\n", va);
			continue;
		}
		printf("%" PRIx64 " ok %" PRIx64 " ", va, (uint64_t)fa.addr);
		if (kdump_read(ctx, KDUMP_KVADDR, va, buf, &len) != KDUMP_OK) {
			kdump_clear_err(ctx);
			printf("-\n");
			continue;
		}
		for (size_t i = 0; i < sizeof(buf); i++)
			printf("%02x", buf[i]);
		printf("\n");
	}
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	kdump_free(ctx);
	close(fd);
	return 0;
}
