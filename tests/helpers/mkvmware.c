/* SPDX-License-Identifier: MIT */
#include "mkvmware.h"

#include "bytes.h"
#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

static void tag_head(struct growbuf *o, const char *name, unsigned int nindex,
		     unsigned int len, const uint32_t *index)
{
	uint8_t b[2] = { (uint8_t)(nindex << 6 | len), (uint8_t)strlen(name) };

	growbuf_put(o, b, 2);
	growbuf_put(o, name, strlen(name));
	for (unsigned int i = 0; i < nindex; i++) {
		uint8_t v[4];

		put32(v, index[i], KDX_LITTLE_ENDIAN);
		growbuf_put(o, v, 4);
	}
}

static void tag_value(struct growbuf *o, const char *name, unsigned int nindex,
		      const uint32_t *index, uint64_t value, unsigned int len)
{
	uint8_t v[8];

	tag_head(o, name, nindex, len, index);
	put_bytes(v, value, (int)len, KDX_LITTLE_ENDIAN);
	growbuf_put(o, v, len);
}

/* A block (length 63, or 62 when compressed): sizes of 4 bytes (version
 * 0) or 8, a u16 padding count, the padding, the data. */
static void tag_block_sized(struct growbuf *o,
			    const struct mkvmware_options *opt,
			    const char *name, unsigned int nindex,
			    const uint32_t *index, const uint8_t *data,
			    size_t size, uint64_t declared, bool compressed)
{
	unsigned int w = opt->version == 0 ? 4 : 8;
	uint8_t v[8], pad[2];
	static const uint8_t zero[64];

	tag_head(o, name, nindex, compressed ? 62 : 63, index);
	put_bytes(v, declared, (int)w, KDX_LITTLE_ENDIAN);
	growbuf_put(o, v, w);
	growbuf_put(o, v, w);
	put16(pad, opt->block_pad, KDX_LITTLE_ENDIAN);
	growbuf_put(o, pad, 2);
	for (size_t left = opt->block_pad; left;) {
		size_t n = left < sizeof(zero) ? left : sizeof(zero);

		growbuf_put(o, zero, n);
		left -= n;
	}
	growbuf_put(o, data, size);
}

static void tag_block_at(struct growbuf *o, const struct mkvmware_options *opt,
			 const char *name, unsigned int nindex,
			 const uint32_t *index, const uint8_t *data,
			 size_t size, bool compressed)
{
	tag_block_sized(o, opt, name, nindex, index, data, size, size,
			compressed);
}

static void tag_block(struct growbuf *o, const struct mkvmware_options *opt,
		      const char *name, const uint8_t *data, size_t size)
{
	tag_block_at(o, opt, name, 0, NULL, data, size, false);
}

static void end_tags(struct growbuf *o)
{
	static const uint8_t z[2] = { 0 };

	growbuf_put(o, z, 2);
}

static void memory_group(struct growbuf *o, const struct mkvmware_options *opt)
{
	uint32_t idx[2] = { 0, 0 };

	tag_value(o, "align_mask", 0, NULL, 0xffff, 2);
	if (!opt->no_regions_count)
		tag_value(o, "regionsCount", 0, NULL,
			  opt->regions_count ? opt->regions_count :
					       opt->region_count, 4);
	for (size_t i = 0; i < opt->region_count; i++) {
		const struct mkvmware_region *r = &opt->regions[i];

		idx[0] = (uint32_t)i;
		tag_value(o, "regionPPN", 1, idx, r->ppn, 4);
		if (!(opt->drop_page_num && i == 0))
			tag_value(o, "regionPageNum", 1, idx, r->page_num, 4);
		tag_value(o, "regionSize", 1, idx, r->pages, 4);
	}
	if (opt->memory) {
		idx[0] = 0;
		tag_value(o, "hotSetSize", 2, idx, 7, 8);
		tag_block_at(o, opt, "Memory", 0, NULL, opt->memory,
			     opt->memory_size, opt->compressed_memory);
	}
	end_tags(o);
}

static const char *const gp_names[16] = {
	"rax", "rcx", "rdx", "rbx", "rbp", "rsp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static void vcpu_tags(struct growbuf *o, const struct mkvmware_options *opt,
		      uint32_t n, const struct mkvmware_vcpu *c)
{
	uint8_t b[128] = { 0 }, idt[10] = { 0xff, 0x0f };
	uint32_t idx[2] = { n, 0 };

	if (opt->cpu_plain) {
		for (unsigned int i = 0; i < 16; i++)
			tag_value(o, gp_names[i], 1, idx, c->gpregs[i], 8);
	} else {
		for (unsigned int i = 0; i < 16; i++)
			put64(b + 8 * i, c->gpregs[i], KDX_LITTLE_ENDIAN);
		tag_block_at(o, opt, "gpregs", 1, idx, b, 128, false);
	}
	tag_value(o, "rip", 1, idx, c->rip, 8);
	tag_value(o, "eflags", 1, idx, c->rflags, 4);
	if (opt->cpu_plain) {
		for (idx[1] = 0; idx[1] < 9; idx[1]++)
			tag_value(o, "CR64", 2, idx, c->cr[idx[1]], 8);
	} else {
		uint8_t cr[256] = { 0 };
		uint64_t size = opt->cr64_size ? opt->cr64_size : 72;

		for (unsigned int i = 0; i < 9; i++)
			put64(cr + 8 * i, c->cr[i], KDX_LITTLE_ENDIAN);
		/* An absurd size is declared, not written. */
		tag_block_sized(o, opt, "CR64", 1, idx, cr,
				size < sizeof(cr) ? (size_t)size : sizeof(cr),
				size, false);
	}
	put64(idt + 2, 0xfffffe0000000000ull, KDX_LITTLE_ENDIAN);
	tag_block_at(o, opt, "IDTR", 1, idx, idt, sizeof(idt), false);
}

static void cpu_group(struct growbuf *o, const struct mkvmware_options *opt)
{
	static const uint8_t cpu_state[40] = { 1, 2, 3 };

	tag_block(o, opt, "cpuState", cpu_state, sizeof(cpu_state));
	if (!opt->no_num_vcpus)
		tag_value(o, "cpu:numVCPUs", 0, NULL,
			  opt->num_vcpus ? opt->num_vcpus : opt->vcpu_count, 4);
	for (size_t n = 0; n < opt->vcpu_count; n++)
		vcpu_tags(o, opt, (uint32_t)n, &opt->vcpus[n]);
	end_tags(o);
}

uint8_t *mkvmware_build(const struct mkvmware_options *o, size_t *size)
{
	static const char *const groups[] = { "Checkpoint", "cpu", "memory" };
	struct growbuf out = { 0 };
	uint8_t h[12] = { 0xd0, 0xbe, 0xd2, 0xbe };
	size_t ngroups = 3, at;

	h[0] = (uint8_t)(0xd0 | o->version);
	if (o->version == 1)
		memcpy(h, "\xd1\xba\xd1\xba", 4);
	if (o->version == 3)
		memcpy(h, "\xd3\xbe\xd3\xbe", 4);
	put32(h + 8, (uint32_t)ngroups, KDX_LITTLE_ENDIAN);
	growbuf_put(&out, h, sizeof(h));
	/* Group entries, their offsets patched below. */
	for (size_t g = 0; g < ngroups; g++) {
		uint8_t e[80] = { 0 };

		strcpy((char *)e, g == 2 && o->no_memory_group ? "memorz" :
				  g == 1 && o->no_cpu_group    ? "cpz" :
								 groups[g]);
		growbuf_put(&out, e, sizeof(e));
	}
	for (size_t g = 0; g < ngroups; g++) {
		at = out.len;
		put64(out.p + 12 + g * 80 + 64, at, KDX_LITTLE_ENDIAN);
		if (g == 0) {
			tag_value(&out, "id", 0, NULL, 0x1234, 4);
			end_tags(&out);
		} else if (g == 1) {
			cpu_group(&out, o);
		} else {
			memory_group(&out, o);
		}
		put64(out.p + 12 + g * 80 + 72, out.len - at, KDX_LITTLE_ENDIAN);
	}
	*size = out.len;
	return out.p;
}
