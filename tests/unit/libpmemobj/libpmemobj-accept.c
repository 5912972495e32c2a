/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj-accept.c -- header and descriptor variations that PMDK 1.12.1
 * accepts open in ours too, with the repairs PMDK makes (run_id wrap,
 * heap_size 0, conversion_flags, shutdown state), the shutdown-state ADR
 * failure refused, pmemobj_check never writing the file, and a pool file
 * the caller may not write (dropped privileges) refused with EACCES
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "format/checksum.h"
#include "libpmemobj.h"

#define POOL ((size_t)8 << 20)
#define META 0x2000 /* pool header and descriptor */
#define HEAP_OFF 0x302000ULL

static char Path[64];

static int
setup(void **state)
{
	(void)state;
	strcpy(Path, "/tmp/obj-accept-XXXXXX");
	int fd = mkstemp(Path);
	assert_true(fd >= 0);
	close(fd);
	unlink(Path);
	PMEMobjpool *pop = pmemobj_create(Path, "acc", POOL, 0644);
	assert_non_null(pop);
	char *r = pmemobj_direct(pmemobj_root(pop, 32));
	assert_non_null(r);
	pmemobj_memcpy_persist(pop, r, "kept contents", 14);
	pmemobj_close(pop);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(Path);
	return 0;
}

/* the format's checksum (spec §3); its vectors are checked in format-checksum
 */
static uint64_t
csum(const unsigned char *buf, size_t len, size_t csum_off, size_t skip)
{
	return csum_compute(buf, len, csum_off, skip);
}

static void
read_meta(unsigned char *m)
{
	int fd = open(Path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, m, META, 0), META);
	close(fd);
}

static void
write_meta(unsigned char *m, int fix_hdr)
{
	if (fix_hdr) {
		uint64_t v = csum(m, 4096, 0xFF8, 0x800);
		memcpy(m + 0xFF8, &v, 8);
	}
	int fd = open(Path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, m, META, 0), META);
	close(fd);
}

static void
put(unsigned char *m, size_t off, uint64_t v, size_t width)
{
	memcpy(m + off, &v, width);
}

static uint64_t
get(const unsigned char *m, size_t off)
{
	uint64_t v;
	memcpy(&v, m + off, 8);
	return v;
}

/* opens, finds the root contents, closes; returns the metadata after */
static void
open_ok(const char *what, unsigned char *after)
{
	PMEMobjpool *pop = pmemobj_open(Path, "acc");
	if (pop == NULL)
		fail_msg("%s: refused: %s", what, pmemobj_errormsg());
	const char *r = pmemobj_direct(pmemobj_root(pop, 0));
	assert_non_null(r);
	assert_string_equal(r, "kept contents");
	pmemobj_close(pop);
	assert_int_equal(pmemobj_check(Path, "acc"), 1);
	if (after)
		read_meta(after);
}

static void
test_header_variations(void **state)
{
	(void)state;
	unsigned char m[META], after[META];
	struct {
		const char *what;
		size_t off;
		uint64_t value;
		size_t width;
	} cases[] = {
		{"unknown compat bit", 0x0C, 0x8, 4},
		{"compat 0x1 as Debian writes", 0x0C, 0x1, 4},
		{"incompat 0x6 as Debian writes, clean sds", 0x10, 0x6, 4},
		{"non-zero unused", 0x100, 0xabcdef, 4},
		{"non-zero unused2", 0x900, 0x77, 1},
		{"crtime in the future", 0x78, (uint64_t)time(NULL) + 86400000,
			8},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		read_meta(m);
		put(m, cases[i].off, cases[i].value, cases[i].width);
		write_meta(m, 1);
		open_ok(cases[i].what, after);
		/* the header itself is left as it was */
		if (memcmp(m, after, 0xFB8) != 0)
			fail_msg("%s: header rewritten", cases[i].what);
	}
}

static void
test_descriptor_repairs(void **state)
{
	(void)state;
	unsigned char m[META], after[META];

	/* run_id about to wrap: becomes 2, as PMDK does */
	read_meta(m);
	put(m, 0x1808, UINT64_MAX - 1, 8);
	write_meta(m, 0);
	open_ok("run_id wrap", after);
	assert_int_equal(get(after, 0x1808), 2);

	/* heap_size 0 is repaired to the pool size minus the heap offset */
	read_meta(m);
	put(m, 0x1820, 0, 8);
	write_meta(m, 0);
	open_ok("heap_size 0", after);
	assert_int_equal(get(after, 0x1820), POOL - HEAP_OFF);

	/* conversion_flags are zeroed on every open */
	read_meta(m);
	put(m, 0x1818, 0x5, 8);
	write_meta(m, 0);
	open_ok("conversion flags", after);
	assert_int_equal(get(after, 0x1818), 0);
}

static void
set_sds(unsigned char *m, uint64_t usc, uint8_t dirty)
{
	put(m, 0x10, 0x6, 4); /* CKSUM_2K | SDS */
	memset(m + 0xFB8, 0, 64);
	put(m, 0xFB8, usc, 8);
	m[0xFC8] = dirty;
	uint64_t v = csum(m + 0xFB8, 64, 0x38, 64);
	put(m, 0xFF0, v, 8);
}

static void
test_shutdown_state(void **state)
{
	(void)state;
	unsigned char m[META], after[META];

	/* dirty with matching counters: a warning only, then clean at close */
	read_meta(m);
	set_sds(m, 0, 1);
	write_meta(m, 1);
	open_ok("dirty sds, counters match", after);
	assert_int_equal(after[0xFC8], 0);
	assert_int_equal(get(after, 0xFF0), csum(after + 0xFB8, 64, 0x38, 64));

	/* dirty with another unsafe shutdown count: an ADR failure */
	read_meta(m);
	set_sds(m, 5, 1);
	write_meta(m, 1);
	errno = 0;
	assert_null(pmemobj_open(Path, "acc"));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(pmemobj_errormsg(), "ADR failure"));
	read_meta(after);
	assert_memory_equal(m, after, META);

	/* clean with another count: re-initialised, opens */
	read_meta(m);
	set_sds(m, 5, 0);
	write_meta(m, 1);
	open_ok("clean sds, counters differ", after);
	assert_int_equal(after[0xFC8], 0);
}

static void
test_check_does_not_write(void **state)
{
	(void)state;
	int fd = open(Path, O_RDONLY);
	assert_true(fd >= 0);
	unsigned char *before = malloc(POOL), *now = malloc(POOL);
	assert_int_equal(pread(fd, before, POOL, 0), (ssize_t)POOL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pmemobj_check(Path, "acc"), 1);
	assert_int_equal(pmemobj_check(Path, "other"), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(pread(fd, now, POOL, 0), (ssize_t)POOL);
	close(fd);
	assert_memory_equal(before, now, POOL);
	free(before);
	free(now);
}

/* a user who may read but not write the pool file, nor its directory */
static void
test_not_writable(void **state)
{
	(void)state;
	char dir[] = "/tmp/obj-ro-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	char inside[128];
	snprintf(inside, sizeof(inside), "%s/pool", dir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(10);
		if (geteuid() == 0)
			_exit(11);
		/* Path is 0644 and owned by another user when run as root */
		struct stat st;
		if (stat(Path, &st) != 0)
			_exit(12);
		if (st.st_uid == geteuid())
			chmod(Path, 0444);
		if (pmemobj_open(Path, "acc") != NULL || errno != EACCES)
			_exit(1);
		if (strstr(pmemobj_errormsg(), Path) == NULL)
			_exit(2);
		if (st.st_uid != geteuid()) {
			/* cannot create in a directory we may not write */
			if (pmemobj_create(inside, "x", POOL, 0600) != NULL ||
				errno != EACCES)
				_exit(3);
		}
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0)
		fail_msg("child step %d failed", WEXITSTATUS(status));
	chmod(Path, 0644);
	assert_int_equal(access(inside, F_OK), -1);
	rmdir(dir);
	/* the owner still opens it */
	open_ok("after the refused user", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_header_variations, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_descriptor_repairs, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_shutdown_state, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_check_does_not_write, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_not_writable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
