/* SPDX-License-Identifier: MIT */
/* Translations whose page tables hold machine addresses (KDX_XLAT_MACHINE,
 * a Xen PV guest): tables come through read_machine only, and results,
 * steps and mappings say they are machine addresses; the ops struct's
 * version 1 (no read_machine) still works for physical tables. */
#include "xlat_test.h"

#include "core/error.h"

#include <stdlib.h>

#define MiB (1ull << 20)

/* Machine memory is the ptb buffer; physical reads must not happen. */
struct mem {
	struct ptb *p;
	unsigned int phys_reads, machine_reads;
};

static struct kdx_error *copy_out(struct ptb *p, uint64_t addr, void *buf,
				  size_t len)
{
	size_t size;
	const uint8_t *m = ptb_memory(p, &size);

	if (addr >= size || len > size - addr)
		return kdx_err(KDX_ERR_NODATA, "0x%llx is past memory",
			       (unsigned long long)addr);
	memcpy(buf, m + addr, len);
	return NULL;
}

static struct kdx_error *read_phys(void *ctx, uint64_t paddr, void *buf,
				   size_t len)
{
	struct mem *m = ctx;

	m->phys_reads++;
	return copy_out(m->p, paddr, buf, len);
}

static struct kdx_error *read_machine(void *ctx, uint64_t maddr, void *buf,
				      size_t len)
{
	struct mem *m = ctx;

	m->machine_reads++;
	return copy_out(m->p, maddr, buf, len);
}

static const struct kdx_xlat_ops both = {
	.version = KDX_XLAT_OPS_VERSION,
	.read_phys = read_phys,
	.read_machine = read_machine,
};

static struct kdx_xlat *make(struct mem *m, unsigned int flags,
			     const struct kdx_xlat_ops *ops)
{
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	kdx_xlat_config_init(&cfg);
	cfg.mode = KDX_PAGING_X86_64;
	cfg.root = ptb_root(m->p);
	cfg.flags |= flags;
	err = kdx_xlat_create(&cfg, ops, m, &x);
	assert_null(err);
	return x;
}

static void machine_tables(void **state)
{
	struct mem m = { ptb_new(KDX_PAGING_X86_64, 4 * MiB, 2 * MiB), 0, 0 };
	struct kdx_xlat *x;
	struct kdx_xlat_result r;
	struct kdx_xlat_trace t;

	(void)state;
	ptb_map(m.p, 0xffffffff81000000ull, 0x345000, 4096, PTB_RW);
	x = make(&m, KDX_XLAT_MACHINE, &both);
	assert_int_equal(kdx_xlat_space(x), KDX_MACHPHYSADDR);
	assert_null(kdx_xlat_translate(x, 0xffffffff81000123ull, &r));
	assert_int_equal(r.paddr, 0x345123);
	assert_int_equal(r.space, KDX_MACHPHYSADDR);
	/* from the TLB too */
	memset(&r, 0, sizeof(r));
	assert_null(kdx_xlat_translate(x, 0xffffffff81000124ull, &r));
	assert_int_equal(r.space, KDX_MACHPHYSADDR);
	assert_null(kdx_xlat_trace(x, 0xffffffff81000000ull, &r, &t));
	assert_int_equal(t.count, 4);
	for (unsigned int i = 0; i < t.count; i++)
		assert_int_equal(t.steps[i].space, KDX_MACHPHYSADDR);
	assert_int_equal(t.steps[0].table, ptb_root(m.p));
	assert_int_equal(m.phys_reads, 0);
	assert_true(m.machine_reads > 0);
	kdx_xlat_destroy(x);
	ptb_free(m.p);
}

static void machine_maps(void **state)
{
	struct mem m = { ptb_new(KDX_PAGING_X86_64, 4 * MiB, 2 * MiB), 0, 0 };
	struct kdx_xlat *x;
	struct ptb_maps maps;

	(void)state;
	ptb_map(m.p, 0xffff888000000000ull, 0x100000, 4096, PTB_RW);
	ptb_map(m.p, 0xffff888000001000ull, 0x101000, 4096, PTB_RW);
	x = make(&m, KDX_XLAT_MACHINE, &both);
	assert_null(ptb_collect(x, 0, UINT64_MAX, 0, false, &maps));
	assert_int_equal(maps.count, 1);
	assert_int_equal(maps.maps[0].paddr, 0x100000);
	assert_int_equal(maps.maps[0].size, 8192);
	assert_int_equal(maps.maps[0].space, KDX_MACHPHYSADDR);
	assert_int_equal(m.phys_reads, 0);
	ptb_maps_free(&maps);
	kdx_xlat_destroy(x);
	ptb_free(m.p);
}

static void physical_tables(void **state)
{
	struct mem m = { ptb_new(KDX_PAGING_X86_64, 4 * MiB, 2 * MiB), 0, 0 };
	struct kdx_xlat *x;
	struct kdx_xlat_result r;

	(void)state;
	ptb_map(m.p, 0x400000, 0x5000, 4096, PTB_RW);
	x = make(&m, 0, &both);
	assert_int_equal(kdx_xlat_space(x), KDX_KPHYSADDR);
	assert_null(kdx_xlat_translate(x, 0x400010, &r));
	assert_int_equal(r.paddr, 0x5010);
	assert_int_equal(r.space, KDX_KPHYSADDR);
	assert_int_equal(m.machine_reads, 0);
	kdx_xlat_destroy(x);
	ptb_free(m.p);
}

/* A caller built against version 1 has a struct without read_machine:
 * the library must not read past it. */
struct ops_v1 {
	unsigned int version;
	struct kdx_error *(*read_phys)(void *, uint64_t, void *, size_t);
};

static void version_1_ops(void **state)
{
	struct mem m = { ptb_new(KDX_PAGING_X86_64, 4 * MiB, 2 * MiB), 0, 0 };
	struct ops_v1 *v1 = malloc(sizeof(*v1));
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x = NULL;
	struct kdx_xlat_result r;
	struct kdx_error *err;

	(void)state;
	v1->version = 1;
	v1->read_phys = read_phys;
	ptb_map(m.p, 0x400000, 0x5000, 4096, PTB_RW);
	kdx_xlat_config_init(&cfg);
	cfg.mode = KDX_PAGING_X86_64;
	cfg.root = ptb_root(m.p);
	assert_null(kdx_xlat_create(&cfg, (const struct kdx_xlat_ops *)v1, &m,
				    &x));
	assert_null(kdx_xlat_translate(x, 0x400000, &r));
	assert_int_equal(r.paddr, 0x5000);
	kdx_xlat_destroy(x);
	/* ... and machine tables need version 2 */
	cfg.flags |= KDX_XLAT_MACHINE;
	x = NULL;
	err = kdx_xlat_create(&cfg, (const struct kdx_xlat_ops *)v1, &m, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	assert_null(x);
	kdx_error_destroy(err);
	free(v1);
	ptb_free(m.p);
}

static void machine_needs_callback(void **state)
{
	static const struct kdx_xlat_ops phys_only = {
		.version = KDX_XLAT_OPS_VERSION, .read_phys = read_phys
	};
	struct kdx_xlat_config cfg;
	struct kdx_xlat *x = NULL;
	struct kdx_error *err;

	(void)state;
	kdx_xlat_config_init(&cfg);
	cfg.mode = KDX_PAGING_X86_64;
	cfg.flags |= KDX_XLAT_MACHINE;
	err = kdx_xlat_create(&cfg, &phys_only, NULL, &x);
	assert_non_null(err);
	assert_int_equal(kdx_error_code(err), KDX_ERR_INVALID);
	assert_non_null(strstr(kdx_error_message(err), "read_machine"));
	kdx_error_destroy(err);
	assert_null(x);
}

static void space_names(void **state)
{
	(void)state;
	assert_string_equal(kdx_addr_space_name(KDX_KPHYSADDR), "physical");
	assert_string_equal(kdx_addr_space_name(KDX_MACHPHYSADDR), "machine");
	assert_string_equal(kdx_addr_space_name(KDX_KVADDR), "virtual");
	assert_string_equal(kdx_addr_space_name(KDX_ADDR_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(machine_tables),
		cmocka_unit_test(machine_maps),
		cmocka_unit_test(physical_tables),
		cmocka_unit_test(version_1_ops),
		cmocka_unit_test(machine_needs_callback),
		cmocka_unit_test(space_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
