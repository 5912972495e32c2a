/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-replica-bench.c -- pmemobj_memcpy_persist latency into a pool set
 * with 0, 1, 2 and 3 remote replicas, with our libpmemobj and with PMDK's
 * (Debian's libpmemobj.so.1), both on our librpmem, in one run; one table
 * with p50 latency, MB/s and the ratios
 *
 * usage: obj-replica-bench [-d dir] [-s seconds-per-cell] [-r rounds]
 *                          [-p pmdk-lib] [-o <set>,<set> [-O size]]
 *                          [<target> <remote set>...]
 *
 * Each library is loaded with dlopen() by path in a child process of its
 * own (one libpmemobj per process); -p names PMDK's (default
 * /usr/lib/x86_64-linux-gnu/libpmemobj.so.1, skipped when absent). Both
 * load librpmem.so.1, which is ours: this program is linked with it.
 * The pools with 0, 1, .. N remote replicas are open at the same time and
 * measured in turn, a slice of each cell per round, and the libraries take
 * turns round by round, so that the load of a shared machine falls on
 * every cell alike. The masters are files in dir (default /dev/shm). The
 * remote pool set names, which one rpmemd serves on <target> (at least
 * 32 MiB each, no pool in them yet; rpmem_remove() clears them), are used
 * one per remote replica: 1, 3 or 6 of them for N = 1, 2 or 3. RPMEM_SSH,
 * RPMEM_CMD and RPMEM_PROVIDER apply. utils/obj-replica-bench.sh sets all
 * of that up with the test sshd on loopback.
 *
 * With -o, then, the time of pmemobj_open (ours only) of a pool set with
 * a master part of -O size (default 32M) and the two remote replicas the
 * sets named by -o hold (at least that size each): once with both
 * replicas current, once after the first of them failed in the session
 * before (its rpmemd, found through RPMEM_CMD's --poolset-dir and the
 * part file it maps, is killed), when the open copies the pool to it; the
 * medians of one such pair per round.
 *
 * The program runs itself again with PMEM_IS_PMEM_FORCE=1 when that is
 * not set, so that files on tmpfs take the CPU flush path (as on pmem).
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpmemobj.h>
#include <librpmem.h>

#include "bench-stats.h"
#include "test_util.h"

#define PART_SIZE "32M"
#define AREA ((size_t)16 << 20) /* the root object written to */
#define MAX_OPS 40000		/* samples kept per cell */
#define MIN_OPS 10		/* per cell and round */
#define MAX_REMOTE 3
#define PMDK_LIB "/usr/lib/x86_64-linux-gnu/libpmemobj.so.1"

static const size_t Sizes[] = {64, 4096, 1 << 20};
#define NSIZES (sizeof(Sizes) / sizeof(Sizes[0]))

enum { OURS, PMDK, NLIBS };

/* the samples of one cell (library, remote replicas, size) */
struct cell {
	int n;
	double bytes, us; /* for MB/s */
	double lat[MAX_OPS];
};

/* the part of the libpmemobj API used here, looked up in the library */
struct obj_api {
	PMEMobjpool *(*create)(const char *, const char *, size_t, mode_t);
	PMEMobjpool *(*open)(const char *, const char *);
	int (*xpersist)(PMEMobjpool *, const void *, size_t, unsigned);
	void (*close)(PMEMobjpool *);
	PMEMoid (*root)(PMEMobjpool *, size_t);
	void *(*direct)(PMEMoid);
	void *(*memcpy_persist)(PMEMobjpool *, void *, const void *, size_t);
	const char *(*errormsg)(void);
};

struct run {
	const char *dir, *target;
	char *const *rsets; /* 0, 1, 3 or 6 names: pool k uses k of them */
	char *osets[2];	    /* -o: the remote sets of the open times */
	const char *osize;  /* -O: the master part of the open times */
	int maxrem, rounds;
	double secs; /* per cell, over all rounds */
	const char *src;
	struct cell (*cells)[MAX_REMOTE + 1][NSIZES]; /* [lib][k][size] */
};

/* pmemobj_memcpy_persist of len bytes, over and over for `secs` */
static void
measure(const struct obj_api *o, PMEMobjpool *pop, char *dst, const char *src,
	size_t len, double secs, struct cell *c)
{
	size_t nslots = AREA / len, i = 0;
	int n = 0;
	double t0 = now_us(), t = t0;
	while (c->n < MAX_OPS && (n < MIN_OPS || t - t0 < secs * 1e6)) {
		double a = t;
		o->memcpy_persist(pop, dst + i * len, src + (i & 63), len);
		t = now_us();
		c->lat[c->n++] = t - a;
		n++;
		if (++i == nslots)
			i = 0;
	}
	c->bytes += (double)n * (double)len;
	c->us += t - t0;
}

static int
load_api(const char *path, struct obj_api *o)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return -1;
	}
	*(void **)&o->create = dlsym(h, "pmemobj_create");
	*(void **)&o->open = dlsym(h, "pmemobj_open");
	*(void **)&o->xpersist = dlsym(h, "pmemobj_xpersist");
	*(void **)&o->close = dlsym(h, "pmemobj_close");
	*(void **)&o->root = dlsym(h, "pmemobj_root");
	*(void **)&o->direct = dlsym(h, "pmemobj_direct");
	*(void **)&o->memcpy_persist = dlsym(h, "pmemobj_memcpy_persist");
	*(void **)&o->errormsg = dlsym(h, "pmemobj_errormsg");
	if (!o->create || !o->open || !o->xpersist || !o->close || !o->root ||
		!o->direct || !o->memcpy_persist || !o->errormsg) {
		fprintf(stderr, "%s lacks a pmemobj function\n", path);
		return -1;
	}
	return 0;
}

/* one pool set: a master part of `size` and n remote replicas */
struct pool_def {
	int id; /* names its files */
	const char *size;
	char *const *rsets;
	int n;
};

/* the pool with k remote replicas of the latency table */
static struct pool_def
latency_pool(const struct run *r, int k)
{
	struct pool_def d = {k, PART_SIZE, r->rsets + k * (k - 1) / 2, k};
	return d;
}

static void
pool_files(const struct run *r, const struct pool_def *d, char *set, char *part,
	size_t len)
{
	snprintf(set, len, "%s/obj-replica-bench-%d-%d.set", r->dir,
		(int)getpid(), d->id);
	snprintf(part, len, "%s/obj-replica-bench-%d-%d.part", r->dir,
		(int)getpid(), d->id);
}

/* the pool set d, created; NULL on failure */
static PMEMobjpool *
pool_create(
	const struct obj_api *o, const struct run *r, const struct pool_def *d)
{
	char set[512], part[512], text[4096];
	pool_files(r, d, set, part, sizeof(set));
	int len = snprintf(
		text, sizeof(text), "PMEMPOOLSET\n%s %s\n", d->size, part);
	for (int i = 0; i < d->n; i++)
		len += snprintf(text + len, sizeof(text) - (size_t)len,
			"REPLICA %s %s\n", r->target, d->rsets[i]);
	FILE *f = fopen(set, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", set, strerror(errno));
		return NULL;
	}
	PMEMobjpool *pop = o->create(set, "obj-replica-bench", 0, 0600);
	if (pop == NULL)
		fprintf(stderr, "%d remote: pmemobj_create: %s\n", d->n,
			o->errormsg());
	return pop;
}

static void
pool_remove(const struct run *r, const struct pool_def *d)
{
	char set[512], part[512];
	pool_files(r, d, set, part, sizeof(set));
	unlink(set);
	unlink(part);
	for (int i = 0; i < d->n; i++) {
		const char *rs = d->rsets[i];
		if (rpmem_remove(r->target, rs, RPMEM_REMOVE_FORCE))
			fprintf(stderr, "rpmem_remove %s: %s\n", rs,
				rpmem_errormsg());
	}
}

/* forks: 0 in the parent once the child is over; 1 in the child, with the
 * library at path loaded into o (the child exits when it cannot be) */
static int
child_with(const char *path, struct obj_api *o)
{
	pid_t pid = fork();
	if (pid != 0) {
		int st;
		if (pid > 0)
			waitpid(pid, &st, 0);
		return 0;
	}
	if (load_api(path, o))
		_exit(1);
	return 1;
}

/* in a child process: one round of one library over every pool and size */
static void
run_round(const char *path, const struct run *r, int lib)
{
	struct obj_api o;
	if (!child_with(path, &o))
		return;
	PMEMobjpool *pop[MAX_REMOTE + 1] = {NULL};
	char *dst[MAX_REMOTE + 1] = {NULL};
	for (int k = 0; k <= r->maxrem; k++) {
		struct pool_def d = latency_pool(r, k);
		pop[k] = pool_create(&o, r, &d);
		if (pop[k] != NULL)
			dst[k] = o.direct(o.root(pop[k], AREA));
	}
	double slice = r->secs / r->rounds;
	for (size_t s = 0; s < NSIZES; s++)
		for (int k = 0; k <= r->maxrem; k++)
			if (dst[k] != NULL)
				measure(&o, pop[k], dst[k], r->src, Sizes[s],
					slice, &r->cells[lib][k][s]);
	for (int k = 0; k <= r->maxrem; k++) {
		if (pop[k] != NULL)
			o.close(pop[k]);
		struct pool_def d = latency_pool(r, k);
		pool_remove(r, &d);
	}
	_exit(0);
}

static double
p50(struct cell *c)
{
	double v;
	if (c->n == 0)
		return 0.0;
	bench_pct(c->lat, c->n, &v, NULL);
	return v;
}

static void
size_label(size_t s)
{
	if (s >= 1 << 20)
		printf("%5zuMi", s >> 20);
	else if (s >= 1024)
		printf("%5zuKi", s >> 10);
	else
		printf("%6zuB", s);
}

static double
ratio(double a, double b)
{
	return a > 0 && b > 0 ? a / b : 0.0;
}

static void print_table(struct cell (*t)[MAX_REMOTE + 1][NSIZES], int maxrem)
{
	double p[NLIBS][MAX_REMOTE + 1][NSIZES];
	for (int l = 0; l < NLIBS; l++)
		for (int k = 0; k <= maxrem; k++)
			for (size_t s = 0; s < NSIZES; s++)
				p[l][k][s] = p50(&t[l][k][s]);
	printf("%7s %7s | %-20s | %-20s | %-9s | %-9s | %-9s\n", "size",
		"remotes", "ours p50 us  MB/s", "PMDK p50 us  MB/s",
		"ours/PMDK", "ours/1rep", "PMDK/1rep");
	for (size_t s = 0; s < NSIZES; s++) {
		for (int k = 0; k <= maxrem; k++) {
			struct cell *o = &t[OURS][k][s], *d = &t[PMDK][k][s];
			size_label(Sizes[s]);
			printf(" %7d | %10.2f %9.1f | %10.2f %9.1f | %9.3f", k,
				p[OURS][k][s], o->us ? o->bytes / o->us : 0,
				p[PMDK][k][s], d->us ? d->bytes / d->us : 0,
				ratio(p[OURS][k][s], p[PMDK][k][s]));
			if (k > 0)
				printf(" | %9.3f | %9.3f",
					ratio(p[OURS][k][s], p[OURS][1][s]),
					ratio(p[PMDK][k][s], p[PMDK][1][s]));
			printf("\n");
		}
	}
	if (maxrem > 1)
		printf("ours, 64 B: p50 with %d remote replicas / p50 with 1 = "
		       "%.3f (target: at most 1.5 with 3)\n",
			maxrem, ratio(p[OURS][maxrem][0], p[OURS][1][0]));
	printf("0.000: not measured (see the messages above)\n");
}

/* ---- pmemobj_open with 2 remote replicas, one failed before ---- */

#define OPEN_REMOTES 2
#define OPEN_ID 99 /* the files of the pool of the open times */
#define MAX_OPENS 64

static struct pool_def
open_pool(const struct run *r)
{
	struct pool_def d = {OPEN_ID, r->osize, r->osets, OPEN_REMOTES};
	return d;
}

/* ms of each open; [0]: both replicas current, [1]: one failed before */
struct open_times {
	int n;
	double ms[2][MAX_OPENS];
};

/* the --poolset-dir of RPMEM_CMD: where rpmemd finds the remote sets */
static int
poolset_dir(char *dir, size_t len)
{
	const char *cmd = getenv("RPMEM_CMD");
	const char *d = cmd ? strstr(cmd, "--poolset-dir=") : NULL;
	if (d == NULL)
		return -1;
	d += strlen("--poolset-dir=");
	snprintf(dir, len, "%.*s", (int)strcspn(d, " "), d);
	return 0;
}

/* the rpmemd serving remote set `rset` (its part file mapped), or 0 */
static pid_t
rpmemd_of(const char *rset)
{
	char dir[256], path[1024], size[64], part[1024];
	if (poolset_dir(dir, sizeof(dir)))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, rset);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return 0;
	int ok = fscanf(f, "PMEMPOOLSET %63s %1023s", size, part) == 2;
	fclose(f);
	return ok ? rpmemd_mapping(dir, part) : 0;
}

/* the pool's first remote replica made to fail: its rpmemd killed, then
 * persists until one reports it; 0, or -1 */
static int
fail_one_remote(const struct obj_api *o, const struct run *r, PMEMobjpool *pop)
{
	pid_t pid = rpmemd_of(r->osets[0]);
	if (pid <= 0 || kill(pid, SIGKILL) != 0)
		return -1;
	char *p = o->direct(o->root(pop, 4096));
	for (int i = 0; i < 500; i++) {
		p[0] = (char)i;
		if (o->xpersist(pop, p, 64, 0) != 0)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* the pool with 2 remote replicas opened; with ms, the time it took */
static PMEMobjpool *
pool_open(const struct obj_api *o, const struct run *r, double *ms)
{
	char set[512], part[512];
	struct pool_def d = open_pool(r);
	pool_files(r, &d, set, part, sizeof(set));
	double t0 = now_us();
	PMEMobjpool *pop = o->open(set, "obj-replica-bench");
	if (ms != NULL)
		*ms = (now_us() - t0) / 1e3;
	if (pop == NULL)
		fprintf(stderr, "pmemobj_open: %s\n", o->errormsg());
	return pop;
}

/* ms of one pmemobj_open (and close) of that pool, or -1 */
static double
timed_open(const struct obj_api *o, const struct run *r)
{
	double ms;
	PMEMobjpool *pop = pool_open(o, r, &ms);
	if (pop == NULL)
		return -1;
	o->close(pop);
	return ms;
}

/* in a child: one open with both replicas current, one after a failure */
static void
open_round(const struct run *r, struct open_times *t)
{
	struct obj_api o;
	if (!child_with(OUR_PMEMOBJ, &o))
		return;
	struct pool_def d = open_pool(r);
	PMEMobjpool *pop = pool_create(&o, r, &d);
	if (pop != NULL)
		o.close(pop);
	double clean = pop ? timed_open(&o, r) : -1;
	pop = clean > 0 ? pool_open(&o, r, NULL) : NULL;
	int failed = pop != NULL && fail_one_remote(&o, r, pop) == 0;
	if (pop != NULL)
		o.close(pop);
	double after = failed ? timed_open(&o, r) : -1;
	if (pop != NULL && !failed)
		fprintf(stderr, "a remote replica could not be made to fail\n");
	if (clean > 0 && after > 0 && t->n < MAX_OPENS) {
		t->ms[0][t->n] = clean;
		t->ms[1][t->n] = after;
		t->n++;
	}
	pool_remove(r, &d);
	_exit(0);
}

static void
print_opens(struct open_times *t, const struct run *r)
{
	if (t->n == 0) {
		printf("pmemobj_open with 2 remote replicas: not measured "
		       "(see the messages above)\n");
		return;
	}
	double clean, after;
	bench_pct(t->ms[0], t->n, &clean, NULL);
	bench_pct(t->ms[1], t->n, &after, NULL);
	printf("pmemobj_open of a %s pool set with 2 remote replicas "
	       "(ours), median of %d; remote pools on %s\n",
		r->osize, t->n, r->target);
	printf("  both remote replicas current:               %9.1f ms\n",
		clean);
	printf("  one of them failed in the session before:   %9.1f ms "
	       "(%.2f x)\n",
		after, ratio(after, clean));
}

static int
parse(int argc, char *argv[], struct run *r, const char **pmdk)
{
	int opt;
	while ((opt = getopt(argc, argv, "d:s:r:p:o:O:")) != -1) {
		char *comma = opt == 'o' ? strchr(optarg, ',') : NULL;
		if (opt == 'o' && comma == NULL)
			return -1;
		if (opt == 'o') {
			*comma = '\0';
			r->osets[0] = optarg;
			r->osets[1] = comma + 1;
		} else if (opt == 'O')
			r->osize = optarg;
		else if (opt == 'd')
			r->dir = optarg;
		else if (opt == 's')
			r->secs = atof(optarg);
		else if (opt == 'r')
			r->rounds = atoi(optarg);
		else if (opt == 'p')
			*pmdk = optarg;
		else
			return -1;
	}
	int nsets = argc - optind - 1;
	if (nsets < 0)
		nsets = 0;
	while (r->maxrem < MAX_REMOTE &&
		(r->maxrem + 1) * (r->maxrem + 2) / 2 <= nsets)
		r->maxrem++;
	if (argc - optind == 1 || nsets != r->maxrem * (r->maxrem + 1) / 2 ||
		r->secs <= 0 || r->rounds <= 0 ||
		(r->osets[0] != NULL && r->maxrem == 0))
		return -1;
	r->target = r->maxrem ? argv[optind] : NULL;
	r->rsets = argv + optind + 1;
	return 0;
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
	struct run r = {.dir = "/dev/shm",
		.secs = 1.0,
		.rounds = 4,
		.osize = PART_SIZE};
	const char *pmdk = PMDK_LIB;
	if (parse(argc, argv, &r, &pmdk)) {
		fprintf(stderr,
			"usage: %s [-d dir] [-s seconds-per-cell] [-r rounds] "
			"[-p pmdk-lib] [-o <set>,<set> [-O size]] "
			"[<target> <remote set>...] (1, 3 or 6 "
			"sets)\n",
			argv[0]);
		return 2;
	}
	r.cells = mmap(NULL, sizeof(*r.cells) * NLIBS, PROT_READ | PROT_WRITE,
		MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *src = malloc(Sizes[NSIZES - 1] + 64);
	if (r.cells == MAP_FAILED || src == NULL)
		return 1;
	for (size_t i = 0; i < Sizes[NSIZES - 1] + 64; i++)
		src[i] = (char)(i * 131 + 7);
	r.src = src;
	int have_pmdk = access(pmdk, R_OK) == 0;
	if (!have_pmdk)
		fprintf(stderr, "%s: not found, PMDK not measured\n", pmdk);
	for (int round = 0; round < r.rounds; round++) {
		run_round(OUR_PMEMOBJ, &r, OURS);
		if (have_pmdk)
			run_round(pmdk, &r, PMDK);
	}
	const char *prov = getenv("RPMEM_PROVIDER");
	printf("pmemobj_memcpy_persist, PMEM_IS_PMEM_FORCE=1, %.2f s per "
	       "cell in %d rounds, remote replicas on %s, provider %s; "
	       "librpmem: ours\n",
		r.secs, r.rounds, r.target ? r.target : "-",
		prov ? prov : "default");
	print_table(r.cells, r.maxrem);
	if (r.osets[0] != NULL && r.target != NULL) {
		struct open_times *t =
			mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (t == MAP_FAILED)
			return 1;
		t->n = 0;
		for (int round = 0; round < r.rounds; round++)
			open_round(&r, t);
		printf("\n");
		print_opens(t, &r);
	}
	free(src);
	return 0;
}
