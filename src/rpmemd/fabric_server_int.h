/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fabric_server_int.h -- rpmemd's fabric server inside: the structures
 * shared by fabric_server.c (set-up, threads, teardown), listener.c (accept
 * phase: secret and source checks, lanes, the sockets provider's listeners)
 * and worker.c (completions, persist messages, responses)
 */
#ifndef RPMEMD_FABRIC_SERVER_INT_H
#define RPMEMD_FABRIC_SERVER_INT_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <rdma/fabric.h>
#include <rdma/fi_eq.h>

#include "fabric_server.h"
#include "persist_msg.h"
#include "rpmem_fabric.h"
#include "rpmem_proto.h"
#include "rpmem_spin.h"

#define FIP_WAIT_MS 100 /* every wait polls the stop flag this often */
#define FIP_CQ_BATCH 16
#define FIP_SPIN_US 60 /* completion polling, see wait_cq() */
/*
 * a lane has one receive posted at a time, but the worker re-posts it as
 * soon as the completion is read, which can be before the provider has
 * released the entry of the completed one (sockets returns it to its pool
 * after reporting the completion); a queue of two never runs out, where
 * one made the provider allocate a spare entry that it does not free when
 * the endpoint closes
 */
#define FIP_RX_SIZE 2

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
	struct rpmem_fabric fab; /* fi, fabric, domain, eq */
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
	atomic_int failed; /* a persist was not made durable: no responses */
	pthread_mutex_t stop_lock; /* with stop_cond: wakes the guard */
	pthread_cond_t stop_cond;
	int accept_ret;
	struct rpmemd_pmsg_bounds bounds;
	int has_secret;
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
};

/* listener.c: the accept phase; 0 when every lane connected */
int rpmemd_fip_accept(struct rpmemd_fip *fip);
/* listener.c: closes the sockets provider's data-path listeners */
void rpmemd_fip_guard_listeners(struct rpmemd_fip *fip);
/* worker.c: posts a lane's receive (retried while the queue is full) */
int rpmemd_fip_post_recv(struct lane *l);
/* worker.c: a worker thread */
void *rpmemd_fip_worker(void *arg);

#endif /* RPMEMD_FABRIC_SERVER_INT_H */
