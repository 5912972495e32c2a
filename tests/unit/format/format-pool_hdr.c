/* SPDX-License-Identifier: BSD-3-Clause */
/* format-pool_hdr.c -- pool header init, checksum, byte order, validation */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/checksum.h"
#include "format/pool_hdr.h"
#include "format/uuid.h"

static const struct pool_hdr_expect obj_want = {
	.signature = "PMEMOBJ",
	.major = 6,
	.known_incompat = 0x7,
	.single_part = 1,
};

static struct pool_hdr *
make_hdr(uint32_t incompat)
{
	struct pool_hdr *h = malloc(sizeof(*h));
	assert_non_null(h);
	pool_hdr_init(h, "PMEMOBJ", 6, 0x1, incompat, 0);
	assert_int_equal(uuid_gen(h->poolset_uuid), 0);
	assert_int_equal(uuid_gen(h->uuid), 0);
	memcpy(h->prev_part_uuid, h->uuid, POOL_HDR_UUID_LEN);
	memcpy(h->next_part_uuid, h->uuid, POOL_HDR_UUID_LEN);
	memcpy(h->prev_repl_uuid, h->uuid, POOL_HDR_UUID_LEN);
	memcpy(h->next_repl_uuid, h->uuid, POOL_HDR_UUID_LEN);
	h->crtime = htole64(1700000000);
	pool_hdr_csum_set(h);
	return h;
}

/* the bytes PMDK writes for x86_64 (spec 2.1) */
static void
test_init_bytes(void **state)
{
	(void)state;
	struct pool_hdr *h = make_hdr(0x6);
	const uint8_t *b = (const uint8_t *)h;
	static const uint8_t head[] = {0x50, 0x4d, 0x45, 0x4d, 0x4f, 0x42, 0x4a,
		0x00, 0x06, 0, 0, 0, 0x01, 0, 0, 0, 0x06, 0, 0, 0, 0, 0, 0, 0};
	assert_memory_equal(b, head, sizeof(head));
	static const uint8_t arch[] = {0x10, 0x73, 0x77, 0x37, 0xf7, 0x07, 0x00,
		0x00, 0x02, 0x01, 0, 0, 0, 0, 0x3e, 0x00};
	assert_memory_equal(b + 0x80, arch, sizeof(arch));
	for (size_t i = 0x90; i < POOL_HDR_CSUM_OFF; i++)
		assert_int_equal(b[i], 0);
	assert_true(pool_hdr_csum_ok(h));
	/* 2K variant: the checksum covers 4096 bytes with the tail as zero */
	assert_int_equal(
		le64toh(h->checksum), csum_compute(h, 4096, 0xFF8, 0x800));
	free(h);
}

static void
test_valid(void **state)
{
	(void)state;
	uint32_t variants[] = {0x2, 0x6, 0x0, 0x4};
	for (size_t i = 0; i < 4; i++) {
		struct pool_hdr *h = make_hdr(variants[i]);
		char why[256];
		assert_int_equal(
			pool_hdr_validate(h, &obj_want, why, sizeof(why)), 0);
		assert_string_equal(why, "");
		free(h);
	}
}

/* with CKSUM_2K the sds and unused2 are outside the checksum */
static void
test_2k_coverage(void **state)
{
	(void)state;
	struct pool_hdr *h = make_hdr(0x6);
	h->sds.dirty = 1;
	h->unused2[5] = 9;
	assert_true(pool_hdr_csum_ok(h));
	h->unused[5] = 9;
	assert_false(pool_hdr_csum_ok(h));
	free(h);

	h = make_hdr(0x0);
	h->sds.dirty = 1;
	assert_false(pool_hdr_csum_ok(h));
	free(h);
}

static void
expect_bad(struct pool_hdr *h, int resum, const char *needle)
{
	if (resum)
		pool_hdr_csum_set(h);
	char why[256];
	assert_int_equal(
		pool_hdr_validate(h, &obj_want, why, sizeof(why)), -EINVAL);
	if (strstr(why, needle) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, needle);
	free(h);
}

static void
test_corruptions(void **state)
{
	(void)state;
	struct pool_hdr *h;

	h = make_hdr(0x6);
	memset(h, 0, sizeof(*h));
	expect_bad(h, 0, "invalid major version (0)");

	h = make_hdr(0x6);
	h->major = 0;
	expect_bad(h, 1, "invalid major version (0)");

	h = make_hdr(0x6);
	memcpy(h->signature, "PMEMBLK", 8);
	expect_bad(h, 1, "wrong pool type: \"PMEMBLK\"");

	h = make_hdr(0x6);
	h->major = htole32(5);
	expect_bad(h, 1, "pool version 5 (library expects 6)");

	h = make_hdr(0x6);
	h->incompat = htole32(0x6 | 0x10);
	expect_bad(h, 1, "unknown incompat features: 0x10");

	h = make_hdr(0x6);
	h->ro_compat = htole32(0x1);
	expect_bad(h, 1, "ro_compat");

	h = make_hdr(0x6);
	h->crtime ^= 1;
	expect_bad(h, 0, "invalid checksum of pool header");

	h = make_hdr(0x6);
	h->checksum ^= htole64(1ULL << 40);
	expect_bad(h, 0, "invalid checksum of pool header");

	h = make_hdr(0x6);
	h->arch.machine = htole16(183);
	expect_bad(h, 1, "wrong architecture flags (machine 183");

	h = make_hdr(0x6);
	h->arch.alignment_desc ^= 1;
	expect_bad(h, 1, "wrong architecture flags");

	h = make_hdr(0x6);
	h->arch.reserved[2] = 1;
	expect_bad(h, 1, "wrong architecture flags");

	h = make_hdr(0x6);
	h->arch.data = 2;
	expect_bad(h, 1, "wrong architecture flags");

	h = make_hdr(0x6);
	h->uuid[3] ^= 0x20;
	expect_bad(h, 1, "wrong part UUID");

	h = make_hdr(0x6);
	h->next_part_uuid[0] ^= 1;
	expect_bad(h, 1, "wrong part UUID");

	h = make_hdr(0x6);
	h->prev_repl_uuid[15] ^= 1;
	expect_bad(h, 1, "wrong replica UUID");
}

/* a different signature and major are just parameters */
static void
test_other_signature(void **state)
{
	(void)state;
	struct pool_hdr *h = malloc(sizeof(*h));
	assert_non_null(h);
	pool_hdr_init(h, "RPMEMATTR", 3, 0, 0x2, 0);
	/* truncated to 8 bytes, not NUL-terminated */
	assert_memory_equal(h->signature, "RPMEMATT", 8);
	pool_hdr_csum_set(h);
	struct pool_hdr_expect want = {"RPMEMATTR", 3, 0x2, 0};
	char why[128];
	assert_int_equal(pool_hdr_validate(h, &want, why, sizeof(why)), 0);
	assert_int_equal(
		pool_hdr_validate(h, &obj_want, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "wrong pool type"));
	/* no reason buffer is fine */
	assert_int_equal(pool_hdr_validate(h, &obj_want, NULL, 0), -EINVAL);
	free(h);
}

static void
test_byte_order(void **state)
{
	(void)state;
	struct pool_hdr *h = make_hdr(0x6);
	struct pool_hdr *c = malloc(sizeof(*c));
	assert_non_null(c);
	memcpy(c, h, sizeof(*c));
	pool_hdr_le2h(c);
	assert_int_equal(c->major, 6);
	assert_int_equal(c->incompat, 0x6);
	assert_int_equal(c->compat, 0x1);
	assert_int_equal(c->crtime, 1700000000);
	assert_int_equal(c->arch.machine, 62);
	assert_int_equal(c->arch.alignment_desc, 0x000007F737777310ULL);
	pool_hdr_h2le(c);
	assert_memory_equal(c, h, sizeof(*c));
	free(c);
	free(h);
}

static void
test_is_zero_and_sds(void **state)
{
	(void)state;
	struct pool_hdr *h = calloc(1, sizeof(*h));
	assert_non_null(h);
	assert_true(pool_hdr_is_zero(h));
	assert_int_equal(pool_hdr_sds_checksum(&h->sds), 0);
	((uint8_t *)h)[4095] = 1;
	assert_false(pool_hdr_is_zero(h));
	h->sds.dirty = 1;
	assert_int_equal(pool_hdr_sds_checksum(&h->sds), 0x0000000C00000001ULL);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bytes),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_2k_coverage),
		cmocka_unit_test(test_corruptions),
		cmocka_unit_test(test_other_signature),
		cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_is_zero_and_sds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
