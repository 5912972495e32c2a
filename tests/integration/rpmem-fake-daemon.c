/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-fake-daemon.c -- librpmem's out-of-band client against a scripted
 * daemon: RPMEM_SSH points at a shell script that replays prepared bytes
 * (start-up status, responses), records what the client sent, and exits.
 * Covers the error paths a real rpmemd never takes (doc/protocol.md §3).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "librpmem.h"
#include "rpmem_proto.h"

#define POOL_SIZE ((size_t)1 << 20)

static char Dir[64];
static char Resp[128], Capture[128];
static void *Pool;

static void
put(FILE *f, const void *p, size_t n)
{
	assert_int_equal(fwrite(p, 1, n, f), n);
}

/* bytes the fake daemon writes: status word, then the given messages */
static FILE *
begin(uint32_t status, const char *mode, const char *err)
{
	setenv("FAKE_MODE", mode, 1);
	if (err)
		setenv("FAKE_ERR", err, 1);
	else
		unsetenv("FAKE_ERR");
	unlink(Capture);
	FILE *f = fopen(Resp, "w");
	assert_non_null(f);
	put(f, &status, sizeof(status)); /* host order on the wire */
	return f;
}

static void
resp_hdr(FILE *f, uint32_t status, uint32_t type, uint64_t size)
{
	struct rpmem_msg_hdr_resp h = {
		htobe32(status), htobe32(type), htobe64(size)};
	put(f, &h, sizeof(h));
}

static void
create_resp(FILE *f, uint32_t status, uint32_t type, uint64_t size,
	uint32_t port, uint32_t method)
{
	resp_hdr(f, status, type, size);
	struct rpmem_msg_ibc_attr ibc = {
		htobe32(port), htobe32(method), htobe64(1), htobe64(0x1000), 1};
	put(f, &ibc, sizeof(ibc));
}

static RPMEMpool *
try_create(void)
{
	unsigned nl = 1;
	struct rpmem_pool_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(a.signature, "FAKE", 4);
	return rpmem_create("127.0.0.1", "fake.set", Pool, POOL_SIZE, &nl, &a);
}

static void
expect(int err, const char *text)
{
	RPMEMpool *rpp = try_create();
	assert_null(rpp);
	assert_int_equal(errno, err);
	const char *m = rpmem_errormsg();
	if (text && strstr(m, text) == NULL)
		fail_msg("message '%s' lacks '%s'", m, text);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

static void
test_startup_status(void **state)
{
	(void)state;
	FILE *f = begin(EACCES, "exit", "rpmemd: cannot open log file");
	fclose(f);
	expect(EACCES, "cannot open log file");
}

static void
test_ssh_failure(void **state)
{
	(void)state;
	/* no status at all: ssh could not log in */
	FILE *f = fopen(Resp, "w");
	fclose(f);
	setenv("FAKE_MODE", "exit", 1);
	setenv("FAKE_ERR", "Permission denied (publickey).", 1);
	expect(ECONNRESET, "Permission denied (publickey)");
}

static void
test_bad_responses(void **state)
{
	(void)state;
	static const struct {
		uint32_t status, type;
		uint64_t size;
		uint32_t port, method;
		int err;
		const char *text;
	} c[] = {
		{0, RPMEM_MSG_TYPE_OPEN_RESP, 44, 1, 1, EPROTO, "type"},
		{0, RPMEM_MSG_TYPE_CREATE_RESP, 45, 1, 1, EPROTO, "size"},
		{0, RPMEM_MSG_TYPE_CREATE_RESP, 43, 1, 1, EPROTO, "size"},
		{14, RPMEM_MSG_TYPE_CREATE_RESP, 44, 1, 1, EPROTO, "status"},
		{0, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 1, EPROTO, "port"},
		{0, RPMEM_MSG_TYPE_CREATE_RESP, 44, 65536, 1, EPROTO, "port"},
		{0, RPMEM_MSG_TYPE_CREATE_RESP, 44, 1, 3, EPROTO, "persist"},
		{RPMEM_ERR_EXISTS, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0, EEXIST,
			"Pool already exists"},
		{RPMEM_ERR_BADSIZE, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0, EFBIG,
			"Invalid pool size"},
		{RPMEM_ERR_FATAL, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0,
			EREMOTEIO, "Fatal error"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		FILE *f = begin(0, "hold", NULL);
		create_resp(f, c[i].status, c[i].type, c[i].size, c[i].port,
			c[i].method);
		fclose(f);
		expect(c[i].err, c[i].text);
	}
}

static void
test_short_response(void **state)
{
	(void)state;
	FILE *f = begin(0, "exit", NULL);
	resp_hdr(f, 0, RPMEM_MSG_TYPE_CREATE_RESP, 44);
	fclose(f);
	expect(ECONNRESET, "create request failed");
	/* EOF right after the start-up status: a daemon that died */
	f = begin(0, "exit", NULL);
	fclose(f);
	expect(ECONNRESET, "create request failed");
}

/*
 * a daemon that does not serve the provider: PMDK's rpmemd hangs up
 * (after a status word) on a request for tcp (ENOMEDIUM, as PMDK's librpmem
 * reports a provider it cannot find); a daemon that answers PROVNOSUP (ours
 * without
 * --allow-sockets) gives EMEDIUMTYPE; both messages name the provider
 */
static void
test_provider_mismatch(void **state)
{
	(void)state;
	/* what PMDK's rpmemd does: reads the request, writes a status word
	 * and exits */
	FILE *f = begin(0, "readexit", NULL);
	uint32_t st = EINVAL;
	put(f, &st, sizeof(st));
	fclose(f);
	expect(ENOMEDIUM, "cannot find provider");
	assert_non_null(strstr(rpmem_errormsg(), "tcp"));
	f = begin(0, "hold", NULL);
	create_resp(
		f, RPMEM_ERR_PROVNOSUP, RPMEM_MSG_TYPE_CREATE_RESP, 44, 0, 0);
	fclose(f);
	expect(EMEDIUMTYPE, "cannot find provider");
	assert_non_null(strstr(rpmem_errormsg(), "Provider not supported"));
}

/* in-band failure after CREATE_RESP: CLOSE with the remove flag follows */
static void
test_close_after_fabric_failure(void **state)
{
	(void)state;
	/* a port on which nothing listens */
	FILE *f = begin(0, "hold", NULL);
	create_resp(f, 0, RPMEM_MSG_TYPE_CREATE_RESP, 44, 1, 1);
	resp_hdr(f, 0, RPMEM_MSG_TYPE_CLOSE_RESP, 16);
	fclose(f);
	expect(ECONNREFUSED, "in-band connection");

	unsigned char buf[256];
	int fd = open(Capture, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	size_t create_size = 148 + strlen("fake.set") + 1;
	assert_int_equal(n, (ssize_t)(create_size + 16));
	static const unsigned char type_create[4] = {0, 0, 0, 1};
	assert_memory_equal(buf, type_create, 4);
	static const unsigned char close_msg[16] = {
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 16, 1, 0, 0, 0};
	assert_memory_equal(buf + create_size, close_msg, 16);
}

/* a daemon that flags pings and then sends bad liveness parameters */
static void
test_bad_live(void **state)
{
	(void)state;
	static const struct {
		uint32_t type, ping_ms, timeout_ms;
		uint64_t size;
	} c[] = {
		{RPMEM_MSG_TYPE_LIVE, 0, 3000, 24},    /* no interval */
		{RPMEM_MSG_TYPE_LIVE, 3000, 3000, 24}, /* not below it */
		{RPMEM_MSG_TYPE_AUTH, 1000, 3000, 24}, /* another type */
		{RPMEM_MSG_TYPE_LIVE, 1000, 3000, 32}, /* another size */
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		FILE *f = begin(0, "hold", NULL);
		create_resp(f, 0, RPMEM_MSG_TYPE_CREATE_RESP, 44, 1,
			1 | RPMEM_AUTH_PM_FLAG | RPMEM_LIVE_PM_FLAG);
		resp_hdr(f, 0, RPMEM_MSG_TYPE_AUTH, 32);
		unsigned char secret[RPMEM_AUTH_SECRET_LEN] = {1, 2, 3};
		put(f, secret, sizeof(secret));
		resp_hdr(f, 0, c[i].type, c[i].size);
		uint32_t v[2] = {
			htobe32(c[i].ping_ms), htobe32(c[i].timeout_ms)};
		put(f, v, sizeof(v));
		resp_hdr(f, 0, RPMEM_MSG_TYPE_CLOSE_RESP, 16);
		fclose(f);
		expect(EPROTO, "invalid liveness message");
	}
}

int
main(void)
{
	snprintf(Dir, sizeof(Dir), "/tmp/rpmem-fake.");
	memset(Dir + strlen(Dir), 'X', 6);
	if (mkdtemp(Dir) == NULL)
		return 1;
	char script[128];
	snprintf(script, sizeof(script), "%s/ssh", Dir);
	snprintf(Resp, sizeof(Resp), "%s/resp", Dir);
	snprintf(Capture, sizeof(Capture), "%s/capture", Dir);
	FILE *f = fopen(script, "w");
	fprintf(f,
		"#!/bin/sh\n"
		"cat \"%s\"\n"
		"[ -n \"$FAKE_ERR\" ] && printf '%%s\\n' \"$FAKE_ERR\" >&2\n"
		"[ \"$FAKE_MODE\" = exit ] && exit 0\n"
		"[ \"$FAKE_MODE\" = readexit ] && exec head -c 8 >/dev/null\n"
		"exec cat > \"%s\"\n",
		Resp, Capture);
	fclose(f);
	chmod(script, 0755);
	setenv("RPMEM_SSH", script, 1);
	setenv("RPMEM_PROVIDER", "tcp", 1);
	if (posix_memalign(&Pool, 4096, POOL_SIZE))
		return 1;
	memset(Pool, 0, POOL_SIZE);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_startup_status),
		cmocka_unit_test(test_ssh_failure),
		cmocka_unit_test(test_bad_responses),
		cmocka_unit_test(test_short_response),
		cmocka_unit_test(test_provider_mismatch),
		cmocka_unit_test(test_close_after_fabric_failure),
		cmocka_unit_test(test_bad_live),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(script);
	unlink(Resp);
	unlink(Capture);
	rmdir(Dir);
	free(Pool);
	return ret;
}
