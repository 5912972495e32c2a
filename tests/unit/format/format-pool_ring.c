/* SPDX-License-Identifier: BSD-3-Clause */
/* format-pool_ring.c -- header links of a pool set and pool attributes */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "format/pool_ring.h"

#define NPARTS 3

static void
fill_uuids(uint8_t (*u)[POOL_HDR_UUID_LEN], unsigned n, uint8_t seed)
{
	for (unsigned i = 0; i < n; i++)
		memset(u[i], seed + (int)i, POOL_HDR_UUID_LEN);
}

/* every header names its neighbours, circularly, and both replicas */
static void
test_link_ring(void **state)
{
	(void)state;
	uint8_t u[NPARTS][POOL_HDR_UUID_LEN], prev[16], next[16];
	fill_uuids(u, NPARTS, 0x10);
	memset(prev, 0xa1, sizeof(prev));
	memset(next, 0xb2, sizeof(next));
	static struct pool_hdr h[NPARTS];
	for (unsigned i = 0; i < NPARTS; i++)
		pool_ring_link(&h[i], u, NPARTS, i, prev, next);
	assert_memory_equal(h[0].prev_part_uuid, u[2], 16);
	assert_memory_equal(h[0].next_part_uuid, u[1], 16);
	assert_memory_equal(h[2].next_part_uuid, u[0], 16);
	assert_memory_equal(h[1].uuid, u[1], 16);
	for (unsigned i = 0; i < NPARTS; i++) {
		assert_memory_equal(h[i].prev_repl_uuid, prev, 16);
		assert_memory_equal(h[i].next_repl_uuid, next, 16);
		assert_true(pool_ring_part_ok(h, NPARTS, i));
	}
	/* parts listed in another order break the links of their neighbours */
	struct pool_hdr t = h[1];
	h[1] = h[2];
	h[2] = t;
	assert_false(pool_ring_part_ok(h, NPARTS, 0));
	assert_false(pool_ring_part_ok(h, NPARTS, 1));
}

/* one part links to itself */
static void
test_single_part(void **state)
{
	(void)state;
	uint8_t u[1][POOL_HDR_UUID_LEN];
	fill_uuids(u, 1, 0x40);
	static struct pool_hdr h;
	pool_ring_link(&h, u, 1, 0, u[0], u[0]);
	assert_memory_equal(h.prev_part_uuid, u[0], 16);
	assert_memory_equal(h.next_part_uuid, u[0], 16);
	assert_true(pool_ring_part_ok(&h, 1, 0));
	assert_int_equal(pool_ring_prev(0, 1), 0);
	assert_int_equal(pool_ring_next(0, 1), 0);
	assert_int_equal(pool_ring_prev(0, 4), 3);
	assert_int_equal(pool_ring_next(3, 4), 0);
}

/* attributes in host order; the user flags are the arch flags as stored */
static void
test_attr_round_trip(void **state)
{
	(void)state;
	static struct pool_hdr h, back;
	pool_hdr_init(&h, "PMEMOBJ", 6, 1, POOL_FEAT_SINGLEHDR, 0);
	memset(h.poolset_uuid, 1, 16);
	memset(h.uuid, 2, 16);
	memset(h.prev_repl_uuid, 3, 16);
	memset(h.next_repl_uuid, 4, 16);
	struct rpmem_pool_attr a;
	pool_attr_from_hdr(&a, &h);
	assert_memory_equal(a.signature, "PMEMOBJ", 8);
	assert_int_equal(a.major, 6);
	assert_int_equal(a.compat_features, 1);
	assert_int_equal(a.incompat_features, POOL_FEAT_SINGLEHDR);
	assert_memory_equal(a.poolset_uuid, h.poolset_uuid, 16);
	assert_memory_equal(a.uuid, h.uuid, 16);
	assert_memory_equal(a.prev_uuid, h.prev_repl_uuid, 16);
	assert_memory_equal(a.next_uuid, h.next_repl_uuid, 16);
	struct pool_hdr_arch local;
	pool_hdr_arch_local(&local);
	assert_memory_equal(a.user_flags, &local, sizeof(local));

	memset(back.prev_part_uuid, 9, 16);
	pool_hdr_from_attr(&back, &a);
	assert_memory_equal(
		&back, &h, offsetof(struct pool_hdr, prev_part_uuid));
	assert_memory_equal(back.prev_repl_uuid, h.prev_repl_uuid, 32);
	assert_memory_equal(&back.arch, &h.arch, sizeof(h.arch));
	/* the part links are not the attributes' */
	uint8_t nines[16];
	memset(nines, 9, sizeof(nines));
	assert_memory_equal(back.prev_part_uuid, nines, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_ring),
		cmocka_unit_test(test_single_part),
		cmocka_unit_test(test_attr_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
