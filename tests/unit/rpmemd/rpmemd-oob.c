/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd-oob.c -- unit tests of out-of-band request validation (wire bytes) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "oob.h"

/* byte writers: the wire format spelled out independently of the structs */
static size_t
put_be(unsigned char *b, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b[off + (size_t)i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	return off + (size_t)n;
}

static size_t
put_le(unsigned char *b, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b[off + (size_t)i] = (unsigned char)(v >> (8 * i));
	return off + (size_t)n;
}

struct common_v {
	uint16_t major, minor;
	uint64_t pool_size;
	uint32_t nlanes, provider;
	uint64_t buff_size;
};

static const struct common_v good_c = {
	0, 1, 0x0001234567abcdefULL, 0x123, 2, 8192};

static size_t
put_common(unsigned char *b, size_t off, const struct common_v *c)
{
	off = put_be(b, off, c->major, 2);
	off = put_be(b, off, c->minor, 2);
	off = put_be(b, off, c->pool_size, 8);
	off = put_be(b, off, c->nlanes, 4);
	off = put_be(b, off, c->provider, 4);
	return put_be(b, off, c->buff_size, 8);
}

static size_t
put_attr(unsigned char *b, size_t off)
{
	memcpy(b + off, "PMEMOBJ", 8);
	off += 8;
	off = put_be(b, off, 6, 4);
	off = put_be(b, off, 1, 4);
	off = put_be(b, off, 0x6, 4);
	off = put_be(b, off, 0, 4);
	for (int i = 0; i < 80; i++)
		b[off + (size_t)i] = (unsigned char)(0x10 + i);
	return off + 80;
}

/* CREATE with descriptor bytes dsc (dlen incl. any NUL), dsize as sent */
static size_t
make_create(unsigned char *b, const struct common_v *c, const char *dsc,
	size_t dlen, uint32_t dsize, int64_t size_delta)
{
	memset(b, 0, RPMEMD_MAX_MSG);
	size_t total = 148 + dlen;
	size_t off = put_be(b, 0, 1, 4);
	off = put_be(b, off, (uint64_t)((int64_t)total + size_delta), 8);
	off = put_common(b, off, c);
	off = put_attr(b, off);
	assert_int_equal(off, 144);
	off = put_be(b, off, dsize, 4);
	memcpy(b + off, dsc, dlen);
	return total;
}

static size_t
make_open(unsigned char *b, const struct common_v *c, const char *name)
{
	memset(b, 0, RPMEMD_MAX_MSG);
	size_t dlen = strlen(name) + 1;
	size_t off = put_be(b, 0, 3, 4);
	off = put_be(b, off, 44 + dlen, 8);
	off = put_common(b, off, c);
	off = put_be(b, off, dlen, 4);
	memcpy(b + off, name, dlen);
	return off + dlen;
}

static unsigned char buf[RPMEMD_MAX_MSG + 16];

static void
test_create_decode(void **state)
{
	(void)state;
	size_t len = make_create(buf, &good_c, "pool.set", 9, 9, 0);
	assert_int_equal(len, 157);
	struct rpmemd_req r;
	const char *why;
	assert_int_equal(rpmemd_oob_decode(buf, len, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.type, RPMEM_MSG_TYPE_CREATE);
	assert_int_equal(r.major, 0);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.pool_size, 0x0001234567abcdefULL);
	assert_int_equal(r.nlanes, 0x123);
	assert_int_equal(r.provider, 2);
	assert_int_equal(r.buff_size, 8192);
	assert_string_equal(r.desc, "pool.set");
	assert_int_equal(r.has_attr, 1);
	assert_memory_equal(r.attr.signature, "PMEMOBJ", 8);
	assert_int_equal(r.attr.major, 6);
	assert_int_equal(r.attr.compat_features, 1);
	assert_int_equal(r.attr.incompat_features, 6);
	assert_int_equal(r.attr.poolset_uuid[0], 0x10);
	assert_int_equal(r.attr.user_flags[15], 0x10 + 79);

	/* zero attributes: "no attributes" */
	memset(buf + 40, 0, 104);
	assert_int_equal(rpmemd_oob_decode(buf, len, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.has_attr, 0);
}

static void
expect_status(size_t len, enum rpmem_status st)
{
	struct rpmemd_req r;
	const char *why = NULL;
	enum rpmem_status got = rpmemd_oob_decode(buf, len, &r, &why);
	if (got != st)
		fail_msg(
			"status %d, expected %d (%s)", got, st, why ? why : "");
	assert_non_null(why);
	assert_true(strlen(why) > 0);
}

static void
test_create_bad(void **state)
{
	(void)state;
	struct common_v c = good_c;
	size_t len;
	/* descriptor size +-1 relative to the header size */
	len = make_create(buf, &c, "pool.set", 9, 10, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	len = make_create(buf, &c, "pool.set", 9, 8, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	/* descriptor size 0 and 1, empty name */
	len = make_create(buf, &c, "", 0, 0, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	len = make_create(buf, &c, "", 1, 1, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	/* NUL inside, missing final NUL */
	len = make_create(buf, &c, "po\0l.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	len = make_create(buf, &c, "pool.set", 8, 8, 0);
	expect_status(len, RPMEM_ERR_BADNAME);
	/* header size disagrees with the bytes given */
	len = make_create(buf, &c, "pool.set", 9, 9, 1);
	expect_status(len, RPMEM_ERR_FATAL);
	/* shorter than the fixed part */
	len = make_create(buf, &c, "pool.set", 9, 9, -20);
	expect_status(len - 20, RPMEM_ERR_BADNAME);
	/* versions */
	c.major = 1;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADPROTO);
	c = good_c;
	c.minor = 2;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADPROTO);
	/* providers */
	c = good_c;
	c.provider = 0;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADPROVIDER);
	c.provider = 4;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADPROVIDER);
	c.provider = 3; /* tcp: our extension */
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	struct rpmemd_req r;
	const char *why;
	assert_int_equal(rpmemd_oob_decode(buf, len, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.provider, 3);
	/* lanes and inline buffer */
	c = good_c;
	c.nlanes = 0;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_BADNLANES);
	c = good_c;
	c.buff_size = 8;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_FATAL);
	c.buff_size = 1ULL << 40;
	len = make_create(buf, &c, "pool.set", 9, 9, 0);
	expect_status(len, RPMEM_ERR_FATAL);
}

static void
test_open_decode(void **state)
{
	(void)state;
	size_t len = make_open(buf, &good_c, "sub/dir.set");
	assert_int_equal(len, 44 + 12);
	struct rpmemd_req r;
	const char *why;
	assert_int_equal(rpmemd_oob_decode(buf, len, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.type, RPMEM_MSG_TYPE_OPEN);
	assert_string_equal(r.desc, "sub/dir.set");
	assert_int_equal(r.nlanes, 0x123);
	assert_int_equal(r.has_attr, 0);
	/* truncate the descriptor by one byte */
	put_be(buf, 4, len - 1, 8);
	expect_status(len - 1, RPMEM_ERR_BADNAME);
}

static void
test_close_set_attr(void **state)
{
	(void)state;
	memset(buf, 0, sizeof(buf));
	size_t off = put_be(buf, 0, 5, 4);
	off = put_be(buf, off, 16, 8);
	off = put_le(buf, off, 1, 4); /* flags: host order */
	struct rpmemd_req r;
	const char *why;
	assert_int_equal(rpmemd_oob_decode(buf, off, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.type, RPMEM_MSG_TYPE_CLOSE);
	assert_int_equal(r.close_flags, RPMEM_CLOSE_FLAGS_REMOVE);

	memset(buf, 0, sizeof(buf));
	off = put_be(buf, 0, 7, 4);
	off = put_be(buf, off, 116, 8);
	off = put_attr(buf, off);
	assert_int_equal(off, 116);
	assert_int_equal(rpmemd_oob_decode(buf, off, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.type, RPMEM_MSG_TYPE_SET_ATTR);
	assert_int_equal(r.has_attr, 1);
	assert_int_equal(r.attr.incompat_features, 6);
}

static void
test_check_hdr(void **state)
{
	(void)state;
	static const struct {
		uint32_t type;
		uint64_t size;
		int ok;
	} v[] = {
		{1, 157, 1},
		{1, 11, 0},
		{1, 0, 0},
		{1, RPMEMD_MAX_MSG, 1},
		{1, RPMEMD_MAX_MSG + 1, 0},
		{1, UINT64_MAX, 0},
		{3, 56, 1},
		{5, 16, 1},
		{5, 17, 0},
		{5, 15, 0},
		{7, 116, 1},
		{7, 115, 0},
		{0, 16, 0},
		{2, 44, 0},
		{4, 148, 0},
		{6, 16, 0},
		{8, 16, 0},
		{9, 16, 0},
		{0xffffffff, 16, 0},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char h[12];
		put_be(h, 0, v[i].type, 4);
		put_be(h, 4, v[i].size, 8);
		uint32_t t;
		uint64_t s;
		const char *why = NULL;
		int ret = rpmemd_oob_check_hdr(h, &t, &s, &why);
		if ((ret == 0) != v[i].ok)
			fail_msg("type %u size %llu: %d", v[i].type,
				(unsigned long long)v[i].size, ret);
		assert_int_equal(t, v[i].type);
		assert_int_equal(s, v[i].size);
		if (ret)
			assert_non_null(why);
	}
}

static void
test_responses(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct rpmem_msg_ibc_attr ibc = {.port = 0x1234,
		.persist_method = 1,
		.rkey = 0x0102030405060708ULL,
		.raddr = 0x1112131415161718ULL,
		.nlanes = 0x21222324};
	assert_int_equal(rpmemd_oob_send_resp(
				 sv[0], RPMEM_MSG_TYPE_CREATE, 0, &ibc, NULL),
		0);
	unsigned char b[200], want[44] = {0};
	assert_int_equal(read(sv[1], b, 44), 44);
	size_t off = put_be(want, 0, 0, 4);
	off = put_be(want, off, 2, 4);
	off = put_be(want, off, 44, 8);
	off = put_be(want, off, 0x1234, 4);
	off = put_be(want, off, 1, 4);
	off = put_be(want, off, ibc.rkey, 8);
	off = put_be(want, off, ibc.raddr, 8);
	off = put_le(want, off, ibc.nlanes, 4); /* host order */
	assert_int_equal(off, 44);
	assert_memory_equal(b, want, 44);

	/* an error response is full size with zeroed body */
	assert_int_equal(rpmemd_oob_send_resp(sv[0], RPMEM_MSG_TYPE_OPEN,
				 RPMEM_ERR_NOEXIST, &ibc, NULL),
		0);
	assert_int_equal(read(sv[1], b, 148), 148);
	unsigned char w2[148] = {0};
	off = put_be(w2, 0, 11, 4);
	off = put_be(w2, off, 4, 4);
	put_be(w2, off, 148, 8);
	assert_memory_equal(b, w2, 148);

	assert_int_equal(rpmemd_oob_send_resp(sv[0], RPMEM_MSG_TYPE_CLOSE,
				 RPMEM_ERR_FATAL, NULL, NULL),
		0);
	assert_int_equal(read(sv[1], b, 16), 16);
	unsigned char w3[16];
	off = put_be(w3, 0, 6, 4);
	off = put_be(w3, off, 6, 4);
	put_be(w3, off, 16, 8);
	assert_memory_equal(b, w3, 16);

	assert_int_equal(rpmemd_oob_send_status(sv[0], 22), 0);
	assert_int_equal(read(sv[1], b, 4), 4);
	unsigned char w4[4];
	put_le(w4, 0, 22, 4);
	assert_memory_equal(b, w4, 4);
	close(sv[0]);
	close(sv[1]);
}

static void
test_recv(void **state)
{
	(void)state;
	int sv[2];
	uint32_t type;
	const char *why;
	static unsigned char in[RPMEMD_MAX_MSG];
	/* EOF before anything */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &type, &why, -1), 0);
	close(sv[0]);
	/* half a header */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	size_t len = make_open(buf, &good_c, "p.set");
	assert_int_equal(write(sv[1], buf, 6), 6);
	close(sv[1]);
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &type, &why, -1), -1);
	assert_int_equal(errno, ECONNRESET);
	close(sv[0]);
	/* header only */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], buf, 12), 12);
	close(sv[1]);
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &type, &why, -1), -1);
	assert_int_equal(errno, ECONNRESET);
	assert_int_equal(type, RPMEM_MSG_TYPE_OPEN);
	close(sv[0]);
	/* whole message */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], buf, len), (ssize_t)len);
	assert_int_equal(
		rpmemd_oob_recv(sv[0], in, &type, &why, -1), (ssize_t)len);
	assert_memory_equal(in, buf, len);
	/* oversized header is refused without reading on */
	put_be(buf, 4, 1ULL << 32, 8);
	assert_int_equal(write(sv[1], buf, 12), 12);
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &type, &why, -1), -1);
	assert_int_equal(errno, EPROTO);
	close(sv[0]);
	close(sv[1]);
}

/* the announcements in buff_size, PING/PONG, LIVE, a silent client */
static void
test_liveness(void **state)
{
	(void)state;
	static const struct {
		uint64_t buff_size, real;
		int auth, live;
	} v[] = {
		{8192, 8192, 0, 0},	 /* PMDK */
		{8224, 8192, 1, 0},	 /* session binding alone */
		{8288, 8192, 1, 1},	 /* binding and pings */
		{8256, 8256, 0, 0},	 /* a real size, no tag */
		{8256 + 16, 8272, 0, 0}, /* not a tag: as PMDK would take it */
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct common_v c = good_c;
		c.buff_size = v[i].buff_size;
		size_t len = make_open(buf, &c, "p.set");
		struct rpmemd_req r;
		const char *why;
		assert_int_equal(
			rpmemd_oob_decode(buf, len, &r, &why), RPMEM_SUCCESS);
		assert_int_equal(r.buff_size, v[i].real);
		assert_int_equal(r.auth, v[i].auth);
		assert_int_equal(r.live, v[i].live);
	}
	/* PING: the header alone; answered by a PONG header */
	unsigned char h[13];
	put_be(h, 0, RPMEM_MSG_TYPE_PING, 4);
	put_be(h, 4, 12, 8);
	uint32_t t;
	uint64_t sz;
	const char *why = NULL;
	assert_int_equal(rpmemd_oob_check_hdr(h, &t, &sz, &why), 0);
	struct rpmemd_req r;
	assert_int_equal(rpmemd_oob_decode(h, 12, &r, &why), RPMEM_SUCCESS);
	assert_int_equal(r.type, RPMEM_MSG_TYPE_PING);
	assert_int_equal(
		rpmemd_oob_resp_type(RPMEM_MSG_TYPE_PING), RPMEM_MSG_TYPE_PONG);
	put_be(h, 4, 13, 8);
	assert_int_equal(rpmemd_oob_check_hdr(h, &t, &sz, &why), -1);

	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(
		rpmemd_oob_send_resp(sv[0], RPMEM_MSG_TYPE_PING, 0, NULL, NULL),
		0);
	unsigned char b[24], w[24];
	assert_int_equal(read(sv[1], b, 16), 16);
	size_t off = put_be(w, 0, 0, 4);
	off = put_be(w, off, RPMEM_MSG_TYPE_PONG, 4);
	put_be(w, off, 16, 8);
	assert_memory_equal(b, w, 16);
	/* LIVE: ping interval and timeout, big-endian */
	assert_int_equal(rpmemd_oob_send_live(sv[0], 1000, 3000), 0);
	assert_int_equal(read(sv[1], b, 24), 24);
	off = put_be(w, 0, 0, 4);
	off = put_be(w, off, RPMEM_MSG_TYPE_LIVE, 4);
	off = put_be(w, off, 24, 8);
	off = put_be(w, off, 1000, 4);
	put_be(w, off, 3000, 4);
	assert_memory_equal(b, w, 24);
	/* nothing for the timeout: ETIMEDOUT; a message cut short too */
	static unsigned char in[RPMEMD_MAX_MSG];
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &t, &why, 50), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(write(sv[1], h, 6), 6);
	assert_int_equal(rpmemd_oob_recv(sv[0], in, &t, &why, 50), -1);
	assert_int_equal(errno, ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_decode),
		cmocka_unit_test(test_create_bad),
		cmocka_unit_test(test_open_decode),
		cmocka_unit_test(test_close_set_attr),
		cmocka_unit_test(test_check_hdr),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_recv),
		cmocka_unit_test(test_liveness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
