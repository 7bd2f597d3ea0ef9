/* SPDX-License-Identifier: MIT */
/* A kernel image's ELF symbol table; see elf_symbols.h. */
#include "sym/elf_symbols.h"

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdlib.h>
#include <string.h>

#define SHT_SYMTAB 2
#define SHT_STRTAB 3
#define SHT_DYNSYM 11
#define SHN_UNDEF 0

/* Field offsets and sizes of one ELF class. */
struct sym_class {
	unsigned int bits;
	unsigned int ehdr_size, shdr_size, sym_size;
};

static const struct sym_class class32 = { 32, 52, 40, 16 };
static const struct sym_class class64 = { 64, 64, 64, 24 };

struct shdr {
	uint32_t type, link;
	uint64_t offset, size, entsize;
};

struct kdx_symtab {
	char *name;
	enum kdx_arch arch;
	unsigned int word_size, osabi;
	enum kdx_byte_order bo;
	const char *section;
	char *strings;             /* the string table, NUL appended */
	struct kdx_symbol *syms;   /* sorted by name */
	size_t count;
};

/* What reading needs besides the table being built. */
struct reader {
	const struct kdx_file *file;
	uint64_t file_size;
	const struct sym_class *cls;
	enum kdx_byte_order bo;
	uint64_t shoff;
	uint64_t shnum;
	unsigned int shentsize;
};

static uint64_t word(const struct reader *r, const uint8_t *p)
{
	return kdx_load_uint(p, r->cls->bits / 8, r->bo);
}

static struct kdx_error *read_ident(struct reader *r, struct kdx_symtab *t,
				    const uint8_t *h, size_t got)
{
	unsigned int bits;
	struct kdx_error *err;

	if (got < 16 || memcmp(h, "\177ELF", 4))
		return kdx_err(KDX_ERR_INVALID,
			       "offset 0x0: not an ELF file (no \\177ELF magic)");
	err = kdx_elf_ident(h, &bits, &r->bo);
	if (err)
		return err;
	r->cls = bits == 32 ? &class32 : &class64;
	if (got < r->cls->ehdr_size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header at offset 0x0: %zu bytes, ELF%u needs %u",
			       got, r->cls->bits, r->cls->ehdr_size);
	t->osabi = h[7];
	t->bo = r->bo;
	t->word_size = r->cls->bits / 8;
	t->arch = kdx_arch_from_elf(kdx_load_u16(h + 18, r->bo), r->cls->bits);
	return NULL;
}

static void parse_shdr(const struct reader *r, const uint8_t *p,
		       struct shdr *s)
{
	bool is64 = r->cls->bits == 64;

	s->type = kdx_load_u32(p + 4, r->bo);
	s->offset = word(r, p + (is64 ? 24 : 16));
	s->size = word(r, p + (is64 ? 32 : 20));
	s->link = kdx_load_u32(p + (is64 ? 40 : 24), r->bo);
	s->entsize = word(r, p + (is64 ? 56 : 36));
}

static uint64_t shdr_offset(const struct reader *r, uint64_t index)
{
	return r->shoff + index * r->shentsize;
}

static struct kdx_error *read_shdr(const struct reader *r, uint64_t index,
				   struct shdr *s)
{
	uint8_t b[64];
	struct kdx_error *err = kdx_file_read(r->file, shdr_offset(r, index), b,
					      r->cls->shdr_size);

	if (err)
		return kdx_err_wrap(err, "section header %llu",
				    (unsigned long long)index);
	parse_shdr(r, b, s);
	return NULL;
}

/* e_shoff, e_shentsize, e_shnum (section 0's sh_size when e_shnum is 0,
 * ELF's extended numbering), each checked against the file. */
static struct kdx_error *read_section_table(struct reader *r,
					    const uint8_t *h)
{
	bool is64 = r->cls->bits == 64;
	unsigned int ent_off = is64 ? 58 : 46;
	uint64_t bytes;
	struct shdr s0;
	struct kdx_error *err;

	r->shoff = word(r, h + (is64 ? 40 : 32));
	r->shentsize = kdx_load_u16(h + ent_off, r->bo);
	r->shnum = kdx_load_u16(h + ent_off + 2, r->bo);
	if (!r->shoff)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "ELF header at offset 0x%x: no section headers (e_shoff 0), so no symbol table",
			       is64 ? 40 : 32);
	if (r->shentsize < r->cls->shdr_size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header at offset 0x%x: section header size %u (ELF%u needs %u)",
			       ent_off, r->shentsize, r->cls->bits,
			       r->cls->shdr_size);
	if (r->shoff > r->file_size ||
	    r->file_size - r->shoff < r->cls->shdr_size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "ELF header: section headers at offset 0x%llx start past the end of the file (0x%llx bytes)",
			       (unsigned long long)r->shoff,
			       (unsigned long long)r->file_size);
	if (!r->shnum) {
		err = read_shdr(r, 0, &s0);
		if (err)
			return err;
		r->shnum = s0.size;
	}
	if (kdx_mul_overflows(r->shnum, r->shentsize, &bytes) ||
	    bytes > r->file_size - r->shoff)
		return kdx_err(KDX_ERR_CORRUPT,
			       "section headers: %llu of %u bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
			       (unsigned long long)r->shnum, r->shentsize,
			       (unsigned long long)r->shoff,
			       (unsigned long long)r->file_size);
	return NULL;
}

/* The first section of @type; false if none. */
static struct kdx_error *find_section(const struct reader *r, uint32_t type,
				      uint64_t *index, struct shdr *s,
				      bool *found)
{
	*found = false;
	for (uint64_t i = 1; i < r->shnum; i++) {
		struct kdx_error *err = read_shdr(r, i, s);

		if (err)
			return err;
		if (s->type == type) {
			*index = i;
			*found = true;
			return NULL;
		}
	}
	return NULL;
}

static struct kdx_error *check_range(const struct reader *r, uint64_t index,
				     const char *what, const struct shdr *s)
{
	if (s->offset > r->file_size || s->size > r->file_size - s->offset)
		return kdx_err(KDX_ERR_CORRUPT,
			       "section %llu (%s), header at offset 0x%llx: 0x%llx bytes at offset 0x%llx run past the end of the file (0x%llx bytes)",
			       (unsigned long long)index, what,
			       (unsigned long long)shdr_offset(r, index),
			       (unsigned long long)s->size,
			       (unsigned long long)s->offset,
			       (unsigned long long)r->file_size);
	return NULL;
}

/* The string table @sym's sh_link names, read whole, NUL appended. */
static struct kdx_error *read_strings(const struct reader *r,
				      struct kdx_symtab *t, uint64_t sym_index,
				      const struct shdr *sym, uint64_t *size)
{
	struct shdr s;
	struct kdx_error *err;

	if (sym->link == 0 || sym->link >= r->shnum)
		return kdx_err(KDX_ERR_CORRUPT,
			       "section %llu (%s), header at offset 0x%llx: sh_link %u names no section (there are %llu)",
			       (unsigned long long)sym_index, t->section,
			       (unsigned long long)shdr_offset(r, sym_index),
			       sym->link, (unsigned long long)r->shnum);
	err = read_shdr(r, sym->link, &s);
	if (!err && s.type != SHT_STRTAB)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "section %u, header at offset 0x%llx: type %u, but %s's sh_link names it as its string table",
			      sym->link,
			      (unsigned long long)shdr_offset(r, sym->link),
			      s.type, t->section);
	if (!err)
		err = check_range(r, sym->link, "string table", &s);
	if (err)
		return err;
	t->strings = malloc((size_t)s.size + 1);
	if (!t->strings)
		return kdx_err_nomem();
	t->strings[s.size] = '\0';
	*size = s.size;
	return kdx_file_read(r->file, s.offset, t->strings, (size_t)s.size);
}

/* Decode the symbol at @p (file offset @at); *keep false to skip it
 * (unnamed, undefined). */
static struct kdx_error *decode_symbol(const struct reader *r,
				       const struct kdx_symtab *t,
				       const uint8_t *p, uint64_t at,
				       uint64_t strsize, struct kdx_symbol *out,
				       bool *keep)
{
	bool is64 = r->cls->bits == 64;
	uint32_t name = kdx_load_u32(p, r->bo);
	uint8_t info = p[is64 ? 4 : 12];
	uint16_t shndx = kdx_load_u16(p + (is64 ? 6 : 14), r->bo);

	*keep = name != 0 && shndx != SHN_UNDEF;
	if (!*keep)
		return NULL;
	if (name >= strsize)
		return kdx_err(KDX_ERR_CORRUPT,
			       "symbol at offset 0x%llx: name offset 0x%x is past the end of the string table (0x%llx bytes)",
			       (unsigned long long)at, name,
			       (unsigned long long)strsize);
	if (!memchr(t->strings + name, '\0', strsize - name))
		return kdx_err(KDX_ERR_CORRUPT,
			       "symbol at offset 0x%llx: its name at string table offset 0x%x runs past the table's end (0x%llx bytes) without a NUL",
			       (unsigned long long)at, name,
			       (unsigned long long)strsize);
	/* An empty name (an offset at a NUL) names nothing to look up. */
	*keep = t->strings[name] != '\0';
	out->name = t->strings + name;
	out->value = word(r, p + (is64 ? 8 : 4));
	out->size = word(r, p + (is64 ? 16 : 8));
	out->type = info & 0xf;
	out->binding = info >> 4;
	return NULL;
}

/* Globals first, then weak, then locals (and others). */
static int binding_rank(uint8_t b)
{
	return b == 1 ? 0 : b == 2 ? 1 : 2;
}

static int compare_symbols(const void *a, const void *b)
{
	const struct kdx_symbol *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	c = binding_rank(x->binding) - binding_rank(y->binding);
	if (c)
		return c;
	/* Same name and binding: keep file order (qsort is not stable). */
	return x < y ? -1 : x > y;
}

/* Symbols are read a chunk at a time: a table may be megabytes. */
#define SYM_CHUNK 256

static struct kdx_error *read_symbols(const struct reader *r,
				      struct kdx_symtab *t, uint64_t index,
				      const struct shdr *s, uint64_t strsize)
{
	uint64_t entsize = s->entsize ? s->entsize : r->cls->sym_size;
	uint64_t n;
	uint8_t *buf;
	struct kdx_error *err = NULL;

	if (entsize < r->cls->sym_size || entsize > 4096)
		return kdx_err(KDX_ERR_CORRUPT,
			       "section %llu (%s), header at offset 0x%llx: entry size %llu (ELF%u symbols are %u bytes)",
			       (unsigned long long)index, t->section,
			       (unsigned long long)shdr_offset(r, index),
			       (unsigned long long)s->entsize, r->cls->bits,
			       r->cls->sym_size);
	n = s->size / entsize;
	t->syms = calloc(n ? (size_t)n : 1, sizeof(*t->syms));
	buf = malloc((size_t)entsize * SYM_CHUNK);
	if (!t->syms || !buf) {
		free(buf);
		return kdx_err_nomem();
	}
	for (uint64_t i = 0; i < n && !err; i += SYM_CHUNK) {
		uint64_t m = kdx_min_u64(SYM_CHUNK, n - i);

		err = kdx_file_read(r->file, s->offset + i * entsize, buf,
				    (size_t)(m * entsize));
		for (uint64_t j = 0; j < m && !err; j++) {
			bool keep;

			err = decode_symbol(r, t, buf + j * entsize,
					    s->offset + (i + j) * entsize,
					    strsize, &t->syms[t->count], &keep);
			t->count += keep && !err;
		}
	}
	free(buf);
	if (!err)
		qsort(t->syms, t->count, sizeof(*t->syms), compare_symbols);
	return err;
}

static struct kdx_error *read_table(struct reader *r, struct kdx_symtab *t)
{
	uint8_t h[64] = { 0 };
	size_t got;
	uint64_t index = 0, strsize = 0;
	struct shdr s;
	bool found;
	struct kdx_error *err = kdx_file_read_some(r->file, 0, h, sizeof(h),
						   &got);

	if (!err)
		err = read_ident(r, t, h, got);
	if (!err)
		err = read_section_table(r, h);
	if (!err)
		err = find_section(r, SHT_SYMTAB, &index, &s, &found);
	t->section = ".symtab";
	if (!err && !found) {
		err = find_section(r, SHT_DYNSYM, &index, &s, &found);
		t->section = ".dynsym";
	}
	if (!err && !found)
		err = kdx_err(KDX_ERR_NOTFOUND,
			      "no .symtab and no .dynsym among its %llu sections",
			      (unsigned long long)r->shnum);
	if (!err)
		err = check_range(r, index, t->section, &s);
	if (!err)
		err = read_strings(r, t, index, &s, &strsize);
	if (!err)
		err = read_symbols(r, t, index, &s, strsize);
	return err;
}

struct kdx_error *kdx_symtab_read(const struct kdx_file *file,
				  struct kdx_symtab **out)
{
	struct reader r = { .file = file, .file_size = kdx_file_size(file) };
	struct kdx_symtab *t = calloc(1, sizeof(*t));
	struct kdx_error *err;

	if (!t)
		return kdx_err_nomem();
	t->name = kdx_strndup(kdx_file_name(file), 4096);
	err = t->name ? read_table(&r, t) : kdx_err_nomem();
	if (err) {
		kdx_symtab_destroy(t);
		return kdx_err_wrap(err, "kernel image %s", kdx_file_name(file));
	}
	*out = t;
	return NULL;
}

struct kdx_error *kdx_symtab_open(const char *path, struct kdx_symtab **out)
{
	struct kdx_file *file;
	struct kdx_error *err = kdx_file_open_flags(path, KDX_FILE_NO_MAP, &file);

	if (err)
		return kdx_err_wrap(err, "kernel image");
	err = kdx_symtab_read(file, out);
	kdx_file_close(file);
	return err;
}

void kdx_symtab_destroy(struct kdx_symtab *tab)
{
	if (!tab)
		return;
	free(tab->syms);
	free(tab->strings);
	free(tab->name);
	free(tab);
}

const struct kdx_symbol *kdx_symtab_find(const struct kdx_symtab *tab,
					 const char *name)
{
	size_t lo = 0, hi = tab ? tab->count : 0;

	/* The first entry not below @name: the preferred binding. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(tab->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (tab && lo < tab->count && !strcmp(tab->syms[lo].name, name))
		return &tab->syms[lo];
	return NULL;
}

const struct kdx_symbol *kdx_symtab_at(const struct kdx_symtab *tab,
				       size_t index)
{
	return index < tab->count ? &tab->syms[index] : NULL;
}

size_t kdx_symtab_count(const struct kdx_symtab *tab)
{
	return tab->count;
}

enum kdx_arch kdx_symtab_arch(const struct kdx_symtab *tab)
{
	return tab->arch;
}

unsigned int kdx_symtab_word_size(const struct kdx_symtab *tab)
{
	return tab->word_size;
}

enum kdx_byte_order kdx_symtab_byte_order(const struct kdx_symtab *tab)
{
	return tab->bo;
}

unsigned int kdx_symtab_osabi(const struct kdx_symtab *tab)
{
	return tab->osabi;
}

const char *kdx_symtab_section(const struct kdx_symtab *tab)
{
	return tab->section;
}

const char *kdx_symtab_name(const struct kdx_symtab *tab)
{
	return tab->name;
}
