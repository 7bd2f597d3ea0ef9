/* SPDX-License-Identifier: MIT */
/* Test-side byte-order stores, written apart from libkdx's endian.h so a
 * bug there cannot hide itself in the tests. */
#ifndef KDX_TESTS_BYTES_H
#define KDX_TESTS_BYTES_H

#include <kdx/byteorder.h>

#include <stdbool.h>
#include <stdint.h>

static inline void put_bytes(uint8_t *p, uint64_t v, int n,
			     enum kdx_byte_order bo)
{
	for (int i = 0; i < n; i++) {
		int shift = bo == KDX_BIG_ENDIAN ? (n - 1 - i) * 8 : i * 8;

		p[i] = (uint8_t)(v >> shift);
	}
}

static inline void put16(uint8_t *p, uint16_t v, enum kdx_byte_order bo)
{
	put_bytes(p, v, 2, bo);
}

static inline void put32(uint8_t *p, uint32_t v, enum kdx_byte_order bo)
{
	put_bytes(p, v, 4, bo);
}

static inline void put64(uint8_t *p, uint64_t v, enum kdx_byte_order bo)
{
	put_bytes(p, v, 8, bo);
}

/* A class-sized word: 8 bytes in ELF64, 4 in ELF32. */
static inline void put_word(uint8_t *p, uint64_t v, bool is64,
			enum kdx_byte_order bo)
{
	put_bytes(p, v, is64 ? 8 : 4, bo);
}

#endif
