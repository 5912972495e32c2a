/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem-memops.c -- pm_memcpy / pm_memmove / pm_memset are byte-exact for
 * every non-temporal variant this CPU has, every size 0..4096, every
 * source/destination alignment 0..63, overlapping moves both ways and every
 * flag combination, and they never touch a byte outside the range
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pmem.h"

#define AREA (2 * 4096 + 4 * 64)
#define GUARD 0xEE

static unsigned char Src[AREA] __attribute__((aligned(64)));
static unsigned char Dst[AREA] __attribute__((aligned(64)));
static unsigned char Ref[AREA] __attribute__((aligned(64)));

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed + (i >> 8));
}

/* ISA variants selectable on this CPU, each forced through the knobs */
struct variant {
	const char *name;
	const char *no_movnt, *avx, *avx512f;
	enum pm_isa isa;
};
static const struct variant Variants[] = {
	{"generic", "1", "0", "0", PM_ISA_GENERIC},
	{"sse2", "0", "0", "0", PM_ISA_SSE2},
	{"avx2", "0", "1", "0", PM_ISA_AVX},
	{"avx512f", "0", "1", "1", PM_ISA_AVX512F},
};

/* PMEM_TEST_ISA=<name>: only that variant (one ctest entry per ISA) */
static int
select_variant(const struct variant *v)
{
	const char *only = getenv("PMEM_TEST_ISA");
	if (only != NULL && strcmp(only, v->name) != 0)
		return 0;
	setenv("PMEM_NO_MOVNT", v->no_movnt, 1);
	setenv("PMEM_AVX", v->avx, 1);
	setenv("PMEM_AVX512F", v->avx512f, 1);
	pm_reinit();
	const struct pm_info *in = pm_get_info();
	int has = v->isa == PM_ISA_GENERIC ||
		  (v->isa == PM_ISA_SSE2 && in->has_sse2) ||
		  (v->isa == PM_ISA_AVX && in->has_avx2) ||
		  (v->isa == PM_ISA_AVX512F && in->has_avx512f);
	/* a variant the CPU has must be the one the knobs select */
	if (has && in->memcpy_isa != v->isa)
		fail_msg("knobs for %s selected %s", v->name,
			pm_isa_name(in->memcpy_isa));
	return has;
}

static const unsigned Flag_sets[] = {
	0,
	PM_F_MEM_NODRAIN,
	PM_F_MEM_NONTEMPORAL,
	PM_F_MEM_TEMPORAL,
	PM_F_MEM_WC,
	PM_F_MEM_WB,
	PM_F_MEM_NOFLUSH,
	PM_F_MEM_NONTEMPORAL | PM_F_MEM_NODRAIN,
	PM_F_MEM_TEMPORAL | PM_F_MEM_NODRAIN,
	PM_F_MEM_WC | PM_F_MEM_NODRAIN,
	PM_F_MEM_WB | PM_F_MEM_NODRAIN,
	PM_F_MEM_NOFLUSH | PM_F_MEM_NODRAIN,
	PM_F_MEM_VALID_FLAGS,
};
#define NFLAGS (sizeof(Flag_sets) / sizeof(Flag_sets[0]))

static void
check_copy(size_t len, size_t soff, size_t doff, unsigned flags)
{
	memset(Dst, GUARD, AREA);
	memset(Ref, GUARD, AREA);
	memcpy(Ref + doff, Src + soff, len);
	void *r = pm_memcpy(Dst + doff, Src + soff, len, flags);
	assert_ptr_equal(r, Dst + doff);
	if (memcmp(Dst, Ref, AREA) != 0)
		fail_msg("memcpy len %zu src+%zu dst+%zu flags 0x%x", len, soff,
			doff, flags);
}

static void
check_set(size_t len, size_t doff, unsigned flags)
{
	memset(Dst, GUARD, AREA);
	memset(Ref, GUARD, AREA);
	memset(Ref + doff, 0x5c, len);
	void *r = pm_memset(Dst + doff, 0x5c, len, flags);
	assert_ptr_equal(r, Dst + doff);
	if (memcmp(Dst, Ref, AREA) != 0)
		fail_msg("memset len %zu dst+%zu flags 0x%x", len, doff, flags);
}

/* overlapping move inside one buffer, dst = src + delta (delta may be < 0) */
static void
check_overlap(size_t len, size_t base, long delta, unsigned flags)
{
	fill(Dst, AREA, 3);
	memcpy(Ref, Dst, AREA);
	memmove(Ref + base + delta, Ref + base, len);
	pm_memmove(Dst + base + delta, Dst + base, len, flags);
	if (memcmp(Dst, Ref, AREA) != 0)
		fail_msg("memmove len %zu base %zu delta %ld flags 0x%x", len,
			base, delta, flags);
}

static void
test_sizes(void **state)
{
	(void)state;
	fill(Src, AREA, 1);
	for (size_t v = 0; v < sizeof(Variants) / sizeof(Variants[0]); v++) {
		if (!select_variant(&Variants[v]))
			continue; /* this CPU lacks the ISA */
		for (size_t len = 0; len <= 4096; len++) {
			unsigned flags = Flag_sets[len % NFLAGS];
			check_copy(len, len % 64, (len * 5) % 64, flags);
			check_copy(len, 0, 0, PM_F_MEM_NONTEMPORAL);
			check_set(len, (len * 3) % 64, flags);
		}
	}
}

static void
test_alignments(void **state)
{
	(void)state;
	static const size_t lens[] = {
		1, 7, 8, 9, 63, 64, 65, 127, 200, 1000, 4096};
	fill(Src, AREA, 2);
	for (size_t v = 0; v < sizeof(Variants) / sizeof(Variants[0]); v++) {
		if (!select_variant(&Variants[v]))
			continue;
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++)
			for (size_t s = 0; s < 64; s++)
				for (size_t d = 0; d < 64; d++) {
					unsigned f =
						Flag_sets[(s + d) % NFLAGS];
					check_copy(lens[l], s, d, f);
					if (s == 0)
						check_set(lens[l], d, f);
				}
	}
}

static void
test_overlap(void **state)
{
	(void)state;
	static const long deltas[] = {
		-200, -64, -63, -8, -1, 1, 7, 8, 64, 65, 200};
	static const size_t lens[] = {1, 13, 64, 100, 511, 4000};
	for (size_t v = 0; v < sizeof(Variants) / sizeof(Variants[0]); v++) {
		if (!select_variant(&Variants[v]))
			continue;
		for (size_t i = 0; i < sizeof(deltas) / sizeof(deltas[0]); i++)
			for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]);
				l++)
				for (size_t b = 256; b < 256 + 64; b += 5)
					for (size_t f = 0; f < NFLAGS; f++)
						check_overlap(lens[l], b,
							deltas[i],
							Flag_sets[f]);
	}
}

/* every one of the 64 flag combinations, copy / set / overlapping move */
static void
test_all_flag_combinations(void **state)
{
	(void)state;
	static const size_t lens[] = {0, 1, 9, 63, 64, 65, 300, 4096};
	fill(Src, AREA, 4);
	for (size_t v = 0; v < sizeof(Variants) / sizeof(Variants[0]); v++) {
		if (!select_variant(&Variants[v]))
			continue;
		for (unsigned f = 0; f <= PM_F_MEM_VALID_FLAGS; f++)
			for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]);
				l++) {
				check_copy(
					lens[l], f % 64, (f * 7 + 3) % 64, f);
				check_set(lens[l], (f * 5) % 64, f);
				check_overlap(
					lens[l], 300, (f & 1) ? 37 : -37, f);
				check_overlap(
					lens[l], 300, (f & 2) ? 1 : -1, f);
			}
	}
}

/* a sample of large sizes up to 8 MiB on the heap */
static void
test_large(void **state)
{
	(void)state;
	size_t max = (size_t)8 << 20;
	unsigned char *s = malloc(max + 64), *d = malloc(max + 128);
	assert_non_null(s);
	assert_non_null(d);
	fill(s, max + 64, 9);
	static const size_t lens[] = {4097, 65536 + 3, (size_t)1 << 20,
		((size_t)3 << 20) + 17, (size_t)8 << 20};
	for (size_t v = 0; v < sizeof(Variants) / sizeof(Variants[0]); v++) {
		if (!select_variant(&Variants[v]))
			continue;
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			size_t off = l * 13 % 64;
			memset(d, 0, max + 128);
			pm_memcpy(d + off, s + 3, lens[l], 0);
			assert_memory_equal(d + off, s + 3, lens[l]);
			assert_int_equal(d[off + lens[l]], 0);
			memset(d, 0, max + 128);
			pm_memset(d + 1, 0xab, lens[l], PM_F_MEM_NODRAIN);
			pm_drain();
			assert_int_equal(d[0], 0);
			assert_int_equal(d[1], 0xab);
			assert_int_equal(d[lens[l]], 0xab);
			assert_int_equal(d[lens[l] + 1], 0);
		}
	}
	free(s);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_alignments),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_all_flag_combinations),
		cmocka_unit_test(test_large),
	};
	const char *only = getenv("PMEM_TEST_ISA");
	if (only != NULL) {
		size_t v = 0, n = sizeof(Variants) / sizeof(Variants[0]);
		while (v < n && strcmp(Variants[v].name, only) != 0)
			v++;
		if (v == n) {
			fprintf(stderr, "unknown PMEM_TEST_ISA %s\n", only);
			return 2;
		}
		if (!select_variant(&Variants[v])) {
			printf("SKIP: this CPU lacks %s\n", only);
			return 77;
		}
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
