/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-spin.c -- the adaptive choice between polling and sleeping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rpmem_spin.h"

/* how many of the next n waits poll, each reported with outcome hit */
static unsigned
polls(struct rpmem_spin *s, unsigned n, int hit)
{
	unsigned p = 0;
	for (unsigned i = 0; i < n; i++) {
		if (rpmem_spin_begin(s)) {
			rpmem_spin_end(s, hit);
			p++;
		}
	}
	return p;
}

/* a fresh state polls, and keeps polling while that catches completions */
static void
test_hits_keep_polling(void **state)
{
	(void)state;
	struct rpmem_spin s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(polls(&s, 100, 1), 100);
}

/* after a miss 2, then 4, ... waits sleep at once, at most the cap */
static void
test_misses_back_off(void **state)
{
	(void)state;
	struct rpmem_spin s;
	memset(&s, 0, sizeof(s));
	unsigned expect_skip = 2;
	for (int round = 0; round < 10; round++) {
		assert_int_equal(rpmem_spin_begin(&s), 1);
		rpmem_spin_end(&s, 0);
		for (unsigned i = 0; i < expect_skip; i++)
			assert_int_equal(rpmem_spin_begin(&s), 0);
		if (expect_skip < RPMEM_SPIN_MAX_SKIP)
			expect_skip *= 2;
	}
	/* only one wait in RPMEM_SPIN_MAX_SKIP + 1 polls when all miss */
	unsigned n = 10 * (RPMEM_SPIN_MAX_SKIP + 1);
	assert_int_equal(polls(&s, n, 0), 10);
}

/* one hit after many misses makes every wait poll again */
static void
test_hit_resets(void **state)
{
	(void)state;
	struct rpmem_spin s;
	memset(&s, 0, sizeof(s));
	(void)polls(&s, 1000, 0);
	while (!rpmem_spin_begin(&s))
		;
	rpmem_spin_end(&s, 1);
	assert_int_equal(polls(&s, 50, 1), 50);
}

static void
test_clock(void **state)
{
	(void)state;
	uint64_t a = rpmem_now_us();
	uint64_t b = rpmem_now_us();
	assert_true(a > 0);
	assert_true(b >= a);
}

/* sleeps between reads double from 16 us up to the cap; reset restarts */
static void
test_backoff(void **state)
{
	(void)state;
	struct rpmem_backoff b = {0};
	rpmem_backoff_sleep(&b, 100);
	assert_int_equal(b.us, 32);
	rpmem_backoff_sleep(&b, 100);
	assert_int_equal(b.us, 64);
	rpmem_backoff_sleep(&b, 100);
	assert_int_equal(b.us, 100);
	rpmem_backoff_sleep(&b, 100);
	assert_int_equal(b.us, 100);
	rpmem_backoff_reset(&b);
	assert_int_equal(b.us, 0);
	rpmem_backoff_sleep(&b, 8); /* a cap below the first sleep */
	assert_int_equal(b.us, 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits_keep_polling),
		cmocka_unit_test(test_misses_back_off),
		cmocka_unit_test(test_hit_resets),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
