/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-persist-bench.c -- rpmem_persist against plain loopback TCP
 * references measured in the same run:
 *
 * - latency (p50/p99) for 64 B..1 MiB next to a TCP ping-pong (send the
 *   bytes, wait for an 8-byte answer), the floor a persist over tcp cannot
 *   beat, once with the echo server in a thread of this process and once in
 *   a child process (as rpmemd is another process: on virtual machines a
 *   switch between address spaces can cost more than the round trip);
 *   rpmem and TCP run in alternating blocks so that load changes on the
 *   machine hit all alike;
 * - 1 MiB persist throughput next to bulk TCP throughput (1 MiB writes
 *   without answers, one answer at the end);
 * - rpmem_create (ssh, rpmemd start, pool creation, fabric connection) in
 *   a new process, then rpmem_close, rpmem_open and rpmem_remove, each
 *   next to `$RPMEM_SSH [-p port] host true` against the same sshd.
 *
 * usage: rpmem-persist-bench <target> <pool set name> [iterations]
 * with RPMEM_SSH / RPMEM_CMD / RPMEM_PROVIDER as for any librpmem program.
 * The pool set must hold at least 4 MiB; it is created and removed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-stats.h"
#include "librpmem.h"

#define POOL_SIZE ((size_t)4 << 20)
#define HDR 4096
#define MAX_LEN ((size_t)1 << 20)
#define BLOCK 50	       /* iterations per alternating block */
#define NO_ANSWER (1ULL << 63) /* length word flag: bulk data, no answer */
#define BULK_MIB 256	       /* data moved per throughput sample */
#define CREATES 5

static int
full_io(int fd, void *buf, size_t len, int rd)
{
	char *p = buf;
	while (len > 0) {
		ssize_t r = rd ? recv(fd, p, len, 0)
			       : send(fd, p, len, MSG_NOSIGNAL);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * echo server: reads a length word and that many bytes, answers 8 bytes
 * unless the word carries NO_ANSWER
 */
static void *
server(void *arg)
{
	int lfd = *(int *)arg;
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	char *buf = malloc(MAX_LEN);
	for (;;) {
		uint64_t len;
		if (full_io(fd, &len, sizeof(len), 1) ||
			(len & ~NO_ANSWER) > MAX_LEN ||
			full_io(fd, buf, len & ~NO_ANSWER, 1))
			break;
		if (len & NO_ANSWER)
			continue;
		uint64_t ack = len;
		if (full_io(fd, &ack, sizeof(ack), 0))
			break;
	}
	free(buf);
	close(fd);
	return NULL;
}

static int
median_of(double *v, int n, double *p50)
{
	double p99;
	if (n <= 0)
		return -1;
	bench_pct(v, n, p50, &p99);
	return 0;
}

/* milliseconds of `$RPMEM_SSH [-p port] -T -oBatchMode=yes host true` */
static double
ssh_true_ms(const char *target)
{
	const char *const cmd[] = {"true", NULL};
	return bench_ssh_ms(target, cmd);
}

enum { T_CREATE, T_CLOSE, T_OPEN, T_REMOVE, T_N };
static const char *const T_names[T_N] = {
	"rpmem_create", "rpmem_close", "rpmem_open", "rpmem_remove"};

/* create, close, open, close, remove of the pool set; ms into t[] */
static int
lifecycle(const char *target, const char *set, void *pool, double *t)
{
	struct rpmem_pool_attr attr;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "BENCH", 5);
	unsigned nlanes = 1;
	double t0 = now_us();
	RPMEMpool *rpp =
		rpmem_create(target, set, pool, POOL_SIZE, &nlanes, &attr);
	t[T_CREATE] = (now_us() - t0) / 1e3;
	if (rpp == NULL)
		return -1;
	t0 = now_us();
	int ret = rpmem_close(rpp);
	t[T_CLOSE] = (now_us() - t0) / 1e3;
	if (ret)
		return -1;
	t0 = now_us();
	rpp = rpmem_open(target, set, pool, POOL_SIZE, &nlanes, &attr);
	t[T_OPEN] = (now_us() - t0) / 1e3;
	if (rpp == NULL || rpmem_close(rpp))
		return -1;
	t0 = now_us();
	ret = rpmem_remove(target, set, RPMEM_REMOVE_FORCE);
	t[T_REMOVE] = (now_us() - t0) / 1e3;
	return ret;
}

/*
 * lifecycle() in a new child process, i.e. with libfabric not yet
 * initialized when rpmem_create runs, as an application's first call
 * sees it; 0 or -1
 */
static int
cold_lifecycle(const char *target, const char *set, void *pool, double *t)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		int ret = lifecycle(target, set, pool, t);
		if (ret)
			fprintf(stderr, "pool lifecycle: %s\n",
				rpmem_errormsg());
		ssize_t w = write(fds[1], t, sizeof(double) * T_N);
		_exit(w == (ssize_t)sizeof(double) * T_N && !ret ? 0 : 1);
	}
	close(fds[1]);
	int ret = 0;
	if (read(fds[0], t, sizeof(double) * T_N) !=
		(ssize_t)sizeof(double) * T_N)
		ret = -1;
	close(fds[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		WEXITSTATUS(st) != 0)
		ret = -1;
	return ret;
}

static int
persist_one(RPMEMpool *rpp, char *pool, size_t len, int i, double *us)
{
	size_t off = HDR + ((size_t)i * len) % (POOL_SIZE - HDR - len);
	pool[off] = (char)i;
	double t0 = now_us();
	if (rpmem_persist(rpp, off, len, 0, 0)) {
		fprintf(stderr, "rpmem_persist: %s\n", rpmem_errormsg());
		return -1;
	}
	*us = now_us() - t0;
	return 0;
}

static int
ping_one(int cfd, const char *pool, size_t len, double *us)
{
	uint64_t l = len, ack;
	double t0 = now_us();
	if (full_io(cfd, &l, sizeof(l), 0) ||
		full_io(cfd, (char *)pool + HDR, len, 0) ||
		full_io(cfd, &ack, sizeof(ack), 1)) {
		perror("ping-pong");
		return -1;
	}
	*us = now_us() - t0;
	return 0;
}

/* MiB/s of BULK_MIB back-to-back 1 MiB persists */
static double
persist_mibs(RPMEMpool *rpp, char *pool)
{
	double t0 = now_us();
	for (int i = 0; i < BULK_MIB; i++) {
		double us;
		if (persist_one(rpp, pool, MAX_LEN, i, &us))
			return -1;
	}
	return BULK_MIB / ((now_us() - t0) / 1e6);
}

/* MiB/s of BULK_MIB 1 MiB TCP writes without answers, one answer at the end */
static double
tcp_mibs(int cfd, const char *pool)
{
	double t0 = now_us();
	for (int i = 0; i < BULK_MIB; i++) {
		uint64_t l = MAX_LEN | NO_ANSWER;
		if (full_io(cfd, &l, sizeof(l), 0) ||
			full_io(cfd, (char *)pool + HDR, MAX_LEN, 0)) {
			perror("bulk tcp");
			return -1;
		}
	}
	double us;
	if (ping_one(cfd, pool, 8, &us))
		return -1;
	return BULK_MIB / ((now_us() - t0) / 1e6);
}

/* a loopback listener on an ephemeral port; -1 on failure */
static int
listener(struct sockaddr_in *a)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(*a);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)a, sizeof(*a)) ||
		listen(lfd, 1) ||
		getsockname(lfd, (struct sockaddr *)a, &alen)) {
		perror("loopback listener");
		return -1;
	}
	return lfd;
}

static int
connect_to(const struct sockaddr_in *a)
{
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (const struct sockaddr *)a, sizeof(*a))) {
		perror("connect");
		return -1;
	}
	int one = 1;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return cfd;
}

int
main(int argc, char *argv[])
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s <target> <pool set> [iterations]\n",
			argv[0]);
		return 1;
	}
	int iters = argc > 3 ? atoi(argv[3]) : 1000;
	if (iters < BLOCK)
		iters = BLOCK;
	iters -= iters % BLOCK;

	void *pool;
	if (posix_memalign(&pool, 4096, POOL_SIZE))
		return 1;
	memset(pool, 0x5a, POOL_SIZE);

	/* start-up first, while nothing in this process touched libfabric */
	double lc[T_N][CREATES], lc50[T_N], sh[CREATES], sh50;
	for (int i = 0; i < CREATES; i++) {
		double t[T_N];
		sh[i] = ssh_true_ms(argv[1]);
		if (sh[i] < 0 || cold_lifecycle(argv[1], argv[2], pool, t)) {
			fprintf(stderr, "start-up measurement failed\n");
			return 1;
		}
		for (int k = 0; k < T_N; k++)
			lc[k][i] = t[k];
	}
	for (int k = 0; k < T_N; k++)
		median_of(lc[k], CREATES, &lc50[k]);
	median_of(sh, CREATES, &sh50);

	/* the echo server in a child process, as rpmemd is one */
	struct sockaddr_in pa;
	int plfd = listener(&pa);
	if (plfd < 0)
		return 1;
	pid_t ppid = fork();
	if (ppid < 0) {
		perror("fork");
		return 1;
	}
	if (ppid == 0) {
		server(&plfd);
		_exit(0);
	}
	close(plfd);
	int pfd = connect_to(&pa);
	if (pfd < 0)
		return 1;

	struct rpmem_pool_attr attr;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "BENCH", 5);
	unsigned nlanes = 1;
	RPMEMpool *rpp =
		rpmem_create(argv[1], argv[2], pool, POOL_SIZE, &nlanes, &attr);
	if (rpp == NULL) {
		fprintf(stderr, "rpmem_create: %s\n", rpmem_errormsg());
		return 1;
	}

	struct sockaddr_in a;
	int lfd = listener(&a);
	if (lfd < 0)
		return 1;
	pthread_t th;
	pthread_create(&th, NULL, server, &lfd);
	int cfd = connect_to(&a);
	if (cfd < 0)
		return 1;

	double *rl = malloc(sizeof(double) * (size_t)iters);
	double *tl = malloc(sizeof(double) * (size_t)iters);
	double *pl = malloc(sizeof(double) * (size_t)iters);
	printf("latency (us); tcp: echo thread in this process, tcp_proc: "
	       "echo process\n%10s %8s %10s %10s %10s %10s %8s %10s %8s\n",
		"size", "iters", "rpmem_p50", "rpmem_p99", "tcp_p50", "tcp_p99",
		"p50_ratio", "proc_p50", "ratio");
	int ret = 0;
	for (size_t len = 64; len <= MAX_LEN; len *= 4) {
		int n = len >= (256 << 10) ? iters / 10 : iters;
		if (n < BLOCK)
			n = BLOCK;
		double r50, r99, t50, t99;
		for (int b = 0; b < n; b += BLOCK) {
			for (int i = b; i < b + BLOCK; i++) {
				if (persist_one(rpp, pool, len, i, &rl[i])) {
					ret = 1;
					goto out;
				}
			}
			for (int i = b; i < b + BLOCK; i++) {
				if (ping_one(cfd, pool, len, &tl[i]) ||
					ping_one(pfd, pool, len, &pl[i])) {
					ret = 1;
					goto out;
				}
			}
		}
		double p50, p99;
		bench_pct(rl, n, &r50, &r99);
		bench_pct(tl, n, &t50, &t99);
		bench_pct(pl, n, &p50, &p99);
		printf("%10zu %8d %10.1f %10.1f %10.1f %10.1f %8.2f %10.1f "
		       "%8.2f\n",
			len, n, r50, r99, t50, t99, r50 / t50, p50, r50 / p50);
	}

	/* three alternating samples each, the best of each counts */
	double pm = 0, tm = 0;
	for (int k = 0; k < 3; k++) {
		double p = persist_mibs(rpp, pool);
		double t = tcp_mibs(cfd, pool);
		if (p < 0 || t < 0) {
			ret = 1;
			goto out;
		}
		pm = p > pm ? p : pm;
		tm = t > tm ? t : tm;
	}
	printf("\nthroughput (MiB/s, 1 MiB units, best of 3 x %d MiB)\n"
	       "%14s %14s %8s\n%14.0f %14.0f %8.2f\n",
		BULK_MIB, "rpmem_persist", "tcp_bulk", "ratio", pm, tm,
		pm / tm);
	printf("\npool lifecycle (ms, median of %d, new process each; "
	       "ssh_true: `ssh host true`)\n%14s %10s %10s %8s\n",
		CREATES, "call", "ms", "ssh_true", "ratio");
	for (int k = 0; k < T_N; k++)
		printf("%14s %10.1f %10.1f %8.2f\n", T_names[k], lc50[k], sh50,
			lc50[k] / sh50);
out:
	close(cfd);
	close(pfd);
	waitpid(ppid, NULL, 0);
	pthread_join(th, NULL);
	close(lfd);
	free(rl);
	free(tl);
	free(pl);
	if (rpmem_close(rpp))
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
	if (rpmem_remove(argv[1], argv[2], RPMEM_REMOVE_FORCE))
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
	free(pool);
	return ret;
}
