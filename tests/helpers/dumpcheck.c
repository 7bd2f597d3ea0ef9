/* SPDX-License-Identifier: MIT */
#include "dumpcheck.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

void expect_error_text(struct kdx_error *err, enum kdx_error_code code,
		  const char *needle)
{
	if (!err)
		fail_msg("expected an error containing '%s'", needle);
	if (kdx_error_code(err) != code || !strstr(kdx_error_message(err), needle))
		fail_msg("got %s error '%s', expected %s with '%s'",
			 kdx_error_code_name(kdx_error_code(err)),
			 kdx_error_message(err), kdx_error_code_name(code),
			 needle);
	kdx_error_destroy(err);
}

bool dump_has_warning(const struct kdx_dump *d, const char *needle)
{
	size_t n;
	const char *const *w = kdx_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(w[i], needle))
			return true;
	return false;
}

const char *dump_detail(const struct kdx_dump *d, const char *key)
{
	size_t n;
	const struct kdx_detail *det = kdx_dump_details(d, &n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(det[i].key, key))
			return det[i].value;
	return NULL;
}
