/* SPDX-License-Identifier: MIT */
#include "mkelf.h"

#include "bytes.h"
#include "mknote.h"

#include <stdlib.h>
#include <string.h>

#define PT_LOAD 1
#define PT_NOTE 4
#define PN_XNUM 0xffff

struct mkelf {
	struct mkelf_options o;
	struct mkelf_load *loads;
	size_t nloads, load_capacity;
	struct mknote_buf notes;
	/* Filled by mkelf_build(). */
	uint64_t phoff, notes_offset;
};

struct mkelf *mkelf_new(const struct mkelf_options *opts)
{
	struct mkelf *m = calloc(1, sizeof(*m));

	m->o = *opts;
	m->notes.byte_order = opts->byte_order;
	if (!m->o.type)
		m->o.type = 4; /* ET_CORE */
	return m;
}

void mkelf_free(struct mkelf *m)
{
	if (!m)
		return;
	free(m->loads);
	mknote_free(&m->notes);
	free(m);
}

size_t mkelf_add_load(struct mkelf *m, const struct mkelf_load *load)
{
	if (m->nloads == m->load_capacity) {
		/* Geometric growth: tests add 70,000 segments. */
		m->load_capacity = m->load_capacity ? 2 * m->load_capacity : 16;
		m->loads = realloc(m->loads,
				   m->load_capacity * sizeof(*m->loads));
	}
	m->loads[m->nloads] = *load;
	return ++m->nloads; /* index 0 is the PT_NOTE */
}

void mkelf_add_note_bytes(struct mkelf *m, const void *bytes, size_t len)
{
	mknote_add_bytes(&m->notes, bytes, len);
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

void mkelf_add_note(struct mkelf *m, const char *name, uint32_t type,
		    const void *desc, size_t desc_size)
{
	mknote_add(&m->notes, name, type, desc, desc_size);
}

void mkelf_add_prstatus(struct mkelf *m, int32_t pid, const uint64_t *regs,
			unsigned int nregs)
{
	mknote_add_prstatus(&m->notes, m->o.machine, pid, regs, nregs);
}

void mkelf_add_qemu_cpu(struct mkelf *m, const uint64_t cr[5])
{
	uint8_t desc[432] = { 0 };
	enum kdx_byte_order bo = m->o.byte_order;

	put32(desc, 1, bo);
	put32(desc + 4, sizeof(desc), bo);
	for (int i = 0; i < 5; i++)
		put64(desc + 392 + 8 * i, cr[i], bo);
	mkelf_add_note(m, "QEMU", 0, desc, sizeof(desc));
}

void mkelf_add_vmcoreinfo(struct mkelf *m, const char *text)
{
	mkelf_add_note(m, "VMCOREINFO", 0, text, strlen(text));
}

struct layout {
	bool is64, xnum;
	size_t ehdr, phdr, shdr;
	size_t phnum;
	uint64_t phoff, shoff, notes, data;
};

static void plan(const struct mkelf *m, struct layout *l)
{
	l->is64 = m->o.class_bits == 64;
	l->ehdr = l->is64 ? 64 : 52;
	l->phdr = l->is64 ? 56 : 32;
	l->shdr = l->is64 ? 64 : 40;
	l->phnum = m->nloads + 1;
	l->xnum = m->o.extended_numbering || l->phnum >= PN_XNUM;
	if (m->o.qemu72_layout) {
		l->shoff = l->ehdr;
		l->notes = l->shoff + l->shdr;
		l->phoff = l->notes + align4(m->notes.len);
		l->data = l->phoff + l->phnum * l->phdr;
		l->xnum = true; /* QEMU 7.2 always writes a section header */
	} else {
		l->phoff = l->ehdr;
		l->shoff = l->xnum ? l->phoff + l->phnum * l->phdr : 0;
		l->notes = l->phoff + l->phnum * l->phdr +
			   (l->xnum ? l->shdr : 0);
		l->data = l->notes + align4(m->notes.len);
	}
}

static void write_ehdr(const struct mkelf *m, const struct layout *l,
		       uint8_t *b)
{
	enum kdx_byte_order bo = m->o.byte_order;
	bool x = l->is64;

	memcpy(b, "\177ELF", 4);
	b[4] = x ? 2 : 1;
	b[5] = bo == KDX_BIG_ENDIAN ? 2 : 1;
	b[6] = 1;
	put16(b + 16, m->o.type, bo);
	put16(b + 18, m->o.machine, bo);
	put32(b + 20, 1, bo);
	put_word(b + (x ? 32 : 28), l->phoff, x, bo);
	put_word(b + (x ? 40 : 32), l->shoff, x, bo);
	put32(b + (x ? 48 : 36), m->o.flags, bo);
	put16(b + (x ? 52 : 40), (uint16_t)l->ehdr, bo);
	put16(b + (x ? 54 : 42), (uint16_t)l->phdr, bo);
	put16(b + (x ? 56 : 44),
	      (uint16_t)(l->xnum && l->phnum >= PN_XNUM ? PN_XNUM :
			 m->o.extended_numbering ? PN_XNUM : l->phnum), bo);
	put16(b + (x ? 58 : 46), (uint16_t)(l->shoff ? l->shdr : 0), bo);
	put16(b + (x ? 60 : 48), (uint16_t)(l->shoff ? 1 : 0), bo);
	if (l->shoff) /* section header 0: sh_info holds the real count */
		put32(b + l->shoff + (x ? 44 : 28), (uint32_t)l->phnum, bo);
}

static void write_phdr(const struct mkelf *m, const struct layout *l,
		       uint8_t *p, uint32_t type, uint64_t offset,
		       uint64_t vaddr, uint64_t paddr, uint64_t filesz,
		       uint64_t memsz)
{
	enum kdx_byte_order bo = m->o.byte_order;

	put32(p, type, bo);
	if (l->is64) {
		put64(p + 8, offset, bo);
		put64(p + 16, vaddr, bo);
		put64(p + 24, paddr, bo);
		put64(p + 32, filesz, bo);
		put64(p + 40, memsz, bo);
	} else {
		put32(p + 4, (uint32_t)offset, bo);
		put32(p + 8, (uint32_t)vaddr, bo);
		put32(p + 12, (uint32_t)paddr, bo);
		put32(p + 16, (uint32_t)filesz, bo);
		put32(p + 20, (uint32_t)memsz, bo);
	}
}

uint8_t *mkelf_build(struct mkelf *m, size_t *size)
{
	struct layout l;
	uint64_t total, cursor;
	uint8_t *b;

	plan(m, &l);
	total = l.data;
	for (size_t i = 0; i < m->nloads; i++)
		if (!m->loads[i].offset_override)
			total += m->loads[i].poison_before +
				 m->loads[i].filesz + m->loads[i].poison_after;
	b = calloc(1, total ? total : 1);
	write_ehdr(m, &l, b);
	if (m->notes.len)
		memcpy(b + l.notes, m->notes.bytes, m->notes.len);
	write_phdr(m, &l, b + l.phoff, PT_NOTE, l.notes, 0, 0, m->notes.len,
		   m->notes.len);
	cursor = l.data;
	for (size_t i = 0; i < m->nloads; i++) {
		const struct mkelf_load *ld = &m->loads[i];
		uint64_t off = ld->offset_override ? ld->offset :
						     cursor + ld->poison_before;

		write_phdr(m, &l, b + l.phoff + (i + 1) * l.phdr, PT_LOAD, off,
			   ld->vaddr, ld->paddr, ld->filesz, ld->memsz);
		if (ld->offset_override)
			continue;
		memset(b + cursor, MKELF_POISON, ld->poison_before);
		for (uint64_t k = 0; k < ld->filesz; k++)
			b[off + k] = ld->data ? ld->data[k] :
						mkelf_pattern(ld->paddr + k);
		memset(b + off + ld->filesz, MKELF_POISON, ld->poison_after);
		cursor = off + ld->filesz + ld->poison_after;
	}
	m->phoff = l.phoff;
	m->notes_offset = l.notes;
	*size = total;
	return b;
}

uint64_t mkelf_phdr_offset(const struct mkelf *m, size_t index)
{
	return m->phoff + index * mkelf_phdr_size(m);
}

uint64_t mkelf_notes_offset(const struct mkelf *m)
{
	return m->notes_offset;
}

size_t mkelf_phdr_size(const struct mkelf *m)
{
	return m->o.class_bits == 64 ? 56 : 32;
}
