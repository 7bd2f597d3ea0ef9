/* SPDX-License-Identifier: MIT */
/* Explicit-width, explicit-byte-order loads and stores.  File bytes are
 * never overlaid with host structs: any host reads any target. */
#ifndef KDX_CORE_ENDIAN_H
#define KDX_CORE_ENDIAN_H

#include <kdx/byteorder.h>

#include <stdint.h>

static inline uint16_t kdx_load_u16(const void *p, enum kdx_byte_order bo)
{
	const uint8_t *b = p;

	return bo == KDX_BIG_ENDIAN ? (uint16_t)(b[0] << 8 | b[1]) :
				      (uint16_t)(b[1] << 8 | b[0]);
}

static inline uint32_t kdx_load_u32(const void *p, enum kdx_byte_order bo)
{
	const uint8_t *b = p;

	if (bo == KDX_BIG_ENDIAN)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		       (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[1] << 8 | b[0];
}

static inline uint64_t kdx_load_u64(const void *p, enum kdx_byte_order bo)
{
	const uint8_t *b = p;
	uint64_t hi, lo;

	if (bo == KDX_BIG_ENDIAN) {
		hi = kdx_load_u32(b, bo);
		lo = kdx_load_u32(b + 4, bo);
	} else {
		lo = kdx_load_u32(b, bo);
		hi = kdx_load_u32(b + 4, bo);
	}
	return hi << 32 | lo;
}

/* A field of @size bytes (1, 2, 4 or 8): for word-sized fields whose width
 * depends on the dump (ELF class, target pointer size). */
static inline uint64_t kdx_load_uint(const void *p, unsigned int size,
				     enum kdx_byte_order bo)
{
	switch (size) {
	case 1: return *(const uint8_t *)p;
	case 2: return kdx_load_u16(p, bo);
	case 4: return kdx_load_u32(p, bo);
	default: return kdx_load_u64(p, bo);
	}
}

static inline void kdx_store_u16(void *p, uint16_t v, enum kdx_byte_order bo)
{
	uint8_t *b = p;

	if (bo == KDX_BIG_ENDIAN) {
		b[0] = (uint8_t)(v >> 8);
		b[1] = (uint8_t)v;
	} else {
		b[0] = (uint8_t)v;
		b[1] = (uint8_t)(v >> 8);
	}
}

static inline void kdx_store_u32(void *p, uint32_t v, enum kdx_byte_order bo)
{
	uint8_t *b = p;

	if (bo == KDX_BIG_ENDIAN) {
		kdx_store_u16(b, (uint16_t)(v >> 16), bo);
		kdx_store_u16(b + 2, (uint16_t)v, bo);
	} else {
		kdx_store_u16(b, (uint16_t)v, bo);
		kdx_store_u16(b + 2, (uint16_t)(v >> 16), bo);
	}
}

static inline void kdx_store_u64(void *p, uint64_t v, enum kdx_byte_order bo)
{
	uint8_t *b = p;

	if (bo == KDX_BIG_ENDIAN) {
		kdx_store_u32(b, (uint32_t)(v >> 32), bo);
		kdx_store_u32(b + 4, (uint32_t)v, bo);
	} else {
		kdx_store_u32(b, (uint32_t)v, bo);
		kdx_store_u32(b + 4, (uint32_t)(v >> 32), bo);
	}
}

#endif
