/* SPDX-License-Identifier: MIT */
/* The OS table (src/os/registry.c): which entry claims a dump of each
 * architecture, with and without VMCOREINFO; a dump no entry claims; and
 * the overrides, put into the layout once before the entry's probe and
 * kept by every Linux entry over what its dump says. */
#include "xlat_test.h"

#include "linuxdump.h"
#include "os/os.h"

#include <kdx/kernel.h>

#include <stdio.h>
#include <stdlib.h>

#define EM_386 3
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243
#define EM_PPC64 21
#define EM_S390 22

/* One synthetic dump per architecture, with the VMCOREINFO keys its Linux
 * set-up reads (the values are what each entry derives its layout from;
 * the page tables do not matter here). */
struct arch_case {
	const char *entry; /* the OS entry that must claim it */
	uint16_t machine;
	unsigned int bits;
	const char *vmcoreinfo;
	/* A mode to give: where the arch allows, one the dump does not say. */
	enum kdx_paging_mode given_mode;
};

static const char vmci_i386[] =
	"SYMBOL(swapper_pg_dir)=c1100000\nCONFIG_X86_PAE=y\n"
	"KERNELOFFSET=0\n";
static const char vmci_arm64[] =
	"OSRELEASE=6.1.0-arm64\nPAGESIZE=4096\n"
	"SYMBOL(swapper_pg_dir)=ffff800080100000\n"
	"NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffff80007f000000\n"
	"NUMBER(PHYS_OFFSET)=0x0\nNUMBER(TCR_EL1_T1SZ)=16\nKERNELOFFSET=0\n";
static const char vmci_arm[] =
	"OSRELEASE=6.1.0-armmp\nSYMBOL(swapper_pg_dir)=c0004000\n";
static const char vmci_riscv64[] =
	"OSRELEASE=6.1.0-riscv64\nSYMBOL(swapper_pg_dir)=ffffffff80100000\n"
	"NUMBER(VA_BITS)=39\nNUMBER(PAGE_OFFSET)=0xffffffd800000000\n"
	"NUMBER(phys_ram_base)=0x0\n";

static const char vmci_s390x[] =
	"OSRELEASE=6.1.0-s390x\nSYMBOL(swapper_pg_dir)=100000\n";

static const struct arch_case cases[] = {
	{ "linux-x86", EM_X86_64, 64, linuxdump_vmcoreinfo_64,
	  KDX_PAGING_X86_LA57 },
	{ "linux-x86", EM_386, 32, vmci_i386, KDX_PAGING_X86_32 },
	{ "linux-arm64", EM_AARCH64, 64, vmci_arm64, KDX_PAGING_AARCH64 },
	{ "linux-arm", EM_ARM, 32, vmci_arm, KDX_PAGING_ARM_LPAE },
	{ "linux-riscv", EM_RISCV, 64, vmci_riscv64, KDX_PAGING_RISCV_SV48 },
	{ "linux-s390x", EM_S390, 64, vmci_s390x, KDX_PAGING_S390X },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

struct fixture {
	struct ptb *p;
	uint8_t *elf;
	struct kdx_dump *dump;
};

static void open_case(struct fixture *f, uint16_t machine, unsigned int bits,
		      const char *vmcoreinfo)
{
	size_t size;
	struct kdx_error *err;

	f->p = linuxdump_tables(KDX_PAGING_X86_64, LD_DIRECT);
	f->elf = linuxdump_elf(f->p, machine, bits, vmcoreinfo, NULL, &size);
	err = kdx_dump_open_memory(f->elf, size, NULL, &f->dump);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
}

static void close_case(struct fixture *f)
{
	kdx_dump_destroy(f->dump);
	free(f->elf);
	ptb_free(f->p);
}

static void every_entry_is_complete(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t i = 0; kdx_os_table[i]; i++, n++) {
		const struct kdx_os_ops *os = kdx_os_table[i];

		assert_non_null(os->name);
		assert_non_null(os->detect);
		assert_non_null(os->probe);
		assert_int_not_equal(os->os, KDX_OS_UNKNOWN);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(kdx_os_table[k]->name, os->name);
	}
	assert_true(n >= 4);
}

/* VMCOREINFO makes Linux likely; without it the entry of the
 * architecture still claims the dump, as a fallback. */
static void linux_claims_each_arch(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct arch_case *c = &cases[i];

		for (int with = 1; with >= 0; with--) {
			struct fixture f;
			struct kdx_kernel_layout l;
			const struct kdx_os_ops *os;

			open_case(&f, c->machine, c->bits,
				  with ? c->vmcoreinfo : NULL);
			os = kdx_os_find(f.dump);
			assert_non_null(os);
			assert_string_equal(os->name, c->entry);
			assert_int_equal(os->detect(f.dump),
					 with ? KDX_OS_MATCH_LIKELY :
						KDX_OS_MATCH_FALLBACK);
			assert_null(kdx_kernel_probe(f.dump, NULL, &l));
			assert_int_equal(l.os, KDX_OS_LINUX);
			assert_string_equal(kdx_os_name(l.os), "linux");
			close_case(&f);
		}
	}
}

static void unknown_kernel_names_the_arch(void **state)
{
	struct fixture f;
	struct kdx_kernel_layout l;
	struct kdx_error *err;

	(void)state;
	open_case(&f, EM_PPC64, 64, "OSRELEASE=6.1.0-powerpc64le\n");
	assert_null(kdx_os_find(f.dump));
	err = kdx_kernel_probe(f.dump, NULL, &l);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_UNSUPPORTED);
	assert_string_equal(kdx_error_message(err),
			    "kernel address translation for ppc64 dumps is not supported yet");
	assert_int_equal(l.os, KDX_OS_UNKNOWN);
	kdx_error_destroy(err);
	close_case(&f);
}

/* A stand-in entry: records what the layout held when its probe ran, and
 * finds a root of its own when none was given.  A probe gets no context
 * pointer, so the record is a file-scope variable of this test. */
struct seen {
	unsigned int calls;
	struct kdx_kernel_layout on_entry;
};

static struct seen seen;

static enum kdx_os_match fake_detect(const struct kdx_dump *dump)
{
	(void)dump;
	return KDX_OS_MATCH_CERTAIN;
}

static struct kdx_error *fake_probe(const struct kdx_dump *dump,
				    const struct kdx_kernel_options *given,
				    struct kdx_kernel_layout *layout)
{
	(void)dump;
	(void)given;
	seen.calls++;
	seen.on_entry = *layout;
	if (!layout->has_root) {
		layout->has_root = true;
		layout->root = 0x1000;
	}
	return NULL;
}

static void options_all(struct kdx_kernel_options *o,
			enum kdx_paging_mode mode)
{
	kdx_kernel_options_init(o);
	o->mode = mode;
	o->has_root = true;
	o->root = 0x7000;
	o->has_kaslr_offset = true;
	o->kaslr_offset = 0x3000000;
	o->has_phys_base = true;
	o->phys_base = 0x4000000;
	o->has_page_offset = true;
	o->page_offset = 0xffff888800000000ull;
	o->va_bits = 39;
}

static void assert_given(const struct kdx_kernel_layout *l,
			 enum kdx_paging_mode mode)
{
	assert_int_equal(l->mode, mode);
	assert_string_equal(l->mode_source, "command line");
	assert_true(l->has_root);
	assert_int_equal(l->root, 0x7000);
	assert_string_equal(l->root_source, "command line");
	assert_true(l->lnx.has_kaslr_offset);
	assert_int_equal(l->lnx.kaslr_offset, 0x3000000);
	assert_string_equal(l->lnx.kaslr_offset_source, "command line");
	assert_true(l->lnx.has_phys_base);
	assert_int_equal(l->lnx.phys_base, 0x4000000);
	assert_string_equal(l->lnx.phys_base_source, "command line");
	assert_true(l->has_direct_map);
	assert_int_equal(l->direct_map, 0xffff888800000000ull);
	assert_string_equal(l->direct_map_source, "command line");
	assert_int_equal(l->va_bits, 39);
}

/* The overrides are in the layout, with the OS, before the probe runs
 * (once); a probe that finds a root keeps the given one. */
static void overrides_reach_the_probe_once(void **state)
{
	const struct kdx_os_ops fake = { .name = "fake",
					 .os = KDX_OS_FREEBSD,
					 .detect = fake_detect,
					 .probe = fake_probe };
	struct fixture f;
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	open_case(&f, EM_X86_64, 64, NULL);
	options_all(&o, KDX_PAGING_X86_PAE);
	memset(&seen, 0, sizeof(seen));
	assert_null(kdx_os_probe(&fake, f.dump, &o, &l));
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.on_entry.os, KDX_OS_FREEBSD);
	assert_given(&seen.on_entry, KDX_PAGING_X86_PAE);
	assert_given(&l, KDX_PAGING_X86_PAE);
	/* Nothing given: the probe's own root stays. */
	kdx_kernel_options_init(&o);
	assert_null(kdx_os_probe(&fake, f.dump, &o, &l));
	assert_int_equal(seen.calls, 2);
	assert_false(seen.on_entry.has_root);
	assert_int_equal(l.root, 0x1000);
	close_case(&f);
}

/* Every Linux entry keeps every override over what its VMCOREINFO says. */
static void overrides_win_in_every_entry(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_CASES; i++) {
		const struct arch_case *c = &cases[i];
		struct fixture f;
		struct kdx_kernel_options o;
		struct kdx_kernel_layout l;

		open_case(&f, c->machine, c->bits, c->vmcoreinfo);
		options_all(&o, c->given_mode);
		assert_null(kdx_kernel_probe(f.dump, &o, &l));
		assert_int_equal(l.os, KDX_OS_LINUX);
		assert_given(&l, c->given_mode);
		close_case(&f);
	}
}

/* Given values feed what a probe derives: 32-bit ARM's root is
 * swapper_pg_dir - PAGE_OFFSET + PHYS_OFFSET with the given two. */
static void derived_from_overrides(void **state)
{
	struct fixture f;
	struct kdx_kernel_options o;
	struct kdx_kernel_layout l;

	(void)state;
	open_case(&f, EM_ARM, 32, vmci_arm);
	kdx_kernel_options_init(&o);
	o.has_page_offset = true;
	o.page_offset = 0x80000000;
	o.has_phys_base = true;
	o.phys_base = 0x200000;
	assert_null(kdx_kernel_probe(f.dump, &o, &l));
	assert_true(l.has_root);
	assert_int_equal(l.root, 0xc0004000u - 0x80000000u + 0x200000u);
	assert_string_equal(l.root_source,
			    "VMCOREINFO SYMBOL(swapper_pg_dir) - PAGE_OFFSET + PHYS_OFFSET");
	close_case(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_entry_is_complete),
		cmocka_unit_test(linux_claims_each_arch),
		cmocka_unit_test(unknown_kernel_names_the_arch),
		cmocka_unit_test(overrides_reach_the_probe_once),
		cmocka_unit_test(overrides_win_in_every_entry),
		cmocka_unit_test(derived_from_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
