/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-mem.c -- the functions of pmemobj_memcpy_persist(3) with every
 * flag, on a pool that is pmem (PMEM_IS_PMEM_FORCE=1) and on one that is
 * not (msync path), the flag checks of xpersist/xflush, NULL pools, and a
 * child killed with SIGKILL in the middle of memcpy_persist loops leaving a
 * pool that opens with every completed persist present
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "libpmemobj.h"
#include "obj_errno.h"

#define POOL ((size_t)8 << 20)
#define AREA 65536

static const unsigned Flags[] = {0, PMEMOBJ_F_MEM_NODRAIN,
	PMEMOBJ_F_MEM_NONTEMPORAL, PMEMOBJ_F_MEM_TEMPORAL, PMEMOBJ_F_MEM_WC,
	PMEMOBJ_F_MEM_WB, PMEMOBJ_F_MEM_NOFLUSH,
	PMEMOBJ_F_MEM_NOFLUSH | PMEMOBJ_F_MEM_NODRAIN,
	PMEMOBJ_F_MEM_NONTEMPORAL | PMEMOBJ_F_MEM_NODRAIN, PMEMOBJ_F_RELAXED,
	PMEMOBJ_F_RELAXED | PMEMOBJ_F_MEM_WB};

static void
run_mem(void)
{
	char path[] = "/tmp/obj-mem-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	PMEMobjpool *pop = pmemobj_create(path, "mem", POOL, 0600);
	assert_non_null(pop);
	char *d = pmemobj_direct(pmemobj_root(pop, AREA));
	assert_non_null(d);
	char src[AREA], ref[AREA];
	for (size_t i = 0; i < AREA; i++)
		src[i] = (char)(i * 13 + 5);
	memset(ref, 0, sizeof(ref));

	for (size_t f = 0; f < sizeof(Flags) / sizeof(Flags[0]); f++) {
		size_t off = f * 97 % 256, len = 1000 + f * 333;
		assert_ptr_equal(
			pmemobj_memcpy(pop, d + off, src, len, Flags[f]),
			d + off);
		memcpy(ref + off, src, len);
		assert_ptr_equal(
			pmemobj_memset(pop, d + off + len, 'm', 77, Flags[f]),
			d + off + len);
		memset(ref + off + len, 'm', 77);
		assert_ptr_equal(pmemobj_memmove(pop, d + off + 10, d + off,
					 500, Flags[f]),
			d + off + 10);
		memmove(ref + off + 10, ref + off, 500);
		pmemobj_drain(pop);
		assert_memory_equal(d, ref, AREA);
	}
	assert_ptr_equal(
		pmemobj_memcpy_persist(pop, d + 5000, src, 4000), d + 5000);
	memcpy(ref + 5000, src, 4000);
	assert_ptr_equal(
		pmemobj_memset_persist(pop, d + 9000, 0, 300), d + 9000);
	memset(ref + 9000, 0, 300);
	d[20000] = 'p';
	ref[20000] = 'p';
	pmemobj_persist(pop, d + 20000, 1);
	d[20001] = 'f';
	ref[20001] = 'f';
	pmemobj_flush(pop, d + 20001, 1);
	pmemobj_drain(pop);
	assert_int_equal(pmemobj_xpersist(pop, d, 64, 0), 0);
	assert_int_equal(pmemobj_xpersist(pop, d, 64, PMEMOBJ_F_RELAXED), 0);
	assert_int_equal(pmemobj_xflush(pop, d, 64, PMEMOBJ_F_RELAXED), 0);
	static const unsigned bad[] = {
		PMEMOBJ_F_MEM_NODRAIN, 0x2, 0x40, 0x40000000};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(pmemobj_xpersist(pop, d, 64, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(pmemobj_errormsg(), "invalid flags"));
		errno = 0;
		assert_int_equal(pmemobj_xflush(pop, d, 64, bad[i]), -1);
		assert_int_equal(errno, EINVAL);
	}
	pmemobj_close(pop);

	/* everything is in the file after reopening */
	pop = pmemobj_open(path, "mem");
	assert_non_null(pop);
	d = pmemobj_direct(pmemobj_root(pop, 0));
	assert_memory_equal(d, ref, AREA);
	pmemobj_close(pop);
	unlink(path);
}

/*
 * The library reads PMEM_IS_PMEM_FORCE once, when it is loaded (as PMDK
 * does), so the pmem and the msync paths are two runs of this program with
 * the variable set by ctest: libpmemobj-mem (1) and libpmemobj-mem-msync (0).
 */
static void
test_mem(void **state)
{
	(void)state;
	run_mem();
}

/* successful calls leave errno alone, on a pool file and a set with a local
 * replica */
static void
test_errno_kept(void **state)
{
	(void)state;
	char dir[] = "/tmp/obj-errno-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], set[128], cmd[160];
	snprintf(path, sizeof(path), "%s/pool", dir);
	obj_errno_check(path, "errno", POOL);
	snprintf(set, sizeof(set), "%s/pool.set", dir);
	FILE *f = fopen(set, "w");
	assert_non_null(f);
	fprintf(f, "PMEMPOOLSET\n8M %s/p0\nREPLICA\n8M %s/r0\n", dir, dir);
	assert_int_equal(fclose(f), 0);
	obj_errno_check(set, "errno", 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_null_pool(void **state)
{
	(void)state;
	char buf[16];
	errno = 0;
	assert_null(pmemobj_memcpy(NULL, buf, "x", 1, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(pmemobj_memmove(NULL, buf, "x", 1, 0));
	assert_null(pmemobj_memset(NULL, buf, 0, 1, 0));
	assert_null(pmemobj_memcpy_persist(NULL, buf, "x", 1));
	assert_null(pmemobj_memset_persist(NULL, buf, 0, 1));
	assert_int_equal(pmemobj_xpersist(NULL, buf, 1, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pmemobj_xflush(NULL, buf, 1, 0), -1);
	errno = 0;
	pmemobj_persist(NULL, buf, 1);
	assert_int_equal(errno, EINVAL);
	pmemobj_flush(NULL, buf, 1);
	pmemobj_drain(NULL);
	assert_non_null(strstr(pmemobj_errormsg(), "invalid pool handle"));
	/* a pointer that is no pool */
	assert_null(pmemobj_memcpy((PMEMobjpool *)buf, buf, "x", 1, 0));
}

#define REC 256
#define NREC 512

static void
test_crash(void **state)
{
	(void)state;
	char path[] = "/tmp/obj-crash-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	PMEMobjpool *pop = pmemobj_create(path, "crash", POOL, 0600);
	assert_non_null(pop);
	assert_false(OID_IS_NULL(pmemobj_root(pop, REC * NREC)));
	pmemobj_close(pop);

	/* the child reports each completed persist here */
	volatile uint64_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(done != MAP_FAILED);
	*done = 0;
	pid_t pid = fork();
	if (pid == 0) {
		PMEMobjpool *c = pmemobj_open(path, "crash");
		if (c == NULL)
			_exit(1);
		char *d = pmemobj_direct(pmemobj_root(c, 0));
		char rec[REC];
		for (uint64_t i = 1;; i++) {
			memset(rec, (int)(i & 0xff), REC);
			memcpy(rec, &i, sizeof(i));
			pmemobj_memcpy_persist(
				c, d + (i % NREC) * REC, rec, REC);
			*done = i;
		}
	}
	while (*done < 3 * NREC)
		usleep(1000);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	uint64_t last = *done;

	pop = pmemobj_open(path, "crash");
	assert_non_null(pop);
	char *d = pmemobj_direct(pmemobj_root(pop, 0));
	/* the newest NREC - 1 completed records are all there */
	for (uint64_t i = last - (NREC - 2); i <= last; i++) {
		uint64_t got;
		memcpy(&got, d + (i % NREC) * REC, sizeof(got));
		if (got != i)
			fail_msg("record %llu lost (slot holds %llu, last "
				 "completed %llu)",
				(unsigned long long)i, (unsigned long long)got,
				(unsigned long long)last);
		for (size_t k = sizeof(got); k < REC; k++)
			assert_int_equal((unsigned char)d[(i % NREC) * REC + k],
				i & 0xff);
	}
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(path, "crash"), 1);
	unlink(path);
	munmap((void *)done, 4096);
}

int
main(void)
{
	const char *force = getenv("PMEM_IS_PMEM_FORCE");
	if (force == NULL) {
		fprintf(stderr, "set PMEM_IS_PMEM_FORCE to 0 or 1\n");
		return 1;
	}
	const struct CMUnitTest pmem_tests[] = {
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_null_pool),
		cmocka_unit_test(test_errno_kept),
		cmocka_unit_test(test_crash),
	};
	const struct CMUnitTest msync_tests[] = {
		cmocka_unit_test(test_mem),
		cmocka_unit_test(test_null_pool),
		cmocka_unit_test(test_errno_kept),
	};
	if (strcmp(force, "1") == 0)
		return cmocka_run_group_tests(pmem_tests, NULL, NULL);
	return cmocka_run_group_tests(msync_tests, NULL, NULL);
}
