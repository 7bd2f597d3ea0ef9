/* SPDX-License-Identifier: MIT */
/* A small JSON reader (RFC 8259 grammar, integers only): recursive
 * descent to at most MAX_DEPTH levels; every value takes at least one
 * byte of the text, so nodes are bounded by its length, and unescaped
 * strings (with their NULs) fit in one buffer of that length. */
#include "format/common/json.h"

#include "core/util.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64u
#define NONE SIZE_MAX

struct kdx_json_doc {
	struct kdx_json *nodes;
	size_t count, capacity;
	char *strings; /* unescaped strings, each NUL-terminated */
	size_t strings_len;
};

struct parser {
	const char *s;
	size_t len, pos;
	struct kdx_json_doc *doc;
};

static struct kdx_error *bad(const struct parser *p, const char *what)
{
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT, "JSON at byte %zu: %s", p->pos, what),
		p->pos);
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static struct kdx_error *new_node(struct parser *p, enum kdx_json_type type,
				  size_t *index)
{
	struct kdx_json n = { .type = type, .first = NONE, .next = NONE };

	if (!kdx_array_push((void **)&p->doc->nodes, &p->doc->count,
			    &p->doc->capacity, &n, sizeof(n)))
		return kdx_err_nomem();
	*index = p->doc->count - 1;
	return NULL;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* \uXXXX as UTF-8 (a lone surrogate is kept as its three bytes). */
static struct kdx_error *unicode(struct parser *p, char *out, size_t *n)
{
	unsigned int v = 0;

	if (p->len - p->pos < 4)
		return bad(p, "a \\u escape cut short");
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(p->s[p->pos + i]);

		if (d < 0)
			return bad(p, "a \\u escape that is not hexadecimal");
		v = v << 4 | (unsigned int)d;
	}
	p->pos += 4;
	if (v < 0x80) {
		out[0] = (char)v;
		*n = 1;
	} else if (v < 0x800) {
		out[0] = (char)(0xc0 | v >> 6);
		out[1] = (char)(0x80 | (v & 0x3f));
		*n = 2;
	} else {
		out[0] = (char)(0xe0 | v >> 12);
		out[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		out[2] = (char)(0x80 | (v & 0x3f));
		*n = 3;
	}
	return NULL;
}

static struct kdx_error *escape(struct parser *p, char *out, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (p->pos >= p->len)
		return bad(p, "a string cut short");
	if (p->s[p->pos] == 'u') {
		p->pos++;
		return unicode(p, out, n);
	}
	e = memchr(from, p->s[p->pos], sizeof(from) - 1);
	if (!e)
		return bad(p, "an unknown escape");
	out[0] = to[e - from];
	*n = 1;
	p->pos++;
	return NULL;
}

/* A string starting at its opening quote, into the string buffer. */
static struct kdx_error *string(struct parser *p, const char **out)
{
	char *dst = p->doc->strings + p->doc->strings_len;
	size_t n = 0;

	p->pos++; /* the opening quote */
	while (p->pos < p->len && p->s[p->pos] != '"') {
		unsigned char c = (unsigned char)p->s[p->pos];
		size_t k = 1;
		struct kdx_error *err;

		if (c < 0x20)
			return bad(p, "a control character in a string");
		if (c == '\\') {
			p->pos++;
			err = escape(p, dst + n, &k);
			if (err)
				return err;
		} else {
			dst[n] = (char)c;
			p->pos++;
		}
		n += k;
	}
	if (p->pos >= p->len)
		return bad(p, "a string cut short");
	p->pos++;
	dst[n] = '\0';
	p->doc->strings_len += n + 1;
	*out = dst;
	return NULL;
}

static struct kdx_error *number(struct parser *p, int64_t *out)
{
	bool neg = p->s[p->pos] == '-';
	uint64_t v = 0;
	size_t digits = 0;

	p->pos += neg;
	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
		unsigned int d = (unsigned int)(p->s[p->pos] - '0');

		if (v > (UINT64_C(1) << 62) / 5)
			return bad(p, "an integer out of range");
		v = v * 10 + d;
		p->pos++;
		digits++;
	}
	if (!digits)
		return bad(p, "a number without digits");
	if (p->pos < p->len && (p->s[p->pos] == '.' || p->s[p->pos] == 'e' ||
				p->s[p->pos] == 'E'))
		return bad(p, "a number that is not an integer");
	if (v > (uint64_t)INT64_MAX)
		return bad(p, "an integer out of range");
	*out = neg ? -(int64_t)v : (int64_t)v;
	return NULL;
}

static struct kdx_error *value(struct parser *p, unsigned int depth,
			       size_t *index);

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return false;
	p->pos += n;
	return true;
}

/* The members of an object or the elements of an array, after its
 * opening bracket, linked under node @parent. */
static struct kdx_error *children(struct parser *p, unsigned int depth,
				  size_t parent, bool object)
{
	char close = object ? '}' : ']';
	size_t last = NONE;

	skip_space(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		return NULL;
	}
	for (;;) {
		const char *key = NULL;
		size_t child;
		struct kdx_error *err = NULL;

		skip_space(p);
		if (object) {
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return bad(p, "an object member without a name");
			err = string(p, &key);
			skip_space(p);
			if (!err && (p->pos >= p->len || p->s[p->pos++] != ':'))
				err = bad(p, "a member name without ':'");
		}
		if (!err)
			err = value(p, depth + 1, &child);
		if (err)
			return err;
		p->doc->nodes[child].key = key;
		if (last == NONE)
			p->doc->nodes[parent].first = child;
		else
			p->doc->nodes[last].next = child;
		p->doc->nodes[parent].count++;
		last = child;
		skip_space(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			return NULL;
		}
		return bad(p, object ? "an object not closed by '}'" :
				       "an array not closed by ']'");
	}
}

static struct kdx_error *value(struct parser *p, unsigned int depth,
			       size_t *index)
{
	struct kdx_error *err;
	char c;

	if (depth >= MAX_DEPTH)
		return bad(p, "nested more than 64 levels deep");
	skip_space(p);
	if (p->pos >= p->len)
		return bad(p, "the text ends where a value should be");
	c = p->s[p->pos];
	if (c == '{' || c == '[') {
		err = new_node(p, c == '{' ? KDX_JSON_OBJECT : KDX_JSON_ARRAY,
			       index);
		p->pos++;
		return err ? err : children(p, depth, *index, c == '{');
	}
	if (c == '"') {
		const char *str;

		err = string(p, &str);
		if (!err)
			err = new_node(p, KDX_JSON_STRING, index);
		if (!err)
			p->doc->nodes[*index].str = str;
		return err;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		int64_t v = 0;

		err = number(p, &v);
		if (!err)
			err = new_node(p, KDX_JSON_INT, index);
		if (!err)
			p->doc->nodes[*index].num = v;
		return err;
	}
	if (c == 't' || c == 'f') {
		bool truth = literal(p, "true");

		if (!truth && !literal(p, "false"))
			return bad(p, "not a JSON value");
		err = new_node(p, KDX_JSON_BOOL, index);
		if (!err)
			p->doc->nodes[*index].num = truth;
		return err;
	}
	if (literal(p, "null"))
		return new_node(p, KDX_JSON_NULL, index);
	return bad(p, "not a JSON value");
}

struct kdx_error *kdx_json_parse(const char *text, size_t len,
				 struct kdx_json_doc **out)
{
	struct kdx_json_doc *doc = calloc(1, sizeof(*doc));
	struct parser p = { .s = text, .len = len, .doc = doc };
	struct kdx_error *err = NULL;
	size_t root;

	if (!doc || !(doc->strings = malloc(len + 1)))
		err = kdx_err_nomem();
	if (!err)
		err = value(&p, 0, &root);
	skip_space(&p);
	if (!err && p.pos != len)
		err = bad(&p, "text after the value");
	if (err) {
		kdx_json_free(doc);
		return err;
	}
	for (size_t i = 0; i < doc->count; i++)
		doc->nodes[i].doc = doc;
	*out = doc;
	return NULL;
}

void kdx_json_free(struct kdx_json_doc *doc)
{
	if (!doc)
		return;
	free(doc->nodes);
	free(doc->strings);
	free(doc);
}

const struct kdx_json *kdx_json_root(const struct kdx_json_doc *doc)
{
	return doc->count ? &doc->nodes[0] : NULL;
}

const struct kdx_json *kdx_json_child(const struct kdx_json *v)
{
	return v && v->first != NONE ? &v->doc->nodes[v->first] : NULL;
}

const struct kdx_json *kdx_json_next(const struct kdx_json *v)
{
	return v && v->next != NONE ? &v->doc->nodes[v->next] : NULL;
}

const struct kdx_json *kdx_json_get(const struct kdx_json *v, const char *key)
{
	if (!v || v->type != KDX_JSON_OBJECT)
		return NULL;
	for (const struct kdx_json *c = kdx_json_child(v); c;
	     c = kdx_json_next(c))
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

const char *kdx_json_get_string(const struct kdx_json *v, const char *key)
{
	const struct kdx_json *m = kdx_json_get(v, key);

	return m && m->type == KDX_JSON_STRING ? m->str : NULL;
}

bool kdx_json_get_int(const struct kdx_json *v, const char *key, int64_t *out)
{
	const struct kdx_json *m = kdx_json_get(v, key);

	if (!m || m->type != KDX_JSON_INT)
		return false;
	*out = m->num;
	return true;
}
