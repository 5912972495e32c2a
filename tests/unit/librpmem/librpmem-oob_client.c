/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-oob_client.c -- out-of-band messages: byte-exact requests, responses
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "oob_client.h"

static struct rpmem_pool_attr
sample_attr(void)
{
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "PMEMOBJ", 7);
	a.major = 6;
	a.compat_features = 0x1;
	a.incompat_features = 0x102;
	a.ro_compat_features = 0xa0b0c0d;
	for (int i = 0; i < 16; i++) {
		a.poolset_uuid[i] = (unsigned char)(0x10 + i);
		a.uuid[i] = (unsigned char)(0x20 + i);
		a.next_uuid[i] = (unsigned char)(0x30 + i);
		a.prev_uuid[i] = (unsigned char)(0x40 + i);
		a.user_flags[i] = (unsigned char)(0x50 + i);
	}
	return a;
}

/* the attribute block as PMDK puts it on the wire */
static void
expect_attr(const unsigned char *w)
{
	static const unsigned char head[24] = {'P', 'M', 'E', 'M', 'O', 'B',
		'J', 0, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 1, 2, 0x0a, 0x0b, 0x0c,
		0x0d};
	assert_memory_equal(w, head, sizeof(head));
	for (int i = 0; i < 16; i++) {
		assert_int_equal(w[24 + i], 0x10 + i);
		assert_int_equal(w[40 + i], 0x20 + i);
		assert_int_equal(w[56 + i], 0x30 + i);
		assert_int_equal(w[72 + i], 0x40 + i);
		assert_int_equal(w[88 + i], 0x50 + i);
	}
}

static const struct rpmem_req_attr req = {.pool_size = 0x0001234567abcdefULL,
	.nlanes = 0x123,
	.provider = 2,
	.buff_size = 8192,
	.pool_desc = "pool_desc"};

static void
expect_common(const unsigned char *w)
{
	static const unsigned char c[28] = {0, 0, 0, 1, 0x00, 0x01, 0x23, 0x45,
		0x67, 0xab, 0xcd, 0xef, 0, 0, 0x01, 0x23, 0, 0, 0, 2, 0, 0, 0,
		0, 0, 0, 0x20, 0};
	assert_memory_equal(w, c, sizeof(c));
}

static void
test_create(void **state)
{
	(void)state;
	struct rpmem_pool_attr a = sample_attr();
	size_t size;
	unsigned char *m = rpmem_obc_create_msg(&req, &a, &size);
	assert_non_null(m);
	assert_int_equal(size, 148 + 10);
	static const unsigned char hdr[12] = {
		0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 158};
	assert_memory_equal(m, hdr, 12);
	expect_common(m + 12);
	expect_attr(m + 40);
	static const unsigned char desc[14] = {
		0, 0, 0, 10, 'p', 'o', 'o', 'l', '_', 'd', 'e', 's', 'c', 0};
	assert_memory_equal(m + 144, desc, sizeof(desc));
	free(m);

	/* NULL attributes: a zero block */
	m = rpmem_obc_create_msg(&req, NULL, &size);
	for (int i = 40; i < 144; i++)
		assert_int_equal(m[i], 0);
	free(m);
}

static void
test_open(void **state)
{
	(void)state;
	size_t size;
	unsigned char *m = rpmem_obc_open_msg(&req, &size);
	assert_int_equal(size, 44 + 10);
	static const unsigned char hdr[12] = {
		0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 54};
	assert_memory_equal(m, hdr, 12);
	expect_common(m + 12);
	static const unsigned char desc[14] = {
		0, 0, 0, 10, 'p', 'o', 'o', 'l', '_', 'd', 'e', 's', 'c', 0};
	assert_memory_equal(m + 40, desc, sizeof(desc));
	free(m);
}

static void
test_close_set_attr(void **state)
{
	(void)state;
	struct rpmem_msg_close c;
	rpmem_obc_close_msg(&c, RPMEM_CLOSE_FLAGS_REMOVE);
	/* flags travel in host (little-endian) order */
	static const unsigned char cw[16] = {
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 16, 1, 0, 0, 0};
	assert_memory_equal(&c, cw, 16);

	struct rpmem_msg_set_attr s;
	struct rpmem_pool_attr a = sample_attr();
	rpmem_obc_set_attr_msg(&s, &a);
	static const unsigned char sw[12] = {
		0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 116};
	assert_memory_equal(&s, sw, 12);
	expect_attr((unsigned char *)&s + 12);
}

/* a wire CREATE_RESP / OPEN_RESP with the given fields */
static void
make_resp(unsigned char *w, uint32_t type, uint64_t size, uint32_t status,
	uint32_t port, uint32_t method)
{
	memset(w, 0, 148);
	struct rpmem_msg_open_resp *r = (void *)w;
	r->hdr.status = htobe32(status);
	r->hdr.type = htobe32(type);
	r->hdr.size = htobe64(size);
	r->ibc.port = htobe32(port);
	r->ibc.persist_method = htobe32(method);
	r->ibc.rkey = htobe64(0x1122334455667788ULL);
	r->ibc.raddr = htobe64(0x00007f0000001000ULL);
	r->ibc.nlanes = 0x21; /* host order */
}

static void
test_resp_valid(void **state)
{
	(void)state;
	unsigned char w[148];
	uint32_t st;
	char why[128];
	make_resp(w, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0x1234, 2);
	/* byte-exact check of the vector itself */
	static const unsigned char v[44] = {0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0,
		0, 0, 0, 44, 0, 0, 0x12, 0x34, 0, 0, 0, 2, 0x11, 0x22, 0x33,
		0x44, 0x55, 0x66, 0x77, 0x88, 0, 0, 0x7f, 0, 0, 0, 0x10, 0,
		0x21, 0, 0, 0};
	assert_memory_equal(w, v, 44);
	assert_int_equal(rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_CREATE_RESP,
				 &st, why, sizeof(why)),
		0);
	struct rpmem_resp_attr ra;
	rpmem_obc_get_ibc(&((struct rpmem_msg_create_resp *)w)->ibc, &ra);
	assert_int_equal(ra.port, 0x1234);
	assert_int_equal(ra.persist_method, 2);
	assert_int_equal(ra.rkey, 0x1122334455667788ULL);
	assert_int_equal(ra.raddr, 0x00007f0000001000ULL);
	assert_int_equal(ra.nlanes, 0x21);

	/* OPEN_RESP carries attributes */
	make_resp(w, RPMEM_MSG_TYPE_OPEN_RESP, 148, 0, 1, 1);
	struct rpmem_pool_attr a = sample_attr();
	struct rpmem_msg_set_attr s;
	rpmem_obc_set_attr_msg(&s, &a);
	memcpy(w + 44, &s.pool_attr, 104);
	assert_int_equal(rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_OPEN_RESP, &st,
				 why, sizeof(why)),
		0);
	struct rpmem_pool_attr got;
	rpmem_obc_get_attr(&((struct rpmem_msg_open_resp *)w)->pool_attr, &got);
	assert_memory_equal(&got, &a, sizeof(a));
}

static void
test_resp_invalid(void **state)
{
	(void)state;
	unsigned char w[148];
	uint32_t st;
	char why[128];
	static const struct {
		uint32_t type;
		uint64_t size;
		uint32_t status, port, method;
	} bad[] = {
		{RPMEM_MSG_TYPE_OPEN_RESP, 44, 0, 1, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 43, 0, 1, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 45, 0, 1, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 44, 14, 1, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 65536, 1},
		{RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 1, 3},
		{RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 1, 0},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_resp(w, bad[i].type, bad[i].size, bad[i].status,
			bad[i].port, bad[i].method);
		assert_int_equal(
			rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_CREATE_RESP, &st,
				why, sizeof(why)),
			-EPROTO);
		assert_true(strlen(why) > 0);
	}
}

static void
test_resp_status(void **state)
{
	(void)state;
	static const int err[] = {0, EPROTONOSUPPORT, EINVAL, EFBIG, EINVAL,
		EINVAL, EREMOTEIO, ECONNABORTED, EBUSY, EEXIST, EMEDIUMTYPE,
		ENOENT, EACCES, EINVAL};
	unsigned char w[148];
	uint32_t st;
	char why[128];
	for (uint32_t s = 1; s < 14; s++) {
		make_resp(w, RPMEM_MSG_TYPE_CLOSE_RESP, 16, s, 0, 0);
		assert_int_equal(
			rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_CLOSE_RESP, &st,
				why, sizeof(why)),
			-err[s]);
		assert_int_equal(st, s);
		assert_string_equal(why, rpmem_status_msg(s));
	}
	make_resp(w, RPMEM_MSG_TYPE_SET_ATTR_RESP, 16, 0, 0, 0);
	assert_int_equal(rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_SET_ATTR_RESP,
				 &st, why, sizeof(why)),
		0);
	make_resp(w, RPMEM_MSG_TYPE_SET_ATTR_RESP, 17, 0, 0, 0);
	assert_int_equal(rpmem_obc_check_resp(w, RPMEM_MSG_TYPE_SET_ATTR_RESP,
				 &st, why, sizeof(why)),
		-EPROTO);
}

static void
test_attr_zero(void **state)
{
	(void)state;
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	assert_true(rpmem_attr_is_zero(NULL));
	assert_true(rpmem_attr_is_zero(&a));
	a.user_flags[15] = 1;
	assert_false(rpmem_attr_is_zero(&a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_close_set_attr),
		cmocka_unit_test(test_resp_valid),
		cmocka_unit_test(test_resp_invalid),
		cmocka_unit_test(test_resp_status),
		cmocka_unit_test(test_attr_zero),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
