/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_fdbudget.c -- lanes within the file descriptor limit */
#include <dirent.h>
#include <limits.h>
#include <sys/resource.h>

#include "rpmem_fdbudget.h"
#include "rpmem_provider.h"

void
rpmem_fd_cost(uint32_t provider, struct rpmem_fd_cost *c)
{
	const struct rpmem_provider_traits *t = rpmem_provider_traits(provider);
	c->ep = t->ep_fds;
	c->cq = t->cq_fds;
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
