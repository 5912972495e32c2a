/* SPDX-License-Identifier: BSD-3-Clause */
/* pinger.c -- the pinger: keeps the daemon told, and learns, that we live */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pinger.h"
#include "rpmem_proto.h"
#include "rpmem_spin.h"
#include "fault_inject.h"

#define SLICE_MS 100 /* a PONG wait looks at the stop request this often */

struct rpmem_live {
	struct rpmem_ssh *ssh;
	unsigned ping_ms;
	unsigned stall_ms;
	pthread_mutex_t chan; /* one request at a time on the ssh channel */
	pthread_mutex_t lock; /* with cond: the stop request */
	pthread_cond_t cond;
	int stop;
	atomic_int abandon;
	atomic_int error;
	pthread_t th;
};

/* the PONG of a PING just sent; 0 or a negative errno */
static int
await_pong(struct rpmem_live *live)
{
	uint64_t t0 = rpmem_now_ms();
	for (;;) {
		if (atomic_load(&live->abandon))
			return -ECANCELED;
		uint64_t spent = rpmem_now_ms() - t0;
		if (spent >= live->stall_ms)
			return -ETIMEDOUT;
		int r = rpmem_ssh_readable(live->ssh, SLICE_MS);
		if (r < 0)
			return r;
		if (r > 0)
			break;
	}
	struct rpmem_msg_hdr_resp h;
	int ret = rpmem_ssh_recv(live->ssh, &h, sizeof(h), (int)live->stall_ms);
	if (ret)
		return ret == -EPIPE ? -ECONNRESET : ret;
	rpmem_ntoh_msg_hdr_resp(&h);
	if (h.type != RPMEM_MSG_TYPE_PONG || h.size != sizeof(h) ||
		h.status != RPMEM_SUCCESS)
		return -EPROTO;
	return 0;
}

static int
ping_once(struct rpmem_live *live)
{
	struct rpmem_msg_hdr m = {
		.type = RPMEM_MSG_TYPE_PING, .size = sizeof(m)};
	rpmem_hton_msg_hdr(&m);
	pthread_mutex_lock(&live->chan);
	int ret = rpmem_ssh_send(live->ssh, &m, sizeof(m));
	if (ret == 0)
		ret = await_pong(live);
	pthread_mutex_unlock(&live->chan);
	return ret;
}

/* waits ping_ms or for the stop request; 1 when stopped */
static int
pause_or_stop(struct rpmem_live *live)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += live->ping_ms / 1000;
	ts.tv_nsec += (long)(live->ping_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&live->lock);
	while (!live->stop &&
		pthread_cond_timedwait(&live->cond, &live->lock, &ts) == 0)
		;
	int stop = live->stop;
	pthread_mutex_unlock(&live->lock);
	return stop;
}

static void *
pinger(void *arg)
{
	struct rpmem_live *live = arg;
	while (!pause_or_stop(live)) {
		int ret = ping_once(live);
		if (ret == -ECANCELED)
			break;
		if (ret) {
			int e = -ret;
			if (e == EPIPE || e == EPROTO)
				e = ECONNRESET;
			atomic_store(&live->error, e);
			break;
		}
	}
	return NULL;
}

int
rpmem_live_start(struct rpmem_ssh *ssh, unsigned ping_ms, unsigned stall_ms,
	struct rpmem_live **out)
{
	struct rpmem_live *live = fault_calloc(1, sizeof(*live));
	if (live == NULL)
		return -ENOMEM;
	live->ssh = ssh;
	live->ping_ms = ping_ms;
	live->stall_ms = stall_ms;
	pthread_mutex_init(&live->chan, NULL);
	pthread_mutex_init(&live->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&live->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&live->abandon, 0);
	atomic_init(&live->error, 0);
	/* the application's signal handlers never run on this thread */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int ret = pthread_create(&live->th, NULL, pinger, live);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		pthread_cond_destroy(&live->cond);
		pthread_mutex_destroy(&live->lock);
		pthread_mutex_destroy(&live->chan);
		free(live);
		return -ret;
	}
	*out = live;
	return 0;
}

int
rpmem_live_stop(struct rpmem_live *live, int abandon)
{
	if (live == NULL)
		return 0;
	if (abandon)
		atomic_store(&live->abandon, 1);
	pthread_mutex_lock(&live->lock);
	live->stop = 1;
	pthread_cond_signal(&live->cond);
	pthread_mutex_unlock(&live->lock);
	pthread_join(live->th, NULL);
	int err = atomic_load(&live->error);
	pthread_cond_destroy(&live->cond);
	pthread_mutex_destroy(&live->lock);
	pthread_mutex_destroy(&live->chan);
	free(live);
	return err;
}

void
rpmem_live_lock(struct rpmem_live *live)
{
	if (live != NULL)
		pthread_mutex_lock(&live->chan);
}

void
rpmem_live_unlock(struct rpmem_live *live)
{
	if (live != NULL)
		pthread_mutex_unlock(&live->chan);
}

int
rpmem_live_error(struct rpmem_live *live)
{
	return live == NULL ? 0 : atomic_load(&live->error);
}
