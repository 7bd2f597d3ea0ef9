/* SPDX-License-Identifier: MIT */
/* Linux on x86: the kernel page table, paging mode, KASLR offset and
 * direct-map base, from VMCOREINFO, else from the CPU state QEMU saved,
 * with every value overridable.
 *
 * x86_64 (makedumpfile arch/x86_64.c): root = SYMBOL(init_top_pgt) -
 * __START_KERNEL_map + NUMBER(phys_base); 5-level when
 * NUMBER(pgtable_l5_enabled) is 1; NUMBER(sme_mask) is cleared from
 * entries.  i386: root = SYMBOL(swapper_pg_dir) - PAGE_OFFSET, PAE when
 * CONFIG_X86_PAE=y.  The direct-map base (page_offset_base, random under
 * KASLR) is not in VMCOREINFO: it is read off the page tables. */
#include "os/linux_common.h"

#include <string.h>

#define START_KERNEL_MAP 0xffffffff80000000ull
#define I386_PAGE_OFFSET 0xc0000000ull
/* Lowest direct-map base: the LDT remap slot of 4.20+, which is the
 * direct map itself on older kernels (0xffff880000000000). */
#define DIRECT_MAP_LOW_4L 0xffff880000000000ull
#define DIRECT_MAP_LOW_5L 0xff10000000000000ull
#define DIRECT_MAP_DEFAULT_4L 0xffff888000000000ull
#define DIRECT_MAP_DEFAULT_5L 0xff11000000000000ull
/* KASLR moves the direct map in steps of a PUD (1 GiB). */
#define DIRECT_MAP_ALIGN (1ull << 30)
/* The direct map's first mapping is of physical 0 (below 1 MiB at most). */
#define DIRECT_MAP_FIRST_PADDR (1ull << 20)

#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LMA (1ull << 10)

struct probe {
	const struct kdx_dump *dump;
	const struct kdx_kernel_options *given; /* already in @out */
	struct kdx_kernel_layout *out;
	bool x86_64;
	bool has_vmcoreinfo;
	const struct kdx_cpu *cpu; /* first CPU with control registers */
	const char *root_symbol;   /* VMCOREINFO key the root came from */
	uint64_t root_symbol_va;
};

static const struct kdx_cpu *first_cpu_with_crs(const struct kdx_dump *dump)
{
	size_t n;
	const struct kdx_cpu *cpus = kdx_dump_cpus(dump, &n);

	for (size_t i = 0; i < n; i++)
		if (cpus[i].has_control_regs)
			return &cpus[i];
	return NULL;
}

static void mode_from_vmcoreinfo(struct probe *p)
{
	struct kdx_kernel_layout *out = p->out;
	uint64_t l5;

	if (!p->x86_64) {
		const char *pae = kdx_dump_vmcoreinfo_get(p->dump, "CONFIG_X86_PAE");

		out->mode = pae && !strcmp(pae, "y") ? KDX_PAGING_X86_PAE :
						       KDX_PAGING_X86_32;
		kdx_linux_source(out->mode_source, "VMCOREINFO %s",
				 pae ? "CONFIG_X86_PAE=y" : "(no CONFIG_X86_PAE)");
	} else if (kdx_linux_vmci(p->dump, "NUMBER(pgtable_l5_enabled)", false,
				  &l5)) {
		out->mode = l5 ? KDX_PAGING_X86_LA57 : KDX_PAGING_X86_64;
		kdx_linux_source(out->mode_source,
				 "VMCOREINFO NUMBER(pgtable_l5_enabled)=%llu",
				 (unsigned long long)l5);
	} else {
		out->mode = KDX_PAGING_X86_64;
		kdx_linux_source(out->mode_source,
				 "VMCOREINFO without NUMBER(pgtable_l5_enabled): 4-level");
	}
}

static const char *state_source(const struct kdx_cpu *cpu)
{
	return cpu->state_source ? cpu->state_source : "CPU state";
}

/* CR4.PAE and LA57 pick the form; EFER.LMA, where the state has it,
 * says whether the CPU ran in long mode (else the arch decides). */
static void mode_from_cpu(struct probe *p)
{
	const struct kdx_cpu *cpu = p->cpu;
	uint64_t cr4 = cpu->cr[4];
	bool long_mode = cpu->has_efer ? (cpu->efer & X86_EFER_LMA) != 0 :
					 p->x86_64;

	if (!(cr4 & X86_CR4_PAE))
		p->out->mode = KDX_PAGING_X86_32;
	else if (!long_mode)
		p->out->mode = KDX_PAGING_X86_PAE;
	else
		p->out->mode = cr4 & X86_CR4_LA57 ? KDX_PAGING_X86_LA57 :
						    KDX_PAGING_X86_64;
	if (cpu->has_efer)
		kdx_linux_source(p->out->mode_source,
				 "CPU %u CR4 0x%llx, EFER 0x%llx (%s)",
				 cpu->index, (unsigned long long)cr4,
				 (unsigned long long)cpu->efer,
				 state_source(cpu));
	else
		kdx_linux_source(p->out->mode_source,
				 "CPU %u CR4 0x%llx (%s)", cpu->index,
				 (unsigned long long)cr4, state_source(cpu));
}

/* The reader's page-table root as a physical address (a Xen save
 * image's vCPU CR3); machine addresses are xen_pv's business. */
static bool fact_root(const struct probe *p)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(p->dump);

	return (f->set & KDX_FACT_PGT_ROOT) &&
	       f->pgt_root_form == KDX_ROOT_ADDRESS && !f->pgt_root_machine;
}

static void find_mode(struct probe *p)
{
	struct kdx_kernel_layout *out = p->out;

	out->xlat_flags = KDX_XLAT_PSE | KDX_XLAT_NXE;
	if (out->mode != KDX_PAGING_NONE) {
		/* given */
	} else if (p->has_vmcoreinfo) {
		mode_from_vmcoreinfo(p);
	} else if (p->cpu && (p->cpu->cr[0] & X86_CR0_PG)) {
		mode_from_cpu(p);
	} else if (p->x86_64 && (!p->cpu || p->given->has_root ||
				 fact_root(p))) {
		/* With paging off in the CPU, only a root given by hand makes
		 * a mode worth assuming. */
		out->mode = KDX_PAGING_X86_64;
		kdx_linux_source(out->mode_source, "assumed for x86_64 (%s)",
				 p->cpu ? "CPU paging off" :
					  "no VMCOREINFO, no CPU state");
	}
	/* CR4.PSE matters only to 2-level paging; Linux sets it when the CPU
	 * has it, so it is assumed without CPU state. */
	if (out->mode == KDX_PAGING_X86_32 && p->cpu &&
	    (p->cpu->cr[0] & X86_CR0_PG) && !(p->cpu->cr[4] & X86_CR4_PSE))
		out->xlat_flags &= ~KDX_XLAT_PSE;
}

static void find_offsets(struct probe *p)
{
	struct kdx_kernel_layout *out = p->out;

	if (!out->lnx.has_kaslr_offset &&
	    kdx_linux_vmci(p->dump, "KERNELOFFSET", true,
			   &out->lnx.kaslr_offset)) {
		out->lnx.has_kaslr_offset = true;
		kdx_linux_source(out->lnx.kaslr_offset_source,
				 "VMCOREINFO KERNELOFFSET");
	}
	if (!out->lnx.has_phys_base && p->x86_64 &&
	    kdx_linux_vmci(p->dump, "NUMBER(phys_base)", false,
			   &out->lnx.phys_base)) {
		out->lnx.has_phys_base = true;
		kdx_linux_source(out->lnx.phys_base_source,
				 "VMCOREINFO NUMBER(phys_base)");
	}
	if (!out->has_direct_map && !p->x86_64) {
		out->has_direct_map = true;
		out->direct_map = I386_PAGE_OFFSET;
		kdx_linux_source(out->direct_map_source,
				 "default PAGE_OFFSET (VMSPLIT_3G)");
	}
	if (kdx_linux_vmci(p->dump, "NUMBER(sme_mask)", false,
			   &out->ignore_mask) && out->ignore_mask)
		kdx_linux_note(out,
			       "AMD SME: NUMBER(sme_mask) 0x%llx cleared from entries",
			       (unsigned long long)out->ignore_mask);
}

/* The kernel's top table, from its symbol in VMCOREINFO. */
static bool root_from_vmcoreinfo(struct probe *p)
{
	static const char *const keys_64[] = { "SYMBOL(init_top_pgt)",
					       "SYMBOL(init_level4_pgt)",
					       "SYMBOL(swapper_pg_dir)" };
	static const char *const keys_32[] = { "SYMBOL(swapper_pg_dir)" };
	const char *const *keys = p->x86_64 ? keys_64 : keys_32;
	size_t nkeys = p->x86_64 ? 3 : 1;
	struct kdx_kernel_layout *out = p->out;

	for (size_t i = 0; i < nkeys; i++) {
		if (!kdx_linux_vmci(p->dump, keys[i], true, &p->root_symbol_va))
			continue;
		p->root_symbol = keys[i];
		out->has_root = true;
		if (p->x86_64)
			out->root = p->root_symbol_va - START_KERNEL_MAP +
				    out->lnx.phys_base;
		else
			out->root = p->root_symbol_va - out->direct_map;
		kdx_linux_source(out->root_source, "%s %s - %s",
				 kdx_dump_vmcoreinfo_get(p->dump, keys[i]) ?
					 "VMCOREINFO" : "--kernel symbol",
				 keys[i],
				 p->x86_64 ? "__START_KERNEL_map + phys_base" :
					     "PAGE_OFFSET");
		return true;
	}
	return false;
}

static void find_root(struct probe *p)
{
	struct kdx_kernel_layout *out = p->out;

	if (out->has_root) {
		return; /* given */
	} else if (p->has_vmcoreinfo && root_from_vmcoreinfo(p)) {
		return;
	} else if (fact_root(p)) {
		out->has_root = true;
		out->root = kdx_dump_facts(p->dump)->pgt_root;
		kdx_linux_source(out->root_source, "the dump's page-table root (%s)",
				 kdx_dump_format_name(p->dump));
	} else if (p->cpu && (p->cpu->cr[0] & X86_CR0_PG)) {
		out->has_root = true;
		out->root = p->cpu->cr[3];
		kdx_linux_source(out->root_source, "CPU %u CR3 (%s)",
				 p->cpu->index, state_source(p->cpu));
	} else if (p->cpu) {
		out->physical_only = true;
		kdx_linux_note(out,
			       "CPU %u has paging off (CR0 0x%llx, PG clear) and %s: the dump holds physical memory only",
			       p->cpu->index, (unsigned long long)p->cpu->cr[0],
			       p->has_vmcoreinfo ? "VMCOREINFO names no page-table root" :
						   "there is no VMCOREINFO");
	} else if (p->has_vmcoreinfo) {
		kdx_linux_note(out,
			       "VMCOREINFO lacks %s (the page-table root) and the dump has no CPU control registers",
			       p->x86_64 ? "SYMBOL(init_top_pgt), SYMBOL(init_level4_pgt) and SYMBOL(swapper_pg_dir)" :
					   "SYMBOL(swapper_pg_dir)");
	} else {
		kdx_linux_note(out,
			       "no VMCOREINFO and no CPU control registers in the dump");
	}
}

/* The direct map starts with physical 0 at a 1 GiB-aligned base: the
 * first kernel mapping at or above the lowest possible base that looks
 * like that is it. */
struct direct_scan {
	uint64_t base;
	unsigned int seen;
	bool found;
};

static bool direct_map_candidate(void *arg, const struct kdx_mapping *m)
{
	struct direct_scan *s = arg;

	if (m->paddr < DIRECT_MAP_FIRST_PADDR &&
	    ((m->vaddr - m->paddr) & (DIRECT_MAP_ALIGN - 1)) == 0) {
		s->base = m->vaddr - m->paddr;
		s->found = true;
		return false;
	}
	return ++s->seen < 16;
}

static bool skip_problem(void *arg, const struct kdx_error *err)
{
	(void)arg;
	(void)err;
	return true;
}

static void direct_map_from_tables(struct probe *p, struct kdx_xlat *xlat)
{
	struct kdx_kernel_layout *out = p->out;
	bool la57 = out->mode == KDX_PAGING_X86_LA57;
	uint64_t low = la57 ? DIRECT_MAP_LOW_5L : DIRECT_MAP_LOW_4L;
	struct direct_scan s = { 0 };
	struct kdx_error *err = kdx_xlat_maps(xlat, low, START_KERNEL_MAP - 1, 0,
					      direct_map_candidate,
					      skip_problem, &s);

	kdx_error_destroy(err);
	if (s.found) {
		out->has_direct_map = true;
		out->direct_map = s.base;
		kdx_linux_source(out->direct_map_source,
				 "page tables: first mapping of low physical memory");
		return;
	}
	out->has_direct_map = true;
	out->direct_map = la57 ? DIRECT_MAP_DEFAULT_5L : DIRECT_MAP_DEFAULT_4L;
	kdx_linux_source(out->direct_map_source,
			 "default for %s-level kernels >= 4.20 (not found in the page tables)",
			 la57 ? "5" : "4");
}

static struct kdx_error *inspect_tables(struct probe *p)
{
	struct kdx_xlat *xlat;
	struct kdx_error *err;

	if (p->out->physical_only || !p->out->has_root ||
	    p->out->mode == KDX_PAGING_NONE)
		return NULL;
	err = kdx_kernel_xlat_create(p->dump, p->out, &xlat);
	if (err)
		return err;
	/* The table that maps the kernel maps its own symbol to itself: a
	 * cheap check that root, phys_base and PAGE_OFFSET agree. */
	if (p->root_symbol)
		kdx_linux_root_maps_itself(p->out, xlat, p->root_symbol,
					   p->root_symbol_va);
	if (p->x86_64 && !p->out->has_direct_map)
		direct_map_from_tables(p, xlat);
	kdx_xlat_destroy(xlat);
	return NULL;
}

static enum kdx_os_match x86_detect(const struct kdx_dump *dump)
{
	enum kdx_arch arch = kdx_dump_arch(dump);

	if (arch != KDX_ARCH_X86_64 && arch != KDX_ARCH_I386)
		return KDX_OS_MATCH_NO;
	return kdx_linux_match(dump);
}

static struct kdx_error *x86_probe(const struct kdx_dump *dump,
				   const struct kdx_kernel_options *given,
				   struct kdx_kernel_layout *layout)
{
	size_t n;
	struct probe p = {
		.dump = dump,
		.given = given,
		.out = layout,
		.x86_64 = kdx_dump_arch(dump) == KDX_ARCH_X86_64,
		.has_vmcoreinfo = kdx_dump_vmcoreinfo(dump, &n) != NULL,
		.cpu = first_cpu_with_crs(dump),
	};

	find_mode(&p);
	find_offsets(&p);
	find_root(&p);
	return inspect_tables(&p);
}

const struct kdx_os_ops kdx_os_linux_x86 = {
	.name = "linux-x86",
	.os = KDX_OS_LINUX,
	.detect = x86_detect,
	.probe = x86_probe,
};
