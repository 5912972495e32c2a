/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-target.c -- target string parsing and ssh port validation */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

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
	{"127.0.0.1::123", NULL, "127.0.0.1::123", NULL},
	{"127.0.0.1:", NULL, "127.0.0.1", ""},
	{"a@b@c", "a", "b@c", NULL},
};

static void
test_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rpmem_target t;
		const struct tcase *c = &good[i];
		assert_int_equal(rpmem_target_parse(c->in, &t), 0);
		assert_int_equal(t.has_user, c->user != NULL);
		if (c->user)
			assert_string_equal(t.user, c->user);
		assert_string_equal(t.node, c->node);
		assert_int_equal(t.has_service, c->service != NULL);
		if (c->service)
			assert_string_equal(t.service, c->service);
	}
}

static void
test_bad(void **state)
{
	(void)state;
	static const char *const bad[] = {"", "user@", "[::1", "@host", ":22",
		"user@[]:22", "-oProxyCommand=x", "-x@host", "user@-host"};
	struct rpmem_target t;
	/* "@host" has an empty user, which is fine; the rest are not */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = rpmem_target_parse(bad[i], &t);
		if (strcmp(bad[i], "@host") == 0) {
			assert_int_equal(ret, 0);
			assert_string_equal(t.node, "host");
			continue;
		}
		assert_int_equal(ret, -EINVAL);
	}
	assert_int_equal(rpmem_target_parse(NULL, &t), -EINVAL);
}

static void
test_truncation(void **state)
{
	(void)state;
	char in[600];
	memset(in, 'u', 40);
	in[40] = '@';
	memset(in + 41, 'h', 300);
	in[341] = '\0';
	struct rpmem_target t;
	assert_int_equal(rpmem_target_parse(in, &t), 0);
	assert_int_equal(strlen(t.user), RPMEM_USER_MAX);
	assert_int_equal(strlen(t.node), RPMEM_NODE_MAX);
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
		{"-1", "port number must be positive -- '-1'"},
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
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
