/* SPDX-License-Identifier: BSD-3-Clause */
/* format-uuid.c -- random uuids, their text form and uuid_lo */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/pool_hdr.h"
#include "format/uuid.h"

static const uint8_t example_bin[UUID_LEN] = {0x19, 0x21, 0xdf, 0x6b, 0x21,
	0x32, 0x00, 0x4d, 0xbb, 0x17, 0xf3, 0x56, 0x04, 0x8a, 0xc3, 0xe4};
static const char example_str[] = "6bdf2119-3221-4d00-bb17-f356048ac3e4";

static void
test_to_str(void **state)
{
	(void)state;
	char s[UUID_STR_LEN];
	uuid_to_str(example_bin, s);
	assert_string_equal(s, example_str);
}

static void
test_gen(void **state)
{
	(void)state;
	uint8_t a[UUID_LEN], b[UUID_LEN];
	assert_int_equal(uuid_gen(a), 0);
	assert_int_equal(uuid_gen(b), 0);
	assert_memory_not_equal(a, b, UUID_LEN);
	/* version 4, variant 10 */
	assert_int_equal(a[7] >> 4, 4);
	assert_int_equal(a[8] >> 6, 2);
	char s[UUID_STR_LEN];
	uuid_to_str(a, s);
	assert_int_equal(s[14], '4');
}

static void
test_uuid_lo(void **state)
{
	(void)state;
	assert_int_equal(pool_hdr_uuid_lo(example_bin), 0xa2362c3d25b8c3a9ULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_to_str),
		cmocka_unit_test(test_gen),
		cmocka_unit_test(test_uuid_lo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
