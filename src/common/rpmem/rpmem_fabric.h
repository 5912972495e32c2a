/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_fabric.h -- the fabric layer of client and daemon: set-up and
 * teardown of the fabric, domain and event queue, memory registration,
 * completion queues, and the decoding of their error entries
 *
 * Contract:
 * - rpmem_fabric_getinfo() fills f->fi for hints/node/service; on failure
 *   f->fi is NULL. rpmem_fabric_open() opens fabric, domain and event
 *   queue (FI_WAIT_UNSPEC) from f->fi; rpmem_fabric_close() closes what is
 *   open (in the reverse order) and frees f->fi; it may be called on a
 *   partly opened or zeroed struct. They return 0 or a negative libfabric
 *   code, as the calls they make.
 * - rpmem_mr_reg() registers buf and, when desc is not NULL, hands out its
 *   local descriptor; rpmem_cq_open() opens a FI_CQ_FORMAT_MSG queue.
 * - rpmem_cq_readerr()/rpmem_eq_readerr() read the error entry a read
 *   announced with -FI_EAVAIL into a zeroed *ee: 1 when one was read.
 * - rpmem_conn_errno() decodes a fabric error into the positive errno the
 *   callers report: errors that mean the peer went away (reset, pipe,
 *   aborted, cancelled, not connected, shut down, refused) become
 *   ECONNRESET, 0 becomes EIO, libfabric's own codes EIO.
 * - A lane's messages are built once at lane set-up (rpmem_msg_init,
 *   rpmem_rma_init): the iovec, the local descriptor, the remote iovec and
 *   the context live in the struct and the fi_msg/fi_msg_rma points at
 *   them, so the struct must not move afterwards. A post changes only what
 *   differs between posts (rpmem_msg_set_len, rpmem_rma_set).
 * Nothing here prints or keeps state.
 */
#ifndef COMMON_RPMEM_FABRIC_H
#define COMMON_RPMEM_FABRIC_H 1

#include <stddef.h>
#include <stdint.h>

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_rma.h>
#include <sys/uio.h>

struct rpmem_fabric {
	struct fi_info *fi;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
};

int rpmem_fabric_getinfo(struct rpmem_fabric *f, const char *node,
	const char *service, uint64_t flags, const struct fi_info *hints);
int rpmem_fabric_open(struct rpmem_fabric *f);
void rpmem_fabric_close(struct rpmem_fabric *f);

int rpmem_mr_reg(struct fid_domain *domain, void *buf, size_t len,
	uint64_t access, struct fid_mr **mr, void **desc);
int rpmem_cq_open(struct fid_domain *domain, size_t size,
	enum fi_wait_obj wait_obj, struct fid_cq **cq);

int rpmem_cq_readerr(struct fid_cq *cq, struct fi_cq_err_entry *ee);
int rpmem_eq_readerr(struct fid_eq *eq, struct fi_eq_err_entry *ee);

int rpmem_conn_errno(int fi_err);

/* a pre-built send or receive */
struct rpmem_msg {
	struct iovec iov;
	void *desc;
	struct fi_msg msg;
};

/* a pre-built RMA write or read */
struct rpmem_rma {
	struct iovec iov;
	void *desc;
	struct fi_rma_iov rma;
	struct fi_msg_rma msg;
};

void rpmem_msg_init(
	struct rpmem_msg *m, void *buf, size_t len, void *desc, void *ctx);
void rpmem_rma_init(struct rpmem_rma *m, void *desc, uint64_t rkey, void *ctx);

static inline void
rpmem_msg_set_len(struct rpmem_msg *m, size_t len)
{
	m->iov.iov_len = len;
}

/* the local and remote range and the context of the next post */
static inline void
rpmem_rma_set(
	struct rpmem_rma *m, void *buf, uint64_t raddr, size_t len, void *ctx)
{
	m->iov.iov_base = buf;
	m->iov.iov_len = len;
	m->rma.addr = raddr;
	m->rma.len = len;
	m->msg.context = ctx;
}

/* closes a fid if it is open and forgets it */
#define RPMEM_FID_CLOSE(p)                         \
	do {                                       \
		if ((p) != NULL) {                 \
			(void)fi_close(&(p)->fid); \
			(p) = NULL;                \
		}                                  \
	} while (0)

#endif /* COMMON_RPMEM_FABRIC_H */
