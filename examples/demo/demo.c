/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * demo.c -- the main job end to end: a pmemobj pool whose pool set has a
 * remote replica; records written with the persistence calls of libpmemobj
 * reach the remote pool as well, which is checked byte for byte in the
 * remote pool's own file, before and after the pool is closed and opened
 * again, with timings
 *
 * usage: demo <pool-set-file> <remote-part-file> [records]
 *
 * The pool set names one local part and a remote replica
 * (REPLICA <target> <remote set>) whose set on the remote node has a single
 * part, <remote-part-file>, readable from here: offsets in the pool and in
 * that file are the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>

#define REC_SIZE 256
#define MAX_RECORDS 65536 /* 16 MiB of records */

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

/* the contents of record i in its generation gen, all REC_SIZE bytes */
static void
make_record(char *rec, size_t i, unsigned gen)
{
	memset(rec, 0, REC_SIZE);
	int n = snprintf(rec, REC_SIZE,
		"record %zu generation %u: the quick brown fox #%zx", i, gen,
		i * 2654435761u);
	for (size_t k = (size_t)n + 1; k < REC_SIZE; k++)
		rec[k] = (char)(i * 31 + k + gen * 7);
}

static int
fail(const char *what)
{
	fprintf(stderr, "demo: %s: %s\n", what, pmemobj_errormsg());
	return 1;
}

enum with { WITH_PERSIST, WITH_NODRAIN, WITH_FLUSH };

/* what one way of writing the records cost */
struct phase {
	const char *how;
	enum with with;
	size_t first, count;
	double *lat; /* us per call */
	double total_us;
};

static void
phase_print(struct phase *ph)
{
	if (ph->count == 0)
		return;
	qsort(ph->lat, ph->count, sizeof(double), cmp_double);
	double p50 = ph->lat[ph->count / 2];
	double p99 = ph->lat[ph->count * 99 / 100];
	printf("  %-40s %6zu %10.0f %8.1f %8.1f %8.2f\n", ph->how, ph->count,
		(double)ph->count * 1e6 / ph->total_us, p50, p99,
		(double)(ph->count * REC_SIZE) / ph->total_us);
}

/*
 * Records ph->first .. ph->first + ph->count - 1 in generation gen, each
 * made durable on every replica in one of three ways:
 *   WITH_PERSIST  pmemobj_memcpy_persist
 *   WITH_NODRAIN  pmemobj_memcpy(PMEMOBJ_F_MEM_NODRAIN), one drain at the end
 *   WITH_FLUSH    stores into the pool, pmemobj_flush, one drain at the end
 */
static int
write_records(PMEMobjpool *pop, char *records, struct phase *ph, unsigned gen)
{
	char rec[REC_SIZE];
	double t0 = now_us();
	for (size_t k = 0; k < ph->count; k++) {
		size_t i = ph->first + k;
		char *dst = records + i * REC_SIZE;
		if (ph->with != WITH_FLUSH)
			make_record(rec, i, gen);
		double a = now_us();
		switch (ph->with) {
		case WITH_PERSIST:
			if (pmemobj_memcpy_persist(pop, dst, rec, REC_SIZE) ==
				NULL)
				return fail("pmemobj_memcpy_persist");
			break;
		case WITH_NODRAIN:
			if (pmemobj_memcpy(pop, dst, rec, REC_SIZE,
				    PMEMOBJ_F_MEM_NODRAIN) == NULL)
				return fail("pmemobj_memcpy");
			break;
		case WITH_FLUSH:
			make_record(dst, i, gen);
			pmemobj_flush(pop, dst, REC_SIZE);
			break;
		}
		ph->lat[k] = now_us() - a;
	}
	if (ph->with != WITH_PERSIST)
		pmemobj_drain(pop);
	ph->total_us = now_us() - t0;
	return 0;
}

/*
 * The records as they are in the remote pool's file, compared with what
 * was written (gen[i] is the generation of record i). Returns 0 when every
 * byte matches, else says which record differs first.
 */
static int
remote_verify(const char *remote, size_t off0, size_t nrec, const unsigned *gen,
	const char *when)
{
	size_t total = nrec * REC_SIZE;
	char *back = malloc(total);
	char rec[REC_SIZE];
	if (back == NULL)
		return 1;
	int fd = open(remote, O_RDONLY);
	if (fd < 0 || pread(fd, back, total, (off_t)off0) != (ssize_t)total) {
		fprintf(stderr, "demo: reading %zu bytes at %zu of %s: %s\n",
			total, off0, remote, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(back);
		return 1;
	}
	close(fd);
	for (size_t i = 0; i < nrec; i++) {
		make_record(rec, i, gen[i]);
		if (memcmp(back + i * REC_SIZE, rec, REC_SIZE) != 0) {
			fprintf(stderr,
				"demo: %s: record %zu (generation %u) differs "
				"in the remote pool file %s at offset %zu\n",
				when, i, gen[i], remote, off0 + i * REC_SIZE);
			free(back);
			return 1;
		}
	}
	free(back);
	printf("remote pool file, %s: all %zu records identical, byte for "
	       "byte, at offsets %zu..%zu\n",
		when, nrec, off0, off0 + total);
	return 0;
}

/* the records of the local pool against what was written */
static int
local_verify(const char *records, size_t nrec, const unsigned *gen)
{
	char rec[REC_SIZE];
	for (size_t i = 0; i < nrec; i++) {
		make_record(rec, i, gen[i]);
		if (memcmp(records + i * REC_SIZE, rec, REC_SIZE) != 0) {
			fprintf(stderr,
				"demo: local pool: record %zu differs\n", i);
			return 1;
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 3) {
		fprintf(stderr,
			"usage: %s <pool-set-file> <remote-part-file> "
			"[records]\n",
			argv[0]);
		return 2;
	}
	const char *set = argv[1], *remote = argv[2];
	size_t nrec = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000;
	if (nrec < 4 || nrec > MAX_RECORDS) {
		fprintf(stderr, "demo: records must be 4..%d\n", MAX_RECORDS);
		return 2;
	}
	size_t total = nrec * REC_SIZE;
	/* per record: how often it was written, and its last latency */
	static unsigned gen[MAX_RECORDS];
	static double lat[MAX_RECORDS];

	/* 1. the pool: local part and remote replica come up together */
	double t0 = now_us();
	PMEMobjpool *pop = pmemobj_create(set, "demo", 0, 0600);
	if (pop == NULL)
		return fail("pmemobj_create");
	double t1 = now_us();
	printf("pool set %s created (local part + remote replica over ssh "
	       "and rpmemd) in %.1f ms\n",
		set, (t1 - t0) / 1e3);
	PMEMoid root = pmemobj_root(pop, total);
	if (OID_IS_NULL(root))
		return fail("pmemobj_root");
	char *records = pmemobj_direct(root);
	size_t off0 = (size_t)(records - (char *)pop);

	/* 2. the records, written three ways */
	size_t a = nrec / 2, b = nrec / 4;
	struct phase ph[3] = {
		{"pmemobj_memcpy_persist", WITH_PERSIST, 0, a, lat, 0},
		{"pmemobj_memcpy(NODRAIN) + 1 drain", WITH_NODRAIN, a, b,
			lat + a, 0},
		{"stores + pmemobj_flush + 1 drain", WITH_FLUSH, a + b,
			nrec - a - b, lat + a + b, 0},
	};
	for (int i = 0; i < 3; i++)
		if (write_records(pop, records, &ph[i], 1))
			return 1;
	for (size_t i = 0; i < nrec; i++)
		gen[i] = 1;
	/*
	 * The void calls above cannot say that a remote replica failed; the
	 * failure is kept, and any call with a status reports it.
	 */
	if (pmemobj_xpersist(pop, records, REC_SIZE, 0))
		return fail("the remote replica");
	printf("wrote %zu records of %d B, each reaching both replicas:\n",
		nrec, REC_SIZE);
	printf("  %-40s %6s %10s %8s %8s %8s\n", "how", "recs", "records/s",
		"p50 us", "p99 us", "MB/s");
	for (int i = 0; i < 3; i++)
		phase_print(&ph[i]);
	double all_us = ph[0].total_us + ph[1].total_us + ph[2].total_us;
	printf("  all: %.0f records/s, %.2f MB/s\n",
		(double)nrec * 1e6 / all_us, (double)total / all_us);

	/* 3. the remote copy, read from the remote pool file itself */
	if (remote_verify(remote, off0, nrec, gen, "pool open"))
		return 1;

	/* 4. close, check again, open again */
	t0 = now_us();
	pmemobj_close(pop);
	t1 = now_us();
	printf("pool closed in %.1f ms\n", (t1 - t0) / 1e3);
	if (remote_verify(remote, off0, nrec, gen, "pool closed"))
		return 1;

	t0 = now_us();
	pop = pmemobj_open(set, "demo");
	if (pop == NULL)
		return fail("pmemobj_open");
	t1 = now_us();
	root = pmemobj_root(pop, total);
	if (OID_IS_NULL(root))
		return fail("pmemobj_root after open");
	records = pmemobj_direct(root);
	if ((size_t)(records - (char *)pop) != off0) {
		fprintf(stderr, "demo: the root object moved\n");
		return 1;
	}
	if (local_verify(records, nrec, gen))
		return 1;
	printf("pool set reopened (remote replica reattached) in %.1f ms: "
	       "all %zu records intact\n",
		(t1 - t0) / 1e3, nrec);

	/* 5. the reopened pool still mirrors: rewrite every 8th record */
	struct phase re = {"pmemobj_memcpy_persist, reopened pool",
		WITH_PERSIST, 0, 0, lat, 0};
	double re_us = 0;
	for (size_t i = 0; i < nrec; i += 8) {
		struct phase one = {"", WITH_PERSIST, i, 1, lat + re.count, 0};
		if (write_records(pop, records, &one, 2))
			return 1;
		gen[i] = 2;
		re_us += one.total_us;
		re.count++;
	}
	re.total_us = re_us;
	printf("rewrote every 8th record after reopening:\n");
	phase_print(&re);
	if (remote_verify(remote, off0, nrec, gen, "after the rewrite"))
		return 1;
	pmemobj_close(pop);
	if (remote_verify(remote, off0, nrec, gen, "closed again"))
		return 1;

	printf("demo: OK\n");
	return 0;
}
