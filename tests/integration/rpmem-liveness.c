/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-liveness.c -- the link to the node goes down: during a persist
 * loop, during an idle session, under libpmemobj with a remote replica
 *
 * Built twice: with our libpmemobj, and (LIVENESS_OBJ_ONLY) with Debian's
 * libpmemobj of PMDK 1.12.1 over our librpmem for test_cut_obj_pmdk alone.
 *
 * Run by utils/netns-fixture.sh (mode liveness) in the client's network
 * namespace, with rpmemd in a node's namespace and a short liveness
 * timeout and stall limit. A session idle for longer than that timeout
 * stays usable (the pings keep it). Each other case cuts the link (ip link set
 * <veth> down, on the client's or the node's side) and then waits, each time
 * with a generous bound and never measuring: the client's call fails, close
 * returns, rpmemd exits and the pool's lock is free; then the link comes
 * back, the pool opens again, and every byte acknowledged before the cut
 * is in the node's part file.
 *
 * Environment (set by the fixture): RPMEM_CMD, RPMEM_SSH,
 * RPMEM_STALL_TIMEOUT, and
 *   LIVENESS_DIR     rpmemd's --poolset-dir (shared with this process)
 *   LIVENESS_TARGET  the node's ssh target
 *   LIVENESS_LINK_CLIENT, LIVENESS_LINK_NODE
 *                    "ip ... link set <veth>" for each side; " up" or
 *                    " down" is appended
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <libpmemobj.h>
#include <librpmem.h>

#include "test_util.h"

#define POOL_SIZE ((size_t)8 << 20)
#define HDR 4096
#define SLOT ((size_t)16384) /* a persist of the loop: RMA write + message */
#define NSLOTS ((POOL_SIZE - HDR) / SLOT)
#define OBJ_PART (12u << 20)
#define OBJ_REMOTE (16u << 20)
#define OBJ_ROOT (1u << 20)

static const char *Dir;
static const char *Target;

/* cuts (up = 0) or restores the link on the client's or the node's side */
static void wait_reachable(void);

static void
link_set(int node_side, int up)
{
	const char *base = getenv(
		node_side ? "LIVENESS_LINK_NODE" : "LIVENESS_LINK_CLIENT");
	assert_non_null(base);
	char cmd[512];
	pathf(cmd, sizeof(cmd), "%s %s", base, up ? "up" : "down");
	print_message("%s\n", cmd);
	assert_int_equal(system(cmd), 0);
	if (up)
		wait_reachable();
}

/*
 * after a link came back up: waits (bounded) until the node's sshd accepts
 * a TCP connection, since the client's neighbour entry for the node may
 * still be marked failed for a few seconds ("No route to host"); a reopen
 * is tried only on a working network
 */
static void
wait_reachable(void)
{
	char host[64];
	pathf(host, sizeof(host), "%s", Target);
	char *colon = strrchr(host, ':');
	assert_non_null(colon);
	*colon = '\0';
	struct sockaddr_in a;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	assert_int_equal(inet_pton(AF_INET, host, &a.sin_addr), 1);
	double end = now_s() + test_wait_ms(30000) / 1000.0;
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		int ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(fd);
		if (ok)
			return;
		if (now_s() > end)
			fail_msg("%s is not reachable after the link came back",
				Target);
		usleep(100000);
	}
}

/* after each case, even a failed one: both sides of the link are up */
static int
link_restore(void **state)
{
	(void)state;
	const char *side[] = {"LIVENESS_LINK_CLIENT", "LIVENESS_LINK_NODE"};
	for (int i = 0; i < 2; i++) {
		char cmd[512];
		pathf(cmd, sizeof(cmd), "%s up", getenv(side[i]));
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static void
write_file(const char *name, const char *text)
{
	char path[512];
	pathf(path, sizeof(path), "%s/%s", Dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* a one-part pool set on the node: <name>.set, <name>.part */
static void
node_set(const char *name, size_t size)
{
	char set[64], text[600];
	pathf(set, sizeof(set), "%s.set", name);
	pathf(text, sizeof(text), "PMEMPOOLSET\n%zu %s/%s.part\n", size, Dir,
		name);
	write_file(set, text);
}

/* 1 while some process holds the lock of the part file */
static int
part_locked(const char *name)
{
	char path[512];
	pathf(path, sizeof(path), "%s/%s.part", Dir, name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	int locked = flock(fd, LOCK_EX | LOCK_NB) != 0;
	if (locked)
		assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	return locked;
}

/*
 * rpmemd has gone and the part file is unlocked, within limit_ms (a
 * generous bound, scaled; the time taken is only printed)
 */
static void
wait_daemon_gone(const char *name, double since, int limit_ms)
{
	double end = now_s() + test_wait_ms(limit_ms) / 1000.0;
	pid_t pids[4];
	while (rpmemd_pids_of(Dir, pids, 4) != 0 || part_locked(name)) {
		if (now_s() > end)
			fail_msg("rpmemd still there or %s locked", name);
		usleep(100000);
	}
	print_message("rpmemd gone, lock free %.1f s after the cut\n",
		now_s() - since);
}

/* [off, off + len) of the node's part equals buf */
static void
check_part(const char *name, size_t off, const void *buf, size_t len)
{
	char path[512];
	pathf(path, sizeof(path), "%s/%s.part", Dir, name);
	uint8_t *got = malloc(len);
	assert_non_null(got);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, got, len, (off_t)off), (ssize_t)len);
	close(fd);
	if (memcmp(got, buf, len) != 0)
		fail_msg("%s: acknowledged bytes at %zu (%zu) are not on the "
			 "node",
			name, off, len);
	free(got);
}

/* a call made on a thread of its own, so that a hang is seen as one */
struct call {
	void (*fn)(struct call *);
	void *arg;
	int ret;
	int err;
	int quiet; /* call_wait() prints nothing */
	atomic_int done;
	pthread_t th;
};

static void *
call_main(void *arg)
{
	struct call *c = arg;
	c->fn(c);
	atomic_store(&c->done, 1);
	return NULL;
}

static void
call_start(struct call *c)
{
	atomic_init(&c->done, 0);
	assert_int_equal(pthread_create(&c->th, NULL, call_main, c), 0);
}

/* the call returned within limit_ms (generous, scaled) */
static void
call_wait(struct call *c, const char *what, int limit_ms)
{
	double t0 = now_s();
	double end = t0 + test_wait_ms(limit_ms) / 1000.0;
	while (!atomic_load(&c->done)) {
		if (now_s() > end)
			fail_msg("%s has not returned", what);
		usleep(20000);
	}
	pthread_join(c->th, NULL);
	if (!c->quiet)
		print_message("%s returned %d (%s) after %.1f s\n", what,
			c->ret, c->ret ? strerror(c->err) : "ok", now_s() - t0);
}

static void
do_close(struct call *c)
{
	c->ret = rpmem_close(c->arg);
	c->err = errno;
}

static RPMEMpool *
open_pool(const char *name, void *pool, int create)
{
	unsigned nl = 2;
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "LIVENES", 7);
	a.major = 1;
	RPMEMpool *rpp =
		create ? rpmem_create(Target, name, pool, POOL_SIZE, &nl, &a)
		       : rpmem_open(Target, name, pool, POOL_SIZE, &nl, NULL);
	if (rpp == NULL)
		fail_msg("%s %s: %s", create ? "create" : "open", name,
			rpmem_errormsg());
	return rpp;
}

/* the pool reopens and reads back [off, off + len); then it is removed */
static void
reopen_and_check(const char *name, uint8_t *pool, size_t off, size_t len)
{
	RPMEMpool *rpp = open_pool(name, pool, 0);
	uint8_t *back = malloc(len);
	assert_non_null(back);
	assert_int_equal(rpmem_read(rpp, back, off, len, 0), 0);
	assert_memory_equal(back, pool + off, len);
	free(back);
	assert_int_equal(rpmem_close(rpp), 0);
	assert_int_equal(rpmem_remove(Target, name, RPMEM_REMOVE_FORCE), 0);
}

static uint8_t *
pool_alloc(void)
{
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, 4096, POOL_SIZE), 0);
	memset(p, 0, POOL_SIZE);
	return p;
}

struct loop {
	RPMEMpool *rpp;
	uint8_t *pool;
	atomic_ulong acked; /* persists acknowledged */
	int err;
};

/* persists slot after slot until one fails */
static void
persist_loop(struct call *c)
{
	struct loop *l = c->arg;
	for (unsigned long i = 0;; i++) {
		size_t off = HDR + (i % NSLOTS) * SLOT;
		fill(l->pool + off, SLOT, (unsigned)i);
		if (rpmem_persist(l->rpp, off, SLOT, 0, 0)) {
			c->ret = -1;
			c->err = errno;
			return;
		}
		atomic_store(&l->acked, i + 1);
	}
}

/* the link goes down on the client's side while persists are under way */
static void
test_cut_busy(void **state)
{
	(void)state;
	node_set("busy", POOL_SIZE);
	struct loop l = {.pool = pool_alloc()};
	l.rpp = open_pool("busy.set", l.pool, 1);
	atomic_init(&l.acked, 0);
	struct call loop = {.fn = persist_loop, .arg = &l};
	call_start(&loop);
	while (atomic_load(&l.acked) < 50 && !atomic_load(&loop.done))
		usleep(1000);
	link_set(0, 0);
	double cut = now_s();
	wait_daemon_gone("busy", cut, 60000);
	call_wait(&loop, "the persist loop", 120000);
	assert_int_equal(loop.ret, -1);
	assert_true(loop.err == ETIMEDOUT || loop.err == ECONNRESET);
	unsigned long n = atomic_load(&l.acked);
	assert_true(n >= 50);

	struct call cl = {.fn = do_close, .arg = l.rpp};
	call_start(&cl);
	call_wait(&cl, "rpmem_close", 30000);
	assert_int_equal(cl.ret, -1);

	link_set(0, 1);
	/* every slot but the one whose persist failed was acknowledged */
	size_t failed = HDR + (n % NSLOTS) * SLOT;
	size_t tail = failed + SLOT;
	if (failed > HDR)
		check_part("busy", HDR, l.pool + HDR, failed - HDR);
	check_part("busy", tail, l.pool + tail, POOL_SIZE - tail);
	reopen_and_check("busy.set", l.pool, tail, POOL_SIZE - tail);
	free(l.pool);
}

static void
zero_persist(struct call *c)
{
	c->ret = rpmem_persist(c->arg, HDR, 0, 0, 0);
	c->err = errno;
}

/* the link goes down on the node's side while the session is idle */
static void
test_cut_idle(void **state)
{
	(void)state;
	node_set("idle", POOL_SIZE);
	uint8_t *pool = pool_alloc();
	RPMEMpool *rpp = open_pool("idle.set", pool, 1);
	fill(pool + HDR, 4096, 1);
	fill(pool + 65536, 100000, 2);
	assert_int_equal(rpmem_persist(rpp, HDR, 4096, 0, 0), 0);
	assert_int_equal(rpmem_persist(rpp, 65536, 100000, 1, 0), 0);
	link_set(1, 0);
	double cut = now_s();
	/* the daemon gives up on the silent client by itself */
	wait_daemon_gone("idle", cut, 60000);
	/*
	 * and the client learns without a call on the lanes: a persist of
	 * nothing sends nothing and fails once the pings went unanswered
	 */
	double end = now_s() + test_wait_ms(60000) / 1000.0;
	struct call z = {.fn = zero_persist, .arg = rpp, .quiet = 1};
	for (;;) {
		call_start(&z);
		call_wait(&z, "rpmem_persist of 0 bytes", 5000);
		if (z.ret != 0)
			break;
		if (now_s() > end)
			fail_msg("the idle client never noticed the cut");
		usleep(200000);
	}
	assert_true(z.err == ETIMEDOUT || z.err == ECONNRESET);
	print_message("client noticed %.1f s after the cut\n", now_s() - cut);
	struct call cl = {.fn = do_close, .arg = rpp};
	call_start(&cl);
	call_wait(&cl, "rpmem_close", 30000);
	assert_int_equal(cl.ret, -1);

	link_set(1, 1);
	check_part("idle", HDR, pool + HDR, 4096);
	check_part("idle", 65536, pool + 65536, 100000);
	reopen_and_check("idle.set", pool, 65536, 100000);
	free(pool);
}

/*
 * a healthy session idle for longer than rpmemd's liveness timeout: the
 * pings keep it, and requests on the ssh channel interleave with them
 */
static void
test_idle_kept(void **state)
{
	(void)state;
	node_set("kept", POOL_SIZE);
	uint8_t *pool = pool_alloc();
	RPMEMpool *rpp = open_pool("kept.set", pool, 1);
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "KEPT", 4);
	sleep(6); /* nothing but pings, twice rpmemd's timeout (3 s) */
	for (int i = 0; i < 10; i++) { /* requests between pings */
		usleep(300000);
		a.major = (uint32_t)i;
		if (rpmem_set_attr(rpp, &a))
			fail_msg("set_attr %d: %s", i, rpmem_errormsg());
	}
	fill(pool + HDR, 8192, 9);
	assert_int_equal(rpmem_persist(rpp, HDR, 8192, 0, 0), 0);
	pid_t pids[4];
	assert_int_equal(rpmemd_pids_of(Dir, pids, 4), 1);
	assert_int_equal(rpmem_close(rpp), 0);
	check_part("kept", HDR, pool + HDR, 8192);
	assert_int_equal(
		rpmem_remove(Target, "kept.set", RPMEM_REMOVE_FORCE), 0);
	free(pool);
}

struct obj {
	char set[512];
	PMEMobjpool *pop;
};

static void
do_obj_close(struct call *c)
{
	struct obj *o = c->arg;
	pmemobj_close(o->pop);
	c->ret = 0;
}

static void
obj_sets(struct obj *o)
{
	char text[1024];
	node_set("objrem", OBJ_REMOTE);
	pathf(o->set, sizeof(o->set), "%s/local/pool.set", Dir);
	pathf(text, sizeof(text),
		"PMEMPOOLSET\n%u %s/local/m0\n"
		"REPLICA %s objrem.set\n",
		OBJ_PART, Dir, Target);
	char path[512];
	pathf(path, sizeof(path), "%s/local", Dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file("local/pool.set", text);
}

/* our libpmemobj with a remote replica; the link goes down under it */
static void
test_cut_obj(void **state)
{
	(void)state;
	struct obj o;
	obj_sets(&o);
	o.pop = pmemobj_create(o.set, "live", 0, 0600);
	if (o.pop == NULL)
		fail_msg("pmemobj_create: %s", pmemobj_errormsg());
	uint8_t *p = pmemobj_direct(pmemobj_root(o.pop, OBJ_ROOT));
	assert_non_null(p);
	size_t roff = (size_t)(p - (uint8_t *)o.pop);
	static uint8_t want[OBJ_ROOT];
	fill(want, sizeof(want), 5);
	pmemobj_memcpy_persist(o.pop, p, want, sizeof(want));
	check_part("objrem", roff, want, sizeof(want));

	link_set(0, 0);
	double cut = now_s();
	errno = 0;
	fill(p, 4096, 6); /* never acknowledged by the node */
	pmemobj_persist(o.pop, p, 4096);
	assert_true(errno != 0);
	print_message("persist failed: %s\n", pmemobj_errormsg());
	memcpy(p, want, 4096); /* the master's data back as acknowledged */
	struct call cl = {.fn = do_obj_close, .arg = &o};
	call_start(&cl);
	call_wait(&cl, "pmemobj_close", 30000);
	wait_daemon_gone("objrem", cut, 60000);

	link_set(0, 1);
	check_part("objrem", roff + 4096, want + 4096, sizeof(want) - 4096);
	o.pop = pmemobj_open(o.set, "live");
	if (o.pop == NULL)
		fail_msg("pmemobj_open: %s", pmemobj_errormsg());
	p = pmemobj_direct(pmemobj_root(o.pop, OBJ_ROOT));
	pmemobj_memcpy_persist(o.pop, p, want, sizeof(want));
	check_part("objrem", roff, want, sizeof(want));
	pmemobj_close(o.pop);
}

/* one byte through a pipe, or 0 bytes when the other end is gone */
static int
pipe_byte(int fd, int out)
{
	char c = 1;
	return (int)(out ? write(fd, &c, 1) : read(fd, &c, 1));
}

/*
 * the session of test_cut_obj_pmdk, in a child: creates the pool with
 * data, tells the parent the root's offset, closes after the cut
 */
static void
obj_child(const struct obj *o, const uint8_t *want, int to, int from)
{
	/* the test framework's handlers would report a crash as a failure */
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	PMEMobjpool *pop = pmemobj_create(o->set, "live", 0, 0600);
	if (pop == NULL) {
		fprintf(stderr, "pmemobj_create: %s\n", pmemobj_errormsg());
		_exit(2);
	}
	uint8_t *p = pmemobj_direct(pmemobj_root(pop, OBJ_ROOT));
	pmemobj_memcpy_persist(pop, p, want, OBJ_ROOT);
	size_t roff = (size_t)(p - (uint8_t *)pop);
	if (write(to, &roff, sizeof(roff)) != sizeof(roff) ||
		pipe_byte(from, 0) != 1)
		_exit(3);
	pmemobj_close(pop);
	_exit(0);
}

/*
 * PMDK's libpmemobj (Debian's) over our librpmem: it ends the process
 * when a remote persist fails ("Fatal error of remote persist"), and its
 * pmemobj_close persists, so the session runs in a child that may die of
 * it; rpmemd must still go and the pool open again with the data
 */
static void
test_cut_obj_pmdk(void **state)
{
	(void)state;
	struct obj o;
	obj_sets(&o);
	static uint8_t want[OBJ_ROOT];
	fill(want, sizeof(want), 7);
	int to[2], from[2];
	assert_int_equal(pipe(to), 0);
	assert_int_equal(pipe(from), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		obj_child(&o, want, to[1], from[0]);
	close(to[1]);
	close(from[0]);
	size_t roff;
	assert_int_equal(read(to[0], &roff, sizeof(roff)), sizeof(roff));
	check_part("objrem", roff, want, sizeof(want));
	link_set(0, 0);
	double cut = now_s();
	assert_int_equal(pipe_byte(from[1], 1), 1);
	int status;
	double end = now_s() + test_wait_ms(60000) / 1000.0;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (now_s() > end)
			fail_msg("pmemobj_close has not returned");
		usleep(20000);
	}
	print_message("pmemobj_close: %s %d after %.1f s\n",
		WIFSIGNALED(status) ? "killed by signal" : "exit status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		now_s() - cut);
	close(to[0]);
	close(from[1]);
	wait_daemon_gone("objrem", cut, 60000);

	link_set(0, 1);
	check_part("objrem", roff, want, sizeof(want));
	o.pop = pmemobj_open(o.set, "live");
	if (o.pop == NULL)
		fail_msg("pmemobj_open: %s", pmemobj_errormsg());
	uint8_t *p = pmemobj_direct(pmemobj_root(o.pop, OBJ_ROOT));
	assert_memory_equal(p, want, sizeof(want));
	pmemobj_close(o.pop);
}

int
main(void)
{
	Dir = getenv("LIVENESS_DIR");
	Target = getenv("LIVENESS_TARGET");
	if (Dir == NULL || Target == NULL ||
		getenv("LIVENESS_LINK_CLIENT") == NULL ||
		getenv("LIVENESS_LINK_NODE") == NULL) {
		fprintf(stderr, "run by utils/netns-fixture.sh liveness\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_kept),
		cmocka_unit_test_teardown(test_cut_busy, link_restore),
		cmocka_unit_test_teardown(test_cut_idle, link_restore),
		cmocka_unit_test_teardown(test_cut_obj, link_restore),
		cmocka_unit_test_teardown(test_cut_obj_pmdk, link_restore),
	};
#ifdef LIVENESS_OBJ_ONLY
	cmocka_set_test_filter("test_cut_obj_pmdk");
#else
	cmocka_set_skip_filter("test_cut_obj_pmdk");
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
