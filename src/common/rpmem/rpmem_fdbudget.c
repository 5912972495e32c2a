/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_fdbudget.c -- lanes within the file descriptor limit */
#include <dirent.h>
#include <limits.h>
#include <sys/resource.h>

#include "rpmem_fdbudget.h"
#include "rpmem_proto.h"

void
rpmem_fd_cost(uint32_t provider, struct rpmem_fd_cost *c)
{
	switch (provider) {
	case RPMEM_PROV_LIBFABRIC_TCP:
		/* the socket; a queue's epoll set and its signal pair (a
		 * FI_WAIT_FD queue, rpmem_cq_open()) */
		c->ep = 1;
		c->cq = 3;
		break;
	case RPMEM_PROV_LIBFABRIC_VERBS:
		c->ep = 1;
		c->cq = 2;
		break;
	case RPMEM_PROV_LIBFABRIC_SOCKETS:
		/* control and data connections, and their signal pairs */
		c->ep = 4;
		c->cq = 2;
		break;
	default:
		c->ep = 4;
		c->cq = 4;
		break;
	}
}

unsigned
rpmem_fd_free(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY)
		return UINT_MAX;
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	unsigned long open = 0;
	while (readdir(d) != NULL)
		open++;
	closedir(d);
	/* ".", ".." and the directory's own descriptor were counted */
	open = open >= 3 ? open - 3 : 0;
	if (rl.rlim_cur <= open)
		return 0;
	rlim_t left = rl.rlim_cur - open;
	return left > UINT_MAX ? UINT_MAX : (unsigned)left;
}

unsigned
rpmem_fd_lanes(const struct rpmem_fd_cost *c, unsigned want, unsigned avail,
	unsigned nqueues)
{
	unsigned long long n;
	unsigned long long ep = c->ep ? c->ep : 1;
	if (nqueues == 0) /* a queue per lane */
		n = avail / (ep + c->cq);
	else if ((unsigned long long)nqueues * c->cq < avail)
		n = (avail - (unsigned long long)nqueues * c->cq) / ep;
	else
		n = 0;
	if (n > want)
		n = want;
	return n == 0 ? 1 : (unsigned)n;
}
