/* SPDX-License-Identifier: BSD-3-Clause */
/* common-file.c -- file_create/open/size/lock/exists/remove/reserve */
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

#include "file.h"

static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(path, sizeof(path), "/tmp/common-file-%d", (int)getpid());
	unlink(path);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
test_create(void **state)
{
	(void)state;
	int fd = file_create(path, 12345, 0600);
	assert_true(fd >= 0);
	assert_int_equal(file_size(fd), 12345);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the blocks are allocated, not a hole */
	assert_true((size_t)st.st_blocks * 512 >= 12345);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	assert_int_equal(file_create(path, 100, 0600), -EEXIST);
	assert_int_equal(file_create("/nonexistent-dir/x", 100, 0600), -ENOENT);
}

static void
test_open(void **state)
{
	(void)state;
	assert_int_equal(file_open(path, 0), -ENOENT);
	int fd = file_create(path, 4096, 0600);
	assert_true(fd >= 0);
	close(fd);
	fd = file_open(path, 0);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	fd = file_open(path, 1);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	close(fd);
}

static void
test_size_dir(void **state)
{
	(void)state;
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(file_size(fd), -EISDIR);
	close(fd);
	assert_int_equal(file_size(-1), -EBADF);
}

static void
test_lock(void **state)
{
	(void)state;
	int fd = file_create(path, 4096, 0600);
	assert_true(fd >= 0);
	int fd2 = file_open(path, 0);
	assert_true(fd2 >= 0);
	assert_int_equal(file_lock(fd), 0);
	assert_int_equal(file_lock(fd2), -EAGAIN);
	close(fd);
	assert_int_equal(file_lock(fd2), 0);
	close(fd2);
	assert_int_equal(file_lock(-1), -EBADF);
}

/* a sparse file gets its blocks; its size and data stay as they were */
static void
test_reserve(void **state)
{
	(void)state;
	const size_t size = (size_t)1 << 20;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "data", 4, 8192), 4);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((size_t)st.st_blocks * 512 < size);
	int ret = file_reserve(fd, size);
	if (ret == -EOPNOTSUPP) {
		close(fd);
		skip(); /* the file system of /tmp cannot reserve space */
	}
	assert_int_equal(ret, 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true((size_t)st.st_blocks * 512 >= size);
	assert_int_equal(st.st_size, (off_t)size);
	char buf[4];
	assert_int_equal(pread(fd, buf, 4, 8192), 4);
	assert_memory_equal(buf, "data", 4);
	assert_int_equal(file_reserve(fd, 0), 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reserve, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
