/* SPDX-License-Identifier: MIT */
/* Linux as a Xen PV guest on x86: its page tables hold machine frames.
 *
 * The root is a vCPU's CR3 (a machine address, from the dump's vCPU
 * contexts), else the kernel's top table from VMCOREINFO turned into a
 * machine address through the p2m.  Every table is then read by machine
 * address through the dump's m2p, which the reader built from the dump's
 * own p2m by file offset: no read on that path needs a translation (seed
 * 000).  Leaves are machine addresses, which virtual reads turn back into
 * pseudo-physical ones (kdx_read_virt()).  PV guests never run 5-level
 * paging, and 32-bit ones always run PAE.
 *
 * A legacy xc_core, whose "physical" addresses are machine addresses
 * already, is walked as plain physical memory from the vCPU's CR3.  So is
 * a PV kernel in a dump of a Xen host's machine memory (QEMU's dump of
 * the whole VM: dom0, or a domU, in the CPU that ran it): there the
 * kernel's own root from VMCOREINFO is a pseudo-physical address that
 * maps nothing, while a CPU's CR3 maps the kernel image with the user bit
 * set, which only a PV x86_64 kernel (running in ring 3) does.
 *
 * VMCOREINFO is not in an xc_core file: the dump layer finds it by
 * scanning the pages (kdx_dump_search_vmcoreinfo()). */
#include "os/os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define START_KERNEL_MAP 0xffffffff80000000ull
#define I386_PAGE_OFFSET 0xc0000000ull
#define DIRECT_MAP_LOW 0xffff880000000000ull
#define DIRECT_MAP_DEFAULT 0xffff888000000000ull
#define DIRECT_MAP_ALIGN (1ull << 30)
#define DIRECT_MAP_FIRST_PADDR (1ull << 20)

struct pv_probe {
	const struct kdx_dump *dump;
	struct kdx_kernel_layout *out;
	bool x86_64;
	bool phys_is_machine; /* legacy xc_core */
	const char *root_symbol;
	uint64_t root_symbol_va, root_symbol_pa;
};

static void set_text(char *dst, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_text(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

/* A fact the xc_core reader left as a "0x..." detail (see xen_fact() in
 * format/xc_core.c): one place to read them until they are typed. */
bool kdx_xen_fact(const struct kdx_dump *dump, const char *key,
		  uint64_t *value)
{
	size_t n;
	const struct kdx_detail *d = kdx_dump_details(dump, &n);

	for (size_t i = 0; i < n; i++) {
		char *end;

		if (strcmp(d[i].key, key) != 0)
			continue;
		*value = strtoull(d[i].value, &end, 16);
		return end != d[i].value && *end == '\0';
	}
	return false;
}

static bool vmci_hex(const struct kdx_dump *dump, const char *key,
		     uint64_t *value)
{
	const char *text = kdx_dump_vmcoreinfo_get(dump, key);
	char *end;

	if (!text || !*text)
		return false;
	*value = strtoull(text, &end, 16);
	return end != text && *end == '\0';
}

static bool vmci_number(const struct kdx_dump *dump, const char *key,
			uint64_t *value)
{
	const char *text = kdx_dump_vmcoreinfo_get(dump, key);
	char *end;

	if (!text || !*text)
		return false;
	*value = *text == '-' ? (uint64_t)strtoll(text, &end, 10) :
				strtoull(text, &end, 0);
	return end != text && *end == '\0';
}

/* Whether @root (a physical address) maps @va, with @user set when
 * the page is user-accessible. */
static bool maps(const struct kdx_dump *dump, uint64_t root, uint64_t va,
		 uint64_t *paddr, bool *user)
{
	struct kdx_xlat_config cfg;
	struct kdx_xlat_result r;
	struct kdx_xlat *xlat;
	struct kdx_error *err;

	kdx_xlat_config_init(&cfg);
	cfg.mode = KDX_PAGING_X86_64;
	cfg.root = root;
	cfg.table_cache_pages = 4;
	cfg.tlb_entries = 1;
	err = kdx_dump_xlat_create(dump, &cfg, &xlat);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	err = kdx_xlat_translate(xlat, va, &r);
	kdx_xlat_destroy(xlat);
	if (err) {
		kdx_error_destroy(err);
		return false;
	}
	*paddr = r.paddr;
	*user = (r.flags & KDX_PAGE_USER) != 0;
	return true;
}

/* A PV x86_64 kernel in machine memory: VMCOREINFO's root does not map
 * its own symbol, a CPU's CR3 maps it user-accessible.  The CPU (its
 * index) is returned. */
static bool pv_in_machine_memory(const struct kdx_dump *dump,
				 unsigned int *cpu_index)
{
	uint64_t va, phys_base = 0, pa;
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);
	bool user;

	if (kdx_dump_arch(dump) != KDX_ARCH_X86_64 ||
	    !vmci_hex(dump, "SYMBOL(init_top_pgt)", &va))
		return false;
	vmci_number(dump, "NUMBER(phys_base)", &phys_base);
	pa = va - START_KERNEL_MAP + phys_base;
	if (maps(dump, pa, va, &pa, &user))
		return false; /* the native case: the kernel's root works */
	for (size_t i = 0; i < n; i++) {
		const struct kdx_cpu *c = &cpus[i];

		if (!c->has_control_regs || !(c->cr[0] & (1ull << 31)) ||
		    !maps(dump, c->cr[3], va, &pa, &user) || !user)
			continue;
		*cpu_index = (unsigned int)i;
		return true;
	}
	return false;
}

bool kdx_xen_pv_detect(const struct kdx_dump *dump)
{
	enum kdx_arch arch = kdx_dump_arch(dump);
	uint64_t legacy;
	unsigned int cpu;

	if (arch != KDX_ARCH_X86_64 && arch != KDX_ARCH_I386)
		return false;
	return kdx_dump_has_machine(dump) ||
	       (kdx_xen_fact(dump, "xen_phys_is_machine", &legacy) && legacy) ||
	       pv_in_machine_memory(dump, &cpu);
}

static void find_mode(struct pv_probe *p)
{
	struct kdx_kernel_layout *out = p->out;

	out->xlat_flags = KDX_XLAT_PSE | KDX_XLAT_NXE;
	if (!p->phys_is_machine)
		out->xlat_flags |= KDX_XLAT_MACHINE;
	if (out->mode != KDX_PAGING_NONE)
		return; /* given */
	out->mode = p->x86_64 ? KDX_PAGING_X86_64 : KDX_PAGING_X86_PAE;
	set_text(out->mode_source, KDX_SOURCE_LEN, "Xen PV %s guest (%s)",
		 p->x86_64 ? "x86_64" : "x86_32",
		 p->x86_64 ? "4-level paging" : "always PAE");
}

static void find_offsets(struct pv_probe *p)
{
	struct kdx_kernel_layout *out = p->out;
	struct kdx_linux_layout *lnx = &out->lnx;

	if (!lnx->has_kaslr_offset &&
	    vmci_hex(p->dump, "KERNELOFFSET", &lnx->kaslr_offset)) {
		lnx->has_kaslr_offset = true;
		set_text(lnx->kaslr_offset_source, KDX_SOURCE_LEN,
			 "VMCOREINFO KERNELOFFSET");
	}
	if (!lnx->has_phys_base && p->x86_64 &&
	    vmci_number(p->dump, "NUMBER(phys_base)", &lnx->phys_base)) {
		lnx->has_phys_base = true;
		set_text(lnx->phys_base_source, KDX_SOURCE_LEN,
			 "VMCOREINFO NUMBER(phys_base)");
	}
	if (!out->has_direct_map && !p->x86_64) {
		out->has_direct_map = true;
		out->direct_map = I386_PAGE_OFFSET;
		set_text(out->direct_map_source, KDX_SOURCE_LEN,
			 "default PAGE_OFFSET (VMSPLIT_3G)");
	}
}

/* The kernel's top table from VMCOREINFO: its pseudo-physical address,
 * kept for the check, and (through the p2m) its machine address in
 * *root.  False when there is no symbol, or no p2m to map it with (a
 * legacy file: only the check can use the symbol then). */
static bool root_from_symbol(struct pv_probe *p, uint64_t *root)
{
	static const char *const keys_64[] = { "SYMBOL(init_top_pgt)",
					       "SYMBOL(init_level4_pgt)" };
	static const char *const keys_32[] = { "SYMBOL(swapper_pg_dir)" };
	const char *const *keys = p->x86_64 ? keys_64 : keys_32;
	size_t nkeys = p->x86_64 ? 2 : 1;

	for (size_t i = 0; i < nkeys; i++) {
		struct kdx_error *err;

		if (!vmci_hex(p->dump, keys[i], &p->root_symbol_va))
			continue;
		p->root_symbol = keys[i];
		p->root_symbol_pa = p->x86_64 ?
			p->root_symbol_va - START_KERNEL_MAP + p->out->lnx.phys_base :
			p->root_symbol_va - p->out->direct_map;
		if (p->phys_is_machine)
			return false;
		err = kdx_phys_to_machine(p->dump, p->root_symbol_pa, root);
		if (!err)
			return true;
		set_text(p->out->note, sizeof(p->out->note), "%s: %s", keys[i],
			 kdx_error_message(err));
		kdx_error_destroy(err);
		return false;
	}
	return false;
}

static void find_root(struct pv_probe *p)
{
	struct kdx_kernel_layout *out = p->out;
	const struct kdx_dump_facts *f = kdx_dump_facts(p->dump);
	uint64_t root;
	unsigned int cpu;

	if (out->has_root) {
		root_from_symbol(p, &root); /* given: for the check */
	} else if ((f->set & KDX_FACT_PGT_ROOT) &&
		   f->pgt_root_form == KDX_ROOT_ADDRESS &&
		   f->pgt_root_machine != p->phys_is_machine) {
		out->has_root = true;
		out->root = f->pgt_root;
		set_text(out->root_source, KDX_SOURCE_LEN, "Xen vCPU CR3 (%s address)",
			 f->pgt_root_machine ? "machine" : "physical = machine");
		root_from_symbol(p, &root);
	} else if (root_from_symbol(p, &root)) {
		out->has_root = true;
		out->root = root;
		set_text(out->root_source, KDX_SOURCE_LEN,
			 "VMCOREINFO %s, to a machine address by the p2m",
			 p->root_symbol);
	} else if (p->phys_is_machine && pv_in_machine_memory(p->dump, &cpu)) {
		size_t n;

		out->has_root = true;
		out->root = kdx_dump_cpus(p->dump, &n)[cpu].cr[3];
		set_text(out->root_source, KDX_SOURCE_LEN,
			 "CPU %u CR3 (a Xen PV kernel in machine memory)", cpu);
	} else if (!out->note[0]) {
		set_text(out->note, sizeof(out->note),
			 "no vCPU CR3 in the dump and no page-table symbol in VMCOREINFO");
	}
}

/* The first direct mapping of low pseudo-physical memory, 1 GiB aligned:
 * leaves are machine addresses, turned back through the m2p. */
struct direct_scan {
	const struct kdx_dump *dump;
	bool machine;
	uint64_t base;
	unsigned int seen;
	bool found;
};

static bool direct_map_candidate(void *arg, const struct kdx_mapping *m)
{
	struct direct_scan *s = arg;
	uint64_t pa = m->paddr;

	if (s->machine) {
		struct kdx_error *err = kdx_machine_to_phys(s->dump, m->paddr, &pa);

		kdx_error_destroy(err);
		if (err)
			return ++s->seen < 64;
	}
	if (pa < DIRECT_MAP_FIRST_PADDR &&
	    ((m->vaddr - pa) & (DIRECT_MAP_ALIGN - 1)) == 0) {
		s->base = m->vaddr - pa;
		s->found = true;
		return false;
	}
	return ++s->seen < 64;
}

static bool skip_problem(void *arg, const struct kdx_error *err)
{
	(void)arg;
	(void)err;
	return true;
}

static void direct_map(struct pv_probe *p, struct kdx_xlat *xlat)
{
	struct kdx_kernel_layout *out = p->out;
	struct direct_scan s = { .dump = p->dump,
				 .machine = kdx_xlat_space(xlat) == KDX_MACHPHYSADDR };

	kdx_error_destroy(kdx_xlat_maps(xlat, DIRECT_MAP_LOW,
					START_KERNEL_MAP - 1, KDX_MAPS_NO_MERGE,
					direct_map_candidate, skip_problem, &s));
	out->has_direct_map = true;
	out->direct_map = s.found ? s.base : DIRECT_MAP_DEFAULT;
	set_text(out->direct_map_source, KDX_SOURCE_LEN, "%s",
		 s.found ? "page tables: first mapping of low pseudo-physical memory" :
			   "default for 4-level kernels >= 4.20 (not found in the page tables)");
}

/* The kernel's top-table symbol must translate to the p2m's frame for
 * its pseudo-physical address. */
static void check_root(struct pv_probe *p, struct kdx_xlat *xlat)
{
	struct kdx_xlat_result r;
	struct kdx_error *err;
	uint64_t want;

	if (!p->root_symbol || p->out->note[0])
		return;
	err = kdx_xlat_translate(xlat, p->root_symbol_va, &r);
	/* Without a p2m the symbol's machine frame is unknown, and a CPU's
	 * CR3 may be a process's table: that it maps is the check. */
	if (!err && p->phys_is_machine)
		return;
	if (!err)
		err = kdx_phys_to_machine(p->dump, p->root_symbol_pa, &want);
	if (err) {
		set_text(p->out->note, sizeof(p->out->note), "check failed: %s",
			 kdx_error_message(err));
		kdx_error_destroy(err);
		return;
	}
	if (r.paddr != want)
		set_text(p->out->note, sizeof(p->out->note),
			 "check failed: %s 0x%llx translates to machine 0x%llx, the p2m says 0x%llx",
			 p->root_symbol, (unsigned long long)p->root_symbol_va,
			 (unsigned long long)r.paddr, (unsigned long long)want);
}

static struct kdx_error *inspect_tables(struct pv_probe *p)
{
	struct kdx_xlat *xlat;
	struct kdx_error *err;

	if (!p->out->has_root)
		return NULL;
	err = kdx_kernel_xlat_create(p->dump, p->out, &xlat);
	if (err)
		return err;
	check_root(p, xlat);
	if (p->x86_64 && !p->out->has_direct_map)
		direct_map(p, xlat);
	kdx_xlat_destroy(xlat);
	return NULL;
}

static struct kdx_error *xen_pv_probe(const struct kdx_dump *dump,
				      const struct kdx_kernel_options *given,
				      struct kdx_kernel_layout *layout)
{
	struct pv_probe p = {
		.dump = dump,
		.out = layout,
		.x86_64 = kdx_dump_arch(dump) == KDX_ARCH_X86_64,
		.phys_is_machine = !kdx_dump_has_machine(dump),
	};

	(void)given; /* its values are in @layout already */
	find_mode(&p);
	find_offsets(&p);
	find_root(&p);
	return inspect_tables(&p);
}

/* A Xen PV guest's marks rule out every other entry: its page tables
 * hold machine frames whatever its VMCOREINFO says. */
static enum kdx_os_match xen_pv_detect(const struct kdx_dump *dump)
{
	return kdx_xen_pv_detect(dump) ? KDX_OS_MATCH_CERTAIN : KDX_OS_MATCH_NO;
}

const struct kdx_os_ops kdx_os_xen_pv = {
	.name = "linux-xen-pv",
	.os = KDX_OS_LINUX,
	.detect = xen_pv_detect,
	.probe = xen_pv_probe,
	.output_filter = kdx_xen_pv_output_filter,
};
