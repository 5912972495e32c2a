/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd.c -- the remote persistent memory daemon: start-up and request loop */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "crash.h"
#include "db.h"
#include "fip.h"
#include "oob.h"
#include "rpmem_fip_common.h"
#include "rpmemd_log.h"

#define RPMEMD_ACCEPT_TIMEOUT_MS 30000
#define EXIT_PROTO 255

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
};

/* one line for the client (ssh stderr) and the same text in the log */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
fail(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "rpmemd: %s\n", buf);
	fflush(stderr);
	RPMEMD_LOG(ERR, "%s", buf);
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

static void
log_attr(const struct rpmem_pool_attr_packed *a)
{
	RPMEMD_LOG(INFO, "pool attributes:");
	RPMEMD_LOG(INFO, "    signature: '%.8s'", a->signature);
	RPMEMD_LOG(INFO, "    major: %u", a->major);
	RPMEMD_LOG(INFO, "    compat_features: 0x%x", a->compat_features);
	RPMEMD_LOG(INFO, "    incompat_features: 0x%x", a->incompat_features);
	RPMEMD_LOG(INFO, "    ro_compat_features: 0x%x", a->ro_compat_features);
}

static void
log_req(const char *what, const struct rpmemd_req *r)
{
	RPMEMD_LOG(INFO, "%s request:", what);
	RPMEMD_LOG(INFO, "    pool descriptor: '%s'", r->desc);
	RPMEMD_LOG(
		INFO, "    pool size: %llu", (unsigned long long)r->pool_size);
	RPMEMD_LOG(INFO, "    nlanes: %u", r->nlanes);
	RPMEMD_LOG(INFO, "    provider: %s",
		rpmem_provider_name(r->provider)
			? rpmem_provider_name(r->provider)
			: "?");
	RPMEMD_LOG(
		INFO, "    buff_size: %llu", (unsigned long long)r->buff_size);
	if (r->has_attr)
		log_attr(&r->attr);
}

static void
close_pool(struct rpmemd *d, int remove)
{
	if (d->pool == NULL)
		return;
	int g = remove ? 0 : rpmemd_db_pool_guard_hdr(d->pool);
	if (g > 0)
		RPMEMD_LOG(ERR, "the client wrote over the pool header; the "
				"header rpmemd wrote was put back");
	else if (g < 0)
		RPMEMD_LOG(ERR, "restoring the pool header failed: %s",
			strerror(-g));
	rpmemd_crash_disarm();
	int ret = rpmemd_db_pool_close(
		d->pool, remove ? POOLSET_REMOVE_ALL : POOLSET_KEEP);
	if (ret)
		RPMEMD_LOG(ERR, "closing the pool failed: %s", strerror(-ret));
	d->pool = NULL;
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

/* a crash before the lanes are up removes the parts this create made */
static void
arm_crash_cleanup(const struct rpmemd_db_pool *pool)
{
	const struct poolset_replica *rep = &pool->set->replicas[0];
	const char *paths[rep->nparts ? rep->nparts : 1];
	unsigned n = 0;
	for (unsigned i = 0; i < rep->nparts; i++)
		if (!rep->parts[i].is_dir)
			paths[n++] = rep->parts[i].path;
	if (rpmemd_crash_arm(paths, n))
		RPMEMD_LOG(NOTICE, "a crash now would leave the part files");
}

/* CREATE or OPEN; returns 1 to keep serving, 0 to exit */
static int
open_or_create(struct rpmemd *d, const struct rpmemd_req *r)
{
	int create = r->type == RPMEM_MSG_TYPE_CREATE;
	const char *what = create ? "create" : "open";
	struct rpmem_pool_attr_packed attr;
	memset(&attr, 0, sizeof(attr));
	log_req(what, r);

	if (d->state != STATE_IDLE) {
		fail("%s request while a pool is already open", what);
		stop_fabric(d);
		close_pool(d, 0);
		reply(d, r->type, RPMEM_ERR_FATAL, NULL, NULL);
		return 0;
	}
	if (r->provider == RPMEM_PROV_LIBFABRIC_SOCKETS &&
		!d->cfg.allow_sockets) {
		fail("the sockets provider is not served: its listeners "
		     "cannot be protected (allow-sockets is not set)");
		reply(d, r->type, RPMEM_ERR_PROVNOSUP, NULL, NULL);
		return 0;
	}
	if (!r->auth && d->cfg.require_auth) {
		fail("legacy client without session binding refused "
		     "(require-auth is set)");
		reply(d, r->type, RPMEM_ERR_NOACCESS, NULL, NULL);
		return 0;
	}
	if (!r->auth)
		RPMEMD_LOG(NOTICE,
			"legacy client: fabric connections are not bound to "
			"this session (unauthenticated)");
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	if (r->auth && new_secret(secret)) {
		fail("cannot generate the session secret: %s", strerror(errno));
		reply(d, r->type, RPMEM_ERR_FATAL, NULL, NULL);
		return 0;
	}
	int ret;
	if (create)
		ret = rpmemd_db_pool_create(&d->db, r->desc,
			r->has_attr ? &r->attr : NULL, &d->pool);
	else
		ret = rpmemd_db_pool_open(&d->db, r->desc, &d->pool, &attr);
	if (ret) {
		fail("cannot %s pool set -- '%s': %s", what, r->desc,
			strerror(-ret));
		d->pool = NULL;
		reply(d, r->type, errno_to_status(-ret), NULL, NULL);
		return 0;
	}
	if (create)
		arm_crash_cleanup(d->pool);
	enum rpmem_status st = RPMEM_SUCCESS;
	if (r->pool_size == 0) {
		fail("invalid pool size 0 requested for -- '%s'", r->desc);
		st = RPMEM_ERR_BADSIZE;
	} else if (d->pool->size < RPMEM_MIN_POOL_SIZE) {
		fail("pool set -- '%s' too small: %zu bytes", r->desc,
			d->pool->size);
		st = RPMEM_ERR_POOL_CFG;
	} else if (d->pool->size < r->pool_size) {
		fail("pool set -- '%s' has %zu bytes, %llu requested", r->desc,
			d->pool->size, (unsigned long long)r->pool_size);
		st = RPMEM_ERR_BADSIZE;
	}
	if (st != RPMEM_SUCCESS) {
		close_pool(d, create);
		reply(d, r->type, st, NULL, NULL);
		return 0;
	}

	struct rpmemd_fip_attr fa = {
		.addr = d->pool->addr,
		.size = (size_t)r->pool_size,
		.nlanes = r->nlanes,
		.provider = r->provider,
		.buff_size = r->buff_size,
		.method = (d->cfg.persist_apm && d->pool->is_pmem)
				  ? RPMEM_PM_APM
				  : RPMEM_PM_GPSPM,
		.is_pmem = d->pool->is_pmem,
		.nthreads = (unsigned)d->cfg.nthreads,
		.node = d->node,
		.accept_timeout_ms = RPMEMD_ACCEPT_TIMEOUT_MS,
		.secret = r->auth ? secret : NULL,
		.peer = (d->cfg.check_source && d->peer[0]) ? d->peer : NULL,
		.connected = rpmemd_crash_disarm,
	};
	RPMEMD_LOG(INFO, "persistency policy:");
	RPMEMD_LOG(INFO, "    persist method: %s",
		fa.method == RPMEM_PM_APM
			? "Appliance Persistency Method"
			: "General Purpose Server Persistency Method");
	RPMEMD_LOG(INFO, "    persist flush: %s",
		fa.method == RPMEM_PM_APM
			? "none"
			: (d->pool->is_pmem ? "pmem_persist" : "pmem_msync"));

	struct rpmem_msg_ibc_attr ibc;
	ret = rpmemd_fip_init(&fa, &d->fip, &ibc, &st);
	if (ret == -ENOMEDIUM && d->node_defaulted &&
		r->provider != RPMEM_PROV_LIBFABRIC_SOCKETS) {
		/* loopback without IPv4: try IPv6 (sockets has no IPv6) */
		snprintf(d->node, sizeof(d->node), "::1");
		RPMEMD_LOG(
			NOTICE, "no fabric on 127.0.0.1, trying %s", d->node);
		ret = rpmemd_fip_init(&fa, &d->fip, &ibc, &st);
	}
	if (ret == 0) {
		ret = rpmemd_fip_start(d->fip);
		if (ret) {
			st = RPMEM_ERR_FATAL;
			rpmemd_fip_fini(d->fip);
			d->fip = NULL;
		}
	}
	if (ret) {
		fail("cannot set up the %s fabric on %s: %s",
			rpmem_provider_name(r->provider)
				? rpmem_provider_name(r->provider)
				: "unknown",
			d->node, strerror(-ret));
		close_pool(d, create);
		reply(d, r->type, st, NULL, NULL);
		return 0;
	}
	RPMEMD_LOG(
		INFO, "listening on port %u, %u lanes", ibc.port, ibc.nlanes);
	d->state = STATE_POOL_OPEN;
	if (r->auth)
		ibc.persist_method |= RPMEM_AUTH_PM_FLAG;
	if (reply(d, r->type, RPMEM_SUCCESS, &ibc, &attr))
		return 0;
	if (r->auth && send_secret(d, secret))
		return 0;
	explicit_bzero(secret, sizeof(secret));
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
	if (r->has_attr)
		log_attr(&r->attr);
	int ret =
		rpmemd_db_pool_set_attr(d->pool, r->has_attr ? &r->attr : NULL);
	if (ret)
		fail("cannot set pool attributes: %s", strerror(-ret));
	reply(d, r->type, ret ? errno_to_status(-ret) : RPMEM_SUCCESS, NULL,
		NULL);
	return 1;
}

static int
do_close(struct rpmemd *d, const struct rpmemd_req *r)
{
	if (d->state != STATE_POOL_OPEN) {
		fail("close request without an open pool");
		reply(d, r->type, RPMEM_ERR_FATAL, NULL, NULL);
		return 0;
	}
	int acc = stop_fabric(d);
	enum rpmem_status st = RPMEM_SUCCESS;
	if (acc) {
		fail("in-band connection was not established: %s",
			strerror(-acc));
		st = RPMEM_ERR_FATAL;
	}
	int remove = d->pool->created &&
		     (st != RPMEM_SUCCESS ||
			     (r->close_flags & RPMEM_CLOSE_FLAGS_REMOVE));
	close_pool(d, remove);
	d->state = STATE_IDLE;
	reply(d, r->type, st, NULL, NULL);
	return 0;
}

/* client gone: release everything */
static void
on_disconnect(struct rpmemd *d)
{
	if (d->state == STATE_POOL_OPEN) {
		int acc = stop_fabric(d);
		close_pool(d, d->pool->created && acc != 0);
	}
}

static int
serve(struct rpmemd *d)
{
	static unsigned char buf[RPMEMD_MAX_MSG];
	for (;;) {
		uint32_t type;
		const char *why = "";
		ssize_t n = rpmemd_oob_recv(d->in_fd, buf, &type, &why);
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
		default:
			more = do_close(d, &req);
			break;
		}
		if (!more)
			return 0;
	}
}

int
main(int argc, char *argv[])
{
	struct rpmemd d;
	memset(&d, 0, sizeof(d));
	d.in_fd = STDIN_FILENO;
	d.out_fd = STDOUT_FILENO;
	signal(SIGPIPE, SIG_IGN);
	rpmemd_crash_init();
	rpmemd_log_init("rpmemd", NULL, 0);

	char err[512];
	int errnum = 0;
	enum rpmemd_config_result cr = rpmemd_config_read(
		&d.cfg, argc, argv, &errnum, err, sizeof(err));
	int remove_mode = d.cfg.rm_poolset != NULL;
	int ret = 0;
	switch (cr) {
	case RPMEMD_CFG_OK:
		break;
	case RPMEMD_CFG_EXIT:
		rpmemd_config_free(&d.cfg);
		return 0;
	case RPMEMD_CFG_BAD_ARGS:
		if (err[0])
			fail("%s", err);
		rpmemd_config_free(&d.cfg);
		return EXIT_PROTO;
	case RPMEMD_CFG_BAD_FILE:
		fail("%s", err[0] ? err : strerror(errnum));
		if (!remove_mode)
			(void)rpmemd_oob_send_status(
				d.out_fd, (uint32_t)errnum);
		rpmemd_config_free(&d.cfg);
		return remove_mode ? errnum : 1;
	}

	rpmemd_log_set_level(d.cfg.log_level);
	if (rpmemd_log_init("rpmemd", d.cfg.log_file, d.cfg.use_syslog)) {
		errnum = errno;
		fail("cannot open log file -- '%s': %s", d.cfg.log_file,
			strerror(errnum));
		goto startup_err;
	}
	rpmemd_crash_log_fd(rpmemd_log_fd());
	ret = rpmemd_db_init(&d.db, d.cfg.poolset_dir);
	if (ret) {
		errnum = -ret;
		fail("cannot use pool set directory -- '%s': %s",
			d.cfg.poolset_dir, strerror(errnum));
		goto startup_err;
	}

	if (remove_mode) {
		ret = rpmemd_db_pool_remove(
			&d.db, d.cfg.rm_poolset, d.cfg.force, d.cfg.pool_set);
		if (ret)
			fail("cannot remove pool set -- '%s': %s",
				d.cfg.rm_poolset, strerror(-ret));
		rpmemd_db_fini(&d.db);
		rpmemd_config_free(&d.cfg);
		rpmemd_log_close();
		return -ret;
	}

	if (rpmemd_oob_send_status(d.out_fd, 0)) {
		RPMEMD_LOG(ERR, "cannot send the initial status: %s",
			strerror(errno));
		ret = 1;
		goto out;
	}
	rpmemd_fip_warm_up();
	const char *ssh = getenv("SSH_CONNECTION");
	const char *user = getenv("USER");
	RPMEMD_LOG(INFO, "ssh connection: %s", ssh ? ssh : "(none)");
	RPMEMD_LOG(INFO, "user: %s", user ? user : "(none)");
	RPMEMD_LOG(INFO, "configuration:");
	RPMEMD_LOG(INFO, "    pool set directory: '%s'", d.db.root);
	RPMEMD_LOG(
		INFO, "    persist APM: %s", d.cfg.persist_apm ? "yes" : "no");
	RPMEMD_LOG(INFO, "    persist GPSPM: %s",
		d.cfg.persist_general ? "yes" : "no");
	RPMEMD_LOG(INFO, "    number of threads: %lu", d.cfg.nthreads);
	server_node(&d);
	ret = serve(&d);
out:
	rpmemd_fip_warm_up_wait();
	rpmemd_db_fini(&d.db);
	rpmemd_config_free(&d.cfg);
	rpmemd_log_close();
	return ret;

startup_err:
	if (!remove_mode)
		(void)rpmemd_oob_send_status(d.out_fd, (uint32_t)errnum);
	rpmemd_config_free(&d.cfg);
	return remove_mode ? errnum : 1;
}
