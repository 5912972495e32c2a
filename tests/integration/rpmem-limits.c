/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-limits.c -- librpmem and rpmemd at the edges of size and space
 *
 * usage: rpmem-limits big|full|sparse|killcreate|killclient|msync|msyncbig|
 *        sigbus <target> <dir>
 * (RPMEM_SSH / RPMEM_CMD are set by rpmem-limits.sh)
 *
 * big:  a 5 GiB sparse pool: persists and reads around and beyond the
 *       4 GiB boundary reach the remote part file at the same offsets.
 * full: creating a pool larger than the remote file system fails with a
 *       clear error, leaves no part file behind, and the next create of a
 *       pool that fits works.
 * sparse: an existing sparse part is reserved when the pool is opened,
 *       and one larger than the free space fails the open with ENOSPC
 *       naming the part (it used to be served, and a write to a page
 *       without a block then killed rpmemd with SIGBUS).
 * killcreate: rpmemd is killed (SIGKILL) at varying moments of create
 *       (RPMEM_CMD arranges it); every create either works or fails with a
 *       connection errno within seconds, and no child or descriptor leaks.
 * killclient: a client process is killed in the middle of persists; its
 *       rpmemd exits by itself, and the pool reopens with every persist
 *       that returned before the kill.
 * msync: the msync of a persist fails in rpmemd (fault injection:
 *       RPMEM_CMD makes the 2nd msync of the first rpmemd and the 1st of
 *       the second, on pmem, fail): rpmem_persist and rpmem_deep_persist
 *       fail, never succeed, with rpmemd's reason in the message; what was
 *       acknowledged before is in the part file.
 * msyncbig: a persist of 3 MiB, which the client sends as 12 chunks of
 *       256 KiB with a persist message each (pipelined), while rpmemd fails
 *       the msync of the 1st, the 6th and the last chunk in turn (one
 *       rpmemd per session, fault injection): the call fails every time,
 *       so it is acknowledged only when every chunk was made durable.
 * sigbus: the part file is cut short under a serving rpmemd; the persist
 *       that hits the missing page fails, and the message names the part
 *       and the offset (rpmemd's fatal-signal line).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <librpmem.h>

#include "check.h"
#include "test_util.h"

static void
write_set(const char *dir, const char *name, const char *size)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.set", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fprintf(f, "PMEMPOOLSET\n%s %s/%s.part\n", size, dir, name);
	fclose(f);
}

static void
attr_init(struct rpmem_pool_attr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, "LIMITS", 7);
	a->major = 1;
}

/* the message of the last failed call holds every one of the words */
static int
says(const char *w1, const char *w2, const char *w3)
{
	const char *msg = rpmem_errormsg();
	return strstr(msg, w1) && strstr(msg, w2) && (!w3 || strstr(msg, w3));
}

static void
part_path(char *path, size_t len, const char *dir, const char *name)
{
	snprintf(path, len, "%s/%s.part", dir, name);
}

static void
test_big(const char *target, const char *dir)
{
	const size_t size = (size_t)5 << 30;
	write_set(dir, "big", "5G");
	char *pool = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(pool != MAP_FAILED, "mmap 5 GiB");
	if (pool == MAP_FAILED)
		return;
	struct rpmem_pool_attr attr;
	attr_init(&attr);
	unsigned nlanes = 2;
	RPMEMpool *rpp =
		rpmem_create(target, "big.set", pool, size, &nlanes, &attr);
	CHECK(rpp != NULL, "create a 5 GiB pool");
	if (rpp == NULL)
		goto out;

	const size_t offs[] = {4096, ((size_t)4 << 30) - 100,
		((size_t)4 << 30) + 4096 * 3, size - 8192};
	const size_t len = 8192;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (size_t k = 0; k < len; k++)
			pool[offs[i] + k] = (char)(k * 13 + i);
		CHECK(rpmem_persist(
			      rpp, offs[i], len, (unsigned)i % nlanes, 0) == 0,
			"persist at %zu", offs[i]);
	}
	CHECK(rpmem_persist(rpp, size - 100, 101, 0, 0) == -1 &&
			errno == EINVAL,
		"a range past the end of a 5 GiB pool is EINVAL");
	char *back = malloc(len);
	for (size_t i = 0; back && i < sizeof(offs) / sizeof(offs[0]); i++) {
		memset(back, 0, len);
		CHECK(rpmem_read(rpp, back, offs[i], len, 0) == 0,
			"read at %zu", offs[i]);
		CHECK(memcmp(back, pool + offs[i], len) == 0,
			"read back at %zu", offs[i]);
	}
	CHECK(rpmem_close(rpp) == 0, "close");

	char part[4096];
	snprintf(part, sizeof(part), "%s/big.part", dir);
	int fd = open(part, O_RDONLY);
	CHECK(fd >= 0, "open %s", part);
	for (size_t i = 0;
		fd >= 0 && back && i < sizeof(offs) / sizeof(offs[0]); i++) {
		CHECK(pread(fd, back, len, (off_t)offs[i]) == (ssize_t)len,
			"pread at %zu", offs[i]);
		CHECK(memcmp(back, pool + offs[i], len) == 0,
			"part file at %zu", offs[i]);
	}
	if (fd >= 0)
		close(fd);
	free(back);
	CHECK(rpmem_remove(target, "big.set", 0) == 0, "remove");
out:
	munmap(pool, size);
}

static void
test_full(const char *target, const char *dir)
{
	/* the file system holds 8 MiB: a 64 MiB pool cannot be created */
	const size_t size = (size_t)64 << 20;
	write_set(dir, "huge", "64M");
	char *pool = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		exit(2);
	struct rpmem_pool_attr attr;
	attr_init(&attr);
	unsigned nlanes = 1;
	RPMEMpool *rpp =
		rpmem_create(target, "huge.set", pool, size, &nlanes, &attr);
	int err = errno;
	CHECK(rpp == NULL, "create on a full file system fails");
	if (rpp != NULL)
		rpmem_close(rpp);
	CHECK(err > 0, "errno is a positive value (%d)", err);
	const char *msg = rpmem_errormsg();
	CHECK(msg[0] != '\0' && strcmp(msg, "Success") != 0,
		"a message is given: '%s'", msg);
	printf("full disk: errno %d (%s), message: %s\n", err, strerror(err),
		msg);
	char part[4096];
	part_path(part, sizeof(part), dir, "huge");
	CHECK(says("No space left on device", part, NULL),
		"the message names the part and the lack of space");
	CHECK(access(part, F_OK) != 0, "no part file is left behind");

	/* the daemon and the file system are fine for a pool that fits */
	write_set(dir, "small", "4M");
	nlanes = 1;
	rpp = rpmem_create(
		target, "small.set", pool, (size_t)4 << 20, &nlanes, &attr);
	CHECK(rpp != NULL, "create a pool that fits");
	if (rpp != NULL) {
		memset(pool + 4096, 0x77, 4096);
		CHECK(rpmem_persist(rpp, 4096, 4096, 0, 0) == 0, "persist");
		CHECK(rpmem_close(rpp) == 0, "close");
		CHECK(rpmem_remove(target, "small.set", 0) == 0, "remove");
	}
	munmap(pool, size);
}

#define SMALL_POOL ((size_t)4 << 20)

/* a new pool of SMALL_POOL bytes, name.set with one part in dir (its
 * path in part, PATH_LEN bytes), and the local memory for it in *pool */
#define PATH_LEN 4096
static RPMEMpool *
small_pool(const char *target, const char *dir, const char *name, char **pool,
	char *part)
{
	part_path(part, PATH_LEN, dir, name);
	char set[64];
	snprintf(set, sizeof(set), "%s.set", name);
	write_set(dir, name, "4M");
	*pool = mmap(NULL, SMALL_POOL, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*pool == MAP_FAILED)
		exit(2);
	struct rpmem_pool_attr attr;
	attr_init(&attr);
	unsigned nlanes = 1;
	RPMEMpool *rpp =
		rpmem_create(target, set, *pool, SMALL_POOL, &nlanes, &attr);
	CHECK(rpp != NULL, "create %s", set);
	return rpp;
}

/* bytes the file system has allocated to a part */
static long long
part_blocks(const char *dir, const char *name)
{
	char path[4096];
	part_path(path, sizeof(path), dir, name);
	struct stat st;
	return stat(path, &st) ? -1 : (long long)st.st_blocks * 512;
}

/* the part of set name becomes a sparse file of size bytes: only its first
 * keep bytes (header and data) have blocks */
static void
make_sparse(const char *dir, const char *name, size_t keep, size_t size)
{
	char path[4096];
	part_path(path, sizeof(path), dir, name);
	char *buf = malloc(keep);
	int fd = open(path, O_RDONLY);
	int ok = buf && fd >= 0 && pread(fd, buf, keep, 0) == (ssize_t)keep;
	if (fd >= 0)
		close(fd);
	ok = ok && unlink(path) == 0;
	fd = ok ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600) : -1;
	ok = fd >= 0 && pwrite(fd, buf, keep, 0) == (ssize_t)keep &&
	     ftruncate(fd, (off_t)size) == 0;
	CHECK(ok, "rewrite %s as a sparse file of %zu bytes", path, size);
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void
test_sparse(const char *target, const char *dir)
{
	/* the file system holds 8 MiB */
	const size_t size = SMALL_POOL;
	char *pool, path[PATH_LEN];
	RPMEMpool *rpp = small_pool(target, dir, "sp", &pool, path);
	if (rpp == NULL)
		goto out;
	memset(pool + 4096, 0x5c, 4096);
	CHECK(rpmem_persist(rpp, 4096, 4096, 0, 0) == 0, "persist");
	CHECK(rpmem_close(rpp) == 0, "close");
	make_sparse(dir, "sp", 8192, size);
	CHECK(part_blocks(dir, "sp") < (long long)size, "the part is sparse");

	/* an existing sparse part that fits: its blocks are reserved */
	unsigned nlanes = 1;
	rpp = rpmem_open(target, "sp.set", pool, size, &nlanes, NULL);
	CHECK(rpp != NULL, "open a sparse part that fits");
	long long got = part_blocks(dir, "sp");
	CHECK(got >= (long long)size,
		"open reserved the part's blocks (%lld of %zu bytes)", got,
		size);
	if (rpp != NULL)
		CHECK(rpmem_close(rpp) == 0, "close");

	/* a sparse part larger than the free space: the open fails */
	CHECK(truncate(path, (off_t)64 << 20) == 0, "grow the part");
	write_set(dir, "sp", "64M");
	nlanes = 1;
	errno = 0;
	rpp = rpmem_open(target, "sp.set", pool, size, &nlanes, NULL);
	int err = errno;
	CHECK(rpp == NULL, "open of a 64 MiB sparse part on 8 MiB fails");
	if (rpp != NULL)
		rpmem_close(rpp);
	printf("sparse part too large: errno %d (%s), message: %s\n", err,
		strerror(err), rpmem_errormsg());
	CHECK(err > 0, "errno is set (%d)", err);
	CHECK(says("No space left on device", path, NULL),
		"the message names the part and the lack of space");
out:
	munmap(pool, size);
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (d && readdir(d) != NULL)
		n++;
	if (d)
		closedir(d);
	return n;
}

static void
test_killcreate(const char *target, const char *dir)
{
	const size_t size = (size_t)8 << 20;
	write_set(dir, "kc", "8M");
	char *pool = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		exit(2);
	struct rpmem_pool_attr attr;
	attr_init(&attr);
	int fds = -1, worked = 0, failed = 0;
	for (int i = 0; i < 8; i++) {
		unsigned nlanes = 2;
		RPMEMpool *rpp =
			rpmem_open(target, "kc.set", pool, size, &nlanes, NULL);
		if (rpp == NULL)
			rpp = rpmem_create(
				target, "kc.set", pool, size, &nlanes, &attr);
		int err = errno;
		if (rpp == NULL) {
			failed++;
			CHECK(err == ECONNRESET || err == EPIPE ||
					err == ECONNABORTED ||
					err == EREMOTEIO || err == ENOENT ||
					err == EEXIST,
				"a connection errno, got %d", err);
			CHECK(rpmem_errormsg()[0] != '\0', "a message");
		} else {
			worked++;
			/* the daemon may be killed under our feet now */
			(void)rpmem_persist(rpp, 4096, 4096, 0, 0);
			(void)rpmem_close(rpp);
		}
		CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD,
			"no child left");
		if (fds < 0)
			fds = count_fds();
		else
			CHECK(count_fds() == fds, "no descriptor left");
	}
	printf("killcreate: %d worked, %d failed cleanly\n", worked, failed);
	CHECK(failed > 0, "the daemon was killed at least once");
	munmap(pool, size);
}

static void
test_killclient(const char *target, const char *dir)
{
	const size_t size = (size_t)8 << 20;
	write_set(dir, "kcl", "8M");
	char *pool = mmap(NULL, size, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/* the child reports in here how far its persists got */
	volatile size_t *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED || done == MAP_FAILED)
		exit(2);
	*done = 0;
	pid_t child = fork();
	if (child == 0) {
		struct rpmem_pool_attr attr;
		attr_init(&attr);
		unsigned nlanes = 1;
		RPMEMpool *rpp = rpmem_create(
			target, "kcl.set", pool, size, &nlanes, &attr);
		if (rpp == NULL)
			_exit(3);
		for (size_t i = 1;; i++) {
			size_t off = 4096 + (i * 4096) % (size - 8192);
			memset(pool + off, (int)(i & 0xff), 4096);
			if (rpmem_persist(rpp, off, 4096, 0, 0))
				_exit(4);
			*done = i;
		}
	}
	/* progress, not time: 200 persists returned, or the child is gone */
	int gone = 0;
	for (int ms = 0; *done < 200 && !gone && ms < test_wait_ms(30000);
		ms++) {
		gone = waitpid(child, NULL, WNOHANG) == child;
		usleep(1000);
	}
	CHECK(*done >= 200, "the client persisted (%zu)", (size_t)*done);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	size_t last = *done;

	/* its rpmemd notices and exits: the pool can be opened again */
	RPMEMpool *rpp = NULL;
	unsigned nlanes = 1;
	struct rpmem_pool_attr got;
	unsigned tries = 0;
	/* until its rpmemd is gone (EBUSY before), at most about 30 s */
	while (rpp == NULL && tries * 100 < (unsigned)test_wait_ms(30000)) {
		nlanes = 1;
		tries++;
		rpp = rpmem_open(target, "kcl.set", pool, size, &nlanes, &got);
		if (rpp != NULL || errno != EBUSY)
			break;
		usleep(100 * 1000);
	}
	CHECK(rpp != NULL, "reopen after the client was killed (%u tries)",
		tries);
	printf("killclient: reopened at attempt %u\n", tries);
	if (rpp == NULL)
		return;
	CHECK(memcmp(got.signature, "LIMITS", 7) == 0, "header intact");
	/*
	 * the last 100 persists that returned are there: slots are reused only
	 * every (size - 8192) / 4096 persists, far more than 100
	 */
	char *back = malloc(4096);
	for (size_t i = last > 100 ? last - 99 : 1; back && i <= last; i++) {
		size_t off = 4096 + (i * 4096) % (size - 8192);
		CHECK(rpmem_read(rpp, back, off, 4096, 0) == 0, "read");
		size_t k = 0;
		while (k < 4096 && back[k] == (char)(i & 0xff))
			k++;
		CHECK(k == 4096, "persist %zu of %zu intact", i, last);
	}
	free(back);
	CHECK(rpmem_close(rpp) == 0, "close");
	CHECK(rpmem_remove(target, "kcl.set", 0) == 0, "remove");
	munmap(pool, size);
}

/* a page of pattern c at off, persisted (or deep persisted) */
static int
persist_page(RPMEMpool *rpp, char *pool, size_t off, int c, int deep)
{
	memset(pool + off, c, 4096);
	errno = 0;
	return deep ? rpmem_deep_persist(rpp, off, 4096, 0)
		    : rpmem_persist(rpp, off, 4096, 0, 0);
}

/* the call failed, with rpmemd's reason; later calls on rpp fail too */
static void
check_unacked(
	RPMEMpool *rpp, char *pool, int ret, const char *what, const char *part)
{
	int err = errno;
	CHECK(ret == -1, "%s whose msync failed in rpmemd fails", what);
	CHECK(err != 0, "%s: errno is set", what);
	printf("%s: errno %d (%s), message: %s\n", what, err, strerror(err),
		rpmem_errormsg());
	CHECK(says("not acknowledged", part, "Input/output error"),
		"%s: the message gives rpmemd's reason", what);
	CHECK(persist_page(rpp, pool, 8192, 0x11, 0) == -1,
		"%s: the session is over", what);
	(void)rpmem_close(rpp); /* returns; its result is secondary */
}

static void
test_msync(const char *target, const char *dir)
{
	/* the first rpmemd: not pmem, its second msync fails */
	char *pool, part[PATH_LEN];
	RPMEMpool *rpp = small_pool(target, dir, "ms", &pool, part);
	if (rpp == NULL)
		goto out;
	CHECK(persist_page(rpp, pool, 4096, 0x21, 0) == 0, "first persist");
	int ret = persist_page(rpp, pool, 3 * 4096, 0x22, 0);
	check_unacked(rpp, pool, ret, "rpmem_persist", part);
	char back[4096];
	int fd = open(part, O_RDONLY);
	CHECK(fd >= 0 && pread(fd, back, 4096, 4096) == 4096 &&
			memcmp(back, pool + 4096, 4096) == 0,
		"the acknowledged persist is in the part file");
	if (fd >= 0)
		close(fd);

	/* the second rpmemd: pmem, the msync of a deep persist fails */
	unsigned nlanes = 1;
	rpp = rpmem_open(target, "ms.set", pool, SMALL_POOL, &nlanes, NULL);
	CHECK(rpp != NULL, "open");
	if (rpp == NULL)
		goto out;
	CHECK(persist_page(rpp, pool, 4096, 0x23, 0) == 0,
		"a persist on pmem (no msync)");
	ret = persist_page(rpp, pool, 4096, 0x24, 1);
	check_unacked(rpp, pool, ret, "rpmem_deep_persist", part);
	CHECK(rpmem_remove(target, "ms.set", 0) == 0, "remove");
out:
	munmap(pool, SMALL_POOL);
}

#define BIG_PERSIST ((size_t)3 << 20)

static void
test_msyncbig(const char *target, const char *dir)
{
	static const char *const names[] = {"mb1", "mb6", "mb12"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *pool, part[PATH_LEN];
		RPMEMpool *rpp = small_pool(target, dir, names[i], &pool, part);
		if (rpp != NULL) {
			memset(pool + 4096, 0x40 + (int)i, BIG_PERSIST);
			errno = 0;
			int ret = rpmem_persist(rpp, 4096, BIG_PERSIST, 0, 0);
			check_unacked(rpp, pool, ret, names[i], part);
		}
		munmap(pool, SMALL_POOL);
	}
}

static void
test_sigbus(const char *target, const char *dir)
{
	char *pool, part[PATH_LEN];
	RPMEMpool *rpp = small_pool(target, dir, "sb", &pool, part);
	if (rpp == NULL)
		goto out;
	CHECK(persist_page(rpp, pool, 4096, 0x31, 0) == 0, "persist");
	/* the page at 1 MiB has no file behind it any more */
	CHECK(truncate(part, 8192) == 0, "cut the part file short");
	memset(pool + (1 << 20), 0x32, 64);
	errno = 0;
	int ret = rpmem_persist(rpp, 1 << 20, 64, 0, 0);
	int err = errno;
	CHECK(ret == -1, "a persist to a page without a file fails");
	printf("sigbus: errno %d (%s), message: %s\n", err, strerror(err),
		rpmem_errormsg());
	CHECK(says("fatal signal 7 at offset 1048576 of part", part, NULL),
		"the message names the part and the offset");
	(void)rpmem_close(rpp);
out:
	munmap(pool, SMALL_POOL);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char *name;
		void (*fn)(const char *target, const char *dir);
	} modes[] = {
		{"big", test_big},
		{"full", test_full},
		{"sparse", test_sparse},
		{"killcreate", test_killcreate},
		{"killclient", test_killclient},
		{"msync", test_msync},
		{"msyncbig", test_msyncbig},
		{"sigbus", test_sigbus},
	};
	for (size_t i = 0; argc == 4 && i < sizeof(modes) / sizeof(modes[0]);
		i++) {
		if (strcmp(argv[1], modes[i].name) == 0) {
			modes[i].fn(argv[2], argv[3]);
			return check_summary();
		}
	}
	fprintf(stderr,
		"usage: %s big|full|sparse|killcreate|killclient|msync|"
		"msyncbig|sigbus <target> <dir>\n",
		argv[0]);
	return 2;
}
