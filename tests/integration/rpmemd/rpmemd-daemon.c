/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-daemon.c -- integration tests: the real rpmemd on socketpairs,
 * out-of-band protocol spoken directly, fabric lanes over loopback
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rdma/fi_errno.h>

#include "daemon.h"

#define MB (1UL << 20)
#define POOL_SIZE (4 * MB - 4096) /* 2M + 2M parts with headers */
#define PRESP_INVALID 0x1U	  /* rpmemd's flag for a refused message */

static unsigned char msg[8192];

static void
test_hello_eof(void **state)
{
	(void)state;
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
}

static void
test_startup_errors(void **state)
{
	(void)state;
	struct daemon d;
	char buf[8];
	/* unknown option: exit 255, nothing on stdout */
	td_start(&d, 1, "--bogus", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	assert_int_equal(td_wait(&d), 255);

	/* invalid config file: status word EINVAL, exit 1 */
	char conf[256];
	snprintf(conf, sizeof(conf), "%s/bad.conf", td_dir());
	td_write_file(conf, "log-level = loud\n");
	td_start(&d, 1, "-c", conf, NULL);
	assert_int_equal(td_hello(&d), EINVAL);
	td_expect_stderr(&d, "Invalid config file line at");
	assert_int_equal(td_wait(&d), 1);

	/* missing pool set directory: ENOENT */
	td_start(&d, 1, "--log-file", "/dev/null", "--poolset-dir",
		"/nonexistent-dir", NULL);
	assert_int_equal(td_hello(&d), ENOENT);
	assert_int_equal(td_wait(&d), 1);

	/* -V: exit 0, nothing on stdout */
	td_start(&d, 1, "-V", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	td_expect_stderr(&d, "rpmemd version");
	assert_int_equal(td_wait(&d), 0);
}

static void
fabric_session(const char *prov, uint32_t prov_id)
{
	struct daemon d;
	char name[32];
	snprintf(name, sizeof(name), "%s.set", prov);
	td_make_set(name, "");
	struct rpmem_pool_attr_packed a = td_attr('A'), got;

	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, name, POOL_SIZE, 2, prov_id, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_true(ibc.port > 0 && ibc.port < 65536);
	assert_int_equal(ibc.persist_method, RPMEM_PM_GPSPM);
	assert_int_equal(ibc.nlanes, 2);
	assert_true(ibc.raddr != 0);

	struct td_fab *f = td_fab_connect(prov, ibc.port, 2);
	/* inline persist on lane 1 */
	assert_int_equal(td_fab_persist(f, 1, RPMEM_PERSIST_SEND | 4, 1,
				 ibc.raddr + 8192, 5, "hello", 24 + 5),
		0);
	/* RDMA write into part 1, then flush and deep persist */
	static char data[4096];
	memset(data, 'w', sizeof(data));
	td_fab_write(f, 0, data, sizeof(data), ibc.raddr + 3 * MB, ibc.rkey);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_FLUSH_WRITE, 0,
				 ibc.raddr + 3 * MB, sizeof(data), NULL, 24),
		0);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_DEEP_PERSIST, 0,
				 ibc.raddr + 3 * MB, sizeof(data), NULL, 24),
		0);
	/* invalid messages are answered as such and change nothing */
	assert_int_equal(td_fab_persist(f, 0, RPMEM_FLUSH_WRITE, 7, ibc.raddr,
				 8, NULL, 24),
		PRESP_INVALID);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + POOL_SIZE - 2, 5, "XXXXX", 24 + 5),
		PRESP_INVALID);
	assert_int_equal(td_fab_persist(f, 1, RPMEM_PERSIST_SEND, 1,
				 ibc.raddr + 8192, 9000, "YYYY", 24 + 4),
		PRESP_INVALID);
	assert_int_equal(td_fab_persist(f, 1, RPMEM_FLUSH_WRITE, 1,
				 ibc.raddr - 4096, 8, NULL, 24),
		PRESP_INVALID);
	/* both lanes still work */
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 16384, 3, "abc", 24 + 3),
		0);
	assert_int_equal(td_fab_persist(f, 1, RPMEM_FLUSH_WRITE, 1,
				 ibc.raddr + 4096, 64, NULL, 24),
		0);

	struct rpmem_pool_attr_packed n = td_attr('N');
	td_write(&d, msg, td_set_attr_msg(msg, &n));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_SET_ATTR, NULL, NULL), 0);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);

	/* the data reached the part files */
	char buf[8];
	td_read_part(name, 0, 8192, buf, 5);
	assert_memory_equal(buf, "hello", 5);
	td_read_part(name, 0, 16384, buf, 3);
	assert_memory_equal(buf, "abc", 3);
	static char back[4096];
	td_read_part(name, 1, (off_t)(MB + 4096), back, sizeof(back));
	assert_memory_equal(back, data, sizeof(back));
	td_read_part(name, 0, 0, buf, 8);
	assert_memory_equal(buf, n.signature, 8);

	/* open returns the attributes set last */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_open_msg(msg, name, POOL_SIZE, 1, prov_id));
	memset(&got, 0, sizeof(got));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, &ibc, &got), 0);
	assert_memory_equal(&got, &n, sizeof(n));
	assert_int_equal(ibc.nlanes, 1);
	f = td_fab_connect(prov, ibc.port, 1);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 8192, 5, "HELLO", 24 + 5),
		0);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	td_read_part(name, 0, 8192, buf, 5);
	assert_memory_equal(buf, "HELLO", 5);

	/* CLOSE with the remove flag after a create deletes the pool */
	td_make_set("rm.set", "");
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "rm.set", POOL_SIZE, 1, prov_id, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	f = td_fab_connect(prov, ibc.port, 1);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, RPMEM_CLOSE_FLAGS_REMOVE));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	assert_false(td_part_exists("rm.set", 0));
	assert_false(td_part_exists("rm.set", 1));
}

static void
test_fabric_sockets(void **state)
{
	(void)state;
	fabric_session("sockets", RPMEM_PROV_LIBFABRIC_SOCKETS);
}

static void
test_fabric_tcp(void **state)
{
	(void)state;
	fabric_session("tcp", RPMEM_PROV_LIBFABRIC_TCP);
}

static void
test_close_without_lanes(void **state)
{
	(void)state;
	struct daemon d;
	td_make_set("nolanes.set", "");
	struct rpmem_pool_attr_packed a = td_attr('B');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "nolanes.set", POOL_SIZE, 1,
			RPMEM_PROV_LIBFABRIC_SOCKETS, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	assert_true(td_part_exists("nolanes.set", 0));
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), RPMEM_ERR_FATAL);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("nolanes.set", 0));
	assert_false(td_part_exists("nolanes.set", 1));
}

static void
request_fails(const char *desc, uint64_t size, uint32_t type, int with_attr,
	uint32_t status)
{
	struct daemon d;
	struct rpmem_pool_attr_packed a = td_attr('C');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	size_t len = type == RPMEM_MSG_TYPE_CREATE
			     ? td_create_msg(msg, desc, size, 1,
				       RPMEM_PROV_LIBFABRIC_SOCKETS,
				       with_attr ? &a : NULL)
			     : td_open_msg(msg, desc, size, 1,
				       RPMEM_PROV_LIBFABRIC_SOCKETS);
	td_write(&d, msg, len);
	uint32_t got = td_resp(&d, type, NULL, NULL);
	if (got != status)
		fail_msg("'%s': status %u, expected %u", desc, got, status);
	td_expect_stderr(&d, "rpmemd: ");
	assert_int_equal(td_wait(&d), 1);
}

static void
test_pool_errors(void **state)
{
	(void)state;
	td_make_set("e.set", "");
	td_make_set("n.set", "OPTION NOHDRS\n");
	td_make_set("s.set", "OPTION SINGLEHDR\n");
	char outside[256];
	snprintf(outside, sizeof(outside), "%s/outside.set", td_dir());
	td_write_file(outside, "PMEMPOOLSET\n2M /tmp/x\n");

	request_fails("missing.set", POOL_SIZE, RPMEM_MSG_TYPE_OPEN, 0,
		RPMEM_ERR_NOEXIST);
	request_fails("missing.set", POOL_SIZE, RPMEM_MSG_TYPE_CREATE, 1,
		RPMEM_ERR_NOEXIST);
	request_fails("../outside.set", POOL_SIZE, RPMEM_MSG_TYPE_CREATE, 1,
		RPMEM_ERR_BADNAME);
	request_fails(
		outside, POOL_SIZE, RPMEM_MSG_TYPE_OPEN, 0, RPMEM_ERR_BADNAME);
	/* symbolic links in poolset-dir that lead out of it: refused */
	char link[300];
	snprintf(link, sizeof(link), "%s/link-out.set", td_sets());
	assert_int_equal(symlink(outside, link), 0);
	request_fails("link-out.set", POOL_SIZE, RPMEM_MSG_TYPE_CREATE, 1,
		RPMEM_ERR_BADNAME);
	snprintf(link, sizeof(link), "%s/dir-out", td_sets());
	assert_int_equal(symlink(td_dir(), link), 0);
	request_fails("dir-out/outside.set", POOL_SIZE, RPMEM_MSG_TYPE_OPEN, 0,
		RPMEM_ERR_BADNAME);
	/* pool too small for the request: BADSIZE, nothing left behind */
	request_fails("e.set", POOL_SIZE + 1, RPMEM_MSG_TYPE_CREATE, 1,
		RPMEM_ERR_BADSIZE);
	assert_false(td_part_exists("e.set", 0));
	/* attributes vs header options */
	request_fails("n.set", POOL_SIZE, RPMEM_MSG_TYPE_CREATE, 1,
		RPMEM_ERR_POOL_CFG);
	request_fails("s.set", POOL_SIZE, RPMEM_MSG_TYPE_CREATE, 0,
		RPMEM_ERR_POOL_CFG);
	/* a set in a subdirectory of poolset-dir */
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/sub", td_sets());
	assert_int_equal(mkdir(sub, 0700), 0);
	td_make_set("sub/in.set", "");
	struct daemon d;
	struct rpmem_pool_attr_packed a = td_attr('S');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(
		&d, msg, td_create_msg(msg, "sub/in.set", POOL_SIZE, 1, 2, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL), 0);
	assert_true(td_part_exists("sub/in.set", 0));
	/* a second client on the open pool: BUSY */
	request_fails("sub/in.set", POOL_SIZE, RPMEM_MSG_TYPE_OPEN, 0,
		RPMEM_ERR_BUSY);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);

	/* zero pool size */
	request_fails("e.set", 0, RPMEM_MSG_TYPE_CREATE, 1, RPMEM_ERR_BADSIZE);
	/* open of parts that do not exist */
	request_fails(
		"e.set", POOL_SIZE, RPMEM_MSG_TYPE_OPEN, 0, RPMEM_ERR_NOEXIST);
}

/* send raw bytes, expect a response of rtype (0: a status word) */
static void
malformed(const void *bytes, size_t len, uint32_t rtype, uint32_t status)
{
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, bytes, len);
	if (rtype) {
		assert_int_equal(td_resp(&d, rtype, NULL, NULL), status);
	} else {
		uint32_t w;
		assert_int_equal(td_read(&d, &w, 4), 4);
		assert_int_equal(w, status);
	}
	td_expect_stderr(&d, "invalid request");
	assert_int_equal(td_wait(&d), 255);
}

static void
put_hdr(unsigned char *b, uint32_t type, uint64_t size)
{
	struct rpmem_msg_hdr h = {type, size};
	rpmem_hton_msg_hdr(&h);
	memcpy(b, &h, sizeof(h));
}

static void
test_malformed(void **state)
{
	(void)state;
	static unsigned char b[8192];
	td_make_set("m.set", "");
	/* unknown types: no response exists, status word EPROTO */
	put_hdr(b, 9, 16);
	malformed(b, 12, 0, EPROTO);
	put_hdr(b, 2, 44);
	malformed(b, 12, 0, EPROTO);
	put_hdr(b, 0, 12);
	malformed(b, 12, 0, EPROTO);
	/* sizes impossible for the type */
	put_hdr(b, RPMEM_MSG_TYPE_CREATE, 11);
	malformed(b, 12, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_FATAL);
	put_hdr(b, RPMEM_MSG_TYPE_OPEN, 1ULL << 40);
	malformed(b, 12, RPMEM_MSG_TYPE_OPEN, RPMEM_ERR_FATAL);
	put_hdr(b, RPMEM_MSG_TYPE_CLOSE, 17);
	malformed(b, 12, RPMEM_MSG_TYPE_CLOSE, RPMEM_ERR_FATAL);
	put_hdr(b, RPMEM_MSG_TYPE_SET_ATTR, 115);
	malformed(b, 12, RPMEM_MSG_TYPE_SET_ATTR, RPMEM_ERR_FATAL);

	struct rpmem_pool_attr_packed a = td_attr('M');
	size_t len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	struct rpmem_msg_create *c = (void *)b;
	/* provider 0 and 4 */
	c->c.provider = htobe32(0);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADPROVIDER);
	c->c.provider = htobe32(4);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADPROVIDER);
	/* major + 1, minor + 1 */
	len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	c->c.major = htobe16(1);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADPROTO);
	len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	c->c.minor = htobe16(2);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADPROTO);
	/* zero lanes */
	len = td_create_msg(b, "m.set", POOL_SIZE, 0, 2, &a);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADNLANES);
	/* descriptor: not terminated, NUL inside, size off by one, empty */
	len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	b[len - 1] = 'x';
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADNAME);
	len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	b[len - 3] = '\0';
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADNAME);
	len = td_create_msg(b, "m.set", POOL_SIZE, 1, 2, &a);
	c->pool_desc.size = htobe32(7);
	malformed(b, len, RPMEM_MSG_TYPE_CREATE, RPMEM_ERR_BADNAME);
	len = td_open_msg(b, "", POOL_SIZE, 1, 2);
	malformed(b, len, RPMEM_MSG_TYPE_OPEN, RPMEM_ERR_BADNAME);
	assert_false(td_part_exists("m.set", 0));
}

static void
test_idle_requests(void **state)
{
	(void)state;
	struct daemon d;
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	/* SET_ATTR without a pool: FATAL, the daemon stays */
	td_write(&d, msg, td_set_attr_msg(msg, NULL));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_SET_ATTR, NULL, NULL),
		RPMEM_ERR_FATAL);
	/* CLOSE without a pool: FATAL, exit 1 (not a clean close) */
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), RPMEM_ERR_FATAL);
	assert_int_equal(td_wait(&d), 1);
}

static void
test_eof(void **state)
{
	(void)state;
	struct daemon d;
	/* inside a message */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	size_t len = td_open_msg(msg, "x.set", POOL_SIZE, 1, 2);
	td_write(&d, msg, len / 2);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);

	/* with a created pool whose lanes never connected: removed */
	td_make_set("eof.set", "");
	struct rpmem_pool_attr_packed a = td_attr('E');
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, "eof.set", POOL_SIZE, 2, 2, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("eof.set", 0));

	/* a connected pool survives the client vanishing */
	td_start(&d, 0, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, "eof.set", POOL_SIZE, 1, 2, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	struct td_fab *f = td_fab_connect("sockets", ibc.port, 1);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 4096, 2, "ok", 26),
		0);
	td_close_in(&d);
	assert_int_equal(td_wait(&d), 1);
	td_fab_close(f);
	assert_true(td_part_exists("eof.set", 0));
	char buf[2];
	td_read_part("eof.set", 0, 4096, buf, 2);
	assert_memory_equal(buf, "ok", 2);
}

static void
test_remove(void **state)
{
	(void)state;
	struct daemon d;
	char buf[4];
	td_make_set("r.set", "");
	char p[256];
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/r.set.p%d", td_dir(), i);
		td_write_file(p, "data");
	}
	td_start(&d, 0, "--remove", "r.set", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	assert_int_equal(td_wait(&d), 0);
	assert_false(td_part_exists("r.set", 0));
	assert_false(td_part_exists("r.set", 1));

	/* again: the parts are gone */
	td_start(&d, 0, "--remove", "r.set", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	td_expect_stderr(&d, "cannot remove pool set");
	assert_int_equal(td_wait(&d), ENOENT);

	/* forced, with the set file */
	td_start(&d, 0, "--remove", "r.set", "--force", "--pool-set", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	assert_int_equal(td_wait(&d), 0);
	snprintf(p, sizeof(p), "%s/r.set", td_sets());
	assert_false(td_exists(p));

	/* outside the directory */
	td_start(&d, 0, "-r", "../rpmemd.log", "-f", "-s", NULL);
	assert_int_equal(td_read(&d, buf, 4), 0);
	assert_int_equal(td_wait(&d), EBADF);
	snprintf(p, sizeof(p), "%s/rpmemd.log", td_dir());
	assert_true(td_exists(p));
}

/* many lanes, fewer worker threads: every lane is served */
static void
test_many_lanes(void **state)
{
	(void)state;
	struct daemon d;
	const unsigned n = 64;
	td_make_set("lanes.set", "");
	struct rpmem_pool_attr_packed a = td_attr('L');
	td_start(&d, 0, "-t", "3", NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "lanes.set", POOL_SIZE, n,
			RPMEM_PROV_LIBFABRIC_TCP, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_int_equal(ibc.nlanes, n);
	struct td_fab *f = td_fab_connect("tcp", ibc.port, n);
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < n; i++) {
			char v[8] = {0};
			snprintf(v, sizeof(v), "L%02u-%d", i, round);
			assert_int_equal(
				td_fab_persist(f, i, RPMEM_PERSIST_SEND, i,
					ibc.raddr + 4096 + i * 64, sizeof(v), v,
					24 + sizeof(v)),
				0);
		}
	}
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	for (unsigned i = 0; i < n; i++) {
		char v[8], want[8] = {0};
		snprintf(want, sizeof(want), "L%02u-%d", i, 2);
		td_read_part(
			"lanes.set", 0, (off_t)(4096 + i * 64), v, sizeof(v));
		assert_memory_equal(v, want, sizeof(v));
	}
}

/* doc/protocol.md §5: the method reported and the flush used */
static void
policy(const char *force, int apm, uint32_t method, const char *flush)
{
	struct daemon d;
	char log[256], line[128];
	snprintf(log, sizeof(log), "%s/policy.log", td_dir());
	unlink(log);
	if (force)
		setenv("PMEM_IS_PMEM_FORCE", force, 1);
	else
		unsetenv("PMEM_IS_PMEM_FORCE");
	td_make_set("pol.set", "");
	struct rpmem_pool_attr_packed a = td_attr('P');
	if (apm)
		td_start(&d, 0, "--log-file", log, "--persist-apm", NULL);
	else
		td_start(&d, 0, "--log-file", log, NULL);
	unsetenv("PMEM_IS_PMEM_FORCE");
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg, td_create_msg(msg, "pol.set", POOL_SIZE, 1, 2, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_int_equal(ibc.persist_method, method);
	td_write(&d, msg, td_close_msg(msg, RPMEM_CLOSE_FLAGS_REMOVE));
	/* no lanes connected: the close fails, exit 1 */
	assert_int_equal(
		td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), RPMEM_ERR_FATAL);
	assert_int_equal(td_wait(&d), 1);
	snprintf(line, sizeof(line), "    persist flush: %s\n", flush);
	assert_true(td_file_has(log, "persistency policy:"));
	assert_true(td_file_has(log, line));
	assert_true(td_file_has(log,
		method == RPMEM_PM_APM
			? "    persist method: Appliance Persistency Method"
			: "    persist method: General Purpose Server "
			  "Persistency Method"));
}

static void
test_persist_policy(void **state)
{
	(void)state;
	policy("0", 1, RPMEM_PM_GPSPM, "pmem_msync");
	policy(NULL, 0, RPMEM_PM_GPSPM, "pmem_msync");
	policy("1", 1, RPMEM_PM_APM, "none");
	policy("1", 0, RPMEM_PM_GPSPM, "pmem_persist");
}

/* mark a built CREATE/OPEN as coming from a session-binding client */
static size_t
announce(void *buf, size_t len)
{
	struct rpmem_msg_common *c =
		(void *)((char *)buf + sizeof(struct rpmem_msg_hdr));
	c->buff_size = htobe64(RPMEM_DEF_BUFF_SIZE + RPMEM_AUTH_BUFF_TAG);
	return len;
}

/* the AUTH message after a flagged response: the secret */
static void
read_secret(struct daemon *d, unsigned char *secret)
{
	struct rpmem_msg_auth m;
	assert_int_equal(td_read(d, &m, sizeof(m)), sizeof(m));
	assert_int_equal(be32toh(m.hdr.status), 0);
	assert_int_equal(be32toh(m.hdr.type), RPMEM_MSG_TYPE_AUTH);
	assert_int_equal(be64toh(m.hdr.size), sizeof(m));
	memcpy(secret, m.secret, RPMEM_AUTH_SECRET_LEN);
}

static void
binding(const char *prov, uint32_t prov_id, int require)
{
	struct daemon d;
	char log[256];
	snprintf(log, sizeof(log), "%s/binding.log", td_dir());
	unlink(log);
	td_make_set("bind.set", "");
	for (int i = 0; i < 2; i++) {
		char part[256];
		snprintf(part, sizeof(part), "%s/%s.p%d", td_dir(),
			td_flat("bind.set"), i);
		unlink(part);
	}
	struct rpmem_pool_attr_packed a = td_attr('B');
	if (require)
		td_start(&d, 0, "--log-file", log, "--require-auth", NULL);
	else
		td_start(&d, 0, "--log-file", log, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		announce(msg, td_create_msg(msg, "bind.set", POOL_SIZE, 2,
				      prov_id, &a)));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_int_equal(
		ibc.persist_method, RPMEM_PM_GPSPM | RPMEM_AUTH_PM_FLAG);
	assert_int_equal(ibc.nlanes, 2);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN], wrong[32];
	read_secret(&d, secret);

	/* no data, a wrong secret, a truncated and an extended one */
	assert_int_equal(
		td_fab_try(prov, ibc.port, NULL, 0, 5000), -FI_ECONNREFUSED);
	memcpy(wrong, secret, sizeof(secret));
	wrong[RPMEM_AUTH_SECRET_LEN - 1] ^= 1;
	assert_int_equal(
		td_fab_try(prov, ibc.port, wrong, RPMEM_AUTH_SECRET_LEN, 5000),
		-FI_ECONNREFUSED);
	memcpy(wrong, secret, sizeof(secret));
	assert_int_equal(td_fab_try(prov, ibc.port, wrong,
				 RPMEM_AUTH_SECRET_LEN - 1, 5000),
		-FI_ECONNREFUSED);
	assert_int_equal(td_fab_try(prov, ibc.port, wrong,
				 RPMEM_AUTH_SECRET_LEN + 1, 5000),
		-FI_ECONNREFUSED);

	/* the real client still gets both lanes */
	struct td_fab *f = td_fab_connect_data(
		prov, ibc.port, 2, secret, RPMEM_AUTH_SECRET_LEN);
	assert_int_equal(td_fab_persist(f, 1, RPMEM_PERSIST_SEND, 1,
				 ibc.raddr + 8192, 5, "bound", 24 + 5),
		0);
	/* setup is over: even the right secret gets no further lane */
	assert_int_equal(
		td_fab_try(prov, ibc.port, secret, RPMEM_AUTH_SECRET_LEN, 3000),
		-FI_ECONNREFUSED);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 8192 + 5, 3, "yes", 24 + 3),
		0);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	char buf[8];
	td_read_part("bind.set", 0, 8192, buf, 8);
	assert_memory_equal(buf, "boundyes", 8);
	assert_true(td_file_has(log, "without the session secret refused"));
	assert_false(td_file_has(log, "legacy client"));
}

static void
test_binding_sockets(void **state)
{
	(void)state;
	binding("sockets", RPMEM_PROV_LIBFABRIC_SOCKETS, 0);
}

static void
test_binding_tcp(void **state)
{
	(void)state;
	binding("tcp", RPMEM_PROV_LIBFABRIC_TCP, 1);
}

/*
 * Lanes must come from the ssh client's address (SSH_CONNECTION's first
 * field): the same client from another address is refused, unless
 * --no-check-source; an IPv4-mapped IPv6 form matches its IPv4 address.
 */
static void
source_case(const char *ssh_conn, int no_check, int expect_ok)
{
	struct daemon d;
	char log[256];
	snprintf(log, sizeof(log), "%s/source.log", td_dir());
	unlink(log);
	td_make_set("src.set", "");
	for (int i = 0; i < 2; i++) {
		char part[256];
		snprintf(part, sizeof(part), "%s/%s.p%d", td_dir(),
			td_flat("src.set"), i);
		unlink(part);
	}
	setenv("TD_SSH_CONNECTION", ssh_conn, 1);
	if (no_check)
		td_start(&d, 0, "--log-file", log, "--no-check-source", NULL);
	else
		td_start(&d, 0, "--log-file", log, NULL);
	unsetenv("TD_SSH_CONNECTION");
	struct rpmem_pool_attr_packed a = td_attr('S');
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		announce(msg, td_create_msg(msg, "src.set", POOL_SIZE, 1,
				      RPMEM_PROV_LIBFABRIC_TCP, &a)));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	read_secret(&d, secret);
	if (expect_ok) {
		struct td_fab *f = td_fab_connect_data(
			"tcp", ibc.port, 1, secret, RPMEM_AUTH_SECRET_LEN);
		assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
					 ibc.raddr + 8192, 3, "src", 24 + 3),
			0);
		td_fab_close(f);
	} else {
		/* the right secret from the wrong address */
		assert_int_equal(td_fab_try("tcp", ibc.port, secret,
					 RPMEM_AUTH_SECRET_LEN, 5000),
			-FI_ECONNREFUSED);
	}
	td_write(&d, msg, td_close_msg(msg, 0));
	td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL);
	td_wait(&d);
	assert_int_equal(
		td_file_has(log, "not the ssh client's address"), !expect_ok);
}

static void
test_source_address(void **state)
{
	(void)state;
	source_case("127.0.0.2 40000 127.0.0.1 22", 0, 0);
	source_case("127.0.0.1 40000 127.0.0.1 22", 0, 1);
	source_case("::ffff:127.0.0.1 40000 127.0.0.1 22", 0, 1);
	source_case("127.0.0.2 40000 127.0.0.1 22", 1, 1);
}

/* a legacy (PMDK) client: unauthenticated by default, refused on demand */
static void
test_legacy_client(void **state)
{
	(void)state;
	struct daemon d;
	char log[256];
	snprintf(log, sizeof(log), "%s/legacy.log", td_dir());
	unlink(log);
	td_make_set("legacy.set", "");
	struct rpmem_pool_attr_packed a = td_attr('L');

	td_start(&d, 0, "--log-file", log, "--require-auth", NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "legacy.set", POOL_SIZE, 1,
			RPMEM_PROV_LIBFABRIC_TCP, &a));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, NULL, NULL),
		RPMEM_ERR_NOACCESS);
	assert_int_equal(td_wait(&d), 1);
	assert_false(td_part_exists("legacy.set", 0));
	assert_true(td_file_has(log, "legacy client without session binding"));

	/* the same through the config file */
	char conf[256];
	snprintf(conf, sizeof(conf), "%s/auth.conf", td_dir());
	td_write_file(conf, "require-auth = yes\n");
	td_start(&d, 0, "-c", conf, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_open_msg(msg, "legacy.set", POOL_SIZE, 1,
			RPMEM_PROV_LIBFABRIC_TCP));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_OPEN, NULL, NULL),
		RPMEM_ERR_NOACCESS);
	assert_int_equal(td_wait(&d), 1);

	/* default: served without a secret, logged as legacy */
	unlink(log);
	td_start(&d, 0, "--log-file", log, NULL);
	assert_int_equal(td_hello(&d), 0);
	td_write(&d, msg,
		td_create_msg(msg, "legacy.set", POOL_SIZE, 1,
			RPMEM_PROV_LIBFABRIC_TCP, &a));
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_int_equal(ibc.persist_method, RPMEM_PM_GPSPM);
	struct td_fab *f = td_fab_connect("tcp", ibc.port, 1);
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 8192, 2, "ok", 24 + 2),
		0);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, RPMEM_CLOSE_FLAGS_REMOVE));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	assert_true(td_file_has(log, "legacy client: fabric connections"));
}

/* a create for liveness: announced (live) or with session binding alone */
static struct rpmem_msg_ibc_attr
live_create(struct daemon *d, const char *name, int live, const char *log)
{
	td_make_set(name, "");
	for (int i = 0; i < 2; i++) {
		char part[256];
		snprintf(part, sizeof(part), "%s/%s.p%d", td_dir(),
			td_flat(name), i);
		unlink(part);
	}
	unlink(log);
	td_start(d, 0, "--log-file", log, "--liveness-timeout", "1", NULL);
	assert_int_equal(td_hello(d), 0);
	struct rpmem_pool_attr_packed a = td_attr('V');
	size_t len = announce(msg, td_create_msg(msg, name, POOL_SIZE, 1,
					   RPMEM_PROV_LIBFABRIC_TCP, &a));
	if (live) {
		struct rpmem_msg_common *c =
			(void *)(msg + sizeof(struct rpmem_msg_hdr));
		c->buff_size =
			htobe64(RPMEM_DEF_BUFF_SIZE + RPMEM_LIVE_BUFF_TAG +
				RPMEM_AUTH_BUFF_TAG);
	}
	td_write(d, msg, len);
	struct rpmem_msg_ibc_attr ibc;
	assert_int_equal(td_resp(d, RPMEM_MSG_TYPE_CREATE, &ibc, NULL), 0);
	assert_int_equal(
		ibc.persist_method, RPMEM_PM_GPSPM | RPMEM_AUTH_PM_FLAG |
					    (live ? RPMEM_LIVE_PM_FLAG : 0));
	return ibc;
}

/* a PING and its PONG */
static void
ping(struct daemon *d)
{
	struct rpmem_msg_hdr p = {htobe32(RPMEM_MSG_TYPE_PING), htobe64(12)};
	td_write(d, &p, sizeof(p));
	struct rpmem_msg_hdr_resp r;
	assert_int_equal(td_read(d, &r, sizeof(r)), sizeof(r));
	assert_int_equal(be32toh(r.status), 0);
	assert_int_equal(be32toh(r.type), RPMEM_MSG_TYPE_PONG);
	assert_int_equal(be64toh(r.size), 16);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/*
 * --liveness-timeout: a client that announced pings gets the LIVE
 * message; pinging keeps its session for longer than the timeout, its
 * silence ends it (exit 1, pool kept and unlocked, logged); a client that
 * did not announce them is never timed out, and a PING from it is an
 * invalid request as before
 */
static void
test_liveness(void **state)
{
	(void)state;
	struct daemon d;
	char log[256];
	snprintf(log, sizeof(log), "%s/live.log", td_dir());
	struct rpmem_msg_ibc_attr ibc = live_create(&d, "live.set", 1, log);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	read_secret(&d, secret);
	struct rpmem_msg_live m;
	assert_int_equal(td_read(&d, &m, sizeof(m)), sizeof(m));
	assert_int_equal(be32toh(m.hdr.type), RPMEM_MSG_TYPE_LIVE);
	assert_int_equal(be64toh(m.hdr.size), sizeof(m));
	assert_int_equal(be32toh(m.ping_ms), 333);
	assert_int_equal(be32toh(m.timeout_ms), 1000);
	struct td_fab *f = td_fab_connect_data(
		"tcp", ibc.port, 1, secret, RPMEM_AUTH_SECRET_LEN);
	for (int i = 0; i < 8; i++) { /* 2.4 s: pings alone keep it */
		sleep_ms(300);
		ping(&d);
	}
	assert_int_equal(td_fab_persist(f, 0, RPMEM_PERSIST_SEND, 0,
				 ibc.raddr + 8192, 4, "live", 24 + 4),
		0);
	/* silence: the session ends, the pool stays and is unlocked */
	assert_int_equal(td_wait(&d), 1);
	td_fab_close(f);
	assert_true(td_file_has(log, "client unreachable"));
	char buf[4], part[256];
	td_read_part("live.set", 0, 8192, buf, 4);
	assert_memory_equal(buf, "live", 4);
	snprintf(part, sizeof(part), "%s/%s.p0", td_dir(), td_flat("live.set"));
	int fd = open(part, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);

	/* session binding alone: idle past the timeout, then closed */
	ibc = live_create(&d, "bound.set", 0, log);
	read_secret(&d, secret);
	f = td_fab_connect_data(
		"tcp", ibc.port, 1, secret, RPMEM_AUTH_SECRET_LEN);
	sleep_ms(2500);
	td_fab_close(f);
	td_write(&d, msg, td_close_msg(msg, 0));
	assert_int_equal(td_resp(&d, RPMEM_MSG_TYPE_CLOSE, NULL, NULL), 0);
	assert_int_equal(td_wait(&d), 0);
	assert_false(td_file_has(log, "client unreachable"));

	/* a PING it did not announce: EPROTO and exit 255, as any type */
	ibc = live_create(&d, "bound.set", 0, log);
	read_secret(&d, secret);
	struct rpmem_msg_hdr p = {htobe32(RPMEM_MSG_TYPE_PING), htobe64(12)};
	td_write(&d, &p, sizeof(p));
	uint32_t word;
	assert_int_equal(td_read(&d, &word, sizeof(word)), sizeof(word));
	assert_int_equal(word, EPROTO);
	assert_int_equal(td_wait(&d), 255);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_eof),
		cmocka_unit_test(test_startup_errors),
		cmocka_unit_test(test_fabric_sockets),
		cmocka_unit_test(test_fabric_tcp),
		cmocka_unit_test(test_close_without_lanes),
		cmocka_unit_test(test_pool_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_idle_requests),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_persist_policy),
		cmocka_unit_test(test_binding_sockets),
		cmocka_unit_test(test_binding_tcp),
		cmocka_unit_test(test_legacy_client),
		cmocka_unit_test(test_source_address),
		cmocka_unit_test(test_many_lanes),
		cmocka_unit_test(test_liveness),
	};
	return td_done(cmocka_run_group_tests(tests, NULL, NULL));
}
