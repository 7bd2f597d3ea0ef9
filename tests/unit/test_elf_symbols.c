/* SPDX-License-Identifier: MIT */
/* Kernel images' symbol tables (src/sym/elf_symbols.c): synthetic ELF
 * kernels of both classes and byte orders, symbols in .symtab, only in
 * .dynsym, or in both (where .symtab must win); every symbol looked up;
 * every damaged header an error naming its offset; and `kernel` in the
 * open options (version 2) while version 1 callers keep working. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkelf.h"
#include "mkkernel.h"
#include "sym/elf_symbols.h"
#include "io/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct mkkernel_sym syms[] = {
	{ "kernbase", 0xffffffff80000000ull, 0, 0, 1, true, false },
	{ "KPML4phys", 0xffffffff81234560ull, 8, 1, 1, false, false },
	{ "msgbufp", 0xffffffff81234568ull, 8, 1, 1, false, false },
	/* A local of the same name, listed first: the global wins. */
	{ "zlocal", 0xffffffff80001000ull, 4, 1, 0, false, false },
	{ "msgbufp", 0xffffffff8000dead, 8, 1, 0, false, false },
	{ "version", 0xffffffff81300000ull, 300, 1, 1, false, false },
	{ "a_function", 0xffffffff80200000ull, 64, 2, 1, false, false },
	{ "undefined_one", 0, 0, 0, 1, false, true },
};
#define NSYMS (sizeof(syms) / sizeof(syms[0]))
/* Named and defined: all but the undefined one. */
#define DEFINED (NSYMS - 1)

struct variant {
	unsigned int bits;
	enum kdx_byte_order bo;
	bool dynsym_only, both;
};

static const struct variant variants[] = {
	{ 64, KDX_LITTLE_ENDIAN, false, false },
	{ 64, KDX_BIG_ENDIAN, false, false },
	{ 32, KDX_LITTLE_ENDIAN, false, false },
	{ 32, KDX_BIG_ENDIAN, false, false },
	{ 64, KDX_LITTLE_ENDIAN, true, false },
	{ 64, KDX_BIG_ENDIAN, true, false },
	{ 32, KDX_LITTLE_ENDIAN, true, false },
	{ 32, KDX_BIG_ENDIAN, true, false },
	{ 64, KDX_LITTLE_ENDIAN, false, true },
	{ 32, KDX_BIG_ENDIAN, false, true },
};

static void build(const struct variant *v, struct mkkernel *k)
{
	struct mkkernel_spec s = {
		.class_bits = v->bits,
		.byte_order = v->bo,
		.machine = v->bits == 64 ? 62 : 3,
		.osabi = 9,
		.dynsym_only = v->dynsym_only,
		.both = v->both,
		.syms = syms,
		.nsyms = NSYMS,
	};

	assert_true(mkkernel_build(&s, k));
}

static struct kdx_error *read_mem(const struct mkkernel *k, size_t size,
				  struct kdx_symtab **out)
{
	struct kdx_file *f;
	struct kdx_error *err = kdx_file_from_memory(k->data, size, &f);

	assert_null(err);
	err = kdx_symtab_read(f, out);
	kdx_file_close(f);
	return err;
}

static uint64_t truncated_value(const struct variant *v, uint64_t x)
{
	return v->bits == 32 ? (uint32_t)x : x;
}

static void test_every_variant(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct variant *v = &variants[i];
		struct mkkernel k;
		struct kdx_symtab *t = NULL;
		const struct kdx_symbol *s;

		build(v, &k);
		assert_null(read_mem(&k, k.size, &t));
		assert_int_equal(kdx_symtab_count(t), DEFINED);
		assert_string_equal(kdx_symtab_section(t),
				    v->dynsym_only ? ".dynsym" : ".symtab");
		assert_int_equal(kdx_symtab_word_size(t), v->bits / 8);
		assert_int_equal(kdx_symtab_byte_order(t), v->bo);
		assert_int_equal(kdx_symtab_osabi(t), 9);
		assert_int_equal(kdx_symtab_arch(t),
				 v->bits == 64 ? KDX_ARCH_X86_64 : KDX_ARCH_I386);
		for (size_t j = 0; j < NSYMS; j++) {
			if (syms[j].undefined || syms[j].binding == 0)
				continue;
			s = kdx_symtab_find(t, syms[j].name);
			assert_non_null(s);
			assert_int_equal(s->value, truncated_value(v, syms[j].value));
			assert_int_equal(s->size, syms[j].size);
			assert_int_equal(s->type, syms[j].type);
			assert_int_equal(s->binding, 1);
		}
		s = kdx_symtab_find(t, "zlocal");
		assert_non_null(s);
		assert_int_equal(s->binding, 0);
		assert_null(kdx_symtab_find(t, "undefined_one"));
		assert_null(kdx_symtab_find(t, "nosuch"));
		assert_null(kdx_symtab_find(t, ""));
		/* In name order. */
		for (size_t j = 1; j < kdx_symtab_count(t); j++)
			assert_true(strcmp(kdx_symtab_at(t, j - 1)->name,
					   kdx_symtab_at(t, j)->name) <= 0);
		assert_null(kdx_symtab_at(t, kdx_symtab_count(t)));
		kdx_symtab_destroy(t);
		mkkernel_free(&k);
	}
}

/* A 64-bit little-endian image with .symtab, broken by @patch. */
static void expect_broken(void (*patch)(struct mkkernel *k, size_t *size,
					char *want, size_t wlen),
			  enum kdx_error_code code)
{
	static const struct variant v = { 64, KDX_LITTLE_ENDIAN, false, false };
	struct mkkernel k;
	struct kdx_symtab *t = NULL;
	size_t size;
	char want[160];

	build(&v, &k);
	size = k.size;
	patch(&k, &size, want, sizeof(want));
	expect_error_text(read_mem(&k, size, &t), code, want);
	assert_null(t);
	mkkernel_free(&k);
}

static void cut_section_headers(struct mkkernel *k, size_t *size, char *want,
				size_t n)
{
	*size = k->shoff + 2 * k->shentsize + 10;
	snprintf(want, n, "at offset 0x%llx run past the end of the file (0x%zx bytes)",
		 (unsigned long long)k->shoff, *size);
}

static void link_out_of_range(struct mkkernel *k, size_t *size, char *want,
			      size_t n)
{
	(void)size;
	put32(k->data + k->sym_shdr_off + 40, 99, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "header at offset 0x%llx: sh_link 99 names no section",
		 (unsigned long long)k->sym_shdr_off);
}

static void link_to_text(struct mkkernel *k, size_t *size, char *want,
			 size_t n)
{
	(void)size;
	put32(k->data + k->sym_shdr_off + 40, 1, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "section 1, header at offset 0x%llx: type 1",
		 (unsigned long long)(k->shoff + k->shentsize));
}

static void name_past_end(struct mkkernel *k, size_t *size, char *want,
			  size_t n)
{
	uint64_t sym2 = k->sym_off + 2 * k->sym_entsize;

	(void)size;
	put32(k->data + sym2, (uint32_t)k->str_size + 5, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "symbol at offset 0x%llx: name offset 0x%llx is past the end of the string table (0x%llx bytes)",
		 (unsigned long long)sym2,
		 (unsigned long long)k->str_size + 5,
		 (unsigned long long)k->str_size);
}

static void name_without_nul(struct mkkernel *k, size_t *size, char *want,
			     size_t n)
{
	/* The last name is the undefined one's; point symbol 1 at it and
	 * take its NUL away. */
	uint64_t sym1 = k->sym_off + k->sym_entsize;
	uint32_t last = (uint32_t)(k->str_size - strlen("undefined_one") - 1);

	(void)size;
	put32(k->data + sym1, last, KDX_LITTLE_ENDIAN);
	k->data[k->str_off + k->str_size - 1] = 'X';
	snprintf(want, n, "symbol at offset 0x%llx: its name at string table offset 0x%x runs past",
		 (unsigned long long)sym1, last);
}

static void symbols_past_end(struct mkkernel *k, size_t *size, char *want,
			     size_t n)
{
	(void)size;
	put64(k->data + k->sym_shdr_off + 24, 0x7fff0000, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "header at offset 0x%llx: 0x%llx bytes at offset 0x7fff0000 run past the end of the file",
		 (unsigned long long)k->sym_shdr_off,
		 (unsigned long long)(NSYMS + 1) * k->sym_entsize);
}

static void small_shentsize(struct mkkernel *k, size_t *size, char *want,
			    size_t n)
{
	(void)size;
	put16(k->data + 58, 40, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "ELF header at offset 0x3a: section header size 40 (ELF64 needs 64)");
}

static void no_symbols(struct mkkernel *k, size_t *size, char *want,
		       size_t n)
{
	(void)size;
	put32(k->data + k->sym_shdr_off + 4, 1, KDX_LITTLE_ENDIAN);
	snprintf(want, n, "no .symtab and no .dynsym among its %u sections",
		 k->shnum);
}

static void not_elf(struct mkkernel *k, size_t *size, char *want, size_t n)
{
	(void)size;
	k->data[1] = 'X';
	snprintf(want, n, "offset 0x0: not an ELF file");
}

static void test_errors(void **state)
{
	(void)state;
	expect_broken(cut_section_headers, KDX_ERR_CORRUPT);
	expect_broken(link_out_of_range, KDX_ERR_CORRUPT);
	expect_broken(link_to_text, KDX_ERR_CORRUPT);
	expect_broken(name_past_end, KDX_ERR_CORRUPT);
	expect_broken(name_without_nul, KDX_ERR_CORRUPT);
	expect_broken(symbols_past_end, KDX_ERR_CORRUPT);
	expect_broken(small_shentsize, KDX_ERR_CORRUPT);
	expect_broken(no_symbols, KDX_ERR_NOTFOUND);
	expect_broken(not_elf, KDX_ERR_INVALID);
}

/* Every prefix of an image either reads or fails cleanly; the ones that
 * cut the symbol or string table say so. */
static void test_every_truncation(void **state)
{
	static const struct variant v = { 32, KDX_BIG_ENDIAN, true, false };
	struct mkkernel k;

	(void)state;
	build(&v, &k);
	for (size_t size = 0; size < k.size; size += 7) {
		struct kdx_symtab *t = NULL;
		struct kdx_error *err = read_mem(&k, size, &t);

		assert_non_null(err);
		assert_null(t);
		kdx_error_destroy(err);
	}
	mkkernel_free(&k);
}

/* A small x86_64 ELF core to open with a kernel image. */
static uint8_t *core(uint16_t machine, unsigned int bits, size_t *size)
{
	struct mkelf_options o = { .class_bits = bits,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = machine };
	struct mkelf *m = mkelf_new(&o);
	struct mkelf_load l = { .paddr = 0x100000, .vaddr = 0x100000,
				.filesz = 0x4000, .memsz = 0x4000 };
	uint8_t *b;

	mkelf_add_load(m, &l);
	b = mkelf_build(m, size);
	mkelf_free(m);
	return b;
}

static char *write_kernel(const struct variant *v)
{
	static char path[64];
	struct mkkernel k;
	int fd;

	strcpy(path, "/tmp/kdx-kernel-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	build(v, &k);
	assert_true(mkkernel_write(&k, path));
	mkkernel_free(&k);
	return path;
}

static void test_open_options(void **state)
{
	static const struct variant v64 = { 64, KDX_LITTLE_ENDIAN, true, false };
	static const struct variant v32 = { 32, KDX_LITTLE_ENDIAN, false, false };
	struct kdx_open_options o;
	struct kdx_dump *d = NULL;
	size_t size;
	uint8_t *b = core(62, 64, &size);
	char path[64];
	uint64_t value = 0;

	(void)state;
	assert_int_equal(KDX_OPEN_OPTIONS_VERSION, 3);
	strcpy(path, write_kernel(&v64));
	kdx_open_options_init(&o);
	o.kernel = path;
	assert_null(kdx_dump_open_memory(b, size, &o, &d));
	assert_null(kdx_dump_kernel_symbol(d, "KPML4phys", &value));
	assert_int_equal(value, 0xffffffff81234560ull);
	expect_error_text(kdx_dump_kernel_symbol(d, "nosuch", &value),
			  KDX_ERR_NOTFOUND, "symbol nosuch: not in");
	assert_non_null(strstr(dump_detail(d, "kernel_image"), "from .dynsym"));
	kdx_dump_destroy(d);
	unlink(path);

	/* A version-1 caller: whatever follows its struct is not read. */
	kdx_open_options_init(&o);
	o.version = 1;
	o.kernel = "/nonexistent/kernel";
	assert_null(kdx_dump_open_memory(b, size, &o, &d));
	expect_error_text(kdx_dump_kernel_symbol(d, "kernbase", &value),
			  KDX_ERR_NOTFOUND, "no kernel image was given");
	kdx_dump_destroy(d);

	/* Errors: no such file; an image of another machine. */
	kdx_open_options_init(&o);
	o.kernel = "/nonexistent/kernel";
	d = NULL;
	expect_error_text(kdx_dump_open_memory(b, size, &o, &d), KDX_ERR_OS,
			  "/nonexistent/kernel");
	assert_null(d);
	strcpy(path, write_kernel(&v32));
	o.kernel = path;
	expect_error_text(kdx_dump_open_memory(b, size, &o, &d),
			  KDX_ERR_INVALID, "is a i386 ELF, the dump is of a x86_64 machine");
	assert_null(d);
	unlink(path);
	free(b);
}

/* Linux: VMCOREINFO without SYMBOL(init_top_pgt); a vmlinux gives it,
 * moved by KERNELOFFSET as VMCOREINFO's own values are. */
static void test_linux_vmlinux(void **state)
{
	static const struct mkkernel_sym vmlinux[] = {
		{ "init_top_pgt", 0xffffffff82a0c000ull, 4096, 1, 1, false, false },
		{ "_stext", 0xffffffff81000000ull, 0, 2, 1, false, false },
	};
	struct mkkernel_spec ks = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = 62, .syms = vmlinux, .nsyms = 2 };
	struct mkelf_options eo = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = 62 };
	struct mkelf *m = mkelf_new(&eo);
	struct mkelf_load l = { .paddr = 0x100000, .vaddr = 0x100000,
				.filesz = 0x4000, .memsz = 0x4000 };
	struct kdx_open_options o;
	struct kdx_dump *d = NULL;
	struct kdx_kernel_layout layout;
	struct mkkernel k;
	char path[64];
	size_t size;
	uint8_t *b;
	int fd;

	(void)state;
	mkelf_add_load(m, &l);
	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
				"NUMBER(phys_base)=16777216\nKERNELOFFSET=1e00000\n");
	b = mkelf_build(m, &size);
	mkelf_free(m);
	kdx_open_options_init(&o);
	assert_null(kdx_dump_open_memory(b, size, &o, &d));
	assert_null(kdx_kernel_probe(d, NULL, &layout));
	assert_false(layout.has_root);
	kdx_dump_destroy(d);

	strcpy(path, "/tmp/kdx-vmlinux-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(mkkernel_build(&ks, &k));
	assert_true(mkkernel_write(&k, path));
	mkkernel_free(&k);
	o.kernel = path;
	assert_null(kdx_dump_open_memory(b, size, &o, &d));
	assert_null(kdx_kernel_probe(d, NULL, &layout));
	assert_int_equal(layout.os, KDX_OS_LINUX);
	assert_true(layout.has_root);
	/* 0xffffffff82a0c000 + 0x1e00000 - __START_KERNEL_map + 16 MiB */
	assert_int_equal(layout.root, 0x2a0c000ull + 0x1e00000 + 0x1000000);
	assert_non_null(strstr(layout.root_source, "--kernel symbol SYMBOL(init_top_pgt)"));
	kdx_dump_destroy(d);
	unlink(path);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_variant),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_open_options),
		cmocka_unit_test(test_linux_vmlinux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
