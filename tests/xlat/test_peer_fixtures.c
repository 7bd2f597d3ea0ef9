/* SPDX-License-Identifier: MIT */
/* libkdumpfile's address-translation fixtures (ptesarik/libkdumpfile,
 * tests/addrxlat-*; their numbers are in peer/libkdumpfile_fixtures.h,
 * made by peer/convert-libkdumpfile.py, and are LGPL-3.0-or-later or
 * GPL-2.0-or-later test data): for each, an ELF image holding only the
 * bytes of the page-table entries the fixture defines (one PT_LOAD per
 * entry, the rest of memory absent), and kdx's translation of every
 * address checked against libkdumpfile's expected result, or expected to
 * fail.  Sparse tables are the point: a walk must use a present entry
 * whose table page is otherwise absent.  Where kdx disagrees on purpose
 * the difference is listed below with its reason.  And tests/xlat-linux-
 * s390x-*: the Linux set-up finds the root table and its levels in the
 * same memory excerpts libkdumpfile's OS detection is given. */
#include "xlat_test.h"
#include "mkelf.h"

#include <kdx/kernel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct peer_entry {
	uint64_t addr, value;
};

struct peer_check {
	uint64_t va, pa;
	bool ok; /* false: the translation must fail */
};

struct peer_fixture {
	const char *name;
	const char *form;   /* libkdumpfile's PTE format name */
	const char *fields; /* bits of each address field, page offset first */
	uint64_t ignore_mask;
	const struct peer_entry *entries;
	size_t nentries;
	const struct peer_check *checks;
	size_t nchecks;
};

struct peer_os_fixture {
	const char *name;
	const char *vmcoreinfo;
	const struct peer_entry *memory; /* 8-byte words */
	size_t nmemory;
	uint64_t root;      /* the root table libkdumpfile finds */
	const char *fields; /* and its shape */
};

#include "peer/libkdumpfile_fixtures.h"

#define EM_386 3
#define EM_S390 22
#define EM_ARM 40
#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243

/* How kdx is told what the fixture's form is, and how its image looks. */
struct setup {
	struct kdx_xlat_config cfg;
	uint16_t machine;
	unsigned int class_bits, entry_size;
	enum kdx_byte_order order;
};

static void parse_fields(const char *s, unsigned int *nfields,
			 unsigned int *total, unsigned int *first)
{
	char *end;

	*nfields = *total = 0;
	*first = (unsigned int)strtoul(s, &end, 10);
	for (;;) {
		unsigned long v = strtoul(s, &end, 10);

		if (end == s)
			fail_msg("bad fields '%s'", s);
		*total += (unsigned int)v;
		(*nfields)++;
		if (*end != ',')
			break;
		s = end + 1;
	}
}

static void setup_for(const struct peer_fixture *f, struct setup *s)
{
	unsigned int nfields, total, page_bits, levels;

	parse_fields(f->fields, &nfields, &total, &page_bits);
	levels = nfields - 1;
	kdx_xlat_config_init(&s->cfg);
	s->cfg.root = 0;
	s->cfg.ignore_mask = f->ignore_mask;
	s->class_bits = 64;
	s->entry_size = 8;
	s->order = KDX_LITTLE_ENDIAN;
	if (!strcmp(f->form, "x86_64")) {
		s->cfg.mode = levels == 5 ? KDX_PAGING_X86_LA57 : KDX_PAGING_X86_64;
		s->machine = EM_X86_64;
	} else if (!strcmp(f->form, "ia32")) {
		s->cfg.mode = KDX_PAGING_X86_32;
		s->machine = EM_386;
		s->class_bits = 32;
		s->entry_size = 4;
	} else if (!strcmp(f->form, "ia32_pae")) {
		s->cfg.mode = KDX_PAGING_X86_PAE;
		s->machine = EM_386;
		s->class_bits = 32;
	} else if (!strncmp(f->form, "aarch64", 7)) {
		/* one table for both halves: the fixtures' addresses are
		 * their low @total bits */
		s->cfg.mode = KDX_PAGING_AARCH64;
		s->cfg.page_size = 1u << page_bits;
		s->cfg.va_bits = total;
		s->cfg.flags |= KDX_XLAT_ROOT_LOW;
		s->cfg.root_low = 0;
		if (strcmp(f->form, "aarch64"))
			s->cfg.phys_bits = 52; /* _lpa, _lpa2 */
		s->machine = EM_AARCH64;
	} else if (!strcmp(f->form, "arm")) {
		/* TTBCR.N = 0: TTBR0 translates everything */
		s->cfg.mode = KDX_PAGING_ARM;
		s->cfg.flags |= KDX_XLAT_ROOT_LOW;
		s->cfg.root_low = 0;
		s->cfg.low_va_bits = 32;
		s->machine = EM_ARM;
		s->class_bits = 32;
		s->entry_size = 4;
	} else if (!strcmp(f->form, "riscv64")) {
		s->cfg.mode = levels == 5 ? KDX_PAGING_RISCV_SV57 :
			      levels == 4 ? KDX_PAGING_RISCV_SV48 :
					    KDX_PAGING_RISCV_SV39;
		s->machine = EM_RISCV;
	} else if (!strcmp(f->form, "s390x")) {
		/* an ASCE designating a full table of the top level:
		 * designation type 0 (segment) for 2 levels ... 3 for 5 */
		s->cfg.mode = KDX_PAGING_S390X;
		s->cfg.root = (uint64_t)(levels - 2) << 2 | 3;
		s->machine = EM_S390;
		s->order = KDX_BIG_ENDIAN;
	} else {
		fail_msg("%s: unknown form %s", f->name, f->form);
	}
}

/* The image: one PT_LOAD per entry, nothing else but @vmci. */
static uint8_t *image(const struct peer_entry *entries, size_t nentries,
		      const struct setup *s, const char *vmci, size_t *size)
{
	struct mkelf_options o = { .class_bits = s->class_bits,
				   .byte_order = s->order,
				   .machine = s->machine };
	struct mkelf *m = mkelf_new(&o);
	uint8_t (*bytes)[8] = calloc(nentries, 8);
	uint8_t *elf;

	assert_non_null(bytes);
	for (size_t i = 0; i < nentries; i++) {
		struct mkelf_load load = { 0 };

		for (unsigned int b = 0; b < s->entry_size; b++) {
			unsigned int shift = s->order == KDX_BIG_ENDIAN ?
						     8 * (s->entry_size - 1 - b) :
						     8 * b;

			bytes[i][b] = (uint8_t)(entries[i].value >> shift);
		}
		load.paddr = entries[i].addr;
		load.data = bytes[i];
		load.filesz = load.memsz = s->entry_size;
		mkelf_add_load(m, &load);
	}
	if (vmci)
		mkelf_add_vmcoreinfo(m, vmci);
	elf = mkelf_build(m, size);
	mkelf_free(m);
	free(bytes);
	return elf;
}

/* Where kdx deliberately disagrees, and why: it fails with @code and a
 * message containing @text. */
static const struct peer_difference {
	const char *fixture;
	uint64_t va;
	enum kdx_error_code code;
	const char *text;
	const char *why;
} differences[] = {
	{ "addrxlat-x86_64-5l", 0xff1123456789abcdull, KDX_ERR_CORRUPT,
	  "PML4 entry 0xc0e7 at 0x8000 [index 70] has the PS bit set",
	  "PS is reserved in a 5-level P4D (PML4) entry (Intel SDM 4.5.4): "
	  "the fixture's 1 GiB path through it faults on hardware" },
};

static const struct peer_difference *difference(const struct peer_fixture *f,
						uint64_t va)
{
	for (size_t i = 0; i < sizeof(differences) / sizeof(differences[0]); i++)
		if (!strcmp(differences[i].fixture, f->name) &&
		    differences[i].va == va)
			return &differences[i];
	return NULL;
}

static bool expected_difference(const struct peer_fixture *f, uint64_t va,
				const struct kdx_error *err)
{
	const struct peer_difference *d = difference(f, va);

	return d && err && kdx_error_code(err) == d->code &&
	       strstr(kdx_error_message(err), d->text);
}

static unsigned int check_fixture(const struct peer_fixture *f)
{
	struct setup s;
	uint8_t *elf;
	size_t size;
	struct kdx_dump *dump;
	struct kdx_xlat *x;
	struct kdx_error *err;
	unsigned int failures = 0;

	setup_for(f, &s);
	elf = image(f->entries, f->nentries, &s, NULL, &size);
	err = kdx_dump_open_memory(elf, size, NULL, &dump);
	if (err)
		fail_msg("%s: open: %s", f->name, kdx_error_message(err));
	err = kdx_dump_xlat_create(dump, &s.cfg, &x);
	if (err)
		fail_msg("%s: xlat: %s", f->name, kdx_error_message(err));
	for (size_t i = 0; i < f->nchecks; i++) {
		const struct peer_check *c = &f->checks[i];
		struct kdx_xlat_result r;

		err = kdx_xlat_translate(x, c->va, &r);
		if (difference(f, c->va)) {
			if (!expected_difference(f, c->va, err)) {
				print_error("%s: 0x%llx: not the expected difference\n",
					    f->name, (unsigned long long)c->va);
				failures++;
			}
		} else if (c->ok && err) {
			print_error("%s: 0x%llx: %s\n", f->name,
				    (unsigned long long)c->va,
				    kdx_error_message(err));
			failures++;
		} else if (c->ok && r.paddr != c->pa) {
			print_error("%s: 0x%llx -> 0x%llx, libkdumpfile says 0x%llx\n",
				    f->name, (unsigned long long)c->va,
				    (unsigned long long)r.paddr,
				    (unsigned long long)c->pa);
			failures++;
		} else if (!c->ok && !err) {
			print_error("%s: 0x%llx -> 0x%llx, libkdumpfile says it fails\n",
				    f->name, (unsigned long long)c->va,
				    (unsigned long long)r.paddr);
			failures++;
		}
		kdx_error_destroy(err);
	}
	kdx_xlat_destroy(x);
	kdx_dump_destroy(dump);
	free(elf);
	return failures;
}

static void every_fixture(void **state)
{
	unsigned int failures = 0, checks = 0;
	size_t n = sizeof(peer_fixtures) / sizeof(peer_fixtures[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		failures += check_fixture(&peer_fixtures[i]);
		checks += (unsigned int)peer_fixtures[i].nchecks;
	}
	print_message("%zu fixtures, %u addresses, %u differ\n", n, checks,
		      failures);
	assert_int_equal(failures, 0);
}

/* libkdumpfile's s390x OS fixtures: the kernel's root table and how many
 * levels it has, found from SYMBOL(swapper_pg_dir) and the table's own
 * entries (an ASCE whose designation type is the level: 2 levels = 0). */
static void s390x_set_up(void **state)
{
	size_t n = sizeof(peer_os_fixtures) / sizeof(peer_os_fixtures[0]);
	const struct peer_fixture shape = { "", "s390x", "12", 0, NULL, 0,
					    NULL, 0 };

	(void)state;
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		const struct peer_os_fixture *f = &peer_os_fixtures[i];
		unsigned int nfields, total, page_bits;
		struct kdx_kernel_layout l;
		struct kdx_dump *dump;
		struct kdx_error *err;
		struct setup s;
		uint8_t *elf;
		size_t size;

		setup_for(&shape, &s);
		parse_fields(f->fields, &nfields, &total, &page_bits);
		elf = image(f->memory, f->nmemory, &s, f->vmcoreinfo, &size);
		err = kdx_dump_open_memory(elf, size, NULL, &dump);
		if (err)
			fail_msg("%s: open: %s", f->name, kdx_error_message(err));
		assert_null(kdx_kernel_probe(dump, NULL, &l));
		assert_int_equal(l.mode, KDX_PAGING_S390X);
		assert_true(l.has_root);
		if (l.root != (f->root | (uint64_t)(nfields - 3) << 2 | 3))
			fail_msg("%s: root 0x%llx, libkdumpfile finds a %u-level table at 0x%llx",
				 f->name, (unsigned long long)l.root,
				 nfields - 1, (unsigned long long)f->root);
		kdx_dump_destroy(dump);
		free(elf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fixture),
		cmocka_unit_test(s390x_set_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
