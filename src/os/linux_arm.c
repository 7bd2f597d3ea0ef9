/* SPDX-License-Identifier: MIT */
/* Linux on 32-bit ARM.  The kernel's table is swapper_pg_dir: with LPAE
 * (VMCOREINFO CONFIG_ARM_LPAE=y, or a first page holding four table
 * entries to the next four pages) a 4-entry level-1 table covering the
 * whole 4 GiB (the live TTBR1 of a VMSPLIT_3G kernel points 0x4000 past
 * it, at the level-2 table of the top GiB: --root with --va-bits 30);
 * without, a 16 KiB short-descriptor table (TTBCR.N = 0).  Kernel VAs map
 * linearly: pa = va - PAGE_OFFSET + PHYS_OFFSET; neither is in
 * VMCOREINFO, so PAGE_OFFSET is 0xc0000000 (VMSPLIT_3G, Debian's) unless
 * given, and PHYS_OFFSET is the start of the first RAM range, checked by
 * the table mapping its own symbol to itself. */
#include "os/linux_common.h"

#include "core/endian.h"

#include <string.h>

#define ARM_PAGE_OFFSET 0xc0000000ull

/* LPAE's swapper_pg_dir: 4 table descriptors to the next 4 pages (the
 * PMD tables), read from the dump. */
static bool looks_lpae(const struct kdx_dump *dump, uint64_t root)
{
	uint8_t b[32];
	struct kdx_error *err = kdx_read_phys(dump, root, b, sizeof(b), 0, NULL);

	if (err) {
		/* An unreadable root is no LPAE table; the walk will say why. */
		kdx_error_destroy(err);
		return false;
	}
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t e = kdx_load_u64(b + i * 8, kdx_dump_byte_order(dump));

		if ((e & 3) != 3 || (e & 0xfffff000ull) != root + 0x1000 * (i + 1))
			return false;
	}
	return true;
}

/* The lowest RAM address: PHYS_OFFSET on every ARM board kdx knows. */
static bool first_ram(const struct kdx_dump *dump, uint64_t *start)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(dump, &n);

	if (!n)
		return false;
	*start = r[0].start;
	return true;
}

/* The root from swapper_pg_dir's symbol, when the linear map's two ends
 * are known; false with a note otherwise. */
static bool root_from_symbol(struct kdx_kernel_layout *out, bool has_sym,
			     uint64_t sym)
{
	if (!has_sym || !out->lnx.has_phys_base) {
		kdx_linux_note(out,
			       "no SYMBOL(swapper_pg_dir) in VMCOREINFO: give --root (TTBR1, or TTBR0 without LPAE)");
		return false;
	}
	out->has_root = true;
	out->root = sym - out->direct_map + out->lnx.phys_base;
	kdx_linux_source(out->root_source,
			 "VMCOREINFO SYMBOL(swapper_pg_dir) - PAGE_OFFSET + PHYS_OFFSET");
	return true;
}

static enum kdx_os_match arm_detect(const struct kdx_dump *dump)
{
	if (kdx_dump_arch(dump) != KDX_ARCH_ARM)
		return KDX_OS_MATCH_NO;
	return kdx_linux_match(dump);
}

static struct kdx_error *arm_probe(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *given,
				   struct kdx_kernel_layout *out)
{
	uint64_t sym = 0;
	const char *lpae = kdx_dump_vmcoreinfo_get(dump, "CONFIG_ARM_LPAE");
	bool has_sym = kdx_linux_vmci(dump, "SYMBOL(swapper_pg_dir)", true, &sym);
	bool derived_root = false;

	(void)given;
	kdx_linux_common_flags(dump, out);
	if (!out->has_direct_map) {
		out->has_direct_map = true;
		out->direct_map = ARM_PAGE_OFFSET;
		kdx_linux_source(out->direct_map_source,
				 "default PAGE_OFFSET (VMSPLIT_3G)");
	}
	if (!out->lnx.has_phys_base && first_ram(dump, &out->lnx.phys_base)) {
		out->lnx.has_phys_base = true;
		kdx_linux_source(out->lnx.phys_base_source,
				 "PHYS_OFFSET: start of the first RAM range");
	}
	if (!out->has_root)
		derived_root = root_from_symbol(out, has_sym, sym);
	if (out->mode != KDX_PAGING_NONE) {
		/* given */
	} else if (lpae && !strcmp(lpae, "y")) {
		out->mode = KDX_PAGING_ARM_LPAE;
		kdx_linux_source(out->mode_source, "VMCOREINFO CONFIG_ARM_LPAE=y");
	} else if (out->has_root && looks_lpae(dump, out->root)) {
		out->mode = KDX_PAGING_ARM_LPAE;
		kdx_linux_source(out->mode_source,
				 "swapper_pg_dir holds 4 LPAE table entries");
	} else {
		out->mode = KDX_PAGING_ARM;
		kdx_linux_source(out->mode_source,
				 "short descriptors (no LPAE table at the root)");
	}
	if (derived_root)
		kdx_linux_check_root(out, dump, "SYMBOL(swapper_pg_dir)", sym);
	return NULL;
}

const struct kdx_os_ops kdx_os_linux_arm = {
	.name = "linux-arm",
	.os = KDX_OS_LINUX,
	.detect = arm_detect,
	.probe = arm_probe,
};
