/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_util.h -- small helpers shared by the integration programs: a
 * monotonic clock in seconds, the removal of a directory tree and the first
 * line of a file (the sshd fixture's files)
 */
#ifndef TESTS_TEST_UTIL_H
#define TESTS_TEST_UTIL_H 1

#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static inline double
now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int
rm_tree_entry(
	const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* removes dir and everything below it, symbolic links not followed */
static inline int
rm_tree(const char *dir)
{
	return nftw(dir, rm_tree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* the first line of path, without its newline; 0, or -1 */
static inline int
read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	char *r = fgets(buf, (int)len, f);
	fclose(f);
	if (r == NULL)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

#endif /* TESTS_TEST_UTIL_H */
