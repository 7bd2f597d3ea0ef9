/* SPDX-License-Identifier: MIT */
/* The crash summary: kernel identity from init_uts_ns, CRASHTIME, and the
 * panic/oops lines with the task and CPU from the kernel log. */
#include <kdx/crash.h>
#include <kdx/kernel.h>
#include <kdx/log.h>
#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#include "core/error.h"
#include <ctype.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* struct new_utsname (a UAPI struct): six fields of __NEW_UTS_LEN + 1. */
#define UTS_FIELD 65
enum { UTS_SYSNAME, UTS_NODENAME, UTS_RELEASE, UTS_VERSION, UTS_MACHINE };

/* Lines that start an oops report, on any architecture. */
static const char *const oops_starts[] = {
	"BUG: ", "Oops: ", "general protection fault", "kernel BUG at ",
	"Unable to handle kernel ", "Internal error: ", "divide error: ",
	"invalid opcode: ", "stack segment: ", "double fault: ",
};

static bool starts_with(const struct kdx_log_record *r, const char *s)
{
	size_t n = strlen(s);

	return r->text_len >= n && !memcmp(r->text, s, n);
}

/* The record's first line, with bytes that are not printable as '?'. */
static void first_line(char *out, size_t size, const struct kdx_log_record *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->text_len && r->text[i] != '\n' && n + 1 < size; i++) {
		unsigned char c = (unsigned char)r->text[i];

		out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[n] = '\0';
}

static void copy_field(char *out, const uint8_t *p)
{
	memcpy(out, p, UTS_FIELD - 1);
	out[UTS_FIELD - 1] = '\0';
}

static void read_uts(const struct kdx_dump *dump, struct kdx_xlat *xlat,
		     struct kdx_crash_summary *s)
{
	const char *sym = kdx_dump_vmcoreinfo_get(dump, "SYMBOL(init_uts_ns)");
	const char *off = kdx_dump_vmcoreinfo_get(dump, "OFFSET(uts_namespace.name)");
	const char *rel = kdx_dump_vmcoreinfo_get(dump, "OSRELEASE");
	uint8_t uts[UTS_FIELD * 5];
	struct kdx_error *err;

	if (xlat && sym && off) {
		uint64_t va = strtoull(sym, NULL, 16) + strtoull(off, NULL, 10);

		err = kdx_read_virt(dump, xlat, va, uts, sizeof(uts), 0, NULL);
		if (!err) {
			copy_field(s->nodename, uts + UTS_FIELD * UTS_NODENAME);
			copy_field(s->release, uts + UTS_FIELD * UTS_RELEASE);
			copy_field(s->version, uts + UTS_FIELD * UTS_VERSION);
			copy_field(s->machine, uts + UTS_FIELD * UTS_MACHINE);
			snprintf(s->uts_source, sizeof(s->uts_source), "init_uts_ns");
			return;
		}
		kdx_error_destroy(err);
	}
	if (rel) {
		snprintf(s->release, sizeof(s->release), "%s", rel);
		snprintf(s->uts_source, sizeof(s->uts_source), "VMCOREINFO OSRELEASE");
	}
}

/* The decimal number after @prefix at the start of @p: digits only (a log
 * line of a damaged dump can say "CPU: -5" or a number past INT_MAX,
 * which sscanf's %d would take). */
static bool number_after(const char *p, const char *prefix, int *out)
{
	size_t n = strlen(prefix);
	long long v = 0;

	if (strncmp(p, prefix, n) || !isdigit((unsigned char)p[n]))
		return false;
	for (p += n; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return false;
	}
	*out = (int)v;
	return true;
}

/* "CPU: 1 PID: 1 Comm: init Not tainted ..." (dump_stack's header; newer
 * kernels put "UID: 0" between CPU and PID). */
static bool parse_task_line(const struct kdx_log_record *r,
			    struct kdx_crash_summary *s)
{
	char line[KDX_CRASH_TEXT - 8]; /* room for "log: " in task_source */
	const char *p;
	int cpu, pid;

	if (!starts_with(r, "CPU: "))
		return false;
	first_line(line, sizeof(line), r);
	p = strstr(line, "PID: ");
	if (!number_after(line, "CPU: ", &cpu) || !p ||
	    !number_after(p, "PID: ", &pid))
		return false;
	s->cpu = cpu;
	s->pid = pid;
	p = strstr(line, "Comm: ");
	if (p)
		sscanf(p, "Comm: %31s", s->comm);
	snprintf(s->task_source, sizeof(s->task_source), "log: %s", line);
	return true;
}

static void scan_log(const struct kdx_dump *dump, struct kdx_xlat *xlat,
		     struct kdx_crash_summary *s)
{
	struct kdx_log *log;
	struct kdx_log_record r;
	struct kdx_error *err = kdx_log_open(dump, xlat, &log);
	bool want_task = false, have_task = false;
	uint32_t panic_caller = 0;
	bool panic_has_caller = false;

	if (err) {
		snprintf(s->log_status, sizeof(s->log_status), "%s",
			 kdx_error_message(err));
		kdx_error_destroy(err);
		return;
	}
	while (kdx_log_next(log, &r)) {
		if (r.has_timestamp && (!s->has_uptime || r.ts_nsec > s->uptime_nsec)) {
			s->has_uptime = true;
			s->uptime_nsec = r.ts_nsec;
		}
		if (!s->has_oops && !s->has_panic) {
			for (size_t i = 0; i < sizeof(oops_starts) / sizeof(oops_starts[0]); i++)
				if (starts_with(&r, oops_starts[i])) {
					s->has_oops = true;
					first_line(s->oops, sizeof(s->oops), &r);
					s->oops_ts_nsec = r.ts_nsec;
					want_task = true;
					break;
				}
		}
		if (!s->has_panic && starts_with(&r, "Kernel panic - not syncing")) {
			s->has_panic = true;
			first_line(s->panic, sizeof(s->panic), &r);
			s->panic_ts_nsec = r.ts_nsec;
			panic_has_caller = r.has_caller;
			panic_caller = r.caller_id;
			want_task = true;
			continue;
		}
		if (want_task && !have_task && parse_task_line(&r, s))
			have_task = true;
	}
	if (!have_task && panic_has_caller) {
		if (panic_caller & 0x80000000u)
			s->cpu = (int)(panic_caller & 0x7fffffffu);
		else
			s->pid = (int32_t)panic_caller;
		snprintf(s->task_source, sizeof(s->task_source),
			 "caller id of the panic record");
	}
	if (kdx_log_status(log))
		snprintf(s->log_status, sizeof(s->log_status), "%s",
			 kdx_error_message(kdx_log_status(log)));
	kdx_log_destroy(log);
}

struct kdx_error *kdx_crash_summary(const struct kdx_dump *dump,
				    struct kdx_xlat *xlat,
				    struct kdx_crash_summary *out)
{
	struct kdx_crash_summary s;
	struct kdx_xlat *owned = NULL;
	const char *crash_time;
	size_t n;

	if (!kdx_dump_vmcoreinfo(dump, &n))
		return kdx_err(KDX_ERR_NOTFOUND,
			       "crash summary: the dump has no VMCOREINFO");
	memset(&s, 0, sizeof(s));
	s.cpu = -1;
	s.pid = -1;
	crash_time = kdx_dump_vmcoreinfo_get(dump, "CRASHTIME");
	if (crash_time) {
		char *end;
		long long t = strtoll(crash_time, &end, 10);

		if (end != crash_time && !*end) {
			s.has_crash_time = true;
			s.crash_time = t;
		}
	}
	if (!xlat) {
		struct kdx_kernel_layout layout;
		struct kdx_error *err = kdx_kernel_probe(dump, NULL, &layout);

		if (!err)
			err = kdx_kernel_xlat_create(dump, &layout, &owned);
		if (err) {
			snprintf(s.log_status, sizeof(s.log_status),
				 "kernel memory not readable: %s",
				 kdx_error_message(err));
			kdx_error_destroy(err);
		}
		xlat = owned;
	}
	read_uts(dump, xlat, &s);
	if (xlat)
		scan_log(dump, xlat, &s);
	kdx_xlat_destroy(owned);
	*out = s;
	return NULL;
}
