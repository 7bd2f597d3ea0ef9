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

/* A block: sizes of 4 bytes (version 0) or 8, two bytes, the data. */
static void tag_block(struct growbuf *o, unsigned int version, const char *name,
		      const uint8_t *data, size_t size)
{
	unsigned int w = version == 0 ? 4 : 8;
	uint8_t v[8], pad[2] = { 0 };

	tag_head(o, name, 0, 62, NULL);
	put_bytes(v, size, (int)w, KDX_LITTLE_ENDIAN);
	growbuf_put(o, v, w);
	growbuf_put(o, v, w);
	growbuf_put(o, pad, 2);
	growbuf_put(o, data, size);
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
		tag_value(o, "regionsCount", 0, NULL, opt->region_count, 4);
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
		tag_block(o, opt->version, "Memory", opt->memory,
			  opt->memory_size);
	}
	end_tags(o);
}

uint8_t *mkvmware_build(const struct mkvmware_options *o, size_t *size)
{
	static const char *const groups[] = { "Checkpoint", "cpu", "memory" };
	static const uint8_t cpu_state[40] = { 1, 2, 3 };
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
			tag_block(&out, o->version, "cpuState", cpu_state,
				  sizeof(cpu_state));
			end_tags(&out);
		} else {
			memory_group(&out, o);
		}
		put64(out.p + 12 + g * 80 + 72, out.len - at, KDX_LITTLE_ENDIAN);
	}
	*size = out.len;
	return out.p;
}
