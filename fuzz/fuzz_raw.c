/* SPDX-License-Identifier: MIT */
/* Fuzz the raw reader.  Input layout: 8 bytes little-endian base address,
 * 1 byte architecture (enum kdx_arch, modulo KDX_ARCH_COUNT), 1 byte page
 * size shift (0: none given; else 1 << (9 + n % 16)), then the image.
 * Every byte read back must be the image's byte at addr - base. */
#include "fuzz_common.h"

#include <string.h>

#define HEADER 10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t header[HEADER] = { 0 };
	struct kdx_open_options opts;
	struct kdx_fuzz_input in = { .data = data, .size = size, .is_raw = 1 };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	uint64_t base = 0;

	memcpy(header, data, size < HEADER ? size : HEADER);
	for (int i = 7; i >= 0; i--)
		base = base << 8 | header[i];
	in.raw_image = size > HEADER ? data + HEADER : data + size;
	in.raw_size = size > HEADER ? size - HEADER : 0;
	in.raw_base = base;

	kdx_open_options_init(&opts);
	opts.format = "raw";
	opts.raw_base = base;
	opts.arch = (enum kdx_arch)(header[8] % KDX_ARCH_COUNT);
	opts.page_size = header[9] ? 1u << (9 + header[9] % 16) : 0;
	err = kdx_dump_open_memory(in.raw_image, in.raw_size, &opts, &dump);
	if (err) {
		/* Only an image that wraps past 2^64 is refused. */
		FUZZ_CHECK(kdx_error_code(err) == KDX_ERR_INVALID ||
			   kdx_error_code(err) == KDX_ERR_NOMEM);
		FUZZ_CHECK(kdx_error_code(err) == KDX_ERR_NOMEM ||
			   (in.raw_size && base + in.raw_size < base));
		kdx_fuzz_error(err);
		return 0;
	}
	FUZZ_CHECK(!strcmp(kdx_dump_format_name(dump), "raw"));
	FUZZ_CHECK(kdx_dump_arch(dump) == opts.arch);
	if (opts.page_size)
		FUZZ_CHECK(kdx_dump_page_size(dump) == opts.page_size);
	kdx_fuzz_exercise(dump, &in);
	kdx_dump_destroy(dump);
	return 0;
}
