/* SPDX-License-Identifier: MIT */
/* PV domains in a dump of a Xen host's machine memory (QEMU's dump of the
 * VM running Xen, or a Xen host's kdump): each Linux PV kernel keeps the
 * start_info page Xen (or libxc) built for it, whose magic is
 * "xen-3.0-x86_64" ("xen-3.0-x86_64p" for dom0, "xen-3.0-x86_32p" for
 * a 32-bit guest), and which
 * names the machine address of the domain's shared_info, where Linux
 * publishes its p2m (max_pfn, the tree's frame list list, p2m_cr3 and
 * p2m_vaddr).  Nothing here needs Xen's symbols.
 *
 * A copy of a domain's start_info page can sit in another domain's memory
 * (dom0's page cache after `xl dump-core` wrote the domU's pages to a
 * file): the copy names the same shared_info.  The domain's own page is
 * the one whose frame its p2m maps. */
#include "os/os.h"

#include <kdx/xen.h>

#include "core/endian.h"
#include "core/error.h"
#include "lib/dump.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define MAGIC_LEN 32u
/* start_info: magic[32], nr_pages, shared_info, flags (u32).  x86_64:
 * words of 8 bytes; x86_32: of 4. */
#define SI_NR_PAGES 32u
/* shared_info's arch part (see format/xc_core.c): max_pfn,
 * pfn_to_mfn_frame_list_list, nmi_reason, p2m_cr3, p2m_vaddr. */
#define SHINFO64_ARCH 3088u
#define SHINFO32_ARCH 2316u
/* Candidates kept at most: a host has a few domains, and a page cache a
 * few copies of each. */
#define MAX_CANDIDATES 4096u
/* No real guest has more (a 1 TiB one has 2^28). */
#define MAX_PAGES (1ull << 28)
/* How far the scan reads on before asking again where the dump holds
 * bytes. */
#define HELD_CHUNK (128u * PAGE)

/* The guest's word size from the magic, 0 when it is not one. */
static unsigned int magic_word(const uint8_t *head)
{
	static const char prefix[] = "xen-";
	const char *m = (const char *)head;
	size_t len = strnlen(m, MAGIC_LEN);

	if (len == MAGIC_LEN || len < sizeof(prefix) ||
	    memcmp(m, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	/* The trailing "p" (PAE) is in dom0's: Xen's builder writes it
	 * for every PAE-capable kernel, 64-bit ones included; libxc's
	 * builder leaves it out for 64-bit domUs. */
	if (m[len - 1] == 'p')
		len--;
	if (len > 7 && !memcmp(m + len - 7, "-x86_64", 7))
		return 8;
	if (len > 7 && !memcmp(m + len - 7, "-x86_32", 7))
		return 4;
	return 0;
}

/* The start_info at @addr, with its shared_info's p2m fields; false when
 * it does not hold together. */
static bool parse(const struct kdx_dump *dump, uint64_t addr,
		  const uint8_t *head, struct kdx_xen_domain *d)
{
	unsigned int w = magic_word(head);
	uint8_t arch[5 * 8];
	struct kdx_error *err;

	if (!w)
		return false;
	*d = (struct kdx_xen_domain){ .start_info = addr, .word = w };
	d->nr_pages = kdx_load_uint(head + SI_NR_PAGES, w, KDX_LITTLE_ENDIAN);
	d->shared_info = kdx_load_uint(head + SI_NR_PAGES + w, w,
				       KDX_LITTLE_ENDIAN);
	d->flags = kdx_load_u32(head + SI_NR_PAGES + 2 * w, KDX_LITTLE_ENDIAN);
	if (!d->nr_pages || d->nr_pages > MAX_PAGES ||
	    (d->shared_info & (PAGE - 1)))
		return false;
	err = kdx_read_phys(dump, d->shared_info +
				  (w == 8 ? SHINFO64_ARCH : SHINFO32_ARCH),
			    arch, 5 * w, 0, NULL);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	d->max_pfn = kdx_load_uint(arch, w, KDX_LITTLE_ENDIAN);
	d->frame_list_list = kdx_load_uint(arch + w, w, KDX_LITTLE_ENDIAN);
	d->p2m_cr3 = kdx_load_uint(arch + 3 * w, w, KDX_LITTLE_ENDIAN);
	d->p2m_vaddr = kdx_load_uint(arch + 4 * w, w, KDX_LITTLE_ENDIAN);
	return d->max_pfn && d->max_pfn <= MAX_PAGES;
}

struct candidates {
	struct kdx_xen_domain *d;
	size_t n, cap;
};

static struct kdx_error *scan(const struct kdx_dump *dump,
			      struct candidates *c)
{
	size_t nr;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &nr);
	uint8_t head[SI_NR_PAGES + 3 * 8];

	for (size_t i = 0; i < nr; i++) {
		uint64_t first = (r[i].start + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		uint64_t end = r[i].start + r[i].size;

		/* A range in the last page of the address space has no
		 * page start in it: rounding up wraps to 0. */
		if (r[i].kind != KDX_RANGE_DATA || first < r[i].start)
			continue;
		/* Bounded by the range's pages that the file holds: bytes a
		 * dump describes but does not store (a flattened stream's
		 * unwritten ones, which read as zeros) are skipped, or a
		 * small file claiming terabytes would be read for ever. */
		for (uint64_t a = first, held_to = first;
		     a + sizeof(head) <= end && a >= first; a += PAGE) {
			struct kdx_xen_domain d;
			struct kdx_error *err;

			if (a >= held_to) {
				uint64_t held = kdx_dump_next_held(dump, a, end);

				if (held >= end)
					break;
				a = held > a ? held & ~(uint64_t)(PAGE - 1) : a;
				held_to = a + HELD_CHUNK;
				if (a + sizeof(head) > end)
					break;
			}
			err = kdx_read_phys(dump, a, head, sizeof(head), 0, NULL);
			if (err) {
				kdx_error_destroy(err);
				continue;
			}
			if (head[0] != 'x' || !parse(dump, a, head, &d))
				continue;
			if (c->n == c->cap)
				return NULL; /* enough: the rest are copies */
			c->d[c->n++] = d;
		}
	}
	return NULL;
}

/* Marks the candidates (one shared_info's) whose frame the p2m maps. */
struct verify {
	struct kdx_xen_domain *d;
	size_t n;
};

static bool verify_entry(void *arg, uint64_t pfn, uint64_t mfn,
			 enum kdx_xen_p2m_kind kind)
{
	struct verify *v = arg;

	(void)pfn;
	if (kind != KDX_XEN_P2M_FRAME)
		return true;
	for (size_t i = 0; i < v->n; i++)
		if (v->d[i].start_info / PAGE == mfn)
			v->d[i].verified = true;
	return true;
}

static int by_shared_info(const void *a, const void *b)
{
	const struct kdx_xen_domain *x = a, *y = b;

	if (x->shared_info != y->shared_info)
		return x->shared_info < y->shared_info ? -1 : 1;
	return x->start_info < y->start_info ? -1 : x->start_info > y->start_info;
}

static int by_order(const void *a, const void *b)
{
	const struct kdx_xen_domain *x = a, *y = b;
	bool xi = x->flags & KDX_XEN_SIF_INITDOMAIN;
	bool yi = y->flags & KDX_XEN_SIF_INITDOMAIN;

	if (xi != yi)
		return xi ? -1 : 1;
	return x->start_info < y->start_info ? -1 : x->start_info > y->start_info;
}

/* One domain per shared_info: the verified candidate, else the first. */
static size_t pick(const struct kdx_dump *dump, struct candidates *c)
{
	size_t kept = 0;

	qsort(c->d, c->n, sizeof(*c->d), by_shared_info);
	for (size_t i = 0; i < c->n;) {
		size_t j = i, choice = i;
		struct verify v;
		struct kdx_xen_p2m_report rep;

		while (j < c->n && c->d[j].shared_info == c->d[i].shared_info)
			j++;
		v = (struct verify){ c->d + i, j - i };
		kdx_error_destroy(kdx_xen_linux_p2m_walk(
			dump, &c->d[i], KDX_XEN_P2M_AUTO, verify_entry, &v, &rep));
		for (size_t k = i; k < j; k++)
			if (c->d[k].verified) {
				choice = k;
				break;
			}
		c->d[kept++] = c->d[choice];
		i = j;
	}
	qsort(c->d, kept, sizeof(*c->d), by_order);
	return kept;
}

struct kdx_error *kdx_xen_find_domains(const struct kdx_dump *dump,
				       struct kdx_xen_domain *out,
				       size_t capacity, size_t *count)
{
	struct candidates c = { calloc(MAX_CANDIDATES, sizeof(*c.d)), 0,
				MAX_CANDIDATES };
	struct kdx_error *err;
	size_t n;

	*count = 0;
	if (!c.d)
		return kdx_err_nomem();
	err = scan(dump, &c);
	if (err) {
		free(c.d);
		return err;
	}
	n = pick(dump, &c);
	if (capacity)
		memcpy(out, c.d, (n < capacity ? n : capacity) * sizeof(*out));
	*count = n;
	free(c.d);
	return NULL;
}
