/* SPDX-License-Identifier: MIT */
/* Xen guest dumps as `xl dump-core` writes them (libxenguest's xg_core.c):
 * an ELF64 ET_CORE file with no program headers, only sections found by
 * name: .note.Xen (the DUMPCORE_NONE/HEADER/XEN_VERSION/FORMAT_VERSION
 * notes), .xen_prstatus (one vcpu_guest_context per online vCPU),
 * .xen_shared_info, .xen_pages (the page data) and .xen_p2m (PV: one
 * {u64 pfn, u64 gmfn} per page) or .xen_pfn (HVM: one u64 pfn per page).
 * Also the legacy pre-ELF file (Xen 3.0): a 24-byte header of u32s, the
 * vCPU contexts, an index of one machine frame per page, the pages.
 *
 * Physical memory is the guest's pseudo-physical memory: page i of
 * .xen_pages is pfn p2m[i].pfn.  For a PV guest the same pairs, read once
 * by file offset, build the m2p its machine-frame page tables need
 * (format/common/p2m.h); nothing here ever translates an address.  A
 * legacy file names its pages by machine frame only (their pfns are in the
 * guest's own p2m): its physical addresses are machine addresses.
 *
 * What the OS layer needs goes out as typed facts (the first vCPU's CR3
 * as a machine address, the guest's word size, max_pfn, page and vCPU
 * counts); shared_info's p2m fields, which have no typed field yet, as
 * details through xen_fact(). */
#include "format/format.h"

#include "arch/arch.h"
#include "core/endian.h"
#include "core/util.h"
#include "format/common/p2m.h"
#include "io/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XC_CORE_MAGIC 0xF00FEBEDu     /* PV */
#define XC_CORE_MAGIC_HVM 0xF00FEBEEu /* auto-translated: HVM, PVH, ARM */

/* xen/include/public/elfnote.h */
#define NOTE_DUMPCORE_NONE 0x2000000u
#define NOTE_DUMPCORE_HEADER 0x2000001u
#define NOTE_DUMPCORE_XEN_VERSION 0x2000002u
#define NOTE_DUMPCORE_FORMAT_VERSION 0x2000003u

#define ELF_ET_CORE 4
#define ELF_SHT_PROGBITS 1
#define ELF_SHT_STRTAB 3
#define ELF_SHT_NOTE 7
#define ELF64_SHDR 64

/* Bounds on file-controlled sizes: xg_core.c writes about ten sections,
 * a short name table and four small notes. */
#define MAX_SECTIONS 256u
#define MAX_STRTAB (64u << 10)
#define MAX_NOTES (64u << 10)
#define MAX_VCPUS 4096u

/* .xen_p2m entries read per file read. */
#define P2M_CHUNK 4096u
#define INVALID_FRAME UINT64_MAX

/* vcpu_guest_context (xen/include/public/arch-x86/xen.h): fpu_ctxt[512],
 * flags, user_regs, trap_ctxt[256], ldt_base, ldt_ents, gdt_frames[16],
 * gdt_ents, kernel_ss, kernel_sp, then ctrlreg[8].  x86_64: user_regs is
 * 200 bytes and a trap_info 16, so ctrlreg is at 4984; x86_32: 68 and 8,
 * ctrlreg at 2716. */
#define CTX64_CTRLREG 4984u
#define CTX32_CTRLREG 2716u

/* shared_info: vcpu_info[32] (64 bytes each), evtchn_pending and
 * evtchn_mask (8 words each of 8 bits per byte), wc_version, wc_sec,
 * wc_nsec (and wc_sec_hi on x86_64), then arch_shared_info: max_pfn,
 * pfn_to_mfn_frame_list_list, nmi_reason, p2m_cr3, p2m_vaddr,
 * p2m_generation, one word each. */
#define SHINFO64_ARCH 3088u
#define SHINFO32_ARCH 2316u

/* The XEN_VERSION note's desc: major, minor (u64), extra[16],
 * compile_info[144], capabilities[1024], changeset[64],
 * platform_parameters (one xen_ulong_t), pagesize (u64), 1280 bytes.
 * xg_core.c moves pagesize 4 bytes down for a 32-bit guest: where it is
 * says the guest's word size. */
#define XENVER_EXTRA 16u
#define XENVER_PAGESIZE_64 1272u
#define XENVER_PAGESIZE_32 1268u

struct xc_core {
	struct kdx_p2m p2m;
	bool has_p2m;
};

struct section {
	bool present;
	uint32_t type;
	uint64_t offset, size, entsize;
};

/* Everything open() learns, in the order it learns it. */
struct xcc {
	const struct kdx_file *file;
	struct kdx_dump_desc *desc;
	struct xc_core *priv;
	enum kdx_byte_order bo;
	uint16_t machine;
	struct section note, prstatus, shinfo, pages, p2m, pfn;
	bool have_header, hvm, legacy;
	uint64_t nr_vcpus, nr_pages, page_size;
	unsigned int page_shift;
	unsigned int word_size; /* the guest's: 4 or 8 */
	const char *word_source;
};

/* A Xen fact the typed facts have no field for yet (shared_info's p2m
 * fields, a legacy file's machine addresses), which the OS layer reads
 * back from kdx_dump_details() (key, "0x..." value): one place to make
 * them typed later. */
static void xen_fact(struct xcc *x, const char *key, uint64_t value)
{
	kdx_desc_add_detail(x->desc, key, "0x%llx", (unsigned long long)value);
}

/* ---- Probing ---- */

/* The legacy header's magic, little-endian (the x86 hosts that wrote
 * it). */
static bool legacy_magic(const uint8_t *head, size_t len)
{
	uint32_t m = len >= 4 ? kdx_load_u32(head, KDX_LITTLE_ENDIAN) : 0;

	return m == XC_CORE_MAGIC || m == XC_CORE_MAGIC_HVM;
}

/* An ELF64 core with no program headers whose first note (in the first
 * bytes of the file, as xg_core.c lays it out) is Xen's DUMPCORE_NONE. */
static bool elf_xc_core(const uint8_t *h, size_t len)
{
	enum kdx_byte_order bo;
	uint64_t shoff;
	uint16_t shnum;

	if (len < 64 || memcmp(h, "\177ELF", 4) || h[4] != 2 ||
	    (h[5] != 1 && h[5] != 2))
		return false;
	bo = h[5] == 1 ? KDX_LITTLE_ENDIAN : KDX_BIG_ENDIAN;
	if (kdx_load_u16(h + 16, bo) != ELF_ET_CORE ||
	    kdx_load_u16(h + 56, bo) != 0 ||
	    kdx_load_u16(h + 58, bo) != ELF64_SHDR)
		return false;
	shoff = kdx_load_u64(h + 40, bo);
	shnum = kdx_load_u16(h + 60, bo);
	for (uint64_t i = 0; i < shnum && shoff < len &&
			     i < (len - shoff) / ELF64_SHDR; i++) {
		const uint8_t *s = h + shoff + i * ELF64_SHDR;
		uint64_t off = kdx_load_u64(s + 24, bo);

		if (kdx_load_u32(s + 4, bo) != ELF_SHT_NOTE || off >= len ||
		    len - off < 16)
			continue;
		return kdx_load_u32(h + off, bo) == 4 &&
		       kdx_load_u32(h + off + 8, bo) == NOTE_DUMPCORE_NONE &&
		       !memcmp(h + off + 12, "Xen", 4);
	}
	return false;
}

static bool xc_core_probe(const uint8_t *head, size_t len)
{
	return legacy_magic(head, len) || elf_xc_core(head, len);
}

/* ---- Sections ---- */

/* A section's extent must lie in the file: what is cut off is reported
 * by the caller that knows what the section holds. */
/* Bytes of section @s the file holds: up to its end, or in a flattened
 * stream up to the first byte no record wrote (a few records may place
 * the file's end a terabyte out; the section's entries then cost what
 * was written, not gigabytes of zeros). */
static uint64_t held(const struct xcc *x, const struct section *s)
{
	uint64_t fsize = kdx_file_size(x->file), n, gap;

	if (s->offset >= fsize)
		return 0;
	n = kdx_min_u64(s->size, fsize - s->offset);
	if (!kdx_file_all_written(x->file, s->offset, n, &gap))
		n = gap - s->offset;
	return n;
}

static struct section *section_named(struct xcc *x, const char *name)
{
	static const struct {
		const char *name;
		size_t field;
	} known[] = {
		{ ".note.Xen", offsetof(struct xcc, note) },
		{ ".xen_prstatus", offsetof(struct xcc, prstatus) },
		{ ".xen_shared_info", offsetof(struct xcc, shinfo) },
		{ ".xen_pages", offsetof(struct xcc, pages) },
		{ ".xen_p2m", offsetof(struct xcc, p2m) },
		{ ".xen_pfn", offsetof(struct xcc, pfn) },
	};

	for (size_t i = 0; i < KDX_ARRAY_SIZE(known); i++)
		if (!strcmp(known[i].name, name))
			return (struct section *)((char *)x + known[i].field);
	return NULL;
}

static struct kdx_error *read_strtab(struct xcc *x, const uint8_t *shdrs,
				     uint16_t shnum, uint16_t strndx,
				     char **out, uint64_t *size)
{
	const uint8_t *s;
	uint64_t off;
	struct kdx_error *err;

	if (strndx >= shnum)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core ELF header: e_shstrndx %u is not one of the %u sections",
			       strndx, shnum);
	s = shdrs + (size_t)strndx * ELF64_SHDR;
	off = kdx_load_u64(s + 24, x->bo);
	*size = kdx_load_u64(s + 32, x->bo);
	if (*size == 0 || *size > MAX_STRTAB)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"xc_core section name table at offset 0x%llx: size 0x%llx is not 1..%u bytes",
				(unsigned long long)off,
				(unsigned long long)*size, MAX_STRTAB),
			off);
	*out = malloc((size_t)*size + 1);
	if (!*out)
		return kdx_err_nomem();
	err = kdx_file_read(x->file, off, *out, (size_t)*size);
	if (err) {
		free(*out);
		*out = NULL; /* the caller frees what it gets */
		return kdx_err_wrap(err, "xc_core section name table at offset 0x%llx",
				    (unsigned long long)off);
	}
	(*out)[*size] = '\0';
	return NULL;
}

static struct kdx_error *assign_sections(struct xcc *x, const uint8_t *shdrs,
					 uint16_t shnum, const char *names,
					 uint64_t names_size)
{
	for (uint16_t i = 1; i < shnum; i++) {
		const uint8_t *s = shdrs + (size_t)i * ELF64_SHDR;
		uint32_t name = kdx_load_u32(s, x->bo);
		struct section *sec;

		if (name >= names_size)
			continue;
		sec = section_named(x, names + name);
		if (!sec)
			continue;
		if (sec->present) {
			kdx_desc_add_warning(
				x->desc,
				"xc_core: a second %s section (header %u) is ignored",
				names + name, i);
			continue;
		}
		sec->present = true;
		sec->type = kdx_load_u32(s + 4, x->bo);
		sec->offset = kdx_load_u64(s + 24, x->bo);
		sec->size = kdx_load_u64(s + 32, x->bo);
		sec->entsize = kdx_load_u64(s + 56, x->bo);
	}
	return NULL;
}

static struct kdx_error *read_sections(struct xcc *x, const uint8_t *ehdr)
{
	uint64_t shoff = kdx_load_u64(ehdr + 40, x->bo), bytes, names_size = 0;
	uint16_t shnum = kdx_load_u16(ehdr + 60, x->bo);
	uint16_t strndx = kdx_load_u16(ehdr + 62, x->bo);
	uint8_t *shdrs;
	char *names = NULL;
	struct kdx_error *err;

	if (shnum < 2 || shnum > MAX_SECTIONS)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core ELF header: %u section headers (expected 2..%u)",
			       shnum, MAX_SECTIONS);
	bytes = (uint64_t)shnum * ELF64_SHDR;
	shdrs = malloc((size_t)bytes);
	if (!shdrs)
		return kdx_err_nomem();
	err = kdx_file_read(x->file, shoff, shdrs, (size_t)bytes);
	if (err)
		err = kdx_err_wrap(err, "xc_core section headers at offset 0x%llx",
				   (unsigned long long)shoff);
	if (!err)
		err = read_strtab(x, shdrs, shnum, strndx, &names, &names_size);
	if (!err)
		err = assign_sections(x, shdrs, shnum, names, names_size);
	free(names);
	free(shdrs);
	return err;
}

/* ---- Notes ---- */

static struct kdx_error *bad_note(uint64_t offset, const char *what,
				  size_t size, size_t want)
{
	return kdx_err_set_file_offset(
		kdx_err(KDX_ERR_CORRUPT,
			"xc_core %s note at offset 0x%llx: %zu bytes, expected at least %zu",
			what, (unsigned long long)offset, size, want),
		offset);
}

static struct kdx_error *header_note(struct xcc *x,
				     const struct kdx_desc_note *n)
{
	uint32_t magic;

	if (n->desc_size < 32)
		return bad_note(n->file_offset, "DUMPCORE_HEADER", n->desc_size, 32);
	magic = (uint32_t)kdx_load_u64(n->desc, x->bo);
	if (magic != XC_CORE_MAGIC && magic != XC_CORE_MAGIC_HVM)
		return kdx_err_set_file_offset(
			kdx_err(KDX_ERR_CORRUPT,
				"xc_core DUMPCORE_HEADER note at offset 0x%llx: magic 0x%x is neither 0x%x (PV) nor 0x%x (HVM)",
				(unsigned long long)n->file_offset, magic,
				XC_CORE_MAGIC, XC_CORE_MAGIC_HVM),
			n->file_offset);
	x->hvm = magic == XC_CORE_MAGIC_HVM;
	x->nr_vcpus = kdx_load_u64(n->desc + 8, x->bo);
	x->nr_pages = kdx_load_u64(n->desc + 16, x->bo);
	x->page_size = kdx_load_u64(n->desc + 24, x->bo);
	x->have_header = true;
	return NULL;
}

/* Xen's version, and the guest's word size from where pagesize lies. */
static struct kdx_error *version_note(struct xcc *x,
				      const struct kdx_desc_note *n)
{
	char extra[XENVER_EXTRA + 1];

	if (n->desc_size < 16 + XENVER_EXTRA)
		return bad_note(n->file_offset, "DUMPCORE_XEN_VERSION",
				n->desc_size, 16 + XENVER_EXTRA);
	memcpy(extra, n->desc + 16, XENVER_EXTRA);
	extra[XENVER_EXTRA] = '\0';
	for (char *c = extra; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	if (n->desc_size >= XENVER_PAGESIZE_64 + 8 && x->page_size &&
	    kdx_load_u64(n->desc + XENVER_PAGESIZE_64, x->bo) == x->page_size) {
		x->word_size = 8;
		x->word_source = "XEN_VERSION note (pagesize at 1272)";
	} else if (n->desc_size >= XENVER_PAGESIZE_32 + 8 && x->page_size &&
		   kdx_load_u64(n->desc + XENVER_PAGESIZE_32, x->bo) ==
			   x->page_size) {
		x->word_size = 4;
		x->word_source = "XEN_VERSION note (pagesize at 1268: 32-bit guest)";
	}
	kdx_desc_add_detail(
		x->desc, "xen_version", "%llu.%llu%s",
		(unsigned long long)kdx_load_u64(n->desc, x->bo),
		(unsigned long long)kdx_load_u64(n->desc + 8, x->bo), extra);
	return NULL;
}

/* (major << 32) | minor: 0.1 today. */
static void format_version(struct xcc *x, uint64_t v)
{
	x->desc->facts.format_version = v;
	x->desc->facts.set |= KDX_FACT_FORMAT_VERSION;
	kdx_desc_add_detail(x->desc, "xc_core_format", "%llu.%llu",
			    (unsigned long long)(v >> 32),
			    (unsigned long long)(v & 0xffffffffu));
}

static struct kdx_error *read_notes(struct xcc *x)
{
	uint64_t len = x->note.present ? held(x, &x->note) : 0;
	size_t first = x->desc->note_count;
	struct kdx_error *err;
	uint8_t *buf;

	if (!x->note.present || len > MAX_NOTES || len < x->note.size)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core: %s",
			       !x->note.present ? "no .note.Xen section" :
			       len < x->note.size ? "the .note.Xen section runs past the end of the file" :
						    "the .note.Xen section is too large");
	buf = malloc(len ? (size_t)len : 1);
	if (!buf)
		return kdx_err_nomem();
	err = kdx_file_read(x->file, x->note.offset, buf, (size_t)len);
	if (!err)
		kdx_desc_parse_notes(x->desc, buf, (size_t)len,
				     x->note.offset, x->bo);
	free(buf);
	/* The header first: the version note's word-size test needs the
	 * page size. */
	for (size_t i = first; !err && i < x->desc->note_count; i++) {
		const struct kdx_desc_note *n = &x->desc->notes[i];

		if (!strcmp(n->name, "Xen") && n->type == NOTE_DUMPCORE_HEADER &&
		    !x->have_header)
			err = header_note(x, n);
	}
	for (size_t i = first; !err && i < x->desc->note_count; i++) {
		const struct kdx_desc_note *n = &x->desc->notes[i];

		if (strcmp(n->name, "Xen") != 0)
			continue;
		if (n->type == NOTE_DUMPCORE_XEN_VERSION)
			err = version_note(x, n);
		else if (n->type == NOTE_DUMPCORE_FORMAT_VERSION &&
			 n->desc_size >= 8)
			format_version(x, kdx_load_u64(n->desc, x->bo));
	}
	if (!err && !x->have_header)
		err = kdx_err(KDX_ERR_CORRUPT,
			      "xc_core: .note.Xen at offset 0x%llx has no DUMPCORE_HEADER note",
			      (unsigned long long)x->note.offset);
	return err;
}

/* ---- The guest ---- */

static struct kdx_error *check_header(struct xcc *x)
{
	if (x->page_size < 1024 || x->page_size > (1u << 24) ||
	    (x->page_size & (x->page_size - 1)))
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core header: page size %llu is not a power of two in 1 KiB..16 MiB",
			       (unsigned long long)x->page_size);
	while ((1ull << x->page_shift) < x->page_size)
		x->page_shift++;
	if (x->nr_vcpus > MAX_VCPUS)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core header: %llu vCPUs (more than %u)",
			       (unsigned long long)x->nr_vcpus, MAX_VCPUS);
	return NULL;
}

/* The arch: the host's e_machine, narrowed to i386 for a 32-bit PV
 * guest on x86_64 (its kernel and page tables are 32-bit). */
static struct kdx_error *set_arch(struct xcc *x)
{
	struct kdx_dump_facts *f = &x->desc->facts;

	x->desc->byte_order = x->bo;
	x->desc->arch = kdx_arch_from_elf(x->machine, 64);
	if (!x->word_size) {
		const struct kdx_arch_info *a = kdx_arch_info(x->desc->arch);

		x->word_size = a ? a->word_size : 8;
		x->word_source = "the host's (no word size in the notes)";
	}
	if (x->desc->arch == KDX_ARCH_X86_64 && x->word_size == 4)
		x->desc->arch = KDX_ARCH_I386;
	f->page_size = (uint32_t)x->page_size;
	f->word_size = x->word_size;
	f->nr_pages = x->nr_pages;
	f->nr_cpus = (uint32_t)x->nr_vcpus;
	f->set |= KDX_FACT_PAGE_SIZE | KDX_FACT_WORD_SIZE | KDX_FACT_NR_PAGES |
		  KDX_FACT_NR_CPUS;
	kdx_desc_add_detail(x->desc, "xen_guest", "%s %u-bit (word size from %s)",
				   x->hvm ? "HVM" : "PV", x->word_size * 8,
				   x->word_source);
	return NULL;
}

/* The machine address of a vCPU's page-table root: x86_64 keeps the
 * frame in bits 12+; x86_32 folds the frame's top 12 bits into the low
 * ones (xen_cr3_to_pfn). */
static uint64_t cr3_machine(const struct xcc *x, uint64_t cr3)
{
	uint32_t v = (uint32_t)cr3;

	if (x->word_size == 8)
		return cr3 & ~(uint64_t)0xfff;
	return (uint64_t)(uint32_t)((v >> 12) | (v << 20)) << 12;
}

static struct kdx_error *read_vcpus(struct xcc *x)
{
	const struct section *s = &x->prstatus;
	uint64_t at = x->word_size == 8 ? CTX64_CTRLREG : CTX32_CTRLREG;
	uint64_t count, root = 0;
	struct kdx_error *err = NULL;
	char list[256] = "";
	size_t used = 0;

	if (!s->present || !s->entsize || s->entsize < at + 8 * x->word_size) {
		kdx_desc_add_warning(
			x->desc,
			"xc_core: %s: no vCPU registers (no page-table root from the CPUs)",
			!s->present ? "no .xen_prstatus section" :
				      ".xen_prstatus entries are too small for a vcpu_guest_context");
		return NULL;
	}
	count = held(x, s) / s->entsize;
	if (count != x->nr_vcpus)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: .xen_prstatus holds %llu vCPU contexts, the header says %llu",
			(unsigned long long)count, (unsigned long long)x->nr_vcpus);
	for (uint64_t i = 0; !err && i < count && i < MAX_VCPUS; i++) {
		uint8_t word[8];
		uint64_t cr3;

		err = kdx_file_read(x->file, s->offset + i * s->entsize + at +
						     3 * x->word_size,
				    word, x->word_size);
		if (err)
			break;
		cr3 = kdx_load_uint(word, x->word_size, x->bo);
		if (!root && cr3)
			root = cr3_machine(x, cr3);
		if (used + 24 < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s0x%llx", i ? " " : "",
						 (unsigned long long)cr3_machine(x, cr3));
	}
	if (err)
		return err;
	kdx_desc_add_detail(x->desc, "xen_vcpu_cr3", "%s", list);
	/* The first online vCPU's root: a machine address for a PV guest,
	 * the dump's own physical one for a legacy file or an HVM guest. */
	if (root) {
		x->desc->facts.pgt_root = root;
		x->desc->facts.pgt_root_form = KDX_ROOT_ADDRESS;
		x->desc->facts.pgt_root_machine = !x->hvm && !x->legacy;
		x->desc->facts.set |= KDX_FACT_PGT_ROOT;
	}
	return NULL;
}

/* shared_info's p2m fields, for a guest p2m reader (Linux's own p2m). */
static struct kdx_error *read_shared_info(struct xcc *x)
{
	static const char *const keys[] = {
		NULL, "xen_p2m_frame_list_list", NULL,
		"xen_p2m_cr3", "xen_p2m_vaddr", "xen_p2m_generation",
	};
	uint64_t at = x->word_size == 8 ? SHINFO64_ARCH : SHINFO32_ARCH;
	uint8_t buf[6 * 8];
	struct kdx_error *err;

	if (x->hvm || !x->shinfo.present ||
	    held(x, &x->shinfo) < at + 6 * x->word_size)
		return NULL;
	err = kdx_file_read(x->file, x->shinfo.offset + at, buf,
			    6 * x->word_size);
	if (err)
		return kdx_err_wrap(err, "xc_core .xen_shared_info");
	/* max_pfn: pfns [0, max_pfn) the guest's own p2m describes */
	x->desc->facts.max_pfn = kdx_load_uint(buf, x->word_size, x->bo);
	x->desc->facts.set |= KDX_FACT_MAX_PFN;
	for (unsigned int i = 0; i < 6; i++)
		if (keys[i])
			xen_fact(x, keys[i],
				 kdx_load_uint(buf + i * x->word_size,
					       x->word_size, x->bo));
	return NULL;
}

/* ---- Pages ---- */

/* Pages the .xen_pages section holds in the file. */
static struct kdx_error *count_pages(struct xcc *x, uint64_t *pages)
{
	uint64_t in_file;
	struct kdx_error *err = NULL;

	if (!x->pages.present)
		return kdx_err(KDX_ERR_CORRUPT, "xc_core: no .xen_pages section");
	in_file = held(x, &x->pages) >> x->page_shift;
	*pages = kdx_min_u64(x->pages.size >> x->page_shift, x->nr_pages);
	if (x->pages.size >> x->page_shift != x->nr_pages)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: .xen_pages holds %llu pages, the header says %llu",
			(unsigned long long)(x->pages.size >> x->page_shift),
			(unsigned long long)x->nr_pages);
	if (!err && in_file < *pages) {
		kdx_desc_add_warning(
			x->desc,
			"xc_core: the file ends inside .xen_pages (size 0x%llx): pages %llu-%llu are missing",
			(unsigned long long)kdx_file_size(x->file),
			(unsigned long long)in_file,
			(unsigned long long)(*pages - 1));
		*pages = in_file;
	}
	return err;
}

/* Pages [first, first + n) are pfns [pfn, pfn + n). */
static struct kdx_error *add_run(struct xcc *x, uint64_t first, uint64_t pfn,
				 uint64_t n)
{
	if (n)
		kdx_desc_add_range(x->desc, pfn << x->page_shift,
				   n << x->page_shift, KDX_PIECE_FILE,
				   x->pages.offset + (first << x->page_shift));
	return NULL;
}

/* Page frame numbers a reader cannot use. */
struct skipped {
	uint64_t invalid, invalid_first; /* ~0 markers (a live dump's tail) */
	uint64_t too_high, too_high_first;
	uint64_t bad_mfn, bad_mfn_first;
};

/* One entry of .xen_p2m/.xen_pfn for page @i: into the physical map's
 * current run and (PV) the pairs. */
struct page_walk {
	uint64_t run_first, run_pfn, run_len;
	struct kdx_p2m_pair *pairs;
	size_t npairs;
	struct skipped skip;
};

static struct kdx_error *take_page(struct xcc *x, struct page_walk *w,
				   uint64_t i, uint64_t pfn, uint64_t mfn)
{
	struct kdx_error *err = NULL;
	uint64_t max_frame = UINT64_MAX >> x->page_shift;

	if (pfn == INVALID_FRAME) {
		if (!w->skip.invalid++)
			w->skip.invalid_first = i;
		return NULL;
	}
	if (pfn > max_frame) {
		if (!w->skip.too_high++)
			w->skip.too_high_first = i;
		return NULL;
	}
	if (w->run_len && w->run_first + w->run_len == i &&
	    w->run_pfn + w->run_len == pfn) {
		w->run_len++;
	} else {
		err = add_run(x, w->run_first, w->run_pfn, w->run_len);
		w->run_first = i;
		w->run_pfn = pfn;
		w->run_len = 1;
	}
	if (!w->pairs)
		return err;
	if (mfn == INVALID_FRAME || mfn > max_frame ||
	    (x->word_size == 4 && mfn == UINT32_MAX)) {
		if (!w->skip.bad_mfn++)
			w->skip.bad_mfn_first = i;
		return err;
	}
	w->pairs[w->npairs++] = (struct kdx_p2m_pair){ pfn, mfn };
	return err;
}

/* Read the index section (.xen_p2m: {pfn, gmfn}; .xen_pfn: pfn) for
 * @pages pages, chunk by chunk, by file offset. */
static struct kdx_error *walk_index(struct xcc *x, const struct section *s,
				    uint64_t pages, struct page_walk *w)
{
	unsigned int es = w->pairs ? 16 : 8;
	uint8_t *buf = malloc((size_t)P2M_CHUNK * es);
	struct kdx_error *err = NULL;

	if (!buf)
		return kdx_err_nomem();
	for (uint64_t i = 0; !err && i < pages; i += P2M_CHUNK) {
		uint64_t n = kdx_min_u64(P2M_CHUNK, pages - i);

		err = kdx_file_read(x->file, s->offset + i * es, buf,
				    (size_t)(n * es));
		if (err)
			err = kdx_err_wrap(err, "xc_core index of pages %llu-%llu",
					   (unsigned long long)i,
					   (unsigned long long)(i + n - 1));
		for (uint64_t j = 0; !err && j < n; j++) {
			const uint8_t *e = buf + j * es;

			err = take_page(x, w, i + j, kdx_load_u64(e, x->bo),
					w->pairs ? kdx_load_u64(e + 8, x->bo) : 0);
		}
	}
	free(buf);
	if (!err)
		err = add_run(x, w->run_first, w->run_pfn, w->run_len);
	return err;
}

static struct kdx_error *report_skipped(struct xcc *x, const struct skipped *s)
{
	struct kdx_error *err = NULL;

	if (s->invalid)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: %llu pages from page %llu have no pfn (~0 markers: a live dump whose guest shrank while it was taken); they are not readable",
			(unsigned long long)s->invalid,
			(unsigned long long)s->invalid_first);
	if (!err && s->too_high)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: %llu pages from page %llu have a pfn beyond any address; they are not readable",
			(unsigned long long)s->too_high,
			(unsigned long long)s->too_high_first);
	if (!err && s->bad_mfn)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: %llu pages from page %llu have an invalid mfn: readable by pfn, not by machine address",
			(unsigned long long)s->bad_mfn,
			(unsigned long long)s->bad_mfn_first);
	return err;
}

/* The index must cover every page; what it does not cover has no frame
 * number and cannot be read. */
static struct kdx_error *index_entries(struct xcc *x, const struct section *s,
				       unsigned int es, uint64_t *pages)
{
	uint64_t entries;

	if (s->entsize && s->entsize != es)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core: %s entries are %llu bytes, expected %u",
			       s == &x->p2m ? ".xen_p2m" : ".xen_pfn",
			       (unsigned long long)s->entsize, es);
	entries = held(x, s) / es;
	if (entries >= *pages)
		return NULL;
	*pages = entries;
	kdx_desc_add_warning(
		x->desc,
		"xc_core: %s holds %llu entries%s for %llu pages: pages from %llu on have no frame number and are not readable",
		s == &x->p2m ? ".xen_p2m" : ".xen_pfn",
		(unsigned long long)entries,
		held(x, s) < s->size ? " (the file holds only part of it)" : "",
		(unsigned long long)x->nr_pages, (unsigned long long)entries);
	return NULL;
}

static struct kdx_error *p2m_warnings(struct xcc *x,
				      const struct kdx_p2m_report *r)
{
	struct kdx_error *err = NULL;

	if (r->dup_pfns)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: .xen_p2m gives %llu pfns twice (first: pfn 0x%llx as mfn 0x%llx and 0x%llx); mfn 0x%llx is used",
			(unsigned long long)r->dup_pfns,
			(unsigned long long)r->dup_pfn,
			(unsigned long long)r->dup_pfn_mfn[0],
			(unsigned long long)r->dup_pfn_mfn[1],
			(unsigned long long)r->dup_pfn_mfn[0]);
	if (!err && r->shared_mfns)
		kdx_desc_add_warning(
			x->desc,
			"xc_core: .xen_p2m maps %llu mfns from two pfns or more (first: mfn 0x%llx from pfns 0x%llx and 0x%llx); machine reads use pfn 0x%llx",
			(unsigned long long)r->shared_mfns,
			(unsigned long long)r->shared_mfn,
			(unsigned long long)r->shared_mfn_pfn[0],
			(unsigned long long)r->shared_mfn_pfn[1],
			(unsigned long long)r->shared_mfn_pfn[0]);
	return err;
}

static struct kdx_error *build_p2m(struct xcc *x, struct page_walk *w)
{
	struct kdx_p2m_report report;
	struct kdx_error *err;

	err = kdx_p2m_build(&x->priv->p2m, w->pairs, w->npairs, x->page_shift,
			    ".xen_p2m section", &report);
	if (err)
		return err;
	x->priv->has_p2m = true;
	err = p2m_warnings(x, &report);
	if (!err)
		kdx_desc_add_detail(
			x->desc, "p2m", "%llu frames in %zu runs, pfns up to 0x%llx, mfns up to 0x%llx",
			(unsigned long long)x->priv->p2m.frames,
			x->priv->p2m.pfn_runs,
			(unsigned long long)x->priv->p2m.max_pfn,
			(unsigned long long)x->priv->p2m.max_mfn);
	return err;
}

static struct kdx_error *map_pages(struct xcc *x)
{
	const struct section *s = x->hvm ? &x->pfn : &x->p2m;
	struct page_walk w = { 0 };
	uint64_t pages;
	struct kdx_error *err = count_pages(x, &pages);

	if (err)
		return err;
	if (!s->present) {
		kdx_desc_add_warning(
			x->desc,
			"xc_core: no %s section: which frame each page holds is unknown, so no memory is readable",
			x->hvm ? ".xen_pfn" : ".xen_p2m");
		return NULL;
	}
	err = index_entries(x, s, x->hvm ? 8 : 16, &pages);
	if (!err && !x->hvm) {
		/* pages <= the index's entries in the file: bounded by it */
		w.pairs = malloc(pages ? (size_t)pages * sizeof(*w.pairs) : 1);
		if (!w.pairs)
			err = kdx_err_nomem();
	}
	if (!err)
		err = walk_index(x, s, pages, &w);
	if (!err)
		err = report_skipped(x, &w.skip);
	if (!err && !x->hvm)
		err = build_p2m(x, &w);
	free(w.pairs);
	return err;
}

/* ---- Open ---- */

static struct kdx_error *open_elf(struct xcc *x)
{
	uint8_t ehdr[64];
	struct kdx_error *err = kdx_file_read(x->file, 0, ehdr, sizeof(ehdr));

	if (err)
		return kdx_err_wrap(err, "xc_core ELF header");
	if (memcmp(ehdr, "\177ELF", 4) || ehdr[4] != 2)
		return kdx_err(KDX_ERR_CORRUPT,
			       "not an xc_core file: no ELF64 header and no legacy magic");
	x->bo = ehdr[5] == 2 ? KDX_BIG_ENDIAN : KDX_LITTLE_ENDIAN;
	if (kdx_load_u16(ehdr + 16, x->bo) != ELF_ET_CORE)
		return kdx_err(KDX_ERR_CORRUPT,
			       "xc_core ELF header: e_type %u is not ET_CORE",
			       kdx_load_u16(ehdr + 16, x->bo));
	x->machine = kdx_load_u16(ehdr + 18, x->bo);
	err = read_sections(x, ehdr);
	if (!err)
		err = read_notes(x);
	if (!err)
		err = check_header(x);
	if (!err)
		err = set_arch(x);
	if (!err)
		err = read_vcpus(x);
	if (!err)
		err = read_shared_info(x);
	if (!err)
		err = map_pages(x);
	return err;
}

/* ---- The legacy file ---- */

/* A Xen 3.0 file: u32 magic, nr_vcpus, nr_pages, ctxt_offset,
 * index_offset, pages_offset; the index holds one machine frame per page
 * in the host's word size (told apart by the size of the contexts before
 * it: an x86_64 vcpu_guest_context is 5168 bytes, an x86_32 one under
 * 3000). */
struct legacy {
	uint32_t nr_vcpus, nr_pages;
	uint64_t ctxt, index, pages;
	unsigned int word;
};

static struct kdx_error *legacy_header(struct xcc *x, struct legacy *l)
{
	uint8_t h[24];
	uint64_t ctx_size;
	struct kdx_error *err = kdx_file_read(x->file, 0, h, sizeof(h));

	if (err)
		return kdx_err_wrap(err, "legacy xc_core header");
	x->bo = KDX_LITTLE_ENDIAN;
	x->legacy = true;
	x->hvm = kdx_load_u32(h, x->bo) == XC_CORE_MAGIC_HVM;
	l->nr_vcpus = kdx_load_u32(h + 4, x->bo);
	l->nr_pages = kdx_load_u32(h + 8, x->bo);
	l->ctxt = kdx_load_u32(h + 12, x->bo);
	l->index = kdx_load_u32(h + 16, x->bo);
	l->pages = kdx_load_u32(h + 20, x->bo);
	if (!l->nr_vcpus || l->nr_vcpus > MAX_VCPUS || l->ctxt < 24 ||
	    l->index < l->ctxt || l->pages < l->index)
		return kdx_err(KDX_ERR_CORRUPT,
			       "legacy xc_core header: %u vCPUs, contexts at 0x%llx, index at 0x%llx, pages at 0x%llx do not fit together",
			       l->nr_vcpus, (unsigned long long)l->ctxt,
			       (unsigned long long)l->index,
			       (unsigned long long)l->pages);
	ctx_size = (l->index - l->ctxt) / l->nr_vcpus;
	l->word = ctx_size >= 4096 ? 8 : 4;
	if ((uint64_t)l->nr_pages * l->word > l->pages - l->index)
		return kdx_err(KDX_ERR_CORRUPT,
			       "legacy xc_core header: an index of %u %u-byte frames does not fit between 0x%llx and 0x%llx",
			       l->nr_pages, l->word, (unsigned long long)l->index,
			       (unsigned long long)l->pages);
	x->nr_vcpus = l->nr_vcpus;
	x->nr_pages = l->nr_pages;
	x->page_size = 4096; /* x86, the only host that wrote these */
	x->word_size = l->word;
	x->word_source = "the size of the legacy vCPU contexts";
	x->machine = 62; /* EM_X86_64; narrowed to i386 for 4-byte words */
	x->prstatus = (struct section){ true, ELF_SHT_PROGBITS, l->ctxt,
					l->index - l->ctxt, ctx_size };
	x->pages = (struct section){ true, ELF_SHT_PROGBITS, l->pages,
				     (uint64_t)l->nr_pages * 4096, 4096 };
	return NULL;
}

/* Page i is machine frame index[i]: physical addresses are machine
 * addresses, and pages are added frame by frame. */
static struct kdx_error *legacy_pages(struct xcc *x, const struct legacy *l)
{
	uint64_t pages;
	struct page_walk w = { 0 };
	struct kdx_error *err = count_pages(x, &pages);
	uint8_t *buf;

	if (err)
		return err;
	buf = malloc((size_t)P2M_CHUNK * l->word);
	if (!buf)
		return kdx_err_nomem();
	for (uint64_t i = 0; !err && i < pages; i += P2M_CHUNK) {
		uint64_t n = kdx_min_u64(P2M_CHUNK, pages - i);

		err = kdx_file_read(x->file, l->index + i * l->word, buf,
				    (size_t)(n * l->word));
		for (uint64_t j = 0; !err && j < n; j++) {
			uint64_t mfn = kdx_load_uint(buf + j * l->word, l->word,
						     x->bo);

			if (l->word == 4 && mfn == UINT32_MAX)
				mfn = INVALID_FRAME;
			err = take_page(x, &w, i + j, mfn, 0);
		}
	}
	free(buf);
	if (!err)
		err = add_run(x, w.run_first, w.run_pfn, w.run_len);
	if (!err)
		err = report_skipped(x, &w.skip);
	return err;
}

static struct kdx_error *open_legacy(struct xcc *x)
{
	struct legacy l = { 0 };
	struct kdx_error *err = legacy_header(x, &l);

	if (!err)
		err = check_header(x);
	if (!err)
		err = set_arch(x);
	if (!err)
		kdx_desc_add_detail(x->desc, "xc_core_format", "legacy (pre-ELF)");
	if (!err && !x->hvm)
		xen_fact(x, "xen_phys_is_machine", 1);
	if (!err && !x->hvm)
		kdx_desc_add_warning(
			x->desc,
			"legacy xc_core: pages are indexed by machine frame only, so physical addresses here are machine addresses (pseudo-physical ones need the guest's own p2m)");
	if (!err)
		err = read_vcpus(x);
	if (!err)
		err = legacy_pages(x, &l);
	return err;
}

static struct kdx_error *xc_core_open(const struct kdx_file *file,
				      const struct kdx_open_options *opts,
				      struct kdx_dump_desc *desc)
{
	uint8_t head[64];
	size_t len;
	struct xcc x = { .file = file, .desc = desc };
	struct kdx_error *err = kdx_file_read_some(file, 0, head, sizeof(head),
						   &len);

	(void)opts;
	if (err)
		return err;
	x.priv = calloc(1, sizeof(*x.priv));
	if (!x.priv)
		return kdx_err_nomem();
	desc->priv = x.priv;
	if (legacy_magic(head, len))
		return open_legacy(&x);
	return open_elf(&x);
}

static const struct kdx_p2m *xc_core_p2m(const void *priv)
{
	const struct xc_core *c = priv;

	return c->has_p2m ? &c->p2m : NULL;
}

static void xc_core_destroy(void *priv)
{
	struct xc_core *c = priv;

	kdx_p2m_deinit(&c->p2m);
	free(c);
}

const struct kdx_format_ops kdx_format_xc_core = {
	.name = "xc_core",
	.description = "Xen guest dump (xl dump-core): ELF sections or the legacy pre-ELF file; PV guests through their p2m",
	.detect = true,
	.probe = xc_core_probe,
	.open = xc_core_open,
	.p2m = xc_core_p2m,
	.destroy = xc_core_destroy,
};
