/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-replica-multi.c -- a pmemobj pool set with a local replica and
 * several remote replicas (real sshd, one real rpmemd per remote replica)
 *
 * After every persistence call the written range is byte-identical in the
 * master, the local replica file and every remote pool file (the files are
 * read directly). When the rpmemd of one remote replica is killed, the
 * calls report it (errno, pmemobj_errormsg naming the replica) and the
 * other replicas keep receiving every write.
 *
 * Environment (set by ctest or the network namespace fixture):
 *   RPMEMD_BIN, SSHD_FIXTURE_DIR (its ssh wrapper and its target file)
 *   OBJ_REPLICA_TARGETS  space-separated targets, one remote replica each
 *                        (default: the fixture's target three times)
 *   OBJ_REPLICA_DIR      directory for the pool files (default: /tmp)
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <libpmemobj.h>

#include "test_util.h"

#define PART (12u << 20)   /* master, one part */
#define REMOTE (16u << 20) /* each remote pool, one part */
#define ROOT (2u << 20)
#define MAX_REMOTE 4
#define FIRST_REMOTE 2 /* replica 0 is the master, 1 the local replica */

static char Dir[256];
static char Set[300];
static unsigned Nremote;

/* appends "REPLICA <target> rem<i>.set" for each target, writes the sets */
static int
add_remotes(char *text, size_t len, const char *targets)
{
	char list[1024], path[400], rtext[512];
	snprintf(list, sizeof(list), "%s", targets);
	char *save = NULL;
	for (char *t = strtok_r(list, " ", &save); t != NULL;
		t = strtok_r(NULL, " ", &save)) {
		if (Nremote == MAX_REMOTE)
			return -1;
		unsigned idx = FIRST_REMOTE + Nremote++;
		pathf(path, sizeof(path), "%s/remote/rem%u.set", Dir, idx);
		pathf(rtext, sizeof(rtext),
			"PMEMPOOLSET\n%u %s/remote/rem%u.part\n", REMOTE, Dir,
			idx);
		assert_int_equal(write_text(path, rtext), 0);
		size_t used = strlen(text);
		snprintf(text + used, len - used, "REPLICA %s rem%u.set\n", t,
			idx);
	}
	return Nremote ? 0 : -1;
}

static int
group_setup(void **state)
{
	(void)state;
	const char *base = getenv("OBJ_REPLICA_DIR");
	pathf(Dir, sizeof(Dir), "%s/obj-replica-multi.XXXXXX",
		base ? base : "/tmp");
	if (mkdtemp(Dir) == NULL)
		return -1;
	char path[400], text[2048], target[256], dflt[800];
	pathf(path, sizeof(path), "%s/remote", Dir);
	mkdir(path, 0755);
	const char *targets = getenv("OBJ_REPLICA_TARGETS");
	if (targets == NULL) {
		pathf(path, sizeof(path), "%s/target",
			getenv("SSHD_FIXTURE_DIR"));
		if (read_line(path, target, sizeof(target)))
			return -1;
		pathf(dflt, sizeof(dflt), "%s %s %s", target, target, target);
		targets = dflt;
	}
	pathf(Set, sizeof(Set), "%s/pool.set", Dir);
	pathf(text, sizeof(text), "PMEMPOOLSET\n%u %s/m0\nREPLICA\n%u %s/r1\n",
		PART, Dir, PART, Dir);
	if (add_remotes(text, sizeof(text), targets))
		return -1;
	assert_int_equal(write_text(Set, text), 0);
	obj_replica_env(Dir);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rm_tree(Dir);
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	char path[400];
	pathf(path, sizeof(path), "%s/m0", Dir);
	unlink(path);
	pathf(path, sizeof(path), "%s/r1", Dir);
	unlink(path);
	for (unsigned i = 0; i < Nremote; i++) {
		pathf(path, sizeof(path), "%s/remote/rem%u.part", Dir,
			FIRST_REMOTE + i);
		unlink(path);
	}
	return 0;
}

/* [off, off + len) of a replica's file into buf */
static void
read_range(const char *name, size_t off, uint8_t *buf, size_t len)
{
	char path[400];
	pathf(path, sizeof(path), "%s/%s", Dir, name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + got));
		assert_true(r > 0);
		got += (size_t)r;
	}
	close(fd);
}

/*
 * the range of the pool, as the master maps it, is in the master's file,
 * the local replica and every remote replica except skip (0: none)
 */
static void
check_range(PMEMobjpool *pop, const uint8_t *at, size_t len, unsigned skip)
{
	size_t off = (size_t)(at - (const uint8_t *)pop);
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	char name[64];
	for (unsigned i = 0; i < FIRST_REMOTE + Nremote; i++) {
		if (i == skip)
			continue;
		if (i == 0)
			pathf(name, sizeof(name), "m0");
		else if (i == 1)
			pathf(name, sizeof(name), "r1");
		else
			pathf(name, sizeof(name), "remote/rem%u.part", i);
		read_range(name, off, buf, len);
		if (memcmp(buf, at, len) != 0)
			fail_msg("replica %u (%s) differs in %zu bytes at %zu",
				i, name, len, off);
	}
	free(buf);
}

static PMEMobjpool *
create_pool(uint8_t **root)
{
	PMEMobjpool *pop = pmemobj_create(Set, "multi", 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	*root = pmemobj_direct(pmemobj_root(pop, ROOT));
	assert_non_null(*root);
	return pop;
}

/* one write of each kind; each checked on every replica right after */
static void
write_and_check(PMEMobjpool *pop, uint8_t *p, unsigned seed, unsigned skip)
{
	static const size_t sizes[] = {64, 4096, 1u << 20};
	static uint8_t src[1u << 20];
	size_t at = 0;
	for (unsigned i = 0; i < 3; i++) {
		fill(src, sizes[i], seed + i);
		pmemobj_memcpy_persist(pop, p + at, src, sizes[i]);
		check_range(pop, p + at, sizes[i], skip);
		at += sizes[i] + 64;
	}
	fill(p + at, 300, seed + 4);
	pmemobj_persist(pop, p + at, 300);
	check_range(pop, p + at, 300, skip);
	fill(p + at, 5000, seed + 5);
	pmemobj_flush(pop, p + at, 5000);
	pmemobj_drain(pop);
	check_range(pop, p + at, 5000, skip);
	fill(p + at, 17, seed + 6);
	(void)pmemobj_xpersist(pop, p + at, 17, PMEMOBJ_F_RELAXED);
	check_range(pop, p + at, 17, skip);
	pmemobj_memset_persist(pop, p + at, (int)seed & 0xff, 70000);
	check_range(pop, p + at, 70000, skip);
	fill(src, 9000, seed + 7);
	pmemobj_memcpy(pop, p + at, src, 9000, PMEMOBJ_F_MEM_NODRAIN);
	pmemobj_drain(pop);
	check_range(pop, p + at, 9000, skip);
}

static void
test_every_call(void **state)
{
	(void)state;
	uint8_t *p;
	PMEMobjpool *pop = create_pool(&p);
	for (unsigned round = 0; round < 3; round++)
		write_and_check(pop, p, 100 * round, 0);
	size_t roff = (size_t)(p - (uint8_t *)pop);
	pmemobj_close(pop);

	/* reopened: the data is there, and new writes reach every replica */
	pop = pmemobj_open(Set, "multi");
	if (pop == NULL)
		fail_msg("open: %s", pmemobj_errormsg());
	p = pmemobj_direct(pmemobj_root(pop, ROOT));
	assert_int_equal((size_t)(p - (uint8_t *)pop), roff);
	check_range(pop, p, ROOT, 0);
	write_and_check(pop, p, 7, 0);
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(Set, "multi"), 1);
}

/* one remote replica's rpmemd dies: reported, the others keep up */
static void
test_one_fails(void **state)
{
	(void)state;
	uint8_t *p;
	PMEMobjpool *pop = create_pool(&p);
	write_and_check(pop, p, 1, 0);
	pid_t pids[MAX_REMOTE];
	char dir[300];
	pathf(dir, sizeof(dir), "%s/remote", Dir);
	assert_int_equal(rpmemd_pids_of(dir, pids, MAX_REMOTE), Nremote);
	assert_int_equal(kill(pids[0], SIGKILL), 0);

	uint8_t buf[4096];
	int failed = 0;
	for (int i = 0; i < 200 && !failed; i++) {
		fill(buf, sizeof(buf), 20 + (unsigned)i);
		memcpy(p, buf, sizeof(buf));
		if (pmemobj_xpersist(pop, p, sizeof(buf), 0) != 0)
			failed = 1;
		else
			usleep(20000);
	}
	assert_true(failed);
	assert_true(errno != 0);
	const char *msg = pmemobj_errormsg();
	const char *at = strstr(msg, "remote replica ");
	if (at == NULL)
		fail_msg("message does not name the replica: %s", msg);
	unsigned bad = (unsigned)atoi(at + strlen("remote replica "));
	assert_true(bad >= FIRST_REMOTE && bad < FIRST_REMOTE + Nremote);
	/* the write that failed on one replica reached the others */
	check_range(pop, p, sizeof(buf), bad);

	/* later calls keep reporting it; every other replica is current */
	errno = 0;
	pmemobj_memcpy_persist(pop, p + 8192, buf, sizeof(buf));
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica"));
	check_range(pop, p + 8192, sizeof(buf), bad);
	write_and_check(pop, p, 33, bad);
	errno = 0;
	pmemobj_close(pop);
	assert_true(errno != 0);
}

int
main(void)
{
	if (getenv("RPMEMD_BIN") == NULL ||
		getenv("SSHD_FIXTURE_DIR") == NULL) {
		fprintf(stderr,
			"RPMEMD_BIN and SSHD_FIXTURE_DIR must be set\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_call, setup, NULL),
		cmocka_unit_test_setup_teardown(test_one_fails, setup, NULL),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
