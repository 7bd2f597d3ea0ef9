/* SPDX-License-Identifier: MIT */
/* kdx convert of a Xen PV guest (xc_core) to kdump and ELF: the output,
 * opened as a plain Linux x86_64 dump (no p2m, no Xen knowledge), must
 * translate every virtual address the xc_core maps to the same bytes, its
 * page tables must hold pseudo-physical frames (computed here from the
 * test's own p2m, apart from kdx), an entry whose machine frame is not the
 * guest's must be cleared and counted, and tables that point at each
 * other must be rewritten once each. */
#include "xlat_test.h"
#include "xen_frames.h"

#include "bytes.h"
#include "mkxccore.h"

#include <kdx/kdx.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define PAGE 4096u
#define FRAMES XEN_TEST_FRAMES
#define TABLES (2u << 20)  /* tables from machine frame 512 on */
#define DATA_FRAMES (TABLES / PAGE)
#define VMCI_FRAME 5u
#define TEXT_VA 0xffffffff81000000ull
#define TEXT_FRAME 16u
#define TEXT_PAGES 16u
#define KERNEL_MAP 0xffffffff80000000ull
#define DIRECT 0xffff888000000000ull
#define FOREIGN_VA 0xffffc90000000000ull
#define FOREIGN_MFN 3000u  /* no pfn of the guest: a granted page */
#define XEN_MFN 2000u      /* Xen's own table in its L4 slot 256 */
#define FRAME_MASK 0x000ffffffffff000ull

static uint64_t le64(const uint8_t *p, enum kdx_byte_order bo)
{
	uint64_t v = 0;

	(void)bo; /* Xen guests are x86: little-endian */
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

struct guest {
	struct ptb *p;
	uint8_t *mem;
	uint64_t root;
	uint64_t pfns[FRAMES], mfns[FRAMES];
};

static void build_guest(struct guest *g, bool cycle)
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
	ptb_map(g->p, KERNEL_MAP + root_pa, g->root, PAGE, PTB_RW);
	for (uint64_t pfn = 0; pfn < FRAMES; pfn++)
		ptb_map(g->p, DIRECT + pfn * PAGE, mfn_of(pfn) * PAGE, PAGE,
			PTB_RW | PTB_NX);
	ptb_map(g->p, FOREIGN_VA, (uint64_t)FOREIGN_MFN * PAGE, PAGE,
		PTB_RW | PTB_NX);
	ptb_set(g->p, g->root, 256, (uint64_t)XEN_MFN * PAGE | 0x67);
	if (cycle) {
		/* The top table as its own L3 (a self-map), and the text's
		 * PD as its own L1 (its entry 500). */
		uint64_t pd = ptb_table(g->p, TEXT_VA, 2);

		ptb_set(g->p, g->root, 300, g->root | 0x63);
		ptb_set(g->p, pd, 500, pd | 0x63);
	}
	g->mem = ptb_memory(g->p, &size);
	for (uint64_t m = 0; m < DATA_FRAMES; m++)
		for (size_t k = 0; k < PAGE; k++)
			g->mem[m * PAGE + k] = (uint8_t)(m * 7 + k * 13 + 1);
	snprintf(text, sizeof(text),
		 "OSRELEASE=6.1.0-xen-test\nPAGESIZE=4096\n"
		 "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n"
		 "KERNELOFFSET=0\nNUMBER(pgtable_l5_enabled)=0\n",
		 (unsigned long long)(KERNEL_MAP + root_pa));
	memset(g->mem + VMCI_FRAME * PAGE, 0, PAGE);
	memcpy(g->mem + VMCI_FRAME * PAGE, text, strlen(text));
	for (uint64_t m = 0; m < FRAMES; m++) {
		g->pfns[m] = pfn_of(m);
		g->mfns[m] = m;
	}
}

/* Counts of the test's own canonicalisation. */
struct expect {
	uint64_t tables, rewritten, cleared;
};

/* Machine frame @m as the output must hold it: a table (frames from
 * TABLES on that ptbuild filled) with each present entry's frame turned
 * into its pfn, or cleared when no pfn maps it or it is one of Xen's L4
 * slots; any other page as it is. */
static void expected_page(const struct guest *g, uint64_t m, uint8_t *out,
			  struct expect *e)
{
	const uint8_t *in = g->mem + m * PAGE;
	bool table = m >= DATA_FRAMES;

	memcpy(out, in, PAGE);
	if (!table)
		return;
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t pte = le64(in + 8 * i, KDX_LITTLE_ENDIAN);
		uint64_t mfn = (pte & FRAME_MASK) / PAGE;

		if (!(pte & 1))
			continue;
		if (mfn >= FRAMES || (m == g->root / PAGE && i >= 256 && i < 272)) {
			pte = 0;
			e->cleared++;
		} else {
			pte = (pte & ~FRAME_MASK) | pfn_of(mfn) * PAGE;
			e->rewritten++;
		}
		put64(out + 8 * i, pte, KDX_LITTLE_ENDIAN);
	}
	for (unsigned int i = 0; i < PAGE; i++)
		if (in[i]) {
			e->tables++;
			break;
		}
}

#define FLL_MFN 700u /* the guest's p2m frame list list (shared_info) */

static struct kdx_dump *open_xc_fll(const struct guest *g, uint8_t **file,
				    uint64_t fll)
{
	struct mkxc_spec s;
	struct kdx_dump *d = NULL;
	uint64_t cr3 = g->root;
	size_t size;

	mkxc_spec_init(&s);
	s.nr_pages = FRAMES;
	s.pages = g->mem;
	s.pfns = g->pfns;
	s.mfns = g->mfns;
	s.cr3 = &cr3;
	s.max_pfn = FRAMES;
	s.frame_list_list = fll;
	*file = mkxc_build(&s, &size);
	assert_null(kdx_dump_open_memory(*file, size, NULL, &d));
	assert_true(kdx_dump_has_machine(d));
	return d;
}

static struct kdx_dump *open_xc(const struct guest *g, uint8_t **file)
{
	return open_xc_fll(g, file, 0);
}

static struct kdx_dump *convert(const struct kdx_dump *in,
				enum kdx_output_format format, char *path,
				struct kdx_convert_stats *st)
{
	struct kdx_convert_options o;
	struct kdx_dump *out = NULL;
	struct kdx_error *err;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	kdx_convert_options_init(&o);
	o.format = format;
	o.threads = 2;
	err = kdx_convert(in, path, &o, st);
	if (err)
		fail_msg("convert: %s", kdx_error_message(err));
	assert_null(kdx_dump_open(path, NULL, &out));
	return out;
}

/* The output is an ordinary dump: no machine addresses, Linux on x86_64
 * from VMCOREINFO, its root the top table's pseudo-physical address. */
static struct kdx_xlat *plain_xlat(const struct kdx_dump *out,
				   const struct guest *g)
{
	struct kdx_kernel_layout lay;
	struct kdx_xlat *x;

	assert_false(kdx_dump_has_machine(out));
	assert_null(kdx_kernel_probe(out, NULL, &lay));
	assert_int_equal(lay.mode, KDX_PAGING_X86_64);
	assert_false(lay.xlat_flags & KDX_XLAT_MACHINE);
	assert_int_equal(lay.root, pfn_of(g->root / PAGE) * PAGE);
	assert_null(strstr(lay.mode_source, "Xen"));
	assert_null(kdx_kernel_xlat_create(out, &lay, &x));
	return x;
}

struct compare {
	const struct kdx_dump *in, *out;
	struct kdx_xlat *out_x;
	const uint8_t *expected; /* FRAMES pages, by pfn */
	uint64_t pages, foreign, problems;
};

/* The xc_core's own walk cannot enter Xen's slot: its table is no
 * frame of the guest. */
static bool xen_slot_problem(void *arg, const struct kdx_error *err)
{
	struct compare *c = arg;

	(void)err;
	c->problems++;
	return true;
}

/* Each page of each mapping of the xc_core: the output maps it at the
 * pfn the m2p gives, with the bytes expected there; the foreign page is
 * not mapped at all. */
static bool same_mapping(void *arg, const struct kdx_mapping *m)
{
	struct compare *c = arg;
	uint8_t buf[PAGE];

	for (uint64_t off = 0; off < m->size; off += PAGE) {
		uint64_t va = m->vaddr + off, pa;
		struct kdx_xlat_result r;
		struct kdx_error *err = kdx_machine_to_phys(c->in, m->paddr + off, &pa);

		if (err) {
			kdx_error_destroy(err);
			assert_int_equal(va, FOREIGN_VA);
			assert_non_null(err = kdx_xlat_translate(c->out_x, va, &r));
			kdx_error_destroy(err);
			c->foreign++;
			continue;
		}
		assert_null(kdx_xlat_translate(c->out_x, va, &r));
		assert_int_equal(r.paddr, pa);
		assert_null(kdx_read_virt(c->out, c->out_x, va, buf, PAGE, 0, NULL));
		assert_memory_equal(buf, c->expected + pa, PAGE);
		c->pages++;
	}
	return true;
}

static void check_format(enum kdx_output_format format)
{
	struct guest g;
	struct expect e = { 0, 0, 0 };
	struct kdx_convert_stats st;
	struct kdx_kernel_layout lay;
	struct kdx_xlat *in_x;
	struct compare c;
	char path[] = "/tmp/kdx-xen-convert-XXXXXX";
	uint8_t *file, *expected = malloc((size_t)FRAMES * PAGE);
	uint8_t buf[PAGE];
	struct kdx_dump *in, *out;

	build_guest(&g, false);
	for (uint64_t p = 0; p < FRAMES; p++)
		expected_page(&g, mfn_of(p), expected + p * PAGE, &e);
	in = open_xc(&g, &file);
	out = convert(in, format, path, &st);
	assert_string_equal(kdx_dump_format_name(out),
			    format == KDX_OUTPUT_ELF ? "elf" : "kdump");
	/* every page, tables rewritten, the rest as they were */
	for (uint64_t p = 0; p < FRAMES; p++) {
		assert_null(kdx_read_phys(out, p * PAGE, buf, PAGE, 0, NULL));
		assert_memory_equal(buf, expected + p * PAGE, PAGE);
	}
	assert_int_equal(st.pages_rewritten, e.tables);
	assert_int_equal(st.entries_rewritten, e.rewritten);
	assert_int_equal(st.entries_cleared, 2); /* the grant, Xen's slot */
	assert_int_equal(e.cleared, 2);
	assert_int_equal(st.table_aliases, 0);
	assert_int_equal(st.root, pfn_of(g.root / PAGE) * PAGE);
	/* the xc_core is untouched by the conversion */
	assert_null(kdx_read_phys(in, pfn_of(g.root / PAGE) * PAGE, buf, PAGE,
				  0, NULL));
	assert_memory_equal(buf, g.mem + g.root, PAGE);

	c = (struct compare){ .in = in, .out = out, .expected = expected };
	c.out_x = plain_xlat(out, &g);
	assert_null(kdx_kernel_probe(in, NULL, &lay));
	assert_null(kdx_kernel_xlat_create(in, &lay, &in_x));
	assert_null(kdx_xlat_maps(in_x, 0, UINT64_MAX, KDX_MAPS_NO_MERGE,
				  same_mapping, xen_slot_problem, &c));
	assert_int_equal(c.foreign, 1);
	assert_int_equal(c.problems, 1);
	/* text, init_top_pgt's own page, the direct map */
	assert_int_equal(c.pages, TEXT_PAGES + 1 + FRAMES);
	kdx_xlat_destroy(in_x);
	kdx_xlat_destroy(c.out_x);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	unlink(path);
	free(file);
	free(expected);
	ptb_free(g.p);
}

static void to_kdump(void **state)
{
	(void)state;
	check_format(KDX_OUTPUT_KDUMP);
}

static void to_elf(void **state)
{
	(void)state;
	check_format(KDX_OUTPUT_ELF);
}

/* A self-mapped top table and a PD that is its own L1: each table is
 * rewritten once (as first reached, breadth first: the higher level), the
 * walk ends, and the output still reads the direct map and the text. */
static void cycles(void **state)
{
	struct guest g;
	struct kdx_convert_stats st;
	char path[] = "/tmp/kdx-xen-convert-XXXXXX";
	uint8_t *file, buf[PAGE];
	struct kdx_dump *in, *out;
	struct kdx_xlat *x;
	struct expect e = { 0, 0, 0 };

	(void)state;
	build_guest(&g, true);
	for (uint64_t m = DATA_FRAMES; m < FRAMES; m++)
		expected_page(&g, m, buf, &e);
	in = open_xc(&g, &file);
	out = convert(in, KDX_OUTPUT_KDUMP, path, &st);
	assert_int_equal(st.pages_rewritten, e.tables);
	assert_int_equal(st.table_aliases, 2);
	assert_int_equal(st.entries_rewritten, e.rewritten);
	x = plain_xlat(out, &g);
	assert_null(kdx_read_phys(out, pfn_of(g.root / PAGE) * PAGE, buf, PAGE,
				  0, NULL));
	assert_int_equal(le64(buf + 300 * 8, KDX_LITTLE_ENDIAN),
			 pfn_of(g.root / PAGE) * PAGE | 0x63);
	assert_null(kdx_read_virt(out, x, TEXT_VA + 3 * PAGE, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, g.mem + (TEXT_FRAME + 3) * PAGE, PAGE);
	assert_null(kdx_read_virt(out, x, DIRECT + 77 * PAGE, buf, PAGE, 0, NULL));
	assert_memory_equal(buf, g.mem + mfn_of(77) * PAGE, PAGE);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	unlink(path);
	free(file);
	ptb_free(g.p);
}

static struct kdx_error *convert_machine(const struct kdx_dump *in,
					 enum kdx_output_format format,
					 bool paging, char *path)
{
	struct kdx_convert_options o;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	kdx_convert_options_init(&o);
	o.format = format;
	o.paging = paging;
	o.machine = true;
	return kdx_convert(in, path, &o, NULL);
}

/* convert --machine: every page of the guest lands at its machine
 * address with the xc_core's bytes, page tables untouched (machine
 * frames, as the guest wrote them), nothing else in the output; Xen's
 * crash-info note names the guest's frame list list and Xen's version. */
static void check_machine(enum kdx_output_format format)
{
	struct guest g;
	char path[] = "/tmp/kdx-xen-machine-XXXXXX";
	uint8_t *file, buf[PAGE], want[PAGE];
	struct kdx_dump *in, *out = NULL;
	const struct kdx_phys_range *r;
	const struct kdx_dump_facts *f;
	size_t n;
	uint64_t total = 0;

	build_guest(&g, false);
	in = open_xc_fll(&g, &file, FLL_MFN);
	assert_null(convert_machine(in, format, false, path));
	assert_null(kdx_dump_open(path, NULL, &out));
	assert_string_equal(kdx_dump_format_name(out),
			    format == KDX_OUTPUT_ELF ? "elf" : "kdump");
	for (uint64_t m = 0; m < FRAMES; m++) {
		assert_null(kdx_read_phys(out, m * PAGE, buf, PAGE, 0, NULL));
		/* the test's own page at machine frame m ... */
		assert_memory_equal(buf, g.mem + m * PAGE, PAGE);
		/* ... which the xc_core holds at pfn P(m) */
		assert_null(kdx_read_phys(in, pfn_of(m) * PAGE, want, PAGE, 0,
					  NULL));
		assert_memory_equal(buf, want, PAGE);
	}
	/* the root table keeps its machine frames: entry 256 is Xen's */
	assert_null(kdx_read_phys(out, g.root, buf, PAGE, 0, NULL));
	assert_int_equal(le64(buf + 256 * 8, KDX_LITTLE_ENDIAN),
			 (uint64_t)XEN_MFN * PAGE | 0x67);
	r = kdx_dump_phys_ranges(out, &n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(r[i].kind, KDX_RANGE_DATA);
		total += r[i].size;
	}
	assert_int_equal(total, (uint64_t)FRAMES * PAGE);
	f = kdx_dump_facts(out);
	assert_true(f->set & KDX_FACT_XEN_DOM0_P2M);
	assert_int_equal(f->xen_dom0_p2m_fll, FLL_MFN);
	assert_int_equal(f->xen_major_version, 4);
	assert_int_equal(f->xen_minor_version, 17);
	kdx_dump_destroy(out);
	kdx_dump_destroy(in);
	unlink(path);
	free(file);
	ptb_free(g.p);
}

static void machine_elf(void **state)
{
	(void)state;
	check_machine(KDX_OUTPUT_ELF);
}

static void machine_kdump(void **state)
{
	(void)state;
	check_machine(KDX_OUTPUT_KDUMP);
}

static void expect_error(struct kdx_error *err, enum kdx_error_code code)
{
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), code);
	kdx_error_destroy(err);
}

/* --machine needs the guest's frame list list (crash starts there) and
 * writes physical memory, not --paging's mappings. */
static void machine_refused(void **state)
{
	struct guest g;
	char path[32];
	uint8_t *file;
	struct kdx_dump *in;

	(void)state;
	build_guest(&g, false);
	in = open_xc(&g, &file); /* no frame list list */
	strcpy(path, "/tmp/kdx-xen-machine-XXXXXX");
	expect_error(convert_machine(in, KDX_OUTPUT_ELF, false, path),
		     KDX_ERR_NOTFOUND);
	unlink(path);
	kdx_dump_destroy(in);
	free(file);
	in = open_xc_fll(&g, &file, FLL_MFN);
	strcpy(path, "/tmp/kdx-xen-machine-XXXXXX");
	expect_error(convert_machine(in, KDX_OUTPUT_ELF, true, path),
		     KDX_ERR_UNSUPPORTED);
	unlink(path);
	kdx_dump_destroy(in);
	free(file);
	ptb_free(g.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(to_kdump),
		cmocka_unit_test(to_elf),
		cmocka_unit_test(cycles),
		cmocka_unit_test(machine_elf),
		cmocka_unit_test(machine_kdump),
		cmocka_unit_test(machine_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
