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

#include "fip.h"
#include "librpmem.h"
#include "log.h"
#include "obc.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "ssh.h"
#include "util.h"
#include "fault_inject.h" /* last: it may wrap calls */

#define RPMEM_API __attribute__((visibility("default")))

#define STATUS_TIMEOUT_MS 30000
#define RESP_TIMEOUT_MS 120000
#define STDERR_TIMEOUT_MS 2000
#define REMOVE_TIMEOUT_MS 120000
#define DEF_WQ_SIZE 50

#define WHY_LEN 512

struct rpmem_pool {
	struct rpmem_ssh *ssh;
	struct rpmem_fip *fip;
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
	LOG(LOG_LVL_DBG, "RPMEM_CMD '%s', max lanes %u, work queue %u", cmd,
		Max_nlanes, Wq_size);
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

/* integer environment knob: 0 unset, 1 a whole number (*v), -1 garbage */
static int
env_int(const char *name, long *v)
{
	const char *s = getenv(name);
	if (s == NULL)
		return 0;
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*end != '\0' || end == s || errno)
		return -1;
	return 1;
}

struct prov_probe {
	int have[MAX_RPMEM_PROV];
};

static void
probe_providers(const char *node, struct prov_probe *p)
{
	memset(p, 0, sizeof(*p));
	struct fi_info *hints = rpmem_fip_hints(NULL);
	struct fi_info *info = NULL;
	if (hints == NULL)
		return;
	if (fi_getinfo(RPMEM_FIVERSION, node, NULL, 0, hints, &info) == 0) {
		for (struct fi_info *i = info; i != NULL; i = i->next) {
			enum rpmem_provider id = rpmem_provider_from_name(
				i->fabric_attr->prov_name);
			if (id != RPMEM_PROV_UNKNOWN)
				p->have[id] = 1;
		}
		fi_freeinfo(info);
	}
	fi_freeinfo(hints);
}

/* 1 if choose_provider() may pick sockets, whatever the probe finds */
static int
sockets_possible(void)
{
	const char *forced = getenv("RPMEM_PROVIDER");
	if (forced != NULL && forced[0] != '\0')
		return rpmem_provider_from_name(forced) ==
		       RPMEM_PROV_LIBFABRIC_SOCKETS;
	long sockets = 0;
	return env_int("RPMEM_ENABLE_SOCKETS", &sockets) == 1 && sockets != 0;
}

/* provider: RPMEM_PROVIDER, else verbs, else sockets if enabled, else tcp */
static enum rpmem_provider
choose_provider(const char *node)
{
	struct prov_probe p;
	probe_providers(node, &p);
	const char *forced = getenv("RPMEM_PROVIDER");
	if (forced != NULL && forced[0] != '\0') {
		enum rpmem_provider id = rpmem_provider_from_name(forced);
		if (id == RPMEM_PROV_UNKNOWN || !p.have[id]) {
			ERR("cannot find provider -- RPMEM_PROVIDER='%s' is "
			    "not "
			    "available for '%s'",
				forced, node);
			return RPMEM_PROV_UNKNOWN;
		}
		return id;
	}
	/* verbs: unset or non-zero enables, garbage disables (as PMDK) */
	long verbs = 0, sockets = 0;
	int vset = env_int("RPMEM_ENABLE_VERBS", &verbs);
	int sset = env_int("RPMEM_ENABLE_SOCKETS", &sockets);
	if (p.have[RPMEM_PROV_LIBFABRIC_VERBS] &&
		(vset == 0 || (vset == 1 && verbs != 0)))
		return RPMEM_PROV_LIBFABRIC_VERBS;
	/* sockets: only a non-zero number enables it */
	if (p.have[RPMEM_PROV_LIBFABRIC_SOCKETS] && sset == 1 && sockets != 0)
		return RPMEM_PROV_LIBFABRIC_SOCKETS;
	if (p.have[RPMEM_PROV_LIBFABRIC_TCP])
		return RPMEM_PROV_LIBFABRIC_TCP;
	ERR("cannot find provider for '%s' (verbs %s, sockets %s, tcp absent)",
		node,
		p.have[RPMEM_PROV_LIBFABRIC_VERBS] ? "disabled" : "absent",
		p.have[RPMEM_PROV_LIBFABRIC_SOCKETS] ? "not enabled"
						     : "absent");
	return RPMEM_PROV_UNKNOWN;
}

/* spawns ssh with the remote command; errors set errno and the message */
static struct rpmem_ssh *
spawn(const struct rpmem_target *t, int ipv4, const char *cmd, const char *step)
{
	if (cmd == NULL)
		return NULL; /* next_cmd() set errno and the message */
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

/* ends a failed session: records stderr text in the message */
static void
fail_ssh(struct rpmem_ssh *ssh, const char *step, int err)
{
	char text[4096];
	rpmem_ssh_stderr(ssh, text, sizeof(text), STDERR_TIMEOUT_MS);
	rpmem_ssh_close(ssh);
	if (text[0] != '\0')
		ERR("%s: %s (%s)", step, strerror(err), text);
	else
		ERR("%s: %s", step, strerror(err));
	errno = err;
}

/* reads the start-up status word */
static int
read_status(struct rpmem_ssh *ssh, const char *node)
{
	uint32_t status;
	int ret =
		rpmem_ssh_recv(ssh, &status, sizeof(status), STATUS_TIMEOUT_MS);
	const char *step = "out-of-band connection failed";
	if (ret) {
		fail_ssh(ssh, step, -ret == ETIMEDOUT ? ETIMEDOUT : ECONNRESET);
		return -1;
	}
	if (status != 0) {
		char text[4096];
		rpmem_ssh_stderr(ssh, text, sizeof(text), STDERR_TIMEOUT_MS);
		rpmem_ssh_close(ssh);
		int err = status < 4096 ? (int)status : EPROTO;
		ERR("%s: %s: daemon start-up failed -- status %u: %s%s%s", step,
			node, status, strerror(err), text[0] ? "; " : "", text);
		errno = err;
		return -1;
	}
	return 0;
}

/* one request/response exchange; fills resp (host order after check) */
static int
exchange(struct rpmem_ssh *ssh, const void *req, size_t req_size, void *resp,
	uint32_t resp_type, const char *step, int stderr_ms, int *silent)
{
	int ret = rpmem_ssh_send(ssh, req, req_size);
	size_t rsize = rpmem_obc_resp_size(resp_type);
	int got_any = 0;
	/* the first byte alone: a daemon that hangs up unanswered is told */
	if (ret == 0)
		ret = rpmem_ssh_recv(ssh, resp, 1, RESP_TIMEOUT_MS);
	if (ret == 0) {
		got_any = 1;
		ret = rpmem_ssh_recv(
			ssh, (char *)resp + 1, rsize - 1, RESP_TIMEOUT_MS);
	}
	if (ret) {
		int err = -ret;
		if (err == EPIPE)
			err = ECONNRESET;
		char text[4096];
		rpmem_ssh_stderr(ssh, text, sizeof(text), stderr_ms);
		if (silent != NULL)
			*silent = !got_any && err == ECONNRESET && !text[0];
		ERR("%s: %s%s%s", step, strerror(err), text[0] ? " -- " : "",
			text);
		errno = err;
		return -1;
	}
	uint32_t status;
	char why[256];
	ret = rpmem_obc_check_resp(resp, resp_type, &status, why, sizeof(why));
	if (ret) {
		/* the daemon states its own reason on stderr */
		char text[4096];
		rpmem_ssh_stderr(ssh, text, sizeof(text), stderr_ms);
		ERR("%s: %s%s%s", step, why, text[0] ? " -- " : "", text);
		errno = -ret;
		return -1;
	}
	return 0;
}

/*
 * A CREATE/OPEN the daemon did not serve because of the provider: PMDK's
 * rpmemd knows only verbs and sockets and hangs up, unanswered and
 * without a word, on a request for tcp; a daemon may also answer that it
 * does not serve the provider. Named as PMDK names a provider it cannot
 * use ("cannot find provider"); returns the errno for the caller.
 */
static int
provider_refused(enum rpmem_provider prov, int err, int silent)
{
	const char *name = rpmem_provider_name(prov);
	if (silent && prov == RPMEM_PROV_LIBFABRIC_TCP) {
		ERR("cannot find provider -- the remote rpmemd hung up on a "
		    "request for the tcp provider (rpmemd of PMDK serves only "
		    "verbs and sockets; RPMEM_ENABLE_SOCKETS=1 lets librpmem "
		    "use sockets): %s",
			strerror(err));
		return ENOMEDIUM;
	}
	if (err == EMEDIUMTYPE) {
		char was[512];
		snprintf(was, sizeof(was), "%s", err_msg());
		ERR("cannot find provider -- the remote rpmemd does not serve "
		    "the %s provider%s: %s",
			name ? name : "requested",
			prov == RPMEM_PROV_LIBFABRIC_SOCKETS
				? " (our rpmemd serves it with --allow-sockets)"
				: "",
			was);
	}
	return err;
}

/* the AUTH message that follows a flagged CREATE/OPEN response */
static int
recv_secret(struct rpmem_ssh *ssh, unsigned char *secret, const char *op)
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

static void
close_session(struct rpmem_ssh *ssh, uint32_t flags)
{
	struct rpmem_msg_close m;
	struct rpmem_msg_close_resp r;
	rpmem_obc_close_msg(&m, flags);
	if (rpmem_ssh_send(ssh, &m, sizeof(m)) == 0)
		(void)rpmem_ssh_recv(ssh, &r, sizeof(r), 10000);
	rpmem_ssh_close(ssh);
}

static int
ssh_alive_cb(void *arg)
{
	return rpmem_ssh_alive(arg);
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

static RPMEMpool *
pool_connect(const char *target, const char *pool_set_name, void *pool_addr,
	size_t pool_size, unsigned *nlanes,
	const struct rpmem_pool_attr *create_attr,
	struct rpmem_pool_attr *open_attr, int create)
{
	const char *op = create ? "create" : "open";
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
	struct rpmem_target t;
	if (rpmem_target_parse(target, &t)) {
		ERR("parsing target node address failed -- '%s': %s", target,
			strerror(EINVAL));
		errno = EINVAL;
		return NULL;
	}
	/*
	 * The ssh command line depends on the provider only through -4 for
	 * sockets over IPv4. When sockets cannot be the choice, ssh starts
	 * first and the provider probe (libfabric's initialization, a large
	 * part of the set-up time) runs while ssh connects.
	 */
	const char *oob_step = "out-of-band connection failed";
	struct rpmem_ssh *early = NULL;
	if (strchr(t.node, ':') != NULL || !sockets_possible()) {
		early = spawn(&t, 0, next_cmd(), oob_step);
		if (early == NULL)
			return NULL;
	}
	enum rpmem_provider prov = choose_provider(t.node);
	if (prov == RPMEM_PROV_UNKNOWN) {
		if (early != NULL)
			rpmem_ssh_abort(early);
		errno = ENOMEDIUM;
		return NULL;
	}
	const char *prov_name = rpmem_provider_name(prov);
	int ipv4 = prov == RPMEM_PROV_LIBFABRIC_SOCKETS &&
		   strchr(t.node, ':') == NULL;

	RPMEMpool *rpp = calloc(1, sizeof(*rpp));
	if (rpp == NULL) {
		ERR_W_ERRNO("cannot allocate pool handle");
		if (early != NULL)
			rpmem_ssh_abort(early);
		return NULL;
	}
	rpp->ssh =
		early != NULL ? early : spawn(&t, ipv4, next_cmd(), oob_step);
	if (rpp->ssh == NULL)
		goto err_free;
	if (read_status(rpp->ssh, t.node))
		goto err_free;

	unsigned req_lanes = *nlanes < Max_nlanes ? *nlanes : Max_nlanes;
	struct rpmem_req_attr req = {.pool_size = pool_size,
		.nlanes = req_lanes,
		.provider = prov,
		/* announces session binding support, see rpmem_proto.h */
		.buff_size = RPMEM_DEF_BUFF_SIZE + RPMEM_AUTH_BUFF_TAG,
		.pool_desc = pool_set_name};
	size_t msize;
	void *msg =
		create ? rpmem_obc_create_msg(&req,
				 rpmem_attr_is_zero(create_attr) ? NULL
								 : create_attr,
				 &msize)
		       : rpmem_obc_open_msg(&req, &msize);
	if (msg == NULL) {
		ERR_W_ERRNO("cannot build %s request", op);
		rpmem_ssh_close(rpp->ssh);
		goto err_free;
	}
	struct rpmem_msg_open_resp resp; /* the larger of the two */
	char step[64];
	snprintf(step, sizeof(step), "%s request failed", op);
	int silent = 0;
	int ret = exchange(rpp->ssh, msg, msize, &resp,
		create ? RPMEM_MSG_TYPE_CREATE_RESP : RPMEM_MSG_TYPE_OPEN_RESP,
		step, 500, &silent);
	free(msg);
	if (ret) {
		int e = provider_refused(prov, errno, silent);
		rpmem_ssh_close(rpp->ssh);
		errno = e;
		goto err_free;
	}
	struct rpmem_resp_attr ra;
	rpmem_obc_get_ibc(&resp.ibc, &ra);
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
	int bound = (ra.persist_method & RPMEM_AUTH_PM_FLAG) != 0;
	ra.persist_method &= ~RPMEM_AUTH_PM_FLAG;
	if (bound) {
		ret = recv_secret(rpp->ssh, secret, op);
		if (ret) {
			close_session(rpp->ssh,
				create ? RPMEM_CLOSE_FLAGS_REMOVE : 0);
			errno = -ret;
			goto err_free;
		}
	} else {
		LOG(LOG_LVL_INFO,
			"legacy daemon on '%s': fabric connections are not "
			"bound to the ssh session (unauthenticated)",
			target);
	}
	struct rpmem_pool_attr got;
	memset(&got, 0, sizeof(got));
	if (!create)
		rpmem_obc_get_attr(&resp.pool_attr, &got);
	LOG(LOG_LVL_DBG, "%s response: port %u, method %u, nlanes %u", op,
		ra.port, ra.persist_method, ra.nlanes);

	unsigned n = req_lanes < ra.nlanes ? req_lanes : ra.nlanes;
	if (n == 0) {
		ERR("%s request failed: daemon granted no lanes", op);
		close_session(rpp->ssh, create ? RPMEM_CLOSE_FLAGS_REMOVE : 0);
		errno = EPROTO;
		goto err_free;
	}
	struct rpmem_fip_attr fa = {.node = t.node,
		.port = ra.port,
		.prov = prov_name,
		.laddr = pool_addr,
		.size = pool_size,
		.raddr = ra.raddr,
		.rkey = ra.rkey,
		.persist_method = ra.persist_method,
		.nlanes = n,
		.buff_size = RPMEM_DEF_BUFF_SIZE,
		.wq_size = Wq_size,
		.alive = ssh_alive_cb,
		.alive_arg = rpp->ssh,
		.secret = bound ? secret : NULL};
	char why[WHY_LEN];
	why[0] = '\0';
	ret = rpmem_fip_init(&fa, &n, &rpp->fip, why, sizeof(why));
	explicit_bzero(secret, sizeof(secret));
	if (ret) {
		char text[4096];
		rpmem_ssh_stderr(rpp->ssh, text, sizeof(text), 100);
		close_session(rpp->ssh, create ? RPMEM_CLOSE_FLAGS_REMOVE : 0);
		ERR("establishing in-band connection failed (%s, port %u): "
		    "%s%s%s",
			prov_name, ra.port, why[0] ? why : strerror(-ret),
			text[0] ? " -- " : "", text);
		errno = -ret;
		goto err_free;
	}
	rpp->addr = pool_addr;
	rpp->size = pool_size;
	rpp->nlanes = n;
	rpp->no_headers =
		create ? rpmem_attr_is_zero(create_attr)
		       : (open_attr == NULL || rpmem_attr_is_zero(&got));
	if (!create && open_attr != NULL)
		*open_attr = got;
	*nlanes = n;
	LOG(LOG_LVL_DBG, "%s of '%s' on '%s' done: %u lanes over %s", op,
		pool_set_name, target, n, prov_name);
	return rpp;
err_free:;
	int e = errno;
	free(rpp);
	errno = e ? e : EIO;
	return NULL;
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
	int e = atomic_load(&rpp->error);
	if (e == 0 && rpp->fip != NULL) {
		int f = rpmem_fip_error(rpp->fip);
		if (f)
			e = -f;
	}
	if (e) {
		ERR("%s: connection to the remote pool lost earlier: %s", what,
			strerror(e));
		errno = e;
	}
	return e;
}

static int
fabric_failed(RPMEMpool *rpp, const char *what, int ret)
{
	int e = -ret;
	if (e == EPIPE)
		e = ECONNRESET;
	int zero = 0;
	atomic_compare_exchange_strong(&rpp->error, &zero, e);
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
	if (exchange(rpp->ssh, &m, sizeof(m), &r, RPMEM_MSG_TYPE_SET_ATTR_RESP,
		    "set attributes request failed", 50, NULL)) {
		int e = errno;
		if (e == ECONNRESET || e == ETIMEDOUT || e == EPROTO)
			atomic_store(&rpp->error, e);
		errno = e;
		return -1;
	}
	return succeeded(saved);
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
	rpmem_fip_shutdown(rpp->fip);
	int ret = 0;
	int err = 0;
	struct rpmem_msg_close m;
	struct rpmem_msg_close_resp r;
	rpmem_obc_close_msg(&m, 0);
	if (exchange(rpp->ssh, &m, sizeof(m), &r, RPMEM_MSG_TYPE_CLOSE_RESP,
		    "close request failed", 200, NULL)) {
		err = errno;
		ret = -1;
	}
	rpmem_fip_fini(rpp->fip);
	rpmem_ssh_close(rpp->ssh);
	free(rpp);
	errno = ret ? err : saved;
	return ret;
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
	if (rpmem_target_parse(target, &t)) {
		ERR("parsing target node address failed -- '%s': %s", target,
			strerror(EINVAL));
		errno = EINVAL;
		return -1;
	}
	const char *rpmemd = next_cmd();
	if (rpmemd == NULL)
		return -1;
	char *cmd = rpmem_remove_cmd(rpmemd, pool_set, flags);
	if (cmd == NULL) {
		ERR_W_ERRNO("cannot build remove command");
		return -1;
	}
	struct rpmem_ssh *ssh = spawn(&t, 0, cmd, "remote command failed");
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
