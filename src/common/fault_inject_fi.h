/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fault_inject_fi.h -- the failure hooks of the libfabric set-up calls
 *
 * Contract: each fault_fi_<name>() is fi_<name>() with the hook of
 * fault_inject.h in front: told to fail, it skips the call and returns the
 * negative libfabric error the real call returns on that failure (NULL for
 * fault_fi_allocinfo); otherwise, and in every build without
 * FAULT_INJECTION, it is the plain call. Called by name at the set-up
 * sites of the fabric code.
 */
#ifndef COMMON_FAULT_INJECT_FI_H
#define COMMON_FAULT_INJECT_FI_H 1

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>

#include "fault_inject.h"

static inline struct fi_info *
fault_fi_allocinfo(void)
{
	return FAULT_INJECT(FAULT_ALLOC, ENOMEM) ? NULL : fi_allocinfo();
}

static inline int
fault_fi_getinfo(uint32_t version, const char *node, const char *service,
	uint64_t flags, const struct fi_info *hints, struct fi_info **info)
{
	return FAULT_INJECT(FAULT_FI_GETINFO, FI_ENODATA)
		       ? -FI_ENODATA
		       : fi_getinfo(version, node, service, flags, hints, info);
}

static inline int
fault_fi_fabric(
	struct fi_fabric_attr *attr, struct fid_fabric **fabric, void *context)
{
	return FAULT_INJECT(FAULT_FI_FABRIC, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_fabric(attr, fabric, context);
}

static inline int
fault_fi_domain(struct fid_fabric *fabric, struct fi_info *info,
	struct fid_domain **domain, void *context)
{
	return FAULT_INJECT(FAULT_FI_DOMAIN, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_domain(fabric, info, domain, context);
}

static inline int
fault_fi_eq_open(struct fid_fabric *fabric, struct fi_eq_attr *attr,
	struct fid_eq **eq, void *context)
{
	return FAULT_INJECT(FAULT_FI_EQ_OPEN, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_eq_open(fabric, attr, eq, context);
}

static inline int
fault_fi_cq_open(struct fid_domain *domain, struct fi_cq_attr *attr,
	struct fid_cq **cq, void *context)
{
	return FAULT_INJECT(FAULT_FI_CQ_OPEN, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_cq_open(domain, attr, cq, context);
}

static inline int
fault_fi_endpoint(struct fid_domain *domain, struct fi_info *info,
	struct fid_ep **ep, void *context)
{
	return FAULT_INJECT(FAULT_FI_ENDPOINT, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_endpoint(domain, info, ep, context);
}

static inline int
fault_fi_passive_ep(struct fid_fabric *fabric, struct fi_info *info,
	struct fid_pep **pep, void *context)
{
	return FAULT_INJECT(FAULT_FI_PASSIVE_EP, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_passive_ep(fabric, info, pep, context);
}

static inline int
fault_fi_enable(struct fid_ep *ep)
{
	return FAULT_INJECT(FAULT_FI_ENABLE, FI_EIO) ? -FI_EIO : fi_enable(ep);
}

static inline int
fault_fi_mr_reg(struct fid_domain *domain, const void *buf, size_t len,
	uint64_t access, uint64_t offset, uint64_t requested_key,
	uint64_t flags, struct fid_mr **mr, void *context)
{
	return FAULT_INJECT(FAULT_FI_MR_REG, FI_ENOMEM)
		       ? -FI_ENOMEM
		       : fi_mr_reg(domain, buf, len, access, offset,
				 requested_key, flags, mr, context);
}

static inline int
fault_fi_listen(struct fid_pep *pep)
{
	return FAULT_INJECT(FAULT_FI_LISTEN, FI_EADDRINUSE) ? -FI_EADDRINUSE
							    : fi_listen(pep);
}

static inline int
fault_fi_connect(
	struct fid_ep *ep, const void *addr, const void *param, size_t len)
{
	return FAULT_INJECT(FAULT_FI_CONNECT, FI_ECONNREFUSED)
		       ? -FI_ECONNREFUSED
		       : fi_connect(ep, addr, param, len);
}

static inline int
fault_fi_accept(struct fid_ep *ep, const void *param, size_t len)
{
	return FAULT_INJECT(FAULT_FI_ACCEPT, FI_ECONNABORTED)
		       ? -FI_ECONNABORTED
		       : fi_accept(ep, param, len);
}

#endif
