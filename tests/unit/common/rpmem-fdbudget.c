/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-fdbudget.c -- unit tests of the lanes a descriptor budget holds
 * (src/common/rpmem/rpmem_fdbudget.c): the provider costs, the count of
 * free descriptors under the soft RLIMIT_NOFILE, and the lane arithmetic
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "rpmem_fdbudget.h"
#include "rpmem_proto.h"

/* what libfabric 1.17 was measured to take */
static void
test_costs(void **state)
{
	(void)state;
	struct rpmem_fd_cost c;
	rpmem_fd_cost(RPMEM_PROV_LIBFABRIC_TCP, &c);
	assert_int_equal(c.ep, 1);
	assert_int_equal(c.cq, 4);
	rpmem_fd_cost(RPMEM_PROV_LIBFABRIC_SOCKETS, &c);
	assert_int_equal(c.ep + c.cq, 8);
	/* an unknown provider costs at least what a known one does */
	struct rpmem_fd_cost u;
	rpmem_fd_cost(RPMEM_PROV_UNKNOWN, &u);
	assert_true(u.ep >= 1 && u.ep + u.cq >= 5);
}

static void
test_lanes(void **state)
{
	(void)state;
	struct rpmem_fd_cost tcp = {.ep = 1, .cq = 4};
	/* a queue per lane: 5 descriptors each */
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, 500, 0), 100);
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, 504, 0), 100);
	assert_int_equal(rpmem_fd_lanes(&tcp, 50, 500, 0), 50);
	/* two shared queues: 8 descriptors, then one per lane */
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, 100, 2), 92);
	assert_int_equal(rpmem_fd_lanes(&tcp, 64, 100, 2), 64);
	/* nothing fits: one lane, whose set-up then fails */
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, 0, 0), 1);
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, 100, 30), 1);
	assert_int_equal(rpmem_fd_lanes(&tcp, 1024, UINT_MAX, 0), 1024);
}

/* the soft limit less the open descriptors, and nothing changed */
static void
test_free_fds(void **state)
{
	(void)state;
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	if (old.rlim_max != RLIM_INFINITY && old.rlim_max < 300)
		skip();
	struct rlimit rl = {256, old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	unsigned before = rpmem_fd_free();
	assert_true(before > 0 && before < 256);
	int fds[10];
	for (int i = 0; i < 10; i++) {
		fds[i] = open("/dev/null", O_RDONLY);
		assert_true(fds[i] >= 0);
	}
	assert_int_equal(rpmem_fd_free(), before - 10);
	for (int i = 0; i < 10; i++)
		close(fds[i]);
	assert_int_equal(rpmem_fd_free(), before);
	struct rlimit now;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &now), 0);
	assert_int_equal(now.rlim_cur, 256);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_costs),
		cmocka_unit_test(test_lanes),
		cmocka_unit_test(test_free_fds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
