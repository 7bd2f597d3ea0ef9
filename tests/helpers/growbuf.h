/* SPDX-License-Identifier: MIT */
/* A byte buffer the test generators append a file to. */
#ifndef KDX_TEST_GROWBUF_H
#define KDX_TEST_GROWBUF_H

#include <stddef.h>
#include <stdint.h>

struct growbuf {
	uint8_t *p; /* malloc'd; the caller frees it or hands it on */
	size_t len, cap;
};

/* Append @len bytes at @data, growing the buffer (abort() when out of
 * memory: a generator has no use for a half-built file). */
void growbuf_put(struct growbuf *g, const void *data, size_t len);

#endif
