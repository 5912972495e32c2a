/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-replica-bench.c -- pmemobj_memcpy_persist into (a) a pool of one
 * file, (b) a pool set with a local replica, (c) a pool set with a remote
 * replica (librpmem, ssh, rpmemd), at 64 B .. 1 MiB, in one run; one table
 * with MB/s, ops/s and p50 latency of each and the ratios (b)/(a), (c)/(a)
 *
 * usage: obj-replica-bench [-d dir] [-s seconds-per-cell]
 *                          [<target> <remote pool set name>]
 *
 * The local parts are files in dir (default /dev/shm), created and
 * removed. Without a target only (a) and (b) are measured. The remote side
 * is reached as by any librpmem program (see rpmem-persist-bench): the
 * pool set name is one rpmemd serves on <target> (its --poolset-dir), of at
 * least 32 MiB, with no pool in it yet (rpmem_remove() clears it at the
 * end); RPMEM_SSH, RPMEM_CMD and RPMEM_PROVIDER apply. With the test sshd
 * on loopback:
 *
 *   utils/sshd-fixture.sh start /tmp/b/sshd && . /tmp/b/sshd/env
 *   mkdir -p /tmp/b/remote
 *   printf 'PMEMPOOLSET\n32M /dev/shm/obj-replica-remote.part\n' \
 *       > /tmp/b/remote/bench.set
 *   RPMEM_CMD="env PMEM_IS_PMEM_FORCE=1 build/src/rpmemd/rpmemd \
 *       --poolset-dir=/tmp/b/remote" \
 *   build/benchmarks/obj-replica-bench $RPMEM_TEST_TARGET bench.set
 *
 * The program runs itself again with PMEM_IS_PMEM_FORCE=1 when that is
 * not set, so that files on tmpfs take the CPU flush path (as on pmem).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>
#include <librpmem.h>

#include "bench-stats.h"

#define PART_SIZE "32M"
#define AREA ((size_t)16 << 20) /* the root object written to */
#define MAX_OPS 100000
#define MIN_OPS 20

static const size_t Sizes[] = {64, 256, 4096, 65536, 1 << 20};
#define NSIZES (sizeof(Sizes) / sizeof(Sizes[0]))

enum { PLAIN, LOCAL_REP, REMOTE_REP, NKINDS };
static const char *Kind_name[NKINDS] = {
	"(a) plain", "(b) local replica", "(c) remote replica"};

struct cell {
	double mbs, ops, p50;
};

/* pmemobj_memcpy_persist of len bytes, over and over for `secs` */
static void
measure(PMEMobjpool *pop, char *dst, const char *src, size_t len, double secs,
	double *lat, struct cell *c)
{
	size_t nslots = AREA / len, i = 0;
	int n = 0;
	double t0 = now_us(), t = t0;
	while (n < MAX_OPS && (n < MIN_OPS || t - t0 < secs * 1e6)) {
		double a = t;
		pmemobj_memcpy_persist(pop, dst + i * len, src + (i & 63), len);
		t = now_us();
		lat[n++] = t - a;
		if (++i == nslots)
			i = 0;
	}
	bench_pct(lat, n, &c->p50, NULL);
	c->ops = n * 1e6 / (t - t0);
	c->mbs = (double)n * (double)len / (t - t0);
}

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* one kind of pool: created, every size measured, closed, removed */
static int
run_kind(int kind, const char *dir, const char *target, const char *rset,
	double secs, double *lat, const char *src, struct cell *row)
{
	char set[512], part[512], rep[512], text[2048];
	pid_t pid = getpid();
	snprintf(set, sizeof(set), "%s/obj-replica-bench-%d.set", dir, pid);
	snprintf(part, sizeof(part), "%s/obj-replica-bench-%d.part", dir, pid);
	snprintf(rep, sizeof(rep), "%s/obj-replica-bench-%d.rep", dir, pid);
	switch (kind) {
	case PLAIN:
		snprintf(text, sizeof(text), "PMEMPOOLSET\n%s %s\n", PART_SIZE,
			part);
		break;
	case LOCAL_REP:
		snprintf(text, sizeof(text),
			"PMEMPOOLSET\n%s %s\nREPLICA\n%s %s\n", PART_SIZE, part,
			PART_SIZE, rep);
		break;
	default:
		snprintf(text, sizeof(text),
			"PMEMPOOLSET\n%s %s\nREPLICA %s %s\n", PART_SIZE, part,
			target, rset);
		break;
	}
	if (write_file(set, text))
		return -1;
	double t0 = now_us();
	PMEMobjpool *pop = pmemobj_create(set, "obj-replica-bench", 0, 0600);
	double t1 = now_us();
	int ret = -1;
	if (pop == NULL) {
		fprintf(stderr, "%s: pmemobj_create: %s\n", Kind_name[kind],
			pmemobj_errormsg());
		goto out;
	}
	fprintf(stderr, "%s: pool created in %.1f ms\n", Kind_name[kind],
		(t1 - t0) / 1e3);
	PMEMoid root = pmemobj_root(pop, AREA);
	char *dst = pmemobj_direct(root);
	if (dst == NULL) {
		fprintf(stderr, "%s: pmemobj_root: %s\n", Kind_name[kind],
			pmemobj_errormsg());
		pmemobj_close(pop);
		goto out;
	}
	for (size_t s = 0; s < NSIZES; s++)
		measure(pop, dst, src, Sizes[s], secs, lat, &row[s]);
	/* a remote failure is sticky: xpersist reports it */
	ret = 0;
	if (pmemobj_xpersist(pop, dst, 64, 0)) {
		fprintf(stderr, "%s: a replica failed: %s\n", Kind_name[kind],
			pmemobj_errormsg());
		ret = -1;
	}
	pmemobj_close(pop);
out:
	unlink(set);
	unlink(part);
	unlink(rep);
	if (kind == REMOTE_REP && pop != NULL &&
		rpmem_remove(target, rset, RPMEM_REMOVE_FORCE))
		fprintf(stderr, "rpmem_remove %s on %s: %s\n", rset, target,
			rpmem_errormsg());
	return ret;
}

static void
print_table(struct cell t[NKINDS][NSIZES], int nkinds, double secs)
{
	printf("pmemobj_memcpy_persist, PMEM_IS_PMEM_FORCE=1, %.2f s per "
	       "cell\n",
		secs);
	printf("%8s", "size");
	for (int k = 0; k < nkinds; k++)
		printf(" | %-28s", Kind_name[k]);
	printf(" | %-15s", "(b)/(a)");
	if (nkinds > REMOTE_REP)
		printf(" | %-15s", "(c)/(a)");
	printf("\n%8s", "");
	for (int k = 0; k < nkinds; k++)
		printf(" | %8s %9s %9s", "MB/s", "ops/s", "p50 us");
	for (int k = 1; k < nkinds; k++)
		printf(" | %7s %7s", "MB/s", "p50");
	printf("\n");
	for (size_t s = 0; s < NSIZES; s++) {
		if (Sizes[s] >= 1 << 20)
			printf("%6zuMi", Sizes[s] >> 20);
		else if (Sizes[s] >= 1024)
			printf("%6zuKi", Sizes[s] >> 10);
		else
			printf("%7zuB", Sizes[s]);
		for (int k = 0; k < nkinds; k++)
			printf(" | %8.1f %9.0f %9.2f", t[k][s].mbs, t[k][s].ops,
				t[k][s].p50);
		for (int k = 1; k < nkinds; k++)
			printf(" | %7.3f %7.2f", t[k][s].mbs / t[PLAIN][s].mbs,
				t[k][s].p50 / t[PLAIN][s].p50);
		printf("\n");
	}
}

int
main(int argc, char *argv[])
{
	if (getenv("PMEM_IS_PMEM_FORCE") == NULL) {
		setenv("PMEM_IS_PMEM_FORCE", "1", 1);
		execv("/proc/self/exe", argv);
		perror("re-executing with PMEM_IS_PMEM_FORCE=1");
		return 1;
	}
	const char *dir = "/dev/shm";
	double secs = 0.3;
	int opt;
	while ((opt = getopt(argc, argv, "d:s:")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			secs = atof(optarg);
			break;
		default:
			goto usage;
		}
	}
	const char *target = NULL, *rset = NULL;
	if (argc - optind == 2) {
		target = argv[optind];
		rset = argv[optind + 1];
	} else if (argc != optind) {
		goto usage;
	}
	if (secs <= 0)
		goto usage;

	static struct cell table[NKINDS][NSIZES];
	double *lat = malloc(sizeof(double) * MAX_OPS);
	char *src = malloc(Sizes[NSIZES - 1] + 64);
	if (lat == NULL || src == NULL)
		return 1;
	for (size_t i = 0; i < Sizes[NSIZES - 1] + 64; i++)
		src[i] = (char)(i * 131 + 7);
	int nkinds = target ? NKINDS : REMOTE_REP;
	for (int k = 0; k < nkinds; k++)
		if (run_kind(k, dir, target, rset, secs, lat, src, table[k]))
			return 1;
	if (target == NULL) {
		printf("(c) not measured: no <target> <remote pool set> "
		       "given\n");
	} else {
		const char *prov = getenv("RPMEM_PROVIDER");
		printf("(c) %s on %s, provider %s\n", rset, target,
			prov ? prov : "chosen by librpmem (tcp without RDMA)");
	}
	print_table(table, nkinds, secs);
	free(lat);
	free(src);
	return 0;
usage:
	fprintf(stderr,
		"usage: %s [-d dir] [-s seconds-per-cell] "
		"[<target> <remote pool set name>]\n",
		argv[0]);
	return 2;
}
