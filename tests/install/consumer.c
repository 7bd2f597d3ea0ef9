/* SPDX-License-Identifier: MIT */
/* A program that uses only the installed libkdx: open a raw image held in
 * memory, read it back, check an error. */
#include <kdx/kdx.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
	static const unsigned char image[] = "kdx install check";
	struct kdx_open_options opts;
	struct kdx_dump *dump;
	struct kdx_error *err;
	char buf[sizeof(image)];
	size_t n;

	kdx_open_options_init(&opts);
	opts.format = "raw";
	opts.raw_base = 0x1000;
	err = kdx_dump_open_memory(image, sizeof(image), &opts, &dump);
	if (err) {
		fprintf(stderr, "open: %s\n", kdx_error_message(err));
		kdx_error_destroy(err);
		return 1;
	}
	err = kdx_read_phys(dump, 0x1000, buf, sizeof(buf), 0, NULL);
	if (err || memcmp(buf, image, sizeof(image)) != 0) {
		fprintf(stderr, "read back failed\n");
		return 1;
	}
	err = kdx_read_phys(dump, 0x0, buf, 1, 0, NULL);
	if (!err || kdx_error_code(err) != KDX_ERR_NODATA) {
		fprintf(stderr, "a hole did not fail with KDX_ERR_NODATA\n");
		return 1;
	}
	kdx_error_destroy(err);
	printf("libkdx %s: %s, %zu range(s), ok\n", kdx_version(),
	       kdx_dump_format_name(dump),
	       (kdx_dump_phys_ranges(dump, &n), n));
	kdx_dump_destroy(dump);
	return 0;
}
