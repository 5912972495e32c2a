/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * session.c -- a pool's out-of-band session: rpmemd started over ssh, its
 * start-up status, request/response exchanges, the session secret and
 * liveness messages, CLOSE; and the CREATE/OPEN plumbing that runs them in
 * order and connects the lanes (rpmem_sess_connect)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "oob_client.h"
#include "provider.h"
#include "rpmem_fdbudget.h"
#include "rpmem_fip_common.h"
#include "session.h"
#include "settings.h"
#include "ssh_cmd.h"
#include "fault_inject.h"

/* spawns ssh with the remote command; errors set errno and the message */
struct rpmem_ssh *
rpmem_sess_spawn(const struct rpmem_target *t, int ipv4, const char *cmd,
	const char *step)
{
	if (cmd == NULL)
		return NULL; /* rpmem_next_cmd() set errno and the message */
	if (t->has_service) {
		int port;
		char why[128];
		if (rpmem_target_port(t->service, &port, why, sizeof(why))) {
			ERR("%s: %s", step, why);
			errno = EINVAL;
			return NULL;
		}
	}
	const char *ssh_prog = getenv("RPMEM_SSH");
	if (ssh_prog == NULL || ssh_prog[0] == '\0')
		ssh_prog = "ssh";
	char dest[RPMEM_USER_MAX + RPMEM_NODE_MAX + 2];
	rpmem_ssh_dest(dest, sizeof(dest), t);
	const char *argv[10];
	rpmem_ssh_argv(argv, ssh_prog, t, ipv4, dest, cmd);
	struct rpmem_ssh *ssh;
	int ret = rpmem_ssh_open(argv, &ssh);
	if (ret) {
		errno = -ret;
		ERR_W_ERRNO("%s: cannot start '%s'", step, ssh_prog);
		return NULL;
	}
	LOG(LOG_LVL_DBG, "spawned %s %s '%s'", ssh_prog, dest, cmd);
	return ssh;
}

const char *
rpmem_sess_stderr(struct rpmem_ssh *ssh, int timeout_ms, const char *sep,
	char *buf, size_t len)
{
	size_t n = strlen(sep);
	rpmem_ssh_stderr(ssh, buf + n, len - n, timeout_ms);
	if (buf[n] == '\0')
		buf[0] = '\0';
	else
		memcpy(buf, sep, n);
	return buf;
}

/* the remote shell's exit status for a command it cannot find */
#define SHELL_NOT_FOUND 127

/*
 * ends a failed session: records stderr text in the message. A session
 * cut before rpmemd's start-up status, whose ssh exits as the remote shell
 * does for a command it cannot find, gives ENOPKG (rpmemd is not
 * installed there, or RPMEM_CMD names nothing) instead of ECONNRESET.
 */
static void
rpmem_sess_fail(struct rpmem_ssh *ssh, const char *step, int err)
{
	char text[RPMEM_STDERR_LEN];
	rpmem_sess_stderr(ssh, STDERR_TIMEOUT_MS, " (", text, sizeof(text));
	if (rpmem_ssh_close(ssh) == SHELL_NOT_FOUND && err == ECONNRESET)
		err = ENOPKG;
	ERR("%s: %s%s%s", step, strerror(err), text, text[0] ? ")" : "");
	errno = err;
}

/* reads the start-up status word */
int
rpmem_sess_status(struct rpmem_ssh *ssh, const char *node)
{
	uint32_t status;
	int ret =
		rpmem_ssh_recv(ssh, &status, sizeof(status), STATUS_TIMEOUT_MS);
	const char *step = "out-of-band connection failed";
	if (ret) {
		rpmem_sess_fail(
			ssh, step, -ret == ETIMEDOUT ? ETIMEDOUT : ECONNRESET);
		return -1;
	}
	if (status != 0) {
		char text[RPMEM_STDERR_LEN];
		rpmem_sess_stderr(
			ssh, STDERR_TIMEOUT_MS, "; ", text, sizeof(text));
		rpmem_ssh_close(ssh);
		int err = status < 4096 ? (int)status : EPROTO;
		ERR("%s: %s: daemon start-up failed -- status %u: %s%s", step,
			node, status, strerror(err), text);
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * the header of the response to the request just sent into resp: a PONG
 * to a PING given up earlier (pinger.c) is passed over; *cut tells whether
 * the channel ended inside the header after at least one byte
 */
static int
recv_resp_hdr(struct rpmem_ssh *ssh, void *resp, uint32_t resp_type,
	int timeout_ms, int *cut)
{
	size_t hsize = sizeof(struct rpmem_msg_hdr_resp);
	for (;;) {
		*cut = 0;
		int ret = rpmem_ssh_recv(ssh, resp, 1, timeout_ms);
		if (ret)
			return ret;
		ret = rpmem_ssh_recv(
			ssh, (char *)resp + 1, hsize - 1, timeout_ms);
		if (ret) {
			*cut = 1;
			return ret;
		}
		struct rpmem_msg_hdr_resp h;
		memcpy(&h, resp, sizeof(h));
		rpmem_ntoh_msg_hdr_resp(&h);
		if (resp_type == RPMEM_MSG_TYPE_PONG ||
			h.type != RPMEM_MSG_TYPE_PONG || h.size != hsize)
			return 0;
	}
}

/* one request/response exchange; fills resp (host order after check) */
int
rpmem_sess_exchange(struct rpmem_ssh *ssh, const void *req, size_t req_size,
	void *resp, uint32_t resp_type, const char *step, int timeout_ms,
	int stderr_ms, int *silent)
{
	int ret = rpmem_ssh_send(ssh, req, req_size);
	size_t rsize = rpmem_obc_resp_size(resp_type);
	/*
	 * PMDK's rpmemd answers a request it cannot parse (a provider it does
	 * not know) with a status word and exits: a cut-off header, where a
	 * daemon that died sends nothing at all
	 */
	size_t hsize = sizeof(struct rpmem_msg_hdr_resp);
	int cut = 0;
	if (ret == 0)
		ret = recv_resp_hdr(ssh, resp, resp_type, timeout_ms, &cut);
	if (ret == 0)
		ret = rpmem_ssh_recv(
			ssh, (char *)resp + hsize, rsize - hsize, timeout_ms);
	if (ret) {
		int err = -ret;
		if (err == EPIPE)
			err = ECONNRESET;
		char text[RPMEM_STDERR_LEN];
		rpmem_sess_stderr(ssh, stderr_ms, " -- ", text, sizeof(text));
		if (silent != NULL)
			*silent = cut && err == ECONNRESET && !text[0];
		ERR("%s: %s%s", step, strerror(err), text);
		errno = err;
		return -1;
	}
	uint32_t status;
	char why[256];
	ret = rpmem_obc_check_resp(resp, resp_type, &status, why, sizeof(why));
	if (ret) {
		/* the daemon states its own reason on stderr */
		char text[RPMEM_STDERR_LEN];
		rpmem_sess_stderr(ssh, stderr_ms, " -- ", text, sizeof(text));
		ERR("%s: %s%s", step, why, text);
		errno = -ret;
		return -1;
	}
	return 0;
}

/* the AUTH message that follows a flagged CREATE/OPEN response */
int
rpmem_sess_secret(struct rpmem_ssh *ssh, unsigned char *secret, const char *op)
{
	struct rpmem_msg_auth m;
	int ret = rpmem_ssh_recv(ssh, &m, sizeof(m), RESP_TIMEOUT_MS);
	if (ret) {
		int err = ret == -EPIPE ? ECONNRESET : -ret;
		ERR("%s request failed: cannot receive the session secret: %s",
			op, strerror(err));
		return -err;
	}
	rpmem_ntoh_msg_hdr_resp(&m.hdr);
	if (m.hdr.type != RPMEM_MSG_TYPE_AUTH || m.hdr.size != sizeof(m) ||
		m.hdr.status != RPMEM_SUCCESS) {
		ERR("%s request failed: invalid session secret message "
		    "(type %u, size %lu, status %u)",
			op, m.hdr.type, (unsigned long)m.hdr.size,
			m.hdr.status);
		explicit_bzero(&m, sizeof(m));
		return -EPROTO;
	}
	memcpy(secret, m.secret, RPMEM_AUTH_SECRET_LEN);
	explicit_bzero(&m, sizeof(m));
	return 0;
}

/* the LIVE message that follows AUTH when the daemon serves pings */
int
rpmem_sess_live(struct rpmem_ssh *ssh, unsigned *ping_ms, const char *op)
{
	struct rpmem_msg_live m;
	int ret = rpmem_ssh_recv(ssh, &m, sizeof(m), RESP_TIMEOUT_MS);
	if (ret) {
		int err = ret == -EPIPE ? ECONNRESET : -ret;
		ERR("%s request failed: cannot receive the liveness "
		    "parameters: %s",
			op, strerror(err));
		return -err;
	}
	rpmem_ntoh_msg_hdr_resp(&m.hdr);
	uint32_t ping = be32toh(m.ping_ms), timeout = be32toh(m.timeout_ms);
	if (m.hdr.type != RPMEM_MSG_TYPE_LIVE || m.hdr.size != sizeof(m) ||
		m.hdr.status != RPMEM_SUCCESS || ping == 0 || ping >= timeout) {
		ERR("%s request failed: invalid liveness message (type %u, "
		    "size %lu, status %u, ping %u ms, timeout %u ms)",
			op, m.hdr.type, (unsigned long)m.hdr.size, m.hdr.status,
			ping, timeout);
		return -EPROTO;
	}
	*ping_ms = ping;
	return 0;
}

int
rpmem_sess_close(struct rpmem_ssh *ssh, uint32_t flags, int timeout_ms)
{
	struct rpmem_msg_close m;
	struct rpmem_msg_close_resp r;
	rpmem_obc_close_msg(&m, flags);
	int cut;
	int got = rpmem_ssh_send(ssh, &m, sizeof(m)) == 0 &&
		  recv_resp_hdr(ssh, &r, RPMEM_MSG_TYPE_CLOSE_RESP, timeout_ms,
			  &cut) == 0;
	if (got)
		rpmem_ssh_close(ssh);
	else
		rpmem_ssh_abort(ssh);
	return got ? 0 : -1;
}

/* the CREATE/OPEN plumbing: session, request, secret, pinger, lanes */

#define SESSION_FDS                                                      \
	32		/* descriptors a session needs besides its lanes \
			 * (fabric, domain, event queue, the ssh child's \
			 * pipes) */
#define MIN_PING_MS 100 /* however often a daemon asks for pings */
#define WHY_LEN 512

/* what a CREATE or OPEN is about, through the steps of rpmem_sess_connect() */
struct connect_req {
	const char *target;
	const char *pool_set_name;
	const char *op; /* "create" or "open" */
	int create;
	void *pool_addr;
	size_t pool_size;
	unsigned req_lanes;
	const struct rpmem_pool_attr *create_attr;
	struct rpmem_target t;
	enum rpmem_provider prov;
};

/* the parsed target, or -1 with EINVAL and a message naming the target and
 * what is wrong with it */
int
rpmem_sess_target(const char *target, struct rpmem_target *t)
{
	char why[160];
	if (rpmem_target_parse(target, t, why, sizeof(why)) == 0)
		return 0;
	ERR("parsing target node address failed -- '%s': %s", target, why);
	errno = EINVAL;
	return -1;
}

/*
 * ssh with rpmemd running and its start-up status read; the provider is
 * chosen on the way. The ssh command line depends on the provider only
 * through -4 for sockets over IPv4: when sockets cannot be the choice,
 * ssh starts first and the provider probe (libfabric's initialization, a
 * large part of the set-up time) runs while ssh connects.
 */
static struct rpmem_ssh *
start_session(struct connect_req *c)
{
	const char *step = "out-of-band connection failed";
	struct rpmem_ssh *ssh = NULL;
	if (strchr(c->t.node, ':') != NULL || !rpmem_sockets_possible()) {
		ssh = rpmem_sess_spawn(&c->t, 0, rpmem_next_cmd(), step);
		if (ssh == NULL)
			return NULL;
	}
	c->prov = rpmem_choose_provider(c->t.node);
	if (c->prov == RPMEM_PROV_UNKNOWN) {
		if (ssh != NULL)
			rpmem_ssh_abort(ssh);
		errno = ENOMEDIUM;
		return NULL;
	}
	int ipv4 = rpmem_provider_traits(c->prov)->ipv4_only &&
		   strchr(c->t.node, ':') == NULL;
	if (ssh == NULL)
		ssh = rpmem_sess_spawn(&c->t, ipv4, rpmem_next_cmd(), step);
	if (ssh == NULL || rpmem_sess_status(ssh, c->t.node))
		return NULL;
	return ssh;
}

/*
 * The lanes to ask for: at most what half of the descriptors the process
 * may still open hold (one endpoint and one completion queue each), after
 * the session's own; the other half stays with the application (its files,
 * further replicas). The limits are never changed.
 */
static unsigned
lane_budget(const struct connect_req *c)
{
	struct rpmem_fd_cost cost;
	rpmem_fd_cost(c->prov, &cost);
	unsigned avail = rpmem_fd_free();
	avail = avail > SESSION_FDS ? (avail - SESSION_FDS) / 2 : 0;
	unsigned n = rpmem_fd_lanes(&cost, c->req_lanes, avail, 0);
	if (n < c->req_lanes)
		LOG(LOG_LVL_INFO,
			"%s of '%s': asking for %u lanes instead of %u: %u "
			"file descriptors available to them (RLIMIT_NOFILE)",
			c->op, c->pool_set_name, n, c->req_lanes, avail);
	return n;
}

/* the CREATE/OPEN request and its response; closes ssh on failure */
static int
send_request(const struct connect_req *c, struct rpmem_ssh *ssh,
	struct rpmem_msg_open_resp *resp)
{
	struct rpmem_req_attr req = {.pool_size = c->pool_size,
		.nlanes = c->req_lanes,
		.provider = c->prov,
		/* announces session binding and pings, see rpmem_proto.h */
		.buff_size = RPMEM_DEF_BUFF_SIZE + RPMEM_LIVE_BUFF_TAG +
			     RPMEM_AUTH_BUFF_TAG,
		.pool_desc = c->pool_set_name};
	size_t msize;
	const struct rpmem_pool_attr *a =
		rpmem_attr_is_zero(c->create_attr) ? NULL : c->create_attr;
	void *msg = c->create ? rpmem_obc_create_msg(&req, a, &msize)
			      : rpmem_obc_open_msg(&req, &msize);
	if (msg == NULL) {
		ERR_W_ERRNO("cannot build %s request", c->op);
		rpmem_ssh_close(ssh);
		return -1;
	}
	char step[64];
	snprintf(step, sizeof(step), "%s request failed", c->op);
	int silent = 0;
	int ret = rpmem_sess_exchange(ssh, msg, msize, resp,
		c->create ? RPMEM_MSG_TYPE_CREATE_RESP
			  : RPMEM_MSG_TYPE_OPEN_RESP,
		step, RESP_TIMEOUT_MS, 500, &silent);
	free(msg);
	if (ret) {
		int e = rpmem_provider_refused(c->prov, errno, silent);
		rpmem_ssh_close(ssh);
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * the session secret of a daemon that binds lanes to the session (*bound
 * set), or nothing from a legacy one; on failure the session is closed
 */
static int
session_secret(const struct connect_req *c, struct rpmem_ssh *ssh,
	struct rpmem_resp_attr *ra, unsigned char *secret, int *bound)
{
	*bound = (ra->persist_method & RPMEM_AUTH_PM_FLAG) != 0;
	if (!*bound) {
		LOG(LOG_LVL_INFO,
			"legacy daemon on '%s': fabric connections are not "
			"bound to the ssh session (unauthenticated)",
			c->target);
		return 0;
	}
	int ret = rpmem_sess_secret(ssh, secret, c->op);
	if (ret) {
		rpmem_sess_close(ssh, c->create ? RPMEM_CLOSE_FLAGS_REMOVE : 0,
			CLOSE_SETUP_MS);
		errno = -ret;
		return -1;
	}
	return 0;
}

/*
 * the pinger, for a daemon that takes pings: it starts before the lanes
 * connect, since the daemon counts our silence from its answer on; on
 * failure the session is closed
 */
static int
session_live(const struct connect_req *c, RPMEMpool *rpp,
	const struct rpmem_resp_attr *ra)
{
	if (!(ra->persist_method & RPMEM_LIVE_PM_FLAG)) {
		LOG(LOG_LVL_INFO,
			"daemon on '%s' takes no pings: a lost link is "
			"noticed at the next call, after the stall limit",
			c->target);
		return 0;
	}
	unsigned ping_ms;
	int ret = rpmem_sess_live(rpp->ssh, &ping_ms, c->op);
	if (ret == 0 && ping_ms < MIN_PING_MS)
		ping_ms = MIN_PING_MS; /* ours asks for 333 ms at the least */
	if (ret == 0) {
		ret = rpmem_live_start(rpp->ssh, ping_ms,
			rpmem_settings()->stall_ms, &rpp->live);
		if (ret)
			ERR("%s request failed: cannot start the pinger: %s",
				c->op, strerror(-ret));
	}
	if (ret) {
		rpmem_sess_close(rpp->ssh,
			c->create ? RPMEM_CLOSE_FLAGS_REMOVE : 0,
			CLOSE_SETUP_MS);
		errno = -ret;
		return -1;
	}
	LOG(LOG_LVL_DBG, "pinging '%s' every %u ms", c->target, ping_ms);
	return 0;
}

/* the lanes' liveness callback: 0 while the daemon is known to be there */
static int
pool_alive(void *arg)
{
	RPMEMpool *rpp = arg;
	int e = rpmem_live_error(rpp->live);
	return e ? -e : rpmem_ssh_alive(rpp->ssh);
}

/* the lanes; on failure the session is closed (a create removed) */
static int
connect_lanes(const struct connect_req *c, RPMEMpool *rpp,
	const struct rpmem_resp_attr *ra, unsigned *n,
	const unsigned char *secret)
{
	const char *prov_name = rpmem_provider_name(c->prov);
	struct rpmem_fip_attr fa = {.node = c->t.node,
		.port = ra->port,
		.prov = prov_name,
		.laddr = c->pool_addr,
		.size = c->pool_size,
		.raddr = ra->raddr,
		.rkey = ra->rkey,
		.persist_method = ra->persist_method & ~RPMEM_EXT_PM_FLAGS,
		.nlanes = *n,
		.buff_size = RPMEM_DEF_BUFF_SIZE,
		.wq_size = rpmem_settings()->wq_size,
		.alive = pool_alive,
		.alive_arg = rpp,
		.secret = secret,
		.stall_ms = rpmem_settings()->stall_ms};
	char why[WHY_LEN];
	why[0] = '\0';
	int ret = rpmem_fip_init(&fa, n, &rpp->fip, why, sizeof(why));
	if (ret == 0)
		return 0;
	char text[RPMEM_STDERR_LEN];
	rpmem_sess_stderr(rpp->ssh, 100, " -- ", text, sizeof(text));
	rpmem_live_stop(rpp->live, 1);
	rpp->live = NULL;
	rpmem_sess_close(rpp->ssh, c->create ? RPMEM_CLOSE_FLAGS_REMOVE : 0,
		CLOSE_SETUP_MS);
	ERR("establishing in-band connection failed (%s, port %u): %s%s",
		prov_name, ra->port, why[0] ? why : strerror(-ret), text);
	errno = -ret;
	return -1;
}

/* the pool's session and lanes, after the arguments are checked */
static int
pool_session(struct connect_req *c, RPMEMpool *rpp, struct rpmem_pool_attr *got)
{
	rpp->ssh = start_session(c);
	if (rpp->ssh == NULL)
		return -1;
	c->req_lanes = lane_budget(c);
	struct rpmem_msg_open_resp resp; /* the larger of the two */
	if (send_request(c, rpp->ssh, &resp))
		return -1;
	struct rpmem_resp_attr ra;
	rpmem_obc_get_ibc(&resp.ibc, &ra);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	int bound;
	if (session_secret(c, rpp->ssh, &ra, secret, &bound) ||
		session_live(c, rpp, &ra))
		return -1;
	if (!c->create)
		rpmem_obc_get_attr(&resp.pool_attr, got);
	LOG(LOG_LVL_DBG, "%s response: port %u, method %u, nlanes %u", c->op,
		ra.port, ra.persist_method, ra.nlanes);
	unsigned n = c->req_lanes < ra.nlanes ? c->req_lanes : ra.nlanes;
	if (n == 0) {
		ERR("%s request failed: daemon granted no lanes", c->op);
		rpmem_live_stop(rpp->live, 1);
		rpp->live = NULL;
		rpmem_sess_close(rpp->ssh,
			c->create ? RPMEM_CLOSE_FLAGS_REMOVE : 0,
			CLOSE_SETUP_MS);
		errno = EPROTO;
		return -1;
	}
	int ret = connect_lanes(c, rpp, &ra, &n, bound ? secret : NULL);
	explicit_bzero(secret, sizeof(secret));
	rpp->nlanes = n;
	return ret;
}

RPMEMpool *
rpmem_sess_connect(const char *target, const char *pool_set_name,
	void *pool_addr, size_t pool_size, unsigned *nlanes,
	const struct rpmem_pool_attr *create_attr,
	struct rpmem_pool_attr *open_attr, int create)
{
	unsigned max_nlanes = rpmem_settings()->max_nlanes;
	struct connect_req c = {.target = target,
		.pool_set_name = pool_set_name,
		.op = create ? "create" : "open",
		.create = create,
		.pool_addr = pool_addr,
		.pool_size = pool_size,
		.req_lanes = *nlanes < max_nlanes ? *nlanes : max_nlanes,
		.create_attr = create_attr};
	if (rpmem_sess_target(target, &c.t))
		return NULL;
	RPMEMpool *rpp = fault_calloc(1, sizeof(*rpp));
	if (rpp == NULL) {
		ERR_W_ERRNO("cannot allocate pool handle");
		return NULL;
	}
	struct rpmem_pool_attr got;
	memset(&got, 0, sizeof(got));
	if (pool_session(&c, rpp, &got)) {
		int e = errno;
		free(rpp);
		errno = e ? e : EIO;
		return NULL;
	}
	rpp->addr = pool_addr;
	rpp->size = pool_size;
	rpp->no_headers =
		create ? rpmem_attr_is_zero(create_attr)
		       : (open_attr == NULL || rpmem_attr_is_zero(&got));
	if (!create && open_attr != NULL)
		*open_attr = got;
	*nlanes = rpp->nlanes;
	LOG(LOG_LVL_DBG, "%s of '%s' on '%s' done: %u lanes over %s", c.op,
		pool_set_name, target, rpp->nlanes,
		rpmem_provider_name(c.prov));
	return rpp;
}
