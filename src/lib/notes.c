/* SPDX-License-Identifier: MIT */
/* Decoding the notes a dump carries: per-CPU registers from NT_PRSTATUS
 * (layout per architecture), QEMU's CPU state and VirtualBox's VBCPU
 * (x86 control registers), merged CPU by CPU in note order; then the
 * vCPU state a reader found outside notes (VMware, QEMU streams). */
#include "lib/dump.h"

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* QEMUCPUState (version 1): control registers cr[0..4] at offset 392. */
#define QEMU_CPU_STATE_CR_OFFSET 392
#define QEMU_CPU_STATE_MIN_SIZE (QEMU_CPU_STATE_CR_OFFSET + 5 * 8)

/* VirtualBox `dumpvmcore` (include/VBox/vmm/dbgfcorefmt.h): a "VBCORE"
 * note (DBGFCOREDESCRIPTOR: magic, format version, ...) then one "VBCPU"
 * note per CPU (DBGFCORECPU: 18 general registers, 6 selectors of 24
 * bytes, then cr0, cr2, cr3, cr4), little-endian.  Format versions
 * before 0x00010002 wrote the VMM's own CPUMCTX instead, whose layout
 * changed between releases: no control registers are taken from those. */
#define NT_VBOXCORE 0xb00u
#define NT_VBOXCPU 0xb01u
#define VBOX_CORE_MAGIC 0xc01ac0deu
#define VBOX_FMT_DBGFCORECPU 0x00010002u
#define VBOX_CPU_CR0_OFFSET (18 * 8 + 6 * 24)
#define VBOX_CPU_MIN_SIZE (VBOX_CPU_CR0_OFFSET + 4 * 8)

/* Xen's own notes in a Xen host's kdump (xen/include/public/elfnote.h):
 * one CRASH_INFO (crash_xen_info_t: eight words, major and minor version,
 * the addresses of its extra version, changeset, compiler, compile date
 * and time strings, the taint flags; then, as Xen grew, dom0's p2m frame
 * list list (v1), then xen_phys_start before it (v2)) and one CRASH_REGS
 * per CPU (crash_xen_core_t: cr0, cr2, cr3, cr4), words of Xen's width. */
#define XEN_ELFNOTE_CRASH_INFO 0x1000001u
#define XEN_ELFNOTE_CRASH_REGS 0x1000002u
#define XEN_INFO_WORDS 8u

static const char *note_kind(const struct kdx_desc_note *n)
{
	if (!strcmp(n->name, "CORE")) {
		switch (n->type) {
		case KDX_NT_PRSTATUS: return "prstatus";
		case KDX_NT_PRFPREG: return "prfpreg";
		case KDX_NT_PRPSINFO: return "prpsinfo";
		case KDX_NT_TASKSTRUCT: return "taskstruct";
		}
	}
	if (!strcmp(n->name, "VMCOREINFO"))
		return "vmcoreinfo";
	if (!strcmp(n->name, "VMCOREINFO_XEN"))
		return "vmcoreinfo-xen";
	if (!strcmp(n->name, "QEMU") && n->type == 0)
		return "qemu-cpu-state";
	if (!strcmp(n->name, "VBCORE") && n->type == NT_VBOXCORE)
		return "vbox-core";
	if (!strcmp(n->name, "VBCPU") && n->type == NT_VBOXCPU)
		return "vbox-cpu";
	if (!strcmp(n->name, "LINUX") && n->type == KDX_NT_VMCOREDD)
		return "vmcoredd";
	if (!strcmp(n->name, "ERASEINFO"))
		return "eraseinfo";
	if (!strcmp(n->name, "Xen") && n->type == XEN_ELFNOTE_CRASH_INFO)
		return "xen-crash-info";
	if (!strcmp(n->name, "Xen") && n->type == XEN_ELFNOTE_CRASH_REGS)
		return "xen-crash-regs";
	if (!strcmp(n->name, "Xen"))
		return "xen";
	return "unknown";
}

static struct kdx_cpu *cpu_at(struct kdx_dump *dump, size_t index,
			      size_t *capacity)
{
	while (dump->cpu_count <= index) {
		struct kdx_cpu cpu = { .index = (unsigned int)dump->cpu_count };

		if (!kdx_array_push((void **)&dump->cpus, &dump->cpu_count,
				    capacity, &cpu, sizeof(cpu)))
			return NULL;
	}
	return &dump->cpus[index];
}

static void decode_prstatus(const struct kdx_dump *dump,
			    const struct kdx_desc_note *n, struct kdx_cpu *cpu)
{
	const struct kdx_arch_info *arch = kdx_arch_info(dump->desc.arch);
	const struct kdx_prstatus_layout *l = arch ? &arch->prstatus : NULL;
	enum kdx_byte_order bo = dump->desc.byte_order;

	if (!l || !l->reg_count ||
	    n->desc_size < l->reg_offset + (size_t)l->reg_count * l->reg_size)
		return; /* listed, but its layout is not one we know */
	cpu->pid = (int32_t)kdx_load_u32(n->desc + l->pid_offset, bo);
	cpu->reg_count = l->reg_count;
	cpu->reg_names = l->reg_names;
	for (unsigned int r = 0; r < l->reg_count; r++)
		cpu->regs[r] = kdx_load_uint(n->desc + l->reg_offset +
						     (size_t)r * l->reg_size,
					     l->reg_size, bo);
}

static void decode_qemu_state(const struct kdx_dump *dump,
			      const struct kdx_desc_note *n,
			      struct kdx_cpu *cpu)
{
	/* QEMU writes this note in the guest's byte order, x86 only. */
	enum kdx_byte_order bo = dump->desc.byte_order;

	if (n->desc_size < QEMU_CPU_STATE_MIN_SIZE ||
	    kdx_load_u32(n->desc, bo) != 1)
		return;
	cpu->has_control_regs = true;
	cpu->state_source = "QEMU CPU state note";
	for (int i = 0; i < 5; i++)
		cpu->cr[i] = kdx_load_u64(
			n->desc + QEMU_CPU_STATE_CR_OFFSET + 8 * i, bo);
}

/* The format version of the dump's VBCORE note; 0 if none. */
static uint32_t vbox_format(const struct kdx_dump *dump)
{
	for (size_t i = 0; i < dump->desc.note_count; i++) {
		const struct kdx_desc_note *n = &dump->desc.notes[i];

		if (!strcmp(n->name, "VBCORE") && n->type == NT_VBOXCORE &&
		    n->desc_size >= 8 &&
		    kdx_load_u32(n->desc, KDX_LITTLE_ENDIAN) == VBOX_CORE_MAGIC)
			return kdx_load_u32(n->desc + 4, KDX_LITTLE_ENDIAN);
	}
	return 0;
}

static void decode_vbox_cpu(uint32_t format, const struct kdx_desc_note *n,
			    struct kdx_cpu *cpu)
{
	static const unsigned int cr[] = { 0, 2, 3, 4 };

	if (format < VBOX_FMT_DBGFCORECPU || n->desc_size < VBOX_CPU_MIN_SIZE)
		return;
	cpu->has_control_regs = true;
	cpu->state_source = "VirtualBox VBCPU note";
	for (size_t i = 0; i < 4; i++)
		cpu->cr[cr[i]] = kdx_load_u64(
			n->desc + VBOX_CPU_CR0_OFFSET + 8 * i, KDX_LITTLE_ENDIAN);
}

/* A reader's saved vCPU state joins the notes' CPU of the same index,
 * filling what the notes left out. */
static void merge_saved(struct kdx_cpu *cpu, const struct kdx_cpu *saved)
{
	if (!cpu->reg_count && saved->reg_count) {
		cpu->reg_count = saved->reg_count;
		cpu->reg_names = saved->reg_names;
		memcpy(cpu->regs, saved->regs, sizeof(cpu->regs));
	}
	if (!cpu->has_control_regs && saved->has_control_regs) {
		cpu->has_control_regs = true;
		memcpy(cpu->cr, saved->cr, sizeof(cpu->cr));
		cpu->state_source = saved->state_source;
	}
	if (!cpu->has_efer && saved->has_efer) {
		cpu->has_efer = true;
		cpu->efer = saved->efer;
	}
	if (!cpu->has_ttbr && saved->has_ttbr) {
		cpu->has_ttbr = true;
		cpu->ttbr0_el1 = saved->ttbr0_el1;
		cpu->ttbr1_el1 = saved->ttbr1_el1;
		cpu->tcr_el1 = saved->tcr_el1;
	}
	if (!cpu->state_source)
		cpu->state_source = saved->state_source;
}

static struct kdx_error *add_saved_cpus(struct kdx_dump *dump,
					size_t *capacity)
{
	for (size_t i = 0; i < dump->desc.cpu_count; i++) {
		const struct kdx_cpu *saved = &dump->desc.cpus[i].cpu;
		struct kdx_cpu *cpu = cpu_at(dump, saved->index, capacity);

		if (!cpu)
			return kdx_err_nomem();
		merge_saved(cpu, saved);
	}
	return NULL;
}

/* The word width of a crash_xen_info_t of @size bytes (any version), 0
 * when no layout has that size. */
static unsigned int xen_info_word(size_t size)
{
	for (unsigned int w = 4; w <= 8; w += 4)
		if (size % w == 0 && size / w >= XEN_INFO_WORDS &&
		    size / w <= XEN_INFO_WORDS + 2)
			return w;
	return 0;
}

static void decode_xen_info(struct kdx_dump *dump,
			    const struct kdx_desc_note *n)
{
	struct kdx_dump_facts *f = &dump->desc.facts;
	enum kdx_byte_order bo = dump->desc.byte_order;
	unsigned int w = xen_info_word(n->desc_size);
	uint64_t v[XEN_INFO_WORDS + 2];
	size_t words = w ? n->desc_size / w : 0;

	if (!w)
		return; /* listed as a note, not a layout we know */
	for (size_t i = 0; i < words; i++)
		v[i] = kdx_load_uint(n->desc + i * w, w, bo);
	f->set |= KDX_FACT_XEN_CRASH_INFO;
	f->xen_major_version = v[0];
	f->xen_minor_version = v[1];
	f->xen_extra_version = v[2];
	f->xen_changeset = v[3];
	f->xen_compiler = v[4];
	f->xen_compile_date = v[5];
	f->xen_compile_time = v[6];
	f->xen_tainted = v[7];
	f->xen_crash_info_version = (unsigned int)(words - XEN_INFO_WORDS);
	if (words == XEN_INFO_WORDS + 2) {
		f->set |= KDX_FACT_XEN_PHYS_START;
		f->xen_phys_start = v[8];
	}
	/* 0 or ~0: dom0 published no tree (Linux with a virtual p2m for the
	 * tools, SIF_VIRT_P2M_4TOOLS) */
	if (words > XEN_INFO_WORDS && v[words - 1] &&
	    v[words - 1] != (w == 8 ? UINT64_MAX : UINT32_MAX)) {
		f->set |= KDX_FACT_XEN_DOM0_P2M;
		f->xen_dom0_p2m_fll = v[words - 1];
	}
}

/* A Xen CPU's control registers; cr3 is a machine address. */
static void decode_xen_regs(const struct kdx_dump *dump,
			    const struct kdx_desc_note *n, struct kdx_cpu *cpu)
{
	static const unsigned int cr[] = { 0, 2, 3, 4 };
	unsigned int w = n->desc_size == 32 ? 8 : n->desc_size == 16 ? 4 : 0;

	if (!w)
		return;
	cpu->has_control_regs = true;
	cpu->state_source = "Xen crash-regs note";
	for (size_t i = 0; i < 4; i++)
		cpu->cr[cr[i]] = kdx_load_uint(n->desc + i * w, w,
					       dump->desc.byte_order);
}

struct kdx_error *kdx_dump_decode_notes(struct kdx_dump *dump)
{
	size_t count = dump->desc.note_count, capacity = 0;
	size_t prstatus = 0, qemu = 0, vbox = 0, xen_regs = 0;
	uint32_t vbox_version = vbox_format(dump);

	dump->notes = calloc(count ? count : 1, sizeof(*dump->notes));
	if (!dump->notes)
		return kdx_err_nomem();
	for (size_t i = 0; i < count; i++) {
		const struct kdx_desc_note *n = &dump->desc.notes[i];
		struct kdx_cpu *cpu = NULL;

		dump->notes[i] = (struct kdx_note){
			.name = n->name,
			.type = n->type,
			.desc = n->desc,
			.desc_size = n->desc_size,
			.file_offset = n->file_offset,
			.kind = note_kind(n),
		};
		if (!strcmp(dump->notes[i].kind, "prstatus")) {
			cpu = cpu_at(dump, prstatus++, &capacity);
			if (cpu)
				decode_prstatus(dump, n, cpu);
		} else if (!strcmp(dump->notes[i].kind, "qemu-cpu-state")) {
			cpu = cpu_at(dump, qemu++, &capacity);
			if (cpu)
				decode_qemu_state(dump, n, cpu);
		} else if (!strcmp(dump->notes[i].kind, "vbox-cpu")) {
			cpu = cpu_at(dump, vbox++, &capacity);
			if (cpu)
				decode_vbox_cpu(vbox_version, n, cpu);
		} else if (!strcmp(dump->notes[i].kind, "xen-crash-regs")) {
			cpu = cpu_at(dump, xen_regs++, &capacity);
			if (cpu)
				decode_xen_regs(dump, n, cpu);
		} else if (!strcmp(dump->notes[i].kind, "xen-crash-info")) {
			decode_xen_info(dump, n);
			continue;
		} else {
			continue;
		}
		if (!cpu)
			return kdx_err_nomem();
	}
	return add_saved_cpus(dump, &capacity);
}
