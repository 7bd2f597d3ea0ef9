/* SPDX-License-Identifier: MIT */
/* Small helpers every layer uses: checked arithmetic and growable arrays. */
#ifndef KDX_CORE_UTIL_H
#define KDX_CORE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KDX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* true when a + b overflows; the sum goes to *out otherwise. */
static inline bool kdx_add_overflows(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_add_overflow(a, b, out);
}

static inline bool kdx_mul_overflows(uint64_t a, uint64_t b, uint64_t *out)
{
	return __builtin_mul_overflow(a, b, out);
}

static inline uint64_t kdx_min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Make room for at least @need elements of @elem_size bytes in *@array,
 * growing geometrically; false when the size overflows or memory runs out
 * (the array is then unchanged). */
bool kdx_array_reserve(void **array, size_t *capacity, size_t need,
		       size_t elem_size);

/* Whether @len bytes are all zero (libc's memcmp of the bytes against
 * themselves shifted by one: vectorised, no zero buffer to keep). */
bool kdx_all_zero(const void *p, size_t len);

/* Append one element; false on failure (array unchanged). */
bool kdx_array_push(void **array, size_t *count, size_t *capacity,
		    const void *elem, size_t elem_size);

/* Set bits in @len bytes: the CPU's population count instruction where
 * it has one (checked at run time: x86's POPCNT is not in the base
 * ISA), a portable count elsewhere.  Bitmaps of very large hosts are
 * hundreds of megabytes: this is what counting them costs. */
uint64_t kdx_popcount(const uint8_t *bytes, size_t len);

/* strdup that reports failure as NULL without setting global state. */
char *kdx_strndup(const char *s, size_t n);

#endif
