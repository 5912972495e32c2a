/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmem-knobs.c -- which flush and copy flavour each PMEM_* environment knob
 * selects, and that bad values are ignored
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "pmem.h"
#include "test_skip.h"

static const char *const Knobs[] = {"PMEM_NO_CLWB", "PMEM_NO_CLFLUSHOPT",
	"PMEM_NO_FLUSH", "PMEM_NO_MOVNT", "PMEM_MOVNT_THRESHOLD", "PMEM_AVX",
	"PMEM_AVX512F", "PMEM_IS_PMEM_FORCE"};

static int
clear_knobs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(Knobs) / sizeof(Knobs[0]); i++)
		unsetenv(Knobs[i]);
	pm_reinit();
	return 0;
}

/* the best flush instruction the CPU has, unless eADR makes it none */
static enum pm_flush_kind
best_flush(const struct pm_info *in)
{
	if (in->eadr)
		return PM_FLUSH_NONE;
	if (in->has_clwb)
		return PM_FLUSH_CLWB;
	if (in->has_clflushopt)
		return PM_FLUSH_CLFLUSHOPT;
	return PM_FLUSH_CLFLUSH;
}

static void
test_defaults(void **state)
{
	(void)state;
	const struct pm_info *in = pm_get_info();
	assert_true(in->has_clflush);
	assert_true(in->has_sse2);
	assert_int_equal(in->flush, best_flush(in));
	assert_int_equal(
		in->memcpy_isa, in->has_avx2 ? PM_ISA_AVX : PM_ISA_SSE2);
	assert_false(in->force_pmem);
}

static void
test_no_clwb(void **state)
{
	(void)state;
	setenv("PMEM_NO_CLWB", "1", 1);
	pm_reinit();
	const struct pm_info *in = pm_get_info();
	if (in->eadr)
		TEST_SKIP("eADR: no flush instruction to choose\n");
	assert_int_equal(in->flush,
		in->has_clflushopt ? PM_FLUSH_CLFLUSHOPT : PM_FLUSH_CLFLUSH);
	setenv("PMEM_NO_CLFLUSHOPT", "1", 1);
	pm_reinit();
	assert_int_equal(pm_get_info()->flush, PM_FLUSH_CLFLUSH);
	assert_string_equal(pm_flush_name(pm_get_info()->flush), "clflush");
	/* each flavour still persists without faulting */
	char buf[256] = {1};
	pm_persist(buf, sizeof(buf));
}

static void
test_no_flush(void **state)
{
	(void)state;
	setenv("PMEM_NO_FLUSH", "1", 1);
	pm_reinit();
	assert_int_equal(pm_get_info()->flush, PM_FLUSH_NONE);
	setenv("PMEM_NO_FLUSH", "0", 1);
	pm_reinit();
	assert_int_not_equal(pm_get_info()->flush, PM_FLUSH_NONE);
}

static void
test_isa_knobs(void **state)
{
	(void)state;
	const struct pm_info *in = pm_get_info();
	setenv("PMEM_NO_MOVNT", "1", 1);
	pm_reinit();
	assert_int_equal(in->memcpy_isa, PM_ISA_GENERIC);
	unsetenv("PMEM_NO_MOVNT");
	setenv("PMEM_AVX", "0", 1);
	pm_reinit();
	assert_int_equal(in->memcpy_isa, PM_ISA_SSE2);
	unsetenv("PMEM_AVX");
	setenv("PMEM_AVX512F", "1", 1);
	pm_reinit();
	assert_int_equal(in->memcpy_isa,
		in->has_avx512f ? PM_ISA_AVX512F
				: (in->has_avx2 ? PM_ISA_AVX : PM_ISA_SSE2));
}

static void
test_threshold(void **state)
{
	(void)state;
	setenv("PMEM_MOVNT_THRESHOLD", "1234", 1);
	pm_reinit();
	assert_int_equal(pm_get_info()->movnt_threshold, 1234);
	size_t def;
	unsetenv("PMEM_MOVNT_THRESHOLD");
	pm_reinit();
	def = pm_get_info()->movnt_threshold;
	static const char *const bad[] = {
		"", "-5", "12abc", "abc", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("PMEM_MOVNT_THRESHOLD", bad[i], 1);
		pm_reinit();
		assert_int_equal(pm_get_info()->movnt_threshold, def);
	}
}

static void
test_bad_bools_ignored(void **state)
{
	(void)state;
	pm_reinit();
	struct pm_info before = *pm_get_info();
	static const char *const bad[] = {"", "yes", "2", "-1", "1x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (size_t k = 0; k < sizeof(Knobs) / sizeof(Knobs[0]); k++)
			setenv(Knobs[k], bad[i], 1);
		pm_reinit();
		const struct pm_info *in = pm_get_info();
		assert_int_equal(in->flush, before.flush);
		assert_int_equal(in->memcpy_isa, before.memcpy_isa);
		assert_int_equal(in->force_pmem, 0);
		clear_knobs(NULL);
	}
}

static void
test_force_pmem(void **state)
{
	(void)state;
	setenv("PMEM_IS_PMEM_FORCE", "1", 1);
	pm_reinit();
	assert_true(pm_get_info()->force_pmem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, clear_knobs),
		cmocka_unit_test_setup(test_no_clwb, clear_knobs),
		cmocka_unit_test_setup(test_no_flush, clear_knobs),
		cmocka_unit_test_setup(test_isa_knobs, clear_knobs),
		cmocka_unit_test_setup(test_threshold, clear_knobs),
		cmocka_unit_test_setup(test_bad_bools_ignored, clear_knobs),
		cmocka_unit_test_setup(test_force_pmem, clear_knobs),
	};
	test_filters();
	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
