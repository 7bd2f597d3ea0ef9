/* SPDX-License-Identifier: MIT */
/* What every kdx fuzz target shares: walk every accessor of an open dump
 * and read its physical memory at the places bugs live (range edges,
 * boundaries, holes, the ends of the address space), checking each
 * result against the documented contract.  A broken contract aborts, so
 * libFuzzer and the corpus replay both report it as a crash. */
#ifndef KDX_FUZZ_COMMON_H
#define KDX_FUZZ_COMMON_H

#include <kdx/kdx.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Abort with a message when a documented property does not hold. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			kdx_fuzz_fail(__FILE__, __LINE__, #cond);             \
	} while (0)

_Noreturn void kdx_fuzz_fail(const char *file, int line, const char *what);

/* Where a dump's bytes came from, for checking what reads return.  The
 * ELF oracle compares a byte with the file when exactly one PT_LOAD holds
 * it; the raw oracle compares every byte at image[addr - base]. */
struct kdx_fuzz_input {
	const uint8_t *data; /* the whole file */
	size_t size;
	/* Raw images: the image and the address of its first byte. */
	const uint8_t *raw_image;
	size_t raw_size;
	uint64_t raw_base;
	int is_raw;
};

/* Exercise every accessor and a bounded set of reads of @dump. */
void kdx_fuzz_exercise(const struct kdx_dump *dump,
		       const struct kdx_fuzz_input *in);

/* Check an error's accessors and release it. */
void kdx_fuzz_error(struct kdx_error *err);

/* What a compressed input (gzip, zstd, ... around a dump) may grow to.
 * A 16 KiB input of zstd blocks can make hundreds of megabytes, each
 * execution paying for them; what the readers see of a dump is in its
 * first pages, and the decompression's own paths are fuzz_decompress's. */
#define KDX_FUZZ_MAX_DECOMPRESSED (4u << 20)

/* What one open of an input came to, for comparing two opens. */
struct kdx_fuzz_open {
	int code;             /* 0: opened; else the error's code */
	char format[16];      /* the reader that opened it */
	size_t ranges, notes, segments;
};

/* Open @data from memory (@format NULL: detect), exercise the dump if it
 * opened and @exercise says so, and say what came of it.  A forced format
 * must be the one that opened it.  A second open of the same bytes, only
 * to compare with kdx_fuzz_same(), need not exercise again: the reads
 * are what costs. */
void kdx_fuzz_open(const uint8_t *data, size_t size, const char *format,
		   bool exercise, struct kdx_fuzz_open *out);

/* The dump @format's reader makes of @data, exercised, or NULL (its
 * error checked and dropped); where detection chooses @format too, both
 * opens saw the same dump. */
struct kdx_dump *kdx_fuzz_open_as(const uint8_t *data, size_t size,
				  const char *format);

/* Translate and read a few kernel addresses through the kernel layout
 * kdx finds in @dump: every walk must end, and results carry the
 * translation's address space. */
void kdx_fuzz_walk_kernel(const struct kdx_dump *dump);

/* @n bytes at the end of @arena (@cap bytes, kept for the whole run),
 * with the bytes before them poisoned for ASan: a buffer per input or
 * per read costs more in allocator work and page faults than the code
 * under test, and ASan still sees an access outside it on either side
 * (the allocation's own redzone past the end; before the start, to
 * ASan's 8-byte granule: a partly poisoned granule stays addressable).
 * NULL if @n > @cap. */
uint8_t *kdx_fuzz_place(uint8_t *arena, size_t cap, size_t n);

/* Two opens of the same bytes by the same reader saw the same dump. */
void kdx_fuzz_same(const struct kdx_fuzz_open *a,
		   const struct kdx_fuzz_open *b);

#endif
