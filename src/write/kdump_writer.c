/* SPDX-License-Identifier: MIT */
/* Writing kdump-compressed files from any dump.
 *
 * Layout (as makedumpfile writes it): header block; sub-header and ELF
 * notes; two bitmaps (memory present, page dumped); one 24-byte
 * descriptor per dumped page; page data.  The descriptor table is sized
 * for every candidate page before compression knows which pages are zero,
 * so data can stream out in one pass; zero pages left out only shorten the
 * table's used part.
 *
 * Pages are read and compressed by worker threads in fixed chunks and
 * written in chunk order by the calling thread, so the output is
 * byte-identical whatever the number of threads. */
#include "write/writer.h"

#include <kdx/crash.h>

#include "core/endian.h"
#include "core/util.h"
#include "format/common/codec.h"
#include "format/common/kdump_layout.h"
#include "io/file.h"
#include "lib/dump.h"
#include "write/notes.h"
#include "write/sink.h"
#include "write/view.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK_PAGES 256
/* One thread compresses each chunk as it writes it: small chunks keep its
 * buffers (a chunk's pages in and out) small, reused from the allocator's
 * free lists instead of mapped afresh for every small dump. */
#define INLINE_CHUNK_PAGES 16
/* Header bytes (bitmaps, descriptors) allowed whatever the input's size. */
#define HEADER_SLACK (128ull << 20)

/* PAGE_PARTIAL: the input holds only part of it (a cut-off file, a range
 * ending mid-page); kdump pages are whole, so it is left out (present,
 * not dumped) unless zero_fill says to write its missing bytes as zeros. */
enum page_kind { PAGE_DATA, PAGE_RAW, PAGE_ZERO, PAGE_PARTIAL };

struct chunk {
	uint64_t pfn;
	uint32_t count;
};

struct slot {
	bool ready;
	struct kdx_error *err;
	uint8_t *data;      /* stored bytes of the chunk's non-zero pages */
	size_t data_len;
	uint32_t *sizes;    /* per page: stored bytes */
	uint8_t *kinds;     /* per page: enum page_kind */
	uint32_t partial;   /* pages the input held only in part */
	uint64_t first_partial;
};

struct layout {
	uint32_t bs;
	uint64_t max_pfn;
	uint64_t bitmap_bytes;    /* one bitmap, block aligned */
	uint32_t sub_blocks;
	uint64_t candidates;
	uint64_t desc_offset;
	uint64_t data_offset;
	struct kdx_encoded_notes notes;
};

struct kdump_writer {
	const struct kdx_dump *dump;
	const struct kdx_out_view *view;
	const struct kdx_convert_options *opts;
	enum kdx_codec codec;
	enum kdx_byte_order bo;
	struct layout l;
	uint8_t *present;     /* bitmap 1 */
	uint8_t *dumped;      /* bitmap 2 */
	struct chunk *chunks;
	size_t nchunks, chunk_capacity;
	/* pipeline */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t next_claim, next_write, window;
	uint32_t chunk_pages; /* the most pages a chunk has */
	uint32_t chunk_limit; /* pages a chunk may have */
	bool abort;
	struct slot *slots;
	/* output */
	struct kdx_sink *sink;
	uint64_t cursor;      /* next page data offset */
	uint64_t next_desc;
	struct kdx_convert_stats stats;
};

static void set_bit(uint8_t *map, uint64_t pfn)
{
	map[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
}

/* Bits [first, end): whole bytes at once, so a range of 2^28 pages
 * costs 32 MiB of memset, not 2^28 steps. */
static void set_bits(uint8_t *map, uint64_t first, uint64_t end)
{
	for (; first < end && (first & 7); first++)
		set_bit(map, first);
	if (end - first >= 8) {
		memset(map + (first >> 3), 0xff, (end - first) >> 3);
		first += (end - first) & ~(uint64_t)7;
	}
	for (; first < end; first++)
		set_bit(map, first);
}

static enum kdx_codec codec_for(enum kdx_compression c)
{
	switch (c) {
	case KDX_COMPRESS_ZLIB: return KDX_CODEC_ZLIB;
	case KDX_COMPRESS_LZO: return KDX_CODEC_LZO;
	case KDX_COMPRESS_SNAPPY: return KDX_CODEC_SNAPPY;
	case KDX_COMPRESS_ZSTD: return KDX_CODEC_ZSTD;
	default: return KDX_CODEC_NONE;
	}
}

static uint32_t codec_flag(enum kdx_codec c)
{
	switch (c) {
	case KDX_CODEC_ZLIB: return DUMP_DH_COMPRESSED_ZLIB;
	case KDX_CODEC_LZO: return DUMP_DH_COMPRESSED_LZO;
	case KDX_CODEC_SNAPPY: return DUMP_DH_COMPRESSED_SNAPPY;
	case KDX_CODEC_ZSTD: return DUMP_DH_COMPRESSED_ZSTD;
	default: return 0;
	}
}

/* ---- planning: bitmaps, chunks, layout ---- */

static struct kdx_error *add_chunks(struct kdump_writer *w, uint64_t first,
				    uint64_t end)
{
	for (uint64_t pfn = first; pfn < end; pfn += w->chunk_limit) {
		struct chunk c = { pfn, (uint32_t)kdx_min_u64(w->chunk_limit, end - pfn) };

		if (!kdx_array_push((void **)&w->chunks, &w->nchunks,
				    &w->chunk_capacity, &c, sizeof(c)))
			return kdx_err_nomem();
	}
	return NULL;
}

/* Bytes the input's files hold: what the output's headers may cost. */
static uint64_t input_bytes(const struct kdx_dump *dump)
{
	uint64_t n = kdx_file_size(dump->file);

	for (size_t i = 0; i < dump->more_count; i++)
		n += kdx_file_size(dump->more_files[i]);
	return n;
}

/* Pages with bytes to write: any byte held or reading as zeros (not
 * only excluded); ranges sharing a page count it once. */
static uint64_t count_candidates(const struct kdx_phys_range *r, size_t n,
				 uint32_t bs)
{
	uint64_t pages = 0, run_end = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t first = r[i].start / bs;
		uint64_t end = (r[i].start + (r[i].size - 1)) / bs + 1;

		if (r[i].kind == KDX_RANGE_EXCLUDED)
			continue;
		if (first < run_end)
			first = run_end;
		if (end > first)
			pages += end - first;
		if (end > run_end)
			run_end = end;
	}
	return pages;
}

/* The bitmaps are dense (the reader, and a flattened stream's, want
 * every block) and each page with bytes, zeros included, has a 24-byte
 * descriptor: memory a header only claims (a PT_LOAD at 2^50, p_memsz
 * 2^62, or a terabyte of p_memsz beyond p_filesz) costs gigabytes of
 * them.  Let them cost at most four times what the input holds (a QEMU
 * migration stream spends 9 bytes on a zero page), or 128 MiB: beyond,
 * an error before any work, not a failed allocation or a huge file. */
static struct kdx_error *check_header_cost(const struct kdump_writer *w)
{
	uint64_t held = input_bytes(w->dump), bytes;
	uint64_t budget = held > HEADER_SLACK / 4 ? held * 4 : HEADER_SLACK;

	if (w->l.candidates > (UINT64_MAX - 2 * w->l.bitmap_bytes) / PAGE_DESC_SIZE)
		bytes = UINT64_MAX;
	else
		bytes = 2 * w->l.bitmap_bytes + w->l.candidates * PAGE_DESC_SIZE;
	if (bytes <= budget)
		return NULL;
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "memory up to 0x%llx (%llu pages with bytes) needs %llu MiB of kdump bitmaps and page descriptors, more than 4 times what the input holds (%llu bytes): its headers describe memory it does not hold (--to elf can describe that)",
		       (unsigned long long)(w->l.max_pfn * w->l.bs - 1),
		       (unsigned long long)w->l.candidates,
		       (unsigned long long)(bytes >> 20),
		       (unsigned long long)held);
}

/* Present: any byte of the page is described.  Candidate: any byte is
 * held or reads as zeros (not only excluded); candidates become chunks. */
static struct kdx_error *plan_pages(struct kdump_writer *w)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_view_phys_ranges(w->view, &n);
	uint32_t bs = w->l.bs;
	uint64_t run_start = 0, run_end = 0;
	struct kdx_error *err;

	/* start + size does not overflow (the map checks); + bs - 1 may. */
	w->l.max_pfn = n ? (r[n - 1].start + (r[n - 1].size - 1)) / bs + 1 : 0;
	w->l.bitmap_bytes = ((w->l.max_pfn + 7) / 8 + bs - 1) / bs * bs;
	if (!w->l.bitmap_bytes)
		w->l.bitmap_bytes = bs;
	w->l.candidates = count_candidates(r, n, bs);
	err = check_header_cost(w);
	if (err)
		return err;
	w->present = calloc(1, w->l.bitmap_bytes);
	w->dumped = calloc(1, w->l.bitmap_bytes);
	if (!w->present || !w->dumped)
		return kdx_err_nomem();
	for (size_t i = 0; i < n; i++) {
		uint64_t first = r[i].start / bs;
		uint64_t end = (r[i].start + (r[i].size - 1)) / bs + 1;

		set_bits(w->present, first, end);
		if (r[i].kind == KDX_RANGE_EXCLUDED)
			continue;
		/* Ranges sharing a page join one run of candidates. */
		if (first < run_end) {
			run_end = end > run_end ? end : run_end;
			continue;
		}
		err = add_chunks(w, run_start, run_end);
		if (err)
			return err;
		run_start = first;
		run_end = end;
	}
	return add_chunks(w, run_start, run_end);
}

static const struct kdx_kdump_sub_layout *sub_layout(const struct kdump_writer *w)
{
	return kdx_kdump_sub_layout(kdx_dump_arch(w->dump),
				    kdx_dump_word_size(w->dump) != 4);
}

static struct kdx_error *plan_layout(struct kdump_writer *w)
{
	uint64_t bs = w->l.bs, sub = sub_layout(w)->size + w->l.notes.len;

	w->l.sub_blocks = (uint32_t)((sub + bs - 1) / bs);
	w->l.desc_offset = (1 + w->l.sub_blocks) * bs + 2 * w->l.bitmap_bytes;
	w->l.data_offset = w->l.desc_offset + w->l.candidates * PAGE_DESC_SIZE;
	if (w->l.bitmap_bytes / bs * 2 > UINT32_MAX)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "memory up to pfn 0x%llx needs more bitmap blocks than the kdump header can count",
			       (unsigned long long)w->l.max_pfn);
	return NULL;
}

/* ---- workers: read and compress one chunk ---- */

/* Pages [@first, @first + @n) of a chunk met holes: read each alone to
 * see which. */
static void count_partial(struct kdump_writer *w, const struct chunk *c,
			  uint32_t first, uint32_t n, uint8_t *scratch,
			  struct slot *s)
{
	uint32_t bs = w->l.bs;

	for (uint32_t i = first; i < first + n; i++) {
		struct kdx_read_stats rs;
		struct kdx_error *err = kdx_view_read_phys(
			w->view, (c->pfn + i) * bs, scratch + (size_t)i * bs, bs,
			KDX_READ_ZERO_FILL, &rs);

		if (!err && !rs.hole_bytes && !rs.excluded_bytes)
			continue;
		kdx_error_destroy(err);
		if (!w->opts->zero_fill)
			s->kinds[i] = PAGE_PARTIAL;
		if (!s->partial++)
			s->first_partial = (c->pfn + i) * bs;
	}
}

/* Memory the input describes but never wrote: a zero page, known
 * without reading and testing it (the filter rewrites tables, which are
 * never such memory). */
static bool known_zero(const struct kdump_writer *w, uint64_t pfn,
		       uint64_t pages)
{
	return kdx_view_all_zero_range(w->view, pfn * w->l.bs, pages * w->l.bs);
}

/* Read the chunk's pages from @first up to the next known zero page into
 * their places in @in; how many in *@n. */
static struct kdx_error *read_run(struct kdump_writer *w,
				  const struct chunk *c, uint32_t first,
				  uint8_t *in, struct slot *s, uint32_t *n)
{
	uint32_t bs = w->l.bs, end = first + 1;
	struct kdx_read_stats rs;
	struct kdx_error *err;

	while (end < c->count && !known_zero(w, c->pfn + end, 1))
		end++;
	*n = end - first;
	err = kdx_view_read_phys(w->view, (c->pfn + first) * bs,
				 in + (size_t)first * bs, (size_t)*n * bs,
				 KDX_READ_ZERO_FILL, &rs);
	if (err)
		return err;
	memset(s->kinds + first, PAGE_DATA, *n);
	if (rs.hole_bytes || rs.excluded_bytes)
		count_partial(w, c, first, *n, in, s);
	return NULL;
}

/* What compressing takes: a thread's (or, with one thread, the writer's
 * own) page buffer and encoder.  The encoder is made for the first page
 * with data (libdeflate's is 200 KB): a dump of zero pages needs none. */
struct compressor {
	uint8_t *in;
	struct kdx_encoder *enc;
	struct kdx_error *setup; /* why there is none; every chunk says so */
};

static void compressor_init(struct kdump_writer *w, struct compressor *c)
{
	c->in = malloc((size_t)w->chunk_pages * w->l.bs);
	c->enc = NULL;
	c->setup = c->in ? NULL : kdx_err_nomem();
}

static void compressor_deinit(struct compressor *c)
{
	kdx_error_destroy(c->setup);
	kdx_encoder_destroy(c->enc);
	free(c->in);
}

/* The encoder, made on first use; NULL when storing pages as they are. */
static struct kdx_error *encoder(struct kdump_writer *w, struct compressor *c,
				 struct kdx_encoder **out)
{
	if (!c->enc && !c->setup && w->codec != KDX_CODEC_NONE)
		c->setup = kdx_encoder_create(w->codec, w->opts->level, &c->enc);
	*out = c->enc;
	return c->setup ? kdx_err(kdx_error_code(c->setup), "%s",
				  kdx_error_message(c->setup)) :
			  NULL;
}

static struct kdx_error *compress_chunk(struct kdump_writer *w,
					struct compressor *comp,
					const struct chunk *c, struct slot *s)
{
	uint32_t bs = w->l.bs;
	uint8_t *in = comp->in;
	struct kdx_encoder *enc;
	struct kdx_error *err;

	s->partial = 0;
	s->data_len = 0;
	/* Zero pages the input describes are not read (nor their buffer
	 * touched): a chunk of them costs a lookup, not a megabyte filled. */
	if (known_zero(w, c->pfn, c->count)) {
		memset(s->kinds, PAGE_ZERO, c->count);
		for (uint32_t i = 0; i < c->count; i++)
			s->sizes[i] = bs;
		return NULL;
	}
	for (uint32_t i = 0, n = 1; i < c->count; i += n) {
		n = 1;
		if (known_zero(w, c->pfn + i, 1)) {
			s->kinds[i] = PAGE_ZERO;
			continue;
		}
		err = read_run(w, c, i, in, s, &n);
		if (err)
			return err;
	}
	for (uint32_t i = 0; i < c->count; i++) {
		const uint8_t *page = in + (size_t)i * bs;
		size_t n = 0;

		if (s->kinds[i] == PAGE_PARTIAL)
			continue;
		if (s->kinds[i] == PAGE_ZERO || kdx_all_zero(page, bs)) {
			s->kinds[i] = PAGE_ZERO;
			s->sizes[i] = bs;
			continue;
		}
		err = encoder(w, comp, &enc);
		if (err)
			return err;
		if (enc)
			n = kdx_encode(enc, page, bs, s->data + s->data_len);
		if (n) {
			s->kinds[i] = PAGE_DATA;
		} else {
			n = bs;
			memcpy(s->data + s->data_len, page, bs);
			s->kinds[i] = PAGE_RAW;
		}
		s->sizes[i] = (uint32_t)n;
		s->data_len += n;
	}
	return NULL;
}

/* Compress chunk @k into its slot and mark the slot ready. */
static void compress_claimed(struct kdump_writer *w, struct compressor *c,
			     size_t k)
{
	struct slot *s = &w->slots[k % w->window];

	s->err = c->setup ? kdx_err(kdx_error_code(c->setup), "%s",
				    kdx_error_message(c->setup)) :
			    compress_chunk(w, c, &w->chunks[k], s);
	pthread_mutex_lock(&w->lock);
	s->ready = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void *worker_main(void *arg)
{
	struct kdump_writer *w = arg;
	struct compressor c;

	compressor_init(w, &c);
	for (;;) {
		size_t k;

		pthread_mutex_lock(&w->lock);
		while (!w->abort && w->next_claim < w->nchunks &&
		       w->next_claim >= w->next_write + w->window)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->abort || w->next_claim >= w->nchunks) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		k = w->next_claim++;
		pthread_mutex_unlock(&w->lock);
		compress_claimed(w, &c, k);
	}
	compressor_deinit(&c);
	return NULL;
}

/* ---- writing, in chunk order ---- */

static struct kdx_error *write_descs(struct kdump_writer *w,
				     const uint8_t *descs, size_t count)
{
	uint64_t at = w->l.desc_offset + (w->next_desc - count) * PAGE_DESC_SIZE;

	return count ? kdx_sink_write_at(w->sink, at, descs,
					 count * PAGE_DESC_SIZE) :
		       NULL;
}

static void make_desc(struct kdump_writer *w, uint8_t *d, uint64_t offset,
		      uint32_t size, uint32_t flags)
{
	kdx_store_u64(d, offset, w->bo);
	kdx_store_u32(d + 8, size, w->bo);
	kdx_store_u32(d + 12, flags, w->bo);
	kdx_store_u64(d + 16, 0, w->bo);
}

static struct kdx_error *consume(struct kdump_writer *w, const struct chunk *c,
				 const struct slot *s)
{
	uint8_t descs[CHUNK_PAGES * PAGE_DESC_SIZE];
	uint64_t data_at = w->cursor;
	size_t nd = 0;
	struct kdx_error *err;

	for (uint32_t i = 0; i < c->count; i++) {
		uint64_t pfn = c->pfn + i;

		if (s->kinds[i] == PAGE_PARTIAL)
			continue;
		if (s->kinds[i] == PAGE_ZERO) {
			w->stats.pages_zero++;
			if (w->opts->exclude_zero)
				continue;
			/* The shared zero page opens the data area. */
			make_desc(w, descs + nd * PAGE_DESC_SIZE,
				  w->l.data_offset, w->l.bs, 0);
		} else {
			make_desc(w, descs + nd * PAGE_DESC_SIZE, w->cursor,
				  s->sizes[i],
				  s->kinds[i] == PAGE_DATA ? codec_flag(w->codec) :
							     0);
			w->cursor += s->sizes[i];
		}
		set_bit(w->dumped, pfn);
		nd++;
		w->next_desc++;
		w->stats.pages_dumped++;
	}
	err = s->data_len ? kdx_sink_write_at(w->sink, data_at, s->data,
					      s->data_len) :
			    NULL;
	if (!err)
		err = write_descs(w, descs, nd);
	w->stats.bytes_in += (uint64_t)c->count * w->l.bs;
	if (s->partial && !w->stats.pages_partial)
		w->stats.first_partial = s->first_partial;
	w->stats.pages_partial += s->partial;
	return err;
}

static struct kdx_error *alloc_slots(struct kdump_writer *w)
{
	size_t bound = kdx_encode_bound(w->codec, w->l.bs);

	if (bound < w->l.bs)
		bound = w->l.bs;
	/* Buffers as big as the chunks are, no more slots than chunks: a
	 * dump of a few pages does not pay for megabytes (a fuzzer's inputs
	 * paid an mmap and munmap of each). */
	w->chunk_pages = 1;
	for (size_t k = 0; k < w->nchunks; k++)
		if (w->chunks[k].count > w->chunk_pages)
			w->chunk_pages = w->chunks[k].count;
	if (w->nchunks && w->window > w->nchunks)
		w->window = w->nchunks;
	w->slots = calloc(w->window, sizeof(*w->slots));
	if (!w->slots)
		return kdx_err_nomem();
	for (size_t i = 0; i < w->window; i++) {
		struct slot *s = &w->slots[i];

		s->data = malloc(w->chunk_pages * bound);
		s->sizes = malloc(w->chunk_pages * sizeof(*s->sizes));
		s->kinds = malloc(w->chunk_pages);
		if (!s->data || !s->sizes || !s->kinds)
			return kdx_err_nomem();
	}
	return NULL;
}

static void free_slots(struct kdump_writer *w)
{
	for (size_t i = 0; w->slots && i < w->window; i++) {
		free(w->slots[i].data);
		free(w->slots[i].sizes);
		free(w->slots[i].kinds);
		kdx_error_destroy(w->slots[i].err);
	}
	free(w->slots);
}

/* Wait for chunk @k, write it, free its slot. */
static struct kdx_error *write_chunk(struct kdump_writer *w, size_t k)
{
	struct slot *s = &w->slots[k % w->window];
	struct kdx_error *err;

	pthread_mutex_lock(&w->lock);
	while (!s->ready)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
	err = s->err;
	s->err = NULL;
	if (err)
		err = kdx_err_wrap(err, "pages from pfn 0x%llx",
				   (unsigned long long)w->chunks[k].pfn);
	else
		err = consume(w, &w->chunks[k], s);
	pthread_mutex_lock(&w->lock);
	s->ready = false;
	w->next_write++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	if (!err && w->opts->progress)
		w->opts->progress(w->opts->progress_ctx, w->stats.bytes_in,
				  w->l.candidates * w->l.bs);
	return err;
}

static struct kdx_error *run_pipeline(struct kdump_writer *w,
				      unsigned int threads)
{
	pthread_t *tids;
	unsigned int started = 0;
	struct compressor own = { 0 };
	bool inline_work;
	struct kdx_error *err;

	/* No more compression threads than chunks to compress. */
	if (w->nchunks && threads > w->nchunks)
		threads = (unsigned int)w->nchunks;
	/* One thread: the writer compresses each chunk itself, sparing a
	 * thread's start (most of a small dump's convert under ASan). */
	inline_work = threads <= 1;
	/* ... and writes it before compressing the next: one slot is all
	 * it uses (each is a chunk's worth of buffers). */
	if (inline_work)
		w->window = 1;
	tids = calloc(threads, sizeof(*tids));
	err = tids ? alloc_slots(w) : kdx_err_nomem();

	for (; !err && !inline_work && started < threads; started++)
		if (pthread_create(&tids[started], NULL, worker_main, w))
			break;
	if (!err && !inline_work && !started)
		err = kdx_err(KDX_ERR_OS, "cannot start a compression thread");
	if (!err && inline_work)
		compressor_init(w, &own);
	for (size_t k = 0; !err && k < w->nchunks; k++) {
		if (inline_work)
			compress_claimed(w, &own, k);
		err = write_chunk(w, k);
		if (!err)
			err = kdx_convert_check_stop(w->opts);
	}
	pthread_mutex_lock(&w->lock);
	w->abort = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	compressor_deinit(&own);
	free(tids);
	free_slots(w);
	return err;
}

/* ---- headers ---- */

static const char *uts_machine(enum kdx_arch arch)
{
	/* What `uname -m` says there; crash picks its arch from it. */
	return arch == KDX_ARCH_I386 ? "i686" : kdx_arch_name(arch);
}

static uint64_t vmcoreinfo_number(const struct kdx_dump *dump,
				  const char *key)
{
	const char *v = kdx_dump_vmcoreinfo_get(dump, key);

	return v ? strtoull(v, NULL, key[0] == 'N' ? 0 : 10) : 0;
}

/* VMCOREINFO's number @key; failing that the input's own header fact
 * @bit (a kdump input keeps what its header said), else 0. */
static uint64_t header_number(const struct kdump_writer *w, const char *key,
			      uint64_t bit, uint64_t fact)
{
	if (kdx_dump_vmcoreinfo_get(w->dump, key) ||
	    !(kdx_dump_facts(w->dump)->set & bit))
		return vmcoreinfo_number(w->dump, key);
	return fact;
}

/* The crash time, not the time of conversion: same input, same output
 * bytes. */
static uint64_t crash_time(const struct kdump_writer *w)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(w->dump);

	return header_number(w, "CRASHTIME", KDX_FACT_TIMESTAMP,
			     (uint64_t)f->timestamp);
}

static uint64_t phys_base(const struct kdump_writer *w)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(w->dump);

	return header_number(w, "NUMBER(phys_base)", KDX_FACT_PHYS_BASE,
			     f->phys_base);
}

static uint32_t input_dump_level(const struct kdump_writer *w)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(w->dump);
	uint32_t level = w->opts->exclude_zero ? 1 : 0;

	/* A filtered kdump input stays filtered: keep saying how. */
	if (f->set & KDX_FACT_DUMP_LEVEL)
		level |= f->dump_level;
	return level;
}

static size_t count_cpus(const struct kdx_dump *dump)
{
	size_t n, cpus = 0;
	const struct kdx_note *notes = kdx_dump_notes(dump, &n);

	for (size_t i = 0; i < n; i++)
		cpus += !strcmp(notes[i].kind, "prstatus");
	return cpus ? cpus : 1;
}

/* The utsname the header carries, as makedumpfile writes it: the input
 * header's own (a kdump input), else the kernel's init_uts_ns, else
 * VMCOREINFO's release.  Readers (libkdumpfile) take a header with an
 * empty version for no utsname at all, and then know no architecture. */
static void put_uts(uint8_t *uts, unsigned int field, const char *text)
{
	memcpy(uts + field * UTS_FIELD, text, strnlen(text, UTS_FIELD - 1));
}

static void header_uts(const struct kdump_writer *w, uint8_t *uts)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(w->dump);
	const char *release = kdx_dump_vmcoreinfo_get(w->dump, "OSRELEASE");
	struct kdx_crash_summary *s;

	if (f->set & KDX_FACT_UTSNAME) {
		put_uts(uts, 1, f->uts_nodename);
		put_uts(uts, 2, f->uts_release);
		put_uts(uts, 3, f->uts_version);
		return;
	}
	if (release)
		put_uts(uts, 2, release);
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	kdx_error_destroy(kdx_crash_summary(w->dump, NULL, s));
	if (!strcmp(s->uts_source, "init_uts_ns")) {
		put_uts(uts, 1, s->nodename);
		put_uts(uts, 2, s->release);
		put_uts(uts, 3, s->version);
	}
	free(s);
}

static void fill_main_header(const struct kdump_writer *w, uint8_t *h)
{
	bool lp64 = sub_layout(w)->word == 8;
	size_t base = lp64 ? KDUMP_STATUS_LP64 : KDUMP_STATUS_ILP32;
	enum kdx_byte_order bo = w->bo;

	memcpy(h, "KDUMP   ", 8);
	kdx_store_u32(h + 8, 6, bo);
	memcpy(h + 12, "Linux", 5);
	header_uts(w, h + 12);
	strncpy((char *)h + 12 + 4 * UTS_FIELD,
		uts_machine(kdx_dump_arch(w->dump)), UTS_FIELD - 1);
	if (lp64)
		kdx_store_u64(h + KDUMP_TIMESTAMP_LP64, crash_time(w), bo);
	else
		kdx_store_u32(h + KDUMP_TIMESTAMP_ILP32, (uint32_t)crash_time(w),
			      bo);
	kdx_store_u32(h + base, codec_flag(w->codec), bo);
	kdx_store_u32(h + base + 4, w->l.bs, bo);
	kdx_store_u32(h + base + 8, w->l.sub_blocks, bo);
	kdx_store_u32(h + base + 12, (uint32_t)(w->l.bitmap_bytes / w->l.bs * 2),
		      bo);
	kdx_store_u32(h + base + 16,
		      (uint32_t)kdx_min_u64(w->l.max_pfn, UINT32_MAX), bo);
	kdx_store_u32(h + base + 36, (uint32_t)count_cpus(w->dump), bo);
}

static void store_word(uint8_t *p, unsigned int word, uint64_t v,
		       enum kdx_byte_order bo)
{
	if (word == 8)
		kdx_store_u64(p, v, bo);
	else
		kdx_store_u32(p, (uint32_t)v, bo);
}

static void fill_sub_header(const struct kdump_writer *w, uint8_t *s)
{
	const struct kdx_kdump_sub_layout *l = sub_layout(w);
	uint64_t notes_at = w->l.bs + l->size;
	enum kdx_byte_order bo = w->bo;

	store_word(s + l->phys_base, l->word, phys_base(w), bo);
	kdx_store_u32(s + l->dump_level, input_dump_level(w), bo);
	if (w->l.notes.vmcoreinfo_at) {
		kdx_store_u64(s + l->off_vmcoreinfo,
			      notes_at + w->l.notes.vmcoreinfo_at, bo);
		store_word(s + l->size_vmcoreinfo, l->word,
			   w->l.notes.vmcoreinfo_len, bo);
	}
	if (w->l.notes.len) {
		kdx_store_u64(s + l->off_note, notes_at, bo);
		store_word(s + l->size_note, l->word, w->l.notes.len, bo);
	}
	kdx_store_u64(s + l->end_pfn_64, w->l.max_pfn, bo);
	kdx_store_u64(s + l->max_mapnr_64, w->l.max_pfn, bo);
}

static struct kdx_error *write_headers(struct kdump_writer *w)
{
	size_t head = (size_t)(1 + w->l.sub_blocks) * w->l.bs;
	uint8_t *buf = calloc(1, head);
	struct kdx_error *err;

	if (!buf)
		return kdx_err_nomem();
	fill_main_header(w, buf);
	fill_sub_header(w, buf + w->l.bs);
	memcpy(buf + w->l.bs + sub_layout(w)->size, w->l.notes.bytes,
	       w->l.notes.len);
	err = kdx_sink_write_at(w->sink, 0, buf, head);
	free(buf);
	if (!err)
		err = kdx_sink_write_at(w->sink, head, w->present,
					w->l.bitmap_bytes);
	if (!err)
		err = kdx_sink_write_at(w->sink, head + w->l.bitmap_bytes,
					w->dumped, w->l.bitmap_bytes);
	return err;
}

static struct kdx_error *write_zero_page(struct kdump_writer *w)
{
	uint8_t *zero = calloc(1, w->l.bs);
	struct kdx_error *err;

	if (!zero)
		return kdx_err_nomem();
	err = kdx_sink_write_at(w->sink, w->l.data_offset, zero, w->l.bs);
	free(zero);
	w->cursor = w->l.data_offset + w->l.bs;
	return err;
}

/* Present but not dumped: filtered by us or already in the input. */
static uint64_t count_excluded(const struct kdump_writer *w)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < w->l.bitmap_bytes; i++)
		n += (uint64_t)__builtin_popcount(w->present[i] & ~w->dumped[i]);
	return n;
}

static unsigned int thread_count(const struct kdx_convert_options *opts)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	if (opts->threads)
		return opts->threads > 256 ? 256 : opts->threads;
	return online > 0 ? (unsigned int)(online > 256 ? 256 : online) : 1;
}

static struct kdx_error *write_all(struct kdump_writer *w)
{
	unsigned int threads = thread_count(w->opts);
	struct kdx_error *err;

	w->window = (size_t)threads * 4;
	w->chunk_limit = threads <= 1 ? INLINE_CHUNK_PAGES : CHUNK_PAGES;
	err = plan_pages(w);
	if (!err)
		err = kdx_encode_notes(w->view, w->bo, &w->l.notes);
	if (!err)
		err = plan_layout(w);
	w->cursor = w->l.data_offset;
	if (!err && !w->opts->exclude_zero)
		err = write_zero_page(w);
	if (!err)
		err = run_pipeline(w, threads);
	/* Headers and bitmaps last: they depend on what the pages were. */
	if (!err)
		err = write_headers(w);
	if (!err)
		w->stats.pages_excluded = count_excluded(w);
	return err;
}

struct kdx_error *kdx_write_kdump(const struct kdx_out_view *view,
				  struct kdx_sink *sink,
				  const struct kdx_convert_options *opts,
				  struct kdx_convert_stats *stats)
{
	const struct kdx_dump *dump = view->dump;
	struct kdump_writer w = {
		.dump = dump,
		.view = view,
		.opts = opts,
		.codec = codec_for(opts->compression),
		.bo = kdx_dump_byte_order(dump),
		.sink = sink,
	};
	struct kdx_error *err;

	w.l.bs = kdx_dump_page_size(dump);
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	err = write_all(&w);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	free(w.present);
	free(w.dumped);
	free(w.chunks);
	free(w.l.notes.bytes);
	if (!err && stats)
		*stats = w.stats;
	return err;
}
