/* SPDX-License-Identifier: MIT */
/* The JSON reader QEMU's vmdesc goes through (src/format/common/json.c):
 * a document like the vmdesc read back member by member, escapes, and
 * the texts it must refuse (fractions, huge integers, nesting past 64
 * levels, text after the value, anything cut short). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/common/json.h"

#include <stdlib.h>
#include <string.h>

static struct kdx_json_doc *parse(const char *text)
{
	struct kdx_json_doc *doc = NULL;
	struct kdx_error *err = kdx_json_parse(text, strlen(text), &doc);

	if (err)
		fail_msg("parse: %s", kdx_error_message(err));
	return doc;
}

static void refused(const char *text, const char *needle)
{
	struct kdx_json_doc *doc = NULL;
	struct kdx_error *err = kdx_json_parse(text, strlen(text), &doc);

	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	if (!strstr(kdx_error_message(err), needle))
		fail_msg("'%s': '%s' lacks '%s'", text,
			 kdx_error_message(err), needle);
	assert_null(doc);
	kdx_error_destroy(err);
}

static void vmdesc_like_document(void **state)
{
	struct kdx_json_doc *doc = parse(
		" {\"page_size\": 4096, \"devices\": [ {\"name\": \"cpu\", "
		"\"instance_id\": 1, \"fields\": [{\"name\": \"env.cr[3]\", "
		"\"size\": 8}, {\"name\": \"a\\\"b\\\\c\\u00e9\\n\", "
		"\"size\": -3, \"x\": [true, false, null, []]}]}, {}] } \n");
	const struct kdx_json *root = kdx_json_root(doc), *dev, *f, *x;
	int64_t v;

	(void)state;
	assert_true(kdx_json_get_int(root, "page_size", &v));
	assert_int_equal(v, 4096);
	assert_false(kdx_json_get_int(root, "devices", &v));
	assert_null(kdx_json_get(root, "nothing"));
	dev = kdx_json_child(kdx_json_get(root, "devices"));
	assert_int_equal(kdx_json_get(root, "devices")->count, 2);
	assert_string_equal(kdx_json_get_string(dev, "name"), "cpu");
	f = kdx_json_child(kdx_json_get(dev, "fields"));
	assert_string_equal(kdx_json_get_string(f, "name"), "env.cr[3]");
	f = kdx_json_next(f);
	assert_string_equal(kdx_json_get_string(f, "name"), "a\"b\\c\xc3\xa9\n");
	assert_true(kdx_json_get_int(f, "size", &v));
	assert_int_equal(v, -3);
	x = kdx_json_child(kdx_json_get(f, "x"));
	assert_int_equal(x->type, KDX_JSON_BOOL);
	assert_int_equal(x->num, 1);
	x = kdx_json_next(x);
	assert_int_equal(x->num, 0);
	x = kdx_json_next(x);
	assert_int_equal(x->type, KDX_JSON_NULL);
	x = kdx_json_next(x);
	assert_int_equal(x->type, KDX_JSON_ARRAY);
	assert_null(kdx_json_child(x));
	assert_null(kdx_json_next(x));
	assert_null(kdx_json_next(kdx_json_next(f)));
	assert_int_equal(kdx_json_next(dev)->count, 0);
	kdx_json_free(doc);
}

static void bad_texts_are_refused(void **state)
{
	char deep[200];

	(void)state;
	refused("", "ends where a value should be");
	refused("{\"a\": 1.5}", "not an integer");
	refused("[1e3]", "not an integer");
	refused("[99999999999999999999]", "out of range");
	refused("[-]", "without digits");
	refused("{\"a\" 1}", "without ':'");
	refused("{1: 2}", "without a name");
	refused("[1, 2", "not closed");
	refused("{\"a\": 1,}", "without a name");
	refused("\"abc", "cut short");
	refused("\"a\\x\"", "unknown escape");
	refused("\"\\u12zz\"", "not hexadecimal");
	refused("\"a\tb\"", "control character");
	refused("[1] [2]", "text after the value");
	refused("tru", "not a JSON value");
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = '\0';
	refused(deep, "64 levels");
	deep[64] = ']';
	memset(deep + 65, ']', 63);
	deep[128] = '\0';
	kdx_json_free(parse(deep)); /* 64 levels are fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmdesc_like_document),
		cmocka_unit_test(bad_texts_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
