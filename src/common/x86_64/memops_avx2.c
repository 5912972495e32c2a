/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops_avx2.c -- non-temporal 64-byte block kernels with avx2 stores
 * (compiled with -mavx2; chosen at load time by pmem.c)
 */
#include <immintrin.h>
#include <stddef.h>

#include "memops.h"

#define LANES (64 / 32)

void
pm_nt_copy_fwd_avx2(char *dst, const char *src, size_t len)
{
	for (size_t off = 0; off < len; off += 64) {
		__m256i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm256_loadu_si256(
				(const __m256i *)(src + off + i * 32));
		for (int i = 0; i < LANES; i++)
			_mm256_stream_si256(
				(__m256i *)(dst + off + i * 32), r[i]);
	}
}

void
pm_nt_copy_bwd_avx2(char *dst, const char *src, size_t len)
{
	for (size_t off = len; off > 0; off -= 64) {
		__m256i r[LANES];
		for (int i = 0; i < LANES; i++)
			r[i] = _mm256_loadu_si256(
				(const __m256i *)(src + off - 64 + i * 32));
		for (int i = 0; i < LANES; i++)
			_mm256_stream_si256(
				(__m256i *)(dst + off - 64 + i * 32), r[i]);
	}
}

void
pm_nt_set_avx2(char *dst, int c, size_t len)
{
	__m256i v = _mm256_set1_epi8((char)c);
	for (size_t off = 0; off < len; off += 64)
		for (int i = 0; i < LANES; i++)
			_mm256_stream_si256((__m256i *)(dst + off + i * 32), v);
}
