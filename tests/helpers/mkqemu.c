/* SPDX-License-Identifier: MIT */
#include "mkqemu.h"

#include "bytes.h"
#include "growbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mkqemu {
	struct growbuf out;
};

void mkqemu_bytes(struct mkqemu *q, const void *p, size_t n)
{
	growbuf_put(&q->out, p, n);
}

void mkqemu_u8(struct mkqemu *q, uint8_t v)
{
	mkqemu_bytes(q, &v, 1);
}

void mkqemu_be16(struct mkqemu *q, uint16_t v)
{
	uint8_t b[2];

	put16(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_be32(struct mkqemu *q, uint32_t v)
{
	uint8_t b[4];

	put32(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_be64(struct mkqemu *q, uint64_t v)
{
	uint8_t b[8];

	put64(b, v, KDX_BIG_ENDIAN);
	mkqemu_bytes(q, b, sizeof(b));
}

void mkqemu_name(struct mkqemu *q, const char *name)
{
	mkqemu_u8(q, (uint8_t)strlen(name));
	mkqemu_bytes(q, name, strlen(name));
}

struct mkqemu *mkqemu_new(void)
{
	struct mkqemu *q = calloc(1, sizeof(*q));

	if (!q)
		abort();
	mkqemu_bytes(q, "QEVM", 4);
	mkqemu_be32(q, 3);
	return q;
}

void mkqemu_free(struct mkqemu *q)
{
	if (q)
		free(q->out.p);
	free(q);
}

void mkqemu_configuration(struct mkqemu *q, const char *machine)
{
	mkqemu_u8(q, MKQEMU_CONFIGURATION);
	mkqemu_be32(q, (uint32_t)strlen(machine));
	mkqemu_bytes(q, machine, strlen(machine));
}

void mkqemu_section(struct mkqemu *q, uint8_t type, uint32_t id,
		    const char *name, uint32_t version)
{
	mkqemu_u8(q, type);
	mkqemu_be32(q, id);
	if (type == MKQEMU_START || type == MKQEMU_FULL) {
		mkqemu_name(q, name);
		mkqemu_be32(q, 0);
		mkqemu_be32(q, version);
	}
}

void mkqemu_footer(struct mkqemu *q, uint32_t id)
{
	mkqemu_u8(q, MKQEMU_FOOTER);
	mkqemu_be32(q, id);
}

void mkqemu_ram_blocks(struct mkqemu *q, const struct mkqemu_block *b,
		       size_t n)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += b[i].length;
	mkqemu_be64(q, total | MKQEMU_RAM_MEM_SIZE);
	for (size_t i = 0; i < n; i++) {
		mkqemu_name(q, b[i].name);
		mkqemu_be64(q, b[i].length);
	}
}

static void record(struct mkqemu *q, const char *block, bool cont,
		   uint64_t offset, unsigned int flags)
{
	mkqemu_be64(q, offset | flags | (cont ? MKQEMU_RAM_CONTINUE : 0));
	if (!cont)
		mkqemu_name(q, block);
}

void mkqemu_ram_page(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset, const uint8_t *data)
{
	record(q, block, cont, offset, MKQEMU_RAM_PAGE);
	mkqemu_bytes(q, data, MKQEMU_PAGE);
}

void mkqemu_ram_zero(struct mkqemu *q, const char *block, bool cont,
		     uint64_t offset)
{
	record(q, block, cont, offset, MKQEMU_RAM_ZERO);
	mkqemu_u8(q, 0);
}

void mkqemu_ram_eos(struct mkqemu *q)
{
	mkqemu_be64(q, MKQEMU_RAM_EOS);
}

const uint8_t *mkqemu_data(const struct mkqemu *q, size_t *size)
{
	*size = q->out.len;
	return q->out.p;
}

uint8_t *mkqemu_libvirt(const uint8_t *stream, size_t stream_size,
			const char *xml, uint32_t data_len, uint32_t format,
			bool partial, bool big_endian, size_t *size)
{
	enum kdx_byte_order bo = big_endian ? KDX_BIG_ENDIAN :
					      KDX_LITTLE_ENDIAN;
	size_t header = 16 + 19 * 4;
	uint8_t *out;

	if (!data_len)
		data_len = (uint32_t)strlen(xml) + 1;
	*size = header + data_len + stream_size;
	out = calloc(1, *size);
	if (!out)
		abort();
	memcpy(out, partial ? "LibvirtQemudPart" : "LibvirtQemudSave", 16);
	put32(out + 16, 2, bo);
	put32(out + 20, data_len, bo);
	put32(out + 24, 1, bo); /* was_running */
	put32(out + 28, format, bo);
	memcpy(out + header, xml, strlen(xml));
	memcpy(out + header + data_len, stream, stream_size);
	return out;
}

/* ---- device state and its vmdesc JSON ---- */

static void json(struct growbuf *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void json(struct growbuf *j, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		abort();
	growbuf_put(j, buf, (size_t)n);
}

static void full_section(struct mkqemu *q, uint32_t id, const char *name,
			 uint32_t instance, uint32_t version)
{
	mkqemu_u8(q, MKQEMU_FULL);
	mkqemu_be32(q, id);
	mkqemu_name(q, name);
	mkqemu_be32(q, instance);
	mkqemu_be32(q, version);
}

static void fill(struct mkqemu *q, size_t n, uint8_t byte)
{
	for (size_t i = 0; i < n; i++)
		mkqemu_u8(q, byte);
}

/* vmstate_x86_cpu (version 12, an x86_64 QEMU) up to env.efer, every
 * field in its order and size (regs, eip, eflags, hflags, four u16 FPU
 * words, fpregs 8 x 10, segs 6 x 20, ldt, tr, gdt, idt 20 each,
 * sysenter_cs 4, sysenter_esp/eip 8, cr0, cr2, cr3, cr4, dr 8 x 8,
 * a20_mask 4, mxcsr 4, xmm_regs 16 x 16, efer), then two entries of an
 * array described element by element, then the cpu/pkru subsection. */
static void x86_cpu(struct mkqemu *q, struct growbuf *j,
		    const struct mkqemu_vcpu *c)
{
	static const struct {
		const char *name;
		int len, size; /* array_len (0: none), element bytes */
	} filler[] = {
		{ "env.hflags", 0, 4 },        { "env.fpuc", 0, 2 },
		{ "env.fpus_vmstate", 0, 2 },  { "env.fptag_vmstate", 0, 2 },
		{ "env.fpregs_format_vmstate", 0, 2 },
		{ "env.fpregs", 8, 10 },       { "env.segs", 6, 20 },
		{ "env.ldt", 0, 20 },          { "env.tr", 0, 20 },
		{ "env.gdt", 0, 20 },          { "env.idt", 0, 20 },
		{ "env.sysenter_cs", 0, 4 },   { "env.sysenter_esp", 0, 8 },
		{ "env.sysenter_eip", 0, 8 },
	};

	for (int i = 0; i < 16; i++)
		mkqemu_be64(q, c->regs[i]);
	mkqemu_be64(q, c->rip);
	mkqemu_be64(q, c->rflags);
	json(j, "\"version\": 12, \"fields\": ["
		"{\"name\": \"env.regs\", \"array_len\": 16, \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"env.eip\", \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"env.eflags\", \"type\": \"uint64\", \"size\": 8}");
	for (size_t f = 0; f < sizeof(filler) / sizeof(filler[0]); f++) {
		int n = filler[f].len ? filler[f].len : 1;

		fill(q, (size_t)(n * filler[f].size), (uint8_t)(0x50 + f));
		if (filler[f].len)
			json(j, ", {\"name\": \"%s\", \"array_len\": %d, \"type\": \"struct\", "
				"\"struct\": {\"vmsd_name\": \"x\", \"version\": 1, \"fields\": []}, \"size\": %d}",
			     filler[f].name, filler[f].len, filler[f].size);
		else
			json(j, ", {\"name\": \"%s\", \"type\": \"uint\", \"size\": %d}",
			     filler[f].name, filler[f].size);
	}
	for (int i = 0; i < 5; i++) {
		if (i == 1)
			continue;
		mkqemu_be64(q, c->cr[i]);
		json(j, ", {\"name\": \"env.cr[%d]\", \"type\": \"uint64\", \"size\": 8}", i);
	}
	fill(q, 8 * 8 + 4 + 4 + 16 * 16, 0xd4);
	mkqemu_be64(q, c->efer);
	mkqemu_be32(q, 0x11);
	mkqemu_be32(q, 0x22);
	mkqemu_u8(q, MKQEMU_SUBSECTION);
	mkqemu_name(q, "cpu/pkru");
	mkqemu_be32(q, 1);
	mkqemu_be32(q, 0x55555554);
	json(j, ", {\"name\": \"env.dr\", \"array_len\": 8, \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"env.a20_mask\", \"type\": \"int32\", \"size\": 4}, "
		"{\"name\": \"env.mxcsr\", \"type\": \"uint32\", \"size\": 4}, "
		"{\"name\": \"env.xmm_regs[0]\", \"array_len\": 16, \"type\": \"struct\", "
		"\"struct\": {\"vmsd_name\": \"xmm_reg\", \"version\": 1, \"fields\": []}, \"size\": 16}, "
		"{\"name\": \"env.efer\", \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"env.x[0]\", \"index\": 0, \"type\": \"uint32\", \"size\": 4}, "
		"{\"name\": \"env.x[1]\", \"index\": 1, \"type\": \"uint32\", \"size\": 4}], "
		"\"subsections\": [{\"vmsd_name\": \"cpu/pkru\", \"version\": 1, \"fields\": "
		"[{\"name\": \"env.pkru\", \"type\": \"uint32\", \"size\": 4}]}]");
}

/* vmstate_arm_cpu, a subset: xregs, pc, then the cpreg list (its length
 * and two arrays of u64: KVM ids, values). */
static void arm_cpu(struct mkqemu *q, struct growbuf *j,
		    const struct mkqemu_vcpu *c)
{
	static const uint64_t ids[5] = {
		0x603000000013c000ull, /* MIDR_EL1 (op0 3, CRn 0) */
		0x603000000013c100ull, /* TTBR0_EL1 */
		0x603000000013c101ull, /* TTBR1_EL1 */
		0x603000000013c102ull, /* TCR_EL1 */
		0x603000000013c510ull, /* FAR_EL1-ish: another id */
	};
	const uint64_t values[5] = { 0x410fd034, c->ttbr0, c->ttbr1, c->tcr,
				     0xdead };

	for (int i = 0; i < 32; i++)
		mkqemu_be64(q, 0x1000 + (uint64_t)i);
	mkqemu_be64(q, c->rip);
	mkqemu_be32(q, 5);
	for (int i = 0; i < 5; i++)
		mkqemu_be64(q, ids[i]);
	for (int i = 0; i < 5; i++)
		mkqemu_be64(q, values[i]);
	json(j, "\"version\": 22, \"fields\": ["
		"{\"name\": \"env.xregs\", \"array_len\": 32, \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"env.pc\", \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"cpreg_vmstate_array_len\", \"type\": \"int32\", \"size\": 4}, "
		"{\"name\": \"cpreg_vmstate_indexes\", \"array_len\": 5, \"type\": \"uint64\", \"size\": 8}, "
		"{\"name\": \"cpreg_vmstate_values\", \"array_len\": 5, \"type\": \"uint64\", \"size\": 8}]");
}

void mkqemu_devices(struct mkqemu *q, uint32_t first_id,
		    const struct mkqemu_devstate *d)
{
	struct growbuf j = { 0 };
	uint32_t id = first_id;

	json(&j, "{\"page_size\": 4096, \"devices\": [");
	full_section(q, id, "timer", 0, 2);
	fill(q, 3, 0x71);
	if (d->footers)
		mkqemu_footer(q, id);
	json(&j, "{\"name\": \"timer\", \"instance_id\": 0, \"vmsd_name\": \"timer\", "
		 "\"version\": 2, \"fields\": [{\"name\": \"data\", \"type\": \"buffer\", \"size\": %d}]}",
		 3 + d->timer_size_delta);
	for (size_t c = 0; c < d->cpu_count; c++) {
		full_section(q, ++id, "cpu_common", (uint32_t)c, 1);
		mkqemu_be32(q, 1);
		mkqemu_be32(q, 0);
		if (d->footers)
			mkqemu_footer(q, id);
		json(&j, ", {\"name\": \"cpu_common\", \"instance_id\": %zu, \"vmsd_name\": \"cpu_common\", "
			 "\"version\": 1, \"fields\": [{\"name\": \"halted\", \"type\": \"uint32\", \"size\": 4}, "
			 "{\"name\": \"interrupt_request\", \"type\": \"uint32\", \"size\": 4}]}", c);
		full_section(q, ++id, "cpu", (uint32_t)c, d->arm ? 22 : 12);
		json(&j, ", {\"name\": \"cpu\", \"instance_id\": %zu, \"vmsd_name\": \"cpu\", ", c);
		if (d->arm)
			arm_cpu(q, &j, &d->cpus[c]);
		else
			x86_cpu(q, &j, &d->cpus[c]);
		json(&j, "}");
		if (d->footers)
			mkqemu_footer(q, id);
	}
	json(&j, "]}");
	mkqemu_u8(q, MKQEMU_EOF);
	if (!d->no_vmdesc) {
		size_t n = j.len - (d->cut_json < j.len ? d->cut_json : 0);

		mkqemu_u8(q, 0x06);
		mkqemu_be32(q, (uint32_t)n);
		mkqemu_bytes(q, j.p, n);
	}
	fill(q, d->zero_pad, 0);
	free(j.p);
}
