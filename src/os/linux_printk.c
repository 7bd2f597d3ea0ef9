/* SPDX-License-Identifier: MIT */
/* The kernel log: choosing the layout from VMCOREINFO, the record
 * iterator, and the helpers every layout uses (keys, windows onto kernel
 * arrays, problem reporting).  The layouts live in linux_printk_lockless.c
 * and linux_printk_legacy.c. */
#include "os/linux_printk.h"

#include <kdx/kernel.h>
#include <kdx/xlat.h>
#include <kdx/xlat_dump.h>

#include "core/endian.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads ahead this much of an array at a time. */
#define WINDOW_BYTES (256u * 1024u)
/* Damaged records after which a walk finding fewer good ones stops. */
#define LOG_MAX_DAMAGED 512

/* Every layout, newest first: the order in which their symbols are
 * looked for (as makedumpfile's dump_dmesg does). */
static const struct kdx_log_layout_ops *const layouts[] = {
	&kdx_log_lockless_ops,
	&kdx_log_structured_ops,
	&kdx_log_plain_ops,
};

#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

const char *kdx_log_layout_name(enum kdx_log_layout layout)
{
	for (size_t i = 0; i < N_LAYOUTS; i++)
		if (layouts[i]->layout == layout)
			return layouts[i]->name;
	return "unknown";
}

/* ---- VMCOREINFO ---- */

static bool parse_u64(const char *text, int base, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!text || !*text || *text == '-' || *text == ' ')
		return false;
	errno = 0;
	v = strtoull(text, &end, base);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

struct kdx_error *kdx_log_symbol(struct kdx_log *log, const char *name,
				 uint64_t *out)
{
	char key[96];
	const char *v;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	v = log->src.vmcoreinfo_get(log->ctx, key);
	if (!v)
		return kdx_err(KDX_ERR_UNSUPPORTED, "VMCOREINFO has no %s", key);
	/* SYMBOL values are %lx: hex without 0x. */
	if (!parse_u64(v, 16, out))
		return kdx_err(KDX_ERR_CORRUPT, "VMCOREINFO %s=%s is not an address",
			       key, v);
	return NULL;
}

bool kdx_log_has_number(struct kdx_log *log, const char *key, uint64_t *out)
{
	const char *v = log->src.vmcoreinfo_get(log->ctx, key);

	return v && parse_u64(v, 0, out);
}

struct kdx_error *kdx_log_number(struct kdx_log *log, const char *key,
				 uint64_t *out)
{
	const char *v = log->src.vmcoreinfo_get(log->ctx, key);

	if (!v)
		return kdx_err(KDX_ERR_UNSUPPORTED, "VMCOREINFO has no %s", key);
	if (!parse_u64(v, 0, out))
		return kdx_err(KDX_ERR_CORRUPT, "VMCOREINFO %s=%s is not a number",
			       key, v);
	return NULL;
}

/* ---- reading ---- */

struct kdx_error *kdx_log_read(struct kdx_log *log, const char *what,
			       uint64_t vaddr, void *buf, size_t len)
{
	struct kdx_error *err = log->src.read_virt(log->ctx, vaddr, buf, len);

	/* Every address the log reads came from the dump (VMCOREINFO, the
	 * ring's pointers): one the translation refuses as an argument (not
	 * canonical, beyond the address space) is damage, not misuse. */
	if (err && kdx_error_code(err) == KDX_ERR_INVALID) {
		struct kdx_error *bad = kdx_err(KDX_ERR_CORRUPT, "%s",
						kdx_error_message(err));

		kdx_error_destroy(err);
		err = bad;
	}
	if (err)
		return kdx_err_set_address(
			kdx_err_wrap(err, "read %s (%zu bytes at 0x%llx)", what,
				     len, (unsigned long long)vaddr),
			vaddr);
	return NULL;
}

uint64_t kdx_log_load_word(const struct kdx_log *log, const uint8_t *p)
{
	return kdx_load_uint(p, log->src.word_size, log->src.byte_order);
}

struct kdx_error *kdx_log_read_word(struct kdx_log *log, const char *what,
				    uint64_t vaddr, uint64_t *out)
{
	uint8_t b[8];
	struct kdx_error *err = kdx_log_read(log, what, vaddr, b, log->src.word_size);

	if (!err)
		*out = kdx_log_load_word(log, b);
	return err;
}

struct kdx_error *kdx_log_read_u32(struct kdx_log *log, const char *what,
				   uint64_t vaddr, uint32_t *out)
{
	uint8_t b[4];
	struct kdx_error *err = kdx_log_read(log, what, vaddr, b, 4);

	if (!err)
		*out = kdx_load_u32(b, log->src.byte_order);
	return err;
}

void kdx_log_window_init(struct kdx_log_window *w, const char *what, uint64_t base,
			 uint64_t size)
{
	memset(w, 0, sizeof(*w));
	w->what = what;
	w->base = base;
	w->size = size;
}

void kdx_log_window_deinit(struct kdx_log_window *w)
{
	free(w->buf);
	w->buf = NULL;
	w->cap = w->len = 0;
}

const uint8_t *kdx_log_window_get(struct kdx_log *log, struct kdx_log_window *w,
				  uint64_t off, size_t len, struct kdx_error **err)
{
	uint64_t want;
	struct kdx_error *e;

	if (off > w->size || len > w->size - off) {
		*err = kdx_err(KDX_ERR_CORRUPT,
			       "%s: bytes 0x%llx+0x%zx lie outside its 0x%llx bytes",
			       w->what, (unsigned long long)off, len,
			       (unsigned long long)w->size);
		return NULL;
	}
	if (off >= w->start && off - w->start <= w->len &&
	    len <= w->len - (off - w->start))
		return w->buf + (off - w->start);
	want = kdx_min_u64(w->size - off, WINDOW_BYTES);
	if (want < len)
		want = len;
	if (w->cap < want) {
		uint8_t *nb = realloc(w->buf, want);

		if (!nb) {
			*err = kdx_err_nomem();
			return NULL;
		}
		w->buf = nb;
		w->cap = want;
	}
	w->len = 0;
	e = kdx_log_read(log, w->what, w->base + off, w->buf, want);
	if (e && want > len) {
		/* A hole further on must not cost the bytes asked for. */
		kdx_error_destroy(e);
		want = len;
		e = kdx_log_read(log, w->what, w->base + off, w->buf, want);
	}
	if (e) {
		*err = e;
		return NULL;
	}
	w->start = off;
	w->len = want;
	return w->buf;
}

/* ---- problems ---- */

void kdx_log_problem(struct kdx_log *log, struct kdx_error *err)
{
	if (log->problems++ == 0)
		log->status = err;
	else
		kdx_error_destroy(err);
}

void kdx_log_damaged(struct kdx_log *log, struct kdx_error *err)
{
	log->stats.skipped++;
	log->stats.damaged++;
	kdx_log_problem(log, kdx_err_wrap(err, "record skipped"));
	/* A ring pointer into other memory makes every slot "damaged":
	 * millions of them in a 2^21-slot ring.  Past a few hundred with
	 * fewer good records than bad, it is no log: stop. */
	if (log->stats.damaged >= LOG_MAX_DAMAGED &&
	    log->stats.damaged > log->stats.records)
		kdx_log_stop(log, kdx_err(KDX_ERR_CORRUPT,
					  "more damaged records than good ones: the ring holds no kernel log"));
}

void kdx_log_stop(struct kdx_log *log, struct kdx_error *err)
{
	log->stopped = true;
	err = kdx_err_wrap(err, "log walk stopped after %llu records",
			   (unsigned long long)log->stats.records);
	if (log->status) {
		/* Keep the stop as the message; the earlier problem counted. */
		err = kdx_err_wrap(err, "%llu damaged record%s skipped before",
				   (unsigned long long)log->problems,
				   log->problems == 1 ? "" : "s");
		kdx_error_destroy(log->status);
	}
	log->status = err;
}

/* ---- records ---- */

void kdx_log_dict_reset(struct kdx_log *log, struct kdx_log_record *rec)
{
	(void)log;
	rec->dict = NULL;
	rec->dict_len = 0;
}

bool kdx_log_dict_add(struct kdx_log *log, struct kdx_log_record *rec,
		      const char *key, const char *value, size_t value_len)
{
	/* An empty key adds @value as it is ("KEY=VALUE" already). */
	size_t klen = strlen(key), sep = klen ? 1 : 0;
	size_t need = rec->dict_len + klen + sep + value_len + 1;

	if (need > log->dict_cap) {
		size_t cap = need < 256 ? 256 : need * 2;
		char *nd = realloc(log->dict, cap);

		if (!nd)
			return false;
		log->dict = nd;
		log->dict_cap = cap;
	}
	memcpy(log->dict + rec->dict_len, key, klen);
	if (sep)
		log->dict[rec->dict_len + klen] = '=';
	memcpy(log->dict + rec->dict_len + klen + sep, value, value_len);
	log->dict[need - 1] = '\0';
	rec->dict = log->dict;
	rec->dict_len = need;
	return true;
}

void kdx_log_decode_level(const struct kdx_log *log, const uint8_t *p,
			  struct kdx_log_record *rec)
{
	uint8_t b = p[1];

	rec->facility = p[0];
	if (log->src.byte_order == KDX_BIG_ENDIAN) {
		rec->flags |= b >> 3;
		rec->level = b & 7;
	} else {
		rec->flags |= b & 0x1f;
		rec->level = b >> 5;
	}
}

/* ---- the API ---- */

static const struct kdx_log_layout_ops *
choose_layout(const struct kdx_log_source *src, void *ctx)
{
	for (size_t i = 0; i < N_LAYOUTS; i++)
		if (src->vmcoreinfo_get(ctx, layouts[i]->symbol))
			return layouts[i];
	return NULL;
}

struct kdx_error *kdx_log_open_source(const struct kdx_log_source *src,
				      void *ctx, struct kdx_log **out)
{
	struct kdx_log *log;
	struct kdx_error *err;

	if (!src || src->version != KDX_LOG_SOURCE_VERSION ||
	    !src->vmcoreinfo_get || !src->read_virt ||
	    (src->word_size != 4 && src->word_size != 8))
		return kdx_err(KDX_ERR_INVALID,
			       "log source: bad version, callbacks or word size");
	log = calloc(1, sizeof(*log));
	if (!log)
		return kdx_err_nomem();
	log->src = *src;
	log->ctx = ctx;
	log->ops = choose_layout(src, ctx);
	if (log->ops) {
		err = log->ops->open(log);
	} else if (src->vmcoreinfo_get(ctx, "SYMBOL(log_buf)")) {
		err = kdx_err(KDX_ERR_UNSUPPORTED,
			      "VMCOREINFO has SYMBOL(log_buf) but neither "
			      "SYMBOL(log_first_idx) nor SYMBOL(log_end)");
	} else {
		err = kdx_err(KDX_ERR_NOTFOUND,
			      "VMCOREINFO names no kernel log (no SYMBOL(prb), "
			      "SYMBOL(log_buf))");
	}
	if (err) {
		kdx_log_destroy(log);
		return kdx_err_wrap(err, "kernel log");
	}
	*out = log;
	return NULL;
}

void kdx_log_destroy(struct kdx_log *log)
{
	if (!log)
		return;
	if (log->ops)
		log->ops->deinit(log);
	kdx_error_destroy(log->status);
	free(log->dict);
	kdx_xlat_destroy(log->owned_xlat);
	free(log->owned_ctx);
	free(log);
}

enum kdx_log_layout kdx_log_get_layout(const struct kdx_log *log)
{
	return log->ops->layout;
}

bool kdx_log_next(struct kdx_log *log, struct kdx_log_record *rec)
{
	bool got = false;

	if (log->done || log->stopped)
		return false;
	memset(rec, 0, sizeof(*rec));
	rec->level = rec->facility = KDX_LOG_UNKNOWN;
	rec->text = "";
	got = log->ops->next(log, rec);
	if (!got) {
		log->done = true;
		if (!log->stopped && log->problems > 1)
			log->status = kdx_err_wrap(
				log->status, "%llu problems in the log, the first",
				(unsigned long long)log->problems);
		return false;
	}
	log->stats.records++;
	if (rec->flags & KDX_LOG_FLAG_DATALESS)
		log->stats.dataless++;
	if (rec->flags & KDX_LOG_FLAG_TRUNCATED)
		log->stats.truncated++;
	return true;
}

void kdx_log_get_stats(const struct kdx_log *log, struct kdx_log_stats *stats)
{
	*stats = log->stats;
}

const struct kdx_error *kdx_log_status(const struct kdx_log *log)
{
	return log->status;
}

bool kdx_log_stopped_early(const struct kdx_log *log)
{
	return log->stopped;
}

/* ---- on a dump ---- */

struct dump_source {
	const struct kdx_dump *dump;
	struct kdx_xlat *xlat;
};

static const char *dump_vmcoreinfo_get(void *ctx, const char *key)
{
	return kdx_dump_vmcoreinfo_get(((struct dump_source *)ctx)->dump, key);
}

static struct kdx_error *dump_read_virt(void *ctx, uint64_t vaddr, void *buf,
					size_t len)
{
	struct dump_source *s = ctx;

	return kdx_read_virt(s->dump, s->xlat, vaddr, buf, len, 0, NULL);
}

struct kdx_error *kdx_log_open(const struct kdx_dump *dump,
			       struct kdx_xlat *xlat, struct kdx_log **out)
{
	struct kdx_log_source src = {
		.version = KDX_LOG_SOURCE_VERSION,
		.byte_order = kdx_dump_byte_order(dump),
		.word_size = kdx_dump_word_size(dump),
		.vmcoreinfo_get = dump_vmcoreinfo_get,
		.read_virt = dump_read_virt,
	};
	struct kdx_xlat *owned = NULL;
	struct dump_source *ctx;
	struct kdx_error *err;
	size_t n;

	if (!kdx_dump_vmcoreinfo(dump, &n))
		return kdx_err(KDX_ERR_NOTFOUND,
			       "kernel log: the dump has no VMCOREINFO");
	if (src.word_size != 4 && src.word_size != 8)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "kernel log: the dump's word size is not known");
	if (!xlat) {
		struct kdx_kernel_layout layout;

		err = kdx_kernel_probe(dump, NULL, &layout);
		if (!err)
			err = kdx_kernel_xlat_create(dump, &layout, &owned);
		if (err)
			return kdx_err_wrap(err, "kernel log");
		xlat = owned;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		kdx_xlat_destroy(owned);
		return kdx_err_nomem();
	}
	ctx->dump = dump;
	ctx->xlat = xlat;
	err = kdx_log_open_source(&src, ctx, out);
	if (err) {
		free(ctx);
		kdx_xlat_destroy(owned);
		return err;
	}
	(*out)->owned_ctx = ctx;
	(*out)->owned_xlat = owned;
	return NULL;
}
