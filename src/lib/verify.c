/* SPDX-License-Identifier: MIT */
/* kdx_dump_verify(): what the open found, VMCOREINFO against the dump,
 * then every page the dump holds, read in large pieces and, where a piece
 * fails, page by page to find the damage.  Uses only the public API: it
 * checks what a reader of the dump would get. */
#include <kdx/verify.h>

#include "core/error.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 1 << 20 }; /* bytes read at a time where all is well */

struct verifier {
	const struct kdx_dump *dump;
	kdx_verify_fn fn;
	void *arg;
	struct kdx_verify_stats *st;
	bool stopped;
	/* The run of damaged pages being gathered (size 0: none). */
	struct kdx_verify_problem run;
	char run_message[512];
};

static void report(struct verifier *v, const struct kdx_verify_problem *p)
{
	v->st->problems++;
	if (!v->stopped && v->fn && !v->fn(p, v->arg))
		v->stopped = true;
}

static void report_text(struct verifier *v, enum kdx_verify_area area,
			const char *message)
{
	struct kdx_verify_problem p = { .area = area, .message = message };

	report(v, &p);
}

/* The open kept what it could not trust as warnings; an incomplete or
 * truncated dump says so in its facts even where no warning does. */
static void check_headers(struct verifier *v)
{
	size_t n;
	const char *const *w = kdx_dump_warnings(v->dump, &n);
	const struct kdx_dump_facts *f = kdx_dump_facts(v->dump);

	for (size_t i = 0; i < n && !v->stopped; i++)
		report_text(v, KDX_VERIFY_HEADERS, w[i]);
	if (!n && (f->flags & KDX_DUMP_INCOMPLETE))
		report_text(v, KDX_VERIFY_HEADERS,
			    "the writer marked the dump incomplete");
	if (!n && (f->flags & KDX_DUMP_TRUNCATED))
		report_text(v, KDX_VERIFY_HEADERS, "the file is cut short");
}

/* VMCOREINFO is the kernel's own description: where it names a page size
 * or a release, the dump must agree. */
static void check_vmcoreinfo(struct verifier *v)
{
	const char *size = kdx_dump_vmcoreinfo_get(v->dump, "PAGESIZE");
	const char *release = kdx_dump_vmcoreinfo_get(v->dump, "OSRELEASE");
	const struct kdx_dump_facts *f = kdx_dump_facts(v->dump);
	char text[256];

	if (!kdx_dump_vmcoreinfo_source(v->dump))
		return;
	if (!size || strtoull(size, NULL, 10) != kdx_dump_page_size(v->dump)) {
		snprintf(text, sizeof(text),
			 "VMCOREINFO PAGESIZE is %s, the dump's page size %u",
			 size ? size : "missing", kdx_dump_page_size(v->dump));
		report_text(v, KDX_VERIFY_VMCOREINFO, text);
	}
	if (!release)
		report_text(v, KDX_VERIFY_VMCOREINFO,
			    "VMCOREINFO has no OSRELEASE");
	else if ((f->set & KDX_FACT_UTSNAME) && f->uts_release[0] &&
		 strcmp(release, f->uts_release)) {
		snprintf(text, sizeof(text),
			 "VMCOREINFO OSRELEASE %.64s differs from the header's release %.64s",
			 release, f->uts_release);
		report_text(v, KDX_VERIFY_VMCOREINFO, text);
	}
}

static void flush_run(struct verifier *v)
{
	if (!v->run.phys_size)
		return;
	v->run.message = v->run_message;
	report(v, &v->run);
	v->run.phys_size = 0;
}

/* One damaged page: it extends the run, or starts a new one. */
static void bad_page(struct verifier *v, uint64_t addr, uint64_t size,
		     const struct kdx_error *err)
{
	uint64_t offset;
	bool has = kdx_error_file_offset(err, &offset);

	v->st->bad_pages++;
	if (v->run.phys_size && v->run.phys_start + v->run.phys_size == addr) {
		v->run.phys_size += size;
		if (has) {
			if (!v->run.has_file_offset)
				v->run.file_first = offset;
			v->run.has_file_offset = true;
			v->run.file_last = offset;
		}
		return;
	}
	flush_run(v);
	v->run = (struct kdx_verify_problem){
		.area = KDX_VERIFY_PAGES,
		.phys_start = addr,
		.phys_size = size,
		.has_file_offset = has,
		.file_first = has ? offset : 0,
		.file_last = has ? offset : 0,
	};
	snprintf(v->run_message, sizeof(v->run_message), "%s",
		 kdx_error_message(err));
}

/* A piece that failed: page by page, to tell the damaged pages from the
 * sound ones around them. */
static void check_pages(struct verifier *v, uint64_t addr, uint64_t len,
			uint8_t *buf, uint32_t page)
{
	while (len) {
		uint64_t n = kdx_min_u64(len, page - addr % page);
		struct kdx_error *err =
			kdx_read_phys(v->dump, addr, buf, (size_t)n, 0, NULL);

		if (err)
			bad_page(v, addr, n, err);
		else
			flush_run(v);
		kdx_error_destroy(err);
		addr += n;
		len -= n;
	}
}

static void check_range(struct verifier *v, const struct kdx_phys_range *r,
			uint8_t *buf, uint32_t page)
{
	uint64_t addr = r->start, end = r->start + r->size;

	while (addr < end && !v->stopped) {
		uint64_t n = kdx_min_u64(end - addr, CHUNK - addr % CHUNK);
		struct kdx_error *err =
			kdx_read_phys(v->dump, addr, buf, (size_t)n, 0, NULL);

		if (err)
			check_pages(v, addr, n, buf, page);
		else
			flush_run(v);
		kdx_error_destroy(err);
		v->st->bytes += n;
		v->st->pages += (addr + n + page - 1) / page - addr / page;
		addr += n;
	}
}

struct kdx_error *kdx_dump_verify(const struct kdx_dump *dump,
				  kdx_verify_fn fn, void *arg,
				  struct kdx_verify_stats *stats)
{
	struct kdx_verify_stats local;
	struct verifier v = { .dump = dump, .fn = fn, .arg = arg };
	uint32_t page = kdx_dump_page_size(dump);
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint8_t *buf = malloc(CHUNK);

	v.st = stats ? stats : &local;
	memset(v.st, 0, sizeof(*v.st));
	if (!buf)
		return kdx_err_nomem();
	if (!page)
		page = 4096;
	check_headers(&v);
	check_vmcoreinfo(&v);
	for (size_t i = 0; i < n && !v.stopped; i++)
		if (r[i].kind == KDX_RANGE_DATA)
			check_range(&v, &r[i], buf, page);
	flush_run(&v);
	free(buf);
	return NULL;
}
