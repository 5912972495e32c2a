/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-target.c -- target string parsing and ssh port validation */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "target.h"

struct tcase {
	const char *in;
	const char *user; /* NULL: none */
	const char *node;
	const char *service; /* NULL: none */
};

static const struct tcase good[] = {
	{"host", NULL, "host", NULL},
	{"user@host", "user", "host", NULL},
	{"user@host:1234", "user", "host", "1234"},
	{"127.0.0.1", NULL, "127.0.0.1", NULL},
	{"user@127.0.0.1:1234", "user", "127.0.0.1", "1234"},
	{"::1", NULL, "::1", NULL},
	{"user@::1", "user", "::1", NULL},
	{"user@[::1]:1234", "user", "::1", "1234"},
	{"[::1]:22", NULL, "::1", "22"},
	{"[fe80::1]", NULL, "fe80::1", NULL},
	{"[fe80::1%eth0]:22", NULL, "fe80::1%eth0", "22"},
	{"host-1.example_x.org:022", NULL, "host-1.example_x.org", "22"},
	/* a valid IPv6 address, as PMDK takes it: no port */
	{"::1:2222", NULL, "::1:2222", NULL},
	{"first.last-x_y@h", "first.last-x_y", "h", NULL},
};

static void
test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rpmem_target t;
		const struct tcase *c = &good[i];
		char why[160] = "x";
		assert_int_equal(
			rpmem_target_parse(c->in, &t, why, sizeof(why)), 0);
		assert_string_equal(why, "");
		assert_int_equal(t.has_user, c->user != NULL);
		if (c->user)
			assert_string_equal(t.user, c->user);
		assert_string_equal(t.node, c->node);
		assert_int_equal(t.has_service, c->service != NULL);
		if (c->service)
			assert_string_equal(t.service, c->service);
	}
}

/* a target refused, with a reason that contains want */
static void
expect_bad(const char *in, const char *want)
{
	struct rpmem_target t;
	char why[160] = "";
	int ret = rpmem_target_parse(in, &t, why, sizeof(why));
	if (ret != -EINVAL || strstr(why, want) == NULL)
		fail_msg("'%s': ret %d, reason '%s', want '%s'", in ? in : "",
			ret, why, want);
}

static void
test_bad(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *why;
	} c[] = {
		{"", "empty target"},
		{"user@", "empty host"},
		{"[::1", "no ']'"},
		{"@host", "empty user name"},
		{":22", "empty host"},
		{"user@[]:22", "empty host"},
		{"-oProxyCommand=x", "'-'"},
		{"-x@host", "'-'"},
		{"user@-host", "'-'"},
		{"[::1]x:2222", "after ']'"},
		{"[::1]:", "invalid port number -- ''"},
		{"127.0.0.1:", "invalid port number -- ''"},
		{"h:+22", "invalid port number -- '+22'"},
		{"h:-22", "invalid port number -- '-22'"},
		{"h: 22", "invalid port number"},
		{"h:0", "must be positive"},
		{"h:65536", "too large"},
		{"[::1]:+2222", "invalid port number -- '+2222'"},
		{"::1:22222", "not an IPv6 address"},
		{"127.0.0.1::123", "not an IPv6 address"},
		{"[host]:22", "not an IPv6 address"},
		{"[fe80::1%]:22", "not an IPv6 address"},
		{"a@b@c", "'@' not allowed"},
		{"ho st", "' ' not allowed"},
		{"host/x", "'/' not allowed"},
		{"us er@host", "space or control"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		expect_bad(c[i].in, c[i].why);
	expect_bad(NULL, "empty target");
	/* no reason buffer: still refused */
	struct rpmem_target t;
	assert_int_equal(rpmem_target_parse("h:+1", &t, NULL, 0), -EINVAL);
}

/* PMDK 1.12.1 keeps 32 characters of a user name and 255 of a host and
 * drops the rest silently (ssh then logs in as someone else); both limits
 * hold here, and a longer name is refused instead of cut */
static void
test_lengths(void **state)
{
	(void)state;
	char in[600];
	struct rpmem_target t;
	memset(in, 'u', RPMEM_USER_MAX);
	strcpy(in + RPMEM_USER_MAX, "@host");
	assert_int_equal(rpmem_target_parse(in, &t, NULL, 0), 0);
	assert_int_equal(strlen(t.user), RPMEM_USER_MAX);
	memset(in, 'u', RPMEM_USER_MAX + 1);
	strcpy(in + RPMEM_USER_MAX + 1, "@host");
	expect_bad(in, "user name longer than 32 characters");

	memset(in, 'h', RPMEM_NODE_MAX);
	in[RPMEM_NODE_MAX] = '\0';
	assert_int_equal(rpmem_target_parse(in, &t, NULL, 0), 0);
	assert_int_equal(strlen(t.node), RPMEM_NODE_MAX);
	strcpy(in + RPMEM_NODE_MAX, "h:22");
	expect_bad(in, "host longer than 255 characters");
	in[0] = '[';
	in[RPMEM_NODE_MAX + 1] = 'h';
	strcpy(in + RPMEM_NODE_MAX + 2, "]:22");
	expect_bad(in, "host longer than 255 characters");
}

static void
test_port(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *msg; /* NULL: valid */
	} c[] = {
		{"", "invalid port number -- ''"},
		{"-1", "invalid port number -- '-1'"},
		{"+1", "invalid port number -- '+1'"},
		{" 1", "invalid port number -- ' 1'"},
		{"0", "port number must be positive -- '0'"},
		{"65536", "port number too large -- '65536'"},
		{"12345678", "port number too large -- '12345678'"},
		{"port", "invalid port number -- 'port'"},
		{"port123", "invalid port number -- 'port123'"},
		{"123port", "invalid port number -- '123port'"},
		{"99999999999999999999999", "port number too large"},
		{"1", NULL},
		{"65535", NULL},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char why[128] = "";
		int port = -1;
		int ret = rpmem_target_port(c[i].in, &port, why, sizeof(why));
		if (c[i].msg == NULL) {
			assert_int_equal(ret, 0);
			assert_int_equal(port, atoi(c[i].in));
		} else {
			assert_int_equal(ret, -EINVAL);
			assert_non_null(strstr(why, c[i].msg));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
