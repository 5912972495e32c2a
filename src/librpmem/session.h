/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.h -- librpmem's out-of-band session over ssh
 *
 * Contract: every function that fails sets errno and the thread's error
 * message (naming the step and carrying what rpmemd wrote on stderr) and
 * returns NULL or -1 (rpmem_sess_secret: a negative errno). The ssh
 * handle is closed by the functions that say so.
 */
#ifndef LIBRPMEM_SESSION_H
#define LIBRPMEM_SESSION_H 1

#include <stddef.h>
#include <stdint.h>

#include <stdatomic.h>

#include "librpmem.h"
#include "lanes.h"
#include "pinger.h"
#include "rpmem_proto.h"
#include "ssh.h"
#include "target.h"

#define STATUS_TIMEOUT_MS 30000
#define RESP_TIMEOUT_MS 120000
#define STDERR_TIMEOUT_MS 2000
/* how long the CLOSE of a session already known lost may take */
#define CLOSE_FAILED_MS 1000
/* the CLOSE after a failed set-up (the daemon removes what it created) */
#define CLOSE_SETUP_MS 10000

/* a pool handle: its session (ssh, pinger) and its lanes */
struct rpmem_pool {
	struct rpmem_ssh *ssh;
	struct rpmem_fip *fip;
	struct rpmem_live *live; /* the pinger; NULL: the daemon takes none */
	void *addr;
	size_t size;
	unsigned nlanes;
	int no_headers;
	atomic_int error; /* sticky connection error, positive errno */
};

/* the parsed target, or -1 with EINVAL and a message naming the target and
 * what is wrong with it */
int rpmem_sess_target(const char *target, struct rpmem_target *t);

/*
 * rpmem_create (create set) or rpmem_open, arguments already checked: ssh
 * with rpmemd, the request, the session secret and pinger, the lanes. A
 * failed create leaves nothing behind on the target. NULL with errno and
 * the message on failure; *nlanes gets the lanes granted.
 */
RPMEMpool *rpmem_sess_connect(const char *target, const char *pool_set_name,
	void *pool_addr, size_t pool_size, unsigned *nlanes,
	const struct rpmem_pool_attr *create_attr,
	struct rpmem_pool_attr *open_attr, int create);

/* room for what rpmemd wrote on stderr and a separator */
#define RPMEM_STDERR_LEN (4096 + 8)
/*
 * drains what the child wrote on stderr (waiting up to timeout_ms) into
 * buf as "<sep><text>", or "" when it wrote nothing; returns buf
 */
const char *rpmem_sess_stderr(struct rpmem_ssh *ssh, int timeout_ms,
	const char *sep, char *buf, size_t len);

/* ssh running cmd on the target (NULL cmd: the caller's error stands) */
struct rpmem_ssh *rpmem_sess_spawn(const struct rpmem_target *t, int ipv4,
	const char *cmd, const char *step);
/* the start-up status word; closes ssh on failure */
int rpmem_sess_status(struct rpmem_ssh *ssh, const char *node);
/*
 * one request and its response (checked, host order); *silent (may be
 * NULL) says whether the daemon hung up inside the response header
 * (after at least one byte) without a word on stderr
 */
int rpmem_sess_exchange(struct rpmem_ssh *ssh, const void *req, size_t req_size,
	void *resp, uint32_t resp_type, const char *step, int timeout_ms,
	int stderr_ms, int *silent);
/* the session secret that follows a flagged response */
int rpmem_sess_secret(
	struct rpmem_ssh *ssh, unsigned char *secret, const char *op);
/* the liveness parameters that follow a flagged response (the PING
 * interval; the daemon's timeout is only checked); 0 or a negative errno */
int rpmem_sess_live(struct rpmem_ssh *ssh, unsigned *ping_ms, const char *op);
/*
 * CLOSE with flags, best effort: the answer is awaited timeout_ms, then
 * ssh is closed, or killed when no answer came (-1, nothing reported)
 */
int rpmem_sess_close(struct rpmem_ssh *ssh, uint32_t flags, int timeout_ms);

#endif /* LIBRPMEM_SESSION_H */
