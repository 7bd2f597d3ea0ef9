/* SPDX-License-Identifier: MIT */
/* Page filters for conversion (page_filter.h): asking the dump's OS entry
 * for one, and applying it to the bytes a writer is about to write. */
#include "os/page_filter.h"

#include "core/error.h"
#include "core/util.h"
#include "os/os.h"

#include <kdx/dump.h>

#include <stdlib.h>
#include <string.h>

struct kdx_error *kdx_output_filter_create(const struct kdx_dump *dump,
					   const struct kdx_kernel_options *opts,
					   struct kdx_page_filter **out)
{
	const struct kdx_os_ops *os = kdx_os_find(dump);
	struct kdx_kernel_options none;

	*out = NULL;
	if (!os || !os->output_filter)
		return NULL;
	if (!opts) {
		kdx_kernel_options_init(&none);
		opts = &none;
	}
	return os->output_filter(dump, os, opts, out);
}

void kdx_page_filter_destroy(struct kdx_page_filter *f)
{
	if (!f)
		return;
	free(f->pages);
	free(f);
}

struct kdx_error *kdx_page_filter_add(struct kdx_page_filter *f,
				      const struct kdx_filter_page *p)
{
	if (!kdx_array_push((void **)&f->pages, &f->count, &f->capacity, p,
			    sizeof(*p)))
		return kdx_err_nomem();
	return NULL;
}

static int cmp_page(const void *a, const void *b)
{
	const struct kdx_filter_page *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

void kdx_page_filter_sort(struct kdx_page_filter *f)
{
	if (f->count)
		qsort(f->pages, f->count, sizeof(*f->pages), cmp_page);
}

const struct kdx_filter_page *
kdx_page_filter_next(const struct kdx_page_filter *f, uint64_t paddr)
{
	uint64_t page = paddr - paddr % f->page_size;
	size_t lo = 0, hi = f->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->pages[mid].paddr < page)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->count ? &f->pages[lo] : NULL;
}

/* A page @buf holds only part of: the whole page from the input,
 * rewritten, then the part @buf holds. */
static struct kdx_error *apply_partial(const struct kdx_page_filter *f,
				       const struct kdx_filter_page *p,
				       uint64_t paddr, uint8_t *buf, size_t len)
{
	uint8_t *page = malloc(f->page_size);
	uint64_t from = p->paddr > paddr ? p->paddr : paddr;
	uint64_t to = kdx_min_u64(p->paddr + f->page_size, paddr + len);
	struct kdx_error *err;

	if (!page)
		return kdx_err_nomem();
	err = kdx_read_phys(f->dump, p->paddr, page, f->page_size, 0, NULL);
	if (!err) {
		f->rewrite(f, p, page);
		memcpy(buf + (from - paddr), page + (from - p->paddr),
		       (size_t)(to - from));
	}
	free(page);
	return err;
}

struct kdx_error *kdx_page_filter_apply(const struct kdx_page_filter *f,
					uint64_t paddr, uint8_t *buf,
					size_t len)
{
	const struct kdx_filter_page *p = kdx_page_filter_next(f, paddr);
	const struct kdx_filter_page *end = f->pages + f->count;

	for (; p && p < end && p->paddr < paddr + len; p++) {
		struct kdx_error *err;

		if (p->paddr >= paddr && p->paddr + f->page_size <= paddr + len) {
			f->rewrite(f, p, buf + (p->paddr - paddr));
			continue;
		}
		err = apply_partial(f, p, paddr, buf, len);
		if (err)
			return kdx_err_wrap(err, "rewriting the page at 0x%llx for the output",
					    (unsigned long long)p->paddr);
	}
	return NULL;
}
