/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lane_io.c -- the client's I/O path on a lane: RDMA writes and reads,
 * persist messages (inline, pipelined), flush/drain, and the completion
 * progress every wait runs
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_domain.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>
#include <rdma/fi_rma.h>

#include "lanes_internal.h"
#include "fault_inject_fi.h"

#define SPIN_US 60 /* completion polling before sleeping, see progress() */
#define BACKOFF_MAX_US 2000 /* longest sleep between reads without sread */
/*
 * GPSPM persists longer than PIPE_MIN go in chunks of PIPE_CHUNK, each with
 * its own persist message, so that the daemon flushes one chunk while the
 * next one travels (see persist_pipelined())
 */
#ifndef RPMEM_PIPE_CHUNK
#define RPMEM_PIPE_CHUNK ((size_t)256 << 10)
#endif
#define PIPE_CHUNK RPMEM_PIPE_CHUNK
#define PIPE_MIN (2 * PIPE_CHUNK)

static int
set_error(struct rpmem_fip *fip, int err)
{
	int zero = 0;
	atomic_compare_exchange_strong(&fip->error, &zero, err);
	return atomic_load(&fip->error);
}

int
rpmem_fip_error(struct rpmem_fip *fip)
{
	return atomic_load(&fip->error);
}

/* is the peer still there? -ECONNRESET-class error if not */
static int
check_peer(struct rpmem_fip *fip)
{
	int err = atomic_load(&fip->error);
	if (err)
		return err;
	uint32_t event;
	char buf[sizeof(struct fi_eq_cm_entry) + 256];
	pthread_mutex_lock(&fip->eq_lock);
	ssize_t r = fi_eq_read(fip->fab.eq, &event, buf, sizeof(buf), 0);
	if (r == -FI_EAVAIL) {
		struct fi_eq_err_entry ee;
		(void)rpmem_eq_readerr(fip->fab.eq, &ee);
	}
	pthread_mutex_unlock(&fip->eq_lock);
	if ((r > 0 && event == FI_SHUTDOWN) || r == -FI_EAVAIL) {
		atomic_store(&fip->shut, 1);
		return set_error(fip, -ECONNRESET);
	}
	if (fip->attr.alive != NULL) {
		int a = fip->attr.alive(fip->attr.alive_arg);
		if (a)
			return set_error(fip, a);
	}
	return 0;
}

/*
 * A failed operation: providers report a dying peer with various codes
 * (sockets: EIO), so when the failure is not a connection error already,
 * watch the peer for a moment; if it is going away, that is the error.
 */
static int
op_failed(struct rpmem_fip *fip, int e)
{
	if (e != ECONNRESET) {
		uint64_t t0 = rpmem_now_ms();
		while (rpmem_now_ms() - t0 < 1000) {
			if (check_peer(fip))
				break;
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	return set_error(fip, -e);
}

static void
account(struct lane *l, uint64_t flags)
{
	if (flags & FI_RECV)
		l->resps_done++;
	else if (flags & FI_SEND)
		l->sends_done++;
	else if (flags & FI_READ)
		l->reads_done++;
	else if (flags & FI_WRITE)
		l->writes_done++;
}

/*
 * reaps completions of a lane, waiting up to timeout_ms for the first:
 * polls for up to SPIN_US first while that pays off (rpmem_spin.h), then
 * sleeps in the provider
 */
static int
progress(struct rpmem_fip *fip, struct lane *l, int timeout_ms)
{
	struct fi_cq_msg_entry e[16];
	ssize_t n = fi_cq_read(l->cq, e, 16);
	if (n == -FI_EAGAIN && timeout_ms > 0 && rpmem_spin_begin(&l->spin)) {
		uint64_t t0 = rpmem_now_us();
		do {
			n = fi_cq_read(l->cq, e, 16);
		} while (n == -FI_EAGAIN && rpmem_now_us() - t0 < SPIN_US);
		rpmem_spin_end(&l->spin, n != -FI_EAGAIN);
	}
	if (n == -FI_EAGAIN && timeout_ms > 0) {
		if (fip->use_sread) {
			n = fi_cq_sread(l->cq, e, 16, NULL, timeout_ms);
		} else {
			rpmem_backoff_sleep(&l->backoff, BACKOFF_MAX_US);
		}
	}
	if (n > 0) {
		rpmem_backoff_reset(&l->backoff);
		for (ssize_t i = 0; i < n; i++)
			account(l, e[i].flags);
		return 0;
	}
	if (n == -FI_EAGAIN || n == -FI_ETIMEDOUT || n == -FI_EINTR)
		return 0;
	if (n == -FI_EAVAIL) {
		struct fi_cq_err_entry ee;
		(void)rpmem_cq_readerr(l->cq, &ee);
		return op_failed(fip, rpmem_conn_errno(ee.err));
	}
	return op_failed(fip, rpmem_conn_errno((int)n));
}

/* waits until *done reaches target */
static int
wait_for(struct rpmem_fip *fip, struct lane *l, const uint64_t *done,
	uint64_t target)
{
	uint64_t start = rpmem_now_ms();
	uint64_t checked = start;
	while (*done < target) {
		int ret = progress(fip, l, CHECK_INTERVAL_MS);
		if (ret)
			return ret;
		if (*done >= target)
			break;
		uint64_t t = rpmem_now_ms();
		if (t - checked >= CHECK_INTERVAL_MS) {
			ret = check_peer(fip);
			if (ret)
				return ret;
			checked = t;
		}
		if (t - start > fip->stall_ms)
			return set_error(fip, -ETIMEDOUT);
	}
	return 0;
}

/* the four operations a lane posts */
enum lane_op { OP_RECV, OP_SEND, OP_WRITE, OP_READ };

static ssize_t
post_once(struct lane *l, enum lane_op op, const void *msg, uint64_t flags)
{
	switch (op) {
	case OP_RECV:
		return fi_recvmsg(l->ep, msg, flags);
	case OP_SEND:
		return fi_sendmsg(l->ep, msg, flags);
	case OP_WRITE:
		return fi_writemsg(l->ep, msg, flags);
	default:
		return fi_readmsg(l->ep, msg, flags);
	}
}

/*
 * posts one operation, reaping completions while the queue is full; gives
 * up (sticky error) when the peer goes away or stalls past stall_ms
 */
static int
post(struct rpmem_fip *fip, struct lane *l, enum lane_op op, const void *msg,
	uint64_t flags)
{
	uint64_t t0 = rpmem_now_ms();
	ssize_t r;
	while ((r = post_once(l, op, msg, flags)) == -FI_EAGAIN) {
		int p = progress(fip, l, 1);
		if (!p && rpmem_now_ms() - t0 > CHECK_INTERVAL_MS)
			p = check_peer(fip);
		if (!p && rpmem_now_ms() - t0 > fip->stall_ms)
			p = set_error(fip, -ETIMEDOUT);
		if (p)
			return p;
	}
	return r ? op_failed(fip, rpmem_conn_errno((int)r)) : 0;
}

int
rpmem_lane_post_recv(struct rpmem_fip *fip, struct lane *l)
{
	int ret = post(fip, l, OP_RECV, &l->recv.msg, FI_COMPLETION);
	if (ret)
		return ret;
	l->resps++;
	return 0;
}

/* a completed operation retired every write posted before it */
static void
retired_all(struct lane *l)
{
	l->unsignaled = 0;
	l->covered = 0;
}

static int
write_range(struct rpmem_fip *fip, struct lane *l, size_t offset, size_t len)
{
	size_t done = 0;
	while (done < len) {
		size_t chunk = len - done;
		if (chunk > fip->max_msg)
			chunk = fip->max_msg;
		int sig = l->unsignaled + 1 >= fip->tx_size;
		struct fi_context *ctx = &l->wctx[l->wctx_next];
		l->wctx_next = (unsigned)((l->wctx_next + 1) % fip->tx_size);
		rpmem_rma_set(&l->write,
			(char *)fip->attr.laddr + offset + done,
			fip->attr.raddr + offset + done, chunk, ctx);
		int ret = post(fip, l, OP_WRITE, &l->write.msg,
			sig ? FI_COMPLETION : 0);
		if (ret)
			return ret;
		if (sig) {
			l->writes++;
			ret = wait_for(fip, l, &l->writes_done, l->writes);
			if (ret)
				return ret;
			retired_all(l);
		} else {
			l->unsignaled++;
		}
		done += chunk;
	}
	return 0;
}

/* 1 when the lane's pending message carries data for [offset, +len) */
static int
inline_overlaps(const struct rpmem_fip *fip, const struct lane *l,
	size_t offset, size_t len)
{
	if (!l->pending || l->pmsg->flags != RPMEM_PERSIST_SEND)
		return 0;
	size_t lo = (size_t)(l->pmsg->addr - fip->attr.raddr);
	return offset < lo + l->pmsg->size && lo < offset + len;
}

/* the response to the lane's posted message; the receive is posted again */
static int
pmsg_wait(struct rpmem_fip *fip, struct lane *l)
{
	int ret = wait_for(fip, l, &l->resps_done, l->resps);
	if (ret)
		return ret;
	ret = wait_for(fip, l, &l->sends_done, l->sends);
	if (ret)
		return ret;
	/* writes posted after the message are still unsignaled */
	l->pending = 0;
	l->unsignaled -= l->covered;
	l->covered = 0;
	return rpmem_lane_post_recv(fip, l);
}

/*
 * posts one persist message without waiting for its response (pmsg_wait);
 * inline copies the data. A message still unanswered is awaited first:
 * the lane has one message buffer and one receive.
 */
static int
pmsg_post(struct rpmem_fip *fip, unsigned lane, unsigned mode, size_t offset,
	size_t len)
{
	struct lane *l = &fip->lanes[lane];
	int ret = l->pending ? pmsg_wait(fip, l)
			     : wait_for(fip, l, &l->sends_done, l->sends);
	if (ret)
		return ret;
	size_t msglen = sizeof(struct rpmem_msg_persist);
	l->pmsg->flags = mode;
	l->pmsg->lane = lane;
	l->pmsg->addr = fip->attr.raddr + offset;
	l->pmsg->size = len;
	if (mode == RPMEM_PERSIST_SEND) {
		memcpy(l->pmsg->data, (char *)fip->attr.laddr + offset, len);
		msglen += len;
	}
	rpmem_msg_set_len(&l->send, msglen);
	ret = post(fip, l, OP_SEND, &l->send.msg, FI_COMPLETION);
	if (ret)
		return ret;
	l->sends++;
	l->pending = 1;
	l->covered = l->unsignaled;
	return 0;
}

/* one persist message and its response */
static int
send_pmsg(struct rpmem_fip *fip, unsigned lane, unsigned mode, size_t offset,
	size_t len)
{
	int ret = pmsg_post(fip, lane, mode, offset, len);
	return ret ? ret : pmsg_wait(fip, &fip->lanes[lane]);
}

/* read-after-write: an 8-byte READ that completes after prior WRITEs */
int
rpmem_lane_raw_read(struct rpmem_fip *fip, unsigned lane)
{
	struct lane *l = &fip->lanes[lane];
	int ret = post(fip, l, OP_READ, &l->read.msg, FI_COMPLETION);
	if (ret)
		return ret;
	l->reads++;
	ret = wait_for(fip, l, &l->reads_done, l->reads);
	if (ret)
		return ret;
	retired_all(l);
	return 0;
}

static int
persist_inline(struct rpmem_fip *fip, size_t offset, size_t len, unsigned lane)
{
	while (len > 0) {
		size_t chunk =
			len < fip->attr.buff_size ? len : fip->attr.buff_size;
		int ret =
			send_pmsg(fip, lane, RPMEM_PERSIST_SEND, offset, chunk);
		if (ret)
			return ret;
		offset += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * GPSPM, pipelined: write chunk 0, post its message, write chunk 1 while the
 * daemon flushes chunk 0, await answer 0, post message 1, ... The lane's
 * one message slot is reused by pmsg_post() only after the answer to the
 * previous message came. With last_pending the last message is left
 * unanswered for a later drain; else every chunk is answered on return.
 */
static int
persist_pipelined(struct rpmem_fip *fip, unsigned lane, size_t offset,
	size_t len, unsigned mode, int last_pending)
{
	struct lane *l = &fip->lanes[lane];
	while (len > 0) {
		size_t chunk = len > PIPE_CHUNK ? PIPE_CHUNK : len;
		int ret = write_range(fip, l, offset, chunk);
		if (ret == 0)
			ret = pmsg_post(fip, lane, mode, offset, chunk);
		if (ret)
			return ret;
		offset += chunk;
		len -= chunk;
	}
	return last_pending ? 0 : pmsg_wait(fip, l);
}

int
rpmem_fip_persist(struct rpmem_fip *fip, size_t offset, size_t len,
	unsigned lane, int how)
{
	int ret = atomic_load(&fip->error);
	if (ret)
		return ret;
	if (len == 0)
		return 0;
	struct lane *l = &fip->lanes[lane];
	if (l->pending && (ret = pmsg_wait(fip, l)))
		return ret;
	if (how == RPMEM_FIP_PERSIST && len <= fip->inline_max)
		return persist_inline(fip, offset, len, lane);
	int apm = fip->attr.persist_method == RPMEM_PM_APM;
	unsigned mode =
		how == RPMEM_FIP_DEEP ? RPMEM_DEEP_PERSIST : RPMEM_FLUSH_WRITE;
	if (len > PIPE_MIN && (how == RPMEM_FIP_DEEP || !apm))
		return persist_pipelined(fip, lane, offset, len, mode, 0);
	ret = write_range(fip, l, offset, len);
	if (ret)
		return ret;
	if (how != RPMEM_FIP_DEEP && apm)
		return rpmem_lane_raw_read(fip, lane);
	return send_pmsg(fip, lane, mode, offset, len);
}

/*
 * GPSPM: the writes are posted, and so is the persist message when the
 * lane has none unanswered (the data itself when it is small); the drain
 * awaits the response. Flushing several pools and then draining them
 * overlaps their round trips. A range flushed while a message is
 * unanswered is covered by one more message at the drain.
 */
int
rpmem_fip_flush(struct rpmem_fip *fip, size_t offset, size_t len, unsigned lane,
	int relaxed)
{
	int ret = atomic_load(&fip->error);
	if (ret)
		return ret;
	if (len == 0)
		return 0;
	struct lane *l = &fip->lanes[lane];
	int apm = fip->attr.persist_method == RPMEM_PM_APM;
	if (!relaxed && len <= fip->inline_max && apm)
		return persist_inline(fip, offset, len, lane);
	/*
	 * the daemon's copy of pending inline data must not land after
	 * writes to the same bytes; what follows is left to the drain
	 */
	int idle = !apm && !l->pending && l->fl_hi == l->fl_lo;
	if (inline_overlaps(fip, l, offset, len) && (ret = pmsg_wait(fip, l)))
		return ret;
	if (idle && !relaxed && len <= fip->inline_max &&
		len <= fip->attr.buff_size)
		return pmsg_post(fip, lane, RPMEM_PERSIST_SEND, offset, len);
	if (idle && len > PIPE_MIN)
		return persist_pipelined(
			fip, lane, offset, len, RPMEM_FLUSH_WRITE, 1);
	ret = write_range(fip, l, offset, len);
	if (ret)
		return ret;
	if (idle)
		return pmsg_post(fip, lane, RPMEM_FLUSH_WRITE, offset, len);
	if (l->fl_hi == l->fl_lo) {
		l->fl_lo = offset;
		l->fl_hi = offset + len;
	} else {
		if (offset < l->fl_lo)
			l->fl_lo = offset;
		if (offset + len > l->fl_hi)
			l->fl_hi = offset + len;
	}
	return 0;
}

int
rpmem_fip_drain(struct rpmem_fip *fip, unsigned lane)
{
	int ret = atomic_load(&fip->error);
	if (ret)
		return ret;
	struct lane *l = &fip->lanes[lane];
	if (l->pending && (ret = pmsg_wait(fip, l)))
		return ret;
	size_t lo = l->fl_lo, hi = l->fl_hi;
	l->fl_lo = l->fl_hi = 0;
	if (fip->attr.persist_method == RPMEM_PM_APM)
		return rpmem_lane_raw_read(fip, lane);
	if (hi == lo)
		return 0;
	return send_pmsg(fip, lane, RPMEM_FLUSH_WRITE, lo, hi - lo);
}

static int
post_read(struct rpmem_fip *fip, struct lane *l, const struct fi_msg_rma *msg)
{
	int ret = post(fip, l, OP_READ, msg, FI_COMPLETION);
	if (ret)
		return ret;
	l->reads++;
	ret = wait_for(fip, l, &l->reads_done, l->reads);
	if (ret == 0)
		retired_all(l);
	return ret;
}

int
rpmem_fip_read(struct rpmem_fip *fip, void *buf, size_t offset, size_t len,
	unsigned lane)
{
	int ret = atomic_load(&fip->error);
	if (ret)
		return ret;
	if (len == 0)
		return 0;
	struct lane *l = &fip->lanes[lane];
	if (l->pending && (ret = pmsg_wait(fip, l))) /* inline data lands */
		return ret;
	struct fid_mr *mr;
	void *desc;
	ret = rpmem_mr_reg(fip->fab.domain, buf, len, FI_READ, &mr, &desc);
	if (ret)
		return -rpmem_conn_errno(ret);
	struct rpmem_rma rd;
	rpmem_rma_init(&rd, desc, fip->attr.rkey, &l->ctx_read);
	size_t done = 0;
	while (done < len && ret == 0) {
		size_t chunk = len - done;
		if (chunk > fip->max_msg)
			chunk = fip->max_msg;
		rpmem_rma_set(&rd, (char *)buf + done,
			fip->attr.raddr + offset + done, chunk, &l->ctx_read);
		ret = post_read(fip, l, &rd.msg);
		done += chunk;
	}
	fi_close(&mr->fid);
	return ret;
}
