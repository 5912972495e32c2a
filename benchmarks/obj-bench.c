/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-bench.c -- pmemobj_memcpy_persist / pmemobj_persist of our
 * libpmemobj.so.1 against Debian's PMDK 1.12.1 libpmemobj.so.1
 *
 * Each library runs in its own child process (this program re-executed
 * with --child LIB through fork + exec), loaded with dlopen by absolute
 * path so that the two never share a symbol namespace. A pool on /dev/shm
 * with PMEM_IS_PMEM_FORCE=1 makes both take the CPU flush path. The parent
 * prints one table with ns/op of each and the ratio ours / PMDK. When our
 * library is not built (or PMDK's not installed) it says so and exits 0.
 *
 * usage: obj-bench [seconds-per-cell (default 0.2)]
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>

#ifndef OUR_PMEMOBJ
#define OUR_PMEMOBJ "build/src/libpmemobj/libpmemobj.so.1"
#endif
#define PMDK_LIB "/usr/lib/x86_64-linux-gnu/libpmemobj.so.1"
#define AREA ((size_t)32 << 20)
#define POOL_SIZE ((size_t)96 << 20)
#define MAX_LEN ((size_t)2 << 20)
#define NSIZES 19 /* 8 B .. 2 MiB */

static double
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct api {
	PMEMobjpool *(*create)(const char *, const char *, size_t, mode_t);
	void (*close)(PMEMobjpool *);
	PMEMoid (*root)(PMEMobjpool *, size_t);
	void *(*direct)(PMEMoid);
	void *(*memcpy_persist)(PMEMobjpool *, void *, const void *, size_t);
	void (*persist)(PMEMobjpool *, const void *, size_t);
	const char *(*errormsg)(void);
};

static int
load(const char *lib, struct api *a)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", lib, dlerror());
		return -1;
	}
	*(void **)&a->create = dlsym(h, "pmemobj_create");
	*(void **)&a->close = dlsym(h, "pmemobj_close");
	*(void **)&a->root = dlsym(h, "pmemobj_root");
	*(void **)&a->direct = dlsym(h, "pmemobj_direct");
	*(void **)&a->memcpy_persist = dlsym(h, "pmemobj_memcpy_persist");
	*(void **)&a->persist = dlsym(h, "pmemobj_persist");
	*(void **)&a->errormsg = dlsym(h, "pmemobj_errormsg");
	if (!a->create || !a->close || !a->root || !a->direct ||
		!a->memcpy_persist || !a->persist || !a->errormsg) {
		fprintf(stderr, "%s lacks a pmemobj_* symbol\n", lib);
		return -1;
	}
	return 0;
}

/* ns/op of memcpy_persist (which 0) or persist (which 1) at len */
static double
measure(struct api *a, PMEMobjpool *pop, char *dst, const char *src, size_t len,
	int which, double seconds)
{
	size_t slot = (len + 63) & ~(size_t)63;
	size_t nslots = AREA / slot;
	size_t ops = 0, i = 0;
	double t0 = now_ns(), t;
	do {
		for (int k = 0; k < 64; k++) {
			char *d = dst + i * slot;
			if (which == 0) {
				a->memcpy_persist(pop, d,
					src + (i * slot) % (AREA - len), len);
			} else {
				d[0] = (char)k;
				a->persist(pop, d, len);
			}
			if (++i == nslots)
				i = 0;
		}
		ops += 64;
		t = now_ns();
	} while (t - t0 < seconds * 1e9);
	return (t - t0) / (double)ops;
}

/* child: prints "len memcpy_persist_ns persist_ns" lines on stdout */
static int
child(const char *lib, double secs)
{
	setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	struct api a;
	if (load(lib, &a))
		return 1;
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/obj-bench-%d", (int)getpid());
	unlink(path);
	PMEMobjpool *pop = a.create(path, "obj-bench", POOL_SIZE, 0600);
	if (pop == NULL) {
		fprintf(stderr, "%s: pmemobj_create %s: %s\n", lib, path,
			a.errormsg());
		return 1;
	}
	unlink(path);
	PMEMoid root = a.root(pop, AREA);
	char *dst = a.direct(root);
	char *src = malloc(AREA);
	if (dst == NULL || src == NULL) {
		fprintf(stderr, "%s: no root object: %s\n", lib, a.errormsg());
		return 1;
	}
	memset(src, 0x5a, AREA);
	memset(dst, 0, AREA);
	for (size_t len = 8; len <= MAX_LEN; len *= 2) {
		double m = measure(&a, pop, dst, src, len, 0, secs);
		double p = measure(&a, pop, dst, src, len, 1, secs);
		printf("%zu %.3f %.3f\n", len, m, p);
	}
	fflush(stdout);
	a.close(pop);
	free(src);
	return 0;
}

/* runs the child for lib, fills res; 0 on success */
static int
run(const char *lib, const char *secs, double res[NSIZES][2])
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/proc/self/exe", "obj-bench", "--child", lib, secs,
			(char *)NULL);
		perror("exec /proc/self/exe");
		_exit(127);
	}
	close(p[1]);
	FILE *f = fdopen(p[0], "r");
	int n = 0;
	size_t len;
	double m, q;
	while (f && n < NSIZES && fscanf(f, "%zu %lf %lf", &len, &m, &q) == 3) {
		res[n][0] = m;
		res[n][1] = q;
		n++;
	}
	if (f)
		fclose(f);
	else
		close(p[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != NSIZES)
		return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "--child") == 0)
		return child(argv[2], argc > 3 ? atof(argv[3]) : 0.2);

	const char *secs = argc > 1 ? argv[1] : "0.2";
	if (atof(secs) <= 0)
		secs = "0.2";
	static double ours[NSIZES][2], pmdk[NSIZES][2];

	if (access(OUR_PMEMOBJ, R_OK) != 0) {
		printf("our libpmemobj is not built (%s missing): "
		       "skipping the libpmemobj comparison\n",
			OUR_PMEMOBJ);
		return 0;
	}
	if (access(PMDK_LIB, R_OK) != 0) {
		printf("PMDK's libpmemobj is not installed (%s missing): "
		       "skipping the libpmemobj comparison\n",
			PMDK_LIB);
		return 0;
	}
	if (run(OUR_PMEMOBJ, secs, ours)) {
		fprintf(stderr, "benchmark of %s failed\n", OUR_PMEMOBJ);
		return 1;
	}
	if (run(PMDK_LIB, secs, pmdk)) {
		fprintf(stderr, "benchmark of %s failed\n", PMDK_LIB);
		return 1;
	}
	printf("PMEM_IS_PMEM_FORCE=1 pool on /dev/shm, %s s per cell\n"
	       "ours: %s\npmdk: %s\n",
		secs, OUR_PMEMOBJ, PMDK_LIB);
	printf("%9s | %10s %10s %7s | %10s %10s %7s\n", "size", "ours cpy",
		"pmdk cpy", "ratio", "ours pers", "pmdk pers", "ratio");
	printf("%9s | %10s %10s %7s | %10s %10s %7s\n", "", "ns/op", "ns/op",
		"o/p", "ns/op", "ns/op", "o/p");
	size_t len = 8;
	for (int i = 0; i < NSIZES; i++, len *= 2)
		printf("%9zu | %10.1f %10.1f %7.2f | %10.1f %10.1f %7.2f\n",
			len, ours[i][0], pmdk[i][0], ours[i][0] / pmdk[i][0],
			ours[i][1], pmdk[i][1], ours[i][1] / pmdk[i][1]);
	return 0;
}
