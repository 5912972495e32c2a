/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * request.c -- one client's requests: create or open a pool and bring its
 * fabric up, set attributes, ping, close; the replies, the session secret
 * and liveness parameters, and the way out of a failed session
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "request.h"
#include "rpmem_fip_common.h"
#include "rpmem_provider.h"
#include "rpmemd_log.h"
#include "format/random.h"

#define RPMEMD_ACCEPT_TIMEOUT_MS 30000

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
	int ret = random_bytes(s, RPMEM_AUTH_SECRET_LEN);
	if (ret == 0)
		return 0;
	errno = -ret;
	return -1;
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
		rpmemd_fail("%s request while a pool is already open", what);
		end_failed_session(d);
		refuse(d, r->type, RPMEM_ERR_FATAL);
		return -1;
	}
	if (rpmem_provider_traits(r->provider)->opt_in &&
		!d->cfg.allow_sockets) {
		rpmemd_fail("the sockets provider is not served: its listeners "
			    "cannot be protected (allow-sockets is not set)");
		refuse(d, r->type, RPMEM_ERR_PROVNOSUP);
		return -1;
	}
	if (!r->auth && d->cfg.require_auth) {
		rpmemd_fail("legacy client without session binding refused "
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
		rpmemd_fail(
			"invalid pool size 0 requested for -- '%s'", r->desc);
		return RPMEM_ERR_BADSIZE;
	}
	if (d->pool->size < RPMEM_MIN_POOL_SIZE) {
		rpmemd_fail("pool set -- '%s' too small: %zu bytes", r->desc,
			d->pool->size);
		return RPMEM_ERR_POOL_CFG;
	}
	if (d->pool->size < r->pool_size) {
		rpmemd_fail("pool set -- '%s' has %zu bytes, %llu requested",
			r->desc, d->pool->size,
			(unsigned long long)r->pool_size);
		return RPMEM_ERR_BADSIZE;
	}
	return RPMEM_SUCCESS;
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
	rpmemd_fail(
		"persist on lane %u not acknowledged: msync of %zu bytes of %s "
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
	rpmemd_log_policy(&fa);
	enum rpmem_status st = RPMEM_ERR_FATAL;
	int ret = rpmemd_fip_init(&fa, &d->fip, ibc, &st);
	if (ret == -ENOMEDIUM && d->node_defaulted &&
		!rpmem_provider_traits(r->provider)->ipv4_only) {
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
	rpmemd_fail("cannot set up the %s fabric on %s: %s",
		prov ? prov : "unknown", d->node, strerror(-ret));
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
		rpmemd_fail_as(line, "cannot %s pool set -- '%s': %s",
			create ? "create" : "open", r->desc,
			rpmemd_db_strerror(ret));
		d->pool = NULL;
		refuse(d, r->type, errno_to_status(-ret));
		return -1;
	}
	if (!create)
		rpmemd_log_attr("pool attributes:", attr);
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
	rpmemd_log_req(what, r);
	if (admit(d, r, what))
		return 0;
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	if (r->auth && new_secret(secret)) {
		rpmemd_fail("cannot generate the session secret: %s",
			strerror(errno));
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
	rpmemd_log_resp(r, &ibc, &plan);
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
		rpmemd_fail("set attributes request without an open pool");
		reply(d, r->type, RPMEM_ERR_FATAL, NULL, NULL);
		return 1;
	}
	RPMEMD_LOG(NOTICE, "set attributes request");
	rpmemd_log_attr("new pool attributes:", r->has_attr ? &r->attr : NULL);
	int ret =
		rpmemd_db_pool_set_attr(d->pool, r->has_attr ? &r->attr : NULL);
	if (ret)
		rpmemd_fail("cannot set pool attributes: %s",
			rpmemd_db_strerror(ret));
	reply(d, r->type, ret ? errno_to_status(-ret) : RPMEM_SUCCESS, NULL,
		NULL);
	return 1;
}

/* CLOSE: exit 0 only when the pool closed cleanly */
static int
do_close(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (d->state != STATE_POOL_OPEN) {
		rpmemd_fail("close request without an open pool");
		return refuse(d, r->type, RPMEM_ERR_FATAL);
	}
	int acc = stop_fabric(d);
	if (acc) {
		rpmemd_fail("in-band connection was not established: %s",
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
	rpmemd_fail("invalid request: invalid message type");
	on_disconnect(d);
	(void)rpmemd_oob_send_status(d->out_fd, EPROTO);
	d->exit_status = EXIT_PROTO;
	return 0;
}

int
rpmemd_serve(struct rpmemd *d)
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
				rpmemd_fail("receiving request failed: %s: %s",
					why, strerror(err));
				on_disconnect(d);
				(void)rpmemd_oob_send_status(d->out_fd, err);
				return 1;
			}
			rpmemd_fail("invalid request: %s", why);
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
			rpmemd_fail("invalid request: %s", why);
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
