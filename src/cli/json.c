/* SPDX-License-Identifier: MIT */
#include "cli/json.h"

#include <string.h>

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

/* Separate this value from the previous one in its container. */
static void json_value_prefix(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
}

static void json_open(struct json *j, char c)
{
	json_value_prefix(j);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void json_object_begin(struct json *j) { json_open(j, '{'); }
void json_object_end(struct json *j) { json_close(j, '}'); }
void json_array_begin(struct json *j) { json_open(j, '['); }
void json_array_end(struct json *j) { json_close(j, ']'); }

void json_string_n(struct json *j, const char *s, size_t len)
{
	json_value_prefix(j);
	fputc('"', j->out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(j->out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", j->out);
		else if (c == '\t')
			fputs("\\t", j->out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(j->out, "\\u%04x", c);
		else if (c >= 0x80)
			/* Dump text is not guaranteed UTF-8: keep the byte
			 * value, stay valid JSON. */
			fprintf(j->out, "\\u%04x", c);
		else
			fputc(c, j->out);
	}
	fputc('"', j->out);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_string_n(j, s, strlen(s));
}

void json_key(struct json *j, const char *key)
{
	json_string(j, key);
	fputc(':', j->out);
	j->after_key = true;
}

void json_u64(struct json *j, uint64_t v)
{
	json_value_prefix(j);
	fprintf(j->out, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, int64_t v)
{
	json_value_prefix(j);
	fprintf(j->out, "%lld", (long long)v);
}

void json_bool(struct json *j, bool v)
{
	json_value_prefix(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_value_prefix(j);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}
