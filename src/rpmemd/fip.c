/* SPDX-License-Identifier: BSD-3-Clause */
/* fip.c -- rpmemd fabric server: passive endpoint, lanes, worker threads */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "fip.h"
#include "rpmem_fip_common.h"
#include "pmem.h"
#include "pmsg.h"
#include "rpmemd_log.h"
#include "rpmem_spin.h"
#include "fault_inject.h" /* last: it may wrap calls */

#define FIP_WAIT_MS 100 /* every wait polls the stop flag this often */
#define FIP_CQ_BATCH 16
#define FIP_SPIN_US 60 /* completion polling, see wait_cq() */

struct lane {
	struct rpmemd_fip *fip;
	unsigned idx;
	struct fid_ep *ep;
	struct fi_context recv_ctx;
	struct fi_context send_ctx;
	void *recv_buf;
	struct rpmem_msg_persist_resp *resp;
	int send_pending;
	unsigned parked; /* responses waiting for the previous SEND */
	int connected;
	int dead;
};

struct worker {
	struct rpmemd_fip *fip;
	pthread_t th;
	struct fid_cq *cq;
	int started;
	struct rpmem_spin spin;
	int polling; /* the next wait polls first */
};

struct rpmemd_fip {
	struct rpmemd_fip_attr attr;
	struct fi_info *fi;
	struct fid_fabric *fabric;
	struct fid_domain *domain;
	struct fid_eq *eq;
	struct fid_pep *pep;
	struct fid_mr *pool_mr;
	struct fid_mr *recv_mr;
	struct fid_mr *resp_mr;
	char *recv_bufs;
	struct rpmem_msg_persist_resp *resp_bufs;
	size_t pmsg_size;
	unsigned nlanes;
	struct lane *lanes;
	unsigned nthreads;
	struct worker *workers;
	pthread_t thread;
	int thread_started;
	atomic_int stop;
	int accept_ret;
	struct rpmemd_pmsg_bounds bounds;
	int has_secret;
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
};

/* 1 if the connection data of a request is the session secret */
static int
secret_ok(const struct rpmemd_fip *fip, const void *data, size_t len)
{
	if (len != RPMEM_AUTH_SECRET_LEN)
		return 0;
	const unsigned char *d = data;
	unsigned char diff = 0;
	for (size_t i = 0; i < RPMEM_AUTH_SECRET_LEN; i++)
		diff |= (unsigned char)(d[i] ^ fip->secret[i]);
	return diff == 0;
}

/*
 * 1 if a connection request comes from the ssh client's address (or no
 * address is to be checked), 0 if from anywhere else. IPv4 addresses
 * compare equal to their IPv4-mapped IPv6 form. An address family the
 * provider reports that is not IP (no such case with tcp, sockets or
 * verbs over rdma_cm) cannot be compared and is let through, logged.
 */
static int
source_ok(const struct rpmemd_fip *fip, const struct fi_info *info, char *from,
	size_t fromlen)
{
	snprintf(from, fromlen, "(unknown)");
	if (fip->attr.peer == NULL)
		return 1;
	unsigned char want[16], got[16];
	int wlen, glen;
	if (inet_pton(AF_INET, fip->attr.peer, want) == 1) {
		wlen = 4;
	} else if (inet_pton(AF_INET6, fip->attr.peer, want) == 1) {
		wlen = 16;
	} else {
		RPMEMD_LOG(NOTICE,
			"ssh client address '%s' not understood, "
			"source address not checked",
			fip->attr.peer);
		return 1;
	}
	const struct sockaddr *sa = info->dest_addr;
	if (sa != NULL && sa->sa_family == AF_INET &&
		info->dest_addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = info->dest_addr;
		memcpy(got, &in->sin_addr, 4);
		glen = 4;
		inet_ntop(AF_INET, &in->sin_addr, from, (socklen_t)fromlen);
	} else if (sa != NULL && sa->sa_family == AF_INET6 &&
		   info->dest_addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = info->dest_addr;
		memcpy(got, &in6->sin6_addr, 16);
		glen = 16;
		inet_ntop(AF_INET6, &in6->sin6_addr, from, (socklen_t)fromlen);
	} else {
		RPMEMD_LOG(NOTICE, "connection request without an IP source "
				   "address, source address not checked");
		return 1;
	}
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	/* reduce IPv4-mapped IPv6 addresses to IPv4 on both sides */
	if (wlen == 16 && memcmp(want, mapped, 12) == 0) {
		memmove(want, want + 12, 4);
		wlen = 4;
	}
	if (glen == 16 && memcmp(got, mapped, 12) == 0) {
		memmove(got, got + 12, 4);
		glen = 4;
	}
	return wlen == glen && memcmp(want, got, (size_t)wlen) == 0;
}

static void
persist_range(struct rpmemd_fip *fip, void *addr, size_t len, unsigned mode)
{
	if (len == 0)
		return;
	if (fip->attr.is_pmem) {
		pm_persist(addr, len);
		if (mode == RPMEM_DEEP_PERSIST)
			(void)pm_msync(addr, 1);
	} else {
		(void)pm_msync(addr, len);
	}
}

static int
post_recv(struct lane *l)
{
	struct rpmemd_fip *fip = l->fip;
	for (int tries = 0; tries < 100; tries++) {
		ssize_t r = fi_recv(l->ep, l->recv_buf, fip->pmsg_size,
			fi_mr_desc(fip->recv_mr), 0, &l->recv_ctx);
		if (r != -FI_EAGAIN)
			return (int)r;
	}
	return -FI_EAGAIN;
}

static int
post_send(struct lane *l)
{
	struct rpmemd_fip *fip = l->fip;
	for (int tries = 0; tries < 100; tries++) {
		ssize_t r = fi_send(l->ep, l->resp, sizeof(*l->resp),
			fi_mr_desc(fip->resp_mr), 0, &l->send_ctx);
		if (r == 0) {
			l->send_pending = 1;
			return 0;
		}
		if (r != -FI_EAGAIN)
			return (int)r;
	}
	return -FI_EAGAIN;
}

/*
 * A persist message that fails validation is logged and still answered,
 * with RPMEMD_PRESP_INVALID in the response flags, and nothing is written
 * to the pool: the lane stays usable and the client never waits for a
 * response that does not come (PMDK's daemon let the worker thread die).
 */
static void
handle_recv(struct lane *l, size_t len)
{
	struct rpmemd_fip *fip = l->fip;
	struct rpmem_msg_persist m;
	memset(&m, 0, sizeof(m));
	unsigned mode = 0;
	const char *why = "";
	int ret = rpmemd_pmsg_check(
		l->recv_buf, len, &fip->bounds, &m, &mode, &why);
	uint32_t resp_flags = 0;
	if (ret) {
		RPMEMD_LOG(ERR,
			"invalid persist message on lane %u: %s (flags 0x%x "
			"lane %u addr 0x%llx size %llu len %zu)",
			l->idx, why, m.flags, m.lane,
			(unsigned long long)m.addr, (unsigned long long)m.size,
			len);
		resp_flags = RPMEMD_PRESP_INVALID;
	} else {
		void *dst = (void *)(uintptr_t)m.addr;
		if (mode == RPMEM_PERSIST_SEND) {
			const char *src = (const char *)l->recv_buf +
					  sizeof(struct rpmem_msg_persist);
			if (fip->attr.is_pmem) {
				pm_memcpy(dst, src, m.size, 0);
			} else {
				memcpy(dst, src, m.size);
				persist_range(fip, dst, m.size, mode);
			}
		} else {
			persist_range(fip, dst, m.size, mode);
		}
	}
	ret = post_recv(l);
	if (ret) {
		RPMEMD_LOG(ERR, "lane %u: re-posting receive failed: %s",
			l->idx, fi_strerror(-ret));
		l->dead = 1;
		return;
	}
	l->resp->flags = resp_flags;
	l->resp->lane = resp_flags ? l->idx : m.lane;
	if (l->send_pending) {
		l->parked++;
		return;
	}
	ret = post_send(l);
	if (ret) {
		RPMEMD_LOG(ERR, "lane %u: sending response failed: %s", l->idx,
			fi_strerror(-ret));
		l->dead = 1;
	}
}

static void
handle_send_done(struct lane *l)
{
	l->send_pending = 0;
	if (l->parked > 0) {
		l->parked--;
		int ret = post_send(l);
		if (ret) {
			RPMEMD_LOG(ERR, "lane %u: sending response failed: %s",
				l->idx, fi_strerror(-ret));
			l->dead = 1;
		}
	}
}

/*
 * waits for completions of a worker: a client's next persist message
 * usually follows the response within microseconds, so after a message
 * the worker polls for up to FIP_SPIN_US while that pays off (rpmem_spin.h)
 * and sleeps in the provider otherwise
 */
static ssize_t
wait_cq(struct worker *w, struct fi_cq_msg_entry *cqe)
{
	ssize_t n = fi_cq_read(w->cq, cqe, FIP_CQ_BATCH);
	if (n != -FI_EAGAIN)
		return n;
	if (w->polling) {
		uint64_t t0 = rpmem_now_us();
		do {
			n = fi_cq_read(w->cq, cqe, FIP_CQ_BATCH);
		} while (n == -FI_EAGAIN && rpmem_now_us() - t0 < FIP_SPIN_US);
		if (n != -FI_EAGAIN)
			return n;
		rpmem_spin_end(&w->spin, 0);
		w->polling = 0;
	}
	return fi_cq_sread(w->cq, cqe, FIP_CQ_BATCH, NULL, FIP_WAIT_MS);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct rpmemd_fip *fip = w->fip;
	struct fi_cq_msg_entry cqe[FIP_CQ_BATCH];
	while (!atomic_load(&fip->stop)) {
		ssize_t n = wait_cq(w, cqe);
		if (n == -FI_EAGAIN || n == -FI_ETIMEDOUT || n == 0)
			continue;
		if (n == -FI_EAVAIL) {
			struct fi_cq_err_entry err;
			memset(&err, 0, sizeof(err));
			if (fi_cq_readerr(w->cq, &err, 0) > 0) {
				if (err.err != FI_ECANCELED)
					RPMEMD_LOG(ERR, "completion error: %s",
						fi_strerror(err.err));
				if (err.op_context) {
					struct lane *l = NULL;
					for (unsigned i = 0; i < fip->nlanes;
						i++) {
						if (err.op_context ==
								&fip->lanes[i]
									 .recv_ctx ||
							err.op_context ==
								&fip->lanes[i]
									 .send_ctx)
							l = &fip->lanes[i];
					}
					if (l)
						l->dead = 1;
				}
			}
			continue;
		}
		if (n < 0) {
			RPMEMD_LOG(ERR, "reading completion queue failed: %s",
				fi_strerror((int)-n));
			struct timespec ts = {0, FIP_WAIT_MS * 1000000L};
			nanosleep(&ts, NULL);
			continue;
		}
		for (ssize_t i = 0; i < n; i++) {
			struct lane *l = NULL;
			int is_recv = 0;
			for (unsigned j = 0; j < fip->nlanes; j++) {
				if (cqe[i].op_context ==
					&fip->lanes[j].recv_ctx) {
					l = &fip->lanes[j];
					is_recv = 1;
					break;
				}
				if (cqe[i].op_context ==
					&fip->lanes[j].send_ctx) {
					l = &fip->lanes[j];
					break;
				}
			}
			if (l == NULL || l->dead)
				continue;
			if (!is_recv) {
				handle_send_done(l);
				continue;
			}
			handle_recv(l, cqe[i].len);
			if (w->polling)
				rpmem_spin_end(&w->spin, 1);
			w->polling = rpmem_spin_begin(&w->spin);
		}
	}
	return NULL;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
lane_setup(struct rpmemd_fip *fip, struct lane *l, struct fi_info *info)
{
	info->tx_attr->size = 1;
	info->rx_attr->size = 1;
	int ret = fi_endpoint(fip->domain, info, &l->ep, NULL);
	if (ret)
		return ret;
	struct worker *w = &fip->workers[l->idx % fip->nthreads];
	ret = fi_ep_bind(l->ep, &fip->eq->fid, 0);
	if (!ret)
		ret = fi_ep_bind(l->ep, &w->cq->fid, FI_RECV | FI_TRANSMIT);
	if (!ret)
		ret = fi_enable(l->ep);
	if (!ret)
		ret = post_recv(l);
	if (!ret)
		ret = fi_accept(l->ep, NULL, 0);
	return ret;
}

/*
 * a lane that could not be set up: the client learns at once instead of
 * waiting for its timeout, and the request is released. A request that
 * has no endpoint yet is rejected; once it has one, the tcp provider still
 * leaves the request to the application until an accept succeeds (it must
 * be rejected too) while the sockets provider hands it to the endpoint.
 */
static void
refuse_lane(struct rpmemd_fip *fip, struct lane *l, struct fi_info *info)
{
	if (l->ep == NULL || fip->attr.provider == RPMEM_PROV_LIBFABRIC_TCP)
		fi_reject(fip->pep, info->handle, NULL, 0);
	if (l->ep != NULL) {
		fi_close(&l->ep->fid);
		l->ep = NULL;
	}
}

static int
accept_lanes(struct rpmemd_fip *fip)
{
	uint64_t deadline = now_ms() + fip->attr.accept_timeout_ms;
	unsigned nreq = 0, nconn = 0;
	union {
		struct fi_eq_cm_entry cm;
		char buf[sizeof(struct fi_eq_cm_entry) + 256];
	} e;
	uint64_t stop_deadline = 0;
	while (nconn < fip->nlanes) {
		/*
		 * A stop request (CLOSE or client gone) ends the phase at
		 * once unless a lane was accepted and its FI_CONNECTED event
		 * is still on the way: the client may see its side connected
		 * and send CLOSE first. Such lanes get one more second.
		 */
		if (atomic_load(&fip->stop)) {
			if (nconn == nreq)
				return -ECANCELED;
			if (stop_deadline == 0)
				stop_deadline = now_ms() + 1000;
			else if (now_ms() > stop_deadline)
				return -ECANCELED;
		}
		if (now_ms() > deadline) {
			RPMEMD_LOG(ERR,
				"accepting connections timed out (%u of %u "
				"lanes connected)",
				nconn, fip->nlanes);
			return -ETIMEDOUT;
		}
		uint32_t event;
		ssize_t r = fi_eq_sread(
			fip->eq, &event, &e, sizeof(e), FIP_WAIT_MS, 0);
		if (r == -FI_EAGAIN || r == -FI_ETIMEDOUT)
			continue;
		if (r == -FI_EAVAIL) {
			struct fi_eq_err_entry err;
			memset(&err, 0, sizeof(err));
			fi_eq_readerr(fip->eq, &err, 0);
			RPMEMD_LOG(ERR, "connection event error: %s",
				fi_strerror(err.err));
			return -ECONNABORTED;
		}
		if (r < 0) {
			RPMEMD_LOG(ERR, "reading connection events failed: %s",
				fi_strerror((int)-r));
			return -EIO;
		}
		/* as in PMDK the timeout applies to each event */
		deadline = now_ms() + fip->attr.accept_timeout_ms;
		if (event == FI_CONNREQ) {
			size_t dlen = (size_t)r > sizeof(e.cm)
					      ? (size_t)r - sizeof(e.cm)
					      : 0;
			if (fip->has_secret &&
				!secret_ok(fip, e.cm.data, dlen)) {
				RPMEMD_LOG(ERR,
					"connection request without the "
					"session secret refused (%zu bytes "
					"of connection data)",
					dlen);
				fi_reject(fip->pep, e.cm.info->handle, NULL, 0);
				fi_freeinfo(e.cm.info);
				continue;
			}
			char from[INET6_ADDRSTRLEN];
			if (!source_ok(fip, e.cm.info, from, sizeof(from))) {
				RPMEMD_LOG(ERR,
					"connection request from %s refused: "
					"not the ssh client's address (%s)",
					from, fip->attr.peer);
				fi_reject(fip->pep, e.cm.info->handle, NULL, 0);
				fi_freeinfo(e.cm.info);
				continue;
			}
			if (nreq >= fip->nlanes) {
				fi_reject(fip->pep, e.cm.info->handle, NULL, 0);
				fi_freeinfo(e.cm.info);
				continue;
			}
			struct lane *l = &fip->lanes[nreq];
			int ret = lane_setup(fip, l, e.cm.info);
			if (ret)
				refuse_lane(fip, l, e.cm.info);
			fi_freeinfo(e.cm.info);
			if (ret) {
				RPMEMD_LOG(ERR, "accepting lane %u failed: %s",
					nreq, fi_strerror(-ret));
				return -ECONNABORTED;
			}
			nreq++;
		} else if (event == FI_CONNECTED) {
			for (unsigned i = 0; i < nreq; i++) {
				if (&fip->lanes[i].ep->fid == e.cm.fid &&
					!fip->lanes[i].connected) {
					fip->lanes[i].connected = 1;
					nconn++;
				}
			}
		} else if (event == FI_SHUTDOWN) {
			/* connected and already closed again by the client */
			for (unsigned i = 0; i < nreq; i++) {
				struct lane *l = &fip->lanes[i];
				if (&l->ep->fid != e.cm.fid)
					continue;
				RPMEMD_LOG(NOTICE,
					"lane %u shut down while accepting", i);
				l->dead = 1;
				if (!l->connected) {
					l->connected = 1;
					nconn++;
				}
			}
		}
	}
	return 0;
}

static void *
fip_main(void *arg)
{
	struct rpmemd_fip *fip = arg;
	fip->accept_ret = accept_lanes(fip);
	/* setup is over: nobody may connect any more */
	if (fip->pep != NULL) {
		fi_close(&fip->pep->fid);
		fip->pep = NULL;
	}
	if (fip->accept_ret)
		return NULL;
	RPMEMD_LOG(INFO, "%u lanes connected", fip->nlanes);
	for (unsigned i = 0; i < fip->nthreads; i++) {
		struct worker *w = &fip->workers[i];
		if (pthread_create(&w->th, NULL, worker_main, w) == 0)
			w->started = 1;
		else
			RPMEMD_LOG(ERR, "cannot start worker thread %u", i);
	}
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
	atomic_store(&fip->stop, 1);
	/* workers asleep in fi_cq_sread see the flag now, not a wait later */
	for (unsigned i = 0; fip->workers && i < fip->nthreads; i++)
		if (fip->workers[i].started && fip->workers[i].cq)
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
		if (fip->lanes[i].ep)
			fi_close(&fip->lanes[i].ep->fid);
	for (unsigned i = 0; fip->workers && i < fip->nthreads; i++)
		if (fip->workers[i].cq)
			fi_close(&fip->workers[i].cq->fid);
	if (fip->pep)
		fi_close(&fip->pep->fid);
	if (fip->pool_mr)
		fi_close(&fip->pool_mr->fid);
	if (fip->recv_mr)
		fi_close(&fip->recv_mr->fid);
	if (fip->resp_mr)
		fi_close(&fip->resp_mr->fid);
	if (fip->eq)
		fi_close(&fip->eq->fid);
	if (fip->domain)
		fi_close(&fip->domain->fid);
	if (fip->fabric)
		fi_close(&fip->fabric->fid);
	if (fip->fi)
		fi_freeinfo(fip->fi);
	free(fip->recv_bufs);
	free(fip->resp_bufs);
	free(fip->lanes);
	free(fip->workers);
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
	if (fi_getinfo(RPMEM_FIVERSION, NULL, NULL, 0, hints, &info) == 0)
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
	struct rpmemd_fip *fip = calloc(1, sizeof(*fip));
	if (fip == NULL)
		return -ENOMEM;
	fip->attr = *attr;
	if (attr->secret != NULL) {
		memcpy(fip->secret, attr->secret, RPMEM_AUTH_SECRET_LEN);
		fip->has_secret = 1;
	}
	fip->attr.secret = NULL; /* the caller's copy does not outlive init */
	atomic_init(&fip->stop, 0);

	struct fi_info *hints = rpmem_fip_hints(prov);
	if (hints == NULL) {
		free(fip);
		return -ENOMEM;
	}
	int ret = fi_getinfo(
		RPMEM_FIVERSION, attr->node, NULL, FI_SOURCE, hints, &fip->fi);
	fi_freeinfo(hints);
	if (ret) {
		RPMEMD_LOG(ERR, "cannot get fabric interface for %s on %s: %s",
			prov, attr->node ? attr->node : "(any)",
			fi_strerror(-ret));
		*status = RPMEM_ERR_BADPROVIDER;
		fip->fi = NULL;
		rpmemd_fip_fini(fip);
		return -ENOMEDIUM;
	}
	size_t limit = min_sz(fip->fi->domain_attr->tx_ctx_cnt,
		min_sz(fip->fi->domain_attr->rx_ctx_cnt,
			fip->fi->domain_attr->cq_cnt));
	fip->nlanes = (unsigned)min_sz(attr->nlanes, limit ? limit : 1);
	fip->nthreads = attr->nthreads ? attr->nthreads : fip->nlanes;
	if (fip->nthreads > fip->nlanes)
		fip->nthreads = fip->nlanes;
	fip->pmsg_size = rpmem_pmsg_slot_size(attr->buff_size);
	fip->bounds.nlanes = fip->nlanes;
	fip->bounds.base = (uint64_t)(uintptr_t)attr->addr;
	fip->bounds.pool_size = attr->size;
	fip->bounds.buff_size = attr->buff_size;

	ret = fi_fabric(fip->fi->fabric_attr, &fip->fabric, NULL);
	if (!ret)
		ret = fi_domain(fip->fabric, fip->fi, &fip->domain, NULL);
	struct fi_eq_attr eq_attr = {.wait_obj = FI_WAIT_UNSPEC};
	if (!ret)
		ret = fi_eq_open(fip->fabric, &eq_attr, &fip->eq, NULL);
	if (!ret)
		ret = fi_passive_ep(fip->fabric, fip->fi, &fip->pep, NULL);
	if (!ret)
		ret = fi_pep_bind(fip->pep, &fip->eq->fid, 0);
	if (ret) {
		RPMEMD_LOG(ERR, "fabric set-up failed: %s", fi_strerror(-ret));
		goto err;
	}
	ret = fi_mr_reg(fip->domain, attr->addr, attr->size,
		FI_REMOTE_READ | FI_REMOTE_WRITE, 0, 0, 0, &fip->pool_mr, NULL);
	if (ret) {
		RPMEMD_LOG(ERR, "registering the pool failed: %s",
			fi_strerror(-ret));
		goto err;
	}
	fip->lanes = calloc(fip->nlanes, sizeof(*fip->lanes));
	fip->workers = calloc(fip->nthreads, sizeof(*fip->workers));
	fip->recv_bufs = calloc(fip->nlanes, fip->pmsg_size);
	fip->resp_bufs = calloc(fip->nlanes, sizeof(*fip->resp_bufs));
	if (!fip->lanes || !fip->workers || !fip->recv_bufs ||
		!fip->resp_bufs) {
		ret = -FI_ENOMEM;
		goto err;
	}
	ret = fi_mr_reg(fip->domain, fip->recv_bufs,
		fip->nlanes * fip->pmsg_size, FI_RECV, 0, 0, 0, &fip->recv_mr,
		NULL);
	if (!ret)
		ret = fi_mr_reg(fip->domain, fip->resp_bufs,
			fip->nlanes * sizeof(*fip->resp_bufs), FI_SEND, 0, 0, 0,
			&fip->resp_mr, NULL);
	if (ret) {
		RPMEMD_LOG(ERR, "registering message buffers failed: %s",
			fi_strerror(-ret));
		goto err;
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
		struct fi_cq_attr cq_attr = {
			.size = 3 * (size_t)per,
			.format = FI_CQ_FORMAT_MSG,
			.wait_obj = FI_WAIT_UNSPEC,
		};
		fip->workers[i].fip = fip;
		ret = fi_cq_open(
			fip->domain, &cq_attr, &fip->workers[i].cq, NULL);
		if (ret) {
			RPMEMD_LOG(ERR, "opening completion queue failed: %s",
				fi_strerror(-ret));
			goto err;
		}
	}
	ret = fi_listen(fip->pep);
	if (ret) {
		RPMEMD_LOG(ERR, "listen failed: %s", fi_strerror(-ret));
		*status = RPMEM_ERR_FATAL_CONN;
		goto err;
	}
	uint32_t port;
	ret = get_port(fip, &port);
	if (ret) {
		RPMEMD_LOG(ERR, "cannot get the listening port: %s",
			fi_strerror(-ret));
		goto err;
	}
	memset(ibc, 0, sizeof(*ibc));
	ibc->port = port;
	ibc->persist_method = attr->method;
	ibc->rkey = fi_mr_key(fip->pool_mr);
	ibc->raddr = (uint64_t)(uintptr_t)attr->addr;
	ibc->nlanes = fip->nlanes;
	*status = RPMEM_SUCCESS;
	*fipp = fip;
	return 0;
err:
	rpmemd_fip_fini(fip);
	return ret ? -rpmem_fi_errno(ret) : 0;
}
