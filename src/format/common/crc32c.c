/* SPDX-License-Identifier: MIT */
/* CRC-32C; see crc32c.h.
 *
 * The crc32 instruction takes 3 cycles and can start one a cycle: one
 * chain of them over a buffer runs at a third of what the CPU can do.
 * So a long buffer is cut in three pieces whose CRCs are computed in one
 * loop, side by side, then joined: the CRC register after A then B is
 * the register after A, multiplied by x^(8 |B|) modulo the polynomial,
 * xor the register of B alone (CRCs are linear).  Twice the speed on a
 * 64 KiB AVML chunk, measured in docs/memory-images.md. */
#include "format/common/crc32c.h"

#include "core/endian.h"

#define POLY 0x82F63B78u /* reflected */
/* Below this, one chain: joining costs about 600 instructions. */
#define INTERLEAVE_MIN 3072u

/* a * b modulo the polynomial, both bit-reflected (x^0 is bit 31). */
static uint32_t mulmod(uint32_t a, uint32_t b)
{
	uint32_t p = 0;

	for (uint32_t m = 1u << 31; m; m >>= 1) {
		if (a & m)
			p ^= b;
		b = b & 1 ? (b >> 1) ^ POLY : b >> 1;
	}
	return p;
}

/* x^(8 n) modulo the polynomial, n < 2^29: shifting a register over n
 * bytes (bit i of n contributes x^(2^(i+3))). */
static uint32_t shift_op(const struct kdx_crc32c *c, uint32_t n)
{
	uint32_t p = 1u << 31; /* x^0 */

	for (unsigned int k = 3; n && k < 32; n >>= 1, k++)
		if (n & 1)
			p = mulmod(c->x2n[k], p);
	return p;
}

void kdx_crc32c_init(struct kdx_crc32c *c)
{
	uint32_t p = 1u << 30; /* x^1 */

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t v = i;

		for (int k = 0; k < 8; k++)
			v = v & 1 ? (v >> 1) ^ POLY : v >> 1;
		c->table[0][i] = v;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			c->table[t][i] = (c->table[t - 1][i] >> 8) ^
					 c->table[0][c->table[t - 1][i] & 0xff];
	for (int k = 0; k < 32; k++) {
		c->x2n[k] = p;
		p = mulmod(p, p);
	}
	c->x86 = false;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	c->x86 = __builtin_cpu_supports("sse4.2");
#endif
}

/* The register after @n bytes from register @r, by the tables. */
static uint32_t crc_tables(const struct kdx_crc32c *c, uint32_t r,
			   const uint8_t *p, size_t n)
{
	for (; n >= 8; n -= 8, p += 8) {
		uint32_t lo = r ^ kdx_load_u32(p, KDX_LITTLE_ENDIAN);
		uint32_t hi = kdx_load_u32(p + 4, KDX_LITTLE_ENDIAN);

		r = c->table[7][lo & 0xff] ^ c->table[6][(lo >> 8) & 0xff] ^
		    c->table[5][(lo >> 16) & 0xff] ^ c->table[4][lo >> 24] ^
		    c->table[3][hi & 0xff] ^ c->table[2][(hi >> 8) & 0xff] ^
		    c->table[1][(hi >> 16) & 0xff] ^ c->table[0][hi >> 24];
	}
	while (n--)
		r = c->table[0][(r ^ *p++) & 0xff] ^ (r >> 8);
	return r;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2"))) static uint32_t
crc_x86(const struct kdx_crc32c *c, uint32_t r, const uint8_t *p, size_t n)
{
	uint64_t r0 = r, r1 = 0, r2 = 0;

	if (n >= INTERLEAVE_MIN && n / 3 < (1u << 29)) {
		size_t third = n / 3 / 8 * 8;
		const uint8_t *b = p + third, *d = p + 2 * third;
		uint32_t op;

		/* Three independent chains in one loop. */
		for (size_t i = 0; i < third; i += 8) {
			r0 = _mm_crc32_u64(r0, kdx_load_u64(p + i, KDX_LITTLE_ENDIAN));
			r1 = _mm_crc32_u64(r1, kdx_load_u64(b + i, KDX_LITTLE_ENDIAN));
			r2 = _mm_crc32_u64(r2, kdx_load_u64(d + i, KDX_LITTLE_ENDIAN));
		}
		op = shift_op(c, (uint32_t)third);
		r0 = mulmod(op, (uint32_t)r0) ^ (uint32_t)r1;
		r0 = mulmod(op, (uint32_t)r0) ^ (uint32_t)r2;
		p += 3 * third;
		n -= 3 * third;
	}
	for (; n >= 8; n -= 8, p += 8)
		r0 = _mm_crc32_u64(r0, kdx_load_u64(p, KDX_LITTLE_ENDIAN));
	while (n--)
		r0 = _mm_crc32_u8((uint32_t)r0, *p++);
	return (uint32_t)r0;
}
#endif

uint32_t kdx_crc32c(const struct kdx_crc32c *c, const uint8_t *p, size_t n)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (c->x86)
		return ~crc_x86(c, 0xffffffffu, p, n);
#endif
	return ~crc_tables(c, 0xffffffffu, p, n);
}
