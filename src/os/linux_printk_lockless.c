/* SPDX-License-Identifier: MIT */
/* The lockless printk_ringbuffer of Linux 5.10+ (kernel/printk/
 * printk_ringbuffer.h): a ring of descriptors (state and the logical
 * position of a text block), a parallel ring of printk_info records
 * (sequence, time, level, caller, device), and a text data ring whose
 * blocks start with the owning descriptor's id.
 *
 * The walk goes from tail_id to head_id as makedumpfile's
 * dump_lockless_dmesg() does, printing committed and finalized
 * descriptors, but it checks what a crash may have left half-written:
 * the descriptor's id against the one expected, the data block's id
 * against the descriptor, the block's logical positions against the ring
 * (the kernel's get_data() rules), and the info's sequence number against
 * the descriptor's slot.  A record that fails is skipped and reported;
 * the walk goes on with the next descriptor, and never takes more steps
 * than the ring has descriptors. */
#include "os/linux_printk.h"

#include "core/endian.h"

#include <stdlib.h>
#include <string.h>

/* Descriptor states: the top two bits of state_var (DESC_FLAGS_SHIFT =
 * BITS_PER_LONG - 2). */
enum desc_state {
	DESC_RESERVED = 0,
	DESC_COMMITTED = 1,
	DESC_FINALIZED = 2,
	DESC_REUSABLE = 3,
};

/* Bounds that keep a damaged header from asking for absurd amounts of
 * memory: 2^28 descriptors, a 2 GiB data ring, 64 KiB structures. */
#define MAX_COUNT_BITS 28
#define MAX_SIZE_BITS 31
#define MAX_STRUCT 65536

struct key_off {
	const char *key;
	uint64_t *out;
};

static struct kdx_error *need_keys(struct kdx_log *log, const struct key_off *k,
				   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kdx_error *err = kdx_log_number(log, k[i].key, k[i].out);

		if (err)
			return err;
	}
	return NULL;
}

/* A field of @size bytes at @off must lie inside a structure of
 * @struct_size bytes. */
static struct kdx_error *check_field(const char *what, uint64_t off,
				     uint64_t size, uint64_t struct_size)
{
	if (off > struct_size || size > struct_size - off)
		return kdx_err(KDX_ERR_CORRUPT,
			       "VMCOREINFO: %s at offset %llu (%llu bytes) "
			       "lies outside its structure (%llu bytes)",
			       what, (unsigned long long)off,
			       (unsigned long long)size,
			       (unsigned long long)struct_size);
	return NULL;
}

/* check_field() as a test, for optional fields: the error is dropped. */
static bool field_fits(const char *what, uint64_t off, uint64_t size,
		       uint64_t struct_size)
{
	struct kdx_error *err = check_field(what, off, size, struct_size);
	bool fits = err == NULL;

	kdx_error_destroy(err);
	return fits;
}

static struct kdx_error *lockless_open(struct kdx_log *log)
{
	struct kdx_log_lockless *ll = &log->u.ll;
	unsigned int ws = log->src.word_size;
	uint64_t prb_sym, rb, rb_size, off_desc_ring, off_text_ring;
	uint64_t dr_count_bits, dr_descs, dr_infos, dr_head, dr_tail;
	uint64_t tr_size_bits, tr_data, counter, lpos_size, off_lpos;
	uint64_t lpos_begin, lpos_next, off_dev_info = 0, dev_size = 0;
	uint64_t descs_va, infos_va, data_va, head, tail, span;
	uint32_t count_bits, size_bits;
	uint8_t *hdr;
	struct kdx_error *err;
	const struct key_off keys[] = {
		{ "SIZE(printk_ringbuffer)", &rb_size },
		{ "OFFSET(printk_ringbuffer.desc_ring)", &off_desc_ring },
		{ "OFFSET(printk_ringbuffer.text_data_ring)", &off_text_ring },
		{ "OFFSET(prb_desc_ring.count_bits)", &dr_count_bits },
		{ "OFFSET(prb_desc_ring.descs)", &dr_descs },
		{ "OFFSET(prb_desc_ring.head_id)", &dr_head },
		{ "OFFSET(prb_desc_ring.tail_id)", &dr_tail },
		{ "SIZE(prb_desc)", &ll->desc_size },
		{ "OFFSET(prb_desc.state_var)", &ll->off_state },
		{ "OFFSET(prb_desc.text_blk_lpos)", &off_lpos },
		{ "SIZE(prb_data_blk_lpos)", &lpos_size },
		{ "OFFSET(prb_data_blk_lpos.begin)", &lpos_begin },
		{ "OFFSET(prb_data_blk_lpos.next)", &lpos_next },
		{ "SIZE(printk_info)", &ll->info_size },
		{ "OFFSET(printk_info.seq)", &ll->off_seq },
		{ "OFFSET(printk_info.ts_nsec)", &ll->off_ts },
		{ "OFFSET(printk_info.text_len)", &ll->off_text_len },
		{ "OFFSET(printk_info.caller_id)", &ll->off_caller },
		{ "OFFSET(prb_data_ring.size_bits)", &tr_size_bits },
		{ "OFFSET(prb_data_ring.data)", &tr_data },
		{ "OFFSET(atomic_long_t.counter)", &counter },
	};

	/* The first 5.10 release candidates had a dictionary ring and no
	 * infos array: a layout no released kernel shipped. */
	if (!log->src.vmcoreinfo_get(log->ctx, "OFFSET(prb_desc_ring.infos)"))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "lockless ring without OFFSET(prb_desc_ring.infos) "
			       "(the dictionary-ring layout of 5.10-rc kernels) "
			       "is not supported");
	err = kdx_log_number(log, "OFFSET(prb_desc_ring.infos)", &dr_infos);
	if (!err)
		err = need_keys(log, keys, sizeof(keys) / sizeof(keys[0]));
	if (err)
		return err;
	if (rb_size > MAX_STRUCT || ll->desc_size > MAX_STRUCT ||
	    ll->info_size > MAX_STRUCT)
		return kdx_err(KDX_ERR_CORRUPT,
			       "VMCOREINFO: printk structure sizes too large");
	ll->off_lpos_begin = off_lpos + lpos_begin;
	ll->off_lpos_next = off_lpos + lpos_next;
	if ((err = check_field("printk_ringbuffer.desc_ring.count_bits",
			       off_desc_ring + dr_count_bits, 4, rb_size)) ||
	    (err = check_field("prb_desc_ring.descs", off_desc_ring + dr_descs, ws, rb_size)) ||
	    (err = check_field("prb_desc_ring.infos", off_desc_ring + dr_infos, ws, rb_size)) ||
	    (err = check_field("prb_desc_ring.head_id", off_desc_ring + dr_head + counter, ws, rb_size)) ||
	    (err = check_field("prb_desc_ring.tail_id", off_desc_ring + dr_tail + counter, ws, rb_size)) ||
	    (err = check_field("prb_data_ring.size_bits", off_text_ring + tr_size_bits, 4, rb_size)) ||
	    (err = check_field("prb_data_ring.data", off_text_ring + tr_data, ws, rb_size)) ||
	    (err = check_field("prb_desc.state_var", ll->off_state + counter, ws, ll->desc_size)) ||
	    (err = check_field("prb_data_blk_lpos", off_lpos, lpos_size, ll->desc_size)) ||
	    (err = check_field("prb_data_blk_lpos.begin", lpos_begin, ws, lpos_size)) ||
	    (err = check_field("prb_data_blk_lpos.next", lpos_next, ws, lpos_size)) ||
	    (err = check_field("printk_info.seq", ll->off_seq, 8, ll->info_size)) ||
	    (err = check_field("printk_info.ts_nsec", ll->off_ts, 8, ll->info_size)) ||
	    (err = check_field("printk_info.text_len", ll->off_text_len, 2, ll->info_size)) ||
	    (err = check_field("printk_info.caller_id", ll->off_caller, 4, ll->info_size)))
		return err;
	ll->off_state += counter;

	/* facility, flags:5, level:3 are not exported; they are the two
	 * bytes between text_len (u16) and caller_id (u32) in every released
	 * layout, which we use only when the exported offsets agree. */
	ll->has_level = ll->off_caller == ll->off_text_len + 4;

	/* Device metadata (dev_printk_info): optional. */
	if (kdx_log_has_number(log, "OFFSET(printk_info.dev_info)", &off_dev_info) &&
	    kdx_log_has_number(log, "SIZE(dev_printk_info)", &dev_size) &&
	    kdx_log_has_number(log, "OFFSET(dev_printk_info.subsystem)", &ll->off_subsystem) &&
	    kdx_log_has_number(log, "LENGTH(printk_info_subsystem)", &ll->len_subsystem) &&
	    kdx_log_has_number(log, "OFFSET(dev_printk_info.device)", &ll->off_device) &&
	    kdx_log_has_number(log, "LENGTH(printk_info_device)", &ll->len_device)) {
		ll->off_subsystem += off_dev_info;
		ll->off_device += off_dev_info;
		ll->has_dev_info =
			field_fits("dev_printk_info", off_dev_info, dev_size, ll->info_size) &&
			field_fits("dev_printk_info.subsystem", ll->off_subsystem,
				   ll->len_subsystem, ll->info_size) &&
			field_fits("dev_printk_info.device", ll->off_device,
				   ll->len_device, ll->info_size);
	}

	/* prb is a pointer to the ring (printk_rb_static or the one
	 * allocated for log_buf_len=). */
	if ((err = kdx_log_symbol(log, "prb", &prb_sym)) ||
	    (err = kdx_log_read_word(log, "prb", prb_sym, &rb)))
		return err;
	hdr = malloc(rb_size ? rb_size : 1);
	if (!hdr)
		return kdx_err_nomem();
	err = kdx_log_read(log, "printk_ringbuffer", rb, hdr, rb_size);
	if (err) {
		free(hdr);
		return err;
	}
	count_bits = kdx_load_u32(hdr + off_desc_ring + dr_count_bits, log->src.byte_order);
	descs_va = kdx_log_load_word(log, hdr + off_desc_ring + dr_descs);
	infos_va = kdx_log_load_word(log, hdr + off_desc_ring + dr_infos);
	head = kdx_log_load_word(log, hdr + off_desc_ring + dr_head + counter);
	tail = kdx_log_load_word(log, hdr + off_desc_ring + dr_tail + counter);
	size_bits = kdx_load_u32(hdr + off_text_ring + tr_size_bits, log->src.byte_order);
	data_va = kdx_log_load_word(log, hdr + off_text_ring + tr_data);
	free(hdr);

	if (count_bits > MAX_COUNT_BITS || size_bits > MAX_SIZE_BITS ||
	    size_bits < 3 || size_bits >= 8u * ws)
		return kdx_err_set_address(
			       kdx_err(KDX_ERR_CORRUPT,
				       "printk_ringbuffer at 0x%llx: count_bits %u "
				       "or size_bits %u out of range",
				       (unsigned long long)rb, count_bits, size_bits),
			       rb);
	ll->count = (uint64_t)1 << count_bits;
	ll->size_bits = size_bits;
	ll->data_size = (uint64_t)1 << size_bits;
	/* DESC_ID_MASK: the state bits are the word's top two. */
	ll->id_mask = (ws == 8 ? UINT64_MAX : UINT32_MAX) >> 2;
	head &= ll->id_mask;
	tail &= ll->id_mask;
	log->stats.buffer_size = ll->data_size;
	log->stats.descriptors = ll->count;

	/* The ring never holds more than count descriptors between tail and
	 * head; a larger span is damage: read the newest count of them. */
	span = (head - tail) & ll->id_mask;
	if (span >= ll->count) {
		kdx_log_problem(log, kdx_err(KDX_ERR_CORRUPT,
					     "tail_id 0x%llx and head_id 0x%llx are %llu "
					     "descriptors apart, more than the ring's %llu; "
					     "reading the newest %llu",
					     (unsigned long long)tail, (unsigned long long)head,
					     (unsigned long long)span,
					     (unsigned long long)ll->count,
					     (unsigned long long)ll->count));
		span = ll->count - 1;
		tail = (head - span) & ll->id_mask;
	}
	ll->next_id = tail;
	ll->head_id = head;
	ll->left = span + 1;
	kdx_log_window_init(&ll->descs, "printk descriptor ring", descs_va,
			    ll->count * ll->desc_size);
	kdx_log_window_init(&ll->infos, "printk info ring", infos_va,
			    ll->count * ll->info_size);
	kdx_log_window_init(&ll->data, "printk text data ring", data_va, ll->data_size);
	return NULL;
}

static void lockless_deinit(struct kdx_log *log)
{
	kdx_log_window_deinit(&log->u.ll.descs);
	kdx_log_window_deinit(&log->u.ll.infos);
	kdx_log_window_deinit(&log->u.ll.data);
}

/* The bytes of a C string field of at most @max bytes. */
static size_t field_len(const uint8_t *p, uint64_t max)
{
	const uint8_t *nul = memchr(p, 0, max);

	return nul ? (size_t)(nul - p) : (size_t)max;
}

/* Where a text block lies, by the kernel's get_data(): a block either
 * lies within one wrap of the ring, or it wrapped and its data starts at
 * the ring's beginning. */
static struct kdx_error *block_range(const struct kdx_log_lockless *ll,
				     uint64_t id, uint64_t begin, uint64_t next,
				     uint64_t *start, uint64_t *len)
{
	uint64_t wmask = ll->id_mask << 2 | 3; /* the word's bits */
	uint64_t b_wrap = begin >> ll->size_bits, n_wrap = next >> ll->size_bits;

	if (b_wrap == n_wrap) {
		*start = begin & (ll->data_size - 1);
		*len = (next - begin) & wmask;
	} else if ((((begin + ll->data_size) & wmask) >> ll->size_bits) == n_wrap) {
		*start = 0;
		*len = next & (ll->data_size - 1);
	} else {
		return kdx_err(KDX_ERR_CORRUPT,
			       "descriptor 0x%llx: text block 0x%llx-0x%llx spans "
			       "more than one wrap of the %llu-byte data ring",
			       (unsigned long long)id, (unsigned long long)begin,
			       (unsigned long long)next,
			       (unsigned long long)ll->data_size);
	}
	if (*len > ll->data_size - *start)
		return kdx_err(KDX_ERR_CORRUPT,
			       "descriptor 0x%llx: text block 0x%llx-0x%llx is "
			       "larger than the data ring",
			       (unsigned long long)id, (unsigned long long)begin,
			       (unsigned long long)next);
	return NULL;
}

/* Fill @rec from descriptor @id; false (with a problem noted, or a state
 * counted) when it holds no record to show. */
static bool read_record(struct kdx_log *log, uint64_t id,
			struct kdx_log_record *rec)
{
	struct kdx_log_lockless *ll = &log->u.ll;
	unsigned int ws = log->src.word_size;
	uint64_t slot = id & (ll->count - 1);
	uint64_t sv, sv_id, begin, next, seq, start = 0, len = 0, blk_id, avail;
	unsigned int state, text_len;
	const uint8_t *d, *info, *blk;
	struct kdx_error *err = NULL;

	d = kdx_log_window_get(log, &ll->descs, slot * ll->desc_size, ll->desc_size, &err);
	if (!d) {
		kdx_log_stop(log, kdx_err_wrap(err, "descriptor 0x%llx",
					       (unsigned long long)id));
		return false;
	}
	sv = kdx_log_load_word(log, d + ll->off_state);
	begin = kdx_log_load_word(log, d + ll->off_lpos_begin);
	next = kdx_log_load_word(log, d + ll->off_lpos_next);
	state = (unsigned int)(sv >> (8 * ws - 2)) & 3;
	sv_id = sv & ll->id_mask;
	if (sv_id != id) {
		/* The head may be reserved by a writer that has not yet set its
		 * state ("desc_miss" in the kernel): not damage. */
		if (id == ll->head_id) {
			log->stats.skipped++;
			log->stats.reserved++;
			return false;
		}
		kdx_log_damaged(log, kdx_err(KDX_ERR_CORRUPT,
					     "descriptor 0x%llx (slot %llu) holds id 0x%llx",
					     (unsigned long long)id, (unsigned long long)slot,
					     (unsigned long long)sv_id));
		return false;
	}
	if (state == DESC_RESERVED || state == DESC_REUSABLE) {
		log->stats.skipped++;
		if (state == DESC_RESERVED)
			log->stats.reserved++;
		else
			log->stats.reusable++;
		return false;
	}
	info = kdx_log_window_get(log, &ll->infos, slot * ll->info_size, ll->info_size, &err);
	if (!info) {
		kdx_log_stop(log, kdx_err_wrap(err, "info of descriptor 0x%llx",
					       (unsigned long long)id));
		return false;
	}
	seq = kdx_load_u64(info + ll->off_seq, log->src.byte_order);
	/* desc_reserve() sets seq to the slot index and adds count on each
	 * reuse: a sequence in another slot is a torn info. */
	if ((seq & (ll->count - 1)) != slot) {
		kdx_log_damaged(log, kdx_err(KDX_ERR_CORRUPT,
					     "descriptor 0x%llx: info sequence %llu does "
					     "not belong to slot %llu",
					     (unsigned long long)id, (unsigned long long)seq,
					     (unsigned long long)slot));
		return false;
	}
	rec->seq = seq;
	rec->ts_nsec = kdx_load_u64(info + ll->off_ts, log->src.byte_order);
	rec->has_timestamp = true;
	text_len = kdx_load_u16(info + ll->off_text_len, log->src.byte_order);
	rec->has_caller = true;
	rec->caller_id = kdx_load_u32(info + ll->off_caller, log->src.byte_order);
	if (ll->has_level)
		kdx_log_decode_level(log, info + ll->off_text_len + 2, rec);
	if (state == DESC_COMMITTED)
		rec->flags |= KDX_LOG_FLAG_UNFINALIZED;
	kdx_log_dict_reset(log, rec);
	if (ll->has_dev_info) {
		const uint8_t *sub = info + ll->off_subsystem;
		const uint8_t *dev = info + ll->off_device;
		size_t sl = field_len(sub, ll->len_subsystem);
		size_t dl = field_len(dev, ll->len_device);

		if ((sl && !kdx_log_dict_add(log, rec, "SUBSYSTEM", (const char *)sub, sl)) ||
		    (dl && !kdx_log_dict_add(log, rec, "DEVICE", (const char *)dev, dl))) {
			kdx_log_stop(log, kdx_err_nomem());
			return false;
		}
	}

	/* Odd logical positions mean no data (FAILED_LPOS, NO_LPOS, and the
	 * empty-line marker of later kernels). */
	if ((begin & 1) || begin == next) {
		rec->flags |= KDX_LOG_FLAG_DATALESS;
		return true;
	}
	err = block_range(ll, id, begin, next, &start, &len);
	if (!err && len < ws)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "descriptor 0x%llx: text block of %llu bytes has no room "
			      "for its id", (unsigned long long)id,
			      (unsigned long long)len);
	if (err) {
		kdx_log_damaged(log, err);
		return false;
	}
	blk = kdx_log_window_get(log, &ll->data, start, len, &err);
	if (!blk) {
		kdx_log_damaged(log, kdx_err_wrap(err, "text of descriptor 0x%llx",
						  (unsigned long long)id));
		return false;
	}
	blk_id = kdx_log_load_word(log, blk) & ll->id_mask;
	if (blk_id != id) {
		kdx_log_damaged(log, kdx_err_set_address(
			    kdx_err(KDX_ERR_CORRUPT,
				    "descriptor 0x%llx: its text block at data offset 0x%llx "
				    "belongs to descriptor 0x%llx (overwritten)",
				    (unsigned long long)id, (unsigned long long)start,
				    (unsigned long long)blk_id),
			    ll->data.base + start));
		return false;
	}
	avail = len - ws;
	rec->text = (const char *)blk + ws;
	rec->text_len = text_len;
	if (text_len > avail) {
		rec->text_len = avail;
		rec->flags |= KDX_LOG_FLAG_TRUNCATED;
	}
	return true;
}

static bool lockless_next(struct kdx_log *log, struct kdx_log_record *rec)
{
	struct kdx_log_lockless *ll = &log->u.ll;

	/* Bounded: each pass consumes one of at most count descriptors. */
	while (ll->left && !log->stopped) {
		uint64_t id = ll->next_id;

		ll->next_id = (id + 1) & ll->id_mask;
		ll->left--;
		if (read_record(log, id, rec))
			return true;
	}
	return false;
}

const struct kdx_log_layout_ops kdx_log_lockless_ops = {
	.layout = KDX_LOG_LOCKLESS,
	.name = "lockless",
	.symbol = "SYMBOL(prb)",
	.open = lockless_open,
	.next = lockless_next,
	.deinit = lockless_deinit,
};
