/* SPDX-License-Identifier: MIT */
/* QEMU migration streams saved to a file (migrate "exec:cat > FILE",
 * the stream `virsh save` wraps): the "ram" section's page records give
 * every page of every RAM block, each block is placed in guest-physical
 * space the way QEMU's machine lays it out; the device state after the
 * RAM gives the CPUs' registers where QEMU described it (qemu_devstate.c).
 * Layout and sources: docs/memory-images.md. */
#include "format/qemu_savevm.h"

#include "format/qemu_devstate.h"
#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QEVM_MAGIC 0x5145564du /* "QEVM" */
#define QEVM_VERSION 3u
#define QEVM_VERSION_COMPAT 2u

/* Stream items (migration/savevm.c). */
enum {
	VM_EOF = 0x00,
	VM_SECTION_START = 0x01,
	VM_SECTION_PART = 0x02,
	VM_SECTION_END = 0x03,
	VM_SECTION_FULL = 0x04,
	VM_SUBSECTION = 0x05,
	VM_CONFIGURATION = 0x07,
	VM_COMMAND = 0x08,
	VM_SECTION_FOOTER = 0x7e,
};

/* RAM page record flags, in the low bits of the record's address
 * (migration/ram.c). */
enum {
	RAM_FULL = 0x01, /* obsolete */
	RAM_ZERO = 0x02,
	RAM_MEM_SIZE = 0x04,
	RAM_PAGE = 0x08,
	RAM_EOS = 0x10,
	RAM_CONTINUE = 0x20,
	RAM_XBZRLE = 0x40,
	RAM_HOOK = 0x80,
	RAM_COMPRESS_PAGE = 0x100,
	RAM_MULTIFD_FLUSH = 0x200,
};

#define RAM_SECTION_VERSION 4u
#define DEFAULT_PAGE_BITS 12u
#define MAX_BLOCKS 4096u
#define MAX_CAPABILITIES 256u
#define NAME_MAX_LEN 255u
/* A page record is at least its 8-byte header and a fill byte. */
#define MIN_RECORD 9u
/* Pages (4 GiB of 4 KiB) a stream cut short may lack. */
#define CUT_SLACK (1u << 20)

/* pages[] values besides a file offset (which is never below 8). */
#define PAGE_NOT_SENT 0u
#define PAGE_ZERO UINT64_MAX

#define CURSOR_BUF 65536u

struct ram_block {
	char name[NAME_MAX_LEN + 1];
	uint64_t length;
	uint64_t first_page; /* its pages' index in pages[] */
};

struct savevm {
	const struct kdx_file *file;
	uint32_t page_size;
	char machine[NAME_MAX_LEN + 1];
	struct ram_block *blocks;
	size_t block_count, block_capacity;
	uint64_t *pages; /* file offset, PAGE_ZERO or PAGE_NOT_SENT */
	uint64_t page_count;
	uint64_t data_pages, zero_pages, resent_pages;
	uint32_t ram_section;
	bool have_ram_section, ram_done, have_sizes;
	bool footers; /* the RAM sections end in footers (QEMU 2.4 on) */
	const struct ram_block *current; /* RAM_CONTINUE's block */
};

/* Buffered sequential reads over the stream. */
struct cursor {
	const struct kdx_file *file;
	uint64_t pos, end;
	uint64_t buf_at;
	size_t buf_len;
	uint8_t buf[CURSOR_BUF];
};

bool kdx_qemu_savevm_probe(const uint8_t *head, size_t len)
{
	return len >= 8 && kdx_load_u32(head, KDX_BIG_ENDIAN) == QEVM_MAGIC &&
	       (kdx_load_u32(head + 4, KDX_BIG_ENDIAN) == QEVM_VERSION ||
		kdx_load_u32(head + 4, KDX_BIG_ENDIAN) == QEVM_VERSION_COMPAT);
}

static struct kdx_error *cut_short(const struct cursor *c, const char *what)
{
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT,
			"QEMU stream: offset 0x%llx: the file ends before %s",
			(unsigned long long)c->pos, what),
		c->pos);
}

static struct kdx_error *get(struct cursor *c, void *out, size_t n,
			     const char *what)
{
	struct kdx_error *err;

	if (c->end - c->pos < n)
		return cut_short(c, what);
	if (c->pos < c->buf_at || c->pos + n > c->buf_at + c->buf_len) {
		c->buf_at = c->pos;
		err = kdx_file_read_some(c->file, c->pos, c->buf,
					 sizeof(c->buf), &c->buf_len);
		if (err)
			return err;
		if (c->buf_len < n)
			return cut_short(c, what);
	}
	memcpy(out, c->buf + (c->pos - c->buf_at), n);
	c->pos += n;
	return NULL;
}

static struct kdx_error *skip(struct cursor *c, uint64_t n, const char *what)
{
	if (c->end - c->pos < n)
		return cut_short(c, what);
	c->pos += n;
	return NULL;
}

static struct kdx_error *get_u8(struct cursor *c, uint8_t *v, const char *what)
{
	return get(c, v, 1, what);
}

static struct kdx_error *get_be16(struct cursor *c, uint16_t *v,
				  const char *what)
{
	uint8_t b[2];
	struct kdx_error *err = get(c, b, sizeof(b), what);

	*v = err ? 0 : kdx_load_u16(b, KDX_BIG_ENDIAN);
	return err;
}

static struct kdx_error *get_be32(struct cursor *c, uint32_t *v,
				  const char *what)
{
	uint8_t b[4];
	struct kdx_error *err = get(c, b, sizeof(b), what);

	*v = err ? 0 : kdx_load_u32(b, KDX_BIG_ENDIAN);
	return err;
}

static struct kdx_error *get_be64(struct cursor *c, uint64_t *v,
				  const char *what)
{
	uint8_t b[8];
	struct kdx_error *err = get(c, b, sizeof(b), what);

	*v = err ? 0 : kdx_load_u64(b, KDX_BIG_ENDIAN);
	return err;
}

/* A name of @len bytes (a u8 or u32 length came first) into @out. */
static struct kdx_error *get_name(struct cursor *c, uint32_t len,
				  char out[NAME_MAX_LEN + 1], const char *what)
{
	struct kdx_error *err;

	if (len > NAME_MAX_LEN)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"QEMU stream: offset 0x%llx: %s of %u bytes (at most %u)",
				(unsigned long long)c->pos, what, len,
				NAME_MAX_LEN),
			c->pos);
	err = get(c, out, len, what);
	out[err ? 0 : len] = '\0';
	return err;
}

static struct kdx_error *get_short_name(struct cursor *c,
					char out[NAME_MAX_LEN + 1],
					const char *what)
{
	uint8_t len = 0;
	struct kdx_error *err = get_u8(c, &len, what);

	return err ? err : get_name(c, len, out, what);
}

static struct kdx_error *peek_u8(struct cursor *c, uint8_t *v, bool *eof)
{
	struct kdx_error *err;

	*eof = c->pos >= c->end;
	if (*eof)
		return NULL;
	err = get_u8(c, v, "a byte");
	if (!err)
		c->pos--;
	return err;
}

static struct kdx_error *bad(uint64_t at, enum kdx_error_code code,
			     const char *fmt, ...) KDX_PRINTF(3, 4);

static struct kdx_error *bad(uint64_t at, enum kdx_error_code code,
			     const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kdx_err_set_file_offset(
		kdx_err(code, "QEMU stream: offset 0x%llx: %s",
			(unsigned long long)at, what),
		at);
}

/* ---- the configuration section ---- */

/* Its subsections (migration/savevm.c, vmstate_configuration); each is
 * needed only in some setups, and none may be skipped unread. */
static struct kdx_error *configuration_subsection(struct cursor *c,
						  struct savevm *s)
{
	char name[NAME_MAX_LEN + 1];
	uint64_t at = c->pos;
	uint32_t version, v;
	uint8_t n;
	struct kdx_error *err = skip(c, 1, "a subsection");

	if (!err)
		err = get_short_name(c, name, "a subsection name");
	if (!err)
		err = get_be32(c, &version, "a subsection version");
	if (err)
		return err;
	if (!strcmp(name, "configuration/target-page-bits")) {
		err = get_be32(c, &v, "the target page bits");
		if (!err && (v < 10 || v > 16))
			err = bad(at, KDX_ERR_CORRUPT,
				  "target page bits %u out of 10..16", v);
		if (!err)
			s->page_size = 1u << v;
		return err;
	}
	if (!strcmp(name, "configuration/capabilities")) {
		err = get_be32(c, &v, "the capability count");
		if (!err && v > MAX_CAPABILITIES)
			return bad(at, KDX_ERR_CORRUPT, "more capabilities than QEMU has");
		/* Bounded by MAX_CAPABILITIES. */
		for (uint32_t i = 0; i < v && !err; i++) {
			err = get_u8(c, &n, "a capability name");
			if (!err)
				err = skip(c, n, "a capability name");
		}
		return err;
	}
	if (!strcmp(name, "configuration/uuid"))
		return skip(c, 16, "the VM UUID");
	return bad(at, KDX_ERR_UNSUPPORTED,
		   "configuration subsection '%s' is not known", name);
}

static struct kdx_error *configuration(struct cursor *c, struct savevm *s)
{
	uint32_t len = 0;
	uint8_t next;
	bool eof;
	struct kdx_error *err = get_be32(c, &len, "the machine name");

	if (!err)
		err = get_name(c, len, s->machine, "the machine name");
	/* Bounded: each subsection consumes at least its marker byte. */
	while (!err) {
		err = peek_u8(c, &next, &eof);
		if (err || eof || next != VM_SUBSECTION)
			break;
		err = configuration_subsection(c, s);
	}
	return err;
}

/* ---- the RAM section ---- */

static struct kdx_error *add_block(struct savevm *s,
				   const char *name, uint64_t length,
				   uint64_t at)
{
	struct ram_block b = { .length = length };
	uint64_t pages = length / s->page_size + !!(length % s->page_size);

	if (s->block_count >= MAX_BLOCKS)
		return bad(at, KDX_ERR_CORRUPT, "more than 4096 RAM blocks");
	if (!length)
		return bad(at, KDX_ERR_CORRUPT, "RAM block '%s' of 0 bytes",
			   name);
	memcpy(b.name, name, sizeof(b.name));
	b.first_page = s->page_count;
	s->page_count += pages;
	if (!kdx_array_push((void **)&s->blocks, &s->block_count,
			    &s->block_capacity, &b, sizeof(b)))
		return kdx_err_nomem();
	return NULL;
}

/* RAM_MEM_SIZE: the total, then each block's name and length (the
 * plain layout: no postcopy huge pages, no x-ignore-shared addresses). */
static struct kdx_error *block_list(struct cursor *c, struct savevm *s,
				    uint64_t total, uint64_t at)
{
	uint64_t left = total, written;
	char name[NAME_MAX_LEN + 1];
	struct kdx_error *err = NULL;

	if (s->have_sizes)
		return bad(at, KDX_ERR_CORRUPT, "a second list of RAM blocks");
	s->have_sizes = true;
	/* Bounded: each block takes at least 9 bytes of the file. */
	while (left && !err) {
		uint64_t length, bat = c->pos;

		err = get_short_name(c, name, "a RAM block name");
		if (!err)
			err = get_be64(c, &length, "a RAM block length");
		if (!err && length > left)
			err = bad(bat, KDX_ERR_CORRUPT,
				  "RAM block '%s' is longer than all RAM together",
				  name);
		if (!err)
			err = add_block(s, name, length, bat);
		left -= err ? 0 : length;
	}
	/* Every page is sent (at least a 9-byte zero-page record): a
	 * stream claiming more RAM than it could describe, beyond some
	 * slack for a stream cut short, is refused before the page table
	 * is allocated.  What describes it is the bytes written from here
	 * on: in a flattened stream a few records may put the end of the
	 * file a terabyte out, and the zeros between end the stream. */
	written = kdx_min_u64(c->end, kdx_file_written_end(c->file, c->pos));
	if (!err && s->page_count > (written - c->pos) / MIN_RECORD + CUT_SLACK)
		err = bad(at, KDX_ERR_CORRUPT, "more RAM pages than the rest of the file could hold");
	if (!err && !(s->pages = calloc(s->page_count ? s->page_count : 1,
					sizeof(*s->pages))))
		err = kdx_err_nomem();
	return err;
}

static const struct ram_block *find_block(const struct savevm *s,
					  const char *name)
{
	for (size_t i = 0; i < s->block_count; i++)
		if (!strcmp(s->blocks[i].name, name))
			return &s->blocks[i];
	return NULL;
}

/* A zero or full page of a block: which block, then the page. */
static struct kdx_error *page_record(struct cursor *c, struct savevm *s,
				     unsigned int flags, uint64_t addr,
				     uint64_t at)
{
	char name[NAME_MAX_LEN + 1];
	const struct ram_block *b = s->current;
	uint64_t *slot;
	uint8_t fill;
	struct kdx_error *err;

	if (!(flags & RAM_CONTINUE)) {
		err = get_short_name(c, name, "a RAM block name");
		if (err)
			return err;
		b = find_block(s, name);
		if (!b)
			return bad(at, KDX_ERR_CORRUPT,
				   "page of RAM block '%s', which the block list does not name",
				   name);
		s->current = b;
	}
	if (!b)
		return bad(at, KDX_ERR_CORRUPT, "a page continuing no RAM block");
	if (addr >= b->length)
		return bad(at, KDX_ERR_CORRUPT,
			   "page beyond the end of RAM block '%s'", b->name);
	slot = &s->pages[b->first_page + addr / s->page_size];
	s->resent_pages += *slot != PAGE_NOT_SENT;
	if (flags & RAM_ZERO) {
		err = get_u8(c, &fill, "a zero page's fill byte");
		if (!err && fill)
			err = bad(at, KDX_ERR_UNSUPPORTED, "a page filled with a byte other than 0");
		*slot = PAGE_ZERO;
		return err;
	}
	*slot = c->pos;
	return skip(c, s->page_size, "the end of a page");
}

static struct kdx_error *unsupported_record(unsigned int kind, uint64_t at)
{
	if (kind == RAM_XBZRLE)
		return bad(at, KDX_ERR_UNSUPPORTED, "XBZRLE-encoded page (migration capability xbzrle)");
	if (kind == RAM_COMPRESS_PAGE)
		return bad(at, KDX_ERR_UNSUPPORTED, "zlib-compressed page (migration capability compress)");
	if (kind == RAM_HOOK)
		return bad(at, KDX_ERR_UNSUPPORTED, "RDMA hook record");
	return bad(at, KDX_ERR_CORRUPT, "RAM record with bad flags");
}

/* The records of one piece of the RAM section, up to its RAM_EOS. */
static struct kdx_error *ram_records(struct cursor *c, struct savevm *s)
{
	uint64_t mask = s->page_size - 1;

	/* Bounded: every record consumes at least 8 bytes. */
	for (;;) {
		uint64_t v, at = c->pos;
		unsigned int flags, kind;
		struct kdx_error *err = get_be64(c, &v, "a RAM record");

		if (err)
			return err;
		flags = (unsigned int)(v & mask);
		kind = flags & ~(unsigned int)RAM_CONTINUE;
		if (kind == RAM_EOS)
			return NULL;
		if (kind == RAM_MULTIFD_FLUSH)
			continue;
		if (kind == RAM_MEM_SIZE)
			err = block_list(c, s, v & ~mask, at);
		else if ((kind == RAM_ZERO || kind == RAM_PAGE) && !s->have_sizes)
			err = bad(at, KDX_ERR_CORRUPT, "a page before the list of RAM blocks");
		else if (kind == RAM_ZERO || kind == RAM_PAGE)
			err = page_record(c, s, flags, v & ~mask, at);
		else
			err = unsupported_record(kind, at);
		if (err)
			return err;
	}
}

/* ---- sections ---- */

static struct kdx_error *footer(struct cursor *c, struct savevm *s,
			       uint32_t id)
{
	uint8_t next;
	uint32_t got;
	bool eof;
	uint64_t at = c->pos;
	struct kdx_error *err = peek_u8(c, &next, &eof);

	/* Streams of machines before QEMU 2.4 have no footers. */
	if (err || eof || next != VM_SECTION_FOOTER)
		return err;
	err = skip(c, 1, "a section footer");
	if (!err)
		err = get_be32(c, &got, "a section footer");
	if (!err && got != id)
		err = bad(at, KDX_ERR_CORRUPT, "a section footer names another section");
	s->footers = true;
	return err;
}

/* What stops the walk: device state (everything of RAM came before it)
 * or an iterative section kdx cannot skip. */
struct stop {
	bool stop;
	char why[NAME_MAX_LEN + 64];
	/* Stopped at a FULL device section: its type byte, where the
	 * device state starts. */
	bool at_device;
	uint64_t device_at;
};

static struct kdx_error *section(struct cursor *c, struct savevm *s,
				 uint8_t type, struct stop *stop)
{
	char idstr[NAME_MAX_LEN + 1];
	uint32_t id, instance, version;
	uint64_t at = c->pos - 1;
	struct kdx_error *err = get_be32(c, &id, "a section id");

	if (!err && (type == VM_SECTION_START || type == VM_SECTION_FULL)) {
		err = get_short_name(c, idstr, "a section name");
		if (!err)
			err = get_be32(c, &instance, "a section instance");
		if (!err)
			err = get_be32(c, &version, "a section version");
		if (err)
			return err;
		if (strcmp(idstr, "ram")) {
			stop->stop = true;
			stop->at_device = type == VM_SECTION_FULL;
			stop->device_at = at;
			snprintf(stop->why, sizeof(stop->why), "%s '%s'",
				 type == VM_SECTION_FULL ? "device state" :
							   "iterative section",
				 idstr);
			return NULL;
		}
		if (s->have_ram_section)
			return bad(at, KDX_ERR_CORRUPT, "a second RAM section");
		if (version != RAM_SECTION_VERSION)
			return bad(at, KDX_ERR_UNSUPPORTED, "RAM section version other than 4");
		s->have_ram_section = true;
		s->ram_section = id;
	} else if (!err && (!s->have_ram_section || id != s->ram_section)) {
		stop->stop = true;
		snprintf(stop->why, sizeof(stop->why),
			 "a part of section %u, not RAM", id);
		return NULL;
	}
	if (!err)
		err = ram_records(c, s);
	if (!err)
		err = footer(c, s, id);
	if (!err && (type == VM_SECTION_END || type == VM_SECTION_FULL))
		s->ram_done = true;
	return err;
}

static struct kdx_error *command(struct cursor *c)
{
	uint16_t cmd, len;
	struct kdx_error *err = get_be16(c, &cmd, "a command");

	if (!err)
		err = get_be16(c, &len, "a command length");
	return err ? err : skip(c, len, "a command's data");
}

static struct kdx_error *walk(struct cursor *c, struct savevm *s,
			      struct stop *stop)
{
	/* Bounded: every item consumes at least one byte. */
	while (!stop->stop) {
		uint8_t type;
		struct kdx_error *err;

		if (c->pos >= c->end) {
			stop->stop = true;
			snprintf(stop->why, sizeof(stop->why),
				 "the end of the file, with no end marker");
			return NULL;
		}
		err = get_u8(c, &type, "a section type");
		if (err)
			return err;
		switch (type) {
		case VM_EOF:
			stop->stop = true;
			snprintf(stop->why, sizeof(stop->why), "its end marker");
			return NULL;
		case VM_CONFIGURATION:
			err = configuration(c, s);
			break;
		case VM_COMMAND:
			err = command(c);
			break;
		case VM_SECTION_START:
		case VM_SECTION_PART:
		case VM_SECTION_END:
		case VM_SECTION_FULL:
			err = section(c, s, type, stop);
			break;
		default:
			err = kdx_err_set_file_offset(
				kdx_err(KDX_ERR_CORRUPT,
					"QEMU stream: offset 0x%llx: unknown item type 0x%02x",
					(unsigned long long)(c->pos - 1), type),
				c->pos - 1);
		}
		if (err)
			return err;
	}
	return NULL;
}

/* ---- placing RAM blocks in guest-physical space ---- */

struct region {
	uint64_t block_offset, size, gpa;
};

#define GIB (1ull << 30)
#define FOUR_GIB (4ull << 30)

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool pc_machine(const char *m)
{
	return !*m || has_prefix(m, "pc-") || !strcmp(m, "pc") ||
	       has_prefix(m, "q35");
}

/* Where pc.ram splits around the PCI hole: QEMU's pc_init1() (i440fx)
 * and pc_q35_init() defaults; -machine max-ram-below-4g= changes it and
 * the stream does not say. */
static uint64_t pc_lowmem(const char *m, uint64_t size)
{
	bool q35 = has_prefix(m, "pc-q35-") || has_prefix(m, "q35");
	/* Machine types before 2.1 kept the historical 3.5 GiB split. */
	bool old = has_prefix(m, "pc-0.") || has_prefix(m, "pc-1.") ||
		   has_prefix(m, "pc-i440fx-1.") ||
		   !strcmp(m, "pc-i440fx-2.0") || has_prefix(m, "pc-q35-1.") ||
		   !strcmp(m, "pc-q35-2.0");

	if (q35)
		return size >= 0xb0000000ull ? (old ? 0xb0000000ull :
						      0x80000000ull) :
					       size;
	return size >= 0xe0000000ull ? (old ? 0xe0000000ull : 0xc0000000ull) :
				       size;
}

/* The regions of @b in guest-physical space; 0 if kdx does not know
 * where the machine puts it. */
static size_t place_block(const struct savevm *s, const struct ram_block *b,
			  struct region out[2])
{
	if (pc_machine(s->machine) && !strcmp(b->name, "pc.ram")) {
		uint64_t low = pc_lowmem(s->machine, b->length);

		out[0] = (struct region){ 0, low, 0 };
		if (low == b->length)
			return 1;
		out[1] = (struct region){ low, b->length - low, FOUR_GIB };
		return 2;
	}
	if (pc_machine(s->machine) && !strcmp(b->name, "pc.bios") &&
	    b->length <= FOUR_GIB) {
		out[0] = (struct region){ 0, b->length, FOUR_GIB - b->length };
		return 1;
	}
	/* hw/arm/virt.c: RAM from 1 GiB. */
	if (has_prefix(s->machine, "virt") &&
	    !strcmp(b->name, "mach-virt.ram")) {
		out[0] = (struct region){ 0, b->length, GIB };
		return 1;
	}
	return 0;
}

static void add_run(struct kdx_dump_desc *desc, uint64_t gpa, uint64_t size,
		    uint64_t first_page, uint64_t kind)
{
	if (kind == PAGE_ZERO)
		kdx_desc_add_range(desc, gpa, size, KDX_PIECE_ZERO, 0);
	else if (kind != PAGE_NOT_SENT)
		kdx_desc_add_range(desc, gpa, size, KDX_PIECE_FORMAT,
				   first_page);
}

/* PAGE_NOT_SENT, PAGE_ZERO, or PAGE_DATA for a file offset. */
#define PAGE_DATA 1u

static uint64_t page_kind(uint64_t v)
{
	return v == PAGE_NOT_SENT || v == PAGE_ZERO ? v : PAGE_DATA;
}

/* Runs of pages of one kind (data, zero, not sent) become one piece;
 * a data piece's cookie is its first page's index in pages[]. */
static void map_region(struct kdx_dump_desc *desc, const struct savevm *s,
		       const struct ram_block *b, const struct region *r)
{
	uint64_t ps = s->page_size, first = r->block_offset / ps;
	uint64_t n = r->size / ps + !!(r->size % ps), run = 0;

	for (uint64_t i = 1; i <= n && !kdx_desc_failed(desc); i++) {
		uint64_t kind = page_kind(s->pages[b->first_page + first + run]);

		if (i < n &&
		    page_kind(s->pages[b->first_page + first + i]) == kind)
			continue;
		add_run(desc, r->gpa + run * ps,
			kdx_min_u64(i * ps, r->size) - run * ps,
			b->first_page + first + run, kind);
		run = i;
	}
}

static void describe_blocks(struct kdx_dump_desc *desc,
			    const struct savevm *s)
{
	char text[1024];
	size_t len = 0;

	text[0] = '\0';
	for (size_t i = 0; i < s->block_count; i++) {
		const struct ram_block *b = &s->blocks[i];
		struct region r[2];
		size_t n = place_block(s, b, r);
		int w;

		for (size_t k = 0; k < n; k++)
			map_region(desc, s, b, &r[k]);
		if (len >= sizeof(text) - 1)
			continue;
		w = snprintf(text + len, sizeof(text) - len,
			     "%s%s 0x%llx%s", i ? ", " : "", b->name,
			     (unsigned long long)b->length,
			     n ? "" : " (not placed)");
		len = w < 0 ? len : kdx_min_u64(len + (size_t)w, sizeof(text) - 1);
	}
	kdx_desc_add_detail(desc, "ram_blocks", "%s", text);
}

static void describe(struct kdx_dump_desc *desc, const struct savevm *s,
		     const struct stop *stop)
{
	kdx_desc_add_detail(desc, "machine", "%s",
			    *s->machine ? s->machine :
					  "(not named: no configuration section)");
	kdx_desc_add_detail(desc, "pages",
			    "%llu data, %llu zero, %llu sent again",
			    (unsigned long long)s->data_pages,
			    (unsigned long long)s->zero_pages,
			    (unsigned long long)s->resent_pages);
	kdx_desc_add_detail(desc, "read_up_to", "%s", stop->why);
	describe_blocks(desc, s);
	if (!s->ram_done)
		kdx_desc_add_warning(
			desc, "the RAM section has no end record (stopped at %s): pages sent later are missing",
			stop->why);
	/* The target page size, which the stream's page records use. */
	desc->facts.page_size = s->page_size;
	desc->facts.set |= KDX_FACT_PAGE_SIZE;
}

static void count_pages(struct savevm *s)
{
	for (uint64_t i = 0; i < s->page_count; i++) {
		s->data_pages += page_kind(s->pages[i]) == PAGE_DATA;
		s->zero_pages += s->pages[i] == PAGE_ZERO;
	}
}

/* ---- reads ---- */

static struct kdx_error *savevm_read(void *priv, uint64_t cookie,
				     uint64_t offset, void *buf, size_t len)
{
	const struct savevm *s = priv;
	uint8_t *out = buf;

	while (len) {
		uint64_t page = cookie + offset / s->page_size, v;
		size_t in = (size_t)(offset % s->page_size);
		size_t n = (size_t)kdx_min_u64(len, s->page_size - in);
		struct kdx_error *err;

		if (page >= s->page_count)
			return kdx_err(KDX_ERR_NODATA,
				       "QEMU stream: page %llu is outside every RAM block",
				       (unsigned long long)page);
		v = s->pages[page];
		if (v == PAGE_NOT_SENT)
			return kdx_err(KDX_ERR_NODATA,
				       "QEMU stream: RAM page %llu was never sent",
				       (unsigned long long)page);
		if (v == PAGE_ZERO) {
			memset(out, 0, n);
		} else {
			err = kdx_file_read(s->file, v + in, out, n);
			if (err)
				return err;
		}
		out += n;
		offset += n;
		len -= n;
	}
	return NULL;
}

static void savevm_destroy(void *priv)
{
	struct savevm *s = priv;

	if (!s)
		return;
	free(s->blocks);
	free(s->pages);
	free(s);
}

/* ---- opening ---- */

static struct kdx_error *stream_header(struct cursor *c)
{
	uint32_t magic, version;
	struct kdx_error *err = get_be32(c, &magic, "the stream header");

	if (!err)
		err = get_be32(c, &version, "the stream header");
	if (!err && magic != QEVM_MAGIC)
		err = bad(c->pos - 8, KDX_ERR_CORRUPT, "no QEVM magic");
	if (!err && version != QEVM_VERSION)
		err = bad(c->pos - 4, KDX_ERR_UNSUPPORTED,
			  "stream version %u is not supported (only 3, QEMU 0.13 on)",
			  version);
	return err;
}

struct kdx_error *kdx_qemu_savevm_open_at(const struct kdx_file *file,
					  uint64_t offset,
					  const struct kdx_open_options *opts,
					  struct kdx_dump_desc *desc)
{
	struct savevm *s = calloc(1, sizeof(*s));
	struct cursor *c = malloc(sizeof(*c));
	struct stop stop = { 0 };
	struct kdx_error *err;

	if (!s || !c) {
		free(s);
		free(c);
		return kdx_err_nomem();
	}
	*c = (struct cursor){ .file = file, .pos = offset,
			      .end = kdx_file_size(file) };
	s->file = file;
	s->page_size = 1u << DEFAULT_PAGE_BITS;
	err = stream_header(c);
	if (!err)
		err = walk(c, s, &stop);
	if (!err && !s->have_sizes)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "QEMU stream: no RAM section (stopped at %s)",
			      stop.why);
	free(c);
	if (err) {
		savevm_destroy(s);
		return err;
	}
	/* The stream names a machine type, not an architecture: --arch,
	 * else VMCOREINFO found in memory decides. */
	count_pages(s);
	describe(desc, s, &stop);
	if (stop.at_device)
		kdx_qemu_device_state(file, offset, stop.device_at, s->footers,
				      desc);
	else
		kdx_desc_add_detail(desc, "cpu_state",
				    "not read: the stream stopped before any device section");
	desc->arch = opts->arch;
	desc->byte_order = KDX_LITTLE_ENDIAN;
	desc->priv = s;
	return NULL;
}

static struct kdx_error *savevm_open(const struct kdx_file *file,
				     const struct kdx_open_options *opts,
				     struct kdx_dump_desc *desc)
{
	return kdx_qemu_savevm_open_at(file, 0, opts, desc);
}

const struct kdx_format_ops kdx_format_qemu_savevm = {
	.name = "qemu-savevm",
	.description = "QEMU migration stream saved to a file (migrate \"exec:cat > FILE\")",
	.detect = true,
	.probe = kdx_qemu_savevm_probe,
	.open = savevm_open,
	.read = savevm_read,
	.destroy = savevm_destroy,
};
