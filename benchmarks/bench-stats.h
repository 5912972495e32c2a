/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-stats.h -- the clock and the percentiles the benchmark programs
 * share: now_us() reads CLOCK_MONOTONIC in microseconds, bench_pct() sorts
 * n samples and gives their 50th and 99th percentiles (p99 may be NULL),
 * bench_run_ms() runs a command (argv, NULL-terminated) and gives its wall
 * time in milliseconds, or -1 when it could not run or did not exit 0
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static inline void
bench_pct(double *v, int n, double *p50, double *p99)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	*p50 = v[n / 2];
	if (p99 != NULL)
		*p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static inline double
bench_run_ms(const char *const argv[])
{
	double t0 = now_us();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		WEXITSTATUS(st) != 0)
		return -1;
	return (now_us() - t0) / 1e3;
}

#endif /* BENCH_STATS_H */
