/* SPDX-License-Identifier: MIT */
/**
 * @file kdx/crash.h
 * @brief Linux's crash summary: what happened to a crashed Linux kernel.
 *
 * Everything here is Linux's: kernel identity (utsname read from memory
 * through VMCOREINFO's init_uts_ns), crash time (VMCOREINFO CRASHTIME),
 * the panic and oops lines and the task and CPU that hit them (from the
 * printk log, see kdx/log.h), and the uptime at the crash.  Other
 * kernels' dumps get no summary from this call (it needs VMCOREINFO).
 */
#ifndef KDX_CRASH_H
#define KDX_CRASH_H

#include <stdbool.h>
#include <stdint.h>

#include <kdx/common.h>

#include <kdx/dump.h>
#include <kdx/error.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kdx_xlat;

/** Bytes of the summary's strings (utsname fields are 65). */
#define KDX_CRASH_TEXT 256

/** A Linux crash summary; strings are NUL-terminated, empty when
 *  unknown. */
struct kdx_crash_summary {
	char release[65];  /**< utsname release ("6.1.0-56-amd64") */
	char version[65];  /**< utsname version ("#1 SMP PREEMPT_DYNAMIC ...") */
	char machine[65];  /**< utsname machine ("x86_64") */
	char nodename[65]; /**< utsname nodename (host name) */
	/** Where the strings came from: "init_uts_ns", or "VMCOREINFO
	 *  OSRELEASE" (release only) when memory could not be read. */
	char uts_source[32];
	bool has_crash_time; /**< @c crash_time is valid */
	int64_t crash_time;  /**< VMCOREINFO CRASHTIME: seconds since the epoch */
	bool has_uptime;     /**< @c uptime_nsec is valid */
	/** The newest log record's time: the uptime at the crash, to within
	 *  the last message. */
	uint64_t uptime_nsec;
	bool has_panic;            /**< a "Kernel panic - not syncing" record */
	char panic[KDX_CRASH_TEXT]; /**< its first line */
	uint64_t panic_ts_nsec;    /**< its time */
	bool has_oops;             /**< an oops/BUG line (the first) */
	char oops[KDX_CRASH_TEXT]; /**< its first line ("BUG: kernel NULL ...") */
	uint64_t oops_ts_nsec;     /**< its time */
	int cpu;                   /**< the CPU that crashed, or -1 */
	int32_t pid;               /**< the task's PID, or -1 */
	char comm[32];             /**< the task's name, or empty */
	/** How @c cpu / @c pid were found: the log's "CPU: N PID: P Comm: X"
	 *  line after the oops or panic, or the panic record's caller id. */
	char task_source[KDX_CRASH_TEXT];
	/** Empty, or why the log could not be read or was incomplete. */
	char log_status[KDX_CRASH_TEXT];
};

/**
 * Summarise the crash of the Linux kernel in @p dump.  Parts that cannot
 * be found stay empty (and @c log_status says why the log was not read);
 * the call fails only when the dump has no VMCOREINFO at all.
 * @param xlat the kernel's translation, or NULL to set one up.
 */
KDX_API struct kdx_error *kdx_crash_summary(const struct kdx_dump *dump,
					    struct kdx_xlat *xlat,
					    struct kdx_crash_summary *out);

#ifdef __cplusplus
}
#endif

#endif /* KDX_CRASH_H */
