/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_fip_common.c -- fi_getinfo hints, fabric errno */
#include <errno.h>
#include <stdlib.h>

#include <rdma/fi_errno.h>

#include "rpmem_fip_common.h"
#include "fault_inject_fi.h"

struct fi_info *
rpmem_fip_hints(const char *prov)
{
	struct fi_info *h = fault_fi_allocinfo();
	if (h == NULL)
		return NULL;
	h->ep_attr->type = FI_EP_MSG;
	h->caps = FI_MSG | FI_RMA;
	h->mode = FI_CONTEXT | FI_LOCAL_MR | FI_RX_CQ_DATA;
	h->domain_attr->mr_mode = FI_MR_BASIC;
	h->domain_attr->threading = FI_THREAD_SAFE;
	h->tx_attr->msg_order = FI_ORDER_RAW | FI_ORDER_SAW;
	h->addr_format = FI_SOCKADDR;
	if (prov != NULL) {
		h->fabric_attr->prov_name = fault_strdup(prov);
		if (h->fabric_attr->prov_name == NULL) {
			fi_freeinfo(h);
			return NULL;
		}
	}
	return h;
}

int
rpmem_fi_errno(int fi_ret)
{
	int e = fi_ret < 0 ? -fi_ret : fi_ret;
	if (e == 0)
		return 0;
	if (e < FI_ERRNO_OFFSET)
		return e;
	return EIO;
}
