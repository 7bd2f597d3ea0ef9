/* SPDX-License-Identifier: MIT */
/* Writing ELF core dumps from any dump.
 *
 * Physical mode writes what /proc/vmcore presents: a PT_NOTE with every
 * note, then one PT_LOAD per run of physical memory (p_vaddr in the
 * direct map where the kernel's page tables confirm one), memory that was
 * described but not written as p_memsz beyond p_filesz, filtered pages as
 * holes (or zeros with --zero-fill).  Ranges that are not page aligned are
 * written exactly: no byte the input lacks appears in the output (seed
 * 004), and each run's file offset is congruent to its address modulo the
 * page size.
 *
 * Paging mode (seed 003, what gdb reads) gives one PT_LOAD per run of the
 * kernel's page tables that is contiguous in both address spaces (with
 * equal rights, which p_flags carry), cut where the dump lacks memory.
 * The physical bytes some mapping shows are written once and every alias
 * points at them, unless no_dedup.  More than 65534 program headers use
 * extended numbering (PN_XNUM, the count in section header 0).
 *
 * ELF32 for 32-bit targets unless some value needs 64 bits. */
#include "write/writer.h"

#include <kdx/kernel.h>
#include <kdx/xlat.h>

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "lib/dump.h"
#include "write/notes.h"
#include "write/sink.h"
#include "write/view.h"

#include <stdlib.h>
#include <string.h>

enum {
	PT_LOAD = 1,
	PT_NOTE = 4,
	PN_XNUM = 0xffff,
	PF_X = 1,
	PF_W = 2,
	PF_R = 4,
	COPY_CHUNK = 256 << 10, /* read and written through a buffer */
	COPY_SPAN = 64 << 20,   /* copied file to file per call */
};

/* A run of physical bytes written to the file. */
struct data_run {
	uint64_t paddr, size, offset;
	bool fill; /* holds excluded pages, written as zeros (--zero-fill) */
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct elf_writer {
	const struct kdx_dump *dump;
	struct kdx_out_view view;
	const struct kdx_convert_options *opts;
	const struct kdx_phys_range *ranges;
	size_t nranges;
	enum kdx_byte_order bo;
	bool is64;
	uint64_t page;
	struct data_run *runs;
	size_t nruns, runs_capacity;
	struct phdr *phdrs;
	size_t nphdrs, phdrs_capacity;
	struct kdx_encoded_notes notes;
	uint64_t notes_offset, data_offset;
	uint64_t direct_map; /* direct-map base; 0 when unknown */
	bool has_direct_map;
	struct kdx_xlat *xlat;
	struct kdx_sink *sink;
	struct kdx_convert_stats stats;
};

static struct kdx_error *add_phdr(struct elf_writer *w, const struct phdr *p)
{
	if (!kdx_array_push((void **)&w->phdrs, &w->nphdrs, &w->phdrs_capacity,
			    p, sizeof(*p)))
		return kdx_err_nomem();
	return NULL;
}

static struct kdx_error *add_run(struct elf_writer *w, uint64_t paddr,
				 uint64_t size, bool fill)
{
	struct data_run r = { paddr, size, 0, fill };

	if (!kdx_array_push((void **)&w->runs, &w->nruns, &w->runs_capacity, &r,
			    sizeof(r)))
		return kdx_err_nomem();
	return NULL;
}

/* ---- what to write ---- */

/* Whether the output holds bytes for @r: dumped memory, and filtered-out
 * memory the user asked to see as zeros. */
static bool has_bytes(const struct elf_writer *w, const struct kdx_phys_range *r)
{
	return r->kind == KDX_RANGE_DATA ||
	       (r->kind == KDX_RANGE_EXCLUDED && w->opts->zero_fill);
}

/* Data runs: every range whose bytes the output holds, adjacent ones
 * joined (with --zero-fill, filtered pages join their neighbours). */
static struct kdx_error *plan_runs(struct elf_writer *w)
{
	struct kdx_error *err = NULL;

	for (size_t i = 0; i < w->nranges && !err; i++) {
		const struct kdx_phys_range *r = &w->ranges[i];
		bool fill = r->kind == KDX_RANGE_EXCLUDED;
		struct data_run *last = w->nruns ? &w->runs[w->nruns - 1] : NULL;

		if (!has_bytes(w, r))
			continue;
		if (last && last->paddr + last->size == r->start) {
			last->size += r->size;
			last->fill |= fill;
			continue;
		}
		err = add_run(w, r->start, r->size, fill);
	}
	return err;
}

/* @va translates to @pa in the kernel's page tables. */
static bool maps_to(struct elf_writer *w, uint64_t va, uint64_t pa)
{
	struct kdx_xlat_result r;
	struct kdx_error *err = kdx_xlat_translate(w->xlat, va, &r);
	bool ok = !err && r.paddr == pa;

	kdx_error_destroy(err);
	return ok;
}

/* p_vaddr of a physical segment: its direct-map address, as /proc/vmcore
 * writes, where the kernel's page tables confirm it at both ends of the
 * segment (not I/O memory outside the direct map, not an i386 kernel's
 * high memory) and it fits the target's address space; else its physical
 * address, as QEMU's physical dumps write. */
static uint64_t direct_vaddr(struct elf_writer *w, uint64_t paddr,
			     uint64_t size)
{
	uint64_t limit = kdx_dump_word_size(w->dump) == 4 ? UINT32_MAX :
							    UINT64_MAX;
	uint64_t last = paddr + (size ? size - 1 : 0);
	uint64_t base = w->direct_map;

	if (!w->has_direct_map || !w->xlat || base > limit ||
	    last > limit - base || !maps_to(w, base + paddr, paddr) ||
	    !maps_to(w, base + last, last))
		return paddr;
	return base + paddr;
}

/* One PT_LOAD per run of memory: held bytes (p_filesz), then memory that
 * was described but not written (ELF p_memsz > p_filesz) directly after
 * them; such memory with no bytes before it gets a segment of its own.
 * One pass over the sorted ranges, so segments match the data runs. */
static struct kdx_error *physical_phdrs(struct elf_writer *w)
{
	size_t first = w->nphdrs, cur = SIZE_MAX;

	for (size_t i = 0; i < w->nranges; i++) {
		const struct kdx_phys_range *r = &w->ranges[i];
		struct phdr *p = cur != SIZE_MAX ? &w->phdrs[cur] : NULL;
		bool joins = p && p->paddr + p->memsz == r->start;
		struct kdx_error *err;

		if (has_bytes(w, r) && joins && p->filesz == p->memsz) {
			p->filesz += r->size;
			p->memsz += r->size;
			continue;
		}
		if (r->kind == KDX_RANGE_ZERO && joins) {
			p->memsz += r->size;
			continue;
		}
		if (!has_bytes(w, r) && r->kind != KDX_RANGE_ZERO) {
			cur = SIZE_MAX; /* filtered out: a hole */
			continue;
		}
		err = add_phdr(w, &(struct phdr){
			.type = PT_LOAD,
			.flags = PF_R | PF_W | PF_X,
			.paddr = r->start,
			.filesz = has_bytes(w, r) ? r->size : 0,
			.memsz = r->size,
		});
		if (err)
			return err;
		cur = w->nphdrs - 1;
	}
	for (size_t i = first; i < w->nphdrs; i++)
		w->phdrs[i].vaddr = direct_vaddr(w, w->phdrs[i].paddr,
						 w->phdrs[i].memsz);
	return NULL;
}

/* Index of the first of @n sorted, disjoint runs that ends after @paddr. */
static size_t run_index(const struct data_run *runs, size_t n, uint64_t paddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (runs[mid].paddr + runs[mid].size <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The run holding @paddr, or NULL. */
static const struct data_run *run_at(const struct data_run *runs, size_t n,
				     uint64_t paddr)
{
	size_t i = run_index(runs, n, paddr);

	return i < n && runs[i].paddr <= paddr ? &runs[i] : NULL;
}

/* The range holding @paddr, else the first one after it, else NULL. */
static const struct kdx_phys_range *range_from(const struct elf_writer *w,
					       uint64_t paddr)
{
	size_t lo = 0, hi = w->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->ranges[mid].start + w->ranges[mid].size <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nranges ? &w->ranges[lo] : NULL;
}

/* Mappings never cut below: QEMU's paging dumps can hold more than
 * 65534 (PN_XNUM), and a million costs tens of MB. */
#define MAPPINGS_FLOOR (1u << 20)

struct paging_ctx {
	struct elf_writer *w;
	struct kdx_error *err;
	uint64_t mappings, limit;
};

/* Mappings taken at most: tables that point at each other map the same
 * memory without end (2^27 mappings of a 64 KiB image, gigabytes of
 * program headers), while a kernel maps each page of its memory a few
 * times.  Eight per page the dump describes, and never fewer than a
 * million. */
static uint64_t mapping_limit(const struct elf_writer *w)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < w->nranges; i++)
		pages += w->ranges[i].size / w->page + 1;
	return pages > (UINT64_MAX >> 3) ? UINT64_MAX :
	       pages * 8 > MAPPINGS_FLOOR ? pages * 8 : MAPPINGS_FLOOR;
}

/* One mapping: one PT_LOAD per piece that lies in one data run (or in
 * memory described but not written: p_filesz 0); pieces over memory the
 * dump lacks (I/O, holes, filtered pages) are left out, as QEMU does.
 * p_flags carry the mapping's rights. */
static bool on_mapping(void *arg, const struct kdx_mapping *m)
{
	struct paging_ctx *c = arg;
	struct elf_writer *w = c->w;
	uint32_t flags = PF_R | (m->flags & KDX_PAGE_WRITABLE ? PF_W : 0) |
			 (m->flags & KDX_PAGE_NX ? 0 : PF_X);
	uint64_t done = 0;

	if (++c->mappings > c->limit) {
		c->err = kdx_err_set_address(
			kdx_err(KDX_ERR_CORRUPT,
				"more than %llu mappings by virtual 0x%llx, 8 per page of the dump's memory: page tables that point at each other? (without --paging, convert writes the physical memory)",
				(unsigned long long)c->limit,
				(unsigned long long)m->vaddr),
			m->vaddr);
		return false;
	}
	while (done < m->size && !c->err) {
		uint64_t pa = m->paddr + done, left = m->size - done, len;
		const struct kdx_phys_range *r = range_from(w, pa);
		const struct data_run *run;

		if (!r || (r->start > pa && r->start - pa >= left))
			break;
		if (r->start > pa) {
			done += r->start - pa;
			continue;
		}
		len = kdx_min_u64(left, r->start + r->size - pa);
		if (has_bytes(w, r)) {
			run = run_at(w->runs, w->nruns, pa);
			len = kdx_min_u64(left, run->paddr + run->size - pa);
		} else if (r->kind != KDX_RANGE_ZERO) {
			done += len;
			continue;
		}
		c->err = add_phdr(w, &(struct phdr){
			.type = PT_LOAD,
			.flags = flags,
			.vaddr = m->vaddr + done,
			.paddr = pa,
			.filesz = has_bytes(w, r) ? len : 0,
			.memsz = len,
		});
		done += len;
	}
	return !c->err;
}

/* The kernel's page tables as the output holds them (kdx_kernel_probe(),
 * at the user's root if one was given), in w->xlat; @layout says what
 * was found. */
static struct kdx_error *make_xlat(struct elf_writer *w,
				   struct kdx_kernel_layout *layout)
{
	struct kdx_kernel_options ko;
	struct kdx_error *err;

	kdx_kernel_options_init(&ko);
	if (w->opts->has_root) {
		ko.has_root = true;
		ko.root = w->opts->root;
	}
	err = kdx_view_kernel_layout(&w->view, &ko, layout);
	if (err)
		return err;
	if (layout->physical_only || !layout->has_root ||
	    layout->mode == KDX_PAGING_NONE)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "no page table to write a paging ELF from%s%s (give one with --root)",
			       layout->note[0] ? ": " : "", layout->note);
	return kdx_view_xlat_create(&w->view, layout, &w->xlat);
}

static struct kdx_error *paging_phdrs(struct elf_writer *w)
{
	struct paging_ctx c = { w, NULL, 0, mapping_limit(w) };
	struct kdx_kernel_layout layout;
	struct kdx_error *err = make_xlat(w, &layout);

	if (!err)
		err = kdx_xlat_maps(w->xlat, 0, UINT64_MAX, 0, on_mapping, NULL,
				    &c);
	if (!err)
		err = c.err;
	else
		kdx_error_destroy(c.err);
	if (err)
		return kdx_err_wrap(err, "enumerating the page tables");
	/* A file of notes alone is no paging dump: most likely a wrong root. */
	if (w->nphdrs < 2)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "the page table at 0x%llx maps no dumped memory",
			       (unsigned long long)kdx_xlat_root(w->xlat));
	return NULL;
}

static int cmp_run(const void *a, const void *b)
{
	const struct data_run *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* With dedup, the file holds the physical bytes some mapping shows, each
 * once: the runs shrink to the union of the segments (memory no mapping
 * reaches would be bytes no reader can find). */
static struct kdx_error *keep_mapped_runs(struct elf_writer *w)
{
	struct data_run *shared = w->runs, *used;
	size_t nshared = w->nruns, n = 0;

	used = calloc(w->nphdrs ? w->nphdrs : 1, sizeof(*used));
	if (!used)
		return kdx_err_nomem();
	for (size_t i = 1; i < w->nphdrs; i++)
		if (w->phdrs[i].filesz)
			used[n++] = (struct data_run){ w->phdrs[i].paddr,
						       w->phdrs[i].filesz, 0,
						       false };
	if (n)
		qsort(used, n, sizeof(*used), cmp_run);
	w->runs = NULL;
	w->nruns = w->runs_capacity = 0;
	for (size_t i = 0; i < n; i++) {
		struct data_run *last = w->nruns ? &w->runs[w->nruns - 1] : NULL;
		uint64_t end = used[i].paddr + used[i].size;
		struct kdx_error *err;

		/* segments never cross a shared run: merged ones are in one */
		if (last && used[i].paddr <= last->paddr + last->size) {
			if (end > last->paddr + last->size)
				last->size = end - last->paddr;
			continue;
		}
		err = add_run(w, used[i].paddr, used[i].size,
			      run_at(shared, nshared, used[i].paddr)->fill);
		if (err) {
			free(used);
			free(shared);
			return err;
		}
	}
	free(used);
	free(shared);
	return NULL;
}

/* Without dedup, each mapping gets bytes of its own: turn the segments
 * that hold bytes into data runs of their own, in segment order, each
 * read as the shared run it came from says. */
static struct kdx_error *undedup(struct elf_writer *w)
{
	struct data_run *shared = w->runs;
	size_t nshared = w->nruns;
	struct kdx_error *err = NULL;

	w->runs = NULL;
	w->nruns = w->runs_capacity = 0;
	for (size_t i = 1; i < w->nphdrs && !err; i++) {
		const struct phdr *p = &w->phdrs[i];

		if (p->filesz)
			err = add_run(w, p->paddr, p->filesz,
				      run_at(shared, nshared, p->paddr)->fill);
	}
	free(shared);
	return err;
}

/* ---- layout ---- */

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static size_t ehdr_size(const struct elf_writer *w)
{
	return w->is64 ? 64 : 52;
}

static size_t phdr_size(const struct elf_writer *w)
{
	return w->is64 ? 56 : 32;
}

static size_t shdr_size(const struct elf_writer *w)
{
	return w->is64 ? 64 : 40;
}

static bool xnum(const struct elf_writer *w)
{
	return w->nphdrs >= PN_XNUM;
}

/* Data offsets keep each run's offset congruent to its address modulo the
 * page size, so page-granular readers can map the file. */
static void place_runs(struct elf_writer *w)
{
	uint64_t cursor = w->data_offset;

	for (size_t i = 0; i < w->nruns; i++) {
		uint64_t want = w->runs[i].paddr % w->page;

		cursor = cursor - cursor % w->page + want +
			 (cursor % w->page > want ? w->page : 0);
		w->runs[i].offset = cursor;
		cursor += w->runs[i].size;
	}
}

static void place_headers(struct elf_writer *w, size_t nphdrs)
{
	uint64_t end = ehdr_size(w) + nphdrs * phdr_size(w) +
		       (nphdrs >= PN_XNUM ? shdr_size(w) : 0);

	w->notes_offset = align_up(end, w->page);
	w->data_offset = align_up(w->notes_offset + w->notes.len, w->page);
}

/* [start, start + size) lies in 32-bit space: it may end at 4 GiB. */
static bool fits32(uint64_t start, uint64_t size)
{
	return start <= UINT32_MAX && size <= UINT32_MAX &&
	       (!size || size - 1 <= UINT32_MAX - start);
}

/* ELF32 for 32-bit targets unless some value needs 64 bits.  Called with
 * the runs placed; segment offsets follow from them. */
static bool needs_elf64(const struct elf_writer *w)
{
	if (kdx_dump_word_size(w->dump) != 4 || !fits32(0, w->data_offset))
		return true;
	for (size_t i = 0; i < w->nphdrs; i++) {
		const struct phdr *p = &w->phdrs[i];

		if (!fits32(p->vaddr, p->memsz) || !fits32(p->paddr, p->memsz))
			return true;
	}
	for (size_t i = 0; i < w->nruns; i++)
		if (!fits32(w->runs[i].offset, w->runs[i].size))
			return true;
	return false;
}

/* ---- writing ---- */

static void put_word(const struct elf_writer *w, uint8_t *p, uint64_t v)
{
	if (w->is64)
		kdx_store_u64(p, v, w->bo);
	else
		kdx_store_u32(p, (uint32_t)v, w->bo);
}

static void fill_ehdr(const struct elf_writer *w, uint8_t *b)
{
	const struct kdx_arch_info *arch = kdx_arch_info(kdx_dump_arch(w->dump));
	bool x = w->is64;

	memcpy(b, "\177ELF", 4);
	b[4] = x ? 2 : 1;
	b[5] = w->bo == KDX_BIG_ENDIAN ? 2 : 1;
	b[6] = 1;
	kdx_store_u16(b + 16, 4, w->bo); /* ET_CORE */
	kdx_store_u16(b + 18, arch ? arch->elf_machine : 0, w->bo);
	kdx_store_u32(b + 20, 1, w->bo);
	put_word(w, b + (x ? 32 : 28), ehdr_size(w));
	put_word(w, b + (x ? 40 : 32),
		 xnum(w) ? ehdr_size(w) + w->nphdrs * phdr_size(w) : 0);
	kdx_store_u16(b + (x ? 52 : 40), (uint16_t)ehdr_size(w), w->bo);
	kdx_store_u16(b + (x ? 54 : 42), (uint16_t)phdr_size(w), w->bo);
	kdx_store_u16(b + (x ? 56 : 44),
		      (uint16_t)(xnum(w) ? PN_XNUM : w->nphdrs), w->bo);
	kdx_store_u16(b + (x ? 58 : 46), (uint16_t)(xnum(w) ? shdr_size(w) : 0),
		      w->bo);
	kdx_store_u16(b + (x ? 60 : 48), xnum(w) ? 1 : 0, w->bo);
}

static void fill_phdr(const struct elf_writer *w, uint8_t *b,
		      const struct phdr *p)
{
	kdx_store_u32(b, p->type, w->bo);
	if (w->is64) {
		kdx_store_u32(b + 4, p->flags, w->bo);
		kdx_store_u64(b + 8, p->offset, w->bo);
		kdx_store_u64(b + 16, p->vaddr, w->bo);
		kdx_store_u64(b + 24, p->paddr, w->bo);
		kdx_store_u64(b + 32, p->filesz, w->bo);
		kdx_store_u64(b + 40, p->memsz, w->bo);
	} else {
		kdx_store_u32(b + 4, (uint32_t)p->offset, w->bo);
		kdx_store_u32(b + 8, (uint32_t)p->vaddr, w->bo);
		kdx_store_u32(b + 12, (uint32_t)p->paddr, w->bo);
		kdx_store_u32(b + 16, (uint32_t)p->filesz, w->bo);
		kdx_store_u32(b + 20, (uint32_t)p->memsz, w->bo);
		kdx_store_u32(b + 24, p->flags, w->bo);
	}
}

static struct kdx_error *write_headers(struct elf_writer *w)
{
	size_t len = (size_t)w->notes_offset + w->notes.len;
	uint8_t *b = calloc(1, len);
	struct kdx_error *err;

	if (!b)
		return kdx_err_nomem();
	fill_ehdr(w, b);
	for (size_t i = 0; i < w->nphdrs; i++)
		fill_phdr(w, b + ehdr_size(w) + i * phdr_size(w), &w->phdrs[i]);
	if (xnum(w)) /* section header 0's sh_info holds the real count */
		kdx_store_u32(b + ehdr_size(w) + w->nphdrs * phdr_size(w) +
				      (w->is64 ? 44 : 28),
			      (uint32_t)kdx_min_u64(w->nphdrs, UINT32_MAX), w->bo);
	memcpy(b + w->notes_offset, w->notes.bytes, w->notes.len);
	err = kdx_sink_write_at(w->sink, 0, b, len);
	free(b);
	return err;
}

static struct kdx_error *advance(struct elf_writer *w, uint64_t n,
				  uint64_t total)
{
	w->stats.bytes_in += n;
	if (w->opts->progress)
		w->opts->progress(w->opts->progress_ctx, w->stats.bytes_in,
				  total);
	return kdx_convert_check_stop(w->opts);
}

/* Bytes the input holds verbatim in its file go file to file (the kernel
 * copies, or moves page references); the rest is read and written. */
static struct kdx_error *copy_run(struct elf_writer *w,
				  const struct data_run *run, uint8_t *buf,
				  uint64_t total)
{
	unsigned int flags = run->fill ? KDX_READ_ZERO_FILL : 0;
	struct kdx_error *err = NULL;

	for (uint64_t done = 0; done < run->size && !err;) {
		struct kdx_phys_extent ext;
		uint64_t n;

		kdx_view_phys_extent(&w->view, run->paddr + done,
				     run->size - done, &ext);
		if (ext.fd >= 0) {
			n = kdx_min_u64(ext.size, COPY_SPAN);
			err = kdx_sink_copy_from(w->sink, run->offset + done,
						 ext.fd, ext.offset, n);
			if (err)
				err = kdx_err_wrap(err, "physical address 0x%llx",
						   (unsigned long long)(run->paddr + done));
			else
				err = advance(w, n, total);
			done += n;
			continue;
		}
		for (uint64_t k = 0; k < ext.size && !err; k += n) {
			uint64_t at = done + k;

			n = kdx_min_u64(COPY_CHUNK, ext.size - k);
			err = kdx_view_read_phys(&w->view, run->paddr + at,
						 buf, (size_t)n, flags, NULL);
			if (!err)
				err = kdx_sink_write_at(w->sink, run->offset + at,
							buf, (size_t)n);
			if (!err)
				err = advance(w, n, total);
		}
		done += ext.size;
	}
	return err;
}

static struct kdx_error *write_data(struct elf_writer *w)
{
	uint64_t total = 0, most = 1;
	uint8_t *buf;
	struct kdx_error *err = NULL;

	for (size_t i = 0; i < w->nruns; i++) {
		total += w->runs[i].size;
		most = w->runs[i].size > most ? w->runs[i].size : most;
	}
	/* No bigger than the largest run: a small dump's conversion does not
	 * map and unmap 256 KiB (a fuzzer's every input did). */
	buf = malloc((size_t)kdx_min_u64(COPY_CHUNK, most));
	if (!buf)
		return kdx_err_nomem();
	for (size_t i = 0; i < w->nruns && !err; i++)
		err = copy_run(w, &w->runs[i], buf, total);
	free(buf);
	return err;
}

/* The direct map, for physical segments' p_vaddr: known only with the
 * page tables that confirm it. */
static void find_direct_map(struct elf_writer *w)
{
	struct kdx_kernel_layout layout;
	struct kdx_error *err = make_xlat(w, &layout);

	if (!err && layout.has_direct_map) {
		w->has_direct_map = true;
		w->direct_map = layout.direct_map;
	}
	kdx_error_destroy(err);
}

/* Segments refer to run offsets, and run offsets depend on the header
 * size, which depends on the segment count: plan the segments, place,
 * then fill the offsets in. */
static struct kdx_error *plan(struct elf_writer *w)
{
	struct phdr note = { .type = PT_NOTE };
	struct kdx_error *err;

	err = plan_runs(w);
	if (!err)
		err = kdx_encode_notes(&w->view, w->bo, &w->notes);
	if (!err)
		err = add_phdr(w, &note);
	if (err)
		return err;
	if (!w->opts->paging) {
		find_direct_map(w);
		err = physical_phdrs(w);
	} else {
		err = paging_phdrs(w);
		if (!err)
			err = w->opts->no_dedup ? undedup(w) :
						  keep_mapped_runs(w);
	}
	if (!err && w->nphdrs > UINT32_MAX) /* PN_XNUM's count is 32 bits */
		err = kdx_err(KDX_ERR_UNSUPPORTED,
			      "%zu program headers are more than ELF can count",
			      w->nphdrs);
	return err;
}

static void place(struct elf_writer *w)
{
	size_t run = 0;

	w->is64 = true;
	for (int pass = 0; pass < 2; pass++) {
		place_headers(w, w->nphdrs);
		place_runs(w);
		if (pass == 0)
			w->is64 = needs_elf64(w);
	}
	w->phdrs[0].offset = w->notes_offset;
	w->phdrs[0].filesz = w->phdrs[0].memsz = w->notes.len;
	/* Point each segment at its bytes: physical segments and deduped
	 * mappings by address, undeduped mappings one run each. */
	for (size_t i = 1; i < w->nphdrs; i++) {
		struct phdr *p = &w->phdrs[i];
		const struct data_run *r;

		if (!p->filesz)
			continue;
		r = w->opts->paging && w->opts->no_dedup ?
			    &w->runs[run++] :
			    run_at(w->runs, w->nruns, p->paddr);
		p->offset = r->offset + (w->opts->paging && w->opts->no_dedup ?
						 0 :
						 p->paddr - r->paddr);
	}
}

struct kdx_error *kdx_write_elf(const struct kdx_out_view *view,
				struct kdx_sink *sink,
				const struct kdx_convert_options *opts,
				struct kdx_convert_stats *stats)
{
	const struct kdx_dump *dump = view->dump;
	struct elf_writer w = {
		.dump = dump,
		.view = *view,
		.opts = opts,
		.bo = kdx_dump_byte_order(dump),
		.page = kdx_dump_page_size(dump),
		.sink = sink,
	};
	w.ranges = kdx_view_phys_ranges(view, &w.nranges);
	struct kdx_error *err = plan(&w);

	if (!err) {
		place(&w);
		err = write_headers(&w);
	}
	if (!err)
		err = write_data(&w);
	w.stats.segments = w.nphdrs;
	kdx_xlat_destroy(w.xlat);
	free(w.runs);
	free(w.phdrs);
	free(w.notes.bytes);
	if (!err && stats)
		*stats = w.stats;
	return err;
}
