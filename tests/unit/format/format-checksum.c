/* SPDX-License-Identifier: BSD-3-Clause */
/* format-checksum.c -- the format checksum against the spec's test vectors */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/checksum.h"

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* words 1, 2, [checksum field], 3, 4 */
static void
test_small_buffer(void **state)
{
	(void)state;
	uint8_t b[24];
	memset(b, 0xEE, sizeof(b)); /* the field's content must not count */
	put32(b, 1);
	put32(b + 4, 2);
	put32(b + 16, 3);
	put32(b + 20, 4);
	assert_int_equal(csum_compute(b, sizeof(b), 8, sizeof(b)),
		0x0000001A0000000AULL);
}

/* sds of an open pool: dirty = 1 */
static void
test_sds_open(void **state)
{
	(void)state;
	uint8_t s[64] = {0};
	s[16] = 1;
	assert_int_equal(csum_compute(s, sizeof(s), 56, sizeof(s)),
		0x0000000C00000001ULL);
	s[16] = 0;
	assert_int_equal(csum_compute(s, sizeof(s), 56, sizeof(s)), 0);
}

static uint64_t
desc_csum(const char *layout)
{
	uint8_t d[2048] = {0};
	if (layout)
		memcpy(d, layout, strlen(layout));
	put64(d + 1024, 0x2000);
	put64(d + 1032, 0x400);
	put64(d + 1040, 0x302000);
	return csum_compute(d, sizeof(d), 2040, sizeof(d));
}

/* descriptors PMDK wrote */
static void
test_descriptor(void **state)
{
	(void)state;
	assert_int_equal(desc_csum(NULL), 0x2F83780000304400ULL);
	assert_int_equal(desc_csum("testlayout"), 0x9A7FD7AAE41D7F55ULL);
	assert_int_equal(desc_csum("mylayout"), 0x7EDFD487D6122CE6ULL);
}

/* zero-treated words still advance the high sum */
static void
test_skip_is_not_truncation(void **state)
{
	(void)state;
	static uint8_t h[4096];
	for (size_t i = 0; i < sizeof(h); i++)
		h[i] = (uint8_t)(i * 7 + 1);
	uint64_t skip = csum_compute(h, 4096, 0xFF8, 0x800);
	uint64_t half = csum_compute(h, 2048, CSUM_NO_FIELD, 2048);
	assert_int_equal((uint32_t)skip, (uint32_t)half);
	assert_int_not_equal(skip >> 32, half >> 32);
	/* bytes beyond the skip offset do not matter */
	h[0x900] ^= 0xFF;
	assert_int_equal(csum_compute(h, 4096, 0xFF8, 0x800), skip);
	/* but they do without a skip offset */
	uint64_t full = csum_compute(h, 4096, 0xFF8, 4096);
	h[0x900] ^= 0xFF;
	assert_int_not_equal(csum_compute(h, 4096, 0xFF8, 4096), full);
}

/* a running state gives the same result as one call over the whole */
static void
test_continuation(void **state)
{
	(void)state;
	uint8_t b[64];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 13 + 5);
	struct csum_state st = {0, 0};
	csum_update(&st, b, 40, CSUM_NO_FIELD, 40);
	csum_update(&st, b + 40, 24, CSUM_NO_FIELD, 24);
	assert_int_equal(csum_value(&st),
		csum_compute(b, sizeof(b), CSUM_NO_FIELD, sizeof(b)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_sds_open),
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_skip_is_not_truncation),
		cmocka_unit_test(test_continuation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
