/* SPDX-License-Identifier: MIT */
/* What tests read of their own process and of a directory they made. */
#ifndef KDX_TESTS_TESTFS_H
#define KDX_TESTS_TESTFS_H

#include <stddef.h>

/* Resident file-backed memory of this process (RssFile), in KiB; -1 if
 * /proc does not say. */
long testfs_rss_file_kib(void);

/* Entries of directory @path other than dot files; -1 if it cannot be
 * read. */
long testfs_count_entries(const char *path);

/* Make a fresh directory from @templ ("/tmp/NAME-XXXXXX", rewritten in
 * place); 0 or -1, as a cmocka group setup returns. */
int testfs_make_dir(char *templ);

/* Remove @path and all in it; 0 or -1. */
int testfs_remove_dir(const char *path);

#endif
