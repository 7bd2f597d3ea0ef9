/* SPDX-License-Identifier: MIT */
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

bool kdx_array_reserve(void **array, size_t *capacity, size_t need,
		       size_t elem_size)
{
	size_t new_capacity;
	uint64_t bytes;
	void *grown;

	if (need <= *capacity)
		return true;
	new_capacity = *capacity ? *capacity : 16;
	while (new_capacity < need) {
		if (new_capacity > SIZE_MAX / 2)
			return false;
		new_capacity *= 2;
	}
	if (kdx_mul_overflows(new_capacity, elem_size, &bytes) ||
	    bytes > SIZE_MAX)
		return false;
	grown = realloc(*array, (size_t)bytes);
	if (!grown)
		return false;
	*array = grown;
	*capacity = new_capacity;
	return true;
}

bool kdx_array_push(void **array, size_t *count, size_t *capacity,
		    const void *elem, size_t elem_size)
{
	if (!kdx_array_reserve(array, capacity, *count + 1, elem_size))
		return false;
	memcpy((char *)*array + *count * elem_size, elem, elem_size);
	(*count)++;
	return true;
}

char *kdx_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = malloc(len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

/* Whole 8-byte words, loaded in any byte order: a count does not care. */
static uint64_t popcount_portable(const uint8_t *p, size_t words)
{
	uint64_t n = 0, w;

	for (size_t i = 0; i < words; i++, p += 8) {
		memcpy(&w, p, 8);
		n += (uint64_t)__builtin_popcountll(w);
	}
	return n;
}

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
__attribute__((target("popcnt"))) static uint64_t
popcount_popcnt(const uint8_t *p, size_t words)
{
	uint64_t n = 0, w;

	for (size_t i = 0; i < words; i++, p += 8) {
		memcpy(&w, p, 8);
		n += (uint64_t)__builtin_popcountll(w);
	}
	return n;
}

static bool cpu_has_popcnt(void)
{
	return __builtin_cpu_supports("popcnt");
}
#else
/* Other CPUs: the compiler's builtin is already the instruction where the
 * target ISA has one (AArch64's CNT, POWER's popcntd). */
#define popcount_popcnt popcount_portable
static bool cpu_has_popcnt(void)
{
	return false;
}
#endif

uint64_t kdx_popcount(const uint8_t *bytes, size_t len)
{
	size_t words = len / 8;
	uint64_t n = cpu_has_popcnt() ? popcount_popcnt(bytes, words) :
					popcount_portable(bytes, words);

	for (size_t i = words * 8; i < len; i++)
		n += (uint64_t)__builtin_popcount(bytes[i]);
	return n;
}

bool kdx_all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	return len == 0 || (b[0] == 0 && !memcmp(b, b + 1, len - 1));
}
