/* SPDX-License-Identifier: MIT */
#include "ptbuild.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOLES 8

struct ptb {
	enum kdx_paging_mode mode;
	uint8_t *mem;
	uint64_t size;
	uint64_t next_table;
	uint64_t root;
	struct { uint64_t start, size; } holes[MAX_HOLES];
	unsigned int nholes;
	unsigned long reads;
};

struct shape {
	unsigned int levels, entry_size;
	unsigned int shift[5];
};

static struct shape shape_of(enum kdx_paging_mode mode)
{
	switch (mode) {
	case KDX_PAGING_X86_32: return (struct shape){ 2, 4, { 22, 12 } };
	case KDX_PAGING_X86_PAE: return (struct shape){ 3, 8, { 30, 21, 12 } };
	case KDX_PAGING_X86_LA57:
		return (struct shape){ 5, 8, { 48, 39, 30, 21, 12 } };
	default: return (struct shape){ 4, 8, { 39, 30, 21, 12 } };
	}
}

static unsigned int entries_at(const struct ptb *p, unsigned int level)
{
	struct shape s = shape_of(p->mode);

	if (p->mode == KDX_PAGING_X86_PAE && level == 0)
		return 4;
	return s.entry_size == 4 ? 1024 : 512;
}

struct ptb *ptb_new(enum kdx_paging_mode mode, uint64_t mem_size,
		    uint64_t table_base)
{
	struct ptb *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->mode = mode;
	p->size = mem_size;
	p->mem = calloc(1, mem_size);
	if (!p->mem)
		abort();
	p->next_table = table_base;
	p->root = ptb_alloc_table(p, mode == KDX_PAGING_X86_PAE);
	return p;
}

void ptb_free(struct ptb *p)
{
	if (!p)
		return;
	free(p->mem);
	free(p);
}

void ptb_add_hole(struct ptb *p, uint64_t start, uint64_t size)
{
	if (p->nholes == MAX_HOLES)
		abort();
	p->holes[p->nholes].start = start;
	p->holes[p->nholes].size = size;
	p->nholes++;
}

uint64_t ptb_alloc_table(struct ptb *p, bool pae_pdpt)
{
	uint64_t size = pae_pdpt ? 32 : 4096;
	uint64_t addr = (p->next_table + size - 1) & ~(size - 1);

	if (addr + size > p->size)
		abort();
	p->next_table = addr + size;
	memset(p->mem + addr, 0, size);
	return addr;
}

uint64_t ptb_root(const struct ptb *p)
{
	return p->root;
}

void ptb_set(struct ptb *p, uint64_t table, unsigned int index, uint64_t e)
{
	unsigned int es = shape_of(p->mode).entry_size;

	for (unsigned int i = 0; i < es; i++)
		p->mem[table + (uint64_t)index * es + i] = (uint8_t)(e >> (8 * i));
}

uint64_t ptb_get(const struct ptb *p, uint64_t table, unsigned int index)
{
	unsigned int es = shape_of(p->mode).entry_size;
	uint64_t e = 0;

	for (unsigned int i = es; i-- > 0;)
		e = e << 8 | p->mem[table + (uint64_t)index * es + i];
	return e;
}

static unsigned int index_of(const struct ptb *p, uint64_t va,
			     unsigned int level)
{
	return (unsigned int)(va >> shape_of(p->mode).shift[level]) &
	       (entries_at(p, level) - 1);
}

uint64_t ptb_table(struct ptb *p, uint64_t va, unsigned int level)
{
	uint64_t table = p->root;
	uint64_t link = PTB_P | PTB_RW | PTB_US;

	for (unsigned int l = 0; l < level; l++) {
		unsigned int i = index_of(p, va, l);
		uint64_t e = ptb_get(p, table, i);

		if (!(e & PTB_P)) {
			/* PAE PDPTEs may hold only P (and PWT/PCD). */
			e = ptb_alloc_table(p, false) |
			    (p->mode == KDX_PAGING_X86_PAE && l == 0 ? PTB_P : link);
			ptb_set(p, table, i, e);
		}
		table = e & (p->mode == KDX_PAGING_X86_32 ? 0xfffff000ull :
							    0x000ffffffffff000ull);
	}
	return table;
}

static unsigned int level_for_size(const struct ptb *p, uint64_t page_size)
{
	struct shape s = shape_of(p->mode);

	for (unsigned int l = 0; l < s.levels; l++)
		if (1ull << s.shift[l] == page_size)
			return l;
	abort();
}

/* 4 MiB PDE: bits 31:22 of the address, bits 39:32 in PDE bits 20:13. */
static uint64_t pse36_address(uint64_t pa)
{
	return (pa & 0xffc00000ull) | ((pa >> 32) & 0xff) << 13;
}

void ptb_map(struct ptb *p, uint64_t va, uint64_t pa, uint64_t page_size,
	     uint64_t flags)
{
	unsigned int level = level_for_size(p, page_size);
	bool large = level + 1 < shape_of(p->mode).levels;
	uint64_t table = ptb_table(p, va, level);
	uint64_t e = PTB_P | flags | (large ? PTB_PS : 0);

	if (p->mode == KDX_PAGING_X86_32 && large)
		e |= pse36_address(pa);
	else
		e |= pa;
	ptb_set(p, table, index_of(p, va, level), e);
}

uint8_t *ptb_memory(const struct ptb *p, size_t *size)
{
	*size = (size_t)p->size;
	return p->mem;
}

static struct kdx_error *read_phys(void *ctx, uint64_t paddr, void *buf,
				   size_t len)
{
	struct ptb *p = ctx;

	p->reads++;
	if (paddr >= p->size || len > p->size - paddr)
		return kdx_err_set_address(
			kdx_err(KDX_ERR_NODATA,
				"physical 0x%llx is past the end of memory",
				(unsigned long long)paddr),
			paddr);
	for (unsigned int h = 0; h < p->nholes; h++)
		if (paddr < p->holes[h].start + p->holes[h].size &&
		    p->holes[h].start < paddr + len)
			return kdx_err_set_address(
				kdx_err(KDX_ERR_NODATA,
					"physical 0x%llx is in a hole",
					(unsigned long long)paddr),
				paddr);
	memcpy(buf, p->mem + paddr, len);
	return NULL;
}

struct kdx_xlat *ptb_xlat(struct ptb *p, const struct kdx_xlat_config *cfg)
{
	static const struct kdx_xlat_ops ops = {
		.version = KDX_XLAT_OPS_VERSION, .read_phys = read_phys
	};
	struct kdx_xlat_config c;
	struct kdx_xlat *x;
	struct kdx_error *err;

	if (cfg) {
		c = *cfg;
	} else {
		kdx_xlat_config_init(&c);
		c.root = p->root;
	}
	c.mode = p->mode;
	err = kdx_xlat_create(&c, &ops, p, &x);
	if (err) {
		fprintf(stderr, "ptb_xlat: %s\n", kdx_error_message(err));
		abort();
	}
	return x;
}

unsigned long ptb_reads(const struct ptb *p)
{
	return p->reads;
}

/* Room for one more of @count items of @size at *@array: doubled when
 * full (full at each power of two).  One more each time copied the whole
 * list per mapping: quadratic, hidden by glibc's mremap, 55 s under
 * ASan for the 10^5 mappings of sharing_explosion_is_bounded. */
static void grow(void **array, size_t count, size_t size)
{
	if (count & (count - 1))
		return;
	*array = realloc(*array, (count ? 2 * count : 1) * size);
	if (!*array)
		abort();
}

static bool collect_map(void *arg, const struct kdx_mapping *m)
{
	struct ptb_maps *out = arg;

	grow((void **)&out->maps, out->count, sizeof(*m));
	out->maps[out->count++] = *m;
	return true;
}

static bool collect_problem(void *arg, const struct kdx_error *err)
{
	struct ptb_maps *out = arg;

	grow((void **)&out->problems, out->nproblems, sizeof(char *));
	out->problems[out->nproblems++] = strdup(kdx_error_message(err));
	return true;
}

struct kdx_error *ptb_collect(struct kdx_xlat *x, uint64_t start,
			      uint64_t end, unsigned int flags,
			      bool keep_going, struct ptb_maps *out)
{
	memset(out, 0, sizeof(*out));
	return kdx_xlat_maps(x, start, end, flags, collect_map,
			     keep_going ? collect_problem : NULL, out);
}

void ptb_maps_free(struct ptb_maps *m)
{
	for (size_t i = 0; i < m->nproblems; i++)
		free(m->problems[i]);
	free(m->problems);
	free(m->maps);
}
