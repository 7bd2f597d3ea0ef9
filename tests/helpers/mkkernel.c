/* SPDX-License-Identifier: MIT */
/* Synthetic ELF kernel images; see mkkernel.h.  Layout: ELF header,
 * .text (one page of zeros, what symbols point into), the string
 * table, the symbol table, .shstrtab, the section headers. */
#include "mkkernel.h"

#include "bytes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHT_PROGBITS 1
#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_DYNSYM 11
#define SHN_ABS 0xfff1

struct section {
	const char *name;
	uint32_t type, link, name_off;
	uint64_t offset, size, entsize;
};

static size_t align8(size_t v)
{
	return (v + 7) & ~(size_t)7;
}

/* The string table: "\0" then each name. */
static char *strtab_of(const struct mkkernel_spec *s, size_t *len,
		       uint32_t *offs)
{
	size_t n = 1;
	char *t;

	for (size_t i = 0; i < s->nsyms; i++)
		n += strlen(s->syms[i].name) + 1;
	t = calloc(1, n);
	*len = 1;
	for (size_t i = 0; t && i < s->nsyms; i++) {
		offs[i] = (uint32_t)*len;
		strcpy(t + *len, s->syms[i].name);
		*len += strlen(s->syms[i].name) + 1;
	}
	return t;
}

static void put_sym(uint8_t *p, const struct mkkernel_spec *s,
		    const struct mkkernel_sym *sym, uint32_t name,
		    uint64_t skew)
{
	enum kdx_byte_order bo = s->byte_order;
	uint16_t shndx = sym->undefined ? 0 : sym->absolute ? SHN_ABS : 1;
	uint8_t info = (uint8_t)(sym->binding << 4 | (sym->type & 0xf));

	put32(p, name, bo);
	if (s->class_bits == 64) {
		p[4] = info;
		put16(p + 6, shndx, bo);
		put64(p + 8, sym->value + skew, bo);
		put64(p + 16, sym->size, bo);
	} else {
		put32(p + 4, (uint32_t)(sym->value + skew), bo);
		put32(p + 8, (uint32_t)sym->size, bo);
		p[12] = info;
		put16(p + 14, shndx, bo);
	}
}

static void put_shdr(uint8_t *p, const struct mkkernel_spec *s,
		     const struct section *sec)
{
	enum kdx_byte_order bo = s->byte_order;
	bool is64 = s->class_bits == 64;

	put32(p, sec->name_off, bo);
	put32(p + 4, sec->type, bo);
	put_word(p + (is64 ? 24 : 16), sec->offset, is64, bo);
	put_word(p + (is64 ? 32 : 20), sec->size, is64, bo);
	put32(p + (is64 ? 40 : 24), sec->link, bo);
	put_word(p + (is64 ? 56 : 36), sec->entsize, is64, bo);
}

static void put_ehdr(uint8_t *p, const struct mkkernel_spec *s,
		     const struct mkkernel *k)
{
	enum kdx_byte_order bo = s->byte_order;
	bool is64 = s->class_bits == 64;

	memcpy(p, "\177ELF", 4);
	p[4] = is64 ? 2 : 1;
	p[5] = bo == KDX_LITTLE_ENDIAN ? 1 : 2;
	p[6] = 1;
	p[7] = s->osabi;
	put16(p + 16, 2, bo); /* ET_EXEC */
	put16(p + 18, s->machine, bo);
	put32(p + 20, 1, bo);
	put_word(p + (is64 ? 40 : 32), k->shoff, is64, bo);
	put16(p + (is64 ? 52 : 40), is64 ? 64 : 52, bo);
	put16(p + (is64 ? 58 : 46), (uint16_t)k->shentsize, bo);
	put16(p + (is64 ? 60 : 48), (uint16_t)k->shnum, bo);
	put16(p + (is64 ? 62 : 50), (uint16_t)(k->shnum - 1), bo);
}

bool mkkernel_build(const struct mkkernel_spec *s, struct mkkernel *k)
{
	bool is64 = s->class_bits == 64;
	unsigned int ehsize = is64 ? 64 : 52, symsize = is64 ? 24 : 16;
	uint32_t *offs = calloc(s->nsyms + 1, sizeof(*offs));
	size_t strlen_, symbytes = (s->nsyms + 1) * symsize, shstr_len;
	char *strs = offs ? strtab_of(s, &strlen_, offs) : NULL;
	static const char shstr[] = "\0.text\0.symtab\0.strtab\0.dynsym\0.dynstr\0.shstrtab";
	struct section sec[7];
	unsigned int n = 0, symsec, strsec;
	size_t off;

	memset(k, 0, sizeof(*k));
	if (!strs) {
		free(offs);
		return false;
	}
	shstr_len = sizeof(shstr);
	memset(sec, 0, sizeof(sec));
	n = 1; /* the null section */
	off = ehsize;
	sec[n++] = (struct section){ ".text", SHT_PROGBITS, 0, 1, off, 4096, 0 };
	off += 4096;
	/* [str][sym] pairs: .strtab/.symtab, or .dynstr/.dynsym, or both. */
	for (int pass = 0; pass < 2; pass++) {
		bool dyn = pass == 1;

		if ((dyn && !s->dynsym_only && !s->both) ||
		    (!dyn && s->dynsym_only))
			continue;
		strsec = n;
		sec[n++] = (struct section){ dyn ? ".dynstr" : ".strtab", SHT_STRTAB,
					     0, dyn ? 31 : 15, off, strlen_, 0 };
		off = align8(off + strlen_);
		symsec = n;
		sec[n++] = (struct section){ dyn ? ".dynsym" : ".symtab",
					     dyn ? SHT_DYNSYM : SHT_SYMTAB, strsec,
					     dyn ? 23 : 7, off, symbytes, symsize };
		off += symbytes;
		if (!dyn || s->dynsym_only) {
			k->sym_shdr_off = symsec; /* index for now */
			k->sym_off = sec[symsec].offset;
			k->str_off = sec[strsec].offset;
			k->str_size = strlen_;
		}
	}
	sec[n++] = (struct section){ ".shstrtab", SHT_STRTAB, 0, 39, off,
				     shstr_len, 0 };
	off = align8(off + shstr_len);
	k->shoff = off;
	k->shnum = n;
	k->shentsize = is64 ? 64 : 40;
	k->sym_entsize = symsize;
	k->size = off + (size_t)n * k->shentsize;
	k->data = calloc(1, k->size);
	if (!k->data) {
		free(strs);
		free(offs);
		return false;
	}
	for (unsigned int i = 1; i < n; i++) {
		if (sec[i].type == SHT_STRTAB && strcmp(sec[i].name, ".shstrtab"))
			memcpy(k->data + sec[i].offset, strs, strlen_);
		if (sec[i].type == SHT_SYMTAB || sec[i].type == SHT_DYNSYM) {
			/* The decoy .dynsym of `both` is off by a page. */
			uint64_t skew = s->both && sec[i].type == SHT_DYNSYM ? 4096 : 0;

			for (size_t j = 0; j < s->nsyms; j++)
				put_sym(k->data + sec[i].offset + (j + 1) * symsize,
					s, &s->syms[j], offs[j], skew);
		}
		put_shdr(k->data + k->shoff + i * k->shentsize, s, &sec[i]);
	}
	memcpy(k->data + sec[n - 1].offset, shstr, shstr_len);
	k->sym_shdr_off = k->shoff + k->sym_shdr_off * k->shentsize;
	put_ehdr(k->data, s, k);
	free(strs);
	free(offs);
	return true;
}

void mkkernel_free(struct mkkernel *k)
{
	free(k->data);
	k->data = NULL;
}

bool mkkernel_write(const struct mkkernel *k, const char *path)
{
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(k->data, 1, k->size, f) == k->size;

	if (f && fclose(f))
		ok = false;
	return ok;
}
