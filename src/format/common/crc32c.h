/* SPDX-License-Identifier: MIT */
/* CRC-32C (Castagnoli), the checksum of snappy's framing format (AVML):
 * x86-64's crc32 instruction (SSE4.2) where the CPU has it, chosen at run
 * time, else tables sliced by 8. */
#ifndef KDX_FORMAT_COMMON_CRC32C_H
#define KDX_FORMAT_COMMON_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kdx_crc32c {
	uint32_t table[8][256];
	/* x^(2^k) modulo the polynomial, bit-reflected: for joining the
	 * CRCs of pieces computed side by side. */
	uint32_t x2n[32];
	bool x86; /* the CPU has SSE4.2's crc32 */
};

void kdx_crc32c_init(struct kdx_crc32c *c);

/* The CRC-32C of @n bytes at @p (initial ~0, final complement). */
uint32_t kdx_crc32c(const struct kdx_crc32c *c, const uint8_t *p, size_t n);

#endif
