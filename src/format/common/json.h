/* SPDX-License-Identifier: MIT */
/* A small JSON reader for descriptions a dump carries (QEMU's vmdesc):
 * the whole text is parsed into a tree at once, bounded in depth and in
 * size by the text's length; integers only (a fraction or exponent is
 * refused: no description kdx reads has them). */
#ifndef KDX_FORMAT_COMMON_JSON_H
#define KDX_FORMAT_COMMON_JSON_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kdx_json_type {
	KDX_JSON_NULL,
	KDX_JSON_BOOL,
	KDX_JSON_INT,
	KDX_JSON_STRING,
	KDX_JSON_ARRAY,
	KDX_JSON_OBJECT,
};

struct kdx_json_doc;

/* A value of a parsed document; valid until kdx_json_free(). */
struct kdx_json {
	enum kdx_json_type type;
	const char *key;  /* its name, inside an object; else NULL */
	const char *str;  /* KDX_JSON_STRING: NUL-terminated, unescaped
			     (a \u0000 ends it early) */
	int64_t num;      /* KDX_JSON_INT, KDX_JSON_BOOL (0 or 1) */
	size_t first;     /* arrays, objects: index of the first child */
	size_t next;      /* index of the next sibling */
	size_t count;     /* arrays, objects: children */
	const struct kdx_json_doc *doc;
};

/* Parse @len bytes of @text (not NUL-terminated).  Errors name the byte
 * offset in @text. */
struct kdx_error *kdx_json_parse(const char *text, size_t len,
				 struct kdx_json_doc **out) KDX_MUST_CHECK;

void kdx_json_free(struct kdx_json_doc *doc);

const struct kdx_json *kdx_json_root(const struct kdx_json_doc *doc);

/* An array's or object's first child, and the child after @v; NULL at
 * the end. */
const struct kdx_json *kdx_json_child(const struct kdx_json *v);
const struct kdx_json *kdx_json_next(const struct kdx_json *v);

/* The member @key of object @v (the first, if repeated), or NULL. */
const struct kdx_json *kdx_json_get(const struct kdx_json *v, const char *key);

/* Member @key of @v as a string / integer; NULL / false when absent or
 * of another type. */
const char *kdx_json_get_string(const struct kdx_json *v, const char *key);
bool kdx_json_get_int(const struct kdx_json *v, const char *key, int64_t *out);

#endif
