/* SPDX-License-Identifier: MIT */
/* kdx_convert() when the output fails: ENOSPC (a full disk) or EIO (a
 * dying one) from the Nth write the conversion makes, for every N, into
 * kdump and ELF, plain and flattened, from an ELF and a kdump input.
 * Each must fail with the errno, name the output and the offset of the
 * write, leave no file behind (neither the output nor its temporary
 * file) and neither crash nor hang.  A sync that fails is a failure too.
 *
 * The calls that write (pwrite, write, copy_file_range, splice into the
 * output, fdatasync) are sent through this file by the linker (--wrap;
 * tests/CMakeLists.txt).  Once the fault fires every later write fails
 * too, as on a full or failing disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <kdx/kdx.h>

#include "mkelf.h"
#include "mkkdump.h"
#include "testfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __real_copy_file_range(int in, loff_t *in_off, int out,
			       loff_t *out_off, size_t n, unsigned int flags);
ssize_t __real_splice(int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t n, unsigned int flags);
int __real_fdatasync(int fd);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __wrap_copy_file_range(int in, loff_t *in_off, int out,
			       loff_t *out_off, size_t n, unsigned int flags);
ssize_t __wrap_splice(int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t n, unsigned int flags);
int __wrap_fdatasync(int fd);

/* Writes counted so far; the one (1-based) from which all fail, 0: none;
 * with what errno.  Atomic: compression threads may write. */
static atomic_ulong writes;
static unsigned long fail_from;
static int fail_errno;
static bool fail_sync;

static bool write_fails(int fd)
{
	if (fd <= 2) /* the test's own output */
		return false;
	if (fail_from && atomic_fetch_add(&writes, 1) + 1 >= fail_from) {
		errno = fail_errno;
		return true;
	}
	if (!fail_from)
		atomic_fetch_add(&writes, 1);
	return false;
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return write_fails(fd) ? -1 : __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	return write_fails(fd) ? -1 : __real_write(fd, buf, n);
}

ssize_t __wrap_copy_file_range(int in, loff_t *in_off, int out,
			       loff_t *out_off, size_t n, unsigned int flags)
{
	return write_fails(out) ? -1 :
				  __real_copy_file_range(in, in_off, out,
							 out_off, n, flags);
}

/* Only a splice into the output (from the pipe, at an offset) writes. */
ssize_t __wrap_splice(int in, loff_t *in_off, int out, loff_t *out_off,
		      size_t n, unsigned int flags)
{
	if (out_off && write_fails(out))
		return -1;
	return __real_splice(in, in_off, out, out_off, n, flags);
}

int __wrap_fdatasync(int fd)
{
	if (fail_sync) {
		errno = EIO;
		return -1;
	}
	return __real_fdatasync(fd);
}

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kdx-wfault-XXXXXX");
	return testfs_make_dir(dir);
}

static int remove_dir(void **state)
{
	(void)state;
	return testfs_remove_dir(dir);
}

static long count_entries(void)
{
	long n = testfs_count_entries(dir);

	assert_true(n >= 0);
	return n;
}

static void write_file(const char *path, const uint8_t *bytes, size_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	assert_int_equal(fclose(f), 0);
}

/* Data, zeros, a hole and a p_memsz tail, in a file: so an ELF output
 * copies its bytes with copy_file_range/splice where it can. */
static struct kdx_dump *elf_input(void)
{
	struct mkelf_options o = { .class_bits = 64,
				   .byte_order = KDX_LITTLE_ENDIAN,
				   .machine = 62 };
	struct mkelf *m = mkelf_new(&o);
	static uint8_t zeros[0x3000];
	struct mkelf_load data = { .paddr = 0, .filesz = 0x40000, .memsz = 0x40000 };
	struct mkelf_load zero = { .paddr = 0x40000, .filesz = sizeof(zeros),
				   .memsz = sizeof(zeros), .data = zeros };
	struct mkelf_load tail = { .paddr = 0x100000, .filesz = 0x1000, .memsz = 0x3000 };
	struct kdx_dump *d;
	char path[128];
	size_t size;
	uint8_t *bytes;

	mkelf_add_vmcoreinfo(m, "OSRELEASE=6.1.0-wfault\nPAGESIZE=4096\n");
	mkelf_add_load(m, &data);
	mkelf_add_load(m, &zero);
	mkelf_add_load(m, &tail);
	bytes = mkelf_build(m, &size);
	mkelf_free(m);
	snprintf(path, sizeof(path), "%s/../kdx-wfault-input-%d.elf", dir,
		 (int)getpid());
	write_file(path, bytes, size);
	free(bytes);
	assert_null(kdx_dump_open(path, NULL, &d));
	unlink(path); /* the open dump keeps it */
	return d;
}

static struct kdx_dump *kdump_input(uint8_t **bytes)
{
	struct mkkdump_options o = { .machine = "x86_64", .header_version = 6,
				     .default_codec = MKKDUMP_CODEC_ZLIB };
	struct mkkdump *m = mkkdump_new(&o);
	struct kdx_dump *d;
	size_t size;

	mkkdump_set_pages(m, 0, 48, MKKDUMP_DATA, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 48, 8, MKKDUMP_ZERO, MKKDUMP_CODEC_DEFAULT);
	mkkdump_set_pages(m, 56, 8, MKKDUMP_RANDOM, MKKDUMP_CODEC_DEFAULT);
	mkkdump_add_vmcoreinfo(m, "OSRELEASE=6.1.0-wfault\nPAGESIZE=4096\n");
	*bytes = mkkdump_build(m, &size);
	mkkdump_free(m);
	assert_null(kdx_dump_open_memory(*bytes, size, NULL, &d));
	return d; /* reading *@bytes: free them after it */
}

struct output {
	const char *name;
	enum kdx_output_format format;
	bool flatten;
};

static const struct output outputs[] = {
	{ "out.kdump", KDX_OUTPUT_KDUMP, false },
	{ "out.kdump-flat", KDX_OUTPUT_KDUMP, true },
	{ "out.elf", KDX_OUTPUT_ELF, false },
	{ "out.elf-flat", KDX_OUTPUT_ELF, true },
};

static struct kdx_error *convert(const struct kdx_dump *in,
				 const struct output *out, unsigned int threads)
{
	struct kdx_convert_options o;
	char path[128];

	kdx_convert_options_init(&o);
	o.format = out->format;
	o.flatten = out->flatten;
	o.threads = threads;
	snprintf(path, sizeof(path), "%s/%s", dir, out->name);
	return kdx_convert(in, path, &o, NULL);
}

/* The failure as the caller sees it: errno, the output named, the
 * offset of the write; nothing left in the directory. */
static void check_failure(struct kdx_error *err, const struct output *out,
			  int want_errno, unsigned long n)
{
	const char *msg;

	if (!err)
		fail_msg("%s: write %lu failing with %s went unnoticed",
			 out->name, n, strerror(want_errno));
	msg = kdx_error_message(err);
	if (kdx_error_code(err) != KDX_ERR_OS ||
	    kdx_error_errno(err) != want_errno)
		fail_msg("%s: write %lu: expected %s, got '%s'", out->name, n,
			 strerror(want_errno), msg);
	if (strstr(msg, "read the dump"))
		fail_msg("%s: write %lu: the output's failure blamed on the input: '%s'",
			 out->name, n, msg);
	if (!strstr(msg, out->name) || !strstr(msg, "offset 0x"))
		fail_msg("%s: write %lu: '%s' names no output and offset",
			 out->name, n, msg);
	kdx_error_destroy(err);
	if (count_entries())
		fail_msg("%s: write %lu failing left a file behind", out->name,
			 n);
}

/* Every write of the conversion in turn, as the first of the failing
 * ones (a few dozen at most are tried: the first ten, then spread). */
static void fail_each_write(const struct kdx_dump *in, unsigned int threads)
{
	for (size_t k = 0; k < sizeof(outputs) / sizeof(*outputs); k++) {
		const struct output *out = &outputs[k];
		unsigned long total, step;
		char path[128];

		fail_from = 0;
		atomic_store(&writes, 0);
		assert_null(convert(in, out, threads));
		total = atomic_load(&writes);
		assert_true(total > 0);
		snprintf(path, sizeof(path), "%s/%s", dir, out->name);
		assert_int_equal(unlink(path), 0);
		step = total > 40 ? total / 30 : 1;
		for (unsigned long n = 1; n <= total;
		     n += n < 10 ? 1 : step) {
			for (int e = 0; e < 2; e++) {
				fail_errno = e ? EIO : ENOSPC;
				fail_from = n;
				atomic_store(&writes, 0);
				check_failure(convert(in, out, threads), out,
					      fail_errno, n);
			}
		}
		fail_from = 0;
	}
}

static void elf_input_every_write_fails(void **state)
{
	struct kdx_dump *in = elf_input();

	(void)state;
	fail_each_write(in, 1);
	kdx_dump_destroy(in);
}

static void kdump_input_every_write_fails(void **state)
{
	uint8_t *bytes;
	struct kdx_dump *in = kdump_input(&bytes);

	(void)state;
	fail_each_write(in, 1);
	/* Compression threads: the failure reaches the caller, no hang. */
	fail_each_write(in, 3);
	kdx_dump_destroy(in);
	free(bytes);
}

/* The data written, then the sync before the rename fails: no file. */
static void failed_sync_leaves_no_file(void **state)
{
	struct kdx_dump *in = elf_input();
	struct kdx_error *err;

	(void)state;
	fail_sync = true;
	for (size_t k = 0; k < sizeof(outputs) / sizeof(*outputs); k++) {
		if (outputs[k].flatten)
			continue;
		err = convert(in, &outputs[k], 1);
		assert_non_null(err);
		assert_int_equal(kdx_error_errno(err), EIO);
		assert_non_null(strstr(kdx_error_message(err), "sync"));
		kdx_error_destroy(err);
		assert_int_equal(count_entries(), 0);
	}
	fail_sync = false;
	kdx_dump_destroy(in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elf_input_every_write_fails),
		cmocka_unit_test(kdump_input_every_write_fails),
		cmocka_unit_test(failed_sync_leaves_no_file),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
