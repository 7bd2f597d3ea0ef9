/* SPDX-License-Identifier: MIT */
/* The device state of a QEMU migration stream, for the CPUs' registers.
 *
 * Device sections carry no length: a section can be skipped only by
 * knowing its layout.  QEMU describes every section it wrote in the
 * "vmdesc" JSON after the stream's end marker (migration/savevm.c:
 * QEMU_VM_EOF, then 0x06, a u32 length, the JSON): for each device in
 * stream order its name, instance and fields, each with the bytes it
 * took ("size", per element of an "array_len" array), and the
 * subsections it sent (each 0x05, u8 name length, name, u32 version,
 * then its fields).  kdx finds that JSON from the end of the file, walks
 * the sections with it (each section's footer, 0x7e and its id, checks
 * the size), and reads from the "cpu" sections, by field name:
 *   x86 (target/i386/machine.c vmstate_x86_cpu): env.regs, env.eip,
 *     env.eflags, env.cr[0], env.cr[2], env.cr[3], env.cr[4], env.efer;
 *   arm (target/arm/machine.c vmstate_arm_cpu): the cpreg list,
 *     cpreg_vmstate_indexes (KVM register ids) and cpreg_vmstate_values,
 *     for TTBR0_EL1, TTBR1_EL1 and TCR_EL1.
 * Every number in the stream is big-endian.  Without the JSON, only x86
 * "cpu" sections of version 12 are read, at their fixed offsets (below).
 * Damage here costs the CPU state, with a warning, never the memory. */
#include "format/qemu_devstate.h"

#include "core/endian.h"
#include "core/util.h"
#include "format/common/json.h"
#include "io/file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VM_EOF 0x00
#define VM_SECTION_FULL 0x04
#define VM_SUBSECTION 0x05
#define VM_VMDESCRIPTION 0x06
#define VM_SECTION_FOOTER 0x7e

/* Where the JSON is looked for: the file's last bytes (after trailing
 * zeros a writer may pad with), first a little, then more. */
#define TAIL_SMALL (256u << 10)
#define TAIL_LARGE (16u << 20)
#define MAX_ZERO_TAIL (1u << 20)
#define MAX_VCPUS 4096u
#define MAX_CPREGS 4096u

/* KVM ids of AArch64 system registers in QEMU's cpreg list
 * (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | op0 << 14 |
 * op1 << 11 | CRn << 7 | CRm << 3 | op2). */
#define ARM64_SYSREG(op0, op1, crn, crm, op2)                                 \
	(UINT64_C(0x6030000000130000) | (op0) << 14 | (op1) << 11 |           \
	 (crn) << 7 | (crm) << 3 | (op2))
#define ID_TTBR0_EL1 ARM64_SYSREG(3u, 0u, 2u, 0u, 0u)
#define ID_TTBR1_EL1 ARM64_SYSREG(3u, 0u, 2u, 0u, 1u)
#define ID_TCR_EL1 ARM64_SYSREG(3u, 0u, 2u, 0u, 2u)

#define X86_EFER_LMA (UINT64_C(1) << 10)

static const char *const x86_reg_names[] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "rflags",
};
#define X86_NREGS 18u

struct walk {
	const struct kdx_file *file;
	struct kdx_dump_desc *desc;
	uint64_t pos;            /* the next section's type byte */
	bool footers;            /* every section ends in one */
	struct kdx_desc_cpu *cpus;
	size_t cpu_count, cpu_capacity;
	unsigned int sections;   /* walked and checked */
};

static struct kdx_error *bad(uint64_t at, const char *fmt, ...) KDX_PRINTF(2, 3);

static struct kdx_error *bad(uint64_t at, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT, "offset 0x%llx: %s",
			(unsigned long long)at, what),
		at);
}

/* ---- finding the JSON ---- */

/* The file's end without the zeros after the stream (at most 1 MiB of
 * them). */
static struct kdx_error *data_end(const struct kdx_file *file,
				  uint64_t start, uint64_t *end)
{
	uint8_t buf[4096];
	uint64_t e = kdx_file_size(file), limit;

	limit = e - start > MAX_ZERO_TAIL ? e - MAX_ZERO_TAIL : start;
	while (e > limit) {
		size_t n = (size_t)kdx_min_u64(sizeof(buf), e - limit);
		struct kdx_error *err = kdx_file_read(file, e - n, buf, n);

		if (err)
			return err;
		while (n && !buf[n - 1])
			n--, e--;
		if (n)
			break;
	}
	*end = e;
	return NULL;
}

/* In the @len bytes read from @base, the last place where 0x00 (the
 * end marker), 0x06, a u32 length reaching exactly @end and '{' start.
 * memrchr finds each '{' from the end (a byte-by-byte test of 16 MiB
 * was most of a fuzzed stream's open); the 6 bytes before it decide. */
static bool find_marker(const uint8_t *buf, size_t len, uint64_t base,
			uint64_t end, size_t *json_at)
{
	const uint8_t *brace;

	/* Each pass moves below one '{': bounded by len. */
	for (size_t below = len; below > 6 &&
	     (brace = memrchr(buf + 6, '{', below - 6));
	     below = (size_t)(brace - buf)) {
		size_t q = (size_t)(brace - buf);

		if (buf[q - 6] == VM_EOF && buf[q - 5] == VM_VMDESCRIPTION &&
		    kdx_load_u32(buf + q - 4, KDX_BIG_ENDIAN) == end - (base + q)) {
			*json_at = q;
			return true;
		}
	}
	return false;
}

/* The vmdesc JSON text (malloc'd) and its offset, or *@text NULL. */
static struct kdx_error *find_vmdesc(const struct kdx_file *file,
				     uint64_t start, char **text,
				     size_t *len, uint64_t *at)
{
	uint64_t end, base;
	size_t json_at, n;
	uint8_t *buf;
	struct kdx_error *err = data_end(file, start, &end);

	*text = NULL;
	for (unsigned int pass = 0; !err && pass < 2; pass++) {
		n = (size_t)kdx_min_u64(pass ? TAIL_LARGE : TAIL_SMALL,
					end - start);
		base = end - n;
		buf = malloc(n ? n : 1);
		if (!buf)
			return kdx_err_nomem();
		err = kdx_file_read(file, base, buf, n);
		if (!err && find_marker(buf, n, base, end, &json_at)) {
			memmove(buf, buf + json_at, n - json_at);
			*text = (char *)buf;
			*len = n - json_at;
			*at = base + json_at;
			return NULL;
		}
		free(buf);
		if (n == end - start)
			break; /* the whole stream was searched */
	}
	return err;
}

/* ---- sizes from the description ---- */

/* Bytes the fields of @fields took; false if a size is missing or the
 * sum overflows. */
static bool fields_size(const struct kdx_json *fields, uint64_t *out)
{
	uint64_t total = 0, bytes;

	for (const struct kdx_json *f = kdx_json_child(fields); f;
	     f = kdx_json_next(f)) {
		int64_t size, n = 1;

		if (!kdx_json_get_int(f, "size", &size) || size < 0)
			return false;
		if (kdx_json_get(f, "array_len") &&
		    (!kdx_json_get_int(f, "array_len", &n) || n < 0))
			return false;
		if (kdx_mul_overflows((uint64_t)size, (uint64_t)n, &bytes) ||
		    kdx_add_overflows(total, bytes, &total))
			return false;
	}
	*out = total;
	return true;
}

/* Bytes of a vmstate (fields, then subsections, each with its marker,
 * name and version); recursion is bounded by the JSON's depth. */
static bool vmstate_size(const struct kdx_json *v, uint64_t *out)
{
	const struct kdx_json *fields = kdx_json_get(v, "fields");
	uint64_t total = 0, sub;

	if (fields && !fields_size(fields, &total))
		return false;
	for (const struct kdx_json *s = kdx_json_child(kdx_json_get(v, "subsections"));
	     s; s = kdx_json_next(s)) {
		const char *name = kdx_json_get_string(s, "vmsd_name");

		if (!name || strlen(name) > 255 || !vmstate_size(s, &sub) ||
		    kdx_add_overflows(total, sub + 1 + 1 + strlen(name) + 4,
				      &total))
			return false;
	}
	*out = total;
	return true;
}

/* ---- the cpu sections ---- */

/* Where field @name starts in the section data, its element size and
 * count; false if the fields do not name it. */
static bool field_at(const struct kdx_json *device, const char *name,
		     uint64_t *offset, uint64_t *size, uint64_t *count)
{
	uint64_t at = 0;

	for (const struct kdx_json *f = kdx_json_child(kdx_json_get(device, "fields"));
	     f; f = kdx_json_next(f)) {
		int64_t sz = 0, n = 1;
		const char *fname = kdx_json_get_string(f, "name");

		kdx_json_get_int(f, "size", &sz);
		kdx_json_get_int(f, "array_len", &n);
		if (fname && !strcmp(fname, name)) {
			*offset = at;
			*size = (uint64_t)sz;
			*count = (uint64_t)n;
			return true;
		}
		at += (uint64_t)sz * (uint64_t)n; /* checked by vmstate_size */
	}
	return false;
}

/* A big-endian number of 1 to 8 bytes at @data_at + @offset. */
static struct kdx_error *read_be(const struct walk *w, uint64_t at,
				 uint64_t size, uint64_t *v)
{
	uint8_t b[8];
	struct kdx_error *err;

	*v = 0;
	if (size < 1 || size > 8)
		return bad(at, "a register field of %llu bytes",
			   (unsigned long long)size);
	err = kdx_file_read(w->file, at, b, (size_t)size);
	for (uint64_t i = 0; !err && i < size; i++)
		*v = *v << 8 | b[i];
	return err;
}

/* One scalar field by name: *@found false if the section has none. */
static struct kdx_error *scalar(const struct walk *w,
				const struct kdx_json *device,
				uint64_t data_at, const char *name,
				uint64_t *v, bool *found)
{
	uint64_t off, size, n;

	*found = field_at(device, name, &off, &size, &n) && n == 1;
	return *found ? read_be(w, data_at + off, size, v) : NULL;
}

static struct kdx_error *x86_cpu(const struct walk *w,
				 const struct kdx_json *device,
				 uint64_t data_at, struct kdx_desc_cpu *c)
{
	static const char *const crs[] = { "env.cr[0]", "env.cr[1]",
					   "env.cr[2]", "env.cr[3]",
					   "env.cr[4]" };
	uint64_t off, size, n;
	unsigned int have = 0;
	bool found;
	struct kdx_error *err = NULL;

	for (unsigned int i = 0; i < 5 && !err; i++) {
		err = scalar(w, device, data_at, crs[i], &c->cpu.cr[i], &found);
		have |= found ? 1u << i : 0;
	}
	/* cr1 is reserved and not saved; cr0, cr3 and cr4 translate. */
	c->cpu.has_control_regs = (have & 0x19) == 0x19;
	if (!err)
		err = scalar(w, device, data_at, "env.efer", &c->cpu.efer,
			     &c->cpu.has_efer);
	if (!err && c->cpu.has_efer && (c->cpu.efer & X86_EFER_LMA))
		c->arch = KDX_ARCH_X86_64;
	if (err || !field_at(device, "env.regs", &off, &size, &n) ||
	    n != 16 || size != 8)
		return err;
	for (unsigned int i = 0; i < 16 && !err; i++)
		err = read_be(w, data_at + off + 8 * i, 8, &c->cpu.regs[i]);
	if (!err)
		err = scalar(w, device, data_at, "env.eip", &c->cpu.regs[16],
			     &found);
	if (!err && found)
		err = scalar(w, device, data_at, "env.eflags",
			     &c->cpu.regs[17], &found);
	if (!err && found) {
		c->cpu.reg_count = X86_NREGS;
		c->cpu.reg_names = x86_reg_names;
	}
	return err;
}

/* TTBR0/TTBR1/TCR_EL1 from the cpreg list (an AArch64 CPU's). */
static struct kdx_error *arm_cpu(const struct walk *w,
				 const struct kdx_json *device,
				 uint64_t data_at, struct kdx_desc_cpu *c)
{
	uint64_t ioff, isize, in, voff, vsize, vn, id, v;
	unsigned int have = 0;
	struct kdx_error *err = NULL;

	if (!field_at(device, "cpreg_vmstate_indexes", &ioff, &isize, &in) ||
	    !field_at(device, "cpreg_vmstate_values", &voff, &vsize, &vn) ||
	    isize != 8 || vsize != 8 || in != vn || in > MAX_CPREGS)
		return NULL;
	for (uint64_t i = 0; i < in && !err && have != 7; i++) {
		err = read_be(w, data_at + ioff + 8 * i, 8, &id);
		if (err || (id != ID_TTBR0_EL1 && id != ID_TTBR1_EL1 &&
			    id != ID_TCR_EL1))
			continue;
		err = read_be(w, data_at + voff + 8 * i, 8, &v);
		if (id == ID_TTBR0_EL1)
			c->cpu.ttbr0_el1 = v, have |= 1;
		else if (id == ID_TTBR1_EL1)
			c->cpu.ttbr1_el1 = v, have |= 2;
		else
			c->cpu.tcr_el1 = v, have |= 4;
	}
	if (!err && have == 7) {
		c->cpu.has_ttbr = true;
		c->arch = KDX_ARCH_AARCH64;
	}
	return err;
}

static struct kdx_error *cpu_section(struct walk *w,
				     const struct kdx_json *device,
				     uint32_t instance, uint64_t data_at)
{
	struct kdx_desc_cpu c = { .arch = KDX_ARCH_UNKNOWN };
	struct kdx_error *err;

	if (instance >= MAX_VCPUS)
		return NULL;
	c.cpu.index = instance;
	c.cpu.state_source = "QEMU migration stream";
	err = x86_cpu(w, device, data_at, &c);
	if (!err && !c.cpu.has_control_regs)
		err = arm_cpu(w, device, data_at, &c);
	if (err || (!c.cpu.has_control_regs && !c.cpu.has_ttbr))
		return err;
	if (!kdx_array_push((void **)&w->cpus, &w->cpu_count, &w->cpu_capacity,
			    &c, sizeof(c)))
		return kdx_err_nomem();
	return NULL;
}

/* ---- without the JSON: vmstate_x86_cpu version 12 at fixed offsets ----
 *
 * The layout of version 12 (QEMU 0.13 on) up to env.efer has not changed,
 * for a QEMU built for x86_64 (8-byte target_ulong): regs[16] at 0, eip
 * 128, eflags 136, hflags 144, four u16 FPU words, fpregs 8 x 10 at 156,
 * segs 6 x 20 at 236, ldt, tr, gdt, idt, sysenter_cs, sysenter_esp,
 * sysenter_eip, then cr0 at 456, cr2 464, cr3 472, cr4 480, dr[8],
 * a20_mask, mxcsr, xmm_regs 16 x 16, efer at 816.  The sections are found
 * by their header (FULL, id, "cpu", instance, version 12); values no CPU
 * could hold (reserved bits of CR0, CR3, CR4 or EFER set, PG without PE)
 * reject a candidate: an i386 QEMU's layout, or bytes that only look
 * like a header. */
#define FIXED_HEADER 17u /* type, id, u8 3, "cpu", instance, version */
#define FIXED_CR0 456u
#define FIXED_EFER 816u
#define FIXED_SCAN (4u << 20)

static bool plausible(const uint64_t cr[5], uint64_t efer)
{
	return !(cr[0] >> 32) && (!(cr[0] & (1ull << 31)) || (cr[0] & 1)) &&
	       !(cr[3] >> 52) && !(cr[4] >> 26) && !(efer & ~0xfd01ull);
}

static void fixed_cpu(struct walk *w, const uint8_t *h, uint64_t data_at)
{
	uint8_t b[FIXED_EFER + 8];
	struct kdx_desc_cpu c = { .arch = KDX_ARCH_UNKNOWN };
	static const unsigned int at[5] = { 0, 0, 8, 16, 24 };

	struct kdx_error *err;

	c.cpu.index = kdx_load_u32(h + 9, KDX_BIG_ENDIAN);
	if (c.cpu.index >= MAX_VCPUS)
		return;
	err = kdx_file_read(w->file, data_at, b, sizeof(b));
	if (err) {
		kdx_error_destroy(err); /* a header near the end: not one */
		return;
	}
	for (unsigned int i = 0; i < 5; i++)
		c.cpu.cr[i] = i == 1 ? 0 :
			kdx_load_u64(b + FIXED_CR0 + at[i], KDX_BIG_ENDIAN);
	c.cpu.efer = kdx_load_u64(b + FIXED_EFER, KDX_BIG_ENDIAN);
	if (!plausible(c.cpu.cr, c.cpu.efer))
		return;
	for (unsigned int i = 0; i < 18; i++)
		c.cpu.regs[i] = kdx_load_u64(b + 8 * i, KDX_BIG_ENDIAN);
	c.cpu.reg_count = X86_NREGS;
	c.cpu.reg_names = x86_reg_names;
	c.cpu.has_control_regs = c.cpu.has_efer = true;
	c.cpu.state_source = "QEMU migration stream, fixed cpu v12 layout";
	if (c.cpu.efer & X86_EFER_LMA)
		c.arch = KDX_ARCH_X86_64;
	for (size_t i = 0; i < w->cpu_count; i++)
		if (w->cpus[i].cpu.index == c.cpu.index)
			return; /* one section per vCPU */
	if (!kdx_array_push((void **)&w->cpus, &w->cpu_count, &w->cpu_capacity,
			    &c, sizeof(c)))
		kdx_desc_fail(w->desc, kdx_err_nomem());
}

/* Scan the first 4 MiB of device state for cpu section headers.  memmem
 * finds the name (5 bytes into a header) and the bytes around it are
 * checked after: testing every byte offset cost 4 M compares, most of a
 * fuzzed stream's open. */
static struct kdx_error *fixed_layout(struct walk *w)
{
	static const uint8_t name[4] = { 3, 'c', 'p', 'u' };
	uint64_t end = kdx_min_u64(kdx_file_size(w->file),
				   w->pos + FIXED_SCAN);
	size_t n = (size_t)(end - w->pos);
	uint8_t *buf = malloc(n ? n : 1);
	struct kdx_error *err = buf ? kdx_file_read(w->file, w->pos, buf, n) :
				      kdx_err_nomem();
	const uint8_t *hit;

	/* Each pass moves past one match: bounded by n. */
	for (size_t from = 5; !err && from + FIXED_HEADER - 5 <= n &&
	     (hit = memmem(buf + from, n - from, name, sizeof(name)));
	     from = (size_t)(hit - buf) + 1) {
		size_t p = (size_t)(hit - buf) - 5;

		if (p + FIXED_HEADER <= n && buf[p] == VM_SECTION_FULL &&
		    kdx_load_u32(buf + p + 13, KDX_BIG_ENDIAN) == 12)
			fixed_cpu(w, buf + p, w->pos + p + FIXED_HEADER);
	}
	free(buf);
	return err;
}

/* ---- walking the sections ---- */

/* The FULL section at w->pos must be @device's; its data, then its
 * footer (when the stream has footers) move w->pos past it. */
static struct kdx_error *section(struct walk *w, const struct kdx_json *device)
{
	uint8_t h[1 + 4 + 1 + 255 + 4 + 4];
	const char *name = kdx_json_get_string(device, "name");
	int64_t instance;
	uint64_t at = w->pos, data_at, size, end;
	size_t got, nlen;
	uint32_t id, got_instance;
	struct kdx_error *err;

	if (!name || !kdx_json_get_int(device, "instance_id", &instance) ||
	    !vmstate_size(device, &size))
		return bad(at, "the vmdesc's device %u lacks a name, instance or field sizes",
			   w->sections);
	err = kdx_file_read_some(w->file, at, h, sizeof(h), &got);
	if (err)
		return err;
	nlen = got >= 6 ? h[5] : 0;
	if (got < 6 + nlen + 8 || h[0] != VM_SECTION_FULL)
		return bad(at, "no device section where the vmdesc puts '%s'",
			   name);
	id = kdx_load_u32(h + 1, KDX_BIG_ENDIAN);
	got_instance = kdx_load_u32(h + 6 + nlen, KDX_BIG_ENDIAN);
	if (nlen != strlen(name) || memcmp(h + 6, name, nlen) ||
	    got_instance != (uint64_t)instance)
		return bad(at, "section '%.*s' %u where the vmdesc has '%s' %lld",
			   (int)nlen, (const char *)h + 6, got_instance, name,
			   (long long)instance);
	data_at = at + 6 + nlen + 8;
	if (kdx_add_overflows(data_at, size, &end) ||
	    end > kdx_file_size(w->file))
		return bad(at, "section '%s' runs past the end of the file",
			   name);
	/* The footer checks the size; streams before QEMU 2.4 have none. */
	err = w->footers ? kdx_file_read_some(w->file, end, h, 5, &got) : NULL;
	if (!err && w->footers) {
		if (got < 5 || h[0] != VM_SECTION_FOOTER ||
		    kdx_load_u32(h + 1, KDX_BIG_ENDIAN) != id)
			return bad(end, "section '%s' does not end where the vmdesc's sizes say",
				   name);
		end += 5;
	}
	if (!err && !strcmp(name, "cpu"))
		err = cpu_section(w, device, (uint32_t)instance, data_at);
	w->pos = end;
	w->sections++;
	return err;
}

static struct kdx_error *walk_devices(struct walk *w,
				      const struct kdx_json_doc *doc)
{
	const struct kdx_json *devices = kdx_json_get(kdx_json_root(doc),
						      "devices");
	struct kdx_error *err = NULL;

	if (!devices || devices->type != KDX_JSON_ARRAY)
		return kdx_err(KDX_ERR_CORRUPT, "the vmdesc has no \"devices\" list");
	/* Bounded by the JSON's length. */
	for (const struct kdx_json *d = kdx_json_child(devices); d && !err;
	     d = kdx_json_next(d))
		err = section(w, d);
	return err;
}

void kdx_qemu_device_state(const struct kdx_file *file, uint64_t start,
			   uint64_t devices_at, bool footers,
			   struct kdx_dump_desc *desc)
{
	struct walk w = { .file = file, .desc = desc, .pos = devices_at,
			  .footers = footers };
	struct kdx_json_doc *doc = NULL;
	char *text;
	size_t len;
	uint64_t json_at = 0;
	struct kdx_error *err = find_vmdesc(file, start, &text, &len, &json_at);

	if (!err && !text) {
		err = fixed_layout(&w);
		for (size_t i = 0; !err && i < w.cpu_count; i++)
			kdx_desc_add_cpu(desc, &w.cpus[i]);
		if (!err)
			kdx_desc_add_detail(desc, "cpu_state",
					    "no vmdesc JSON after the stream's end marker: %zu vCPUs from \"cpu\" sections of version 12 at its fixed x86_64 offsets",
					    w.cpu_count);
		w.cpu_count = 0;
		if (!err) {
			free(w.cpus);
			return;
		}
	}
	if (!err && text) {
		err = kdx_json_parse(text, len, &doc);
		if (err)
			err = kdx_err_wrap(err, "the vmdesc JSON at offset 0x%llx",
					   (unsigned long long)json_at);
	}
	free(text);
	if (!err && doc)
		err = walk_devices(&w, doc);
	kdx_json_free(doc);
	if (err && kdx_error_code(err) == KDX_ERR_NOMEM) {
		kdx_desc_fail(desc, err);
		free(w.cpus);
		return;
	}
	if (err) {
		kdx_desc_add_warning(desc, "QEMU stream device state: %s; no CPU state taken",
				     kdx_error_message(err));
		kdx_error_destroy(err);
		free(w.cpus);
		return;
	}
	for (size_t i = 0; i < w.cpu_count; i++)
		kdx_desc_add_cpu(desc, &w.cpus[i]);
	kdx_desc_add_detail(desc, "cpu_state",
			    "%zu vCPUs from the \"cpu\" sections (%u device sections walked with the vmdesc JSON at offset 0x%llx)",
			    w.cpu_count, w.sections,
			    (unsigned long long)json_at);
	free(w.cpus);
}
