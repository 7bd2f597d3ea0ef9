/* SPDX-License-Identifier: MIT */
/* Synthetic printk logs: see logbuild.h. */
#include "logbuild.h"

#include "bytes.h"

#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Not assert(): these checks (and their side effects) stay in release
 * builds, which define NDEBUG. */
#define CHECK(x)                                                          \
	do {                                                              \
		if (!(x)) {                                               \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x); \
			abort();                                          \
		}                                                         \
	} while (0)

/* ---- memory ---- */

void fm_init(struct fake_mem *m, enum kdx_byte_order bo, unsigned int ws)
{
	memset(m, 0, sizeof(*m));
	m->bo = bo;
	m->ws = ws;
}

void fm_free(struct fake_mem *m)
{
	for (int i = 0; i < m->nr; i++)
		free(m->r[i].data);
	for (int i = 0; i < m->nkv; i++) {
		free(m->kv[i].key);
		free(m->kv[i].value);
	}
	m->nr = m->nkv = 0;
}

uint8_t *fm_add(struct fake_mem *m, uint64_t va, size_t len)
{
	CHECK(m->nr < FM_MAX_REGIONS);
	m->r[m->nr].va = va;
	m->r[m->nr].len = len;
	m->r[m->nr].data = calloc(1, len ? len : 1);
	CHECK(m->r[m->nr].data);
	return m->r[m->nr++].data;
}

static int region_of(struct fake_mem *m, uint64_t va)
{
	for (int i = 0; i < m->nr; i++)
		if (va >= m->r[i].va && va - m->r[i].va < m->r[i].len)
			return i;
	return -1;
}

uint8_t *fm_at(struct fake_mem *m, uint64_t va)
{
	int i = region_of(m, va);

	CHECK(i >= 0);
	return m->r[i].data + (va - m->r[i].va);
}

void fm_set_unreadable(struct fake_mem *m, uint64_t va, bool unreadable)
{
	int i = region_of(m, va);

	CHECK(i >= 0);
	m->r[i].unreadable = unreadable;
}

void fm_del_key(struct fake_mem *m, const char *key)
{
	for (int i = 0; i < m->nkv; i++)
		if (!strcmp(m->kv[i].key, key)) {
			free(m->kv[i].key);
			free(m->kv[i].value);
			m->kv[i] = m->kv[--m->nkv];
			return;
		}
}

void fm_key(struct fake_mem *m, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *v;

	fm_del_key(m, key);
	va_start(ap, fmt);
	CHECK(vasprintf(&v, fmt, ap) >= 0);
	va_end(ap);
	CHECK(m->nkv < FM_MAX_KEYS);
	m->kv[m->nkv].key = strdup(key);
	m->kv[m->nkv++].value = v;
}

void fm_put_word(struct fake_mem *m, uint8_t *p, uint64_t v)
{
	put_bytes(p, v, (int)m->ws, m->bo);
}

uint64_t fm_get_word(struct fake_mem *m, const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < m->ws; i++) {
		unsigned int shift = m->bo == KDX_BIG_ENDIAN ? (m->ws - 1 - i) * 8 : i * 8;

		v |= (uint64_t)p[i] << shift;
	}
	return v;
}

static const char *fm_get(void *ctx, const char *key)
{
	struct fake_mem *m = ctx;

	for (int i = 0; i < m->nkv; i++)
		if (!strcmp(m->kv[i].key, key))
			return m->kv[i].value;
	return NULL;
}

/* Reads may cross regions only where they are adjacent; a gap or an
 * unreadable region is KDX_ERR_NODATA, as kdx_read_virt() would say. */
static struct kdx_error *fm_read(void *ctx, uint64_t va, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	uint8_t *out = buf;

	m->reads++;
	while (len) {
		int i = region_of(m, va);
		size_t n;

		if (i < 0 || m->r[i].unreadable)
			return kdx_err(KDX_ERR_NODATA, "0x%llx not mapped",
				       (unsigned long long)va);
		n = m->r[i].len - (size_t)(va - m->r[i].va);
		if (n > len)
			n = len;
		memcpy(out, m->r[i].data + (va - m->r[i].va), n);
		out += n;
		va += n;
		len -= n;
	}
	return NULL;
}

struct kdx_log_source fm_source(void)
{
	struct kdx_log_source s = {
		.version = KDX_LOG_SOURCE_VERSION,
		.vmcoreinfo_get = fm_get,
		.read_virt = fm_read,
	};

	return s;
}

/* ---- lockless ring ---- */

#define KVA64 0xffff888000000000ull
#define KVA32 0xc0000000ull

static uint64_t kva(struct fake_mem *m, uint64_t off)
{
	return (m->ws == 8 ? KVA64 : KVA32) + off;
}

static void prb_keys(struct prb_builder *b)
{
	struct fake_mem *m = b->m;
	unsigned int ws = m->ws;

	fm_key(m, "OSRELEASE", "6.1.0-test");
	fm_key(m, "SYMBOL(prb)", "%llx", (unsigned long long)kva(m, 0x100));
	fm_key(m, "SYMBOL(printk_rb_static)", "%llx", (unsigned long long)b->rb_va);
	fm_key(m, "SIZE(printk_ringbuffer)", "%u", 11 * ws);
	fm_key(m, "OFFSET(printk_ringbuffer.desc_ring)", "0");
	fm_key(m, "OFFSET(printk_ringbuffer.text_data_ring)", "%u", 6 * ws);
	fm_key(m, "OFFSET(printk_ringbuffer.fail)", "%u", 10 * ws);
	fm_key(m, "SIZE(prb_desc_ring)", "%u", 6 * ws);
	fm_key(m, "OFFSET(prb_desc_ring.count_bits)", "0");
	fm_key(m, "OFFSET(prb_desc_ring.descs)", "%u", ws);
	fm_key(m, "OFFSET(prb_desc_ring.infos)", "%u", 2 * ws);
	fm_key(m, "OFFSET(prb_desc_ring.head_id)", "%u", 3 * ws);
	fm_key(m, "OFFSET(prb_desc_ring.tail_id)", "%u", 4 * ws);
	fm_key(m, "SIZE(prb_desc)", "%u", 3 * ws);
	fm_key(m, "OFFSET(prb_desc.state_var)", "0");
	fm_key(m, "OFFSET(prb_desc.text_blk_lpos)", "%u", ws);
	fm_key(m, "SIZE(prb_data_blk_lpos)", "%u", 2 * ws);
	fm_key(m, "OFFSET(prb_data_blk_lpos.begin)", "0");
	fm_key(m, "OFFSET(prb_data_blk_lpos.next)", "%u", ws);
	fm_key(m, "SIZE(printk_info)", "88");
	fm_key(m, "OFFSET(printk_info.seq)", "0");
	fm_key(m, "OFFSET(printk_info.ts_nsec)", "8");
	fm_key(m, "OFFSET(printk_info.text_len)", "16");
	fm_key(m, "OFFSET(printk_info.caller_id)", "20");
	fm_key(m, "OFFSET(printk_info.dev_info)", "24");
	fm_key(m, "SIZE(dev_printk_info)", "64");
	fm_key(m, "OFFSET(dev_printk_info.subsystem)", "0");
	fm_key(m, "LENGTH(printk_info_subsystem)", "16");
	fm_key(m, "OFFSET(dev_printk_info.device)", "16");
	fm_key(m, "LENGTH(printk_info_device)", "48");
	fm_key(m, "SIZE(prb_data_ring)", "%u", 4 * ws);
	fm_key(m, "OFFSET(prb_data_ring.size_bits)", "0");
	fm_key(m, "OFFSET(prb_data_ring.data)", "%u", ws);
	fm_key(m, "OFFSET(prb_data_ring.head_lpos)", "%u", 2 * ws);
	fm_key(m, "OFFSET(prb_data_ring.tail_lpos)", "%u", 3 * ws);
	fm_key(m, "SIZE(atomic_long_t)", "%u", ws);
	fm_key(m, "OFFSET(atomic_long_t.counter)", "0");
}

void prb_init(struct prb_builder *b, struct fake_mem *m, unsigned int count_bits,
	      unsigned int size_bits, uint64_t first_id)
{
	unsigned int ws = m->ws;
	uint8_t *syms;

	memset(b, 0, sizeof(*b));
	b->m = m;
	b->count_bits = count_bits;
	b->size_bits = size_bits;
	b->count = 1ull << count_bits;
	b->data_size = 1ull << size_bits;
	b->id_mask = (ws == 8 ? UINT64_MAX : UINT32_MAX) >> 2;
	b->rb_va = kva(m, 0x200);
	b->descs_va = kva(m, 0x100000);
	b->infos_va = kva(m, 0x4000000);
	b->data_va = kva(m, 0x8000000);
	syms = fm_add(m, kva(m, 0), 0x1000);
	fm_put_word(m, syms + 0x100, b->rb_va);
	fm_add(m, b->descs_va, b->count * 3 * ws);
	fm_add(m, b->infos_va, b->count * 88);
	fm_add(m, b->data_va, b->data_size);
	b->base_id = first_id & b->id_mask;
	b->empty = true;
	/* An empty kernel ring: every slot reusable, as prb_init() leaves
	 * it (their ids are those of the round before). */
	for (uint64_t i = 0; i < b->count; i++) {
		uint64_t id = (b->base_id - b->count + i) & b->id_mask;

		prb_set_state(b, id, 3, id);
	}
	b->tail_lpos = b->head_lpos = (uint64_t)b->data_size * 5;
	prb_keys(b);
}

uint8_t *prb_desc(struct prb_builder *b, uint64_t id)
{
	return fm_at(b->m, b->descs_va + (id & (b->count - 1)) * 3 * b->m->ws);
}

uint8_t *prb_info(struct prb_builder *b, uint64_t id)
{
	return fm_at(b->m, b->infos_va + (id & (b->count - 1)) * 88);
}

void prb_set_state(struct prb_builder *b, uint64_t id, unsigned int state,
		   uint64_t sv_id)
{
	unsigned int ws = b->m->ws;

	fm_put_word(b->m, prb_desc(b, id),
		    (uint64_t)state << (8 * ws - 2) | (sv_id & b->id_mask));
}

static uint64_t word_mask(struct prb_builder *b)
{
	return b->m->ws == 8 ? UINT64_MAX : UINT32_MAX;
}

/* The oldest descriptor gives up its slot and its data. */
static void push_tail(struct prb_builder *b)
{
	uint8_t *d = prb_desc(b, b->tail_id);
	uint64_t begin = fm_get_word(b->m, d + b->m->ws);
	uint64_t next = fm_get_word(b->m, d + 2 * b->m->ws);

	if (!(begin & 1))
		b->tail_lpos = next;
	prb_set_state(b, b->tail_id, 3, b->tail_id);
	b->tail_id = (b->tail_id + 1) & b->id_mask;
}

uint64_t prb_add(struct prb_builder *b, uint64_t ts, int level, int facility,
		 uint32_t caller, const char *text, const char *subsystem,
		 const char *device)
{
	struct fake_mem *m = b->m;
	unsigned int ws = m->ws;
	size_t len = strlen(text);
	uint64_t id, begin, next, size, wm = word_mask(b);
	uint8_t *d, *info;

	id = b->empty ? b->base_id : (b->head_id + 1) & b->id_mask;
	if (b->empty)
		b->tail_id = id;
	else if (((id - b->tail_id) & b->id_mask) >= b->count)
		push_tail(b);
	if (len == 0) {
		begin = next = 3; /* NO_LPOS */
	} else {
		size = (ws + len + ws - 1) / ws * ws;
		CHECK(size <= b->data_size / 2);
		begin = b->head_lpos;
		next = (begin + size) & wm;
		if ((begin >> b->size_bits) != (next >> b->size_bits)) {
			/* DATA_THIS_WRAP_START_LPOS(next) + size */
			next = ((next & ~(b->data_size - 1)) + size) & wm;
			b->wrapped_blocks++;
		}
		/* Make room: data_push_tail() frees the oldest blocks. */
		while (((next - b->tail_lpos) & wm) > b->data_size)
			push_tail(b);
		{
			uint64_t at = (begin >> b->size_bits) == (next >> b->size_bits) ?
					      (begin & (b->data_size - 1)) : 0;
			uint8_t *blk = fm_at(m, b->data_va + at);

			fm_put_word(m, blk, id);
			memcpy(blk + ws, text, len);
		}
		b->head_lpos = next;
	}
	d = prb_desc(b, id);
	prb_set_state(b, id, 2, id);
	fm_put_word(m, d + ws, begin);
	fm_put_word(m, d + 2 * ws, next);
	info = prb_info(b, id);
	memset(info, 0, 88);
	put64(info, ((id - b->base_id) & b->id_mask) + (b->base_id & (b->count - 1)), m->bo);
	put64(info + 8, ts, m->bo);
	put16(info + 16, (uint16_t)len, m->bo);
	info[18] = (uint8_t)facility;
	info[19] = m->bo == KDX_BIG_ENDIAN ? (uint8_t)(2u << 3 | (unsigned)level) :
					     (uint8_t)((unsigned)level << 5 | 2u);
	put32(info + 20, caller, m->bo);
	if (subsystem)
		strncpy((char *)info + 24, subsystem, 16);
	if (device)
		strncpy((char *)info + 40, device, 48);
	b->head_id = id;
	b->empty = false;
	CHECK(b->nrec < PRB_MAX_RECORDS);
	b->rec[b->nrec].id = id;
	b->rec[b->nrec].ts = ts;
	b->rec[b->nrec].level = level;
	snprintf(b->rec[b->nrec].text, sizeof(b->rec[0].text), "%s", text);
	b->nrec++;
	return id;
}

void prb_finish(struct prb_builder *b)
{
	struct fake_mem *m = b->m;
	unsigned int ws = m->ws;
	uint8_t *rb = fm_at(m, b->rb_va);

	put32(rb, b->count_bits, m->bo);
	fm_put_word(m, rb + ws, b->descs_va);
	fm_put_word(m, rb + 2 * ws, b->infos_va);
	/* An empty ring (prb_init()): head and tail on one reusable
	 * descriptor, the one before the first id. */
	fm_put_word(m, rb + 3 * ws, b->empty ? (b->base_id - 1) & b->id_mask : b->head_id);
	fm_put_word(m, rb + 4 * ws, b->empty ? (b->base_id - 1) & b->id_mask : b->tail_id);
	put32(rb + 6 * ws, b->size_bits, m->bo);
	fm_put_word(m, rb + 7 * ws, b->data_va);
	fm_put_word(m, rb + 8 * ws, b->head_lpos);
	fm_put_word(m, rb + 9 * ws, b->tail_lpos);
}

unsigned int prb_retained(struct prb_builder *b, unsigned int *idx,
			  unsigned int max)
{
	unsigned int n = 0;
	uint64_t span = (b->head_id - b->tail_id) & b->id_mask;

	if (b->empty)
		return 0;
	for (unsigned int i = 0; i < b->nrec; i++) {
		uint64_t rel = (b->rec[i].id - b->tail_id) & b->id_mask;

		if (rel <= span && b->rec[i].text[0] && n < max)
			idx[n++] = i;
	}
	return n;
}

/* ---- structured log_buf ---- */

void st_init(struct st_builder *b, struct fake_mem *m, uint32_t buf_len,
	     bool caller, bool old_name)
{
	const char *sn = old_name ? "log" : "printk_log";
	char key[64];
	uint8_t *syms;

	memset(b, 0, sizeof(*b));
	b->m = m;
	b->buf_len = buf_len;
	b->caller = caller;
	b->hdr = caller ? 24 : 16;
	b->align = m->ws;
	b->buf_va = kva(m, 0x200000);
	b->buf = fm_add(m, b->buf_va, buf_len);
	syms = fm_add(m, kva(m, 0), 0x1000);
	fm_put_word(m, syms + 0x100, b->buf_va);
	put32(syms + 0x110, buf_len, m->bo);
	fm_key(m, "OSRELEASE", "4.19.0-test");
	fm_key(m, "SYMBOL(log_buf)", "%llx", (unsigned long long)kva(m, 0x100));
	fm_key(m, "SYMBOL(log_buf_len)", "%llx", (unsigned long long)kva(m, 0x110));
	fm_key(m, "SYMBOL(log_first_idx)", "%llx", (unsigned long long)kva(m, 0x120));
	fm_key(m, "SYMBOL(log_next_idx)", "%llx", (unsigned long long)kva(m, 0x130));
	fm_key(m, "SYMBOL(clear_idx)", "%llx", (unsigned long long)kva(m, 0x140));
	snprintf(key, sizeof(key), "SIZE(%s)", sn);
	fm_key(m, key, "%u", b->hdr);
	snprintf(key, sizeof(key), "OFFSET(%s.ts_nsec)", sn);
	fm_key(m, key, "0");
	snprintf(key, sizeof(key), "OFFSET(%s.len)", sn);
	fm_key(m, key, "8");
	snprintf(key, sizeof(key), "OFFSET(%s.text_len)", sn);
	fm_key(m, key, "10");
	snprintf(key, sizeof(key), "OFFSET(%s.dict_len)", sn);
	fm_key(m, key, "12");
	if (caller) {
		snprintf(key, sizeof(key), "OFFSET(%s.caller_id)", sn);
		fm_key(m, key, "16");
	}
}

static bool st_has_space(struct st_builder *b, uint32_t size, bool empty)
{
	uint32_t free_bytes;

	if (b->next_idx > b->first_idx || empty)
		free_bytes = (uint32_t)b->buf_len - b->next_idx > b->first_idx ?
				     (uint32_t)b->buf_len - b->next_idx : b->first_idx;
	else
		free_bytes = b->first_idx - b->next_idx;
	return free_bytes >= size + b->hdr;
}

static uint32_t st_next(struct st_builder *b, uint32_t idx)
{
	uint16_t len = b->m->bo == KDX_BIG_ENDIAN ?
			       (uint16_t)(b->buf[idx + 8] << 8 | b->buf[idx + 9]) :
			       (uint16_t)(b->buf[idx + 9] << 8 | b->buf[idx + 8]);

	if (!len) {
		len = b->m->bo == KDX_BIG_ENDIAN ? (uint16_t)(b->buf[8] << 8 | b->buf[9]) :
						   (uint16_t)(b->buf[9] << 8 | b->buf[8]);
		return len;
	}
	return idx + len;
}

/* log_store() of Linux 3.5 - 5.9. */
void st_add(struct st_builder *b, uint64_t ts, int level, int facility,
	    uint32_t caller, const char *text, const char *dict, size_t dict_len)
{
	struct fake_mem *m = b->m;
	size_t tl = strlen(text);
	uint32_t size = (uint32_t)((b->hdr + tl + dict_len + b->align - 1) / b->align * b->align);
	uint8_t *r;

	while (b->first_seq < b->next_seq && !st_has_space(b, size, false)) {
		b->first_idx = st_next(b, b->first_idx);
		b->first_seq++;
	}
	CHECK(st_has_space(b, size, b->first_seq == b->next_seq));
	if (b->next_idx + size + b->hdr > b->buf_len) {
		memset(b->buf + b->next_idx, 0, b->hdr);
		b->next_idx = 0;
		b->wraps++;
	}
	r = b->buf + b->next_idx;
	memset(r, 0, size);
	put64(r, ts, m->bo);
	put16(r + 8, (uint16_t)size, m->bo);
	put16(r + 10, (uint16_t)tl, m->bo);
	put16(r + 12, (uint16_t)dict_len, m->bo);
	r[14] = (uint8_t)facility;
	r[15] = m->bo == KDX_BIG_ENDIAN ? (uint8_t)(2u << 3 | (unsigned)level) :
					  (uint8_t)((unsigned)level << 5 | 2u);
	if (b->caller)
		put32(r + 16, caller, m->bo);
	memcpy(r + b->hdr, text, tl);
	if (dict_len)
		memcpy(r + b->hdr + tl, dict, dict_len);
	b->next_idx += size;
	b->next_seq++;
}

void st_finish(struct st_builder *b)
{
	uint8_t *syms = fm_at(b->m, kva(b->m, 0));

	put32(syms + 0x120, b->first_idx, b->m->bo);
	put32(syms + 0x130, b->next_idx, b->m->bo);
}

/* ---- character ring ---- */

void plain_build(struct fake_mem *m, uint32_t buf_len, const char *text,
		 const char *osrelease)
{
	uint8_t *syms = fm_add(m, kva(m, 0), 0x1000);
	uint8_t *buf = fm_add(m, kva(m, 0x300000), buf_len);
	size_t n = strlen(text);
	unsigned int a = 0, b = 0, c = 0;
	bool long_end;

	/* log_end was an unsigned long before 2.6.25. */
	sscanf(osrelease, "%u.%u.%u", &a, &b, &c);
	long_end = a == 2 && b == 6 && c < 25;

	for (size_t i = 0; i < n; i++)
		buf[i & (buf_len - 1)] = (uint8_t)text[i];
	fm_put_word(m, syms + 0x100, kva(m, 0x300000));
	plain_claim(m, buf_len, n, long_end);
	fm_key(m, "OSRELEASE", "%s", osrelease);
	fm_key(m, "SYMBOL(log_buf)", "%llx", (unsigned long long)kva(m, 0x100));
	fm_key(m, "SYMBOL(log_buf_len)", "%llx", (unsigned long long)kva(m, 0x110));
	fm_key(m, "SYMBOL(log_end)", "%llx", (unsigned long long)kva(m, 0x120));
}

void plain_claim(struct fake_mem *m, uint32_t buf_len, uint64_t log_end,
		 bool long_end)
{
	uint8_t *syms = fm_at(m, kva(m, 0));

	put32(syms + 0x110, buf_len, m->bo);
	if (long_end)
		fm_put_word(m, syms + 0x120, log_end);
	else
		put32(syms + 0x120, (uint32_t)log_end, m->bo);
}
