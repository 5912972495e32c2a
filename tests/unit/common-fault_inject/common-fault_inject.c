/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * common-fault_inject.c -- RPMEM_FAULT_INJECT picks one call of one point
 * (or of all points together) and RPMEM_FAULT_INJECT_COUNT reports the
 * calls at exit. The module reads its environment once per process, so
 * every case runs in a child of its own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fault_inject.h"

/* forks; the child sets the environment, runs fn and exits with its value */
static int
in_child(const char *spec, const char *count_file, int (*fn)(void))
{
	/* (fork): the real one, not the hook, which would read the
	 * environment in this process */
	pid_t pid = (fork)();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (spec)
			setenv("RPMEM_FAULT_INJECT", spec, 1);
		else
			unsetenv("RPMEM_FAULT_INJECT");
		if (count_file)
			setenv("RPMEM_FAULT_INJECT_COUNT", count_file, 1);
		else
			unsetenv("RPMEM_FAULT_INJECT_COUNT");
		exit(fn());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* the second alloc fails with ENOMEM, nothing else does */
static int
second_alloc(void)
{
	void *p = fault_malloc(16);
	if (p == NULL)
		return 1;
	free(p);
	if (FAULT_INJECT(FAULT_OPEN, EMFILE))
		return 2;
	/* a plain call is never a hook, whatever this file includes */
	p = malloc(16);
	if (p == NULL)
		return 5;
	free(p);
	errno = 0;
	p = fault_malloc(16);
	if (p != NULL || errno != ENOMEM) {
		free(p);
		return 3;
	}
	if (FAULT_INJECT(FAULT_ALLOC, ENOMEM))
		return 4;
	return 0;
}

static void
test_point(void **state)
{
	(void)state;
	assert_int_equal(in_child("alloc:2", NULL, second_alloc), 0);
}

/* `any` counts every point: the third call overall fails */
static int
third_any(void)
{
	if (FAULT_INJECT(FAULT_ALLOC, ENOMEM) ||
		FAULT_INJECT(FAULT_FI_GETINFO, ENODATA))
		return 1;
	errno = 0;
	if (!FAULT_INJECT(FAULT_MMAP, ENOMEM) || errno != ENOMEM)
		return 2;
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? 3 : 0;
}

static void
test_any(void **state)
{
	(void)state;
	assert_int_equal(in_child("any:3", NULL, third_any), 0);
}

static int
never(void)
{
	for (int i = 0; i < 100; i++) {
		if (FAULT_INJECT(FAULT_ALLOC, ENOMEM) ||
			FAULT_INJECT(FAULT_FORK, EAGAIN))
			return 1;
	}
	return 0;
}

/* unset, malformed or unknown specifications inject nothing */
static void
test_no_injection(void **state)
{
	(void)state;
	const char *specs[] = {NULL, "", "alloc", "alloc:", "alloc:0",
		"alloc:x", "nosuch:1", ":1"};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		assert_int_equal(in_child(specs[i], NULL, never), 0);
}

static int
some_calls(void)
{
	for (int i = 0; i < 5; i++)
		(void)FAULT_INJECT(FAULT_ALLOC, ENOMEM);
	(void)FAULT_INJECT(FAULT_FI_CONNECT, ECONNREFUSED);
	return 0;
}

/* the counts at exit: one line per point reached, the total, the failure */
static void
test_count(void **state)
{
	(void)state;
	char path[] = "/tmp/fault-inject-count.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(in_child("alloc:4", path, some_calls), 0);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char prog[64], point[64], value[64];
	int alloc = 0, conn = 0, any = 0, injected = 0, failed = 0;
	while (fscanf(f, "%63s %63s %63s", prog, point, value) == 3) {
		if (strcmp(point, "alloc") == 0)
			alloc = atoi(value);
		else if (strcmp(point, "fi_connect") == 0)
			conn = atoi(value);
		else if (strcmp(point, "any") == 0)
			any = atoi(value);
		else if (strcmp(point, "injected") == 0)
			injected = strcmp(value, "alloc:4") == 0;
		else if (strcmp(point, "failed") == 0)
			failed = strcmp(value, "alloc") == 0;
	}
	fclose(f);
	unlink(path);
	assert_int_equal(alloc, 5);
	assert_int_equal(conn, 1);
	assert_int_equal(any, 6);
	assert_true(injected);
	assert_true(failed);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_point),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_no_injection),
		cmocka_unit_test(test_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
