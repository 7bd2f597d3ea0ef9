/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/error.h
 * @brief Error objects returned by every libkdx call that can fail.
 *
 * A call that can fail returns `struct kdx_error *`: NULL means success.
 * An error carries a code (what kind of failure, so callers can branch),
 * a message chain (each layer prepends its context, outermost first:
 * "read 0x1000 (phys): segment 3 at file offset 0x2000: short read"),
 * and, when known, the address and file offset at which the failure
 * happened.  The caller owns the error and releases it with
 * kdx_error_destroy().  Errors never print and never exit.
 */
#ifndef KDX_ERROR_H
#define KDX_ERROR_H

#include <stdbool.h>
#include <stdint.h>

#include <kdx/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What kind of failure an error is; stable, for callers to branch on. */
enum kdx_error_code {
	/** Memory could not be allocated. */
	KDX_ERR_NOMEM = 1,
	/** The operating system refused an I/O operation (see errno). */
	KDX_ERR_OS,
	/** The dump is damaged: a header, table or record is inconsistent. */
	KDX_ERR_CORRUPT,
	/** The requested data is not in the dump (a hole, an excluded page). */
	KDX_ERR_NODATA,
	/** The dump uses a format, version or feature libkdx does not handle. */
	KDX_ERR_UNSUPPORTED,
	/** No dump format recognised the input, or a named item is absent. */
	KDX_ERR_NOTFOUND,
	/** The caller passed an invalid argument. */
	KDX_ERR_INVALID,
};

/** An error: opaque; query it with the functions below. */
struct kdx_error;

/** The error's code. @p err must not be NULL. */
KDX_API enum kdx_error_code kdx_error_code(const struct kdx_error *err);

/**
 * The full message, outermost context first, parts joined by ": ".
 * Valid until the error is destroyed or wrapped.
 */
KDX_API const char *kdx_error_message(const struct kdx_error *err);

/**
 * The address at which the failure happened, if one is known.
 * @param[out] addr set when the function returns true.
 */
KDX_API bool kdx_error_address(const struct kdx_error *err, uint64_t *addr);

/**
 * The file offset at which the failure happened, if one is known.
 * @param[out] offset set when the function returns true.
 */
KDX_API bool kdx_error_file_offset(const struct kdx_error *err, uint64_t *offset);

/** The errno value of a KDX_ERR_OS error, 0 otherwise. */
KDX_API int kdx_error_errno(const struct kdx_error *err);

/** A short stable name for a code ("nomem", "corrupt", ...). */
KDX_API const char *kdx_error_code_name(enum kdx_error_code code);

/** Release an error; NULL is accepted and ignored. */
KDX_API void kdx_error_destroy(struct kdx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* KDX_ERROR_H */
