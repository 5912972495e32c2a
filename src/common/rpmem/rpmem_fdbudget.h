/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_fdbudget.h -- how many lanes fit in a process's file descriptors
 *
 * Contract: a lane costs each side one fabric endpoint and, while it has a
 * completion queue of its own, that queue's wait objects; what each costs
 * in descriptors depends on the provider (measured with libfabric 1.17:
 * tcp 1 + 3, sockets 4 + 2 once connected, verbs counted as 1 + 2).
 * - rpmem_fd_cost() gives a provider's costs (unknown providers: the
 *   largest of the known ones).
 * - rpmem_fd_free() counts the descriptors the process may still open under
 *   its soft RLIMIT_NOFILE (the limit minus the entries of /proc/self/fd);
 *   UINT_MAX when there is no limit, 0 when it cannot tell. It changes no
 *   limit.
 * - rpmem_fd_lanes() is the number of lanes (at most want, at least 1) for
 *   which `avail` descriptors hold one endpoint each and one completion
 *   queue per `lanes_per_cq` lanes (1: a queue per lane).
 * Nothing here prints.
 */
#ifndef COMMON_RPMEM_FDBUDGET_H
#define COMMON_RPMEM_FDBUDGET_H 1

#include <stdint.h>

struct rpmem_fd_cost {
	unsigned ep; /* one connected endpoint */
	unsigned cq; /* one completion queue with a wait object */
};

void rpmem_fd_cost(uint32_t provider, struct rpmem_fd_cost *c);
unsigned rpmem_fd_free(void);
unsigned rpmem_fd_lanes(const struct rpmem_fd_cost *c, unsigned want,
	unsigned avail, unsigned nqueues);

#endif /* COMMON_RPMEM_FDBUDGET_H */
