/* SPDX-License-Identifier: MIT */
/* The logs before 5.10 on synthetic memory: the structured log_buf of
 * 3.5 - 5.9 (wrapped, with dictionaries and caller ids, torn and looping)
 * and the character ring of older kernels; both byte orders and word
 * sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "logbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg {
	enum kdx_byte_order bo;
	unsigned int ws;
};

static const struct cfg le64 = { KDX_LITTLE_ENDIAN, 8 };
static const struct cfg be64 = { KDX_BIG_ENDIAN, 8 };
static const struct cfg le32 = { KDX_LITTLE_ENDIAN, 4 };
static const struct cfg be32 = { KDX_BIG_ENDIAN, 4 };

static struct kdx_log *open_log(struct fake_mem *m, enum kdx_log_layout want)
{
	struct kdx_log_source src = fm_source();
	struct kdx_log *log = NULL;
	struct kdx_error *err;

	src.byte_order = m->bo;
	src.word_size = m->ws;
	err = kdx_log_open_source(&src, m, &log);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_int_equal(kdx_log_get_layout(log), want);
	return log;
}

static struct kdx_error *try_open(struct fake_mem *m)
{
	struct kdx_log_source src = fm_source();
	struct kdx_log *log = NULL;
	struct kdx_error *err;

	src.byte_order = m->bo;
	src.word_size = m->ws;
	err = kdx_log_open_source(&src, m, &log);
	kdx_log_destroy(log);
	return err;
}

static void assert_text(const struct kdx_log_record *r, const char *want)
{
	if (r->text_len != strlen(want) || memcmp(r->text, want, r->text_len))
		fail_msg("text '%.*s' != '%s'", (int)r->text_len, r->text, want);
}

static void init(void **state, struct fake_mem *m)
{
	const struct cfg *c = *state;

	fm_init(m, c->bo, c->ws);
}

/* ---- structured ---- */

static void test_structured_basic(void **state)
{
	static const char dict[] = "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:02.0";
	struct fake_mem m;
	struct st_builder b;
	struct kdx_log *log;
	struct kdx_log_record r;

	init(state, &m);
	st_init(&b, &m, 4096, true, false);
	st_add(&b, 0, 5, 0, 0, "Linux version 4.19.0", NULL, 0);
	st_add(&b, 1500000, 3, 0, 0x80000002u, "pci thing", dict, sizeof(dict) - 1);
	st_add(&b, 2500000, 6, 1, 77, "from user", NULL, 0);
	st_finish(&b);
	log = open_log(&m, KDX_LOG_STRUCTURED);

	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "Linux version 4.19.0");
	assert_int_equal(r.seq, 0);
	assert_int_equal(r.level, 5);
	assert_null(r.dict);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "pci thing");
	assert_int_equal(r.ts_nsec, 1500000);
	assert_int_equal(r.level, 3);
	assert_true(r.has_caller);
	assert_int_equal(r.caller_id, 0x80000002u);
	assert_int_equal(r.dict_len, sizeof(dict));
	assert_memory_equal(r.dict, dict, sizeof(dict));
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "from user");
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.caller_id, 77);
	assert_false(kdx_log_next(log, &r));
	assert_null(kdx_log_status(log));
	kdx_log_destroy(log);
	fm_free(&m);
}

/* Older kernels: struct log (3.5 - 3.10), no caller id. */
static void test_structured_old_name(void **state)
{
	struct fake_mem m;
	struct st_builder b;
	struct kdx_log *log;
	struct kdx_log_record r;

	init(state, &m);
	st_init(&b, &m, 1024, false, true);
	st_add(&b, 7, 4, 0, 0, "struct log", NULL, 0);
	st_finish(&b);
	log = open_log(&m, KDX_LOG_STRUCTURED);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "struct log");
	assert_false(r.has_caller);
	assert_int_equal(r.level, 4);
	assert_false(kdx_log_next(log, &r));
	kdx_log_destroy(log);
	fm_free(&m);
}

/* Records of every length until the buffer wrapped many times: the
 * reader follows the end-of-buffer markers and sees the newest records,
 * oldest first. */
static void test_structured_wrapped(void **state)
{
	struct fake_mem m;
	struct st_builder b;
	struct kdx_log *log;
	struct kdx_log_record r;
	char text[300];
	uint64_t first = 0, n = 0;

	init(state, &m);
	st_init(&b, &m, 2048, false, false);
	for (int i = 0; i < 2000; i++) {
		snprintf(text, sizeof(text), "rec %d %.*s", i, (i * 37) % 150,
			 "................................................................"
			 "................................................................"
			 "..........................");
		st_add(&b, (uint64_t)i, 6, 0, 0, text, NULL, 0);
	}
	st_finish(&b);
	assert_true(b.wraps > 50);
	first = b.first_seq;
	log = open_log(&m, KDX_LOG_STRUCTURED);
	while (kdx_log_next(log, &r)) {
		int num;

		assert_int_equal(sscanf(r.text, "rec %d", &num), 1);
		assert_int_equal((uint64_t)num, first + n);
		assert_int_equal(r.ts_nsec, first + n);
		n++;
	}
	assert_int_equal(first + n, 2000);
	assert_null(kdx_log_status(log));
	kdx_log_destroy(log);
	fm_free(&m);
}

static void expect_stop(struct kdx_log *log, uint64_t records, const char *part)
{
	struct kdx_log_record r;
	uint64_t n = 0;
	const struct kdx_error *st;

	while (kdx_log_next(log, &r))
		n++;
	assert_int_equal(n, records);
	assert_true(kdx_log_stopped_early(log));
	st = kdx_log_status(log);
	assert_non_null(st);
	if (!strstr(kdx_error_message(st), part))
		fail_msg("status '%s' lacks '%s'", kdx_error_message(st), part);
}

/* A torn record (length that does not hold its text, or runs past the
 * buffer) stops the walk there; a zero-length record at the start (a
 * marker pointing at itself) is a loop. */
static void test_structured_damaged(void **state)
{
	const struct cfg *c = *state;
	struct fake_mem m;
	struct st_builder b;
	struct kdx_log *log;
	uint32_t second;

	init(state, &m);
	st_init(&b, &m, 4096, false, false);
	st_add(&b, 1, 6, 0, 0, "first", NULL, 0);
	second = b.next_idx;
	st_add(&b, 2, 6, 0, 0, "second", NULL, 0);
	st_add(&b, 3, 6, 0, 0, "third", NULL, 0);
	st_finish(&b);

	/* len smaller than header + text */
	b.buf[second + (c->bo == KDX_BIG_ENDIAN ? 9 : 8)] = 4;
	b.buf[second + (c->bo == KDX_BIG_ENDIAN ? 8 : 9)] = 0;
	log = open_log(&m, KDX_LOG_STRUCTURED);
	expect_stop(log, 1, "torn record");
	assert_non_null(strstr(kdx_error_message(kdx_log_status(log)), "log_buf+0x"));
	kdx_log_destroy(log);

	/* len running past the end of the buffer */
	b.buf[second + (c->bo == KDX_BIG_ENDIAN ? 8 : 9)] = 0x40;
	log = open_log(&m, KDX_LOG_STRUCTURED);
	expect_stop(log, 1, "torn record");
	kdx_log_destroy(log);

	/* a marker at offset 0 with log_next_idx unreachable: a loop */
	memset(b.buf, 0, 4096);
	log = open_log(&m, KDX_LOG_STRUCTURED);
	expect_stop(log, 0, "loops");
	kdx_log_destroy(log);
	fm_free(&m);
}

/* A long chain of minimal records that never reaches log_next_idx: the
 * walk ends after as many records as the buffer can hold. */
static void test_structured_bounded(void **state)
{
	const struct cfg *c = *state;
	struct fake_mem m;
	struct st_builder b;
	struct kdx_log *log;
	struct kdx_log_record r;
	uint64_t n = 0;

	init(state, &m);
	st_init(&b, &m, 1024, false, false);
	for (int i = 0; i < 64; i++)
		st_add(&b, (uint64_t)i, 6, 0, 0, "", NULL, 0);
	st_finish(&b);
	/* next_idx odd: never reached */
	{
		uint8_t *syms = fm_at(&m, m.ws == 8 ? 0xffff888000000000ull : 0xc0000000ull);

		syms[0x130 + (c->bo == KDX_BIG_ENDIAN ? 3 : 0)] = 3;
	}
	log = open_log(&m, KDX_LOG_STRUCTURED);
	while (kdx_log_next(log, &r))
		n++;
	assert_true(n <= 1024 / 16 + 2);
	assert_true(kdx_log_stopped_early(log));
	kdx_log_destroy(log);
	fm_free(&m);
}

static void test_structured_bad_indices(void **state)
{
	const struct cfg *c = *state;
	struct fake_mem m;
	struct st_builder b;
	struct kdx_error *err;
	uint8_t *syms;

	init(state, &m);
	st_init(&b, &m, 1024, false, false);
	st_add(&b, 1, 6, 0, 0, "x", NULL, 0);
	st_finish(&b);
	syms = fm_at(&m, m.ws == 8 ? 0xffff888000000000ull : 0xc0000000ull);
	syms[0x120 + (c->bo == KDX_BIG_ENDIAN ? 1 : 2)] = 1; /* first_idx 64 KiB */
	err = try_open(&m);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	fm_del_key(&m, "OFFSET(printk_log.dict_len)");
	err = try_open(&m);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	kdx_error_destroy(err);
	fm_free(&m);
}

/* ---- plain ---- */

static void test_plain(void **state)
{
	struct fake_mem m;
	struct kdx_log *log;
	struct kdx_log_record r;

	init(state, &m);
	plain_build(&m, 4096,
		    "<5>[    0.000000] Linux version 2.6.32\n"
		    "<6>[    1.250000] second line\n"
		    "no prefix at all\n"
		    "<14>user facility",
		    "2.6.32-5-amd64");
	log = open_log(&m, KDX_LOG_PLAIN);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "Linux version 2.6.32");
	assert_int_equal(r.level, 5);
	assert_true(r.has_timestamp);
	assert_int_equal(r.ts_nsec, 0);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "second line");
	assert_int_equal(r.ts_nsec, 1250000000);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "no prefix at all");
	assert_false(r.has_timestamp);
	assert_int_equal(r.level, KDX_LOG_UNKNOWN);
	assert_true(kdx_log_next(log, &r));
	assert_text(&r, "user facility");
	assert_int_equal(r.level, 6);
	assert_int_equal(r.facility, 1);
	assert_false(kdx_log_next(log, &r));
	assert_null(kdx_log_status(log));
	kdx_log_destroy(log);
	fm_free(&m);
}

/* The ring overwritten several times; log_end is an unsigned long
 * before 2.6.25. */
static void test_plain_wrapped(void **state)
{
	static const char *const releases[] = { "2.6.32", "2.6.18" };
	char *text = malloc(40000);
	size_t n = 0;

	assert_non_null(text);
	for (int i = 0; i < 1000; i++)
		n += (size_t)sprintf(text + n, "<6>[%5d.000000] line %d\n", i, i);
	for (int k = 0; k < 2; k++) {
		struct fake_mem m;
		struct kdx_log *log;
		struct kdx_log_record r;
		int last = -1;
		bool first = true;

		init(state, &m);
		plain_build(&m, 1024, text, releases[k]);
		log = open_log(&m, KDX_LOG_PLAIN);
		while (kdx_log_next(log, &r)) {
			int num;

			if (first) {
				assert_true(r.flags & KDX_LOG_FLAG_TRUNCATED);
				first = false;
				continue;
			}
			assert_int_equal(sscanf(r.text, "line %d", &num), 1);
			if (last >= 0)
				assert_int_equal(num, last + 1);
			last = num;
		}
		assert_int_equal(last, 999);
		kdx_log_destroy(log);
		fm_free(&m);
	}
	free(text);
}

/* A header that claims a 2 GiB ring of which the dump holds 4 KiB: the
 * lines the dump holds come back, the walk stops at the first missing
 * byte naming its address, and nothing of the claimed size is allocated
 * first (fuzz_crash under ASan: malloc(2 GiB) from a 2 KiB input). */
static void test_plain_claims_more_than_dump(void **state)
{
	struct fake_mem m;
	struct kdx_log *log;
	struct kdx_log_record r;
	unsigned int lines = 0;
	const char *msg;

	init(state, &m);
	plain_build(&m, 4096, "<6>first\n<6>second\n", "2.6.32");
	plain_claim(&m, 1u << 31, (1u << 31) - 1, false);
	log = open_log(&m, KDX_LOG_PLAIN);
	while (kdx_log_next(log, &r)) {
		if (lines == 0)
			assert_text(&r, "first");
		if (lines == 1)
			assert_text(&r, "second");
		lines++;
	}
	/* "first", "second", then the zero bytes up to 4096 as one or
	 * more cut lines; never the 2 GiB claimed. */
	assert_in_range(lines, 3, 8);
	assert_non_null(kdx_log_status(log));
	msg = kdx_error_message(kdx_log_status(log));
	if (!strstr(msg, "log_buf") || !strstr(msg, "character 4096"))
		fail_msg("status: %s", msg);
	kdx_log_destroy(log);

	/* Wrapped, the oldest character outside the dump: open fails. */
	plain_claim(&m, 1u << 30, (1u << 30) + 8192, false);
	struct kdx_error *err = try_open(&m);
	assert_non_null(err);
	if (!strstr(kdx_error_message(err), "log_buf"))
		fail_msg("open: %s", kdx_error_message(err));
	kdx_error_destroy(err);
	fm_free(&m);
}

#define FOR_ALL(fn)                                                       \
	cmocka_unit_test_prestate(fn, (void *)&le64),                     \
		cmocka_unit_test_prestate(fn, (void *)&be64),             \
		cmocka_unit_test_prestate(fn, (void *)&le32),             \
		cmocka_unit_test_prestate(fn, (void *)&be32)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FOR_ALL(test_structured_basic),
		FOR_ALL(test_structured_old_name),
		FOR_ALL(test_structured_wrapped),
		FOR_ALL(test_structured_damaged),
		FOR_ALL(test_structured_bounded),
		FOR_ALL(test_structured_bad_indices),
		FOR_ALL(test_plain),
		FOR_ALL(test_plain_wrapped),
		FOR_ALL(test_plain_claims_more_than_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
