/* SPDX-License-Identifier: BSD-3-Clause */
/* cpu.c -- CPUID probe and the cache flush and fence instructions (see
 * cpu.h); compiled without ISA flags: everything here runs on any x86_64 */
#include <cpuid.h>
#include <stdint.h>
#include <string.h>

#include "x86_64/cpu.h"

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

void
cpu_detect(struct pm_info *in, int *is_amd)
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

void
cpu_flush_select(struct pm_memops *ops, enum pm_flush_kind k)
{
	switch (k) {
	case PM_FLUSH_NONE:
		ops->flush = flush_none;
		ops->fence = fence_sfence;
		break;
	case PM_FLUSH_CLFLUSH:
		ops->flush = flush_clflush;
		ops->fence = fence_none;
		break;
	case PM_FLUSH_CLFLUSHOPT:
		ops->flush = flush_clflushopt;
		ops->fence = fence_sfence;
		break;
	case PM_FLUSH_CLWB:
	default:
		ops->flush = flush_clwb;
		ops->fence = fence_sfence;
		break;
	}
}
