/* SPDX-License-Identifier: MIT */
/* VMware state files built by mkvmware, with their .vmem: regions read
 * back at their guest-physical pages, the .vmem found beside the state
 * or given after it, memory held in the state itself, and bad states;
 * the "cpu" group's registers per vCPU, its CR3 rooting the kernel's
 * translation, and a damaged or missing cpu group costing only the CPU
 * state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkvmware.h"
#include "roundtrip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096u
#define VMEM_PAGES 12u

/* Two regions as VMware splits RAM around the PCI hole, scaled down:
 * vmem pages 0-7 at guest page 0, pages 8-11 at guest page 0x100000. */
static const struct mkvmware_region regions[] = {
	{ .ppn = 0, .page_num = 0, .pages = 8 },
	{ .ppn = 0x100000, .page_num = 8, .pages = 4 },
};

static uint8_t vmem_byte(uint64_t off)
{
	return (uint8_t)(off * 7 + off / PAGE * 3 + 1);
}

static uint8_t *make_vmem(void)
{
	uint8_t *m = malloc(VMEM_PAGES * PAGE);

	for (uint64_t i = 0; i < VMEM_PAGES * PAGE; i++)
		m[i] = vmem_byte(i);
	return m;
}

static void write_file(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

/* Every region page by page, and the hole between. */
static void check_regions(const struct kdx_dump *d)
{
	uint8_t buf[PAGE];
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &n);

	assert_string_equal(kdx_dump_format_name(d), "vmware");
	assert_int_equal(n, 2);
	assert_int_equal(r[1].start, 0x100000ull * PAGE);
	assert_int_equal(r[1].size, 4 * PAGE);
	for (size_t i = 0; i < 2; i++)
		for (uint64_t p = 0; p < regions[i].pages; p++) {
			uint64_t off = (regions[i].page_num + p) * PAGE;

			assert_null(kdx_read_phys(d, (regions[i].ppn + p) * PAGE,
						  buf, PAGE, 0, NULL));
			for (size_t k = 0; k < PAGE; k++)
				assert_int_equal(buf[k], vmem_byte(off + k));
		}
	expect_error_text(kdx_read_phys(d, 8 * PAGE, buf, 1, 0, NULL),
			  KDX_ERR_NODATA, "");
}

struct files {
	char dir[64], vmss[96], vmem[96], other[96];
};

static void make_files(struct files *f, const struct mkvmware_options *o,
		       bool vmem_beside)
{
	size_t size;
	uint8_t *state = mkvmware_build(o, &size), *vmem = make_vmem();

	strcpy(f->dir, "/tmp/kdx-vmware-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->vmss, sizeof(f->vmss), "%s/guest.vmss", f->dir);
	snprintf(f->vmem, sizeof(f->vmem), "%s/guest.vmem", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/copy.bin", f->dir);
	write_file(f->vmss, state, size);
	if (vmem_beside)
		write_file(f->vmem, vmem, VMEM_PAGES * PAGE);
	write_file(f->other, vmem, VMEM_PAGES * PAGE);
	free(state);
	free(vmem);
}

static void remove_files(struct files *f)
{
	unlink(f->vmss);
	unlink(f->vmem);
	unlink(f->other);
	rmdir(f->dir);
}

static void vmem_beside_or_given(void **state)
{
	struct mkvmware_options o = { .regions = regions, .region_count = 2 };
	struct files f;
	struct kdx_dump *d = NULL;

	(void)state;
	for (o.version = 0; o.version < 4; o.version++) {
		const char *both[2];

		make_files(&f, &o, true);
		assert_null(kdx_dump_open(f.vmss, NULL, &d));
		check_regions(d);
		kdx_dump_destroy(d);
		both[0] = f.vmss;
		both[1] = f.other;
		assert_null(kdx_dump_open_files(both, 2, NULL, &d));
		check_regions(d);
		kdx_dump_destroy(d);
		if (o.version == 2) {
			struct kdx_open_options opts;

			/* Converted, every byte reads back. */
			kdx_open_options_init(&opts);
			opts.arch = KDX_ARCH_X86_64;
			assert_null(kdx_dump_open(f.vmss, &opts, &d));
			roundtrip_check(d);
			kdx_dump_destroy(d);
		}
		remove_files(&f);
	}
	/* No .vmem beside it: the error names the file it looked for. */
	o.version = 3;
	make_files(&f, &o, false);
	expect_error_text(kdx_dump_open(f.vmss, NULL, &d), KDX_ERR_OS, "guest.vmem");
	remove_files(&f);
}

static void memory_in_the_state_file(void **state)
{
	uint8_t *vmem = make_vmem();
	struct mkvmware_options o = { .version = 2, .regions = regions,
				      .region_count = 2, .memory = vmem,
				      .memory_size = VMEM_PAGES * PAGE };
	size_t size;
	uint8_t *s = mkvmware_build(&o, &size);
	struct kdx_dump *d = NULL;

	(void)state;
	assert_null(kdx_dump_open_memory(s, size, NULL, &d));
	check_regions(d);
	kdx_dump_destroy(d);
	free(s);
	/* No regions: the memory is one run from address 0. */
	o.region_count = 0;
	s = mkvmware_build(&o, &size);
	assert_null(kdx_dump_open_memory(s, size, NULL, &d));
	{
		size_t n;
		const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &n);
		uint8_t b;

		assert_int_equal(n, 1);
		assert_int_equal(r[0].size, VMEM_PAGES * PAGE);
		assert_null(kdx_read_phys(d, 5 * PAGE + 9, &b, 1, 0, NULL));
		assert_int_equal(b, vmem_byte(5 * PAGE + 9));
	}
	kdx_dump_destroy(d);
	free(s);
	free(vmem);
}

static void bad_states_are_errors(void **state)
{
	uint8_t *vmem = make_vmem();
	struct mkvmware_region beyond = { .ppn = 0, .page_num = 10,
					  .pages = 4 };
	struct mkvmware_options o = { .version = 1, .regions = regions,
				      .region_count = 2, .memory = vmem,
				      .memory_size = VMEM_PAGES * PAGE };
	size_t size;
	uint8_t *s;
	struct kdx_dump *d = NULL;

	(void)state;
	o.drop_page_num = true;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_CORRUPT,
			  "region 0 lacks its regionPPN, regionPageNum or regionSize");
	free(s);
	o.drop_page_num = false;
	o.regions = &beyond;
	o.region_count = 1;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_CORRUPT,
			  "beyond its 0xc000 bytes");
	free(s);
	/* A count past the regions tagged (slots beyond those any tag
	 * named). */
	o.regions = regions;
	o.region_count = 2;
	o.regions_count = 40;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_CORRUPT,
			  "region 2 lacks its regionPPN, regionPageNum or regionSize");
	free(s);
	o.regions_count = 0;
	o.no_regions_count = true;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_CORRUPT,
			  "region tags but no regionsCount");
	free(s);
	o.no_regions_count = false;
	o.no_memory_group = true;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_CORRUPT,
			  "no \"memory\" group (groups: Checkpoint cpu memorz)");
	free(s);
	o.no_memory_group = false;
	/* Cut inside the Memory block, then inside the tags. */
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size - 100, NULL, &d),
			  KDX_ERR_CORRUPT, "data runs past the end of the file");
	expect_error_text(kdx_dump_open_memory(s, 12 + 3 * 80 + 12, NULL, &d),
			  KDX_ERR_CORRUPT, "cut short");
	/* Memory-backed, with no memory tag and no name to look beside. */
	free(s);
	o.memory = NULL;
	s = mkvmware_build(&o, &size);
	expect_error_text(kdx_dump_open_memory(s, size, NULL, &d), KDX_ERR_NOTFOUND,
			  "give its .vmem file after it");
	free(s);
	assert_null(d);
	free(vmem);
}

/* ---- the "cpu" group ---- */

#define LE KDX_LITTLE_ENDIAN
#define GUEST_PAGES 8u
/* The guest: page 0 VMCOREINFO naming no page-table root, page 1 the L4
 * (vCPU 0's CR3), 2 the L3, 3 the L2, 4 the L1 mapping
 * 0xffffffff81000000 to page 5. */
#define KERNEL_VA 0xffffffff81000000ull
static const char guest_data[] = "VMware guest kernel data";
static const char guest_vmci[] =
	"OSRELEASE=6.1.0-vmware\nPAGESIZE=4096\nNUMBER(pgtable_l5_enabled)=0\n";

static void make_vcpus(struct mkvmware_vcpu v[2])
{
	memset(v, 0, 2 * sizeof(*v));
	for (unsigned int c = 0; c < 2; c++) {
		for (unsigned int i = 0; i < 16; i++)
			v[c].gpregs[i] = 0x1000ull * c + i;
		v[c].rip = KERNEL_VA + 0x10 * c;
		v[c].rflags = 0x246;
		v[c].cr[0] = 0x80050033;
		v[c].cr[2] = 0x7f0000 + c;
		v[c].cr[4] = 0x6f0;
		v[c].cr[8] = 0xf;
	}
	v[0].cr[3] = PAGE | 0x8; /* PWT: not part of the root */
	v[1].cr[3] = 0x7000;     /* another task's table: not used */
}

static uint8_t *make_guest(void)
{
	uint8_t *m = calloc(GUEST_PAGES, PAGE);
	uint64_t f = 0x63; /* P RW A D */

	memcpy(m, guest_vmci, sizeof(guest_vmci) - 1);
	put64(m + 1 * PAGE + 511 * 8, 2 * PAGE | f, LE);
	put64(m + 2 * PAGE + 510 * 8, 3 * PAGE | f, LE);
	put64(m + 3 * PAGE + 8 * 8, 4 * PAGE | f, LE);
	put64(m + 4 * PAGE + 0 * 8, 5 * PAGE | f, LE);
	memcpy(m + 5 * PAGE, guest_data, sizeof(guest_data));
	return m;
}

static void check_vcpus(const struct kdx_dump *d,
			const struct mkvmware_vcpu *want, size_t count)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(d, &n);

	assert_int_equal(n, count);
	assert_true(kdx_dump_facts(d)->set & KDX_FACT_NR_CPUS);
	assert_int_equal(kdx_dump_facts(d)->nr_cpus, count);
	for (size_t c = 0; c < count; c++) {
		assert_int_equal(cpus[c].index, c);
		assert_string_equal(cpus[c].state_source, "VMware state");
		assert_true(cpus[c].has_control_regs);
		assert_false(cpus[c].has_efer);
		for (unsigned int r = 0; r < 5; r++)
			assert_int_equal(cpus[c].cr[r], want[c].cr[r]);
		assert_int_equal(cpus[c].reg_count, 18);
		for (unsigned int r = 0; r < 16; r++)
			assert_int_equal(cpus[c].regs[r], want[c].gpregs[r]);
		assert_string_equal(cpus[c].reg_names[5], "rsp");
		assert_string_equal(cpus[c].reg_names[16], "rip");
		assert_int_equal(cpus[c].regs[16], want[c].rip);
		assert_int_equal(cpus[c].regs[17], want[c].rflags);
	}
}

static uint8_t *build_guest(struct mkvmware_options *o,
			    const struct mkvmware_vcpu *v, uint8_t *guest,
			    size_t *size)
{
	o->memory = guest;
	o->memory_size = GUEST_PAGES * PAGE;
	o->vcpus = v;
	if (!o->vcpu_count)
		o->vcpu_count = 2;
	return mkvmware_build(o, size);
}

/* Blocks (gpregs, CR64) and plain tags (rax[n], CR64[n][k]) give the
 * same registers; padding before a block's data is skipped. */
static void vcpu_registers(void **state)
{
	struct mkvmware_vcpu v[2];
	uint8_t *guest = make_guest(), *s;
	size_t size;
	struct kdx_dump *d;
	uint8_t b[sizeof(guest_data)];

	(void)state;
	make_vcpus(v);
	for (unsigned int form = 0; form < 4; form++) {
		struct mkvmware_options o = { .version = form == 3 ? 0 : 2,
					      .cpu_plain = form == 1,
					      .block_pad = form == 2 ? 6 : 0 };

		s = build_guest(&o, v, guest, &size);
		d = NULL;
		assert_null(kdx_dump_open_memory(s, size, NULL, &d));
		check_vcpus(d, v, 2);
		assert_null(kdx_read_phys(d, 5 * PAGE, b, sizeof(b), 0, NULL));
		assert_memory_equal(b, guest_data, sizeof(b));
		kdx_dump_destroy(d);
		free(s);
	}
	free(guest);
}

/* With VMCOREINFO naming no root, the first vCPU's CR3 roots the walk
 * (CR4 without LA57: 4-level, as VMCOREINFO says too). */
static void cr3_roots_the_kernel_walk(void **state)
{
	struct mkvmware_vcpu v[2];
	uint8_t *guest = make_guest(), *s;
	struct mkvmware_options o = { .version = 1 };
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat;
	struct kdx_dump *d = NULL;
	struct kdx_error *err;
	size_t size, n;
	char buf[sizeof(guest_data)];

	(void)state;
	make_vcpus(v);
	s = build_guest(&o, v, guest, &size);
	assert_null(kdx_dump_open_memory(s, size, NULL, &d));
	assert_int_equal(kdx_dump_arch(d), KDX_ARCH_X86_64);
	assert_non_null(kdx_dump_vmcoreinfo(d, &n));
	err = kdx_kernel_probe(d, NULL, &layout);
	if (err)
		fail_msg("probe: %s", kdx_error_message(err));
	assert_true(layout.has_root);
	assert_int_equal(layout.root, PAGE | 0x8);
	assert_string_equal(layout.root_source, "CPU 0 CR3 (VMware state)");
	assert_int_equal(layout.mode, KDX_PAGING_X86_64);
	err = kdx_kernel_xlat_create(d, &layout, &xlat);
	if (err)
		fail_msg("xlat: %s", kdx_error_message(err));
	err = kdx_read_virt(d, xlat, KERNEL_VA, buf, sizeof(buf), 0, NULL);
	if (err)
		fail_msg("read: %s", kdx_error_message(err));
	assert_memory_equal(buf, guest_data, sizeof(guest_data));
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(d);
	free(s);
	free(guest);
}

/* Open @o's state: it must open, with @cpus CPUs and a warning holding
 * @warning (NULL: none). */
static void expect_cpus(struct mkvmware_options *o, size_t cpus,
			const char *warning)
{
	struct mkvmware_vcpu v[2];
	uint8_t *guest = make_guest(), *s;
	struct kdx_dump *d = NULL;
	struct kdx_error *err;
	size_t size, n, nw;

	make_vcpus(v);
	s = build_guest(o, v, guest, &size);
	err = kdx_dump_open_memory(s, size, NULL, &d);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	kdx_dump_cpus(d, &n);
	assert_int_equal(n, cpus);
	kdx_dump_warnings(d, &nw);
	if (warning)
		assert_true(dump_has_warning(d, warning));
	else
		assert_int_equal(nw, 0);
	kdx_dump_destroy(d);
	free(s);
	free(guest);
}

static void cpu_group_damage_costs_only_the_cpus(void **state)
{
	struct mkvmware_options o = { .version = 1 };

	(void)state;
	o.no_cpu_group = true;
	expect_cpus(&o, 0, NULL);
	o = (struct mkvmware_options){ .version = 1, .no_num_vcpus = true };
	expect_cpus(&o, 0, NULL);
	o = (struct mkvmware_options){ .version = 1, .num_vcpus = 100000 };
	expect_cpus(&o, 0, "cpu:numVCPUs 100000 is not 1..4096");
	/* A CR64 block claiming a terabyte: its data runs past the file. */
	o = (struct mkvmware_options){ .version = 1, .cr64_size = 1ull << 40 };
	expect_cpus(&o, 0, "data runs past the end of the file; no CPU state");
	/* A CR64 block of another size: the general registers stay. */
	o = (struct mkvmware_options){ .version = 1, .cr64_size = 64 };
	expect_cpus(&o, 2, "2 register tags");
	/* vCPU 1's tags beyond cpu:numVCPUs 1. */
	o = (struct mkvmware_options){ .version = 1, .num_vcpus = 1 };
	expect_cpus(&o, 1, "register tags");
	{
		uint8_t mem[PAGE] = { 0 };
		size_t size;
		uint8_t *s;
		struct kdx_dump *d = NULL;

		o = (struct mkvmware_options){ .version = 1, .memory = mem,
					       .memory_size = PAGE,
					       .compressed_memory = true };
		s = mkvmware_build(&o, &size);
		expect_error_text(kdx_dump_open_memory(s, size, NULL, &d),
				  KDX_ERR_UNSUPPORTED, "data is compressed");
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmem_beside_or_given),
		cmocka_unit_test(memory_in_the_state_file),
		cmocka_unit_test(bad_states_are_errors),
		cmocka_unit_test(vcpu_registers),
		cmocka_unit_test(cr3_roots_the_kernel_walk),
		cmocka_unit_test(cpu_group_damage_costs_only_the_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
