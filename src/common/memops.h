/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops.h -- the flagged copy/set engine behind pm_memcpy/memmove/memset
 *
 * Contract (internal to src/common): a struct pm_memops holds the flush and
 * fence chosen at load time and the non-temporal block kernels of one ISA
 * (x86_64/memops_<isa>.c). Kernels copy or set whole 64-byte blocks to a
 * 64-byte aligned destination, loading a whole block before storing it so
 * that overlapping moves are safe in the direction they are made for. The
 * engine handles unaligned heads and tails, overlap direction, the PM_F_MEM_*
 * flags and the final fence.
 */
#ifndef COMMON_MEMOPS_H
#define COMMON_MEMOPS_H 1

#include <stddef.h>

#include "pmem.h"

typedef void (*pm_nt_copy_fn)(char *dst, const char *src, size_t len);
typedef void (*pm_nt_set_fn)(char *dst, int c, size_t len);

struct pm_memops {
	void (*flush)(const void *addr, size_t len);
	void (*fence)(void);
	int fence_is_noop; /* CLFLUSH: NT stores still need their SFENCE */
	pm_nt_copy_fn nt_copy_fwd; /* NULL: no non-temporal path */
	pm_nt_copy_fn nt_copy_bwd;
	pm_nt_set_fn nt_set;
	size_t movnt_threshold;
};

void pm_memops_select(struct pm_memops *ops, enum pm_isa isa);
void pm_memops_move(const struct pm_memops *ops, void *dst, const void *src,
	size_t len, unsigned flags);
void pm_memops_set(const struct pm_memops *ops, void *dst, int c, size_t len,
	unsigned flags);

/* per-ISA kernels (x86_64/memops_<isa>.c) */
void pm_nt_copy_fwd_sse2(char *dst, const char *src, size_t len);
void pm_nt_copy_bwd_sse2(char *dst, const char *src, size_t len);
void pm_nt_set_sse2(char *dst, int c, size_t len);
void pm_nt_copy_fwd_avx2(char *dst, const char *src, size_t len);
void pm_nt_copy_bwd_avx2(char *dst, const char *src, size_t len);
void pm_nt_set_avx2(char *dst, int c, size_t len);
void pm_nt_copy_fwd_avx512f(char *dst, const char *src, size_t len);
void pm_nt_copy_bwd_avx512f(char *dst, const char *src, size_t len);
void pm_nt_set_avx512f(char *dst, int c, size_t len);

#endif /* COMMON_MEMOPS_H */
