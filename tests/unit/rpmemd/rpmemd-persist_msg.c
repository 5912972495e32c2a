/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-persist_msg.c -- unit tests of persist message validation (wire
 * bytes)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "persist_msg.h"

#define BASE 0x7f0000000000ULL
#define POOL (8ULL << 20)

static const struct rpmemd_pmsg_bounds b = {
	.nlanes = 4,
	.base = BASE,
	.pool_size = POOL,
	.buff_size = 8192,
};

/* host order, little-endian on every platform we build for */
static size_t
msg(unsigned char *m, uint32_t flags, uint32_t lane, uint64_t addr,
	uint64_t size)
{
	for (int i = 0; i < 4; i++)
		m[i] = (unsigned char)(flags >> (8 * i));
	for (int i = 0; i < 4; i++)
		m[4 + i] = (unsigned char)(lane >> (8 * i));
	for (int i = 0; i < 8; i++)
		m[8 + i] = (unsigned char)(addr >> (8 * i));
	for (int i = 0; i < 8; i++)
		m[16 + i] = (unsigned char)(size >> (8 * i));
	return 24;
}

static unsigned char m[24 + 8192 + 64];

static int
check(size_t len, unsigned *mode)
{
	struct rpmem_msg_persist out;
	const char *why = NULL;
	int ret = rpmemd_pmsg_check(m, len, &b, &out, mode, &why);
	if (ret)
		assert_non_null(why);
	return ret;
}

static void
test_valid(void **state)
{
	(void)state;
	unsigned mode;
	struct rpmem_msg_persist out;
	const char *why;
	msg(m, 0, 3, BASE + 4096, 64);
	assert_int_equal(rpmemd_pmsg_check(m, 24, &b, &out, &mode, &why), 0);
	assert_int_equal(mode, RPMEM_FLUSH_WRITE);
	assert_int_equal(out.lane, 3);
	assert_int_equal(out.addr, BASE + 4096);
	assert_int_equal(out.size, 64);
	/* whole pool, header included */
	msg(m, 1, 0, BASE, POOL);
	assert_int_equal(check(24, &mode), 0);
	assert_int_equal(mode, RPMEM_DEEP_PERSIST);
	/* inline, completion bit ignored */
	msg(m, 2 | 4, 1, BASE + POOL - 8192, 8192);
	assert_int_equal(check(24 + 8192, &mode), 0);
	assert_int_equal(mode, RPMEM_PERSIST_SEND);
	/* mode 3 is served like 0 */
	msg(m, 3, 0, BASE, 8);
	assert_int_equal(check(24, &mode), 0);
	assert_int_equal(mode, RPMEM_FLUSH_WRITE);
	/* empty range at the end */
	msg(m, 0, 0, BASE + POOL, 0);
	assert_int_equal(check(24, &mode), 0);
}

static void
test_invalid(void **state)
{
	(void)state;
	unsigned mode;
	msg(m, 0, 0, BASE, 8);
	assert_int_equal(check(23, &mode), -EINVAL);
	assert_int_equal(check(0, &mode), -EINVAL);
	msg(m, 0, 4, BASE, 8);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, UINT32_MAX, BASE, 8);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, 0, BASE - 1, 8);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, 0, BASE + POOL - 7, 8);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, 0, BASE + POOL + 1, 0);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, 0, BASE, POOL + 1);
	assert_int_equal(check(24, &mode), -EINVAL);
	/* wrap-around */
	msg(m, 1, 0, BASE + 4096, UINT64_MAX - 100);
	assert_int_equal(check(24, &mode), -EINVAL);
	msg(m, 0, 0, UINT64_MAX - 10, 20);
	assert_int_equal(check(24, &mode), -EINVAL);
	/* inline larger than the buffer, or than the bytes received */
	msg(m, 2, 0, BASE, 8193);
	assert_int_equal(check(24 + 8193, &mode), -EINVAL);
	msg(m, 2, 0, BASE, 100);
	assert_int_equal(check(24 + 99, &mode), -EINVAL);
	assert_int_equal(check(24 + 100, &mode), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
