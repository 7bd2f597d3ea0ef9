/* SPDX-License-Identifier: MIT */
/* Checks the reader unit tests share on an opened dump and its errors
 * (cmocka: a failed check fails the running test). */
#ifndef KDX_TEST_DUMPCHECK_H
#define KDX_TEST_DUMPCHECK_H

#include <kdx/kdx.h>

#include <stdbool.h>

/* @err is a @code error whose message contains @needle; releases it. */
void expect_error_text(struct kdx_error *err, enum kdx_error_code code,
		  const char *needle);

/* One of @d's warnings contains @needle. */
bool dump_has_warning(const struct kdx_dump *d, const char *needle);

/* The value of @d's detail @key, or NULL when it has none. */
const char *dump_detail(const struct kdx_dump *d, const char *key);

#endif
