/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-big.c -- a pool larger than the machine's memory and swap
 * together (a sparse file: only what the library writes takes space) is
 * created, reopened and checked; pmemobj_check must not need memory for
 * the whole pool
 *
 * Exits 77 when the file system in TMPDIR (default /tmp) cannot hold a
 * sparse file of that size.
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

#define GiB ((uint64_t)1 << 30)

static char Path[256];
static uint64_t Size;

/* a value from /proc/meminfo in bytes, 0 when unknown */
static uint64_t
meminfo(const char *key)
{
	FILE *f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return 0;
	char line[256];
	uint64_t kb = 0;
	size_t klen = strlen(key);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			kb = strtoull(line + klen + 1, NULL, 10);
	fclose(f);
	return kb * 1024;
}

static void
test_check_big_sparse_pool(void **state)
{
	(void)state;
	PMEMobjpool *pop = pmemobj_create(Path, "big", 0, 0600);
	if (pop == NULL)
		fail_msg("create: %s", pmemobj_errormsg());
	PMEMoid root = pmemobj_root(pop, 4096);
	assert_false(OID_IS_NULL(root));
	pmemobj_memset_persist(pop, pmemobj_direct(root), 'b', 4096);
	pmemobj_close(pop);
	errno = 0;
	int ret = pmemobj_check(Path, "big");
	if (ret != 1)
		fail_msg("check of a %llu GiB pool: %d, errno %d: %s",
			(unsigned long long)(Size / GiB), ret, errno,
			pmemobj_errormsg());
	pop = pmemobj_open(Path, "big");
	assert_non_null(pop);
	assert_int_equal(
		((char *)pmemobj_direct(pmemobj_root(pop, 0)))[4095], 'b');
	pmemobj_close(pop);
	struct stat st;
	assert_int_equal(stat(Path, &st), 0);
	assert_true((uint64_t)st.st_size == Size);
}

int
main(void)
{
	/* at least 32 GiB, and more than memory and swap together */
	uint64_t mem = meminfo("MemTotal") + meminfo("SwapTotal");
	Size = 32 * GiB;
	while (Size <= mem)
		Size *= 2;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(Path, sizeof(Path), "%s/obj-big-XXXXXX", tmp);
	int fd = mkstemp(Path);
	if (fd < 0 || ftruncate(fd, (off_t)Size) != 0) {
		fprintf(stderr,
			"cannot make a sparse file of %llu bytes in "
			"%s: %s; skipped\n",
			(unsigned long long)Size, tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(Path);
		}
		return 77;
	}
	close(fd);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_big_sparse_pool),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(Path);
	return ret;
}
