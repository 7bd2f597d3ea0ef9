/* SPDX-License-Identifier: MIT */
/* Linux set-up beyond x86 on synthetic ELF dumps: arm64 from VMCOREINFO
 * (swapper_pg_dir - kimage_voffset, T1SZ, PHYS_OFFSET, the linear map),
 * and VMCOREINFO found in physical memory when the dump has no note (as
 * the ELF note the kernel builds, and as bare text; arm64 and x86_64). */
#include "xlat_test.h"
#include "linuxdump.h"
#include "mkkdump.h"

#include <kdx/kernel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MiB (1ull << 20)
#define TEXT_VA 0xffff800080000000ull
#define TEXT_PA 0x1000000ull
#define ROOT_PA 0x1100000ull /* swapper_pg_dir: text + 1 MiB */
#define LINEAR 0xffff000000000000ull

static const char vmci_arm64[] =
	"OSRELEASE=6.1.0-50-arm64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffff800080100000\n"
	"NUMBER(VA_BITS)=48\n"
	"NUMBER(kimage_voffset)=0xffff80007f000000\n"
	"NUMBER(PHYS_OFFSET)=0x0\n"
	"NUMBER(TCR_EL1_T1SZ)=16\n"
	"KERNELOFFSET=0\n";

/* AArch64 4K/48-bit tables in ptbuild memory (used as plain memory):
 * 4 MiB of text at TEXT_VA and 32 MiB of linear map, as 2 MiB blocks. */
static struct ptb *arm64_tables(void)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 32 * MiB, ROOT_PA);
	uint64_t root = ptb_root(p);
	uint64_t l1t = ptb_alloc_table(p, false), l2t = ptb_alloc_table(p, false);
	uint64_t l1l = ptb_alloc_table(p, false), l2l = ptb_alloc_table(p, false);
	const uint64_t block = 0x1 | 1ull << 10; /* block, AF */

	assert_int_equal(root, ROOT_PA);
	ptb_set(p, root, (TEXT_VA >> 39) & 511, l1t | 3);
	ptb_set(p, l1t, (TEXT_VA >> 30) & 511, l2t | 3);
	for (unsigned int i = 0; i < 2; i++)
		ptb_set(p, l2t, ((TEXT_VA >> 21) & 511) + i,
			(TEXT_PA + i * 2 * MiB) | block);
	ptb_set(p, root, (LINEAR >> 39) & 511, l1l | 3);
	ptb_set(p, l1l, 0, l2l | 3);
	for (unsigned int i = 0; i < 16; i++)
		ptb_set(p, l2l, i, (i * 2 * MiB) | block | 1ull << 53);
	return p;
}

static struct kdx_dump *open_elf(struct ptb *p, uint16_t machine,
				 const char *vmci, uint8_t **elf)
{
	struct kdx_dump *d;
	size_t size;
	struct kdx_error *err;

	*elf = linuxdump_elf(p, machine, 64, vmci, NULL, &size);
	err = kdx_dump_open_memory(*elf, size, NULL, &d);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

static void check_arm64(struct kdx_dump *d)
{
	struct kdx_kernel_layout l;
	struct kdx_xlat *x;

	assert_null(kdx_kernel_probe(d, NULL, &l));
	assert_int_equal(l.mode, KDX_PAGING_AARCH64);
	assert_true(l.has_root);
	assert_int_equal(l.root, ROOT_PA);
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(swapper_pg_dir) - kimage_voffset");
	assert_int_equal(l.va_bits, 48);
	assert_int_equal(l.direct_map, LINEAR);
	assert_string_equal(l.note, "");
	assert_null(kdx_kernel_xlat_create(d, &l, &x));
	assert_xlat(x, TEXT_VA + 0x1234, TEXT_PA + 0x1234, 2 * MiB,
		    RW | GL | KDX_PAGE_ACCESSED);
	assert_xlat(x, LINEAR + 0x345678, 0x345678, 2 * MiB,
		    RW | GL | NX | KDX_PAGE_ACCESSED);
	kdx_xlat_destroy(x);
}

static void arm64_from_vmcoreinfo(void **state)
{
	struct ptb *p = arm64_tables();
	uint8_t *elf;
	struct kdx_dump *d = open_elf(p, 183, vmci_arm64, &elf);

	(void)state;
	check_arm64(d);
	kdx_dump_destroy(d);
	free(elf);
	ptb_free(p);
}

/* QEMU's kdump-zlib of Arm guests leaves utsname.machine empty: the
 * 392-byte NT_PRSTATUS says aarch64 (148 bytes: 32-bit arm), and the dump
 * sets up as the same guest's ELF does. */
static struct kdx_dump *open_qemu_arm_kdump(const char *machine,
					    struct ptb *p, uint8_t **file)
{
	struct mkkdump_options o = { .machine = machine, .uts_machine = "",
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);
	uint64_t regs[34] = { 0 };
	size_t mem_size, size;
	uint8_t *mem = ptb_memory(p, &mem_size);
	struct kdx_dump *d;
	struct kdx_error *err;

	for (uint64_t pfn = 0; pfn < mem_size / 4096; pfn++)
		mkkdump_set_page_data(m, pfn, mem + pfn * 4096,
				      MKKDUMP_CODEC_DEFAULT);
	mkkdump_add_vmcoreinfo(m, vmci_arm64);
	mkkdump_add_prstatus(m, 1, regs, 34);
	*file = mkkdump_build(m, &size);
	mkkdump_free(m);
	err = kdx_dump_open_memory(*file, size, NULL, &d);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	return d;
}

static void qemu_arm_kdump_without_machine(void **state)
{
	struct ptb *p = arm64_tables();
	uint8_t *file, a[64], b[64];
	struct kdx_dump *d = open_qemu_arm_kdump("aarch64", p, &file);
	size_t n, mem_size;
	const struct kdx_detail *det;
	bool said = false;

	(void)state;
	assert_string_equal(kdx_dump_format_name(d), "kdump");
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_AARCH64);
	assert_int_equal(kdx_dump_word_size(d), 8);
	det = kdx_dump_details(d, &n);
	for (size_t i = 0; i < n; i++)
		said |= !strcmp(det[i].key, "arch_from") &&
			strstr(det[i].value, "aarch64") &&
			strstr(det[i].value, "utsname.machine is empty");
	assert_true(said);
	kdx_dump_cpus(d, &n);
	assert_int_equal(n, 1);
	check_arm64(d);
	kdx_dump_destroy(d);
	free(file);

	/* 32-bit arm: the ILP32 header, a 148-byte NT_PRSTATUS. */
	d = open_qemu_arm_kdump("armv7l", p, &file);
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_ARM);
	assert_int_equal(kdx_dump_word_size(d), 4);
	assert_null(kdx_read_phys(d, TEXT_PA + 0x10, a, sizeof(a), 0, NULL));
	memcpy(b, ptb_memory(p, &mem_size) + TEXT_PA + 0x10, sizeof(b));
	assert_memory_equal(a, b, sizeof(a));
	kdx_dump_destroy(d);
	free(file);
	ptb_free(p);
}

/* riscv64 (Sv39): root from SYMBOL(swapper_pg_dir) - va_kernel_pa_offset,
 * the linear map at NUMBER(PAGE_OFFSET), memory from phys_ram_base. */
#define RV_TEXT_VA 0xffffffff80000000ull
#define RV_LINEAR 0xffffffd800000000ull

static const char vmci_riscv64[] =
	"OSRELEASE=6.1.0-riscv64\n"
	"PAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffffffff80100000\n"
	"NUMBER(VA_BITS)=39\n"
	"NUMBER(PAGE_OFFSET)=0xffffffd800000000\n"
	"NUMBER(phys_ram_base)=0x0\n"
	"NUMBER(KERNEL_LINK_ADDR)=0xffffffff80000000\n"
	"NUMBER(va_kernel_pa_offset)=0xffffffff7f000000\n";

/* Sv39 entries: PPN at bit 10; V R W X G A D flags. */
static uint64_t rv_pte(uint64_t pa, uint64_t flags)
{
	return (pa >> 12) << 10 | flags;
}

static struct ptb *riscv64_tables(void)
{
	struct ptb *p = ptb_new(KDX_PAGING_X86_64, 32 * MiB, ROOT_PA);
	uint64_t root = ptb_root(p);
	uint64_t l1t = ptb_alloc_table(p, false), l1l = ptb_alloc_table(p, false);
	const uint64_t leaf = 0x1 | 0x2 | 0x4 | 0x20 | 0x40 | 0x80; /* VRW GAD */

	ptb_set(p, root, (RV_TEXT_VA >> 30) & 511, rv_pte(l1t, 0x1));
	for (unsigned int i = 0; i < 2; i++)
		ptb_set(p, l1t, ((RV_TEXT_VA >> 21) & 511) + i,
			rv_pte(TEXT_PA + i * 2 * MiB, leaf | 0x8));
	ptb_set(p, root, (RV_LINEAR >> 30) & 511, rv_pte(l1l, 0x1));
	for (unsigned int i = 0; i < 16; i++)
		ptb_set(p, l1l, i, rv_pte(i * 2 * MiB, leaf));
	return p;
}

static void riscv64_from_vmcoreinfo(void **state)
{
	struct ptb *p = riscv64_tables();
	uint8_t *elf;
	struct kdx_dump *d = open_elf(p, 243, vmci_riscv64, &elf);
	struct kdx_kernel_layout l;
	struct kdx_xlat_result r;
	struct kdx_xlat *x;

	(void)state;
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_RISCV64);
	assert_null(kdx_kernel_probe(d, NULL, &l));
	assert_int_equal(l.mode, KDX_PAGING_RISCV_SV39);
	assert_true(l.has_root);
	assert_int_equal(l.root, ROOT_PA);
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(swapper_pg_dir) - va_kernel_pa_offset");
	assert_true(l.has_direct_map);
	assert_int_equal(l.direct_map, RV_LINEAR);
	assert_string_equal(l.note, "");
	assert_null(kdx_kernel_xlat_create(d, &l, &x));
	assert_null(kdx_xlat_translate(x, RV_TEXT_VA + 0x201234, &r));
	assert_int_equal(r.paddr, TEXT_PA + 0x201234);
	assert_int_equal(r.page_size, 2 * MiB);
	assert_null(kdx_xlat_translate(x, RV_LINEAR + 0x1345678, &r));
	assert_int_equal(r.paddr, 0x1345678);
	assert_true(r.flags & KDX_PAGE_NX);
	kdx_xlat_destroy(x);
	kdx_dump_destroy(d);
	free(elf);
	ptb_free(p);
}

/* No note: the kernel's own ELF note (page aligned) in memory. */
static void arm64_vmcoreinfo_in_memory(void **state)
{
	struct ptb *p = arm64_tables();
	size_t size, n = sizeof(vmci_arm64) - 1;
	uint8_t *mem = ptb_memory(p, &size), *elf;
	uint8_t *note = mem + 0x1800000;
	struct kdx_dump *d;

	(void)state;
	note[0] = 11;             /* n_namesz */
	note[4] = (uint8_t)n;     /* n_descsz (< 256 here) */
	memcpy(note + 12, "VMCOREINFO", 11);
	memcpy(note + 24, vmci_arm64, n);
	d = open_elf(p, 183, NULL, &elf);
	assert_string_equal(kdx_dump_vmcoreinfo_source(d),
			    "found in physical memory at 0x1800018 (ELF note; the dump has no VMCOREINFO note)");
	check_arm64(d);
	kdx_dump_destroy(d);
	free(elf);
	ptb_free(p);
}

/* x86_64 too: the bare text page (vmcoreinfo_data); a lookalike that is
 * not text is skipped. */
static void x86_vmcoreinfo_in_memory(void **state)
{
	struct ptb *p = linuxdump_tables(KDX_PAGING_X86_64, LD_DIRECT);
	size_t size, n = strlen(linuxdump_vmcoreinfo_64);
	uint8_t *mem = ptb_memory(p, &size), *elf;
	struct kdx_dump *d;
	struct kdx_kernel_layout l;

	(void)state;
	memcpy(mem + 0x300000, "OSRELEASE=\x01\x02", 12);
	memcpy(mem + 0x302000, linuxdump_vmcoreinfo_64, n);
	d = open_elf(p, 62, NULL, &elf);
	assert_string_equal(kdx_dump_vmcoreinfo_source(d),
			    "found in physical memory at 0x302000 (text; the dump has no VMCOREINFO note)");
	assert_null(kdx_kernel_probe(d, NULL, &l));
	assert_true(l.has_root);
	assert_int_equal(l.root, LD_ROOT_PA);
	assert_string_equal(l.note, "");
	kdx_dump_destroy(d);
	free(elf);
	ptb_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arm64_from_vmcoreinfo),
		cmocka_unit_test(qemu_arm_kdump_without_machine),
		cmocka_unit_test(riscv64_from_vmcoreinfo),
		cmocka_unit_test(arm64_vmcoreinfo_in_memory),
		cmocka_unit_test(x86_vmcoreinfo_in_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
