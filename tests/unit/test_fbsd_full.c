/* SPDX-License-Identifier: MIT */
/* FreeBSD full dumps (ELF cores from dumpsys_generic(), bare or between
 * kerneldumpheaders) of amd64, i386 PAE and i386: the OS recognised, the
 * page-table root from the kernel image's symbols (or, amd64, from the
 * scan for the self-mapped PML4), every translation and every byte the
 * helper recorded, the message buffer through msgbufp, and the version
 * string.  Also a minidump without its message buffer section, read
 * through msgbufp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "bytes.h"
#include "dumpcheck.h"
#include "mkfbsdfull.h"
#include "mkminidump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* assert_null() that shows the message of an unexpected error. */
static void ok(struct kdx_error *err)
{
	if (err)
		fprintf(stderr, "unexpected error: %s\n", kdx_error_message(err));
	assert_null(err);
}

static char *temp_kernel(const struct mkkernel *k, char *path)
{
	int fd;

	strcpy(path, "/tmp/kdx-fbsd-kernel-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_true(mkkernel_write(k, path));
	return path;
}

static struct kdx_dump *open_full(const struct mkfull *d, const char *kernel)
{
	struct kdx_open_options o;
	struct kdx_dump *dump = NULL;

	kdx_open_options_init(&o);
	o.kernel = kernel;
	assert_null(kdx_dump_open_memory(d->data, d->size, &o, &dump));
	return dump;
}

/* Every page of every mapping (the first 16 MiB of the direct map):
 * the translation and 16 bytes at an odd offset, against the record. */
static unsigned int check_maps(const struct mkfull *d, struct kdx_dump *dump,
			       struct kdx_xlat *xlat)
{
	unsigned int checked = 0;

	for (unsigned int i = 0; i < d->nmaps; i++) {
		const struct mkfull_map *m = &d->maps[i];
		uint64_t span = m->size < (16u << 20) ? m->size : (16u << 20);

		for (uint64_t off = 0; off < span; off += 4096) {
			uint64_t va = m->va + off + 0x7f1, pa;
			struct kdx_xlat_result r;
			uint8_t buf[16];
			struct kdx_error *err = kdx_xlat_translate(xlat, va, &r);

			if (!mkfull_expect(d, va, &pa)) {
				assert_non_null(err);
				kdx_error_destroy(err);
				continue;
			}
			assert_null(err);
			assert_int_equal(r.paddr, pa);
			err = kdx_read_virt(dump, xlat, va, buf, sizeof(buf), 0,
					    NULL);
			if (!mkfull_dumped(d, pa)) {
				expect_error_text(err, KDX_ERR_NODATA, "");
				continue;
			}
			assert_null(err);
			assert_memory_equal(buf, d->mem + pa, sizeof(buf));
			checked++;
		}
	}
	return checked;
}

static bool count_mapping(void *arg, const struct kdx_mapping *m)
{
	(void)m;
	++*(unsigned int *)arg;
	return true;
}

/* The enumeration meets no problem: FreeBSD amd64's recursive PML4 slot
 * is its own view of the tables, not a loop to report; the kernel's
 * linear map and the small pages (merged where contiguous) are listed. */
static void check_enumeration(struct kdx_xlat *xlat)
{
	unsigned int n = 0;

	ok(kdx_xlat_maps(xlat, 0, UINT64_MAX, 0, count_mapping, NULL, &n));
	assert_true(n >= 6);
}

static void check_dmesg(const struct mkfull *d, struct kdx_dump *dump)
{
	char *text = NULL;
	size_t len = 0;

	ok(kdx_dump_msgbuf(dump, &text, &len));
	assert_int_equal(len, d->log_len);
	assert_memory_equal(text, d->log, len);
	free(text);
}

static void check_one(const struct mkfull_spec *s, bool with_kernel)
{
	struct mkfull d;
	struct kdx_dump *dump;
	struct kdx_kernel_layout layout;
	struct kdx_xlat *xlat = NULL;
	char path[64];
	const char *v;

	assert_true(mkfull_build(s, &d));
	dump = open_full(&d, with_kernel ? temp_kernel(&d.kernel, path) : NULL);
	assert_string_equal(kdx_dump_format_name(dump), "elf");
	assert_string_equal(kdx_arch_name(kdx_dump_arch(dump)),
			    mkfull_arch_name(&d));
	assert_non_null(strstr(dump_detail(dump, "os"), "FreeBSD"));
	v = dump_detail(dump, "os_release");
	if (!s->no_version_text || s->kdh)
		assert_string_equal(v, d.version);
	if (s->kdh) {
		assert_non_null(strstr(dump_detail(dump, "kerneldumpheader"),
				       "full dump (ELF) at offset 0x200"));
		assert_string_equal(dump_detail(dump, "hostname"), "fullhost");
		assert_string_equal(dump_detail(dump, "panic"), "synthetic panic");
	}
	ok(kdx_kernel_probe(dump, NULL, &layout));
	assert_int_equal(layout.os, KDX_OS_FREEBSD);
	if (!with_kernel)
		/* No msgbufp without the kernel image. */
		expect_error_text(kdx_dump_msgbuf(dump, &(char *){ NULL },
						  &(size_t){ 0 }),
				  KDX_ERR_NOTFOUND, "no message buffer");
	assert_true(layout.has_root);
	assert_int_equal(layout.root, d.root);
	assert_int_equal(layout.mode, s->arch == MKFULL_AMD64 ? KDX_PAGING_X86_64 :
				      s->arch == MKFULL_I386_PAE ? KDX_PAGING_X86_PAE :
								   KDX_PAGING_X86_32);
	assert_non_null(strstr(layout.root_source,
			       with_kernel ? "kernel symbol" : "scan"));
	/* amd64: the direct map where FreeBSD puts it, found mapping 0. */
	assert_int_equal(layout.has_direct_map, s->arch == MKFULL_AMD64);
	if (layout.has_direct_map)
		assert_int_equal(layout.direct_map, 0xfffff80000000000ull);
	assert_null(kdx_kernel_xlat_create(dump, &layout, &xlat));
	assert_true(check_maps(&d, dump, xlat) > 1500);
	check_enumeration(xlat);
	if (with_kernel) {
		uint64_t kb = 0;

		check_dmesg(&d, dump);
		if (!s->no_version_text)
			assert_string_equal(dump_detail(dump, "kernel_version"),
					    d.version);
		else
			assert_null(dump_detail(dump, "kernel_version"));
		assert_true(kdx_dump_facts(dump)->set & KDX_FACT_KERNEL_BASE);
		assert_null(kdx_dump_kernel_symbol(dump, "kernbase", &kb));
		assert_int_equal(kdx_dump_facts(dump)->kernel_base, kb);
		assert_int_equal(kb, d.kernbase);
		unlink(path);
	}
	kdx_xlat_destroy(xlat);
	kdx_dump_destroy(dump);
	mkfull_free(&d);
}

static void test_full_dumps(void **state)
{
	static const struct mkfull_spec specs[] = {
		{ .arch = MKFULL_AMD64 },
		{ .arch = MKFULL_AMD64, .kdh = true },
		{ .arch = MKFULL_AMD64, .dynsym_only = true },
		{ .arch = MKFULL_AMD64, .no_version_text = true },
		{ .arch = MKFULL_I386_PAE },
		{ .arch = MKFULL_I386_PAE, .kdh = true, .no_version_text = true },
		{ .arch = MKFULL_I386 },
		{ .arch = MKFULL_I386, .dynsym_only = true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		check_one(&specs[i], true);
		check_one(&specs[i], false);
	}
}

/* Physical memory of a full dump: each range's bytes, holes fail. */
static void test_physical(void **state)
{
	struct mkfull_spec s = { .arch = MKFULL_AMD64, .kdh = true };
	struct mkfull d;
	struct kdx_dump *dump;
	uint8_t buf[64];

	(void)state;
	assert_true(mkfull_build(&s, &d));
	dump = open_full(&d, NULL);
	for (unsigned int i = 0; i < d.nranges; i++) {
		uint64_t a = d.ranges[2 * i], b = d.ranges[2 * i + 1];

		assert_null(kdx_read_phys(dump, a, buf, sizeof(buf), 0, NULL));
		assert_memory_equal(buf, d.mem + a, sizeof(buf));
		assert_null(kdx_read_phys(dump, b - 64, buf, sizeof(buf), 0, NULL));
		assert_memory_equal(buf, d.mem + b - 64, sizeof(buf));
		if (b < d.mem_size)
			expect_error_text(kdx_read_phys(dump, b, buf, 1, 0, NULL),
					  KDX_ERR_NODATA, "");
	}
	kdx_dump_destroy(dump);
	mkfull_free(&d);
}

static bool is_table(const struct mkmd_dump *md, uint64_t pa)
{
	for (unsigned int t = 0; t < md->ntables; t++)
		if (pa / 4096 == md->table_pa[t] / 4096)
			return true;
	return false;
}

/* A dump device's headers around something that is no ELF core, or a
 * length past the file: errors that say so. */
static void test_wrapped_errors(void **state)
{
	struct mkfull_spec s = { .arch = MKFULL_I386, .kdh = true };
	struct mkfull d;
	struct kdx_dump *dump = NULL;

	(void)state;
	assert_true(mkfull_build(&s, &d));
	d.data[513] = 'X'; /* "\177XLF" */
	expect_error_text(kdx_dump_open_memory(d.data, d.size, NULL, &dump),
			  KDX_ERR_UNSUPPORTED,
			  "offset 0x200: the kerneldumpheader wraps neither a minidump nor a full dump");
	assert_null(dump);
	d.data[513] = 'E';
	/* The leading header's length one block past the file's end. */
	put64(d.data + 40, d.size, KDX_BIG_ENDIAN);
	expect_error_text(kdx_dump_open_memory(d.data, d.size, NULL, &dump),
			  KDX_ERR_CORRUPT, "kerneldumpheader at offset 0x0: 0x");
	assert_null(dump);
	mkfull_free(&d);
}

/* A kernel image of FreeBSD whose msgbufp points at a struct msgbuf in a
 * dumped page of a minidump that has no message buffer section. */
static void test_minidump_msgbufp(void **state)
{
	struct mkmd_spec spec = { .arch = MKMD_AMD64, .version = 2,
				  .no_msgbuf = true };
	struct mkmd_dump md;
	uint64_t va = 0, pa = 0, off;
	uint8_t page[4096];
	uint8_t *at = NULL;
	struct kdx_open_options o;
	struct kdx_dump *dump = NULL;
	char path[64], *text = NULL;
	size_t len = 0;
	static const char ring[] = "\0\0ld ring\nmsgbufp found the new";
	static const char want[] = "msgbufp found the newld ring\n";
	struct mkkernel k;
	struct mkkernel_sym syms[] = {
		{ "kernbase", 0, 0, 0, 1, true, false },
		{ "msgbufp", 0, 8, 1, 1, false, false },
	};
	struct mkkernel_spec ks = { .class_bits = 64,
				    .byte_order = KDX_LITTLE_ENDIAN,
				    .machine = 62, .osabi = 9, .syms = syms,
				    .nsyms = 2 };

	(void)state;
	assert_true(mkmd_build(&spec, &md));
	/* A small-page kernel mapping of a dumped page. */
	for (unsigned int i = 0; i < md.nmaps && !at; i++) {
		if (md.maps[i].kind != MKMD_SMALL)
			continue;
		for (off = 0; off < md.maps[i].size && !at; off += 4096) {
			va = md.maps[i].va + off;
			if (!mkmd_expect(&md, va, &pa) || !mkmd_dumped(&md, pa))
				continue;
			if (is_table(&md, pa))
				continue;
			mkmd_phys_bytes(&md, pa, page, sizeof(page));
			/* The page's bytes in the file, when only one page
			 * holds them. */
			at = memmem(md.data + md.sparse_off, md.size - md.sparse_off,
				    page, sizeof(page));
			if (at && memmem(at + 1, md.size - (size_t)(at + 1 - md.data),
					 page, sizeof(page)))
				at = NULL;
		}
	}
	assert_non_null(at);
	/* msgbufp at va, struct msgbuf at va + 0x100, the ring at va +
	 * 0x200, 32 bytes written up to sequence 42 (42 % 32 = 10). */
	memset(at, 0, 0x300);
	put64(at, va + 0x100, KDX_LITTLE_ENDIAN);
	put64(at + 0x100, va + 0x200, KDX_LITTLE_ENDIAN);
	put32(at + 0x108, 0x063062, KDX_LITTLE_ENDIAN);
	put32(at + 0x10c, 32, KDX_LITTLE_ENDIAN);
	put32(at + 0x110, 42, KDX_LITTLE_ENDIAN);
	memcpy(at + 0x200, ring, 32);
	syms[0].value = md.kernbase;
	syms[1].value = va;
	assert_true(mkkernel_build(&ks, &k));
	temp_kernel(&k, path);
	mkkernel_free(&k);

	kdx_open_options_init(&o);
	assert_null(kdx_dump_open_memory(md.data, md.size, &o, &dump));
	/* Without the kernel image: nothing to print from. */
	expect_error_text(kdx_dump_msgbuf(dump, &text, &len), KDX_ERR_NOTFOUND,
			  "no message buffer section; give --kernel");
	kdx_dump_destroy(dump);

	o.kernel = path;
	ok(kdx_dump_open_memory(md.data, md.size, &o, &dump));
	ok(kdx_dump_msgbuf(dump, &text, &len));
	assert_int_equal(len, strlen(want));
	assert_memory_equal(text, want, len);
	free(text);
	kdx_dump_destroy(dump);
	unlink(path);
	mkmd_free(&md);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_dumps),
		cmocka_unit_test(test_physical),
		cmocka_unit_test(test_wrapped_errors),
		cmocka_unit_test(test_minidump_msgbufp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
