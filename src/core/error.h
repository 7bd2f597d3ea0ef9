/* SPDX-License-Identifier: MIT */
/* Building errors inside libkdx.  Every layer that adds context wraps the
 * error it got, so the final message reads outermost-first and the deepest
 * cause is never lost or overwritten. */
#ifndef KDX_CORE_ERROR_H
#define KDX_CORE_ERROR_H

#include <kdx/error.h>

#include <stdint.h>

#if defined(__GNUC__)
#define KDX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KDX_MUST_CHECK __attribute__((warn_unused_result))
#else
#define KDX_PRINTF(f, a)
#define KDX_MUST_CHECK
#endif

/* A new error with a formatted message.  Never returns NULL: when memory
 * runs out it returns the static out-of-memory error. */
struct kdx_error *kdx_err(enum kdx_error_code code, const char *fmt, ...)
	KDX_PRINTF(2, 3);

/* A KDX_ERR_OS error: the message, then ": " and strerror(errnum). */
struct kdx_error *kdx_err_os(int errnum, const char *fmt, ...)
	KDX_PRINTF(2, 3);

/* The static out-of-memory error; allocation-free. */
struct kdx_error *kdx_err_nomem(void);

/* Prepend "context: " to @err's message; returns @err (or the static OOM
 * error if the new message cannot be allocated and @err is freed). */
struct kdx_error *kdx_err_wrap(struct kdx_error *err, const char *fmt, ...)
	KDX_PRINTF(2, 3);

/* Record where the failure happened, unless a deeper layer already did:
 * the innermost address/offset is the precise one. Return @err. */
struct kdx_error *kdx_err_set_address(struct kdx_error *err, uint64_t addr);
struct kdx_error *kdx_err_set_file_offset(struct kdx_error *err,
					  uint64_t offset);

/* A KDX_ERR_NODATA read error of physical memory may say where the
 * missing data ends: every byte from its address up to @end (exclusive)
 * is missing too, so a reader going entry by entry may skip there (a
 * page table in a hole costs one error, not 512).  Set by the physical
 * map only; whoever passes the error on for another address space (a
 * machine read, a format's own tables) forgets it. */
struct kdx_error *kdx_err_set_nodata_end(struct kdx_error *err, uint64_t end);
bool kdx_error_nodata_end(const struct kdx_error *err, uint64_t *end);
void kdx_err_forget_nodata_end(struct kdx_error *err);

#endif
