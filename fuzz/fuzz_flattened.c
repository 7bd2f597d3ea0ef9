/* SPDX-License-Identifier: MIT */
/* Fuzz the makedumpfile flattened-stream reader against the plain file:
 * the input is a whole kdump-compressed or ELF dump, which is wrapped
 * here in a flattened stream — records of a size the input's last byte
 * chooses, in reverse order, after a junk record they overwrite — and
 * the stream must read exactly as the plain file does: same outcome,
 * same physical map, notes, CPUs and page size, the same bytes or the
 * same error at the start and end of every range.
 *
 * Split from fuzz_kdump, whose speed it halved: each input here is opened
 * twice and read back in 4 KiB chunks. */
#include "fuzz_common.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FLAT_HEADER 4096u
#define MAX_FLATTEN (256u << 10)
/* Bytes compared between the plain and the flattened dump. */
#define COMPARE_BUDGET (256u << 10)
#define COMPARE_CHUNK 4096u

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint8_t *record(uint8_t *p, uint64_t offset, uint64_t size,
		       const uint8_t *bytes)
{
	put_be64(p, offset);
	put_be64(p + 8, size);
	if (bytes && size)
		memcpy(p + 16, bytes, size);
	return p + 16 + (bytes ? size : 0);
}

/* makedumpfile -F's stream of @data. */
static uint8_t *flatten(const uint8_t *data, size_t size, size_t *out_size)
{
	size_t chunk = (size_t)64 << (data[size - 1] % 6);
	size_t n = (size + chunk - 1) / chunk, junk = size < 64 ? size : 64;
	uint8_t *f = calloc(1, FLAT_HEADER + (n + 2) * 16 + size + junk);
	uint8_t *p, ones[64];

	if (!f)
		return NULL;
	memcpy(f, "makedumpfile", 12);
	put_be64(f + 16, 1); /* TYPE_FLAT_HEADER */
	put_be64(f + 24, 1); /* VERSION_FLAT_HEADER */
	memset(ones, 0xa5, sizeof(ones));
	p = record(f + FLAT_HEADER, 0, junk, ones);
	for (size_t i = n; i-- > 0;) {
		size_t at = i * chunk;

		p = record(p, at, size - at < chunk ? size - at : chunk,
			   data + at);
	}
	p = record(p, UINT64_MAX, UINT64_MAX, NULL);
	*out_size = (size_t)(p - f);
	return f;
}

static struct kdx_dump *open_dump(const uint8_t *data, size_t size,
				  int *code)
{
	struct kdx_open_options opts;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;

	kdx_open_options_init(&opts);
	opts.format = NULL; /* plain kdump or ELF, or the stream */
	err = kdx_dump_open_memory(data, size, &opts, &dump);
	*code = err ? (int)kdx_error_code(err) : 0;
	kdx_fuzz_error(err);
	return dump;
}

/* Read the same bytes from both; they agree on success or failure, and
 * on the bytes when both succeed. */
static void compare_read(const struct kdx_dump *a, const struct kdx_dump *b,
			 uint64_t addr, size_t len, uint8_t *x, uint8_t *y)
{
	struct kdx_error *ea, *eb;

	ea = kdx_read_phys(a, addr, x, len, KDX_READ_ZERO_FILL, NULL);
	eb = kdx_read_phys(b, addr, y, len, KDX_READ_ZERO_FILL, NULL);
	FUZZ_CHECK((ea == NULL) == (eb == NULL));
	if (ea && eb)
		FUZZ_CHECK(kdx_error_code(ea) == kdx_error_code(eb));
	if (!ea && !eb)
		FUZZ_CHECK(!memcmp(x, y, len));
	kdx_fuzz_error(ea);
	kdx_fuzz_error(eb);
}

static void flattened_reads_the_same(const uint8_t *data, size_t size)
{
	size_t fsize, na, nb, ka, kb;
	uint8_t *flat = flatten(data, size, &fsize);
	struct kdx_dump *a, *b;
	const struct kdx_phys_range *ra, *rb;
	uint8_t *x = malloc(COMPARE_CHUNK), *y = malloc(COMPARE_CHUNK);
	uint64_t budget = COMPARE_BUDGET;
	int ca, cb;

	if (!flat || !x || !y)
		goto out;
	a = open_dump(data, size, &ca);
	b = open_dump(flat, fsize, &cb);
	FUZZ_CHECK(ca == cb);
	if (a && b) {
		ra = kdx_dump_phys_ranges(a, &na);
		rb = kdx_dump_phys_ranges(b, &nb);
		FUZZ_CHECK(na == nb);
		for (size_t i = 0; i < na; i++) {
			FUZZ_CHECK(ra[i].start == rb[i].start);
			FUZZ_CHECK(ra[i].size == rb[i].size);
			FUZZ_CHECK(ra[i].kind == rb[i].kind);
		}
		kdx_dump_notes(a, &ka);
		kdx_dump_notes(b, &kb);
		FUZZ_CHECK(ka == kb);
		kdx_dump_cpus(a, &ka);
		kdx_dump_cpus(b, &kb);
		FUZZ_CHECK(ka == kb);
		FUZZ_CHECK(kdx_dump_page_size(a) == kdx_dump_page_size(b));
		for (size_t i = 0; i < na && budget; i++) {
			uint64_t len = ra[i].size < COMPARE_CHUNK ?
					       ra[i].size :
					       COMPARE_CHUNK;

			/* Each range's first and last chunk. */
			compare_read(a, b, ra[i].start, (size_t)len, x, y);
			compare_read(a, b, ra[i].start + ra[i].size - len,
				     (size_t)len, x, y);
			budget = budget > 2 * len ? budget - 2 * len : 0;
		}
	}
	kdx_dump_destroy(a);
	kdx_dump_destroy(b);
out:
	free(flat);
	free(x);
	free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool plain = size >= 8 && (!memcmp(data, "KDUMP   ", 8) ||
				   !memcmp(data, "DISKDUMP", 8) ||
				   !memcmp(data, "\177ELF", 4));

	if (plain && size <= MAX_FLATTEN)
		flattened_reads_the_same(data, size);
	return 0;
}
