/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pm_fallback.c -- minimal CPU persistence for rpmemd, built only when no
 * source in src/common defines the pmem.h primitives (see CMakeLists.txt):
 * CLFLUSH + SFENCE on x86_64, msync elsewhere; page-aligned msync.
 */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pmem.h"

void
pm_persist(const void *addr, size_t len)
{
#if defined(__x86_64__)
	uintptr_t p = (uintptr_t)addr & ~(uintptr_t)(PM_CACHELINE - 1);
	for (; p < (uintptr_t)addr + len; p += PM_CACHELINE)
		__builtin_ia32_clflush((const void *)p);
	__builtin_ia32_sfence();
#else
	(void)pm_msync(addr, len);
#endif
}

int
pm_msync(const void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	size_t n = len + ((uintptr_t)addr - start);
	if (n == 0)
		return 0;
	return msync((void *)start, n, MS_SYNC) ? -1 : 0;
}

void *
pm_memcpy(void *dst, const void *src, size_t len, unsigned flags)
{
	memcpy(dst, src, len);
	if (!(flags & PM_F_MEM_NOFLUSH))
		pm_persist(dst, len);
	return dst;
}
