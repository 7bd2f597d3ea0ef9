/* SPDX-License-Identifier: MIT */
/* Writing ELF core dumps from any dump.
 *
 * Physical mode writes what /proc/vmcore presents: a PT_NOTE with every
 * note, then one PT_LOAD per run of physical memory (p_vaddr in the
 * direct map where the kernel has one), memory that was described but not
 * written as p_memsz beyond p_filesz, filtered pages as holes.  Ranges
 * that are not page aligned are written exactly: no byte the input lacks
 * appears in the output (seed 004).
 *
 * Paging mode (seed 003, what gdb reads) writes the same physical bytes
 * once and gives one PT_LOAD per run of the kernel's page tables that is
 * contiguous in both address spaces, every alias of a physical page
 * pointing at the same file bytes.  More than 65534 program headers use
 * extended numbering (PN_XNUM, the count in section header 0). */
#include "write/writer.h"

#include <kdx/xlat.h>

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "write/notes.h"
#include "write/sink.h"

#include <stdlib.h>
#include <string.h>

enum {
	PT_LOAD = 1,
	PT_NOTE = 4,
	PN_XNUM = 0xffff,
	COPY_CHUNK = 4 << 20,
};

/* A run of physical bytes written to the file. */
struct data_run {
	uint64_t paddr, size, offset;
	bool zeros; /* excluded pages written as zeros (--zero-fill) */
};

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct elf_writer {
	const struct kdx_dump *dump;
	const struct kdx_convert_options *opts;
	enum kdx_byte_order bo;
	bool is64;
	uint64_t page;
	struct data_run *runs;
	size_t nruns, runs_capacity;
	struct phdr *phdrs;
	size_t nphdrs, phdrs_capacity;
	struct kdx_encoded_notes notes;
	uint64_t notes_offset, data_offset;
	uint64_t page_offset; /* direct-map base; 0 when unknown */
	bool has_page_offset;
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
				 uint64_t size, bool zeros)
{
	struct data_run r = { paddr, size, 0, zeros };

	if (!kdx_array_push((void **)&w->runs, &w->nruns, &w->runs_capacity, &r,
			    sizeof(r)))
		return kdx_err_nomem();
	return NULL;
}

/* ---- what to write ---- */

/* Data runs: every range whose bytes exist (held, or excluded pages the
 * user asked to see as zeros), adjacent ones joined. */
static struct kdx_error *plan_runs(struct elf_writer *w)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(w->dump, &n);
	struct kdx_error *err = NULL;

	for (size_t i = 0; i < n && !err; i++) {
		bool zeros = r[i].kind == KDX_RANGE_EXCLUDED;
		struct data_run *last = w->nruns ? &w->runs[w->nruns - 1] : NULL;

		if (r[i].kind == KDX_RANGE_ZERO ||
		    (zeros && !w->opts->zero_fill))
			continue;
		if (last && last->paddr + last->size == r[i].start &&
		    last->zeros == zeros) {
			last->size += r[i].size;
			continue;
		}
		err = add_run(w, r[i].start, r[i].size, zeros);
	}
	return err;
}

/* Memory described but not written (ELF p_memsz > p_filesz) that follows
 * @run directly: it extends the segment's p_memsz. */
static uint64_t zero_tail(const struct elf_writer *w,
			  const struct data_run *run)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(w->dump, &n);
	uint64_t end = run->paddr + run->size, tail = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].kind == KDX_RANGE_ZERO && r[i].start == end + tail)
			tail += r[i].size;
	return tail;
}

static struct kdx_error *physical_phdrs(struct elf_writer *w)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(w->dump, &n);
	struct kdx_error *err = NULL;

	for (size_t i = 0; i < w->nruns && !err; i++) {
		const struct data_run *run = &w->runs[i];
		struct phdr p = {
			.type = PT_LOAD,
			.offset = run->offset,
			.paddr = run->paddr,
			.vaddr = w->has_page_offset ? w->page_offset + run->paddr :
						      run->paddr,
			.filesz = run->size,
			.memsz = run->size + zero_tail(w, run),
		};

		err = add_phdr(w, &p);
	}
	/* Zero-only ranges no data run precedes get a segment of their own. */
	for (size_t i = 0; i < n && !err; i++) {
		bool follows = false;

		if (r[i].kind != KDX_RANGE_ZERO)
			continue;
		for (size_t j = 0; j < w->nruns && !follows; j++)
			follows = r[i].start > w->runs[j].paddr &&
				  r[i].start <= w->runs[j].paddr + w->runs[j].size +
							zero_tail(w, &w->runs[j]);
		if (!follows) {
			struct phdr p = { .type = PT_LOAD, .paddr = r[i].start,
					  .vaddr = r[i].start, .memsz = r[i].size };

			err = add_phdr(w, &p);
		}
	}
	return err;
}

/* The data run holding @paddr, or NULL. */
static const struct data_run *run_at(const struct elf_writer *w,
				     uint64_t paddr)
{
	size_t lo = 0, hi = w->nruns;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->runs[mid].paddr + w->runs[mid].size <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nruns && w->runs[lo].paddr <= paddr ? &w->runs[lo] :
							       NULL;
}

struct paging_ctx {
	struct elf_writer *w;
	struct kdx_error *err;
};

/* One mapping: one PT_LOAD per piece that lies in one data run; pieces
 * over memory the dump lacks (I/O, holes) are left out, as QEMU does. */
static bool on_mapping(void *arg, const struct kdx_mapping *m)
{
	struct paging_ctx *c = arg;
	struct elf_writer *w = c->w;
	uint64_t done = 0;

	while (done < m->size && !c->err) {
		uint64_t pa = m->paddr + done;
		const struct data_run *run = run_at(w, pa);
		uint64_t len;

		if (!run) {
			const struct data_run *next = NULL;

			for (size_t i = 0; i < w->nruns && !next; i++)
				if (w->runs[i].paddr > pa)
					next = &w->runs[i];
			done = next ? kdx_min_u64(m->size, next->paddr - m->paddr) :
				      m->size;
			continue;
		}
		len = kdx_min_u64(m->size - done, run->paddr + run->size - pa);
		c->err = add_phdr(w, &(struct phdr){
			.type = PT_LOAD,
			.offset = run->offset + (pa - run->paddr),
			.vaddr = m->vaddr + done,
			.paddr = pa,
			.filesz = len,
			.memsz = len,
		});
		done += len;
	}
	return !c->err;
}

static struct kdx_error *make_xlat(struct elf_writer *w)
{
	struct kdx_kernel_options ko;
	struct kdx_kernel_layout layout;
	struct kdx_xlat_config cfg;
	struct kdx_error *err;

	kdx_kernel_options_init(&ko);
	if (w->opts->has_root) {
		ko.has_root = true;
		ko.root = w->opts->root;
	}
	err = kdx_kernel_probe(w->dump, &ko, &layout);
	if (err)
		return err;
	if (layout.physical_only || !layout.has_root ||
	    layout.mode == KDX_PAGING_NONE)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "no page table to write a paging ELF from%s%s (give one with --root)",
			       layout.note[0] ? ": " : "", layout.note);
	kdx_xlat_config_init(&cfg);
	cfg.mode = layout.mode;
	cfg.root = layout.root;
	cfg.flags = layout.xlat_flags;
	cfg.ignore_mask = layout.ignore_mask;
	return kdx_dump_xlat_create(w->dump, &cfg, &w->xlat);
}

static struct kdx_error *paging_phdrs(struct elf_writer *w)
{
	struct paging_ctx c = { w, NULL };
	struct kdx_error *err = make_xlat(w);

	if (!err)
		err = kdx_xlat_maps(w->xlat, 0, UINT64_MAX, 0, on_mapping, NULL,
				    &c);
	if (!err)
		err = c.err;
	else
		kdx_error_destroy(c.err);
	return err ? kdx_err_wrap(err, "enumerating the page tables") : NULL;
}

/* Without dedup, each mapping gets bytes of its own: turn the mapping
 * segments into data runs of their own, in segment order. */
static struct kdx_error *undedup(struct elf_writer *w)
{
	free(w->runs);
	w->runs = NULL;
	w->nruns = w->runs_capacity = 0;
	for (size_t i = 1; i < w->nphdrs; i++) {
		struct kdx_error *err =
			add_run(w, w->phdrs[i].paddr, w->phdrs[i].filesz, false);

		if (err)
			return err;
	}
	return NULL;
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

/* ELF32 for 32-bit targets unless some value needs 64 bits. */
static bool needs_elf64(const struct elf_writer *w)
{
	uint64_t biggest = 0;

	if (kdx_dump_word_size(w->dump) != 4)
		return true;
	for (size_t i = 0; i < w->nphdrs; i++) {
		const struct phdr *p = &w->phdrs[i];
		uint64_t ends[] = { p->offset + p->filesz, p->vaddr + p->memsz,
				    p->paddr + p->memsz };

		for (size_t k = 0; k < 3; k++)
			biggest = ends[k] > biggest ? ends[k] : biggest;
	}
	for (size_t i = 0; i < w->nruns; i++)
		if (w->runs[i].offset + w->runs[i].size > biggest)
			biggest = w->runs[i].offset + w->runs[i].size;
	return biggest > UINT32_MAX;
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
		kdx_store_u32(b + 4, p->type == PT_LOAD ? 7 : 0, w->bo);
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
		kdx_store_u32(b + 24, p->type == PT_LOAD ? 7 : 0, w->bo);
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

static struct kdx_error *copy_run(struct elf_writer *w,
				  const struct data_run *run, uint8_t *buf,
				  uint64_t total)
{
	unsigned int flags = run->zeros ? KDX_READ_ZERO_FILL : 0;

	for (uint64_t done = 0; done < run->size;) {
		size_t n = (size_t)kdx_min_u64(COPY_CHUNK, run->size - done);
		struct kdx_error *err = kdx_read_phys(w->dump, run->paddr + done,
						      buf, n, flags, NULL);

		if (!err)
			err = kdx_sink_write_at(w->sink, run->offset + done, buf, n);
		if (err)
			return err;
		done += n;
		w->stats.bytes_in += n;
		if (w->opts->progress)
			w->opts->progress(w->opts->progress_ctx,
					  w->stats.bytes_in, total);
	}
	return NULL;
}

static struct kdx_error *write_data(struct elf_writer *w)
{
	uint8_t *buf = malloc(COPY_CHUNK);
	uint64_t total = 0;
	struct kdx_error *err = NULL;

	if (!buf)
		return kdx_err_nomem();
	for (size_t i = 0; i < w->nruns; i++)
		total += w->runs[i].size;
	for (size_t i = 0; i < w->nruns && !err; i++)
		err = copy_run(w, &w->runs[i], buf, total);
	free(buf);
	return err;
}

static void find_page_offset(struct elf_writer *w)
{
	struct kdx_kernel_layout layout;
	struct kdx_error *err = kdx_kernel_probe(w->dump, NULL, &layout);

	/* Without a known direct map, p_vaddr repeats p_paddr, as QEMU's
	 * physical dumps do. */
	if (!err && layout.has_page_offset) {
		w->has_page_offset = true;
		w->page_offset = layout.page_offset;
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
		err = kdx_encode_notes(w->dump, w->bo, &w->notes);
	if (!err)
		err = add_phdr(w, &note);
	if (err)
		return err;
	if (!w->opts->paging) {
		find_page_offset(w);
		err = physical_phdrs(w);
	} else {
		err = paging_phdrs(w);
		if (!err && w->opts->no_dedup)
			err = undedup(w);
	}
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
		r = w->opts->paging && w->opts->no_dedup ? &w->runs[run++] :
							   run_at(w, p->paddr);
		p->offset = r->offset + (w->opts->paging && w->opts->no_dedup ?
						 0 :
						 p->paddr - r->paddr);
	}
}

struct kdx_error *kdx_write_elf(const struct kdx_dump *dump,
				struct kdx_sink *sink,
				const struct kdx_convert_options *opts,
				struct kdx_convert_stats *stats)
{
	struct elf_writer w = {
		.dump = dump,
		.opts = opts,
		.bo = kdx_dump_byte_order(dump),
		.page = kdx_dump_page_size(dump),
		.sink = sink,
	};
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
