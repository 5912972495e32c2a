/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanes_internal.h -- what lane_setup.c and lane_io.c share: a lane (one
 * connected endpoint with its queue, messages and counters) and the
 * client's fabric state (struct rpmem_fip). Not for the rest of librpmem,
 * which uses lanes.h.
 */
#ifndef LIBRPMEM_LANES_INTERNAL_H
#define LIBRPMEM_LANES_INTERNAL_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <rdma/fabric.h>

#include "lanes.h"
#include "rpmem_fabric.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "rpmem_spin.h"

#define CHECK_INTERVAL_MS 100 /* how often a wait checks the peer */

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

/* posts the lane's receive for the next persist response */
int rpmem_lane_post_recv(struct rpmem_fip *fip, struct lane *l);
/* read-after-write: an 8-byte READ that completes after prior WRITEs */
int rpmem_lane_raw_read(struct rpmem_fip *fip, unsigned lane);

#endif /* LIBRPMEM_LANES_INTERNAL_H */
