/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd-db.c -- unit tests of the rpmemd pool set database and headers */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_skip.h"

#include "db.h"
#include "rpmemd_hdr.h"

/* the running machine's arch flags as 16 bytes (rpmem attribute form) */
static void
host_arch_flags(unsigned char out[16])
{
	struct pool_hdr_arch a;
	pool_hdr_arch_local(&a);
	memcpy(out, &a, sizeof(a));
}

#define MB (1UL << 20)

static char root[64];	 /* the database directory */
static char outside[64]; /* a directory next to it */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
pathf(char *out, const char *fmt, const char *a)
{
	snprintf(out, PATH_MAX, fmt, a);
}

static int
group_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/rpmemd-db-XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/rpmemd-out-XXXXXX");
	if (!mkdtemp(root) || !mkdtemp(outside))
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, outside);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_resolve(void **state)
{
	(void)state;
	struct rpmemd_db db;
	char p[PATH_MAX], q[PATH_MAX];
	assert_int_equal(rpmemd_db_init(&db, "relative"), -EINVAL);
	assert_int_equal(rpmemd_db_init(&db, "/nonexistent-dir"), -ENOENT);
	assert_int_equal(rpmemd_db_init(&db, root), 0);

	pathf(p, "%s/in.set", root);
	write_file(p, "x");
	pathf(p, "%s/sub", root);
	mkdir(p, 0700);
	pathf(p, "%s/sub/deep.set", root);
	write_file(p, "x");
	pathf(p, "%s/secret.set", outside);
	write_file(p, "x");
	/* symlinks: one leaving the directory, one staying inside */
	pathf(q, "%s/out-link.set", root);
	assert_int_equal(symlink(p, q), 0);
	pathf(p, "%s/in.set", root);
	pathf(q, "%s/in-link.set", root);
	assert_int_equal(symlink(p, q), 0);
	pathf(q, "%s/dirlink", root);
	assert_int_equal(symlink(outside, q), 0);

	char *path = NULL;
	assert_int_equal(rpmemd_db_resolve(&db, "in.set", &path), 0);
	pathf(p, "%s/in.set", root);
	assert_string_equal(path, p);
	free(path);
	assert_int_equal(rpmemd_db_resolve(&db, "sub/deep.set", &path), 0);
	free(path);
	assert_int_equal(rpmemd_db_resolve(&db, "./sub//deep.set", &path), 0);
	free(path);
	assert_int_equal(rpmemd_db_resolve(&db, "in-link.set", &path), 0);
	free(path);

	static const char *const refused[] = {
		"/etc/passwd",
		"../x.set",
		"sub/../in.set",
		"sub/..",
		"..",
		"out-link.set",
		"dirlink/secret.set",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		path = NULL;
		int ret = rpmemd_db_resolve(&db, refused[i], &path);
		if (ret != -EBADF)
			fail_msg("'%s' gave %d", refused[i], ret);
		assert_null(path);
	}
	char rel[128];
	snprintf(rel, sizeof(rel), "../%s/secret.set", outside + 5);
	assert_int_equal(rpmemd_db_resolve(&db, rel, &path), -EBADF);
	assert_int_equal(rpmemd_db_resolve(&db, "missing.set", &path), -ENOENT);
	assert_int_equal(rpmemd_db_resolve(&db, "", &path), -EINVAL);
	rpmemd_db_fini(&db);
}

static void
make_set(const char *name, const char *opt)
{
	char p[PATH_MAX], text[1024];
	snprintf(p, sizeof(p), "%s/%s", root, name);
	snprintf(text, sizeof(text),
		"PMEMPOOLSET\n%s2M %s/%s.p0\n2M %s/%s.p1\n", opt, root, name,
		root, name);
	write_file(p, text);
}

static void
read_hdr(const char *name, int part, struct pool_hdr *h)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s.p%d", root, name, part);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, h, sizeof(*h), 0), (ssize_t)sizeof(*h));
	close(fd);
}

static int
file_exists(const char *name, const char *suffix)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s%s", root, name, suffix);
	return access(p, F_OK) == 0;
}

static struct rpmem_pool_attr_packed
some_attr(void)
{
	struct rpmem_pool_attr_packed a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "PMEMOBJ", 8);
	a.major = 6;
	a.compat_features = 1;
	a.incompat_features = 0x6;
	memset(a.poolset_uuid, 0xa1, 16);
	memset(a.uuid, 0xb2, 16);
	memset(a.next_uuid, 0xc3, 16);
	memset(a.prev_uuid, 0xd4, 16);
	return a;
}

static int
is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

static void
test_create_open(void **state)
{
	(void)state;
	struct rpmemd_db db;
	assert_int_equal(rpmemd_db_init(&db, root), 0);
	make_set("a.set", "");
	struct rpmem_pool_attr_packed a = some_attr();
	struct rpmemd_db_pool *pool;
	assert_int_equal(rpmemd_db_pool_create(&db, "a.set", &a, &pool), 0);
	assert_int_equal(pool->size, 4 * MB - 4096);
	assert_int_equal(pool->has_hdrs, 1);
	assert_int_equal(pool->created, 1);
	/* part files are the ssh user's alone, whatever the umask */
	for (int i = 0; i < 2; i++) {
		char part[PATH_MAX];
		struct stat st;
		snprintf(part, sizeof(part), "%s/a.set.p%d", root, i);
		assert_int_equal(stat(part, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	/* the header is part of the mapping at offset 0 */
	assert_memory_equal(pool->addr, "PMEMOBJ", 8);

	/* a second open of the same pool is busy */
	struct rpmemd_db_pool *p2;
	struct rpmem_pool_attr_packed got;
	assert_int_equal(
		rpmemd_db_pool_open(&db, "a.set", &p2, &got), -EWOULDBLOCK);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);

	/* on-disk headers per doc/protocol.md §6 */
	struct pool_hdr h0, h1;
	read_hdr("a.set", 0, &h0);
	read_hdr("a.set", 1, &h1);
	assert_memory_equal(h0.signature, "PMEMOBJ", 8);
	assert_int_equal(h0.major, 6);
	assert_int_equal(h0.compat, 1);
	assert_int_equal(h0.incompat, 6);
	assert_memory_equal(h0.poolset_uuid, a.poolset_uuid, 16);
	assert_memory_equal(h1.poolset_uuid, a.poolset_uuid, 16);
	assert_memory_equal(h0.uuid, a.uuid, 16);
	assert_memory_not_equal(h1.uuid, a.uuid, 16);
	assert_memory_equal(h0.next_part_uuid, h1.uuid, 16);
	assert_memory_equal(h0.prev_part_uuid, h1.uuid, 16);
	assert_memory_equal(h1.next_part_uuid, h0.uuid, 16);
	assert_memory_equal(h0.next_repl_uuid, a.next_uuid, 16);
	assert_memory_equal(h1.prev_repl_uuid, a.prev_uuid, 16);
	unsigned char host[16];
	host_arch_flags(host);
	assert_memory_equal((unsigned char *)&h0.arch, host, 16);
#if defined(__x86_64__)
	static const unsigned char x86[16] = {0x10, 0x73, 0x77, 0x37, 0xf7,
		0x07, 0, 0, 2, 1, 0, 0, 0, 0, 0x3e, 0};
	assert_memory_equal(host, x86, 16);
#endif
	assert_true(h0.crtime > 0);
	assert_int_equal(h0.checksum, pool_hdr_checksum(&h0));
	assert_int_equal(h1.checksum, pool_hdr_checksum(&h1));
	assert_true(is_zero(h0.unused, sizeof(h0.unused)));

	/* open returns the attributes; user_flags = arch flags */
	assert_int_equal(rpmemd_db_pool_open(&db, "a.set", &pool, &got), 0);
	assert_int_equal(pool->created, 0);
	assert_memory_equal(got.signature, a.signature, 8);
	assert_int_equal(got.major, 6);
	assert_int_equal(got.compat_features, 1);
	assert_int_equal(got.incompat_features, 6);
	assert_memory_equal(got.poolset_uuid, a.poolset_uuid, 16);
	assert_memory_equal(got.uuid, a.uuid, 16);
	assert_memory_equal(got.next_uuid, a.next_uuid, 16);
	assert_memory_equal(got.prev_uuid, a.prev_uuid, 16);
	assert_memory_equal(got.user_flags, host, 16);

	/* set_attr rewrites the headers; reopen shows the new values */
	struct rpmem_pool_attr_packed n = a;
	memcpy(n.signature, "NEWSIG\0", 8);
	n.major = 7;
	memset(n.uuid, 0xe5, 16);
	memset(n.user_flags, 0x42, 16);
	assert_int_equal(rpmemd_db_pool_set_attr(pool, &n), 0);
	assert_int_equal(rpmemd_db_pool_set_attr(pool, NULL), -EINVAL);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);
	assert_int_equal(rpmemd_db_pool_open(&db, "a.set", &pool, &got), 0);
	assert_memory_equal(got.signature, "NEWSIG\0", 8);
	assert_int_equal(got.major, 7);
	assert_memory_equal(got.uuid, n.uuid, 16);
	assert_memory_equal(got.user_flags, n.user_flags, 16);
	read_hdr("a.set", 1, &h1);
	assert_memory_equal(h1.next_part_uuid, n.uuid, 16);

	/* a header page written over (as a remote write could) never
	 * reaches the file and is put back in the mapping; set_attr's
	 * header counts as rpmemd's own */
	assert_int_equal(rpmemd_db_pool_guard_hdr(pool), 0);
	unsigned char saved[4096];
	memcpy(saved, pool->addr, sizeof(saved));
	memset(pool->addr, 0xAA, 64);
	memset((char *)pool->addr + 4000, 0x55, 96);
	struct pool_hdr on_disk;
	read_hdr("a.set", 0, &on_disk);
	assert_memory_equal(&on_disk, saved, sizeof(saved));
	assert_int_equal(rpmemd_db_pool_guard_hdr(pool), 1);
	assert_memory_equal(pool->addr, saved, sizeof(saved));
	assert_int_equal(rpmemd_db_pool_guard_hdr(pool), 0);
	/* data after the header page is the client's: left alone */
	memset((char *)pool->addr + 4096, 0x77, 16);
	assert_int_equal(rpmemd_db_pool_guard_hdr(pool), 0);
	assert_int_equal(((unsigned char *)pool->addr)[4096], 0x77);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);

	/* creating over a pool with headers: EEXIST, parts untouched */
	assert_int_equal(
		rpmemd_db_pool_create(&db, "a.set", &a, &pool), -EEXIST);
	assert_true(file_exists("a.set", ".p0"));

	/* a spoiled checksum makes open fail */
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/a.set.p1", root);
	int fd = open(p, O_RDWR);
	assert_int_equal(pwrite(fd, "X", 1, 200), 1);
	close(fd);
	assert_int_equal(
		rpmemd_db_pool_open(&db, "a.set", &pool, &got), -EINVAL);

	/* remove: parts gone, set file kept; then with pool_set */
	assert_int_equal(rpmemd_db_pool_remove(&db, "a.set", 0, 0), 0);
	assert_false(file_exists("a.set", ".p0"));
	assert_false(file_exists("a.set", ".p1"));
	assert_true(file_exists("a.set", ""));
	assert_int_equal(rpmemd_db_pool_remove(&db, "a.set", 0, 0), -ENOENT);
	assert_int_equal(rpmemd_db_pool_remove(&db, "a.set", 1, 1), 0);
	/* force: a missing set file is no error; outside the directory is */
	assert_int_equal(
		rpmemd_db_pool_remove(&db, "missing.set", 0, 0), -ENOENT);
	assert_int_equal(rpmemd_db_pool_remove(&db, "missing.set", 1, 0), 0);
	assert_int_equal(rpmemd_db_pool_remove(&db, "missing.set", 1, 1), 0);
	assert_int_equal(rpmemd_db_pool_remove(&db, "../x.set", 1, 1), -EBADF);
	assert_non_null(strstr(rpmemd_db_strerror(-EBADF), "outside"));
	assert_false(file_exists("a.set", ""));
	assert_int_equal(
		rpmemd_db_pool_open(&db, "a.set", &pool, &got), -ENOENT);
	rpmemd_db_fini(&db);
}

/* created parts are 0600 whatever the umask; existing parts keep theirs */
static void
test_part_mode(void **state)
{
	(void)state;
	struct rpmemd_db db;
	assert_int_equal(rpmemd_db_init(&db, root), 0);
	make_set("m.set", "");
	/* the second part exists already, group and world readable */
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/m.set.p1", root);
	int fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(ftruncate(fd, 2 * MB), 0);
	close(fd);
	mode_t old = umask(0);
	struct rpmem_pool_attr_packed a = some_attr();
	struct rpmemd_db_pool *pool;
	int ret = rpmemd_db_pool_create(&db, "m.set", &a, &pool);
	umask(old);
	assert_int_equal(ret, 0);
	struct stat st;
	snprintf(p, sizeof(p), "%s/m.set.p0", root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(p, sizeof(p), "%s/m.set.p1", root);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_REMOVE_ALL), 0);
	rpmemd_db_fini(&db);
}

static void
test_options(void **state)
{
	(void)state;
	struct rpmemd_db db;
	assert_int_equal(rpmemd_db_init(&db, root), 0);
	struct rpmem_pool_attr_packed a = some_attr(), got;
	struct rpmemd_db_pool *pool;

	/* NOHDRS: no attributes allowed, zero attributes back */
	make_set("n.set", "OPTION NOHDRS\n");
	assert_int_equal(
		rpmemd_db_pool_create(&db, "n.set", &a, &pool), -EINVAL);
	assert_false(file_exists("n.set", ".p0"));
	assert_int_equal(rpmemd_db_pool_create(&db, "n.set", NULL, &pool), 0);
	assert_int_equal(pool->size, 4 * MB);
	assert_int_equal(rpmemd_db_pool_set_attr(pool, &a), -EINVAL);
	assert_int_equal(rpmemd_db_pool_set_attr(pool, NULL), 0);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);
	memset(&got, 0x55, sizeof(got));
	assert_int_equal(rpmemd_db_pool_open(&db, "n.set", &pool, &got), 0);
	assert_true(is_zero(&got, sizeof(got)));
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_REMOVE_ALL), 0);
	assert_false(file_exists("n.set", ".p0"));

	/* SINGLEHDR: needs attributes with incompat bit 0x1 */
	make_set("s.set", "OPTION SINGLEHDR\n");
	assert_int_equal(
		rpmemd_db_pool_create(&db, "s.set", NULL, &pool), -EINVAL);
	assert_int_equal(
		rpmemd_db_pool_create(&db, "s.set", &a, &pool), -EINVAL);
	a.incompat_features |= 1;
	memset(a.uuid, 0, 16);
	memset(a.poolset_uuid, 0, 16);
	memset(a.next_uuid, 0, 16);
	assert_int_equal(rpmemd_db_pool_create(&db, "s.set", &a, &pool), 0);
	assert_int_equal(pool->size, 4 * MB);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);
	struct pool_hdr h0, h1;
	read_hdr("s.set", 0, &h0);
	read_hdr("s.set", 1, &h1);
	assert_true(is_zero(&h1, sizeof(h1)));
	/* zero uuids were generated; single header links to itself */
	assert_false(is_zero(h0.uuid, 16));
	assert_false(is_zero(h0.poolset_uuid, 16));
	assert_memory_equal(h0.next_part_uuid, h0.uuid, 16);
	assert_memory_equal(h0.next_repl_uuid, h0.uuid, 16);
	assert_memory_equal(h0.prev_repl_uuid, a.prev_uuid, 16);
	assert_int_equal(rpmemd_db_pool_open(&db, "s.set", &pool, &got), 0);
	assert_memory_equal(got.uuid, h0.uuid, 16);
	assert_int_equal(got.incompat_features, 7);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_REMOVE_ALL), 0);

	/* a set with a replica is refused */
	char p[PATH_MAX], text[512];
	snprintf(p, sizeof(p), "%s/r.set", root);
	snprintf(text, sizeof(text),
		"PMEMPOOLSET\n2M %s/r.p0\nREPLICA\n2M %s/r.p1\n", root, root);
	write_file(p, text);
	assert_int_equal(
		rpmemd_db_pool_create(&db, "r.set", &a, &pool), -EINVAL);
	snprintf(text, sizeof(text),
		"PMEMPOOLSET\n2M %s/r.p0\nREPLICA host x.set\n", root);
	write_file(p, text);
	assert_int_equal(
		rpmemd_db_pool_open(&db, "r.set", &pool, &got), -EINVAL);
	assert_int_equal(rpmemd_db_pool_remove(&db, "r.set", 0, 0), -EINVAL);
	/* unparsable set: remove fails unless forced */
	write_file(p, "PMEMPOOLSET\nbroken\n");
	assert_int_equal(rpmemd_db_pool_remove(&db, "r.set", 0, 1), -EINVAL);
	assert_int_equal(access(p, F_OK), 0);
	assert_int_equal(rpmemd_db_pool_remove(&db, "r.set", 1, 1), 0);
	assert_int_equal(access(p, F_OK), -1);
	rpmemd_db_fini(&db);
}

/* bytes the file system has allocated to part n of a set */
static long long
part_blocks(const char *name, int n)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s.p%d", root, name, n);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	return (long long)st.st_blocks * 512;
}

/*
 * Addresses of the served pool map back to part and file offset (parts
 * after the first start at file offset 4096 when each has a header), and
 * an open reserves the blocks of a part that became sparse
 */
static void
test_locate_reserve(void **state)
{
	(void)state;
	struct rpmemd_db db;
	assert_int_equal(rpmemd_db_init(&db, root), 0);
	make_set("l.set", "");
	struct rpmem_pool_attr_packed a = some_attr();
	struct rpmemd_db_pool *pool;
	assert_int_equal(rpmemd_db_pool_create(&db, "l.set", &a, &pool), 0);
	const char *path;
	size_t off, pool_off;
	char *base = pool->addr;
	assert_int_equal(
		rpmemd_db_locate(base + 100, &path, &off, &pool_off), 0);
	assert_non_null(strstr(path, "/l.set.p0"));
	assert_int_equal(off, 100);
	assert_int_equal(pool_off, 100);
	/* the first byte of part 1 is its file offset 4096 */
	assert_int_equal(
		rpmemd_db_locate(base + 2 * MB, &path, &off, &pool_off), 0);
	assert_non_null(strstr(path, "/l.set.p1"));
	assert_int_equal(off, 4096);
	assert_int_equal(pool_off, 2 * MB);
	assert_int_equal(
		rpmemd_db_locate(base + pool->size, &path, &off, &pool_off),
		-1);
	assert_int_equal(
		rpmemd_db_locate(base - 1, &path, &off, &pool_off), -1);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);
	assert_int_equal(
		rpmemd_db_locate(base + 100, &path, &off, &pool_off), -1);

	/* part 1 loses its blocks (a hole); the open reserves them again */
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/l.set.p1", root);
	int fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(
		fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096,
			(off_t)(2 * MB - 4096)),
		0);
	close(fd);
	assert_true(part_blocks("l.set", 1) < (long long)(2 * MB));
	struct rpmem_pool_attr_packed got;
	assert_int_equal(rpmemd_db_pool_open(&db, "l.set", &pool, &got), 0);
	assert_true(part_blocks("l.set", 1) >= (long long)(2 * MB));
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_REMOVE_ALL), 0);
	rpmemd_db_fini(&db);
}

/* the checksum agrees with headers written by PMDK 1.12.1 itself */
static void
test_checksum_pmdk(void **state)
{
	(void)state;
	if (access("/usr/bin/pmempool", X_OK))
		TEST_SKIP("pmempool not installed, no PMDK cross-check\n");
	char p[PATH_MAX], cmd[PATH_MAX + 64];
	snprintf(p, sizeof(p), "%s/pmdk.pool", outside);
	snprintf(cmd, sizeof(cmd), "pmempool create obj --size 8M '%s'", p);
	assert_int_equal(system(cmd), 0);
	struct pool_hdr h;
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	close(fd);
	unlink(p);
	assert_int_equal(h.incompat & POOL_FEAT_CKSUM_2K, POOL_FEAT_CKSUM_2K);
	assert_int_equal(pool_hdr_checksum(&h), h.checksum);
	unsigned char host[16];
	host_arch_flags(host);
	assert_memory_equal((unsigned char *)&h.arch, host, 16);
	/* without CKSUM_2K the whole header counts */
	h.incompat &= ~POOL_FEAT_CKSUM_2K;
	uint64_t full = pool_hdr_checksum(&h);
	h.unused2[0] = 1;
	assert_int_not_equal(pool_hdr_checksum(&h), full);
}

/* a remove without force checks every part first: one missing, in use or
 * not a regular file, and nothing is removed; the message names it */
static void
test_remove_all_or_none(void **state)
{
	(void)state;
	struct rpmemd_db db;
	assert_int_equal(rpmemd_db_init(&db, root), 0);
	make_set("m.set", "");
	struct rpmem_pool_attr_packed a = some_attr();
	struct rpmemd_db_pool *pool;
	assert_int_equal(rpmemd_db_pool_create(&db, "m.set", &a, &pool), 0);
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);
	char p0[PATH_MAX];
	snprintf(p0, sizeof(p0), "%s/m.set.p0", root);

	/* in use: nothing removed */
	assert_int_equal(rpmemd_db_pool_open(&db, "m.set", &pool, &a), 0);
	assert_int_equal(
		rpmemd_db_pool_remove(&db, "m.set", 0, 1), -EWOULDBLOCK);
	assert_non_null(strstr(rpmemd_db_strerror(-EWOULDBLOCK), p0));
	assert_true(file_exists("m.set", ".p1"));
	assert_int_equal(rpmemd_db_pool_close(pool, POOLSET_KEEP), 0);

	/* missing: the other part and the set file stay */
	assert_int_equal(unlink(p0), 0);
	assert_int_equal(rpmemd_db_pool_remove(&db, "m.set", 0, 1), -ENOENT);
	const char *msg = rpmemd_db_strerror(-ENOENT);
	assert_non_null(strstr(msg, p0));
	assert_non_null(strstr(msg, "no part file was removed"));
	assert_true(file_exists("m.set", ".p1"));
	assert_true(file_exists("m.set", ""));

	/* a FIFO part: refused without blocking, named */
	assert_int_equal(mkfifo(p0, 0600), 0);
	assert_int_equal(rpmemd_db_pool_remove(&db, "m.set", 0, 1), -EINVAL);
	assert_non_null(strstr(rpmemd_db_strerror(-EINVAL), "a FIFO"));
	assert_true(file_exists("m.set", ".p1"));
	assert_int_equal(unlink(p0), 0);

	/* with force every part that can be removed is */
	assert_int_equal(rpmemd_db_pool_remove(&db, "m.set", 1, 1), 0);
	assert_false(file_exists("m.set", ".p1"));
	assert_false(file_exists("m.set", ""));
	rpmemd_db_fini(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_create_open),
		cmocka_unit_test(test_part_mode),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_locate_reserve),
		cmocka_unit_test(test_checksum_pmdk),
		cmocka_unit_test(test_remove_all_or_none),
	};
	test_filters();
	return test_exit(
		cmocka_run_group_tests(tests, group_setup, group_teardown));
}
