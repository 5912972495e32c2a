/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd-fabric_server.c -- rpmemd's fabric server (src/rpmemd/
 * fabric_server.c, listener.c, worker.c) against the fake libfabric
 * (tests/unit/common/fake_fabric.c): lane and queue sizing from the
 * provider's limits (verbs), secret and source checks, persist messages
 * (inline data, invalid ones answered as such), completion errors, EAGAIN
 * on posts, accept timeout
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cmocka.h>

#include <rdma/fabric.h>
#include <rdma/fi_errno.h>

#include "fake_fabric.h"
#include "fabric_server.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "test_util.h"

#define POOL ((size_t)1 << 20)
#define PRESP_INVALID 0x1U

static char *Pool;
static const unsigned char Secret[RPMEM_AUTH_SECRET_LEN] = {9, 8, 7};

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	Pool = mmap(NULL, POOL, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(Pool != MAP_FAILED);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	munmap(Pool, POOL);
	assert_int_equal(Fake_open, 0);
	return 0;
}

/* a bound on an event that must come, scaled by RPMEM_TEST_WAIT_SCALE
 * (valgrind runs one thread at a time, and slowly) */
#define WAIT_MS(ms) ((unsigned)test_wait_ms(ms))

static struct rpmemd_fip *
start(const char *prov, unsigned nlanes, const char *peer, unsigned timeout,
	struct rpmem_msg_ibc_attr *ibc)
{
	Fake.prov = prov;
	struct rpmemd_fip_attr a = {.addr = Pool,
		.size = POOL,
		.nlanes = nlanes,
		.provider = rpmem_provider_from_name(prov),
		.buff_size = 8192,
		.method = RPMEM_PM_GPSPM,
		.node = "127.0.0.1",
		.accept_timeout_ms = timeout,
		.secret = Secret,
		.peer = peer};
	struct rpmemd_fip *fip = NULL;
	enum rpmem_status st;
	assert_int_equal(rpmemd_fip_init(&a, &fip, ibc, &st), 0);
	assert_int_equal(st, RPMEM_SUCCESS);
	assert_int_equal(rpmemd_fip_start(fip), 0);
	return fip;
}

static void
nap(void)
{
	struct timespec ts = {0, 2 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* the response to a persist message on a lane (waits up to 5 s) */
static struct rpmem_msg_persist_resp
persist(unsigned lane, uint32_t flags, uint64_t addr, const char *data,
	uint64_t size)
{
	unsigned char m[sizeof(struct rpmem_msg_persist) + 64];
	struct rpmem_msg_persist *p = (void *)m;
	p->flags = flags;
	p->lane = lane;
	p->addr = addr;
	p->size = size;
	size_t len = sizeof(*p);
	if (data) {
		memcpy(p->data, data, size);
		len += size;
	}
	unsigned before = fake_sent(lane, NULL, 0);
	int delivered = 0;
	for (int i = 0; i < test_wait_ms(5000) / 2 &&
			fake_sent(lane, NULL, 0) == before;
		i++) {
		if (!delivered)
			delivered = fake_deliver(lane, m, len) == 0;
		nap();
	}
	assert_true(delivered);
	struct rpmem_msg_persist_resp r;
	assert_int_not_equal(fake_sent(lane, &r, sizeof(r)), before);
	return r;
}

static void
connect_lanes(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(
			fake_connreq(Secret, sizeof(Secret), "127.0.0.1"), 0);
}

/* lanes and queues sized by the provider's limits; inline persists */
static void
test_verbs_lanes(void **state)
{
	(void)state;
	Fake.mr_mode = FI_MR_LOCAL | FI_MR_VIRT_ADDR | FI_MR_ALLOCATED |
		       FI_MR_PROV_KEY;
	Fake.ctx_cnt = 3;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip = start("verbs", 8, NULL, WAIT_MS(5000), &ibc);
	assert_int_equal(ibc.nlanes, 3);
	assert_int_equal(ibc.port, 7000);
	assert_int_equal(ibc.raddr, (uint64_t)(uintptr_t)Pool);
	assert_int_equal(ibc.rkey, 0x1000); /* the pool's key comes first */
	/* one receive and one response per lane: 3 entries a queue */
	assert_int_equal(Fake_cq_size, 3);
	assert_int_equal(Fake_mr_access[0], FI_REMOTE_READ | FI_REMOTE_WRITE);
	connect_lanes(3);
	uint64_t base = (uint64_t)(uintptr_t)Pool;
	struct rpmem_msg_persist_resp r =
		persist(2, RPMEM_PERSIST_SEND, base + 4096, "hello", 5);
	assert_int_equal(r.flags, 0);
	assert_int_equal(r.lane, 2);
	assert_memory_equal(Pool + 4096, "hello", 5);
	/* a write already done, then flushed: answered */
	r = persist(0, RPMEM_FLUSH_WRITE, base + 8192, NULL, 4096);
	assert_int_equal(r.flags, 0);
	assert_int_equal(rpmemd_fip_stop(fip), 0);
	rpmemd_fip_fini(fip);
}

/* a message that fails validation is answered as invalid; lane lives */
static void
test_invalid_message(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip = start("tcp", 1, NULL, WAIT_MS(5000), &ibc);
	connect_lanes(1);
	uint64_t base = (uint64_t)(uintptr_t)Pool;
	struct rpmem_msg_persist_resp r =
		persist(0, RPMEM_PERSIST_SEND, base + POOL - 2, "xxxx", 4);
	assert_int_equal(r.flags, PRESP_INVALID);
	r = persist(0, RPMEM_PERSIST_SEND, base + 64, "ok", 2);
	assert_int_equal(r.flags, 0);
	assert_memory_equal(Pool + 64, "ok", 2);
	assert_int_equal(rpmemd_fip_stop(fip), 0);
	rpmemd_fip_fini(fip);
}

/* no secret, a wrong one, a foreign address: refused; then accepted */
static void
test_secret_and_source(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip =
		start("tcp", 1, "127.0.0.1", WAIT_MS(5000), &ibc);
	unsigned char wrong[RPMEM_AUTH_SECRET_LEN] = {9, 8, 6};
	assert_int_equal(fake_connreq(NULL, 0, "127.0.0.1"), 0);
	assert_int_equal(fake_connreq(wrong, sizeof(wrong), "127.0.0.1"), 0);
	assert_int_equal(fake_connreq(Secret, sizeof(Secret), "10.1.2.3"), 0);
	for (int i = 0; i < test_wait_ms(5000) / 2 && fake_rejects() < 3; i++)
		nap();
	assert_int_equal(fake_rejects(), 3);
	connect_lanes(1);
	struct rpmem_msg_persist_resp r = persist(
		0, RPMEM_PERSIST_SEND, (uint64_t)(uintptr_t)Pool + 100, "s", 1);
	assert_int_equal(r.flags, 0);
	assert_int_equal(rpmemd_fip_stop(fip), 0);
	rpmemd_fip_fini(fip);
}

/* a completion error kills its lane only */
static void
test_cq_error(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip = start("tcp", 2, NULL, WAIT_MS(5000), &ibc);
	connect_lanes(2);
	uint64_t base = (uint64_t)(uintptr_t)Pool;
	/* let the workers run, then fail lane 0's receive */
	assert_int_equal(persist(1, RPMEM_PERSIST_SEND, base, "a", 1).flags, 0);
	Fake.cq_err = FI_ECONNRESET;
	unsigned char m[sizeof(struct rpmem_msg_persist)] = {0};
	assert_int_equal(fake_deliver(0, m, sizeof(m)), 0);
	struct rpmem_msg_persist_resp r =
		persist(1, RPMEM_PERSIST_SEND, base + 8, "b", 1);
	assert_int_equal(r.flags, 0);
	assert_int_equal(fake_sent(0, NULL, 0), 0); /* lane 0 never answered */
	assert_int_equal(rpmemd_fip_stop(fip), 0);
	rpmemd_fip_fini(fip);
}

/* a full queue (EAGAIN) when re-posting and answering is retried */
static void
test_eagain(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip = start("tcp", 1, NULL, WAIT_MS(5000), &ibc);
	connect_lanes(1);
	Fake.eagain = 10;
	struct rpmem_msg_persist_resp r = persist(
		0, RPMEM_PERSIST_SEND, (uint64_t)(uintptr_t)Pool + 200, "e", 1);
	assert_int_equal(r.flags, 0);
	assert_int_equal(Fake_eagains, 10);
	assert_int_equal(rpmemd_fip_stop(fip), 0);
	rpmemd_fip_fini(fip);
}

/* the threads of this process now (/proc/self/status), -1 if unknown */
static int
threads_now(void)
{
	char line[128];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (f == NULL)
		return -1;
	while (n < 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) != 1)
			n = -1;
	fclose(f);
	return n;
}

/* nobody connects: the accept phase times out */
static void
test_accept_timeout(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	int before = threads_now();
	/* 100 ms (longer where RPMEM_TEST_WAIT_SCALE says the machine is
	 * slow, e.g. under valgrind), so that the one lane below connects
	 * before the accept phase ends */
	struct rpmemd_fip *fip = start("tcp", 2, NULL, WAIT_MS(100), &ibc);
	/* one of two lanes; on a slow run (valgrind schedules one thread at
	 * a time) the phase may be over before it arrives: both time out */
	(void)fake_connreq(Secret, sizeof(Secret), "127.0.0.1");
	/* the accept thread gives up and ends (within 5 s) */
	for (int ms = 0; threads_now() > before && ms < test_wait_ms(5000);
		ms += 2)
		nap();
	assert_int_equal(threads_now(), before);
	assert_int_equal(rpmemd_fip_stop(fip), -ETIMEDOUT);
	rpmemd_fip_fini(fip);
}

/* a stop request during the accept phase cancels it */
static void
test_stop_while_accepting(void **state)
{
	(void)state;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fip *fip = start("tcp", 2, NULL, WAIT_MS(5000), &ibc);
	assert_int_equal(rpmemd_fip_stop(fip), -ECANCELED);
	rpmemd_fip_fini(fip);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_verbs_lanes),
		T(test_invalid_message),
		T(test_secret_and_source),
		T(test_cq_error),
		T(test_eagain),
		T(test_accept_timeout),
		T(test_stop_while_accepting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
