/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/verify.h
 * @brief Checking a whole dump: every header field, note and page.
 *
 * kdx_dump_open() already checks the headers, segments, descriptors and
 * notes it reads, and keeps what it could not trust as warnings;
 * kdx_dump_verify() reports those, checks VMCOREINFO against the dump,
 * then reads (and so decompresses) every page the dump holds, and reports
 * each run of damaged pages once, as a physical range with the file
 * offsets of its first and last page.
 */
#ifndef KDX_VERIFY_H
#define KDX_VERIFY_H

#include <kdx/common.h>
#include <kdx/dump.h>
#include <kdx/error.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What part of the dump a problem is in. */
enum kdx_verify_area {
	KDX_VERIFY_HEADERS,    /**< headers, segments, descriptors, notes */
	KDX_VERIFY_VMCOREINFO, /**< VMCOREINFO disagrees with the dump */
	KDX_VERIFY_PAGES,      /**< pages held by the dump that cannot be read */
};

/** One problem; valid only during the callback. */
struct kdx_verify_problem {
	enum kdx_verify_area area;
	/** What is wrong (the first page's error for a run of pages). */
	const char *message;
	/** KDX_VERIFY_PAGES: the damaged physical range (size > 0). */
	uint64_t phys_start, phys_size;
	/** Whether the file offsets are known, and the first and last page's
	 *  (or the header field's) offset in the file. */
	bool has_file_offset;
	uint64_t file_first, file_last;
};

/** What a verification looked at. */
struct kdx_verify_stats {
	uint64_t pages;       /**< pages read */
	uint64_t bytes;       /**< bytes of memory read */
	uint64_t bad_pages;   /**< of which could not be read */
	uint64_t problems;    /**< problems reported */
};

/** Called once per problem; return false to stop the verification. */
typedef bool (*kdx_verify_fn)(const struct kdx_verify_problem *problem,
			      void *arg);

/**
 * Check @p dump whole, calling @p fn for each problem in file order:
 * header problems first, then damaged pages by physical address.
 * The dump is sound when stats->problems is 0.
 *
 * @param stats NULL, or filled with what was checked (also on failure).
 * @return NULL when every part was checked (problems or not); an error
 *         when checking itself failed (out of memory).
 */
KDX_API struct kdx_error *kdx_dump_verify(const struct kdx_dump *dump,
					  kdx_verify_fn fn, void *arg,
					  struct kdx_verify_stats *stats);

/**
 * Salvage: run kdx_dump_verify() on @p dump (calling @p fn as it does),
 * then make every damaged page a hole of @p dump, so that reading and
 * converting it keep every readable page and invent none, and record
 * what was lost (kdx_dump_lost(); kdx_convert() writes it into the
 * output as a note).  Changes @p dump: call it before sharing the dump
 * between threads.
 */
KDX_API struct kdx_error *kdx_dump_salvage(struct kdx_dump *dump,
					   kdx_verify_fn fn, void *arg,
					   struct kdx_verify_stats *stats);

/**
 * What kdx_dump_salvage() found lost, one line per problem ("lost
 * physical 0xSTART-0xLAST (file 0xFIRST-0xLAST): why", or "problem:
 * why" for the headers), or NULL if nothing was.  kdx_convert() writes it
 * as an ELF note named "KDX", type @ref KDX_NOTE_SALVAGE.
 */
KDX_API const char *kdx_dump_lost(const struct kdx_dump *dump);

/** n_type of the "KDX" note that records what a salvage lost. */
#define KDX_NOTE_SALVAGE 0x4c4f5354u /* "LOST" */

#ifdef __cplusplus
}
#endif

#endif
