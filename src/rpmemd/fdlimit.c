/* SPDX-License-Identifier: BSD-3-Clause */
/* fdlimit.c -- rpmemd's file descriptor limit and the lanes it holds */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "fdlimit.h"
#include "rpmem_fdbudget.h"
#include "rpmemd_log.h"

void
rpmemd_fdlimit_raise(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		RPMEMD_LOG(DBG, "cannot read the open files limit: %s",
			strerror(errno));
		return;
	}
	rlim_t soft = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (soft != rl.rlim_max && setrlimit(RLIMIT_NOFILE, &rl)) {
		RPMEMD_LOG(DBG, "cannot raise the open files limit: %s",
			strerror(errno));
		rl.rlim_cur = soft;
	}
	RPMEMD_LOG(DBG, "open files limit: soft %llu (was %llu), hard %llu",
		(unsigned long long)rl.rlim_cur, (unsigned long long)soft,
		(unsigned long long)rl.rlim_max);
}

static unsigned
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

void
rpmemd_fdlimit_plan(uint32_t provider, unsigned want, unsigned nthreads,
	struct rpmemd_fdplan *plan)
{
	struct rpmem_fd_cost cost;
	rpmem_fd_cost(provider, &cost);
	unsigned avail = rpmem_fd_free();
	avail = avail > RPMEMD_FD_RESERVE ? avail - RPMEMD_FD_RESERVE : 0;
	unsigned n;
	if (nthreads == 0) {
		n = rpmem_fd_lanes(&cost, want, avail, 0);
		nthreads = n;
		unsigned cpus = online_cpus();
		unsigned shared = rpmem_fd_lanes(&cost, want, avail, cpus);
		if (n < want && shared > n) {
			n = shared;
			nthreads = cpus;
		}
	} else {
		unsigned q = nthreads < want ? nthreads : want;
		n = rpmem_fd_lanes(&cost, want, avail, q);
	}
	plan->want = want;
	plan->nlanes = n;
	plan->nthreads = nthreads < n ? nthreads : n;
	plan->avail = avail;
}

void
rpmemd_fdlimit_log(const struct rpmemd_fdplan *plan)
{
	if (plan->nlanes < plan->want)
		RPMEMD_LOG(NOTICE,
			"%u of %u lanes granted: %u file descriptors "
			"available (RLIMIT_NOFILE)",
			plan->nlanes, plan->want, plan->avail);
	RPMEMD_LOG(DBG,
		"%u lanes planned, %u worker threads, %u file "
		"descriptors available",
		plan->nlanes, plan->nthreads, plan->avail);
}
