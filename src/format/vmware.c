/* SPDX-License-Identifier: MIT */
/* VMware suspend and snapshot state (.vmss, .vmsn) with the guest's RAM in
 * a .vmem file beside it (or, in older state files, in the "Memory" tag
 * of the state itself).  The state file is a list of groups, each a list
 * of tags; the "memory" group's regionPPN/regionPageNum/regionSize tags
 * say which pages of the .vmem are which guest-physical pages.  Layout
 * and sources: docs/memory-images.md.
 *
 * Open it as `kdx info X.vmss` (X.vmem beside it is found by name) or
 * `kdx info X.vmss OTHER.vmem`. */
#include "format/vmware.h"

#include "core/endian.h"
#include "core/util.h"
#include "io/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_SIZE 12u
#define GROUP_SIZE 80u
#define GROUP_NAME 64u
#define MAX_GROUPS 1024u
#define MAX_REGIONS 4096u
#define VMW_PAGE 4096u
/* Data lengths that mean "a block of data follows, sized by a field":
 * compressed, or stored as it is (crash's vmware_vmss.h). */
#define TAG_BLOCK_COMPRESSED 62u
#define TAG_BLOCK 63u

static const uint8_t magics[][4] = {
	{ 0xd0, 0xbe, 0xd2, 0xbe },
	{ 0xd1, 0xba, 0xd1, 0xba },
	{ 0xd2, 0xbe, 0xd2, 0xbe },
	{ 0xd3, 0xbe, 0xd3, 0xbe },
};

struct region {
	uint64_t ppn, page_num, pages;
	bool has_ppn, has_page_num, has_size;
};

/* The .vmem when the RAM is not in the state file. */
struct vmware {
	struct kdx_file *owned; /* opened here, beside the state file */
	const struct kdx_file *vmem;
	struct region *regions;
	size_t region_count;
};

struct state {
	struct kdx_vmw_file f;
	uint64_t memory_group; /* offset of its first tag */
	uint64_t cpu_group;    /* 0: none */
	char group_names[256];
	uint64_t regions_count;
	bool has_regions_count, any_region_tag;
	/* Slots up to the highest region index a tag named, zeroed: a
	 * state names a few, and 4,096 cost 128 KiB at every open. */
	struct region *regions;
	size_t nregions;
	bool memory_tag;
	uint64_t memory_offset, memory_size;
};

static bool vmware_probe(const uint8_t *head, size_t len)
{
	if (len < HEADER_SIZE)
		return false;
	for (size_t i = 0; i < KDX_ARRAY_SIZE(magics); i++)
		if (!memcmp(head, magics[i], 4))
			return true;
	return false;
}

struct kdx_error *kdx_vmw_bad(uint64_t at, const char *what)
{
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT, "VMware state: offset 0x%llx: %s",
			(unsigned long long)at, what),
		at);
}

/* ---- groups ---- */

static struct kdx_error *read_groups(struct state *s)
{
	uint8_t h[HEADER_SIZE], g[GROUP_SIZE];
	uint32_t count;
	size_t len = 0;
	struct kdx_error *err = kdx_file_read(s->f.file, 0, h, sizeof(h));

	if (err)
		return err;
	s->f.version = h[0] & 0xf;
	count = kdx_load_u32(h + 8, KDX_LITTLE_ENDIAN);
	if (count > MAX_GROUPS)
		return kdx_vmw_bad(8, "more than 1024 groups");
	for (uint32_t i = 0; i < count; i++) {
		uint64_t at = HEADER_SIZE + (uint64_t)i * GROUP_SIZE;
		char name[GROUP_NAME + 1];

		err = kdx_file_read(s->f.file, at, g, sizeof(g));
		if (err)
			return err;
		memcpy(name, g, GROUP_NAME);
		name[GROUP_NAME] = '\0';
		if (len < sizeof(s->group_names) - 1)
			len += (size_t)snprintf(s->group_names + len,
						sizeof(s->group_names) - len,
						"%s%s", i ? " " : "", name);
		len = kdx_min_u64(len, sizeof(s->group_names) - 1);
		if (!strcmp(name, "memory"))
			s->memory_group = kdx_load_u64(g + GROUP_NAME,
						       KDX_LITTLE_ENDIAN);
		if (!strcmp(name, "cpu"))
			s->cpu_group = kdx_load_u64(g + GROUP_NAME,
						    KDX_LITTLE_ENDIAN);
	}
	if (!s->memory_group)
		return kdx_err(KDX_ERR_CORRUPT,
			       "VMware state: no \"memory\" group (groups: %s)",
			       s->group_names);
	return NULL;
}

/* ---- tags ---- */

static uint64_t load_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* A tag: flags (bits 7-6: how many u32 indices; bits 5-0: the value's
 * length, 62 or 63 for a block of data), the name's length, the name,
 * the indices, the value.  A block's value: its stored size, its size
 * in memory (4 bytes each in version 0, else 8), a u16 count of padding
 * bytes, the padding, the data. */
struct kdx_error *kdx_vmw_read_tag(const struct kdx_vmw_file *f, uint64_t at,
				   struct kdx_vmw_tag *t, uint64_t *next)
{
	uint8_t b[2 + KDX_VMW_TAG_NAME_MAX + 3 * 4 + 2 * 8 + 2];
	size_t got, pos, need;
	unsigned int flags, len;
	struct kdx_error *err = kdx_file_read_some(f->file, at, b, sizeof(b),
						   &got);

	if (err)
		return err;
	if (got < 2)
		return kdx_vmw_bad(at, "the tag list is cut short by the end of the file");
	flags = b[0];
	if (!flags && !b[1]) {
		*next = 0;
		return NULL;
	}
	t->nindex = (flags >> 6) & 3;
	len = flags & 0x3f;
	t->block = len == TAG_BLOCK || len == TAG_BLOCK_COMPRESSED;
	t->compressed = len == TAG_BLOCK_COMPRESSED;
	if (t->block)
		len = f->version == 0 ? 4 : 8; /* the size fields' width */
	else if (len > 8)
		return kdx_vmw_bad(at, "a tag value longer than 8 bytes");
	t->len = t->block ? 0 : len;
	pos = 2 + (size_t)b[1] + t->nindex * 4u;
	need = pos + (t->block ? 2 * len + 2 : len);
	if (got < need)
		return kdx_vmw_bad(at, "a tag cut short by the end of the file");
	memcpy(t->name, b + 2, b[1]);
	t->name[b[1]] = '\0';
	for (unsigned int i = 0; i < t->nindex; i++)
		t->index[i] = kdx_load_u32(b + 2 + b[1] + 4 * i,
					   KDX_LITTLE_ENDIAN);
	if (!t->block) {
		t->value = load_le(b + pos, len);
		*next = at + need;
		return NULL;
	}
	t->data_size = load_le(b + pos, len);
	t->data_offset = at + need + kdx_load_u16(b + pos + 2 * len,
						  KDX_LITTLE_ENDIAN);
	if (t->data_offset > f->size || f->size - t->data_offset < t->data_size)
		return kdx_vmw_bad(at, "a tag's data runs past the end of the file");
	*next = t->data_offset + t->data_size;
	return NULL;
}

/* Region @i's slot, the slots grown (zeroed) to hold it. */
static struct region *region_slot(struct state *s, uint32_t i)
{
	size_t cap = s->nregions ? s->nregions : 8;
	struct region *r;

	if (i < s->nregions)
		return &s->regions[i];
	while (cap <= i)
		cap *= 2;
	r = realloc(s->regions, cap * sizeof(*r));
	if (!r)
		return NULL;
	memset(r + s->nregions, 0, (cap - s->nregions) * sizeof(*r));
	s->regions = r;
	s->nregions = cap;
	return &r[i];
}

static struct kdx_error *region_tag(struct state *s,
				    const struct kdx_vmw_tag *t,
				    uint64_t at)
{
	struct region *r;

	if (t->nindex != 1 || t->index[0] >= MAX_REGIONS)
		return kdx_vmw_bad(at, "a region tag whose index is not one number below 4096");
	r = region_slot(s, t->index[0]);
	if (!r)
		return kdx_err_nomem();
	s->any_region_tag = true;
	if (!strcmp(t->name, "regionPPN")) {
		r->ppn = t->value;
		r->has_ppn = true;
	} else if (!strcmp(t->name, "regionPageNum")) {
		r->page_num = t->value;
		r->has_page_num = true;
	} else {
		r->pages = t->value;
		r->has_size = true;
	}
	return NULL;
}

static struct kdx_error *memory_tags(struct state *s)
{
	uint64_t at = s->memory_group;

	/* Bounded: every tag moves @at forward by at least two bytes. */
	while (at) {
		struct kdx_vmw_tag t;
		uint64_t next = 0;
		struct kdx_error *err = kdx_vmw_read_tag(&s->f, at, &t, &next);

		if (err)
			return kdx_err_wrap(err, "the \"memory\" group's tags");
		if (!next)
			break;
		if (!strcmp(t.name, "regionsCount") && !t.block) {
			s->regions_count = t.value;
			s->has_regions_count = true;
		} else if ((!strcmp(t.name, "regionPPN") ||
			    !strcmp(t.name, "regionPageNum") ||
			    !strcmp(t.name, "regionSize")) &&
			   !t.block) {
			err = region_tag(s, &t, at);
		} else if (!strcmp(t.name, "Memory") && t.block &&
			   t.compressed) {
			err = kdx_err_set_file_offset(
				kdx_err(KDX_ERR_UNSUPPORTED,
					"VMware state: offset 0x%llx: the \"Memory\" tag's data is compressed",
					(unsigned long long)at),
				at);
		} else if (!strcmp(t.name, "Memory") && t.block) {
			s->memory_tag = true;
			s->memory_offset = t.data_offset;
			s->memory_size = t.data_size;
		}
		if (err)
			return err;
		at = next;
	}
	return NULL;
}

/* ---- the map ---- */

static struct kdx_error *check_regions(const struct state *s,
				       uint64_t mem_size)
{
	char what[160];

	if (s->regions_count > MAX_REGIONS)
		return kdx_vmw_bad(s->memory_group, "regionsCount over 4096");
	for (uint64_t i = 0; i < s->regions_count; i++) {
		static const struct region untagged;
		const struct region *r = i < s->nregions ? &s->regions[i] :
							   &untagged;
		uint64_t end;

		if (!r->has_ppn || !r->has_page_num || !r->has_size) {
			snprintf(what, sizeof(what),
				 "region %llu lacks its regionPPN, regionPageNum or regionSize",
				 (unsigned long long)i);
			return kdx_vmw_bad(s->memory_group, what);
		}
		if (r->ppn > UINT64_MAX / VMW_PAGE - r->pages ||
		    r->page_num > UINT64_MAX / VMW_PAGE - r->pages ||
		    (end = (r->page_num + r->pages) * VMW_PAGE) > mem_size) {
			snprintf(what, sizeof(what),
				 "region %llu (pages 0x%llx+0x%llx of the memory file) lies beyond its 0x%llx bytes",
				 (unsigned long long)i,
				 (unsigned long long)r->page_num,
				 (unsigned long long)r->pages,
				 (unsigned long long)mem_size);
			return kdx_vmw_bad(s->memory_group, what);
		}
	}
	return NULL;
}

/* Memory in the state file maps its bytes directly; memory in a .vmem
 * is read through the reader (cookie: the .vmem offset). */
static void add_range(struct kdx_dump_desc *desc, const struct state *s,
		      uint64_t phys, uint64_t mem_offset, uint64_t size)
{
	if (s->memory_tag)
		kdx_desc_add_range(desc, phys, size, KDX_PIECE_FILE,
				   s->memory_offset + mem_offset);
	else
		kdx_desc_add_range(desc, phys, size, KDX_PIECE_FORMAT,
				   mem_offset);
}

static struct kdx_error *map_memory(struct kdx_dump_desc *desc,
				    const struct state *s, uint64_t mem_size)
{
	struct kdx_error *err;

	/* No regions: a small guest's memory is one run from 0; but region
	 * tags without their count cannot be placed. */
	if (!s->regions_count && s->any_region_tag && !s->has_regions_count)
		return kdx_vmw_bad(s->memory_group,
			   "region tags but no regionsCount");
	if (!s->regions_count) {
		if (mem_size)
			add_range(desc, s, 0, 0, mem_size);
		return NULL;
	}
	err = check_regions(s, mem_size);
	for (uint64_t i = 0; i < s->regions_count && !err; i++) {
		const struct region *r = &s->regions[i];

		if (r->pages)
			add_range(desc, s, r->ppn * VMW_PAGE,
				  r->page_num * VMW_PAGE, r->pages * VMW_PAGE);
	}
	return err;
}

/* ---- opening ---- */

static void vmware_destroy(void *priv)
{
	struct vmware *v = priv;

	if (!v)
		return;
	kdx_file_close(v->owned);
	free(v);
}

static struct kdx_error *vmware_read(void *priv, uint64_t cookie,
				     uint64_t offset, void *buf, size_t len)
{
	const struct vmware *v = priv;

	return kdx_file_read(v->vmem, cookie + offset, buf, len);
}

/* X.vmss or X.vmsn -> X.vmem, beside it. */
static struct kdx_error *open_sibling(const struct kdx_file *state,
				      struct vmware *v)
{
	const char *name = kdx_file_name(state);
	size_t n = strlen(name);
	char *path;
	struct kdx_error *err;

	if (n < 5 || (strcmp(name + n - 5, ".vmss") &&
		      strcmp(name + n - 5, ".vmsn")))
		return kdx_err(KDX_ERR_NOTFOUND,
			       "VMware state %s holds no memory and is not named *.vmss or *.vmsn: give its .vmem file after it",
			       name);
	path = strdup(name);
	if (!path)
		return kdx_err_nomem();
	memcpy(path + n - 5, ".vmem", 5);
	err = kdx_file_open(path, &v->owned);
	if (err)
		err = kdx_err_wrap(err, "VMware state %s holds no memory; its memory file",
				   name);
	free(path);
	v->vmem = v->owned;
	return err;
}

static void describe(struct kdx_dump_desc *desc, const struct state *s,
		     const struct vmware *v)
{
	kdx_desc_add_detail(desc, "groups", "%s", s->group_names);
	kdx_desc_add_detail(desc, "regions", "%llu",
			    (unsigned long long)s->regions_count);
	kdx_desc_add_detail(desc, "memory", "%s",
			    s->memory_tag ? "in the state file (\"Memory\" tag)" :
					    kdx_file_name(v->vmem));
	desc->facts.format_version = s->f.version;
	desc->facts.page_size = VMW_PAGE;
	desc->facts.set |= KDX_FACT_FORMAT_VERSION | KDX_FACT_PAGE_SIZE;
}

static struct kdx_error *open_state(const struct kdx_file *file,
				    const struct kdx_file *vmem,
				    const struct kdx_open_options *opts,
				    struct kdx_dump_desc *desc)
{
	struct state *s = calloc(1, sizeof(*s));
	struct vmware *v = calloc(1, sizeof(*v));
	struct kdx_error *err = s && v ? NULL : kdx_err_nomem();

	if (!err) {
		s->f.file = file;
		s->f.size = kdx_file_size(file);
		err = read_groups(s);
	}
	if (!err)
		err = memory_tags(s);
	if (!err && !s->memory_tag) {
		v->vmem = vmem;
		if (!vmem)
			err = open_sibling(file, v);
	}
	if (!err)
		err = map_memory(desc, s, s->memory_tag ? s->memory_size :
							  kdx_file_size(v->vmem));
	if (!err)
		describe(desc, s, v);
	if (!err && s->cpu_group)
		kdx_vmw_cpu_state(&s->f, s->cpu_group, desc);
	if (s)
		free(s->regions);
	free(s);
	if (err) {
		vmware_destroy(v);
		return err;
	}
	/* The state names no architecture (VMware's are x86): --arch, else
	 * VMCOREINFO found in memory decides. */
	desc->arch = opts->arch;
	desc->byte_order = KDX_LITTLE_ENDIAN;
	desc->priv = v;
	return NULL;
}

static struct kdx_error *vmware_open(const struct kdx_file *file,
				     const struct kdx_open_options *opts,
				     struct kdx_dump_desc *desc)
{
	return open_state(file, NULL, opts, desc);
}

/* The state file and its .vmem, state first. */
static struct kdx_error *vmware_open_parts(const struct kdx_file *const *files,
					   size_t nfiles,
					   const struct kdx_open_options *opts,
					   struct kdx_dump_desc *desc)
{
	if (nfiles != 2)
		return kdx_err(KDX_ERR_INVALID,
			       "VMware: give the state file (.vmss/.vmsn), then its .vmem");
	return open_state(files[0], files[1], opts, desc);
}

const struct kdx_format_ops kdx_format_vmware = {
	.name = "vmware",
	.description = "VMware .vmss/.vmsn state with its .vmem (give the state file first)",
	.detect = true,
	.probe = vmware_probe,
	.open = vmware_open,
	.open_parts = vmware_open_parts,
	.read = vmware_read,
	.destroy = vmware_destroy,
};
