/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-pool.c -- pmemobj_create / open / check / close / root and the
 * lookups: what works, and every bad argument and damaged pool refused with
 * the errno a PMDK user expects and a message naming the problem
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "format/checksum.h"
#include "libpmemobj.h"

#define POOL ((size_t)8 << 20)

static char Path[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(Path, "/tmp/obj-pool-XXXXXX");
	int fd = mkstemp(Path);
	assert_true(fd >= 0);
	close(fd);
	unlink(Path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(Path);
	return 0;
}

/*
 * errno of pmemobj_open() on the pool at Path made read-only for its owner;
 * root, whom file modes do not stop, hands the file to nobody and opens it
 * as nobody in a child
 */
static int
ro_open_errno(void)
{
	int root = geteuid() == 0;
	uid_t nobody = 65534;
	if (root)
		assert_int_equal(chown(Path, nobody, nobody), 0);
	assert_int_equal(chmod(Path, 0400), 0);
	int err = 0;
	if (!root) {
		err = pmemobj_open(Path, "right") == NULL ? errno : 0;
	} else {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(nobody) || setuid(nobody))
				_exit(255);
			_exit(pmemobj_open(Path, "right") == NULL ? errno : 0);
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		err = WEXITSTATUS(status);
		assert_int_equal(chown(Path, 0, 0), 0);
	}
	assert_int_equal(chmod(Path, 0600), 0);
	return err;
}

static void
expect_msg(const char *part)
{
	if (strstr(pmemobj_errormsg(), part) == NULL)
		fail_msg("message '%s' lacks '%s'", pmemobj_errormsg(), part);
}

static void
test_create_open_root(void **state)
{
	(void)state;
	PMEMobjpool *pop = pmemobj_create(Path, "layout", POOL, 0640);
	assert_non_null(pop);
	struct stat st;
	assert_int_equal(stat(Path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(pmemobj_root_size(pop), 0);
	PMEMoid r = pmemobj_root(pop, 0);
	assert_true(OID_IS_NULL(r));
	assert_int_equal(errno, EINVAL);
	r = pmemobj_root(pop, 100);
	assert_false(OID_IS_NULL(r));
	assert_int_equal(pmemobj_root_size(pop), 100);
	char *d = pmemobj_direct(r);
	assert_ptr_equal(pmemobj_pool_by_ptr(d), pop);
	assert_ptr_equal(pmemobj_pool_by_oid(r), pop);
	PMEMoid o = pmemobj_oid(d);
	assert_true(OID_EQUALS(o, r));
	for (int i = 0; i < 100; i++)
		assert_int_equal(d[i], 0);
	pmemobj_memcpy_persist(pop, d, "hello", 6);
	/* a smaller or equal size returns the same root */
	assert_true(OID_EQUALS(pmemobj_root(pop, 50), r));
	/* a larger one moves it, keeping the contents */
	PMEMoid r2 = pmemobj_root(pop, 300000);
	assert_false(OID_IS_NULL(r2));
	assert_string_equal(pmemobj_direct(r2), "hello");
	assert_int_equal(pmemobj_root_size(pop), 300000);
	/* too large for the pool, too large for any pool */
	assert_true(OID_IS_NULL(pmemobj_root(pop, (size_t)64 << 20)));
	assert_int_equal(errno, ENOMEM);
	assert_true(OID_IS_NULL(pmemobj_root(pop, PMEMOBJ_MAX_ALLOC_SIZE + 1)));
	assert_int_equal(errno, ENOMEM);
	pmemobj_close(pop);
	assert_null(pmemobj_direct(r2));
	assert_null(pmemobj_pool_by_oid(r2));

	uint64_t run_id[2];
	for (int i = 0; i < 2; i++) {
		pop = pmemobj_open(Path, "layout");
		assert_non_null(pop);
		run_id[i] = *(uint64_t *)((char *)pop + 0x1808);
		assert_string_equal(
			pmemobj_direct(pmemobj_root(pop, 0)), "hello");
		pmemobj_close(pop);
	}
	assert_int_equal(run_id[1], run_id[0] + 2);
	assert_int_equal(run_id[0] % 2, 0);
	assert_int_equal(pmemobj_check(Path, "layout"), 1);
	assert_int_equal(pmemobj_check(Path, NULL), 1);
	pop = pmemobj_open(Path, NULL);
	assert_non_null(pop);
	pmemobj_close(pop);
}

static void
test_create_errors(void **state)
{
	(void)state;
	char layout[PMEMOBJ_MAX_LAYOUT + 1];
	memset(layout, 'x', sizeof(layout));
	layout[PMEMOBJ_MAX_LAYOUT] = '\0';
	assert_null(pmemobj_create(Path, layout, POOL, 0600));
	assert_int_equal(errno, EINVAL);
	expect_msg("Layout too long");
	layout[PMEMOBJ_MAX_LAYOUT - 1] = '\0'; /* 1023 characters: fine */
	PMEMobjpool *pop = pmemobj_create(Path, layout, POOL, 0600);
	assert_non_null(pop);
	pmemobj_close(pop);
	/* an existing file */
	assert_null(pmemobj_create(Path, "x", POOL, 0600));
	assert_int_equal(errno, EEXIST);
	expect_msg("already exists");
	unlink(Path);
	/* smaller than the minimum */
	assert_null(pmemobj_create(Path, "x", PMEMOBJ_MIN_POOL - 4096, 0600));
	assert_int_equal(errno, EINVAL);
	expect_msg("smaller than");
	assert_int_equal(access(Path, F_OK), -1);
	/* NULL path, missing file with size 0, a non-empty header */
	assert_null(pmemobj_create(NULL, "x", POOL, 0600));
	assert_int_equal(errno, EINVAL);
	assert_null(pmemobj_create(Path, "x", 0, 0600));
	assert_int_equal(errno, ENOENT);
	int fd = open(Path, O_RDWR | O_CREAT, 0600);
	assert_int_equal(ftruncate(fd, (off_t)POOL), 0);
	assert_int_equal(pwrite(fd, "junk", 4, 100), 4);
	close(fd);
	assert_null(pmemobj_create(Path, "x", 0, 0600));
	assert_int_equal(errno, EEXIST);
	expect_msg("Non-empty");
	/* an empty file of the right size is taken */
	fd = open(Path, O_RDWR | O_TRUNC);
	assert_int_equal(ftruncate(fd, (off_t)POOL), 0);
	close(fd);
	pop = pmemobj_create(Path, "x", 0, 0600);
	assert_non_null(pop);
	pmemobj_close(pop);
	/* a pool set file with a size given is an existing file like any
	 * other (sets themselves: libpmemobj-set.c) */
	unlink(Path);
	fd = open(Path, O_RDWR | O_CREAT, 0600);
	assert_int_equal(write(fd, "PMEMPOOLSET\n8M /nonexistent/x\n", 30), 30);
	close(fd);
	assert_null(pmemobj_create(Path, "x", POOL, 0600));
	assert_int_equal(errno, EEXIST);
	/* without: the set is used, its part cannot be made */
	assert_null(pmemobj_create(Path, "x", 0, 0600));
	assert_int_equal(errno, ENOENT);
	expect_msg("/nonexistent/x");
}

static void
test_open_errors(void **state)
{
	(void)state;
	assert_null(pmemobj_open(Path, "x"));
	assert_int_equal(errno, ENOENT);
	assert_null(pmemobj_open(NULL, "x"));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pmemobj_check(Path, "x"), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(pmemobj_open("/tmp", "x"));
	assert_int_equal(errno, EINVAL);

	PMEMobjpool *pop = pmemobj_create(Path, "right", POOL, 0600);
	assert_non_null(pop);
	/* open elsewhere: the lock holds until close */
	assert_null(pmemobj_open(Path, "right"));
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(pmemobj_check(Path, "right"), -1);
	assert_int_equal(errno, EAGAIN);
	pid_t pid = fork();
	if (pid == 0)
		_exit(pmemobj_open(Path, "right") == NULL && errno == EAGAIN
				? 0
				: 1);
	int status;
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	pmemobj_close(pop);

	assert_null(pmemobj_open(Path, "wrong"));
	assert_int_equal(errno, EINVAL);
	expect_msg("wrong layout");

	/* a file its owner may only read (as root: owned by and opened as
	 * nobody) */
	assert_int_equal(ro_open_errno(), EACCES);
	/* truncated copies */
	assert_int_equal(truncate(Path, 3 << 20), 0);
	assert_null(pmemobj_open(Path, "right"));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(truncate(Path, 1 << 20), 0);
	assert_null(pmemobj_open(Path, "right"));
	assert_int_equal(errno, EINVAL);
	/* an all-zero file */
	assert_int_equal(truncate(Path, 0), 0);
	assert_int_equal(truncate(Path, (off_t)POOL), 0);
	assert_null(pmemobj_open(Path, "right"));
	assert_int_equal(errno, EINVAL);
	expect_msg("invalid major version (0)");
}

/* damage one field, fixing checksums where asked, and expect a refusal */
struct damage {
	const char *what;
	size_t off;
	uint64_t value;
	size_t width;
	int fix_hdr_csum;
	int fix_desc_csum;
	int err;
	const char *msg;
};

/* the format's checksum (spec §3); its vectors are checked in format-checksum
 */
static uint64_t
csum(const unsigned char *buf, size_t len, size_t csum_off, size_t skip)
{
	return csum_compute(buf, len, csum_off, skip);
}

static void
test_corruptions(void **state)
{
	(void)state;
	static const struct damage cases[] = {
		{"signature", 0, 0x474f4c4d454d50ULL, 8, 1, 0, EINVAL,
			"wrong pool type"},
		{"major", 8, 5, 4, 1, 0, EINVAL, "library expects 6"},
		{"major 0", 8, 0, 4, 1, 0, EINVAL, "invalid major version"},
		{"header checksum", 0x18, 0x1234, 2, 0, 0, EINVAL,
			"invalid checksum of pool header"},
		{"unknown incompat", 0x10, 0x12, 4, 1, 0, EINVAL,
			"unknown incompat features"},
		{"ro_compat", 0x14, 1, 4, 1, 0, EINVAL, "read-only"},
		{"arch machine", 0x8E, 183, 2, 1, 0, EINVAL,
			"wrong architecture flags"},
		{"part uuid", 0x28, 0x99, 1, 1, 0, EINVAL, "wrong part UUID"},
		{"replica uuid", 0x58, 0x99, 1, 1, 0, EINVAL,
			"wrong replica UUID"},
		{"descriptor checksum", 0x1400, 0x3000, 8, 0, 0, EINVAL,
			"invalid checksum of pool descriptor"},
		{"unaligned heap", 0x1410, 0x302008, 8, 0, 1, EINVAL,
			"unaligned heap"},
		{"odd run_id", 0x1808, 3, 8, 0, 0, EINVAL, "invalid run_id"},
		{"heap size", 0x1820, (uint64_t)1 << 40, 8, 0, 0, EINVAL,
			"heap size"},
		{"heap offset wraps", 0x1410, 0xfffffffffffff000ULL, 8, 0, 1,
			EINVAL, "out of range"},
		{"lanes past the pool", 0x1400, POOL + 0x1000, 8, 0, 1, EINVAL,
			"out of range"},
		{"misaligned lanes", 0x1400, 0x2004, 8, 0, 1, EINVAL,
			"out of range"},
		{"heap size below a zone", 0x1820, 0x5308, 8, 0, 0, EINVAL,
			"its zones need"},
		{"root past the pool", 0x1800, POOL - 16, 8, 0, 0, EINVAL,
			"root object out of range"},
		{"root before the heap", 0x1800, 0x1000, 8, 0, 0, EINVAL,
			"root object out of range"},
		{"heap header", 0x302000 + 20, 7, 1, 0, 0, EINVAL,
			"heap: invalid header's checksum"},
		{"zone magic", 0x302400, 0x1234, 4, 0, 0, EINVAL,
			"invalid zone magic"},
		{"zone past the pool", 0x302404, 100, 4, 0, 0, EINVAL,
			"invalid zone size"},
		{"chunk type", 0x302440, 0, 2, 0, 0, EINVAL,
			"invalid chunk type"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct damage *c = &cases[i];
		unlink(Path);
		PMEMobjpool *pop = pmemobj_create(Path, "c", POOL, 0600);
		assert_non_null(pop);
		assert_false(OID_IS_NULL(pmemobj_root(pop, 64)));
		pmemobj_close(pop);

		int fd = open(Path, O_RDWR);
		unsigned char *buf = malloc(0x303000);
		assert_int_equal(pread(fd, buf, 0x303000, 0), 0x303000);
		memcpy(buf + c->off, &c->value, c->width);
		if (c->fix_hdr_csum) {
			uint64_t v = csum(buf, 4096, 0xFF8, 0x800);
			memcpy(buf + 0xFF8, &v, 8);
		}
		if (c->fix_desc_csum) {
			uint64_t v = csum(buf + 0x1000, 2048, 2040, 2048);
			memcpy(buf + 0x1000 + 2040, &v, 8);
		}
		assert_int_equal(pwrite(fd, buf, 0x303000, 0), 0x303000);
		close(fd);

		struct stat before, after;
		stat(Path, &before);
		errno = 0;
		pop = pmemobj_open(Path, "c");
		if (pop != NULL)
			fail_msg("%s: pool opened", c->what);
		if (errno != c->err)
			fail_msg("%s: errno %d", c->what, errno);
		if (strstr(pmemobj_errormsg(), c->msg) == NULL)
			fail_msg("%s: message '%s'", c->what,
				pmemobj_errormsg());
		/* a refused pool is not written to */
		unsigned char *again = malloc(0x303000);
		fd = open(Path, O_RDONLY);
		assert_int_equal(pread(fd, again, 0x303000, 0), 0x303000);
		close(fd);
		if (memcmp(buf, again, 0x303000) != 0)
			fail_msg("%s: refused pool was modified", c->what);
		stat(Path, &after);
		assert_int_equal(before.st_size, after.st_size);
		/* pmemobj_check agrees: -1 for header/descriptor, 0 after */
		int chk = pmemobj_check(Path, "c");
		assert_true(chk == -1 || chk == 0);
		free(buf);
		free(again);
	}
}

static void
test_versions_and_nulls(void **state)
{
	(void)state;
	assert_null(pmemobj_check_version(2, 4));
	assert_null(pmemobj_check_version(2, 0));
	assert_non_null(pmemobj_check_version(3, 0));
	assert_non_null(strstr(pmemobj_errormsg(), "major version mismatch"));
	assert_non_null(pmemobj_check_version(2, 5));
	assert_non_null(strstr(pmemobj_errormsg(), "minor version mismatch"));

	pmemobj_close(NULL);
	assert_int_equal(errno, EINVAL);
	assert_true(OID_IS_NULL(pmemobj_root(NULL, 8)));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pmemobj_root_size(NULL), 0);
	assert_null(pmemobj_direct(OID_NULL));
	PMEMoid bogus = {0x1234, 64};
	assert_null(pmemobj_direct(bogus));
	assert_null(pmemobj_pool_by_oid(bogus));
	int x;
	assert_null(pmemobj_pool_by_ptr(&x));
	assert_true(OID_IS_NULL(pmemobj_oid(&x)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_create_open_root, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_create_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_corruptions, setup, teardown),
		cmocka_unit_test(test_versions_and_nulls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
