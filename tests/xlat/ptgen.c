/* SPDX-License-Identifier: MIT */
#include "ptgen.h"

#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOLES 8

struct ptg {
	uint8_t *mem;
	uint64_t size, next;
	unsigned int es;
	bool be;
	struct { uint64_t start, size; } holes[MAX_HOLES];
	unsigned int nholes;
};

struct ptg *ptg_new(uint64_t mem_size, uint64_t table_base,
		    unsigned int entry_size, bool big_endian)
{
	struct ptg *p = calloc(1, sizeof(*p));

	if (!p || !(p->mem = calloc(1, mem_size)))
		abort();
	p->size = mem_size;
	p->next = table_base;
	p->es = entry_size;
	p->be = big_endian;
	return p;
}

void ptg_free(struct ptg *p)
{
	if (p)
		free(p->mem);
	free(p);
}

void ptg_hole(struct ptg *p, uint64_t start, uint64_t size)
{
	if (p->nholes == MAX_HOLES)
		abort();
	p->holes[p->nholes].start = start;
	p->holes[p->nholes++].size = size;
}

uint64_t ptg_alloc(struct ptg *p, uint64_t bytes)
{
	uint64_t align = bytes < 32 ? 32 : bytes;
	uint64_t addr = (p->next + align - 1) & ~(align - 1);

	if (addr + bytes > p->size)
		abort();
	p->next = addr + bytes;
	memset(p->mem + addr, 0, bytes);
	return addr;
}

void ptg_set(struct ptg *p, uint64_t table, unsigned int index, uint64_t e)
{
	uint8_t *at = p->mem + table + (uint64_t)index * p->es;

	for (unsigned int i = 0; i < p->es; i++) {
		unsigned int byte = p->be ? p->es - 1 - i : i;

		at[byte] = (uint8_t)(e >> (8 * i));
	}
}

uint8_t *ptg_memory(const struct ptg *p, size_t *size)
{
	*size = (size_t)p->size;
	return p->mem;
}

void ptg_fill(struct ptg *p, uint64_t table, unsigned int entries, uint64_t e)
{
	for (unsigned int i = 0; i < entries; i++)
		ptg_set(p, table, i, e);
}

uint64_t ptg_get(const struct ptg *p, uint64_t table, unsigned int index)
{
	const uint8_t *at = p->mem + table + (uint64_t)index * p->es;
	uint64_t e = 0;

	for (unsigned int i = 0; i < p->es; i++) {
		unsigned int byte = p->be ? p->es - 1 - i : i;

		e |= (uint64_t)at[byte] << (8 * i);
	}
	return e;
}

static unsigned int index_at(const struct ptg_shape *s, uint64_t va,
			     unsigned int level)
{
	unsigned int n = level == s->first ? s->top : s->entries[level];

	return (unsigned int)(va >> s->shift[level]) & (n - 1);
}

static uint64_t table_for(struct ptg *p, const struct ptg_shape *s,
			  uint64_t root, uint64_t va, unsigned int level)
{
	uint64_t table = root;

	for (unsigned int l = s->first; l < level; l++) {
		unsigned int i = index_at(s, va, l);
		uint64_t next = s->table_of(ptg_get(p, table, i), l);

		if (next == UINT64_MAX) {
			next = ptg_alloc(p, (uint64_t)s->entries[l + 1] * p->es);
			if (s->empty)
				ptg_fill(p, next, s->entries[l + 1],
					 s->empty(l + 1));
			ptg_set(p, table, i, s->table_entry(next, l));
		}
		table = next;
	}
	return table;
}

uint64_t ptg_map(struct ptg *p, const struct ptg_shape *s, uint64_t root,
		 uint64_t va, unsigned int level, uint64_t leaf)
{
	uint64_t table = table_for(p, s, root, va, level);

	ptg_set(p, table, index_at(s, va, level), leaf);
	return table;
}

void ptg_map_repeat(struct ptg *p, const struct ptg_shape *s, uint64_t root,
		    uint64_t va, unsigned int level, uint64_t leaf,
		    unsigned int count, uint64_t step)
{
	for (unsigned int i = 0; i < count; i++)
		ptg_map(p, s, root, va + ((uint64_t)i << s->shift[level]), level,
			leaf + i * step);
}

static struct kdx_error *read_phys(void *ctx, uint64_t paddr, void *buf,
				   size_t len)
{
	struct ptg *p = ctx;

	if (len > 4096 || (paddr & ~4095ull) != ((paddr + len - 1) & ~4095ull))
		abort(); /* the walker promised pieces within a 4 KiB page */
	if (paddr >= p->size || len > p->size - paddr)
		return kdx_err(KDX_ERR_NODATA,
			       "physical 0x%llx is past the end of memory",
			       (unsigned long long)paddr);
	for (unsigned int h = 0; h < p->nholes; h++)
		if (paddr < p->holes[h].start + p->holes[h].size &&
		    p->holes[h].start < paddr + len)
			return kdx_err(KDX_ERR_NODATA,
				       "physical 0x%llx is in a hole",
				       (unsigned long long)paddr);
	memcpy(buf, p->mem + paddr, len);
	return NULL;
}

struct kdx_error *ptg_xlat_try(struct ptg *p, const struct kdx_xlat_config *cfg,
			       struct kdx_xlat **out)
{
	static const struct kdx_xlat_ops ops = {
		.version = KDX_XLAT_OPS_VERSION, .read_phys = read_phys
	};
	struct kdx_xlat_config c = *cfg;

	if (p->be)
		c.flags |= KDX_XLAT_BIG_ENDIAN;
	return kdx_xlat_create(&c, &ops, p, out);
}

struct kdx_xlat *ptg_xlat(struct ptg *p, const struct kdx_xlat_config *cfg)
{
	struct kdx_xlat *x;
	struct kdx_error *err = ptg_xlat_try(p, cfg, &x);

	if (err) {
		fprintf(stderr, "ptg_xlat: %s\n", kdx_error_message(err));
		abort();
	}
	return x;
}
