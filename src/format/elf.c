/* SPDX-License-Identifier: MIT */
/* ELF core files: Linux /proc/vmcore and kdump, makedumpfile -E, QEMU's
 * dump-guest-memory (paging on or off).  ELF32 and ELF64, either byte
 * order, read field by field; extended numbering (PN_XNUM) honoured. */
#include "format/format.h"
#include "format/fbsd_minidump.h"

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

enum {
	EI_CLASS = 4,
	EI_DATA = 5,
	EI_VERSION = 6,
	ELFCLASS32 = 1,
	ELFCLASS64 = 2,
	ELFDATA2LSB = 1,
	ELFDATA2MSB = 2,
	ET_CORE = 4,
	PT_LOAD = 1,
	PT_NOTE = 4,
	PN_XNUM = 0xffff,
	/* makedumpfile sets this in e_flags when it ran out of space. */
	DUMP_ELF_INCOMPLETE = 0x1,
};

/* Notes beyond this are not a kernel dump's; refuse to allocate them. */
#define MAX_NOTE_SEGMENT (64u << 20)

/* Sizes and field offsets of one ELF class. */
struct elf_class {
	unsigned int bits;
	size_t ehdr_size, phdr_size, shdr_size;
};

static const struct elf_class elf32 = { 32, 52, 32, 40 };
static const struct elf_class elf64 = { 64, 64, 56, 64 };

struct elf_header {
	const struct elf_class *cls;
	enum kdx_byte_order bo;
	uint16_t type, machine;
	uint32_t flags;
	uint64_t phoff, shoff;
	uint16_t phentsize, shentsize, shnum;
	uint64_t phnum; /* after PN_XNUM resolution */
	uint8_t osabi;  /* e_ident[EI_OSABI] */
	bool extended_numbering;
};

struct elf_phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* What one pass over the program headers learns besides the map. */
struct load_walk {
	size_t loads, notes;
	/* Segments' virtual addresses: any that are not a copy of the
	 * physical one, and whether all of those share one offset. */
	bool any_vaddr, linear;
	uint64_t delta;
	/* Whether every PT_LOAD's bytes so far start at or above the end of
	 * the previous one's (so none overlap: nothing to compare, no
	 * second pass), and that end. */
	bool ordered;
	uint64_t held_end;
};

static bool elf_probe(const uint8_t *head, size_t len)
{
	return len >= 16 && !memcmp(head, "\177ELF", 4) &&
	       (head[EI_CLASS] == ELFCLASS32 || head[EI_CLASS] == ELFCLASS64);
}

static struct kdx_error *read_ident(const uint8_t *ident,
				    struct elf_header *h)
{
	unsigned int bits;
	struct kdx_error *err = kdx_elf_ident(ident, &bits, &h->bo);

	if (err)
		return err;
	h->cls = bits == 32 ? &elf32 : &elf64;
	h->osabi = ident[7];
	return NULL;
}

/* Load a class-sized field: 4 bytes in ELF32, 8 in ELF64. */
static uint64_t word(const struct elf_header *h, const uint8_t *p)
{
	return kdx_load_uint(p, h->cls->bits / 8, h->bo);
}

static void parse_ehdr(const uint8_t *b, struct elf_header *h)
{
	bool is64 = h->cls->bits == 64;

	h->type = kdx_load_u16(b + 16, h->bo);
	h->machine = kdx_load_u16(b + 18, h->bo);
	h->phoff = word(h, b + (is64 ? 32 : 28));
	h->shoff = word(h, b + (is64 ? 40 : 32));
	h->flags = kdx_load_u32(b + (is64 ? 48 : 36), h->bo);
	h->phentsize = kdx_load_u16(b + (is64 ? 54 : 42), h->bo);
	h->phnum = kdx_load_u16(b + (is64 ? 56 : 44), h->bo);
	h->shentsize = kdx_load_u16(b + (is64 ? 58 : 46), h->bo);
	h->shnum = kdx_load_u16(b + (is64 ? 60 : 48), h->bo);
}

static void parse_phdr(const struct elf_header *h, const uint8_t *p,
		       struct elf_phdr *ph)
{
	ph->type = kdx_load_u32(p, h->bo);
	if (h->cls->bits == 64) {
		ph->offset = kdx_load_u64(p + 8, h->bo);
		ph->vaddr = kdx_load_u64(p + 16, h->bo);
		ph->paddr = kdx_load_u64(p + 24, h->bo);
		ph->filesz = kdx_load_u64(p + 32, h->bo);
		ph->memsz = kdx_load_u64(p + 40, h->bo);
	} else {
		ph->offset = kdx_load_u32(p + 4, h->bo);
		ph->vaddr = kdx_load_u32(p + 8, h->bo);
		ph->paddr = kdx_load_u32(p + 12, h->bo);
		ph->filesz = kdx_load_u32(p + 16, h->bo);
		ph->memsz = kdx_load_u32(p + 20, h->bo);
	}
}

/* With e_phnum == PN_XNUM the real count is section header 0's sh_info
 * (gABI extended numbering; QEMU writes it for >65534 mappings). */
static struct kdx_error *resolve_phnum(const struct kdx_file *file,
				       struct elf_header *h)
{
	uint8_t shdr[64];
	struct kdx_error *err;

	if (h->phnum != PN_XNUM)
		return NULL;
	h->extended_numbering = true;
	if (h->shoff == 0)
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header: e_phnum is PN_XNUM (0xffff) but there is no section header 0 to hold the real count (e_shoff is 0)");
	err = kdx_file_read(file, h->shoff, shdr, h->cls->shdr_size);
	if (err)
		return kdx_err_wrap(err,
				    "section header 0 at offset 0x%llx (PN_XNUM count)",
				    (unsigned long long)h->shoff);
	/* sh_info follows sh_name, sh_type, sh_flags, sh_addr, sh_offset,
	 * sh_size, sh_link. */
	h->phnum = kdx_load_u32(shdr + (h->cls->bits == 64 ? 44 : 28), h->bo);
	return NULL;
}

static struct kdx_error *read_header(const struct kdx_file *file,
				     struct elf_header *h)
{
	uint8_t ehdr[64];
	struct kdx_error *err;

	memset(h, 0, sizeof(*h));
	err = kdx_file_read(file, 0, ehdr, 16);
	if (err)
		return kdx_err_wrap(err, "ELF identification");
	err = read_ident(ehdr, h);
	if (err)
		return err;
	err = kdx_file_read(file, 0, ehdr, h->cls->ehdr_size);
	if (err)
		return kdx_err_wrap(err, "ELF header");
	parse_ehdr(ehdr, h);
	if (h->type != ET_CORE)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "ELF file of type %u is not a core dump (e_type must be ET_CORE, 4)",
			       h->type);
	if (h->phnum && h->phentsize != h->cls->phdr_size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header: e_phentsize is %u, ELF%u program headers are %zu bytes",
			       h->phentsize, h->cls->bits, h->cls->phdr_size);
	return resolve_phnum(file, h);
}

/* The program header table must lie inside the file; it is read a window
 * at a time (a dump with a million PT_LOADs has a 56 MB table). */
static struct kdx_error *check_phdrs(const struct kdx_file *file,
				     const struct elf_header *h)
{
	uint64_t bytes, end;

	if (kdx_mul_overflows(h->phnum, h->cls->phdr_size, &bytes) ||
	    kdx_add_overflows(h->phoff, bytes, &end) ||
	    end > kdx_file_size(file))
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"program header table at offset 0x%llx (%llu entries of %zu bytes) runs past the end of the file (size 0x%llx)",
				(unsigned long long)h->phoff,
				(unsigned long long)h->phnum,
				h->cls->phdr_size,
				(unsigned long long)kdx_file_size(file)),
			h->phoff);
	/* A flattened stream's gaps read as zeros; a table there would be
	 * up to 2^32 empty headers (PN_XNUM) that no record wrote. */
	return kdx_file_check_written(file, "program header table", h->phoff,
				      bytes);
}

/* How many of a segment's @data file bytes the file really holds. */
static uint64_t bytes_in_file(const struct kdx_file *file, uint64_t offset,
			      uint64_t data)
{
	uint64_t fsize = kdx_file_size(file);

	return offset >= fsize ? 0 : kdx_min_u64(data, fsize - offset);
}

/* NONE: p_vaddr repeats p_paddr or is 0 (a physical-only dump); LINEAR:
 * one constant offset (kdump's direct map); MAPPED: page-table mappings
 * (QEMU's paging mode). */
static void note_vaddr(struct load_walk *w, const struct elf_phdr *ph)
{
	if (ph->vaddr == ph->paddr || ph->vaddr == 0 ||
	    ph->vaddr == UINT64_MAX)
		return;
	if (w->any_vaddr && ph->vaddr - ph->paddr != w->delta)
		w->linear = false;
	w->delta = ph->vaddr - ph->paddr;
	w->any_vaddr = true;
}

/* Keep w->ordered: this PT_LOAD's bytes held in the file (what
 * check_overlaps() compares) start at or above every earlier one's end. */
static void note_order(struct load_walk *w, uint64_t paddr, uint64_t held)
{
	uint64_t end;

	if (!held || kdx_add_overflows(paddr, held, &end))
		return;
	if (paddr < w->held_end)
		w->ordered = false;
	if (end > w->held_end)
		w->held_end = end;
}

static void add_load(const struct kdx_file *file, struct kdx_dump_desc *desc,
		     size_t index, const struct elf_phdr *ph,
		     struct load_walk *w)
{
	uint64_t data = kdx_min_u64(ph->filesz, ph->memsz), held, end;

	note_vaddr(w, ph);
	if (ph->memsz == 0)
		return;
	if (kdx_add_overflows(ph->paddr, ph->memsz, &end)) {
		kdx_desc_add_warning(
			desc,
			"PT_LOAD %zu: physical range 0x%llx + 0x%llx wraps past the end of the address space; segment ignored",
			index, (unsigned long long)ph->paddr,
			(unsigned long long)ph->memsz);
		return;
	}
	if (ph->filesz > ph->memsz)
		kdx_desc_add_warning(
			desc,
			"PT_LOAD %zu: p_filesz 0x%llx exceeds p_memsz 0x%llx; only p_memsz bytes used",
			index, (unsigned long long)ph->filesz,
			(unsigned long long)ph->memsz);
	held = bytes_in_file(file, ph->offset, data);
	note_order(w, ph->paddr, held);
	/* A dump cut short (full disk): keep what is there; the rest is
	 * missing (a hole), not zero. */
	if (held < data) {
		desc->facts.flags |= KDX_DUMP_TRUNCATED;
		kdx_desc_add_warning(
			desc,
			"PT_LOAD %zu: file data at offset 0x%llx + 0x%llx runs past the end of the file (size 0x%llx): physical 0x%llx-0x%llx is missing",
			index, (unsigned long long)ph->offset,
			(unsigned long long)data,
			(unsigned long long)kdx_file_size(file),
			(unsigned long long)(ph->paddr + held),
			(unsigned long long)(ph->paddr + data - 1));
	}
	kdx_desc_add_range(desc, ph->paddr, held, KDX_PIECE_FILE, ph->offset);
	/* p_memsz beyond p_filesz: memory that was not written. */
	kdx_desc_add_range(desc, ph->paddr + data, ph->memsz - data,
			   KDX_PIECE_ZERO, 0);
}

static struct kdx_error *add_notes(const struct kdx_file *file,
				   struct kdx_dump_desc *desc,
				   const struct elf_header *h, size_t index,
				   const struct elf_phdr *ph)
{
	uint64_t len = bytes_in_file(file, ph->offset, ph->filesz), gap;
	struct kdx_error *err;
	uint8_t *buf;

	if (len < ph->filesz) {
		desc->facts.flags |= KDX_DUMP_TRUNCATED;
		kdx_desc_add_warning(
			desc,
			"PT_NOTE %zu: notes at offset 0x%llx + 0x%llx run past the end of the file (size 0x%llx); reading what is there",
			index, (unsigned long long)ph->offset,
			(unsigned long long)ph->filesz,
			(unsigned long long)kdx_file_size(file));
	}
	/* A flattened stream's unwritten bytes read as zeros: notes there
	 * would be invented, and reading them costs what the header claims
	 * (a fuzzed 5 KB file: 32 MiB per open). */
	err = kdx_file_check_written(file, "notes", ph->offset, len);
	if (err) {
		desc->facts.flags |= KDX_DUMP_TRUNCATED;
		kdx_desc_add_warning(desc,
				     "PT_NOTE %zu: %s; reading what is before it",
				     index, kdx_error_message(err));
		kdx_error_file_offset(err, &gap);
		kdx_error_destroy(err);
		len = gap - ph->offset;
	}
	if (len > MAX_NOTE_SEGMENT) {
		kdx_desc_add_warning(
			desc,
			"PT_NOTE %zu at offset 0x%llx: 0x%llx bytes is beyond any kernel's notes; ignored",
			index, (unsigned long long)ph->offset,
			(unsigned long long)len);
		return NULL;
	}
	buf = malloc(len ? len : 1);
	if (!buf)
		return kdx_err_nomem();
	err = kdx_file_read(file, ph->offset, buf, len);
	if (!err)
		kdx_desc_parse_notes(desc, buf, len, ph->offset, h->bo);
	free(buf);
	return err;
}

static void describe(struct kdx_dump_desc *desc, const struct elf_header *h,
		     const struct load_walk *w)
{
	struct kdx_dump_facts *f = &desc->facts;
	size_t loads = w->loads, notes = w->notes;

	desc->segment_count = loads;
	f->segment_vaddrs = !w->any_vaddr ? KDX_SEGMENT_VADDRS_NONE :
			    w->linear	  ? KDX_SEGMENT_VADDRS_LINEAR :
					    KDX_SEGMENT_VADDRS_MAPPED;
	f->set |= KDX_FACT_SEGMENT_VADDRS;
	kdx_desc_add_detail(desc, "class", "ELF%u", h->cls->bits);
	kdx_desc_add_detail(desc, "e_machine", "%u", h->machine);
	kdx_desc_add_detail(desc, "program_headers", "%llu at offset 0x%llx%s",
			    (unsigned long long)h->phnum,
			    (unsigned long long)h->phoff,
			    h->extended_numbering ?
				    " (PN_XNUM: count from section header 0)" :
				    "");
	if (h->shoff)
		kdx_desc_add_detail(desc, "section_headers",
				    "%u at offset 0x%llx", h->shnum,
				    (unsigned long long)h->shoff);
	kdx_desc_add_detail(desc, "pt_load", "%zu", loads);
	kdx_desc_add_detail(desc, "pt_note", "%zu", notes);
	kdx_desc_add_detail(desc, "virtual_addresses", "%s",
			    kdx_segment_vaddrs_name(f->segment_vaddrs));
	if (h->flags & DUMP_ELF_INCOMPLETE) {
		f->flags |= KDX_DUMP_INCOMPLETE;
		kdx_desc_add_warning(
			desc,
			"e_flags has DUMP_ELF_INCOMPLETE: the writer ran out of space and later segments may be missing");
	}
}

enum { PHDR_WINDOW = 1024 }; /* entries read at a time */

/* Entry @i of the table, through @window (entries [*first, *first +
 * PHDR_WINDOW) of it). */
static struct kdx_error *phdr_at(const struct kdx_file *file,
				 const struct elf_header *h, uint64_t i,
				 uint8_t *window, uint64_t *first,
				 struct elf_phdr *ph)
{
	size_t size = h->cls->phdr_size;
	struct kdx_error *err;

	if (i < *first || i >= *first + PHDR_WINDOW) {
		uint64_t n = kdx_min_u64(PHDR_WINDOW, h->phnum - i);

		err = kdx_file_read_stream(file, h->phoff + i * size, window,
					   (size_t)n * size);
		if (err)
			return kdx_err_wrap(err, "program header table");
		*first = i;
	}
	parse_phdr(h, window + (i - *first) * size, ph);
	return NULL;
}

/* ---- overlapping segments ---- */

/* Bytes compared across overlapping segments, and differences reported,
 * at most: QEMU's paging dumps alias pages thousands of times. */
#define OVERLAP_COMPARE_BUDGET (64ull << 20)
#define OVERLAP_REPORTS 8

/* The file bytes of one PT_LOAD. */
struct held_load {
	size_t index;
	uint64_t paddr, size, offset;
};

static int compare_held(const void *a, const void *b)
{
	const struct held_load *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->index < y->index ? -1 : (x->index > y->index);
}

/* Bytes from @offset on that no record of a flattened stream wrote (they
 * read as zeros): 0 where the file holds @offset. */
static uint64_t unwritten_run(const struct kdx_file *file, uint64_t offset)
{
	uint64_t next = kdx_file_next_written(file, offset);

	return next > offset ? next - offset : 0;
}

/* First address in [@from, @from + @len) where @a and @b hold different
 * bytes; @len if none (or unreadable).  Spends *@budget on the bytes it
 * reads; where neither segment's bytes were written (two gaps of a
 * flattened stream, zeros both) it skips without reading, or a stream of
 * a few records would spend the whole budget comparing zeros. */
static uint64_t first_difference(const struct kdx_file *file,
				 const struct held_load *a,
				 const struct held_load *b, uint64_t from,
				 uint64_t len, uint64_t *budget)
{
	uint8_t x[4096], y[4096];

	for (uint64_t done = 0; done < len && *budget;) {
		uint64_t at = from + done;
		uint64_t a_at = a->offset + (at - a->paddr);
		uint64_t b_at = b->offset + (at - b->paddr);
		uint64_t zeros = kdx_min_u64(unwritten_run(file, a_at),
					     unwritten_run(file, b_at));
		size_t n = (size_t)kdx_min_u64(kdx_min_u64(sizeof(x), len - done),
					       *budget);
		struct kdx_error *ea, *eb;
		bool unreadable;

		if (zeros) {
			done += kdx_min_u64(zeros, len - done);
			continue;
		}
		ea = kdx_file_read(file, a_at, x, n);
		eb = kdx_file_read(file, b_at, y, n);
		unreadable = ea || eb;
		kdx_error_destroy(ea);
		kdx_error_destroy(eb);
		if (unreadable)
			return len;
		*budget -= n;
		if (!memcmp(x, y, n))
			done += n;
		else
			for (size_t i = 0;; i++, done++)
				if (x[i] != y[i])
					return done;
	}
	return len;
}

/* @b overlaps @a, which starts no higher (and reads return @a's bytes
 * there): say so if their bytes differ. */
static void compare_overlap(const struct kdx_file *file,
			    struct kdx_dump_desc *desc,
			    const struct held_load *a, const struct held_load *b,
			    uint64_t *budget, unsigned int *reports)
{
	uint64_t end = kdx_min_u64(a->paddr + a->size, b->paddr + b->size);
	uint64_t len = end - b->paddr, diff;

	/* The same file bytes under both (aliases): nothing to compare. */
	if (a->offset - a->paddr == b->offset - b->paddr)
		return;
	diff = first_difference(file, a, b, b->paddr, len, budget);
	if (diff == len || ++*reports > OVERLAP_REPORTS)
		return;
	kdx_desc_add_warning(
		desc,
		"PT_LOAD %zu and PT_LOAD %zu both hold physical 0x%llx-0x%llx with different bytes (first at 0x%llx); reads return PT_LOAD %zu's",
		a->index, b->index, (unsigned long long)b->paddr,
		(unsigned long long)(end - 1),
		(unsigned long long)(b->paddr + diff), a->index);
}

/* Overlapping PT_LOADs should agree (kdump's kernel-text segment lies in
 * a RAM segment; QEMU's paging dumps alias pages); where they do not,
 * one segment's bytes are silently hidden: warn. */
static struct kdx_error *check_overlaps(const struct kdx_file *file,
					const struct elf_header *h,
					uint8_t *window,
					struct kdx_dump_desc *desc)
{
	struct held_load *loads = NULL, *cover = NULL;
	size_t n = 0, capacity = 0;
	uint64_t budget = OVERLAP_COMPARE_BUDGET;
	uint64_t first = UINT64_MAX - PHDR_WINDOW;
	unsigned int reports = 0;

	for (uint64_t i = 0; i < h->phnum; i++) {
		struct elf_phdr ph = { 0 };
		struct held_load l;
		uint64_t end;
		struct kdx_error *err = phdr_at(file, h, i, window, &first, &ph);

		if (err) {
			free(loads);
			return err;
		}
		l = (struct held_load){ (size_t)i, ph.paddr,
			bytes_in_file(file, ph.offset,
				      kdx_min_u64(ph.filesz, ph.memsz)),
			ph.offset };
		if (ph.type != PT_LOAD || !l.size ||
		    kdx_add_overflows(l.paddr, l.size, &end))
			continue;
		if (!kdx_array_push((void **)&loads, &n, &capacity, &l,
				    sizeof(l))) {
			free(loads);
			return kdx_err_nomem();
		}
	}
	if (n > 1)
		qsort(loads, n, sizeof(*loads), compare_held);
	/* Each segment against the earlier one reaching furthest. */
	for (size_t i = 0; i < n && budget; i++) {
		if (cover && loads[i].paddr < cover->paddr + cover->size)
			compare_overlap(file, desc, cover, &loads[i], &budget,
					&reports);
		if (!cover || loads[i].paddr + loads[i].size >
				      cover->paddr + cover->size)
			cover = &loads[i];
	}
	if (reports > OVERLAP_REPORTS)
		kdx_desc_add_warning(
			desc, "%u more overlapping PT_LOAD pairs hold different bytes",
			reports - OVERLAP_REPORTS);
	free(loads);
	return NULL;
}

/* ---- ELF files without memory ---- */

/* Whether section header @index is named @name (bounded reads; a table
 * that cannot be read names nothing). */
static bool section_named(const struct kdx_file *file,
			  const struct elf_header *h, uint64_t names_at,
			  uint64_t names_size, unsigned int index,
			  const char *name)
{
	uint8_t shdr[64];
	char got[32];
	uint64_t at = h->shoff + (uint64_t)index * h->cls->shdr_size, off;
	struct kdx_error *err = kdx_file_read(file, at, shdr, h->cls->shdr_size);
	size_t len = strlen(name) + 1;

	kdx_error_destroy(err);
	if (err)
		return false;
	off = kdx_load_u32(shdr, h->bo); /* sh_name */
	if (off >= names_size || names_size - off < len || len > sizeof(got))
		return false;
	err = kdx_file_read(file, names_at + off, got, len);
	kdx_error_destroy(err);
	return !err && !memcmp(got, name, len);
}

/* Whether the section headers name @name: Xen's xc_core dumps have
 * sections (.note.Xen, .xen_pages) and no program headers. */
static bool has_section(const struct kdx_file *file, const struct elf_header *h,
			const uint8_t *ehdr, const char *name)
{
	bool is64 = h->cls->bits == 64;
	unsigned int strndx = kdx_load_u16(ehdr + (is64 ? 62 : 50), h->bo);
	uint8_t shdr[64];
	uint64_t names_at, names_size, size;
	unsigned int shnum = h->shnum;
	struct kdx_error *err;

	if (!h->shoff || h->shentsize != h->cls->shdr_size ||
	    strndx >= h->shnum)
		return false;
	err = kdx_file_read(file, h->shoff + (uint64_t)strndx * h->cls->shdr_size,
			    shdr, h->cls->shdr_size);
	kdx_error_destroy(err);
	if (err)
		return false;
	names_at = word(h, shdr + (is64 ? 24 : 16));   /* sh_offset */
	names_size = word(h, shdr + (is64 ? 32 : 20)); /* sh_size */
	/* Only the headers inside the file (strndx's was): a bogus e_shnum
	 * of 65535 past the end cost a failed read and an error each. */
	size = kdx_file_size(file);
	if (size > h->shoff && (size - h->shoff) / h->cls->shdr_size < shnum)
		shnum = (unsigned int)((size - h->shoff) / h->cls->shdr_size);
	for (unsigned int i = 0; i < shnum; i++)
		if (section_named(file, h, names_at, names_size, i, name))
			return true;
	return false;
}

/* An ELF core without PT_LOAD or PT_NOTE holds nothing kdx reads: say
 * what it is rather than open it as an empty dump ("0 B in 0 ranges"). */
static struct kdx_error *no_memory(const struct kdx_file *file,
				   const struct elf_header *h)
{
	uint8_t ehdr[64];
	struct kdx_error *err = kdx_file_read(file, 0, ehdr, h->cls->ehdr_size);

	if (!err && (has_section(file, h, ehdr, ".note.Xen") ||
		     has_section(file, h, ehdr, ".xen_pages")))
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "a Xen xc_core dump (ELF sections .note.Xen, .xen_pages; no program headers): read it with --format xc_core");
	kdx_error_destroy(err);
	return kdx_err(KDX_ERR_UNSUPPORTED,
		       "ELF core with no PT_LOAD or PT_NOTE program header (%llu program headers, %u section headers): nothing kdx reads",
		       (unsigned long long)h->phnum, h->shnum);
}

static struct kdx_error *walk_phdrs(const struct kdx_file *file,
				    const struct elf_header *h,
				    uint8_t *window,
				    struct kdx_dump_desc *desc)
{
	struct load_walk w = { .linear = true, .ordered = true };
	uint64_t first = UINT64_MAX - PHDR_WINDOW;
	struct kdx_error *err = NULL;

	/* Room for a piece per header at once: no doubling's slack, no
	 * copies (a million PT_LOADs). */
	kdx_physmap_reserve(&desc->physmap, h->phnum);
	for (uint64_t i = 0; i < h->phnum && !err && !kdx_desc_failed(desc);
	     i++) {
		struct elf_phdr ph = { 0 };

		err = phdr_at(file, h, i, window, &first, &ph);
		if (err)
			break;
		if (ph.type == PT_LOAD) {
			add_load(file, desc, (size_t)i, &ph, &w);
			w.loads++;
		} else if (ph.type == PT_NOTE) {
			err = add_notes(file, desc, h, (size_t)i, &ph);
			w.notes++;
		}
	}
	if (!err && !w.loads && !w.notes)
		err = no_memory(file, h);
	else if (!err && !w.loads)
		kdx_desc_add_warning(
			desc, "no PT_LOAD program header: the dump holds notes and no memory");
	if (!err && !w.ordered)
		err = check_overlaps(file, h, window, desc);
	if (!err)
		describe(desc, h, &w);
	return err;
}

/* FreeBSD's dumpsys marks its full dumps ELFOSABI_STANDALONE (and a
 * FreeBSD ELF is ELFOSABI_FREEBSD): say so, with the version string
 * found in memory as for minidumps. */
static void describe_freebsd(const struct kdx_file *file,
			     const struct elf_header *h, uint8_t *window,
			     struct kdx_dump_desc *desc)
{
	char release[160];
	uint64_t first = UINT64_MAX;
	struct elf_phdr ph = { 0 };

	if (h->osabi != 255 && h->osabi != 9)
		return;
	kdx_desc_add_detail(desc, "os", "FreeBSD (e_ident OSABI %u%s)",
			    h->osabi,
			    h->osabi == 255 ? ": a full dump by dumpsys" : "");
	/* The segments are not kept (kdx_dump_segments() reads them on
	 * demand): the scan starts at the first PT_LOAD's bytes. */
	for (uint64_t i = 0; i < h->phnum; i++) {
		struct kdx_error *err = phdr_at(file, h, i, window, &first, &ph);

		if (err) { /* walk_phdrs() read them all: not expected */
			kdx_error_destroy(err);
			return;
		}
		if (ph.type == PT_LOAD)
			break;
	}
	if (ph.type == PT_LOAD &&
	    kdx_fbsd_scan_release(file, ph.offset, release, sizeof(release)))
		kdx_desc_add_detail(desc, "os_release", "%s", release);
}

static struct kdx_error *elf_open(const struct kdx_file *file,
				  const struct kdx_open_options *opts,
				  struct kdx_dump_desc *desc)
{
	struct elf_header h;
	uint8_t *window;
	struct kdx_error *err;

	(void)opts;
	err = read_header(file, &h);
	if (!err)
		err = check_phdrs(file, &h);
	if (err)
		return err;
	window = malloc((size_t)PHDR_WINDOW * h.cls->phdr_size);
	if (!window)
		return kdx_err_nomem();
	desc->byte_order = h.bo;
	desc->arch = kdx_arch_from_elf(h.machine, h.cls->bits);
	err = walk_phdrs(file, &h, window, desc);
	if (!err)
		describe_freebsd(file, &h, window, desc);
	free(window);
	return err;
}

/* kdx_format_ops.segments: the PT_LOADs, read again. */
static struct kdx_error *elf_segments(const struct kdx_file *file,
				      struct kdx_segment **out, size_t *count)
{
	struct elf_header h;
	struct kdx_segment *segs = NULL;
	uint64_t first = UINT64_MAX - PHDR_WINDOW;
	size_t n = 0, capacity = 0;
	uint8_t *window;
	struct kdx_error *err = read_header(file, &h);

	if (!err)
		err = check_phdrs(file, &h);
	if (err)
		return err;
	window = malloc((size_t)PHDR_WINDOW * h.cls->phdr_size);
	if (!window)
		return kdx_err_nomem();
	for (uint64_t i = 0; i < h.phnum && !err; i++) {
		struct elf_phdr ph = { 0 };
		struct kdx_segment seg;

		err = phdr_at(file, &h, i, window, &first, &ph);
		if (err || ph.type != PT_LOAD)
			continue;
		seg = (struct kdx_segment){ .paddr = ph.paddr,
					    .vaddr = ph.vaddr,
					    .file_offset = ph.offset,
					    .file_size = ph.filesz,
					    .mem_size = ph.memsz };
		if (!kdx_array_push((void **)&segs, &n, &capacity, &seg,
				    sizeof(seg)))
			err = kdx_err_nomem();
	}
	free(window);
	if (err) {
		free(segs);
		return err;
	}
	*out = segs;
	*count = n;
	return NULL;
}

const struct kdx_format_ops kdx_format_elf = {
	.name = "elf",
	.description = "ELF core: /proc/vmcore, kdump, makedumpfile -E, QEMU dump-guest-memory, FreeBSD full dumps",
	.detect = true,
	.probe = elf_probe,
	.open = elf_open,
	.segments = elf_segments,
};
