/* SPDX-License-Identifier: MIT */
#include "testfs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

long testfs_rss_file_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssFile: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

long testfs_count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	long n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int testfs_make_dir(char *templ)
{
	return mkdtemp(templ) ? 0 : -1;
}

int testfs_remove_dir(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	return system(cmd) == 0 ? 0 : -1;
}
