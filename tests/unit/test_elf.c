/* SPDX-License-Identifier: MIT */
/* The ELF vmcore reader on synthetic dumps: both classes and byte orders,
 * the layouts real writers produce, notes, and every error path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkelf.h"
#include "mkkdump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EM_386 3
#define EM_PPC 20
#define EM_S390 22
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243

struct built {
	uint8_t *bytes;
	size_t size;
	struct kdx_dump *dump;
};

static struct mkelf *new_elf(unsigned int bits, enum kdx_byte_order bo,
			     uint16_t machine)
{
	struct mkelf_options o = {
		.class_bits = bits, .byte_order = bo, .machine = machine,
	};

	return mkelf_new(&o);
}

static void add_load(struct mkelf *m, uint64_t paddr, uint64_t vaddr,
		     uint64_t filesz, uint64_t memsz)
{
	struct mkelf_load l = { .paddr = paddr, .vaddr = vaddr,
				.filesz = filesz, .memsz = memsz };

	mkelf_add_load(m, &l);
}

static void serialise(struct mkelf *m, struct built *b)
{
	b->bytes = mkelf_build(m, &b->size);
	b->dump = NULL;
}

static struct kdx_error *open_built(struct built *b)
{
	return kdx_dump_open_memory(b->bytes, b->size, NULL, &b->dump);
}

static void open_ok(struct mkelf *m, struct built *b)
{
	struct kdx_error *err;

	serialise(m, b);
	err = open_built(b);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
}

static void done(struct built *b)
{
	kdx_dump_destroy(b->dump);
	free(b->bytes);
}

/* Expect @err with @code whose message contains @needle; consume it. */
static void check_pattern(const struct kdx_dump *d, uint64_t addr,
			  size_t len)
{
	uint8_t *buf = malloc(len);
	struct kdx_error *err = kdx_read_phys(d, addr, buf, len, 0, NULL);

	if (err)
		fail_msg("read 0x%llx+0x%zx: %s", (unsigned long long)addr,
			 len, kdx_error_message(err));
	for (size_t i = 0; i < len; i++)
		if (buf[i] != mkelf_pattern(addr + i))
			fail_msg("byte at 0x%llx is 0x%02x, expected 0x%02x",
				 (unsigned long long)(addr + i), buf[i],
				 mkelf_pattern(addr + i));
	free(buf);
}

/* ELF headers give only what their segments' virtual addresses are, and
 * whether the file was cut short or marked incomplete. */
static void check_vaddr_facts(const struct kdx_dump *d,
			      enum kdx_segment_vaddrs want, uint32_t flags)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(d);

	assert_int_equal(f->version, KDX_DUMP_FACTS_VERSION);
	assert_int_equal(f->set, KDX_FACT_SEGMENT_VADDRS);
	assert_int_equal(f->segment_vaddrs, want);
	assert_int_equal(f->flags, flags);
}

/* ---- classes, byte orders, architectures ---- */

static void reads_across_segments(unsigned int bits, enum kdx_byte_order bo,
				  uint16_t machine, enum kdx_arch arch,
				  unsigned int word)
{
	struct mkelf *m = new_elf(bits, bo, machine);
	struct built b;
	const struct kdx_phys_range *r;
	size_t n;

	add_load(m, 0x0, 0x0, 0x9f000, 0x9f000);
	add_load(m, 0x100000, 0x100000, 0x200000, 0x200000);
	add_load(m, 0x300000, 0x300000, 0x1000, 0x1000); /* adjacent */
	open_ok(m, &b);
	assert_string_equal(kdx_dump_format_name(b.dump), "elf");
	assert_int_equal(kdx_dump_arch(b.dump), arch);
	assert_int_equal(kdx_dump_byte_order(b.dump), bo);
	assert_int_equal(kdx_dump_word_size(b.dump), word);
	r = kdx_dump_phys_ranges(b.dump, &n);
	assert_int_equal(n, 2); /* the adjacent pair merges */
	assert_int_equal(r[1].start, 0x100000);
	assert_int_equal(r[1].size, 0x201000);
	check_pattern(b.dump, 0x9e000, 0x1000);
	check_pattern(b.dump, 0x2ff800, 0x1000); /* crosses two segments */
	expect_error_text(kdx_read_phys(b.dump, 0x9e000, (uint8_t[0x2000]){ 0 },
					0x2000, 0, NULL),
			  KDX_ERR_NODATA, "0x9f000");
	assert_false(kdx_dump_segments_have_virtual(b.dump));
	check_vaddr_facts(b.dump, KDX_SEGMENT_VADDRS_NONE, 0);
	done(&b);
	mkelf_free(m);
}

static void elf64_little_x86_64(void **state)
{
	(void)state;
	reads_across_segments(64, KDX_LITTLE_ENDIAN, EM_X86_64,
			      KDX_ARCH_X86_64, 8);
}

static void elf32_little_i386(void **state)
{
	(void)state;
	reads_across_segments(32, KDX_LITTLE_ENDIAN, EM_386, KDX_ARCH_I386, 4);
}

static void elf32_big_ppc(void **state)
{
	(void)state;
	reads_across_segments(32, KDX_BIG_ENDIAN, EM_PPC, KDX_ARCH_PPC, 4);
}

static void elf64_big_s390x(void **state)
{
	(void)state;
	reads_across_segments(64, KDX_BIG_ENDIAN, EM_S390, KDX_ARCH_S390X, 8);
}

static void elf64_big_aarch64(void **state)
{
	(void)state;
	reads_across_segments(64, KDX_BIG_ENDIAN, EM_AARCH64,
			      KDX_ARCH_AARCH64, 8);
}

static void riscv_class_picks_word_size(void **state)
{
	(void)state;
	reads_across_segments(64, KDX_LITTLE_ENDIAN, EM_RISCV,
			      KDX_ARCH_RISCV64, 8);
	reads_across_segments(32, KDX_LITTLE_ENDIAN, EM_RISCV,
			      KDX_ARCH_RISCV32, 4);
}

static void unknown_machine_is_named_unknown(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, 0x1234);
	struct built b;

	(void)state;
	add_load(m, 0, 0, 0x100, 0x100);
	open_ok(m, &b);
	assert_int_equal(kdx_dump_arch(b.dump), KDX_ARCH_UNKNOWN);
	assert_string_equal(kdx_arch_name(kdx_dump_arch(b.dump)), "unknown");
	assert_int_equal(kdx_dump_page_size(b.dump), 4096);
	done(&b);
	mkelf_free(m);
}

/* ---- segment shapes ---- */

static void memsz_tail_reads_as_reported_zeros(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	struct kdx_read_stats st;
	uint8_t buf[0x2000];
	const struct kdx_phys_range *r;
	size_t n;

	(void)state;
	add_load(m, 0x10000, 0x10000, 0x1000, 0x3000);
	open_ok(m, &b);
	r = kdx_dump_phys_ranges(b.dump, &n);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, KDX_RANGE_DATA);
	assert_int_equal(r[1].kind, KDX_RANGE_ZERO);
	assert_int_equal(r[1].start, 0x11000);
	assert_int_equal(r[1].size, 0x2000);
	assert_null(kdx_read_phys(b.dump, 0x10800, buf, sizeof(buf), 0, &st));
	for (size_t i = 0; i < 0x800; i++)
		assert_int_equal(buf[i], mkelf_pattern(0x10800 + i));
	for (size_t i = 0x800; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(st.zero_bytes, 0x1800);
	assert_int_equal(st.first_zero, 0x11000);
	assert_int_equal(st.hole_bytes, 0);
	done(&b);
	mkelf_free(m);
}

/* Seed 004: System RAM ranges that are not page aligned, two of them in
 * one page, with the file holding other bytes (poison) around them. */
static void fractional_pages_return_only_dumped_bytes(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct mkelf_load a = { .paddr = 0x1000, .vaddr = 0x1000,
				.filesz = 0x7f0, .memsz = 0x7f0,
				.poison_before = 0, .poison_after = 0x110 };
	struct mkelf_load c = { .paddr = 0x1900, .vaddr = 0x1900,
				.filesz = 0x1700, .memsz = 0x1700,
				.poison_before = 0x900, .poison_after = 0x100 };
	struct built b;
	struct kdx_read_stats st;
	uint8_t buf[0x2000];

	(void)state;
	mkelf_add_load(m, &a);
	mkelf_add_load(m, &c);
	open_ok(m, &b);
	check_pattern(b.dump, 0x1000, 0x7f0);
	check_pattern(b.dump, 0x1900, 0x1700);
	expect_error_text(kdx_read_phys(b.dump, 0x1700, buf, 0x200, 0, NULL),
			  KDX_ERR_NODATA, "0x17f0");
	expect_error_text(kdx_read_phys(b.dump, 0x2ff0, buf, 0x20, 0, NULL),
			  KDX_ERR_NODATA, "0x3000");
	/* Zero-filled, the gap is zeros — never the file's poison bytes. */
	assert_null(kdx_read_phys(b.dump, 0x1000, buf, 0x2000,
				  KDX_READ_ZERO_FILL, &st));
	for (size_t i = 0; i < 0x2000; i++) {
		uint64_t addr = 0x1000 + i;
		bool dumped = addr < 0x17f0 || addr >= 0x1900;

		assert_int_equal(buf[i], dumped ? mkelf_pattern(addr) : 0);
	}
	assert_int_equal(st.hole_bytes, 0x110);
	assert_int_equal(st.first_hole, 0x17f0);
	done(&b);
	mkelf_free(m);
}

static void overlapping_segments_prefer_file_bytes(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	uint8_t other[0x1000];
	struct mkelf_load text = { .paddr = 0x1000000, .vaddr = 0xffffffff81000000ull,
				   .filesz = 0x1000, .memsz = 0x1000, .data = other };
	struct built b;
	uint8_t buf[0x1000];

	(void)state;
	memset(other, 0x5a, sizeof(other));
	/* A zero-only segment over data, then kdump's kernel-text segment
	 * overlapping the RAM segment it lies in. */
	add_load(m, 0x0, 0xffff888000000000ull, 0x0, 0x2000000);
	add_load(m, 0x800000, 0xffff888000800000ull, 0x1000000, 0x1000000);
	mkelf_add_load(m, &text);
	open_ok(m, &b);
	/* The RAM segment starts lower, so it wins over the text segment,
	 * which holds other bytes: not silently.  (Index 0 is the PT_NOTE.) */
	check_pattern(b.dump, 0x1000000, 0x1000);
	assert_true(dump_has_warning(b.dump,
				     "PT_LOAD 2 and PT_LOAD 3 both hold physical 0x1000000-0x1000fff with different bytes (first at 0x1000000); reads return PT_LOAD 2's"));
	assert_null(kdx_read_phys(b.dump, 0x0, buf, sizeof(buf), 0, NULL));
	assert_int_equal(buf[0], 0);
	assert_true(kdx_dump_segments_have_virtual(b.dump));
	done(&b);
	mkelf_free(m);
}

static void qemu_paging_aliases_and_vaddrs(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	const struct kdx_segment *s;
	size_t n;

	(void)state;
	/* QEMU's paging dump: one physical page under many virtual ones. */
	for (uint64_t i = 0; i < 100; i++)
		add_load(m, 0x5000, 0xfffffe0000000000ull + i * 0x1000, 0x1000,
			 0x1000);
	add_load(m, 0x100000, 0xffffffff81000000ull, 0x2000, 0x2000);
	open_ok(m, &b);
	s = kdx_dump_segments(b.dump, &n);
	assert_int_equal(n, 101);
	assert_int_equal(s[100].vaddr, 0xffffffff81000000ull);
	assert_int_equal(s[100].paddr, 0x100000);
	assert_true(kdx_dump_segments_have_virtual(b.dump));
	check_pattern(b.dump, 0x5000, 0x1000);
	check_pattern(b.dump, 0x100000, 0x2000);
	kdx_dump_phys_ranges(b.dump, &n);
	assert_int_equal(n, 2);
	check_vaddr_facts(b.dump, KDX_SEGMENT_VADDRS_MAPPED, 0);
	/* Aliases of the same bytes are no conflict. */
	kdx_dump_warnings(b.dump, &n);
	assert_int_equal(n, 0);
	done(&b);
	mkelf_free(m);
}

/* One offset from physical to virtual (kdump's direct map) is linear;
 * a second offset makes it mapped; 0, all-ones and copies of the
 * physical address say nothing. */
static void segment_vaddrs_are_classified(void **state)
{
	static const struct {
		uint64_t vaddr[3];
		enum kdx_segment_vaddrs want;
	} cases[] = {
		{ { 0, 0x100000, UINT64_MAX }, KDX_SEGMENT_VADDRS_NONE },
		{ { 0xffff888000000000ull, 0xffff888000100000ull, 0 },
		  KDX_SEGMENT_VADDRS_LINEAR },
		{ { 0xffff888000000000ull, 0x100000, 0xffff888000200000ull },
		  KDX_SEGMENT_VADDRS_LINEAR },
		{ { 0xffff888000000000ull, 0xffffffff81100000ull, 0 },
		  KDX_SEGMENT_VADDRS_MAPPED },
	};
	static const char *const names[] = { "none", "linear", "mapped" };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
		struct built b;
		size_t n;
		const struct kdx_detail *d;

		for (uint64_t s = 0; s < 3; s++)
			add_load(m, s << 20, cases[i].vaddr[s], 0x1000, 0x1000);
		open_ok(m, &b);
		check_vaddr_facts(b.dump, cases[i].want, 0);
		assert_int_equal(kdx_dump_segments_have_virtual(b.dump),
				 cases[i].want != KDX_SEGMENT_VADDRS_NONE);
		/* The display detail says the same in words. */
		d = kdx_dump_details(b.dump, &n);
		assert_string_equal(d[n - 1].key, "virtual_addresses");
		assert_string_equal(d[n - 1].value, names[cases[i].want]);
		assert_string_equal(kdx_segment_vaddrs_name(cases[i].want),
				    names[cases[i].want]);
		done(&b);
		mkelf_free(m);
	}
	assert_string_equal(kdx_segment_vaddrs_name((enum kdx_segment_vaddrs)7),
			    "unknown");
}

/* ---- header layouts ---- */

static void extended_numbering_over_65535(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	size_t n;

	(void)state;
	for (uint64_t i = 0; i < 70000; i++)
		add_load(m, i * 0x20, 0xffff800000000000ull + i * 0x1000, 0x10,
			 0x10);
	open_ok(m, &b);
	kdx_dump_segments(b.dump, &n);
	assert_int_equal(n, 70000);
	check_pattern(b.dump, 69999 * 0x20, 0x10);
	expect_error_text(kdx_read_phys(b.dump, 0x10, (uint8_t[4]){ 0 }, 4, 0, NULL),
			  KDX_ERR_NODATA, "0x10");
	done(&b);
	mkelf_free(m);
}

static void extended_numbering_forced_elf32_big(void **state)
{
	struct mkelf_options o = { .class_bits = 32,
				   .byte_order = KDX_BIG_ENDIAN,
				   .machine = EM_ARM,
				   .extended_numbering = true };
	struct mkelf *m = mkelf_new(&o);
	struct built b;
	size_t n;

	(void)state;
	add_load(m, 0x80000000, 0xc0000000, 0x3000, 0x3000);
	open_ok(m, &b);
	kdx_dump_segments(b.dump, &n);
	assert_int_equal(n, 1);
	check_pattern(b.dump, 0x80000000, 0x3000);
	done(&b);
	mkelf_free(m);
}

static void qemu72_layout_follows_e_phoff(void **state)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = EM_X86_64,
				   .qemu72_layout = true };
	struct mkelf *m = mkelf_new(&o);
	struct built b;
	uint64_t cr[5] = { 0x80050033, 0, 0, 0x1234000, 0x3506f0 };

	(void)state;
	mkelf_add_qemu_cpu(m, cr);
	add_load(m, 0, 0, 0x9fc00, 0x9fc00);
	add_load(m, 0x100000, 0x100000, 0x1000, 0x1000);
	open_ok(m, &b);
	check_pattern(b.dump, 0x9f000, 0xc00);
	check_pattern(b.dump, 0x100000, 0x1000);
	done(&b);
	mkelf_free(m);
}

/* ---- notes ---- */

static const char vmcoreinfo[] =
	"OSRELEASE=6.1.0-test-amd64\n"
	"BUILD-ID=abcdef\n"
	"PAGESIZE=4096\n"
	"SYMBOL(init_top_pgt)=ffffffff82a0a000\n"
	"NUMBER(pgtable_l5_enabled)=0\n"
	"CRASHTIME=1700000000\n"
	"KERNELOFFSET=1e000000\n";

static void x86_64_notes_decoded(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	const struct kdx_cpu *cpu;
	const struct kdx_note *notes;
	uint64_t regs[27] = { 0 }, cr[5] = { 0x80050033, 0, 0x7f00, 0x2a0a000,
					     0x3506f0 };
	size_t n;

	(void)state;
	for (int c = 0; c < 3; c++) {
		for (int r = 0; r < 27; r++)
			regs[r] = 0x1000 * (uint64_t)c + (uint64_t)r;
		regs[16] = 0xffffffff81000000ull + (uint64_t)c; /* rip */
		mkelf_add_prstatus(m, c + 1, regs, 27);
	}
	for (int c = 0; c < 3; c++) {
		cr[3] = 0x2a0a000 + 0x1000 * (uint64_t)c;
		mkelf_add_qemu_cpu(m, cr);
	}
	mkelf_add_note(m, "CORE", 3, "psinfo", 6);   /* NT_PRPSINFO */
	mkelf_add_note(m, "CORE", 4, "task", 4);     /* NT_TASKSTRUCT */
	mkelf_add_note(m, "WEIRD", 77, "x", 1);
	mkelf_add_vmcoreinfo(m, vmcoreinfo);
	add_load(m, 0, 0, 0x1000, 0x1000);
	open_ok(m, &b);

	cpu = kdx_dump_cpus(b.dump, &n);
	assert_int_equal(n, 3);
	assert_int_equal(cpu[2].pid, 3);
	assert_int_equal(cpu[2].reg_count, 27);
	assert_string_equal(cpu[2].reg_names[16], "rip");
	assert_int_equal(cpu[2].regs[16], 0xffffffff81000002ull);
	assert_int_equal(cpu[1].regs[0], 0x1000);
	assert_true(cpu[1].has_control_regs);
	assert_int_equal(cpu[1].cr[3], 0x2a0b000);
	assert_int_equal(cpu[0].cr[4], 0x3506f0);

	notes = kdx_dump_notes(b.dump, &n);
	assert_int_equal(n, 10);
	assert_string_equal(notes[0].kind, "prstatus");
	assert_string_equal(notes[3].kind, "qemu-cpu-state");
	assert_string_equal(notes[6].kind, "prpsinfo");
	assert_string_equal(notes[7].kind, "taskstruct");
	assert_string_equal(notes[8].kind, "unknown");
	assert_string_equal(notes[8].name, "WEIRD");
	assert_int_equal(notes[8].type, 77);
	assert_string_equal(notes[9].kind, "vmcoreinfo");
	assert_int_equal(notes[0].file_offset, mkelf_notes_offset(m));

	assert_string_equal(kdx_dump_vmcoreinfo_get(b.dump, "OSRELEASE"),
			    "6.1.0-test-amd64");
	assert_string_equal(kdx_dump_vmcoreinfo_get(b.dump,
						    "SYMBOL(init_top_pgt)"),
			    "ffffffff82a0a000");
	assert_null(kdx_dump_vmcoreinfo_get(b.dump, "NOPE"));
	kdx_dump_vmcoreinfo(b.dump, &n);
	assert_int_equal(n, 7);
	assert_int_equal(kdx_dump_page_size(b.dump), 4096);
	assert_string_equal(kdx_dump_page_size_source(b.dump), "VMCOREINFO");
	assert_non_null(strstr(kdx_dump_vmcoreinfo_source(b.dump), "ELF note"));
	done(&b);
	mkelf_free(m);
}

static void prstatus_of(uint16_t machine, unsigned int bits,
			enum kdx_byte_order bo, unsigned int nregs,
			unsigned int pc_index, const char *pc_name)
{
	struct mkelf *m = new_elf(bits, bo, machine);
	struct built b;
	uint64_t regs[40];
	const struct kdx_cpu *cpu;
	size_t n;

	for (unsigned int r = 0; r < nregs; r++)
		regs[r] = 0x10000000u + r;
	mkelf_add_prstatus(m, 4242, regs, nregs);
	mkelf_add_vmcoreinfo(m, "PAGESIZE=65536\n");
	add_load(m, 0, 0, 0x100, 0x100);
	open_ok(m, &b);
	cpu = kdx_dump_cpus(b.dump, &n);
	assert_int_equal(n, 1);
	assert_int_equal(cpu[0].pid, 4242);
	assert_int_equal(cpu[0].reg_count, nregs);
	assert_string_equal(cpu[0].reg_names[pc_index], pc_name);
	assert_int_equal(cpu[0].regs[pc_index], 0x10000000u + pc_index);
	assert_false(cpu[0].has_control_regs);
	assert_int_equal(kdx_dump_page_size(b.dump), 65536);
	done(&b);
	mkelf_free(m);
}

static void prstatus_other_arches(void **state)
{
	(void)state;
	prstatus_of(EM_386, 32, KDX_LITTLE_ENDIAN, 17, 12, "eip");
	prstatus_of(EM_386, 64, KDX_LITTLE_ENDIAN, 17, 12, "eip");
	prstatus_of(EM_AARCH64, 64, KDX_LITTLE_ENDIAN, 34, 32, "pc");
	prstatus_of(EM_AARCH64, 64, KDX_BIG_ENDIAN, 34, 32, "pc");
	prstatus_of(EM_ARM, 32, KDX_LITTLE_ENDIAN, 18, 15, "pc");
	prstatus_of(EM_ARM, 32, KDX_BIG_ENDIAN, 18, 15, "pc");
	prstatus_of(EM_RISCV, 64, KDX_LITTLE_ENDIAN, 32, 0, "pc");
}

static void malformed_note_keeps_earlier_ones(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	uint8_t bad[12];
	struct built b;
	size_t n;

	(void)state;
	mkelf_add_vmcoreinfo(m, vmcoreinfo);
	put32(bad, 5, KDX_LITTLE_ENDIAN);
	put32(bad + 4, 0xffffffff, KDX_LITTLE_ENDIAN); /* n_descsz overflows */
	put32(bad + 8, 1, KDX_LITTLE_ENDIAN);
	mkelf_add_note_bytes(m, bad, sizeof(bad));
	add_load(m, 0, 0, 0x100, 0x100);
	open_ok(m, &b);
	kdx_dump_notes(b.dump, &n);
	assert_int_equal(n, 1);
	assert_non_null(kdx_dump_vmcoreinfo_get(b.dump, "OSRELEASE"));
	assert_true(dump_has_warning(b.dump, "payload size 0xffffffff"));
	done(&b);
	mkelf_free(m);
}

static void note_segment_past_eof_is_truncated(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	size_t n;

	(void)state;
	mkelf_add_vmcoreinfo(m, vmcoreinfo);
	serialise(m, &b);
	/* Cut the file inside the VMCOREINFO payload. */
	b.size = mkelf_notes_offset(m) + 40;
	assert_null(open_built(&b));
	assert_true(dump_has_warning(b.dump, "run past the end of the file"));
	kdx_dump_notes(b.dump, &n);
	assert_int_equal(n, 0);
	check_vaddr_facts(b.dump, KDX_SEGMENT_VADDRS_NONE, KDX_DUMP_TRUNCATED);
	done(&b);
	mkelf_free(m);
}

/* ---- damaged and hostile files ---- */

static void truncated_headers_fail_clearly(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	size_t full;

	(void)state;
	for (int i = 0; i < 4; i++)
		add_load(m, (uint64_t)i << 20, 0, 0x1000, 0x1000);
	serialise(m, &b);
	full = b.size;
	b.size = 40; /* inside the ELF header */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT, "ELF header");
	b.size = (size_t)mkelf_phdr_offset(m, 3) + 10; /* inside phdr 3 */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT,
			  "program header table at offset 0x40");
	b.size = full;
	done(&b);
	mkelf_free(m);
}

static void segment_past_eof_keeps_what_is_there(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	uint8_t buf[0x100];

	(void)state;
	add_load(m, 0x0, 0, 0x1000, 0x1000);
	add_load(m, 0x100000, 0, 0x4000, 0x4000);
	serialise(m, &b);
	b.size -= 0x2000; /* a dump cut short: half of the last segment */
	assert_null(open_built(&b));
	assert_true(dump_has_warning(b.dump, "physical 0x102000-0x103fff is missing"));
	check_vaddr_facts(b.dump, KDX_SEGMENT_VADDRS_NONE, KDX_DUMP_TRUNCATED);
	check_pattern(b.dump, 0x100000, 0x2000);
	expect_error_text(kdx_read_phys(b.dump, 0x101f80, buf, sizeof(buf), 0, NULL),
			  KDX_ERR_NODATA, "0x102000");
	done(&b);
	mkelf_free(m);
}

static void offset_overrides_past_eof(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct mkelf_load wild = { .paddr = 0x200000, .filesz = 0x1000,
				   .memsz = 0x1000, .offset_override = true,
				   .offset = UINT64_MAX - 0x10 };
	struct built b;

	(void)state;
	add_load(m, 0x0, 0, 0x1000, 0x1000);
	mkelf_add_load(m, &wild);
	open_ok(m, &b);
	assert_true(dump_has_warning(b.dump, "PT_LOAD 2"));
	expect_error_text(kdx_read_phys(b.dump, 0x200000, (uint8_t[8]){ 0 }, 8, 0,
					NULL),
			  KDX_ERR_NODATA, "0x200000");
	check_pattern(b.dump, 0, 0x1000);
	done(&b);
	mkelf_free(m);
}

static void wrapping_segment_is_ignored(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;

	(void)state;
	add_load(m, UINT64_MAX - 0x800, 0, 0x1000, 0x1000);
	add_load(m, 0x0, 0, 0x1000, 0x1000);
	open_ok(m, &b);
	assert_true(dump_has_warning(b.dump, "wraps past the end"));
	check_pattern(b.dump, 0, 0x1000);
	done(&b);
	mkelf_free(m);
}

static void patch_ehdr_u16(struct built *b, size_t off, uint16_t v)
{
	put16(b->bytes + off, v, KDX_LITTLE_ENDIAN);
}

static void absurd_header_values(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;

	(void)state;
	add_load(m, 0, 0, 0x1000, 0x1000);
	serialise(m, &b);
	patch_ehdr_u16(&b, 56, 0xfffe); /* e_phnum */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT,
			  "65534 entries of 56 bytes) runs past the end");
	patch_ehdr_u16(&b, 56, 2);
	put64(b.bytes + 32, UINT64_MAX - 8, KDX_LITTLE_ENDIAN); /* e_phoff */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT, "program header table");
	put64(b.bytes + 32, 64, KDX_LITTLE_ENDIAN);
	patch_ehdr_u16(&b, 54, 32); /* e_phentsize */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT, "e_phentsize is 32");
	patch_ehdr_u16(&b, 54, 56);
	patch_ehdr_u16(&b, 56, 0xffff); /* PN_XNUM, but e_shoff is 0 */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT, "PN_XNUM");
	patch_ehdr_u16(&b, 56, 2);
	put64(b.bytes + 40, 1u << 30, KDX_LITTLE_ENDIAN);
	patch_ehdr_u16(&b, 56, 0xffff); /* section header 0 past the end */
	expect_error_text(open_built(&b), KDX_ERR_CORRUPT, "section header 0");
	done(&b);
	mkelf_free(m);
}

static void not_a_core_file(void **state)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = EM_X86_64, .type = 2 };
	struct mkelf *m = mkelf_new(&o);
	struct built b;

	(void)state;
	serialise(m, &b);
	expect_error_text(open_built(&b), KDX_ERR_UNSUPPORTED, "not a core dump");
	b.bytes[4] = 7; /* no such class: not even detected as ELF */
	expect_error_text(open_built(&b), KDX_ERR_NOTFOUND, "not a dump format");
	done(&b);
	mkelf_free(m);
}

/* Segments that differ where they overlap, at a byte inside the page;
 * and many pairs: the report is capped. */
static void overlap_differences_named_and_capped(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	static uint8_t copy[0x2000];
	struct mkelf_load second = { .paddr = 0x1000, .filesz = 0x2000,
				     .memsz = 0x2000, .data = copy };
	struct built b;
	size_t n;

	(void)state;
	for (uint64_t a = 0; a < sizeof(copy); a++)
		copy[a] = mkelf_pattern(0x1000 + a);
	copy[0x1234 - 0x1000] ^= 1;
	add_load(m, 0, 0, 0x3000, 0x3000);
	mkelf_add_load(m, &second);
	for (uint64_t i = 0; i < 20; i++) {
		struct mkelf_load z = { .paddr = 0x100000, .filesz = 0x10,
					.memsz = 0x10, .data = copy + i };

		mkelf_add_load(m, &z); /* each differs from the first */
	}
	open_ok(m, &b);
	assert_true(dump_has_warning(b.dump,
				     "PT_LOAD 1 and PT_LOAD 2 both hold physical 0x1000-0x2fff with different bytes (first at 0x1234)"));
	assert_true(dump_has_warning(b.dump, "PT_LOAD 3 and PT_LOAD 4 both hold"));
	assert_true(dump_has_warning(b.dump, "12 more overlapping PT_LOAD pairs"));
	kdx_dump_warnings(b.dump, &n);
	assert_int_equal(n, 8 + 1);
	check_pattern(b.dump, 0x1000, 0x2000); /* the first still wins */
	done(&b);
	mkelf_free(m);
}

/* A VMCOREINFO PAGESIZE that is no page size is not used, and said. */
static void absurd_vmcoreinfo_pagesize_warns(void **state)
{
	static const char *const sizes[] = { "0", "3", "1099511627776", "4096" };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
		char text[128];
		struct built b;
		bool valid = !strcmp(sizes[i], "4096");

		snprintf(text, sizeof(text), "OSRELEASE=6.1.0\nPAGESIZE=%s\n",
			 sizes[i]);
		mkelf_add_vmcoreinfo(m, text);
		add_load(m, 0, 0, 0x1000, 0x1000);
		open_ok(m, &b);
		assert_int_equal(kdx_dump_page_size(b.dump), 4096);
		snprintf(text, sizeof(text),
			 "VMCOREINFO PAGESIZE=%s is not a page size", sizes[i]);
		assert_int_equal(dump_has_warning(b.dump, text), !valid);
		assert_string_equal(kdx_dump_page_size_source(b.dump),
				    valid ? "VMCOREINFO" : "architecture default");
		done(&b);
		mkelf_free(m);
	}
}

/* An ELF64 core without program headers: Xen's xc_core layout (section
 * headers .shstrtab, .note.Xen, .xen_pages) when @xen, else nothing. */
static uint8_t *sections_only_core(bool xen, size_t *size)
{
	static const char names[] = "\0.shstrtab\0.note.Xen\0.xen_pages";
	const enum kdx_byte_order bo = KDX_LITTLE_ENDIAN;
	unsigned int nsec = xen ? 4 : 0;
	size_t strtab = 64 + nsec * 64;
	uint8_t *b = calloc(1, strtab + sizeof(names));
	static const uint32_t name_at[] = { 0, 1, 11, 21 };

	memcpy(b, "\x7f" "ELF", 4);
	b[4] = 2; /* ELFCLASS64 */
	b[5] = 1; /* little-endian */
	b[6] = 1;
	put16(b + 16, 4, bo);  /* ET_CORE */
	put16(b + 18, EM_X86_64, bo);
	put32(b + 20, 1, bo);
	put64(b + 40, xen ? 64 : 0, bo); /* e_shoff */
	put16(b + 52, 64, bo);
	put16(b + 58, 64, bo); /* e_shentsize */
	put16(b + 60, (uint16_t)nsec, bo);
	put16(b + 62, 1, bo); /* e_shstrndx */
	for (unsigned int i = 1; i < nsec; i++) {
		uint8_t *sh = b + 64 + i * 64;

		put32(sh, name_at[i], bo);
		put32(sh + 4, i == 1 ? 3 : 7, bo); /* SHT_STRTAB, SHT_NOTE */
		if (i == 1) {
			put64(sh + 24, strtab, bo);
			put64(sh + 32, sizeof(names), bo);
		}
	}
	memcpy(b + strtab, names, sizeof(names));
	*size = strtab + sizeof(names);
	return b;
}

/* An ELF that holds nothing kdx reads says what it is, not "0 B in 0
 * ranges"; one with notes only opens with a warning. */
static void elf_without_memory_is_named(void **state)
{
	struct kdx_dump *d = NULL;
	struct mkelf *m;
	struct built b;
	size_t size;
	uint8_t *bytes;

	(void)state;
	bytes = sections_only_core(true, &size);
	expect_error_text(kdx_dump_open_memory(bytes, size, NULL, &d),
			  KDX_ERR_UNSUPPORTED, "a Xen xc_core dump");
	assert_null(d);
	free(bytes);
	bytes = sections_only_core(false, &size);
	expect_error_text(kdx_dump_open_memory(bytes, size, NULL, &d),
			  KDX_ERR_UNSUPPORTED, "no PT_LOAD or PT_NOTE");
	free(bytes);

	m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	mkelf_add_vmcoreinfo(m, vmcoreinfo);
	open_ok(m, &b);
	assert_true(dump_has_warning(b.dump, "no PT_LOAD program header"));
	done(&b);
	mkelf_free(m);
}

static void incomplete_flag_warns(void **state)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = EM_X86_64, .flags = 1 };
	struct mkelf *m = mkelf_new(&o);
	struct built b;

	(void)state;
	add_load(m, 0, 0, 0x10, 0x10);
	open_ok(m, &b);
	assert_true(dump_has_warning(b.dump, "DUMP_ELF_INCOMPLETE"));
	check_vaddr_facts(b.dump, KDX_SEGMENT_VADDRS_NONE, KDX_DUMP_INCOMPLETE);
	done(&b);
	mkelf_free(m);
}

static void detection_names_known_formats(void **state)
{
	/* `xl save`'s magic with a zero byte order mark: the xl_save
	 * reader claims it and names what it cannot read */
	static const uint8_t kdump[4096] = "Xen saved domain, xl format\n \0 \r";
	/* A FreeBSD minidump of an architecture kdx does not read. */
	static const uint8_t flat[4096] = "minidump FreeBSD/mips";
	struct kdx_dump *d = NULL;
	struct kdx_open_options opts;

	(void)state;
	expect_error_text(kdx_dump_open_memory(kdump, sizeof(kdump), NULL, &d),
			  KDX_ERR_UNSUPPORTED, "byte order mark 0x00000000");
	expect_error_text(kdx_dump_open_memory(flat, sizeof(flat), NULL, &d),
			  KDX_ERR_UNSUPPORTED, "FreeBSD/mips");
	expect_error_text(kdx_dump_open_memory(kdump, 0, NULL, &d),
			  KDX_ERR_NOTFOUND, "empty");
	kdx_open_options_init(&opts);
	opts.format = "nosuch";
	expect_error_text(kdx_dump_open_memory(kdump, sizeof(kdump), &opts, &d),
			  KDX_ERR_NOTFOUND, "unknown format name 'nosuch'");
	opts.format = "elf"; /* forcing ELF on non-ELF bytes */
	expect_error_text(kdx_dump_open_memory(kdump, sizeof(kdump), &opts, &d),
			  KDX_ERR_CORRUPT, "bad class");
	assert_null(d);
}

static void read_wrapping_address_space_is_invalid(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct built b;
	uint8_t buf[16];

	(void)state;
	add_load(m, 0, 0, 0x10, 0x10);
	open_ok(m, &b);
	expect_error_text(kdx_read_phys(b.dump, UINT64_MAX - 4, buf, 16, 0, NULL),
			  KDX_ERR_INVALID, "wraps");
	assert_null(kdx_read_phys(b.dump, 0, buf, 0, 0, NULL));
	done(&b);
	mkelf_free(m);
}

/* A flattened stream (makedumpfile -F) whose records leave a terabyte
 * unwritten inside one PT_LOAD: those bytes read as zeros, and the search
 * for VMCOREINFO (no note here) skips them instead of scanning a terabyte
 * of zeros; it finds the text in the last record, past the gap.  A fuzz
 * input of a few kilobytes once hung the open this way. */
static void put_flat_record(uint8_t *p, uint64_t offset, uint64_t size)
{
	put64(p, offset, KDX_BIG_ENDIAN);
	put64(p + 8, size, KDX_BIG_ENDIAN);
}

static void sparse_flattened_segment_is_not_scanned(void **state)
{
	const uint64_t gap = 1ull << 40;
	static const char text[] = "OSRELEASE=6.1.0-sparse\nPAGESIZE=4096\n";
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	/* Headers only: the segment's bytes come from the stream's records. */
	struct mkelf_load load = { .paddr = 0, .filesz = gap + 0x1000,
				   .memsz = gap + 0x1000,
				   .offset_override = true, .offset = 0x1000 };
	struct mkflat_options fo = { .no_end_marker = true };
	struct kdx_dump *dump = NULL;
	const struct kdx_phys_range *r;
	uint8_t buf[64], zeros[64] = { 0 }, *elf, *flat, *f;
	size_t elf_size, flat_size, size;
	size_t n;

	(void)state;
	mkelf_add_load(m, &load);
	elf = mkelf_build(m, &elf_size);
	flat = mkflat_build(elf, elf_size, &fo, &flat_size);
	/* Then one record far out with the text, and the end marker. */
	size = flat_size + 16 + 4096 + 16;
	f = calloc(1, size);
	assert_non_null(f);
	memcpy(f, flat, flat_size);
	put_flat_record(f + flat_size, 0x1000 + gap, 4096);
	memcpy(f + flat_size + 16, text, sizeof(text) - 1);
	put_flat_record(f + flat_size + 16 + 4096, UINT64_MAX, UINT64_MAX);
	free(flat);
	free(elf);
	mkelf_free(m);

	assert_null(kdx_dump_open_memory(f, size, NULL, &dump));
	assert_string_equal(kdx_dump_format_name(dump), "elf");
	r = kdx_dump_phys_ranges(dump, &n);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].size, gap + 0x1000);
	assert_string_equal(kdx_dump_vmcoreinfo_get(dump, "OSRELEASE"),
			    "6.1.0-sparse");
	assert_non_null(strstr(kdx_dump_vmcoreinfo_source(dump),
			       "at 0x10000000000 (text"));
	assert_null(kdx_read_phys(dump, gap / 2, buf, sizeof(buf), 0, NULL));
	assert_memory_equal(buf, zeros, sizeof(buf));
	assert_null(kdx_read_phys(dump, gap, buf, 9, 0, NULL));
	assert_memory_equal(buf, "OSRELEASE", 9);
	kdx_dump_destroy(dump);
	free(f);
}

/* A flattened stream whose ELF header puts the program header table in a
 * gap no record wrote: the table would read as zeros (up to 2^32 empty
 * headers with PN_XNUM); it is refused, naming the first unwritten byte. */
static void program_headers_in_a_flattened_gap(void **state)
{
	const uint64_t table = 1ull << 40;
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct mkflat_options fo = { .no_end_marker = true };
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	uint8_t *elf, *flat, *f;
	size_t elf_size, flat_size, size;
	uint64_t at = 0;

	(void)state;
	add_load(m, 0, 0, 0x1000, 0x1000);
	elf = mkelf_build(m, &elf_size);
	put64(elf + 32, table, KDX_LITTLE_ENDIAN); /* e_phoff */
	flat = mkflat_build(elf, elf_size, &fo, &flat_size);
	/* One record past the table, so the file is long enough to hold it. */
	size = flat_size + 16 + 16 + 16;
	f = calloc(1, size);
	assert_non_null(f);
	memcpy(f, flat, flat_size);
	put_flat_record(f + flat_size, 2 * table, 16);
	put_flat_record(f + flat_size + 32, UINT64_MAX, UINT64_MAX);
	free(flat);
	free(elf);
	mkelf_free(m);

	err = kdx_dump_open_memory(f, size, NULL, &dump);
	assert_true(kdx_error_file_offset(err, &at));
	assert_int_equal(at, table);
	expect_error_text(err, KDX_ERR_CORRUPT,
			  "program header table at offset 0x10000000000-0x10000000070: no record of the flattened stream wrote offset 0x10000000000");
	free(f);
}

/* A PT_NOTE that claims 32 MiB of a flattened stream whose records wrote
 * only the notes' first bytes: what is written is read, the rest is
 * neither invented (zeros read as notes) nor paid for (a fuzzed 5 KB
 * file cost 32 MiB and 0.8 s per open), and a warning names the gap. */
static void notes_in_a_flattened_gap(void **state)
{
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct mkflat_options fo = { .no_end_marker = true };
	struct kdx_dump *dump = NULL;
	const struct kdx_note *notes;
	const char *const *warn;
	uint8_t *elf, *flat, *f;
	size_t elf_size, flat_size, size, n, i;

	(void)state;
	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-test\n");
	add_load(m, 0, 0, 0x1000, 0x1000);
	elf = mkelf_build(m, &elf_size);
	/* PT_NOTE (program header 0): p_filesz 32 MiB. */
	put64(elf + mkelf_phdr_offset(m, 0) + 32, 32u << 20, KDX_LITTLE_ENDIAN);
	flat = mkflat_build(elf, elf_size, &fo, &flat_size);
	/* One record at 64 MiB, so the file is long enough to hold them. */
	size = flat_size + 16 + 16;
	f = calloc(1, size);
	assert_non_null(f);
	memcpy(f, flat, flat_size);
	put_flat_record(f + flat_size, 64u << 20, 16);
	free(flat);
	free(elf);
	mkelf_free(m);

	assert_null(kdx_dump_open_memory(f, size, NULL, &dump));
	notes = kdx_dump_notes(dump, &n);
	assert_int_equal(n, 1);
	assert_string_equal(notes[0].kind, "vmcoreinfo");
	warn = kdx_dump_warnings(dump, &n);
	for (i = 0; i < n; i++)
		if (strstr(warn[i], "PT_NOTE 0: notes at offset 0x") &&
		    strstr(warn[i], "no record of the flattened stream wrote offset"))
			break;
	if (i == n)
		fail_msg("no warning names the notes' gap (%zu warnings)", n);
	kdx_dump_destroy(dump);
	free(f);
}

/* Two PT_LOADs hold the same terabyte-and-a-page from different file
 * bytes, a flattened stream's gap up to their last page, which differs.
 * The comparison skips what neither wrote (zeros both) and finds the
 * difference; spending its budget on the zeros, it once said nothing and
 * cost a fuzz input 40 ms per open. */
static void overlap_compare_skips_flattened_gaps(void **state)
{
	const uint64_t tib = 1ull << 40;
	struct mkelf *m = new_elf(64, KDX_LITTLE_ENDIAN, EM_X86_64);
	struct mkelf_load a = { .paddr = 0, .filesz = tib + 0x1000,
				.memsz = tib + 0x1000,
				.offset_override = true, .offset = 0x10000 };
	struct mkelf_load b = a;
	struct mkflat_options fo = { .no_end_marker = true };
	struct kdx_dump *dump = NULL;
	uint8_t *elf, *flat, *f, *p;
	size_t elf_size, flat_size, size;

	(void)state;
	b.offset = 0x10000 + 2 * tib;
	mkelf_add_load(m, &a);
	mkelf_add_load(m, &b);
	elf = mkelf_build(m, &elf_size);
	flat = mkflat_build(elf, elf_size, &fo, &flat_size);
	size = flat_size + 2 * (16 + 4096) + 16;
	f = calloc(1, size);
	assert_non_null(f);
	memcpy(f, flat, flat_size);
	p = f + flat_size;
	put_flat_record(p, a.offset + tib, 4096);
	memset(p + 16, 'a', 4096);
	p += 16 + 4096;
	put_flat_record(p, b.offset + tib, 4096);
	memset(p + 16, 'a', 4096);
	p[16 + 0x123] = 'b';
	put_flat_record(p + 16 + 4096, UINT64_MAX, UINT64_MAX);
	free(flat);
	free(elf);
	mkelf_free(m);

	assert_null(kdx_dump_open_memory(f, size, NULL, &dump));
	assert_true(dump_has_warning(dump,
				     "PT_LOAD 1 and PT_LOAD 2 both hold physical 0x0-0x10000000fff with different bytes (first at 0x10000000123)"));
	kdx_dump_destroy(dump);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elf64_little_x86_64),
		cmocka_unit_test(elf32_little_i386),
		cmocka_unit_test(elf32_big_ppc),
		cmocka_unit_test(elf64_big_s390x),
		cmocka_unit_test(elf64_big_aarch64),
		cmocka_unit_test(riscv_class_picks_word_size),
		cmocka_unit_test(unknown_machine_is_named_unknown),
		cmocka_unit_test(memsz_tail_reads_as_reported_zeros),
		cmocka_unit_test(fractional_pages_return_only_dumped_bytes),
		cmocka_unit_test(overlapping_segments_prefer_file_bytes),
		cmocka_unit_test(qemu_paging_aliases_and_vaddrs),
		cmocka_unit_test(segment_vaddrs_are_classified),
		cmocka_unit_test(overlap_differences_named_and_capped),
		cmocka_unit_test(absurd_vmcoreinfo_pagesize_warns),
		cmocka_unit_test(elf_without_memory_is_named),
		cmocka_unit_test(extended_numbering_over_65535),
		cmocka_unit_test(extended_numbering_forced_elf32_big),
		cmocka_unit_test(qemu72_layout_follows_e_phoff),
		cmocka_unit_test(x86_64_notes_decoded),
		cmocka_unit_test(prstatus_other_arches),
		cmocka_unit_test(malformed_note_keeps_earlier_ones),
		cmocka_unit_test(note_segment_past_eof_is_truncated),
		cmocka_unit_test(truncated_headers_fail_clearly),
		cmocka_unit_test(segment_past_eof_keeps_what_is_there),
		cmocka_unit_test(offset_overrides_past_eof),
		cmocka_unit_test(wrapping_segment_is_ignored),
		cmocka_unit_test(absurd_header_values),
		cmocka_unit_test(not_a_core_file),
		cmocka_unit_test(incomplete_flag_warns),
		cmocka_unit_test(detection_names_known_formats),
		cmocka_unit_test(read_wrapping_address_space_is_invalid),
		cmocka_unit_test(sparse_flattened_segment_is_not_scanned),
		cmocka_unit_test(program_headers_in_a_flattened_gap),
		cmocka_unit_test(overlap_compare_skips_flattened_gaps),
		cmocka_unit_test(notes_in_a_flattened_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
