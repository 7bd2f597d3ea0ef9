/* SPDX-License-Identifier: MIT */
/* VMCOREINFO: the kernel's "KEY=value\n" description of itself. */
#include "lib/dump.h"

#include "core/endian.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdx_error *kdx_dump_set_vmcoreinfo(struct kdx_dump *dump,
					  const char *text, size_t len,
					  const char *source)
{
	size_t capacity = 0;
	char *line;

	/* The note payload is padded with NULs; stop at the first. */
	dump->vmcoreinfo_text = kdx_strndup(text, len);
	dump->vmcoreinfo_source = strdup(source);
	if (!dump->vmcoreinfo_text || !dump->vmcoreinfo_source)
		return kdx_err_nomem();
	line = dump->vmcoreinfo_text;
	/* Bounded: each pass consumes at least one byte of the text. */
	while (*line) {
		char *end = strchr(line, '\n');
		char *eq;

		if (end)
			*end = '\0';
		eq = strchr(line, '=');
		if (eq) {
			struct kdx_vmcoreinfo_entry e = { line, eq + 1 };

			*eq = '\0';
			if (!kdx_array_push((void **)&dump->vmcoreinfo,
					    &dump->vmcoreinfo_count, &capacity,
					    &e, sizeof(e)))
				return kdx_err_nomem();
		}
		if (!end)
			break;
		line = end + 1;
	}
	return NULL;
}

struct kdx_error *kdx_dump_load_vmcoreinfo(struct kdx_dump *dump)
{
	for (size_t i = 0; i < dump->desc.note_count; i++) {
		const struct kdx_desc_note *n = &dump->desc.notes[i];
		char source[64];

		if (strcmp(n->name, "VMCOREINFO") != 0)
			continue;
		snprintf(source, sizeof(source), "ELF note at file offset 0x%llx",
			 (unsigned long long)n->file_offset);
		return kdx_dump_set_vmcoreinfo(dump, (const char *)n->desc,
					       n->desc_size, source);
	}
	return NULL;
}

const struct kdx_vmcoreinfo_entry *
kdx_dump_vmcoreinfo(const struct kdx_dump *dump, size_t *count)
{
	*count = dump->vmcoreinfo_count;
	return dump->vmcoreinfo;
}

const char *kdx_dump_vmcoreinfo_get(const struct kdx_dump *dump,
				    const char *key)
{
	for (size_t i = 0; i < dump->vmcoreinfo_count; i++)
		if (!strcmp(dump->vmcoreinfo[i].key, key))
			return dump->vmcoreinfo[i].value;
	return NULL;
}

const char *kdx_dump_vmcoreinfo_source(const struct kdx_dump *dump)
{
	return dump->vmcoreinfo_source;
}

/* Keys only one architecture's arch_crash_save_vmcoreinfo() writes
 * (arch/x86/kernel/machine_kexec_64.c, arch/arm64/kernel/crash_core.c). */
static const struct {
	const char *key;
	enum kdx_arch arch;
} arch_keys[] = {
	{ "SYMBOL(init_top_pgt)", KDX_ARCH_X86_64 },
	{ "SYMBOL(init_level4_pgt)", KDX_ARCH_X86_64 },
	{ "NUMBER(pgtable_l5_enabled)", KDX_ARCH_X86_64 },
	{ "NUMBER(kimage_voffset)", KDX_ARCH_AARCH64 },
	{ "NUMBER(TCR_EL1_T1SZ)", KDX_ARCH_AARCH64 },
};

enum kdx_arch kdx_dump_arch_from_vmcoreinfo(const struct kdx_dump *dump)
{
	for (size_t i = 0; i < KDX_ARRAY_SIZE(arch_keys); i++)
		if (kdx_dump_vmcoreinfo_get(dump, arch_keys[i].key))
			return arch_keys[i].arch;
	return KDX_ARCH_UNKNOWN;
}

/* ---- Finding VMCOREINFO in physical memory ----
 *
 * A dump taken from outside (QEMU without its vmcoreinfo device, a
 * physical image) has no note, but the kernel keeps the text in memory:
 * vmcoreinfo_data (a page of its own, starting "OSRELEASE=") and the ELF
 * note built from it (vmcoreinfo_note, page aligned since 4.15: Elf_Nhdr
 * n_namesz 11, n_type 0, "VMCOREINFO\0" padded to 12, then the text).
 * Page starts are scanned; a candidate must be printable KEY=value lines
 * with an OSRELEASE line and a power-of-two PAGESIZE. */

/* 120 KiB a read: with VMCI_MAX of overlap the buffer stays under 128
 * KiB, in the allocators' small classes (ASan's; a megabyte was mapped
 * and unmapped for each dump a fuzzer opened). */
#define SCAN_CHUNK (120u << 10)
#define SCAN_STEP 4096u
#define VMCI_MAX 4096u

static uint32_t load32(const uint8_t *p, bool be)
{
	return kdx_load_u32(p, be ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN);
}

/* Length of a plausible VMCOREINFO text at @p (up to @max bytes), or 0. */
static size_t vmci_text(const uint8_t *p, size_t max)
{
	size_t n = 0;
	const char *ps;
	unsigned long long psize;

	if (max < 10 || memcmp(p, "OSRELEASE=", 10) != 0)
		return 0;
	while (n < max && p[n] && (p[n] == '\n' || (p[n] >= 0x20 && p[n] < 0x7f)))
		n++;
	if (n < max && p[n])
		return 0; /* binary inside the text */
	ps = NULL;
	for (size_t i = 0; i + 10 <= n && !ps; i++)
		if (p[i] == '\n' && !memcmp(p + i, "\nPAGESIZE=", 10))
			ps = (const char *)p + i;
	if (!ps)
		return 0;
	psize = strtoull(ps + 10, NULL, 10);
	if (psize < 1024 || (psize & (psize - 1)))
		return 0;
	return n;
}

/* A candidate at the start of @page (@len bytes available). */
static size_t candidate(const uint8_t *page, size_t len, bool be,
			size_t *text_off)
{
	if (len >= 24 && load32(page, be) == 11 && load32(page + 8, be) == 0 &&
	    !memcmp(page + 12, "VMCOREINFO", 11)) {
		uint32_t descsz = load32(page + 4, be);
		size_t n = len - 24 < descsz ? len - 24 : descsz;

		*text_off = 24;
		return descsz <= VMCI_MAX ? vmci_text(page + 24, n) : 0;
	}
	*text_off = 0;
	return vmci_text(page, len < VMCI_MAX ? len : VMCI_MAX);
}

/* Whether the page starting with @head (@len bytes of it) can start a
 * candidate: the note's header, or the text's first key.  Most pages are
 * rejected from these few bytes, so the scan reads those alone: copying
 * every page costs more than the rest of an open (a 128 MiB xc_core:
 * 95 M instructions of memcpy). */
#define PEEK (24u + 10u)

static bool may_start(const uint8_t *head, size_t len, bool be)
{
	if (len >= PEEK && load32(head, be) == 11 && load32(head + 8, be) == 0 &&
	    !memcmp(head + 12, "VMCOREINFO", 11))
		return true;
	return len >= 10 && !memcmp(head, "OSRELEASE=", 10);
}

/* The candidate at page @at (below @end), read whole; 0 if none. */
static size_t try_page(struct kdx_dump *dump, uint64_t at, uint64_t end,
		       bool be, uint8_t *buf, size_t *text_off)
{
	size_t want = end - at < PEEK ? (size_t)(end - at) : PEEK;
	struct kdx_error *err = kdx_read_phys(dump, at, buf, want,
					      KDX_READ_ZERO_FILL, NULL);

	if (err || !may_start(buf, want, be)) {
		kdx_error_destroy(err);
		return 0;
	}
	want = end - at < 24 + VMCI_MAX ? (size_t)(end - at) : 24 + VMCI_MAX;
	err = kdx_read_phys(dump, at, buf, want, KDX_READ_ZERO_FILL, NULL);
	if (err) {
		kdx_error_destroy(err);
		return 0;
	}
	return candidate(buf, want, be, text_off);
}

struct kdx_error *kdx_dump_search_vmcoreinfo(struct kdx_dump *dump)
{
	bool be = dump->desc.byte_order == KDX_BIG_ENDIAN;
	uint8_t buf[24 + VMCI_MAX];

	for (size_t r = 0; r < dump->range_count; r++) {
		uint64_t start;
		uint64_t end;

		/* Only bytes the dump holds can hold it: memory described but
		 * not written (a p_memsz tail of any size) reads as zeros. */
		if (dump->ranges[r].kind != KDX_RANGE_DATA)
			continue;
		start = (dump->ranges[r].start + SCAN_STEP - 1) &
			~(uint64_t)(SCAN_STEP - 1);
		end = dump->ranges[r].start + dump->ranges[r].size;
		if (start < dump->ranges[r].start)
			continue; /* rounding up wrapped: no aligned page */

		/* Bounded: every pass moves one chunk through the range. */
		for (uint64_t at = start; at < end && at >= start; at += SCAN_CHUNK) {
			uint64_t held = kdx_dump_next_held(dump, at, end);

			/* Skip what the dump describes but does not store (a
			 * flattened stream's unwritten bytes read as zeros):
			 * the scan costs what the file holds. */
			if (held >= end)
				break;
			at = held & ~(uint64_t)(SCAN_STEP - 1);
			for (uint64_t off = 0; off < SCAN_CHUNK && at + off < end;
			     off += SCAN_STEP) {
				size_t text_off, n = try_page(dump, at + off, end,
							      be, buf, &text_off);
				char source[96];

				if (!n)
					continue;
				snprintf(source, sizeof(source),
					 "found in physical memory at 0x%llx (%s; the dump has no VMCOREINFO note)",
					 (unsigned long long)(at + off + text_off),
					 text_off ? "ELF note" : "text");
				return kdx_dump_set_vmcoreinfo(
					dump, (const char *)buf + text_off, n,
					source);
			}
		}
	}
	return NULL;
}
