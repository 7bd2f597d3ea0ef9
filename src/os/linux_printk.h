/* SPDX-License-Identifier: MIT */
/* The kernel log reader's insides, shared by the per-layout files:
 * linux_printk.c (opening, the record iterator, windows onto kernel
 * arrays, VMCOREINFO keys), linux_printk_lockless.c (5.10+) and
 * linux_printk_legacy.c (3.5 - 5.9 records and the older character ring). */
#ifndef KDX_OS_LINUX_PRINTK_H
#define KDX_OS_LINUX_PRINTK_H

#include <kdx/log.h>

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A cached view onto one array of kernel memory [base, base + size): the
 * reader asks for small pieces in mostly increasing order and the window
 * reads ahead in large chunks, so a ring of 64 MiB costs a few hundred
 * callback reads, not millions. */
struct kdx_log_window {
	const char *what; /* for errors: "descriptor ring", "text data ring" */
	uint64_t base;    /* kernel virtual address of byte 0 */
	uint64_t size;    /* bytes in the array */
	uint8_t *buf;
	size_t cap;       /* bytes buf holds */
	uint64_t start;   /* array offset of buf[0] */
	size_t len;       /* valid bytes in buf */
};

/* Lockless printk_ringbuffer (5.10+): what the walk needs, from the
 * ring's header and VMCOREINFO. */
struct kdx_log_lockless {
	uint64_t count;      /* descriptors: 1 << count_bits */
	unsigned int size_bits;
	uint64_t data_size;  /* text data ring bytes: 1 << size_bits */
	uint64_t id_mask;    /* DESC_ID_MASK for the kernel's word size */
	uint64_t next_id;    /* next descriptor to look at */
	uint64_t head_id;
	uint64_t left;       /* descriptors still to look at */
	struct kdx_log_window descs, infos, data;
	/* struct sizes and offsets from VMCOREINFO */
	uint64_t desc_size, off_state, off_lpos_begin, off_lpos_next;
	uint64_t info_size, off_seq, off_ts, off_text_len, off_caller;
	bool has_dev_info;
	uint64_t off_subsystem, len_subsystem, off_device, len_device;
	bool has_level; /* facility/flags/level bytes follow text_len */
};

/* Structured log_buf (3.5 - 5.9). */
struct kdx_log_structured {
	uint64_t buf_len;
	uint64_t idx, next_idx; /* current and end offsets in log_buf */
	unsigned int wraps;
	uint64_t steps, max_steps;
	struct kdx_log_window buf;
	uint64_t hdr_size, off_ts, off_len, off_text_len, off_dict_len;
	bool has_caller;
	uint64_t off_caller;
	bool has_level;
	uint64_t seq;
};

/* The kernel's LOG_LINE_MAX of the character-ring era: a longer run
 * without a newline comes back as several records. */
#define KDX_LOG_PLAIN_LINE_MAX 1024

/* Character ring (before 3.5), read through a window as the walk goes:
 * log_buf_len may be up to 2 GiB, and what a header claims must not be
 * allocated before the dump shows it holds it. */
struct kdx_log_plain {
	struct kdx_log_window ring; /* ring.size: log_buf_len, a power of two */
	uint64_t first;    /* ring offset of the oldest character */
	uint64_t len, pos; /* characters in the log; those returned */
	bool wrapped;      /* the first line may be cut */
	uint64_t seq;
	char line[KDX_LOG_PLAIN_LINE_MAX];
};

/* One printk layout; the list in linux_printk.c is the one place that
 * knows them all. */
struct kdx_log_layout_ops {
	enum kdx_log_layout layout;
	const char *name; /* kdx_log_layout_name() */
	/* The VMCOREINFO symbol only this layout's kernels export: the
	 * newest layout whose symbol is there is the dump's. */
	const char *symbol;
	/* Read the ring's header or indices into log->u; on failure
	 * kdx_log_destroy() still calls deinit. */
	struct kdx_error *(*open)(struct kdx_log *log);
	/* The next record (see kdx_log_next()); false at the end or when
	 * the walk stopped (kdx_log_stop()). */
	bool (*next)(struct kdx_log *log, struct kdx_log_record *rec);
	/* Free what open allocated (also after a failed open). */
	void (*deinit)(struct kdx_log *log);
};

struct kdx_log {
	struct kdx_log_source src;
	void *ctx;
	const struct kdx_log_layout_ops *ops; /* NULL until one is chosen */
	struct kdx_log_stats stats;
	/* NULL while sound; the first problem or the reason the walk
	 * stopped, see kdx_log_status(). */
	struct kdx_error *status;
	uint64_t problems;
	bool stopped, done;
	/* The dump adapter of kdx_log_open(), and a translation it owns. */
	void *owned_ctx;
	struct kdx_xlat *owned_xlat;
	char *dict;
	size_t dict_cap;
	union {
		struct kdx_log_lockless ll;
		struct kdx_log_structured st;
		struct kdx_log_plain pl;
	} u;
};

/* ---- linux_printk.c ---- */

/* VMCOREINFO "SYMBOL(name)" (hex); an error naming the key when absent. */
struct kdx_error *kdx_log_symbol(struct kdx_log *log, const char *name,
				 uint64_t *out);
/* A numeric VMCOREINFO key ("SIZE(x)", "OFFSET(x.y)", "LENGTH(x)"),
 * decimal or 0x hex; an error naming the key when absent or malformed. */
struct kdx_error *kdx_log_number(struct kdx_log *log, const char *key,
				 uint64_t *out);
/* The same, false when absent (no error). */
bool kdx_log_has_number(struct kdx_log *log, const char *key, uint64_t *out);

/* Read @len bytes at @vaddr through the source, wrapping errors with
 * @what. */
struct kdx_error *kdx_log_read(struct kdx_log *log, const char *what,
			       uint64_t vaddr, void *buf, size_t len);
/* A word (the kernel's unsigned long) / u32 at @vaddr. */
struct kdx_error *kdx_log_read_word(struct kdx_log *log, const char *what,
				    uint64_t vaddr, uint64_t *out);
struct kdx_error *kdx_log_read_u32(struct kdx_log *log, const char *what,
				   uint64_t vaddr, uint32_t *out);

uint64_t kdx_log_load_word(const struct kdx_log *log, const uint8_t *p);

void kdx_log_window_init(struct kdx_log_window *w, const char *what, uint64_t base,
			 uint64_t size);
void kdx_log_window_deinit(struct kdx_log_window *w);
/* Bytes [off, off + len) of the array; NULL and *err on failure (out of
 * the array's bounds, or unreadable memory). */
const uint8_t *kdx_log_window_get(struct kdx_log *log, struct kdx_log_window *w,
				  uint64_t off, size_t len, struct kdx_error **err);

/* Note a problem the walk got past (takes @err): the first one becomes
 * the status. */
void kdx_log_problem(struct kdx_log *log, struct kdx_error *err);
/* Note a damaged record that was skipped (takes @err). */
void kdx_log_damaged(struct kdx_log *log, struct kdx_error *err);
/* Stop the walk here (takes @err). */
void kdx_log_stop(struct kdx_log *log, struct kdx_error *err);

/* Build rec->dict: call kdx_log_dict_reset(), then kdx_log_dict_add() for each
 * entry ("KEY=value"; an empty @key adds @value as it is). */
void kdx_log_dict_reset(struct kdx_log *log, struct kdx_log_record *rec);
bool kdx_log_dict_add(struct kdx_log *log, struct kdx_log_record *rec,
		      const char *key, const char *value, size_t value_len);

/* The byte after a record's text_len/dict_len field pair: facility, then
 * flags:5 and level:3 in one byte whose bit order follows the byte order
 * (GCC allocates bit-fields from the least significant bit on
 * little-endian targets, from the most significant on big-endian ones). */
void kdx_log_decode_level(const struct kdx_log *log, const uint8_t *facility_byte,
			  struct kdx_log_record *rec);

/* ---- per layout ---- */

extern const struct kdx_log_layout_ops kdx_log_lockless_ops; /* 5.10+ */
extern const struct kdx_log_layout_ops kdx_log_structured_ops; /* 3.5 - 5.9 */
extern const struct kdx_log_layout_ops kdx_log_plain_ops; /* before 3.5 */

#endif
