/* SPDX-License-Identifier: MIT */
/* FreeBSD full dumps (see freebsd.h): the page-table root from the kernel
 * image's symbols or by a scan; and the message buffer through
 * msgbufp on any FreeBSD dump opened with a kernel image. */
#include "os/freebsd.h"

#include <kdx/log.h>

#include "core/endian.h"
#include "core/util.h"
#include "format/format.h"
#include "io/file.h"
#include "lib/dump.h"
#include "sym/elf_symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ET_CORE 4
/* amd64 PML4PML4I: the PML4 slot that maps the PML4 itself (pmap.h). */
#define AMD64_RECURSIVE_SLOT 256
#define X86_PG_V 1u
#define AMD64_FRAME 0x000ffffffffff000ull
/* The scan for the PML4 looks at pages of this much memory at most. */
#define SCAN_BYTES (16ull << 30)
/* A message buffer larger than this is damage, not a log. */
#define MAX_MSGBUF (64u << 20)

bool kdx_fbsd_full_dump(const struct kdx_dump *dump)
{
	uint8_t id[18];
	const struct kdx_symtab *tab = kdx_dump_symtab(dump);
	enum kdx_byte_order bo;
	struct kdx_error *err;

	if (dump->format != &kdx_format_elf)
		return false;
	if (tab && kdx_symtab_osabi(tab) == KDX_ELF_OSABI_FREEBSD)
		return true;
	err = kdx_file_read(dump->file, 0, id, sizeof(id));
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	bo = id[5] == 2 ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN;
	return (id[7] == KDX_ELF_OSABI_STANDALONE ||
		id[7] == KDX_ELF_OSABI_FREEBSD) &&
	       kdx_load_u16(id + 16, bo) == ET_CORE;
}

/* kernbase: the symbol (libkvm needs it too). */
static struct kdx_error *kernbase(const struct kdx_dump *dump, uint64_t *out)
{
	struct kdx_error *err = kdx_dump_kernel_symbol(dump, "kernbase", out);

	return err ? kdx_err_wrap(err, "FreeBSD full dump") : NULL;
}

/* A kernel variable of @size bytes where libkvm reads it before any
 * page table is known: at its link address minus kernbase, physically
 * (the kernel is loaded at its link address's offset from kernbase). */
static struct kdx_error *read_early(const struct kdx_dump *dump,
				    const char *name, unsigned int size,
				    uint64_t *value, uint64_t *pa)
{
	uint64_t sym, base;
	uint8_t buf[8];
	struct kdx_error *err = kdx_dump_kernel_symbol(dump, name, &sym);

	if (!err)
		err = kernbase(dump, &base);
	if (err)
		return err;
	*pa = sym - base;
	err = kdx_read_phys(dump, *pa, buf, size, 0, NULL);
	if (err)
		return kdx_err_wrap(err, "%s at 0x%llx (physical 0x%llx: minus kernbase 0x%llx)",
				    name, (unsigned long long)sym,
				    (unsigned long long)*pa,
				    (unsigned long long)base);
	*value = kdx_load_uint(buf, size, kdx_dump_byte_order(dump));
	return NULL;
}

/* Whether the page at @pa is a PML4 that maps itself at the recursive
 * slot and maps the kernel (slot 511). */
static bool self_mapped_pml4(const struct kdx_dump *dump, uint64_t pa)
{
	uint8_t e[8];
	uint64_t v;
	struct kdx_error *err = kdx_read_phys(dump, pa + AMD64_RECURSIVE_SLOT * 8,
					      e, 8, 0, NULL);

	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	v = kdx_load_u64(e, KDX_LITTLE_ENDIAN);
	if (!(v & X86_PG_V) || (v & AMD64_FRAME) != pa)
		return false;
	err = kdx_read_phys(dump, pa + 511 * 8, e, 8, 0, NULL);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	return kdx_load_u64(e, KDX_LITTLE_ENDIAN) & X86_PG_V;
}

/* libkvm needs KPML4phys; without a kernel image, FreeBSD's recursive
 * PML4 slot finds the kernel's PML4: the one page whose slot 256 holds
 * its own address. */
static bool scan_pml4(const struct kdx_dump *dump, uint64_t *root)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint64_t budget = SCAN_BYTES;

	for (size_t i = 0; i < n && budget; i++) {
		uint64_t pa = (r[i].start + 4095) & ~4095ull;

		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		for (; pa + 4096 <= r[i].start + r[i].size && budget;
		     pa += 4096, budget -= 4096)
			if (self_mapped_pml4(dump, pa)) {
				*root = pa;
				return true;
			}
	}
	return false;
}

static void note(struct kdx_kernel_layout *layout, const char *text)
{
	snprintf(layout->note, sizeof(layout->note), "%s", text);
}

static struct kdx_error *amd64_root(const struct kdx_dump *dump,
				    struct kdx_kernel_layout *layout)
{
	uint64_t root, pa;
	struct kdx_error *err = read_early(dump, "KPML4phys", 8, &root, &pa);

	if (!err) {
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 "kernel symbol KPML4phys (read at physical 0x%llx)",
			 (unsigned long long)pa);
	} else if (kdx_error_code(err) == KDX_ERR_NOTFOUND &&
		   scan_pml4(dump, &root)) {
		kdx_error_destroy(err);
		err = NULL;
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 "scan: the page that maps itself at PML4 slot %u",
			 AMD64_RECURSIVE_SLOT);
	}
	if (err && kdx_error_code(err) == KDX_ERR_NOTFOUND) {
		note(layout, "FreeBSD/amd64 full dump: no PML4 maps itself at slot 256; give --kernel (KPML4phys) or --root");
		kdx_error_destroy(err);
		return NULL;
	}
	if (err)
		return err;
	layout->has_root = true;
	layout->root = root;
	return NULL;
}

/* ---- i386 without a kernel image: the page directory that maps
 * itself (FreeBSD's PTDPTDI slots) ---- */

#define PAE_FRAME 0x000ffffffffff000ull
#define I386_PG_PS 0x80u
/* i386 machines have at most 64 GiB; the tables sit low. */
#define I386_SCAN_BYTES (4ull << 30)

/* PAE: four consecutive valid entries of page @pa pointing to four
 * consecutive pages, @pa one of them: the PTD's recursive slots. */
static bool pae_self_map(const uint8_t *page, uint64_t pa, uint64_t *ptd)
{
	for (unsigned int i = 0; i + 4 <= 512; i++) {
		uint64_t f0 = kdx_load_u64(page + i * 8, KDX_LITTLE_ENDIAN);
		bool run = f0 & X86_PG_V;

		f0 &= PAE_FRAME;
		if (!run || pa < f0 || pa - f0 > 3 * 4096 || (pa - f0) % 4096)
			continue;
		for (unsigned int k = 1; k < 4 && run; k++) {
			uint64_t e = kdx_load_u64(page + (i + k) * 8,
						  KDX_LITTLE_ENDIAN);

			run = (e & X86_PG_V) && (e & PAE_FRAME) == f0 + k * 4096;
		}
		if (run) {
			*ptd = f0;
			return true;
		}
	}
	return false;
}

static bool is_dumped(const struct kdx_dump *dump, uint64_t pa)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);

	for (size_t i = 0; i < n; i++)
		if (pa >= r[i].start && pa - r[i].start < r[i].size)
			return r[i].kind == KDX_RANGE_DATA;
	return false;
}

/* Whether the 4-byte entries of @page look like a page directory: a
 * quarter of them empty at least (the kernel's address space is
 * sparse; any page of data is not), and every page table they name
 * dumped. */
static bool plausible_pd(const struct kdx_dump *dump, const uint8_t *page)
{
	unsigned int empty = 0;

	for (unsigned int i = 0; i < 1024; i++) {
		uint32_t e = kdx_load_u32(page + i * 4, KDX_LITTLE_ENDIAN);

		if (!e)
			empty++;
		else if ((e & X86_PG_V) && !(e & I386_PG_PS) &&
			 !is_dumped(dump, e & 0xfffff000u))
			return false;
	}
	return empty >= 256;
}

/* 2-level: a valid entry of the kernel half pointing to the page, which
 * looks like a page directory. */
static bool pd_self_map(const struct kdx_dump *dump, const uint8_t *page,
			uint64_t pa)
{
	for (unsigned int i = 512; i < 1024; i++) {
		uint32_t e = kdx_load_u32(page + i * 4, KDX_LITTLE_ENDIAN);

		if ((e & X86_PG_V) && !(e & I386_PG_PS) &&
		    (e & 0xfffff000u) == pa)
			return plausible_pd(dump, page);
	}
	return false;
}

typedef bool (*page_visit)(const uint8_t *page, uint64_t pa, void *arg);

/* Every dumped page (within @budget bytes) to @visit until it says so. */
static bool each_page(const struct kdx_dump *dump, uint64_t budget,
		      page_visit visit, void *arg)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);
	uint8_t page[4096];

	for (size_t i = 0; i < n && budget; i++) {
		uint64_t pa = (r[i].start + 4095) & ~4095ull;

		if (r[i].kind != KDX_RANGE_DATA)
			continue;
		for (; pa + 4096 <= r[i].start + r[i].size && budget;
		     pa += 4096, budget -= 4096) {
			struct kdx_error *err = kdx_read_phys(dump, pa, page,
							      sizeof(page), 0, NULL);

			if (err) {
				kdx_error_destroy(err);
				continue;
			}
			if (visit(page, pa, arg))
				return true;
		}
	}
	return false;
}

struct i386_scan {
	const struct kdx_dump *dump;
	bool pae;
	uint64_t ptd, root;
};

static bool find_ptd(const uint8_t *page, uint64_t pa, void *arg)
{
	struct i386_scan *s = arg;

	if (pae_self_map(page, pa, &s->ptd)) {
		s->pae = true;
		return true;
	}
	if (pd_self_map(s->dump, page, pa)) {
		s->root = pa;
		return true;
	}
	return false;
}

/* The PDPT: 32 aligned bytes holding the four PTD pages, valid. */
static bool find_pdpt(const uint8_t *page, uint64_t pa, void *arg)
{
	struct i386_scan *s = arg;

	for (unsigned int off = 0; off < 4096; off += 32) {
		bool run = true;

		for (unsigned int k = 0; k < 4 && run; k++) {
			uint64_t e = kdx_load_u64(page + off + k * 8,
						  KDX_LITTLE_ENDIAN);

			run = (e & X86_PG_V) && (e & PAE_FRAME) == s->ptd + k * 4096;
		}
		if (run) {
			s->root = pa + off;
			return true;
		}
	}
	return false;
}

static bool i386_scan(const struct kdx_dump *dump,
		      struct kdx_kernel_layout *layout)
{
	struct i386_scan s = { .dump = dump };

	if (!each_page(dump, I386_SCAN_BYTES, find_ptd, &s) ||
	    (s.pae && !each_page(dump, I386_SCAN_BYTES, find_pdpt, &s)))
		return false;
	if (layout->mode == KDX_PAGING_NONE) {
		layout->mode = s.pae ? KDX_PAGING_X86_PAE : KDX_PAGING_X86_32;
		snprintf(layout->mode_source, KDX_SOURCE_LEN,
			 "scan: %s", s.pae ? "a 4-page PTD that maps itself" :
					     "a page directory that maps itself");
	}
	layout->has_root = true;
	layout->root = s.root;
	if (s.pae)
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 "scan: the PDPT of the PTD at 0x%llx that maps itself",
			 (unsigned long long)s.ptd);
	else
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 "scan: the page directory that maps itself");
	return true;
}

/* IdlePDPT (PAE) or IdlePTD, as libkvm's kvm_i386.c reads them. */
static struct kdx_error *i386_root(const struct kdx_dump *dump,
				   struct kdx_kernel_layout *layout)
{
	static const struct {
		const char *name;
		enum kdx_paging_mode mode;
	} roots[] = { { "IdlePDPT", KDX_PAGING_X86_PAE },
		      { "IdlePTD", KDX_PAGING_X86_32 } };

	for (size_t i = 0; i < KDX_ARRAY_SIZE(roots); i++) {
		uint64_t root, pa;
		struct kdx_error *err = read_early(dump, roots[i].name, 4,
						   &root, &pa);

		if (err && kdx_error_code(err) == KDX_ERR_NOTFOUND) {
			kdx_error_destroy(err);
			continue;
		}
		if (err)
			return err;
		if (layout->mode == KDX_PAGING_NONE) {
			layout->mode = roots[i].mode;
			snprintf(layout->mode_source, KDX_SOURCE_LEN,
				 "kernel symbol %s", roots[i].name);
		}
		layout->has_root = true;
		layout->root = root;
		snprintf(layout->root_source, KDX_SOURCE_LEN,
			 "kernel symbol %s (read at physical 0x%llx)",
			 roots[i].name, (unsigned long long)pa);
		return NULL;
	}
	if (!i386_scan(dump, layout))
		note(layout, "FreeBSD/i386 full dump: no page directory maps itself; give --kernel (kernbase and IdlePDPT or IdlePTD) or --root and --mode");
	return NULL;
}

/* amd64's DMAP_MIN_ADDRESS (4-level kernels): the direct map, when the
 * tables say it maps physical 0 there. */
#define AMD64_DMAP_MIN 0xfffff80000000000ull

static void amd64_direct_map(const struct kdx_dump *dump,
			     struct kdx_kernel_layout *layout)
{
	struct kdx_xlat *xlat;
	struct kdx_xlat_result r;
	struct kdx_error *err;

	if (layout->has_direct_map || !layout->has_root ||
	    layout->mode != KDX_PAGING_X86_64)
		return;
	err = kdx_kernel_xlat_create(dump, layout, &xlat);
	if (err) {
		kdx_error_destroy(err);
		return;
	}
	err = kdx_xlat_translate(xlat, AMD64_DMAP_MIN, &r);
	if (!err && r.paddr == 0) {
		layout->has_direct_map = true;
		layout->direct_map = AMD64_DMAP_MIN;
		snprintf(layout->direct_map_source, KDX_SOURCE_LEN,
			 "FreeBSD/amd64 DMAP_MIN_ADDRESS (the tables map physical 0 there)");
	}
	kdx_error_destroy(err);
	kdx_xlat_destroy(xlat);
}

struct kdx_error *kdx_fbsd_full_probe(const struct kdx_dump *dump,
				      const struct kdx_kernel_options *given,
				      struct kdx_kernel_layout *layout)
{
	enum kdx_arch arch = kdx_dump_arch(dump);
	struct kdx_error *err = NULL;

	(void)given;
	layout->page_size = 4096;
	layout->xlat_flags |= KDX_XLAT_PSE | KDX_XLAT_NXE;
	if (arch == KDX_ARCH_X86_64) {
		/* Slot 256 maps the PML4 itself: not a loop to report. */
		layout->xlat_flags |= KDX_XLAT_SELF_MAP;
		if (layout->mode == KDX_PAGING_NONE) {
			layout->mode = KDX_PAGING_X86_64;
			snprintf(layout->mode_source, KDX_SOURCE_LEN,
				 "FreeBSD/amd64 full dump (4-level paging)");
		}
		if (!layout->has_root)
			err = amd64_root(dump, layout);
		if (!err)
			amd64_direct_map(dump, layout);
	} else if (arch == KDX_ARCH_I386) {
		/* PTDPTDI: the PTD maps itself, as amd64's PML4 does. */
		layout->xlat_flags |= KDX_XLAT_SELF_MAP;
		if (!layout->has_root)
			err = i386_root(dump, layout);
	} else {
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "FreeBSD full dumps of %s machines: kdx finds the page tables of amd64 and i386 ones only",
			       kdx_arch_name(arch));
	}
	return err;
}

size_t kdx_fbsd_order_ring(const uint8_t *ring, size_t size, uint32_t wseq,
			   char *out)
{
	size_t start = size ? wseq % size : 0, n = 0;

	for (size_t i = 0; i < size; i++) {
		uint8_t c = ring[(start + i) % size];

		if (c)
			out[n++] = (char)c;
	}
	return n;
}

/* struct msgbuf at @va: msg_ptr, msg_magic, msg_size, msg_wseq. */
static struct kdx_error *read_msgbuf(const struct kdx_dump *dump,
				     struct kdx_xlat *xlat, uint64_t va,
				     char **text, size_t *len)
{
	unsigned int w = kdx_dump_word_size(dump);
	enum kdx_byte_order bo = kdx_dump_byte_order(dump);
	uint8_t h[20], *ring;
	uint64_t ptr;
	uint32_t magic, size, wseq;
	struct kdx_error *err = kdx_read_virt(dump, xlat, va, h, w + 12, 0, NULL);

	if (err)
		return kdx_err_wrap(err, "struct msgbuf at 0x%llx",
				    (unsigned long long)va);
	ptr = kdx_load_uint(h, w, bo);
	magic = kdx_load_u32(h + w, bo);
	size = kdx_load_u32(h + w + 4, bo);
	wseq = kdx_load_u32(h + w + 8, bo);
	if (magic != KDX_FBSD_MSG_MAGIC || !size || size > MAX_MSGBUF)
		return kdx_err(KDX_ERR_CORRUPT,
			       "struct msgbuf at 0x%llx: magic 0x%x (want 0x%x), size 0x%x",
			       (unsigned long long)va, magic,
			       KDX_FBSD_MSG_MAGIC, size);
	ring = malloc(size);
	*text = malloc((size_t)size + 1);
	err = ring && *text ? kdx_read_virt(dump, xlat, ptr, ring, size, 0, NULL) :
			      kdx_err_nomem();
	if (!err) {
		*len = kdx_fbsd_order_ring(ring, size, wseq, *text);
		(*text)[*len] = '\0';
	} else {
		free(*text);
		*text = NULL;
		err = kdx_err_wrap(err, "message buffer (msg_ptr 0x%llx, 0x%x bytes)",
				   (unsigned long long)ptr, size);
	}
	free(ring);
	return err;
}

struct kdx_error *kdx_fbsd_msgbuf_from_symbols(const struct kdx_dump *dump,
					       char **text, size_t *len)
{
	unsigned int w = kdx_dump_word_size(dump);
	uint64_t sym, ptr = 0;
	uint8_t buf[8];
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat = NULL;
	struct kdx_error *err = kdx_dump_kernel_symbol(dump, "msgbufp", &sym);

	if (!err)
		err = kdx_kernel_probe(dump, NULL, &layout);
	if (!err)
		err = kdx_kernel_xlat_create(dump, &layout, &xlat);
	if (!err) {
		err = kdx_read_virt(dump, xlat, sym, buf, w, 0, NULL);
		if (err)
			err = kdx_err_wrap(err, "msgbufp at 0x%llx",
					   (unsigned long long)sym);
	}
	if (!err) {
		ptr = kdx_load_uint(buf, w, kdx_dump_byte_order(dump));
		err = read_msgbuf(dump, xlat, ptr, text, len);
	}
	kdx_xlat_destroy(xlat);
	return err;
}
