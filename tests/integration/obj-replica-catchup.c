/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-replica-catchup.c -- pmemobj_open bringing a remote replica that
 * missed writes up to the master (real sshd on loopback, one real rpmemd
 * per remote replica, tcp)
 *
 * The pool set has a one-part master and two remote replicas, A and B. A
 * fails in a session (its rpmemd is killed) while B keeps every write;
 * then:
 *   healthy      the next open copies the pool to A only: marker bytes
 *                put into B's part file where the pool has none survive
 *   layout       an open with a wrong layout fails with EINVAL and writes
 *                nothing to either replica (both part files unchanged)
 *   interrupted  (fault injection build) the copy to A is cut after its
 *                first, second, ... chunk (RPMEM_FAULT_INJECT=copy:N in a
 *                child process, small chunks through
 *                RPMEM_FAULT_COPY_CHUNK): A never has the master's run_id
 *                unless it is byte-identical to the master, every next
 *                open copies again, and A ends identical to the master
 *   daemon_killed  (fault injection build, for the small chunks) A's
 *                rpmemd is killed in the middle of the copy: the open
 *                fails, A does not look current, the next open copies it
 *                again and A ends identical to the master
 *
 * Environment (set by ctest): RPMEMD_BIN, SSHD_FIXTURE_DIR, PMEM_IS_PMEM_FORCE;
 * OBJ_CATCHUP_TEST names the one test to run. Exits 77 when the test needs
 * the fault injection build and this is not one.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
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

#include <libpmemobj.h>

#include "test_util.h"

#define POOL (16u << 20)   /* the master: one part, the whole pool */
#define REMOTE (20u << 20) /* each remote pool, one part */
#define HDR 4096u
#define ROOT (1u << 20)
/* the descriptor's run_id (PMDK's format 6): the pool's generation */
#define GEN_OFF 0x1808u
/* where the pool holds nothing (free heap): marker bytes go there */
#define MARK_OFF (8u << 20)
#define MARK_LEN (POOL - MARK_OFF)
#define MARK 0xa5
#define LAYOUT "catchup"

extern char **environ;

static char Dir[64];
static char Set[128];
static int Skipped; /* a test could not run: exit 77 */

/* how the child that opens the pool ends (its exit status) */
enum child_end { CHILD_OPENED, CHILD_COPY_FAILED, CHILD_OTHER };

static int
group_setup(void **state)
{
	(void)state;
	snprintf(Dir, sizeof(Dir), "/tmp/obj-replica-catchup.XXXXXX");
	if (mkdtemp(Dir) == NULL)
		return -1;
	char path[256], text[1024], target[256];
	pathf(path, sizeof(path), "%s/target", getenv("SSHD_FIXTURE_DIR"));
	if (read_line(path, target, sizeof(target)))
		return -1;
	pathf(path, sizeof(path), "%s/remote", Dir);
	mkdir(path, 0755);
	static const char names[] = "AB";
	for (int i = 0; i < 2; i++) {
		pathf(path, sizeof(path), "%s/remote/rem%c.set", Dir, names[i]);
		pathf(text, sizeof(text),
			"PMEMPOOLSET\n%u %s/remote/rem%c.part\n", REMOTE, Dir,
			names[i]);
		assert_int_equal(write_text(path, text), 0);
	}
	pathf(Set, sizeof(Set), "%s/pool.set", Dir);
	pathf(text, sizeof(text),
		"PMEMPOOLSET\n%u %s/m0\n"
		"REPLICA %s remA.set\nREPLICA %s remB.set\n",
		POOL, Dir, target, target);
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

/* every test (and every attempt) starts without pool files */
static int
setup(void **state)
{
	(void)state;
	static const char *files[] = {
		"m0", "remote/remA.part", "remote/remB.part"};
	char path[256];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		pathf(path, sizeof(path), "%s/%s", Dir, files[i]);
		unlink(path);
	}
	return 0;
}

/* ---- the part files ---- */

#define MASTER "m0"
#define REP_A "remote/remA.part"
#define REP_B "remote/remB.part"

static void
file_io(const char *name, size_t off, void *buf, size_t len, int write)
{
	char path[256];
	pathf(path, sizeof(path), "%s/%s", Dir, name);
	int fd = open(path, write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	size_t done = 0;
	while (done < len) {
		ssize_t r = write ? pwrite(fd, (uint8_t *)buf + done,
					    len - done, (off_t)(off + done))
				  : pread(fd, (uint8_t *)buf + done, len - done,
					    (off_t)(off + done));
		if (r <= 0)
			fail_msg("%s %s: %s", write ? "write" : "read", path,
				r ? strerror(errno) : "end of file");
		done += (size_t)r;
	}
	if (write)
		assert_int_equal(fsync(fd), 0);
	close(fd);
}

static uint8_t *
read_part(const char *name, size_t len)
{
	uint8_t *buf = malloc(len);
	assert_non_null(buf);
	file_io(name, 0, buf, len, 0);
	return buf;
}

static uint64_t
gen_of(const char *name)
{
	uint64_t g;
	file_io(name, GEN_OFF, &g, sizeof(g), 0);
	return g;
}

/* the first byte past the header where the replica differs, or 0 */
static size_t
first_difference(const char *name)
{
	uint8_t *m = read_part(MASTER, POOL), *r = read_part(name, POOL);
	size_t at = 0;
	for (size_t o = HDR; o < POOL && at == 0; o++)
		if (m[o] != r[o])
			at = o;
	free(m);
	free(r);
	return at;
}

static void
assert_copy_of_master(const char *name)
{
	size_t at = first_difference(name);
	if (at != 0)
		fail_msg("%s differs from the master at byte %zu", name, at);
}

/* marker bytes where the pool holds nothing; a copy overwrites them */
static void
mark(const char *name)
{
	uint8_t *buf = malloc(MARK_LEN);
	assert_non_null(buf);
	memset(buf, MARK, MARK_LEN);
	file_io(name, MARK_OFF, buf, MARK_LEN, 1);
	free(buf);
}

/* how many marker bytes something wrote over */
static size_t
marks_overwritten(const char *name)
{
	uint8_t *buf = malloc(MARK_LEN);
	assert_non_null(buf);
	file_io(name, MARK_OFF, buf, MARK_LEN, 0);
	size_t n = 0;
	for (size_t i = 0; i < MARK_LEN; i++)
		n += buf[i] != MARK;
	free(buf);
	return n;
}

/* ---- a replica that missed writes ---- */

/* the rpmemd serving the part file `name` (mapping it), or 0 */
static pid_t
rpmemd_serving(const char *name)
{
	char dir[128], part[256];
	pathf(dir, sizeof(dir), "%s/remote", Dir);
	pathf(part, sizeof(part), "%s/%s", Dir, name);
	return rpmemd_mapping(dir, part);
}

/*
 * A new pool with data; A's rpmemd killed, the loss seen by a persist;
 * more data, which only the master and B get; the pool closed. A is then
 * behind the master.
 */
static void
make_a_stale(void)
{
	PMEMobjpool *pop = pmemobj_create(Set, LAYOUT, 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	uint8_t *p = pmemobj_direct(pmemobj_root(pop, ROOT));
	assert_non_null(p);
	fill(p, ROOT / 2, 1);
	pmemobj_persist(pop, p, ROOT / 2);
	pid_t pid = rpmemd_serving(REP_A);
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	int failed = 0;
	int tries = test_wait_ms(4000) / 20;
	for (int i = 0; i < tries && !failed; i++) {
		fill(p, 4096, 2 + (unsigned)i);
		if (pmemobj_xpersist(pop, p, 4096, 0) != 0)
			failed = 1;
		else
			usleep(20000);
	}
	assert_true(failed);
	assert_non_null(strstr(pmemobj_errormsg(), "remote replica 1"));
	fill(p + ROOT / 2, ROOT / 2, 3);
	pmemobj_persist(pop, p + ROOT / 2, ROOT / 2);
	pmemobj_close(pop);
	if (gen_of(REP_A) == gen_of(MASTER))
		fail_msg("A missed writes but has the master's run_id");
}

/* an open that succeeds, and its close */
static void
open_close(void)
{
	PMEMobjpool *pop = pmemobj_open(Set, LAYOUT);
	if (pop == NULL)
		fail_msg("open: %s", pmemobj_errormsg());
	pmemobj_close(pop);
}

/* ---- tests ---- */

/* the open after one replica failed copies the pool to that one only */
static void
test_healthy(void **state)
{
	(void)state;
	make_a_stale();
	mark(REP_A);
	mark(REP_B);
	open_close();
	size_t b = marks_overwritten(REP_B);
	if (b != 0)
		fail_msg("the open wrote %zu of %u marked bytes of B, which "
			 "missed nothing (B got a copy of the pool)",
			b, MARK_LEN);
	assert_int_equal(gen_of(REP_B), gen_of(MASTER));
	assert_copy_of_master(REP_A);
	assert_int_equal(gen_of(REP_A), gen_of(MASTER));
}

/* an open with a wrong layout writes nothing to any replica */
static void
test_layout(void **state)
{
	(void)state;
	make_a_stale();
	mark(REP_A);
	mark(REP_B);
	uint8_t *a = read_part(REP_A, REMOTE), *b = read_part(REP_B, REMOTE);
	errno = 0;
	assert_null(pmemobj_open(Set, "not " LAYOUT));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(pmemobj_errormsg(), "layout"));
	uint8_t *a2 = read_part(REP_A, REMOTE), *b2 = read_part(REP_B, REMOTE);
	if (memcmp(a, a2, REMOTE) != 0)
		fail_msg("the refused open wrote to A (%zu marked bytes "
			 "overwritten)",
			marks_overwritten(REP_A));
	if (memcmp(b, b2, REMOTE) != 0)
		fail_msg("the refused open wrote to B (%zu marked bytes "
			 "overwritten)",
			marks_overwritten(REP_B));
	free(a);
	free(b);
	free(a2);
	free(b2);
	/* the right layout opens, and A is copied then */
	open_close();
	assert_copy_of_master(REP_A);
}

#ifdef FAULT_INJECTION

/* the chunk of libpmemobj's copy to a replica, in this process and its
 * children (0: the default) */
static void
copy_chunk(unsigned bytes)
{
	char v[32];
	pathf(v, sizeof(v), "%u", bytes);
	if (bytes)
		setenv("RPMEM_FAULT_COPY_CHUNK", v, 1);
	else
		unsetenv("RPMEM_FAULT_COPY_CHUNK");
}

/* A looks current (the master's run_id) only when it is the master's copy */
static void
assert_a_honest(const char *after)
{
	uint64_t m = gen_of(MASTER), a = gen_of(REP_A);
	if (a != m)
		return;
	size_t at = first_difference(REP_A);
	if (at != 0)
		fail_msg("after %s A has the master's run_id %llu but differs "
			 "from the master at byte %zu",
			after, (unsigned long long)m, at);
}

/* the chunk of the copies in the fault injection tests */
#define CHUNK_INTERRUPTED (1u << 20)
#define CHUNK_KILLED 4096u

/* this program, run as "open" in a child with RPMEM_FAULT_INJECT=spec */
static enum child_end
open_in_child(const char *spec)
{
	char path[4096], inj[64];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	assert_true(n > 0);
	path[n] = '\0';
	size_t nenv = 0;
	while (environ[nenv] != NULL)
		nenv++;
	char **env = calloc(nenv + 2, sizeof(*env));
	assert_non_null(env);
	memcpy(env, environ, nenv * sizeof(*env));
	pathf(inj, sizeof(inj), "RPMEM_FAULT_INJECT=%s", spec);
	env[nenv] = inj;
	char *argv[] = {path, "open", Set, NULL};
	pid_t pid;
	assert_int_equal(posix_spawn(&pid, path, NULL, NULL, argv, env), 0);
	free(env);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return (enum child_end)WEXITSTATUS(st);
}

/* the copy to A cut after each of its chunks in turn */
static void
test_interrupted(void **state)
{
	(void)state;
	copy_chunk(CHUNK_INTERRUPTED);
	make_a_stale();
	mark(REP_A);
	unsigned n;
	for (n = 1; n < 1000; n++) {
		char spec[32], after[64];
		pathf(spec, sizeof(spec), "copy:%u", n);
		enum child_end end = open_in_child(spec);
		if (end == CHILD_OPENED)
			break;
		if (end != CHILD_COPY_FAILED)
			fail_msg("open with %s failed, but not in the copy",
				spec);
		pathf(after, sizeof(after), "a copy cut after chunk %u", n);
		assert_a_honest(after);
	}
	/* every open copied again, and got as far as the one before */
	if (n - 1 < POOL / CHUNK_INTERRUPTED)
		fail_msg("only %u opens were cut in the copy to A (a %u-byte "
			 "pool in %u-byte chunks): an open after a cut copy "
			 "did not copy again",
			n - 1, POOL, CHUNK_INTERRUPTED);
	assert_copy_of_master(REP_A);
	assert_int_equal(gen_of(REP_A), gen_of(MASTER));
	copy_chunk(0);
}

struct watch {
	int killed;	 /* A's rpmemd was killed mid-copy */
	int done_before; /* the copy had reached the end first */
};

/* the byte at off of a part file, or -1 (no cmocka here: any thread) */
static int
byte_at(const char *name, size_t off)
{
	char path[256];
	uint8_t b;
	pathf(path, sizeof(path), "%s/%s", Dir, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = pread(fd, &b, 1, (off_t)off);
	close(fd);
	return r == 1 ? b : -1;
}

/* kills A's rpmemd once the copy has reached the marked bytes */
static void *
watcher(void *arg)
{
	struct watch *w = arg;
	double end = now_s() + test_wait_ms(60000) / 1000.0;
	while (byte_at(REP_A, MARK_OFF) == MARK && now_s() < end)
		usleep(100);
	if (byte_at(REP_A, MARK_OFF) == MARK)
		return NULL;
	pid_t pid = rpmemd_serving(REP_A);
	w->done_before = byte_at(REP_A, POOL - 1) != MARK;
	if (pid > 0 && kill(pid, SIGKILL) == 0)
		w->killed = 1;
	return NULL;
}

/* one open during which A's rpmemd dies mid-copy; 1 if that happened */
static int
open_daemon_killed(void)
{
	struct watch w = {0, 0};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, watcher, &w), 0);
	PMEMobjpool *pop = pmemobj_open(Set, LAYOUT);
	pthread_join(t, NULL);
	if (pop != NULL) {
		pmemobj_close(pop);
		return 0; /* the copy was over before the kill */
	}
	if (!w.killed)
		fail_msg("open: %s", pmemobj_errormsg());
	return !w.done_before;
}

static void
test_daemon_killed(void **state)
{
	(void)state;
	copy_chunk(CHUNK_KILLED);
	int attempts = 0, cut = 0;
	while (!cut && attempts++ < 5) {
		setup(NULL);
		make_a_stale();
		mark(REP_A);
		cut = open_daemon_killed();
	}
	copy_chunk(0);
	if (!cut) {
		/* the copy was always over before the kill */
		Skipped = 1;
		skip();
	}
	assert_a_honest("rpmemd killed in the copy");
	open_close();
	assert_copy_of_master(REP_A);
	assert_int_equal(gen_of(REP_A), gen_of(MASTER));
}

#endif /* FAULT_INJECTION */

/* "open <set>": the child of test_interrupted */
static int
child_open(const char *set)
{
	PMEMobjpool *pop = pmemobj_open(set, LAYOUT);
	if (pop != NULL) {
		pmemobj_close(pop);
		return CHILD_OPENED;
	}
	const char *msg = pmemobj_errormsg();
	fprintf(stderr, "child open: %s\n", msg);
	return strstr(msg, "cannot copy the pool") ? CHILD_COPY_FAILED
						   : CHILD_OTHER;
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "open") == 0)
		return child_open(argv[2]);
	if (getenv("RPMEMD_BIN") == NULL ||
		getenv("SSHD_FIXTURE_DIR") == NULL) {
		fprintf(stderr,
			"RPMEMD_BIN and SSHD_FIXTURE_DIR must be set\n");
		return 1;
	}
	const char *only = getenv("OBJ_CATCHUP_TEST");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy, setup, NULL),
		cmocka_unit_test_setup_teardown(test_layout, setup, NULL),
#ifdef FAULT_INJECTION
		cmocka_unit_test_setup_teardown(test_interrupted, setup, NULL),
		cmocka_unit_test_setup_teardown(
			test_daemon_killed, setup, NULL),
#endif
	};
#ifndef FAULT_INJECTION
	if (only != NULL && (strcmp(only, "test_interrupted") == 0 ||
				    strcmp(only, "test_daemon_killed") == 0)) {
		fprintf(stderr,
			"%s needs a build with "
			"ENABLE_FAULT_INJECTION=ON\n",
			only);
		return 77;
	}
#endif
	if (only != NULL)
		cmocka_set_test_filter(only);
	int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
	return failed == 0 && Skipped ? 77 : failed;
}
