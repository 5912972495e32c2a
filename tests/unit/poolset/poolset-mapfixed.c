/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset-mapfixed.c -- mapping a replica never makes a MAP_FIXED call that
 * fails: a failed MAP_FIXED mapping may take the replica's reserved range
 * down, and another thread (rpmemd's libfabric warm-up, an allocator) may
 * map into the hole before the next call maps the part there; the part's
 * mapping then clobbers that thread's memory and is later unmapped under
 * the pool (rpmemd died with SIGSEGV reading the pool header)
 *
 * This program's mmap() takes the place of libc's for the common library
 * linked into it and counts the MAP_FIXED calls that fail. On a file
 * system without MAP_SYNC (every one here but DAX) the part mapping used to
 * try MAP_SYNC | MAP_FIXED first.
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
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "poolset.h"

static int Fixed_failed;

__attribute__((visibility("default"))) void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		if (flags & MAP_FIXED)
			Fixed_failed++;
		return MAP_FAILED;
	}
	return (void *)r;
}

static void
test_no_failed_fixed_map(void **state)
{
	(void)state;
	char dir[] = "/tmp/poolset-mapfixed-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char set[128], text[512];
	snprintf(set, sizeof(set), "%s/pool.set", dir);
	snprintf(text, sizeof(text), "PMEMPOOLSET\n2M %s/p0\n3M %s/p1\n", dir,
		dir);
	FILE *f = fopen(set, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	struct poolset *ps;
	assert_int_equal(poolset_read_file(set, &ps, NULL, 0), 0);
	struct poolset_map m;
	Fixed_failed = 0;
	assert_int_equal(poolset_map_replica(ps, 0, POOLSET_CREATE, &m), 0);
	assert_int_equal(Fixed_failed, 0);
	/* every part is there, readable and writable */
	memset(m.addr, 1, m.size);
	assert_int_equal(
		poolset_unmap_replica(ps, 0, &m, POOLSET_REMOVE_ALL), 0);
	poolset_free(ps);
	unlink(set);
	rmdir(dir);
}

int
main(void)
{
#if defined(__SANITIZE_ADDRESS__)
	puts("SKIP: AddressSanitizer replaces mmap, which this test wraps");
	return 77;
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
	puts("SKIP: AddressSanitizer replaces mmap, which this test wraps");
	return 77;
#endif
#endif
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_failed_fixed_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
#endif
}
