/* SPDX-License-Identifier: MIT */
/* Fuzz the kernel image symbol reader (src/sym/elf_symbols.c): the input
 * is an ELF image as `--kernel` reads it.  Seeds are mkkernel's images
 * (tests/helpers/mkkernel-seeds.c): both classes and byte orders,
 * .symtab, .dynsym only, both.
 *
 * Checked: an error or a table; in a table, symbols in name order, every
 * name found again by lookup (the first of its name), no undefined or
 * unnamed symbol, and lookups of names not in it fail. */
#include "fuzz_common.h"

#include "io/file.h"
#include "sym/elf_symbols.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_SIZE (1u << 20)

static void check_table(const struct kdx_symtab *t)
{
	size_t n = kdx_symtab_count(t);

	for (size_t i = 0; i < n; i++) {
		const struct kdx_symbol *s = kdx_symtab_at(t, i);
		const struct kdx_symbol *f;

		FUZZ_CHECK(s && s->name && s->name[0]);
		if (i)
			FUZZ_CHECK(strcmp(kdx_symtab_at(t, i - 1)->name,
					  s->name) <= 0);
		f = kdx_symtab_find(t, s->name);
		FUZZ_CHECK(f && !strcmp(f->name, s->name) && f <= s);
	}
	FUZZ_CHECK(!kdx_symtab_at(t, n));
	FUZZ_CHECK(!kdx_symtab_find(t, ""));
	FUZZ_CHECK(kdx_symtab_word_size(t) == 4 || kdx_symtab_word_size(t) == 8);
	FUZZ_CHECK(!strcmp(kdx_symtab_section(t), ".symtab") ||
		   !strcmp(kdx_symtab_section(t), ".dynsym"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kdx_file *f;
	struct kdx_symtab *t = NULL;
	struct kdx_error *err;

	if (size > MAX_SIZE || kdx_file_from_memory(data, size, &f))
		return 0;
	err = kdx_symtab_read(f, &t);
	kdx_file_close(f);
	if (err) {
		FUZZ_CHECK(!t && kdx_error_message(err));
		kdx_error_destroy(err);
		return 0;
	}
	check_table(t);
	kdx_symtab_destroy(t);
	return 0;
}
