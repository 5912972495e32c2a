/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demo.c -- the main job end to end: a local pool whose records are written
 * and persisted locally, then replicated to a remote pool served by rpmemd
 * over ssh, read back, verified, and timed
 *
 * usage: demo <target> <pool-set-name> <local-pool-file> <remote-part-file>
 *             [records]
 * Built with libpmemobj when it is available (HAVE_PMEMOBJ): the local pool
 * is a pmemobj pool and the records live in its root object; otherwise a
 * plain mapped file stands in for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <librpmem.h>
#ifdef HAVE_PMEMOBJ
#include <libpmemobj.h>
#endif

#define POOL_SIZE ((size_t)32 << 20)
#define REC_SIZE 256

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void
make_record(char *rec, size_t i)
{
	memset(rec, 0, REC_SIZE);
	int n = snprintf(rec, REC_SIZE, "record %zu: the quick brown fox #%zx",
		i, i * 2654435761u);
	for (size_t k = (size_t)n + 1; k < REC_SIZE; k++)
		rec[k] = (char)(i + k);
}

static int
die(const char *what)
{
	fprintf(stderr, "demo: %s failed: %s\n", what, rpmem_errormsg());
	return 1;
}

int
main(int argc, char *argv[])
{
	if (argc < 5) {
		fprintf(stderr,
			"usage: %s <target> <pool-set> <local-pool> "
			"<remote-part> [records]\n",
			argv[0]);
		return 2;
	}
	const char *target = argv[1], *set = argv[2], *local = argv[3],
		   *remote = argv[4];
	size_t nrec = argc > 5 ? strtoul(argv[5], NULL, 10) : 10000;
	if (nrec == 0 || nrec * REC_SIZE > POOL_SIZE / 2) {
		fprintf(stderr, "demo: records must be 1..%zu\n",
			POOL_SIZE / 2 / REC_SIZE);
		return 2;
	}
	char rec[REC_SIZE];
	double t0, t1;

	/* 1. the local pool and its records */
	unlink(local);
	t0 = now_us();
#ifdef HAVE_PMEMOBJ
	PMEMobjpool *pop = pmemobj_create(local, "demo", POOL_SIZE, 0600);
	if (pop == NULL) {
		fprintf(stderr, "demo: pmemobj_create: %s\n",
			pmemobj_errormsg());
		return 1;
	}
	PMEMoid root = pmemobj_root(pop, nrec * REC_SIZE);
	if (OID_IS_NULL(root)) {
		fprintf(stderr, "demo: pmemobj_root: %s\n", pmemobj_errormsg());
		return 1;
	}
	char *base = (char *)pop;
	char *records = pmemobj_direct(root);
	const char *kind = "pmemobj pool";
#else
	int fd = open(local, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)POOL_SIZE) != 0) {
		perror(local);
		return 1;
	}
	char *base = mmap(
		NULL, POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	char *records = base + 65536;
	const char *kind = "mapped file (libpmemobj not built)";
#endif
	t1 = now_us();
	printf("local %s %s, %zu MiB: created in %.1f ms\n", kind, local,
		POOL_SIZE >> 20, (t1 - t0) / 1e3);

	t0 = now_us();
	for (size_t i = 0; i < nrec; i++) {
		make_record(rec, i);
#ifdef HAVE_PMEMOBJ
		pmemobj_memcpy_persist(
			pop, records + i * REC_SIZE, rec, REC_SIZE);
#else
		memcpy(records + i * REC_SIZE, rec, REC_SIZE);
#endif
	}
#ifndef HAVE_PMEMOBJ
	msync(base, POOL_SIZE, MS_SYNC);
#endif
	t1 = now_us();
	printf("wrote %zu records of %d B locally, each persisted: %.2f us "
	       "per record\n",
		nrec, REC_SIZE, (t1 - t0) / (double)nrec);

	/* 2. the remote replica */
	struct rpmem_pool_attr attr;
	memset(&attr, 0, sizeof(attr));
	memcpy(attr.signature, "DEMO", 5);
	attr.major = 1;
	unsigned nlanes = 4;
	t0 = now_us();
	RPMEMpool *rpp =
		rpmem_create(target, set, base, POOL_SIZE, &nlanes, &attr);
	t1 = now_us();
	if (rpp == NULL)
		return die("rpmem_create");
	printf("remote pool '%s' on %s created in %.1f ms, %u lanes\n", set,
		target, (t1 - t0) / 1e3, nlanes);

	size_t off0 = (size_t)(records - base);
	size_t half = nrec / 2;
	double *lat = malloc(sizeof(double) * (half ? half : 1));
	if (lat == NULL)
		return 1;
	t0 = now_us();
	for (size_t i = 0; i < half; i++) {
		double a = now_us();
		if (rpmem_persist(rpp, off0 + i * REC_SIZE, REC_SIZE, 0, 0))
			return die("rpmem_persist");
		lat[i] = now_us() - a;
	}
	t1 = now_us();
	if (half) {
		qsort(lat, half, sizeof(double), cmp_double);
		printf("rpmem_persist of %zu records one by one: p50 %.1f us, "
		       "p99 %.1f us, %.1f MB/s\n",
			half, lat[half / 2], lat[half * 99 / 100],
			(double)(half * REC_SIZE) / (t1 - t0));
	}
	free(lat);

	t0 = now_us();
	for (size_t i = half; i < nrec; i++)
		if (rpmem_flush(rpp, off0 + i * REC_SIZE, REC_SIZE, 0,
			    RPMEM_FLUSH_RELAXED))
			return die("rpmem_flush");
	if (rpmem_drain(rpp, 0, 0))
		return die("rpmem_drain");
	t1 = now_us();
	printf("rpmem_flush of %zu records + one rpmem_drain: %.1f us per "
	       "record, %.1f MB/s\n",
		nrec - half, (t1 - t0) / (double)(nrec - half),
		(double)((nrec - half) * REC_SIZE) / (t1 - t0));

	size_t total = nrec * REC_SIZE;
	t0 = now_us();
	if (rpmem_persist(rpp, off0, total, 0, 0))
		return die("rpmem_persist (bulk)");
	t1 = now_us();
	printf("rpmem_persist of all %zu KiB at once: %.1f ms, %.1f MB/s\n",
		total >> 10, (t1 - t0) / 1e3, (double)total / (t1 - t0));

	char *back = malloc(total);
	if (back == NULL)
		return 1;
	t0 = now_us();
	if (rpmem_read(rpp, back, off0, total, 0))
		return die("rpmem_read");
	t1 = now_us();
	if (memcmp(back, records, total) != 0) {
		fprintf(stderr, "demo: data read back differs\n");
		return 1;
	}
	printf("rpmem_read of %zu KiB: %.1f ms, %.1f MB/s, identical\n",
		total >> 10, (t1 - t0) / 1e3, (double)total / (t1 - t0));

	t0 = now_us();
	if (rpmem_close(rpp))
		return die("rpmem_close");
	t1 = now_us();
	printf("rpmem_close: %.1f ms\n", (t1 - t0) / 1e3);

	/* 3. the remote pool file itself */
	int rfd = open(remote, O_RDONLY);
	if (rfd < 0 || pread(rfd, back, total, (off_t)off0) != (ssize_t)total) {
		perror(remote);
		return 1;
	}
	close(rfd);
	if (memcmp(back, records, total) != 0) {
		fprintf(stderr, "demo: remote pool file differs\n");
		return 1;
	}
	printf("remote pool file %s holds the same %zu records at the same "
	       "offsets\n",
		remote, nrec);
	free(back);
#ifdef HAVE_PMEMOBJ
	pmemobj_close(pop);
	pop = pmemobj_open(local, "demo");
	if (pop == NULL) {
		fprintf(stderr, "demo: pmemobj_open: %s\n", pmemobj_errormsg());
		return 1;
	}
	records = pmemobj_direct(pmemobj_root(pop, total));
	make_record(rec, nrec - 1);
	if (memcmp(records + (nrec - 1) * REC_SIZE, rec, REC_SIZE) != 0) {
		fprintf(stderr, "demo: local pool lost a record\n");
		return 1;
	}
	pmemobj_close(pop);
	printf("local pool reopened: records intact\n");
#else
	munmap(base, POOL_SIZE);
#endif
	printf("demo: OK\n");
	return 0;
}
