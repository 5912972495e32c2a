/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pinger.h -- librpmem's side of the liveness extension: a thread per
 * session that pings the daemon over the ssh channel (doc/protocol.md §4)
 *
 * Contract: rpmem_live_start() starts the pinger for a daemon that sent
 * its LIVE message; from then on every other request on the ssh channel
 * is made between rpmem_live_lock() and rpmem_live_unlock(), so that one
 * request at a time is outstanding. A PING whose PONG does not come
 * within the stall limit, or a channel that ends, makes the session lost:
 * rpmem_live_error() then gives the positive errno (ETIMEDOUT,
 * ECONNRESET) for good and the pinger stops. Every function accepts NULL
 * (a session without pings): no thread, no lock, no error. Functions
 * never print.
 */
#ifndef LIBRPMEM_PINGER_H
#define LIBRPMEM_PINGER_H 1

#include "ssh.h"

struct rpmem_live;

/* 0, or a negative errno when the thread cannot start */
int rpmem_live_start(struct rpmem_ssh *ssh, unsigned ping_ms, unsigned stall_ms,
	struct rpmem_live **out);
/*
 * stops and frees the pinger: a PING on its way is awaited (at most the
 * stall limit), or given up at once with abandon (the caller knows the
 * session is lost and ends the channel); returns what rpmem_live_error()
 * said last
 */
int rpmem_live_stop(struct rpmem_live *live, int abandon);
void rpmem_live_lock(struct rpmem_live *live);
void rpmem_live_unlock(struct rpmem_live *live);
/* 0 while the daemon answers, else the positive errno of the loss */
int rpmem_live_error(struct rpmem_live *live);

#endif /* LIBRPMEM_PINGER_H */
