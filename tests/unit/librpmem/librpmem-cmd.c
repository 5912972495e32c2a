/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-cmd.c -- ssh command lines, shell quoting, environment knobs */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "librpmem.h"
#include "ssh_cmd.h"

static void
test_quote(void **state)
{
	(void)state;
	char buf[64] = "x ";
	assert_int_equal(rpmem_shell_quote(buf, sizeof(buf), "a b"), 0);
	assert_string_equal(buf, "x 'a b'");
	buf[0] = '\0';
	assert_int_equal(rpmem_shell_quote(buf, sizeof(buf), "it's"), 0);
	assert_string_equal(buf, "'it'\\''s'");
	buf[0] = '\0';
	assert_int_equal(rpmem_shell_quote(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "''");
	char small[6] = "";
	assert_int_equal(
		rpmem_shell_quote(small, sizeof(small), "abcd"), -ENAMETOOLONG);
}

/* the quoted word survives a real shell unchanged */
static void
test_quote_shell(void **state)
{
	(void)state;
	static const char *const names[] = {"plain.set", "a b.set",
		"$(touch /tmp/rpmem-quote-pwned).set", "x';id;'.set", "`id`",
		"semi;colon|pipe&amp>redir<", "new\nline", "\\back"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char cmd[512] = "printf %s ";
		assert_int_equal(
			rpmem_shell_quote(cmd, sizeof(cmd), names[i]), 0);
		FILE *f = popen(cmd, "r");
		assert_non_null(f);
		char out[256];
		size_t n = fread(out, 1, sizeof(out) - 1, f);
		out[n] = '\0';
		assert_int_equal(WEXITSTATUS(pclose(f)), 0);
		assert_string_equal(out, names[i]);
	}
	assert_int_equal(access("/tmp/rpmem-quote-pwned.set", F_OK), -1);
}

static void
test_remove_cmd(void **state)
{
	(void)state;
	char *s = rpmem_remove_cmd("rpmemd -x", "my pool.set", 0);
	assert_string_equal(s, "rpmemd -x --remove 'my pool.set'");
	free(s);
	s = rpmem_remove_cmd("rpmemd", "p.set", RPMEM_REMOVE_FORCE);
	assert_string_equal(s, "rpmemd --remove 'p.set' --force");
	free(s);
	s = rpmem_remove_cmd(
		"rpmemd", "p.set", RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET);
	assert_string_equal(s, "rpmemd --remove 'p.set' --force --pool-set");
	free(s);
	s = rpmem_remove_cmd("rpmemd", "p.set", RPMEM_REMOVE_POOL_SET);
	assert_string_equal(s, "rpmemd --remove 'p.set' --pool-set");
	free(s);
}

static void
test_argv(void **state)
{
	(void)state;
	struct rpmem_target t;
	const char *argv[10];
	char dest[300];

	assert_int_equal(rpmem_target_parse("user@[::1]:2222", &t, NULL, 0), 0);
	rpmem_ssh_dest(dest, sizeof(dest), &t);
	assert_string_equal(dest, "user@::1");
	int n = rpmem_ssh_argv(argv, "ssh", &t, 0, dest, "rpmemd");
	assert_int_equal(n, 7);
	const char *want[] = {"ssh", "-p", "2222", "-T", "-oBatchMode=yes",
		"user@::1", "rpmemd", NULL};
	for (int i = 0; i <= n; i++) {
		if (want[i] == NULL)
			assert_null(argv[i]);
		else
			assert_string_equal(argv[i], want[i]);
	}

	assert_int_equal(rpmem_target_parse("host", &t, NULL, 0), 0);
	rpmem_ssh_dest(dest, sizeof(dest), &t);
	n = rpmem_ssh_argv(argv, "/x/ssh", &t, 1, dest, "cmd a");
	const char *want4[] = {
		"/x/ssh", "-T", "-4", "-oBatchMode=yes", "host", "cmd a", NULL};
	assert_int_equal(n, 6);
	for (int i = 0; i <= n; i++) {
		if (want4[i] == NULL)
			assert_null(argv[i]);
		else
			assert_string_equal(argv[i], want4[i]);
	}
}

static void
test_env_uint(void **state)
{
	(void)state;
	assert_int_equal(rpmem_env_uint(NULL), 0);
	assert_int_equal(rpmem_env_uint(""), 0);
	assert_int_equal(rpmem_env_uint("8"), 8);
	assert_int_equal(rpmem_env_uint("1"), 1);
	assert_int_equal(rpmem_env_uint("0"), 0);
	assert_int_equal(rpmem_env_uint("-1"), 0);
	assert_int_equal(rpmem_env_uint("12x"), 0);
	assert_int_equal(rpmem_env_uint("4294967297"), UINT_MAX);
	assert_int_equal(rpmem_env_uint("99999999999999999999999"), UINT_MAX);
}

static void
test_split(void **state)
{
	(void)state;
	unsigned n;
	char **v = rpmem_split_cmds("a --x|b|", &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "a --x");
	assert_string_equal(v[1], "b");
	assert_string_equal(v[2], "");
	assert_null(v[3]);
	free(v);
	v = rpmem_split_cmds("rpmemd", &n);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "rpmemd");
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_shell),
		cmocka_unit_test(test_remove_cmd),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_env_uint),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
