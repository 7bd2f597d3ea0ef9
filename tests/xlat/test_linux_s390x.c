/* SPDX-License-Identifier: MIT */
/* Linux on s390x on synthetic big-endian ELF dumps: the root from
 * VMCOREINFO SYMBOL(swapper_pg_dir) on a kernel running at virtual =
 * physical (before 6.10) and on one with its own image address
 * (KERNELOFFSET/KERNELOFFPHYS, IDENTITYBASE); the number of levels read
 * from the root table's entry types; a given root kept, and checked
 * against the table's type.  Tables encoded here from the Principles of Operation
 * (see test_s390x.c). */
#include "xlat_test.h"
#include "mkelf.h"
#include "ptgen.h"

#include <kdx/kernel.h>

#include <stdio.h>
#include <stdlib.h>

#define MiB (1ull << 20)
#define MEM (16 * MiB)
#define EM_S390 22
#define INV 0x20ull
#define FC 0x400ull

enum { R1, R2, R3, SGT, PGT };

static uint64_t tt(unsigned int level)
{
	return (uint64_t)(SGT - level) << 2;
}

static uint64_t empty(unsigned int level)
{
	return level == PGT ? 0x400 : tt(level) | INV;
}

static uint64_t table_entry(uint64_t addr, unsigned int level)
{
	return level == SGT ? addr : addr | tt(level) | 3;
}

static uint64_t table_of(uint64_t e, unsigned int level)
{
	if (e & INV || (e >> 2 & 3) != SGT - level)
		return UINT64_MAX;
	return e & ~0xfffull;
}

struct s390_dump {
	struct ptg *p;
	uint8_t *elf;
	struct kdx_dump *dump;
};

/* A kernel whose top table (of @first) is at @root_pa, with 1 MiB
 * frames mapping @count MiB at @va to @pa for each (va, pa, count). */
static struct ptg *tables(unsigned int first, uint64_t root_pa,
			  const uint64_t (*maps)[3], size_t nmaps)
{
	struct ptg *p = ptg_new(MEM, root_pa, 8, true);
	struct ptg_shape s = { 5, { 53, 42, 31, 20, 12 },
			       { 2048, 2048, 2048, 2048, 256 }, first, 2048,
			       table_entry, table_of, empty };
	uint64_t root = ptg_alloc(p, 2048 * 8);

	assert_int_equal(root, root_pa);
	ptg_fill(p, root, 2048, empty(first));
	for (size_t m = 0; m < nmaps; m++)
		for (uint64_t i = 0; i < maps[m][2]; i++)
			ptg_map(p, &s, root, maps[m][0] + i * MiB, SGT,
				(maps[m][1] + i * MiB) | FC);
	return p;
}

static void open_dump(struct s390_dump *d, struct ptg *p, const char *vmci)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_BIG_ENDIAN,
				   .machine = EM_S390 };
	struct mkelf *m = mkelf_new(&o);
	struct mkelf_load load = { 0 };
	size_t memsize, size;
	struct kdx_error *err;

	load.data = ptg_memory(p, &memsize);
	load.filesz = load.memsz = memsize;
	mkelf_add_load(m, &load);
	mkelf_add_vmcoreinfo(m, vmci);
	d->p = p;
	d->elf = mkelf_build(m, &size);
	mkelf_free(m);
	err = kdx_dump_open_memory(d->elf, size, NULL, &d->dump);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
}

static void close_dump(struct s390_dump *d)
{
	kdx_dump_destroy(d->dump);
	free(d->elf);
	ptg_free(d->p);
}

static void assert_kernel_xlat(const struct s390_dump *d,
			       const struct kdx_kernel_layout *l, uint64_t va,
			       uint64_t pa)
{
	struct kdx_xlat *x;
	struct kdx_error *err = kdx_kernel_xlat_create(d->dump, l, &x);

	if (err)
		fail_msg("xlat: %s", kdx_error_message(err));
	assert_xlat(x, va, pa, MiB, RW);
	kdx_xlat_destroy(x);
}

/* Before 6.10: the kernel runs at virtual = physical, a 3-level table. */
static void identity_kernel(void **state)
{
	static const uint64_t maps[][3] = { { 0, 0, 16 } };
	struct s390_dump d;
	struct kdx_kernel_layout l;

	(void)state;
	open_dump(&d, tables(R3, 0x100000, maps, 1),
		  "OSRELEASE=6.1.0-s390x\nSYMBOL(swapper_pg_dir)=100000\n"
		  "KERNELOFFSET=0\n");
	assert_null(kdx_kernel_probe(d.dump, NULL, &l));
	assert_int_equal(l.os, KDX_OS_LINUX);
	assert_int_equal(l.mode, KDX_PAGING_S390X);
	assert_true(l.has_root);
	assert_int_equal(l.root, 0x100000 | 0x4 | 3); /* R3, full length */
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(swapper_pg_dir) (virtual = physical), a region-third table");
	assert_string_equal(l.note, "");
	assert_true(l.has_direct_map);
	assert_int_equal(l.direct_map, 0);
	assert_kernel_xlat(&d, &l, 0xabcdef, 0xabcdef);
	close_dump(&d);
}

/* 6.10 and later: the image at KERNELOFFSET (physical KERNELOFFPHYS),
 * the identity map at IDENTITYBASE, a 4-level table. */
#define IBASE (1ull << 42)
#define KOFF 0x3ff80000000ull
#define KPHYS 0x200000ull

static const char vmci_610[] =
	"OSRELEASE=6.12.0-s390x\nSYMBOL(swapper_pg_dir)=3ff80100000\n"
	"IDENTITYBASE=40000000000\nKERNELOFFSET=3ff80000000\n"
	"KERNELOFFPHYS=200000\n";

static struct ptg *tables_610(void)
{
	static const uint64_t maps[][3] = { { IBASE, 0, 16 },
					    { KOFF, KPHYS, 4 } };

	return tables(R2, KPHYS + MiB, maps, 2);
}

static void image_and_identity_base(void **state)
{
	struct s390_dump d;
	struct kdx_kernel_layout l;

	(void)state;
	open_dump(&d, tables_610(), vmci_610);
	assert_null(kdx_kernel_probe(d.dump, NULL, &l));
	assert_int_equal(l.root, (KPHYS + MiB) | 0x8 | 3); /* R2 */
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(swapper_pg_dir) - KERNELOFFSET + KERNELOFFPHYS, a region-second table");
	assert_string_equal(l.note, "");
	assert_int_equal(l.direct_map, IBASE);
	assert_string_equal(l.direct_map_source, "VMCOREINFO IDENTITYBASE");
	assert_kernel_xlat(&d, &l, IBASE + 0x12345, 0x12345);
	assert_kernel_xlat(&d, &l, KOFF + 0x54321, KPHYS + 0x54321);
	close_dump(&d);
}

/* A given root is kept; a bare table address designates a segment
 * table, and the note says what the table's entries say instead. */
static void given_root(void **state)
{
	struct s390_dump d;
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	open_dump(&d, tables_610(), vmci_610);
	kdx_kernel_options_init(&o);
	o.has_root = true;
	o.root = KPHYS + MiB;
	assert_null(kdx_kernel_probe(d.dump, &o, &l));
	assert_int_equal(l.root, KPHYS + MiB);
	assert_string_equal(l.root_source, "command line");
	assert_string_equal(l.note,
			    "the root designates a segment table, its entries say region-second: give 0x30000b");
	o.root = (KPHYS + MiB) | 0x8 | 3;
	assert_null(kdx_kernel_probe(d.dump, &o, &l));
	assert_int_equal(l.root, (KPHYS + MiB) | 0x8 | 3);
	assert_string_equal(l.note, "");
	assert_kernel_xlat(&d, &l, IBASE + 0x12345, 0x12345);
	close_dump(&d);
}

/* No swapper_pg_dir: the note says what to give. */
static void no_symbol(void **state)
{
	struct s390_dump d;
	struct kdx_kernel_layout l;

	(void)state;
	open_dump(&d, tables_610(), "OSRELEASE=6.12.0-s390x\n");
	assert_null(kdx_kernel_probe(d.dump, NULL, &l));
	assert_false(l.has_root);
	assert_string_equal(l.note,
			    "no SYMBOL(swapper_pg_dir) in VMCOREINFO: give --root (an ASCE, or a table address)");
	close_dump(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identity_kernel),
		cmocka_unit_test(image_and_identity_base),
		cmocka_unit_test(given_root),
		cmocka_unit_test(no_symbol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
