/* SPDX-License-Identifier: MIT */
/* Synthetic FreeBSD full dumps; see mkfbsdfull.h. */
#include "mkfbsdfull.h"

#include "bytes.h"
#include "mkelf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEM_SIZE 0x1000000ull
#define PG_V 0x1ull
#define PG_RW 0x2ull
#define PG_PS 0x80ull
/* Page tables from here (inside the kernel's linear map, as FreeBSD's
 * are). */
#define PT_BASE 0x300000ull
/* Kernel variables (physical = link address - kernbase). */
#define VAR_ROOT 0x410000ull
#define VAR_VERSION 0x410100ull
#define VAR_MSGBUFP 0x410200ull
/* The message buffer: the ring, then struct msgbuf (msgbufinit()). */
#define RING_PA 0x600000ull
#define RING_SIZE 0x1000u
/* The small-page area, after the 8 MiB linear map. */
#define SMALL_OFF 0x800000ull
#define AMD64_DMAP 0xfffff80000000000ull

static const uint64_t ram[] = { 0x0, 0x9f000, 0x100000, 0xc00000,
				0xd00000, MEM_SIZE };

static const char version_amd64[] =
	"FreeBSD 14.1-RELEASE releng/14.1-n267679-10e31f0946d8 GENERIC amd64";
static const char version_i386[] =
	"FreeBSD 13.2-RELEASE releng/13.2-n254617-525ecfdad597 GENERIC i386";

static bool is_amd64(const struct mkfull *d, const struct mkfull_spec *s)
{
	(void)d;
	return s->arch == MKFULL_AMD64;
}

static void put_entry(struct mkfull *d, const struct mkfull_spec *s,
		      uint64_t table, unsigned int index, uint64_t value)
{
	if (s->arch == MKFULL_I386)
		put32(d->mem + table + index * 4, (uint32_t)value,
		      KDX_LITTLE_ENDIAN);
	else
		put64(d->mem + table + index * 8, value, KDX_LITTLE_ENDIAN);
}

static void add_map(struct mkfull *d, uint64_t va, uint64_t pa,
		    uint64_t size, bool valid)
{
	d->maps[d->nmaps++] = (struct mkfull_map){ va, pa, size, valid };
}

/* The last-level table for the small-page area, @pt, and its record. */
static void small_pages(struct mkfull *d, const struct mkfull_spec *s,
			uint64_t pt)
{
	static const struct {
		uint64_t pa;
		bool valid;
	} e[] = { { 0x700000, true }, { 0x701000, true },
		  { 0x702000, false }, { 0xc00000, true },
		  { 0x705000, true }, { 0x704000, true },
		  { 0xd00000, true } };
	uint64_t va = d->kernbase + SMALL_OFF;

	for (unsigned int i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		/* Not valid: the frame is there, the valid bit is not. */
		put_entry(d, s, pt, i, e[i].pa | PG_RW | (e[i].valid ? PG_V : 0));
		add_map(d, va + i * 4096ull, e[i].pa, 4096, e[i].valid);
	}
}

static void amd64_tables(struct mkfull *d, const struct mkfull_spec *s)
{
	uint64_t pml4 = PT_BASE, pdpt_k = PT_BASE + 0x1000,
		 pd_k = PT_BASE + 0x2000, pt = PT_BASE + 0x3000,
		 pdpt_d = PT_BASE + 0x4000;

	d->root = pml4;
	put_entry(d, s, pml4, 256, pml4 | PG_V | PG_RW); /* PML4PML4I */
	put_entry(d, s, pml4, 511, pdpt_k | PG_V | PG_RW);
	put_entry(d, s, pml4, 496, pdpt_d | PG_V | PG_RW);
	put_entry(d, s, pdpt_k, 510, pd_k | PG_V | PG_RW);
	for (unsigned int i = 0; i < 4; i++)
		put_entry(d, s, pd_k, i, (i * 0x200000ull) | PG_V | PG_RW | PG_PS);
	add_map(d, d->kernbase, 0, 0x800000, true);
	put_entry(d, s, pd_k, 4, pt | PG_V | PG_RW);
	small_pages(d, s, pt);
	put_entry(d, s, pdpt_d, 0, 0 | PG_V | PG_RW | PG_PS); /* 1 GiB */
	add_map(d, AMD64_DMAP, 0, 1ull << 30, true);
}

static void pae_tables(struct mkfull *d, const struct mkfull_spec *s)
{
	uint64_t pdpt = PT_BASE, pd3 = PT_BASE + 0x4000, pt = PT_BASE + 0x5000;

	d->root = pdpt;
	for (unsigned int i = 0; i < 4; i++)
		put_entry(d, s, pdpt, i, (PT_BASE + 0x1000 * (i + 1)) | PG_V);
	for (unsigned int i = 0; i < 4; i++)
		put_entry(d, s, pd3, i, (i * 0x200000ull) | PG_V | PG_RW | PG_PS);
	add_map(d, d->kernbase, 0, 0x800000, true);
	/* PTDPTDI: the four PTD pages in the last four slots, so PD3 maps
	 * itself (pmap.h). */
	for (unsigned int i = 0; i < 4; i++)
		put_entry(d, s, pd3, 508 + i, (PT_BASE + 0x1000 * (i + 1)) | PG_V | PG_RW);
	put_entry(d, s, pd3, 4, pt | PG_V | PG_RW);
	small_pages(d, s, pt);
}

static void i386_tables(struct mkfull *d, const struct mkfull_spec *s)
{
	uint64_t pd = PT_BASE, pt = PT_BASE + 0x5000;

	d->root = pd;
	put_entry(d, s, pd, 768, 0 | PG_V | PG_RW | PG_PS);
	put_entry(d, s, pd, 769, 0x400000 | PG_V | PG_RW | PG_PS);
	add_map(d, d->kernbase, 0, 0x800000, true);
	put_entry(d, s, pd, 770, pt | PG_V | PG_RW);
	put_entry(d, s, pd, 1022, pd | PG_V | PG_RW); /* PTDPTDI */
	small_pages(d, s, pt);
}

/* A log longer than the ring: it has wrapped. */
static bool fill_msgbuf(struct mkfull *d, bool w8)
{
	char *stream = malloc(3 * RING_SIZE);
	size_t total = 0;
	uint8_t *h = d->mem + RING_PA + RING_SIZE;
	unsigned int w = w8 ? 8 : 4;

	if (!stream)
		return false;
	for (unsigned int n = 0; total + 100 < 2 * RING_SIZE + 300; n++)
		total += (size_t)sprintf(stream + total,
					 "<6>full dump message %u\n", n);
	for (size_t k = total - RING_SIZE; k < total; k++)
		d->mem[RING_PA + k % RING_SIZE] = (uint8_t)stream[k];
	put_bytes(h, d->kernbase + RING_PA, (int)w, KDX_LITTLE_ENDIAN);
	put32(h + w, 0x063062, KDX_LITTLE_ENDIAN);
	put32(h + w + 4, RING_SIZE, KDX_LITTLE_ENDIAN);
	put32(h + w + 8, (uint32_t)(total % (RING_SIZE * 16)), KDX_LITTLE_ENDIAN);
	put32(h + w + 12, (uint32_t)(total % (RING_SIZE * 16)), KDX_LITTLE_ENDIAN);
	d->log_len = RING_SIZE;
	d->log = malloc(RING_SIZE);
	if (d->log)
		memcpy(d->log, stream + total - RING_SIZE, RING_SIZE);
	free(stream);
	return d->log != NULL;
}

static bool build_kernel(struct mkfull *d, const struct mkfull_spec *s)
{
	bool amd64 = is_amd64(d, s);
	const char *root_name = amd64 ? "KPML4phys" :
				s->arch == MKFULL_I386_PAE ? "IdlePDPT" : "IdlePTD";
	struct mkkernel_sym syms[] = {
		{ "kernbase", d->kernbase, 0, 0, 1, true, false },
		{ root_name, d->kernbase + VAR_ROOT, amd64 ? 8 : 4, 1, 1, false, false },
		{ "version", d->kernbase + VAR_VERSION, 256, 1, 1, false, false },
		{ "msgbufp", d->kernbase + VAR_MSGBUFP, amd64 ? 8 : 4, 1, 1, false, false },
		{ "msgbufp", d->kernbase + 0x123456, 8, 1, 0, false, false }, /* a local */
		{ "panic", d->kernbase + 0x200000, 64, 2, 1, false, false },
		{ "undefined_one", 0, 0, 0, 1, false, true },
	};
	struct mkkernel_spec ks = {
		.class_bits = amd64 ? 64 : 32,
		.byte_order = KDX_LITTLE_ENDIAN,
		.machine = amd64 ? 62 : 3,
		.osabi = 9,
		.dynsym_only = s->dynsym_only,
		.syms = syms,
		.nsyms = sizeof(syms) / sizeof(syms[0]),
	};

	return mkkernel_build(&ks, &d->kernel);
}

static void fill_memory(struct mkfull *d, const struct mkfull_spec *s)
{
	bool amd64 = is_amd64(d, s);

	for (uint64_t pa = 0; pa < MEM_SIZE; pa++)
		d->mem[pa] = mkelf_pattern(pa);
	/* Page tables, kernel variables and the ring start out empty. */
	memset(d->mem + PT_BASE, 0, 0x6000);
	memset(d->mem + VAR_ROOT, 0, 0x1000);
	memset(d->mem + RING_PA, 0, 0x2000);
	if (amd64)
		amd64_tables(d, s);
	else if (s->arch == MKFULL_I386_PAE)
		pae_tables(d, s);
	else
		i386_tables(d, s);
	d->root_var = d->kernbase + VAR_ROOT;
	put_bytes(d->mem + VAR_ROOT, d->root, amd64 ? 8 : 4, KDX_LITTLE_ENDIAN);
	put_bytes(d->mem + VAR_MSGBUFP, d->kernbase + RING_PA + RING_SIZE,
		  amd64 ? 8 : 4, KDX_LITTLE_ENDIAN);
	d->version = amd64 ? version_amd64 : version_i386;
	if (!s->no_version_text)
		memcpy(d->mem + VAR_VERSION, d->version, strlen(d->version));
}

static bool build_core(struct mkfull *d, const struct mkfull_spec *s)
{
	bool amd64 = is_amd64(d, s);
	struct mkelf_options o = { .class_bits = amd64 ? 64 : 32,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = amd64 ? 62 : 3 };
	struct mkelf *m = mkelf_new(&o);
	uint8_t *elf;
	size_t elf_size;

	if (!m)
		return false;
	for (unsigned int i = 0; i < d->nranges; i++) {
		struct mkelf_load l = { .paddr = d->ranges[2 * i],
					.vaddr = d->ranges[2 * i],
					.filesz = d->ranges[2 * i + 1] - d->ranges[2 * i],
					.data = d->mem + d->ranges[2 * i] };

		l.memsz = l.filesz;
		mkelf_add_load(m, &l);
	}
	elf = mkelf_build(m, &elf_size);
	mkelf_free(m);
	if (!elf)
		return false;
	elf[7] = 255; /* ELFOSABI_STANDALONE, as dumpsys_generic() */
	if (!s->kdh) {
		d->data = elf;
		d->size = elf_size;
		return true;
	}
	d->size = elf_size + 1024;
	d->data = calloc(1, d->size);
	if (!d->data) {
		free(elf);
		return false;
	}
	/* sys/sys/kerneldump.h version 4, big-endian, before and after. */
	for (int k = 0; k < 2; k++) {
		uint8_t *h = d->data + (k ? 512 + elf_size : 0);

		memcpy(h, "FreeBSD Kernel Dump", 20);
		memcpy(h + 20, amd64 ? "amd64" : "i386", amd64 ? 5 : 4);
		put32(h + 32, 4, KDX_BIG_ENDIAN);
		put64(h + 40, elf_size, KDX_BIG_ENDIAN);
		put32(h + 60, 512, KDX_BIG_ENDIAN);
		memcpy(h + 64, "fullhost", 8);
		memcpy(h + 128, d->version, strlen(d->version));
		memcpy(h + 320, "synthetic panic", 15);
	}
	memcpy(d->data + 512, elf, elf_size);
	d->elf_offset = 512;
	free(elf);
	return true;
}

bool mkfull_build(const struct mkfull_spec *s, struct mkfull *d)
{
	memset(d, 0, sizeof(*d));
	d->kernbase = s->arch == MKFULL_AMD64 ? 0xffffffff80000000ull : 0xc0000000ull;
	d->mem_size = MEM_SIZE;
	d->mem = malloc(MEM_SIZE);
	d->nranges = 3;
	memcpy(d->ranges, ram, sizeof(ram));
	if (!d->mem)
		return false;
	fill_memory(d, s);
	if (!fill_msgbuf(d, s->arch == MKFULL_AMD64) || !build_kernel(d, s) ||
	    !build_core(d, s)) {
		mkfull_free(d);
		return false;
	}
	return true;
}

void mkfull_free(struct mkfull *d)
{
	free(d->data);
	free(d->mem);
	free(d->log);
	mkkernel_free(&d->kernel);
	memset(d, 0, sizeof(*d));
}

bool mkfull_dumped(const struct mkfull *d, uint64_t pa)
{
	for (unsigned int i = 0; i < d->nranges; i++)
		if (pa >= d->ranges[2 * i] && pa < d->ranges[2 * i + 1])
			return true;
	return false;
}

bool mkfull_expect(const struct mkfull *d, uint64_t va, uint64_t *pa)
{
	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkfull_map *m = &d->maps[i];

		if (va >= m->va && va - m->va < m->size) {
			if (!m->valid)
				return false;
			*pa = m->pa + (va - m->va);
			return true;
		}
	}
	return false;
}

const char *mkfull_arch_name(const struct mkfull *d)
{
	return d->kernbase > UINT32_MAX ? "x86_64" : "i386";
}
