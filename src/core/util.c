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
