/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.h -- a counting CHECK() for librpmem programs that must run
 * against any librpmem.so.1 (ours or PMDK's), so they use no test framework:
 * each failed check prints its place, errno and rpmem_errormsg(), and
 * check_summary() prints "N passed, N failed" and gives the exit status
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H 1

#include <errno.h>
#include <stdio.h>

static unsigned Check_passed, Check_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (cond) {                                                \
			Check_passed++;                                    \
		} else {                                                   \
			Check_failed++;                                    \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);        \
			printf(__VA_ARGS__);                               \
			printf(" (errno %d, rpmem_errormsg: %s)\n", errno, \
				rpmem_errormsg());                         \
		}                                                          \
	} while (0)

static inline int
check_summary(void)
{
	printf("%u passed, %u failed\n", Check_passed, Check_failed);
	return Check_failed ? 1 : 0;
}

#endif /* TESTS_CHECK_H */
