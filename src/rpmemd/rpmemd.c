/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd.c -- the remote persistent memory daemon: start-up and request loop */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "fdlimit.h"
#include "fabric_server.h"
#include "log.h"
#include "oob.h"
#include "pmem.h"
#include "rpmem_fip_common.h"
#include "rpmemd_log.h"
#include "format/uuid.h"

#define RPMEMD_ACCEPT_TIMEOUT_MS 30000

/* fatal signals that end rpmemd with a log line and the clean-up of a
 * pool it was creating */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* exit statuses (rpmemd(1), EXIT STATUS) */
#define RPMEMD_EXIT_OK 0      /* clean close; --help, --version; removed */
#define RPMEMD_EXIT_REFUSED 1 /* refused or failed; no clean close */
#define EXIT_PROTO 255	      /* bad command line or protocol violation */

enum state { STATE_IDLE, STATE_POOL_OPEN };

struct rpmemd {
	struct rpmemd_config cfg;
	struct rpmemd_db db;
	enum state state;
	struct rpmemd_db_pool *pool;
	struct rpmemd_fip *fip;
	char node[64];
	int node_defaulted; /* no SSH_CONNECTION: loopback */
	char peer[64];	    /* the ssh client's address, "" unknown */
	int in_fd;
	int out_fd;
	int exit_status; /* when serving stops after a handled request */
	int live;	 /* the client pings: its silence ends the session */
};

/*
 * one line for the client (ssh stderr) and one in the log at err level;
 * log_line NULL: the same text. A refusal whose log line keeps PMDK's
 * shape sends the client our fuller reason, which the log keeps at debug
 * level.
 */
static void fail_log(const char *log_line, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void
fail_log(const char *log_line, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "rpmemd: %s\n", buf);
	fflush(stderr);
	RPMEMD_LOG(ERR, "%s", log_line ? log_line : buf);
	if (log_line && strcmp(log_line, buf) != 0)
		RPMEMD_LOG(DBG, "%s", buf);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_log(NULL, fmt, ap);
	va_end(ap);
}

/* fail() with a log line of its own */
static void fail_as(const char *log_line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void
fail_as(const char *log_line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_log(log_line, fmt, ap);
	va_end(ap);
}

static enum rpmem_status
errno_to_status(int err)
{
	switch (err) {
	case EEXIST:
		return RPMEM_ERR_EXISTS;
	case EACCES:
		return RPMEM_ERR_NOACCESS;
	case ENOENT:
		return RPMEM_ERR_NOEXIST;
	case EWOULDBLOCK:
	case ESTALE: /* a part removed or replaced by another process */
		return RPMEM_ERR_BUSY;
	case EBADF:
		return RPMEM_ERR_BADNAME;
	case EINVAL:
		return RPMEM_ERR_POOL_CFG;
	default:
		return RPMEM_ERR_FATAL;
	}
}

static void
server_node(struct rpmemd *d)
{
	const char *ssh = getenv("SSH_CONNECTION");
	char buf[256];
	d->node[0] = '\0';
	d->peer[0] = '\0';
	if (ssh != NULL) {
		/* "<client address> <client port> <server address> <port>" */
		snprintf(buf, sizeof(buf), "%s", ssh);
		char *save = NULL;
		char *tok = strtok_r(buf, " ", &save);
		if (tok != NULL)
			snprintf(d->peer, sizeof(d->peer), "%s", tok);
		for (int i = 0; tok != NULL && i < 2; i++)
			tok = strtok_r(NULL, " ", &save);
		if (tok != NULL)
			snprintf(d->node, sizeof(d->node), "%s", tok);
	}
	if (d->node[0] == '\0') {
		d->node_defaulted = 1;
		snprintf(d->node, sizeof(d->node), "127.0.0.1");
		RPMEMD_LOG(NOTICE,
			"SSH_CONNECTION not set or malformed, listening on %s",
			d->node);
	}
}

/* PMDK's names of the persist methods */
static const char *
method_name(enum rpmem_persist_method m)
{
	return m == RPMEM_PM_APM ? "Appliance Persistency Method"
				 : "General Purpose Server Persistency Method";
}

static void
log_uuid(const char *name, const unsigned char *u)
{
	char s[UUID_STR_LEN];
	uuid_to_str(u, s);
	RPMEMD_LOG(INFO, "    %s: %s", name, s);
}

/* "<title>" and the attributes, in PMDK's lines ("NULL" for none) */
static void
log_attr(const char *title, const struct rpmem_pool_attr_packed *a)
{
	RPMEMD_LOG(NOTICE, "%s", title);
	if (a == NULL) {
		RPMEMD_LOG(INFO, "    NULL");
		return;
	}
	RPMEMD_LOG(INFO, "    signature: '%.8s'", a->signature);
	RPMEMD_LOG(INFO, "    major: %u", a->major);
	RPMEMD_LOG(INFO, "    compat_features: 0x%x", a->compat_features);
	RPMEMD_LOG(INFO, "    incompat_features: 0x%x", a->incompat_features);
	RPMEMD_LOG(INFO, "    ro_compat_features: 0x%x", a->ro_compat_features);
	log_uuid("poolset_uuid", a->poolset_uuid);
	log_uuid("uuid", a->uuid);
	log_uuid("next_uuid", a->next_uuid);
	log_uuid("prev_uuid", a->prev_uuid);
}

static void
log_req(const char *what, const struct rpmemd_req *r)
{
	RPMEMD_LOG(NOTICE, "%s request:", what);
	RPMEMD_LOG(NOTICE, "    pool descriptor: '%s'", r->desc);
	RPMEMD_LOG(NOTICE, "    pool size: %llu",
		(unsigned long long)r->pool_size);
	RPMEMD_LOG(NOTICE, "    nlanes: %u", r->nlanes);
	RPMEMD_LOG(NOTICE, "    provider: %s",
		rpmem_provider_name(r->provider)
			? rpmem_provider_name(r->provider)
			: "?");
	RPMEMD_LOG(NOTICE, "    buff_size: %llu",
		(unsigned long long)r->buff_size);
	if (r->type == RPMEM_MSG_TYPE_CREATE)
		log_attr("pool attributes:", r->has_attr ? &r->attr : NULL);
}

/*
 * the successful response as PMDK logs it, and its next line (logged here,
 * before the response goes out, so that it precedes the lanes' connection);
 * then our own: how the lanes fit, a legacy client
 */
static void
log_resp(const struct rpmemd_req *r, const struct rpmem_msg_ibc_attr *ibc,
	const struct rpmemd_fdplan *plan)
{
	const char *what = r->type == RPMEM_MSG_TYPE_CREATE ? "create" : "open";
	RPMEMD_LOG(NOTICE, "%s request response: (status = 0)", what);
	RPMEMD_LOG(NOTICE, "    port: %u", ibc->port);
	RPMEMD_LOG(NOTICE, "    rkey: 0x%llx", (unsigned long long)ibc->rkey);
	RPMEMD_LOG(NOTICE, "    raddr: 0x%llx", (unsigned long long)ibc->raddr);
	RPMEMD_LOG(NOTICE, "    nlanes: %u", ibc->nlanes);
	RPMEMD_LOG(NOTICE, "    persist method: %s",
		method_name(ibc->persist_method));
	RPMEMD_LOG(INFO, "waiting for in-band connection");
	rpmemd_fdlimit_log(plan);
	if (!r->auth)
		RPMEMD_LOG(NOTICE,
			"legacy client: fabric connections are not bound to "
			"this session (unauthenticated)");
}

/* stop the fabric; returns 0 when the accept phase had succeeded */
static int
stop_fabric(struct rpmemd *d)
{
	if (d->fip == NULL)
		return -ENOTCONN;
	int ret = rpmemd_fip_stop(d->fip);
	rpmemd_fip_fini(d->fip);
	d->fip = NULL;
	return ret;
}

/* how a pool ends */
enum pool_end {
	POOL_KEEP,    /* the session ended normally, or an opened pool */
	POOL_DISCARD, /* a create failed: remove the parts it made */
	POOL_REMOVE,  /* the client asked to remove the pool: every part */
};

static void
close_pool(struct rpmemd *d, enum pool_end how)
{
	if (d->pool == NULL)
		return;
	if (rpmemd_db_pool_guard_hdr(d->pool))
		RPMEMD_LOG(ERR, "the client wrote over the pool header; its "
				"write did not reach the part file");
	int ret;
	if (how == POOL_DISCARD)
		ret = rpmemd_db_pool_discard(d->pool);
	else
		ret = rpmemd_db_pool_close(d->pool,
			how == POOL_REMOVE ? POOLSET_REMOVE_ALL : POOLSET_KEEP);
	if (ret)
		RPMEMD_LOG(ERR, "closing the pool failed: %s", strerror(-ret));
	else if (how != POOL_KEEP)
		RPMEMD_LOG(NOTICE, "removed the part files of the pool");
	d->pool = NULL;
	d->state = STATE_IDLE;
}

/*
 * The one way out of a session that failed: the fabric is stopped and a
 * pool this session created whose lanes never all connected is removed
 * (only the part files this process created and holds locked); a pool
 * that was opened, or whose lanes were up, is kept.
 */
static void
end_failed_session(struct rpmemd *d)
{
	int acc = stop_fabric(d);
	if (d->pool == NULL)
		return;
	close_pool(
		d, (d->pool->created && acc != 0) ? POOL_DISCARD : POOL_KEEP);
}

static int
reply(struct rpmemd *d, uint32_t type, uint32_t status,
	const struct rpmem_msg_ibc_attr *ibc,
	const struct rpmem_pool_attr_packed *attr)
{
	if (rpmemd_oob_send_resp(d->out_fd, type, status, ibc, attr)) {
		RPMEMD_LOG(ERR, "sending response failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* the request is refused with status; rpmemd then exits with
 * RPMEMD_EXIT_REFUSED; returns 0 (stop serving) */
static int
refuse(struct rpmemd *d, uint32_t type, enum rpmem_status st)
{
	d->exit_status = RPMEMD_EXIT_REFUSED;
	reply(d, type, st, NULL, NULL);
	return 0;
}

/* fresh random session secret; -1 with errno on failure */
static int
new_secret(unsigned char *s)
{
	size_t got = 0;
	while (got < RPMEM_AUTH_SECRET_LEN) {
		ssize_t r = getrandom(s + got, RPMEM_AUTH_SECRET_LEN - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* the AUTH message that follows a successful response (rpmem_proto.h) */
static int
send_secret(struct rpmemd *d, unsigned char *secret)
{
	struct rpmem_msg_auth m;
	m.hdr.status = RPMEM_SUCCESS;
	m.hdr.type = RPMEM_MSG_TYPE_AUTH;
	m.hdr.size = sizeof(m);
	rpmem_hton_msg_hdr_resp(&m.hdr);
	memcpy(m.secret, secret, sizeof(m.secret));
	explicit_bzero(secret, RPMEM_AUTH_SECRET_LEN);
	int ret = rpmemd_oob_write(d->out_fd, &m, sizeof(m));
	explicit_bzero(&m, sizeof(m));
	if (ret) {
		RPMEMD_LOG(ERR, "sending the session secret failed: %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * the LIVE message after AUTH: the client is to ping three times per
 * liveness timeout (rpmem_proto.h); from now on its silence counts
 */
static int
send_live(struct rpmemd *d)
{
	uint32_t timeout_ms = d->cfg.liveness_timeout * 1000U;
	if (rpmemd_oob_send_live(d->out_fd, timeout_ms / 3, timeout_ms)) {
		RPMEMD_LOG(ERR, "sending the liveness parameters failed: %s",
			strerror(errno));
		return -1;
	}
	d->live = 1;
	RPMEMD_LOG(INFO,
		"client pings; its session ends after %u s without "
		"a message",
		d->cfg.liveness_timeout);
	return 0;
}

/* may a CREATE/OPEN be served: 0 yes, -1 it was refused */
static int
admit(struct rpmemd *d, const struct rpmemd_req *r, const char *what)
{
	if (d->state != STATE_IDLE) {
		/* as PMDK: the session ends; a created pool whose lanes
		 * never connected does not stay behind */
		fail("%s request while a pool is already open", what);
		end_failed_session(d);
		refuse(d, r->type, RPMEM_ERR_FATAL);
		return -1;
	}
	if (r->provider == RPMEM_PROV_LIBFABRIC_SOCKETS &&
		!d->cfg.allow_sockets) {
		fail("the sockets provider is not served: its listeners "
		     "cannot be protected (allow-sockets is not set)");
		refuse(d, r->type, RPMEM_ERR_PROVNOSUP);
		return -1;
	}
	if (!r->auth && d->cfg.require_auth) {
		fail("legacy client without session binding refused "
		     "(require-auth is set)");
		refuse(d, r->type, RPMEM_ERR_NOACCESS);
		return -1;
	}
	return 0;
}

/* the pool set against the request: RPMEM_SUCCESS or the refusal */
static enum rpmem_status
check_size(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (r->pool_size == 0) {
		fail("invalid pool size 0 requested for -- '%s'", r->desc);
		return RPMEM_ERR_BADSIZE;
	}
	if (d->pool->size < RPMEM_MIN_POOL_SIZE) {
		fail("pool set -- '%s' too small: %zu bytes", r->desc,
			d->pool->size);
		return RPMEM_ERR_POOL_CFG;
	}
	if (d->pool->size < r->pool_size) {
		fail("pool set -- '%s' has %zu bytes, %llu requested", r->desc,
			d->pool->size, (unsigned long long)r->pool_size);
		return RPMEM_ERR_BADSIZE;
	}
	return RPMEM_SUCCESS;
}

static void
log_policy(const struct rpmemd_fip_attr *fa)
{
	RPMEMD_LOG(DBG, "persistency policy:");
	RPMEMD_LOG(DBG, "    persist method: %s", method_name(fa->method));
	RPMEMD_LOG(DBG, "    persist flush: %s",
		fa->method == RPMEM_PM_APM
			? "none"
			: (fa->is_pmem ? "pmem_persist" : "pmem_msync"));
}

/*
 * A persist the node could not make durable (the fabric server holds its
 * response back and answers no other). Persist responses carry no status,
 * so the session ends: the part, the range and the error go to the log
 * and to the client (ssh stderr), and rpmemd exits at once, which closes
 * every lane and the ssh channel, so that the client's call fails. The
 * pool stays as it is; its lock ends with the process.
 */
static void
persist_failed(unsigned lane, const void *addr, size_t len, int err)
{
	const char *part = NULL;
	size_t off = 0, pool_off = 0;
	char where[PATH_MAX + 64];
	if (rpmemd_db_locate(addr, &part, &off, &pool_off) == 0)
		snprintf(where, sizeof(where),
			"part '%s' at offset %zu (pool offset %zu)", part, off,
			pool_off);
	else
		snprintf(where, sizeof(where), "the pool at %p", addr);
	fail("persist on lane %u not acknowledged: msync of %zu bytes of %s "
	     "failed: %s; ending the session",
		lane, len, where, strerror(-err));
	_exit(RPMEMD_EXIT_REFUSED);
}

/* set up and start the fabric for the open pool; RPMEM_SUCCESS or the
 * status for the client */
static enum rpmem_status
fabric_up(struct rpmemd *d, const struct rpmemd_req *r,
	const unsigned char *secret, struct rpmem_msg_ibc_attr *ibc,
	struct rpmemd_fdplan *plan)
{
	rpmemd_fdlimit_plan(
		r->provider, r->nlanes, (unsigned)d->cfg.nthreads, plan);
	struct rpmemd_fip_attr fa = {
		.addr = d->pool->addr,
		.size = (size_t)r->pool_size,
		.nlanes = plan->nlanes,
		.provider = r->provider,
		.buff_size = r->buff_size,
		.method = (d->cfg.persist_apm && d->pool->is_pmem)
				  ? RPMEM_PM_APM
				  : RPMEM_PM_GPSPM,
		.is_pmem = d->pool->is_pmem,
		.nthreads = plan->nthreads,
		.node = d->node,
		.accept_timeout_ms = RPMEMD_ACCEPT_TIMEOUT_MS,
		.secret = secret,
		.peer = (d->cfg.check_source && d->peer[0]) ? d->peer : NULL,
		.connected = rpmemd_db_crash_disarm,
		.persist_failed = persist_failed,
	};
	log_policy(&fa);
	enum rpmem_status st = RPMEM_ERR_FATAL;
	int ret = rpmemd_fip_init(&fa, &d->fip, ibc, &st);
	if (ret == -ENOMEDIUM && d->node_defaulted &&
		r->provider != RPMEM_PROV_LIBFABRIC_SOCKETS) {
		/* loopback without IPv4: try IPv6 (sockets has no IPv6) */
		snprintf(d->node, sizeof(d->node), "::1");
		RPMEMD_LOG(
			NOTICE, "no fabric on 127.0.0.1, trying %s", d->node);
		ret = rpmemd_fip_init(&fa, &d->fip, ibc, &st);
	}
	if (ret == 0) {
		ret = rpmemd_fip_start(d->fip);
		if (ret) {
			st = RPMEM_ERR_FATAL;
			rpmemd_fip_fini(d->fip);
			d->fip = NULL;
		}
	}
	if (ret == 0)
		return RPMEM_SUCCESS;
	const char *prov = rpmem_provider_name(r->provider);
	fail("cannot set up the %s fabric on %s: %s", prov ? prov : "unknown",
		d->node, strerror(-ret));
	return st;
}

/* map the pool set named by the request; 0 or refused (-1) */
static int
pool_up(struct rpmemd *d, const struct rpmemd_req *r,
	struct rpmem_pool_attr_packed *attr)
{
	int create = r->type == RPMEM_MSG_TYPE_CREATE;
	int ret;
	if (create)
		ret = rpmemd_db_pool_create(&d->db, r->desc,
			r->has_attr ? &r->attr : NULL, &d->pool);
	else
		ret = rpmemd_db_pool_open(&d->db, r->desc, &d->pool, attr);
	if (ret) {
		char line[512];
		snprintf(line, sizeof(line),
			"cannot %s pool set -- '%s/%s': %s",
			create ? "create" : "open", d->db.root, r->desc,
			strerror(-ret));
		fail_as(line, "cannot %s pool set -- '%s': %s",
			create ? "create" : "open", r->desc,
			rpmemd_db_strerror(ret));
		d->pool = NULL;
		refuse(d, r->type, errno_to_status(-ret));
		return -1;
	}
	if (!create)
		log_attr("pool attributes:", attr);
	d->state = STATE_POOL_OPEN;
	if (d->pool->unreserved != NULL)
		RPMEMD_LOG(NOTICE,
			"the file system of part '%s' cannot reserve blocks: "
			"if it fills up, a write to the pool ends rpmemd",
			d->pool->unreserved);
	if (create) /* a crash from here on removes what the create made */
		rpmemd_db_crash_arm(d->pool);
	enum rpmem_status st = check_size(d, r);
	if (st != RPMEM_SUCCESS) {
		end_failed_session(d);
		refuse(d, r->type, st);
		return -1;
	}
	return 0;
}

/* CREATE or OPEN; returns 1 to keep serving, 0 to exit */
static int
open_or_create(struct rpmemd *d, const struct rpmemd_req *r)
{
	const char *what = r->type == RPMEM_MSG_TYPE_CREATE ? "create" : "open";
	struct rpmem_pool_attr_packed attr;
	memset(&attr, 0, sizeof(attr));
	log_req(what, r);
	if (admit(d, r, what))
		return 0;
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	if (r->auth && new_secret(secret)) {
		fail("cannot generate the session secret: %s", strerror(errno));
		return refuse(d, r->type, RPMEM_ERR_FATAL);
	}
	if (pool_up(d, r, &attr))
		return 0;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmemd_fdplan plan;
	enum rpmem_status st =
		fabric_up(d, r, r->auth ? secret : NULL, &ibc, &plan);
	if (st != RPMEM_SUCCESS) {
		explicit_bzero(secret, sizeof(secret));
		end_failed_session(d);
		return refuse(d, r->type, st);
	}
	log_resp(r, &ibc, &plan);
	int live = r->auth && r->live;
	if (r->auth)
		ibc.persist_method |= RPMEM_AUTH_PM_FLAG;
	if (live)
		ibc.persist_method |= RPMEM_LIVE_PM_FLAG;
	int sent = reply(d, r->type, RPMEM_SUCCESS, &ibc, &attr) == 0 &&
		   (!r->auth || send_secret(d, secret) == 0) &&
		   (!live || send_live(d) == 0);
	explicit_bzero(secret, sizeof(secret));
	if (!sent) {
		end_failed_session(d);
		d->exit_status = RPMEMD_EXIT_REFUSED;
		return 0;
	}
	return 1;
}

static int
set_attr(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (d->state != STATE_POOL_OPEN) {
		fail("set attributes request without an open pool");
		reply(d, r->type, RPMEM_ERR_FATAL, NULL, NULL);
		return 1;
	}
	RPMEMD_LOG(NOTICE, "set attributes request");
	log_attr("new pool attributes:", r->has_attr ? &r->attr : NULL);
	int ret =
		rpmemd_db_pool_set_attr(d->pool, r->has_attr ? &r->attr : NULL);
	if (ret)
		fail("cannot set pool attributes: %s", rpmemd_db_strerror(ret));
	reply(d, r->type, ret ? errno_to_status(-ret) : RPMEM_SUCCESS, NULL,
		NULL);
	return 1;
}

/* CLOSE: exit 0 only when the pool closed cleanly */
static int
do_close(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (d->state != STATE_POOL_OPEN) {
		fail("close request without an open pool");
		return refuse(d, r->type, RPMEM_ERR_FATAL);
	}
	int acc = stop_fabric(d);
	if (acc) {
		fail("in-band connection was not established: %s",
			strerror(-acc));
		close_pool(d, d->pool->created ? POOL_DISCARD : POOL_KEEP);
		return refuse(d, r->type, RPMEM_ERR_FATAL);
	}
	int remove =
		d->pool->created && (r->close_flags & RPMEM_CLOSE_FLAGS_REMOVE);
	close_pool(d, remove ? POOL_REMOVE : POOL_KEEP);
	reply(d, r->type, RPMEM_SUCCESS, NULL, NULL);
	return 0;
}

/* client gone: release everything */
static void
on_disconnect(struct rpmemd *d)
{
	if (d->state == STATE_POOL_OPEN)
		end_failed_session(d);
}

/*
 * A client that pings went silent for the liveness timeout: the link or
 * the client is gone, while sshd may hold the channel open for hours.
 * The session ends as if the channel had: nothing more is written to it
 * (a full pipe to sshd must not block the exit).
 */
static int
client_silent(struct rpmemd *d)
{
	RPMEMD_LOG(ERR,
		"client unreachable: no message on the ssh channel for %u s; "
		"ending the session",
		d->cfg.liveness_timeout);
	on_disconnect(d);
	return RPMEMD_EXIT_REFUSED;
}

/* PING: PONG in a session that negotiated it, else an invalid request */
static int
ping(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (d->live && reply(d, r->type, RPMEM_SUCCESS, NULL, NULL) == 0)
		return 1;
	if (d->live) { /* the channel is gone */
		on_disconnect(d);
		d->exit_status = RPMEMD_EXIT_REFUSED;
		return 0;
	}
	fail("invalid request: invalid message type");
	on_disconnect(d);
	(void)rpmemd_oob_send_status(d->out_fd, EPROTO);
	d->exit_status = EXIT_PROTO;
	return 0;
}

static int
serve(struct rpmemd *d)
{
	static unsigned char buf[RPMEMD_MAX_MSG];
	for (;;) {
		uint32_t type;
		const char *why = "";
		int timeout_ms =
			d->live ? (int)(d->cfg.liveness_timeout * 1000U) : -1;
		ssize_t n =
			rpmemd_oob_recv(d->in_fd, buf, &type, &why, timeout_ms);
		if (n < 0 && errno == ETIMEDOUT)
			return client_silent(d);
		if (n == 0) {
			RPMEMD_LOG(NOTICE, "client disconnected");
			on_disconnect(d);
			(void)rpmemd_oob_send_status(d->out_fd, ECONNRESET);
			return 1;
		}
		if (n < 0) {
			int err = errno;
			if (err != EPROTO) {
				fail("receiving request failed: %s: %s", why,
					strerror(err));
				on_disconnect(d);
				(void)rpmemd_oob_send_status(d->out_fd, err);
				return 1;
			}
			fail("invalid request: %s", why);
			on_disconnect(d);
			if (rpmemd_oob_resp_type(type))
				reply(d, type, RPMEM_ERR_FATAL, NULL, NULL);
			else
				(void)rpmemd_oob_send_status(d->out_fd, EPROTO);
			return EXIT_PROTO;
		}
		struct rpmemd_req req;
		enum rpmem_status st =
			rpmemd_oob_decode(buf, (size_t)n, &req, &why);
		if (st != RPMEM_SUCCESS) {
			fail("invalid request: %s", why);
			on_disconnect(d);
			reply(d, type, st, NULL, NULL);
			return EXIT_PROTO;
		}
		int more;
		switch (req.type) {
		case RPMEM_MSG_TYPE_CREATE:
		case RPMEM_MSG_TYPE_OPEN:
			more = open_or_create(d, &req);
			break;
		case RPMEM_MSG_TYPE_SET_ATTR:
			more = set_attr(d, &req);
			break;
		case RPMEM_MSG_TYPE_PING:
			more = ping(d, &req);
			break;
		default:
			more = do_close(d, &req);
			break;
		}
		if (!more)
			return d->exit_status;
	}
}

/* async-signal-safe: appends s to the string in buf */
static void
crash_add(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);
	while (*s && o + 1 < len)
		buf[o++] = *s++;
	buf[o] = '\0';
}

/* async-signal-safe: appends n in decimal to the string in buf */
static void
crash_add_num(char *buf, size_t len, unsigned long long n)
{
	char num[24];
	int i = (int)sizeof(num) - 1;
	num[i] = '\0';
	do {
		num[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0 && i > 0);
	crash_add(buf, len, num + i);
}

/*
 * A SIGBUS in the pool is a page the kernel could not back (an I/O error,
 * a full file system under a part without reserved blocks, a part cut
 * short by someone else): the line names the part and the offset.
 */
static void
on_fatal_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char line[PATH_MAX + 256];
	const char *part;
	size_t off, pool_off;
	/* si_addr holds the address only when the kernel sent the signal */
	int in_pool =
		(sig == SIGBUS || sig == SIGSEGV) && si != NULL &&
		si->si_code > 0 &&
		rpmemd_db_locate(si->si_addr, &part, &off, &pool_off) == 0;
	int removed = rpmemd_db_crash_cleanup();
	line[0] = '\0';
	crash_add(line, sizeof(line), "fatal signal ");
	crash_add_num(line, sizeof(line), (unsigned)sig);
	if (in_pool) {
		crash_add(line, sizeof(line), " at offset ");
		crash_add_num(line, sizeof(line), off);
		crash_add(line, sizeof(line), " of part '");
		crash_add(line, sizeof(line), part);
		crash_add(line, sizeof(line), "' (pool offset ");
		crash_add_num(line, sizeof(line), pool_off);
		crash_add(line, sizeof(line),
			sig == SIGBUS ? "): the page could not be read or "
					"written (I/O error, no space left, "
					"or the part file was truncated)"
				      : ")");
	}
	if (removed)
		crash_add(line, sizeof(line),
			"; removed the part files of the pool being created");
	rpmemd_log_crash(line);
	/* SA_RESETHAND: the default action ends the process */
	raise(sig);
}

static void
catch_fatal_signals(void)
{
	static char altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	(void)sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
		i++)
		(void)sigaction(fatal_signals[i], &sa, NULL);
}

/* --remove: the exit status is 0 or the errno of the failure */
static int
remove_mode(struct rpmemd *d)
{
	int ret = rpmemd_db_pool_remove(
		&d->db, d->cfg.rm_poolset, d->cfg.force, d->cfg.pool_set);
	if (ret)
		fail("cannot remove pool set -- '%s': %s", d->cfg.rm_poolset,
			rpmemd_db_strerror(ret));
	else
		RPMEMD_LOG(NOTICE, "removed '%s'", d->cfg.rm_poolset);
	return -ret;
}

static const char *
yes_no(int v)
{
	return v ? "yes" : "no";
}

/* the session's start, in PMDK's lines; our own settings at debug level */
static void
log_startup(struct rpmemd *d)
{
	const char *ssh = getenv("SSH_CONNECTION");
	const char *user = getenv("USER");
	RPMEMD_LOG(NOTICE, "ssh connection: %s", ssh ? ssh : "(null)");
	RPMEMD_LOG(NOTICE, "user: %s", user ? user : "(null)");
	RPMEMD_LOG(NOTICE, "configuration");
	RPMEMD_LOG(NOTICE, "    pool set directory: '%s'", d->db.root);
	RPMEMD_LOG(NOTICE, "    persist method: %s",
		method_name(
			d->cfg.persist_apm ? RPMEM_PM_APM : RPMEM_PM_GPSPM));
	RPMEMD_LOG(NOTICE, "    number of threads: %lu", d->cfg.nthreads);
	RPMEMD_LOG(DBG, "    persist APM: %s", yes_no(d->cfg.persist_apm));
	RPMEMD_LOG(
		DBG, "    persist GPSPM: %s", yes_no(d->cfg.persist_general));
	RPMEMD_LOG(DBG, "    use syslog: %s", yes_no(d->cfg.use_syslog));
	RPMEMD_LOG(DBG, "    log file: %s",
		d->cfg.log_file ? d->cfg.log_file : "(null)");
	RPMEMD_LOG(DBG, "    log level: %s",
		rpmemd_log_level_to_str(d->cfg.log_level));
	RPMEMD_LOG(DBG, "    require auth: %s", yes_no(d->cfg.require_auth));
	RPMEMD_LOG(DBG, "    allow sockets: %s", yes_no(d->cfg.allow_sockets));
	RPMEMD_LOG(DBG, "    liveness timeout: %u s", d->cfg.liveness_timeout);
}

/* the version first, then the memory layer's choice and the fd limits */
static void
log_version(const struct rpmemd *d)
{
	RPMEMD_LOG(INFO, "rpmemd version %s", RPMEMD_VERSION);
	/* the probe again, for its warnings about PMEM_* knobs only */
	log_set_level(LOG_LVL_WARN);
	pm_reinit();
	rpmemd_log_set_level(d->cfg.log_level);
	char line[PM_DESCRIBE_LEN];
	pm_describe(line, sizeof(line));
	RPMEMD_LOG(DBG, "%s", line);
	rpmemd_fdlimit_raise();
}

/*
 * Configuration, log and pool set directory: -1 when rpmemd may go on,
 * otherwise its exit status (the failure already reported).
 */
static int
start_up(struct rpmemd *d, int argc, char *argv[])
{
	char err[512];
	int errnum = 0;
	enum rpmemd_config_result cr = rpmemd_config_read(
		&d->cfg, argc, argv, &errnum, err, sizeof(err));
	int rm = d->cfg.rm_poolset != NULL;
	if (cr == RPMEMD_CFG_EXIT)
		return RPMEMD_EXIT_OK;
	if (cr == RPMEMD_CFG_BAD_ARGS) {
		if (err[0])
			fail("%s", err);
		return EXIT_PROTO;
	}
	if (cr == RPMEMD_CFG_BAD_FILE) {
		fail("%s", err[0] ? err : strerror(errnum));
		goto err;
	}
	rpmemd_log_set_level(d->cfg.log_level);
	if (rpmemd_log_init("rpmemd", d->cfg.log_file, d->cfg.use_syslog)) {
		errnum = errno;
		fail("cannot open log file -- '%s': %s", d->cfg.log_file,
			strerror(errnum));
		goto err;
	}
	log_version(d);
	int ret = rpmemd_db_init(&d->db, d->cfg.poolset_dir);
	if (ret) {
		errnum = -ret;
		fail("cannot use pool set directory -- '%s': %s",
			d->cfg.poolset_dir, strerror(errnum));
		goto err;
	}
	return -1;
err:
	if (!rm)
		(void)rpmemd_oob_send_status(d->out_fd, (uint32_t)errnum);
	return rm ? errnum : RPMEMD_EXIT_REFUSED;
}

int
main(int argc, char *argv[])
{
	struct rpmemd d;
	memset(&d, 0, sizeof(d));
	d.in_fd = STDIN_FILENO;
	d.out_fd = STDOUT_FILENO;
	signal(SIGPIPE, SIG_IGN);
	catch_fatal_signals();
	rpmemd_log_init("rpmemd", NULL, 0);

	int ret = start_up(&d, argc, argv);
	if (ret >= 0) {
		rpmemd_config_free(&d.cfg);
		rpmemd_log_close();
		return ret;
	}
	if (d.cfg.rm_poolset != NULL) {
		ret = remove_mode(&d);
	} else if (rpmemd_oob_send_status(d.out_fd, 0)) {
		RPMEMD_LOG(ERR, "cannot send the initial status: %s",
			strerror(errno));
		ret = RPMEMD_EXIT_REFUSED;
	} else {
		rpmemd_fip_warm_up();
		log_startup(&d);
		server_node(&d);
		ret = serve(&d);
		rpmemd_fip_warm_up_wait();
	}
	rpmemd_db_fini(&d.db);
	rpmemd_config_free(&d.cfg);
	rpmemd_log_close();
	return ret;
}
