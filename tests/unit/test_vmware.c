/* SPDX-License-Identifier: MIT */
/* VMware state files built by mkvmware, with their .vmem: regions read
 * back at their guest-physical pages, the .vmem found beside the state
 * or given after it, memory held in the state itself, and bad states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

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
	o.regions = regions;
	o.region_count = 2;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(vmem_beside_or_given),
		cmocka_unit_test(memory_in_the_state_file),
		cmocka_unit_test(bad_states_are_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
