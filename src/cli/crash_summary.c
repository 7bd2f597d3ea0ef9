/* SPDX-License-Identifier: MIT */
/* kdx info's crash summary: kernel, crash time, panic/oops and the task
 * and CPU that hit it, that CPU's registers, uptime, and filtering. */
#include "cli/crash_summary.h"

#include "cli/cli.h"

#include <kdx/crash.h>

#include <inttypes.h>
#include <time.h>

/* The CPU record of the crashing CPU: QEMU and the kernel both write one
 * NT_PRSTATUS per CPU in CPU order. */
static const struct kdx_cpu *crash_cpu(const struct kdx_dump *dump, int cpu)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	for (size_t i = 0; cpu >= 0 && i < n; i++)
		if (cpus[i].index == (unsigned int)cpu)
			return &cpus[i];
	return NULL;
}

static size_t excluded_ranges(const struct kdx_dump *dump, uint64_t *bytes)
{
	size_t n, count = 0;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);

	*bytes = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].kind == KDX_RANGE_EXCLUDED) {
			count++;
			*bytes += r[i].size;
		}
	return count;
}

/* The dump's dump_level as text in @buf (KDX_DUMP_LEVEL_TEXT bytes), or
 * NULL if its format does not record one. */
static const char *dump_level(const struct kdx_dump *dump, char *buf)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(dump);

	if (!(f->set & KDX_FACT_DUMP_LEVEL))
		return NULL;
	return kdx_dump_level_text(f->dump_level, buf, KDX_DUMP_LEVEL_TEXT);
}

static void fmt_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(buf, len, "?");
}

void cli_crash_summary_text(const struct kdx_dump *dump)
{
	struct kdx_crash_summary s;
	struct kdx_error *err = kdx_crash_summary(dump, NULL, &s);
	const struct kdx_cpu *cpu;
	char level_text[KDX_DUMP_LEVEL_TEXT];
	const char *level = dump_level(dump, level_text);
	uint64_t ex_bytes;
	size_t ex = excluded_ranges(dump, &ex_bytes);
	char buf[64];

	if (err) {
		printf("crash:      not available: %s\n", kdx_error_message(err));
		kdx_error_destroy(err);
		return;
	}
	printf("crash:\n");
	printf("  kernel:   %s %s %s (%s)\n", s.release[0] ? s.release : "?",
	       s.version, s.machine, s.uts_source[0] ? s.uts_source : "unknown");
	if (s.has_crash_time) {
		fmt_time(buf, sizeof(buf), s.crash_time);
		printf("  time:     %s (CRASHTIME %" PRId64 ")\n", buf, s.crash_time);
	} else {
		printf("  time:     no CRASHTIME (the dump was not taken by kdump "
		       "after a panic)\n");
	}
	if (s.has_uptime)
		printf("  uptime:   %" PRIu64 ".%06" PRIu64 " s (newest log record)\n",
		       s.uptime_nsec / 1000000000u, s.uptime_nsec % 1000000000u / 1000u);
	if (s.has_oops)
		printf("  oops:     [%5" PRIu64 ".%06" PRIu64 "] %s\n",
		       s.oops_ts_nsec / 1000000000u, s.oops_ts_nsec % 1000000000u / 1000u,
		       s.oops);
	if (s.has_panic)
		printf("  panic:    [%5" PRIu64 ".%06" PRIu64 "] %s\n",
		       s.panic_ts_nsec / 1000000000u,
		       s.panic_ts_nsec % 1000000000u / 1000u, s.panic);
	else if (!s.has_oops)
		printf("  panic:    none in the log\n");
	if (s.cpu >= 0 || s.pid >= 0) {
		printf("  task:    ");
		if (s.comm[0])
			printf(" %s", s.comm);
		if (s.pid >= 0)
			printf(" pid %" PRId32, s.pid);
		if (s.cpu >= 0)
			printf(" on CPU %d", s.cpu);
		printf(" (%s)\n", s.task_source);
	}
	cpu = crash_cpu(dump, s.cpu);
	if (cpu) {
		printf("  registers of CPU %d (NT_PRSTATUS %u):", s.cpu, cpu->index);
		for (unsigned int r = 0; r < cpu->reg_count; r++)
			printf("%s%-6s 0x%016" PRIx64, r % 4 ? "  " : "\n    ",
			       cpu->reg_names[r], cpu->regs[r]);
		printf("\n");
	}
	/* Filtered means pages left out; a dump_level that excluded
	 * nothing (QEMU writes 1, zero pages, and keeps them) is not. */
	if (ex)
		printf("  filtered: yes: %zu excluded range%s (%s), dump_level %s\n",
		       ex, ex == 1 ? "" : "s", cli_size(ex_bytes, buf, sizeof(buf)),
		       level ? level : "not recorded");
	else
		printf("  filtered: no: every page is in the dump%s%s%s\n",
		       level ? " (dump_level " : "", level ? level : "", level ? ")" : "");
	if (s.log_status[0])
		printf("  log:      %s\n", s.log_status);
}

/* A log line the summary found ({"text", "ts_nsec"}), or null. */
static void json_log_line(struct json *j, const char *key, bool found,
			  const char *text, uint64_t ts_nsec)
{
	json_key(j, key);
	if (!found) {
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_key(j, "text");
	json_string(j, text);
	json_key(j, "ts_nsec");
	json_u64(j, ts_nsec);
	json_object_end(j);
}

/* A CPU number or pid, null when unknown (negative). */
static void json_id(struct json *j, int64_t id)
{
	if (id >= 0)
		json_i64(j, id);
	else
		json_null(j);
}

void cli_crash_summary_json(struct json *j, const struct kdx_dump *dump)
{
	struct kdx_crash_summary s;
	struct kdx_error *err = kdx_crash_summary(dump, NULL, &s);
	const struct kdx_cpu *cpu;
	char level_text[KDX_DUMP_LEVEL_TEXT];
	const char *level = dump_level(dump, level_text);
	uint64_t ex_bytes;
	size_t ex = excluded_ranges(dump, &ex_bytes);

	json_key(j, "crash");
	if (err) {
		kdx_error_destroy(err);
		json_null(j);
		return;
	}
	json_object_begin(j);
	json_key(j, "release");
	json_string(j, s.release);
	json_key(j, "version");
	json_string(j, s.version);
	json_key(j, "machine");
	json_string(j, s.machine);
	json_key(j, "nodename");
	json_string(j, s.nodename);
	json_key(j, "uts_source");
	json_string(j, s.uts_source);
	json_key(j, "crash_time");
	if (s.has_crash_time)
		json_i64(j, s.crash_time);
	else
		json_null(j);
	json_key(j, "uptime_nsec");
	if (s.has_uptime)
		json_u64(j, s.uptime_nsec);
	else
		json_null(j);
	json_log_line(j, "panic", s.has_panic, s.panic, s.panic_ts_nsec);
	json_log_line(j, "oops", s.has_oops, s.oops, s.oops_ts_nsec);
	json_key(j, "cpu");
	json_id(j, s.cpu);
	json_key(j, "pid");
	json_id(j, s.pid);
	json_key(j, "comm");
	json_string(j, s.comm);
	json_key(j, "task_source");
	json_string(j, s.task_source);
	json_key(j, "registers");
	cpu = crash_cpu(dump, s.cpu);
	if (cpu) {
		json_object_begin(j);
		for (unsigned int r = 0; r < cpu->reg_count; r++) {
			json_key(j, cpu->reg_names[r]);
			json_u64(j, cpu->regs[r]);
		}
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "filtered");
	json_bool(j, ex != 0);
	json_key(j, "dump_level");
	if (level)
		json_string(j, level);
	else
		json_null(j);
	json_key(j, "excluded_ranges");
	json_u64(j, ex);
	json_key(j, "excluded_bytes");
	json_u64(j, ex_bytes);
	json_key(j, "log_status");
	json_string(j, s.log_status);
	json_object_end(j);
}
