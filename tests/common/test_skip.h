/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_skip.h -- cmocka skips that ctest reports as skipped: TEST_SKIP()
 * counts the skip, test_exit() turns a run with skips and no failures into
 * exit status 77 (the SKIP_RETURN_CODE of every cmocka ctest entry), and
 * test_filters() lets a ctest entry run one case (TEST_FILTER) or all but
 * some (TEST_SKIP_FILTER), so that a case that may skip gets its own entry
 */
#ifndef TESTS_TEST_SKIP_H
#define TESTS_TEST_SKIP_H 1

#include <stdlib.h>

static unsigned Test_skipped;

#define TEST_SKIP(...)                               \
	do {                                         \
		print_message("SKIP: " __VA_ARGS__); \
		Test_skipped++;                      \
		skip();                              \
	} while (0)

/* the exit status for cmocka_run_group_tests()' number of failures */
static inline int
test_exit(int failures)
{
	if (failures)
		return failures;
	return Test_skipped ? 77 : 0;
}

static inline void
test_filters(void)
{
	const char *f = getenv("TEST_FILTER");
	if (f != NULL && f[0] != '\0')
		cmocka_set_test_filter(f);
	f = getenv("TEST_SKIP_FILTER");
	if (f != NULL && f[0] != '\0')
		cmocka_set_skip_filter(f);
}

#endif /* TESTS_TEST_SKIP_H */
