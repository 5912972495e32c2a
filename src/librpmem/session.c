/* SPDX-License-Identifier: BSD-3-Clause */
/* session.c -- the ssh session: rpmemd start, requests, session secret */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "oob_client.h"
#include "rpmem_fip_common.h"
#include "session.h"
#include "ssh_cmd.h"

/* spawns ssh with the remote command; errors set errno and the message */
struct rpmem_ssh *
rpmem_sess_spawn(const struct rpmem_target *t, int ipv4, const char *cmd,
	const char *step)
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
	char text[4096];
	rpmem_ssh_stderr(ssh, text, sizeof(text), STDERR_TIMEOUT_MS);
	if (rpmem_ssh_close(ssh) == SHELL_NOT_FOUND && err == ECONNRESET)
		err = ENOPKG;
	if (text[0] != '\0')
		ERR("%s: %s (%s)", step, strerror(err), text);
	else
		ERR("%s: %s", step, strerror(err));
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

/*
 * the header of the response to the request just sent into resp: a PONG
 * to a PING given up earlier (live.c) is passed over; *cut tells whether
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
		char text[4096];
		rpmem_ssh_stderr(ssh, text, sizeof(text), stderr_ms);
		if (silent != NULL)
			*silent = cut && err == ECONNRESET && !text[0];
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
int
rpmem_sess_provider_refused(enum rpmem_provider prov, int err, int silent)
{
	const struct rpmem_provider_traits *t = rpmem_provider_traits(prov);
	const char *name = t->name;
	if (silent && t->not_in_pmdk) {
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
			t->opt_in
				? " (our rpmemd serves it with --allow-sockets)"
				: "",
			was);
	}
	return err;
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
