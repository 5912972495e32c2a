/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fdlimit.h -- rpmemd's file descriptor budget: the soft RLIMIT_NOFILE
 * raised to the hard limit at start, and the lanes and worker threads
 * (each with a completion queue) a request is granted within it
 *
 * Contract:
 * - rpmemd_fdlimit_raise() raises the soft limit to the hard one (once, at
 *   start) and logs both at debug level.
 * - rpmemd_fdlimit_plan() fills the plan for a request of `want` lanes over
 *   `provider`, leaving RPMEMD_FD_RESERVE descriptors free: nlanes 1..want,
 *   nthreads 1..nlanes. With a configured nthreads of 0 (the default) every
 *   lane gets a worker while the descriptors allow it, otherwise one worker
 *   per online CPU serves them all; a configured nthreads is kept (at most
 *   one per lane). rpmemd_fdlimit_log() logs a plan that grants fewer lanes
 *   than requested (notice level), and every plan at debug level.
 */
#ifndef RPMEMD_FDLIMIT_H
#define RPMEMD_FDLIMIT_H 1

#include <stdint.h>

/* for the log, the pool's part files, the ssh pipes, fabric and EQ */
#define RPMEMD_FD_RESERVE 64

struct rpmemd_fdplan {
	unsigned want;	   /* lanes requested */
	unsigned nlanes;   /* lanes granted */
	unsigned nthreads; /* worker threads (completion queues) */
	unsigned avail;	   /* descriptors free beyond the reserve */
};

void rpmemd_fdlimit_raise(void);
void rpmemd_fdlimit_plan(uint32_t provider, unsigned want, unsigned nthreads,
	struct rpmemd_fdplan *plan);
void rpmemd_fdlimit_log(const struct rpmemd_fdplan *plan);

#endif /* RPMEMD_FDLIMIT_H */
