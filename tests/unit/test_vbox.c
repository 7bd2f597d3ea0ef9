/* SPDX-License-Identifier: MIT */
/* VirtualBox `VBoxManage debugvm NAME dumpvmcore` cores: an ELF64 core
 * whose notes are a "VBCORE" descriptor (DBGFCOREDESCRIPTOR) and one
 * "VBCPU" per CPU (DBGFCORECPU, include/VBox/vmm/dbgfcorefmt.h); the
 * CPUs' control registers (CR3: the page-table root) come from them.
 * The payloads are laid out here from that header, field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "mkelf.h"

#include <stdlib.h>
#include <string.h>

#define NT_VBOXCORE 0xb00
#define NT_VBOXCPU 0xb01
/* rax..rflags (18 u64), cs ds es fs gs ss (DBGFCORESEL: u64 base, u32
 * limit, u32 attr, u16 sel, u16, u32: 24 bytes each), then cr0, cr2,
 * cr3, cr4; the rest (debug registers, descriptor tables, MSRs, XSAVE
 * area) follows, here as zeros. */
#define CPU_CR0 (18 * 8 + 6 * 24)
#define CPU_NOTE_SIZE 1024

static uint8_t *build(uint32_t fmt_version, size_t *size)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = 62 };
	struct mkelf_load ram = { .paddr = 0, .filesz = 0x4000,
				  .memsz = 0x4000 };
	struct mkelf *m = mkelf_new(&o);
	uint8_t core[24] = { 0 }, cpu[CPU_NOTE_SIZE];
	uint8_t *out;

	put32(core, 0xc01ac0de, KDX_LITTLE_ENDIAN);
	put32(core + 4, fmt_version, KDX_LITTLE_ENDIAN);
	put32(core + 8, sizeof(core), KDX_LITTLE_ENDIAN);
	put32(core + 12, 0x07000014, KDX_LITTLE_ENDIAN); /* 7.0.20 */
	put32(core + 20, 2, KDX_LITTLE_ENDIAN);
	mkelf_add_note(m, "VBCORE", NT_VBOXCORE, core, sizeof(core));
	for (uint64_t c = 0; c < 2; c++) {
		memset(cpu, 0, sizeof(cpu));
		put64(cpu + 14 * 8, 0xffffffff81000000ull + c, KDX_LITTLE_ENDIAN); /* rip */
		put64(cpu + CPU_CR0, 0x80050033, KDX_LITTLE_ENDIAN);
		put64(cpu + CPU_CR0 + 8, 0x7f0000 + c, KDX_LITTLE_ENDIAN);
		put64(cpu + CPU_CR0 + 16, 0x1a0a000 + c * 0x1000,
		      KDX_LITTLE_ENDIAN);
		put64(cpu + CPU_CR0 + 24, 0x3606f0, KDX_LITTLE_ENDIAN);
		mkelf_add_note(m, "VBCPU", NT_VBOXCPU, cpu, sizeof(cpu));
	}
	mkelf_add_load(m, &ram);
	out = mkelf_build(m, size);
	mkelf_free(m);
	return out;
}

static void vbcpu_notes_give_control_registers(void **state)
{
	size_t size, n, nn;
	uint8_t *bytes = build(0x00010006, &size);
	struct kdx_dump *d = NULL;
	const struct kdx_cpu *cpus;
	const struct kdx_note *notes;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &d));
	assert_string_equal(kdx_dump_format_name(d), "elf");
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
	notes = kdx_dump_notes(d, &nn);
	assert_int_equal(nn, 3);
	assert_string_equal(notes[0].kind, "vbox-core");
	assert_string_equal(notes[2].kind, "vbox-cpu");
	cpus = kdx_dump_cpus(d, &n);
	assert_int_equal(n, 2);
	for (size_t c = 0; c < 2; c++) {
		assert_true(cpus[c].has_control_regs);
		assert_int_equal(cpus[c].cr[0], 0x80050033);
		assert_int_equal(cpus[c].cr[2], 0x7f0000 + c);
		assert_int_equal(cpus[c].cr[3], 0x1a0a000 + c * 0x1000);
		assert_int_equal(cpus[c].cr[4], 0x3606f0);
	}
	kdx_dump_destroy(d);
	free(bytes);
}

/* Format 0x00010000 wrote the VMM's CPUMCTX, whose layout changed
 * between releases: listed, no registers read. */
static void old_vbcpu_notes_give_none(void **state)
{
	size_t size, n;
	uint8_t *bytes = build(0x00010000, &size);
	struct kdx_dump *d = NULL;
	const struct kdx_cpu *cpus;

	(void)state;
	assert_null(kdx_dump_open_memory(bytes, size, NULL, &d));
	cpus = kdx_dump_cpus(d, &n);
	assert_int_equal(n, 2);
	assert_false(cpus[0].has_control_regs);
	assert_false(cpus[1].has_control_regs);
	kdx_dump_destroy(d);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vbcpu_notes_give_control_registers),
		cmocka_unit_test(old_vbcpu_notes_give_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
