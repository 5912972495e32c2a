/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem.c -- CPU persistence primitives: feature detection, flush flavours,
 * fences, flagged copies and the mappings of files (see pmem.h)
 */
#include <cpuid.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fault_inject.h"
#include "log.h"
#include "memops.h"
#include "pmem.h"

#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define DEFAULT_MOVNT_THRESHOLD_INTEL 256
#define DEFAULT_MOVNT_THRESHOLD_AMD 0

static struct pm_info Info;
static struct pm_memops Ops;

/* ---- flush flavours, one function each ---- */

static void
flush_none(const void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

#define FOR_EACH_LINE(addr, len, p)                                          \
	for (const char *p = (const char *)((uintptr_t)(addr) &              \
					    ~(uintptr_t)(PM_CACHELINE - 1)); \
		p < (const char *)(addr) + (len); p += PM_CACHELINE)

static void
flush_clflush(const void *addr, size_t len)
{
	FOR_EACH_LINE(addr, len, p)
	__asm__ volatile("clflush %0" : "+m"(*(volatile char *)p));
}

static void
flush_clflushopt(const void *addr, size_t len)
{
	FOR_EACH_LINE(addr, len, p)
	__asm__ volatile("clflushopt %0" : "+m"(*(volatile char *)p));
}

static void
flush_clwb(const void *addr, size_t len)
{
	FOR_EACH_LINE(addr, len, p)
	__asm__ volatile("clwb %0" : "+m"(*(volatile char *)p));
}

static void
fence_sfence(void)
{
	__asm__ volatile("sfence" ::: "memory");
}

static void
fence_none(void)
{
	/* CLFLUSH is ordered by itself; only a compiler barrier is kept */
	__asm__ volatile("" ::: "memory");
}

/* ---- environment knobs ---- */

/* 1 / 0 for "1" / "0", -1 (with a warning) for anything else or unset */
static int
env_bool(const char *name)
{
	const char *v = secure_getenv(name);
	if (v == NULL)
		return -1;
	if (strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "0") == 0)
		return 0;
	LOG(LOG_LVL_WARN, "ignoring %s='%s' (expected 0 or 1)", name, v);
	return -1;
}

static void
detect_cpu(struct pm_info *in, int *is_amd)
{
	unsigned a, b, c, d;
	char vendor[13] = {0};

	*is_amd = 0;
	if (__get_cpuid(0, &a, &b, &c, &d)) {
		memcpy(vendor, &b, 4);
		memcpy(vendor + 4, &d, 4);
		memcpy(vendor + 8, &c, 4);
		*is_amd = strcmp(vendor, "AuthenticAMD") == 0 ||
			  strcmp(vendor, "HygonGenuine") == 0;
	}
	if (__get_cpuid(1, &a, &b, &c, &d)) {
		in->has_clflush = (d >> 19) & 1;
		in->has_sse2 = (d >> 26) & 1;
		/* AVX usable only when the OS saves ymm state (OSXSAVE) */
		int osxsave = (c >> 27) & 1;
		int avx = (c >> 28) & 1;
		if (osxsave && avx) {
			unsigned lo, hi;
			__asm__ volatile("xgetbv"
					 : "=a"(lo), "=d"(hi)
					 : "c"(0));
			in->has_avx = (lo & 0x6) == 0x6;
			if (in->has_avx &&
				__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
				in->has_avx2 = (b >> 5) & 1;
				/* opmask, zmm hi256 and hi16 state */
				in->has_avx512f =
					((b >> 16) & 1) && (lo & 0xe0) == 0xe0;
			}
		}
	}
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
		in->has_clflushopt = (b >> 23) & 1;
		in->has_clwb = (b >> 24) & 1;
		in->has_movdir64b = (c >> 28) & 1;
	}
}

static int
detect_eadr(void)
{
	glob_t g;
	int eadr = 0;

	if (glob("/sys/bus/nd/devices/region*/persistence_domain", 0, NULL,
		    &g) != 0)
		return 0;
	/* every region must flush caches on power loss */
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char buf[64] = {0};
		FILE *f = fopen(g.gl_pathv[i], "re");
		if (f == NULL) {
			eadr = 0;
			break;
		}
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		if (strstr(buf, "cpu_cache") == NULL) {
			eadr = 0;
			break;
		}
		eadr = 1;
	}
	globfree(&g);
	return eadr;
}

void
pm_reinit(void)
{
	struct pm_info in;
	int is_amd;

	memset(&in, 0, sizeof(in));
	detect_cpu(&in, &is_amd);
	in.eadr = detect_eadr();
	in.force_pmem = env_bool("PMEM_IS_PMEM_FORCE") == 1;

	/* flush instruction: CLWB > CLFLUSHOPT > CLFLUSH */
	int no_clwb = env_bool("PMEM_NO_CLWB") == 1;
	int no_clflushopt = env_bool("PMEM_NO_CLFLUSHOPT") == 1;
	int no_flush = env_bool("PMEM_NO_FLUSH");
	if (in.has_clwb && !no_clwb)
		in.flush = PM_FLUSH_CLWB;
	else if (in.has_clflushopt && !no_clflushopt)
		in.flush = PM_FLUSH_CLFLUSHOPT;
	else
		in.flush = PM_FLUSH_CLFLUSH;
	/* PMEM_NO_FLUSH=1 forces skipping, =0 forces flushing even on eADR */
	if (no_flush == 1 || (no_flush == -1 && in.eadr))
		in.flush = PM_FLUSH_NONE;

	/* non-temporal copy variant */
	in.memcpy_isa = in.has_sse2 ? PM_ISA_SSE2 : PM_ISA_GENERIC;
	if (in.has_avx2 && env_bool("PMEM_AVX") != 0)
		in.memcpy_isa = PM_ISA_AVX;
	if (in.has_avx512f && env_bool("PMEM_AVX512F") == 1)
		in.memcpy_isa = PM_ISA_AVX512F;
	if (env_bool("PMEM_NO_MOVNT") == 1)
		in.memcpy_isa = PM_ISA_GENERIC;

	in.movnt_threshold = is_amd ? DEFAULT_MOVNT_THRESHOLD_AMD
				    : DEFAULT_MOVNT_THRESHOLD_INTEL;
	const char *thr = secure_getenv("PMEM_MOVNT_THRESHOLD");
	if (thr != NULL) {
		char *end;
		errno = 0;
		long long v = strtoll(thr, &end, 10);
		if (errno || end == thr || *end != '\0' || v < 0)
			LOG(LOG_LVL_WARN,
				"ignoring PMEM_MOVNT_THRESHOLD='%s' (expected "
				"a non-negative integer)",
				thr);
		else
			in.movnt_threshold = (size_t)v;
	}

	struct pm_memops ops;
	switch (in.flush) {
	case PM_FLUSH_NONE:
		ops.flush = flush_none;
		ops.fence = fence_sfence;
		break;
	case PM_FLUSH_CLFLUSH:
		ops.flush = flush_clflush;
		ops.fence = fence_none;
		break;
	case PM_FLUSH_CLFLUSHOPT:
		ops.flush = flush_clflushopt;
		ops.fence = fence_sfence;
		break;
	case PM_FLUSH_CLWB:
	default:
		ops.flush = flush_clwb;
		ops.fence = fence_sfence;
		break;
	}
	pm_memops_select(&ops, in.memcpy_isa);
	ops.fence_is_noop = in.flush == PM_FLUSH_CLFLUSH;
	ops.movnt_threshold = in.movnt_threshold;

	Ops = ops;
	Info = in;
	char line[PM_DESCRIBE_LEN];
	pm_describe(line, sizeof(line));
	LOG(LOG_LVL_INFO, "%s", line);
}

void
pm_describe(char *buf, size_t len)
{
	snprintf(buf, len,
		"flush %s, non-temporal copies %s, threshold %zu%s%s",
		pm_flush_name(Info.flush), pm_isa_name(Info.memcpy_isa),
		Info.movnt_threshold, Info.eadr ? ", eADR" : "",
		Info.force_pmem ? ", PMEM_IS_PMEM_FORCE" : "");
}

__attribute__((constructor)) static void
pm_init(void)
{
	pm_reinit();
}

const struct pm_info *
pm_get_info(void)
{
	return &Info;
}

const char *
pm_flush_name(enum pm_flush_kind k)
{
	switch (k) {
	case PM_FLUSH_NONE:
		return "none";
	case PM_FLUSH_CLFLUSH:
		return "clflush";
	case PM_FLUSH_CLFLUSHOPT:
		return "clflushopt";
	case PM_FLUSH_CLWB:
		return "clwb";
	}
	return "?";
}

const char *
pm_isa_name(enum pm_isa i)
{
	switch (i) {
	case PM_ISA_GENERIC:
		return "generic";
	case PM_ISA_SSE2:
		return "sse2";
	case PM_ISA_AVX:
		return "avx2";
	case PM_ISA_AVX512F:
		return "avx512f";
	}
	return "?";
}

void
pm_flush(const void *addr, size_t len)
{
	Ops.flush(addr, len);
}

void
pm_drain(void)
{
	Ops.fence();
}

void
pm_persist(const void *addr, size_t len)
{
	Ops.flush(addr, len);
	Ops.fence();
}

int
pm_msync(const void *addr, size_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~((uintptr_t)pg - 1);
	uintptr_t end = (uintptr_t)addr + len;
	if (len == 0)
		return 0;
	if (fault_msync((void *)start, end - start, MS_SYNC) != 0)
		return -errno;
	return 0;
}

void *
pm_memmove(void *dst, const void *src, size_t len, unsigned flags)
{
	pm_memops_move(&Ops, dst, src, len, flags);
	return dst;
}

void *
pm_memcpy(void *dst, const void *src, size_t len, unsigned flags)
{
	pm_memops_move(&Ops, dst, src, len, flags);
	return dst;
}

void *
pm_memset(void *dst, int c, size_t len, unsigned flags)
{
	pm_memops_set(&Ops, dst, c, len, flags);
	return dst;
}

/* ---- mappings ---- */

/* does fd take MAP_SYNC mappings (a DAX file)? one page at a place of the
 * kernel's choosing tells */
static int
sync_supported(int fd, size_t off)
{
	void *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		MAP_SHARED_VALIDATE | MAP_SYNC, fd, (off_t)off);
	if (a == MAP_FAILED)
		return 0;
	munmap(a, 4096);
	return 1;
}

/*
 * MAP_SYNC first (a DAX file: pmem), else a plain shared
 * mapping (pmem only when PMEM_IS_PMEM_FORCE=1); at addr with MAP_FIXED
 * when addr is not NULL.
 */
static void *
map_sync_or_plain(
	int fd, void *addr, size_t len, size_t off, int rdonly, int *is_pmem)
{
	int prot = PROT_READ | (rdonly ? 0 : PROT_WRITE);
	int fixed = addr != NULL ? MAP_FIXED : 0;
	/* a MAP_FIXED mapping the file system refuses may take the
	 * reservation at addr down with it, and another thread may map
	 * something into the hole before the plain mapping below: at a
	 * fixed place MAP_SYNC is only tried where it will work */
	int try_sync = !rdonly && (!fixed || sync_supported(fd, off));
	void *a;

	*is_pmem = 0;
	if (try_sync) {
		a = mmap(addr, len, prot,
			MAP_SHARED_VALIDATE | MAP_SYNC | fixed, fd, (off_t)off);
		if (a != MAP_FAILED) {
			*is_pmem = 1;
			return a;
		}
	}
	a = mmap(addr, len, prot, MAP_SHARED | fixed, fd, (off_t)off);
	if (a == MAP_FAILED)
		return MAP_FAILED;
	*is_pmem = Info.force_pmem;
	return a;
}

void *
pm_map_file(int fd, size_t len, int rdonly, int *is_pmem)
{
	return map_sync_or_plain(fd, NULL, len, 0, rdonly, is_pmem);
}

void *
pm_map_file_at(int fd, void *addr, size_t len, size_t off, int *is_pmem)
{
	return map_sync_or_plain(fd, addr, len, off, 0, is_pmem);
}

int
pm_unmap(void *addr, size_t len)
{
	if (munmap(addr, len) != 0)
		return -errno;
	return 0;
}
