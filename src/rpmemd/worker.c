/* SPDX-License-Identifier: BSD-3-Clause */
/* worker.c -- rpmemd worker threads: completions, persist messages */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <rdma/fabric.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_eq.h>
#include <rdma/fi_errno.h>

#include "fabric_server.h"
#include "fabric_server_int.h"
#include "fault_inject.h"
#include "persist_msg.h"
#include "pmem.h"
#include "rpmem_spin.h"
#include "rpmemd_log.h"

/*
 * Makes [addr, addr + len) durable; 0 or the negative errno of a failed
 * msync (then nothing may acknowledge the range: see persist_failed())
 */
static int
persist_range(struct rpmemd_fip *fip, void *addr, size_t len, unsigned mode)
{
	if (len == 0)
		return 0;
	if (fip->attr.is_pmem) {
		pm_persist(addr, len);
		if (mode == RPMEM_DEEP_PERSIST)
			return pm_msync(addr, 1);
		return 0;
	}
	return pm_msync(addr, len);
}

/*
 * A persist the node could not make durable. Persist responses carry no
 * status, so the only honest answer is none: from now on no lane sends a
 * response, and the owner's persist_failed callback ends the session
 * (rpmemd exits, which closes every lane and the ssh channel), so that the
 * client's call fails.
 */
static void
persist_failed(struct lane *l, const void *addr, size_t len, int err)
{
	struct rpmemd_fip *fip = l->fip;
	atomic_store(&fip->failed, 1);
	l->dead = 1;
	if (fip->attr.persist_failed != NULL)
		fip->attr.persist_failed(l->idx, addr, len, err);
	else
		RPMEMD_LOG(ERR, "lane %u: persist not made durable: %s", l->idx,
			strerror(-err));
}

int
rpmemd_fip_post_recv(struct lane *l)
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
			if (fip->attr.is_pmem)
				pm_memcpy(dst, src, m.size, 0);
			else
				memcpy(dst, src, m.size);
		}
		if (mode != RPMEM_PERSIST_SEND || !fip->attr.is_pmem)
			ret = persist_range(fip, dst, m.size, mode);
		if (ret) {
			persist_failed(l, dst, m.size, ret);
			return;
		}
	}
	ret = rpmemd_fip_post_recv(l);
	if (ret) {
		RPMEMD_LOG(ERR, "lane %u: re-posting receive failed: %s",
			l->idx, fi_strerror(-ret));
		l->dead = 1;
		return;
	}
	fault_persist_delay(); /* a test build's stand-in for distance */
	l->resp->flags = resp_flags;
	l->resp->lane = resp_flags ? l->idx : m.lane;
	if (l->send_pending || atomic_load(&fip->failed)) {
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
	if (l->parked > 0 && !atomic_load(&l->fip->failed)) {
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

/* the lane of a completion: its context is the lane's recv or send one */
static struct lane *
lane_of(void *ctx, int is_recv)
{
	if (ctx == NULL)
		return NULL;
	char *p = ctx;
	return (struct lane *)(p - (is_recv ? offsetof(struct lane, recv_ctx)
					    : offsetof(struct lane, send_ctx)));
}

/*
 * the lane of an error entry: providers do not all report the operation's
 * flags there, so the context is looked up (a rare path)
 */
static struct lane *
lane_scan(struct rpmemd_fip *fip, void *ctx)
{
	for (unsigned i = 0; i < fip->nlanes; i++)
		if (ctx == &fip->lanes[i].recv_ctx ||
			ctx == &fip->lanes[i].send_ctx)
			return &fip->lanes[i];
	return NULL;
}

void *
rpmemd_fip_worker(void *arg)
{
	struct worker *w = arg;
	struct rpmemd_fip *fip = w->fip;
	struct fi_cq_msg_entry cqe[FIP_CQ_BATCH];
	while (!atomic_load(&fip->stop)) {
		ssize_t n = wait_cq(w, cqe);
		/* ECANCELED: woken by fi_cq_signal (rpmemd_fip_stop) */
		if (n == -FI_EAGAIN || n == -FI_ETIMEDOUT || n == 0 ||
			n == -FI_ECANCELED)
			continue;
		if (n == -FI_EAVAIL) {
			struct fi_cq_err_entry err;
			if (rpmem_cq_readerr(w->cq, &err)) {
				if (err.err != FI_ECANCELED)
					RPMEMD_LOG(ERR, "completion error: %s",
						fi_strerror(err.err));
				if (err.op_context) {
					struct lane *l =
						lane_scan(fip, err.op_context);
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
			int is_recv = (cqe[i].flags & FI_RECV) != 0;
			struct lane *l = lane_of(cqe[i].op_context, is_recv);
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
