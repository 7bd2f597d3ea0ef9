/* SPDX-License-Identifier: MIT */
/* Writing fuzz seeds: the mk*-seeds tools put each seed in a folder of
 * fuzz/corpus/, refusing the ones too large for a quick fuzz run. */
#ifndef KDX_TEST_SEEDFILE_H
#define KDX_TEST_SEEDFILE_H

#include <stddef.h>

struct seed_dir {
	const char *path; /* the output folder */
	size_t max_size;  /* every seed must be smaller than this */
	int failures;     /* seeds too large or not written */
};

/* Write @size bytes at @bytes as @dir/@name and print its name and size;
 * a seed too large or a failed write is said on stderr and counted. */
void seed_save(struct seed_dir *dir, const char *name, const void *bytes,
	       size_t size);

#endif
