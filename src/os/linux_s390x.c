/* SPDX-License-Identifier: MIT */
/* Linux on s390x (arch/s390/kernel/vmcore_info.c, asm/page.h).  The root
 * is swapper_pg_dir (generic VMCOREINFO).  Since 6.10 the kernel image
 * has a virtual address of its own: KERNELOFFSET, at physical
 * KERNELOFFPHYS, and the identity map of all memory starts at
 * IDENTITYBASE (pa = va - KERNELOFFSET + KERNELOFFPHYS in the image, va -
 * IDENTITYBASE below it); older kernels run at virtual = physical.
 * VMCOREINFO does not say how many levels the kernel's table has (3 or
 * 4, by how far vmalloc reaches), but the table does: every region entry
 * of it, empty or not, carries its table's type, which is the ASCE's
 * designation type. */
#include "os/linux_common.h"

#include "core/endian.h"

#define S390_ORIGIN 0xfffull
#define S390_TYPE_SHIFT 2
#define S390_TL_FULL 0x3ull

static enum kdx_os_match s390x_detect(const struct kdx_dump *dump)
{
	if (kdx_dump_arch(dump) != KDX_ARCH_S390X)
		return KDX_OS_MATCH_NO;
	return kdx_linux_match(dump);
}

static const char *const type_names[] = { "segment", "region-third",
					  "region-second", "region-first" };

/* The type of the table at @table, from its first entry.  False (and a
 * note) when that entry cannot be read. */
static bool table_type(const struct kdx_dump *dump, uint64_t table,
		       struct kdx_kernel_layout *out, unsigned int *type)
{
	uint8_t raw[8];
	struct kdx_error *err = kdx_read_phys(dump, table, raw, sizeof(raw), 0,
					      NULL);

	if (err) {
		kdx_linux_note(out, "cannot read the root table's type at 0x%llx: %s",
			       (unsigned long long)table,
			       kdx_error_message(err));
		kdx_error_destroy(err);
		return false;
	}
	*type = (unsigned int)(kdx_load_u64(raw, KDX_BIG_ENDIAN) >>
			       S390_TYPE_SHIFT) & 3;
	return true;
}

/* A given root is kept; say so when the table disagrees with the type
 * it designates (a bare table address designates a segment table). */
static void check_given(const struct kdx_dump *dump,
			struct kdx_kernel_layout *out)
{
	uint64_t table = out->root & ~S390_ORIGIN;
	unsigned int type, dt = (unsigned int)(out->root >> S390_TYPE_SHIFT) & 3;

	if (!table_type(dump, table, out, &type) || type == dt)
		return;
	kdx_linux_note(out, "the root designates a %s table, its entries say %s: give 0x%llx",
		       type_names[dt], type_names[type],
		       (unsigned long long)(table |
					    (uint64_t)type << S390_TYPE_SHIFT |
					    S390_TL_FULL));
}

/* Where SYMBOL(swapper_pg_dir) is in physical memory. */
static void place_root(const struct kdx_dump *dump, uint64_t sym,
		       uint64_t *pa, const char **how)
{
	uint64_t koff, kphys, ibase = 0;

	if (kdx_linux_vmci(dump, "KERNELOFFPHYS", true, &kphys) &&
	    kdx_linux_vmci(dump, "KERNELOFFSET", true, &koff)) {
		kdx_linux_vmci(dump, "IDENTITYBASE", true, &ibase);
		if (sym >= koff) {
			*pa = sym - koff + kphys;
			*how = "VMCOREINFO SYMBOL(swapper_pg_dir) - KERNELOFFSET + KERNELOFFPHYS";
		} else {
			*pa = sym - ibase;
			*how = "VMCOREINFO SYMBOL(swapper_pg_dir) - IDENTITYBASE";
		}
		return;
	}
	*pa = sym;
	*how = "VMCOREINFO SYMBOL(swapper_pg_dir) (virtual = physical)";
}

static void direct_map(const struct kdx_dump *dump,
		       struct kdx_kernel_layout *out)
{
	if (out->has_direct_map)
		return;
	out->has_direct_map = true;
	if (kdx_linux_vmci(dump, "IDENTITYBASE", true, &out->direct_map)) {
		kdx_linux_source(out->direct_map_source,
				 "VMCOREINFO IDENTITYBASE");
		return;
	}
	out->direct_map = 0;
	kdx_linux_source(out->direct_map_source,
			 "no IDENTITYBASE in VMCOREINFO: identity map at 0");
}

static struct kdx_error *s390x_probe(const struct kdx_dump *dump,
				     const struct kdx_kernel_options *given,
				     struct kdx_kernel_layout *out)
{
	uint64_t sym, table;
	const char *how;
	unsigned int type;

	(void)given;
	kdx_linux_common_flags(dump, out);
	if (out->mode == KDX_PAGING_NONE) {
		out->mode = KDX_PAGING_S390X;
		kdx_linux_source(out->mode_source, "architecture s390x");
	}
	direct_map(dump, out);
	if (out->has_root) {
		check_given(dump, out);
		return NULL;
	}
	if (!kdx_linux_vmci(dump, "SYMBOL(swapper_pg_dir)", true, &sym)) {
		kdx_linux_note(out, "no SYMBOL(swapper_pg_dir) in VMCOREINFO: give --root (an ASCE, or a table address)");
		return NULL;
	}
	place_root(dump, sym, &table, &how);
	if (table & S390_ORIGIN) {
		kdx_linux_note(out, "SYMBOL(swapper_pg_dir) at physical 0x%llx is not a table address",
			       (unsigned long long)table);
		return NULL;
	}
	if (!table_type(dump, table, out, &type))
		return NULL;
	out->has_root = true;
	out->root = table | (uint64_t)type << S390_TYPE_SHIFT | S390_TL_FULL;
	kdx_linux_source(out->root_source, "%s, a %s table", how,
			 type_names[type]);
	kdx_linux_check_root(out, dump, "SYMBOL(swapper_pg_dir)", sym);
	return NULL;
}

const struct kdx_os_ops kdx_os_linux_s390x = {
	.name = "linux-s390x",
	.os = KDX_OS_LINUX,
	.detect = s390x_detect,
	.probe = s390x_probe,
};
