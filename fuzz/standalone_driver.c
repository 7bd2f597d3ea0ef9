/* SPDX-License-Identifier: MIT */
/* Replay inputs through a fuzz target without libFuzzer, so the checked-in
 * corpus runs as an ordinary test with any compiler (the model is
 * libgit2's fuzzers/standalone_driver.c).
 *
 * Usage: fuzz_X_replay PATH...   (each PATH a file or a directory whose
 * regular files, not recursively, are replayed in name order) */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t got;

	if (!f || fstat(fileno(f), &st) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	/* Exactly the input's size, so ASan sees any read past its end. */
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fclose(f);
		return -1;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	if (got != (size_t)st.st_size) {
		fprintf(stderr, "%s: short read\n", path);
		free(buf);
		return -1;
	}
	printf("replay %s (%zu bytes)\n", path, got);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, got);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir, unsigned int *count)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;

	if (n < 0) {
		fprintf(stderr, "%s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *path;
		struct stat st;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&path, "%s/%s", dir, names[i]->d_name) >= 0) {
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (replay_file(path) < 0)
					rc = -1;
				else
					(*count)++;
			}
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned int count = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &count) < 0)
				rc = 1;
		} else if (replay_file(argv[i]) < 0) {
			rc = 1;
		} else {
			count++;
		}
	}
	printf("%u inputs replayed\n", count);
	/* An empty corpus means a wrong path, not a pass. */
	return rc ? rc : count ? 0 : 1;
}
