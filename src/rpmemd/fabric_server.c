/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fabric_server.c -- rpmemd fabric server: set-up, threads, teardown (see
 * fabric_server_int.h)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "fabric_server.h"
#include "fabric_server_int.h"
#include "rpmem_fip_common.h"
#include "rpmem_provider.h"
#include "pmem.h"
#include "persist_msg.h"
#include "rpmemd_log.h"
#include "rpmem_spin.h"
#include "fault_inject_fi.h"

static void *
fip_main(void *arg)
{
	struct rpmemd_fip *fip = arg;
	fip->accept_ret = rpmemd_fip_accept(fip);
	/* setup is over: nobody may connect any more */
	RPMEM_FID_CLOSE(fip->pep);
	if (fip->accept_ret)
		return NULL;
	RPMEMD_LOG(NOTICE, "in-band connection established");
	RPMEMD_LOG(DBG, "%u lanes connected, %u worker threads", fip->nlanes,
		fip->nthreads);
	if (fip->attr.connected != NULL)
		fip->attr.connected();
	for (unsigned i = 0; i < fip->nthreads; i++) {
		struct worker *w = &fip->workers[i];
		if (pthread_create(&w->th, NULL, rpmemd_fip_worker, w) == 0)
			w->started = 1;
		else
			RPMEMD_LOG(ERR, "cannot start worker thread %u", i);
	}
	if (rpmem_provider_traits(fip->attr.provider)->guard_listeners)
		rpmemd_fip_guard_listeners(fip);
	return NULL;
}

int
rpmemd_fip_start(struct rpmemd_fip *fip)
{
	fip->accept_ret = -EINPROGRESS;
	int ret = pthread_create(&fip->thread, NULL, fip_main, fip);
	if (ret)
		return -ret;
	fip->thread_started = 1;
	return 0;
}

int
rpmemd_fip_stop(struct rpmemd_fip *fip)
{
	pthread_mutex_lock(&fip->stop_lock);
	atomic_store(&fip->stop, 1);
	pthread_cond_broadcast(&fip->stop_cond);
	pthread_mutex_unlock(&fip->stop_lock);
	/*
	 * wake the workers sleeping in their completion queues (a worker
	 * that is only starting finds the signal or the stop flag)
	 */
	for (unsigned i = 0; fip->workers && i < fip->nthreads; i++)
		if (fip->workers[i].cq)
			(void)fi_cq_signal(fip->workers[i].cq);
	if (fip->thread_started) {
		pthread_join(fip->thread, NULL);
		fip->thread_started = 0;
	}
	for (unsigned i = 0; fip->workers && i < fip->nthreads; i++) {
		if (fip->workers[i].started) {
			pthread_join(fip->workers[i].th, NULL);
			fip->workers[i].started = 0;
		}
	}
	return fip->accept_ret;
}

void
rpmemd_fip_fini(struct rpmemd_fip *fip)
{
	if (fip == NULL)
		return;
	rpmemd_fip_stop(fip);
	for (unsigned i = 0; fip->lanes && i < fip->nlanes; i++)
		RPMEM_FID_CLOSE(fip->lanes[i].ep);
	for (unsigned i = 0; fip->workers && i < fip->nthreads; i++)
		RPMEM_FID_CLOSE(fip->workers[i].cq);
	RPMEM_FID_CLOSE(fip->pep);
	RPMEM_FID_CLOSE(fip->pool_mr);
	RPMEM_FID_CLOSE(fip->recv_mr);
	RPMEM_FID_CLOSE(fip->resp_mr);
	rpmem_fabric_close(&fip->fab);
	free(fip->recv_bufs);
	free(fip->resp_bufs);
	free(fip->lanes);
	free(fip->workers);
	pthread_mutex_destroy(&fip->stop_lock);
	pthread_cond_destroy(&fip->stop_cond);
	free(fip);
}

static int
get_port(struct rpmemd_fip *fip, uint32_t *port)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		char buf[128];
	} addr;
	size_t len = sizeof(addr);
	int ret = fi_getname(&fip->pep->fid, &addr, &len);
	if (ret)
		return ret;
	if (addr.sa.sa_family == AF_INET)
		*port = ntohs(addr.in.sin_port);
	else if (addr.sa.sa_family == AF_INET6)
		*port = ntohs(addr.in6.sin6_port);
	else
		return -FI_EINVAL;
	return *port == 0 ? -FI_EINVAL : 0;
}

static size_t
min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* the smaller of two limits, 0 meaning none */
static size_t
min_nz(size_t a, size_t b)
{
	return a == 0 ? b : (b == 0 ? a : min_sz(a, b));
}

static pthread_t Warm_up_thread;
static int Warm_up_started;

static void *
warm_up_main(void *arg)
{
	(void)arg;
	struct fi_info *hints = rpmem_fip_hints(NULL);
	struct fi_info *info = NULL;
	if (hints == NULL)
		return NULL;
	if (fault_fi_getinfo(RPMEM_FIVERSION, NULL, NULL, 0, hints, &info) == 0)
		fi_freeinfo(info);
	fi_freeinfo(hints);
	return NULL;
}

void
rpmemd_fip_warm_up(void)
{
	if (!Warm_up_started &&
		pthread_create(&Warm_up_thread, NULL, warm_up_main, NULL) == 0)
		Warm_up_started = 1;
}

void
rpmemd_fip_warm_up_wait(void)
{
	if (Warm_up_started) {
		pthread_join(Warm_up_thread, NULL);
		Warm_up_started = 0;
	}
}

static struct rpmemd_fip *
fip_new(const struct rpmemd_fip_attr *attr)
{
	struct rpmemd_fip *fip = fault_calloc(1, sizeof(*fip));
	if (fip == NULL)
		return NULL;
	fip->attr = *attr;
	if (attr->secret != NULL) {
		memcpy(fip->secret, attr->secret, RPMEM_AUTH_SECRET_LEN);
		fip->has_secret = 1;
	}
	fip->attr.secret = NULL; /* the caller's copy does not outlive init */
	atomic_init(&fip->stop, 0);
	atomic_init(&fip->failed, 0);
	pthread_mutex_init(&fip->stop_lock, NULL);
	pthread_cond_init(&fip->stop_cond, NULL);
	return fip;
}

/* fi_getinfo, then the lanes and threads it allows */
static int
fip_getinfo(struct rpmemd_fip *fip, const char *prov, enum rpmem_status *status)
{
	const struct rpmemd_fip_attr *attr = &fip->attr;
	struct fi_info *hints = rpmem_fip_hints(prov);
	if (hints == NULL)
		return -ENOMEM;
	int ret = rpmem_fabric_getinfo(
		&fip->fab, attr->node, NULL, FI_SOURCE, hints);
	fi_freeinfo(hints);
	if (ret) {
		RPMEMD_LOG(ERR, "cannot get fabric interface for %s on %s: %s",
			prov, attr->node ? attr->node : "(any)",
			fi_strerror(-ret));
		*status = RPMEM_ERR_BADPROVIDER;
		return -ENOMEDIUM;
	}
	/*
	 * the limits the client applies too (it gives every lane a
	 * completion queue): more lanes could be granted than it connects
	 */
	struct fi_domain_attr *d = fip->fab.fi->domain_attr;
	size_t limit = min_nz(d->tx_ctx_cnt, min_nz(d->rx_ctx_cnt, d->ep_cnt));
	limit = min_nz(limit, d->cq_cnt);
	fip->nlanes = (unsigned)min_nz(attr->nlanes, limit);
	fip->nthreads = attr->nthreads ? attr->nthreads : fip->nlanes;
	if (fip->nthreads > fip->nlanes)
		fip->nthreads = fip->nlanes;
	fip->pmsg_size = rpmem_pmsg_slot_size(attr->buff_size);
	fip->bounds.nlanes = fip->nlanes;
	fip->bounds.base = (uint64_t)(uintptr_t)attr->addr;
	fip->bounds.pool_size = attr->size;
	fip->bounds.buff_size = attr->buff_size;
	return 0;
}

/* fabric, domain, event queue, passive endpoint; the pool registered */
static int
fip_open(struct rpmemd_fip *fip)
{
	int ret = rpmem_fabric_open(&fip->fab);
	if (!ret)
		ret = fault_fi_passive_ep(
			fip->fab.fabric, fip->fab.fi, &fip->pep, NULL);
	if (!ret)
		ret = fi_pep_bind(fip->pep, &fip->fab.eq->fid, 0);
	if (ret) {
		RPMEMD_LOG(ERR, "fabric set-up failed: %s", fi_strerror(-ret));
		return ret;
	}
	ret = rpmem_mr_reg(fip->fab.domain, fip->attr.addr, fip->attr.size,
		FI_REMOTE_READ | FI_REMOTE_WRITE, &fip->pool_mr, NULL);
	if (ret)
		RPMEMD_LOG(ERR, "registering the pool failed: %s",
			fi_strerror(-ret));
	return ret;
}

/* lanes, workers, message buffers (registered), completion queues */
static int
fip_lanes(struct rpmemd_fip *fip)
{
	fip->lanes = fault_calloc(fip->nlanes, sizeof(*fip->lanes));
	fip->workers = fault_calloc(fip->nthreads, sizeof(*fip->workers));
	fip->recv_bufs = fault_calloc(fip->nlanes, fip->pmsg_size);
	fip->resp_bufs = fault_calloc(fip->nlanes, sizeof(*fip->resp_bufs));
	if (!fip->lanes || !fip->workers || !fip->recv_bufs || !fip->resp_bufs)
		return -FI_ENOMEM;
	int ret = rpmem_mr_reg(fip->fab.domain, fip->recv_bufs,
		fip->nlanes * fip->pmsg_size, FI_RECV, &fip->recv_mr, NULL);
	if (!ret)
		ret = rpmem_mr_reg(fip->fab.domain, fip->resp_bufs,
			fip->nlanes * sizeof(*fip->resp_bufs), FI_SEND,
			&fip->resp_mr, NULL);
	if (ret) {
		RPMEMD_LOG(ERR, "registering message buffers failed: %s",
			fi_strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < fip->nlanes; i++) {
		struct lane *l = &fip->lanes[i];
		l->fip = fip;
		l->idx = i;
		l->recv_buf = fip->recv_bufs + (size_t)i * fip->pmsg_size;
		l->resp = &fip->resp_bufs[i];
	}
	unsigned per = (fip->nlanes + fip->nthreads - 1) / fip->nthreads;
	for (unsigned i = 0; i < fip->nthreads; i++) {
		fip->workers[i].fip = fip;
		ret = rpmem_cq_open(fip->fab.domain, 3 * (size_t)per,
			FI_WAIT_UNSPEC, &fip->workers[i].cq);
		if (ret) {
			RPMEMD_LOG(ERR, "opening completion queue failed: %s",
				fi_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* listens and fills the in-band attributes the client is sent */
static int
fip_listen(struct rpmemd_fip *fip, struct rpmem_msg_ibc_attr *ibc,
	enum rpmem_status *status)
{
	int ret = fault_fi_listen(fip->pep);
	if (ret) {
		RPMEMD_LOG(ERR, "listen failed: %s", fi_strerror(-ret));
		*status = RPMEM_ERR_FATAL_CONN;
		return ret;
	}
	uint32_t port;
	ret = get_port(fip, &port);
	if (ret) {
		RPMEMD_LOG(ERR, "cannot get the listening port: %s",
			fi_strerror(-ret));
		return ret;
	}
	memset(ibc, 0, sizeof(*ibc));
	ibc->port = port;
	ibc->persist_method = fip->attr.method;
	ibc->rkey = fi_mr_key(fip->pool_mr);
	ibc->raddr = (uint64_t)(uintptr_t)fip->attr.addr;
	ibc->nlanes = fip->nlanes;
	return 0;
}

int
rpmemd_fip_init(const struct rpmemd_fip_attr *attr, struct rpmemd_fip **fipp,
	struct rpmem_msg_ibc_attr *ibc, enum rpmem_status *status)
{
	*status = RPMEM_ERR_FATAL;
	const char *prov = rpmem_provider_name(attr->provider);
	if (prov == NULL || attr->nlanes == 0 || attr->addr == NULL) {
		*status = RPMEM_ERR_BADPROVIDER;
		return -EINVAL;
	}
	rpmemd_fip_warm_up_wait();
	struct rpmemd_fip *fip = fip_new(attr);
	if (fip == NULL)
		return -ENOMEM;
	int ret = fip_getinfo(fip, prov, status);
	if (ret) {
		rpmemd_fip_fini(fip);
		return ret;
	}
	ret = fip_open(fip);
	if (!ret)
		ret = fip_lanes(fip);
	if (!ret)
		ret = fip_listen(fip, ibc, status);
	if (ret) {
		rpmemd_fip_fini(fip);
		return -rpmem_fi_errno(ret);
	}
	*status = RPMEM_SUCCESS;
	*fipp = fip;
	return 0;
}
