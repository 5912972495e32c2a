/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * librpmem.c -- the public API (librpmem.h): argument checks, errno and the
 * message of every call, and the calls themselves on a pool handle
 * (persist, deep persist, flush, drain, read, set attributes, close) and
 * on a target (remove). The CREATE/OPEN session behind rpmem_create and
 * rpmem_open is session.c's (rpmem_sess_connect); the lanes' I/O is
 * lane_io.c's; settings from the environment are settings.c's.
 */
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
#include "pinger.h"
#include "log.h"
#include "oob_client.h"
#include "rpmem_fip_common.h"
#include "rpmem_proto.h"
#include "session.h"
#include "settings.h"
#include "ssh.h"
#include "ssh_cmd.h"
#include "fault_inject.h"

#define RPMEM_API __attribute__((visibility("default")))

#define REMOVE_TIMEOUT_MS 120000

__attribute__((constructor)) static void
librpmem_init(void)
{
	log_init("librpmem", "RPMEM_LOG_LEVEL", "RPMEM_LOG_FILE");
	rpmem_settings_load();
}

__attribute__((destructor)) static void
librpmem_fini(void)
{
	rpmem_settings_free();
	log_fini();
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
	return rpmem_sess_connect(target, pool_set_name, pool_addr, pool_size,
		nlanes, create_attr, open_attr, create);
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
		rpmem_sess_stderr(
			rpp->ssh, LOST_STDERR_MS, " -- ", text, sizeof(text));
	if (text[0] != '\0')
		ERR("%s failed: connection closed by rpmemd: %s%s", what,
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
			"set attributes request failed",
			(int)rpmem_settings()->stall_ms, 50, NULL);
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
		    (int)rpmem_settings()->stall_ms, 200, NULL)) {
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

/*
 * what rpmem_persist and rpmem_flush check: a usable handle, no flags but
 * the allowed ones, the lane and the range (outside the pool header when
 * the pool has one)
 */
static int
check_write(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
	unsigned flags, unsigned allowed, const char *what)
{
	if (unusable(rpp, what))
		return -1;
	if (flags & ~allowed) {
		ERR("%s: invalid flags -- 0x%x", what, flags);
		errno = EINVAL;
		return -1;
	}
	return check_range(rpp, offset, length, lane, what, !rpp->no_headers);
}

RPMEM_API int
rpmem_persist(RPMEMpool *rpp, size_t offset, size_t length, unsigned lane,
	unsigned flags)
{
	int saved = errno;
	LOG(LOG_LVL_DBG, "pool %p, offset %zu, length %zu, lane %u, flags 0x%x",
		(void *)rpp, offset, length, lane, flags);
	if (check_write(rpp, offset, length, lane, flags, RPMEM_PERSIST_RELAXED,
		    "persist"))
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
	if (check_write(rpp, offset, length, lane, flags, RPMEM_FLUSH_RELAXED,
		    "flush"))
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
	if (rpmem_sess_target(target, &t))
		return -1;
	const char *rpmemd = rpmem_next_cmd();
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
	char text[RPMEM_STDERR_LEN];
	rpmem_sess_stderr(ssh, STDERR_TIMEOUT_MS, " -- ", text, sizeof(text));
	int status = rpmem_ssh_close(ssh);
	if (ret) {
		ERR("waiting for remote command failed: %s%s", strerror(-ret),
			text);
		errno = -ret;
		return -1;
	}
	if (status != 0) {
		int e = status > 0 ? status : ECONNRESET;
		ERR("remote command failed: %s%s",
			status > 0 ? strerror(e) : "killed by a signal", text);
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
