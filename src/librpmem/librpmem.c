/* SPDX-License-Identifier: BSD-3-Clause */
/* librpmem.c -- the public API: create/open/close/remove, persist, read */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <rdma/fabric.h>

#include "lanes.h"
#include "librpmem.h"
#include "live.h"
#include "log.h"
#include "oob_client.h"
#include "provider.h"
#include "rpmem_fdbudget.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "session.h"
#include "ssh.h"
#include "ssh_cmd.h"
#include "fault_inject.h"

#define RPMEM_API __attribute__((visibility("default")))

#define REMOVE_TIMEOUT_MS 120000
#define DEF_WQ_SIZE 50
/* descriptors a session needs besides its lanes (fabric, domain, event
 * queue, the ssh child's pipes) */
#define SESSION_FDS 32
#define DEF_STALL_S 60 /* RPMEM_STALL_TIMEOUT */
#define MAX_STALL_S 86400
#define MIN_PING_MS 100 /* however often a daemon asks for pings */

#define WHY_LEN 512

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

static char **Cmds;
static unsigned Ncmds;
static atomic_uint Cmd_next;
static unsigned Max_nlanes = UINT_MAX;
static unsigned Wq_size = DEF_WQ_SIZE;
static unsigned Stall_ms = DEF_STALL_S * 1000U;

/* RPMEM_STALL_TIMEOUT: whole seconds, 1 to MAX_STALL_S */
static void
read_stall_timeout(void)
{
	const char *e = getenv("RPMEM_STALL_TIMEOUT");
	if (e == NULL || e[0] == '\0')
		return;
	unsigned v = rpmem_env_uint(e);
	if (v == 0 || v > MAX_STALL_S) {
		LOG(LOG_LVL_WARN,
			"RPMEM_STALL_TIMEOUT ignored -- '%s': not a whole "
			"number of seconds from 1 to %u; using %u s",
			e, MAX_STALL_S, DEF_STALL_S);
		return;
	}
	Stall_ms = v * 1000U;
}

__attribute__((constructor)) static void
librpmem_init(void)
{
	log_init("librpmem", "RPMEM_LOG_LEVEL", "RPMEM_LOG_FILE");
	const char *cmd = getenv("RPMEM_CMD");
	if (cmd == NULL || cmd[0] == '\0')
		cmd = "rpmemd";
	Cmds = rpmem_split_cmds(cmd, &Ncmds);
	unsigned v = rpmem_env_uint(getenv("RPMEM_MAX_NLANES"));
	if (v)
		Max_nlanes = v;
	v = rpmem_env_uint(getenv("RPMEM_WORK_QUEUE_SIZE"));
	if (v)
		Wq_size = v;
	read_stall_timeout();
	LOG(LOG_LVL_DBG,
		"RPMEM_CMD '%s', max lanes %u, work queue %u, stall limit %u s",
		cmd, Max_nlanes, Wq_size, Stall_ms / 1000);
}

__attribute__((destructor)) static void
librpmem_fini(void)
{
	free(Cmds);
	Cmds = NULL;
	log_fini();
}

/* the next RPMEM_CMD entry; NULL (message, errno) if it could not be kept */
static const char *
next_cmd(void)
{
	if (Cmds == NULL) {
		ERR("cannot keep a copy of RPMEM_CMD: %s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	unsigned i = atomic_fetch_add(&Cmd_next, 1);
	return Cmds[i % Ncmds];
}

/* libfabric initialised without fork() support makes ssh unusable */
static int
fork_unsafe(void)
{
	const char *v = getenv("FI_FORK_UNSAFE");
	if (v == NULL)
		return 0;
	static const char *const no[] = {"0", "false", "no", "off"};
	for (unsigned i = 0; i < 4; i++) {
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return 1;
}

static int
check_pool_args(void *pool_addr, size_t pool_size, unsigned *nlanes,
	const char *target, const char *pool_set_name)
{
	long pagesize = sysconf(_SC_PAGESIZE);
	if (pool_addr == NULL) {
		ERR("invalid pool address -- NULL");
		return -1;
	}
	if ((uintptr_t)pool_addr % (uintptr_t)pagesize) {
		ERR("pool address must be aligned to page size (%ld) -- %p",
			pagesize, pool_addr);
		return -1;
	}
	if (pool_size % (size_t)pagesize) {
		ERR("pool size must be aligned to page size (%ld) -- %zu",
			pagesize, pool_size);
		return -1;
	}
	if (pool_size == 0) {
		ERR("invalid pool size -- 0");
		return -1;
	}
	if (nlanes == NULL) {
		ERR("invalid number of lanes pointer -- NULL");
		return -1;
	}
	if (*nlanes == 0) {
		ERR("number of lanes must be positive -- 0");
		return -1;
	}
	if (target == NULL) {
		ERR("invalid target -- NULL");
		return -1;
	}
	if (pool_set_name == NULL || pool_set_name[0] == '\0') {
		ERR("invalid pool set name -- %s",
			pool_set_name ? "''" : "NULL");
		return -1;
	}
	return 0;
}

/* what a CREATE or OPEN is about, through the steps of pool_connect() */
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

/*
 * ssh with rpmemd running and its start-up status read; the provider is
 * chosen on the way. The ssh command line depends on the provider only
 * through -4 for sockets over IPv4: when sockets cannot be the choice,
 * ssh starts first and the provider probe (libfabric's initialization, a
 * large part of the set-up time) runs while ssh connects.
 */
/* the parsed target, or -1 with EINVAL and a message naming the target and
 * what is wrong with it */
static int
target_parse(const char *target, struct rpmem_target *t)
{
	char why[160];
	if (rpmem_target_parse(target, t, why, sizeof(why)) == 0)
		return 0;
	ERR("parsing target node address failed -- '%s': %s", target, why);
	errno = EINVAL;
	return -1;
}

static struct rpmem_ssh *
start_session(struct connect_req *c)
{
	const char *step = "out-of-band connection failed";
	struct rpmem_ssh *ssh = NULL;
	if (strchr(c->t.node, ':') != NULL || !rpmem_sockets_possible()) {
		ssh = rpmem_sess_spawn(&c->t, 0, next_cmd(), step);
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
		ssh = rpmem_sess_spawn(&c->t, ipv4, next_cmd(), step);
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
		int e = rpmem_sess_provider_refused(c->prov, errno, silent);
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
		ret = rpmem_live_start(rpp->ssh, ping_ms, Stall_ms, &rpp->live);
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
		.wq_size = Wq_size,
		.alive = pool_alive,
		.alive_arg = rpp,
		.secret = secret,
		.stall_ms = Stall_ms};
	char why[WHY_LEN];
	why[0] = '\0';
	int ret = rpmem_fip_init(&fa, n, &rpp->fip, why, sizeof(why));
	if (ret == 0)
		return 0;
	char text[4096];
	rpmem_ssh_stderr(rpp->ssh, text, sizeof(text), 100);
	rpmem_live_stop(rpp->live, 1);
	rpp->live = NULL;
	rpmem_sess_close(rpp->ssh, c->create ? RPMEM_CLOSE_FLAGS_REMOVE : 0,
		CLOSE_SETUP_MS);
	ERR("establishing in-band connection failed (%s, port %u): %s%s%s",
		prov_name, ra->port, why[0] ? why : strerror(-ret),
		text[0] ? " -- " : "", text);
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

static RPMEMpool *
pool_connect(const char *target, const char *pool_set_name, void *pool_addr,
	size_t pool_size, unsigned *nlanes,
	const struct rpmem_pool_attr *create_attr,
	struct rpmem_pool_attr *open_attr, int create)
{
	if (fork_unsafe()) {
		ERR("libfabric is initialized without fork() support");
		errno = ENOTSUP;
		return NULL;
	}
	if (check_pool_args(
		    pool_addr, pool_size, nlanes, target, pool_set_name)) {
		errno = EINVAL;
		return NULL;
	}
	struct connect_req c = {.target = target,
		.pool_set_name = pool_set_name,
		.op = create ? "create" : "open",
		.create = create,
		.pool_addr = pool_addr,
		.pool_size = pool_size,
		.req_lanes = *nlanes < Max_nlanes ? *nlanes : Max_nlanes,
		.create_attr = create_attr};
	if (target_parse(target, &c.t))
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

/* a successful call leaves errno as it found it */
static int
succeeded(int saved)
{
	errno = saved;
	return 0;
}

RPMEM_API RPMEMpool *
rpmem_create(const char *target, const char *pool_set_name, void *pool_addr,
	size_t pool_size, unsigned *nlanes,
	const struct rpmem_pool_attr *create_attr)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "target %s, pool set %s, addr %p, size %zu",
		target ? target : "(null)",
		pool_set_name ? pool_set_name : "(null)", pool_addr, pool_size);
	RPMEMpool *rpp = pool_connect(target, pool_set_name, pool_addr,
		pool_size, nlanes, create_attr, NULL, 1);
	if (rpp != NULL)
		errno = saved;
	return rpp;
}

RPMEM_API RPMEMpool *
rpmem_open(const char *target, const char *pool_set_name, void *pool_addr,
	size_t pool_size, unsigned *nlanes, struct rpmem_pool_attr *open_attr)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "target %s, pool set %s, addr %p, size %zu",
		target ? target : "(null)",
		pool_set_name ? pool_set_name : "(null)", pool_addr, pool_size);
	RPMEMpool *rpp = pool_connect(target, pool_set_name, pool_addr,
		pool_size, nlanes, NULL, open_attr, 0);
	if (rpp != NULL)
		errno = saved;
	return rpp;
}

/* the positive errno the session was lost with, or 0 */
static int
session_lost(RPMEMpool *rpp)
{
	int e = atomic_load(&rpp->error);
	if (e == 0 && rpp->fip != NULL)
		e = -rpmem_fip_error(rpp->fip);
	if (e == 0)
		e = rpmem_live_error(rpp->live);
	return e;
}

/*
 * may an operation run on this handle: EINVAL for a NULL handle, else the
 * sticky connection error, each with a message; 0 if usable
 */
static int
unusable(RPMEMpool *rpp, const char *what)
{
	if (rpp == NULL) {
		ERR("%s: invalid pool handle -- NULL", what);
		errno = EINVAL;
		return EINVAL;
	}
	int e = session_lost(rpp);
	if (e) {
		ERR("%s: connection to the remote pool lost earlier: %s", what,
			strerror(e));
		errno = e;
	}
	return e;
}

/* how long a failed call waits for rpmemd's last words (its stderr) */
#define LOST_STDERR_MS 500

/*
 * A call failed on the fabric. When the lanes are gone, the first call to
 * notice reads what rpmemd said on its way out (e.g. a persist it could
 * not make durable ends the session), so that the message names it.
 */
static int
fabric_failed(RPMEMpool *rpp, const char *what, int ret)
{
	int e = -ret;
	if (e == EPIPE)
		e = ECONNRESET;
	int zero = 0;
	int first = atomic_compare_exchange_strong(&rpp->error, &zero, e);
	int lost = e == ECONNRESET || e == ECONNABORTED || e == ENOTCONN;
	char text[1024];
	text[0] = '\0';
	if (first && lost)
		rpmem_ssh_stderr(rpp->ssh, text, sizeof(text), LOST_STDERR_MS);
	if (text[0] != '\0')
		ERR("%s failed: connection closed by rpmemd: %s -- %s", what,
			strerror(e), text);
	else if (lost)
		ERR("%s failed: connection to rpmemd lost: %s", what,
			strerror(e));
	else
		ERR("%s failed: %s", what, strerror(e));
	errno = e;
	return -1;
}

RPMEM_API int
rpmem_set_attr(RPMEMpool *rpp, const struct rpmem_pool_attr *attr)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, attr %p", (void *)rpp, (const void *)attr);
	if (unusable(rpp, "set attributes"))
		return -1;
	struct rpmem_msg_set_attr m;
	struct rpmem_msg_set_attr_resp r;
	rpmem_obc_set_attr_msg(&m, attr);
	/* a ping may have been unanswered while this call waited for it */
	rpmem_live_lock(rpp->live);
	int ret = unusable(rpp, "set attributes") ? -1 : 0;
	if (ret == 0)
		ret = rpmem_sess_exchange(rpp->ssh, &m, sizeof(m), &r,
			RPMEM_MSG_TYPE_SET_ATTR_RESP,
			"set attributes request failed", (int)Stall_ms, 50,
			NULL);
	rpmem_live_unlock(rpp->live);
	if (ret) {
		int e = errno;
		if (e == ECONNRESET || e == ETIMEDOUT || e == EPROTO)
			atomic_store(&rpp->error, e);
		errno = e;
		return -1;
	}
	return succeeded(saved);
}

/*
 * CLOSE of a session that works: answered within the stall limit, or the
 * ssh process is killed; 0 or the positive errno (message set)
 */
static int
close_session(RPMEMpool *rpp)
{
	struct rpmem_msg_close m;
	struct rpmem_msg_close_resp r;
	rpmem_obc_close_msg(&m, 0);
	if (rpmem_sess_exchange(rpp->ssh, &m, sizeof(m), &r,
		    RPMEM_MSG_TYPE_CLOSE_RESP, "close request failed",
		    (int)Stall_ms, 200, NULL)) {
		int err = errno;
		rpmem_fip_fini(rpp->fip);
		rpmem_ssh_abort(rpp->ssh);
		return err;
	}
	rpmem_fip_fini(rpp->fip);
	rpmem_ssh_close(rpp->ssh);
	return 0;
}

RPMEM_API int
rpmem_close(RPMEMpool *rpp)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p", (void *)rpp);
	if (rpp == NULL) {
		ERR("invalid pool handle -- NULL");
		errno = EINVAL;
		return -1;
	}
	/*
	 * a session known to be lost is not waited for again: the daemon
	 * gets a moment to answer CLOSE (it is there when only the lanes
	 * failed) and ssh is killed otherwise; the daemon ends by itself
	 */
	int lost = session_lost(rpp);
	int pinged = rpmem_live_stop(rpp->live, lost != 0);
	rpp->live = NULL;
	if (lost == 0)
		lost = pinged;
	rpmem_fip_shutdown(rpp->fip);
	int err = 0;
	if (lost) {
		(void)rpmem_sess_close(rpp->ssh, 0, CLOSE_FAILED_MS);
		rpmem_fip_fini(rpp->fip);
		ERR("close: connection to the remote pool lost earlier: %s",
			strerror(lost));
		err = lost;
	} else {
		err = close_session(rpp);
	}
	free(rpp);
	errno = err ? err : saved;
	return err ? -1 : 0;
}

static int
check_range(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
	const char *what, int hdr_check)
{
	if (lane >= rpp->nlanes) {
		ERR("%s: invalid lane number -- %u (lanes: %u)", what, lane,
			rpp->nlanes);
		errno = EINVAL;
		return -1;
	}
	if (hdr_check && offset < RPMEM_POOL_HDR_SIZE) {
		ERR("%s: offset (%zu) in pool is less than %d bytes", what,
			offset, RPMEM_POOL_HDR_SIZE);
		errno = EINVAL;
		return -1;
	}
	if (offset > rpp->size || length > rpp->size - offset ||
		(offset == rpp->size && length == 0 && offset != 0)) {
		ERR("%s: range out of pool -- offset %zu, length %zu, pool "
		    "size %zu",
			what, offset, length, rpp->size);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

RPMEM_API int
rpmem_persist(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
	unsigned flags)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, offset %zu, length %zu, lane %u, flags 0x%x",
		(void *)rpp, offset, length, lane, flags);
	if (unusable(rpp, "persist"))
		return -1;
	if (flags & ~RPMEM_PERSIST_RELAXED) {
		ERR("persist: invalid flags -- 0x%x", flags);
		errno = EINVAL;
		return -1;
	}
	if (check_range(rpp, offset, length, lane, "persist", !rpp->no_headers))
		return -1;
	int ret = rpmem_fip_persist(rpp->fip, offset, length, lane,
		(flags & RPMEM_PERSIST_RELAXED) ? RPMEM_FIP_PERSIST_RELAXED
						: RPMEM_FIP_PERSIST);
	return ret ? fabric_failed(rpp, "persist", ret) : succeeded(saved);
}

RPMEM_API int
rpmem_deep_persist(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, offset %zu, length %zu, lane %u",
		(void *)rpp, offset, length, lane);
	if (unusable(rpp, "deep persist"))
		return -1;
	if (check_range(rpp, offset, length, lane, "deep persist", 1))
		return -1;
	int ret = rpmem_fip_persist(
		rpp->fip, offset, length, lane, RPMEM_FIP_DEEP);
	return ret ? fabric_failed(rpp, "deep persist", ret) : succeeded(saved);
}

RPMEM_API int
rpmem_flush(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
	unsigned flags)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, offset %zu, length %zu, lane %u, flags 0x%x",
		(void *)rpp, offset, length, lane, flags);
	if (unusable(rpp, "flush"))
		return -1;
	if (flags & ~RPMEM_FLUSH_RELAXED) {
		ERR("flush: invalid flags -- 0x%x", flags);
		errno = EINVAL;
		return -1;
	}
	if (check_range(rpp, offset, length, lane, "flush", !rpp->no_headers))
		return -1;
	int ret = rpmem_fip_flush(rpp->fip, offset, length, lane,
		(flags & RPMEM_FLUSH_RELAXED) != 0);
	return ret ? fabric_failed(rpp, "flush", ret) : succeeded(saved);
}

RPMEM_API int
rpmem_drain(RPMEMpool *rpp, unsigned lane, unsigned flags)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, lane %u, flags 0x%x", (void *)rpp, lane,
		flags);
	if (unusable(rpp, "drain"))
		return -1;
	if (flags != 0) {
		ERR("drain: invalid flags -- 0x%x", flags);
		errno = EINVAL;
		return -1;
	}
	if (lane >= rpp->nlanes) {
		ERR("drain: invalid lane number -- %u (lanes: %u)", lane,
			rpp->nlanes);
		errno = EINVAL;
		return -1;
	}
	int ret = rpmem_fip_drain(rpp->fip, lane);
	return ret ? fabric_failed(rpp, "drain", ret) : succeeded(saved);
}

RPMEM_API int
rpmem_read(
	RPMEMpool *rpp, void *buff, size_t offset, size_t length, unsigned lane)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, buff %p, offset %zu, length %zu, lane %u",
		(void *)rpp, buff, offset, length, lane);
	if (unusable(rpp, "read"))
		return -1;
	if (buff == NULL && length != 0) {
		ERR("read: invalid buffer -- NULL");
		errno = EINVAL;
		return -1;
	}
	if (check_range(rpp, offset, length, lane, "read", 0))
		return -1;
	int ret = rpmem_fip_read(rpp->fip, buff, offset, length, lane);
	return ret ? fabric_failed(rpp, "read", ret) : succeeded(saved);
}

RPMEM_API int
rpmem_remove(const char *target, const char *pool_set, int flags)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "target %s, pool set %s, flags 0x%x",
		target ? target : "(null)", pool_set ? pool_set : "(null)",
		flags);
	if (flags & ~(RPMEM_REMOVE_FORCE | RPMEM_REMOVE_POOL_SET)) {
		ERR("invalid flags specified -- 0x%x", flags);
		errno = EINVAL;
		return -1;
	}
	if (target == NULL || pool_set == NULL || pool_set[0] == '\0') {
		ERR("invalid %s -- NULL or empty",
			target == NULL ? "target" : "pool set name");
		errno = EINVAL;
		return -1;
	}
	struct rpmem_target t;
	if (target_parse(target, &t))
		return -1;
	const char *rpmemd = next_cmd();
	if (rpmemd == NULL)
		return -1;
	char *cmd = rpmem_remove_cmd(rpmemd, pool_set, flags);
	if (cmd == NULL) {
		ERR_W_ERRNO("cannot build remove command");
		return -1;
	}
	struct rpmem_ssh *ssh =
		rpmem_sess_spawn(&t, 0, cmd, "remote command failed");
	free(cmd);
	if (ssh == NULL)
		return -1;
	int ret = rpmem_ssh_wait_eof(ssh, REMOVE_TIMEOUT_MS);
	char text[4096];
	rpmem_ssh_stderr(ssh, text, sizeof(text), STDERR_TIMEOUT_MS);
	int status = rpmem_ssh_close(ssh);
	if (ret) {
		ERR("waiting for remote command failed: %s%s%s", strerror(-ret),
			text[0] ? " -- " : "", text);
		errno = -ret;
		return -1;
	}
	if (status != 0) {
		int e = status > 0 ? status : ECONNRESET;
		ERR("remote command failed: %s%s%s",
			status > 0 ? strerror(e) : "killed by a signal",
			text[0] ? " -- " : "", text);
		errno = e;
		return -1;
	}
	return succeeded(saved);
}

RPMEM_API const char *
rpmem_check_version(unsigned major_required, unsigned minor_required)
{
	if (major_required != RPMEM_MAJOR_VERSION) {
		ERR("librpmem major version mismatch (need %u, found %u)",
			major_required, RPMEM_MAJOR_VERSION);
		return err_msg();
	}
	if (minor_required > RPMEM_MINOR_VERSION) {
		ERR("librpmem minor version mismatch (need %u, found %u)",
			minor_required, RPMEM_MINOR_VERSION);
		return err_msg();
	}
	return NULL;
}

RPMEM_API const char *
rpmem_errormsg(void)
{
	return err_msg();
}
