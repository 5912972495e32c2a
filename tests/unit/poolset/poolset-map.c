/* SPDX-License-Identifier: BSD-3-Clause */
/* poolset-map.c -- unit tests of poolset_read_file() and replica mapping */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "file.h"
#include "poolset.h"

#define MB (1UL << 20)

struct ctx {
	char dir[64];
	char set[128];
	char p0[128];
	char p1[128];
};

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static off_t
fsize(const char *path)
{
	struct stat st;
	if (stat(path, &st))
		return -1;
	return st.st_size;
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "/tmp/poolset-map-XXXXXX");
	if (mkdtemp(c->dir) == NULL)
		return -1;
	snprintf(c->set, sizeof(c->set), "%s/pool.set", c->dir);
	snprintf(c->p0, sizeof(c->p0), "%s/p0", c->dir);
	snprintf(c->p1, sizeof(c->p1), "%s/p1", c->dir);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;
	unlink(c->set);
	unlink(c->p0);
	unlink(c->p1);
	rmdir(c->dir);
	free(c);
	return 0;
}

static void
make_set(struct ctx *c, const char *opt)
{
	char text[512];
	snprintf(text, sizeof(text), "PMEMPOOLSET\n%s2M %s\n3M %s\n", opt,
		c->p0, c->p1);
	write_file(c->set, text);
}

static void
test_create_map_reopen(void **state)
{
	struct ctx *c = *state;
	make_set(c, "");
	struct poolset *set;
	assert_int_equal(poolset_read_file(c->set, &set, NULL, 0), 0);
	assert_int_equal(set->is_set_file, 1);
	struct poolset_map m;
	assert_int_equal(poolset_map_replica(set, 0, POOLSET_CREATE, &m), 0);
	assert_int_equal(m.size, 5 * MB - 4096);
	assert_int_equal(fsize(c->p0), 2 * MB);
	assert_int_equal(fsize(c->p1), 3 * MB);
	assert_int_equal(m.part_off[1], 2 * MB);
	assert_int_equal(m.part_len[1], 3 * MB - 4096);
	assert_true(m.created[0] && m.created[1]);

	/* a write at pool offset 2M + 100 lands at file offset 4096 + 100 */
	memcpy((char *)m.addr + 2 * MB + 100, "hello", 5);
	memcpy((char *)m.addr + 10, "first", 5);

	/* the parts are locked while mapped */
	struct poolset_map m2;
	assert_int_equal(
		poolset_map_replica(set, 0, POOLSET_OPEN, &m2), -EWOULDBLOCK);
	assert_int_equal(poolset_unmap_replica(set, 0, &m, POOLSET_KEEP), 0);

	char buf[8] = {0};
	int fd = open(c->p1, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, 5, 4096 + 100), 5);
	close(fd);
	assert_memory_equal(buf, "hello", 5);

	assert_int_equal(poolset_map_replica(set, 0, POOLSET_OPEN, &m), 0);
	/* parts in use are not removed */
	struct poolset_part_ref bad;
	assert_int_equal(poolset_remove_parts(set, 1, &bad), -EWOULDBLOCK);
	assert_int_equal(bad.rep, 0);
	assert_int_equal(bad.part, 0);
	assert_int_equal(poolset_remove_parts(set, 0, NULL), -EWOULDBLOCK);
	assert_true(fsize(c->p0) > 0 && fsize(c->p1) > 0);
	assert_memory_equal((char *)m.addr + 10, "first", 5);
	assert_memory_equal((char *)m.addr + 2 * MB + 100, "hello", 5);
	assert_false(m.created[0] || m.created[1]);
	assert_int_equal(
		poolset_unmap_replica(set, 0, &m, POOLSET_REMOVE_ALL), 0);
	assert_int_equal(fsize(c->p0), -1);
	assert_int_equal(fsize(c->p1), -1);

	/* remove_parts: all or none, or every part it can, the first error
	 * reported and named */
	assert_int_equal(poolset_map_replica(set, 0, POOLSET_CREATE, &m), 0);
	assert_int_equal(poolset_unmap_replica(set, 0, &m, POOLSET_KEEP), 0);
	unlink(c->p0);
	assert_int_equal(poolset_remove_parts(set, 1, &bad), -ENOENT);
	assert_int_equal(bad.part, 0);
	assert_int_equal(fsize(c->p1), 3 * MB);
	assert_int_equal(poolset_remove_parts(set, 0, &bad), -ENOENT);
	assert_int_equal(bad.part, 0);
	assert_int_equal(fsize(c->p1), -1);
	assert_int_equal(poolset_remove_parts(set, 1, &bad), -ENOENT);
	poolset_free(set);
}

static void
test_singlehdr_layout(void **state)
{
	struct ctx *c = *state;
	make_set(c, "OPTION SINGLEHDR\n");
	struct poolset *set;
	assert_int_equal(poolset_read_file(c->set, &set, NULL, 0), 0);
	struct poolset_map m;
	assert_int_equal(poolset_map_replica(set, 0, POOLSET_CREATE, &m), 0);
	assert_int_equal(m.size, 5 * MB);
	memcpy((char *)m.addr + 2 * MB, "x", 1);
	assert_int_equal(poolset_unmap_replica(set, 0, &m, POOLSET_KEEP), 0);
	char b = 0;
	int fd = open(c->p1, O_RDONLY);
	assert_int_equal(pread(fd, &b, 1, 0), 1);
	close(fd);
	assert_int_equal(b, 'x');
	poolset_free(set);
}

static void
test_open_errors(void **state)
{
	struct ctx *c = *state;
	make_set(c, "");
	struct poolset *set;
	assert_int_equal(poolset_read_file(c->set, &set, NULL, 0), 0);
	struct poolset_map m;
	/* parts missing */
	assert_int_equal(
		poolset_map_replica(set, 0, POOLSET_OPEN, &m), -ENOENT);
	/* an existing part of the wrong size */
	int fd = open(c->p0, O_CREAT | O_RDWR, 0600);
	assert_int_equal(ftruncate(fd, (off_t)MB), 0);
	close(fd);
	assert_int_equal(
		poolset_map_replica(set, 0, POOLSET_CREATE, &m), -EINVAL);
	/* the part created before the failure is gone, p0 stays */
	assert_int_equal(fsize(c->p1), -1);
	assert_int_equal(fsize(c->p0), (off_t)MB);
	poolset_free(set);

	/* parts below 2 MiB are refused */
	char text[256];
	snprintf(text, sizeof(text), "PMEMPOOLSET\n2044K %s\n", c->p1);
	write_file(c->set, text);
	assert_int_equal(poolset_read_file(c->set, &set, NULL, 0), 0);
	assert_int_equal(
		poolset_map_replica(set, 0, POOLSET_CREATE, &m), -EINVAL);
	assert_int_equal(fsize(c->p1), -1);
	poolset_free(set);
}

static void
test_read_file_kinds(void **state)
{
	struct ctx *c = *state;
	/* a plain file is a single part of its size */
	int fd = open(c->p0, O_CREAT | O_RDWR, 0600);
	assert_int_equal(ftruncate(fd, (off_t)(4 * MB)), 0);
	close(fd);
	struct poolset *set;
	assert_int_equal(poolset_read_file(c->p0, &set, NULL, 0), 0);
	assert_int_equal(set->is_set_file, 0);
	assert_int_equal(set->replicas[0].nparts, 1);
	assert_int_equal(set->replicas[0].parts[0].size, 4 * MB);
	poolset_free(set);

	/* a directory part is marked and cannot be mapped */
	char text[256];
	snprintf(text, sizeof(text), "PMEMPOOLSET\nOPTION SINGLEHDR\n1G %s\n",
		c->dir);
	write_file(c->set, text);
	assert_int_equal(poolset_read_file(c->set, &set, NULL, 0), 0);
	assert_int_equal(set->replicas[0].parts[0].is_dir, 1);
	struct poolset_map m;
	assert_int_equal(
		poolset_map_replica(set, 0, POOLSET_CREATE, &m), -EINVAL);
	poolset_free(set);

	/* a broken set file reports the reason */
	write_file(c->set, "PMEMPOOLSET\n8M relative\n");
	char err[128];
	assert_int_equal(
		poolset_read_file(c->set, &set, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(poolset_read_file("/nonexistent/x.set", &set, NULL, 0),
		-ENOENT);
}

/*
 * Two creates of the same set, forced to meet in the window between the
 * first one's exclusive open of a part and its lock.
 */
static struct {
	struct poolset *set;
	const char *path; /* the part whose window is used */
	int calls;
	int other_ret;	 /* the second create's result */
	off_t size_seen; /* the part's size as the second create left it */
	int holder_fd;	 /* another process's lock on the part */
} Race;

/* the set made (and with made_before its parts created), read into
 * Race, hook armed for the window of part path */
static void
race_begin(struct ctx *c, const char *path, void (*hook)(const char *),
	int made_before)
{
	make_set(c, "");
	memset(&Race, 0, sizeof(Race));
	Race.holder_fd = -1;
	assert_int_equal(poolset_read_file(c->set, &Race.set, NULL, 0), 0);
	if (made_before) {
		struct poolset_map m;
		assert_int_equal(
			poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m),
			0);
		assert_int_equal(
			poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP),
			0);
	}
	Race.path = path;
	file_lock_pause = hook;
}

static void
race_other_create(const char *path)
{
	if (strcmp(path, Race.path) != 0 || Race.calls++)
		return;
	struct poolset_map m2;
	Race.other_ret = poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m2);
	if (Race.other_ret == 0)
		poolset_unmap_replica(Race.set, 0, &m2, POOLSET_KEEP);
	Race.size_seen = fsize(path);
}

static void
test_create_race_second_create(void **state)
{
	struct ctx *c = *state;
	race_begin(c, c->p0, race_other_create, 0);
	struct poolset_map m;
	int ret = poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m);
	file_lock_pause = NULL;
	assert_true(Race.calls >= 1); /* the window was used */
	/* the second create met a part that is not complete: it fails and
	 * leaves it alone; the first one then gets its lock and succeeds */
	assert_int_not_equal(Race.other_ret, 0);
	assert_int_equal(Race.size_seen, 0);
	assert_int_equal(ret, 0);
	assert_int_equal(fsize(c->p0), 2 * MB);
	memcpy((char *)m.addr + 4096, "acked", 5);
	assert_int_equal(
		poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP), 0);
	assert_int_equal(poolset_map_replica(Race.set, 0, POOLSET_OPEN, &m), 0);
	assert_memory_equal((char *)m.addr + 4096, "acked", 5);
	assert_int_equal(
		poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP), 0);
	poolset_free(Race.set);
}

static void
race_other_lock(const char *path)
{
	if (strcmp(path, Race.path) != 0 || Race.calls++)
		return;
	Race.holder_fd = open(path, O_RDWR);
	if (Race.holder_fd >= 0 && flock(Race.holder_fd, LOCK_EX | LOCK_NB))
		Race.other_ret = -errno;
}

static void
test_create_race_no_unlink_unlocked(void **state)
{
	struct ctx *c = *state;
	race_begin(c, c->p1, race_other_lock, 0);
	struct poolset_map m;
	int ret = poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m);
	file_lock_pause = NULL;
	assert_true(Race.holder_fd >= 0);
	assert_int_equal(Race.other_ret, 0);
	/* the lock is another's: the create fails, and the part it cannot
	 * lock stays (its own part 0 is removed) */
	assert_int_equal(ret, -EWOULDBLOCK);
	assert_int_equal(m.bad_part, 1);
	assert_int_equal(fsize(c->p1), 0);
	assert_int_equal(fsize(c->p0), -1);
	close(Race.holder_fd);
	poolset_free(Race.set);
}

/*
 * A remove, or a remove and a create, forced into the window between a
 * part's open and its lock (file_lock_pause): whoever then gets the lock
 * finds that the path no longer names its file.
 */
static void
race_remove(const char *path)
{
	if (strcmp(path, Race.path) != 0 || Race.calls++)
		return;
	Race.other_ret = poolset_remove_parts(Race.set, 0, NULL);
	Race.size_seen = fsize(path);
}

static void
test_create_race_remove(void **state)
{
	struct ctx *c = *state;
	race_begin(c, c->p0, race_remove, 0);
	struct poolset_map m;
	int ret = poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m);
	file_lock_pause = NULL;
	/* the remover unlinked the new, still unlocked p0 (p1 was not there
	 * yet); the create must not go on with an inode no path names */
	assert_true(Race.calls >= 1); /* the window was used */
	assert_int_equal(Race.other_ret, -ENOENT);
	assert_int_equal(Race.size_seen, -1);
	if (ret == 0) {
		memcpy((char *)m.addr + 4096, "acked", 5);
		poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP);
	}
	assert_int_equal(ret, -ESTALE);
	assert_int_equal(m.bad_part, 0);
	assert_int_equal(fsize(c->p0), -1);
	assert_int_equal(fsize(c->p1), -1);
	poolset_free(Race.set);
}

static void
test_open_race_remove(void **state)
{
	struct ctx *c = *state;
	/* the opener holds p0 and waits for its lock of p1: a remover
	 * takes p1 alone */
	struct poolset_map m;
	race_begin(c, c->p1, race_remove, 1);
	int ret = poolset_map_replica(Race.set, 0, POOLSET_OPEN, &m);
	file_lock_pause = NULL;
	assert_true(Race.calls >= 1); /* the window was used */
	assert_int_equal(Race.other_ret, -EWOULDBLOCK);
	assert_int_equal(Race.size_seen, -1);
	if (ret == 0)
		poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP);
	/* the open must not serve parts that were removed under it */
	assert_int_equal(ret, -ESTALE);
	assert_int_equal(m.bad_part, 1);
	assert_int_equal(fsize(c->p0), 2 * MB);
	poolset_free(Race.set);
}

/* while one remover waits for its lock of p0, another removes the set and
 * a create makes it anew */
static void
race_remove_and_create(const char *path)
{
	if (strcmp(path, Race.path) != 0 || Race.calls++)
		return;
	Race.other_ret = poolset_remove_parts(Race.set, 1, NULL);
	struct poolset_map m;
	if (Race.other_ret == 0)
		Race.other_ret =
			poolset_map_replica(Race.set, 0, POOLSET_CREATE, &m);
	if (Race.other_ret == 0)
		Race.other_ret =
			poolset_unmap_replica(Race.set, 0, &m, POOLSET_KEEP);
}

static void
test_remove_race_create(void **state)
{
	struct ctx *c = *state;
	race_begin(c, c->p0, race_remove_and_create, 1);
	struct poolset_part_ref bad;
	int ret = poolset_remove_parts(Race.set, 1, &bad);
	file_lock_pause = NULL;
	assert_true(Race.calls >= 1); /* the window was used */
	assert_int_equal(Race.other_ret, 0);
	/* the late remover locked the old p0, which the path no longer
	 * names: the new pool stays whole */
	assert_int_equal(ret, -ESTALE);
	assert_int_equal(bad.part, 0);
	assert_int_equal(fsize(c->p0), 2 * MB);
	assert_int_equal(fsize(c->p1), 3 * MB);
	poolset_free(Race.set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_create_map_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_create_race_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_race_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_remove_race_create, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_singlehdr_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_read_file_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_create_race_second_create, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_create_race_no_unlink_unlocked, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
