/* SPDX-License-Identifier: MIT */
/* Fuzz VMCOREINFO parsing and the printk log readers (lockless ring,
 * structured log_buf, character ring) over fuzzed kernel memory.
 *
 * Input:
 *   0      bit 0: big-endian kernel; bit 1: 4-byte words (else 8)
 *   1-2    L, little-endian: bytes of VMCOREINFO text that follow
 *   3..    the text, as the kernel's VMCOREINFO note holds it
 *   then   up to MAX_REGIONS regions of kernel virtual memory: 8-byte
 *          little-endian address, 4-byte little-endian length, the bytes
 *          (cut at the end of the input)
 * The text goes into an ELF core's VMCOREINFO note, which the library
 * parses; the log reader then finds its keys through the dump
 * (kdx_dump_vmcoreinfo_get) and reads the regions.  Checked: the dump's
 * accessors (fuzz_common.c), that the walk ends, that records are sane
 * and that a walk stopped early says why.  Seeds: fuzz/make-log-seeds.c
 * (tests/log/logbuild.c's rings, every layout, byte order and word size). */
#include "fuzz_common.h"

#include <kdx/log.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REGIONS 16
/* Records taken from one log: the reader bounds its walk by the ring's
 * size, which the input chooses; this bounds the run. */
#define MAX_RECORDS 4096u

struct memory {
	struct {
		uint64_t va;
		const uint8_t *bytes;
		size_t len;
	} r[MAX_REGIONS];
	int n;
	const struct kdx_dump *dump;
};

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An ELF64 core with one PT_NOTE holding a VMCOREINFO note of @text. */
static uint8_t *vmcoreinfo_core(const uint8_t *text, size_t len,
				size_t *out_size)
{
	size_t desc = (len + 3) & ~(size_t)3;
	size_t note = 12 + 12 + desc, size = 64 + 56 + note;
	uint8_t *f = calloc(1, size);

	if (!f)
		return NULL;
	memcpy(f, "\177ELF\2\1\1", 7);
	put(f + 16, 4, 2);    /* ET_CORE */
	put(f + 18, 62, 2);   /* EM_X86_64 */
	put(f + 20, 1, 4);
	put(f + 32, 64, 8);   /* e_phoff */
	put(f + 52, 64, 2);
	put(f + 54, 56, 2);
	put(f + 56, 1, 2);
	put(f + 64, 4, 4);    /* PT_NOTE */
	put(f + 64 + 8, 120, 8);
	put(f + 64 + 32, note, 8);
	put(f + 64 + 40, note, 8);
	put(f + 120, 11, 4);
	put(f + 124, len, 4);
	put(f + 128, 0, 4);
	memcpy(f + 132, "VMCOREINFO", 11);
	memcpy(f + 144, text, len);
	*out_size = size;
	return f;
}

static const char *key(void *ctx, const char *name)
{
	const struct memory *m = ctx;

	return kdx_dump_vmcoreinfo_get(m->dump, name);
}

static struct kdx_error *read_virt(void *ctx, uint64_t va, void *buf,
				   size_t len)
{
	const struct memory *m = ctx;
	uint8_t *out = buf;

	while (len) {
		int i;
		size_t n;

		for (i = 0; i < m->n; i++)
			if (va >= m->r[i].va && va - m->r[i].va < m->r[i].len)
				break;
		if (i == m->n)
			/* The dump has no memory: its error for @va is
			 * what a read of kernel memory there says. */
			return kdx_read_phys(m->dump, va, out, len, 0, NULL);
		n = m->r[i].len - (size_t)(va - m->r[i].va);
		if (n > len)
			n = len;
		memcpy(out, m->r[i].bytes + (va - m->r[i].va), n);
		out += n;
		va += n;
		len -= n;
	}
	return NULL;
}

static void read_log(struct memory *m, enum kdx_byte_order bo,
		     unsigned int ws)
{
	struct kdx_log_source src = {
		.version = KDX_LOG_SOURCE_VERSION,
		.byte_order = bo,
		.word_size = ws,
		.vmcoreinfo_get = key,
		.read_virt = read_virt,
	};
	struct kdx_log *log = NULL;
	struct kdx_log_record rec;
	struct kdx_log_stats st;
	struct kdx_error *err = kdx_log_open_source(&src, m, &log);
	volatile unsigned int sink = 0;
	unsigned int n = 0;

	if (err) {
		kdx_fuzz_error(err);
		return;
	}
	FUZZ_CHECK(kdx_log_layout_name(kdx_log_get_layout(log)) != NULL);
	while (n < MAX_RECORDS && kdx_log_next(log, &rec)) {
		FUZZ_CHECK(rec.text != NULL || rec.text_len == 0);
		FUZZ_CHECK(rec.dict != NULL || rec.dict_len == 0);
		if (rec.text_len)
			sink += (uint8_t)rec.text[0] +
				(uint8_t)rec.text[rec.text_len - 1];
		if (rec.dict_len)
			FUZZ_CHECK(rec.dict[rec.dict_len - 1] == '\0');
		n++;
	}
	kdx_log_get_stats(log, &st);
	if (getenv("KDX_FUZZ_VERBOSE")) /* for checking seeds by hand */
		fprintf(stderr, "%s: %u records, %llu skipped%s%s\n",
			kdx_log_layout_name(kdx_log_get_layout(log)), n,
			(unsigned long long)st.skipped,
			kdx_log_status(log) ? ": " : "",
			kdx_log_status(log) ?
				kdx_error_message(kdx_log_status(log)) : "");
	FUZZ_CHECK(st.records == n);
	FUZZ_CHECK(st.reserved + st.reusable + st.damaged <= st.skipped);
	if (kdx_log_stopped_early(log))
		FUZZ_CHECK(kdx_log_status(log) != NULL);
	if (kdx_log_status(log))
		FUZZ_CHECK(kdx_error_message(kdx_log_status(log))[0] != '\0');
	kdx_log_destroy(log);
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct memory m = { .n = 0 };
	struct kdx_open_options opts;
	struct kdx_fuzz_input in;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	size_t text, at, core_size;
	uint8_t *core;

	if (size < 3)
		return 0;
	text = (size_t)le(data + 1, 2);
	if (text > size - 3)
		text = size - 3;
	for (at = 3 + text; at + 12 <= size && m.n < MAX_REGIONS; m.n++) {
		size_t len = (size_t)le(data + at + 8, 4);

		m.r[m.n].va = le(data + at, 8);
		at += 12;
		m.r[m.n].len = len < size - at ? len : size - at;
		m.r[m.n].bytes = data + at;
		at += m.r[m.n].len;
	}
	core = vmcoreinfo_core(data + 3, text, &core_size);
	if (!core)
		return 0;
	kdx_open_options_init(&opts);
	opts.format = "elf";
	err = kdx_dump_open_memory(core, core_size, &opts, &dump);
	if (err) {
		kdx_fuzz_error(err);
		free(core);
		return 0;
	}
	in = (struct kdx_fuzz_input){ .data = core, .size = core_size };
	kdx_fuzz_exercise(dump, &in);
	m.dump = dump;
	read_log(&m, data[0] & 1 ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN,
		 data[0] & 2 ? 4 : 8);
	kdx_dump_destroy(dump);
	free(core);
	return 0;
}
