/* SPDX-License-Identifier: MIT */
/* The lockless printk_ringbuffer (5.10+) on synthetic memory: records and
 * their metadata, wrapped rings and data blocks, ids wrapping around,
 * every descriptor state, and damaged rings; in both byte orders and
 * both word sizes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "logbuild.h"
#include "core/error.h"

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

struct fixture {
	struct fake_mem m;
	struct prb_builder b;
	struct kdx_log *log;
};

static struct fixture *setup(void **state, unsigned int count_bits,
			     unsigned int size_bits, uint64_t first_id)
{
	const struct cfg *c = *state;
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fm_init(&f->m, c->bo, c->ws);
	prb_init(&f->b, &f->m, count_bits, size_bits, first_id);
	return f;
}

static void open_log(struct fixture *f)
{
	struct kdx_log_source src = fm_source();
	struct kdx_error *err;

	src.byte_order = f->m.bo;
	src.word_size = f->m.ws;
	err = kdx_log_open_source(&src, &f->m, &f->log);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_int_equal(kdx_log_get_layout(f->log), KDX_LOG_LOCKLESS);
}

static void teardown_f(struct fixture *f)
{
	kdx_log_destroy(f->log);
	fm_free(&f->m);
	free(f);
}

static void assert_text(const struct kdx_log_record *r, const char *want)
{
	if (r->text_len != strlen(want) || memcmp(r->text, want, r->text_len))
		fail_msg("text '%.*s' != '%s'", (int)r->text_len, r->text, want);
}

/* Every retained record comes back, in order, with what was written. */
static void expect_retained(struct fixture *f)
{
	static unsigned int idx[PRB_MAX_RECORDS];
	unsigned int n = prb_retained(&f->b, idx, PRB_MAX_RECORDS);
	struct kdx_log_record r;

	for (unsigned int i = 0; i < n; i++) {
		if (!kdx_log_next(f->log, &r))
			fail_msg("record %u of %u missing", i, n);
		assert_text(&r, f->b.rec[idx[i]].text);
		assert_int_equal(r.ts_nsec, f->b.rec[idx[i]].ts);
		assert_int_equal(r.level, f->b.rec[idx[i]].level);
	}
	assert_false(kdx_log_next(f->log, &r));
	assert_null(kdx_log_status(f->log));
	assert_false(kdx_log_stopped_early(f->log));
}

static void test_basic(void **state)
{
	struct fixture *f = setup(state, 4, 10, 0);
	struct kdx_log_record r;
	struct kdx_log_stats s;

	prb_add(&f->b, 0, 5, 0, 0, "Linux version 6.1.0-test", NULL, NULL);
	prb_add(&f->b, 1234567890, 3, 0, 0x80000001u, "line one\nline two",
		"pci", "+pci:0000:00:01.0");
	prb_add(&f->b, 2000000000, 6, 1, 42, "user \x01 bytes \xff", NULL, NULL);
	prb_finish(&f->b);
	open_log(f);

	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "Linux version 6.1.0-test");
	assert_int_equal(r.seq, 0);
	assert_int_equal(r.level, 5);
	assert_int_equal(r.facility, 0);
	assert_true(r.has_timestamp);
	assert_true(r.flags & KDX_LOG_FLAG_NEWLINE);
	assert_null(r.dict);

	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "line one\nline two");
	assert_int_equal(r.seq, 1);
	assert_int_equal(r.ts_nsec, 1234567890);
	assert_int_equal(r.level, 3);
	assert_true(r.has_caller);
	assert_int_equal(r.caller_id, 0x80000001u);
	assert_non_null(r.dict);
	assert_int_equal(r.dict_len, sizeof("SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.0"));
	assert_memory_equal(r.dict, "SUBSYSTEM=pci\0DEVICE=+pci:0000:00:01.0", r.dict_len);

	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "user \x01 bytes \xff");
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.caller_id, 42);

	assert_false(kdx_log_next(f->log, &r));
	assert_false(kdx_log_next(f->log, &r));
	assert_null(kdx_log_status(f->log));
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.records, 3);
	assert_int_equal(s.descriptors, 16);
	assert_int_equal(s.buffer_size, 1024);
	assert_int_equal(s.damaged, 0);
	teardown_f(f);
}

static void test_empty(void **state)
{
	struct fixture *f = setup(state, 4, 10, 0);
	struct kdx_log_record r;

	prb_finish(&f->b);
	open_log(f);
	/* The initial ring: tail one past head, all slots reusable. */
	assert_false(kdx_log_next(f->log, &r));
	assert_null(kdx_log_status(f->log));
	teardown_f(f);
}

/* Many more records than either ring holds, of every length: the
 * descriptor ring and the data ring wrap many times and data blocks wrap
 * at the end of the data ring. */
static void test_wrapped(void **state)
{
	struct fixture *f = setup(state, 5, 11, 7);
	char text[300];

	for (int i = 0; i < 3000; i++) {
		int n = snprintf(text, sizeof(text), "record %d ", i);

		for (int k = 0; k < (i * 37) % 200; k++)
			text[n++] = (char)('a' + (i + k) % 26);
		text[n] = '\0';
		prb_add(&f->b, (uint64_t)i * 1000, i % 8, 0, (uint32_t)i, text, NULL, NULL);
	}
	prb_finish(&f->b);
	assert_true(f->b.wrapped_blocks > 10);
	open_log(f);
	expect_retained(f);
	teardown_f(f);
}

/* Descriptor ids wrap from DESC_ID_MASK to 0 in the middle of the ring. */
static void test_id_wrap(void **state)
{
	const struct cfg *c = *state;
	uint64_t mask = (c->ws == 8 ? UINT64_MAX : UINT32_MAX) >> 2;
	struct fixture *f = setup(state, 4, 12, mask - 5);
	char text[64];

	for (int i = 0; i < 12; i++) {
		snprintf(text, sizeof(text), "id wrap %d", i);
		prb_add(&f->b, (uint64_t)i, 6, 0, 1, text, NULL, NULL);
	}
	prb_finish(&f->b);
	assert_true(f->b.head_id < 16);
	open_log(f);
	expect_retained(f);
	teardown_f(f);
}

/* Reserved and reusable descriptors are skipped without complaint, a
 * committed one is shown flagged, a data-less one is flagged, and the
 * head still held by a writer (its old id) is not damage. */
static void test_states(void **state)
{
	struct fixture *f = setup(state, 4, 10, 100);
	struct kdx_log_record r;
	struct kdx_log_stats s;
	uint64_t ids[6];

	for (int i = 0; i < 6; i++) {
		char t[32];

		snprintf(t, sizeof(t), "state %d", i);
		ids[i] = prb_add(&f->b, (uint64_t)i, 6, 0, 1, t, NULL, NULL);
	}
	prb_add(&f->b, 6, 6, 0, 1, "", NULL, NULL); /* data-less */
	prb_finish(&f->b);
	prb_set_state(&f->b, ids[1], 0, ids[1]);                 /* reserved */
	prb_set_state(&f->b, ids[2], 1, ids[2]);                 /* committed */
	prb_set_state(&f->b, ids[3], 3, ids[3]);                 /* reusable */
	open_log(f);

	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "state 0");
	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "state 2");
	assert_true(r.flags & KDX_LOG_FLAG_UNFINALIZED);
	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "state 4");
	assert_false(r.flags & KDX_LOG_FLAG_UNFINALIZED);
	assert_true(kdx_log_next(f->log, &r));
	assert_text(&r, "state 5");
	assert_true(kdx_log_next(f->log, &r));
	assert_true(r.flags & KDX_LOG_FLAG_DATALESS);
	assert_int_equal(r.text_len, 0);
	assert_false(kdx_log_next(f->log, &r));
	assert_null(kdx_log_status(f->log));
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.reserved, 1);
	assert_int_equal(s.reusable, 1);
	assert_int_equal(s.dataless, 1);
	assert_int_equal(s.damaged, 0);
	kdx_log_destroy(f->log);

	/* The head reserved by a writer that has not set its id yet. */
	prb_set_state(&f->b, f->b.head_id, 3, f->b.head_id - 16);
	open_log(f);
	while (kdx_log_next(f->log, &r))
		;
	assert_null(kdx_log_status(f->log));
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.reserved, 2);
	teardown_f(f);
}

static unsigned int count_records(struct kdx_log *log)
{
	struct kdx_log_record r;
	unsigned int n = 0;

	while (kdx_log_next(log, &r))
		n++;
	return n;
}

static void expect_status(struct kdx_log *log, const char *part)
{
	const struct kdx_error *st = kdx_log_status(log);

	assert_non_null(st);
	if (!strstr(kdx_error_message(st), part))
		fail_msg("status '%s' lacks '%s'", kdx_error_message(st), part);
}

/* Damage in one descriptor costs that record only. */
static void test_damaged_records(void **state)
{
	const struct cfg *c = *state;
	struct fixture *f = setup(state, 4, 11, 0);
	unsigned int ws = c->ws;
	struct kdx_log_stats s;
	uint64_t id[10];

	for (int i = 0; i < 10; i++) {
		char t[32];

		snprintf(t, sizeof(t), "record %d", i);
		id[i] = prb_add(&f->b, (uint64_t)i, 6, 0, 1, t, NULL, NULL);
	}
	prb_finish(&f->b);
	/* 1: the slot holds another id (not the head). */
	prb_set_state(&f->b, id[1], 2, id[1] + 16);
	/* 2: the data block names another descriptor (overwritten). */
	fm_put_word(&f->m, fm_at(&f->m, f->b.data_va + (fm_get_word(&f->m,
		    prb_desc(&f->b, id[2]) + ws) & (f->b.data_size - 1))), 77);
	/* 3: logical positions more than one wrap apart. */
	fm_put_word(&f->m, prb_desc(&f->b, id[3]) + 2 * ws,
		    fm_get_word(&f->m, prb_desc(&f->b, id[3]) + ws) + 5 * f->b.data_size);
	/* 4: the info's sequence belongs to another slot (torn info). */
	prb_info(&f->b, id[4])[c->bo == KDX_BIG_ENDIAN ? 7 : 0] ^= 1;
	/* 5: text_len longer than the block: shown, truncated. */
	prb_info(&f->b, id[5])[16] = 0xff;
	prb_info(&f->b, id[5])[17] = 0xff;
	/* 6: a block too small to hold its own id. */
	fm_put_word(&f->m, prb_desc(&f->b, id[6]) + 2 * ws,
		    fm_get_word(&f->m, prb_desc(&f->b, id[6]) + ws) + 2);
	open_log(f);
	/* 0, 5 (truncated), 7, 8, 9 */
	assert_int_equal(count_records(f->log), 5);
	assert_false(kdx_log_stopped_early(f->log));
	expect_status(f->log, "5 problems");
	expect_status(f->log, "holds id");
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.damaged, 5);
	assert_int_equal(s.truncated, 1);
	teardown_f(f);
}

/* head and tail further apart than the ring: read only the newest
 * count descriptors, and say so. */
static void test_bad_span(void **state)
{
	struct fixture *f = setup(state, 4, 12, 0);
	unsigned int ws = ((const struct cfg *)*state)->ws;

	for (int i = 0; i < 40; i++)
		prb_add(&f->b, (uint64_t)i, 6, 0, 1, "span", NULL, NULL);
	prb_finish(&f->b);
	fm_put_word(&f->m, fm_at(&f->m, f->b.rb_va) + 4 * ws, 0);
	open_log(f);
	assert_int_equal(count_records(f->log), 16);
	expect_status(f->log, "more than the ring's 16");
	teardown_f(f);
}

/* Unreadable memory: the info array stops the walk where it is; an
 * unreadable data ring costs each record. */
static void test_unreadable(void **state)
{
	struct fixture *f = setup(state, 4, 10, 0);
	struct kdx_log_stats s;

	for (int i = 0; i < 5; i++)
		prb_add(&f->b, (uint64_t)i, 6, 0, 1, "unreadable", NULL, NULL);
	prb_finish(&f->b);
	fm_set_unreadable(&f->m, f->b.infos_va, true);
	open_log(f);
	assert_int_equal(count_records(f->log), 0);
	assert_true(kdx_log_stopped_early(f->log));
	expect_status(f->log, "printk info ring");
	kdx_log_destroy(f->log);

	fm_set_unreadable(&f->m, f->b.infos_va, false);
	fm_set_unreadable(&f->m, f->b.data_va, true);
	open_log(f);
	assert_int_equal(count_records(f->log), 0);
	assert_false(kdx_log_stopped_early(f->log));
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.damaged, 5);
	teardown_f(f);
}

/* A header that cannot be right, or VMCOREINFO without a key: opening
 * fails and says which. */
static void test_bad_header(void **state)
{
	struct fixture *f = setup(state, 4, 10, 0);
	struct kdx_log_source src = fm_source();
	struct kdx_error *err;
	struct kdx_log *log = NULL;

	src.byte_order = f->m.bo;
	src.word_size = f->m.ws;
	prb_add(&f->b, 1, 6, 0, 1, "x", NULL, NULL);
	prb_finish(&f->b);
	fm_at(&f->m, f->b.rb_va)[f->m.bo == KDX_BIG_ENDIAN ? 3 : 0] = 60;
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	prb_finish(&f->b);

	fm_del_key(&f->m, "OFFSET(printk_info.caller_id)");
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	assert_non_null(strstr(kdx_error_message(err), "OFFSET(printk_info.caller_id)"));
	kdx_error_destroy(err);

	fm_key(&f->m, "OFFSET(printk_info.caller_id)", "200");
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	kdx_error_destroy(err);
	fm_key(&f->m, "OFFSET(printk_info.caller_id)", "20");

	fm_del_key(&f->m, "OFFSET(prb_desc_ring.infos)");
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	kdx_error_destroy(err);

	fm_del_key(&f->m, "SYMBOL(prb)");
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	kdx_error_destroy(err);
	teardown_f(f);
}

/* A ring of 4096 slots holding two records and garbage elsewhere (a
 * ring pointer into other memory): the walk stops after a bounded number
 * of damaged records instead of reporting every slot. */
static void test_garbage_ring_is_bounded(void **state)
{
	struct fixture *f = setup(state, 12, 12, 0);
	unsigned int ws = ((const struct cfg *)*state)->ws;
	struct kdx_log_stats s;

	prb_add(&f->b, 1, 6, 0, 1, "one", NULL, NULL);
	prb_add(&f->b, 2, 6, 0, 1, "two", NULL, NULL);
	prb_finish(&f->b);
	/* Garbage in every other slot; tail: the whole ring, from the
	 * slot after head on. */
	memset(prb_desc(&f->b, 2), 0x5a, (f->b.count - 2) * 3 * ws);
	fm_put_word(&f->m, fm_at(&f->m, f->b.rb_va) + 4 * ws,
		    (f->b.head_id + 1 - 4095) & f->b.id_mask);
	open_log(f);
	assert_int_equal(count_records(f->log), 0);
	assert_true(kdx_log_stopped_early(f->log));
	expect_status(f->log, "512 damaged records skipped before");
	expect_status(f->log, "more damaged records than good ones");
	kdx_log_get_stats(f->log, &s);
	assert_int_equal(s.damaged, 512);
	teardown_f(f);
}

/* The translation refusing an address the dump gave (a pointer that is
 * not canonical) is damage in the dump, not a caller's mistake. */
#define REFUSED_VA 0xdead0000u

static struct kdx_error *refusing_read(void *ctx, uint64_t va, void *buf,
				       size_t len)
{
	if (va >= REFUSED_VA && va < REFUSED_VA + 0x10000)
		return kdx_err(KDX_ERR_INVALID, "0x%llx is not canonical",
			       (unsigned long long)va);
	return fm_source().read_virt(ctx, va, buf, len);
}

static void test_refused_pointer_is_damage(void **state)
{
	struct fixture *f = setup(state, 4, 10, 0);
	struct kdx_log_source src = fm_source();
	struct kdx_log *log;
	struct kdx_error *err;

	prb_add(&f->b, 1, 6, 0, 1, "one", NULL, NULL);
	prb_finish(&f->b);
	src.byte_order = f->m.bo;
	src.word_size = f->m.ws;
	src.read_virt = refusing_read;
	fm_key(&f->m, "SYMBOL(prb)", "%x", REFUSED_VA);
	err = kdx_log_open_source(&src, &f->m, &log);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_CORRUPT);
	assert_non_null(strstr(kdx_error_message(err), "not canonical"));
	kdx_error_destroy(err);
	teardown_f(f);
}

/* A 1 MiB data ring is read in a few large reads, not record by record. */
static void test_reads_batched(void **state)
{
	struct fixture *f = setup(state, 14, 20, 0);
	char text[120];

	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < PRB_MAX_RECORDS; i++)
		prb_add(&f->b, (uint64_t)i, 6, 0, 1, text, NULL, NULL);
	prb_finish(&f->b);
	open_log(f);
	f->m.reads = 0;
	assert_int_equal(count_records(f->log), PRB_MAX_RECORDS);
	assert_true(f->m.reads < 32);
	teardown_f(f);
}

#define FOR_ALL(fn)                                                       \
	cmocka_unit_test_prestate(fn, (void *)&le64),                     \
		cmocka_unit_test_prestate(fn, (void *)&be64),             \
		cmocka_unit_test_prestate(fn, (void *)&le32),             \
		cmocka_unit_test_prestate(fn, (void *)&be32)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FOR_ALL(test_basic),       FOR_ALL(test_empty),
		FOR_ALL(test_wrapped),     FOR_ALL(test_id_wrap),
		FOR_ALL(test_states),      FOR_ALL(test_damaged_records),
		FOR_ALL(test_bad_span),    FOR_ALL(test_unreadable),
		FOR_ALL(test_bad_header),  FOR_ALL(test_reads_batched),
		FOR_ALL(test_garbage_ring_is_bounded),
		FOR_ALL(test_refused_pointer_is_damage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
