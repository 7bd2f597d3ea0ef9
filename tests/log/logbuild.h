/* SPDX-License-Identifier: MIT */
/* Synthetic kernel memory holding a printk log, for the log reader's
 * tests: a few regions of "kernel virtual memory", VMCOREINFO keys, and
 * builders that write each log layout the way the kernel's writers do
 * (kernel/printk/printk_ringbuffer.c data_alloc()/desc_reserve(), the
 * 3.5 - 5.9 log_store(), the old character ring), in either byte order and
 * word size. */
#ifndef KDX_TESTS_LOGBUILD_H
#define KDX_TESTS_LOGBUILD_H

#include <kdx/log.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FM_MAX_REGIONS 16
#define FM_MAX_KEYS 96

/* Memory and VMCOREINFO as a struct kdx_log_source sees them. */
struct fake_mem {
	struct {
		uint64_t va;
		size_t len;
		uint8_t *data;
		bool unreadable;
	} r[FM_MAX_REGIONS];
	int nr;
	struct {
		char *key, *value;
	} kv[FM_MAX_KEYS];
	int nkv;
	enum kdx_byte_order bo;
	unsigned int ws;
	unsigned long reads; /* read_virt calls */
};

void fm_init(struct fake_mem *m, enum kdx_byte_order bo, unsigned int ws);
void fm_free(struct fake_mem *m);
/* A zeroed region of @len bytes at @va. */
uint8_t *fm_add(struct fake_mem *m, uint64_t va, size_t len);
/* The region holding @va (asserts there is one). */
uint8_t *fm_at(struct fake_mem *m, uint64_t va);
void fm_set_unreadable(struct fake_mem *m, uint64_t va, bool unreadable);
/* Set (or replace) VMCOREINFO @key; @value NULL removes it. */
void fm_key(struct fake_mem *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void fm_del_key(struct fake_mem *m, const char *key);
void fm_put_word(struct fake_mem *m, uint8_t *p, uint64_t v);
uint64_t fm_get_word(struct fake_mem *m, const uint8_t *p);
struct kdx_log_source fm_source(void);

/* ---- the lockless ring (5.10+) ---- */

#define PRB_MAX_RECORDS 4096

struct prb_builder {
	struct fake_mem *m;
	unsigned int count_bits, size_bits;
	uint64_t count, data_size, id_mask;
	uint64_t rb_va, descs_va, infos_va, data_va;
	uint64_t head_id, tail_id;      /* next id to use = head_id + 1 */
	uint64_t head_lpos, tail_lpos;  /* data ring */
	uint64_t base_id;               /* id of the first record */
	unsigned long wrapped_blocks;   /* data blocks placed at offset 0 */
	bool empty;
	/* What each id holds, for the tests to compare against. */
	struct {
		uint64_t id, ts;
		int level;
		char text[512];
	} rec[PRB_MAX_RECORDS];
	unsigned int nrec;
};

/* A ring of 2^count_bits descriptors and a 2^size_bits-byte data ring
 * whose first descriptor id is @first_id (to test id wrap-around). */
void prb_init(struct prb_builder *b, struct fake_mem *m,
	      unsigned int count_bits, unsigned int size_bits, uint64_t first_id);
/* Append one record as printk does; returns its id. */
uint64_t prb_add(struct prb_builder *b, uint64_t ts, int level, int facility,
		 uint32_t caller, const char *text, const char *subsystem,
		 const char *device);
/* Write head/tail into the ring header. */
void prb_finish(struct prb_builder *b);
uint8_t *prb_desc(struct prb_builder *b, uint64_t id);
uint8_t *prb_info(struct prb_builder *b, uint64_t id);
void prb_set_state(struct prb_builder *b, uint64_t id, unsigned int state,
		   uint64_t sv_id);
/* The retained records (tail..head that are still readable), oldest
 * first: index into b->rec. */
unsigned int prb_retained(struct prb_builder *b, unsigned int *idx,
			  unsigned int max);

/* ---- structured log_buf (3.5 - 5.9) ---- */

struct st_builder {
	struct fake_mem *m;
	uint64_t buf_va, buf_len;
	uint8_t *buf;
	unsigned int hdr, align;
	bool caller;
	uint32_t first_idx, next_idx;
	uint64_t first_seq, next_seq;
	unsigned long wraps;
};

void st_init(struct st_builder *b, struct fake_mem *m, uint32_t buf_len,
	     bool caller, bool old_name);
void st_add(struct st_builder *b, uint64_t ts, int level, int facility,
	    uint32_t caller, const char *text, const char *dict, size_t dict_len);
void st_finish(struct st_builder *b);

/* ---- character ring (before 3.5) ---- */

void plain_build(struct fake_mem *m, uint32_t buf_len, const char *text,
		 const char *osrelease);
/* Rewrite plain_build()'s log_buf_len and log_end: a header that claims
 * more than the dump holds. */
void plain_claim(struct fake_mem *m, uint32_t buf_len, uint64_t log_end,
		 bool long_end);

#endif
