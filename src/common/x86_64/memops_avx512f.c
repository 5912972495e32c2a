/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops_avx512f.c -- non-temporal 64-byte block kernels with avx512f stores
 * (compiled with -mavx512f; chosen at load time by pmem.c)
 */
#include <immintrin.h>
#include <stddef.h>

#include "memops.h"

#define LANES (64 / 64)

void
pm_nt_copy_fwd_avx512f(char *dst, const char *src, size_t len)
{
	for (size_t off = 0; off < len; off += 64) {
		__m512i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm512_loadu_si512(
				(const void *)(src + off + i * 64));
		for (int i = 0; i < LANES; i++)
			_mm512_stream_si512((void *)(dst + off + i * 64), r[i]);
	}
}

void
pm_nt_copy_bwd_avx512f(char *dst, const char *src, size_t len)
{
	for (size_t off = len; off > 0; off -= 64) {
		__m512i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm512_loadu_si512(
				(const void *)(src + off - 64 + i * 64));
		for (int i = 0; i < LANES; i++)
			_mm512_stream_si512(
				(void *)(dst + off - 64 + i * 64), r[i]);
	}
}

void
pm_nt_set_avx512f(char *dst, int c, size_t len)
{
	__m512i v = _mm512_set1_epi8((char)c);
	for (size_t off = 0; off < len; off += 64)
		for (int i = 0; i < LANES; i++)
			_mm512_stream_si512((void *)(dst + off + i * 64), v);
}
