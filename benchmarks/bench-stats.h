/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-stats.h -- the clock and the percentiles the benchmark programs
 * share: now_us() reads CLOCK_MONOTONIC in microseconds, bench_pct() sorts
 * n samples and gives their 50th and 99th percentiles (p99 may be NULL),
 * bench_run_ms() runs a command (argv, NULL-terminated; its output goes to
 * /dev/null) and gives its wall time in milliseconds, or -1 when it could
 * not run or did not exit 0;
 * bench_ssh_ms() times `$RPMEM_SSH [-p port] -T -oBatchMode=yes host cmd..`
 * for a librpmem target ([user@]host[:port], [user@][v6addr][:port])
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		WEXITSTATUS(st) != 0)
		return -1;
	return (now_us() - t0) / 1e3;
}

/* cmd: up to 8 words, NULL-terminated */
static inline double
bench_ssh_ms(const char *target, const char *const cmd[])
{
	const char *ssh = getenv("RPMEM_SSH");
	char dest[512], port[32] = "";
	if (ssh == NULL || ssh[0] == '\0')
		ssh = "ssh";
	const char *at = strchr(target, '@');
	const char *host = at ? at + 1 : target;
	size_t ulen = at ? (size_t)(host - target) : 0;
	const char *end, *colon;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (end == NULL)
			return -1;
		colon = end[1] == ':' ? end + 1 : NULL;
		host++;
	} else {
		colon = strchr(host, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL; /* a bare IPv6 address */
		end = colon ? colon : host + strlen(host);
	}
	if (colon != NULL)
		snprintf(port, sizeof(port), "%s", colon + 1);
	snprintf(dest, sizeof(dest), "%.*s%.*s", (int)ulen, target,
		(int)(end - host), host);
	const char *argv[16];
	int n = 0;
	argv[n++] = ssh;
	if (port[0]) {
		argv[n++] = "-p";
		argv[n++] = port;
	}
	argv[n++] = "-T";
	argv[n++] = "-oBatchMode=yes";
	argv[n++] = dest;
	for (int i = 0; cmd[i] != NULL && i < 8; i++)
		argv[n++] = cmd[i];
	argv[n] = NULL;
	return bench_run_ms(argv);
}

#endif /* BENCH_STATS_H */
