/* SPDX-License-Identifier: MIT */
/* Write a LiME or AVML image of raw physical memory files, as LiME and
 * AVML would have acquired that memory (for the real-data checks and the
 * benchmarks; the unit tests build theirs in memory):
 *   mklime lime|avml OUT RAW@ADDR...
 * LiME: one range per RAW file.  AVML: as AVML writes them, ranges of at
 * most 16 MiB, each left out when all its bytes are zero. */
#include "mklime.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define AVML_BLOCK (16u << 20)

static int fail(const char *what)
{
	perror(what);
	return 1;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int write_range(FILE *out, const struct mklime_options *o,
		       const struct mklime_range *r)
{
	size_t size;
	uint8_t *bytes = mklime_build(o, r, 1, &size);
	int rc = fwrite(bytes, 1, size, out) == size ? 0 : 1;

	free(bytes);
	return rc;
}

static int add_file(FILE *out, const struct mklime_options *o,
		    const char *arg)
{
	const char *at = strrchr(arg, '@');
	char *path;
	struct stat st;
	uint64_t base;
	uint8_t *map;
	int fd, rc = 0;

	if (!at)
		return fprintf(stderr, "mklime: %s: want RAW@ADDR\n", arg), 1;
	base = strtoull(at + 1, NULL, 0);
	path = strndup(arg, (size_t)(at - arg));
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail(path);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return fail(path);
	for (uint64_t off = 0; off < (uint64_t)st.st_size && !rc;) {
		uint64_t n = (uint64_t)st.st_size - off;
		struct mklime_range r = { .start = base + off, .data = map + off };

		if (o->version == 2 && n > AVML_BLOCK)
			n = AVML_BLOCK;
		r.size = n;
		if (o->version == 1 || !all_zero(map + off, (size_t)n))
			rc = write_range(out, o, &r);
		off += n;
	}
	munmap(map, (size_t)st.st_size);
	close(fd);
	free(path);
	return rc;
}

int main(int argc, char **argv)
{
	struct mklime_options o = { 0 };
	FILE *out;
	int rc = 0;

	if (argc < 4 || (strcmp(argv[1], "lime") && strcmp(argv[1], "avml"))) {
		fprintf(stderr, "usage: mklime lime|avml OUT RAW@ADDR...\n");
		return 2;
	}
	o.version = strcmp(argv[1], "lime") ? 2 : 1;
	out = fopen(argv[2], "wb");
	if (!out)
		return fail(argv[2]);
	for (int i = 3; i < argc && !rc; i++)
		rc = add_file(out, &o, argv[i]);
	if (fclose(out) || rc)
		return rc ? rc : fail(argv[2]);
	return 0;
}
