/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * librpmem-fip.c -- the client's fabric code (src/librpmem/lane_setup.c,
 * lane_io.c) against the fake libfabric (tests/unit/common/fake_fabric.h): what
 * it does with the attributes the verbs provider reports, the persist protocols
 * (GPSPM send/recv, APM read after write, deep persist), and every error path
 * (refused connection, completion errors, EAGAIN, shutdown, stalled peer)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rdma/fabric.h>
#include <rdma/fi_errno.h>

#include "fake_fabric.h"
#include "lanes.h"
#include "rpmem_proto.h"

#define POOL (1 << 20)
#define BUFF 1024 /* inline persist limit in these tests */

static char *Local, *Remote;
static const unsigned char Secret[RPMEM_AUTH_SECRET_LEN] = {1, 2, 3, 4, 5};

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	Local = calloc(1, POOL);
	Remote = calloc(1, POOL);
	for (size_t i = 0; i < POOL; i++)
		Local[i] = (char)(i * 7 + 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(Local);
	free(Remote);
	assert_int_equal(Fake_open, 0); /* every fid closed */
	return 0;
}

static struct rpmem_fip *
init(const char *prov, unsigned method, unsigned nlanes, unsigned *got)
{
	struct rpmem_fip_attr a = {.node = "127.0.0.1",
		.port = 7000,
		.prov = prov,
		.laddr = Local,
		.size = POOL,
		.raddr = (uint64_t)(uintptr_t)Remote,
		.rkey = 0xabc,
		.persist_method = method,
		.nlanes = nlanes,
		.buff_size = BUFF,
		.wq_size = 50,
		.secret = Secret,
		.stall_ms = 300};
	Fake.prov = prov;
	struct rpmem_fip *fip = NULL;
	char why[256] = "";
	unsigned n = 0;
	int ret = rpmem_fip_init(&a, &n, &fip, why, sizeof(why));
	if (ret)
		fail_msg("rpmem_fip_init: %s (%s)", strerror(-ret), why);
	if (got)
		*got = n;
	return fip;
}

static void
fini(struct rpmem_fip *fip)
{
	rpmem_fip_shutdown(fip);
	rpmem_fip_fini(fip);
}

static unsigned
count(enum fake_kind k)
{
	unsigned n = 0;
	for (unsigned i = 0; i < Fake_nlog; i++)
		n += Fake_log[i].kind == k;
	return n;
}

/* the verbs attributes: lanes, queue sizes, descriptors, inline persists */
static void
test_verbs_attributes(void **state)
{
	(void)state;
	Fake.mr_mode = FI_MR_LOCAL | FI_MR_VIRT_ADDR | FI_MR_ALLOCATED |
		       FI_MR_PROV_KEY;
	Fake.ctx_cnt = 3;  /* the NIC's limit on contexts */
	Fake.tx_size = 32; /* below the work queue asked for */
	Fake.inject_size = 0;
	unsigned n;
	struct rpmem_fip *fip = init("verbs", RPMEM_PM_GPSPM, 8, &n);
	assert_int_equal(n, 3);
	assert_true(Fake_cq_size >= 32); /* room for a full work queue */
	/* the secret is the connection data of every lane */
	assert_int_equal(Fake_cm_len, sizeof(Secret));
	assert_memory_equal(Fake_cm_data, Secret, sizeof(Secret));
	/* pool, persist messages, responses, read buffer: FI_MR_LOCAL */
	assert_int_equal(Fake_nmr, 4);
	assert_int_equal(Fake_mr_access[0], FI_WRITE);
	assert_int_equal(Fake_mr_access[1], FI_SEND);
	assert_int_equal(Fake_mr_access[2], FI_RECV);
	assert_int_equal(Fake_mr_access[3], FI_READ);
	/* each lane has a receive posted with the response descriptor */
	assert_int_equal(count(FAKE_RECV), 3);
	for (unsigned i = 0; i < Fake_nlog; i++)
		assert_ptr_equal(Fake_log[i].desc, (void *)0xd002);

	/* verbs: every persist goes in persist messages, in chunks */
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_persist(fip, 8192, 2500, 1, 0), 0);
	assert_int_equal(count(FAKE_WRITE), 0);
	assert_int_equal(count(FAKE_SEND), 3);
	for (unsigned i = 0; i < Fake_nlog; i++) {
		struct fake_op *o = &Fake_log[i];
		assert_int_equal(o->ep, 1);
		if (o->kind != FAKE_SEND)
			continue;
		assert_ptr_equal(o->desc, (void *)0xd001);
		assert_int_equal(o->pmsg_flags, RPMEM_PERSIST_SEND);
	}
	/* FI_MR_VIRT_ADDR: the message names the remote virtual address */
	assert_int_equal(Fake_log[0].raddr, (uint64_t)(uintptr_t)Remote + 8192);
	assert_memory_equal(Remote + 8192, Local + 8192, 2500);
	fini(fip);
}

/* GPSPM over tcp: a large persist is RMA writes then a FLUSH message */
static void
test_gpspm_write_flush(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 2, NULL);
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_persist(fip, 65536, 100000, 0, 0), 0);
	assert_memory_equal(Remote + 65536, Local + 65536, 100000);
	assert_true(count(FAKE_WRITE) >= 1);
	struct fake_op *w = &Fake_log[0], *last = NULL;
	assert_int_equal(w->kind, FAKE_WRITE);
	assert_ptr_equal(w->desc, (void *)0xd000); /* the pool's descriptor */
	assert_int_equal(w->key, 0xabc);	   /* the daemon's key */
	assert_int_equal(w->raddr, (uint64_t)(uintptr_t)Remote + 65536);
	for (unsigned i = 0; i < Fake_nlog; i++)
		if (Fake_log[i].kind == FAKE_SEND)
			last = &Fake_log[i];
	assert_non_null(last);
	assert_int_equal(last->pmsg_flags, RPMEM_FLUSH_WRITE);
	/* a small one fits a persist message (tcp: one chunk inline) */
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 1, 0), 0);
	assert_int_equal(count(FAKE_WRITE), 0);
	assert_int_equal(count(FAKE_SEND), 1);
	assert_memory_equal(Remote + 4096, Local + 4096, 64);
	fini(fip);
}

/* APM: writes, then an 8-byte read of the pool makes them durable */
static void
test_apm_read_after_write(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_APM, 1, NULL);
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_persist(fip, 8192, 200000, 0, 0), 0);
	assert_int_equal(count(FAKE_SEND), 0);
	struct fake_op *r = &Fake_log[Fake_nlog - 1];
	assert_int_equal(r->kind, FAKE_READ);
	assert_int_equal(r->len, 8);
	assert_ptr_equal(r->desc, (void *)0xd003);
	assert_int_equal(r->key, 0xabc);
	for (unsigned i = 0; i + 1 < Fake_nlog; i++)
		assert_int_equal(Fake_log[i].kind, FAKE_WRITE);
	/* flush + drain: the read comes at the drain */
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_flush(fip, 300000, 50000, 0, 1), 0);
	assert_int_equal(count(FAKE_READ), 0);
	assert_int_equal(rpmem_fip_drain(fip, 0), 0);
	assert_int_equal(Fake_log[Fake_nlog - 1].kind, FAKE_READ);
	assert_memory_equal(Remote + 300000, Local + 300000, 50000);
	fini(fip);
}

/* deep persist: writes and a DEEP_PERSIST message, whatever the method */
static void
test_deep_persist(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_APM, 1, NULL);
	Fake_nlog = 0;
	assert_int_equal(
		rpmem_fip_persist(fip, 4096, 100, 0, RPMEM_FIP_DEEP), 0);
	assert_int_equal(Fake_log[0].kind, FAKE_WRITE);
	struct fake_op *s = &Fake_log[Fake_nlog - 2]; /* then the re-post */
	assert_int_equal(s->kind, FAKE_SEND);
	assert_int_equal(s->pmsg_flags, RPMEM_DEEP_PERSIST);
	assert_int_equal(Fake_log[Fake_nlog - 1].kind, FAKE_RECV);
	fini(fip);
}

/* a work queue of two: every second write asks for its completion */
static void
test_work_queue_signaling(void **state)
{
	(void)state;
	Fake.tx_size = 2;
	Fake.max_msg = 4096;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_APM, 1, NULL);
	Fake_nlog = 0;
	assert_int_equal(rpmem_fip_flush(fip, 4096, 6 * 4096, 0, 1), 0);
	assert_int_equal(count(FAKE_WRITE), 6);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(!!(Fake_log[i].flags & FI_COMPLETION), i % 2);
	fini(fip);
}

/*
 * writes posted after a persist message are not retired by its response:
 * once a wait for that response is over they still count, and the queue
 * (four entries) never holds more unsignaled writes than it has room for
 */
static void
test_unsignaled_after_message(void **state)
{
	(void)state;
	Fake.tx_size = 4;
	Fake.max_msg = 4096;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 1, NULL);
	Fake_nlog = 0;
	/* a write and its message, then two writes behind the message */
	assert_int_equal(rpmem_fip_flush(fip, 4096, 4096, 0, 1), 0);
	assert_int_equal(rpmem_fip_flush(fip, 8192, 2 * 4096, 0, 1), 0);
	/* waits for that message's response, then writes two more */
	assert_int_equal(
		rpmem_fip_persist(fip, 16384, 2 * 4096, 0, RPMEM_FIP_DEEP), 0);
	/* unsignaled writes since the last operation with a completion */
	unsigned run = 0, most = 0;
	for (unsigned i = 0; i < Fake_nlog; i++) {
		if (Fake_log[i].kind == FAKE_RECV)
			continue;
		if (Fake_log[i].flags & FI_COMPLETION)
			run = 0;
		else if (Fake_log[i].kind == FAKE_WRITE)
			run++;
		most = run > most ? run : most;
	}
	assert_int_equal(count(FAKE_WRITE), 5);
	assert_true(most < 4);
	assert_int_equal(rpmem_fip_drain(fip, 0), 0);
	assert_memory_equal(Remote + 4096, Local + 4096, 5 * 4096);
	fini(fip);
}

/* a full queue (EAGAIN) is retried until the post goes through */
static void
test_eagain_retried(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 1, NULL);
	Fake.eagain = 5;
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 0, 0), 0);
	assert_int_equal(Fake_eagains, 5);
	assert_memory_equal(Remote + 4096, Local + 4096, 64);
	fini(fip);
}

/* a completion error of a dying peer: ECONNRESET, sticky */
static void
test_cq_error(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 1, NULL);
	Fake.cq_err = FI_ECONNRESET;
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 0, 0), -ECONNRESET);
	assert_int_equal(rpmem_fip_error(fip), -ECONNRESET);
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 0, 0), -ECONNRESET);
	char b[8];
	assert_int_equal(rpmem_fip_read(fip, b, 4096, 8, 0), -ECONNRESET);
	fini(fip);
}

/* another completion error while the peer stays: that error */
static void
test_cq_error_other(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_APM, 1, NULL);
	Fake.cq_err = FI_EIO;
	char b[8];
	assert_int_equal(rpmem_fip_read(fip, b, 4096, 8, 0), -EIO);
	fini(fip);
}

/* a peer that shut the connection down while we wait: ECONNRESET */
static void
test_eq_shutdown(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 1, NULL);
	Fake.stall = 1;
	Fake.shutdown = 1;
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 0, 0), -ECONNRESET);
	fini(fip);
}

/* a peer that never answers: ETIMEDOUT after the stall time */
static void
test_stalled_peer(void **state)
{
	(void)state;
	struct rpmem_fip *fip = init("tcp", RPMEM_PM_GPSPM, 1, NULL);
	Fake.stall = 1;
	assert_int_equal(rpmem_fip_persist(fip, 4096, 64, 0, 0), -ETIMEDOUT);
	fini(fip);
}

/* the daemon refuses a lane (wrong secret, foreign address) */
static void
test_connection_refused(void **state)
{
	(void)state;
	Fake.refuse = ECONNREFUSED;
	Fake.prov = "tcp";
	struct rpmem_fip_attr a = {.node = "127.0.0.1",
		.port = 7000,
		.prov = "tcp",
		.laddr = Local,
		.size = POOL,
		.raddr = (uint64_t)(uintptr_t)Remote,
		.nlanes = 2,
		.buff_size = BUFF,
		.wq_size = 50,
		.secret = Secret};
	struct rpmem_fip *fip = NULL;
	char why[256] = "";
	unsigned n = 0;
	assert_int_equal(
		rpmem_fip_init(&a, &n, &fip, why, sizeof(why)), -ECONNREFUSED);
	assert_non_null(strstr(why, "refused"));
	assert_null(fip);
}

/* no such provider: the error of fi_getinfo */
static void
test_no_provider(void **state)
{
	(void)state;
	Fake.getinfo_err = FI_ENODATA;
	struct rpmem_fip_attr a = {.node = "127.0.0.1",
		.prov = "verbs",
		.laddr = Local,
		.size = POOL,
		.nlanes = 1,
		.buff_size = BUFF};
	struct rpmem_fip *fip = NULL;
	char why[256] = "";
	unsigned n = 0;
	assert_true(rpmem_fip_init(&a, &n, &fip, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "verbs"));
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_verbs_attributes),
		T(test_gpspm_write_flush),
		T(test_apm_read_after_write),
		T(test_deep_persist),
		T(test_work_queue_signaling),
		T(test_unsignaled_after_message),
		T(test_eagain_retried),
		T(test_cq_error),
		T(test_cq_error_other),
		T(test_eq_shutdown),
		T(test_stalled_peer),
		T(test_connection_refused),
		T(test_no_provider),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
