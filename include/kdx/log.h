/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/log.h
 * @brief Linux's kernel log: the printk buffer of a dumped Linux kernel.
 *
 * Everything here is Linux's: the printk ring layouts, VMCOREINFO keys,
 * LOG_* record flags and syslog levels.  Another kernel's message buffer
 * (FreeBSD's msgbuf) would be a reader of its own, not a layout here.
 *
 * kdx finds the log from VMCOREINFO alone (no debug symbols) and reads
 * every layout Linux has used:
 * - the lockless printk_ringbuffer of Linux 5.10+ (SYMBOL(prb)),
 * - the structured log_buf of Linux 3.5 - 5.9 (SYMBOL(log_first_idx)),
 * - the plain character ring of older kernels (SYMBOL(log_end)).
 * Every structure offset comes from the dump's SIZE/OFFSET keys; a key
 * that is missing is an error naming it, never a guess.
 *
 * The reader does no I/O of its own: kernel memory comes through the
 * read_virt callback of struct kdx_log_source, so it works on a dump
 * (kdx_log_open()), on live memory, or on synthetic memory in a test.
 *
 * A damaged log (a torn record, a bad length, a loop, a descriptor in an
 * impossible state) yields the records that are sound; the walk is always
 * bounded by the ring's size, and kdx_log_status() says where and why it
 * stopped or what it skipped.
 *
 * Threading: a kdx_log must not be used by two threads at once.
 */
#ifndef KDX_LOG_H
#define KDX_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kdx/common.h>

#include <kdx/arch.h>
#include <kdx/byteorder.h>
#include <kdx/dump.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kdx_xlat;

/** The Linux printk layouts kdx reads. */
enum kdx_log_layout {
	/** Lockless printk_ringbuffer: descriptors, infos, text data ring
	 *  (Linux 5.10+). */
	KDX_LOG_LOCKLESS = 1,
	/** Variable-length records in one buffer, struct printk_log (Linux
	 *  3.5 - 5.9; struct log in 3.5 - 3.10). */
	KDX_LOG_STRUCTURED,
	/** A character ring of "<level>[time] text" lines (before 3.5). */
	KDX_LOG_PLAIN,
};

/** Short name of a layout: "lockless", "structured", "plain". */
KDX_API const char *kdx_log_layout_name(enum kdx_log_layout layout);

/** @name Record flags (struct kdx_log_record.flags)
 *  The kernel's own record flags are in the low bits (Linux: LOG_NEWLINE
 *  2, LOG_CONT 8; before 5.10 also LOG_NOCONS 1, LOG_PREFIX 4).
 *  @{ */
#define KDX_LOG_FLAG_NEWLINE 0x02u /**< the kernel's LOG_NEWLINE */
#define KDX_LOG_FLAG_CONT 0x08u    /**< LOG_CONT: continues the previous record */
/** kdx: the record's text is shorter than its text length said (the data
 *  block was truncated); @c text holds what the block has. */
#define KDX_LOG_FLAG_TRUNCATED 0x100u
/** kdx: a record without text (no data block: the kernel's FAILED_LPOS /
 *  NO_LPOS); @c text is empty.  `dmesg`-like output skips these. */
#define KDX_LOG_FLAG_DATALESS 0x200u
/** kdx: the descriptor was committed but not finalized (a writer could
 *  still have appended to it when the dump was taken). */
#define KDX_LOG_FLAG_UNFINALIZED 0x400u
/** @} */

/** Unknown level or facility (a layout or dump that does not record it). */
#define KDX_LOG_UNKNOWN (-1)

/** One log record.  Pointers stay valid until the next kdx_log_next() or
 *  kdx_log_destroy(). */
struct kdx_log_record {
	/** Sequence number: the kernel's own (lockless layout), else the
	 *  record's position counted from the first one read (0-based). */
	uint64_t seq;
	/** Timestamp in nanoseconds since boot (local_clock()). */
	uint64_t ts_nsec;
	/** false when the layout carries no timestamp for this record (a
	 *  plain-text line without "[time]"). */
	bool has_timestamp;
	/** Log level 0 (emerg) - 7 (debug), or KDX_LOG_UNKNOWN. */
	int level;
	/** syslog facility (0 kernel, 1 user, ...), or KDX_LOG_UNKNOWN. */
	int facility;
	/** KDX_LOG_FLAG_* and the kernel's flags. */
	unsigned int flags;
	/** @c caller_id is valid (CONFIG_PRINTK_CALLER data, always in the
	 *  lockless layout). */
	bool has_caller;
	/** The kernel's caller id: bit 31 set: CPU number in bits 0-30 (the
	 *  record was printed outside task context), else the task's PID. */
	uint32_t caller_id;
	/** The text, not NUL-terminated, without a trailing newline; it may
	 *  contain '\n' (multi-line records) and any byte value. */
	const char *text;
	/** Bytes of @c text. */
	size_t text_len;
	/** Metadata as "KEY=VALUE" strings each ended by '\0' (the dict of
	 *  3.5 - 5.9: "SUBSYSTEM=...", "DEVICE=..."; for 5.10+ built from
	 *  dev_printk_info), or NULL when there is none. */
	const char *dict;
	/** Bytes of @c dict, including the '\0's. */
	size_t dict_len;
};

/** Version of struct kdx_log_source this header describes. */
#define KDX_LOG_SOURCE_VERSION 1

/**
 * Where a log reader gets the kernel's memory and description.
 * kdx_log_open() fills one for a dump; tests and live readers fill their
 * own.
 */
struct kdx_log_source {
	/** Set to KDX_LOG_SOURCE_VERSION. */
	unsigned int version;
	/** The kernel's byte order. */
	enum kdx_byte_order byte_order;
	/** The kernel's word size in bytes (4 or 8): unsigned long, pointers. */
	unsigned int word_size;
	/**
	 * The value of VMCOREINFO key @p key ("SYMBOL(prb)", "SIZE(prb_desc)",
	 * "OSRELEASE"...), or NULL when absent.  The string must stay valid
	 * for the reader's life.
	 */
	const char *(*vmcoreinfo_get)(void *ctx, const char *key);
	/**
	 * Read @p len bytes of kernel virtual memory at @p vaddr.  Return
	 * NULL, or an error the reader wraps and reports.  Called with up to
	 * a few hundred KiB at a time, in increasing address order within
	 * each array.
	 */
	struct kdx_error *(*read_virt)(void *ctx, uint64_t vaddr, void *buf,
				       size_t len);
};

/** A log being read: opaque. */
struct kdx_log;

/**
 * Open the log described by @p src.  Reads the ring's header (lockless)
 * or indices (older layouts); records are read as kdx_log_next() asks.
 * @param ctx passed to every callback; must outlive the log.
 * @param[out] out set only on success.
 * @return NULL; KDX_ERR_NOTFOUND when VMCOREINFO names no log;
 *         KDX_ERR_UNSUPPORTED for a layout kdx does not know (naming the
 *         missing key); KDX_ERR_CORRUPT for a header that cannot be right
 *         (a ring size beyond limits); or the read_virt error, wrapped.
 */
KDX_API struct kdx_error *kdx_log_open_source(const struct kdx_log_source *src,
					      void *ctx, struct kdx_log **out);

/**
 * Open the Linux kernel log of @p dump, reading kernel memory with
 * kdx_read_virt() through @p xlat.
 * @param xlat the kernel's translation (see kdx_kernel_xlat_create()),
 *        or NULL to set one up from the dump (kdx_kernel_probe() with no
 *        overrides); the log then owns it.
 * @param[out] out set only on success.
 */
KDX_API struct kdx_error *kdx_log_open(const struct kdx_dump *dump,
				       struct kdx_xlat *xlat,
				       struct kdx_log **out);

/**
 * The kernel message buffer @p dump carries as a region of its own (a
 * FreeBSD minidump), as text, oldest byte first: read from the write
 * position when the kernel's struct msgbuf follows the buffer, as stored
 * otherwise; bytes never written (NUL) left out.
 * @param[out] text malloc()ed and NUL-terminated; the caller frees it.
 * @param[out] len bytes in @p text.
 * @return NULL; KDX_ERR_NOTFOUND when the dump carries none (read the
 *         kernel's log with kdx_log_open()).
 */
KDX_API struct kdx_error *kdx_dump_msgbuf(const struct kdx_dump *dump,
					  char **text, size_t *len);

/** Close a log; NULL is ignored. */
KDX_API void kdx_log_destroy(struct kdx_log *log);

/** The layout being read. */
KDX_API enum kdx_log_layout kdx_log_get_layout(const struct kdx_log *log);

/**
 * The next record, oldest first.
 * @param[out] rec filled when the function returns true.
 * @return false at the end of the log, or when the walk had to stop (then
 *         kdx_log_status() says why).  Never loops: the walk is bounded
 *         by the ring's size.
 */
KDX_API bool kdx_log_next(struct kdx_log *log, struct kdx_log_record *rec);

/** What a walk met, for diagnostics and `kdx dmesg --json`. */
struct kdx_log_stats {
	uint64_t records;   /**< records returned so far */
	uint64_t skipped;   /**< descriptors skipped as not readable
			       (reserved, reusable, or damaged) */
	uint64_t reserved;  /**< ... of which reserved by a writer */
	uint64_t reusable;  /**< ... of which reusable (freed) */
	uint64_t damaged;   /**< ... of which damaged or unreadable */
	uint64_t dataless;  /**< records returned without data */
	uint64_t truncated; /**< records returned with truncated text */
	/** Size of the text buffer / data ring in bytes. */
	uint64_t buffer_size;
	/** Descriptors in the ring (lockless layout), else 0. */
	uint64_t descriptors;
};

/** Counters of the walk so far. */
KDX_API void kdx_log_get_stats(const struct kdx_log *log,
			       struct kdx_log_stats *stats);

/**
 * Why the walk stopped early or what it skipped: NULL while the walk is
 * sound (or complete and sound); otherwise an error owned by the log
 * (valid until kdx_log_destroy()) naming the record and address where
 * reading stopped, or, when damaged records were skipped but the walk
 * went on, the first such problem and how many there were.
 */
KDX_API const struct kdx_error *kdx_log_status(const struct kdx_log *log);

/**
 * Whether the walk stopped before the end of the log (a torn record, a bad
 * length, a loop, unreadable memory).  When true, kdx_log_status() says
 * where.
 */
KDX_API bool kdx_log_stopped_early(const struct kdx_log *log);

#ifdef __cplusplus
}
#endif

#endif /* KDX_LOG_H */
