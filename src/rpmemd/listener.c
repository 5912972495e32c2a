/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * listener.c -- rpmemd accept phase: secret and source checks, lanes; and
 * the guard of the sockets provider's data-path listeners
 * (rpmemd_fip_guard_listeners: each is closed once it has its connection)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rdma/fabric.h>
#include <rdma/fi_cm.h>
#include <rdma/fi_endpoint.h>
#include <rdma/fi_errno.h>

#include "fabric_server.h"
#include "fabric_server_int.h"
#include "rpmem_provider.h"
#include "fault_inject_fi.h"
#include "rpmem_spin.h"
#include "rpmemd_log.h"

/* 1 if the connection data of a request is the session secret */
static int
secret_ok(const struct rpmemd_fip *fip, const void *data, size_t len)
{
	if (len != RPMEM_AUTH_SECRET_LEN)
		return 0;
	const unsigned char *d = data;
	unsigned char diff = 0;
	for (size_t i = 0; i < RPMEM_AUTH_SECRET_LEN; i++)
		diff |= (unsigned char)(d[i] ^ fip->secret[i]);
	return diff == 0;
}

/*
 * 1 if a connection request comes from the ssh client's address (or no
 * address is to be checked), 0 if from anywhere else. IPv4 addresses
 * compare equal to their IPv4-mapped IPv6 form. An address family the
 * provider reports that is not IP (no such case with tcp, sockets or
 * verbs over rdma_cm) cannot be compared and is let through, logged.
 */
static int
source_ok(const struct rpmemd_fip *fip, const struct fi_info *info, char *from,
	size_t fromlen)
{
	snprintf(from, fromlen, "(unknown)");
	if (fip->attr.peer == NULL)
		return 1;
	unsigned char want[16], got[16];
	int wlen, glen;
	if (inet_pton(AF_INET, fip->attr.peer, want) == 1) {
		wlen = 4;
	} else if (inet_pton(AF_INET6, fip->attr.peer, want) == 1) {
		wlen = 16;
	} else {
		RPMEMD_LOG(NOTICE,
			"ssh client address '%s' not understood, "
			"source address not checked",
			fip->attr.peer);
		return 1;
	}
	const struct sockaddr *sa = info->dest_addr;
	if (sa != NULL && sa->sa_family == AF_INET &&
		info->dest_addrlen >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = info->dest_addr;
		memcpy(got, &in->sin_addr, 4);
		glen = 4;
		inet_ntop(AF_INET, &in->sin_addr, from, (socklen_t)fromlen);
	} else if (sa != NULL && sa->sa_family == AF_INET6 &&
		   info->dest_addrlen >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = info->dest_addr;
		memcpy(got, &in6->sin6_addr, 16);
		glen = 16;
		inet_ntop(AF_INET6, &in6->sin6_addr, from, (socklen_t)fromlen);
	} else {
		RPMEMD_LOG(NOTICE, "connection request without an IP source "
				   "address, source address not checked");
		return 1;
	}
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	/* reduce IPv4-mapped IPv6 addresses to IPv4 on both sides */
	if (wlen == 16 && memcmp(want, mapped, 12) == 0) {
		memmove(want, want + 12, 4);
		wlen = 4;
	}
	if (glen == 16 && memcmp(got, mapped, 12) == 0) {
		memmove(got, got + 12, 4);
		glen = 4;
	}
	return wlen == glen && memcmp(want, got, (size_t)wlen) == 0;
}

static int
lane_setup(struct rpmemd_fip *fip, struct lane *l, struct fi_info *info)
{
	info->tx_attr->size = 1;
	info->rx_attr->size = FIP_RX_SIZE;
	int ret = fault_fi_endpoint(fip->fab.domain, info, &l->ep, NULL);
	if (ret)
		return ret;
	struct worker *w = &fip->workers[l->idx % fip->nthreads];
	ret = fi_ep_bind(l->ep, &fip->fab.eq->fid, 0);
	if (!ret)
		ret = fi_ep_bind(l->ep, &w->cq->fid, FI_RECV | FI_TRANSMIT);
	if (!ret)
		ret = fault_fi_enable(l->ep);
	if (!ret)
		ret = rpmemd_fip_post_recv(l);
	if (!ret)
		ret = fault_fi_accept(l->ep, NULL, 0);
	return ret;
}

/*
 * a lane that could not be set up: the client learns at once instead of
 * waiting for its timeout, and the request is released. A request that
 * has no endpoint yet is rejected; once it has one, the tcp provider still
 * leaves the request to the application until an accept succeeds (it must
 * be rejected too) while the sockets provider hands it to the endpoint.
 */
static void
refuse_lane(struct rpmemd_fip *fip, struct lane *l, struct fi_info *info)
{
	if (l->ep == NULL || rpmem_provider_traits(fip->attr.provider)
				     ->reject_after_endpoint)
		fi_reject(fip->pep, info->handle, NULL, 0);
	RPMEM_FID_CLOSE(l->ep);
}

/*
 * a connection request: refused without the secret, from another address
 * or beyond the lanes granted; else a lane is set up and accepted.
 * 0, or -ECONNABORTED when a lane could not be set up.
 */
static int
on_connreq(struct rpmemd_fip *fip, struct fi_eq_cm_entry *cm, size_t dlen,
	unsigned *nreq)
{
	char from[INET6_ADDRSTRLEN];
	int ret = 0;
	if (fip->has_secret && !secret_ok(fip, cm->data, dlen)) {
		RPMEMD_LOG(ERR,
			"connection request without the session secret "
			"refused (%zu bytes of connection data)",
			dlen);
		fi_reject(fip->pep, cm->info->handle, NULL, 0);
	} else if (!source_ok(fip, cm->info, from, sizeof(from))) {
		RPMEMD_LOG(ERR,
			"connection request from %s refused: not the ssh "
			"client's address (%s)",
			from, fip->attr.peer);
		fi_reject(fip->pep, cm->info->handle, NULL, 0);
	} else if (*nreq >= fip->nlanes) {
		fi_reject(fip->pep, cm->info->handle, NULL, 0);
	} else {
		struct lane *l = &fip->lanes[*nreq];
		ret = lane_setup(fip, l, cm->info);
		if (ret) {
			refuse_lane(fip, l, cm->info);
			RPMEMD_LOG(ERR, "accepting lane %u failed: %s", *nreq,
				fi_strerror(-ret));
			ret = -ECONNABORTED;
		} else {
			(*nreq)++;
		}
	}
	fi_freeinfo(cm->info);
	return ret;
}

/*
 * FI_CONNECTED, or FI_SHUTDOWN of a lane connected and already closed
 * again by the client: counts the lane as connected (once)
 */
static void
on_lane_event(struct rpmemd_fip *fip, uint32_t event, fid_t fid, unsigned nreq,
	unsigned *nconn)
{
	for (unsigned i = 0; i < nreq; i++) {
		struct lane *l = &fip->lanes[i];
		if (&l->ep->fid != fid)
			continue;
		if (event == FI_SHUTDOWN) {
			RPMEMD_LOG(
				NOTICE, "lane %u shut down while accepting", i);
			l->dead = 1;
		}
		if (!l->connected) {
			l->connected = 1;
			(*nconn)++;
		}
	}
}

/*
 * A stop request (CLOSE or client gone) ends the phase at once unless a
 * lane was accepted and its FI_CONNECTED event is still on the way: the
 * client may see its side connected and send CLOSE first. Such lanes get
 * one more second. 1 when the phase is to end.
 */
static int
stopped(struct rpmemd_fip *fip, unsigned nreq, unsigned nconn,
	uint64_t *stop_deadline)
{
	if (!atomic_load(&fip->stop))
		return 0;
	if (nconn == nreq)
		return 1;
	if (*stop_deadline == 0)
		*stop_deadline = rpmem_now_ms() + 1000;
	return rpmem_now_ms() > *stop_deadline;
}

int
rpmemd_fip_accept(struct rpmemd_fip *fip)
{
	uint64_t deadline = rpmem_now_ms() + fip->attr.accept_timeout_ms;
	unsigned nreq = 0, nconn = 0;
	union {
		struct fi_eq_cm_entry cm;
		char buf[sizeof(struct fi_eq_cm_entry) + 256];
	} e;
	uint64_t stop_deadline = 0;
	while (nconn < fip->nlanes) {
		if (stopped(fip, nreq, nconn, &stop_deadline))
			return -ECANCELED;
		if (rpmem_now_ms() > deadline) {
			RPMEMD_LOG(ERR,
				"accepting connections timed out (%u of %u "
				"lanes connected)",
				nconn, fip->nlanes);
			return -ETIMEDOUT;
		}
		uint32_t event;
		ssize_t r = fi_eq_sread(
			fip->fab.eq, &event, &e, sizeof(e), FIP_WAIT_MS, 0);
		if (r == -FI_EAGAIN || r == -FI_ETIMEDOUT)
			continue;
		if (r == -FI_EAVAIL) {
			struct fi_eq_err_entry err;
			(void)rpmem_eq_readerr(fip->fab.eq, &err);
			RPMEMD_LOG(ERR, "connection event error: %s",
				fi_strerror(err.err));
			return -ECONNABORTED;
		}
		if (r < 0) {
			RPMEMD_LOG(ERR, "reading connection events failed: %s",
				fi_strerror((int)-r));
			return -EIO;
		}
		/* as in PMDK the timeout applies to each event */
		deadline = rpmem_now_ms() + fip->attr.accept_timeout_ms;
		if (event == FI_CONNREQ) {
			size_t dlen = (size_t)r > sizeof(e.cm)
					      ? (size_t)r - sizeof(e.cm)
					      : 0;
			if (on_connreq(fip, &e.cm, dlen, &nreq))
				return -ECONNABORTED;
		} else if (event == FI_CONNECTED || event == FI_SHUTDOWN) {
			on_lane_event(fip, event, e.cm.fid, nreq, &nconn);
		}
	}
	return 0;
}

/*
 * The sockets provider keeps a second listener per endpoint open for the
 * whole session (the data path: the peer connects to it at its first
 * operation) and parses whatever arrives there as its own protocol;
 * garbage stalls the session. rpmemd has no listener of its own, so once
 * the passive endpoint is closed every listening TCP socket of the process
 * belongs to the provider: as soon as a listener has accepted its one
 * connection it is replaced (dup3) by a fresh unbound socket, which closes
 * it for good while the provider keeps a valid descriptor to close later.
 */
#define GUARD_MAX_LISTENERS 64

struct sock_scan {
	unsigned nlisten;
	int lfd[GUARD_MAX_LISTENERS];
	uint16_t lport[GUARD_MAX_LISTENERS];
	int accepted[GUARD_MAX_LISTENERS];
};

static int
tcp_local_port(int fd, uint16_t *port, int *listening)
{
	struct stat st;
	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		return -1;
	int type = 0, acc = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) ||
		type != SOCK_STREAM)
		return -1;
	len = sizeof(acc);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len))
		return -1;
	struct sockaddr_storage ss;
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	if (ss.ss_family == AF_INET)
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	else if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		return -1;
	*listening = acc;
	return 0;
}

/* the listening TCP sockets of the process, and which have accepted */
static void
scan_sockets(struct sock_scan *sc)
{
	memset(sc, 0, sizeof(*sc));
	uint16_t conn_port[256];
	unsigned nconn = 0;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		uint16_t port;
		int listening;
		if (*end != '\0' || fd == dirfd(d) ||
			tcp_local_port((int)fd, &port, &listening))
			continue;
		if (listening && sc->nlisten < GUARD_MAX_LISTENERS) {
			sc->lfd[sc->nlisten] = (int)fd;
			sc->lport[sc->nlisten++] = port;
		} else if (!listening && nconn < 256) {
			conn_port[nconn++] = port;
		}
	}
	closedir(d);
	for (unsigned i = 0; i < sc->nlisten; i++)
		for (unsigned j = 0; j < nconn; j++)
			if (conn_port[j] == sc->lport[i])
				sc->accepted[i] = 1;
}

/* replaces a listener by an unbound socket; 0 on success */
static int
close_listener(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	int s = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	int ret = dup3(s, fd, O_CLOEXEC) < 0 ? -1 : 0;
	close(s);
	return ret;
}

/* 1 when stop was requested within ms milliseconds */
static int
wait_stop(struct rpmemd_fip *fip, unsigned ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&fip->stop_lock);
	while (!atomic_load(&fip->stop) &&
		pthread_cond_timedwait(&fip->stop_cond, &fip->stop_lock, &ts) ==
			0)
		;
	pthread_mutex_unlock(&fip->stop_lock);
	return atomic_load(&fip->stop);
}

/* closes each data-path listener once it has its connection (sockets) */
void
rpmemd_fip_guard_listeners(struct rpmemd_fip *fip)
{
	unsigned delay = 1, closed = 0;
	while (!wait_stop(fip, delay)) {
		struct sock_scan sc;
		scan_sockets(&sc);
		if (sc.nlisten == 0)
			break;
		for (unsigned i = 0; i < sc.nlisten; i++) {
			if (!sc.accepted[i])
				continue;
			if (close_listener(sc.lfd[i]) == 0)
				closed++;
			else
				RPMEMD_LOG(ERR,
					"cannot close the provider's "
					"listener on port %u: %s",
					sc.lport[i], strerror(errno));
		}
		if (delay < 32)
			delay *= 2;
	}
	RPMEMD_LOG(INFO, "%u data-path listeners closed", closed);
}
