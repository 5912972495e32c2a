/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops_sse2.c -- non-temporal 64-byte block kernels with sse2 stores
 * (compiled with -msse2; chosen at load time by pmem.c)
 */
#include <emmintrin.h>
#include <stddef.h>

#include "memops.h"

#define LANES (64 / 16)

void
pm_nt_copy_fwd_sse2(char *dst, const char *src, size_t len)
{
	for (size_t off = 0; off < len; off += 64) {
		__m128i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm_loadu_si128(
				(const __m128i *)(src + off + i * 16));
		for (int i = 0; i < LANES; i++)
			_mm_stream_si128((__m128i *)(dst + off + i * 16), r[i]);
	}
}

void
pm_nt_copy_bwd_sse2(char *dst, const char *src, size_t len)
{
	for (size_t off = len; off > 0; off -= 64) {
		__m128i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm_loadu_si128(
				(const __m128i *)(src + off - 64 + i * 16));
		for (int i = 0; i < LANES; i++)
			_mm_stream_si128(
				(__m128i *)(dst + off - 64 + i * 16), r[i]);
	}
}

void
pm_nt_set_sse2(char *dst, int c, size_t len)
{
	__m128i v = _mm_set1_epi8((char)c);
	for (size_t off = 0; off < len; off += 64)
		for (int i = 0; i < LANES; i++)
			_mm_stream_si128((__m128i *)(dst + off + i * 16), v);
}
