/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-fabric.c -- the shared fabric layer (src/common/rpmem/rpmem_fabric.c)
 * against the fake libfabric: set-up and teardown leave nothing open, memory
 * registration hands out descriptors, completion and event queue errors are
 * read and decoded (a vanished peer is ECONNRESET), and the pre-built lane
 * messages reach the provider with the buffers, descriptors, keys, remote
 * addresses and contexts they were built and set with
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
#include <rdma/fi_cm.h>
#include <rdma/fi_errno.h>

#include "fake_fabric.h"
#include "rpmem_fabric.h"
#include "rpmem_fip_common.h"

static struct rpmem_fabric F;
static struct fid_cq *Cq;
static struct fid_ep *Ep;

static int
setup(void **state)
{
	(void)state;
	fake_reset();
	memset(&F, 0, sizeof(F));
	Cq = NULL;
	Ep = NULL;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	RPMEM_FID_CLOSE(Ep);
	RPMEM_FID_CLOSE(Cq);
	rpmem_fabric_close(&F);
	assert_null(F.fi);
	assert_null(F.eq);
	assert_int_equal(Fake_open, 0); /* every fid closed */
	return 0;
}

static void
open_fabric(const char *prov)
{
	Fake.prov = prov;
	struct fi_info *hints = rpmem_fip_hints(prov);
	assert_non_null(hints);
	int ret = rpmem_fabric_getinfo(&F, "127.0.0.1", "7000", 0, hints);
	fi_freeinfo(hints);
	assert_int_equal(ret, 0);
	assert_non_null(F.fi);
	assert_int_equal(rpmem_fabric_open(&F), 0);
	assert_non_null(F.fabric);
	assert_non_null(F.domain);
	assert_non_null(F.eq);
}

/* an endpoint bound to a fresh completion queue and the event queue */
static void
open_ep(void)
{
	assert_int_equal(rpmem_cq_open(F.domain, 24, FI_WAIT_NONE, &Cq), 0);
	assert_int_equal(Fake_cq_size, 24);
	assert_int_equal(fi_endpoint(F.domain, F.fi, &Ep, NULL), 0);
	assert_int_equal(fi_ep_bind(Ep, &F.eq->fid, 0), 0);
	assert_int_equal(fi_ep_bind(Ep, &Cq->fid, FI_TRANSMIT | FI_RECV), 0);
}

static void
test_open_close(void **state)
{
	(void)state;
	open_fabric("verbs");
	assert_string_equal(F.fi->fabric_attr->prov_name, "verbs");
	rpmem_fabric_close(&F);
	assert_null(F.fabric);
	assert_null(F.domain);
	assert_int_equal(Fake_open, 0);
	rpmem_fabric_close(&F); /* twice: nothing left to close */
}

static void
test_getinfo_fails(void **state)
{
	(void)state;
	Fake.getinfo_err = FI_ENODATA;
	struct fi_info *hints = rpmem_fip_hints("verbs");
	int ret = rpmem_fabric_getinfo(&F, "127.0.0.1", "7000", 0, hints);
	fi_freeinfo(hints);
	assert_int_equal(ret, -FI_ENODATA);
	assert_null(F.fi);
}

static void
test_mr_reg(void **state)
{
	(void)state;
	open_fabric("verbs");
	static char buf[256];
	struct fid_mr *a = NULL, *b = NULL;
	void *desc = NULL;
	assert_int_equal(
		rpmem_mr_reg(F.domain, buf, sizeof(buf), FI_SEND, &a, &desc),
		0);
	assert_non_null(desc);
	assert_ptr_equal(desc, fi_mr_desc(a));
	assert_int_equal(rpmem_mr_reg(F.domain, buf, sizeof(buf),
				 FI_REMOTE_WRITE, &b, NULL),
		0);
	assert_int_equal(Fake_nmr, 2);
	assert_int_equal(Fake_mr_access[0], FI_SEND);
	assert_int_equal(Fake_mr_access[1], FI_REMOTE_WRITE);
	assert_int_not_equal(fi_mr_key(a), fi_mr_key(b));
	RPMEM_FID_CLOSE(a);
	RPMEM_FID_CLOSE(b);
	assert_null(a);
}

static void
test_conn_errno(void **state)
{
	(void)state;
	static const int gone[] = {ECONNRESET, EPIPE, ECONNABORTED, ECANCELED,
		ENOTCONN, ESHUTDOWN, ECONNREFUSED};
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		assert_int_equal(rpmem_conn_errno(gone[i]), ECONNRESET);
		assert_int_equal(rpmem_conn_errno(-gone[i]), ECONNRESET);
	}
	assert_int_equal(rpmem_conn_errno(-FI_ECONNRESET), ECONNRESET);
	assert_int_equal(rpmem_conn_errno(0), EIO);
	assert_int_equal(rpmem_conn_errno(-FI_ENOMEM), ENOMEM);
	assert_int_equal(rpmem_conn_errno(FI_ETIMEDOUT), ETIMEDOUT);
	/* libfabric's own codes are not errno values */
	assert_int_equal(rpmem_conn_errno(-FI_EOTHER), EIO);
	assert_int_equal(rpmem_conn_errno(FI_ENOCQ), EIO);
}

/* a completion error is read with its context and decoded */
static void
test_cq_error(void **state)
{
	(void)state;
	open_fabric("verbs");
	open_ep();
	static char local[64], remote[64];
	struct fi_context ctx;
	struct rpmem_rma rd;
	rpmem_rma_init(&rd, (void *)0xd00d, 0x77, &ctx);
	rpmem_rma_set(&rd, local, (uint64_t)(uintptr_t)remote, 8, &ctx);
	struct fi_cq_err_entry ee;
	assert_int_equal(rpmem_cq_readerr(Cq, &ee), 0); /* none yet */
	Fake.cq_err = FI_ECONNABORTED;
	assert_int_equal(fi_readmsg(Ep, &rd.msg, FI_COMPLETION), 0);
	struct fi_cq_msg_entry e;
	assert_int_equal(fi_cq_read(Cq, &e, 1), -FI_EAVAIL);
	assert_int_equal(rpmem_cq_readerr(Cq, &ee), 1);
	assert_ptr_equal(ee.op_context, &ctx);
	assert_int_equal(rpmem_conn_errno(ee.err), ECONNRESET);
	assert_int_equal(rpmem_cq_readerr(Cq, &ee), 0);
	assert_int_equal(ee.err, 0); /* zeroed when nothing was read */

	Fake.cq_err = FI_EIO; /* not a connection error: kept */
	assert_int_equal(fi_readmsg(Ep, &rd.msg, FI_COMPLETION), 0);
	assert_int_equal(rpmem_cq_readerr(Cq, &ee), 1);
	assert_int_equal(rpmem_conn_errno(ee.err), EIO);
}

/* a refused connection is an event queue error entry */
static void
test_eq_error(void **state)
{
	(void)state;
	open_fabric("verbs");
	open_ep();
	Fake.refuse = ECONNREFUSED;
	assert_int_equal(fi_connect(Ep, NULL, NULL, 0), 0);
	uint32_t event;
	char buf[sizeof(struct fi_eq_cm_entry) + 64];
	assert_int_equal(
		fi_eq_read(F.eq, &event, buf, sizeof(buf), 0), -FI_EAVAIL);
	struct fi_eq_err_entry ee;
	assert_int_equal(rpmem_eq_readerr(F.eq, &ee), 1);
	assert_ptr_equal(ee.fid, &Ep->fid);
	assert_int_equal(ee.err, ECONNREFUSED);
	assert_int_equal(rpmem_conn_errno(ee.err), ECONNRESET);
	assert_int_equal(rpmem_eq_readerr(F.eq, &ee), 0);
}

/* a send/recv descriptor: built once, only its length changes */
static void
test_msg_desc(void **state)
{
	(void)state;
	open_fabric("verbs");
	open_ep();
	static char resp[32];
	struct fi_context ctx;
	struct rpmem_msg m;
	rpmem_msg_init(&m, resp, sizeof(resp), (void *)0xd001, &ctx);
	assert_ptr_equal(m.msg.msg_iov, &m.iov);
	assert_ptr_equal(m.msg.desc, &m.desc);
	assert_int_equal(m.msg.iov_count, 1);
	assert_ptr_equal(m.msg.context, &ctx);
	assert_int_equal(fi_recvmsg(Ep, &m.msg, FI_COMPLETION), 0);
	rpmem_msg_set_len(&m, 16);
	assert_int_equal(fi_recvmsg(Ep, &m.msg, FI_COMPLETION), 0);
	assert_int_equal(Fake_nlog, 2);
	assert_int_equal(Fake_log[0].kind, FAKE_RECV);
	assert_int_equal(Fake_log[0].len, sizeof(resp));
	assert_ptr_equal(Fake_log[0].desc, (void *)0xd001);
	assert_int_equal(Fake_log[1].len, 16);
	assert_ptr_equal(Fake_log[1].desc, (void *)0xd001);
}

/* an RMA descriptor: each post carries the range and context it was set to */
static void
test_rma_desc(void **state)
{
	(void)state;
	open_fabric("verbs");
	open_ep();
	static char local[4096], remote[4096];
	for (size_t i = 0; i < sizeof(local); i++)
		local[i] = (char)(i * 3 + 1);
	struct fi_context c1, c2;
	struct rpmem_rma w;
	rpmem_rma_init(&w, (void *)0xd002, 0x1234, NULL);
	assert_ptr_equal(w.msg.rma_iov, &w.rma);
	assert_int_equal(w.msg.rma_iov_count, 1);
	rpmem_rma_set(&w, local, (uint64_t)(uintptr_t)remote, 1000, &c1);
	assert_int_equal(fi_writemsg(Ep, &w.msg, FI_COMPLETION), 0);
	rpmem_rma_set(&w, local + 1000, (uint64_t)(uintptr_t)(remote + 1000),
		3096, &c2);
	assert_int_equal(fi_writemsg(Ep, &w.msg, FI_COMPLETION), 0);
	assert_memory_equal(local, remote, sizeof(local));
	assert_int_equal(Fake_nlog, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(Fake_log[i].kind, FAKE_WRITE);
		assert_ptr_equal(Fake_log[i].desc, (void *)0xd002);
		assert_int_equal(Fake_log[i].key, 0x1234);
	}
	assert_int_equal(Fake_log[0].len, 1000);
	assert_int_equal(Fake_log[1].len, 3096);
	assert_int_equal(
		Fake_log[1].raddr, (uint64_t)(uintptr_t)(remote + 1000));
	struct fi_cq_msg_entry e[2];
	assert_int_equal(fi_cq_read(Cq, e, 2), 2);
	assert_ptr_equal(e[0].op_context, &c1);
	assert_ptr_equal(e[1].op_context, &c2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_open_close, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_getinfo_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mr_reg, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_conn_errno, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cq_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eq_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msg_desc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rma_desc, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
