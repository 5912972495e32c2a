/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-crash.c -- a child growing the root object step by step is
 * killed with SIGKILL at varying moments: the pool always opens, the root
 * has the size of the last completed pmemobj_root or of the one in flight
 * (never anything else), its contents were carried along, the heap passes
 * pmemobj_check, and the root can still grow afterwards
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
#include <sys/mman.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpmemobj.h"

#define POOL ((size_t)8 << 20)
#define STEP ((size_t)4096)
#define MAXROOT ((size_t)1 << 20)
#define MARK "root marker"

struct shared {
	volatile uint64_t started;   /* size passed to the call in flight */
	volatile uint64_t completed; /* size of the last returned call */
};

static void
child(const char *path, struct shared *sh)
{
	PMEMobjpool *pop = pmemobj_open(path, "crash");
	if (pop == NULL)
		_exit(1);
	for (size_t s = 2 * STEP; s <= MAXROOT; s += STEP) {
		sh->started = s;
		PMEMoid r = pmemobj_root(pop, s);
		if (OID_IS_NULL(r))
			_exit(2);
		sh->completed = s;
	}
	pmemobj_close(pop);
	_exit(0);
}

/*
 * kills the child once its call for root size `target` is under way (a
 * progress handshake, not a delay); returns 1 when the child was killed
 * before finishing its loop
 */
static int
one_run(size_t target)
{
	char path[] = "/tmp/obj-crash-root-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	PMEMobjpool *pop = pmemobj_create(path, "crash", POOL, 0600);
	assert_non_null(pop);
	char *r = pmemobj_direct(pmemobj_root(pop, STEP));
	assert_non_null(r);
	pmemobj_memcpy_persist(pop, r, MARK, sizeof(MARK));
	pmemobj_memset_persist(pop, r + STEP - 64, 'z', 64);
	pmemobj_close(pop);

	struct shared *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	sh->started = STEP;
	sh->completed = STEP;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child(path, sh);
	int status;
	pid_t w = 0;
	while (sh->started < target &&
		(w = waitpid(pid, &status, WNOHANG)) == 0)
		sched_yield();
	kill(pid, SIGKILL);
	if (w != pid)
		assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status))
		assert_int_equal(WEXITSTATUS(status), 0);
	uint64_t started = sh->started, completed = sh->completed;

	pop = pmemobj_open(path, "crash");
	if (pop == NULL)
		fail_msg("pool killed at root size %zu does not open: %s",
			target, pmemobj_errormsg());
	size_t size = pmemobj_root_size(pop);
	if (size != completed && size != started)
		fail_msg("root size %zu, completed %llu, in flight %llu", size,
			(unsigned long long)completed,
			(unsigned long long)started);
	r = pmemobj_direct(pmemobj_root(pop, 0));
	assert_non_null(r);
	assert_string_equal(r, MARK);
	for (size_t k = STEP - 64; k < STEP; k++)
		assert_int_equal(r[k], 'z');
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(path, "crash"), 1);

	/* the heap is usable: the root still grows to the maximum */
	pop = pmemobj_open(path, "crash");
	assert_non_null(pop);
	r = pmemobj_direct(pmemobj_root(pop, MAXROOT));
	if (r == NULL)
		fail_msg("root of %zu cannot grow to %zu: %s", size, MAXROOT,
			pmemobj_errormsg());
	assert_string_equal(r, MARK);
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(path, "crash"), 1);
	munmap(sh, 4096);
	unlink(path);
	return WIFSIGNALED(status) && completed < MAXROOT;
}

static void
test_kill_while_growing_root(void **state)
{
	(void)state;
	/*
	 * kills spread over the loop; whether each lands before the child
	 * finishes depends on scheduling, but a child killed at the start of
	 * its loop has hundreds of calls left: with none killed mid-loop the
	 * test would have checked no crash at all
	 */
	int killed = 0, runs = 20;
	for (int i = 0; i < runs; i++)
		killed += one_run(
			2 * STEP + (size_t)i * (MAXROOT - 2 * STEP) / runs);
	if (killed < 1)
		fail_msg("none of %d children was killed mid-loop", runs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_while_growing_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
