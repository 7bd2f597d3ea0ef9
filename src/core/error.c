/* SPDX-License-Identifier: MIT */
#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdx_error {
	enum kdx_error_code code;
	int errnum;
	bool has_address;
	bool has_file_offset;
	uint64_t address;
	uint64_t file_offset;
	char *message;
};

/* Reporting running out of memory must not need memory. */
static struct kdx_error nomem_error = {
	.code = KDX_ERR_NOMEM,
	.errnum = ENOMEM,
	.message = (char *)"out of memory",
};

struct kdx_error *kdx_err_nomem(void)
{
	return &nomem_error;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static struct kdx_error *error_new(enum kdx_error_code code, int errnum,
				   char *message)
{
	struct kdx_error *err;

	if (!message)
		return &nomem_error;
	err = calloc(1, sizeof(*err));
	if (!err) {
		free(message);
		return &nomem_error;
	}
	err->code = code;
	err->errnum = errnum;
	err->message = message;
	return err;
}

struct kdx_error *kdx_err(enum kdx_error_code code, const char *fmt, ...)
{
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = vformat(fmt, ap);
	va_end(ap);
	return error_new(code, 0, message);
}

struct kdx_error *kdx_err_os(int errnum, const char *fmt, ...)
{
	va_list ap;
	char *head, *message = NULL;

	va_start(ap, fmt);
	head = vformat(fmt, ap);
	va_end(ap);
	if (head && asprintf(&message, "%s: %s", head, strerror(errnum)) < 0)
		message = NULL;
	free(head);
	return error_new(KDX_ERR_OS, errnum, message);
}

struct kdx_error *kdx_err_wrap(struct kdx_error *err, const char *fmt, ...)
{
	va_list ap;
	char *context, *message = NULL;

	if (err == &nomem_error)
		return err;
	va_start(ap, fmt);
	context = vformat(fmt, ap);
	va_end(ap);
	if (context &&
	    asprintf(&message, "%s: %s", context, err->message) < 0)
		message = NULL;
	free(context);
	if (!message) {
		kdx_error_destroy(err);
		return &nomem_error;
	}
	free(err->message);
	err->message = message;
	return err;
}

struct kdx_error *kdx_err_set_address(struct kdx_error *err, uint64_t addr)
{
	if (err != &nomem_error && !err->has_address) {
		err->has_address = true;
		err->address = addr;
	}
	return err;
}

struct kdx_error *kdx_err_set_file_offset(struct kdx_error *err,
					  uint64_t offset)
{
	if (err != &nomem_error && !err->has_file_offset) {
		err->has_file_offset = true;
		err->file_offset = offset;
	}
	return err;
}

enum kdx_error_code kdx_error_code(const struct kdx_error *err)
{
	return err->code;
}

const char *kdx_error_message(const struct kdx_error *err)
{
	return err->message;
}

bool kdx_error_address(const struct kdx_error *err, uint64_t *addr)
{
	if (err->has_address)
		*addr = err->address;
	return err->has_address;
}

bool kdx_error_file_offset(const struct kdx_error *err, uint64_t *offset)
{
	if (err->has_file_offset)
		*offset = err->file_offset;
	return err->has_file_offset;
}

int kdx_error_errno(const struct kdx_error *err)
{
	return err->code == KDX_ERR_OS || err->code == KDX_ERR_NOMEM ?
		       err->errnum :
		       0;
}

const char *kdx_error_code_name(enum kdx_error_code code)
{
	switch (code) {
	case KDX_ERR_NOMEM: return "nomem";
	case KDX_ERR_OS: return "os";
	case KDX_ERR_CORRUPT: return "corrupt";
	case KDX_ERR_NODATA: return "nodata";
	case KDX_ERR_UNSUPPORTED: return "unsupported";
	case KDX_ERR_NOTFOUND: return "notfound";
	case KDX_ERR_INVALID: return "invalid";
	}
	return "unknown";
}

void kdx_error_destroy(struct kdx_error *err)
{
	if (!err || err == &nomem_error)
		return;
	free(err->message);
	free(err);
}
