/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-race.c -- pmemobj_open and pmemobj_check of a pool that is
 * still being created give EWOULDBLOCK, never a verdict on the unfinished
 * contents
 *
 * The interleaving is forced: this program defines posix_fallocate(), which
 * takes the place of libc's for libpmemobj.so, and while the creating call
 * is inside it (the file exists, has its size, its header is still zero)
 * opens and checks the same pool as a second user would.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpmemobj.h"

#define MiB ((size_t)1 << 20)

static char Dir[64];
static char Pool[128];

static struct {
	const char *path; /* what the second user opens; NULL: nothing */
	int calls;
	int open_errno[4]; /* errno of pmemobj_open (0: it succeeded) */
	int check_errno[4];
} Race;

__attribute__((visibility("default"))) int
posix_fallocate(int fd, off_t off, off_t len)
{
	int (*real)(int, off_t, off_t) =
		(int (*)(int, off_t, off_t))dlsym(RTLD_NEXT, "posix_fallocate");
	int ret = real(fd, off, len);
	if (Race.path == NULL || Race.calls >= 4)
		return ret;
	int i = Race.calls++;
	errno = 0;
	PMEMobjpool *pop = pmemobj_open(Race.path, "race");
	Race.open_errno[i] = pop ? 0 : errno;
	if (pop)
		pmemobj_close(pop);
	errno = 0;
	Race.check_errno[i] = pmemobj_check(Race.path, "race") < 0 ? errno : 0;
	return ret;
}

static int
setup(void **state)
{
	(void)state;
	strcpy(Dir, "/tmp/obj-race-XXXXXX");
	assert_non_null(mkdtemp(Dir));
	snprintf(Pool, sizeof(Pool), "%s/pool", Dir);
	memset(&Race, 0, sizeof(Race));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", Dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void
test_open_while_creating_file(void **state)
{
	(void)state;
	Race.path = Pool;
	PMEMobjpool *pop = pmemobj_create(Pool, "race", 8 * MiB, 0600);
	Race.path = NULL;
	assert_non_null(pop);
	assert_int_equal(Race.calls, 1);
	assert_int_equal(Race.open_errno[0], EWOULDBLOCK);
	assert_int_equal(Race.check_errno[0], EWOULDBLOCK);
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(Pool, "race"), 1);
}

static void
test_open_while_creating_set(void **state)
{
	(void)state;
	char set[128];
	snprintf(set, sizeof(set), "%s/pool.set", Dir);
	FILE *f = fopen(set, "w");
	assert_non_null(f);
	fprintf(f, "PMEMPOOLSET\n8M %s/p0\n8M %s/p1\nREPLICA\n8M %s/r0\n", Dir,
		Dir, Dir);
	assert_int_equal(fclose(f), 0);
	Race.path = set;
	PMEMobjpool *pop = pmemobj_create(set, "race", 0, 0600);
	Race.path = NULL;
	assert_non_null(pop);
	/* one call per part: at each the set is still being created */
	assert_int_equal(Race.calls, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(Race.open_errno[i], EWOULDBLOCK);
		assert_int_equal(Race.check_errno[i], EWOULDBLOCK);
	}
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(set, "race"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_open_while_creating_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_while_creating_set, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
