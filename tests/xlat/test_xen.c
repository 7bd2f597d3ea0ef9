/* SPDX-License-Identifier: MIT */
/* Xen guest dumps (xc_core) end to end: a PV guest whose page tables hold
 * machine frames under a scrambled p2m, read back byte by byte by
 * pseudo-physical, machine and virtual address; 32-bit PV with PAE and a
 * folded CR3 above 4 GiB; HVM; the legacy file; and every broken p2m a
 * reader must report. */
#include "xlat_test.h"
#include "xen_frames.h"

#include "bytes.h"
#include "linuxdump.h"
#include "core/endian.h"
#include "mkkdump.h"
#include "mkxccore.h"

#include <kdx/kdx.h>

#include <stdio.h>
#include <stdlib.h>

#define PAGE 4096u
#define FRAMES XEN_TEST_FRAMES
#define TABLES (2u << 20)        /* ptbuild's tables from 2 MiB */
#define VMCI_FRAME 5u            /* machine frame of the VMCOREINFO text */
#define TEXT_VA 0xffffffff81000000ull
#define TEXT_FRAME 16u           /* text pages: machine frames 16..31 */
#define TEXT_PAGES 16u
#define KERNEL_MAP 0xffffffff80000000ull
#define DIRECT 0xffff888000000000ull
/* Linux's own p2m, in machine frames of the guest: the tools' tree (frame
 * list list, one mid page, two leaves of 512 pfns) and the linear list
 * (two pages mapped at P2M_VA in the kernel's page table). */
#define TREE_TOP 40u
#define TREE_MID 41u
#define TREE_LEAF 42u /* and 43 */
#define LIST_FRAME 44u /* and 45 */
#define P2M_VA 0xffffc90000000000ull

/* Machine memory: page tables (ptbuild writes machine addresses into
 * them), patterned data, the VMCOREINFO text. */
struct guest {
	struct ptb *p;
	uint8_t *mem;
	uint64_t root;
	uint64_t pfns[FRAMES], mfns[FRAMES];
};

static uint8_t pattern(uint64_t m, size_t k)
{
	return (uint8_t)(m * 7 + k * 13 + (k >> 8) + 1);
}

static void put_le64(uint8_t *p, uint64_t v)
{
	put64(p, v, KDX_LITTLE_ENDIAN);
}

/* The tree and the list as Linux lays them out (arch/x86/xen/p2m.c): the
 * top page's unused entries and the list's pages are what a guest with
 * exactly FRAMES pfns has. */
static void write_linux_p2m(struct guest *g)
{
	uint8_t *top = g->mem + TREE_TOP * PAGE, *mid = g->mem + TREE_MID * PAGE;

	memset(top, 0xff, PAGE);
	memset(mid, 0xff, PAGE);
	put_le64(top, TREE_MID);
	for (uint64_t l = 0; l < 2; l++) {
		put_le64(mid + l * 8, TREE_LEAF + l);
		for (uint64_t k = 0; k < 512; k++)
			put_le64(g->mem + (TREE_LEAF + l) * PAGE + k * 8,
				 mfn_of(l * 512 + k));
	}
	for (uint64_t pfn = 0; pfn < FRAMES; pfn++)
		put_le64(g->mem + LIST_FRAME * PAGE + pfn * 8, mfn_of(pfn));
}

static void build_guest(struct guest *g)
{
	size_t size;
	char text[512];
	uint64_t root_pa;

	g->p = ptb_new(KDX_PAGING_X86_64, (uint64_t)FRAMES * PAGE, TABLES);
	g->root = ptb_root(g->p);
	root_pa = pfn_of(g->root / PAGE) * PAGE;
	for (unsigned int i = 0; i < TEXT_PAGES; i++)
		ptb_map(g->p, TEXT_VA + i * PAGE,
			(uint64_t)(TEXT_FRAME + i) * PAGE, PAGE, PTB_RW | PTB_G);
	/* init_top_pgt: __START_KERNEL_map + its pseudo-physical address */
	ptb_map(g->p, KERNEL_MAP + root_pa, g->root, PAGE, PTB_RW);
	for (uint64_t pfn = 0; pfn < FRAMES; pfn++)
		ptb_map(g->p, DIRECT + pfn * PAGE, mfn_of(pfn) * PAGE, PAGE,
			PTB_RW | PTB_NX);
	for (uint64_t i = 0; i < 2; i++)
		ptb_map(g->p, P2M_VA + i * PAGE, (LIST_FRAME + i) * PAGE, PAGE,
			PTB_NX);
	g->mem = ptb_memory(g->p, &size);
	assert_int_equal(size, (size_t)FRAMES * PAGE);
	for (uint64_t m = 0; m < TABLES / PAGE; m++)
		for (size_t k = 0; k < PAGE; k++)
			g->mem[m * PAGE + k] = pattern(m, k);
	snprintf(text, sizeof(text),
		 "OSRELEASE=6.1.0-xen-test\nPAGESIZE=4096\n"
		 "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n"
		 "KERNELOFFSET=0\nNUMBER(pgtable_l5_enabled)=0\n",
		 (unsigned long long)(KERNEL_MAP + root_pa));
	memset(g->mem + VMCI_FRAME * PAGE, 0, PAGE);
	memcpy(g->mem + VMCI_FRAME * PAGE, text, strlen(text));
	write_linux_p2m(g);
	/* Page i of the file is machine frame i: pfns out of order. */
	for (uint64_t m = 0; m < FRAMES; m++) {
		g->pfns[m] = pfn_of(m);
		g->mfns[m] = m;
	}
}

static void free_guest(struct guest *g)
{
	ptb_free(g->p);
}

static void spec_of(const struct guest *g, struct mkxc_spec *s,
		    const uint64_t *cr3)
{
	mkxc_spec_init(s);
	s->nr_pages = FRAMES;
	s->pages = g->mem;
	s->pfns = g->pfns;
	s->mfns = g->mfns;
	s->cr3 = cr3;
	s->max_pfn = FRAMES;
	s->frame_list_list = TREE_TOP;
	s->p2m_cr3 = g->root;
	s->p2m_vaddr = P2M_VA;
}

static struct kdx_dump *open_xc(uint8_t *file, size_t size)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(file, size, NULL, &d);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

static bool has_warning(const struct kdx_dump *d, const char *text)
{
	size_t n;
	const char *const *w = kdx_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(w[i], text))
			return true;
	return false;
}

static void assert_error(struct kdx_error *err, enum kdx_error_code code,
			 const char *text)
{
	assert_non_null(err);
	if (kdx_error_code(err) != code || !strstr(kdx_error_message(err), text))
		fail_msg("expected %s with '%s', got %s: %s",
			 kdx_error_code_name(code), text,
			 kdx_error_code_name(kdx_error_code(err)),
			 kdx_error_message(err));
	kdx_error_destroy(err);
}

/* Every pseudo-physical page, every machine frame both ways. */
static void check_frames(const struct kdx_dump *d, const struct guest *g)
{
	uint8_t buf[PAGE];

	for (uint64_t p = 0; p < FRAMES; p++) {
		uint64_t m = mfn_of(p), a;

		assert_null(kdx_read_phys(d, p * PAGE, buf, PAGE, 0, NULL));
		assert_memory_equal(buf, g->mem + m * PAGE, PAGE);
		assert_null(kdx_phys_to_machine(d, p * PAGE + 0x123, &a));
		assert_int_equal(a, m * PAGE + 0x123);
		assert_null(kdx_machine_to_phys(d, m * PAGE + 0x45, &a));
		assert_int_equal(a, p * PAGE + 0x45);
	}
	/* machine reads cross frames that are not physically adjacent */
	assert_null(kdx_read_machine(d, 7 * PAGE + 4000, buf, 200, 0, NULL));
	assert_memory_equal(buf, g->mem + 7 * PAGE + 4000, 200);
}

static void check_virtual(const struct kdx_dump *d, const struct guest *g,
			  struct kdx_xlat *x)
{
	uint8_t *buf = malloc((size_t)FRAMES * PAGE);
	struct kdx_xlat_result r;

	for (unsigned int i = 0; i < TEXT_PAGES; i++) {
		assert_null(kdx_xlat_translate(x, TEXT_VA + i * PAGE + 9, &r));
		assert_int_equal(r.paddr, (uint64_t)(TEXT_FRAME + i) * PAGE + 9);
		assert_int_equal(r.space, KDX_MACHPHYSADDR);
	}
	/* the whole direct map: pseudo-physical memory in pfn order */
	assert_null(kdx_read_virt(d, x, DIRECT, buf, (size_t)FRAMES * PAGE, 0,
				  NULL));
	for (uint64_t p = 0; p < FRAMES; p++)
		assert_memory_equal(buf + p * PAGE, g->mem + mfn_of(p) * PAGE,
				    PAGE);
	free(buf);
}

static void pv64(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;
	struct kdx_p2m_info info;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size, nw;
	uint64_t cr3;

	(void)state;
	build_guest(&g);
	cr3 = g.root;
	spec_of(&g, &s, &cr3);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_string_equal(kdx_dump_format_name(d), "xc_core");
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
	kdx_dump_warnings(d, &nw);
	assert_int_equal(nw, 0);
	assert_true(kdx_dump_has_machine(d));
	assert_null(kdx_dump_p2m_info(d, &info));
	assert_int_equal(info.frames, FRAMES);
	assert_int_equal(info.max_pfn, FRAMES - 1);
	check_frames(d, &g);
	assert_string_equal(kdx_dump_vmcoreinfo_get(d, "OSRELEASE"),
			    "6.1.0-xen-test");
	assert_null(kdx_kernel_probe(d, NULL, &lay));
	assert_int_equal(lay.mode, KDX_PAGING_X86_64);
	assert_int_equal(lay.root, g.root);
	assert_true(lay.xlat_flags & KDX_XLAT_MACHINE);
	assert_int_equal(lay.direct_map, DIRECT);
	assert_string_equal(lay.note, "");
	assert_null(kdx_kernel_xlat_create(d, &lay, &x));
	check_virtual(d, &g, x);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* The trace names each table by machine address; the pseudo-physical
 * address of each comes from the m2p. */
static void trace_spaces(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;
	struct kdx_xlat_trace t;
	struct kdx_xlat_result r;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size;
	uint64_t cr3, pa;

	(void)state;
	build_guest(&g);
	cr3 = g.root;
	spec_of(&g, &s, &cr3);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_null(kdx_kernel_probe(d, NULL, &lay));
	assert_null(kdx_kernel_xlat_create(d, &lay, &x));
	assert_null(kdx_xlat_trace(x, TEXT_VA, &r, &t));
	assert_int_equal(t.count, 4);
	assert_int_equal(t.steps[0].table, g.root);
	for (unsigned int i = 0; i < t.count; i++) {
		assert_int_equal(t.steps[i].space, KDX_MACHPHYSADDR);
		assert_null(kdx_machine_to_phys(d, t.steps[i].table, &pa));
		assert_int_equal(pa, pfn_of(t.steps[i].table / PAGE) * PAGE);
	}
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* The machine frame of the text's last-level table. */
static uint64_t text_pt_frame(const struct guest *g)
{
	return ptb_table(g->p, TEXT_VA, 3) / PAGE;
}

/* Drop machine frame @m (page m) from the file: no pfn maps it. */
static uint8_t *without_frame(const struct guest *g, uint64_t m,
			      size_t *size, uint64_t *cr3)
{
	static uint64_t pfns[FRAMES], mfns[FRAMES];
	uint8_t *pages = malloc((size_t)FRAMES * PAGE), *f;
	struct mkxc_spec s;
	size_t n = 0;

	for (uint64_t i = 0; i < FRAMES; i++) {
		if (i == m)
			continue;
		memcpy(pages + n * PAGE, g->mem + i * PAGE, PAGE);
		pfns[n] = g->pfns[i];
		mfns[n++] = g->mfns[i];
	}
	spec_of(g, &s, cr3);
	s.nr_pages = n;
	s.pages = pages;
	s.pfns = pfns;
	s.mfns = mfns;
	f = mkxc_build(&s, size);
	free(pages);
	return f;
}

static void table_frame_unmapped(void **state)
{
	struct guest g;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;
	struct kdx_xlat_result r;
	struct kdx_dump *d;
	uint8_t *f, buf[16];
	size_t size;
	uint64_t cr3, m;
	char want[64];

	(void)state;
	build_guest(&g);
	cr3 = g.root;
	m = text_pt_frame(&g);
	f = without_frame(&g, m, &size, &cr3);
	d = open_xc(f, size);
	/* a pfn missing: a hole in pseudo-physical memory */
	assert_error(kdx_read_phys(d, pfn_of(m) * PAGE, buf, 8, 0, NULL),
		     KDX_ERR_NODATA, "");
	assert_null(kdx_kernel_probe(d, NULL, &lay));
	assert_null(kdx_kernel_xlat_create(d, &lay, &x));
	snprintf(want, sizeof(want), "no pfn maps mfn 0x%llx",
		 (unsigned long long)m);
	assert_error(kdx_xlat_translate(x, TEXT_VA, &r), KDX_ERR_NODATA, want);
	/* the rest still reads */
	assert_null(kdx_read_virt(d, x, DIRECT, buf, 16, 0, NULL));
	assert_memory_equal(buf, g.mem + mfn_of(0) * PAGE, 16);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

static void short_p2m(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f, buf[8];
	size_t size;
	uint64_t a;

	(void)state;
	build_guest(&g);
	spec_of(&g, &s, NULL);
	s.index_entries = 1000;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_true(has_warning(d, ".xen_p2m holds 1000 entries for 1024 pages: pages from 1000 on"));
	assert_null(kdx_read_phys(d, pfn_of(999) * PAGE, buf, 8, 0, NULL));
	assert_memory_equal(buf, g.mem + 999 * PAGE, 8);
	assert_error(kdx_read_phys(d, pfn_of(1010) * PAGE, buf, 8, 0, NULL),
		     KDX_ERR_NODATA, "");
	assert_error(kdx_machine_to_phys(d, 1010 * PAGE, &a), KDX_ERR_NODATA,
		     "no pfn maps mfn 0x3f2");
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* Offset and size of section @name of ELF64 little-endian @f. */
static void section_of(const uint8_t *f, const char *name, uint64_t *off,
		       uint64_t *size)
{
	uint64_t shoff = kdx_load_u64(f + 0x28, KDX_LITTLE_ENDIAN);
	unsigned int es = kdx_load_u16(f + 0x3a, KDX_LITTLE_ENDIAN);
	unsigned int n = kdx_load_u16(f + 0x3c, KDX_LITTLE_ENDIAN);
	const uint8_t *strtab = f + shoff + (size_t)es * kdx_load_u16(f + 0x3e, KDX_LITTLE_ENDIAN);
	uint64_t names = kdx_load_u64(strtab + 0x18, KDX_LITTLE_ENDIAN);

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *sh = f + shoff + (size_t)es * i;

		if (strcmp((const char *)f + names +
				   kdx_load_u32(sh, KDX_LITTLE_ENDIAN), name))
			continue;
		*off = kdx_load_u64(sh + 0x18, KDX_LITTLE_ENDIAN);
		*size = kdx_load_u64(sh + 0x20, KDX_LITTLE_ENDIAN);
		return;
	}
	fail_msg("no section %s", name);
}

/* An xc_core in a flattened stream whose records left .xen_p2m out: its
 * entries are not read as zeros (a fuzzed stream whose last record sat
 * far out made gigabytes of them: libFuzzer's out-of-memory); the index
 * holds what was written, none here, and says so. */
static void p2m_in_a_flattened_gap(void **state)
{
	struct mkflat_options fo = { 0 };
	struct guest g;
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f, *flat, buf[8];
	size_t size, n;

	(void)state;
	build_guest(&g);
	spec_of(&g, &s, NULL);
	f = mkxc_build(&s, &size);
	section_of(f, ".xen_p2m", &fo.hole_start, &fo.hole_size);
	flat = mkflat_build(f, size, &fo, &n);
	d = open_xc(flat, n);
	assert_true(has_warning(d, ".xen_p2m holds 0 entries (the file holds only part of it) for 1024 pages"));
	assert_error(kdx_read_phys(d, 0, buf, 8, 0, NULL), KDX_ERR_NODATA, "");
	kdx_dump_destroy(d);
	free(flat);
	free(f);
	free_guest(&g);
}

static void no_p2m(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f, buf[8];
	size_t size, n;

	(void)state;
	build_guest(&g);
	spec_of(&g, &s, NULL);
	s.no_index = true;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_true(has_warning(d, "no .xen_p2m section"));
	assert_false(kdx_dump_has_machine(d));
	kdx_dump_phys_ranges(d, &n);
	assert_int_equal(n, 0);
	assert_error(kdx_read_phys(d, 0, buf, 8, 0, NULL), KDX_ERR_NODATA, "");
	assert_error(kdx_read_machine(d, 0, buf, 8, 0, NULL),
		     KDX_ERR_UNSUPPORTED, "no machine addresses");
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* Pages 100 and 200 both claim mfn 200; pfns are given twice too. */
static void contradictions(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size;
	uint64_t a, lo = pfn_of(100) < pfn_of(200) ? pfn_of(100) : pfn_of(200);

	(void)state;
	build_guest(&g);
	g.mfns[100] = 200;
	spec_of(&g, &s, NULL);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_true(has_warning(d, "maps 1 mfns from two pfns or more (first: mfn 0xc8"));
	assert_null(kdx_machine_to_phys(d, 200 * PAGE, &a));
	assert_int_equal(a, lo * PAGE);
	assert_error(kdx_machine_to_phys(d, 100 * PAGE, &a), KDX_ERR_NODATA,
		     "no pfn maps mfn 0x64");
	kdx_dump_destroy(d);
	free(f);
	g.mfns[100] = 100;
	g.pfns[300] = g.pfns[301];
	spec_of(&g, &s, NULL);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_true(has_warning(d, "gives 1 pfns twice"));
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* A live dump of a guest that shrank: the tail is ~0 markers. */
static void live_tail(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size;
	uint64_t a;

	(void)state;
	build_guest(&g);
	for (unsigned int i = FRAMES - 3; i < FRAMES; i++)
		g.pfns[i] = g.mfns[i] = UINT64_MAX;
	spec_of(&g, &s, NULL);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_true(has_warning(d, "3 pages from page 1021 have no pfn"));
	assert_null(kdx_machine_to_phys(d, 1020 * PAGE, &a));
	assert_error(kdx_machine_to_phys(d, 1021 * PAGE, &a), KDX_ERR_NODATA, "");
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

static void elf_reader_declines(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_open_options o;
	struct kdx_dump *d = NULL;
	uint8_t *f;
	size_t size;

	(void)state;
	build_guest(&g);
	spec_of(&g, &s, NULL);
	f = mkxc_build(&s, &size);
	kdx_open_options_init(&o);
	o.format = "elf";
	assert_error(kdx_dump_open_memory(f, size, &o, &d), KDX_ERR_UNSUPPORTED,
		     "--format xc_core");
	assert_null(d);
	free(f);
	free_guest(&g);
}

/* ---- 32-bit PV: PAE tables in machine frames above 4 GiB ---- */

#define PV32_PAGES 8u
#define PV32_OFFSET 0xc0000000ull

static uint64_t mfn32(uint64_t pfn)
{
	return 0x180000 + ((pfn * 5 + 3) % PV32_PAGES) * 3;
}

static void pv32(void **state)
{
	static const char vmci[] = "OSRELEASE=5.10.0-xen32\nPAGESIZE=4096\n"
				   "SYMBOL(swapper_pg_dir)=c0000000\n";
	uint8_t pages[PV32_PAGES * PAGE] = { 0 }, buf[PV32_PAGES * PAGE];
	uint64_t pfns[PV32_PAGES], mfns[PV32_PAGES], cr3;
	struct mkxc_spec s;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;
	struct kdx_xlat_result r;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size;

	(void)state;
	for (uint64_t p = 0; p < PV32_PAGES; p++) {
		pfns[p] = p;
		mfns[p] = mfn32(p);
		for (size_t k = 0; k < PAGE; k++)
			pages[p * PAGE + k] = pattern(p + 50, k);
	}
	/* pfn 0: PDPT, 1: PD, 2: PT, 3: VMCOREINFO, all entries machine */
	memset(pages, 0, 3 * PAGE);
	put64(pages + 3 * 8, mfn32(1) << 12 | PTB_P, KDX_LITTLE_ENDIAN);
	put64(pages + PAGE, mfn32(2) << 12 | PTB_P | PTB_RW, KDX_LITTLE_ENDIAN);
	for (uint64_t p = 0; p < PV32_PAGES; p++)
		put64(pages + 2 * PAGE + p * 8, mfn32(p) << 12 | PTB_P | PTB_RW,
		      KDX_LITTLE_ENDIAN);
	memset(pages + 3 * PAGE, 0, PAGE);
	memcpy(pages + 3 * PAGE, vmci, sizeof(vmci) - 1);
	cr3 = mkxc_fold_cr3((uint32_t)mfn32(0));
	mkxc_spec_init(&s);
	s.word_size = 4;
	s.nr_pages = PV32_PAGES;
	s.pages = pages;
	s.pfns = pfns;
	s.mfns = mfns;
	s.cr3 = &cr3;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_I386);
	assert_null(kdx_kernel_probe(d, NULL, &lay));
	assert_int_equal(lay.mode, KDX_PAGING_X86_PAE);
	assert_int_equal(lay.root, mfn32(0) << 12);
	assert_true(lay.xlat_flags & KDX_XLAT_MACHINE);
	assert_string_equal(lay.note, "");
	assert_null(kdx_kernel_xlat_create(d, &lay, &x));
	for (uint64_t p = 0; p < PV32_PAGES; p++) {
		assert_null(kdx_xlat_translate(x, PV32_OFFSET + p * PAGE + 5, &r));
		assert_int_equal(r.paddr, mfn32(p) << 12 | 5);
	}
	assert_null(kdx_read_virt(d, x, PV32_OFFSET, buf, sizeof(buf), 0, NULL));
	assert_memory_equal(buf, pages, sizeof(buf));
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(f);
}

static void hvm(void **state)
{
	static const uint64_t pfns[4] = { 7, 2, 9, 3 };
	uint8_t pages[4 * PAGE], buf[PAGE];
	struct mkxc_spec s;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size, n;
	const struct kdx_detail *det;
	bool said_hvm = false;

	(void)state;
	for (size_t i = 0; i < sizeof(pages); i++)
		pages[i] = pattern(i / PAGE + 90, i % PAGE);
	mkxc_spec_init(&s);
	s.hvm = true;
	s.nr_pages = 4;
	s.pages = pages;
	s.pfns = pfns;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_false(kdx_dump_has_machine(d));
	for (size_t i = 0; i < 4; i++) {
		assert_null(kdx_read_phys(d, pfns[i] * PAGE, buf, PAGE, 0, NULL));
		assert_memory_equal(buf, pages + i * PAGE, PAGE);
	}
	assert_error(kdx_read_phys(d, 0, buf, 8, 0, NULL), KDX_ERR_NODATA, "");
	det = kdx_dump_details(d, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(det[i].key, "xen_guest") &&
		    !strncmp(det[i].value, "HVM 64-bit", 10))
			said_hvm = true;
	assert_true(said_hvm);
	kdx_dump_destroy(d);
	free(f);
}

/* The legacy file names pages by machine frame: physical addresses are
 * machine ones and the guest walks as plain physical memory. */
static void legacy(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;
	struct kdx_xlat_result r;
	struct kdx_dump *d;
	static uint64_t order[FRAMES];
	uint8_t *pages = malloc((size_t)FRAMES * PAGE), *f, buf[PAGE];
	size_t size;
	uint64_t cr3;

	(void)state;
	build_guest(&g);
	/* pages in a scrambled order, the index naming each one's frame */
	for (uint64_t i = 0; i < FRAMES; i++) {
		order[i] = pfn_of(i);
		memcpy(pages + i * PAGE, g.mem + order[i] * PAGE, PAGE);
	}
	cr3 = g.root;
	spec_of(&g, &s, &cr3);
	s.pages = pages;
	s.mfns = order;
	f = mkxc_build_legacy(&s, &size);
	d = open_xc(f, size);
	assert_string_equal(kdx_dump_format_name(d), "xc_core");
	assert_true(has_warning(d, "physical addresses here are machine addresses"));
	assert_false(kdx_dump_has_machine(d));
	for (uint64_t m = 0; m < FRAMES; m += 37) {
		assert_null(kdx_read_phys(d, m * PAGE, buf, PAGE, 0, NULL));
		assert_memory_equal(buf, g.mem + m * PAGE, PAGE);
	}
	assert_null(kdx_kernel_probe(d, NULL, &lay));
	assert_int_equal(lay.root, g.root);
	assert_false(lay.xlat_flags & KDX_XLAT_MACHINE);
	assert_null(kdx_kernel_xlat_create(d, &lay, &x));
	assert_null(kdx_xlat_translate(x, TEXT_VA, &r));
	assert_int_equal(r.paddr, (uint64_t)TEXT_FRAME * PAGE);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(f);
	/* a 32-bit host's file: 4-byte index, i386 */
	s.word_size = 4;
	s.nr_pages = 4;
	f = mkxc_build_legacy(&s, &size);
	d = open_xc(f, size);
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_I386);
	assert_null(kdx_read_phys(d, order[3] * PAGE, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, pages + 3 * PAGE, PAGE);
	kdx_dump_destroy(d);
	free(f);
	free(pages);
	free_guest(&g);
}

static void check_linux_p2m(const struct kdx_dump *d,
			    enum kdx_xen_p2m_shape shape, uint64_t missing,
			    uint64_t unreadable, uint64_t differ)
{
	struct kdx_xen_p2m_report r;
	struct kdx_error *err = kdx_xen_linux_p2m(d, shape, &r);

	if (err)
		fail_msg("%s", kdx_error_message(err));
	assert_int_equal(r.shape, shape);
	assert_int_equal(r.root, shape == KDX_XEN_P2M_LIST ? P2M_VA : TREE_TOP);
	assert_true(r.compared);
	assert_int_equal(r.frames, FRAMES - differ);
	assert_int_equal(r.missing, missing);
	assert_int_equal(r.unreadable, unreadable);
	assert_int_equal(r.agree, FRAMES - 2 * differ);
	assert_int_equal(r.differ, differ);
}

/* Linux's list and tree agree with .xen_p2m; an entry Linux changed
 * is found; a p2m covering more pfns than the guest has (seed 001:
 * max_pfn beyond nr_pages) reports the rest as missing or unreadable,
 * and a pfn beyond the dump's p2m is one error naming what it covers. */
static void linux_p2m(void **state)
{
	struct guest g;
	struct mkxc_spec s;
	struct kdx_xen_p2m_report r;
	struct kdx_dump *d;
	uint8_t *f;
	size_t size;
	uint64_t cr3, a;

	(void)state;
	build_guest(&g);
	cr3 = g.root;
	spec_of(&g, &s, &cr3);
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	check_linux_p2m(d, KDX_XEN_P2M_LIST, 0, 0, 0);
	check_linux_p2m(d, KDX_XEN_P2M_TREE, 0, 0, 0);
	assert_null(kdx_xen_linux_p2m(d, KDX_XEN_P2M_AUTO, &r));
	assert_int_equal(r.shape, KDX_XEN_P2M_LIST);
	assert_error(kdx_phys_to_machine(d, (uint64_t)FRAMES * PAGE, &a),
		     KDX_ERR_NODATA,
		     "pfn 0x400 is beyond the p2m, which covers pfns 0x0-0x3ff");
	kdx_dump_destroy(d);
	free(f);
	/* pfn 7 remapped in Linux's view: the one difference found */
	put_le64(g.mem + LIST_FRAME * PAGE + 7 * 8, mfn_of(8));
	put_le64(g.mem + (TREE_LEAF * PAGE) + 7 * 8, mfn_of(8));
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_null(kdx_xen_linux_p2m(d, KDX_XEN_P2M_TREE, &r));
	assert_int_equal(r.differ, 1);
	assert_int_equal(r.first_differ, 7);
	assert_int_equal(r.first_differ_mfn, mfn_of(8));
	kdx_dump_destroy(d);
	free(f);
	/* max_pfn 1536: the tree's missing mid, the list's unmapped page */
	put_le64(g.mem + LIST_FRAME * PAGE + 7 * 8, mfn_of(7));
	put_le64(g.mem + (TREE_LEAF * PAGE) + 7 * 8, mfn_of(7));
	s.max_pfn = FRAMES + 512;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	check_linux_p2m(d, KDX_XEN_P2M_TREE, 512, 0, 0);
	check_linux_p2m(d, KDX_XEN_P2M_LIST, 0, 512, 0);
	kdx_dump_destroy(d);
	free(f);
	/* neither published */
	s.p2m_cr3 = 0;
	s.frame_list_list = UINT64_MAX;
	f = mkxc_build(&s, &size);
	d = open_xc(f, size);
	assert_error(kdx_xen_linux_p2m(d, KDX_XEN_P2M_AUTO, &r),
		     KDX_ERR_NOTFOUND, "publishes no p2m");
	kdx_dump_destroy(d);
	free(f);
	free_guest(&g);
}

/* A Xen host's machine memory (QEMU's ELF dump of the VM): the PV
 * kernel's VMCOREINFO root is pseudo-physical and maps nothing, the CPU's
 * CR3 maps the kernel image user-accessible (ring 3).  Without the user
 * bit it is an ordinary broken Linux dump, not taken for Xen. */
static void pv_in_host_memory(void **state)
{
	static const char vmci[] = "OSRELEASE=6.1.0-dom0\nPAGESIZE=4096\n"
				   "SYMBOL(init_top_pgt)=ffffffff80100000\n"
				   "NUMBER(phys_base)=0\nKERNELOFFSET=0\n";
	for (int user = 1; user >= 0; user--) {
		struct ptb *p = ptb_new(KDX_PAGING_X86_64, 4 << 20, 2 << 20);
		uint64_t cr[5] = { 0x80050033, 0, 0, 0, 0x6f0 };
		struct kdx_kernel_layout lay;
		struct kdx_xlat *x;
		struct kdx_xlat_result r;
		struct kdx_dump *d;
		uint8_t *f, buf[8];
		size_t size;

		(void)state;
		cr[3] = ptb_root(p);
		/* init_top_pgt's pseudo-physical 0x100000 is a table-free
		 * zero page here; the real root is elsewhere */
		ptb_map(p, 0xffffffff80100000ull, cr[3], PAGE,
			PTB_RW | (user ? PTB_US : 0));
		ptb_map(p, TEXT_VA, 0x5000, PAGE, PTB_RW | (user ? PTB_US : 0));
		memcpy(ptb_memory(p, &size) + 0x5000, "dom0text", 8);
		f = linuxdump_elf(p, 62, 64, vmci, cr, &size);
		d = open_xc(f, size);
		assert_null(kdx_kernel_probe(d, NULL, &lay));
		if (!user) {
			assert_int_equal(lay.root, 0x100000);
		} else {
			assert_int_equal(lay.root, cr[3]);
			assert_false(lay.xlat_flags & KDX_XLAT_MACHINE);
			assert_string_equal(lay.root_source,
					    "CPU 0 CR3 (a Xen PV kernel in machine memory)");
			assert_string_equal(lay.note, "");
			assert_null(kdx_kernel_xlat_create(d, &lay, &x));
			assert_null(kdx_read_virt(d, x, TEXT_VA, buf, 8, 0, NULL));
			assert_memory_equal(buf, "dom0text", 8);
			assert_null(kdx_xlat_translate(x, TEXT_VA, &r));
			assert_int_equal(r.space, KDX_KPHYSADDR);
			kdx_xlat_destroy(x);
		}
		kdx_dump_destroy(d);
		free(f);
		ptb_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pv64),
		cmocka_unit_test(trace_spaces),
		cmocka_unit_test(table_frame_unmapped),
		cmocka_unit_test(short_p2m),
		cmocka_unit_test(p2m_in_a_flattened_gap),
		cmocka_unit_test(no_p2m),
		cmocka_unit_test(contradictions),
		cmocka_unit_test(live_tail),
		cmocka_unit_test(elf_reader_declines),
		cmocka_unit_test(pv32),
		cmocka_unit_test(hvm),
		cmocka_unit_test(legacy),
		cmocka_unit_test(linux_p2m),
		cmocka_unit_test(pv_in_host_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
