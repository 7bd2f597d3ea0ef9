/* SPDX-License-Identifier: MIT */
/* The kdump-compressed reader on synthetic files from mkkdump: every codec,
 * every header version and ABI layout, both byte orders, excluded pages,
 * incomplete and cut-short dumps, corrupt pages, absurd headers, split
 * files and the flattened wrapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "core/endian.h"

#include "dumpcheck.h"
#include "mkkdump.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

struct kb {
	struct mkkdump *m;
	uint8_t *bytes;
	size_t size;
	struct kdx_dump *dump;
};

static struct mkkdump *new_kdump(const char *machine, enum kdx_byte_order bo,
				 unsigned int version,
				 enum mkkdump_codec codec)
{
	struct mkkdump_options o = {
		.machine = machine, .byte_order = bo,
		.header_version = version, .zero_version = version == 0,
		.default_codec = codec,
	};

	return mkkdump_new(&o);
}

static void build(struct mkkdump *m, struct kb *b)
{
	b->m = m;
	b->bytes = mkkdump_build(m, &b->size);
	b->dump = NULL;
}

static struct kdx_error *open_kb(struct kb *b, const char *format)
{
	struct kdx_open_options o;

	kdx_open_options_init(&o);
	o.format = format;
	kdx_dump_destroy(b->dump);
	b->dump = NULL;
	return kdx_dump_open_memory(b->bytes, b->size, &o, &b->dump);
}

static void open_ok(struct kb *b)
{
	struct kdx_error *err = open_kb(b, NULL);

	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_string_equal(kdx_dump_format_name(b->dump), "kdump");
}

static void done(struct kb *b)
{
	kdx_dump_destroy(b->dump);
	free(b->bytes);
	mkkdump_free(b->m);
	memset(b, 0, sizeof(*b));
}

static size_t count_warnings(const struct kdx_dump *d, const char *needle)
{
	size_t n, hits = 0;
	const char *const *w = kdx_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++)
		hits += strstr(w[i], needle) != NULL;
	return hits;
}

static const char *warning_with(const struct kdx_dump *d, const char *needle)
{
	size_t n;
	const char *const *w = kdx_dump_warnings(d, &n);

	for (size_t i = 0; i < n; i++)
		if (strstr(w[i], needle))
			return w[i];
	return NULL;
}

/* Read one whole page and compare it with what the builder put there. */
static void check_page(const struct kb *b, const struct kdx_dump *d,
		       uint64_t pfn)
{
	uint32_t bs = mkkdump_block_size(b->m);
	uint8_t *want = malloc(bs), *got = malloc(bs);
	struct kdx_read_stats st;
	struct kdx_error *err;
	uint64_t addr = pfn * bs, where = 0;
	char text[32];

	mkkdump_expected_page(b->m, pfn, want);
	memset(got, 0xa5, bs);
	err = kdx_read_phys(d, addr, got, bs, 0, &st);
	switch (mkkdump_page_kind(b->m, pfn)) {
	case MKKDUMP_DATA:
	case MKKDUMP_RANDOM:
	case MKKDUMP_ZERO:
		if (err)
			fail_msg("pfn 0x%llx: %s", (unsigned long long)pfn,
				 kdx_error_message(err));
		if (memcmp(got, want, bs))
			fail_msg("pfn 0x%llx reads different bytes",
				 (unsigned long long)pfn);
		break;
	case MKKDUMP_EXCLUDED:
		snprintf(text, sizeof(text), "0x%llx",
			 (unsigned long long)addr);
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
		assert_non_null(strstr(kdx_error_message(err), "excluded"));
		assert_non_null(strstr(kdx_error_message(err), text));
		assert_true(kdx_error_address(err, &where));
		assert_int_equal(where, addr);
		kdx_error_destroy(err);
		memset(got, 0xa5, bs);
		err = kdx_read_phys(d, addr, got, bs, KDX_READ_ZERO_FILL, &st);
		assert_null(err);
		assert_int_equal(st.excluded_bytes, bs);
		assert_int_equal(st.first_excluded, addr);
		assert_memory_equal(got, want, bs); /* zeros */
		break;
	case MKKDUMP_HOLE:
		assert_non_null(err);
		assert_int_equal(kdx_error_code(err), KDX_ERR_NODATA);
		assert_non_null(strstr(kdx_error_message(err), "not in the dump"));
		kdx_error_destroy(err);
		break;
	}
	free(want);
	free(got);
}

static void check_all_pages(const struct kb *b, const struct kdx_dump *d)
{
	uint64_t n = mkkdump_max_mapnr(b->m);

	for (uint64_t pfn = 0; pfn < n + 2; pfn++)
		check_page(b, d, pfn);
}

/* The physical map must list exactly the builder's pages by kind. */
static void check_ranges(const struct kb *b, const struct kdx_dump *d)
{
	size_t n;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(d, &n);
	uint32_t bs = mkkdump_block_size(b->m);
	uint64_t max = mkkdump_max_mapnr(b->m);

	for (uint64_t pfn = 0; pfn < max + 1; pfn++) {
		enum mkkdump_page_kind k = mkkdump_page_kind(b->m, pfn);
		uint64_t a = pfn * bs;
		const struct kdx_phys_range *hit = NULL;

		for (size_t i = 0; i < n; i++)
			if (a >= r[i].start && a - r[i].start < r[i].size)
				hit = &r[i];
		if (k == MKKDUMP_HOLE) {
			assert_null(hit);
			continue;
		}
		assert_non_null(hit);
		assert_int_equal(hit->kind, k == MKKDUMP_EXCLUDED ?
						    KDX_RANGE_EXCLUDED :
						    KDX_RANGE_DATA);
	}
}

/* A layout of pages that exercises every kind and bitmap byte shape. */
static void standard_pages(struct mkkdump *m)
{
	mkkdump_set_pages(m, 0, 3, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 3, 2, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 5, 1, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 6, 4, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	/* 10..15 holes; 16..31 a whole bitmap byte pair of data */
	mkkdump_set_pages(m, 16, 16, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 32, 8, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 45, 1, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 46, 1, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 47, 1, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
}

static const uint32_t codec_flag[] = {
	0, MKKDUMP_ZLIB, MKKDUMP_LZO, MKKDUMP_SNAPPY, MKKDUMP_ZSTD,
};
static const char *const codec_names[] = {
	"none", "zlib", "lzo", "snappy", "zstd",
};
/* What kdx_dump_facts() must say for each mkkdump codec. */
static const enum kdx_compression codec_compression[] = {
	KDX_COMPRESS_NONE, KDX_COMPRESS_ZLIB, KDX_COMPRESS_LZO,
	KDX_COMPRESS_SNAPPY, KDX_COMPRESS_ZSTD,
};

/* Facts every kdump-compressed file gives, whatever its version. */
#define KDUMP_FACTS                                                        \
	(KDX_FACT_FORMAT_VERSION | KDX_FACT_PAGE_SIZE | KDX_FACT_COMPRESSION | \
	 KDX_FACT_TIMESTAMP | KDX_FACT_NR_CPUS | KDX_FACT_UTSNAME |          \
	 KDX_FACT_MAX_PFN | KDX_FACT_NR_PAGES)

/* Pages the builder marked dumped (the 2nd bitmap). */
static uint64_t dumped_pages(const struct mkkdump *m)
{
	uint64_t n = 0;

	for (uint64_t pfn = 0; pfn < mkkdump_max_mapnr(m); pfn++) {
		enum mkkdump_page_kind k = mkkdump_page_kind(m, pfn);

		n += k == MKKDUMP_DATA || k == MKKDUMP_RANDOM ||
		     k == MKKDUMP_ZERO;
	}
	return n;
}

/* The typed facts of a kdump (sub-header version >= 1) equal what @o
 * told the builder; mkkdump's fixed utsname fields are checked as its
 * write_main_header() spells them. */
static void check_kdump_facts(const struct kb *b,
			      const struct mkkdump_options *o,
			      enum mkkdump_codec codec)
{
	const struct kdx_dump_facts *f = kdx_dump_facts(b->dump);

	assert_int_equal(f->version, KDX_DUMP_FACTS_VERSION);
	assert_int_equal(f->set, KDUMP_FACTS | KDX_FACT_DUMP_LEVEL |
					 KDX_FACT_PHYS_BASE);
	assert_int_equal(f->flags, 0);
	assert_int_equal(f->format_version, o->header_version);
	assert_int_equal(f->page_size, mkkdump_block_size(b->m));
	assert_int_equal(f->compression, codec_compression[codec]);
	assert_int_equal(f->dump_level, o->dump_level);
	assert_true(f->timestamp == o->timestamp);
	assert_int_equal(f->nr_cpus, o->nr_cpus);
	assert_int_equal(f->max_pfn, mkkdump_max_mapnr(b->m));
	assert_int_equal(f->nr_pages, dumped_pages(b->m));
	assert_int_equal(f->phys_base, o->phys_base);
	assert_string_equal(f->uts_release, "6.1.0-kdx-test");
	assert_string_equal(f->uts_machine, o->machine);
	assert_string_equal(f->uts_nodename, "kdx-test");
	assert_string_equal(f->uts_version, "#1 SMP PREEMPT_DYNAMIC Debian");
}

/* ---- codecs ---- */

static void every_codec(void **state)
{
	(void)state;
	for (int c = 0; c < MKKDUMP_CODEC_COUNT; c++) {
		struct kb b;
		struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
					      (enum mkkdump_codec)c);

		standard_pages(m);
		build(m, &b);
		/* The builder really compressed (or stored raw). */
		assert_int_equal(mkkdump_stored_flags(m, 0), codec_flag[c]);
		if (c)
			assert_true(mkkdump_stored_size(m, 0) < 4096);
		/* Incompressible: raw whatever the codec, as makedumpfile. */
		assert_int_equal(mkkdump_stored_flags(m, 5), 0);
		assert_int_equal(mkkdump_stored_size(m, 5), 4096);
		open_ok(&b);
		assert_string_equal(dump_detail(b.dump, "compression"),
				    codec_names[c]);
		assert_int_equal(kdx_dump_facts(b.dump)->compression,
				 codec_compression[c]);
		check_all_pages(&b, b.dump);
		check_ranges(&b, b.dump);
		done(&b);
	}
}

/* Each page its own codec, in one file (the header names one codec; the
 * page flags decide). */
static void mixed_codecs_in_one_file(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct kb b;
	uint8_t *buf = malloc(5 * 4096);

	(void)state;
	for (int i = 0; i < 40; i++)
		mkkdump_set_pages(m, (uint64_t)i, 1, MKKDUMP_DATA,
				  (enum mkkdump_codec)(i % MKKDUMP_CODEC_COUNT));
	build(m, &b);
	open_ok(&b);
	for (int i = 0; i < 40; i++)
		assert_int_equal(mkkdump_stored_flags(m, (uint64_t)i),
				 codec_flag[i % MKKDUMP_CODEC_COUNT]);
	check_all_pages(&b, b.dump);
	/* One read across five pages of five codecs, from mid-page. */
	assert_null(kdx_read_phys(b.dump, 3 * 4096 + 1000, buf, 5 * 4096 - 7,
				  0, NULL));
	for (size_t i = 0; i < 5 * 4096 - 7; i++) {
		uint64_t a = 3 * 4096 + 1000 + i;

		if (buf[i] != mkkdump_page_byte(a / 4096, a % 4096))
			fail_msg("byte at 0x%llx", (unsigned long long)a);
	}
	free(buf);
	done(&b);
}

/* Small reads inside pages, as page-table walks do (the cache path), in
 * every order. */
static void small_reads_hit_the_cache(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZSTD);
	struct kb b;

	(void)state;
	mkkdump_set_pages(m, 0, 200, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	for (int round = 0; round < 2; round++)
		for (uint64_t k = 0; k < 2000; k++) {
			uint64_t a = (k * 7919 * 8) % (200 * 4096);
			uint8_t v[8];

			assert_null(kdx_read_phys(b.dump, a, v, 8, 0, NULL));
			for (int i = 0; i < 8; i++)
				assert_int_equal(v[i],
						 mkkdump_page_byte((a + i) / 4096,
								   (a + i) % 4096));
		}
	done(&b);
}

/* Pages stored plain (incompressible ones, and every page of a dump
 * written without compression) are read where they lie in the file,
 * without the cache: small reads at every offset class, twice, and one
 * read across plain, compressed and shared zero pages. */
static void small_reads_of_pages_stored_plain(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	uint8_t *want = malloc(64 * 4096), *buf = malloc(64 * 4096);
	struct kb b;

	(void)state;
	mkkdump_set_pages(m, 0, 20, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 20, 4, MKKDUMP_DATA, MKKDUMP_RAW);
	mkkdump_set_pages(m, 24, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 28, 4, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 32, 32, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	assert_int_equal(mkkdump_stored_flags(m, 3), 0);
	assert_int_equal(mkkdump_stored_flags(m, 21), 0);
	for (uint64_t pfn = 0; pfn < 64; pfn++)
		mkkdump_expected_page(m, pfn, want + pfn * 4096);
	for (int round = 0; round < 2; round++)
		for (uint64_t k = 0; k < 4000; k++) {
			uint64_t a = (k * 7919 + (uint64_t)round * 13) %
				     (64 * 4096 - 8);
			size_t len = 1 + (size_t)(k % 8);

			assert_null(kdx_read_phys(b.dump, a, buf, len, 0, NULL));
			if (memcmp(buf, want + a, len))
				fail_msg("round %d: %zu bytes at 0x%llx", round,
					 len, (unsigned long long)a);
		}
	assert_null(kdx_read_phys(b.dump, 100, buf, 64 * 4096 - 200, 0, NULL));
	assert_memory_equal(buf, want + 100, 64 * 4096 - 200);
	free(want);
	free(buf);
	done(&b);
}

struct thread_arg {
	const struct kb *b;
	int seed;
	int failures;
};

static void *reader_thread(void *p)
{
	struct thread_arg *t = p;
	uint8_t buf[4096], want[4096];

	for (int k = 0; k < 3000; k++) {
		uint64_t pfn = (uint64_t)(k * 31 + t->seed * 17) % 64;

		mkkdump_expected_page(t->b->m, pfn, want);
		if (kdx_read_phys(t->b->dump, pfn * 4096, buf, 4096, 0, NULL) ||
		    memcmp(buf, want, 4096))
			t->failures++;
	}
	return NULL;
}

/* The handle is documented as shareable by reader threads. */
static void threads_share_a_handle(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct thread_arg args[4];
	pthread_t th[4];
	struct kb b;

	(void)state;
	for (uint64_t i = 0; i < 64; i++)
		mkkdump_set_pages(m, i, 1, MKKDUMP_DATA,
				  (enum mkkdump_codec)(i % MKKDUMP_CODEC_COUNT));
	build(m, &b);
	open_ok(&b);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ &b, i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, reader_thread,
						&args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	done(&b);
}

/* ---- header versions and layouts ---- */

static void add_notes(struct mkkdump *m)
{
	uint64_t regs[27] = { 0 };

	regs[16] = 0xffffffff81000123ull; /* x86_64 rip */
	mkkdump_add_prstatus(m, 42, regs, 27);
	mkkdump_add_prstatus(m, 43, regs, 27);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-kdx\nPAGESIZE=4096\n"
				  "NUMBER(phys_base)=0\n");
}

static void every_header_version(void **state)
{
	(void)state;
	for (unsigned int v = 0; v <= 6; v++) {
		struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, v,
					      MKKDUMP_CODEC_LZO);
		struct kb b;
		size_t n;
		char text[8];
		const char *level;

		standard_pages(m);
		add_notes(m);
		build(m, &b);
		open_ok(&b);
		snprintf(text, sizeof(text), "%u", v);
		assert_string_equal(dump_detail(b.dump, "header_version"), text);
		check_all_pages(&b, b.dump);
		check_ranges(&b, b.dump);
		kdx_dump_notes(b.dump, &n);
		/* v4+: all notes; v3: VMCOREINFO only; earlier: none. */
		assert_int_equal(n, v >= 4 ? 3 : v == 3 ? 1 : 0);
		if (v >= 3)
			assert_string_equal(
				kdx_dump_vmcoreinfo_get(b.dump, "OSRELEASE"),
				"6.1.0-kdx");
		else
			assert_null(kdx_dump_vmcoreinfo_get(b.dump, "OSRELEASE"));
		kdx_dump_cpus(b.dump, &n);
		assert_int_equal(n, v >= 4 ? 2 : 0);
		if (v >= 4) {
			const struct kdx_cpu *c = kdx_dump_cpus(b.dump, &n);

			assert_int_equal(c[0].pid, 42);
			assert_int_equal(c[1].pid, 43);
		}
		level = dump_detail(b.dump, "dump_level");
		if (v >= 1)
			assert_non_null(level);
		else
			assert_null(level);
		/* v0 has no dump_level; every version has the rest. */
		assert_int_equal(kdx_dump_facts(b.dump)->set,
				 KDUMP_FACTS | KDX_FACT_PHYS_BASE |
					 (v >= 1 ? KDX_FACT_DUMP_LEVEL : 0));
		assert_int_equal(kdx_dump_facts(b.dump)->format_version, v);
		done(&b);
	}
}

/* Old diskdump: "DISKDUMP", one bitmap, and its status 8 means
 * "compressed", not kdump's "incomplete". */
static void diskdump_old_layout(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .header_version = 1, .diskdump = true,
		.default_codec = MKKDUMP_CODEC_ZLIB, .status = 8,
		.status_exact = true,
	};
	struct mkkdump *m = mkkdump_new(&o);
	const struct kdx_dump_facts *f;
	struct kb b;
	size_t n;

	(void)state;
	mkkdump_set_pages(m, 0, 5, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 9, 20, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 29, 2, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	assert_string_equal(dump_detail(b.dump, "signature"), "DISKDUMP");
	assert_string_equal(dump_detail(b.dump, "bitmaps"),
			    "one (old diskdump layout)");
	assert_string_equal(dump_detail(b.dump, "compression"), "zlib");
	/* No sub-header: no dump_level or phys_base, though the details
	 * show zeros. */
	f = kdx_dump_facts(b.dump);
	assert_int_equal(f->set, KDUMP_FACTS);
	assert_int_equal(f->compression, KDX_COMPRESS_ZLIB);
	assert_int_equal(f->format_version, 1);
	assert_int_equal(f->nr_pages, 27);
	assert_int_equal(f->flags, 0);
	kdx_dump_warnings(b.dump, &n);
	assert_int_equal(n, 0);
	check_all_pages(&b, b.dump);
	check_ranges(&b, b.dump);
	done(&b);
}

/* A KDUMP file whose bitmap_blocks only holds one bitmap (crash's
 * dump_is_partial() rule). */
static void kdump_with_one_bitmap(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .single_bitmap = true,
		.default_codec = MKKDUMP_CODEC_SNAPPY,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;

	(void)state;
	mkkdump_set_pages(m, 0, 100, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 100, 5, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	assert_non_null(dump_detail(b.dump, "bitmaps"));
	check_all_pages(&b, b.dump);
	done(&b);
}

struct abi_case {
	const char *machine;
	enum kdx_byte_order bo;
	enum kdx_arch arch;
	const char *abi;
	unsigned int word;
};

static const struct abi_case abis[] = {
	{ "x86_64", KDX_LITTLE_ENDIAN, KDX_ARCH_X86_64, "LP64", 8 },
	{ "i686", KDX_LITTLE_ENDIAN, KDX_ARCH_I386, "i386", 4 },
	{ "i386", KDX_LITTLE_ENDIAN, KDX_ARCH_I386, "i386", 4 },
	{ "armv7l", KDX_LITTLE_ENDIAN, KDX_ARCH_ARM, "ILP32", 4 },
	{ "arm", KDX_LITTLE_ENDIAN, KDX_ARCH_ARM, "ILP32", 4 },
	{ "aarch64", KDX_LITTLE_ENDIAN, KDX_ARCH_AARCH64, "LP64", 8 },
	{ "s390x", KDX_BIG_ENDIAN, KDX_ARCH_S390X, "LP64", 8 },
	{ "ppc64", KDX_BIG_ENDIAN, KDX_ARCH_PPC64, "LP64", 8 },
	{ "ppc", KDX_BIG_ENDIAN, KDX_ARCH_PPC, "ILP32", 4 },
	{ "armv5tel", KDX_LITTLE_ENDIAN, KDX_ARCH_ARM, "ILP32", 4 },
};

/* Every version on every ABI and byte order: the sub-header fields move
 * with the ABI, so notes, phys_base and split are found only at the
 * right offsets. */
static void every_abi_and_byte_order(void **state)
{
	(void)state;
	for (size_t a = 0; a < sizeof(abis) / sizeof(abis[0]); a++) {
		for (unsigned int v = 1; v <= 6; v++) {
			const struct abi_case *c = &abis[a];
			struct mkkdump_options o = {
				.machine = c->machine, .byte_order = c->bo,
				.header_version = v,
				.default_codec = (enum mkkdump_codec)(v % 5),
				.phys_base = 0x1a000000, .nr_cpus = 3,
				.dump_level = 17,
				.timestamp = 1600000000 + (int64_t)(a * 10 + v),
			};
			struct mkkdump *m = mkkdump_new(&o);
			struct kb b;
			size_t n;

			standard_pages(m);
			add_notes(m);
			build(m, &b);
			open_ok(&b);
			assert_int_equal(kdx_dump_arch(b.dump), c->arch);
			assert_int_equal(kdx_dump_byte_order(b.dump), c->bo);
			assert_int_equal(kdx_dump_word_size(b.dump), c->word);
			assert_string_equal(dump_detail(b.dump, "abi"), c->abi);
			assert_string_equal(dump_detail(b.dump, "nr_cpus"), "3");
			assert_string_equal(dump_detail(b.dump, "phys_base"),
					    "0x1a000000");
			assert_string_equal(dump_detail(b.dump, "dump_level"),
					    "17 (excluded: zero pages, free pages)");
			check_kdump_facts(&b, &o, (enum mkkdump_codec)(v % 5));
			kdx_dump_notes(b.dump, &n);
			assert_int_equal(n, v >= 4 ? 3 : v == 3 ? 1 : 0);
			if (v >= 3)
				assert_string_equal(
					kdx_dump_vmcoreinfo_get(b.dump,
								"PAGESIZE"),
					"4096");
			check_all_pages(&b, b.dump);
			kdx_dump_warnings(b.dump, &n);
			if (n)
				fail_msg("%s v%u: warning %s", c->machine, v,
					 kdx_dump_warnings(b.dump, &n)[0]);
			done(&b);
		}
	}
}

/* QEMU writes its LP64 headers for a 32-bit x86 guest: utsname.machine
 * says "i686" (qemu-system-i386) but only the LP64 layout gives a sane
 * block_size, or says "x86_64" (qemu-system-x86_64) though the guest is
 * i386.  The layout follows the block size, the arch the CPU notes, and
 * every page and sub-header field is read from the right place. */
static void qemu_x86_header_names_the_wrong_guest(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .header_version = 6,
		.default_codec = MKKDUMP_CODEC_ZLIB, .phys_base = 0x1a000000,
		.nr_cpus = 2,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;
	const size_t machine_at = 12 + 4 * 65;

	uint8_t i386_prstatus[144] = { 0 };

	(void)state;
	standard_pages(m);
	mkkdump_add_note(m, "CORE", 1, i386_prstatus, sizeof(i386_prstatus));
	build(m, &b);
	assert_memory_equal(b.bytes + machine_at, "x86_64", 7);
	memcpy(b.bytes + machine_at, "i686\0\0", 7);
	open_ok(&b);
	assert_int_equal(kdx_dump_arch(b.dump), KDX_ARCH_I386);
	assert_int_equal(kdx_dump_word_size(b.dump), 4);
	assert_non_null(strstr(dump_detail(b.dump, "abi"), "LP64 (not the machine's own"));
	assert_null(dump_detail(b.dump, "arch_from"));
	assert_string_equal(dump_detail(b.dump, "phys_base"), "0x1a000000");
	assert_string_equal(dump_detail(b.dump, "nr_cpus"), "2");
	check_all_pages(&b, b.dump);
	done(&b);

	/* qemu-system-x86_64 says "x86_64" for a 32-bit guest as well; its
	 * NT_PRSTATUS (144 bytes: i386's) tells the truth. */
	for (int own = 0; own < 2; own++) {
		uint8_t prstatus[336] = { 0 };

		o.machine = "x86_64";
		m = mkkdump_new(&o);
		standard_pages(m);
		mkkdump_add_note(m, "CORE", 1, prstatus, own ? 336 : 144);
		build(m, &b);
		open_ok(&b);
		assert_int_equal(kdx_dump_arch(b.dump),
				 own ? KDX_ARCH_X86_64 : KDX_ARCH_I386);
		if (own)
			assert_null(dump_detail(b.dump, "arch_from"));
		else
			assert_non_null(strstr(dump_detail(b.dump, "arch_from"),
					       "NT_PRSTATUS is i386's"));
		check_all_pages(&b, b.dump);
		done(&b);
	}

	/* The machine's own layout is kept when it is sane. */
	o.machine = "i686";
	m = mkkdump_new(&o);
	standard_pages(m);
	build(m, &b);
	open_ok(&b);
	assert_string_equal(dump_detail(b.dump, "abi"), "i386");
	done(&b);
}

static void block_sizes(void **state)
{
	static const uint32_t sizes[] = { 512, 1024, 8192, 16384, 65536 };

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct mkkdump_options o = {
			.machine = "aarch64", .block_size = sizes[i],
			.default_codec = (enum mkkdump_codec)(i % 5),
		};
		struct mkkdump *m = mkkdump_new(&o);
		struct kb b;
		char text[16];

		standard_pages(m);
		add_notes(m);
		build(m, &b);
		open_ok(&b);
		snprintf(text, sizeof(text), "%u", sizes[i]);
		assert_string_equal(dump_detail(b.dump, "block_size"), text);
		check_all_pages(&b, b.dump);
		check_ranges(&b, b.dump);
		done(&b);
	}
}

/* v6 takes the 64-bit max_mapnr and split pfns; the 32-bit ones are
 * truncated copies. */
static void v6_prefers_64_bit_fields(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .split = true, .start_pfn = 8,
		.end_pfn = 24, .default_codec = MKKDUMP_CODEC_ZLIB,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;

	(void)state;
	mkkdump_set_pages(m, 0, 40, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	/* Garbage in the obsolete 32-bit fields. */
	mkkdump_patch(m, b.bytes, 4096 + 16, 0xdead, 8);
	mkkdump_patch(m, b.bytes, 4096 + 24, 0xbeef, 8);
	mkkdump_patch(m, b.bytes, mkkdump_field_offset(m, MKKDUMP_F_MAX_MAPNR),
		      7, 4);
	open_ok(&b);
	assert_string_equal(dump_detail(b.dump, "split"), "pfn 0x8-0x18");
	assert_string_equal(dump_detail(b.dump, "max_mapnr"), "0x28");
	for (uint64_t pfn = 0; pfn < 40; pfn++) {
		uint8_t buf[4096];
		struct kdx_error *err = kdx_read_phys(b.dump, pfn * 4096, buf,
						      4096, 0, NULL);

		if (pfn >= 8 && pfn < 24)
			assert_null(err);
		else
			expect_error_text(err, KDX_ERR_NODATA, "not in the dump");
	}
	done(&b);
}

/* ---- split files ---- */

/* The three files given together (in shuffled order) are one dump: every
 * page reads as in the file that holds it; excluded pages stay excluded;
 * a file that is not part of a split set is refused. */
static void open_split_as_one(struct kb *parts, const uint64_t *bounds)
{
	char paths[3][64];
	const char *order[3];
	struct kdx_dump *d;
	struct kdx_error *err;
	uint8_t buf[8];

	for (int i = 0; i < 3; i++) {
		FILE *f;

		snprintf(paths[i], sizeof(paths[i]), "/tmp/kdx-split-%d-%d.kdump",
			 (int)getpid(), i);
		f = fopen(paths[i], "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(parts[i].bytes, 1, parts[i].size, f),
				 parts[i].size);
		fclose(f);
	}
	order[0] = paths[2];
	order[1] = paths[0];
	order[2] = paths[1];
	err = kdx_dump_open_files(order, 3, NULL, &d);
	if (err)
		fail_msg("open split set: %s", kdx_error_message(err));
	assert_string_equal(dump_detail(d, "split_files"), "3");
	for (uint64_t pfn = 0; pfn < 80; pfn++) {
		int i = pfn < bounds[1] ? 0 : pfn < bounds[2] ? 1 : 2;

		check_page(&parts[i], d, pfn);
	}
	err = kdx_read_phys(d, 35 * 4096, buf, sizeof(buf), 0, NULL);
	expect_error_text(err, KDX_ERR_NODATA, "excluded");
	kdx_dump_destroy(d);
	for (int i = 0; i < 3; i++)
		unlink(paths[i]);
}

static void split_files_hold_their_range(void **state)
{
	(void)state;
	for (unsigned int v = 2; v <= 6; v += 4) {
		struct kb parts[3];
		uint64_t bounds[4] = { 0, 20, 45, 80 };

		for (int i = 0; i < 3; i++) {
			struct mkkdump_options o = {
				.machine = "x86_64", .header_version = v,
				.split = true, .start_pfn = bounds[i],
				.end_pfn = bounds[i + 1], .max_mapnr = 80,
				.default_codec = MKKDUMP_CODEC_ZSTD,
			};
			struct mkkdump *m = mkkdump_new(&o);

			mkkdump_set_pages(m, 0, 30, MKKDUMP_DATA,
					  MKKDUMP_CODEC_DEFAULT);
			mkkdump_set_pages(m, 30, 10, MKKDUMP_EXCLUDED,
					  MKKDUMP_CODEC_DEFAULT);
			mkkdump_set_pages(m, 40, 8, MKKDUMP_ZERO,
					  MKKDUMP_CODEC_DEFAULT);
			mkkdump_set_pages(m, 50, 30, MKKDUMP_DATA,
					  MKKDUMP_CODEC_DEFAULT);
			build(m, &parts[i]);
			open_ok(&parts[i]);
		}
		/* Each page is readable in exactly the file that holds it. */
		for (uint64_t pfn = 0; pfn < 80; pfn++) {
			for (int i = 0; i < 3; i++) {
				if (pfn >= bounds[i] && pfn < bounds[i + 1]) {
					check_page(&parts[i], parts[i].dump, pfn);
				} else {
					uint8_t buf[8];
					struct kdx_error *err = kdx_read_phys(
						parts[i].dump, pfn * 4096, buf,
						8, 0, NULL);

					expect_error_text(err, KDX_ERR_NODATA,
							  "not in the dump");
				}
			}
		}
		assert_string_equal(dump_detail(parts[1].dump, "split"),
				    "pfn 0x14-0x2d");
		open_split_as_one(parts, bounds);
		for (int i = 0; i < 3; i++)
			done(&parts[i]);
	}
}

/* The header's tv_sec is the writer's signed long: 4 bytes sign-extended
 * on a 32-bit writer, 8 on a 64-bit one. */
static void timestamp_is_the_writers_long(void **state)
{
	static const struct {
		const char *machine;
		int64_t written;
	} cases[] = {
		{ "i686", -16 },
		{ "armv7l", INT32_MAX },
		{ "x86_64", -16 },
		{ "aarch64", 5000000000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mkkdump_options o = {
			.machine = cases[i].machine,
			.timestamp = cases[i].written,
		};
		struct mkkdump *m = mkkdump_new(&o);
		struct kb b;

		standard_pages(m);
		build(m, &b);
		open_ok(&b);
		assert_true(kdx_dump_facts(b.dump)->timestamp ==
			    cases[i].written);
		done(&b);
	}
}

/* One part of a split set of 80 pages, written to a file named by @tag. */
static void write_part(uint64_t start, uint64_t end, const char *release,
		       uint64_t max_mapnr, const char *tag, char *path,
		       size_t len)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .split = true, .start_pfn = start,
		.end_pfn = end, .max_mapnr = max_mapnr, .release = release,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;
	FILE *f;

	mkkdump_set_pages(m, 0, 80, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	snprintf(path, len, "/tmp/kdx-split-%d-%s.kdump", (int)getpid(), tag);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.bytes, 1, b.size, f), b.size);
	fclose(f);
	done(&b);
}

/* Parts of different dumps, or one part twice, are not one dump: the
 * set is refused, naming the files and what differs. */
static void split_parts_that_do_not_belong_together(void **state)
{
	static const struct {
		uint64_t start, end, max_mapnr;
		const char *release, *needle;
	} odd[] = {
		{ 40, 80, 80, NULL, "the same part twice" },
		{ 30, 80, 80, NULL, "(pfn 0x1e-0x50) overlaps" },
		{ 40, 80, 80, "6.1.0-other", "utsname.release differs" },
		{ 40, 80, 96, NULL, "max_mapnr 0x50 and 0x60" },
	};
	char a[64], b[64], c[64];

	(void)state;
	write_part(0, 40, NULL, 80, "a", a, sizeof(a));
	write_part(40, 80, NULL, 80, "b", b, sizeof(b));
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		const char *set[3] = { a, b, c };
		struct kdx_dump *d = NULL;
		struct kdx_error *err;

		write_part(odd[i].start, odd[i].end, odd[i].release,
			   odd[i].max_mapnr, "c", c, sizeof(c));
		/* The odd part is named with the first file, or with the
		 * first part it overlaps. */
		err = kdx_dump_open_files(set, 3, NULL, &d);
		assert_null(d);
		assert_non_null(err);
		assert_non_null(strstr(kdx_error_message(err), c));
		assert_non_null(strstr(kdx_error_message(err), i == 0 ? b : a));
		expect_error_text(err, KDX_ERR_INVALID, odd[i].needle);
	}
	unlink(a);
	unlink(b);
	unlink(c);
}

/* ---- excluded pages ---- */

static void excluded_pages_name_their_address(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .dump_level = 31,
		.default_codec = MKKDUMP_CODEC_ZLIB,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;
	uint8_t buf[3 * 4096];
	struct kdx_read_stats st;

	(void)state;
	mkkdump_set_pages(m, 0, 2, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 2, 1, MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 3, 2, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	assert_string_equal(dump_detail(b.dump, "dump_level"),
			    "31 (excluded: zero pages, cache pages, cache private pages, user pages, free pages)");
	assert_string_equal(dump_detail(b.dump, "pages"), "4 dumped, 1 excluded");
	/* A read crossing into the excluded page fails at its first byte. */
	expect_error_text(kdx_read_phys(b.dump, 0x1ff8, buf, 16, 0, NULL),
			  KDX_ERR_NODATA,
			  "physical address 0x2000 (pfn 0x2) was excluded from the dump");
	assert_null(kdx_read_phys(b.dump, 0x1000, buf, sizeof(buf),
				  KDX_READ_ZERO_FILL, &st));
	assert_int_equal(st.excluded_bytes, 4096);
	assert_int_equal(st.first_excluded, 0x2000);
	for (size_t i = 0; i < 4096; i++) {
		assert_int_equal(buf[i], mkkdump_page_byte(1, i));
		assert_int_equal(buf[4096 + i], 0);
		assert_int_equal(buf[8192 + i], mkkdump_page_byte(3, i));
	}
	check_ranges(&b, b.dump);
	done(&b);
}

/* ---- incomplete and cut-short dumps ---- */

static void incomplete_dump_reads_up_to_the_cut(void **state)
{
	(void)state;
	for (unsigned int v = 1; v <= 6; v += 5) {
		struct mkkdump_options o = {
			.machine = "x86_64", .header_version = v,
			.incomplete = true, .incomplete_pages = 25,
			.default_codec = MKKDUMP_CODEC_LZO,
		};
		struct mkkdump *m = mkkdump_new(&o);
		struct kb b;
		const char *w;
		uint8_t buf[4096];

		mkkdump_set_pages(m, 0, 10, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
		mkkdump_set_pages(m, 10, 5, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
		mkkdump_set_pages(m, 15, 5, MKKDUMP_EXCLUDED,
				  MKKDUMP_CODEC_DEFAULT);
		mkkdump_set_pages(m, 20, 30, MKKDUMP_DATA,
				  MKKDUMP_CODEC_DEFAULT);
		build(m, &b);
		open_ok(&b);
		/* Dumped pages 0-14 and 20-29 were written; 30-49 were not. */
		for (uint64_t pfn = 0; pfn < 30; pfn++)
			check_page(&b, b.dump, pfn);
		for (uint64_t pfn = 30; pfn < 52; pfn++)
			expect_error_text(kdx_read_phys(b.dump, pfn * 4096, buf, 8,
							0, NULL),
					  KDX_ERR_NODATA, "not in the dump");
		assert_int_equal(count_warnings(b.dump, "incomplete"), 1);
		w = warning_with(b.dump, "incomplete");
		assert_non_null(strstr(w, "the writer marked it so"));
		assert_non_null(strstr(w, "20 dumped pages in pfn 0x1e-0x31"));
		assert_non_null(strstr(w, "physical 0x1e000-0x31fff"));
		assert_int_equal(kdx_dump_facts(b.dump)->flags,
				 KDX_DUMP_INCOMPLETE);
		done(&b);
	}
}

/* No flag, but the copy stopped partway through the page data: what is
 * there reads, the rest is named once. */
static void file_cut_short_without_the_flag(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct kb b;
	const char *w;
	uint8_t buf[4096];

	(void)state;
	mkkdump_set_pages(m, 0, 40, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 40, 10, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 50, 14, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	/* Cut inside pfn 30's data. */
	b.size = mkkdump_data_offset(m, 30) + 5;
	open_ok(&b);
	for (uint64_t pfn = 0; pfn < 30; pfn++)
		check_page(&b, b.dump, pfn);
	expect_error_text(kdx_read_phys(b.dump, 30 * 4096, buf, 8, 0, NULL),
			  KDX_ERR_NODATA, "not in the dump");
	expect_error_text(kdx_read_phys(b.dump, 63 * 4096, buf, 8, 0, NULL),
			  KDX_ERR_NODATA, "not in the dump");
	assert_int_equal(count_warnings(b.dump, "incomplete"), 1);
	w = warning_with(b.dump, "incomplete");
	assert_non_null(strstr(w, "the file is cut short"));
	assert_non_null(strstr(w, "pfn 0x1e-0x3f"));
	assert_int_equal(kdx_dump_facts(b.dump)->flags, KDX_DUMP_TRUNCATED);

	/* Cut inside the descriptor table. */
	b.size = mkkdump_desc_offset(m, 20) + 3;
	open_ok(&b);
	w = warning_with(b.dump, "incomplete");
	assert_non_null(w);
	/* Descriptors 0-19 are there but not their data: all 64 lost. */
	assert_non_null(strstr(w, "64 dumped pages in pfn 0x0-0x3f"));
	expect_error_text(kdx_read_phys(b.dump, 25 * 4096, buf, 8, 0, NULL),
			  KDX_ERR_NODATA, "not in the dump");
	/* Pages before the cut point at data that is gone too: an error
	 * for each, never bytes of something else. */
	expect_error_text(kdx_read_phys(b.dump, 5 * 4096, buf, 8, 0, NULL),
			  KDX_ERR_NODATA, "not in the dump");

	/* Cut inside the bitmaps: nothing to read. */
	b.size = mkkdump_bitmap_offset(m) + 10;
	expect_error_text(open_kb(&b, NULL), KDX_ERR_CORRUPT, "bitmap");
	done(&b);
}

/* Cut at @cut bytes: exactly the dumped pages before the first one whose
 * data is not wholly in the file read (shared zero pages too, wherever
 * the run of them is), every later dumped page is a hole, named once. */
static void check_cut_at(struct kb *b, const uint8_t *whole, size_t cut,
			 uint64_t npfn)
{
	uint64_t lost = 0, first_lost = 0, last_lost = 0;
	bool gone = false;
	uint8_t buf[8];
	char want[96];
	const char *w;

	b->size = cut;
	b->bytes = (uint8_t *)whole;
	if (open_kb(b, NULL))
		fail_msg("cut at 0x%zx: does not open", cut);
	for (uint64_t pfn = 0; pfn < npfn; pfn++) {
		enum mkkdump_page_kind k = mkkdump_page_kind(b->m, pfn);
		bool dumped = k == MKKDUMP_DATA || k == MKKDUMP_RANDOM ||
			      k == MKKDUMP_ZERO;

		if (dumped && !gone)
			gone = mkkdump_data_offset(b->m, pfn) +
				       mkkdump_stored_size(b->m, pfn) >
			       cut;
		if (!dumped || !gone) {
			check_page(b, b->dump, pfn);
			continue;
		}
		if (!lost++)
			first_lost = pfn;
		last_lost = pfn;
		expect_error_text(kdx_read_phys(b->dump, pfn * 4096, buf, 8, 0,
						NULL),
				  KDX_ERR_NODATA, "not in the dump");
	}
	w = warning_with(b->dump, "incomplete");
	if (!lost) {
		if (w)
			fail_msg("cut at 0x%zx: nothing lost, yet '%s'", cut, w);
		return;
	}
	snprintf(want, sizeof(want), "%llu dumped pages in pfn 0x%llx-0x%llx",
		 (unsigned long long)lost, (unsigned long long)first_lost,
		 (unsigned long long)last_lost);
	if (!w || !strstr(w, want))
		fail_msg("cut at 0x%zx: expected '%s' in '%s'", cut, want,
			 w ? w : "(no warning)");
}

/* Data pages, incompressible ones, excluded pages, a hole, and runs of
 * shared zero pages shorter and longer than a probe might look ahead,
 * ending the dump: cut at every byte around the start and the end of
 * every page's data (and of the descriptor table). */
static void cut_at_every_page_boundary(void **state)
{
	static const struct {
		uint64_t first, count;
		enum mkkdump_page_kind kind;
	} layout[] = {
		{ 0, 6, MKKDUMP_DATA },      { 6, 3, MKKDUMP_ZERO },
		{ 9, 1, MKKDUMP_DATA },      { 10, 2, MKKDUMP_EXCLUDED },
		{ 13, 2, MKKDUMP_RANDOM },   { 15, 150, MKKDUMP_ZERO },
		{ 165, 3, MKKDUMP_DATA },    { 168, 1, MKKDUMP_ZERO },
		{ 169, 1, MKKDUMP_RANDOM },  { 170, 70, MKKDUMP_ZERO },
		{ 240, 1, MKKDUMP_DATA },    { 241, 90, MKKDUMP_ZERO },
	};
	const uint64_t npfn = 331 + 2;
	struct kb b;
	uint8_t *whole;
	size_t full;
	uint64_t table;
	unsigned int cuts = 0;

	(void)state;
	for (int zero_first = 0; zero_first < 2; zero_first++) {
		struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
					      MKKDUMP_CODEC_ZLIB);

		for (size_t i = 0; i < sizeof(layout) / sizeof(*layout); i++)
			mkkdump_set_pages(m, layout[i].first, layout[i].count,
					  zero_first && i == 0 ? MKKDUMP_ZERO :
								 layout[i].kind,
					  MKKDUMP_CODEC_DEFAULT);
		build(m, &b);
		whole = b.bytes;
		full = b.size;
		table = mkkdump_desc_table_offset(m);
		for (uint64_t pfn = 0; pfn < npfn; pfn++) {
			uint64_t at[3] = { mkkdump_data_offset(m, pfn), 0,
					   table + pfn * 16 };

			if (!at[0])
				continue;
			at[1] = at[0] + mkkdump_stored_size(m, pfn);
			for (int e = 0; e < 3; e++)
				for (int d = -2; d <= 2; d++) {
					size_t cut = (size_t)at[e] + (size_t)d;

					if (cut > table && cut <= full) {
						check_cut_at(&b, whole, cut,
							     npfn);
						cuts++;
					}
				}
		}
		b.bytes = whole;
		done(&b);
	}
	assert_true(cuts > 2000);
}

/* A run of shared zero pages longer than the scan's budget (2^20
 * descriptors) between the data and a cut: the bisection gives up on the
 * run instead of reading all of it, and takes the pages it could not
 * place as lost.  Whatever it decides, no page reads bytes the file does
 * not hold, the pages before the run read, and the loss is named. */
static void zero_run_past_the_scan_budget(void **state)
{
	const uint64_t run = 3u << 20, tail = 8;
	const uint64_t npfn = 4 + run + tail;
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	uint64_t lo = 4, hi = npfn, probe[] = { 4, 5, 4 + run / 2, 4 + run - 1,
					       4 + run, npfn - 2, npfn - 1 };
	struct kb b;
	const char *w;
	char want[96];
	uint8_t buf[8];

	(void)state;
	mkkdump_set_pages(m, 0, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 4, run, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 4 + run, tail, MKKDUMP_DATA,
			  MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	/* Cut inside the data of the last page but one. */
	b.size = mkkdump_data_offset(m, npfn - 2) + 3;
	open_ok(&b);
	for (uint64_t pfn = 0; pfn < 4; pfn++)
		check_page(&b, b.dump, pfn);
	/* What reads is a prefix: find its end. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		struct kdx_error *err =
			kdx_read_phys(b.dump, mid * 4096, buf, 8, 0, NULL);

		if (err)
			hi = mid;
		else
			lo = mid + 1;
		kdx_error_destroy(err);
	}
	/* The budget ran out inside the zero run: the pages past the point
	 * the bisection could place are taken as lost, not read (cheap and
	 * safe); the data pages after the run, whose data is there, too. */
	assert_true(lo > 4 && lo < 4 + run);
	for (size_t i = 0; i < sizeof(probe) / sizeof(*probe); i++) {
		uint64_t pfn = probe[i];

		if (pfn < lo) {
			check_page(&b, b.dump, pfn);
			continue;
		}
		expect_error_text(kdx_read_phys(b.dump, pfn * 4096, buf, 8, 0,
						NULL),
				  KDX_ERR_NODATA, "not in the dump");
	}
	w = warning_with(b.dump, "incomplete");
	assert_non_null(w);
	snprintf(want, sizeof(want), "%llu dumped pages in pfn 0x%llx-0x%llx",
		 (unsigned long long)(npfn - lo), (unsigned long long)lo,
		 (unsigned long long)(npfn - 1));
	if (!strstr(w, "the file is cut short") || !strstr(w, want))
		fail_msg("expected the cut and '%s' named in '%s'", want, w);
	done(&b);
}

/* ---- corrupt pages ---- */

static void corrupt_pages_fail_alone(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct kb b;
	uint8_t buf[4096];
	uint64_t d;
	char text[64];

	(void)state;
	for (uint64_t i = 0; i < 12; i++)
		mkkdump_set_pages(m, i, 1, MKKDUMP_DATA,
				  (enum mkkdump_codec)(1 + i % 4));
	mkkdump_set_pages(m, 12, 4, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	/* pfn 0 (zlib), 1 (lzo), 2 (snappy), 3 (zstd): garbage data. */
	for (uint64_t pfn = 0; pfn < 4; pfn++)
		memset(b.bytes + mkkdump_data_offset(m, pfn) + 2, 0xff, 40);
	/* pfn 4: data offset past the end of the file. */
	d = mkkdump_desc_offset(m, 4);
	mkkdump_patch(m, b.bytes, d, b.size + 100, 8);
	/* pfn 5: stored size larger than a page. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 5) + 8, 4097, 4);
	/* pfn 6: size 0. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 6) + 8, 0, 4);
	/* pfn 7: unknown compression flag. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 7) + 12, 0x40, 4);
	/* pfn 8: offset 0 (never written). */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 8), 0, 8);
	/* pfn 9: offset into the headers. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 9), 0x10, 8);
	/* pfn 12 (raw): flagged zstd, so it does not decode. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 12) + 12,
		      MKKDUMP_ZSTD, 4);
	/* pfn 13 (raw): flags say raw, size says less than a page. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 13) + 8, 4000, 4);
	/* pfn 14 (raw): data offset 2^64 - 0x65, where offset + page size
	 * wraps: a read inside the page must fail, not read the headers. */
	mkkdump_patch(m, b.bytes, mkkdump_desc_offset(m, 14),
		      UINT64_MAX - 0x64, 8);
	open_ok(&b);

	expect_error_text(kdx_read_phys(b.dump, 0, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "zlib data does not decompress");
	expect_error_text(kdx_read_phys(b.dump, 0x1000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "lzo data");
	expect_error_text(kdx_read_phys(b.dump, 0x2000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "snappy data");
	expect_error_text(kdx_read_phys(b.dump, 0x3000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "zstd data");
	snprintf(text, sizeof(text), "file offset 0x%zx", b.size + 100);
	expect_error_text(kdx_read_phys(b.dump, 0x4000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, text);
	expect_error_text(kdx_read_phys(b.dump, 0x5000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "stored size 4097 is not 1..4096");
	expect_error_text(kdx_read_phys(b.dump, 0x6000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "stored size 0 is not 1..4096");
	expect_error_text(kdx_read_phys(b.dump, 0x7000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "unknown compression flags 0x40");
	expect_error_text(kdx_read_phys(b.dump, 0x8000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "never written");
	expect_error_text(kdx_read_phys(b.dump, 0x9000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "lies in the headers");
	expect_error_text(kdx_read_phys(b.dump, 0xc000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "zstd data");
	expect_error_text(kdx_read_phys(b.dump, 0xd000, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "none data decompressed to 4000 bytes");
	expect_error_text(kdx_read_phys(b.dump, 0xe200, buf, 8, 0, NULL),
			  KDX_ERR_CORRUPT, "page data at offset 0xffffffffffffff9b");
	/* The error names the physical address and the page's data. */
	{
		struct kdx_error *err = kdx_read_phys(b.dump, 0x1008, buf, 8,
						      0, NULL);
		uint64_t v = 0;

		assert_true(kdx_error_address(err, &v));
		assert_int_equal(v, 0x1008);
		assert_true(kdx_error_file_offset(err, &v));
		assert_int_equal(v, mkkdump_data_offset(m, 1));
		expect_error_text(err, KDX_ERR_CORRUPT, "physical address 0x1008");
	}
	/* A read of several pages names the one that failed (pfn 12), not
	 * where the read began. */
	{
		static uint8_t three[3 * 4096];
		struct kdx_error *err = kdx_read_phys(b.dump, 0xa000, three,
						      sizeof(three), 0, NULL);
		uint64_t v = 0;

		assert_true(kdx_error_address(err, &v));
		assert_int_equal(v, 0xc000);
		assert_true(kdx_error_file_offset(err, &v));
		assert_int_equal(v, mkkdump_data_offset(m, 12));
		expect_error_text(err, KDX_ERR_CORRUPT, "physical address 0xc000");
	}
	/* Every other page still reads. */
	for (uint64_t pfn = 10; pfn < 16; pfn++)
		if (pfn < 12 || pfn > 14)
			check_page(&b, b.dump, pfn);
	done(&b);
}

/* ---- absurd headers ---- */

/* Open @b in a child with 1 GiB of address space (not under ASan, which
 * reserves terabytes) and 20 seconds: a huge allocation or a hang fails
 * the test instead of passing by luck.  @want 0: must open; ANY: any
 * outcome but a crash. */
#define ANY ((enum kdx_error_code) - 1)

static void bounded(struct kb *b, enum kdx_error_code want,
		    const char *needle)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct kdx_error *err;

#ifndef UNDER_ASAN
		struct rlimit rl = { 1ul << 30, 1ul << 30 };

		setrlimit(RLIMIT_AS, &rl);
#endif
		alarm(20);
		err = open_kb(b, NULL);
		if (want == ANY)
			_exit(0);
		if (want == 0) {
			if (err) {
				fprintf(stderr, "unexpected: %s\n",
					kdx_error_message(err));
				_exit(3);
			}
			_exit(0);
		}
		if (!err || kdx_error_code(err) != want ||
		    !strstr(kdx_error_message(err), needle)) {
			fprintf(stderr, "got '%s', wanted '%s'\n",
				err ? kdx_error_message(err) : "success",
				needle);
			_exit(2);
		}
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("open with '%s' died of signal %d", needle,
			 WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void absurd_header_values(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct kb b;
	uint64_t bs_at, bb_at, shs_at, mm_at, mm64_at;
	uint8_t *orig;

	(void)state;
	standard_pages(m);
	add_notes(m);
	build(m, &b);
	orig = malloc(b.size);
	memcpy(orig, b.bytes, b.size);
	bs_at = mkkdump_field_offset(m, MKKDUMP_F_BLOCK_SIZE);
	bb_at = mkkdump_field_offset(m, MKKDUMP_F_BITMAP_BLOCKS);
	shs_at = mkkdump_field_offset(m, MKKDUMP_F_SUB_HDR_SIZE);
	mm_at = mkkdump_field_offset(m, MKKDUMP_F_MAX_MAPNR);
	mm64_at = mkkdump_field_offset(m, MKKDUMP_F_MAX_MAPNR_64);

	static const uint32_t bad_bs[] = { 0, 3, 256, 4097, 1u << 21,
					   1u << 31, UINT32_MAX };
	for (size_t i = 0; i < sizeof(bad_bs) / sizeof(bad_bs[0]); i++) {
		mkkdump_patch(m, b.bytes, bs_at, bad_bs[i], 4);
		bounded(&b, KDX_ERR_CORRUPT, "is not a page size");
	}
	/* A plausible but wrong block size: the regions move off the end. */
	mkkdump_patch(m, b.bytes, bs_at, 1u << 20, 4);
	bounded(&b, KDX_ERR_CORRUPT, "past the end");
	memcpy(b.bytes, orig, b.size);

	mkkdump_patch(m, b.bytes, bb_at, 0, 4);
	bounded(&b, KDX_ERR_CORRUPT, "bitmap_blocks is 0");
	mkkdump_patch(m, b.bytes, bb_at, UINT32_MAX, 4);
	bounded(&b, KDX_ERR_CORRUPT, "past the end of the file");
	mkkdump_patch(m, b.bytes, bb_at, 1u << 20, 4);
	bounded(&b, KDX_ERR_CORRUPT, "past the end of the file");
	mkkdump_patch(m, b.bytes, bb_at, 3, 4); /* odd: one bitmap */
	bounded(&b, ANY, "");
	memcpy(b.bytes, orig, b.size);

	mkkdump_patch(m, b.bytes, shs_at, UINT32_MAX, 4);
	bounded(&b, KDX_ERR_CORRUPT, "past the end of the file");
	mkkdump_patch(m, b.bytes, shs_at, 0, 4);
	/* sub_hdr_size 0: the bitmaps are read from the sub-header block,
	 * which is not a crash or a hang, whatever it finds. */
	bounded(&b, ANY, "");
	memcpy(b.bytes, orig, b.size);

	/* max_mapnr beyond the bitmap: pages past it are holes, said once. */
	mkkdump_patch(m, b.bytes, mm_at, UINT32_MAX, 4);
	mkkdump_patch(m, b.bytes, mm64_at, UINT64_MAX, 8);
	bounded(&b, 0, "");
	open_ok(&b);
	assert_int_equal(count_warnings(b.dump, "exceeds the bitmap"), 1);
	check_all_pages(&b, b.dump);
	memcpy(b.bytes, orig, b.size);

	/* max_mapnr_64 0 (a writer that left it out): the 32-bit one. */
	mkkdump_patch(m, b.bytes, mm64_at, 0, 8);
	open_ok(&b);
	check_all_pages(&b, b.dump);
	memcpy(b.bytes, orig, b.size);

	/* Notes past the end or absurdly large: a warning, pages read. */
	mkkdump_patch(m, b.bytes, mkkdump_field_offset(m, MKKDUMP_F_SIZE_NOTE),
		      UINT64_MAX / 2, 8);
	bounded(&b, 0, "");
	open_ok(&b);
	assert_int_equal(count_warnings(b.dump, "ELF notes"), 1);
	check_all_pages(&b, b.dump);
	memcpy(b.bytes, orig, b.size);
	mkkdump_patch(m, b.bytes,
		      mkkdump_field_offset(m, MKKDUMP_F_OFFSET_NOTE),
		      UINT64_MAX - 10, 8);
	open_ok(&b);
	assert_int_equal(count_warnings(b.dump, "ELF notes"), 1);
	check_all_pages(&b, b.dump);
	memcpy(b.bytes, orig, b.size);

	/* A header version from the future reads as the newest known. */
	mkkdump_patch(m, b.bytes,
		      mkkdump_field_offset(m, MKKDUMP_F_HEADER_VERSION), 9, 4);
	open_ok(&b);
	check_all_pages(&b, b.dump);
	memcpy(b.bytes, orig, b.size);

	/* Too short for a header at all. */
	b.size = 300;
	bounded(&b, KDX_ERR_CORRUPT, "kdump header");
	free(orig);
	done(&b);
}

/* A sparse bitmap of a 4 GiB machine (1M pfns, 128 KiB each bitmap):
 * opens quickly, reads the few pages there are. */
static void large_sparse_bitmap(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .max_mapnr = 1ull << 20,
		.default_codec = MKKDUMP_CODEC_ZSTD,
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;
	size_t n;

	(void)state;
	mkkdump_set_pages(m, 0, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, (1ull << 20) - 3, 3, MKKDUMP_DATA,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 1ull << 19, 1ull << 12, MKKDUMP_EXCLUDED,
			  MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	bounded(&b, 0, "");
	open_ok(&b);
	kdx_dump_phys_ranges(b.dump, &n);
	assert_int_equal(n, 3);
	check_page(&b, b.dump, 3);
	check_page(&b, b.dump, (1ull << 20) - 1);
	check_page(&b, b.dump, 1ull << 19);
	check_page(&b, b.dump, 1ull << 18);
	done(&b);
}

/* ---- bitmaps read in windows ---- */

/* libkdx reads the bitmaps 64 KiB (2^19 pages) at a time. */
#define WINDOW_PFNS (1ull << 19)

/* Every pfn's range kind, walking the sorted map once. */
static void check_ranges_by_sweep(const struct kb *b)
{
	size_t n, i = 0;
	const struct kdx_phys_range *r = kdx_dump_phys_ranges(b->dump, &n);
	uint64_t max = mkkdump_max_mapnr(b->m);

	for (uint64_t pfn = 0; pfn < max + 8; pfn++) {
		enum mkkdump_page_kind k = mkkdump_page_kind(b->m, pfn);
		uint64_t a = pfn * 4096;

		while (i < n && r[i].start + r[i].size <= a)
			i++;
		if (k == MKKDUMP_HOLE) {
			if (i < n && r[i].start <= a)
				fail_msg("hole pfn 0x%llx is in the map",
					 (unsigned long long)pfn);
			continue;
		}
		if (i == n || r[i].start > a)
			fail_msg("pfn 0x%llx is not in the map",
				 (unsigned long long)pfn);
		assert_int_equal(r[i].kind, k == MKKDUMP_EXCLUDED ?
						    KDX_RANGE_EXCLUDED :
						    KDX_RANGE_DATA);
	}
}

/* @b's bytes as a sparse file: blocks of zeros are left as holes, which
 * libkdx skips unread (SEEK_DATA). */
static void write_sparse(const struct kb *b, char *path)
{
	static const uint8_t zeros[4096];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)b->size), 0);
	for (size_t at = 0; at < b->size; at += sizeof(zeros)) {
		size_t n = b->size - at < sizeof(zeros) ? b->size - at :
							  sizeof(zeros);

		if (memcmp(b->bytes + at, zeros, n))
			assert_int_equal(pwrite(fd, b->bytes + at, n,
						(off_t)at),
					 (ssize_t)n);
	}
	assert_int_equal(close(fd), 0);
}

/* The map, the counts and the pages against a brute-force count. */
static void check_against_brute_force(struct kb *b)
{
	uint64_t max = mkkdump_max_mapnr(b->m), dumped = 0, excluded = 0;
	char want[64];

	for (uint64_t pfn = 0; pfn < max; pfn++) {
		enum mkkdump_page_kind k = mkkdump_page_kind(b->m, pfn);

		dumped += k == MKKDUMP_DATA || k == MKKDUMP_ZERO ||
			  k == MKKDUMP_RANDOM;
		excluded += k == MKKDUMP_EXCLUDED;
	}
	assert_true(dumped > 900);
	assert_int_equal(kdx_dump_facts(b->dump)->nr_pages, dumped);
	snprintf(want, sizeof(want), "%llu dumped, %llu excluded",
		 (unsigned long long)dumped, (unsigned long long)excluded);
	assert_string_equal(dump_detail(b->dump, "pages"), want);
	check_ranges_by_sweep(b);
	for (uint64_t pfn = 0; pfn < max + 2; pfn++)
		if (mkkdump_page_kind(b->m, pfn) != MKKDUMP_HOLE ||
		    pfn % 4099 == 0)
			check_page(b, b->dump, pfn);
}

/* Pages in every window, on both sides of each window boundary, the
 * first and the last pfn, excluded runs across boundaries, scattered
 * single pages: the map, the counts and every dumped page must be what a
 * brute-force count of the builder's pages says. */
static void bitmap_windows_match_brute_force(void **state)
{
	uint64_t max = 3 * WINDOW_PFNS + 1001;
	struct mkkdump_options o = { .machine = "x86_64", .max_mapnr = max,
				     .default_codec = MKKDUMP_CODEC_LZO };
	struct mkkdump *m = mkkdump_new(&o);
	char path[] = "/tmp/kdx-test-sparse-XXXXXX";
	struct kdx_error *err;
	struct kb b;

	(void)state;
	/* Scattered pages, but none in most of the 2nd and 3rd windows:
	 * their bitmap blocks are zeros, holes of the sparse file. */
	for (uint64_t pfn = 0; pfn < max; pfn += 997)
		if (pfn < WINDOW_PFNS || pfn > 2 * WINDOW_PFNS + 300000)
			mkkdump_set_pages(m, pfn, 1, MKKDUMP_DATA,
					  MKKDUMP_CODEC_DEFAULT);
	for (uint64_t w = 1; w <= 3; w++) {
		mkkdump_set_pages(m, w * WINDOW_PFNS - 3, 6, MKKDUMP_DATA,
				  MKKDUMP_CODEC_DEFAULT);
		mkkdump_set_pages(m, w * WINDOW_PFNS - 300, 200,
				  MKKDUMP_EXCLUDED, MKKDUMP_CODEC_DEFAULT);
	}
	/* Whole 64-page words of each kind, across the second boundary. */
	mkkdump_set_pages(m, 2 * WINDOW_PFNS - 1024, 2048, MKKDUMP_EXCLUDED,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 2 * WINDOW_PFNS - 64, 192, MKKDUMP_ZERO,
			  MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, max - 1, 1, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	check_against_brute_force(&b);
	/* The same from a sparse file, whose zero blocks are skipped. */
	write_sparse(&b, path);
	kdx_dump_destroy(b.dump);
	b.dump = NULL;
	err = kdx_dump_open(path, NULL, &b.dump);
	unlink(path);
	if (err)
		fail_msg("open %s: %s", path, kdx_error_message(err));
	check_against_brute_force(&b);
	done(&b);
}

/* ---- flattened ---- */

static void compare_dumps(const struct kb *b, const struct kdx_dump *flat)
{
	size_t n1, n2;
	const struct kdx_phys_range *r1 = kdx_dump_phys_ranges(b->dump, &n1);
	const struct kdx_phys_range *r2 = kdx_dump_phys_ranges(flat, &n2);
	uint32_t bs = mkkdump_block_size(b->m);
	uint8_t *p1 = malloc(bs), *p2 = malloc(bs);

	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		if (r1[i].start != r2[i].start || r1[i].size != r2[i].size ||
		    r1[i].kind != r2[i].kind)
			fail_msg("range %zu: 0x%llx+0x%llx kind %d vs 0x%llx+0x%llx kind %d",
				 i, (unsigned long long)r1[i].start,
				 (unsigned long long)r1[i].size, r1[i].kind,
				 (unsigned long long)r2[i].start,
				 (unsigned long long)r2[i].size, r2[i].kind);
	}
	kdx_dump_notes(b->dump, &n1);
	kdx_dump_notes(flat, &n2);
	assert_int_equal(n1, n2);
	for (uint64_t pfn = 0; pfn < mkkdump_max_mapnr(b->m) + 1; pfn++) {
		struct kdx_error *e1 = kdx_read_phys(b->dump, pfn * bs, p1, bs,
						     KDX_READ_ZERO_FILL, NULL);
		struct kdx_error *e2 = kdx_read_phys(flat, pfn * bs, p2, bs,
						     KDX_READ_ZERO_FILL, NULL);

		assert_null(e1);
		assert_null(e2);
		assert_memory_equal(p1, p2, bs);
	}
	check_all_pages(b, flat);
	free(p1);
	free(p2);
}

static void flattened_equals_unflattened(void **state)
{
	static const struct mkflat_options variants[] = {
		{ 0 },
		{ .chunk = 1000, .shuffle = 7 },
		{ .chunk = 333, .shuffle = 99, .overwritten = 40 },
		{ .chunk = 4096, .shuffle = 3, .overwritten = 5,
		  .no_end_marker = true },
		{ .chunk = 1, .shuffle = 5 },
	};

	(void)state;
	for (size_t a = 0; a < 4; a++) {
		const struct abi_case *c = &abis[a * 2 + 1 < 10 ? a * 2 + 1 : 0];
		struct mkkdump_options o = {
			.machine = c->machine, .byte_order = c->bo,
			.default_codec = (enum mkkdump_codec)(a + 1),
		};
		struct mkkdump *m = mkkdump_new(&o);
		struct kb b;

		standard_pages(m);
		add_notes(m);
		build(m, &b);
		open_ok(&b);
		for (size_t v = 0; v < sizeof(variants) / sizeof(variants[0]);
		     v++) {
			size_t fsize;
			uint8_t *f = mkflat_build(b.bytes, b.size, &variants[v],
						  &fsize);
			struct kdx_dump *flat = NULL;
			struct kdx_error *err =
				kdx_dump_open_memory(f, fsize, NULL, &flat);
			const char *cont;

			if (err)
				fail_msg("flattened variant %zu: %s", v,
					 kdx_error_message(err));
			assert_string_equal(kdx_dump_format_name(flat), "kdump");
			cont = dump_detail(flat, "container");
			assert_non_null(cont);
			assert_non_null(strstr(cont, "flattened"));
			assert_int_equal(count_warnings(flat, "no end marker"),
					 variants[v].no_end_marker ? 1 : 0);
			compare_dumps(&b, flat);
			kdx_dump_destroy(flat);
			free(f);
		}
		done(&b);
	}
}

/* A stream cut in the middle of a record keeps what it holds. */
static void flattened_cut_short(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct mkflat_options fo = { .chunk = 4096, .no_end_marker = true };
	struct kb b;
	uint8_t *f;
	size_t fsize;
	struct kdx_dump *flat = NULL;
	struct kdx_error *err;

	(void)state;
	mkkdump_set_pages(m, 0, 64, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	f = mkflat_build(b.bytes, b.size, &fo, &fsize);
	/* Keep records up to 5 bytes into pfn 40's data: logical offset L
	 * is at 4096 + (L / 4096) * (16 + 4096) + 16 + L % 4096. */
	{
		uint64_t l = mkkdump_data_offset(m, 40) + 5;

		fsize = 4096 + (l / 4096) * (16 + 4096) + 16 + l % 4096;
	}
	err = kdx_dump_open_memory(f, fsize, NULL, &flat);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_int_equal(count_warnings(flat, "no end marker"), 1);
	assert_int_equal(count_warnings(flat, "cut short"), 2);
	assert_int_equal(kdx_dump_facts(flat)->flags, KDX_DUMP_TRUNCATED);
	for (uint64_t pfn = 0; pfn < 40; pfn++)
		check_page(&b, flat, pfn);
	kdx_dump_destroy(flat);
	/* Not even the header. */
	expect_error_text(kdx_dump_open_memory(f, 4096 + 20, NULL, &flat),
			  KDX_ERR_NOTFOUND, "");
	free(f);
	done(&b);
}

/* A record moved far away leaves the bitmaps unwritten: those zeros
 * could claim gigabytes of bitmap from a few bytes of stream (the fuzzer
 * found the 2 GiB allocation), so the open fails naming the first byte
 * no record wrote. */
static void flattened_bitmaps_not_written(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct mkflat_options fo = { .chunk = 4096 };
	struct kb b;
	uint8_t *f;
	size_t fsize;
	struct kdx_dump *flat = NULL;
	uint64_t bitmap, rec;
	char want[96];

	(void)state;
	mkkdump_set_pages(m, 0, 64, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	bitmap = mkkdump_bitmap_offset(m);
	assert_int_equal(bitmap % 4096, 0);
	f = mkflat_build(b.bytes, b.size, &fo, &fsize);
	/* In order, 4096 bytes a record: the bitmap's record header is at
	 * 4096 + (bitmap / 4096) * (16 + 4096). */
	rec = 4096 + (bitmap / 4096) * (16 + 4096);
	for (int i = 0; i < 8; i++)
		f[rec + i] = (uint8_t)((1ull << 40) >> (56 - 8 * i));
	snprintf(want, sizeof(want),
		 "no record of the flattened stream wrote offset 0x%llx",
		 (unsigned long long)bitmap);
	expect_error_text(kdx_dump_open_memory(f, fsize, NULL, &flat),
			  KDX_ERR_CORRUPT, want);
	free(f);
	done(&b);
}

/* Notes no record of a flattened stream wrote are ignored with a warning
 * naming the first unwritten offset, as notes past the end are; the pages
 * still read (fuzz_convert: a stream of a few records claimed 4 GiB of
 * notes, allocated and zeroed at each open). */
static void flattened_notes_not_written(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct mkflat_options fo = { 0 };
	struct kb b;
	uint8_t *f;
	size_t fsize, ncpus = 1;
	struct kdx_dump *flat = NULL;
	uint64_t note = 0, at;
	char want[96];

	(void)state;
	add_notes(m);
	mkkdump_set_pages(m, 0, 64, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	at = mkkdump_field_offset(m, MKKDUMP_F_OFFSET_NOTE);
	for (int i = 7; i >= 0; i--)
		note = note << 8 | b.bytes[at + (unsigned int)i];
	fo.hole_start = note + 16;
	fo.hole_size = 8;
	f = mkflat_build(b.bytes, b.size, &fo, &fsize);
	assert_null(kdx_dump_open_memory(f, fsize, NULL, &flat));
	snprintf(want, sizeof(want),
		 "no record of the flattened stream wrote offset 0x%llx; ignored",
		 (unsigned long long)(note + 16));
	assert_non_null(warning_with(flat, want));
	kdx_dump_cpus(flat, &ncpus);
	assert_int_equal(ncpus, 0); /* the PRSTATUS notes went with them */
	for (uint64_t pfn = 0; pfn < 64; pfn += 21)
		check_page(&b, flat, pfn);
	kdx_dump_destroy(flat);
	free(f);
	done(&b);
}

/* A record no stream can hold fails the open, naming the stream (the
 * fuzzer found the error path reading the stream's name after freeing
 * it). */
static void flattened_impossible_record(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct kb b;
	uint8_t *f;
	size_t fsize;
	struct kdx_dump *flat = NULL;

	(void)state;
	mkkdump_set_pages(m, 0, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	f = mkflat_build(b.bytes, b.size, NULL, &fsize);
	f[4096 + 16 + 4096] = 0x80; /* second record's offset: negative */
	expect_error_text(kdx_dump_open_memory(f, fsize, NULL, &flat),
			  KDX_ERR_CORRUPT, "<memory>: flattened stream: flattened record at offset 0x2010");
	assert_null(flat);
	free(f);
	done(&b);
}

/* A flattened stream flattened again is two layers and reads as the dump. */
static void flattened_twice(void **state)
{
	struct mkkdump *m = new_kdump("x86_64", KDX_LITTLE_ENDIAN, 6,
				      MKKDUMP_CODEC_ZLIB);
	struct mkflat_options fo = { .chunk = 1000, .shuffle = 7 };
	struct kb b;
	uint8_t *inner, *outer;
	size_t inner_size, outer_size;
	struct kdx_dump *flat = NULL;
	struct kdx_error *err;

	(void)state;
	mkkdump_set_pages(m, 0, 16, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	inner = mkflat_build(b.bytes, b.size, NULL, &inner_size);
	outer = mkflat_build(inner, inner_size, &fo, &outer_size);
	err = kdx_dump_open_memory(outer, outer_size, NULL, &flat);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	compare_dumps(&b, flat);
	kdx_dump_destroy(flat);
	free(outer);
	free(inner);
	done(&b);
}

/* An outer stream that writes an inner stream's header and then a few
 * bytes a TiB further on: the inner stream's records would lie in the
 * unwritten gap, which reads as zero-sized records for 2^36 steps (the
 * fuzzer found the hang).  The open fails at once, naming where. */
static void flattened_inside_a_gap(void **state)
{
	size_t size = 4096 + 16 + 4096 + 16 + 16 + 16;
	uint8_t *f = calloc(1, size), *p;
	struct kdx_dump *dump = NULL;

	(void)state;
	assert_non_null(f);
	/* The outer header, then a record holding the inner header. */
	memcpy(f, "makedumpfile", 12);
	kdx_store_u64(f + 16, 1, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 24, 1, KDX_BIG_ENDIAN);
	p = f + 4096;
	kdx_store_u64(p, 0, KDX_BIG_ENDIAN);
	kdx_store_u64(p + 8, 4096, KDX_BIG_ENDIAN);
	memcpy(p + 16, f, 4096);
	p += 16 + 4096;
	kdx_store_u64(p, 1ull << 40, KDX_BIG_ENDIAN);
	kdx_store_u64(p + 8, 16, KDX_BIG_ENDIAN);
	p += 32;
	kdx_store_u64(p, UINT64_MAX, KDX_BIG_ENDIAN);
	kdx_store_u64(p + 8, UINT64_MAX, KDX_BIG_ENDIAN);
	expect_error_text(kdx_dump_open_memory(f, size, NULL, &dump),
			  KDX_ERR_CORRUPT,
			  "flattened record at offset 0x1000: its header lies in a gap no record of the outer stream wrote (offset 0x1000)");
	assert_null(dump);
	free(f);
}

/* A stream inside a stream whose record claims a TiB of bytes that lie
 * in the outer stream's unwritten gap: a LiME image of one TiB range
 * whose only written bytes are a VMCOREINFO text 4 KiB below its end.
 * The VMCOREINFO search skips what no record wrote and finds the text
 * (the fuzzer found the search reading 2^28 pages of the gap one by
 * one: it does not finish on the old code). */
static void flattened_stream_in_a_gap_of_another(void **state)
{
	static const char text[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
	const uint64_t tib = 1ull << 40, page_at = tib - 4096;
	/* Inner stream bytes: header, a record of the LiME header, the
	 * header of a record of a TiB of range data. */
	const size_t inner_held = 4096 + 16 + 32 + 16;
	size_t size = 4096 + 16 + inner_held + 16 + 32 + 16;
	uint8_t *f = calloc(1, size), *in, *p;
	struct kdx_dump *dump = NULL;
	struct kdx_error *err;
	const char *source;
	uint8_t buf[32], zeros[32] = { 0 };

	(void)state;
	assert_non_null(f);
	memcpy(f, "makedumpfile", 12);
	kdx_store_u64(f + 16, 1, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 24, 1, KDX_BIG_ENDIAN);
	/* Outer record 1: the inner stream's first bytes. */
	kdx_store_u64(f + 4096, 0, KDX_BIG_ENDIAN);
	kdx_store_u64(f + 4096 + 8, inner_held, KDX_BIG_ENDIAN);
	in = f + 4096 + 16;
	memcpy(in, f, 4096);
	kdx_store_u64(in + 4096, 0, KDX_BIG_ENDIAN);
	kdx_store_u64(in + 4096 + 8, 32, KDX_BIG_ENDIAN);
	kdx_store_u32(in + 4096 + 16, 0x4C694D45, KDX_LITTLE_ENDIAN); /* LiME magic */
	kdx_store_u32(in + 4096 + 20, 1, KDX_LITTLE_ENDIAN);
	kdx_store_u64(in + 4096 + 24, 0, KDX_LITTLE_ENDIAN);
	kdx_store_u64(in + 4096 + 32, tib - 1, KDX_LITTLE_ENDIAN);
	kdx_store_u64(in + 4096 + 48, 32, KDX_BIG_ENDIAN);
	kdx_store_u64(in + 4096 + 56, tib, KDX_BIG_ENDIAN);
	/* Outer record 2: the text, where physical page_at lies in the
	 * inner record's data (physical P is inner offset 32 + P, which is
	 * outer offset inner_held + P). */
	p = in + inner_held;
	kdx_store_u64(p, inner_held + page_at, KDX_BIG_ENDIAN);
	kdx_store_u64(p + 8, 32, KDX_BIG_ENDIAN);
	memcpy(p + 16, text, sizeof(text) - 1);
	kdx_store_u64(p + 48, UINT64_MAX, KDX_BIG_ENDIAN);
	kdx_store_u64(p + 56, UINT64_MAX, KDX_BIG_ENDIAN);
	err = kdx_dump_open_memory(f, size, NULL, &dump);
	if (err)
		fail_msg("open: %s", kdx_error_message(err));
	assert_string_equal(kdx_dump_format_name(dump), "lime");
	assert_string_equal(kdx_dump_vmcoreinfo_get(dump, "OSRELEASE"),
			    "6.1.0");
	source = kdx_dump_vmcoreinfo_source(dump);
	assert_non_null(strstr(source, "at 0xfffffff000"));
	assert_null(kdx_read_phys(dump, page_at, buf, sizeof(buf), 0, NULL));
	assert_memory_equal(buf, text, sizeof(buf) - 2);
	assert_null(kdx_read_phys(dump, 0x1000, buf, sizeof(buf), 0, NULL));
	assert_memory_equal(buf, zeros, sizeof(buf));
	kdx_dump_destroy(dump);
	free(f);
}

static void detection_and_forced_format(void **state)
{
	struct mkkdump *m = new_kdump("s390x", KDX_BIG_ENDIAN, 6,
				      MKKDUMP_CODEC_SNAPPY);
	struct kb b;

	(void)state;
	standard_pages(m);
	build(m, &b);
	open_ok(&b);
	assert_null(open_kb(&b, "kdump"));
	assert_string_equal(kdx_dump_format_name(b.dump), "kdump");
	check_all_pages(&b, b.dump);
	/* An ELF reader forced on it says no. */
	assert_non_null(b.bytes);
	{
		struct kdx_error *err = open_kb(&b, "elf");

		assert_non_null(err);
		kdx_error_destroy(err);
	}
	/* A damaged signature is not detected as kdump. */
	b.bytes[0] = 'X';
	expect_error_text(open_kb(&b, NULL), KDX_ERR_NOTFOUND, "");
	done(&b);
}

static void eraseinfo_is_described(void **state)
{
	struct mkkdump_options o = {
		.machine = "x86_64", .header_version = 5,
		.eraseinfo = "erase modules size 0x100\n",
	};
	struct mkkdump *m = mkkdump_new(&o);
	struct kb b;
	const char *e;

	(void)state;
	mkkdump_set_pages(m, 0, 4, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	build(m, &b);
	open_ok(&b);
	e = dump_detail(b.dump, "eraseinfo");
	assert_non_null(e);
	assert_non_null(strstr(e, "0x19 bytes"));
	check_all_pages(&b, b.dump);
	done(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_codec),
		cmocka_unit_test(mixed_codecs_in_one_file),
		cmocka_unit_test(small_reads_hit_the_cache),
		cmocka_unit_test(small_reads_of_pages_stored_plain),
		cmocka_unit_test(threads_share_a_handle),
		cmocka_unit_test(every_header_version),
		cmocka_unit_test(diskdump_old_layout),
		cmocka_unit_test(kdump_with_one_bitmap),
		cmocka_unit_test(every_abi_and_byte_order),
		cmocka_unit_test(qemu_x86_header_names_the_wrong_guest),
		cmocka_unit_test(block_sizes),
		cmocka_unit_test(v6_prefers_64_bit_fields),
		cmocka_unit_test(split_files_hold_their_range),
		cmocka_unit_test(timestamp_is_the_writers_long),
		cmocka_unit_test(split_parts_that_do_not_belong_together),
		cmocka_unit_test(excluded_pages_name_their_address),
		cmocka_unit_test(incomplete_dump_reads_up_to_the_cut),
		cmocka_unit_test(file_cut_short_without_the_flag),
		cmocka_unit_test(cut_at_every_page_boundary),
		cmocka_unit_test(zero_run_past_the_scan_budget),
		cmocka_unit_test(corrupt_pages_fail_alone),
		cmocka_unit_test(absurd_header_values),
		cmocka_unit_test(large_sparse_bitmap),
		cmocka_unit_test(bitmap_windows_match_brute_force),
		cmocka_unit_test(flattened_equals_unflattened),
		cmocka_unit_test(flattened_cut_short),
		cmocka_unit_test(flattened_bitmaps_not_written),
		cmocka_unit_test(flattened_notes_not_written),
		cmocka_unit_test(flattened_impossible_record),
		cmocka_unit_test(flattened_twice),
		cmocka_unit_test(flattened_inside_a_gap),
		cmocka_unit_test(flattened_stream_in_a_gap_of_another),
		cmocka_unit_test(detection_and_forced_format),
		cmocka_unit_test(eraseinfo_is_described),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
