/* SPDX-License-Identifier: BSD-3-Clause */
/* poolset-parse.c -- unit tests of poolset_parse() and poolset_parse_size() */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "poolset.h"

static struct poolset *
parse_ok(const char *text)
{
	struct poolset *set = NULL;
	char err[256];
	int ret = poolset_parse(text, strlen(text), &set, err, sizeof(err));
	if (ret)
		print_error("unexpected failure: %s\n", err);
	assert_int_equal(ret, 0);
	assert_non_null(set);
	return set;
}

static void
parse_bad(const char *text, const char *msg_part)
{
	struct poolset *set = NULL;
	char err[256];
	int ret = poolset_parse(text, strlen(text), &set, err, sizeof(err));
	assert_int_equal(ret, -EINVAL);
	assert_null(set);
	if (strstr(err, msg_part) == NULL)
		fail_msg("message '%s' lacks '%s'", err, msg_part);
}

static void
test_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		size_t v;
	} good[] = {
		{"1", 1},
		{"4096", 4096},
		{"20B", 20},
		{"2K", 2048},
		{"2KiB", 2048},
		{"3M", 3 << 20},
		{"3MiB", 3 << 20},
		{"1G", 1UL << 30},
		{"1GiB", 1UL << 30},
		{"2T", 2UL << 40},
		{"1TiB", 1UL << 40},
		{"1P", 1UL << 50},
		{"1PiB", 1UL << 50},
		{"5kB", 5000},
		{"2MB", 2000000},
		{"1GB", 1000000000UL},
		{"1TB", 1000000000000UL},
		{"1PB", 1000000000000000UL},
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t v = 0;
		assert_int_equal(poolset_parse_size(good[i].s, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	static const char *const bad[] = {
		"",
		"0",
		"0M",
		"M",
		"-1M",
		"1m",
		"1KB",
		"1kiB",
		"1 M",
		"1MiBx",
		"1.5M",
		"AUTO",
		" 1M",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t v = 77;
		if (poolset_parse_size(bad[i], &v) != -EINVAL)
			fail_msg("size '%s' accepted", bad[i]);
		assert_int_equal(v, 77);
	}
	/* well formed but no file can be that large: EFBIG, as PMDK */
	static const char *const big[] = {
		"99999999999999999999",
		"20000000P",
		"18446744073709551615M",
		"8192P",
		"9223372036854775808",
	};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		size_t v = 77;
		if (poolset_parse_size(big[i], &v) != -EFBIG)
			fail_msg("size '%s' not EFBIG", big[i]);
		assert_int_equal(v, 77);
	}
}

static void
test_single_replica(void **state)
{
	(void)state;
	struct poolset *set = parse_ok("PMEMPOOLSET\n"
				       "# a comment\n"
				       "\n"
				       "8M /tmp/a.part # trailing comment\n"
				       "\t  16MiB\t/tmp/b.part\r\n"
				       "2G /tmp/c.part\n");
	assert_int_equal(set->nreplicas, 1);
	assert_int_equal(set->options, 0);
	assert_int_equal(set->is_set_file, 1);
	struct poolset_replica *r = &set->replicas[0];
	assert_null(r->node);
	assert_int_equal(r->nparts, 3);
	assert_string_equal(r->parts[0].path, "/tmp/a.part");
	assert_int_equal(r->parts[0].size, 8 << 20);
	assert_int_equal(r->parts[0].line, 4);
	assert_string_equal(r->parts[1].path, "/tmp/b.part");
	assert_int_equal(r->parts[1].size, 16 << 20);
	assert_string_equal(r->parts[2].path, "/tmp/c.part");
	assert_int_equal(r->parts[2].size, 2UL << 30);
	/* 3 headers: 8M + 16M + 2G - 2 * 4096 */
	assert_int_equal(poolset_nhdrs(set, 0), 3);
	assert_int_equal(poolset_replica_size(set, 0),
		(8UL << 20) + (16UL << 20) + (2UL << 30) - 2 * 4096);
	poolset_free(set);
}

static void
test_options(void **state)
{
	(void)state;
	struct poolset *set = parse_ok("PMEMPOOLSET\n"
				       "OPTION SINGLEHDR\n"
				       "8M /a\n"
				       "8M /b\n");
	assert_int_equal(set->options, POOLSET_OPT_SINGLEHDR);
	assert_int_equal(poolset_nhdrs(set, 0), 1);
	assert_int_equal(poolset_replica_size(set, 0), 16UL << 20);
	poolset_free(set);

	set = parse_ok("PMEMPOOLSET\n8M /a\n8M /b\nOPTION NOHDRS\n");
	assert_int_equal(set->options, POOLSET_OPT_NOHDRS);
	assert_int_equal(poolset_nhdrs(set, 0), 0);
	assert_int_equal(poolset_replica_size(set, 0), 16UL << 20);
	poolset_free(set);

	/* both: SINGLEHDR semantics, as PMDK */
	set = parse_ok("PMEMPOOLSET\nOPTION NOHDRS SINGLEHDR\n8M /a\n");
	assert_int_equal(
		set->options, POOLSET_OPT_NOHDRS | POOLSET_OPT_SINGLEHDR);
	assert_int_equal(poolset_nhdrs(set, 0), 1);
	poolset_free(set);

	/* default: 8M + 8M with headers -> 16773120 (spec example) */
	set = parse_ok("PMEMPOOLSET\n8M /a\n8M /b\n");
	assert_int_equal(poolset_replica_size(set, 0), 16773120);
	poolset_free(set);

	/* sizes are rounded down to the page size */
	set = parse_ok("PMEMPOOLSET\n2101000 /a\n");
	assert_int_equal(poolset_replica_size(set, 0), 2101000 & ~4095UL);
	poolset_free(set);
}

static void
test_replicas(void **state)
{
	(void)state;
	struct poolset *set =
		parse_ok("PMEMPOOLSET\n"
			 "8M /a\n"
			 "REPLICA\n"
			 "4M /r1\n"
			 "4M /r2\n"
			 "REPLICA user@host:22 remote/pool.set\n");
	assert_int_equal(set->nreplicas, 3);
	assert_int_equal(set->replicas[0].nparts, 1);
	assert_int_equal(set->replicas[1].nparts, 2);
	assert_string_equal(set->replicas[1].parts[1].path, "/r2");
	assert_int_equal(set->replicas[2].nparts, 0);
	assert_string_equal(set->replicas[2].node, "user@host:22");
	assert_string_equal(set->replicas[2].desc, "remote/pool.set");
	poolset_free(set);
}

static void
test_broken(void **state)
{
	(void)state;
	parse_bad("", "not a pool set");
	parse_bad("PMEMPOOL\n8M /a\n", "not a pool set");
	parse_bad("PMEMPOOLSET \n8M /a\n", "first line");
	parse_bad("PMEMPOOLSETX\n8M /a\n", "first line");
	parse_bad("PMEMPOOLSET", "first line");
	parse_bad("PMEMPOOLSET\n", "no pool set parts");
	parse_bad("PMEMPOOLSET\n# only a comment\n", "no pool set parts");
	parse_bad("PMEMPOOLSET\n8M a/relative\n", "absolute");
	parse_bad("PMEMPOOLSET\n0 /a\n", "size");
	parse_bad("PMEMPOOLSET\n8X /a\n", "size");
	parse_bad("PMEMPOOLSET\n8M /a extra\n", "invalid token");
	parse_bad("PMEMPOOLSET\n8M\n", "invalid token");
	parse_bad("PMEMPOOLSET\n8M /a\n   \n", "current line at line 3");
	parse_bad("PMEMPOOLSET\n8M /a\n  # x\n", "invalid token");
	parse_bad("PMEMPOOLSET\nOPTION\n8M /a\n", "missing option name");
	parse_bad("PMEMPOOLSET\nOPTION FOO\n8M /a\n", "unknown option");
	parse_bad("PMEMPOOLSET\nREPLICA\n8M /a\n", "no pool set parts");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA\n", "no replica parts");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA\nREPLICA\n8M /b\n",
		"no replica parts");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA host\n", "remote node");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA host /abs.set\n", "relative");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA host r.set\n8M /b\n",
		"remote replica");
	parse_bad("PMEMPOOLSET\n8M /a\nREPLICA host r.set extra\n",
		"remote node");
	static const char nul[] = "PMEMPOOLSET\n8M /a\0b\n";
	struct poolset *set = NULL;
	assert_int_equal(
		poolset_parse(nul, sizeof(nul) - 1, &set, NULL, 0), -EINVAL);
	assert_null(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_single_replica),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_replicas),
		cmocka_unit_test(test_broken),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
