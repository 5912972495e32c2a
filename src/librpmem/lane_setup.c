/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lane_setup.c -- the client's lanes set up and torn down: fi_getinfo with
 * the provider's traits, buffers and registrations, one connected endpoint
 * per lane (with the session secret), shutdown and release
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "lanes_internal.h"
#include "fault_inject_fi.h"

#define CONNECT_TIMEOUT_MS 30000
#define STALL_TIMEOUT_MS 60000
#define RAW_SLOT 64
#define PAGE 4096

static size_t
page_up(size_t s)
{
	return (s + PAGE - 1) & ~(size_t)(PAGE - 1);
}

static int
reg(struct rpmem_fip *fip, void *buf, size_t len, uint64_t access,
	struct fid_mr **mr, void **desc)
{
	int ret = rpmem_mr_reg(fip->fab.domain, buf, len, access, mr, desc);
	return ret ? -rpmem_fi_errno(ret) : 0;
}

/* waits (bounded) for the lane's FI_CONNECTED event */
static int
wait_connected(struct rpmem_fip *fip, struct lane *l, char *why, size_t whylen)
{
	uint64_t start = rpmem_now_ms();
	for (;;) {
		uint32_t event;
		char buf[sizeof(struct fi_eq_cm_entry) + 256];
		ssize_t r = fi_eq_sread(fip->fab.eq, &event, buf, sizeof(buf),
			CHECK_INTERVAL_MS, 0);
		if (r > 0) {
			struct fi_eq_cm_entry *e = (void *)buf;
			if (event == FI_CONNECTED && e->fid == &l->ep->fid)
				return 0;
			snprintf(why, whylen,
				"unexpected event while connecting -- %u",
				event);
			return -ECONNREFUSED;
		}
		if (r == -FI_EAVAIL) {
			struct fi_eq_err_entry ee;
			(void)rpmem_eq_readerr(fip->fab.eq, &ee);
			int e = ee.err ? rpmem_fi_errno(ee.err) : ECONNREFUSED;
			snprintf(why, whylen, "connection refused: %s",
				strerror(e));
			return -e;
		}
		if (r != -FI_EAGAIN && r != -FI_ETIMEDOUT && r != -FI_EINTR) {
			snprintf(why, whylen, "waiting for connection: %s",
				fi_strerror((int)-r));
			return -rpmem_fi_errno((int)r);
		}
		if (fip->attr.alive != NULL) {
			int a = fip->attr.alive(fip->attr.alive_arg);
			if (a) {
				snprintf(why, whylen,
					"remote side went away while "
					"connecting");
				return a;
			}
		}
		if (rpmem_now_ms() - start > CONNECT_TIMEOUT_MS) {
			snprintf(why, whylen, "connection timed out");
			return -ETIMEDOUT;
		}
	}
}

/* connects one lane and waits (bounded) for FI_CONNECTED */
static int
connect_lane(struct rpmem_fip *fip, struct lane *l, char *why, size_t whylen)
{
	int ret = fault_fi_endpoint(fip->fab.domain, fip->fab.fi, &l->ep, NULL);
	if (ret) {
		snprintf(why, whylen, "cannot create endpoint: %s",
			fi_strerror(-ret));
		return -rpmem_fi_errno(ret);
	}
	size_t cq_size = fip->tx_size + 8;
	ret = rpmem_cq_open(fip->fab.domain, cq_size,
		fip->use_sread ? FI_WAIT_UNSPEC : FI_WAIT_NONE, &l->cq);
	if (ret && fip->use_sread) {
		fip->use_sread = 0;
		ret = rpmem_cq_open(
			fip->fab.domain, cq_size, FI_WAIT_NONE, &l->cq);
	}
	if (ret) {
		snprintf(why, whylen, "cannot open completion queue: %s",
			fi_strerror(-ret));
		return -rpmem_fi_errno(ret);
	}
	ret = fi_ep_bind(l->ep, &fip->fab.eq->fid, 0);
	if (!ret)
		ret = fi_ep_bind(l->ep, &l->cq->fid,
			FI_TRANSMIT | FI_RECV | FI_SELECTIVE_COMPLETION);
	if (!ret)
		ret = fault_fi_enable(l->ep);
	if (ret) {
		snprintf(why, whylen, "cannot set up endpoint: %s",
			fi_strerror(-ret));
		return -rpmem_fi_errno(ret);
	}
	if (fip->attr.secret != NULL)
		ret = fault_fi_connect(l->ep, fip->fab.fi->dest_addr,
			fip->attr.secret, RPMEM_AUTH_SECRET_LEN);
	else
		ret = fault_fi_connect(l->ep, fip->fab.fi->dest_addr, NULL, 0);
	if (ret) {
		snprintf(why, whylen, "cannot connect: %s", fi_strerror(-ret));
		return -rpmem_conn_errno(ret);
	}
	return wait_connected(fip, l, why, whylen);
}

static unsigned
min_nz(unsigned a, size_t b)
{
	return (b != 0 && b < a) ? (unsigned)b : a;
}

static struct rpmem_fip *
fip_new(const struct rpmem_fip_attr *attr)
{
	struct rpmem_fip *fip = fault_calloc(1, sizeof(*fip));
	if (fip == NULL)
		return NULL;
	fip->attr = *attr;
	if (attr->secret != NULL) {
		memcpy(fip->secret, attr->secret, RPMEM_AUTH_SECRET_LEN);
		fip->attr.secret = fip->secret;
	}
	fip->prov = rpmem_provider_traits(rpmem_provider_from_name(attr->prov));
	fip->use_sread = 1;
	fip->stall_ms = attr->stall_ms ? attr->stall_ms : STALL_TIMEOUT_MS;
	pthread_mutex_init(&fip->eq_lock, NULL);
	atomic_init(&fip->error, 0);
	atomic_init(&fip->shut, 0);
	return fip;
}

/* queue depth, message size, inline persists and lanes from fi_getinfo */
static void
fip_size(struct rpmem_fip *fip)
{
	const struct rpmem_fip_attr *attr = &fip->attr;
	struct fi_info *fi = fip->fab.fi;
	size_t wq = attr->wq_size < 2 ? 2 : attr->wq_size;
	if (fi->tx_attr->size != 0 && fi->tx_attr->size < wq)
		wq = fi->tx_attr->size;
	fi->tx_attr->size = wq;
	fip->tx_size = wq;
	fip->max_msg = fi->ep_attr->max_msg_size ? fi->ep_attr->max_msg_size
						 : SIZE_MAX;
	if (fip->max_msg > (1U << 30))
		fip->max_msg = 1U << 30;
	/*
	 * as PMDK: verbs carries every persist in persist messages (chunks of
	 * buff_size); tcp (ours only) does so for one chunk, which saves the
	 * second message of write + persist message; sockets never
	 */
	if (fip->prov->inline_persist == RPMEM_INLINE_ALL)
		fip->inline_max = SIZE_MAX;
	else if (fip->prov->inline_persist == RPMEM_INLINE_ONE_CHUNK)
		fip->inline_max = attr->buff_size;

	unsigned n = attr->nlanes;
	n = min_nz(n, fi->domain_attr->tx_ctx_cnt);
	n = min_nz(n, fi->domain_attr->rx_ctx_cnt);
	n = min_nz(n, fi->domain_attr->cq_cnt);
	n = min_nz(n, fi->domain_attr->ep_cnt);
	fip->nlanes = n;
}

/* fi_getinfo, then fabric, domain and event queue */
static int
fip_open(struct rpmem_fip *fip, char *why, size_t whylen)
{
	const struct rpmem_fip_attr *attr = &fip->attr;
	struct fi_info *hints = rpmem_fip_hints(attr->prov);
	if (hints == NULL)
		return -ENOMEM;
	/*
	 * sockets: with automatic progress its engine thread polls while any
	 * operation is outstanding (a whole CPU while the daemon stalls), and
	 * its sleeping read polls with manual progress; so progress is manual
	 * and the lanes sleep between reads (progress())
	 */
	if (fip->prov->manual_progress) {
		hints->domain_attr->data_progress = FI_PROGRESS_MANUAL;
		fip->use_sread = 0;
	}
	char service[16];
	snprintf(service, sizeof(service), "%u", attr->port);
	int ret =
		rpmem_fabric_getinfo(&fip->fab, attr->node, service, 0, hints);
	fi_freeinfo(hints);
	if (ret) {
		snprintf(why, whylen,
			"cannot get fabric interface for %s:%s (%s): %s",
			attr->node, service, attr->prov, fi_strerror(-ret));
		return -rpmem_fi_errno(ret);
	}
	fip_size(fip);
	ret = rpmem_fabric_open(&fip->fab);
	if (ret) {
		snprintf(why, whylen, "cannot open fabric domain: %s",
			fi_strerror(-ret));
		return -rpmem_fi_errno(ret);
	}
	return 0;
}

/* the lane's messages, built once; a post sets only what changes */
static void
lane_msgs(struct rpmem_fip *fip, unsigned i)
{
	struct lane *l = &fip->lanes[i];
	uint64_t rkey = fip->attr.rkey;
	rpmem_msg_init(&l->send, l->pmsg, sizeof(*l->pmsg), fip->pmsg_desc,
		&l->ctx_send);
	rpmem_msg_init(&l->recv, l->resp, sizeof(*l->resp), fip->resp_desc,
		&l->ctx_recv);
	rpmem_rma_init(&l->write, fip->pool_desc, rkey, NULL);
	rpmem_rma_init(&l->read, fip->raw_desc, rkey, &l->ctx_read);
	rpmem_rma_set(&l->read, fip->raw_buf + (size_t)i * RAW_SLOT,
		fip->attr.raddr, 8, &l->ctx_read);
}

/* the message buffers, the lanes, and the registration of both and pool */
static int
fip_buffers(struct rpmem_fip *fip, char *why, size_t whylen)
{
	unsigned n = fip->nlanes;
	fip->pmsg_size = rpmem_pmsg_slot_size(fip->attr.buff_size);
	size_t pmsg_total = page_up(fip->pmsg_size * n);
	size_t resp_total = page_up(sizeof(struct rpmem_msg_persist_resp) * n);
	size_t raw_total = page_up((size_t)RAW_SLOT * n);
	fip->pmsg_buf = fault_aligned_alloc(PAGE, pmsg_total);
	fip->resp_buf = fault_aligned_alloc(PAGE, resp_total);
	fip->raw_buf = fault_aligned_alloc(PAGE, raw_total);
	fip->lanes = fault_calloc(n, sizeof(*fip->lanes));
	if (!fip->pmsg_buf || !fip->resp_buf || !fip->raw_buf || !fip->lanes)
		return -ENOMEM;
	memset(fip->pmsg_buf, 0, pmsg_total);
	memset(fip->resp_buf, 0, resp_total);
	memset(fip->raw_buf, 0, raw_total);
	for (unsigned i = 0; i < n; i++) {
		struct lane *l = &fip->lanes[i];
		l->pmsg = (void *)(fip->pmsg_buf + fip->pmsg_size * i);
		l->resp = (void *)(fip->resp_buf +
				   sizeof(struct rpmem_msg_persist_resp) * i);
		l->wctx = fault_calloc(fip->tx_size, sizeof(*l->wctx));
		if (l->wctx == NULL)
			return -ENOMEM;
	}
	int ret;
	if ((ret = reg(fip, fip->attr.laddr, fip->attr.size, FI_WRITE,
		     &fip->pool_mr, &fip->pool_desc)) ||
		(ret = reg(fip, fip->pmsg_buf, pmsg_total, FI_SEND,
			 &fip->pmsg_mr, &fip->pmsg_desc)) ||
		(ret = reg(fip, fip->resp_buf, resp_total, FI_RECV,
			 &fip->resp_mr, &fip->resp_desc)) ||
		(ret = reg(fip, fip->raw_buf, raw_total, FI_READ, &fip->raw_mr,
			 &fip->raw_desc))) {
		snprintf(why, whylen, "cannot register memory: %s",
			strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < n; i++)
		lane_msgs(fip, i);
	return 0;
}

/* connects every lane and posts its receive */
static int
fip_connect(struct rpmem_fip *fip, char *why, size_t whylen)
{
	unsigned n = fip->nlanes;
	int ret;
	for (unsigned i = 0; i < n; i++) {
		ret = connect_lane(fip, &fip->lanes[i], why, whylen);
		if (ret)
			return ret;
		fip->connected++;
	}
	for (unsigned i = 0; i < n; i++) {
		ret = rpmem_lane_post_recv(fip, &fip->lanes[i]);
		if (ret) {
			snprintf(why, whylen, "cannot post receive: %s",
				strerror(-ret));
			return ret;
		}
	}
	/*
	 * sockets: make each lane's data connection now (an 8-byte read);
	 * rpmemd closes the provider's data-path listener once it has it
	 */
	for (unsigned i = 0; fip->prov->warm_up_reads && i < n; i++) {
		ret = rpmem_lane_raw_read(fip, i);
		if (ret) {
			snprintf(why, whylen,
				"cannot reach the pool on lane %u: %s", i,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
rpmem_fip_init(const struct rpmem_fip_attr *attr, unsigned *nlanes,
	struct rpmem_fip **out, char *why, size_t whylen)
{
	struct rpmem_fip *fip = fip_new(attr);
	if (fip == NULL)
		return -ENOMEM;
	int ret = fip_open(fip, why, whylen);
	if (!ret)
		ret = fip_buffers(fip, why, whylen);
	if (!ret)
		ret = fip_connect(fip, why, whylen);
	if (ret) {
		rpmem_fip_shutdown(fip);
		rpmem_fip_fini(fip);
		return ret < 0 ? ret : -EIO;
	}
	*nlanes = fip->nlanes;
	*out = fip;
	return 0;
}

void
rpmem_fip_shutdown(struct rpmem_fip *fip)
{
	if (atomic_load(&fip->shut))
		return;
	atomic_store(&fip->shut, 1);
	for (unsigned i = 0; i < fip->connected; i++)
		(void)fi_shutdown(fip->lanes[i].ep, 0);
}

void
rpmem_fip_fini(struct rpmem_fip *fip)
{
	if (fip->lanes != NULL) {
		for (unsigned i = 0; i < fip->nlanes; i++) {
			struct lane *l = &fip->lanes[i];
			RPMEM_FID_CLOSE(l->ep);
			RPMEM_FID_CLOSE(l->cq);
			free(l->wctx);
		}
	}
	RPMEM_FID_CLOSE(fip->pool_mr);
	RPMEM_FID_CLOSE(fip->pmsg_mr);
	RPMEM_FID_CLOSE(fip->resp_mr);
	RPMEM_FID_CLOSE(fip->raw_mr);
	rpmem_fabric_close(&fip->fab);
	free(fip->lanes);
	free(fip->pmsg_buf);
	free(fip->resp_buf);
	free(fip->raw_buf);
	pthread_mutex_destroy(&fip->eq_lock);
	free(fip);
}
