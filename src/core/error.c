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
	bool has_nodata_end;
	uint64_t address;
	uint64_t file_offset;
	uint64_t nodata_end;
	char *message; /* text, or a wrapped message of its own */
	/* The first message, in the error's own allocation: errors are
	 * made by the thousand on damaged input (every read across a hole)
	 * and each allocation costs, under ASan most of all. */
	char text[];
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

/* Format into @buf when it fits (the result is then @buf), else into a
 * new allocation; NULL when out of memory.  *@len: the length. */
static char *vformat_buf(char *buf, size_t size, size_t *len,
			 const char *fmt, va_list ap)
{
	va_list again;
	char *s = NULL;
	int n;

	va_copy(again, ap);
	n = vsnprintf(buf, size, fmt, ap);
	if (n >= 0 && (size_t)n < size) {
		va_end(again);
		*len = (size_t)n;
		return buf;
	}
	if (n < 0 || vasprintf(&s, fmt, again) < 0)
		s = NULL;
	va_end(again);
	*len = s ? strlen(s) : 0;
	return s;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/* An error holding a copy of @message's @len bytes. */
static struct kdx_error *error_new(enum kdx_error_code code, int errnum,
				   const char *message, size_t len)
{
	struct kdx_error *err;

	if (!message)
		return &nomem_error;
	err = calloc(1, sizeof(*err) + len + 1);
	if (!err)
		return &nomem_error;
	err->code = code;
	err->errnum = errnum;
	memcpy(err->text, message, len + 1);
	err->message = err->text;
	return err;
}

/* Messages are short: most are formatted on the stack. */
#define SHORT_MESSAGE 256

struct kdx_error *kdx_err(enum kdx_error_code code, const char *fmt, ...)
{
	va_list ap;
	char buf[SHORT_MESSAGE], *message;
	size_t len;
	struct kdx_error *err;

	va_start(ap, fmt);
	message = vformat_buf(buf, sizeof(buf), &len, fmt, ap);
	va_end(ap);
	err = error_new(code, 0, message, len);
	if (message != buf)
		free(message);
	return err;
}

struct kdx_error *kdx_err_os(int errnum, const char *fmt, ...)
{
	va_list ap;
	char *head, *message = NULL;
	struct kdx_error *err;

	va_start(ap, fmt);
	head = vformat(fmt, ap);
	va_end(ap);
	if (head && asprintf(&message, "%s: %s", head, strerror(errnum)) < 0)
		message = NULL;
	free(head);
	err = error_new(KDX_ERR_OS, errnum, message,
			message ? strlen(message) : 0);
	free(message);
	return err;
}

struct kdx_error *kdx_err_wrap(struct kdx_error *err, const char *fmt, ...)
{
	va_list ap;
	char buf[SHORT_MESSAGE], *context, *message;
	size_t len, old;

	if (err == &nomem_error)
		return err;
	va_start(ap, fmt);
	context = vformat_buf(buf, sizeof(buf), &len, fmt, ap);
	va_end(ap);
	old = strlen(err->message);
	message = context ? malloc(len + 2 + old + 1) : NULL;
	if (message) {
		memcpy(message, context, len);
		memcpy(message + len, ": ", 2);
		memcpy(message + len + 2, err->message, old + 1);
	}
	if (context != buf)
		free(context);
	if (!message) {
		kdx_error_destroy(err);
		return &nomem_error;
	}
	if (err->message != err->text)
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

struct kdx_error *kdx_err_set_nodata_end(struct kdx_error *err, uint64_t end)
{
	if (err != &nomem_error && err->code == KDX_ERR_NODATA) {
		err->has_nodata_end = true;
		err->nodata_end = end;
	}
	return err;
}

bool kdx_error_nodata_end(const struct kdx_error *err, uint64_t *end)
{
	if (err->has_nodata_end)
		*end = err->nodata_end;
	return err->has_nodata_end;
}

void kdx_err_forget_nodata_end(struct kdx_error *err)
{
	if (err && err != &nomem_error)
		err->has_nodata_end = false;
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
	if (err->message != err->text)
		free(err->message);
	free(err);
}
