/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem-bench.c -- ns/op and GB/s of pm_persist and pm_memcpy at 8 B..2 MiB
 * beside raw references measured in the same process:
 *   memcpy        plain memcpy, nothing made durable
 *   memcpy+clwb   memcpy, then CLWB (or the best flush) per line, SFENCE
 *   nt+sfence     non-temporal stores of the whole range, SFENCE
 * on a shared mapping of a /dev/shm file with PMEM_IS_PMEM_FORCE=1, so the
 * CPU flush path is what is measured.
 *
 * usage: pmem-bench [seconds-per-cell (default 0.2)]
 */
#include <emmintrin.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pmem.h"

#define AREA ((size_t)64 << 20)

static double
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static char *Dst;
static char *Src;

typedef void (*op_fn)(char *dst, const char *src, size_t len);

static void
op_memcpy(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	__asm__ volatile("" ::: "memory");
}

static void
op_memcpy_flush(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	for (uintptr_t p = (uintptr_t)dst & ~(uintptr_t)63;
		p < (uintptr_t)dst + len; p += 64)
		__asm__ volatile("clwb %0" : "+m"(*(volatile char *)p));
	__asm__ volatile("sfence" ::: "memory");
}

static void
op_nt(char *dst, const char *src, size_t len)
{
	/* aligned destinations only (the bench uses 64-byte aligned slots) */
	size_t i = 0;
	for (; i + 16 <= len; i += 16)
		_mm_stream_si128((__m128i *)(dst + i),
			_mm_loadu_si128((const __m128i *)(src + i)));
	for (; i + 8 <= len; i += 8) {
		long long v;
		memcpy(&v, src + i, 8);
		_mm_stream_si64((long long *)(dst + i), v);
	}
	if (i < len) {
		memcpy(dst + i, src + i, len - i);
		_mm_clflush(dst + i);
	}
	_mm_sfence();
}

static void
op_pm_memcpy(char *dst, const char *src, size_t len)
{
	pm_memcpy(dst, src, len, 0);
}

static void
op_pm_persist(char *dst, const char *src, size_t len)
{
	(void)src;
	dst[0] = 1; /* dirty the first line at least */
	pm_persist(dst, len);
}

/* ns per operation, cycling through the area so lines are not hot */
static double
measure(op_fn fn, size_t len, double seconds)
{
	size_t slot = (len + 63) & ~(size_t)63;
	size_t nslots = AREA / slot;
	if (nslots == 0)
		nslots = 1;
	size_t ops = 0, i = 0;
	double budget = seconds * 1e9;
	double t0 = now_ns(), t;
	do {
		for (int k = 0; k < 64; k++) {
			fn(Dst + i * slot, Src + (i * slot) % (AREA - len),
				len);
			if (++i == nslots)
				i = 0;
		}
		ops += 64;
		t = now_ns();
	} while (t - t0 < budget);
	return (t - t0) / (double)ops;
}

int
main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 0.2;
	if (secs <= 0)
		secs = 0.2;
	setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	pm_reinit();
	const struct pm_info *in = pm_get_info();
	if (!in->has_clwb) {
		fprintf(stderr, "this CPU has no CLWB; the raw reference "
				"needs it\n");
		return 1;
	}

	char path[] = "/dev/shm/pmem-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)AREA) != 0) {
		perror(path);
		return 1;
	}
	int is_pmem;
	Dst = pm_map_file(fd, AREA, 0, &is_pmem);
	unlink(path);
	close(fd);
	Src = malloc(AREA);
	if (Dst == MAP_FAILED || Src == NULL || !is_pmem) {
		fprintf(stderr, "cannot map the bench file as pmem\n");
		return 1;
	}
	memset(Src, 0x5a, AREA);
	memset(Dst, 0, AREA); /* fault every page in */

	printf("flush %s, non-temporal %s, threshold %zu B, %.2f s per cell\n",
		pm_flush_name(in->flush), pm_isa_name(in->memcpy_isa),
		in->movnt_threshold, secs);
	printf("%9s | %9s %9s %9s | %9s %7s %9s | %9s %7s\n", "size", "memcpy",
		"cpy+clwb", "nt+sfnc", "pm_memcpy", "GB/s", "vs nt",
		"pm_persist", "GB/s");
	printf("%9s | %9s %9s %9s | %9s %7s %9s | %9s %7s\n", "", "ns/op",
		"ns/op", "ns/op", "ns/op", "", "ratio", "ns/op", "");
	for (size_t len = 8; len <= ((size_t)2 << 20); len *= 2) {
		double m = measure(op_memcpy, len, secs);
		double mf = measure(op_memcpy_flush, len, secs);
		double nt = measure(op_nt, len, secs);
		double pc = measure(op_pm_memcpy, len, secs);
		double pp = measure(op_pm_persist, len, secs);
		printf("%9zu | %9.1f %9.1f %9.1f | %9.1f %7.2f %9.2f | %9.1f "
		       "%7.2f\n",
			len, m, mf, nt, pc, (double)len / pc, pc / nt, pp,
			(double)len / pp);
	}
	pm_unmap(Dst, AREA);
	free(Src);
	return 0;
}
