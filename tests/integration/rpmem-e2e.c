/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-e2e.c -- librpmem against the real rpmemd over the private sshd
 *
 * Environment (set by ctest): RPMEMD_BIN, SSHD_FIXTURE_DIR (its `ssh`
 * wrapper and `target` file), RPMEM_PROVIDER (tcp or sockets). main()
 * creates a pool set directory, points RPMEM_CMD at rpmemd (two entries
 * that differ only in the log file, to see the round robin) and re-executes
 * itself, because librpmem reads RPMEM_CMD when it is loaded.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "librpmem.h"
#include "test_skip.h"
#include "test_util.h"

#define POOL_SIZE ((size_t)4 << 20)
#define HDR 4096

static char Dir[512];
static char Target[300];

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static void
no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* the part file of a set: its name with anything odd replaced */
static void
part_path(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/", Dir);
	size_t n = strlen(path);
	for (const char *p = name; *p && n + 6 < len; p++)
		path[n++] = (char)((*p >= 'a' && *p <= 'z') || *p == '.' ? *p
									 : '_');
	snprintf(path + n, len - n, ".part");
}

static void
write_set(const char *name, const char *size, const char *option)
{
	char path[1024], part[1024], buf[4096];
	part_path(part, sizeof(part), name);
	snprintf(path, sizeof(path), "%s/%s", Dir, name);
	snprintf(buf, sizeof(buf), "PMEMPOOLSET\n%s%s%s%s %s\n",
		option ? "OPTION " : "", option ? option : "",
		option ? "\n" : "", size, part);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(buf, f);
	fclose(f);
}

static int
part_exists(const char *name)
{
	char path[1024];
	part_path(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

/* bytes of the remote pool, read straight from the part file */
static void
remote_bytes(const char *name, size_t off, void *buf, size_t len)
{
	char path[1024];
	part_path(path, sizeof(path), name);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static void
check_remote(const char *name, const char *pool, size_t off, size_t len)
{
	char *buf = malloc(len ? len : 1);
	remote_bytes(name, off, buf, len);
	assert_memory_equal(buf, pool + off, len);
	free(buf);
}

static char *
pool_alloc(unsigned seed)
{
	void *p = NULL;
	assert_int_equal(posix_memalign(&p, 4096, POOL_SIZE), 0);
	unsigned char *b = p;
	for (size_t i = 0; i < POOL_SIZE; i++)
		b[i] = (unsigned char)(i * 31 + seed * 7 + (i >> 12));
	return p;
}

static void
refill(char *pool, size_t off, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		pool[off + i] = (char)(seed + i * 13 + (i >> 8));
}

static struct rpmem_pool_attr
attrs(unsigned char v)
{
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "RPMEMTS", 7);
	a.major = 5;
	a.compat_features = 1;
	a.incompat_features = 2;
	a.ro_compat_features = 3;
	for (int i = 0; i < 16; i++) {
		a.poolset_uuid[i] = (unsigned char)(v + i);
		a.uuid[i] = (unsigned char)(v + 16 + i);
		a.next_uuid[i] = (unsigned char)(v + 32 + i);
		a.prev_uuid[i] = (unsigned char)(v + 48 + i);
		a.user_flags[i] = (unsigned char)(v + 64 + i);
	}
	return a;
}

static RPMEMpool *
create(const char *name, char *pool, unsigned *nlanes, int with_attr)
{
	struct rpmem_pool_attr a = attrs(1);
	RPMEMpool *rpp = rpmem_create(
		Target, name, pool, POOL_SIZE, nlanes, with_attr ? &a : NULL);
	if (rpp == NULL)
		print_error("rpmem_create(%s): %s\n", name, rpmem_errormsg());
	assert_non_null(rpp);
	assert_true(*nlanes > 0);
	return rpp;
}

static void
cleanup_pool(const char *name)
{
	assert_int_equal(rpmem_remove(Target, name, RPMEM_REMOVE_FORCE), 0);
}

/* create, close, open: attributes survive; remove deletes the files */
static void
test_lifecycle(void **state)
{
	(void)state;
	write_set("life.set", "4M", NULL);
	char *pool = pool_alloc(1);
	unsigned nl = 4;
	RPMEMpool *rpp = create("life.set", pool, &nl, 1);
	assert_true(nl <= 4);
	assert_true(part_exists("life.set"));
	assert_int_equal(rpmem_close(rpp), 0);

	struct rpmem_pool_attr got, want = attrs(1);
	memset(&got, 0xff, sizeof(got));
	nl = 2;
	rpp = rpmem_open(Target, "life.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	assert_memory_equal(&got, &want, sizeof(want));

	/* set_attr persists across open */
	struct rpmem_pool_attr next = attrs(100);
	assert_int_equal(rpmem_set_attr(rpp, &next), 0);
	assert_int_equal(rpmem_close(rpp), 0);
	rpp = rpmem_open(Target, "life.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	assert_memory_equal(&got, &next, sizeof(next));
	assert_int_equal(rpmem_close(rpp), 0);

	assert_int_equal(rpmem_remove(Target, "life.set", 0), 0);
	assert_false(part_exists("life.set"));
	/* the pool is gone: open fails with ENOENT, remove again fails */
	rpp = rpmem_open(Target, "life.set", pool, POOL_SIZE, &nl, &got);
	assert_null(rpp);
	assert_int_equal(errno, ENOENT);
	assert_int_not_equal(rpmem_remove(Target, "life.set", 0), 0);
	assert_true(errno > 0);
	assert_non_null(strstr(rpmem_errormsg(), "remote command failed"));
	/* POOL_SET also deletes the set file */
	write_set("life2.set", "4M", NULL);
	nl = 1;
	rpp = create("life2.set", pool, &nl, 1);
	assert_int_equal(rpmem_close(rpp), 0);
	assert_int_equal(
		rpmem_remove(Target, "life2.set", RPMEM_REMOVE_POOL_SET), 0);
	char path[1024];
	snprintf(path, sizeof(path), "%s/life2.set", Dir);
	assert_int_equal(access(path, F_OK), -1);
	free(pool);
	no_children();
}

/* a pool set name with shell metacharacters reaches rpmemd unchanged */
static void
test_quoting(void **state)
{
	(void)state;
	const char *name = "we ird';touch pwned;'$(x).set";
	write_set(name, "4M", NULL);
	char *pool = pool_alloc(2);
	unsigned nl = 1;
	RPMEMpool *rpp = create(name, pool, &nl, 1);
	assert_int_equal(rpmem_close(rpp), 0);
	assert_int_equal(rpmem_remove(Target, name, RPMEM_REMOVE_POOL_SET), 0);
	assert_false(part_exists(name));
	char path[1024];
	snprintf(path, sizeof(path), "%s/pwned", Dir);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access("pwned", F_OK), -1);
	free(pool);
}

static void
expect_fail(RPMEMpool *rpp, int err, const char *what)
{
	if (rpp != NULL)
		rpmem_close(rpp);
	assert_null(rpp);
	assert_int_equal(errno, err);
	const char *msg = rpmem_errormsg();
	assert_true(strlen(msg) > 0);
	assert_null(strstr(msg, "Success"));
	if (what != NULL && strstr(msg, what) == NULL)
		fail_msg("message '%s' lacks '%s'", msg, what);
}

/* daemon-side failures and their errno (doc/protocol.md §3) */
static void
test_remote_errors(void **state)
{
	(void)state;
	char *pool = pool_alloc(3);
	struct rpmem_pool_attr a = attrs(1), got;
	unsigned nl = 1;

	expect_fail(rpmem_open(Target, "none.set", pool, POOL_SIZE, &nl, &got),
		ENOENT, "doesn't exist");
	expect_fail(rpmem_create(Target, "none.set", pool, POOL_SIZE, &nl, &a),
		ENOENT, "rpmemd");

	write_set("small.set", "2M", NULL);
	expect_fail(rpmem_create(Target, "small.set", pool, POOL_SIZE, &nl, &a),
		EFBIG, "Invalid pool size");

	write_set("nohdrs.set", "4M", "NOHDRS");
	expect_fail(
		rpmem_create(Target, "nohdrs.set", pool, POOL_SIZE, &nl, &a),
		EINVAL, NULL);
	write_set("single.set", "4M", "SINGLEHDR");
	expect_fail(
		rpmem_create(Target, "single.set", pool, POOL_SIZE, &nl, NULL),
		EINVAL, NULL);

	write_set("busy.set", "4M", NULL);
	RPMEMpool *rpp = create("busy.set", pool, &nl, 1);
	assert_int_equal(rpmem_close(rpp), 0);
	expect_fail(rpmem_create(Target, "busy.set", pool, POOL_SIZE, &nl, &a),
		EEXIST, "Pool already exists");
	rpp = rpmem_open(Target, "busy.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	expect_fail(rpmem_open(Target, "busy.set", pool, POOL_SIZE, &nl, &got),
		EBUSY, "Pool already in use");
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("busy.set");
	free(pool);
	no_children();
}

/* a set with one of its two parts missing: a remove without force fails
 * naming it and removes nothing (PMDK's removes the other part) */
static void
remove_half_set(void)
{
	char set[1024], here[1024], gone[1024], text[3072];
	snprintf(set, sizeof(set), "%s/half.set", Dir);
	snprintf(here, sizeof(here), "%s/half.here", Dir);
	snprintf(gone, sizeof(gone), "%s/half.gone", Dir);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n2M %s\n2M %s\n", gone, here);
	FILE *f = fopen(set, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	f = fopen(here, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(
		rpmem_remove(Target, "half.set", RPMEM_REMOVE_POOL_SET), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(rpmem_errormsg(), gone));
	assert_int_equal(access(here, F_OK), 0);
	assert_int_equal(access(set, F_OK), 0);
	assert_int_equal(rpmem_remove(Target, "half.set",
				 RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET),
		0);
	assert_int_equal(access(here, F_OK), -1);
	assert_int_equal(access(set, F_OK), -1);
}

/* rpmemd through ssh: forced removal, FIFOs, error wording */
static void
test_daemon_errors(void **state)
{
	(void)state;
	char path[1024];
	/* force means force: no set file, parts that never existed */
	assert_int_equal(
		rpmem_remove(Target, "gone.set", RPMEM_REMOVE_FORCE), 0);
	assert_int_equal(rpmem_remove(Target, "gone.set",
				 RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET),
		0);
	write_set("noparts.set", "4M", NULL);
	assert_int_equal(rpmem_remove(Target, "noparts.set", 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(
		rpmem_remove(Target, "noparts.set", RPMEM_REMOVE_FORCE), 0);
	assert_int_equal(rpmem_remove(Target, "noparts.set",
				 RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET),
		0);
	snprintf(path, sizeof(path), "%s/noparts.set", Dir);
	assert_int_equal(access(path, F_OK), -1);
	remove_half_set();

	char *pool = pool_alloc(5);
	struct rpmem_pool_attr a = attrs(1);
	unsigned nl = 1;
	/* a FIFO as the pool set: refused at once */
	snprintf(path, sizeof(path), "%s/fifo.set", Dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_fail(rpmem_open(Target, "fifo.set", pool, POOL_SIZE, &nl, NULL),
		EINVAL, "FIFO");
	unlink(path);
	/* outside poolset-dir: said so */
	expect_fail(rpmem_create(Target, "../x.set", pool, POOL_SIZE, &nl, &a),
		EINVAL, "outside the pool set directory");
	assert_null(strstr(rpmem_errormsg(), "Bad file descriptor"));
	/* a part of 2^64-1 MiB: EFBIG on the daemon, as PMDK's */
	write_set("huge.set", "18446744073709551615M", NULL);
	RPMEMpool *rpp =
		rpmem_create(Target, "huge.set", pool, POOL_SIZE, &nl, &a);
	assert_null(rpp);
	if (strstr(rpmem_errormsg(), "File too large") == NULL)
		fail_msg("message '%s' lacks EFBIG's text", rpmem_errormsg());
	assert_false(part_exists("huge.set"));
	free(pool);
	no_children();
}

/*
 * Malformed targets are refused by create, open and remove with EINVAL and
 * a message naming the target and the fault, before ssh runs; nothing is
 * cut (a user name is never shortened into another one) or guessed.
 */
static void
bad_targets(char *pool)
{
	static const struct {
		const char *target;
		const char *why;
	} c[] = {
		{"[::1]x:2222", "after ']'"},
		{"127.0.0.1:+22", "invalid port number -- '+22'"},
		{"::1:99999", "not an IPv6 address"},
		{"ho st", "not allowed in a host name"},
		{"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu@127.0.0.1",
			"user name longer than 32 characters"},
	};
	unsigned nl = 1;
	struct rpmem_pool_attr a = attrs(1);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *tg = c[i].target;
		expect_fail(
			rpmem_create(tg, "args.set", pool, POOL_SIZE, &nl, &a),
			EINVAL, c[i].why);
		assert_non_null(strstr(rpmem_errormsg(), tg));
		expect_fail(
			rpmem_open(tg, "args.set", pool, POOL_SIZE, &nl, NULL),
			EINVAL, c[i].why);
		assert_non_null(strstr(rpmem_errormsg(), tg));
		assert_int_equal(rpmem_remove(tg, "args.set", 0), -1);
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(rpmem_errormsg(), c[i].why));
		assert_non_null(strstr(rpmem_errormsg(), tg));
	}
	/* well formed, but no such host: said so, not "no provider" */
	assert_null(rpmem_open(
		"nosuchhost.invalid", "args.set", pool, POOL_SIZE, &nl, NULL));
	assert_non_null(strstr(rpmem_errormsg(), "cannot resolve"));
	assert_non_null(strstr(rpmem_errormsg(), "nosuchhost.invalid"));
}

/* caller mistakes at create/open time (rpmem_create(3), doc/protocol.md §1) */
static void
test_bad_args(void **state)
{
	(void)state;
	char *pool = pool_alloc(4);
	struct rpmem_pool_attr a = attrs(1);
	unsigned nl = 1, zero = 0;
	write_set("args.set", "4M", NULL);

	expect_fail(rpmem_create(Target, "args.set", NULL, POOL_SIZE, &nl, &a),
		EINVAL, "pool address");
	expect_fail(
		rpmem_create(Target, "args.set", pool + 1, POOL_SIZE, &nl, &a),
		EINVAL, "aligned");
	expect_fail(
		rpmem_create(Target, "args.set", pool, POOL_SIZE - 1, &nl, &a),
		EINVAL, "aligned");
	expect_fail(rpmem_create(Target, "args.set", pool, 0, &nl, &a), EINVAL,
		"pool size");
	expect_fail(rpmem_create(Target, "args.set", pool, POOL_SIZE, NULL, &a),
		EINVAL, "lanes");
	expect_fail(
		rpmem_create(Target, "args.set", pool, POOL_SIZE, &zero, &a),
		EINVAL, "lanes");
	expect_fail(rpmem_open(NULL, "args.set", pool, POOL_SIZE, &nl, NULL),
		EINVAL, "target");
	expect_fail(rpmem_open(Target, NULL, pool, POOL_SIZE, &nl, NULL),
		EINVAL, "pool set");
	expect_fail(rpmem_open("user@", "args.set", pool, POOL_SIZE, &nl, NULL),
		EINVAL, "parsing target");
	expect_fail(rpmem_open("127.0.0.1:0", "args.set", pool, POOL_SIZE, &nl,
			    NULL),
		EINVAL, "port number must be positive");
	expect_fail(rpmem_open("127.0.0.1:99999", "args.set", pool, POOL_SIZE,
			    &nl, NULL),
		EINVAL, "port number too large");
	expect_fail(rpmem_open("127.0.0.1:x1", "args.set", pool, POOL_SIZE, &nl,
			    NULL),
		EINVAL, "invalid port number");
	bad_targets(pool);

	char *saved = strdup(getenv("RPMEM_PROVIDER"));
	setenv("RPMEM_PROVIDER", "nosuchprovider", 1);
	expect_fail(rpmem_open(Target, "args.set", pool, POOL_SIZE, &nl, NULL),
		ENOMEDIUM, "provider");
	setenv("RPMEM_PROVIDER", saved, 1);
	free(saved);

	assert_int_equal(rpmem_remove(Target, "args.set", 4), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_close(NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_persist(NULL, HDR, 1, 0, 0), -1);
	assert_int_equal(errno, EINVAL);

	assert_null(rpmem_check_version(1, 3));
	assert_non_null(rpmem_check_version(1, 4));
	assert_non_null(strstr(rpmem_errormsg(), "minor version mismatch"));
	assert_non_null(rpmem_check_version(2, 0));
	assert_non_null(strstr(rpmem_errormsg(), "major version mismatch"));
	free(pool);
	no_children();
}

/* bad ranges, lanes and flags: EINVAL, nothing sent, nothing sticky */
static void
test_bad_ops(void **state)
{
	(void)state;
	write_set("ops.set", "4M", NULL);
	char *pool = pool_alloc(5);
	unsigned nl = 2;
	RPMEMpool *rpp = create("ops.set", pool, &nl, 1);
	char buf[64];

	for (size_t off = 0; off < HDR; off += 8) {
		assert_int_equal(rpmem_persist(rpp, off, 8, 0, 0), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(
			rpmem_persist(rpp, off, 8, 0, RPMEM_PERSIST_RELAXED),
			-1);
		assert_int_equal(rpmem_flush(rpp, off, 8, 0, 0), -1);
		assert_int_equal(rpmem_deep_persist(rpp, off, 8, 0), -1);
	}
	assert_int_equal(rpmem_persist(rpp, HDR, 8, nl, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(rpmem_errormsg(), "lane"));
	assert_int_equal(rpmem_persist(rpp, HDR, 8, 0, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_persist(rpp, POOL_SIZE - 8, 9, 0, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_persist(rpp, POOL_SIZE, 0, 0, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_persist(rpp, HDR, SIZE_MAX, 0, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_flush(rpp, HDR, 8, 0, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_flush(rpp, HDR, 8, nl, 0), -1);
	assert_int_equal(rpmem_drain(rpp, 0, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_drain(rpp, nl, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_deep_persist(rpp, HDR, 8, nl), -1);
	assert_int_equal(rpmem_read(rpp, buf, POOL_SIZE - 8, 16, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_read(rpp, buf, 0, 8, nl), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(rpmem_read(rpp, NULL, HDR, 8, 0), -1);

	/* none of it was sticky, and nothing reached the pool */
	char before[64];
	remote_bytes("ops.set", HDR, before, sizeof(before));
	assert_memory_not_equal(before, pool + HDR, sizeof(before));
	assert_int_equal(rpmem_persist(rpp, HDR, 64, nl - 1, 0), 0);
	check_remote("ops.set", pool, HDR, 64);
	/* reading the header area is allowed */
	assert_int_equal(rpmem_read(rpp, buf, 0, 8, 0), 0);
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("ops.set");
	free(pool);
}

static int log_contains(const char *want);
static void truncate_logs(void);

/* every length that matters, through every call */
static void
test_data(void **state)
{
	(void)state;
	write_set("data.set", "4M", NULL);
	char *pool = pool_alloc(6);
	unsigned nl = 2;
	truncate_logs();
	RPMEMpool *rpp = create("data.set", pool, &nl, 1);
	/* the persistency method the daemon was asked for is in use */
	const char *method =
		getenv("RPMEM_TEST_APM")
			? "Appliance Persistency Method"
			: "General Purpose Server Persistency Method";
	if (!log_contains(method))
		fail_msg("daemon does not use the %s", method);
	static const size_t lens[] = {
		0, 1, 4095, 4096, 8191, 8192, 8193, 65536 + 3, 1 << 20};
	size_t off = HDR;
	unsigned seed = 1;
	char *back = malloc(POOL_SIZE);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];
		for (int how = 0; how < 4; how++) {
			if (off + len > POOL_SIZE)
				off = HDR + 7;
			refill(pool, off, len, seed++);
			int ret;
			switch (how) {
			case 0:
				ret = rpmem_persist(rpp, off, len, 0, 0);
				break;
			case 1:
				ret = rpmem_persist(rpp, off, len, 1,
					RPMEM_PERSIST_RELAXED);
				break;
			case 2:
				ret = rpmem_deep_persist(rpp, off, len, 0);
				break;
			default:
				ret = rpmem_flush(rpp, off, len, 1, 0);
				if (ret == 0)
					ret = rpmem_drain(rpp, 1, 0);
				break;
			}
			if (ret)
				fail_msg("len %zu how %d: %s", len, how,
					rpmem_errormsg());
			check_remote("data.set", pool, off, len);
			memset(back, 0, len);
			assert_int_equal(rpmem_read(rpp, back, off, len, 0), 0);
			assert_memory_equal(back, pool + off, len);
			off += len + 1;
		}
	}
	/* the whole pool past the header */
	refill(pool, HDR, POOL_SIZE - HDR, 77);
	assert_int_equal(rpmem_persist(rpp, HDR, POOL_SIZE - HDR, 0, 0), 0);
	check_remote("data.set", pool, HDR, POOL_SIZE - HDR);
	assert_int_equal(rpmem_read(rpp, back, HDR, POOL_SIZE - HDR, 1), 0);
	assert_memory_equal(back, pool + HDR, POOL_SIZE - HDR);

	/* many flushes, one drain (relaxed and not) */
	for (unsigned k = 0; k < 200; k++) {
		size_t o = HDR + (size_t)k * 9000;
		refill(pool, o, 100, k);
		assert_int_equal(rpmem_flush(rpp, o, 100, 0,
					 k % 2 ? RPMEM_FLUSH_RELAXED : 0),
			0);
	}
	assert_int_equal(rpmem_drain(rpp, 0, 0), 0);
	for (unsigned k = 0; k < 200; k++)
		check_remote("data.set", pool, HDR + (size_t)k * 9000, 100);

	/*
	 * a flush posted and not yet drained, then the same bytes changed and
	 * flushed, persisted or read: the remote pool ends with the last
	 */
	for (unsigned k = 0; k < 3; k++) {
		refill(pool, HDR, 64, 300 + k);
		assert_int_equal(rpmem_flush(rpp, HDR, 64, 0, 0), 0);
		refill(pool, HDR, 8192, 310 + k);
		if (k == 0)
			assert_int_equal(rpmem_flush(rpp, HDR, 8192, 0, 0), 0);
		else if (k == 1)
			assert_int_equal(
				rpmem_persist(rpp, HDR, 8192, 0, 0), 0);
		else
			assert_int_equal(rpmem_read(rpp, back, HDR, 64, 0), 0);
		assert_int_equal(rpmem_drain(rpp, 0, 0), 0);
		if (k == 2)
			assert_int_equal(
				rpmem_persist(rpp, HDR, 8192, 0, 0), 0);
		check_remote("data.set", pool, HDR, 8192);
	}
	assert_int_equal(rpmem_close(rpp), 0);

	/* data persisted before close is there after open */
	struct rpmem_pool_attr got;
	rpp = rpmem_open(Target, "data.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	assert_int_equal(rpmem_read(rpp, back, HDR, POOL_SIZE - HDR, 0), 0);
	assert_memory_equal(back, pool + HDR, POOL_SIZE - HDR);
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("data.set");
	free(back);
	free(pool);
}

/* NOHDRS pool: every offset is writable, attributes are zero */
static void
test_nohdrs(void **state)
{
	(void)state;
	write_set("nh.set", "4M", "NOHDRS");
	char *pool = pool_alloc(7);
	unsigned nl = 1;
	RPMEMpool *rpp = create("nh.set", pool, &nl, 0);
	for (size_t off = 0; off < HDR; off += 8)
		assert_int_equal(rpmem_persist(rpp, off, 8, 0, 0), 0);
	check_remote("nh.set", pool, 0, HDR);
	assert_int_equal(rpmem_persist(rpp, 0, POOL_SIZE, 0, 0), 0);
	check_remote("nh.set", pool, 0, POOL_SIZE);
	/* deep persist keeps the header rule */
	assert_int_equal(rpmem_deep_persist(rpp, 0, 8, 0), -1);
	assert_int_equal(errno, EINVAL);
	/* a pool without a header has no attributes to set */
	struct rpmem_pool_attr na = attrs(5);
	assert_int_equal(rpmem_set_attr(rpp, &na), -1);
	assert_true(errno > 0);
	assert_null(strstr(rpmem_errormsg(), "Success"));
	/* not a connection failure: the pool stays usable */
	assert_int_equal(rpmem_persist(rpp, 0, 64, 0, 0), 0);
	assert_int_equal(rpmem_close(rpp), 0);
	struct rpmem_pool_attr got, zero;
	memset(&got, 0xff, sizeof(got));
	memset(&zero, 0, sizeof(zero));
	rpp = rpmem_open(Target, "nh.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	assert_memory_equal(&got, &zero, sizeof(zero));
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("nh.set");
	free(pool);
}

struct worker {
	RPMEMpool *rpp;
	char *pool;
	unsigned lane;
	unsigned nlanes;
	int ret;
};

static void *
worker(void *arg)
{
	struct worker *w = arg;
	size_t span = (POOL_SIZE - HDR) / w->nlanes;
	size_t base = HDR + span * w->lane;
	for (unsigned i = 0; i < 64 && w->ret == 0; i++) {
		size_t off = base + (i * 4099) % (span - 4096);
		size_t len = 1 + (i * 97) % 4000;
		refill(w->pool, off, len, w->lane * 1000 + i);
		switch (i % 3) {
		case 0:
			w->ret = rpmem_persist(w->rpp, off, len, w->lane, 0);
			break;
		case 1:
			w->ret = rpmem_persist(w->rpp, off, len, w->lane,
				RPMEM_PERSIST_RELAXED);
			break;
		default:
			w->ret = rpmem_flush(w->rpp, off, len, w->lane, 0);
			if (w->ret == 0)
				w->ret = rpmem_drain(w->rpp, w->lane, 0);
		}
	}
	return NULL;
}

static void
test_threads(void **state)
{
	(void)state;
	write_set("thr.set", "4M", NULL);
	for (unsigned want = 1; want <= 8; want *= 2) {
		char *pool = pool_alloc(8);
		unsigned nl = want;
		RPMEMpool *rpp = create("thr.set", pool, &nl, 1);
		assert_int_equal(nl, want);
		assert_int_equal(
			rpmem_persist(rpp, HDR, POOL_SIZE - HDR, 0, 0), 0);
		pthread_t th[8];
		struct worker w[8];
		for (unsigned i = 0; i < nl; i++) {
			w[i] = (struct worker){rpp, pool, i, nl, 0};
			pthread_create(&th[i], NULL, worker, &w[i]);
		}
		for (unsigned i = 0; i < nl; i++) {
			pthread_join(th[i], NULL);
			assert_int_equal(w[i].ret, 0);
		}
		/* ranges of different lanes never overlap: the pool matches */
		check_remote("thr.set", pool, HDR, POOL_SIZE - HDR);
		assert_int_equal(rpmem_close(rpp), 0);
		cleanup_pool("thr.set");
		write_set("thr.set", "4M", NULL);
		free(pool);
	}
}

/* RPMEM_MAX_NLANES (set by ctest for this group) caps the lanes */
static void
test_max_nlanes(void **state)
{
	(void)state;
	const char *cap_s = getenv("RPMEM_MAX_NLANES");
	assert_non_null(cap_s);
	unsigned cap = (unsigned)atoi(cap_s);
	write_set("cap.set", "4M", NULL);
	char *pool = pool_alloc(14);
	unsigned nl = cap + 5;
	RPMEMpool *rpp = create("cap.set", pool, &nl, 1);
	assert_int_equal(nl, cap);
	for (unsigned l = 0; l < cap; l++)
		assert_int_equal(rpmem_persist(rpp, HDR + l * 64, 64, l, 0), 0);
	assert_int_equal(rpmem_persist(rpp, HDR, 64, cap, 0), -1);
	assert_int_equal(errno, EINVAL);
	check_remote("cap.set", pool, HDR, cap * 64);
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("cap.set");
	free(pool);
}

/* pid of the rpmemd serving this test (its command line names Dir) */
static pid_t
find_rpmemd(void)
{
	pid_t found = 0;
	DIR *d = opendir("/proc");
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		char path[64], cmd[4096];
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
		close(fd);
		if (n <= 0)
			continue;
		cmd[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		if (strstr(cmd, "rpmemd") && strstr(cmd, Dir) &&
			strstr(cmd, "--poolset-dir") && !strstr(cmd, "sh -c") &&
			!strstr(cmd, "ssh"))
			found = pid;
	}
	closedir(d);
	return found;
}

/* our own ssh child */
static pid_t
find_ssh_child(void)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	int pid = 0;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = atoi(buf);
	fclose(f);
	return pid;
}

struct spinner {
	RPMEMpool *rpp;
	int ret;
	int err;
	unsigned done; /* persists that returned 0 (atomic) */
};

/* persists until one fails (the ctest timeout catches a hang) */
static void *
spin(void *arg)
{
	struct spinner *s = arg;
	for (;;) {
		int r = rpmem_persist(s->rpp, HDR, 65536, 0, 0);
		if (r) {
			s->err = errno;
			__atomic_store_n(&s->ret, r, __ATOMIC_RELEASE);
			break;
		}
		__atomic_add_fetch(&s->done, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static int
is_conn_errno(int e)
{
	return e == ECONNRESET || e == EPIPE || e == ECONNABORTED ||
	       e == ENOTCONN || e == ESHUTDOWN;
}

static void
kill_mid_persist(int kill_ssh)
{
	const char *name = kill_ssh ? "killssh.set" : "killd.set";
	write_set(name, "4M", NULL);
	char *pool = pool_alloc(9);
	unsigned nl = 1;
	RPMEMpool *rpp = create(name, pool, &nl, 1);
	pid_t victim = kill_ssh ? find_ssh_child() : find_rpmemd();
	assert_true(victim > 0);
	struct spinner s = {rpp, 0, 0, 0};
	pthread_t th;
	pthread_create(&th, NULL, spin, &s);
	/* the kill lands while persists are under way */
	while (__atomic_load_n(&s.done, __ATOMIC_ACQUIRE) < 3 &&
		__atomic_load_n(&s.ret, __ATOMIC_ACQUIRE) == 0)
		usleep(1000);
	assert_int_equal(kill(victim, SIGKILL), 0);
	pthread_join(th, NULL);
	assert_int_equal(s.ret, -1);
	if (!is_conn_errno(s.err))
		fail_msg("errno %d (%s): %s", s.err, strerror(s.err),
			rpmem_errormsg());
	/* sticky: every later call fails the same way */
	assert_int_equal(rpmem_persist(rpp, HDR, 8, 0, 0), -1);
	assert_true(is_conn_errno(errno));
	char b[8];
	assert_int_equal(rpmem_read(rpp, b, HDR, 8, 0), -1);
	assert_true(is_conn_errno(errno));
	/* but caller mistakes are still reported as such */
	assert_int_equal(rpmem_persist(rpp, 0, 8, 0, 0), -1);
	(void)rpmem_close(rpp);
	no_children();
	(void)rpmem_remove(Target, name, RPMEM_REMOVE_FORCE);
	free(pool);
}

#define BIG_LEN ((size_t)3 << 20) /* well above the pipelining threshold */

/* SIGKILL to rpmemd, returns when it is gone */
static void
kill_rpmemd_now(pid_t victim)
{
	assert_int_equal(kill(victim, SIGKILL), 0);
	for (int i = 0; i < test_wait_ms(10000) / 10 && kill(victim, 0) == 0;
		i++)
		usleep(10000);
}

/*
 * a persist (or flush + drain, or deep persist) of a range long enough to
 * go in several chunks has every byte on the node when it returns: rpmemd
 * is killed right after, and the part file holds the bytes
 */
static void
big_persist_then_kill(int how)
{
	const char *name = "big.set";
	write_set(name, "4M", NULL);
	char *pool = pool_alloc(21);
	unsigned nl = 1;
	RPMEMpool *rpp = create(name, pool, &nl, 1);
	refill(pool, HDR, BIG_LEN, 77);
	pid_t victim = find_rpmemd(); /* the kill follows the call at once */
	assert_true(victim > 0);
	int ret;
	if (how == 0) {
		ret = rpmem_persist(rpp, HDR, BIG_LEN, 0, 0);
	} else if (how == 1) {
		ret = rpmem_flush(rpp, HDR, BIG_LEN, 0, 0);
		if (ret == 0)
			ret = rpmem_drain(rpp, 0, 0);
	} else {
		ret = rpmem_deep_persist(rpp, HDR, BIG_LEN, 0);
	}
	if (ret)
		fail_msg("%s", rpmem_errormsg());
	kill_rpmemd_now(victim);
	check_remote(name, pool, HDR, BIG_LEN);
	(void)rpmem_close(rpp);
	no_children();
	(void)rpmem_remove(Target, name, RPMEM_REMOVE_FORCE);
	free(pool);
}

static void
test_big_persist(void **state)
{
	(void)state;
	for (int how = 0; how < 3; how++)
		big_persist_then_kill(how);
}

static void
test_kill_daemon(void **state)
{
	(void)state;
	kill_mid_persist(0);
}

static void
test_kill_ssh(void **state)
{
	(void)state;
	kill_mid_persist(1);
}

/* no descriptor or child survives close or a failed create */
static void
test_leaks(void **state)
{
	(void)state;
	write_set("leak.set", "4M", NULL);
	char *pool = pool_alloc(10);
	unsigned nl = 4;
	/* warm up libfabric's process-wide state */
	RPMEMpool *rpp = create("leak.set", pool, &nl, 1);
	assert_int_equal(rpmem_close(rpp), 0);
	int fds = count_fds();
	for (int i = 0; i < 2; i++) {
		nl = 4;
		struct rpmem_pool_attr got;
		rpp = rpmem_open(
			Target, "leak.set", pool, POOL_SIZE, &nl, &got);
		assert_non_null(rpp);
		assert_int_equal(rpmem_persist(rpp, HDR, 100, 0, 0), 0);
		assert_int_equal(rpmem_close(rpp), 0);
		assert_null(rpmem_open(
			Target, "nothere.set", pool, POOL_SIZE, &nl, &got));
		assert_null(rpmem_create(
			Target, "leak.set", pool, POOL_SIZE, &nl, &got));
		assert_int_equal(count_fds(), fds);
		no_children();
	}
	cleanup_pool("leak.set");
	assert_int_equal(count_fds(), fds);
	free(pool);
}

/* target syntaxes: user@host, host:port */
static void
test_targets(void **state)
{
	(void)state;
	write_set("tgt.set", "4M", NULL);
	char *pool = pool_alloc(11);
	const char *user = getenv("RPMEM_TEST_USER");
	char host[300], port[32] = "";
	snprintf(host, sizeof(host), "%s", Target);
	char *colon = strrchr(host, ':');
	if (colon != NULL && strchr(host, '[') == NULL &&
		strchr(host, ':') == colon) {
		snprintf(port, sizeof(port), "%s", colon + 1);
		*colon = '\0';
	}
	char t[512];
	snprintf(t, sizeof(t), "%s@%s%s%s", user ? user : "root", host,
		port[0] ? ":" : "", port);
	unsigned nl = 1;
	struct rpmem_pool_attr a = attrs(3);
	RPMEMpool *rpp = rpmem_create(t, "tgt.set", pool, POOL_SIZE, &nl, &a);
	if (rpp == NULL)
		fail_msg("%s: %s", t, rpmem_errormsg());
	assert_int_equal(rpmem_persist(rpp, HDR, 4096, 0, 0), 0);
	check_remote("tgt.set", pool, HDR, 4096);
	assert_int_equal(rpmem_close(rpp), 0);

	cleanup_pool("tgt.set");
	free(pool);
}

/* [::1]:port (ctest runs it with tcp only: sockets has no IPv6) */
static void
test_targets_ipv6(void **state)
{
	(void)state;
	const char *v6 = getenv("RPMEM_TEST_TARGET6");
	if (v6 == NULL || v6[0] == '\0')
		TEST_SKIP("the sshd fixture does not accept logins on ::1\n");
	write_set("tgt6.set", "4M", NULL);
	char *pool = pool_alloc(11);
	unsigned nl = 1;
	struct rpmem_pool_attr a = attrs(3);
	RPMEMpool *rpp = rpmem_create(v6, "tgt6.set", pool, POOL_SIZE, &nl, &a);
	if (rpp == NULL)
		fail_msg("%s: %s", v6, rpmem_errormsg());
	refill(pool, HDR, 4096, 9);
	assert_int_equal(rpmem_persist(rpp, HDR, 4096, 0, 0), 0);
	check_remote("tgt6.set", pool, HDR, 4096);
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("tgt6.set");
	free(pool);
}

static long
file_len(const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", Dir, name);
	struct stat st;
	return stat(path, &st) ? 0 : (long)st.st_size;
}

/* RPMEM_CMD entries are used in turn */
static void
test_round_robin(void **state)
{
	(void)state;
	write_set("rr.set", "4M", NULL);
	char *pool = pool_alloc(12);
	unsigned nl = 1;
	RPMEMpool *rpp = create("rr.set", pool, &nl, 1);
	assert_int_equal(rpmem_close(rpp), 0);
	for (int i = 0; i < 2; i++) {
		long a0 = file_len("a.log"), b0 = file_len("b.log");
		struct rpmem_pool_attr got;
		rpp = rpmem_open(Target, "rr.set", pool, POOL_SIZE, &nl, &got);
		assert_non_null(rpp);
		assert_int_equal(rpmem_close(rpp), 0);
		long a1 = file_len("a.log"), b1 = file_len("b.log");
		/* exactly one of the two daemons logged this session */
		assert_true((a1 > a0) != (b1 > b0));
	}
	cleanup_pool("rr.set");
	free(pool);
}

/*
 * 1 if one daemon log (emptied first) has lines that contain (anywhere 1)
 * or start with these, in this order
 */
static int
log_match(const char *const *want, size_t n, int anywhere)
{
	const char *logs[] = {"a.log", "b.log"};
	for (int i = 0; i < 2; i++) {
		char path[1024], line[512];
		snprintf(path, sizeof(path), "%s/%s", Dir, logs[i]);
		FILE *f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t k = 0;
		while (k < n && fgets(line, sizeof(line), f) != NULL)
			if (anywhere ? strstr(line, want[k]) != NULL
				     : strncmp(line, want[k],
					       strlen(want[k])) == 0)
				k++;
		fclose(f);
		if (k == n)
			return 1;
	}
	return 0;
}

static int
log_contains(const char *want)
{
	return log_match(&want, 1, 1);
}

static int
daemon_used(const char *prov)
{
	char want[64];
	snprintf(want, sizeof(want), "provider: %s", prov);
	return log_contains(want);
}

static void
truncate_logs(void)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/a.log", Dir);
	(void)truncate(path, 0);
	snprintf(path, sizeof(path), "%s/b.log", Dir);
	(void)truncate(path, 0);
}

/* provider choice without RPMEM_PROVIDER (verbs is absent here) */
static void
test_provider_choice(void **state)
{
	(void)state;
	char *saved = strdup(getenv("RPMEM_PROVIDER"));
	unsetenv("RPMEM_PROVIDER");
	write_set("prov.set", "4M", NULL);
	char *pool = pool_alloc(13);
	static const struct {
		const char *sockets; /* RPMEM_ENABLE_SOCKETS, NULL: unset */
		const char *want;
	} c[] = {{"1", "sockets"}, {NULL, "tcp"}, {"0", "tcp"},
		{"garbage", "tcp"}, {"-1", "sockets"}};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (c[i].sockets)
			setenv("RPMEM_ENABLE_SOCKETS", c[i].sockets, 1);
		else
			unsetenv("RPMEM_ENABLE_SOCKETS");
		truncate_logs();
		unsigned nl = 1;
		RPMEMpool *rpp = create("prov.set", pool, &nl, 1);
		assert_int_equal(rpmem_persist(rpp, HDR, 100, 0, 0), 0);
		check_remote("prov.set", pool, HDR, 100);
		assert_int_equal(rpmem_close(rpp), 0);
		if (!daemon_used(c[i].want))
			fail_msg("RPMEM_ENABLE_SOCKETS=%s: not %s",
				c[i].sockets ? c[i].sockets : "(unset)",
				c[i].want);
		cleanup_pool("prov.set");
		write_set("prov.set", "4M", NULL);
	}
	unsetenv("RPMEM_ENABLE_SOCKETS");
	setenv("RPMEM_PROVIDER", saved, 1);
	free(saved);
	free(pool);
}

/* PMDK's lines of a session, in its order (rpmemd(1), Log) */
static const char *const Pmdk_session[] = {"rpmemd version ",
	"ssh connection: ", "user: ", "configuration",
	"    persist method: ", "create request:", "    nlanes: ",
	"pool attributes:", "    poolset_uuid: ", "    prev_uuid: ",
	"create request response: (status = 0)",
	"    nlanes: ", "waiting for in-band connection",
	"in-band connection established"};

/* open descriptors of a process and its soft RLIMIT_NOFILE */
static void
proc_fds(pid_t pid, unsigned long *open, unsigned long *limit)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	*open = 0;
	while (readdir(d) != NULL)
		(*open)++;
	closedir(d);
	*open -= 2;
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	*limit = 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Max open files", 14) == 0)
			*limit = strtoul(line + 14, NULL, 10);
	fclose(f);
}

/*
 * 1024 lanes asked for under small descriptor limits (ctest sets them:
 * RPMEM_TEST_NOFILE for this process, RPMEM_TEST_DAEMON_ENV's ulimit for
 * rpmemd): the create works with the lanes both sides can hold, every
 * granted lane persists, the next one is refused, and neither process
 * runs out of descriptors. RPMEM_TEST_GRANT=<n>: rpmemd's budget is the
 * smaller one and its log says how many of the lanes it granted;
 * RPMEM_TEST_MIN_LANES=<n>: at least so many lanes.
 */
static void
test_nofile(void **state)
{
	(void)state;
	write_set("nofile.set", "4M", NULL);
	char *pool = pool_alloc(15);
	truncate_logs();
	unsigned nl = 1024;
	RPMEMpool *rpp = create("nofile.set", pool, &nl, 1);
	assert_true(nl < 1024); /* tcp: at most 256 completion queues */
	const char *min = getenv("RPMEM_TEST_MIN_LANES");
	if (min != NULL && nl < (unsigned)atoi(min))
		fail_msg("%u lanes, expected at least %s", nl, min);
	unsigned long open, limit;
	proc_fds(getpid(), &open, &limit);
	assert_true(open < limit);
	pid_t d = find_rpmemd();
	assert_true(d > 0);
	proc_fds(d, &open, &limit);
	assert_true(open < limit);
	for (unsigned l = 0; l < nl; l++) {
		refill(pool, HDR + l * 64, 64, l);
		assert_int_equal(rpmem_persist(rpp, HDR + l * 64, 64, l, 0), 0);
	}
	assert_int_equal(rpmem_persist(rpp, HDR, 64, nl, 0), -1);
	assert_int_equal(errno, EINVAL);
	check_remote("nofile.set", pool, HDR, nl * 64);
	assert_int_equal(rpmem_close(rpp), 0);
	assert_true(log_match(Pmdk_session,
		sizeof(Pmdk_session) / sizeof(Pmdk_session[0]), 0));
	const char *grant = getenv("RPMEM_TEST_GRANT");
	if (grant != NULL) {
		char want[64];
		snprintf(want, sizeof(want), "%u of %s lanes granted", nl,
			grant);
		if (!log_contains(want))
			fail_msg("rpmemd's log lacks '%s'", want);
	}
	cleanup_pool("nofile.set");
	free(pool);
	no_children();
}

static int
setup_child(void)
{
	const char *d = getenv("RPMEM_TEST_DIR");
	const char *t = getenv("RPMEM_TEST_TARGET");
	if (d == NULL || t == NULL)
		return -1;
	snprintf(Dir, sizeof(Dir), "%s", d);
	snprintf(Target, sizeof(Target), "%s", t);
	return 0;
}

#define SENTINEL 12345 /* no errno value any call sets */

/* each call succeeds with errno as it was before */
#define KEEPS_ERRNO(call)                                            \
	do {                                                         \
		errno = SENTINEL;                                    \
		if ((call) != 0)                                     \
			fail_msg("%s: %s", #call, rpmem_errormsg()); \
		assert_int_equal(errno, SENTINEL);                   \
	} while (0)

/* every public call that succeeds leaves errno as it found it */
static void
test_errno(void **state)
{
	(void)state;
	write_set("errno.set", "4M", NULL);
	char *pool = pool_alloc(11);
	struct rpmem_pool_attr a = attrs(1), got;
	unsigned nl = 4;
	errno = SENTINEL;
	RPMEMpool *rpp =
		rpmem_create(Target, "errno.set", pool, POOL_SIZE, &nl, &a);
	assert_non_null(rpp);
	assert_int_equal(errno, SENTINEL);
	for (int round = 0; round < 200; round++) {
		unsigned lane = (unsigned)round % nl;
		size_t off = HDR + (size_t)round * 4096;
		KEEPS_ERRNO(rpmem_persist(rpp, off, 64, lane, 0));
		KEEPS_ERRNO(rpmem_persist(
			rpp, off, 8192, lane, RPMEM_PERSIST_RELAXED));
		KEEPS_ERRNO(rpmem_flush(rpp, off, 100, lane, 0));
		KEEPS_ERRNO(rpmem_drain(rpp, lane, 0));
		KEEPS_ERRNO(rpmem_deep_persist(rpp, off, 64, lane));
		char b[64];
		KEEPS_ERRNO(rpmem_read(rpp, b, off, sizeof(b), lane));
	}
	KEEPS_ERRNO(rpmem_set_attr(rpp, &a));
	KEEPS_ERRNO(rpmem_close(rpp));
	errno = SENTINEL;
	rpp = rpmem_open(Target, "errno.set", pool, POOL_SIZE, &nl, &got);
	assert_non_null(rpp);
	assert_int_equal(errno, SENTINEL);
	KEEPS_ERRNO(rpmem_close(rpp));
	errno = SENTINEL;
	assert_null(rpmem_check_version(RPMEM_MAJOR_VERSION, 0));
	assert_non_null(rpmem_errormsg());
	assert_int_equal(errno, SENTINEL);
	KEEPS_ERRNO(rpmem_remove(Target, "errno.set", RPMEM_REMOVE_FORCE));
	free(pool);
}

static double
cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct waiter {
	RPMEMpool *rpp;
	int ret;
	int started; /* set just before the persist is issued */
};

static void *
persist_once(void *arg)
{
	struct waiter *w = arg;
	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->ret = rpmem_persist(w->rpp, HDR, 4096, 0, 0);
	return NULL;
}

/*
 * waits until the persist of w was issued and the process has settled
 * into waiting past any spinning: a 20 ms window with under a fifth of a
 * CPU used (bounded by test_wait_ms(); 0 when that never came)
 */
static int
wait_settled(struct waiter *w)
{
	for (int ms = 0; ms < test_wait_ms(10000); ms += 20) {
		int issued = __atomic_load_n(&w->started, __ATOMIC_ACQUIRE);
		double c0 = cpu_s(), t0 = now_s();
		usleep(20 * 1000);
		if (issued && cpu_s() - c0 < 0.2 * (now_s() - t0))
			return 1;
	}
	return 0;
}

/*
 * a client waiting for a stopped daemon sleeps: over a wait of two
 * seconds the process uses a small part of one CPU (a busy loop uses
 * all of it); the persist completes once the daemon runs again
 */
static void
test_stalled_cpu(void **state)
{
	(void)state;
	write_set("stall.set", "4M", NULL);
	char *pool = pool_alloc(12);
	unsigned nl = 1;
	RPMEMpool *rpp = create("stall.set", pool, &nl, 1);
	assert_int_equal(rpmem_persist(rpp, HDR, 64, 0, 0), 0);
	pid_t d = find_rpmemd();
	assert_true(d > 0);
	assert_int_equal(kill(d, SIGSTOP), 0);
	struct waiter w = {rpp, -2, 0};
	pthread_t th;
	pthread_create(&th, NULL, persist_once, &w);
	assert_true(wait_settled(&w));
	/* the sleep is the measured interval: CPU used over 2 s of waiting */
	double c0 = cpu_s(), t0 = now_s();
	usleep(2000 * 1000);
	double cpu = cpu_s() - c0, wall = now_s() - t0;
	assert_int_equal(kill(d, SIGCONT), 0);
	pthread_join(th, NULL);
	print_message("waiting: %.3f s CPU in %.3f s\n", cpu, wall);
	assert_true(cpu < 0.2 * wall);
	assert_int_equal(w.ret, 0);
	assert_int_equal(rpmem_close(rpp), 0);
	cleanup_pool("stall.set");
	free(pool);
}

/* does the fixture's sshd accept connections on [::1]:port? */
static int
listens_on_ipv6(int port)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in6 a;
	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((uint16_t)port);
	a.sin6_addr = in6addr_loopback;
	int ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

int
main(int argc, char *argv[])
{
	(void)argc;
	if (getenv("RPMEM_TEST_DIR") == NULL) {
		const char *bin = getenv("RPMEMD_BIN");
		const char *fx = getenv("SSHD_FIXTURE_DIR");
		if (bin == NULL || fx == NULL) {
			fprintf(stderr, "RPMEMD_BIN and SSHD_FIXTURE_DIR "
					"must be set\n");
			return 1;
		}
		char path[1024], target[512], dir[32] = "/tmp/rpmem-e2e.";
		/* mkdtemp's template: six trailing capital X */
		memset(dir + strlen(dir), 'X', 6);
		snprintf(path, sizeof(path), "%s/target", fx);
		if (read_line(path, target, sizeof(target))) {
			fprintf(stderr, "no sshd fixture target in %s\n", path);
			return 1;
		}
		if (mkdtemp(dir) == NULL)
			return 1;
		chmod(dir, 0755);
		/* RPMEM_TEST_APM: pmem forced and APM enabled on the daemon */
		/* RPMEM_TEST_DAEMON_ENV: "VAR=value " words for rpmemd */
		/* RPMEM_TEST_DAEMON_ULIMIT: "ulimit" options for rpmemd's
		 * shell (e.g. "-n 1024", "-Sn 64") */
		char pre[512];
		const char *denv = getenv("RPMEM_TEST_DAEMON_ENV");
		const char *dlim = getenv("RPMEM_TEST_DAEMON_ULIMIT");
		snprintf(pre, sizeof(pre), "%s%s%s%s%s%s",
			dlim ? "ulimit " : "", dlim ? dlim : "",
			dlim ? " && exec env " : "",
			getenv("RPMEM_TEST_APM") ? "PMEM_IS_PMEM_FORCE=1 " : "",
			denv ? denv : "", denv ? " " : "");
		const char *opt = getenv("RPMEM_TEST_APM")
					  ? " --allow-sockets --persist-apm"
					  : " --allow-sockets";
		char cmd[4096];
		snprintf(cmd, sizeof(cmd),
			"%s%s --poolset-dir=%s --log-file=%s/a.log "
			"--log-level=info%s|%s%s --poolset-dir=%s "
			"--log-file=%s/b.log --log-level=info%s",
			pre, bin, dir, dir, opt, pre, bin, dir, dir, opt);
		setenv("RPMEM_CMD", cmd, 1);
		snprintf(path, sizeof(path), "%s/ssh", fx);
		setenv("RPMEM_SSH", path, 1);
		setenv("RPMEM_TEST_DIR", dir, 1);
		setenv("RPMEM_TEST_TARGET", target, 1);
		if (getenv("RPMEM_PROVIDER") == NULL)
			setenv("RPMEM_PROVIDER", "tcp", 1);
		char line[256];
		snprintf(path, sizeof(path), "%s/user", fx);
		if (read_line(path, line, sizeof(line)) == 0)
			setenv("RPMEM_TEST_USER", line, 1);
		snprintf(path, sizeof(path), "%s/port", fx);
		char port[64];
		if (read_line(path, port, sizeof(port)) == 0) {
			char t6[128];
			snprintf(t6, sizeof(t6), "[::1]:%s", port);
			if (getenv("RPMEM_TEST_TARGET6") == NULL &&
				listens_on_ipv6(atoi(port)))
				setenv("RPMEM_TEST_TARGET6", t6, 1);
		}
		/* RPMEM_TEST_NOFILE: this side's descriptor limit (both) */
		const char *nofile = getenv("RPMEM_TEST_NOFILE");
		if (nofile != NULL) {
			rlim_t n = (rlim_t)strtoul(nofile, NULL, 10);
			struct rlimit rl = {n, n};
			if (setrlimit(RLIMIT_NOFILE, &rl)) {
				perror("setrlimit");
				return 1;
			}
		}
		pid_t pid = fork();
		if (pid == 0) {
			exec_self(argv);
			_exit(127);
		}
		int status = 1;
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) &&
			(WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 77))
			rm_tree(dir);
		else
			fprintf(stderr, "pool set directory kept: %s\n", dir);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	if (setup_child())
		return 1;
	/* SIGPIPE keeps its default action: a dead peer must not kill us */
	/* ctest runs each group on its own: RPMEM_TEST_FILTER=<test name> */
	const char *filter = getenv("RPMEM_TEST_FILTER");
	if (filter != NULL && filter[0] != '\0')
		cmocka_set_test_filter(filter);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_remote_errors),
		cmocka_unit_test(test_daemon_errors),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_bad_ops),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_nohdrs),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_targets_ipv6),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_provider_choice),
		cmocka_unit_test(test_max_nlanes),
		cmocka_unit_test(test_nofile),
		cmocka_unit_test(test_leaks),
		cmocka_unit_test(test_big_persist),
		cmocka_unit_test(test_kill_daemon),
		cmocka_unit_test(test_kill_ssh),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_stalled_cpu),
	};
	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
