/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_fabric.c -- fabric/domain/event queue, MR, CQ, error decoding */
#include <errno.h>
#include <string.h>

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>

#include "rpmem_fabric.h"
#include "rpmem_fip_common.h"
#include "fault_inject_fi.h"

int
rpmem_fabric_getinfo(struct rpmem_fabric *f, const char *node,
	const char *service, uint64_t flags, const struct fi_info *hints)
{
	int ret = fault_fi_getinfo(
		RPMEM_FIVERSION, node, service, flags, hints, &f->fi);
	if (ret)
		f->fi = NULL;
	return ret;
}

int
rpmem_fabric_open(struct rpmem_fabric *f)
{
	int ret = fault_fi_fabric(f->fi->fabric_attr, &f->fabric, NULL);
	if (!ret)
		ret = fault_fi_domain(f->fabric, f->fi, &f->domain, NULL);
	if (!ret) {
		struct fi_eq_attr eq_attr = {.wait_obj = FI_WAIT_UNSPEC};
		ret = fault_fi_eq_open(f->fabric, &eq_attr, &f->eq, NULL);
	}
	return ret;
}

void
rpmem_fabric_close(struct rpmem_fabric *f)
{
	RPMEM_FID_CLOSE(f->eq);
	RPMEM_FID_CLOSE(f->domain);
	RPMEM_FID_CLOSE(f->fabric);
	if (f->fi != NULL) {
		fi_freeinfo(f->fi);
		f->fi = NULL;
	}
}

int
rpmem_mr_reg(struct fid_domain *domain, void *buf, size_t len, uint64_t access,
	struct fid_mr **mr, void **desc)
{
	int ret = fault_fi_mr_reg(domain, buf, len, access, 0, 0, 0, mr, NULL);
	if (ret)
		return ret;
	if (desc != NULL)
		*desc = fi_mr_desc(*mr);
	return 0;
}

int
rpmem_cq_open(struct fid_domain *domain, size_t size, enum fi_wait_obj wait_obj,
	struct fid_cq **cq)
{
	struct fi_cq_attr cq_attr = {
		.size = size, .format = FI_CQ_FORMAT_MSG, .wait_obj = wait_obj};
	/*
	 * FI_WAIT_FD would save tcp one descriptor per queue (3 instead of
	 * 4) but costs every round trip about 1.3 us (10 % of a small
	 * persist on loopback, measured with benchmarks/rpmem): the
	 * provider's own wait object it is
	 */
	return fault_fi_cq_open(domain, &cq_attr, cq, NULL);
}

int
rpmem_cq_readerr(struct fid_cq *cq, struct fi_cq_err_entry *ee)
{
	memset(ee, 0, sizeof(*ee));
	return fi_cq_readerr(cq, ee, 0) > 0;
}

int
rpmem_eq_readerr(struct fid_eq *eq, struct fi_eq_err_entry *ee)
{
	memset(ee, 0, sizeof(*ee));
	return fi_eq_readerr(eq, ee, 0) > 0;
}

int
rpmem_conn_errno(int fi_err)
{
	int e = rpmem_fi_errno(fi_err);
	switch (e) {
	case ECONNRESET:
	case EPIPE:
	case ECONNABORTED:
	case ECANCELED:
	case ENOTCONN:
	case ESHUTDOWN:
	case ECONNREFUSED:
		return ECONNRESET;
	default:
		return e ? e : EIO;
	}
}

void
rpmem_msg_init(
	struct rpmem_msg *m, void *buf, size_t len, void *desc, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = buf;
	m->iov.iov_len = len;
	m->desc = desc;
	m->msg.msg_iov = &m->iov;
	m->msg.desc = &m->desc;
	m->msg.iov_count = 1;
	m->msg.context = ctx;
}

void
rpmem_rma_init(struct rpmem_rma *m, void *desc, uint64_t rkey, void *ctx)
{
	memset(m, 0, sizeof(*m));
	m->desc = desc;
	m->rma.key = rkey;
	m->msg.msg_iov = &m->iov;
	m->msg.desc = &m->desc;
	m->msg.iov_count = 1;
	m->msg.rma_iov = &m->rma;
	m->msg.rma_iov_count = 1;
	m->msg.context = ctx;
}
