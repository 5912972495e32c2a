/* SPDX-License-Identifier: BSD-3-Clause */
/* fip.c -- in-band client: lanes, RDMA writes/reads, persist messages */
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

#include "lanes.h"
#include "rpmem_fabric.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "rpmem_spin.h"
#include "fault_inject_fi.h"

#define CONNECT_TIMEOUT_MS 30000
#define CHECK_INTERVAL_MS 100
#define STALL_TIMEOUT_MS 60000
#define SPIN_US 60 /* completion polling before sleeping, see progress() */
#define BACKOFF_MAX_US 2000 /* longest sleep between reads without sread */
#define RAW_SLOT 64
#define PAGE 4096
/*
 * GPSPM persists longer than PIPE_MIN go in chunks of PIPE_CHUNK, each with
 * its own persist message, so that the daemon flushes one chunk while the
 * next one travels (see persist_pipelined())
 */
#ifndef RPMEM_PIPE_CHUNK
#define RPMEM_PIPE_CHUNK ((size_t)512 << 10)
#endif
#define PIPE_CHUNK RPMEM_PIPE_CHUNK
#define PIPE_MIN (2 * PIPE_CHUNK)

struct lane {
	struct fid_ep *ep;
	struct fid_cq *cq;
	struct rpmem_msg_persist *pmsg;
	struct rpmem_msg_persist_resp *resp;
	struct fi_context *wctx; /* one per possible outstanding write */
	unsigned wctx_next;
	struct fi_context ctx_send, ctx_recv, ctx_read;
	struct rpmem_msg send, recv;  /* persist message, its response */
	struct rpmem_rma write, read; /* pool writes, read-after-write */
	uint64_t sends, sends_done;
	uint64_t resps, resps_done;
	uint64_t reads, reads_done;
	uint64_t writes, writes_done;
	size_t unsignaled;   /* writes posted without a completion since... */
	size_t covered;	     /* ... of which the pending message retires */
	size_t fl_lo, fl_hi; /* flushed, not yet drained range (GPSPM) */
	int pending;	     /* a posted message awaits its response */
	struct rpmem_spin spin;
	struct rpmem_backoff backoff; /* sleeps between reads (no sread) */
};

struct rpmem_fip {
	struct rpmem_fip_attr attr;
	const struct rpmem_provider_traits *prov; /* of attr.prov */
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	struct rpmem_fabric fab; /* fi, fabric, domain, eq */
	struct fid_mr *pool_mr, *pmsg_mr, *resp_mr, *raw_mr;
	void *pool_desc, *pmsg_desc, *resp_desc, *raw_desc;
	char *pmsg_buf;
	char *resp_buf;
	char *raw_buf;
	size_t pmsg_size;
	struct lane *lanes;
	unsigned nlanes;
	unsigned connected;
	size_t max_msg;
	size_t tx_size;
	size_t inline_max; /* persists up to this size carry their data */
	int use_sread;
	uint64_t stall_ms;
	atomic_int error;
	atomic_int shut;
	pthread_mutex_t eq_lock;
};

static size_t
page_up(size_t s)
{
	return (s + PAGE - 1) & ~(size_t)(PAGE - 1);
}

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

/* posts with retries while the queue is full (bounded) */
#define POST(fip, l, call)                                                   \
	do {                                                                 \
		uint64_t t0_ = rpmem_now_ms();                               \
		ssize_t r_;                                                  \
		while ((r_ = (call)) == -FI_EAGAIN) {                        \
			int p_ = progress(fip, l, 1);                        \
			if (!p_ && rpmem_now_ms() - t0_ > CHECK_INTERVAL_MS) \
				p_ = check_peer(fip);                        \
			if (!p_ && rpmem_now_ms() - t0_ > (fip)->stall_ms)   \
				p_ = set_error(fip, -ETIMEDOUT);             \
			if (p_)                                              \
				return p_;                                   \
		}                                                            \
		if (r_)                                                      \
			return op_failed(fip, rpmem_conn_errno((int)r_));    \
	} while (0)

static int
post_recv(struct rpmem_fip *fip, struct lane *l)
{
	POST(fip, l, fi_recvmsg(l->ep, &l->recv.msg, FI_COMPLETION));
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
		POST(fip, l,
			fi_writemsg(
				l->ep, &l->write.msg, sig ? FI_COMPLETION : 0));
		if (sig) {
			l->writes++;
			int ret = wait_for(fip, l, &l->writes_done, l->writes);
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
	return post_recv(fip, l);
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
	POST(fip, l, fi_sendmsg(l->ep, &l->send.msg, FI_COMPLETION));
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
static int
raw_read(struct rpmem_fip *fip, unsigned lane)
{
	struct lane *l = &fip->lanes[lane];
	POST(fip, l, fi_readmsg(l->ep, &l->read.msg, FI_COMPLETION));
	l->reads++;
	int ret = wait_for(fip, l, &l->reads_done, l->reads);
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
		size_t chunk = len > PIPE_MIN ? PIPE_CHUNK : len;
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
		return raw_read(fip, lane);
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
		return raw_read(fip, lane);
	if (hi == lo)
		return 0;
	return send_pmsg(fip, lane, RPMEM_FLUSH_WRITE, lo, hi - lo);
}

static int
post_read(struct rpmem_fip *fip, struct lane *l, const struct fi_msg_rma *msg)
{
	POST(fip, l, fi_readmsg(l->ep, msg, FI_COMPLETION));
	l->reads++;
	int ret = wait_for(fip, l, &l->reads_done, l->reads);
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
		ret = post_recv(fip, &fip->lanes[i]);
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
		ret = raw_read(fip, i);
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
