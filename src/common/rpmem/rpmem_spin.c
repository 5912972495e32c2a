/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_spin.c -- adaptive choice between polling and sleeping waits */
#include <time.h>

#include "rpmem_spin.h"

int
rpmem_spin_begin(struct rpmem_spin *s)
{
	if (s->skip == 0)
		return 1;
	s->skip--;
	return 0;
}

void
rpmem_spin_end(struct rpmem_spin *s, int hit)
{
	if (hit) {
		s->misses = 0;
		s->skip = 0;
		return;
	}
	s->skip = 2U << s->misses;
	if (s->skip >= RPMEM_SPIN_MAX_SKIP)
		s->skip = RPMEM_SPIN_MAX_SKIP;
	else
		s->misses++;
}

void
rpmem_backoff_sleep(struct rpmem_backoff *b, unsigned max_us)
{
	unsigned us = b->us ? b->us : 16;
	if (us > max_us)
		us = max_us;
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
	nanosleep(&ts, NULL);
	b->us = us * 2 < max_us ? us * 2 : max_us;
}

uint64_t
rpmem_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
rpmem_now_ms(void)
{
	return rpmem_now_us() / 1000;
}
