/* SPDX-License-Identifier: MIT */
/* Linux set-up on synthetic dumps: VMCOREINFO (x86_64 with KASLR and a
 * negative phys_base, LA57, i386 PAE and 2-level), QEMU CPU state (CR3,
 * paging off), overrides, and virtual reads. */
#include "xlat_test.h"

#include "linuxdump.h"

#include <kdx/dump.h>
#include <kdx/kernel.h>

#include <stdio.h>
#include <stdlib.h>

#define MiB LD_MiB
#define MEM LD_MEM
#define KASLR LD_KASLR
#define TEXT_VA LD_TEXT_VA
#define TEXT_PA LD_TEXT_PA
#define ROOT_PA LD_ROOT_PA
#define DIRECT LD_DIRECT

struct fixture {
	struct ptb *p;
	uint8_t *elf;
	size_t size;
	struct kdx_dump *dump;
};

static void open_dump(struct fixture *f, uint16_t machine, unsigned int bits,
		      const char *vmcoreinfo, const uint64_t *cr)
{
	struct kdx_error *err;

	f->elf = linuxdump_elf(f->p, machine, bits, vmcoreinfo, cr, &f->size);
	err = kdx_dump_open_memory(f->elf, f->size, NULL, &f->dump);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
}

static void close_dump(struct fixture *f)
{
	kdx_dump_destroy(f->dump);
	free(f->elf);
	ptb_free(f->p);
}

#define vmcoreinfo_64 linuxdump_vmcoreinfo_64

static void x86_64_from_vmcoreinfo(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;

	(void)state;
	assert_int_equal(ptb_root(f.p), ROOT_PA);
	linuxdump_map(f.p, DIRECT);
	open_dump(&f, 62, 64, vmcoreinfo_64, NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_false(l.physical_only);
	assert_int_equal(l.mode, KDX_PAGING_X86_64);
	assert_string_equal(l.mode_source, "VMCOREINFO NUMBER(pgtable_l5_enabled)=0");
	assert_true(l.has_root);
	assert_int_equal(l.root, ROOT_PA);
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(init_top_pgt) - __START_KERNEL_map + phys_base");
	assert_true(l.lnx.has_kaslr_offset);
	assert_int_equal(l.lnx.kaslr_offset, KASLR);
	assert_true(l.lnx.has_phys_base);
	assert_int_equal(l.lnx.phys_base, (uint64_t)-503316480);
	assert_true(l.has_direct_map);
	assert_int_equal(l.direct_map, DIRECT);
	assert_string_equal(l.direct_map_source,
			    "page tables: first mapping of low physical memory");
	assert_string_equal(l.note, "");
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	assert_xlat(x, TEXT_VA + 0x1234, TEXT_PA + 0x1234, 2 * MiB, GL);
	assert_xlat(x, DIRECT + 0x5000, 0x5000, 4096, RW | GL | NX);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

/* A wrong phys_base moves the root: the self-map check says so. */
static void wrong_phys_base_is_noticed(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	open_dump(&f, 62, 64, vmcoreinfo_64, NULL);
	kdx_kernel_options_init(&o);
	o.has_phys_base = true;
	o.phys_base = (uint64_t)-503316480 + 0x200000;
	assert_null(kdx_kernel_probe(f.dump, &o, &l));
	assert_string_equal(l.lnx.phys_base_source, "command line");
	assert_int_equal(l.root, ROOT_PA + 0x200000);
	assert_non_null(strstr(l.note, "check failed"));
	close_dump(&f);
}

/* Notes accumulate: AMD SME's note survives a failed self-map check
 * (x86 once overwrote the first note with the second). */
static void notes_accumulate(void **state)
{
	static const char sme_note[] =
		"AMD SME: NUMBER(sme_mask) 0x800000000000 cleared from entries; "
		"check failed: ";
	static const char vmci[] =
		"SYMBOL(init_top_pgt)=ffffffff9f100000\n"
		"NUMBER(phys_base)=-503316480\n"
		"NUMBER(sme_mask)=0x800000000000\n";
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	open_dump(&f, 62, 64, vmci, NULL);
	kdx_kernel_options_init(&o);
	o.has_phys_base = true;
	o.phys_base = (uint64_t)-503316480 + 0x200000;
	assert_null(kdx_kernel_probe(f.dump, &o, &l));
	assert_int_equal(l.ignore_mask, 0x800000000000ull);
	if (strncmp(l.note, sme_note, sizeof(sme_note) - 1))
		fail_msg("note: %s", l.note);
	close_dump(&f);
}

static void overrides(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	open_dump(&f, 62, 64, vmcoreinfo_64, NULL);
	kdx_kernel_options_init(&o);
	o.has_root = true;
	o.root = ROOT_PA | 0x3; /* PCID bits */
	o.mode = KDX_PAGING_X86_64;
	o.has_page_offset = true;
	o.page_offset = 0xffff888000000000ull;
	o.has_kaslr_offset = true;
	o.kaslr_offset = 0x1000;
	assert_null(kdx_kernel_probe(f.dump, &o, &l));
	assert_string_equal(l.root_source, "command line");
	assert_string_equal(l.mode_source, "command line");
	assert_string_equal(l.direct_map_source, "command line");
	assert_string_equal(l.lnx.kaslr_offset_source, "command line");
	assert_int_equal(l.direct_map, 0xffff888000000000ull);
	assert_int_equal(l.lnx.kaslr_offset, 0x1000);
	close_dump(&f);
}

static void from_cpu_cr3(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	const uint64_t cr[5] = { 0x80050033, 0, 0, ROOT_PA | 0x7, 0x6f0 };
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	open_dump(&f, 62, 64, NULL, cr);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_int_equal(l.mode, KDX_PAGING_X86_64);
	assert_string_equal(l.mode_source, "CPU 0 CR4 0x6f0 (QEMU CPU state note)");
	assert_string_equal(l.root_source, "CPU 0 CR3 (QEMU CPU state note)");
	assert_false(l.lnx.has_kaslr_offset);
	assert_false(l.lnx.has_phys_base);
	assert_int_equal(l.direct_map, DIRECT);
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	assert_int_equal(kdx_xlat_root(x), ROOT_PA);
	assert_xlat(x, TEXT_VA, TEXT_PA, 2 * MiB, GL);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

/* Seed 003: a CPU with paging off means a physical-only dump. */
static void paging_off_is_physical_only(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	const uint64_t cr[5] = { 0x60000011, 0, 0, 0, 0 };
	struct kdx_kernel_layout l;
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	(void)state;
	open_dump(&f, 62, 64, NULL, cr);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_true(l.physical_only);
	assert_int_equal(l.mode, KDX_PAGING_NONE);
	assert_false(l.has_root);
	assert_string_equal(l.note,
			    "CPU 0 has paging off (CR0 0x60000011, PG clear) and there is no VMCOREINFO: the dump holds physical memory only");
	err = kdx_kernel_xlat_create(f.dump, &l, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	assert_non_null(strstr(kdx_error_message(err), "read it with --phys"));
	assert_null(x);
	kdx_error_destroy(err);
	close_dump(&f);
}

static void nothing_to_go_on(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_layout l;
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	(void)state;
	open_dump(&f, 62, 64, NULL, NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_false(l.has_root);
	err = kdx_kernel_xlat_create(f.dump, &l, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	assert_string_equal(kdx_error_message(err),
			    "the kernel page-table root is not known: no VMCOREINFO and no CPU control registers in the dump; give --root");
	kdx_error_destroy(err);
	close_dump(&f);
}

/* VMCOREINFO without the root's symbol: the message names the entries
 * it lacks, not "no VMCOREINFO". */
static void vmcoreinfo_without_root_symbol(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_layout l;
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	(void)state;
	open_dump(&f, 62, 64, "OSRELEASE=6.1.0\nPAGESIZE=4096\n", NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_false(l.has_root);
	err = kdx_kernel_xlat_create(f.dump, &l, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NOTFOUND);
	assert_string_equal(kdx_error_message(err),
			    "the kernel page-table root is not known: VMCOREINFO lacks SYMBOL(init_top_pgt), SYMBOL(init_level4_pgt) and SYMBOL(swapper_pg_dir) (the page-table root) and the dump has no CPU control registers; give --root");
	kdx_error_destroy(err);
	close_dump(&f);
}

static void la57_from_vmcoreinfo(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_LA57, MEM, ROOT_PA) };
	static const char vmci[] =
		"SYMBOL(init_top_pgt)=ffffffff9f100000\n"
		"NUMBER(phys_base)=-503316480\n"
		"NUMBER(pgtable_l5_enabled)=1\n"
		"KERNELOFFSET=1e000000\n";
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;

	(void)state;
	linuxdump_map(f.p, 0xff11000000000000ull);
	open_dump(&f, 62, 64, vmci, NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_int_equal(l.mode, KDX_PAGING_X86_LA57);
	assert_int_equal(l.direct_map, 0xff11000000000000ull);
	assert_string_equal(l.note, "");
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	assert_xlat(x, 0xff11000000003000ull, 0x3000, 4096, RW | GL | NX);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

/* i386: root = swapper_pg_dir - PAGE_OFFSET; lowmem maps at 0xc0000000. */
static void i386(void **state, enum kdx_paging_mode mode, const char *vmci,
		 const uint64_t *cr, unsigned int want_flags)
{
	struct fixture f = { .p = ptb_new(mode, MEM, ROOT_PA) };
	uint64_t big = mode == KDX_PAGING_X86_PAE ? 2 * MiB : 4 * MiB;
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;

	(void)state;
	for (uint64_t a = 0; a < MEM; a += big)
		ptb_map(f.p, 0xc0000000u + a, a, big, PTB_RW | PTB_G);
	open_dump(&f, 3, 32, vmci, cr);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_int_equal(l.mode, mode);
	assert_int_equal(l.root, ROOT_PA);
	assert_int_equal(l.direct_map, 0xc0000000u);
	assert_int_equal(l.xlat_flags & KDX_XLAT_PSE, want_flags);
	assert_string_equal(l.note, "");
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	assert_xlat(x, 0xc1100000u, ROOT_PA, big, RW | GL);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

static void i386_pae(void **state)
{
	i386(state, KDX_PAGING_X86_PAE,
	     "SYMBOL(swapper_pg_dir)=c1100000\nCONFIG_X86_PAE=y\n", NULL,
	     KDX_XLAT_PSE);
}

static void i386_2level(void **state)
{
	const uint64_t cr[5] = { 0x80050033, 0, 0, ROOT_PA, 0x90 };

	i386(state, KDX_PAGING_X86_32, "SYMBOL(swapper_pg_dir)=c1100000\n", cr,
	     KDX_XLAT_PSE);
}

/* Zero-filling a large unmapped stretch skips to the next mapping in one
 * step (not one failed walk per page), and never zero-fills
 * non-canonical addresses. */
static void read_virt_large_hole(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	const uint64_t va = 0xffffc90000000000ull, hole = 64 * MiB;
	struct kdx_kernel_layout l;
	struct kdx_read_stats st;
	struct kdx_xlat_stats xs;
	struct kdx_xlat *x;
	struct kdx_error *err;
	uint8_t *buf = malloc(hole + 4096);
	uint8_t *mem;
	size_t size;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	ptb_map(f.p, va + hole, 0x500000, 4096, PTB_RW);
	mem = ptb_memory(f.p, &size);
	memset(mem + 0x500000, 0xcd, 4096);
	open_dump(&f, 62, 64, vmcoreinfo_64, NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	memset(buf, 0x55, hole + 4096);
	kdx_xlat_flush(x);
	assert_null(kdx_read_virt(f.dump, x, va, buf, hole + 4096,
				  KDX_READ_ZERO_FILL, &st));
	assert_int_equal(st.hole_bytes, hole);
	assert_int_equal(st.first_hole, va);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[hole - 1], 0);
	assert_int_equal(buf[hole], 0xcd);
	kdx_xlat_get_stats(x, &xs);
	assert_true(xs.translations <= 4);
	/* the end of the lower half: zeros up to it, then an error */
	err = kdx_read_virt(f.dump, x, 0x00007ffffffff000ull, buf, 8192,
			    KDX_READ_ZERO_FILL, &st);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	assert_int_equal(st.hole_bytes, 4096);
	kdx_error_destroy(err);
	free(buf);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

static void other_arch_unsupported(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MiB, 0) };
	struct kdx_kernel_layout l;
	struct kdx_error *err;

	(void)state;
	open_dump(&f, 21, 64, NULL, NULL); /* EM_PPC64 */
	err = kdx_kernel_probe(f.dump, NULL, &l);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	kdx_error_destroy(err);
	close_dump(&f);
}

/* Virtual reads cross pages that are not physically adjacent, and follow
 * the hole rules of physical reads. */
static void read_virt(void **state)
{
	struct fixture f = { .p = ptb_new(KDX_PAGING_X86_64, MEM, ROOT_PA) };
	struct kdx_kernel_layout l;
	struct kdx_read_stats st;
	struct kdx_xlat *x;
	struct kdx_error *err;
	uint64_t va = 0xffffc90000000000ull;
	uint8_t buf[3 * 4096];
	uint8_t *mem;
	size_t size;

	(void)state;
	linuxdump_map(f.p, DIRECT);
	ptb_map(f.p, va, 0x500000, 4096, PTB_RW);
	ptb_map(f.p, va + 4096, 0x300000, 4096, PTB_RW);
	/* va + 2 pages: unmapped; va + 3 pages: past the dump's memory */
	ptb_map(f.p, va + 3 * 4096, 0x40000000, 4096, PTB_RW);
	mem = ptb_memory(f.p, &size);
	memset(mem + 0x500000, 0xaa, 4096);
	memset(mem + 0x300000, 0xbb, 4096);
	open_dump(&f, 62, 64, vmcoreinfo_64, NULL);
	assert_null(kdx_kernel_probe(f.dump, NULL, &l));
	assert_null(kdx_kernel_xlat_create(f.dump, &l, &x));
	assert_null(kdx_read_virt(f.dump, x, va + 4000, buf, 200, 0, &st));
	assert_int_equal(buf[95], 0xaa);
	assert_int_equal(buf[96], 0xbb);
	err = kdx_read_virt(f.dump, x, va + 4096, buf, 8192, 0, &st);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_non_null(strstr(kdx_error_message(err),
			       "translate 0xffffc90000002000: PT entry 0x0 at"));
	kdx_error_destroy(err);
	memset(buf, 0x55, sizeof(buf));
	assert_null(kdx_read_virt(f.dump, x, va + 4096, buf, 8192,
				  KDX_READ_ZERO_FILL, &st));
	assert_int_equal(buf[0], 0xbb);
	assert_int_equal(buf[4096], 0);
	assert_int_equal(buf[8191], 0);
	assert_int_equal(st.hole_bytes, 4096);
	assert_int_equal(st.first_hole, va + 8192);
	err = kdx_read_virt(f.dump, x, va + 3 * 4096, buf, 16, 0, &st);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
	assert_non_null(strstr(kdx_error_message(err),
			       "read 0xffffc90000003000 (virtual, at physical 0x40000000): "));
	kdx_error_destroy(err);
	kdx_xlat_destroy(x);
	close_dump(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(x86_64_from_vmcoreinfo),
		cmocka_unit_test(wrong_phys_base_is_noticed),
		cmocka_unit_test(notes_accumulate),
		cmocka_unit_test(overrides),
		cmocka_unit_test(from_cpu_cr3),
		cmocka_unit_test(paging_off_is_physical_only),
		cmocka_unit_test(nothing_to_go_on),
		cmocka_unit_test(vmcoreinfo_without_root_symbol),
		cmocka_unit_test(la57_from_vmcoreinfo),
		cmocka_unit_test(i386_pae),
		cmocka_unit_test(i386_2level),
		cmocka_unit_test(other_arch_unsupported),
		cmocka_unit_test(read_virt),
		cmocka_unit_test(read_virt_large_hole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
