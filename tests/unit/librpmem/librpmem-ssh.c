/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem-ssh.c -- the child process: streams, EOF, stderr, reaping */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ssh.h"

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static struct rpmem_ssh *
run(const char *script)
{
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	struct rpmem_ssh *ssh = NULL;
	assert_int_equal(rpmem_ssh_open(argv, &ssh), 0);
	return ssh;
}

static void
test_echo(void **state)
{
	(void)state;
	int fds = count_fds();
	struct rpmem_ssh *ssh = run("head -c 5 >/dev/null; sleep 0.5; exit 7");
	assert_int_equal(rpmem_ssh_send(ssh, "hello", 5), 0);
	char buf[5];
	/* nothing comes back: the read times out */
	assert_int_equal(rpmem_ssh_recv(ssh, buf, 1, 100), -ETIMEDOUT);
	assert_int_equal(rpmem_ssh_close(ssh), 7);
	assert_int_equal(count_fds(), fds);
}

static void
test_eof(void **state)
{
	(void)state;
	struct rpmem_ssh *ssh = run("printf ab; echo 'line one' >&2; "
				    "echo 'line two' >&2; exit 3");
	char buf[4];
	assert_int_equal(rpmem_ssh_recv(ssh, buf, 4, 5000), -ECONNRESET);
	assert_int_equal(rpmem_ssh_alive(ssh), -ECONNRESET);
	char text[128];
	rpmem_ssh_stderr(ssh, text, sizeof(text), 5000);
	assert_string_equal(text, "line one line two");
	assert_int_equal(rpmem_ssh_close(ssh), 3);
}

static void
test_alive(void **state)
{
	(void)state;
	/* never exits on its own: close returning at all means it killed it */
	struct rpmem_ssh *ssh = run("exec sleep 1000000");
	assert_int_equal(rpmem_ssh_alive(ssh), 0);
	/* killed after the grace period */
	assert_int_equal(rpmem_ssh_close(ssh), -1);
	/* reaped: no child left */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
test_wait_eof(void **state)
{
	(void)state;
	struct rpmem_ssh *ssh = run("exit 0");
	assert_int_equal(rpmem_ssh_wait_eof(ssh, 5000), 0);
	assert_int_equal(rpmem_ssh_close(ssh), 0);
	ssh = run("printf x");
	assert_int_equal(rpmem_ssh_wait_eof(ssh, 5000), -EPROTO);
	assert_int_equal(rpmem_ssh_close(ssh), 0);
}

static void
test_exec_fails(void **state)
{
	(void)state;
	const char *argv[] = {"/nonexistent/ssh", "x", NULL};
	struct rpmem_ssh *ssh;
	assert_int_equal(rpmem_ssh_open(argv, &ssh), 0);
	char c;
	assert_int_equal(rpmem_ssh_recv(ssh, &c, 1, 5000), -ECONNRESET);
	assert_int_equal(rpmem_ssh_close(ssh), 1);
}

static void
test_send_to_dead(void **state)
{
	(void)state;
	struct rpmem_ssh *ssh = run("exec 0<&-; exit 0");
	char c;
	assert_int_equal(rpmem_ssh_recv(ssh, &c, 1, 5000), -ECONNRESET);
	char big[1 << 16];
	memset(big, 1, sizeof(big));
	int ret = 0;
	for (int i = 0; i < 64 && ret == 0; i++)
		ret = rpmem_ssh_send(ssh, big, sizeof(big));
	assert_int_equal(ret, -ECONNRESET);
	assert_int_equal(rpmem_ssh_close(ssh), 0);
}

/* a descriptor without close-on-exec does not reach the child */
static void
test_no_inherited_fds(void **state)
{
	(void)state;
	int fd = dup2(1, 77);
	assert_int_equal(fd, 77);
	struct rpmem_ssh *ssh = run("ls /proc/$$/fd | tr '\\n' ' '");
	char buf[256];
	memset(buf, 0, sizeof(buf));
	size_t n = 0;
	while (n < sizeof(buf) - 1 &&
		rpmem_ssh_recv(ssh, buf + n, 1, 5000) == 0)
		n++;
	assert_int_equal(rpmem_ssh_close(ssh), 0);
	close(fd);
	assert_true(n > 0);
	assert_non_null(strstr(buf, "0 1 2"));
	assert_null(strstr(buf, "77"));
}

/*
 * abort does not wait for a child that ignores its closed stdin (ssh still
 * connecting), and leaves no descriptor behind
 */
static void
test_abort(void **state)
{
	(void)state;
	int fds = count_fds();
	/* never exits on its own: abort returning at all means it killed it */
	struct rpmem_ssh *ssh =
		run("trap '' HUP TERM; exec sleep 1000000 </dev/null");
	rpmem_ssh_abort(ssh);
	assert_int_equal(count_fds(), fds);
	/* the child was reaped: no zombie left to wait for */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_alive),
		cmocka_unit_test(test_wait_eof),
		cmocka_unit_test(test_exec_fails),
		cmocka_unit_test(test_send_to_dead),
		cmocka_unit_test(test_no_inherited_fds),
		cmocka_unit_test(test_abort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
