/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_spin.h -- when to poll a completion queue before sleeping on it
 *
 * Contract: a waiter that expects a completion soon polls (fi_cq_read) for
 * at most a bounded time before it sleeps in the provider (fi_cq_sread),
 * because falling asleep and being woken costs more than a loopback round
 * trip. Polling pays only while the peer answers within that time; on a
 * busy machine it takes CPU time from the peer and delays the answer. So:
 * - rpmem_spin_begin() says whether the next wait polls first;
 * - rpmem_spin_end() reports whether polling caught the completion (hit)
 *   or the waiter had to sleep anyway (miss).
 * After a miss the next 2, 4, ... up to RPMEM_SPIN_MAX_SKIP waits sleep at
 * once; a hit makes every wait poll again. The state lives in the caller's
 * struct (one per thread that waits), zero-initialized; nothing here locks.
 */
#ifndef COMMON_RPMEM_SPIN_H
#define COMMON_RPMEM_SPIN_H 1

#include <stdint.h>

#define RPMEM_SPIN_MAX_SKIP 64

struct rpmem_spin {
	unsigned misses; /* consecutive misses, capped */
	unsigned skip;	 /* waits left that sleep at once */
};

/* 1 if this wait polls first */
int rpmem_spin_begin(struct rpmem_spin *s);
/* the outcome of a wait for which rpmem_spin_begin() returned 1 */
void rpmem_spin_end(struct rpmem_spin *s, int hit);
/*
 * A waiter that cannot sleep in the provider (no wait object, or a
 * provider whose sleeping read polls) sleeps itself between reads: 16 us
 * first, twice as long each time up to max_us, back to 16 us after
 * rpmem_backoff_reset() (a completion arrived). A stalled peer so costs a
 * few hundred wake-ups a second, not a CPU.
 */
struct rpmem_backoff {
	unsigned us; /* next sleep, 0: the first */
};

void rpmem_backoff_sleep(struct rpmem_backoff *b, unsigned max_us);

static inline void
rpmem_backoff_reset(struct rpmem_backoff *b)
{
	b->us = 0;
}

/* CLOCK_MONOTONIC in microseconds and in milliseconds: the one clock of
 * the fabric code of client and daemon */
uint64_t rpmem_now_us(void);
uint64_t rpmem_now_ms(void);

#endif /* COMMON_RPMEM_SPIN_H */
