/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem-map.c -- pm_map_file on real files: ordinary files are not pmem
 * (MAP_SYNC is refused), PMEM_IS_PMEM_FORCE makes them so; pm_msync writes
 * data back to the file; pm_unmap forgets the mapping
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "pmem.h"

#define LEN ((size_t)1 << 20)

static int
make_file(char *path)
{
	strcpy(path, "/tmp/pmem-map-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)LEN), 0);
	return fd;
}

static void
test_plain_file(void **state)
{
	(void)state;
	char path[64];
	int fd = make_file(path);
	unsetenv("PMEM_IS_PMEM_FORCE");
	pm_reinit();
	int is_pmem = -1;
	char *p = pm_map_file(fd, LEN, 0, &is_pmem);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(is_pmem, 0);

	/* msync of an unaligned range reaches the file */
	memcpy(p + 5000, "persisted", 9);
	assert_int_equal(pm_msync(p + 5000, 9), 0);
	char buf[9];
	assert_int_equal(pread(fd, buf, 9, 5000), 9);
	assert_memory_equal(buf, "persisted", 9);
	assert_int_equal(pm_msync(p, 0), 0);
	assert_int_equal(pm_unmap(p, LEN), 0);

	/* read-only mapping */
	p = pm_map_file(fd, LEN, 1, &is_pmem);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_memory_equal(p + 5000, "persisted", 9);
	assert_int_equal(pm_unmap(p, LEN), 0);
	close(fd);
	unlink(path);
}

static void
test_forced(void **state)
{
	(void)state;
	char path[64];
	int fd = make_file(path);
	setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	pm_reinit();
	int is_pmem = 0;
	char *p = pm_map_file(fd, LEN, 0, &is_pmem);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(is_pmem, 1);
	pm_memcpy(p + 64, "abcdef", 6, 0);
	pm_memset(p + 128, 'z', 100, 0);
	pm_persist(p, 4096);
	assert_memory_equal(p + 64, "abcdef", 6);
	assert_int_equal(p[227], 'z');
	assert_int_equal(pm_unmap(p, LEN), 0);
	unsetenv("PMEM_IS_PMEM_FORCE");
	pm_reinit();
	close(fd);
	unlink(path);
}

static void
test_bad_fd(void **state)
{
	(void)state;
	int is_pmem = 7;
	void *p = pm_map_file(-1, LEN, 0, &is_pmem);
	assert_ptr_equal(p, MAP_FAILED);
	assert_int_equal(errno, EBADF);
	assert_int_equal(is_pmem, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_file),
		cmocka_unit_test(test_forced),
		cmocka_unit_test(test_bad_fd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
