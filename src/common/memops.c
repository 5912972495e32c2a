/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops.c -- heads, tails, overlap direction and flags around the per-ISA
 * non-temporal block kernels
 */
#include <stdint.h>
#include <string.h>

#include "memops.h"

void
pm_memops_select(struct pm_memops *ops, enum pm_isa isa)
{
	switch (isa) {
	case PM_ISA_SSE2:
		ops->nt_copy_fwd = pm_nt_copy_fwd_sse2;
		ops->nt_copy_bwd = pm_nt_copy_bwd_sse2;
		ops->nt_set = pm_nt_set_sse2;
		break;
	case PM_ISA_AVX:
		ops->nt_copy_fwd = pm_nt_copy_fwd_avx2;
		ops->nt_copy_bwd = pm_nt_copy_bwd_avx2;
		ops->nt_set = pm_nt_set_avx2;
		break;
	case PM_ISA_AVX512F:
		ops->nt_copy_fwd = pm_nt_copy_fwd_avx512f;
		ops->nt_copy_bwd = pm_nt_copy_bwd_avx512f;
		ops->nt_set = pm_nt_set_avx512f;
		break;
	case PM_ISA_GENERIC:
	default:
		ops->nt_copy_fwd = NULL;
		ops->nt_copy_bwd = NULL;
		ops->nt_set = NULL;
		break;
	}
	ops->fence_is_noop = 0;
}

/* 8-byte non-temporal store (MOVNTI, baseline x86_64) */
static inline void
stream8(char *dst, uint64_t v)
{
	__asm__ volatile("movnti %1, %0" : "=m"(*(uint64_t *)dst) : "r"(v));
}

static inline uint64_t
load8(const char *src)
{
	uint64_t v;
	memcpy(&v, src, sizeof(v));
	return v;
}

static inline void
sfence(void)
{
	__asm__ volatile("sfence" ::: "memory");
}

/* temporal copy of a few bytes, then write the lines back */
static inline void
small_move(const struct pm_memops *ops, char *d, const char *s, size_t n)
{
	if (n == 0)
		return;
	memmove(d, s, n);
	ops->flush(d, n);
}

static void
nt_move_fwd(const struct pm_memops *ops, char *d, const char *s, size_t n)
{
	size_t h = (size_t)(-(uintptr_t)d & 7);
	if (h > n)
		h = n;
	small_move(ops, d, s, h);
	d += h, s += h, n -= h;
	while (n >= 8 && ((uintptr_t)d & 63)) {
		stream8(d, load8(s));
		d += 8, s += 8, n -= 8;
	}
	size_t b = n & ~(size_t)63;
	if (b) {
		ops->nt_copy_fwd(d, s, b);
		d += b, s += b, n -= b;
	}
	while (n >= 8) {
		stream8(d, load8(s));
		d += 8, s += 8, n -= 8;
	}
	small_move(ops, d, s, n);
}

static void
nt_move_bwd(const struct pm_memops *ops, char *d, const char *s, size_t n)
{
	char *de = d + n;
	const char *se = s + n;
	size_t t = (size_t)((uintptr_t)de & 7);
	if (t > n)
		t = n;
	de -= t, se -= t, n -= t;
	small_move(ops, de, se, t);
	while (n >= 8 && ((uintptr_t)de & 63)) {
		de -= 8, se -= 8, n -= 8;
		stream8(de, load8(se));
	}
	size_t b = n & ~(size_t)63;
	if (b) {
		de -= b, se -= b, n -= b;
		ops->nt_copy_bwd(de, se, b);
	}
	while (n >= 8) {
		de -= 8, se -= 8, n -= 8;
		stream8(de, load8(se));
	}
	small_move(ops, d, s, n);
}

static int
use_nt(const struct pm_memops *ops, size_t len, unsigned flags)
{
	if (ops->nt_copy_fwd == NULL)
		return 0;
	if (flags & (PM_F_MEM_NONTEMPORAL | PM_F_MEM_WC))
		return 1;
	if (flags & (PM_F_MEM_TEMPORAL | PM_F_MEM_WB))
		return 0;
	return len >= ops->movnt_threshold;
}

static inline void
finish(const struct pm_memops *ops, int nt, unsigned flags)
{
	if (!(flags & PM_F_MEM_NODRAIN))
		ops->fence();
	/* CLFLUSH needs no fence, but non-temporal stores always do */
	if (nt && ops->fence_is_noop)
		sfence();
}

void
pm_memops_move(const struct pm_memops *ops, void *dst, const void *src,
	size_t len, unsigned flags)
{
	char *d = dst;
	const char *s = src;

	if (len == 0 || d == s) {
		if (len && !(flags & PM_F_MEM_NOFLUSH)) {
			ops->flush(d, len);
			if (!(flags & PM_F_MEM_NODRAIN))
				ops->fence();
		}
		return;
	}
	if (flags & PM_F_MEM_NOFLUSH) {
		/* no flush implies no drain */
		memmove(d, s, len);
		return;
	}
	int nt = use_nt(ops, len, flags);
	if (!nt) {
		memmove(d, s, len);
		ops->flush(d, len);
	} else if ((uintptr_t)d > (uintptr_t)s &&
		   (uintptr_t)d - (uintptr_t)s < len) {
		nt_move_bwd(ops, d, s, len);
	} else {
		nt_move_fwd(ops, d, s, len);
	}
	finish(ops, nt, flags);
}

void
pm_memops_set(const struct pm_memops *ops, void *dst, int c, size_t len,
	unsigned flags)
{
	char *d = dst;

	if (len == 0)
		return;
	if (flags & PM_F_MEM_NOFLUSH) {
		memset(d, c, len);
		return;
	}
	int nt = use_nt(ops, len, flags);
	if (!nt) {
		memset(d, c, len);
		ops->flush(d, len);
	} else {
		uint64_t pat = 0x0101010101010101ULL * (unsigned char)c;
		size_t h = (size_t)(-(uintptr_t)d & 7);
		if (h > len)
			h = len;
		if (h) {
			memset(d, c, h);
			ops->flush(d, h);
		}
		d += h, len -= h;
		while (len >= 8 && ((uintptr_t)d & 63)) {
			stream8(d, pat);
			d += 8, len -= 8;
		}
		size_t b = len & ~(size_t)63;
		if (b) {
			ops->nt_set(d, c, b);
			d += b, len -= b;
		}
		while (len >= 8) {
			stream8(d, pat);
			d += 8, len -= 8;
		}
		if (len) {
			memset(d, c, len);
			ops->flush(d, len);
		}
	}
	finish(ops, nt, flags);
}
