/* SPDX-License-Identifier: MIT */
/* Opening a dump: choose a reader, let it describe the file, then build
 * what every format shares (physical map, notes, CPUs, VMCOREINFO, page
 * size). */
#include "lib/dump.h"

#include <kdx/kdx.h>

#include "arch/arch.h"
#include "core/util.h"
#include "io/file.h"
#include "lib/container.h"
#include "sym/elf_symbols.h"

#include <stddef.h>

#include <stdlib.h>
#include <string.h>

#ifndef KDX_VERSION_STRING
#define KDX_VERSION_STRING "0.0.0"
#endif

const char *kdx_version(void)
{
	return KDX_VERSION_STRING;
}

void kdx_open_options_init(struct kdx_open_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->version = KDX_OPEN_OPTIONS_VERSION;
}

static bool valid_page_size(unsigned long long size)
{
	return size >= 512 && size <= (1u << 24) && !(size & (size - 1));
}

static struct kdx_error *choose_page_size(struct kdx_dump *dump)
{
	const struct kdx_arch_info *arch = kdx_arch_info(dump->desc.arch);
	const char *text = kdx_dump_vmcoreinfo_get(dump, "PAGESIZE");
	unsigned long long from_vmcoreinfo = text ? strtoull(text, NULL, 0) : 0;

	if (dump->opts.page_size) {
		dump->page_size = dump->opts.page_size;
		dump->page_size_source = "command line";
	} else if (valid_page_size(from_vmcoreinfo)) {
		dump->page_size = (uint32_t)from_vmcoreinfo;
		dump->page_size_source = "VMCOREINFO";
	} else if (dump->desc.facts.set & KDX_FACT_PAGE_SIZE) {
		dump->page_size = dump->desc.facts.page_size;
		dump->page_size_source = "format header";
	} else if (arch) {
		dump->page_size = arch->default_page_size;
		dump->page_size_source = "architecture default";
	} else {
		dump->page_size = 4096;
		dump->page_size_source = "assumed";
	}
	/* A kernel's own PAGESIZE that is not one is damage worth saying. */
	if (text && !valid_page_size(from_vmcoreinfo))
		kdx_desc_add_warning(
			&dump->desc,
			"VMCOREINFO PAGESIZE=%.40s is not a page size (a power of two from 512 to 16M); using %u (%s)",
			text, dump->page_size, dump->page_size_source);
	return kdx_desc_take_error(&dump->desc);
}

/* A format that does not name the machine (LiME) leaves it to
 * VMCOREINFO, found in memory. */
static struct kdx_error *arch_from_vmcoreinfo(struct kdx_dump *dump)
{
	const struct kdx_arch_info *arch;

	dump->desc.arch = kdx_dump_arch_from_vmcoreinfo(dump);
	arch = kdx_arch_info(dump->desc.arch);
	if (!arch)
		return NULL;
	dump->word_size = arch->word_size;
	kdx_desc_add_detail(&dump->desc, "arch_source",
			    "VMCOREINFO keys (the format does not say)");
	return kdx_desc_take_error(&dump->desc);
}

/* No VMCOREINFO to name the machine: what the saved CPU state proves
 * (EFER.LMA: x86_64), if anything. */
static struct kdx_error *arch_from_cpu_state(struct kdx_dump *dump)
{
	for (size_t i = 0; i < dump->desc.cpu_count; i++) {
		const struct kdx_desc_cpu *c = &dump->desc.cpus[i];
		const struct kdx_arch_info *arch = kdx_arch_info(c->arch);

		if (!arch)
			continue;
		dump->desc.arch = c->arch;
		dump->word_size = arch->word_size;
		kdx_desc_add_detail(&dump->desc, "arch_source",
				    "CPU %u state (%s)", c->cpu.index,
				    c->cpu.state_source ? c->cpu.state_source :
							  "saved");
		break;
	}
	return kdx_desc_take_error(&dump->desc);
}

static struct kdx_error *finish_open(struct kdx_dump *dump)
{
	const struct kdx_arch_info *arch;
	struct kdx_error *err;

	if (dump->opts.arch != KDX_ARCH_UNKNOWN)
		dump->desc.arch = dump->opts.arch;
	arch = kdx_arch_info(dump->desc.arch);
	dump->word_size = arch ? arch->word_size : 0;
	if (dump->format->p2m)
		dump->p2m = dump->format->p2m(dump->desc.priv);
	/* The format knows the guest's width better than the arch's default
	 * (a Xen guest), unless the user named the arch. */
	if ((dump->desc.facts.set & KDX_FACT_WORD_SIZE) &&
	    dump->opts.arch == KDX_ARCH_UNKNOWN)
		dump->word_size = dump->desc.facts.word_size;
	err = kdx_physmap_build(&dump->desc.physmap, &dump->physmap);
	if (!err)
		err = kdx_physmap_ranges(&dump->physmap, &dump->ranges,
					 &dump->range_count);
	if (!err)
		err = kdx_dump_decode_notes(dump);
	if (!err)
		err = kdx_dump_load_vmcoreinfo(dump);
	if (!err && !dump->vmcoreinfo_text && !dump->format->not_linux)
		err = kdx_dump_search_vmcoreinfo(dump);
	if (!err && dump->desc.arch == KDX_ARCH_UNKNOWN)
		err = arch_from_vmcoreinfo(dump);
	if (!err && dump->desc.arch == KDX_ARCH_UNKNOWN)
		err = arch_from_cpu_state(dump);
	if (!err)
		err = choose_page_size(dump);
	dump->physmap.page_size = dump->page_size;
	return err;
}

/* The reader's own error, or the builders' failure, which came first. */
static struct kdx_error *first_failure(struct kdx_dump_desc *desc,
				       struct kdx_error *err)
{
	struct kdx_error *builder = kdx_desc_take_error(desc);

	if (!builder)
		return err;
	kdx_error_destroy(err);
	return builder;
}

/* One file, or the first of a split set whose others are in more_files. */
static struct kdx_error *read_format(struct kdx_dump *dump)
{
	const struct kdx_file **all;
	struct kdx_error *err;

	if (!dump->more_count)
		return first_failure(&dump->desc,
				     dump->format->open(dump->file, &dump->opts,
							&dump->desc));
	if (!dump->format->open_parts)
		return kdx_err(KDX_ERR_UNSUPPORTED,
			       "%s dumps are not split across files; give one file",
			       dump->format->name);
	all = malloc((dump->more_count + 1) * sizeof(*all));
	if (!all)
		return kdx_err_nomem();
	all[0] = dump->file;
	for (size_t i = 0; i < dump->more_count; i++)
		all[i + 1] = dump->more_files[i];
	err = dump->format->open_parts(all, dump->more_count + 1, &dump->opts,
				       &dump->desc);
	free(all);
	return first_failure(&dump->desc, err);
}

/* The caller's options, as far as its version of the struct goes: a
 * caller built against version 1 has no @kernel, one built against 2 no
 * @max_decompressed, and the bytes past its struct are not ours to read. */
static void copy_options(struct kdx_open_options *dst,
			 const struct kdx_open_options *src)
{
	kdx_open_options_init(dst);
	if (!src)
		return;
	if (src->version >= 3)
		*dst = *src;
	else if (src->version == 2)
		memcpy(dst, src,
		       offsetof(struct kdx_open_options, max_decompressed));
	else
		memcpy(dst, src, offsetof(struct kdx_open_options, kernel));
	dst->version = KDX_OPEN_OPTIONS_VERSION;
}

/* What the image's symbols say that the dump's headers did not: FreeBSD's
 * kernbase, and its version string, read where libkvm reads kernel
 * variables before it has page tables (link address minus kernbase,
 * physically). */
static void kernel_facts(struct kdx_dump *dump)
{
	const struct kdx_symbol *base = kdx_symtab_find(dump->symtab, "kernbase");
	const struct kdx_symbol *ver = kdx_symtab_find(dump->symtab, "version");
	struct kdx_dump_facts *f = &dump->desc.facts;
	char text[161];
	size_t n = 0;
	struct kdx_error *err;

	if (!base)
		return;
	if (!(f->set & KDX_FACT_KERNEL_BASE)) {
		f->set |= KDX_FACT_KERNEL_BASE;
		f->kernel_base = base->value;
		kdx_desc_add_detail(&dump->desc, "kernbase",
				    "0x%llx (kernel symbol)",
				    (unsigned long long)base->value);
	}
	if (!ver || ver->value < base->value)
		return;
	err = kdx_read_phys(dump, ver->value - base->value, text,
			    sizeof(text) - 1, KDX_READ_ZERO_FILL, NULL);
	if (err) {
		kdx_error_destroy(err);
		return;
	}
	while (n < sizeof(text) - 1 && text[n] >= 0x20 && text[n] < 0x7f)
		n++;
	text[n] = '\0';
	if (n)
		kdx_desc_add_detail(&dump->desc, "kernel_version", "%s", text);
}

/* Read the kernel image's symbols; one of another machine than the dump
 * would give wrong addresses, so it fails the open. */
static struct kdx_error *load_kernel(struct kdx_dump *dump)
{
	struct kdx_symtab *tab;
	enum kdx_arch arch;
	struct kdx_error *err = kdx_symtab_open(dump->opts.kernel, &tab);

	if (err)
		return err;
	dump->symtab = tab;
	arch = kdx_symtab_arch(tab);
	if (arch != KDX_ARCH_UNKNOWN && dump->desc.arch != KDX_ARCH_UNKNOWN &&
	    arch != dump->desc.arch)
		return kdx_err(KDX_ERR_INVALID,
			       "kernel image %s is a %s ELF, the dump is of a %s machine",
			       dump->opts.kernel, kdx_arch_name(arch),
			       kdx_arch_name(dump->desc.arch));
	kdx_desc_add_detail(&dump->desc, "kernel_image", "%s (%zu symbols from %s)",
			    dump->opts.kernel, kdx_symtab_count(tab),
			    kdx_symtab_section(tab));
	kernel_facts(dump);
	return kdx_desc_take_error(&dump->desc);
}

static struct kdx_error *open_file(struct kdx_file *file,
				   struct kdx_file **more, size_t more_count,
				   const struct kdx_open_options *opts,
				   struct kdx_dump **out)
{
	struct kdx_dump *dump;
	struct kdx_open_options known;
	struct kdx_error *err;

	/* Only the fields of the caller's version, from here on. */
	copy_options(&known, opts);
	/* A file whose unwrapping fails is already closed (and NULLed). */
	err = kdx_container_unwrap(&file, &known);
	for (size_t i = 0; i < more_count && !err; i++)
		err = kdx_container_unwrap(&more[i], &known);
	dump = err ? NULL : calloc(1, sizeof(*dump));
	if (!dump) {
		kdx_file_close(file);
		for (size_t i = 0; i < more_count; i++)
			kdx_file_close(more[i]);
		free(more);
		return err ? err : kdx_err_nomem();
	}
	pthread_mutex_init(&dump->segments_lock, NULL);
	dump->file = file;
	dump->more_files = more;
	dump->more_count = more_count;
	dump->opts = known;
	dump->desc.facts.version = KDX_DUMP_FACTS_VERSION;
	err = kdx_format_detect(file, dump->opts.format, &dump->format);
	if (!err) {
		err = read_format(dump);
		if (err)
			err = kdx_err_wrap(err, "%s: reading it as %s",
					   kdx_file_name(file),
					   dump->format->name);
	}
	if (!err) {
		kdx_container_describe(dump->file, &dump->desc);
		err = kdx_desc_take_error(&dump->desc);
	}
	if (!err)
		err = finish_open(dump);
	if (!err && dump->opts.kernel)
		err = load_kernel(dump);
	/* The caller's string need not outlive the open. */
	dump->opts.kernel = NULL;
	if (err) {
		kdx_dump_destroy(dump);
		return err;
	}
	*out = dump;
	return NULL;
}

struct kdx_error *kdx_dump_open_file(struct kdx_file *file,
				     const struct kdx_open_options *opts,
				     struct kdx_dump **out)
{
	return open_file(file, NULL, 0, opts, out);
}

/* How to open a dump's files, as @opts (NULL: defaults) ask. */
static unsigned int file_flags(const struct kdx_open_options *opts)
{
	return opts && opts->no_map ? KDX_FILE_NO_MAP : 0;
}

struct kdx_error *kdx_dump_open(const char *path,
				const struct kdx_open_options *opts,
				struct kdx_dump **out)
{
	struct kdx_file *file;
	struct kdx_error *err = kdx_file_open_flags(path, file_flags(opts),
						   &file);

	return err ? err : open_file(file, NULL, 0, opts, out);
}

struct kdx_error *kdx_dump_open_files(const char *const *paths, size_t count,
				      const struct kdx_open_options *opts,
				      struct kdx_dump **out)
{
	struct kdx_file *first, **more = NULL;
	struct kdx_error *err;

	if (!count)
		return kdx_err(KDX_ERR_INVALID, "no file to open");
	if (count > 1 && !(more = calloc(count - 1, sizeof(*more))))
		return kdx_err_nomem();
	err = kdx_file_open_flags(paths[0], file_flags(opts), &first);
	if (err) {
		free(more);
		return err;
	}
	for (size_t i = 1; i < count && !err; i++)
		err = kdx_file_open_flags(paths[i], file_flags(opts),
					  &more[i - 1]);
	if (err) {
		kdx_file_close(first);
		for (size_t i = 0; i < count - 1; i++)
			kdx_file_close(more[i]);
		free(more);
		return err;
	}
	return open_file(first, more, count - 1, opts, out);
}

struct kdx_error *kdx_dump_open_memory(const void *data, size_t size,
				       const struct kdx_open_options *opts,
				       struct kdx_dump **out)
{
	struct kdx_file *file;
	struct kdx_error *err = kdx_file_from_memory(data, size, &file);

	return err ? err : open_file(file, NULL, 0, opts, out);
}

void kdx_dump_destroy(struct kdx_dump *dump)
{
	if (!dump)
		return;
	if (dump->format && dump->format->destroy && dump->desc.priv)
		dump->format->destroy(dump->desc.priv);
	kdx_desc_deinit(&dump->desc);
	kdx_physmap_deinit(&dump->physmap);
	free(dump->ranges);
	kdx_symtab_destroy(dump->symtab);
	free(dump->segments);
	pthread_mutex_destroy(&dump->segments_lock);
	free(dump->lost);
	free(dump->notes);
	free(dump->cpus);
	free(dump->vmcoreinfo_text);
	free(dump->vmcoreinfo);
	free(dump->vmcoreinfo_source);
	kdx_file_close(dump->file);
	for (size_t i = 0; i < dump->more_count; i++)
		kdx_file_close(dump->more_files[i]);
	free(dump->more_files);
	free(dump);
}

const char *kdx_dump_format_name(const struct kdx_dump *dump)
{
	return dump->format->name;
}

enum kdx_arch kdx_dump_arch(const struct kdx_dump *dump)
{
	return dump->desc.arch;
}

enum kdx_byte_order kdx_dump_byte_order(const struct kdx_dump *dump)
{
	return dump->desc.byte_order;
}

unsigned int kdx_dump_word_size(const struct kdx_dump *dump)
{
	return dump->word_size;
}

uint32_t kdx_dump_page_size(const struct kdx_dump *dump)
{
	return dump->page_size;
}

const char *kdx_dump_page_size_source(const struct kdx_dump *dump)
{
	return dump->page_size_source;
}

const char *const *kdx_dump_warnings(const struct kdx_dump *dump,
				     size_t *count)
{
	*count = dump->desc.warning_count;
	return (const char *const *)dump->desc.warnings;
}

const struct kdx_detail *kdx_dump_details(const struct kdx_dump *dump,
					  size_t *count)
{
	*count = dump->desc.detail_count;
	return dump->desc.details;
}

const struct kdx_phys_range *kdx_dump_phys_ranges(const struct kdx_dump *dump,
						  size_t *count)
{
	*count = dump->range_count;
	return dump->ranges;
}

size_t kdx_dump_segment_count(const struct kdx_dump *dump)
{
	return dump->desc.segment_count;
}

const struct kdx_segment *kdx_dump_segments(const struct kdx_dump *dump,
					    size_t *count)
{
	/* The array is a cache the first caller fills: the dump stays
	 * const to its users. */
	struct kdx_dump *d = (struct kdx_dump *)dump;
	struct kdx_segment *segs = NULL;
	size_t n = 0;

	*count = 0;
	if (!dump->desc.segment_count || !dump->format->segments)
		return NULL;
	pthread_mutex_lock(&d->segments_lock);
	if (!d->segments_read) {
		struct kdx_error *err = dump->format->segments(dump->file,
							       &segs, &n);

		/* The headers were read whole at the open: they read the
		 * same now unless the file changed or memory ran out. */
		if (!err && n == dump->desc.segment_count) {
			d->segments = segs;
			d->segments_read = true;
		} else {
			free(segs);
		}
		kdx_error_destroy(err);
	}
	pthread_mutex_unlock(&d->segments_lock);
	if (d->segments_read)
		*count = dump->desc.segment_count;
	return d->segments_read ? d->segments : NULL;
}

bool kdx_dump_segments_have_virtual(const struct kdx_dump *dump)
{
	const struct kdx_dump_facts *f = &dump->desc.facts;

	return (f->set & KDX_FACT_SEGMENT_VADDRS) &&
	       f->segment_vaddrs != KDX_SEGMENT_VADDRS_NONE;
}

const struct kdx_dump_facts *kdx_dump_facts(const struct kdx_dump *dump)
{
	return &dump->desc.facts;
}

const struct kdx_note *kdx_dump_notes(const struct kdx_dump *dump,
				      size_t *count)
{
	*count = dump->desc.note_count;
	return dump->notes;
}

const struct kdx_cpu *kdx_dump_cpus(const struct kdx_dump *dump,
				    size_t *count)
{
	*count = dump->cpu_count;
	return dump->cpus;
}

struct kdx_error *kdx_read_phys(const struct kdx_dump *dump, uint64_t addr,
				void *buf, size_t len, unsigned int flags,
				struct kdx_read_stats *stats)
{
	struct kdx_physmap_source source = {
		.file = dump->file,
		.read_format = dump->format->read,
		.priv = dump->desc.priv,
	};

	return kdx_physmap_read(&dump->physmap, &source, addr, buf, len, flags,
				stats);
}

/* Where the verbatim bytes of entry @e at @addr lie in a descriptor;
 * -1 if they do not. */
static int entry_extent(const struct kdx_dump *dump,
			const struct kdx_physmap_entry *e, uint64_t addr,
			uint64_t len, uint64_t *offset, uint64_t *size)
{
	if (e->kind != KDX_PIECE_FILE || e->start > addr)
		return -1;
	len = kdx_min_u64(len, e->start + e->size - addr);
	return kdx_file_extent(dump->file, e->file_offset + (addr - e->start),
			       len, offset, size);
}

void kdx_dump_phys_extent(const struct kdx_dump *dump, uint64_t addr,
			  uint64_t len, struct kdx_phys_extent *out)
{
	const struct kdx_physmap *map = &dump->physmap;
	size_t i = kdx_physmap_find(map, addr);
	uint64_t offset, size;
	int fd = i < map->count ? entry_extent(dump, &map->entries[i], addr,
					       len, &offset, &size) :
				  -1;

	if (fd >= 0 && size) {
		*out = (struct kdx_phys_extent){ fd, offset, size };
		return;
	}
	/* Not verbatim: up to the next entry whose bytes are. */
	out->fd = -1;
	out->offset = 0;
	out->size = len;
	for (; i < map->count; i++) {
		const struct kdx_physmap_entry *e = &map->entries[i];

		if (e->start <= addr)
			continue;
		if (e->start - addr >= len)
			break;
		if (entry_extent(dump, e, e->start, len - (e->start - addr),
				 &offset, &size) >= 0 &&
		    size) {
			out->size = e->start - addr;
			return;
		}
	}
}

bool kdx_dump_all_zero_range(const struct kdx_dump *dump, uint64_t addr,
			     uint64_t len)
{
	const struct kdx_physmap *map = &dump->physmap;
	uint64_t end = addr + len;

	if (end < addr)
		return false;
	/* Bounded: each pass moves past one entry, which must continue the
	 * zeros without a gap. */
	for (size_t i = kdx_physmap_find(map, addr); addr < end; i++) {
		const struct kdx_physmap_entry *e = &map->entries[i];

		if (i >= map->count || e->kind != KDX_PIECE_ZERO ||
		    e->start > addr)
			return false;
		addr = e->start + e->size;
	}
	return true;
}

uint64_t kdx_dump_next_held(const struct kdx_dump *dump, uint64_t addr,
			    uint64_t end)
{
	const struct kdx_physmap *map = &dump->physmap;

	for (size_t i = kdx_physmap_find(map, addr); i < map->count; i++) {
		const struct kdx_physmap_entry *e = &map->entries[i];
		uint64_t from = e->start > addr ? e->start : addr;
		uint64_t offset, written;

		if (from >= end)
			break;
		if (e->kind == KDX_PIECE_FORMAT)
			return from;
		if (e->kind != KDX_PIECE_FILE)
			continue;
		offset = e->file_offset + (from - e->start);
		written = kdx_file_next_written(dump->file, offset);
		if (written - offset < e->start + e->size - from)
			return kdx_min_u64(from + (written - offset), end);
	}
	return end;
}

const char *kdx_format_name_at(size_t index, const char **description)
{
	for (size_t i = 0; kdx_formats[i]; i++) {
		if (i != index)
			continue;
		if (description)
			*description = kdx_formats[i]->description;
		return kdx_formats[i]->name;
	}
	return NULL;
}

const void *kdx_dump_format_priv(const struct kdx_dump *dump,
				 const struct kdx_format_ops *format)
{
	return dump->format == format ? dump->desc.priv : NULL;
}

const struct kdx_symtab *kdx_dump_symtab(const struct kdx_dump *dump)
{
	return dump->symtab;
}

struct kdx_error *kdx_dump_kernel_symbol(const struct kdx_dump *dump,
					 const char *name, uint64_t *value)
{
	const struct kdx_symbol *sym;

	if (!dump->symtab)
		return kdx_err(KDX_ERR_NOTFOUND,
			       "symbol %s: no kernel image was given", name);
	sym = kdx_symtab_find(dump->symtab, name);
	if (!sym)
		return kdx_err(KDX_ERR_NOTFOUND, "symbol %s: not in %s (%s)",
			       name, kdx_symtab_name(dump->symtab),
			       kdx_symtab_section(dump->symtab));
	*value = sym->value;
	return NULL;
}
