/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-persist-bench.c -- rpmem_persist latency (p50/p99) for 64 B..1 MiB
 * next to a plain TCP ping-pong on loopback (send the bytes, wait for an
 * 8-byte answer), which is the floor a persist over tcp cannot beat.
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
#include <time.h>
#include <unistd.h>

#include "bench-stats.h"
#include "librpmem.h"

#define POOL_SIZE ((size_t)4 << 20)
#define HDR 4096
#define MAX_LEN ((size_t)1 << 20)

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

/* echo server: reads a length word and that many bytes, answers 8 bytes */
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
		if (full_io(fd, &len, sizeof(len), 1) || len > MAX_LEN ||
			full_io(fd, buf, len, 1))
			break;
		uint64_t ack = len;
		if (full_io(fd, &ack, sizeof(ack), 0))
			break;
	}
	free(buf);
	close(fd);
	return NULL;
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
	if (iters < 10)
		iters = 10;

	void *pool;
	if (posix_memalign(&pool, 4096, POOL_SIZE))
		return 1;
	memset(pool, 0x5a, POOL_SIZE);
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

	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t alen = sizeof(a);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1) ||
		getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		perror("loopback listener");
		return 1;
	}
	pthread_t th;
	pthread_create(&th, NULL, server, &lfd);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cfd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		return 1;
	}
	int one = 1;
	setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	double *lat = malloc(sizeof(double) * (size_t)iters);
	printf("%10s %8s %10s %10s %10s %10s %8s\n", "size", "iters",
		"rpmem_p50", "rpmem_p99", "tcp_p50", "tcp_p99", "p50_ratio");
	int ret = 0;
	for (size_t len = 64; len <= MAX_LEN; len *= 4) {
		int n = len >= (256 << 10) ? iters / 10 : iters;
		double r50, r99, t50, t99;
		for (int i = 0; i < n; i++) {
			size_t off = HDR + (i * len) % (POOL_SIZE - HDR - len);
			((char *)pool)[off] = (char)i;
			double t0 = now_us();
			if (rpmem_persist(rpp, off, len, 0, 0)) {
				fprintf(stderr, "rpmem_persist: %s\n",
					rpmem_errormsg());
				ret = 1;
				goto out;
			}
			lat[i] = now_us() - t0;
		}
		bench_pct(lat, n, &r50, &r99);
		for (int i = 0; i < n; i++) {
			uint64_t l = len, ack;
			double t0 = now_us();
			if (full_io(cfd, &l, sizeof(l), 0) ||
				full_io(cfd, (char *)pool + HDR, len, 0) ||
				full_io(cfd, &ack, sizeof(ack), 1)) {
				perror("ping-pong");
				ret = 1;
				goto out;
			}
			lat[i] = now_us() - t0;
		}
		bench_pct(lat, n, &t50, &t99);
		printf("%10zu %8d %10.1f %10.1f %10.1f %10.1f %8.2f\n", len, n,
			r50, r99, t50, t99, r50 / t50);
	}
out:
	close(cfd);
	pthread_join(th, NULL);
	close(lfd);
	free(lat);
	if (rpmem_close(rpp))
		fprintf(stderr, "rpmem_close: %s\n", rpmem_errormsg());
	if (rpmem_remove(argv[1], argv[2], RPMEM_REMOVE_FORCE))
		fprintf(stderr, "rpmem_remove: %s\n", rpmem_errormsg());
	free(pool);
	return ret;
}
