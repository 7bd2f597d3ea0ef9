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
	/* aliases */
	{ "2level", KDX_PAGING_X86_32 },
	{ "pae", KDX_PAGING_X86_PAE },
	{ "3level", KDX_PAGING_X86_PAE },
	{ "4level", KDX_PAGING_X86_64 },
	{ "ia32e", KDX_PAGING_X86_64 },
	{ "5level", KDX_PAGING_X86_LA57 },
	{ "la57", KDX_PAGING_X86_LA57 },
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

static const struct kdx_paging_form *find_form(enum kdx_paging_mode mode)
{
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (forms[i]->mode == mode)
			return forms[i];
	return NULL;
}

static struct kdx_error *check_config(const struct kdx_xlat_config *cfg,
				      const struct kdx_xlat_ops *ops,
				      const struct kdx_paging_form **form)
{
	if (!cfg || cfg->version != KDX_XLAT_CONFIG_VERSION)
		return kdx_err(KDX_ERR_INVALID,
			       "xlat config: unknown version (use kdx_xlat_config_init)");
	if (!ops || ops->version != KDX_XLAT_OPS_VERSION || !ops->read_phys)
		return kdx_err(KDX_ERR_INVALID,
			       "xlat ops: unknown version or no read_phys");
	*form = find_form(cfg->mode);
	if (!*form)
		return kdx_err(KDX_ERR_INVALID,
			       "paging mode '%s' has no page tables to walk",
			       kdx_paging_mode_name(cfg->mode));
	if (cfg->phys_bits > 52 || (cfg->phys_bits && cfg->phys_bits < 32))
		return kdx_err(KDX_ERR_INVALID,
			       "MAXPHYADDR %u is outside 32..52", cfg->phys_bits);
	return NULL;
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
	if (!xlat->cfg.max_tables)
		xlat->cfg.max_tables = 4u << 20;
	xlat->ops = *ops;
	xlat->ctx = ctx;
	xlat->root = cfg->root & form->root_mask;
	xlat->addr_mask = ((1ull << xlat->cfg.phys_bits) - 1) & ~0xfffull;
	xlat->va_mask = form->va_bits >= 64 ? UINT64_MAX :
					      (1ull << form->va_bits) - 1;
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

struct kdx_error *kdx_xlat_translate(struct kdx_xlat *xlat, uint64_t vaddr,
				     struct kdx_xlat_result *out)
{
	struct kdx_error *err;
	uint64_t linear;

	xlat->stats.translations++;
	err = kdx_xlat_linear(xlat, vaddr, &linear);
	if (err)
		return err;
	if (kdx_tlb_lookup(xlat, linear, out)) {
		xlat->stats.tlb_hits++;
		out->vaddr = vaddr;
		return NULL;
	}
	err = kdx_xlat_walk(xlat, vaddr, linear, out, NULL);
	if (err)
		return kdx_err_set_address(
			kdx_err_wrap(err, "translate 0x%llx",
				     (unsigned long long)vaddr),
			vaddr);
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
	err = kdx_xlat_linear(xlat, vaddr, &linear);
	if (!err)
		err = kdx_xlat_walk(xlat, vaddr, linear, out, trace);
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
