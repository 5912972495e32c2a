/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-set.c -- pmemobj_create / open / check on pool set files: a
 * local replica kept equal to the master by every persistence call, and
 * every damaged or mismatched set refused with the errno a PMDK user
 * expects and a message naming the file and the problem
 */
#include <errno.h>
#include <fcntl.h>
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

#include "libpmemobj.h"

#define MiB ((size_t)1 << 20)
#define PAGE 4096
#define ROOT (3 * MiB) /* from about 3.5 MiB: crosses the first part */

static char Dir[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(Dir, "/tmp/obj-set-XXXXXX");
	assert_non_null(mkdtemp(Dir));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", Dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Dir/name in one of 16 static buffers used in turn */
static const char *
in_dir(const char *name)
{
	static char buf[16][128];
	static unsigned next;
	char *b = buf[next++ % 16];
	snprintf(b, sizeof(buf[0]), "%s/%s", Dir, name);
	return b;
}

/*
 * Writes Dir/name from lines; "@" at the start of a line stands for Dir, so
 * "4M @/p0" names Dir/p0. Returns the set's path.
 */
static const char *
set_write(const char *name, ...)
{
	const char *path = in_dir(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	va_list ap;
	va_start(ap, name);
	for (const char *l; (l = va_arg(ap, const char *)) != NULL;) {
		const char *at = strchr(l, '@');
		if (at != NULL)
			fprintf(f, "%.*s%s%s\n", (int)(at - l), l, Dir, at + 1);
		else
			fprintf(f, "%s\n", l);
	}
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
expect_msg(const char *part)
{
	if (strstr(pmemobj_errormsg(), part) == NULL)
		fail_msg("message '%s' lacks '%s'", pmemobj_errormsg(), part);
}

/* each refuses the set with errno err and a message holding msg */
static void
open_refused(const char *set, int err, const char *msg)
{
	assert_null(pmemobj_open(set, "set"));
	assert_int_equal(errno, err);
	if (msg != NULL)
		expect_msg(msg);
}

static void
create_refused(const char *set, int err, const char *msg)
{
	assert_null(pmemobj_create(set, "set", 0, 0600));
	assert_int_equal(errno, err);
	if (msg != NULL)
		expect_msg(msg);
}

static void
check_refused(const char *set, int err)
{
	assert_int_equal(pmemobj_check(set, "set"), -1);
	assert_int_equal(errno, err);
}

static int
exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void *
file_read(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	*size = (size_t)st.st_size;
	void *b = malloc(*size);
	assert_non_null(b);
	assert_int_equal(pread(fd, b, *size, 0), (ssize_t)*size);
	close(fd);
	return b;
}

static void
file_poke(const char *path, off_t off, uint8_t xor)
{
	int fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	uint8_t b;
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= xor;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

/* the pool image of parts given as paths (each after the first from 4 KiB
 * on: every part has a header) */
static uint8_t *
image(size_t *size, const char *const *parts, unsigned n)
{
	uint8_t *img = NULL;
	*size = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		uint8_t *b = file_read(parts[i], &len);
		size_t skip = i ? PAGE : 0;
		img = realloc(img, *size + len - skip);
		assert_non_null(img);
		memcpy(img + *size, b + skip, len - skip);
		*size += len - skip;
		free(b);
	}
	return img;
}

/* a 2-part master and a 1-part replica of another size */
static const char *
replica_set(const char *name, const char *rep)
{
	char p0[32], p1[32], r0[32];
	snprintf(p0, sizeof(p0), "5M @/%s-p0", name);
	snprintf(p1, sizeof(p1), "4M @/%s-p1", name);
	snprintf(r0, sizeof(r0), "12M @/%s", rep);
	char set[32];
	snprintf(set, sizeof(set), "%s.set", name);
	return set_write(set, "PMEMPOOLSET", p0, p1, "REPLICA", r0, NULL);
}

static void
create_close(const char *set)
{
	PMEMobjpool *pop = pmemobj_create(set, "set", 0, 0600);
	if (pop == NULL)
		fail_msg("create %s: %s", set, pmemobj_errormsg());
	PMEMoid r = pmemobj_root(pop, ROOT);
	assert_false(OID_IS_NULL(r));
	pmemobj_memset_persist(pop, pmemobj_direct(r), 0x5a, ROOT);
	pmemobj_close(pop);
}

static void
test_replica_mirrors(void **state)
{
	(void)state;
	const char *set = replica_set("m", "m-r0");
	PMEMobjpool *pop = pmemobj_create(set, "set", 0, 0640);
	assert_non_null(pop);
	/* the mode applies to every part file made */
	struct stat st;
	assert_int_equal(stat(in_dir("m-p1"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(stat(in_dir("m-r0"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	PMEMoid r = pmemobj_root(pop, ROOT);
	assert_false(OID_IS_NULL(r));
	uint8_t *d = pmemobj_direct(r);
	static uint8_t buf[ROOT];
	for (size_t i = 0; i < ROOT; i++)
		buf[i] = (uint8_t)(i * 13 + 7);
	/* every way a program makes data durable */
	pmemobj_memcpy_persist(pop, d, buf, MiB);
	pmemobj_memset_persist(pop, d + MiB, 0x33, 4096);
	pmemobj_memmove(
		pop, d + MiB + 4096, buf, 4096, PMEMOBJ_F_MEM_NONTEMPORAL);
	pmemobj_memcpy(pop, d + MiB + 8192, buf, 8192, PMEMOBJ_F_MEM_NODRAIN);
	pmemobj_memset(pop, d + MiB + 16384, 0x44, 100, 0);
	pmemobj_drain(pop);
	memcpy(d + 2 * MiB, buf, 4096);
	pmemobj_persist(pop, d + 2 * MiB, 4096);
	memcpy(d + 2 * MiB + 4096, buf, 4096);
	pmemobj_flush(pop, d + 2 * MiB + 4096, 4096);
	pmemobj_drain(pop);
	memcpy(d + 2 * MiB + 8192, buf, 4096);
	assert_int_equal(pmemobj_xpersist(pop, d + 2 * MiB + 8192, 4096, 0), 0);
	memcpy(d + ROOT - 4096, buf, 4096);
	assert_int_equal(pmemobj_xflush(pop, d + ROOT - 4096, 4096, 0), 0);
	pmemobj_drain(pop);
	size_t off = r.off;
	pmemobj_close(pop);

	const char *master[] = {in_dir("m-p0"), in_dir("m-p1")};
	const char *rep[] = {in_dir("m-r0")};
	size_t ms, rs;
	uint8_t *mi = image(&ms, master, 2);
	uint8_t *ri = image(&rs, rep, 1);
	assert_int_equal(ms, 9 * MiB - PAGE);
	assert_int_equal(rs, 12 * MiB);
	/* the descriptor, and everything after the volatile area */
	assert_memory_equal(mi + 0x1000, ri + 0x1000, 0x1A20 - 0x1000);
	assert_memory_equal(mi + 0x2000, ri + 0x2000, ms - 0x2000);
	/* and the data really is where it was written */
	assert_memory_equal(mi + off, buf, MiB);
	assert_int_equal(mi[off + MiB + 4096 - 1], 0x33);
	assert_memory_equal(mi + off + ROOT - 4096, buf, 4096);
	/* each replica keeps its own header */
	assert_memory_not_equal(mi + 0x28, ri + 0x28, 16); /* uuid */
	free(mi);
	free(ri);
	assert_int_equal(pmemobj_check(set, "set"), 1);
}

static void
test_missing_part(void **state)
{
	(void)state;
	const char *set = set_write(
		"a.set", "PMEMPOOLSET", "4M @/p0", "4M @/p1", "4M @/p2", NULL);
	create_close(set);
	assert_int_equal(unlink(in_dir("p1")), 0);
	open_refused(set, ENOENT, set);
	expect_msg(in_dir("p1"));
	check_refused(set, ENOENT);
	/* nothing was created in its place */
	assert_false(exists(in_dir("p1")));
}

static void
test_part_wrong_size(void **state)
{
	(void)state;
	const char *set = set_write(
		"a.set", "PMEMPOOLSET", "4M @/p0", "4M @/p1", "4M @/p2", NULL);
	create_close(set);
	assert_int_equal(truncate(in_dir("p2"), (off_t)(5 * MiB)), 0);
	open_refused(set, EINVAL, in_dir("p2"));
	expect_msg("size does not match");
	expect_msg("5242880 bytes, not 4194304");
}

static void
test_parts_swapped(void **state)
{
	(void)state;
	const char *set = set_write(
		"a.set", "PMEMPOOLSET", "4M @/p0", "4M @/p1", "4M @/p2", NULL);
	create_close(set);
	set = set_write(
		"b.set", "PMEMPOOLSET", "4M @/p0", "4M @/p2", "4M @/p1", NULL);
	open_refused(set, EINVAL, set);
	expect_msg("wrong part UUID");
	check_refused(set, EINVAL);
	/* two parts swapped link to each other both ways; the first one's
	 * header is then a part's, not the pool's */
	set = set_write("c.set", "PMEMPOOLSET", "5M @/q0", "5M @/q1", NULL);
	create_close(set);
	set = set_write("d.set", "PMEMPOOLSET", "5M @/q1", "5M @/q0", NULL);
	open_refused(set, EINVAL, set);
	expect_msg("wrong part UUID");
	expect_msg("first part is part 1");
	/* a rotated master, its replica after it */
	set = set_write("e.set", "PMEMPOOLSET", "4M @/s0", "4M @/s1", "4M @/s2",
		"REPLICA", "12M @/s3", NULL);
	create_close(set);
	set = set_write("f.set", "PMEMPOOLSET", "4M @/s1", "4M @/s2", "4M @/s0",
		"REPLICA", "12M @/s3", NULL);
	open_refused(set, EINVAL, "replica 0: wrong part UUID");
	expect_msg("first part is part 2");
	assert_int_equal(pmemobj_check(set, "set"), -1);
	/* the right order still opens */
	set = in_dir("a.set");
	PMEMobjpool *pop = pmemobj_open(set, "set");
	assert_non_null(pop);
	pmemobj_close(pop);
}

static void
test_foreign_replica(void **state)
{
	(void)state;
	create_close(replica_set("a", "a-r0"));
	create_close(replica_set("b", "b-r0"));
	/* a's master with b's replica */
	const char *set = replica_set("a", "b-r0");
	open_refused(set, EINVAL, set);
	expect_msg("replica 1");
	expect_msg("another pool set");
	assert_int_equal(pmemobj_check(set, "set"), -1);
	/* three replicas: the second and third swapped in the set file */
	set = set_write("g.set", "PMEMPOOLSET", "9M @/g0", "REPLICA", "9M @/x0",
		"REPLICA", "9M @/y0", NULL);
	create_close(set);
	set = set_write("h.set", "PMEMPOOLSET", "9M @/g0", "REPLICA", "9M @/y0",
		"REPLICA", "9M @/x0", NULL);
	open_refused(set, EINVAL, "wrong replica UUID");
	check_refused(set, EINVAL);
	/* with its own replica it still opens */
	set = replica_set("a", "a-r0");
	PMEMobjpool *pop = pmemobj_open(set, "set");
	assert_non_null(pop);
	pmemobj_close(pop);
}

static void
test_options_and_directories(void **state)
{
	(void)state;
	const char *set = set_write("a.set", "PMEMPOOLSET", "OPTION NOHDRS",
		"4M @/p0", "4M @/p1", NULL);
	create_refused(set, EINVAL, "NOHDRS");
	assert_false(exists(in_dir("p0")));
	open_refused(set, EINVAL, "NOHDRS");

	/* the set file's SINGLEHDR must match how the pool was made */
	set = set_write("s.set", "PMEMPOOLSET", "OPTION SINGLEHDR", "5M @/s0",
		"4M @/s1", NULL);
	create_close(set);
	set = set_write("t.set", "PMEMPOOLSET", "5M @/s0", "4M @/s1", NULL);
	open_refused(set, EINVAL, "do not match");
	assert_int_equal(pmemobj_check(set, "set"), -1);
	set = set_write("u.set", "PMEMPOOLSET", "5M @/t0", "4M @/t1", NULL);
	create_close(set);
	set = set_write("v.set", "PMEMPOOLSET", "OPTION SINGLEHDR", "5M @/t0",
		"4M @/t1", NULL);
	open_refused(set, EINVAL, "SINGLEHDR");

	assert_int_equal(mkdir(in_dir("d"), 0700), 0);
	set = set_write(
		"b.set", "PMEMPOOLSET", "OPTION SINGLEHDR", "1G @/d", NULL);
	create_refused(set, ENOTSUP, in_dir("d"));
	expect_msg("directory");
	open_refused(set, ENOTSUP, NULL);
}

static void
test_syntax_error(void **state)
{
	(void)state;
	const char *set = set_write("a.set", "PMEMPOOLSET", "# parts",
		"4M @/p0", "4M relative/p1", NULL);
	create_refused(set, EINVAL, set);
	expect_msg("line 4");
	expect_msg("absolute");
	assert_false(exists(in_dir("p0")));
	open_refused(set, EINVAL, "line 4");

	set = set_write("b.set", "PMEMPOOLSET", "4M @/p0", "4X @/p1", NULL);
	open_refused(set, EINVAL, set);
	expect_msg("line 3");
}

static void
test_replica_desc_differs(void **state)
{
	(void)state;
	const char *set = replica_set("a", "a-r0");
	create_close(set);
	/* a byte of the layout name in the replica's descriptor */
	file_poke(in_dir("a-r0"), 0x1000 + 3, 0x20);
	open_refused(set, EINVAL, set);
	expect_msg("replica 1");
	expect_msg("descriptor");
	/* as PMDK's: the set is not fit to open, pmemobj_check fails */
	check_refused(set, EINVAL);
	expect_msg("descriptor");
	/* nothing was changed: the byte restored, the set opens */
	file_poke(in_dir("a-r0"), 0x1000 + 3, 0x20);
	PMEMobjpool *pop = pmemobj_open(set, "set");
	assert_non_null(pop);
	pmemobj_close(pop);
	/* a byte of the descriptor's reserved tail, also checksummed */
	file_poke(in_dir("a-r0"), 0x1000 + 0x700, 0x01);
	open_refused(set, EINVAL, "descriptor");
}

static void
test_create_non_empty(void **state)
{
	(void)state;
	/* the user's p1 already holds a header-like page */
	char p1[128];
	snprintf(p1, sizeof(p1), "%s", in_dir("p1"));
	int fd = open(p1, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(4 * MiB)), 0);
	assert_int_equal(pwrite(fd, "PMEMOBJ", 7, 0), 7);
	close(fd);
	size_t before_len;
	void *before = file_read(p1, &before_len);
	const char *set = set_write("a.set", "PMEMPOOLSET", "4M @/p0",
		"4M @/p1", "4M @/p2", "REPLICA", "12M @/r0", NULL);
	create_refused(set, EEXIST, p1);
	expect_msg("Non-empty");
	/* the parts it made are gone, the user's file is as it was */
	assert_false(exists(in_dir("p0")));
	assert_false(exists(in_dir("p2")));
	assert_false(exists(in_dir("r0")));
	size_t after_len;
	void *after = file_read(p1, &after_len);
	assert_int_equal(after_len, before_len);
	assert_memory_equal(after, before, before_len);
	free(before);
	free(after);

	/* the same for a non-empty replica part */
	assert_int_equal(unlink(p1), 0);
	fd = open(in_dir("r0"), O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)(12 * MiB)), 0);
	assert_int_equal(pwrite(fd, "x", 1, 100), 1);
	close(fd);
	create_refused(set, EEXIST, in_dir("r0"));
	assert_false(exists(in_dir("p0")));
	assert_false(exists(in_dir("p1")));
	assert_true(exists(in_dir("r0")));

	/* a set part that is a size-0 file of the user's: refused as well,
	 * and kept */
	assert_int_equal(unlink(in_dir("r0")), 0);
	fd = open(in_dir("p2"), O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	create_refused(set, EINVAL, in_dir("p2"));
	expect_msg("has 0 bytes");
	assert_true(exists(in_dir("p2")));
	assert_false(exists(in_dir("p0")));
	assert_false(exists(in_dir("r0")));

	/* a replica part that cannot be made: the master's parts go too */
	set = set_write("b.set", "PMEMPOOLSET", "4M @/b0", "4M @/b1", "REPLICA",
		"12M @/none/r0", NULL);
	create_refused(set, ENOENT, "replica 1, part 0");
	expect_msg(in_dir("none/r0"));
	assert_false(exists(in_dir("b0")));
	assert_false(exists(in_dir("b1")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_replica_mirrors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_missing_part, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_part_wrong_size, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_parts_swapped, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_foreign_replica, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_options_and_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_replica_desc_differs, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_create_non_empty, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
