/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-lanes.c -- the fabric side of a replayed session: connects the
 * lanes a daemon offers in its create/open answer, as a client does, so
 * that the daemon's accept phase completes and the recorded CLOSE gets the
 * recorded answer; sends nothing over them
 */
#include <stdio.h>
#include <string.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>

#include "rpmem_fip_common.h"
#include "wire-vec.h"

#define CONNECT_WAIT_MS 60000 /* a hang guard only */

static int
open_domain(struct lanes *l, uint32_t prov, uint32_t port)
{
	const char *name = rpmem_provider_name(prov);
	if (name == NULL)
		return -1;
	struct fi_info *hints = rpmem_fip_hints(name), *info = NULL;
	if (hints == NULL)
		return -1;
	char service[16];
	snprintf(service, sizeof(service), "%u", port);
	int ret = fi_getinfo(
		RPMEM_FIVERSION, "127.0.0.1", service, 0, hints, &info);
	fi_freeinfo(hints);
	if (ret) {
		fprintf(stderr, "wire-lanes: fi_getinfo: %s\n",
			fi_strerror(-ret));
		return -1;
	}
	l->info = info;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
	struct fi_eq_attr eq_attr = {.wait_obj = FI_WAIT_UNSPEC};
	ret = fi_fabric(info->fabric_attr, &fabric, NULL);
	if (ret)
		return -1;
	l->fabric = fabric;
	ret = fi_domain(fabric, info, &domain, NULL);
	if (ret)
		return -1;
	l->domain = domain;
	ret = fi_eq_open(fabric, &eq_attr, &eq, NULL);
	if (ret)
		return -1;
	l->eq = eq;
	return 0;
}

static int
connect_one(struct lanes *l, unsigned i, const void *secret, size_t slen)
{
	struct fi_info *info = l->info;
	struct fid_ep *ep;
	struct fid_cq *cq;
	struct fi_cq_attr cq_attr = {.size = 8,
		.format = FI_CQ_FORMAT_MSG,
		.wait_obj = FI_WAIT_UNSPEC};
	if (fi_endpoint(l->domain, info, &ep, NULL))
		return -1;
	l->ep[i] = ep;
	if (fi_cq_open(l->domain, &cq_attr, &cq, NULL))
		return -1;
	l->cq[i] = cq;
	if (fi_ep_bind(ep, &((struct fid_eq *)l->eq)->fid, 0) ||
		fi_ep_bind(ep, &cq->fid, FI_TRANSMIT | FI_RECV) ||
		fi_enable(ep))
		return -1;
	if (fi_connect(ep, info->dest_addr, secret, slen))
		return -1;
	uint32_t event;
	char buf[sizeof(struct fi_eq_cm_entry) + 256];
	ssize_t r = fi_eq_sread(
		l->eq, &event, buf, sizeof(buf), CONNECT_WAIT_MS, 0);
	if (r <= 0 || event != FI_CONNECTED) {
		fprintf(stderr, "wire-lanes: lane %u not connected (%zd)\n", i,
			r);
		return -1;
	}
	return 0;
}

int
lanes_connect(struct lanes *l, uint32_t prov, uint32_t port, unsigned n,
	const void *secret, size_t slen)
{
	memset(l, 0, sizeof(*l));
	if (n > sizeof(l->ep) / sizeof(l->ep[0]))
		return -1;
	if (open_domain(l, prov, port))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		l->n = i + 1;
		if (connect_one(l, i, secret, slen))
			return -1;
	}
	return 0;
}

void
lanes_close(struct lanes *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (l->ep[i] != NULL) {
			fi_shutdown(l->ep[i], 0);
			fi_close(&((struct fid_ep *)l->ep[i])->fid);
		}
		if (l->cq[i] != NULL)
			fi_close(&((struct fid_cq *)l->cq[i])->fid);
	}
	if (l->eq != NULL)
		fi_close(&((struct fid_eq *)l->eq)->fid);
	if (l->domain != NULL)
		fi_close(&((struct fid_domain *)l->domain)->fid);
	if (l->fabric != NULL)
		fi_close(&((struct fid_fabric *)l->fabric)->fid);
	if (l->info != NULL)
		fi_freeinfo(l->info);
	memset(l, 0, sizeof(*l));
}
