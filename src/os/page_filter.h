/* SPDX-License-Identifier: MIT */
/* What a conversion must change so that its output reads as an ordinary
 * dump of the same kernel: the OS entry that knows (a Xen PV guest's,
 * whose page tables hold machine frames) names the pages to rewrite and
 * how, and the output's page-table root; the writers apply it to the
 * bytes they write and never to the input, which stays as it is.
 *
 * A filter is made once before writing and then only read: the kdump
 * writer's compression threads apply it at the same time. */
#ifndef KDX_OS_PAGE_FILTER_H
#define KDX_OS_PAGE_FILTER_H

#include <kdx/dump.h>
#include <kdx/error.h>
#include <kdx/kernel.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One page the filter rewrites: @count entries of @entry_size bytes from
 * byte @first on (a PAE top table is 4 entries inside its page). */
struct kdx_filter_page {
	uint64_t paddr; /* page aligned, physical in the input and output */
	uint16_t first, count;
	uint8_t level;  /* the filter's own tag (a table's level) */
	bool top;       /* reached as a top-level table */
};

struct kdx_page_filter;

/* Rewrite the page @page (its whole bytes, in place) as the output holds
 * it.  Must be safe to call from several threads at once. */
typedef void (*kdx_page_rewrite_fn)(const struct kdx_page_filter *f,
				    const struct kdx_filter_page *p,
				    uint8_t *page);

struct kdx_page_filter {
	const struct kdx_dump *dump;
	uint32_t page_size;
	struct kdx_filter_page *pages; /* sorted by paddr, each once */
	size_t count, capacity;
	kdx_page_rewrite_fn rewrite;
	const void *ctx; /* for @rewrite */
	/* The input's notes the output leaves out (notes of the container
	 * that mean nothing in an ordinary dump); NULL keeps them all. */
	bool (*drop_note)(const struct kdx_note *note);
	/* How the output is translated: its own root and flags, so that
	 * the writers (ELF p_vaddr, paging mode) walk the rewritten tables
	 * as any reader of the output will. */
	struct kdx_kernel_layout layout;
	/* What was found and done, for the convert report. */
	uint64_t tables;          /* pages rewritten */
	uint64_t entries_rewritten; /* present entries given their new frame */
	uint64_t entries_cleared; /* present entries with no frame: cleared */
	uint64_t aliases;         /* tables reached again at another level */
	uint64_t first_cleared;   /* input physical address of the first */
};

/* The filter @dump's OS entry wants for converting it, or *out = NULL
 * when its pages are written as they are.  @opts: the user's overrides
 * for the kernel (a --root given to convert), or NULL. */
struct kdx_error *kdx_output_filter_create(const struct kdx_dump *dump,
					   const struct kdx_kernel_options *opts,
					   struct kdx_page_filter **out);

void kdx_page_filter_destroy(struct kdx_page_filter *f);

/* Add a page (kept unsorted until kdx_page_filter_sort()); the caller
 * adds each page once. */
struct kdx_error *kdx_page_filter_add(struct kdx_page_filter *f,
				      const struct kdx_filter_page *p);

/* Sort the pages: done once, when the filter is complete. */
void kdx_page_filter_sort(struct kdx_page_filter *f);

/* The first filtered page at or after the page holding @paddr, or NULL. */
const struct kdx_filter_page *
kdx_page_filter_next(const struct kdx_page_filter *f, uint64_t paddr);

/* Rewrite, in @buf (the input's bytes at [@paddr, @paddr + @len)), every
 * filtered page it overlaps.  A page @buf holds only part of is read
 * whole from the dump, rewritten, and its part copied in. */
struct kdx_error *kdx_page_filter_apply(const struct kdx_page_filter *f,
					uint64_t paddr, uint8_t *buf,
					size_t len);

#endif
