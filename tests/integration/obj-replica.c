/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-replica.c -- a pmemobj pool set with a two-part master, a local
 * replica and a remote replica (real sshd on loopback, real rpmemd, tcp)
 *
 * After writes through every memory function with every flag, the master,
 * the local replica file and the remote pool file hold the same bytes in
 * every written range (the files are read directly); the pool reopens; an
 * rpmemd killed mid-run is reported by errno and pmemobj_errormsg() of the
 * next calls and by pmemobj_close, and the local pool stays intact.
 *
 * Environment (set by ctest): RPMEMD_BIN, SSHD_FIXTURE_DIR; PMEM_IS_PMEM_FORCE
 * chooses the CPU-flush or the msync path.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <libpmemobj.h>

#include "obj_errno.h"
#include "test_util.h"

#define PART (8u << 20)	   /* master parts, each */
#define REPL (20u << 20)   /* local replica, one part */
#define REMOTE (24u << 20) /* remote pool, one part */
#define HDR 4096u
#define POOL (2 * PART - HDR) /* pool size: the master's */
#define ROOT (1u << 20)

static char Dir[64];
static char Set[128];

/*
 * One directory for the group with the local and the remote set files
 * (librpmem reads RPMEM_CMD once, when it is loaded).
 */
static int
group_setup(void **state)
{
	(void)state;
	snprintf(Dir, sizeof(Dir), "/tmp/obj-replica.XXXXXX");
	if (mkdtemp(Dir) == NULL)
		return -1;
	char path[256], text[1024], target[256];
	pathf(path, sizeof(path), "%s/target", getenv("SSHD_FIXTURE_DIR"));
	if (read_line(path, target, sizeof(target)))
		return -1;
	pathf(path, sizeof(path), "%s/remote", Dir);
	mkdir(path, 0755);
	pathf(path, sizeof(path), "%s/remote/rem.set", Dir);
	pathf(text, sizeof(text), "PMEMPOOLSET\n%u %s/remote/rem.part\n",
		REMOTE, Dir);
	assert_int_equal(write_text(path, text), 0);
	pathf(Set, sizeof(Set), "%s/pool.set", Dir);
	pathf(text, sizeof(text),
		"PMEMPOOLSET\n"
		"# master: two parts\n"
		"%u %s/m0\n%u %s/m1\n"
		"REPLICA\n%u %s/r0\n"
		"REPLICA %s rem.set\n",
		PART, Dir, PART, Dir, REPL, Dir, target);
	assert_int_equal(write_text(Set, text), 0);
	obj_replica_env(Dir);
	/* the log says what this run did only */
	if (getenv("PMEMOBJ_LOG_FILE") != NULL &&
		truncate(getenv("PMEMOBJ_LOG_FILE"), 0) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	rm_tree(Dir);
	return 0;
}

/* every test starts without pool files */
static int
setup(void **state)
{
	(void)state;
	static const char *files[] = {
		"m0", "m1", "r0", "b0", "remote/rem.part"};
	char path[256];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		pathf(path, sizeof(path), "%s/%s", Dir, files[i]);
		unlink(path);
	}
	return 0;
}

/* ---- reading the three copies from their files ---- */

static uint8_t *
slurp(const char *name, size_t *len)
{
	char path[256];
	pathf(path, sizeof(path), "%s/%s", Dir, name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	uint8_t *buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = pread(
			fd, buf + got, (size_t)st.st_size - got, (off_t)got);
		assert_true(r > 0);
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* the master pool image: part 0, then part 1 without its header */
static uint8_t *
master_image(void)
{
	size_t l0, l1;
	uint8_t *m0 = slurp("m0", &l0), *m1 = slurp("m1", &l1);
	assert_int_equal(l0, PART);
	assert_int_equal(l1, PART);
	uint8_t *img = malloc(POOL);
	assert_non_null(img);
	memcpy(img, m0, PART);
	memcpy(img + PART, m1 + HDR, PART - HDR);
	free(m0);
	free(m1);
	return img;
}

struct range {
	size_t off, len;
};

/* every range is byte-identical in the master, local and remote replica */
static void
check_copies(const struct range *r, size_t n, const uint8_t *expect_at_off)
{
	size_t lr, lremote;
	uint8_t *img = master_image();
	uint8_t *rep = slurp("r0", &lr);
	uint8_t *rem = slurp("remote/rem.part", &lremote);
	assert_int_equal(lr, REPL);
	assert_int_equal(lremote, REMOTE);
	for (size_t i = 0; i < n; i++) {
		size_t o = r[i].off, l = r[i].len;
		assert_true(o >= HDR && o + l <= POOL);
		if (memcmp(img + o, rep + o, l) != 0)
			fail_msg("range %zu (+%zu): local replica differs", o,
				l);
		if (memcmp(img + o, rem + o, l) != 0)
			fail_msg("range %zu (+%zu): remote replica differs", o,
				l);
		if (expect_at_off && memcmp(img + o, expect_at_off + o, l))
			fail_msg("range %zu (+%zu): master lacks the data", o,
				l);
	}
	free(img);
	free(rep);
	free(rem);
}

/* ---- tests ---- */

static void
test_every_function(void **state)
{
	(void)state;
	PMEMobjpool *pop = pmemobj_create(Set, "replica", 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	PMEMoid root = pmemobj_root(pop, ROOT);
	assert_false(OID_IS_NULL(root));
	uint8_t *base = (uint8_t *)pop;
	uint8_t *p = pmemobj_direct(root);
	size_t roff = (size_t)(p - base);
	uint8_t *expect = calloc(1, POOL);
	uint8_t src[65536];
	struct range done[32];
	size_t n = 0;
	size_t at = 0;

#define DONE(size)                                          \
	do {                                                \
		memcpy(expect + roff + at, p + at, (size)); \
		done[n].off = roff + at;                    \
		done[n++].len = (size);                     \
		at += (size) + 64;                          \
	} while (0)

	/* plain stores, then persist / flush+drain / xpersist / xflush */
	fill(p + at, 100, 1);
	pmemobj_persist(pop, p + at, 100);
	DONE(100);
	fill(p + at, 5000, 2);
	pmemobj_flush(pop, p + at, 5000);
	pmemobj_drain(pop);
	DONE(5000);
	fill(p + at, 1, 3);
	assert_int_equal(
		pmemobj_xpersist(pop, p + at, 1, PMEMOBJ_F_RELAXED), 0);
	DONE(1);
	fill(p + at, 4096, 4);
	assert_int_equal(pmemobj_xflush(pop, p + at, 4096, 0), 0);
	pmemobj_drain(pop);
	DONE(4096);
	assert_int_equal(pmemobj_xpersist(pop, p, 1, 0x100), -1);
	assert_int_equal(errno, EINVAL);

	/* memcpy / memset / memmove with each flag */
	static const unsigned flags[] = {
		0,
		PMEMOBJ_F_MEM_NODRAIN,
		PMEMOBJ_F_MEM_NONTEMPORAL,
		PMEMOBJ_F_MEM_TEMPORAL,
		PMEMOBJ_F_MEM_NONTEMPORAL | PMEMOBJ_F_MEM_NODRAIN,
		PMEMOBJ_F_MEM_WC,
		PMEMOBJ_F_MEM_WB,
		PMEMOBJ_F_MEM_NOFLUSH,
	};
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		size_t len = 777 + i * 4099;
		fill(src, len, 10 + i);
		assert_ptr_equal(
			pmemobj_memcpy(pop, p + at, src, len, flags[i]),
			p + at);
		if (flags[i] & PMEMOBJ_F_MEM_NOFLUSH)
			pmemobj_persist(pop, p + at, len);
		assert_memory_equal(p + at, src, len);
		DONE(len);
		assert_ptr_equal(pmemobj_memset(pop, p + at, 0x40 + (int)i,
					 len / 2, flags[i]),
			p + at);
		if (flags[i] & PMEMOBJ_F_MEM_NODRAIN)
			pmemobj_drain(pop);
		DONE(len / 2);
	}
	/* overlapping memmove: the replicas get the master's result */
	fill(p + at, 9000, 30);
	pmemobj_persist(pop, p + at, 9000);
	assert_ptr_equal(pmemobj_memmove(pop, p + at + 100, p + at, 8000, 0),
		p + at + 100);
	DONE(9000);
	fill(src, 3000, 31);
	pmemobj_memcpy_persist(pop, p + at, src, 3000);
	DONE(3000);
	pmemobj_memset_persist(pop, p + at, 0x5a, 70000);
	DONE(70000);
	assert_true(n <= sizeof(done) / sizeof(done[0]));
	pmemobj_close(pop);

	check_copies(done, n, expect);
	/* the descriptor and lanes reached every replica as well */
	struct range meta[] = {{HDR, 0x1A20 - HDR}, {0x2000, 3 << 20}};
	check_copies(meta, 2, NULL);

	/* reopen: the root and its data are there */
	pop = pmemobj_open(Set, "replica");
	if (pop == NULL)
		fail_msg("open: %s", pmemobj_errormsg());
	root = pmemobj_root(pop, ROOT);
	p = pmemobj_direct(root);
	assert_int_equal((size_t)(p - (uint8_t *)pop), roff);
	for (size_t i = 0; i < n; i++)
		assert_memory_equal((uint8_t *)pop + done[i].off,
			expect + done[i].off, done[i].len);
	/* a write after reopening reaches every copy */
	fill(src, 2048, 40);
	pmemobj_memcpy_persist(pop, p, src, 2048);
	memcpy(expect + roff, src, 2048);
	pmemobj_close(pop);
	struct range again = {roff, 2048};
	check_copies(&again, 1, expect);
	assert_int_equal(pmemobj_check(Set, "replica"), 1);
	assert_null(pmemobj_open(Set, "other layout"));
	assert_int_equal(errno, EINVAL);
	free(expect);
}

/* with a remote replica too, successful calls leave errno as it was */
static void
test_errno_kept(void **state)
{
	(void)state;
	obj_errno_check(Set, "errno", 0);
}

struct worker {
	PMEMobjpool *pop;
	uint8_t *at;
	unsigned seed;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	uint8_t buf[4096];
	for (unsigned i = 0; i < 200; i++) {
		fill(buf, sizeof(buf), w->seed + i);
		pmemobj_memcpy_persist(
			w->pop, w->at + (i % 16) * 4096, buf, sizeof(buf));
	}
	return NULL;
}

/* concurrent writers on their own lanes; every copy ends up the same */
static void
test_threads(void **state)
{
	(void)state;
	PMEMobjpool *pop = pmemobj_create(Set, "replica", 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	uint8_t *p = pmemobj_direct(pmemobj_root(pop, ROOT));
	assert_non_null(p);
	enum { NT = 4 };
	pthread_t t[NT];
	struct worker w[NT];
	for (unsigned i = 0; i < NT; i++) {
		w[i] = (struct worker){pop, p + i * 65536, i * 1000};
		assert_int_equal(pthread_create(&t[i], NULL, worker, &w[i]), 0);
	}
	for (unsigned i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	size_t roff = (size_t)(p - (uint8_t *)pop);
	pmemobj_close(pop);
	struct range r = {roff, NT * 65536};
	check_copies(&r, 1, NULL);
}

/* the rpmemd serving this test */
static pid_t
rpmemd_pid(void)
{
	char dir[128];
	pid_t pid = 0;
	pathf(dir, sizeof(dir), "%s/remote", Dir);
	return rpmemd_pids_of(dir, &pid, 1) ? pid : 0;
}

/* rpmemd killed: reported by the next calls and close, local pool intact */
static void
test_kill_daemon(void **state)
{
	(void)state;
	PMEMobjpool *pop = pmemobj_create(Set, "replica", 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	uint8_t *p = pmemobj_direct(pmemobj_root(pop, ROOT));
	size_t roff = (size_t)(p - (uint8_t *)pop);
	uint8_t before[8192], after[8192];
	fill(before, sizeof(before), 50);
	fill(after, sizeof(after), 51);
	pmemobj_memcpy_persist(pop, p, before, sizeof(before));

	pid_t pid = rpmemd_pid();
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	int failed = 0;
	/* the loss shows on a call with a return value within seconds */
	int tries = test_wait_ms(4000) / 20;
	for (int i = 0; i < tries && !failed; i++) {
		memcpy(p + 8192, after, sizeof(after));
		if (pmemobj_xpersist(pop, p + 8192, sizeof(after), 0) != 0)
			failed = 1;
		else
			usleep(20000);
	}
	assert_true(failed);
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica"));
	/* and keeps showing: a void call sets errno and the message */
	errno = 0;
	pmemobj_persist(pop, p, 64);
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica"));
	assert_int_equal(pmemobj_xflush(pop, p, 64, 0), -1);
	errno = 0;
	pmemobj_close(pop);
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica"));

	/* the local copies hold everything written, before and after */
	uint8_t *img = master_image();
	assert_memory_equal(img + roff, before, sizeof(before));
	assert_memory_equal(img + roff + 8192, after, sizeof(after));
	size_t lr;
	uint8_t *rep = slurp("r0", &lr);
	assert_memory_equal(rep + roff + 8192, after, sizeof(after));
	free(img);
	free(rep);
	/* the set opens again (a new rpmemd), the data is there */
	pop = pmemobj_open(Set, "replica");
	if (pop == NULL)
		fail_msg("reopen: %s", pmemobj_errormsg());
	p = pmemobj_direct(pmemobj_root(pop, ROOT));
	assert_memory_equal(p, before, sizeof(before));
	assert_memory_equal(p + 8192, after, sizeof(after));
	pmemobj_close(pop);
	/* the remote replica missed `after`: the reopen found it behind,
	 * said so, and made it a copy of the master again */
	size_t lrem;
	uint8_t *rem = slurp("remote/rem.part", &lrem);
	assert_memory_equal(rem + roff + 8192, after, sizeof(after));
	free(rem);
	struct range all = {HDR, POOL - HDR};
	check_copies(&all, 1, NULL);
	const char *log = getenv("PMEMOBJ_LOG_FILE");
	if (log != NULL) {
		char path[256];
		pathf(path, sizeof(path), "%s", log);
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		char line[1024];
		int said = 0;
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, "missed writes of an earlier session"))
				said = 1;
		fclose(f);
		assert_true(said);
	}
}

/* a remote node that cannot be reached: create fails, no file is left */
static void
test_unreachable(void **state)
{
	(void)state;
	char text[512], path[256];
	pathf(path, sizeof(path), "%s/bad.set", Dir);
	/* port 1 on loopback: nothing listens there */
	pathf(text, sizeof(text),
		"PMEMPOOLSET\n%u %s/b0\nREPLICA 127.0.0.1:1 rem.set\n", PART,
		Dir);
	assert_int_equal(write_text(path, text), 0);
	assert_null(pmemobj_create(path, "replica", 0, 0600));
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica 1"));
	pathf(path, sizeof(path), "%s/b0", Dir);
	assert_int_equal(access(path, F_OK), -1);

	/* a remote pool set name the node does not have */
	pathf(path, sizeof(path), "%s/bad2.set", Dir);
	char target[256], tpath[256];
	pathf(tpath, sizeof(tpath), "%s/target", getenv("SSHD_FIXTURE_DIR"));
	assert_int_equal(read_line(tpath, target, sizeof(target)), 0);
	pathf(text, sizeof(text),
		"PMEMPOOLSET\n%u %s/b0\nREPLICA %s missing.set\n", PART, Dir,
		target);
	assert_int_equal(write_text(path, text), 0);
	assert_null(pmemobj_create(path, "replica", 0, 0600));
	assert_true(errno != 0);
	assert_non_null(strstr(pmemobj_errormsg(), "missing.set"));
	pathf(path, sizeof(path), "%s/b0", Dir);
	assert_int_equal(access(path, F_OK), -1);
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
		cmocka_unit_test_setup_teardown(
			test_every_function, setup, NULL),
		cmocka_unit_test_setup_teardown(test_threads, setup, NULL),
		cmocka_unit_test_setup_teardown(test_kill_daemon, setup, NULL),
		cmocka_unit_test_setup_teardown(test_unreachable, setup, NULL),
		cmocka_unit_test_setup_teardown(test_errno_kept, setup, NULL),
	};
	/* OBJ_REPLICA_TESTS: a cmocka name pattern, to run a subset */
	if (getenv("OBJ_REPLICA_TESTS") != NULL)
		cmocka_set_test_filter(getenv("OBJ_REPLICA_TESTS"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
