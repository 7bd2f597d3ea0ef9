/* SPDX-License-Identifier: MIT */
/* kdx_dump_salvage(): verify, then cut the damaged pages out of the
 * physical map so that every reader and writer skips them, and keep a
 * text record of the loss for the output's note. */
#include <kdx/verify.h>

#include "core/error.h"
#include "core/util.h"
#include "lib/dump.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct damaged {
	uint64_t start, end;
};

struct salvager {
	kdx_verify_fn fn;
	void *arg;
	struct damaged *runs;
	size_t nruns, capacity;
	char *text;
	size_t len;
	bool failed; /* out of memory */
};

static void append(struct salvager *s, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *grown;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || s->failed)
		return;
	grown = realloc(s->text, s->len + (size_t)n + 1);
	if (!grown) {
		s->failed = true;
		return;
	}
	s->text = grown;
	va_start(ap, fmt);
	vsnprintf(s->text + s->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->len += (size_t)n;
}

static bool record(const struct kdx_verify_problem *p, void *arg)
{
	struct salvager *s = arg;
	struct damaged d = { p->phys_start, p->phys_start + p->phys_size };

	if (p->area != KDX_VERIFY_PAGES) {
		append(s, "problem: %s\n", p->message);
	} else {
		append(s, "lost physical 0x%llx-0x%llx",
		       (unsigned long long)d.start,
		       (unsigned long long)(d.end - 1));
		if (p->has_file_offset)
			append(s, " (file 0x%llx-0x%llx)",
			       (unsigned long long)p->file_first,
			       (unsigned long long)p->file_last);
		append(s, ": %s\n", p->message);
		if (!kdx_array_push((void **)&s->runs, &s->nruns,
				    &s->capacity, &d, sizeof(d)))
			s->failed = true;
	}
	return s->fn ? s->fn(p, s->arg) : true;
}

/* Cut the damaged runs out and rebuild the public view of the map. */
static struct kdx_error *cut_runs(struct kdx_dump *dump,
				  const struct salvager *s)
{
	struct kdx_error *err = NULL;
	struct kdx_phys_range *ranges;
	size_t count;

	for (size_t i = 0; i < s->nruns && !err; i++)
		err = kdx_physmap_remove(&dump->physmap, s->runs[i].start,
					 s->runs[i].end);
	if (!err)
		err = kdx_physmap_ranges(&dump->physmap, &ranges, &count);
	if (err)
		return err;
	free(dump->ranges);
	dump->ranges = ranges;
	dump->range_count = count;
	return NULL;
}

struct kdx_error *kdx_dump_salvage(struct kdx_dump *dump, kdx_verify_fn fn,
				   void *arg, struct kdx_verify_stats *stats)
{
	struct salvager s = { .fn = fn, .arg = arg };
	struct kdx_error *err = kdx_dump_verify(dump, record, &s, stats);

	if (!err && s.failed)
		err = kdx_err_nomem();
	if (!err)
		err = cut_runs(dump, &s);
	free(s.runs);
	if (err) {
		free(s.text);
		return err;
	}
	free(dump->lost);
	dump->lost = s.text;
	return NULL;
}

const char *kdx_dump_lost(const struct kdx_dump *dump)
{
	return dump->lost;
}
