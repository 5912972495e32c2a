/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-log.c -- unit tests of rpmemd's log: the common layer's lines
 * are let through exactly at the levels rpmemd writes them
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log.h"
#include "rpmemd_log.h"

/* each rpmemd level lets the common layer log just what reaches the log */
static void
test_common_level(void **state)
{
	(void)state;
	static const int want[MAX_RPD_LOG] = {
		[RPD_LOG_ERR] = LOG_LVL_ERR,
		[RPD_LOG_WARN] = LOG_LVL_WARN,
		[RPD_LOG_NOTICE] = LOG_LVL_WARN, /* the common layer has none */
		[RPD_LOG_INFO] = LOG_LVL_INFO,
		[RPD_LOG_DBG] = LOG_LVL_DBG,
	};
	assert_int_equal(rpmemd_log_init("rpmemd-log", NULL, 0), 0);
	for (int l = 0; l < MAX_RPD_LOG; l++) {
		rpmemd_log_set_level((enum rpmemd_log_level)l);
		assert_int_equal(log_get_level(), want[l]);
	}
	rpmemd_log_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
