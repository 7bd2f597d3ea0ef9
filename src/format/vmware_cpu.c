/* SPDX-License-Identifier: MIT */
/* The vCPUs of a VMware state file: the "cpu" group's tags.
 * "cpu:numVCPUs" counts them; each vCPU's tags carry its number as their
 * first index:
 *   gpregs[n]   block of 16 u64: rax rcx rdx rbx rbp rsp rsi rdi r8..r15
 *   rax[n] ...  (older files) one plain tag per general register
 *   rip[n], eflags[n] / EFLAGS[n]   plain
 *   CR64[n]     block of 9 u64: cr0..cr8; or plain CR64[n][k] = crk
 *   IDTR[n]     block: u16 limit, u64 base (not taken)
 * Sources: crash's vmware_vmss.c (VMware's own reader, with its
 * VMW_GPREGS_SIZE 128 and VMW_CR64_SIZE 72 and the register order of its
 * vmssregs64); see docs/memory-images.md.  VMware names no EFER: the
 * paging mode comes from CR4 and the architecture. */
#include "format/vmware.h"

#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More than any VMware release runs (ESXi 8: 768). */
#define MAX_VCPUS 4096u
#define NGPREGS 16u
#define GPREGS_SIZE (NGPREGS * 8u)
#define NCR64 9u
#define CR64_SIZE (NCR64 * 8u)
#define REG_RIP NGPREGS
#define REG_RFLAGS (NGPREGS + 1)
#define NREGS (NGPREGS + 2)
#define ALL_REGS ((1u << NREGS) - 1)
/* cr0, cr3 and cr4 make a translation; cr2 is shown when there. */
#define NEEDED_CRS (1u << 0 | 1u << 3 | 1u << 4)

static const char *const reg_names[NREGS] = {
	"rax", "rcx", "rdx", "rbx", "rbp", "rsp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags",
};

struct vcpu {
	uint64_t regs[NREGS];
	uint64_t cr[5];
	uint32_t have_regs; /* bit per regs[] entry */
	uint32_t have_crs;  /* bit per cr[] entry */
};

struct cpu_walk {
	const struct kdx_vmw_file *f;
	struct kdx_dump_desc *desc;
	uint64_t group;
	uint32_t count;     /* cpu:numVCPUs */
	bool has_count;
	struct vcpu *vcpus; /* count entries */
	unsigned int ignored; /* tags of known names not taken */
};

/* Calls @fn for every tag of the group, in order; bounded: each tag
 * moves forward (kdx_vmw_read_tag). */
static struct kdx_error *each_tag(struct cpu_walk *w,
				  struct kdx_error *(*fn)(struct cpu_walk *,
							  const struct kdx_vmw_tag *,
							  uint64_t))
{
	uint64_t at = w->group;

	while (at) {
		struct kdx_vmw_tag t;
		uint64_t next = 0;
		struct kdx_error *err = kdx_vmw_read_tag(w->f, at, &t, &next);

		if (!err && next)
			err = fn(w, &t, at);
		if (err)
			return err;
		at = next;
	}
	return NULL;
}

static struct kdx_error *count_tag(struct cpu_walk *w,
				   const struct kdx_vmw_tag *t, uint64_t at)
{
	char what[96];

	if (strcmp(t->name, "cpu:numVCPUs") || t->block)
		return NULL;
	if (w->has_count)
		return kdx_vmw_bad(at, "a second cpu:numVCPUs");
	if (t->value == 0 || t->value > MAX_VCPUS) {
		snprintf(what, sizeof(what), "cpu:numVCPUs %llu is not 1..%u",
			 (unsigned long long)t->value, MAX_VCPUS);
		return kdx_vmw_bad(at, what);
	}
	w->count = (uint32_t)t->value;
	w->has_count = true;
	return NULL;
}

static int gp_index(const char *name)
{
	for (unsigned int i = 0; i < NGPREGS; i++)
		if (!strcmp(name, reg_names[i]))
			return (int)i;
	return -1;
}

/* A vCPU's block of @want bytes into @buf; *@ok false (the tag counted
 * as ignored) when its size is another or it is compressed. */
static struct kdx_error *block_data(struct cpu_walk *w,
				    const struct kdx_vmw_tag *t, size_t want,
				    uint8_t *buf, bool *ok)
{
	*ok = t->block && !t->compressed && t->data_size == want;
	if (!*ok) {
		w->ignored++;
		return NULL;
	}
	return kdx_file_read(w->f->file, t->data_offset, buf, want);
}

static struct kdx_error *block_tag(struct cpu_walk *w, struct vcpu *v,
				   const struct kdx_vmw_tag *t)
{
	uint8_t buf[GPREGS_SIZE > CR64_SIZE ? GPREGS_SIZE : CR64_SIZE];
	bool ok;
	struct kdx_error *err;

	if (!strcmp(t->name, "gpregs")) {
		err = block_data(w, t, GPREGS_SIZE, buf, &ok);
		for (unsigned int i = 0; !err && ok && i < NGPREGS; i++)
			v->regs[i] = kdx_load_u64(buf + 8 * i, KDX_LITTLE_ENDIAN);
		if (!err && ok)
			v->have_regs |= (1u << NGPREGS) - 1;
		return err;
	}
	if (!strcmp(t->name, "CR64")) {
		err = block_data(w, t, CR64_SIZE, buf, &ok);
		for (unsigned int i = 0; !err && ok && i < 5; i++)
			v->cr[i] = kdx_load_u64(buf + 8 * i, KDX_LITTLE_ENDIAN);
		if (!err && ok)
			v->have_crs |= 0x1f;
		return err;
	}
	return NULL;
}

static void plain_tag(struct cpu_walk *w, struct vcpu *v,
		      const struct kdx_vmw_tag *t)
{
	int gp = gp_index(t->name);

	if (gp >= 0 && t->nindex == 1) {
		v->regs[gp] = t->value;
		v->have_regs |= 1u << gp;
	} else if (!strcmp(t->name, "rip") && t->nindex == 1) {
		v->regs[REG_RIP] = t->value;
		v->have_regs |= 1u << REG_RIP;
	} else if ((!strcmp(t->name, "eflags") || !strcmp(t->name, "EFLAGS")) &&
		   t->nindex == 1) {
		v->regs[REG_RFLAGS] = t->value;
		v->have_regs |= 1u << REG_RFLAGS;
	} else if (!strcmp(t->name, "CR64") && t->nindex == 2 &&
		   t->index[1] < NCR64) {
		if (t->index[1] < 5) {
			v->cr[t->index[1]] = t->value;
			v->have_crs |= 1u << t->index[1];
		}
	} else if (!strcmp(t->name, "CR64") || gp >= 0) {
		w->ignored++; /* a form no reader describes */
	}
}

/* The register tags read here; the group holds many more (FPU, MSRs,
 * ...), which are none of kdx's business. */
static bool register_tag(const char *name)
{
	return gp_index(name) >= 0 || !strcmp(name, "gpregs") ||
	       !strcmp(name, "CR64") || !strcmp(name, "rip") ||
	       !strcmp(name, "eflags") || !strcmp(name, "EFLAGS");
}

static struct kdx_error *vcpu_tag(struct cpu_walk *w,
				  const struct kdx_vmw_tag *t, uint64_t at)
{
	(void)at;
	if (!register_tag(t->name))
		return NULL;
	if (t->nindex == 0 || t->index[0] >= w->count) {
		w->ignored++;
		return NULL;
	}
	if (t->block)
		return block_tag(w, &w->vcpus[t->index[0]], t);
	plain_tag(w, &w->vcpus[t->index[0]], t);
	return NULL;
}

static void add_vcpus(struct cpu_walk *w)
{
	unsigned int with_crs = 0;

	for (uint32_t i = 0; i < w->count; i++) {
		const struct vcpu *v = &w->vcpus[i];
		struct kdx_desc_cpu c = { .arch = KDX_ARCH_UNKNOWN };

		c.cpu.index = i;
		c.cpu.state_source = "VMware state";
		if ((v->have_regs & ALL_REGS) == ALL_REGS) {
			c.cpu.reg_count = NREGS;
			c.cpu.reg_names = reg_names;
			memcpy(c.cpu.regs, v->regs, sizeof(v->regs));
		}
		if ((v->have_crs & NEEDED_CRS) == NEEDED_CRS) {
			c.cpu.has_control_regs = true;
			memcpy(c.cpu.cr, v->cr, sizeof(v->cr));
			with_crs++;
		}
		if (c.cpu.reg_count || c.cpu.has_control_regs)
			kdx_desc_add_cpu(w->desc, &c);
	}
	kdx_desc_add_detail(w->desc, "vcpus",
			    "%u (cpu:numVCPUs), control registers of %u",
			    w->count, with_crs);
	if (w->ignored)
		kdx_desc_add_warning(
			w->desc,
			"VMware state: %u register tags of the \"cpu\" group have a size, form or vCPU number kdx does not know; not taken",
			w->ignored);
	w->desc->facts.nr_cpus = w->count;
	w->desc->facts.set |= KDX_FACT_NR_CPUS;
}

void kdx_vmw_cpu_state(const struct kdx_vmw_file *f, uint64_t at,
		       struct kdx_dump_desc *desc)
{
	struct cpu_walk w = { .f = f, .desc = desc, .group = at };
	struct kdx_error *err = each_tag(&w, count_tag);

	if (!err && !w.has_count) {
		kdx_desc_add_detail(desc, "vcpus",
				    "not counted (no cpu:numVCPUs): no CPU state");
		return;
	}
	if (!err && !(w.vcpus = calloc(w.count, sizeof(*w.vcpus))))
		err = kdx_err_nomem();
	if (!err)
		err = each_tag(&w, vcpu_tag);
	if (!err)
		add_vcpus(&w);
	free(w.vcpus);
	if (err && kdx_error_code(err) == KDX_ERR_NOMEM) {
		kdx_desc_fail(desc, err);
	} else if (err) {
		kdx_desc_add_warning(desc, "the \"cpu\" group: %s; no CPU state taken",
				     kdx_error_message(err));
		kdx_error_destroy(err);
	}
}
