/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-fifo.c -- a FIFO named as a pool file or as a part of a pool
 * set is refused at once by pmemobj_open, pmemobj_check and pmemobj_create,
 * with a message naming it; none of them may wait for a writer. Each call
 * runs in a child bounded by alarm(): a call that blocks kills its child
 * and fails the test instead of hanging it.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpmemobj.h"
#include "test_util.h"

#define MiB ((size_t)1 << 20)
#define LAYOUT "fifo"

static char Dir[64];
static char Fifo[128];	   /* a FIFO as the pool file */
static char Set0[128];	   /* a set whose first part is a FIFO */
static char Set1[128];	   /* a set whose second part is that FIFO */
static char SetFifo[128];  /* that part */
static char SetPlain[128]; /* the other part, a regular file */

static int
setup(void **state)
{
	(void)state;
	strcpy(Dir, "/tmp/obj-fifo-XXXXXX");
	assert_non_null(mkdtemp(Dir));
	snprintf(Fifo, sizeof(Fifo), "%s/pool.fifo", Dir);
	snprintf(Set0, sizeof(Set0), "%s/pool0.set", Dir);
	snprintf(Set1, sizeof(Set1), "%s/pool1.set", Dir);
	snprintf(SetPlain, sizeof(SetPlain), "%s/plain", Dir);
	snprintf(SetFifo, sizeof(SetFifo), "%s/part.fifo", Dir);
	assert_int_equal(mkfifo(Fifo, 0600), 0);
	assert_int_equal(mkfifo(SetFifo, 0600), 0);
	char text[512];
	snprintf(text, sizeof(text), "PMEMPOOLSET\n8M %s\n8M %s\n", SetFifo,
		SetPlain);
	assert_int_equal(write_text(Set0, text), 0);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n8M %s\n8M %s\n", SetPlain,
		SetFifo);
	assert_int_equal(write_text(Set1, text), 0);
	/* the other part as a pool's part would be: a full-size file */
	FILE *f = fopen(SetPlain, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(truncate(SetPlain, (off_t)(8 * MiB)), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(rm_tree(Dir), 0);
	return 0;
}

enum call { OPEN, CHECK, CREATE_EXISTING };

/* the call in this process: 0 when it failed with EINVAL and a message
 * naming want, 1 otherwise (said on stderr) */
static int
call_refused(enum call c, const char *path, const char *want)
{
	int ret = 0;
	PMEMobjpool *pop = NULL;
	switch (c) {
	case OPEN:
		pop = pmemobj_open(path, LAYOUT);
		ret = pop != NULL ? 0 : -1;
		break;
	case CHECK:
		ret = pmemobj_check(path, LAYOUT) == 1 ? 0 : -1;
		break;
	case CREATE_EXISTING: /* poolsize 0: the file or set exists */
		pop = pmemobj_create(path, LAYOUT, 0, 0600);
		ret = pop != NULL ? 0 : -1;
		break;
	}
	int err = errno;
	const char *msg = pmemobj_errormsg();
	if (pop != NULL)
		pmemobj_close(pop);
	if (ret == 0 || err != EINVAL || strstr(msg, want) == NULL) {
		fprintf(stderr, "call %d on %s: ret %d errno %d (%s) '%s'\n",
			(int)c, path, ret, err, strerror(err), msg);
		return 1;
	}
	return 0;
}

/* call_refused() in a child that SIGALRM ends after a bound */
static void
expect_refused(enum call c, const char *path, const char *want)
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm((unsigned)(test_wait_ms(10000) / 1000));
		_exit(call_refused(c, path, want));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		fail_msg("call %d on %s blocked", (int)c, path);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_fifo_pool(void **state)
{
	(void)state;
	expect_refused(OPEN, Fifo, Fifo);
	expect_refused(CHECK, Fifo, Fifo);
	expect_refused(CREATE_EXISTING, Fifo, Fifo);
	struct stat st;
	assert_int_equal(stat(Fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
}

/* each call on a set with the FIFO as one of its parts */
static void
fifo_part(const char *set)
{
	expect_refused(OPEN, set, SetFifo);
	expect_refused(CHECK, set, SetFifo);
	expect_refused(CREATE_EXISTING, set, SetFifo);
	struct stat st;
	assert_int_equal(stat(SetFifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(stat(SetPlain, &st), 0);
	assert_int_equal(st.st_size, (off_t)(8 * MiB));
}

static void
test_fifo_first_part(void **state)
{
	(void)state;
	fifo_part(Set0);
}

static void
test_fifo_second_part(void **state)
{
	(void)state;
	fifo_part(Set1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_pool),
		cmocka_unit_test(test_fifo_first_part),
		cmocka_unit_test(test_fifo_second_part),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
