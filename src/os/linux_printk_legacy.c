/* SPDX-License-Identifier: MIT */
/* The kernel log before the lockless ring:
 * - Linux 3.5 - 5.9: variable-length records (struct printk_log, named
 *   struct log until 3.10) in log_buf, from log_first_idx to
 *   log_next_idx; a record with len 0 marks the end of the used part of
 *   the buffer and sends the reader back to offset 0.
 * - Before 3.5: a character ring; log_end counts every character ever
 *   written, the text is the last log_buf_len of them. */
#include "os/linux_printk.h"

#include "core/endian.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A log_buf_len beyond this is damage, not a kernel's choice. */
#define MAX_BUF_LEN (1ull << 31)

/* ---- structured records (3.5 - 5.9) ---- */

/* The struct's VMCOREINFO name: printk_log, or log in 3.5 - 3.10. */
static const char *struct_name(struct kdx_log *log)
{
	return log->src.vmcoreinfo_get(log->ctx, "SIZE(printk_log)") ? "printk_log" :
									"log";
}

static struct kdx_error *structured_open(struct kdx_log *log)
{
	struct kdx_log_structured *st = &log->u.st;
	const char *sn = struct_name(log);
	char key[64];
	uint64_t buf_ptr_sym, buf, len_sym, first_sym, next_sym;
	uint32_t buf_len, first, next;
	struct kdx_error *err;
	struct {
		const char *field;
		uint64_t *out;
		unsigned int size;
	} fields[] = {
		{ "ts_nsec", &st->off_ts, 8 },
		{ "len", &st->off_len, 2 },
		{ "text_len", &st->off_text_len, 2 },
		{ "dict_len", &st->off_dict_len, 2 },
	};

	snprintf(key, sizeof(key), "SIZE(%s)", sn);
	if ((err = kdx_log_number(log, key, &st->hdr_size)))
		return err;
	if (st->hdr_size < 8 || st->hdr_size > 4096)
		return kdx_err(KDX_ERR_CORRUPT, "VMCOREINFO: %s=%llu is not a "
			       "record header size", key,
			       (unsigned long long)st->hdr_size);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(key, sizeof(key), "OFFSET(%s.%s)", sn, fields[i].field);
		if ((err = kdx_log_number(log, key, fields[i].out)))
			return err;
		if (*fields[i].out > st->hdr_size - fields[i].size)
			return kdx_err(KDX_ERR_CORRUPT,
				       "VMCOREINFO: %s lies outside the %llu-byte header",
				       key, (unsigned long long)st->hdr_size);
	}
	snprintf(key, sizeof(key), "OFFSET(%s.caller_id)", sn);
	st->has_caller = kdx_log_has_number(log, key, &st->off_caller) &&
			 st->off_caller <= st->hdr_size - 4;
	/* facility and flags:5/level:3 follow dict_len (not exported). */
	st->has_level = st->off_dict_len + 4 <= st->hdr_size &&
			(!st->has_caller || st->off_caller >= st->off_dict_len + 4);

	if ((err = kdx_log_symbol(log, "log_buf", &buf_ptr_sym)) ||
	    (err = kdx_log_symbol(log, "log_buf_len", &len_sym)) ||
	    (err = kdx_log_symbol(log, "log_first_idx", &first_sym)) ||
	    (err = kdx_log_symbol(log, "log_next_idx", &next_sym)) ||
	    (err = kdx_log_read_word(log, "log_buf", buf_ptr_sym, &buf)) ||
	    (err = kdx_log_read_u32(log, "log_buf_len", len_sym, &buf_len)) ||
	    (err = kdx_log_read_u32(log, "log_first_idx", first_sym, &first)) ||
	    (err = kdx_log_read_u32(log, "log_next_idx", next_sym, &next)))
		return err;
	if (buf_len < st->hdr_size || buf_len > MAX_BUF_LEN)
		return kdx_err(KDX_ERR_CORRUPT, "log_buf_len %u is not a buffer size",
			       buf_len);
	if (first > buf_len || next > buf_len)
		return kdx_err(KDX_ERR_CORRUPT,
			       "log_first_idx %u or log_next_idx %u lies beyond "
			       "log_buf_len %u", first, next, buf_len);
	st->buf_len = buf_len;
	st->idx = first;
	st->next_idx = next;
	/* Every record is at least a header long, plus one wrap marker. */
	st->max_steps = buf_len / st->hdr_size + 2;
	log->stats.buffer_size = buf_len;
	kdx_log_window_init(&st->buf, "log_buf", buf, buf_len);
	return NULL;
}

static void structured_deinit(struct kdx_log *log)
{
	kdx_log_window_deinit(&log->u.st.buf);
}

static void stop_at(struct kdx_log *log, uint64_t idx, struct kdx_error *err)
{
	struct kdx_log_structured *st = &log->u.st;

	kdx_log_stop(log, kdx_err_set_address(
				  kdx_err_wrap(err, "record at log_buf+0x%llx",
					       (unsigned long long)idx),
				  st->buf.base + idx));
}

static bool structured_next(struct kdx_log *log, struct kdx_log_record *rec)
{
	struct kdx_log_structured *st = &log->u.st;
	enum kdx_byte_order bo = log->src.byte_order;
	const uint8_t *h, *r;
	struct kdx_error *err = NULL;
	uint64_t len, text_len, dict_len;

	/* Bounded: each pass moves on by at least one header, or wraps, and
	 * a second wrap is a loop. */
	for (;;) {
		if (st->idx == st->next_idx)
			return false;
		if (++st->steps > st->max_steps) {
			stop_at(log, st->idx,
				kdx_err(KDX_ERR_CORRUPT,
					"more records than log_buf can hold: the "
					"chain loops"));
			return false;
		}
		/* No room for a header before the end: the writer wrapped. */
		if (st->buf_len - st->idx < st->hdr_size) {
			len = 0;
		} else {
			h = kdx_log_window_get(log, &st->buf, st->idx, st->hdr_size, &err);
			if (!h) {
				stop_at(log, st->idx, err);
				return false;
			}
			len = kdx_load_u16(h + st->off_len, bo);
		}
		if (len != 0)
			break;
		if (st->wraps++ || st->idx == 0) {
			stop_at(log, st->idx,
				kdx_err(KDX_ERR_CORRUPT,
					"a second end-of-buffer marker without reaching "
					"log_next_idx 0x%llx: the chain loops",
					(unsigned long long)st->next_idx));
			return false;
		}
		st->idx = 0;
	}
	text_len = kdx_load_u16(h + st->off_text_len, bo);
	dict_len = kdx_load_u16(h + st->off_dict_len, bo);
	if (len < st->hdr_size || len > st->buf_len - st->idx ||
	    st->hdr_size + text_len + dict_len > len) {
		stop_at(log, st->idx,
			kdx_err(KDX_ERR_CORRUPT,
				"torn record: len %llu, text_len %llu, dict_len %llu "
				"do not fit a %llu-byte header in the %llu bytes "
				"left in log_buf",
				(unsigned long long)len, (unsigned long long)text_len,
				(unsigned long long)dict_len,
				(unsigned long long)st->hdr_size,
				(unsigned long long)(st->buf_len - st->idx)));
		return false;
	}
	r = kdx_log_window_get(log, &st->buf, st->idx, len, &err);
	if (!r) {
		stop_at(log, st->idx, err);
		return false;
	}
	rec->seq = st->seq++;
	rec->ts_nsec = kdx_load_u64(r + st->off_ts, bo);
	rec->has_timestamp = true;
	if (st->has_caller) {
		rec->has_caller = true;
		rec->caller_id = kdx_load_u32(r + st->off_caller, bo);
	}
	if (st->has_level)
		kdx_log_decode_level(log, r + st->off_dict_len + 2, rec);
	rec->text = (const char *)r + st->hdr_size;
	rec->text_len = text_len;
	kdx_log_dict_reset(log, rec);
	if (dict_len) {
		/* "KEY=VALUE\0KEY=VALUE": re-end every entry with '\0'. */
		const char *d = rec->text + text_len, *end = d + dict_len;

		/* Bounded: each pass consumes one entry of the dict. */
		while (d < end) {
			const char *nul = memchr(d, 0, (size_t)(end - d));
			size_t n = nul ? (size_t)(nul - d) : (size_t)(end - d);

			if (n && !kdx_log_dict_add(log, rec, "", d, n)) {
				kdx_log_stop(log, kdx_err_nomem());
				return false;
			}
			d += n + 1;
		}
	}
	st->idx += len;
	return true;
}

/* ---- character ring (before 3.5) ---- */

/* log_end was unsigned long until 2.6.24 and unsigned int from 2.6.25. */
static unsigned int log_end_size(struct kdx_log *log)
{
	const char *rel = log->src.vmcoreinfo_get(log->ctx, "OSRELEASE");
	unsigned int a = 0, b = 0, c = 0;

	if (rel && sscanf(rel, "%u.%u.%u", &a, &b, &c) >= 2 &&
	    (a < 2 || (a == 2 && (b < 6 || (b == 6 && c < 25)))))
		return log->src.word_size;
	return 4;
}

static struct kdx_error *plain_open(struct kdx_log *log)
{
	struct kdx_log_plain *pl = &log->u.pl;
	uint64_t buf_sym, len_sym, end_sym, buf, log_end;
	uint32_t buf_len;
	uint8_t b[8];
	unsigned int es = log_end_size(log);
	struct kdx_error *err;

	if ((err = kdx_log_symbol(log, "log_buf", &buf_sym)) ||
	    (err = kdx_log_symbol(log, "log_buf_len", &len_sym)) ||
	    (err = kdx_log_symbol(log, "log_end", &end_sym)) ||
	    (err = kdx_log_read_word(log, "log_buf", buf_sym, &buf)) ||
	    (err = kdx_log_read_u32(log, "log_buf_len", len_sym, &buf_len)) ||
	    (err = kdx_log_read(log, "log_end", end_sym, b, es)))
		return err;
	log_end = kdx_load_uint(b, es, log->src.byte_order);
	/* The ring's length is a power of two (log_end & (len - 1)). */
	if (!buf_len || buf_len > MAX_BUF_LEN || (buf_len & (buf_len - 1)))
		return kdx_err(KDX_ERR_CORRUPT,
			       "log_buf_len %u is not a power of two", buf_len);
	log->stats.buffer_size = buf_len;
	pl->len = log_end < buf_len ? log_end : buf_len;
	/* Wrapped: the oldest character is at log_end's position. */
	pl->wrapped = log_end >= buf_len;
	pl->first = pl->wrapped ? log_end & (buf_len - 1) : 0;
	kdx_log_window_init(&pl->ring, "log_buf", buf, buf_len);
	if (pl->len) {
		/* A ring the dump does not hold fails here, not at record 1. */
		if (!kdx_log_window_get(log, &pl->ring, pl->first, 1, &err))
			return err;
	}
	return NULL;
}

static void plain_deinit(struct kdx_log *log)
{
	kdx_log_window_deinit(&log->u.pl.ring);
}

/* The next line's characters into pl->line, up to a newline, the end of
 * the log or KDX_LOG_PLAIN_LINE_MAX; its length, or -1 if the ring could
 * not be read before any character (the walk is stopped). */
static long plain_take_line(struct kdx_log *log)
{
	struct kdx_log_plain *pl = &log->u.pl;
	size_t n = 0, limit = sizeof(pl->line);

	/* Bounded: each pass takes at least one character, halves the piece
	 * it asks for (at most log2 of the line size times) or ends. */
	while (pl->pos < pl->len && n < sizeof(pl->line)) {
		uint64_t off = (pl->first + pl->pos) & (pl->ring.size - 1);
		size_t chunk = (size_t)kdx_min_u64(
			kdx_min_u64(pl->len - pl->pos, pl->ring.size - off),
			kdx_min_u64(sizeof(pl->line) - n, limit));
		struct kdx_error *err = NULL;
		const uint8_t *p = kdx_log_window_get(log, &pl->ring, off, chunk, &err);
		const uint8_t *nl;
		size_t take;

		if (!p && chunk > 1) {
			/* A hole inside the piece: take what lies before it. */
			kdx_error_destroy(err);
			limit = chunk / 2;
			continue;
		}
		if (!p) {
			kdx_log_stop(log, kdx_err_set_address(
						  kdx_err_wrap(err, "character %llu of log_buf",
							       (unsigned long long)pl->pos),
						  pl->ring.base + off));
			pl->pos = pl->len;
			return n ? (long)n : -1;
		}
		nl = memchr(p, '\n', chunk);
		take = nl ? (size_t)(nl - p) : chunk;
		memcpy(pl->line + n, p, take);
		n += take;
		pl->pos += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	return (long)n;
}

/* "<N>" at the start of a line: the level (and facility above 7). */
static size_t parse_prefix(const char *p, size_t n, struct kdx_log_record *rec)
{
	unsigned int v = 0;
	size_t i = 1;

	if (n < 3 || p[0] != '<')
		return 0;
	while (i < n && i < 5 && p[i] >= '0' && p[i] <= '9')
		v = v * 10 + (unsigned int)(p[i++] - '0');
	if (i == 1 || i >= n || p[i] != '>')
		return 0;
	rec->level = (int)(v & 7);
	rec->facility = (int)(v >> 3);
	return i + 1;
}

/* "[ seconds.micros] " (printk_time): the timestamp. */
static size_t parse_time(const char *p, size_t n, struct kdx_log_record *rec)
{
	uint64_t sec = 0, usec = 0;
	size_t i = 1, digits = 0;

	if (n < 4 || p[0] != '[')
		return 0;
	while (i < n && p[i] == ' ')
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9' && digits++ < 12)
		sec = sec * 10 + (uint64_t)(p[i++] - '0');
	if (!digits || i >= n || p[i++] != '.')
		return 0;
	for (digits = 0; i < n && p[i] >= '0' && p[i] <= '9' && digits < 9; digits++)
		usec = usec * 10 + (uint64_t)(p[i++] - '0');
	if (digits != 6 || i >= n || p[i++] != ']')
		return 0;
	if (i < n && p[i] == ' ')
		i++;
	rec->ts_nsec = sec * 1000000000u + usec * 1000u;
	rec->has_timestamp = true;
	return i;
}

static bool plain_next(struct kdx_log *log, struct kdx_log_record *rec)
{
	struct kdx_log_plain *pl = &log->u.pl;
	const char *line = pl->line;
	size_t n, skip;
	long got;

	if (pl->pos >= pl->len)
		return false;
	got = plain_take_line(log);
	if (got < 0)
		return false;
	n = (size_t)got;
	rec->seq = pl->seq++;
	if (pl->wrapped && rec->seq == 0) {
		/* The oldest line lost its beginning to the ring. */
		rec->flags |= KDX_LOG_FLAG_TRUNCATED;
	} else {
		skip = parse_prefix(line, n, rec);
		line += skip;
		n -= skip;
		skip = parse_time(line, n, rec);
		line += skip;
		n -= skip;
	}
	rec->text = line;
	rec->text_len = n;
	return true;
}

const struct kdx_log_layout_ops kdx_log_structured_ops = {
	.layout = KDX_LOG_STRUCTURED,
	.name = "structured",
	.symbol = "SYMBOL(log_first_idx)",
	.open = structured_open,
	.next = structured_next,
	.deinit = structured_deinit,
};

const struct kdx_log_layout_ops kdx_log_plain_ops = {
	.layout = KDX_LOG_PLAIN,
	.name = "plain",
	.symbol = "SYMBOL(log_end)",
	.open = plain_open,
	.next = plain_next,
	.deinit = plain_deinit,
};
