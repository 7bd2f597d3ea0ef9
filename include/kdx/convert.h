/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/convert.h
 * @brief Writing dumps: convert any dump kdx reads into another format.
 *
 * Output is written to a temporary file beside the destination and
 * renamed into place only when complete, so a failed or interrupted
 * conversion never leaves a file that looks whole.  The temporary file
 * is named DEST.kdx-PID\@HOST-XXXXXX: one left by a killed process is
 * removed by the next conversion to DEST on that host once that process
 * is gone (only regular files of the caller's user).  Compression runs on
 * several threads; the output is byte-identical whatever their number.
 */
#ifndef KDX_CONVERT_H
#define KDX_CONVERT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <kdx/common.h>
#include <kdx/dump.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Output formats. */
enum kdx_output_format {
	KDX_OUTPUT_KDUMP = 0, /**< kdump-compressed, makedumpfile's format */
	KDX_OUTPUT_ELF,       /**< ELF core, as /proc/vmcore or QEMU write */
};

/** Progress report: @p done of @p total bytes of memory processed. */
typedef void (*kdx_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/** Version of struct kdx_convert_options this header describes. */
#define KDX_CONVERT_OPTIONS_VERSION 4

/** How to convert; initialise with kdx_convert_options_init(). */
struct kdx_convert_options {
	/** Set by kdx_convert_options_init(). */
	unsigned int version;
	/** The output format. */
	enum kdx_output_format format;
	/** Page compression (kdump output); default zlib. */
	enum kdx_compression compression;
	/** Codec level; 0 for the codec's fast default (zlib 1, zstd 1). */
	int level;
	/** Leave all-zero pages out (makedumpfile dump_level bit 1). */
	bool exclude_zero;
	/** Compression threads; 0 for one per online CPU. */
	unsigned int threads;
	/** Write makedumpfile's flattened stream (makedumpfile -F). */
	bool flatten;
	/** Called now and then from the calling thread; may be NULL. */
	kdx_progress_fn progress;
	/** Passed to @ref progress. */
	void *progress_ctx;
	/** ELF: one PT_LOAD per virtual mapping of the kernel's page
	 *  tables (what gdb reads), not per physical range. */
	bool paging;
	/** ELF paging: write each mapping's bytes on their own instead of
	 *  pointing every alias of a physical page at one copy. */
	bool no_dedup;
	/** ELF paging: walk this page table (a CR3 value is accepted)
	 *  instead of the kernel's own. */
	bool has_root;
	uint64_t root; /**< with @ref has_root */
	/** ELF: write pages the input left out by filtering as zeros
	 *  instead of leaving them out of the segments.  kdump: write
	 *  pages the input holds only in part whole, their missing bytes
	 *  as zeros, instead of leaving them out. */
	bool zero_fill;
	/** Since version 2.  NULL, or a flag (a signal handler's) checked
	 *  now and then from the calling thread: once nonzero, the
	 *  conversion stops, removes its temporary file and fails with a
	 *  KDX_ERR_OS error of errno EINTR. */
	const volatile sig_atomic_t *stop;
	/** Since version 4.  ELF of a Xen PV guest's dump, for crash: each
	 *  pseudo-physical page at its machine address, the page tables
	 *  untouched (machine frames), and Xen's crash-info note naming
	 *  the guest's p2m frame list list, as a Xen kdump presents a
	 *  domain.  Not with @ref paging. */
	bool machine;
};

/** Fill @p opts with defaults. */
KDX_API void kdx_convert_options_init(struct kdx_convert_options *opts);

/** What a conversion wrote. */
struct kdx_convert_stats {
	uint64_t pages_dumped;   /**< pages written */
	uint64_t pages_zero;     /**< all-zero pages (shared or excluded) */
	uint64_t pages_excluded; /**< pages left out (input or filter) */
	/** kdump: pages the input held only in part (a range ending
	 *  mid-page, a cut-off file).  kdump pages are whole: they are left
	 *  out (counted in pages_excluded too), never written with invented
	 *  bytes, unless zero_fill.  Callers should tell the user. */
	uint64_t pages_partial;
	/** First such page's physical address (valid if pages_partial). */
	uint64_t first_partial;
	/** ELF: program headers written (PT_NOTE included). */
	uint64_t segments;
	uint64_t bytes_in;       /**< memory bytes read */
	uint64_t bytes_out;      /**< size of the output (file or stream) */
	/* Filled only when the options' version is 3 or more (a caller
	 * built against an older header has a shorter struct). */
	/** Pages the output holds rewritten so that it reads as an
	 *  ordinary dump of its kernel: a Xen PV guest's page tables
	 *  reachable from the kernel's top tables, their machine frames
	 *  turned into pseudo-physical ones.  The input is not changed. */
	uint64_t pages_rewritten;
	/** Present entries of those pages given their new frame. */
	uint64_t entries_rewritten;
	/** Present entries cleared in the output: no frame of the guest
	 *  maps what they point at (a foreign or granted page, I/O, Xen's
	 *  own slots), so none is invented. */
	uint64_t entries_cleared;
	/** Input physical address of the first cleared entry (valid if
	 *  entries_cleared). */
	uint64_t first_cleared;
	/** Tables reached again as another level (kept as first reached). */
	uint64_t table_aliases;
	/** The output's kernel page-table root, physical (valid if
	 *  pages_rewritten): where the input's, a machine address, is now. */
	uint64_t root;
};

/**
 * Convert @p dump into a new file at @p path ("-" writes to standard
 * output, which needs @ref kdx_convert_options.flatten; ELF output is
 * written as a flattened stream then too).
 *
 * Every page the input holds is written with identical bytes; pages the
 * input lacks (holes, filtered pages) stay absent, never invented.
 * kdump output costs a bitmap bit per page up to the highest address
 * and a descriptor per page with bytes (zeros included): where that
 * would be more than four times what the input holds (headers that
 * claim memory up to 2^62, or a terabyte of p_memsz beyond p_filesz),
 * it fails with KDX_ERR_UNSUPPORTED before writing.
 *
 * @param stats NULL, or filled on success.
 */
KDX_API struct kdx_error *kdx_convert(const struct kdx_dump *dump,
				      const char *path,
				      const struct kdx_convert_options *opts,
				      struct kdx_convert_stats *stats);

/** Name of a compression ("zlib", ...). */
KDX_API const char *kdx_compression_name(enum kdx_compression c);

/** Look a compression up by name; false if there is none of that name. */
KDX_API bool kdx_compression_from_name(const char *name,
				       enum kdx_compression *out);

#ifdef __cplusplus
}
#endif

#endif /* KDX_CONVERT_H */
