/* SPDX-License-Identifier: MIT */
#include "seedfile.h"

#include <stdio.h>

void seed_save(struct seed_dir *dir, const char *name, const void *bytes,
	       size_t size)
{
	char path[4096];
	FILE *f;

	if (size >= dir->max_size) {
		fprintf(stderr, "%s: %zu bytes, over %zu\n", name, size,
			dir->max_size);
		dir->failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir->path, name);
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, size, f) != size || fclose(f)) {
		perror(path);
		dir->failures++;
		return;
	}
	printf("%-36s %5zu bytes\n", name, size);
}
