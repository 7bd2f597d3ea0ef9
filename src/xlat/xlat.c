/* SPDX-License-Identifier: MIT */
/* The translation object: configuration, modes, and the cached
 * single-address translation. */
#include "xlat/xlat.h"

#include <stdlib.h>
#include <string.h>

static const struct kdx_paging_form *const forms[] = {
	&kdx_form_x86_32,
	&kdx_form_x86_pae,
	&kdx_form_x86_64,
	&kdx_form_x86_la57,
	&kdx_form_arm_v5,
	&kdx_form_arm,
	&kdx_form_arm_lpae,
	&kdx_form_aarch64_4k, /* the default granule comes first */
	&kdx_form_aarch64_16k,
	&kdx_form_aarch64_64k,
	&kdx_form_riscv_sv32,
	&kdx_form_riscv_sv39,
	&kdx_form_riscv_sv48,
	&kdx_form_riscv_sv57,
	&kdx_form_ppc64_radix,
	&kdx_form_s390x,
	&kdx_form_mips32,
	&kdx_form_mips64,
	&kdx_form_ppc64_hpt,
};

static const struct {
	const char *name;
	enum kdx_paging_mode mode;
} mode_names[] = {
	{ "none", KDX_PAGING_NONE },
	{ "x86-32", KDX_PAGING_X86_32 },
	{ "x86-pae", KDX_PAGING_X86_PAE },
	{ "x86-64", KDX_PAGING_X86_64 },
	{ "x86-la57", KDX_PAGING_X86_LA57 },
	{ "arm-v5", KDX_PAGING_ARM_V5 },
	{ "arm", KDX_PAGING_ARM },
	{ "arm-lpae", KDX_PAGING_ARM_LPAE },
	{ "aarch64", KDX_PAGING_AARCH64 },
	{ "sv32", KDX_PAGING_RISCV_SV32 },
	{ "sv39", KDX_PAGING_RISCV_SV39 },
	{ "sv48", KDX_PAGING_RISCV_SV48 },
	{ "sv57", KDX_PAGING_RISCV_SV57 },
	{ "ppc64-radix", KDX_PAGING_PPC64_RADIX },
	{ "s390x", KDX_PAGING_S390X },
	{ "mips32", KDX_PAGING_MIPS32 },
	{ "mips64", KDX_PAGING_MIPS64 },
	{ "ppc64-hpt", KDX_PAGING_PPC64_HPT },
	/* aliases */
	{ "2level", KDX_PAGING_X86_32 },
	{ "pae", KDX_PAGING_X86_PAE },
	{ "3level", KDX_PAGING_X86_PAE },
	{ "4level", KDX_PAGING_X86_64 },
	{ "ia32e", KDX_PAGING_X86_64 },
	{ "5level", KDX_PAGING_X86_LA57 },
	{ "la57", KDX_PAGING_X86_LA57 },
	{ "armv5", KDX_PAGING_ARM_V5 },
	{ "armv4", KDX_PAGING_ARM_V5 },
	{ "armv7", KDX_PAGING_ARM },
	{ "lpae", KDX_PAGING_ARM_LPAE },
	{ "arm64", KDX_PAGING_AARCH64 },
};

const char *kdx_paging_mode_name(enum kdx_paging_mode mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i].mode == mode)
			return mode_names[i].name;
	return "unknown";
}

bool kdx_paging_mode_from_name(const char *name, enum kdx_paging_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(mode_names[i].name, name) != 0)
			continue;
		*mode = mode_names[i].mode;
		return true;
	}
	return false;
}

void kdx_xlat_config_init(struct kdx_xlat_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = KDX_XLAT_CONFIG_VERSION;
	cfg->flags = KDX_XLAT_PSE | KDX_XLAT_NXE;
}

/* The form of @mode; AArch64 has one per granule. */
static const struct kdx_paging_form *find_form(enum kdx_paging_mode mode,
					       unsigned int page_size)
{
	unsigned int shift = page_size == 16384 ? 14 :
			     page_size == 65536 ? 16 : 12;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const struct kdx_paging_form *f = forms[i];

		if (f->mode != mode)
			continue;
		if (mode == KDX_PAGING_AARCH64 &&
		    f->level[f->levels - 1].shift != shift)
			continue;
		return f;
	}
	return NULL;
}

static struct kdx_error *check_config(const struct kdx_xlat_config *cfg,
				      const struct kdx_xlat_ops *ops,
				      const struct kdx_paging_form **form)
{
	if (!cfg || cfg->version != KDX_XLAT_CONFIG_VERSION)
		return kdx_err(KDX_ERR_INVALID,
			       "xlat config: unknown version (use kdx_xlat_config_init)");
	if (!ops || !ops->version || ops->version > KDX_XLAT_OPS_VERSION ||
	    !ops->read_phys)
		return kdx_err(KDX_ERR_INVALID,
			       "xlat ops: unknown version or no read_phys");
	if ((cfg->flags & KDX_XLAT_MACHINE) &&
	    (ops->version < 2 || !ops->read_machine))
		return kdx_err(KDX_ERR_INVALID,
			       "xlat: machine-address page tables need a read_machine callback");
	if (cfg->mode == KDX_PAGING_AARCH64 && cfg->page_size &&
	    cfg->page_size != 4096 && cfg->page_size != 16384 &&
	    cfg->page_size != 65536)
		return kdx_err(KDX_ERR_INVALID,
			       "AArch64 granule %u is not 4096, 16384 or 65536",
			       cfg->page_size);
	*form = find_form(cfg->mode, cfg->page_size);
	if (!*form)
		return kdx_err(KDX_ERR_INVALID,
			       "paging mode '%s' has no page tables to walk",
			       kdx_paging_mode_name(cfg->mode));
	if (cfg->phys_bits > (*form)->max_phys_bits ||
	    (cfg->phys_bits && cfg->phys_bits < 32))
		return kdx_err(KDX_ERR_INVALID,
			       "physical address width %u is outside 32..%u for %s paging",
			       cfg->phys_bits, (*form)->max_phys_bits,
			       (*form)->name);
	if (!(*form)->split && (cfg->flags & KDX_XLAT_ROOT_LOW))
		return kdx_err(KDX_ERR_INVALID,
			       "%s paging has one root for the whole address space: give a process's table as the root, not a low root",
			       (*form)->name);
	if ((*form)->split) {
		unsigned int lo = (*form)->min_va_bits, hi = (*form)->max_va_bits;

		if (cfg->va_bits && (cfg->va_bits < lo || cfg->va_bits > hi))
			return kdx_err(KDX_ERR_INVALID,
				       "%u address bits are outside %u..%u for %s paging",
				       cfg->va_bits, lo, hi, (*form)->name);
		if (cfg->low_va_bits &&
		    (cfg->low_va_bits < lo || cfg->low_va_bits > hi))
			return kdx_err(KDX_ERR_INVALID,
				       "%u low address bits are outside %u..%u for %s paging",
				       cfg->low_va_bits, lo, hi, (*form)->name);
	}
	return NULL;
}

/* A region of a split form: @bits of address space from @lo, its top
 * table at the highest level whose entries fit in it. */
static void split_region(struct kdx_xlat *xlat, struct kdx_xlat_region *r,
			 uint64_t root, unsigned int bits, uint64_t lo,
			 const char *name)
{
	const struct kdx_paging_form *form = xlat->form;
	unsigned int l = 0;

	while (l + 1 < form->levels && form->level[l].shift >= bits)
		l++;
	r->used = true;
	r->first = l;
	r->entries = 1u << (bits - form->level[l].shift);
	if (r->entries > form->level[l].entries)
		r->entries = form->level[l].entries;
	/* Tables are aligned to their size: the register's low bits are
	 * walk attributes. */
	r->root = root & ~((uint64_t)r->entries * form->entry_size - 1);
	r->base = lo;
	r->lo = lo;
	r->hi = lo + (((uint64_t)1 << (bits - 1)) - 1) +
		((uint64_t)1 << (bits - 1));
	r->name = name;
}

static uint64_t root_of(const struct kdx_xlat *xlat, uint64_t reg)
{
	const struct kdx_paging_form *form = xlat->form;

	/* A machine root (Xen PV) is an address the OS layer decoded from
	 * its register, possibly beyond what the register holds (x86_32
	 * PAE's folded cr3 above 4 GiB): only the top table's alignment and
	 * the address width apply. */
	if (xlat->cfg.flags & KDX_XLAT_MACHINE)
		return reg & ~((uint64_t)form->level[0].entries *
			       form->entry_size - 1) &
		       ((1ull << xlat->cfg.phys_bits) - 1);
	if (xlat->form->root_addr)
		return xlat->form->root_addr(xlat, reg);
	return reg & xlat->form->root_mask;
}

static void set_regions(struct kdx_xlat *xlat)
{
	const struct kdx_paging_form *form = xlat->form;
	const struct kdx_xlat_config *cfg = &xlat->cfg;
	unsigned int top = form->va_bits;
	unsigned int bits, low_bits;
	struct kdx_xlat_region *high = &xlat->region[1], *low = &xlat->region[0];

	if (!form->split) {
		unsigned int first = 0, entries = form->level[0].entries;
		uint64_t span;

		if (form->root_table)
			form->root_table(xlat, cfg->root, &first, &entries);
		span = (uint64_t)entries << form->level[first].shift;
		/* A lookup form (no tree) answers for every address. */
		if (form->lookup)
			span = 0;
		/* span 0: the table covers all 2^64 addresses */
		*high = (struct kdx_xlat_region){
			true, xlat->root, first, entries, 0, 0,
			span && span - 1 < xlat->va_mask ? span - 1 : xlat->va_mask,
			NULL };
		return;
	}
	bits = cfg->va_bits ? cfg->va_bits : form->default_va_bits;
	low_bits = cfg->low_va_bits ? cfg->low_va_bits : bits;
	split_region(xlat, high, xlat->root, bits,
		     top == 64 ? (uint64_t)0 - ((uint64_t)1 << bits) :
				 ((uint64_t)1 << top) - ((uint64_t)1 << bits),
		     "TTBR1");
	xlat->root = high->root;
	if (!(cfg->flags & KDX_XLAT_ROOT_LOW))
		return;
	split_region(xlat, low, root_of(xlat, cfg->root_low), low_bits, 0,
		     "TTBR0");
	/* TTBR0 wins where both would translate (ARM short descriptors:
	 * TTBCR.N = 0 leaves nothing to TTBR1). */
	if (low->hi >= high->hi)
		high->used = false;
	else if (low->hi >= high->lo)
		high->lo = low->hi + 1;
}

struct kdx_error *kdx_xlat_create(const struct kdx_xlat_config *cfg,
				  const struct kdx_xlat_ops *ops, void *ctx,
				  struct kdx_xlat **out)
{
	const struct kdx_paging_form *form = NULL;
	struct kdx_error *err = check_config(cfg, ops, &form);
	struct kdx_xlat *xlat;

	if (err)
		return err;
	xlat = calloc(1, sizeof(*xlat));
	if (!xlat)
		return kdx_err_nomem();
	xlat->form = form;
	xlat->cfg = *cfg;
	if (!xlat->cfg.phys_bits)
		xlat->cfg.phys_bits = form->default_phys_bits;
	/* A 4/16 KiB granule with more than 48 address bits is FEAT_LPA2
	 * (TCR.DS = 1), which also widens output addresses to 52 bits. */
	if (!cfg->phys_bits && form->mode == KDX_PAGING_AARCH64 &&
	    cfg->va_bits > 48 && form->level[form->levels - 1].shift != 16)
		xlat->cfg.phys_bits = 52;
	if (!xlat->cfg.max_tables)
		xlat->cfg.max_tables = 4u << 20;
	/* A version-1 caller's struct ends before read_machine. */
	xlat->ops.version = ops->version;
	xlat->ops.read_phys = ops->read_phys;
	if (ops->version >= 2)
		xlat->ops.read_machine = ops->read_machine;
	xlat->ctx = ctx;
	if (cfg->flags & KDX_XLAT_MACHINE) {
		xlat->read_table = xlat->ops.read_machine;
		xlat->space = KDX_MACHPHYSADDR;
	} else {
		xlat->read_table = xlat->ops.read_phys;
		xlat->space = KDX_KPHYSADDR;
	}
	xlat->addr_mask = (xlat->cfg.phys_bits >= 64 ?
				   UINT64_MAX :
				   (1ull << xlat->cfg.phys_bits) - 1) &
			  ~0xfffull;
	xlat->va_mask = form->va_bits >= 64 ? UINT64_MAX :
					      (1ull << form->va_bits) - 1;
	xlat->big_endian = (cfg->flags & KDX_XLAT_BIG_ENDIAN) != 0 ||
			   form->big_endian_entries;
	xlat->root = root_of(xlat, cfg->root);
	set_regions(xlat);
	err = kdx_xlat_cache_init(xlat);
	if (err) {
		kdx_xlat_destroy(xlat);
		return err;
	}
	*out = xlat;
	return NULL;
}

void kdx_xlat_destroy(struct kdx_xlat *xlat)
{
	if (!xlat)
		return;
	kdx_xlat_cache_deinit(xlat);
	free(xlat);
}

enum kdx_paging_mode kdx_xlat_mode(const struct kdx_xlat *xlat)
{
	return xlat->form->mode;
}

uint64_t kdx_xlat_root(const struct kdx_xlat *xlat)
{
	return xlat->root;
}

enum kdx_addr_space kdx_xlat_space(const struct kdx_xlat *xlat)
{
	return xlat->space;
}

const char *kdx_addr_space_name(enum kdx_addr_space space)
{
	switch (space) {
	case KDX_KPHYSADDR: return "physical";
	case KDX_MACHPHYSADDR: return "machine";
	case KDX_KVADDR: return "virtual";
	case KDX_ADDR_NONE: break;
	}
	return "none";
}

/* The whole page of @size holding @linear lies in @linear's region. */
static bool within_region(const struct kdx_xlat *xlat, uint64_t linear,
			  uint64_t size)
{
	const struct kdx_xlat_region *r = kdx_xlat_region_of(xlat, linear);
	uint64_t first = linear & ~(size - 1);

	return r && first >= r->lo && first + (size - 1) <= r->hi;
}

struct kdx_error *kdx_xlat_translate(struct kdx_xlat *xlat, uint64_t vaddr,
				     struct kdx_xlat_result *out)
{
	struct kdx_error *err;
	uint64_t linear;

	xlat->stats.translations++;
	if (xlat->form->unmapped && xlat->form->unmapped(xlat, vaddr, out)) {
		out->space = xlat->space;
		return NULL;
	}
	if (kdx_xlat_plain(xlat, vaddr) &&
	    kdx_tlb_lookup(xlat, vaddr & xlat->va_mask, out)) {
		xlat->stats.tlb_hits++;
		out->vaddr = vaddr;
		out->space = xlat->space;
		return NULL;
	}
	err = kdx_xlat_linear(xlat, vaddr, &linear);
	if (err)
		return err;
	err = kdx_xlat_walk(xlat, vaddr, linear, out, NULL);
	if (err)
		return kdx_err_set_address(
			kdx_err_wrap(err, "translate 0x%llx",
				     (unsigned long long)vaddr),
			vaddr);
	out->space = xlat->space;
	/* A repeated entry answers for its own part only: another repeat
	 * of the same page may say something else (fuzz_xlat); so does a
	 * page reaching past its region (a TTBR1 block over TTBR0's
	 * range), whose other part the other root translates. */
	if (!xlat->walk_repeated && within_region(xlat, linear, out->page_size))
		kdx_tlb_insert(xlat, linear, out);
	return NULL;
}

struct kdx_error *kdx_xlat_trace(struct kdx_xlat *xlat, uint64_t vaddr,
				 struct kdx_xlat_result *out,
				 struct kdx_xlat_trace *trace)
{
	struct kdx_error *err;
	uint64_t linear;

	trace->count = 0;
	if (xlat->form->unmapped && xlat->form->unmapped(xlat, vaddr, out)) {
		out->space = xlat->space;
		return NULL;
	}
	err = kdx_xlat_linear(xlat, vaddr, &linear);
	if (!err)
		err = kdx_xlat_walk(xlat, vaddr, linear, out, trace);
	/* The walker records addresses; their space is the translation's. */
	for (unsigned int i = 0; i < trace->count; i++)
		trace->steps[i].space = xlat->space;
	if (!err)
		out->space = xlat->space;
	if (err)
		return kdx_err_set_address(
			kdx_err_wrap(err, "translate 0x%llx",
				     (unsigned long long)vaddr),
			vaddr);
	return NULL;
}

void kdx_xlat_get_stats(const struct kdx_xlat *xlat,
			struct kdx_xlat_stats *stats)
{
	*stats = xlat->stats;
}

void kdx_xlat_flush(struct kdx_xlat *xlat)
{
	kdx_xlat_cache_clear(xlat);
	memset(&xlat->stats, 0, sizeof(xlat->stats));
}
