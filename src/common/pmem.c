/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem.c -- CPU persistence primitives: feature detection, flush flavours,
 * fences, flagged copies and the mappings of files (see pmem.h)
 */
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
#include "x86_64/cpu.h"

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
	cpu_detect(&in, &is_amd);
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
	cpu_flush_select(&ops, in.flush);
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
