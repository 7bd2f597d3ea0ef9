/* SPDX-License-Identifier: MIT */
/* Xen host dumps: PV domains found in machine memory by their start_info
 * pages, their p2m read from their own linear list or tree through their
 * machine-frame page tables, copies of a start_info told from the
 * domain's own by its p2m; and a Xen host's kdump whose crash notes name
 * dom0's p2m tree (crash_xen_info_t, every layout Xen wrote). */
#include "xlat_test.h"
#include "xen_frames.h"

#include "bytes.h"
#include "mkelf.h"

#include <kdx/kdx.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PAGE 4096u
#define FRAMES XEN_TEST_FRAMES
#define TABLES (2u << 20)        /* ptbuild's tables from 2 MiB */
#define DIRECT 0xffff888000000000ull
#define P2M_VA 0xffffc90000000000ull
/* Linux's p2m in machine frames: the tree (top, one mid, two leaves) and
 * the linear list (two pages at P2M_VA). */
#define TREE_TOP 40u
#define TREE_MID 41u
#define TREE_LEAF 42u /* and 43 */
#define LIST_FRAME 44u /* and 45 */
/* The domain covers pfns [0, 512): frames whose pfn is below are its.
 * pfn_of(50) = 11 (its), pfn_of(47) = 892 (not its). */
#define COVERED 512u
#define SI_FRAME 50u
#define SHINFO_FRAME 51u
#define COPY_FRAME 47u
#define BOGUS_FRAME 48u
#define SHINFO64_ARCH 3088u
#define XEN_ELFNOTE_CRASH_INFO 0x1000001u
#define XEN_ELFNOTE_CRASH_REGS 0x1000002u

static void le64(uint8_t *p, uint64_t v)
{
	put64(p, v, KDX_LITTLE_ENDIAN);
}

struct host {
	struct ptb *p;
	uint8_t *mem;
	uint64_t root;
};

static void write_p2m(uint8_t *mem)
{
	uint8_t *top = mem + TREE_TOP * PAGE, *mid = mem + TREE_MID * PAGE;

	memset(top, 0xff, PAGE);
	memset(mid, 0xff, PAGE);
	le64(top, TREE_MID);
	for (uint64_t l = 0; l < 2; l++) {
		le64(mid + l * 8, TREE_LEAF + l);
		for (uint64_t k = 0; k < 512; k++)
			le64(mem + (TREE_LEAF + l) * PAGE + k * 8,
			     mfn_of(l * 512 + k));
	}
	for (uint64_t pfn = 0; pfn < FRAMES; pfn++)
		le64(mem + LIST_FRAME * PAGE + pfn * 8, mfn_of(pfn));
}

static void write_start_info(uint8_t *page, uint64_t shinfo, uint32_t flags)
{
	memset(page, 0, PAGE);
	strcpy((char *)page, "xen-3.0-x86_64");
	le64(page + 32, COVERED);      /* nr_pages */
	le64(page + 40, shinfo);       /* shared_info, machine address */
	put32(page + 48, flags, KDX_LITTLE_ENDIAN);
}

static void build_host(struct host *h, uint32_t flags)
{
	size_t size;
	uint8_t *sh;

	h->p = ptb_new(KDX_PAGING_X86_64, (uint64_t)FRAMES * PAGE, TABLES);
	h->root = ptb_root(h->p);
	for (uint64_t i = 0; i < 2; i++)
		ptb_map(h->p, P2M_VA + i * PAGE, (LIST_FRAME + i) * PAGE, PAGE,
			PTB_NX);
	h->mem = ptb_memory(h->p, &size);
	write_p2m(h->mem);
	write_start_info(h->mem + SI_FRAME * PAGE, SHINFO_FRAME * PAGE, flags);
	/* a copy in a frame that is not the domain's (a page cache's) */
	memcpy(h->mem + COPY_FRAME * PAGE, h->mem + SI_FRAME * PAGE, PAGE);
	/* the magic, but a shared_info that is no page address */
	write_start_info(h->mem + BOGUS_FRAME * PAGE, 0x1234, 0);
	sh = h->mem + SHINFO_FRAME * PAGE;
	memset(sh, 0, PAGE);
	le64(sh + SHINFO64_ARCH, COVERED);          /* max_pfn */
	le64(sh + SHINFO64_ARCH + 8, TREE_TOP);     /* frame list list */
	le64(sh + SHINFO64_ARCH + 24, h->root);     /* p2m_cr3 */
	le64(sh + SHINFO64_ARCH + 32, P2M_VA);      /* p2m_vaddr */
}

static uint8_t *host_elf(const struct host *h, struct mkelf *m, size_t *size)
{
	struct mkelf_load l = { .paddr = 0, .filesz = (uint64_t)FRAMES * PAGE,
				.memsz = (uint64_t)FRAMES * PAGE,
				.data = h->mem };

	mkelf_add_load(m, &l);
	return mkelf_build(m, size);
}

static struct mkelf *new_elf(void)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = 62 };

	return mkelf_new(&o);
}

static struct kdx_dump *open_mem(uint8_t *file, size_t size)
{
	struct kdx_dump *d = NULL;
	struct kdx_error *err = kdx_dump_open_memory(file, size, NULL, &d);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

struct seen {
	uint64_t n, wrong, first_pfn, last_pfn;
};

static bool on_entry(void *arg, uint64_t pfn, uint64_t mfn,
		     enum kdx_xen_p2m_kind kind)
{
	struct seen *s = arg;

	if (kind != KDX_XEN_P2M_FRAME || pfn >= FRAMES || mfn != mfn_of(pfn))
		s->wrong++;
	if (!s->n++)
		s->first_pfn = pfn;
	s->last_pfn = pfn;
	return true;
}

static void check_walk(const struct kdx_dump *d,
		       const struct kdx_xen_domain *dom,
		       enum kdx_xen_p2m_shape shape, uint64_t covered)
{
	struct kdx_xen_p2m_report r;
	struct seen s = { 0 };
	struct kdx_error *err =
		kdx_xen_linux_p2m_walk(d, dom, shape, on_entry, &s, &r);

	if (err)
		fail_msg("%s", kdx_error_message(err));
	assert_int_equal(r.shape, shape);
	assert_int_equal(r.covered, covered);
	assert_int_equal(r.frames, covered);
	assert_int_equal(r.unreadable, 0);
	assert_false(r.compared);
	assert_int_equal(s.n, covered);
	assert_int_equal(s.wrong, 0);
	assert_int_equal(s.first_pfn, 0);
	assert_int_equal(s.last_pfn, covered - 1);
}

/* One domain found though its start_info appears twice (and a third page
 * has the magic but no shared_info): the copy, at a lower address, is
 * not the domain's own; its p2m read from the list and from the tree. */
/* A range in the top page of the address space (an ELF's PT_LOAD at
 * 2^64 - 2 KiB) holds no page start: the scan skips it.  Rounding its
 * start up wrapped to 0 and scanned 2^52 pages (a fuzzer's timeout). */
static void range_in_the_last_page(void **state)
{
	static uint8_t data[4];
	struct mkelf *m = new_elf();
	struct mkelf_load l = { .paddr = UINT64_MAX - 2047, .filesz = 4,
				.memsz = 4, .data = data };
	struct kdx_dump *d;
	uint8_t *f;
	size_t size, n = 99;

	(void)state;
	mkelf_add_load(m, &l);
	f = mkelf_build(m, &size);
	d = open_mem(f, size);
	assert_null(kdx_xen_find_domains(d, NULL, 0, &n));
	assert_int_equal(n, 0);
	kdx_dump_destroy(d);
	free(f);
	mkelf_free(m);
}

static void flat_record(uint8_t *out, size_t *len, uint64_t offset,
			const uint8_t *data, uint64_t size)
{
	put64(out + *len, offset, KDX_BIG_ENDIAN);
	put64(out + *len + 8, size, KDX_BIG_ENDIAN);
	*len += 16;
	if (data) {
		memcpy(out + *len, data, (size_t)size);
		*len += (size_t)size;
	}
}

/* A flattened stream whose ELF claims 16 TiB of memory that no record
 * wrote (it reads as zeros): the scan skips what the file does not hold,
 * and still finds the domain in the memory it does, whose bytes the
 * stream writes past the 16 TiB gap.  Reading every claimed page took a
 * fuzzer's run past its timeout (2^32 pages). */
static void unwritten_memory_is_not_scanned(void **state)
{
	const uint64_t gap = 16ull << 40, mem = (uint64_t)FRAMES * PAGE;
	struct host h;
	struct mkelf *m = new_elf();
	struct mkelf_load host = { .paddr = 0, .filesz = mem, .memsz = mem,
				   .offset_override = true };
	struct mkelf_load claimed = { .paddr = 1ull << 32, .filesz = gap,
				      .memsz = gap, .offset_override = true };
	struct kdx_xen_domain d[4];
	struct kdx_dump *dump;
	uint8_t *elf, *flat;
	size_t elf_size, len = 0, n = 0;

	(void)state;
	build_host(&h, 0);
	mkelf_add_load(m, &host);
	mkelf_add_load(m, &claimed);
	elf = mkelf_build(m, &elf_size);
	/* File order: the headers, the claimed memory (never written),
	 * then the host's memory. */
	put64(elf + mkelf_phdr_offset(m, 1) + 8, elf_size + gap,
	      KDX_LITTLE_ENDIAN);
	put64(elf + mkelf_phdr_offset(m, 2) + 8, elf_size, KDX_LITTLE_ENDIAN);
	flat = calloc(1, 4096 + 3 * 16 + elf_size + mem);
	memcpy(flat, "makedumpfile", 12);
	put64(flat + 16, 1, KDX_BIG_ENDIAN);
	put64(flat + 24, 1, KDX_BIG_ENDIAN);
	len = 4096;
	flat_record(flat, &len, 0, elf, elf_size);
	flat_record(flat, &len, elf_size + gap, h.mem, mem);
	flat_record(flat, &len, UINT64_MAX, NULL, UINT64_MAX);
	dump = open_mem(flat, len);
	assert_null(kdx_xen_find_domains(dump, d, 4, &n));
	assert_int_equal(n, 1);
	assert_int_equal(d[0].start_info, (uint64_t)SI_FRAME * PAGE);
	assert_true(d[0].verified);
	kdx_dump_destroy(dump);
	free(flat);
	free(elf);
	mkelf_free(m);
	ptb_free(h.p);
}

static void domains(void **state)
{
	struct host h;
	struct mkelf *m = new_elf();
	struct kdx_xen_domain dom[4];
	struct kdx_dump *d;
	uint8_t *f;
	size_t size, n;

	(void)state;
	build_host(&h, KDX_XEN_SIF_PRIVILEGED | KDX_XEN_SIF_INITDOMAIN);
	f = host_elf(&h, m, &size);
	d = open_mem(f, size);
	assert_null(kdx_xen_find_domains(d, dom, 4, &n));
	assert_int_equal(n, 1);
	assert_int_equal(dom[0].start_info, SI_FRAME * PAGE);
	assert_true(dom[0].verified);
	assert_int_equal(dom[0].flags, 3);
	assert_int_equal(dom[0].word, 8);
	assert_int_equal(dom[0].shared_info, SHINFO_FRAME * PAGE);
	assert_int_equal(dom[0].max_pfn, COVERED);
	assert_int_equal(dom[0].p2m_cr3, h.root);
	assert_int_equal(dom[0].p2m_vaddr, P2M_VA);
	assert_int_equal(dom[0].frame_list_list, TREE_TOP);
	check_walk(d, &dom[0], KDX_XEN_P2M_LIST, COVERED);
	check_walk(d, &dom[0], KDX_XEN_P2M_TREE, COVERED);
	/* capacity 0: only counted */
	assert_null(kdx_xen_find_domains(d, NULL, 0, &n));
	assert_int_equal(n, 1);
	kdx_dump_destroy(d);
	free(f);
	mkelf_free(m);
	/* the domain's own page gone: the copy is kept, unverified */
	memset(h.mem + SI_FRAME * PAGE, 0, PAGE);
	m = new_elf();
	f = host_elf(&h, m, &size);
	d = open_mem(f, size);
	assert_null(kdx_xen_find_domains(d, dom, 4, &n));
	assert_int_equal(n, 1);
	assert_int_equal(dom[0].start_info, COPY_FRAME * PAGE);
	assert_false(dom[0].verified);
	kdx_dump_destroy(d);
	free(f);
	mkelf_free(m);
	ptb_free(h.p);
}

/* crash_xen_info_t as Xen wrote it over the years: 8 common words (v0),
 * then dom0's p2m tree (v1), then xen_phys_start before it (v2). */
static void add_crash_info(struct mkelf *m, unsigned int version)
{
	uint8_t desc[10 * 8] = { 0 };
	size_t words = 8 + version;

	le64(desc, 4);                         /* xen_major_version */
	le64(desc + 8, 17);                    /* xen_minor_version */
	le64(desc + 16, 0xffff82d040400000ull); /* xen_extra_version */
	le64(desc + 56, 0x30);                 /* tainted */
	if (version == 1)
		le64(desc + 64, TREE_TOP);
	if (version == 2) {
		le64(desc + 64, 0x3c000000);  /* xen_phys_start */
		le64(desc + 72, TREE_TOP);
	}
	mkelf_add_note(m, "Xen", XEN_ELFNOTE_CRASH_INFO, desc, words * 8);
}

/* A Xen host's kdump: Xen's version and dom0's p2m tree from the crash
 * note, its extent found from the tree itself (no note gives max_pfn);
 * CPU control registers from the CRASH_REGS notes. */
static void crash_notes(void **state)
{
	for (unsigned int v = 0; v <= 2; v++) {
		struct host h;
		struct mkelf *m = new_elf();
		const struct kdx_dump_facts *facts;
		struct kdx_xen_p2m_report r;
		struct kdx_dump *d;
		uint8_t *f, regs[4 * 8];
		const struct kdx_cpu *cpus;
		size_t size, ncpu;

		(void)state;
		build_host(&h, KDX_XEN_SIF_INITDOMAIN);
		/* the tree describes pfns [0, 1024): the leaves' second half */
		add_crash_info(m, v);
		le64(regs, 0x80050033);
		le64(regs + 8, 0);
		le64(regs + 16, 0x1234000);
		le64(regs + 24, 0x6f0);
		mkelf_add_note(m, "Xen", XEN_ELFNOTE_CRASH_REGS, regs, sizeof(regs));
		f = host_elf(&h, m, &size);
		d = open_mem(f, size);
		facts = kdx_dump_facts(d);
		assert_true(facts->version >= 2);
		assert_true(facts->set & KDX_FACT_XEN_CRASH_INFO);
		assert_int_equal(facts->xen_major_version, 4);
		assert_int_equal(facts->xen_minor_version, 17);
		assert_int_equal(facts->xen_extra_version, 0xffff82d040400000ull);
		assert_int_equal(facts->xen_tainted, 0x30);
		assert_int_equal(facts->xen_crash_info_version, v);
		assert_int_equal(!!(facts->set & KDX_FACT_XEN_PHYS_START), v == 2);
		assert_int_equal(!!(facts->set & KDX_FACT_XEN_DOM0_P2M), v >= 1);
		cpus = kdx_dump_cpus(d, &ncpu);
		assert_int_equal(ncpu, 1);
		assert_true(cpus[0].has_control_regs);
		assert_int_equal(cpus[0].cr[3], 0x1234000);
		assert_int_equal(cpus[0].cr[4], 0x6f0);
		if (v == 2)
			assert_int_equal(facts->xen_phys_start, 0x3c000000);
		if (v >= 1) {
			assert_int_equal(facts->xen_dom0_p2m_fll, TREE_TOP);
			check_walk(d, NULL, KDX_XEN_P2M_TREE, FRAMES);
			assert_null(kdx_xen_linux_p2m(d, KDX_XEN_P2M_AUTO, &r));
			assert_int_equal(r.shape, KDX_XEN_P2M_TREE);
			assert_int_equal(r.missing, 0);
		} else {
			struct kdx_error *err =
				kdx_xen_linux_p2m(d, KDX_XEN_P2M_AUTO, &r);

			assert_non_null(err);
			kdx_error_destroy(err);
		}
		kdx_dump_destroy(d);
		free(f);
		mkelf_free(m);
		ptb_free(h.p);
	}
}

/* The domain of a host built by build_host() with max_pfn @max_pfn (the
 * edits of the test already in h->mem), walked in @shape. */
struct walked {
	struct kdx_xen_p2m_report r;
	struct seen s;
	struct kdx_error *err;
	double cpu; /* seconds of CPU the walk took */
};

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void walk_host(struct host *h, uint64_t max_pfn,
		      enum kdx_xen_p2m_shape shape, struct walked *w)
{
	struct mkelf *m = new_elf();
	struct kdx_xen_domain dom[4];
	struct kdx_dump *d;
	uint8_t *f;
	size_t size, n;
	double t0;

	le64(h->mem + SHINFO_FRAME * PAGE + SHINFO64_ARCH, max_pfn);
	f = host_elf(h, m, &size);
	d = open_mem(f, size);
	assert_null(kdx_xen_find_domains(d, dom, 4, &n));
	assert_true(n >= 1);
	assert_int_equal(dom[0].max_pfn, max_pfn);
	memset(w, 0, sizeof(*w));
	t0 = cpu_now();
	w->err = kdx_xen_linux_p2m_walk(d, &dom[0], shape, on_entry, &w->s,
					&w->r);
	w->cpu = cpu_now() - t0;
	if (w->err)
		fail_msg("%s", kdx_error_message(w->err));
	assert_int_equal(w->r.covered, max_pfn);
	assert_int_equal(w->r.frames + w->r.identity + w->r.foreign +
				 w->r.missing + w->r.unreadable + w->r.repeated,
			 max_pfn);
	assert_int_equal(w->s.n, w->r.frames + w->r.identity + w->r.foreign);
	kdx_dump_destroy(d);
	free(f);
	mkelf_free(m);
}

/* A tree whose mid entries all name one leaf of real frames, and whose
 * top entries all name that mid page, would map every frame again and
 * again (a fuzzed tree took 2^28 entries one by one; then it was
 * refused once valid entries outnumbered the dump's pages): the leaf
 * and the mid page are walked once, what names them again is counted
 * as repeated, with the first pfn, page and entry that did. */
static void repeated_leaf(void **state)
{
	const uint64_t max_pfn = 4ull * 512 * 512;
	struct host h;
	struct walked w;

	(void)state;
	build_host(&h, 0);
	for (uint64_t t = 0; t < 4; t++)
		le64(h.mem + TREE_TOP * PAGE + t * 8, TREE_MID);
	for (uint64_t k = 0; k < 512; k++)
		le64(h.mem + TREE_MID * PAGE + k * 8, TREE_LEAF);
	walk_host(&h, max_pfn, KDX_XEN_P2M_TREE, &w);
	assert_int_equal(w.r.frames, 512);
	assert_int_equal(w.s.wrong, 0);
	assert_int_equal(w.s.last_pfn, 511);
	assert_int_equal(w.r.repeated, max_pfn - 512);
	assert_int_equal(w.r.first_repeated, 512);
	assert_int_equal(w.r.first_repeated_mfn, TREE_LEAF);
	assert_int_equal(w.r.first_repeated_at, TREE_MID * PAGE + 8);
	assert_int_equal(w.r.duplicate, 0);
	assert_int_equal(w.r.missing, 0);
	ptb_free(h.p);
}

/* Page tables of the list at P2M_VA for 2^28 pfns (2 GiB, two PDs):
 * every PD entry names one page table @pt. */
static void share_table(struct host *h, uint64_t pt)
{
	for (uint64_t g = 0; g < 2; g++) {
		uint64_t pd = ptb_table(h->p, P2M_VA + (g << 30), 2);

		for (unsigned int i = 0; i < 512; i++)
			ptb_set(h->p, pd, i, pt | PTB_P | PTB_RW);
	}
}

/* The list alike: its page tables map one page of real entries at many
 * addresses, and one page table in every PD entry; or one large page in
 * two PD entries: each walked once. */
static void repeated_list_page(void **state)
{
	const uint64_t max_pfn = 1ull << 28;
	struct host h;
	struct walked w;
	uint64_t pt, pd;

	(void)state;
	build_host(&h, 0);
	pt = ptb_table(h.p, P2M_VA, 3);
	for (unsigned int i = 2; i < 512; i++)
		ptb_set(h.p, pt, i, LIST_FRAME * PAGE | PTB_P | PTB_NX);
	share_table(&h, pt);
	walk_host(&h, max_pfn, KDX_XEN_P2M_LIST, &w);
	assert_int_equal(w.r.frames, 1024);
	assert_int_equal(w.s.wrong, 0);
	assert_int_equal(w.s.last_pfn, 1023);
	assert_int_equal(w.r.repeated, max_pfn - 1024);
	assert_int_equal(w.r.first_repeated, 1024);
	assert_int_equal(w.r.first_repeated_mfn, LIST_FRAME);
	assert_int_equal(w.r.first_repeated_at, pt + 2 * 8);
	assert_int_equal(w.r.unreadable, 0);
	ptb_free(h.p);
	/* a 2 MiB page (frames 0-511) in two PD entries: walked once */
	build_host(&h, 0);
	pd = ptb_table(h.p, P2M_VA, 2);
	for (unsigned int i = 0; i < 2; i++)
		ptb_set(h.p, pd, i, 0 | PTB_P | PTB_PS | PTB_NX);
	walk_host(&h, 2ull << 18, KDX_XEN_P2M_LIST, &w);
	assert_int_equal(w.r.repeated, 1ull << 18);
	assert_int_equal(w.r.first_repeated, 1ull << 18);
	assert_int_equal(w.r.first_repeated_mfn, 0);
	assert_int_equal(w.r.first_repeated_at, pd + 8);
	assert_int_equal(w.r.unreadable, 0);
	ptb_free(h.p);
}

/* Linux's shared pages (arch/x86/xen/p2m.c): p2m_missing and
 * p2m_identity, leaves of INVALID_P2M_ENTRY only, named by many mid
 * entries and PTEs; p2m_missing_pte and p2m_identity_pte, page tables
 * naming only them, in many PMD entries; p2m_mid_missing_mfn, a mid page
 * naming only p2m_missing, in every unused top entry.  Read as missing,
 * never as repeated, and each read once: a 2^28-pfn guest walks in a
 * blink (before, the list's 2^19 pages were read and their 2^28 entries
 * taken one by one, about a second); the tree beyond its three levels
 * (2^27 pfns, Linux's MAX_P2M_PFN) describes nothing: unreadable, never
 * top entries read past the top page. */
#define MISSING_LEAF 60u
#define IDENTITY_LEAF 61u
#define MID_MISSING 62u

static void linux_shared_pages(struct host *h)
{
	uint8_t *mem = h->mem, *mid = mem + TREE_MID * PAGE;
	uint64_t pt, pt_missing, pt_identity;

	memset(mem + MISSING_LEAF * PAGE, 0xff, PAGE);
	memset(mem + IDENTITY_LEAF * PAGE, 0xff, PAGE);
	for (uint64_t k = 2; k < 512; k++)
		le64(mid + k * 8, k % 2 ? MISSING_LEAF : IDENTITY_LEAF);
	for (uint64_t k = 0; k < 512; k++)
		le64(mem + MID_MISSING * PAGE + k * 8, MISSING_LEAF);
	for (uint64_t t = 1; t < 512; t++)
		le64(mem + TREE_TOP * PAGE + t * 8, MID_MISSING);
	/* the list: its first table maps the two real pages, then the
	 * shared leaves; the other PD entries alternate the shared tables */
	pt = ptb_table(h->p, P2M_VA, 3);
	pt_missing = ptb_alloc_table(h->p, false);
	pt_identity = ptb_alloc_table(h->p, false);
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t leaf = i % 2 ? MISSING_LEAF : IDENTITY_LEAF;

		if (i >= 2)
			ptb_set(h->p, pt, i, leaf * PAGE | PTB_P | PTB_NX);
		ptb_set(h->p, pt_missing, i,
			MISSING_LEAF * PAGE | PTB_P | PTB_NX);
		ptb_set(h->p, pt_identity, i,
			IDENTITY_LEAF * PAGE | PTB_P | PTB_NX);
	}
	for (uint64_t g = 0; g < 2; g++) {
		uint64_t pd = ptb_table(h->p, P2M_VA + (g << 30), 2);

		for (unsigned int i = g ? 0 : 1; i < 512; i++)
			ptb_set(h->p, pd, i,
				(i % 2 ? pt_missing : pt_identity) | PTB_P |
					PTB_RW);
	}
}

static void shared_pages(void **state)
{
	const uint64_t max_pfn = 1ull << 28, tree = 1ull << 27;
	struct host h;
	struct walked w;

	(void)state;
	build_host(&h, 0);
	linux_shared_pages(&h);
	for (int shape = KDX_XEN_P2M_LIST; shape <= KDX_XEN_P2M_TREE; shape++) {
		walk_host(&h, max_pfn, shape, &w);
		assert_int_equal(w.r.frames, 1024);
		assert_int_equal(w.s.wrong, 0);
		assert_int_equal(w.s.last_pfn, 1023);
		assert_int_equal(w.r.repeated, 0);
		assert_int_equal(w.r.duplicate, 0);
		if (shape == KDX_XEN_P2M_LIST) {
			assert_int_equal(w.r.unreadable, 0);
			assert_int_equal(w.r.missing, max_pfn - 1024);
		} else {
			assert_int_equal(w.r.unreadable, max_pfn - tree);
			assert_int_equal(w.r.first_unreadable, tree);
			assert_int_equal(w.r.missing, tree - 1024);
		}
		/* ~1 ms here: a bound that only a walk of every entry breaks */
		assert_true(w.cpu < 0.25);
	}
	ptb_free(h.p);
}

/* One frame for many pfns: pfn 5's frame also given to pfns 9 and 300,
 * and a whole leaf (pfns 512-1023) naming pfn 0's: duplicates, handed
 * out as Linux has them, counted, the first named with its entry. */
static void duplicate_mfn(void **state)
{
	struct host h;
	struct walked w;

	(void)state;
	build_host(&h, 0);
	for (uint64_t at = 0; at < 2; at++) {
		uint8_t *page = h.mem + (at ? LIST_FRAME : TREE_LEAF) * PAGE;

		le64(page + 9 * 8, mfn_of(5));
		le64(page + 300 * 8, mfn_of(5));
		for (uint64_t k = 0; k < 512; k++)
			le64(page + PAGE + k * 8, mfn_of(0));
	}
	for (int shape = KDX_XEN_P2M_LIST; shape <= KDX_XEN_P2M_TREE; shape++) {
		uint64_t leaf = shape == KDX_XEN_P2M_LIST ? LIST_FRAME :
							     TREE_LEAF;

		walk_host(&h, FRAMES, shape, &w);
		assert_int_equal(w.r.frames, FRAMES);
		assert_int_equal(w.s.n, FRAMES);
		assert_int_equal(w.s.wrong, 2 + 512);
		assert_int_equal(w.r.duplicate, 2 + 512);
		assert_int_equal(w.r.first_duplicate, 9);
		assert_int_equal(w.r.first_duplicate_mfn, mfn_of(5));
		assert_int_equal(w.r.first_duplicate_at, leaf * PAGE + 9 * 8);
		assert_int_equal(w.r.repeated, 0);
	}
	ptb_free(h.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(domains),
		cmocka_unit_test(range_in_the_last_page),
		cmocka_unit_test(unwritten_memory_is_not_scanned),
		cmocka_unit_test(crash_notes),
		cmocka_unit_test(repeated_leaf),
		cmocka_unit_test(repeated_list_page),
		cmocka_unit_test(shared_pages),
		cmocka_unit_test(duplicate_mfn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
