/* SPDX-License-Identifier: MIT */
#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

void growbuf_put(struct growbuf *g, const void *data, size_t len)
{
	if (g->len + len > g->cap) {
		g->cap = (g->len + len) * 2 + 4096;
		g->p = realloc(g->p, g->cap);
		if (!g->p)
			abort();
	}
	memcpy(g->p + g->len, data, len);
	g->len += len;
}
