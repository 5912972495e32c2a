/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmemd-config.c -- unit tests of the rpmemd command line and config files */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "rpmemd_log.h"
#include "test_util.h"

static char tmpdir[64];

static int
group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rpmemd-config-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	/* no user config file unless a test writes one */
	setenv("HOME", tmpdir, 1);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	char p[128];
	snprintf(p, sizeof(p), "%s/.rpmemd.conf", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/c.conf", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	return 0;
}

static const char *
write_conf(const char *name, const char *text)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
parse(struct rpmemd_config *cfg, const char *text, unsigned skip, char *err)
{
	return rpmemd_config_parse_buf(
		cfg, text, strlen(text), "f.conf", skip, err, 256);
}

static void
test_defaults(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	rpmemd_config_defaults(&cfg);
	assert_string_equal(cfg.log_file, "/var/log/rpmemd.log");
	assert_string_equal(cfg.poolset_dir, "$HOME");
	assert_int_equal(cfg.persist_apm, 0);
	assert_int_equal(cfg.persist_general, 1);
	assert_int_equal(cfg.use_syslog, 1);
	assert_int_equal(cfg.log_level, RPD_LOG_ERR);
	assert_int_equal(cfg.nthreads, 0);
	assert_int_equal(cfg.require_auth, 0);
	assert_int_equal(cfg.check_source, 1);
	assert_int_equal(cfg.liveness_timeout, 30);
	rpmemd_config_free(&cfg);
}

static void
test_all_keys(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	char err[256] = "";
	rpmemd_config_defaults(&cfg);
	assert_int_equal(parse(&cfg,
				 "# comment\n"
				 "\n"
				 "  log-file   =  /tmp/one.log  # why\n"
				 "log-file=/tmp/two.log\n"
				 "poolset-dir = /srv/pools\n"
				 "\tpersist-apm = yes\n"
				 "persist-general = no\n"
				 "log-level = debug\n",
				 0, err),
		0);
	assert_string_equal(cfg.log_file, "/tmp/two.log");
	assert_string_equal(cfg.poolset_dir, "/srv/pools");
	assert_int_equal(cfg.persist_apm, 1);
	assert_int_equal(cfg.persist_general, 0);
	assert_int_equal(cfg.log_level, RPD_LOG_DBG);
	/* a log-file line turns syslog off, a later use-syslog on again */
	assert_int_equal(cfg.use_syslog, 0);
	assert_int_equal(parse(&cfg, "use-syslog = yes\n", 0, err), 0);
	assert_int_equal(cfg.use_syslog, 1);
	assert_int_equal(parse(&cfg, "check-source = no\n", 0, err), 0);
	assert_int_equal(cfg.check_source, 0);
	assert_int_equal(parse(&cfg, "check-source = yes\n", 0, err), 0);
	assert_int_equal(cfg.check_source, 1);
	assert_int_equal(parse(&cfg, "check-source = off\n", 0, err), -EINVAL);
	rpmemd_config_free(&cfg);
}

static void
test_bad_lines(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"; comment\n",
		"dir = /tmp\n",
		"log-file =\n",
		"log-file = \n",
		"= value\n",
		"log-level = Invalid\n",
		"persist-apm = invalid\n",
		"persist-apm = YES\n",
		"use-syslog = 1\n",
		"nthreads = 4\n",
		"max-lanes = 4\n",
		"remove = x\n",
		"config = x\n",
		"just-a-word\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rpmemd_config cfg;
		char err[256] = "";
		rpmemd_config_defaults(&cfg);
		if (parse(&cfg, bad[i], 0, err) != -EINVAL)
			fail_msg("line '%s' accepted", bad[i]);
		if (strncmp(err, "Invalid config file line at f.conf:1", 36))
			fail_msg("unexpected message '%s'", err);
		rpmemd_config_free(&cfg);
	}
	/* the line number counts */
	struct rpmemd_config cfg;
	char err[256] = "";
	rpmemd_config_defaults(&cfg);
	assert_int_equal(
		parse(&cfg, "# x\nlog-level = err\nbogus = 1\n", 0, err),
		-EINVAL);
	assert_non_null(strstr(err, "f.conf:3: bogus = 1"));
	rpmemd_config_free(&cfg);
}

static void
test_skip(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	char err[256] = "";
	rpmemd_config_defaults(&cfg);
	cfg.persist_apm = 1;
	assert_int_equal(
		parse(&cfg, "persist-apm = no\nlog-level = info\n",
			RPMEMD_OPT_PERSIST_APM | RPMEMD_OPT_LOG_LEVEL, err),
		0);
	assert_int_equal(cfg.persist_apm, 1);
	assert_int_equal(cfg.log_level, RPD_LOG_ERR);
	/* skipped keys are still validated */
	assert_int_equal(parse(&cfg, "persist-apm = maybe\n",
				 RPMEMD_OPT_PERSIST_APM, err),
		-EINVAL);
	rpmemd_config_free(&cfg);
}

static void
test_subst_home(void **state)
{
	(void)state;
	static const struct {
		const char *in, *home, *out;
	} v[] = {
		{"$HOME", "/home/u", "/home/u"},
		{"$HOME/pools", "/home/u", "/home/u/pools"},
		{"/pre$HOME", "/home/u", "/pre/home/u"},
		{"$HOMEx", "/home/u", "$HOMEx"},
		{"$HOME_x", "/home/u", "/home/u_x"},
		{"/abs", "/home/u", "/abs"},
		{"$HOME", NULL, "$HOME"},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = NULL;
		assert_int_equal(
			rpmemd_config_subst_home(v[i].in, v[i].home, &out), 0);
		assert_string_equal(out, v[i].out);
		free(out);
	}
}

static enum rpmemd_config_result
read_args(struct rpmemd_config *cfg, int *errnum, char *err, const char *a1,
	const char *a2, const char *a3, const char *a4)
{
	char *argv[6] = {(char *)"rpmemd", (char *)a1, (char *)a2, (char *)a3,
		(char *)a4, NULL};
	int argc = 1;
	while (argv[argc] != NULL)
		argc++;
	return rpmemd_config_read(cfg, argc, argv, errnum, err, 256);
}

static void
test_read(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	int errnum;
	char err[256];
	/* no files: defaults with $HOME substituted */
	assert_int_equal(read_args(&cfg, &errnum, err, NULL, NULL, NULL, NULL),
		RPMEMD_CFG_OK);
	assert_string_equal(cfg.poolset_dir, tmpdir);
	rpmemd_config_free(&cfg);

	/* the user file is read; the command line wins over it */
	write_conf(".rpmemd.conf",
		"poolset-dir = $HOME/sets\nlog-level = info\n"
		"persist-apm = yes\n");
	assert_int_equal(read_args(&cfg, &errnum, err, "--log-level", "warn",
				 NULL, NULL),
		RPMEMD_CFG_OK);
	char want[128];
	snprintf(want, sizeof(want), "%s/sets", tmpdir);
	assert_string_equal(cfg.poolset_dir, want);
	assert_int_equal(cfg.log_level, RPD_LOG_WARN);
	assert_int_equal(cfg.persist_apm, 1);
	rpmemd_config_free(&cfg);

	/* -c: only that file */
	const char *c = write_conf("c.conf", "log-level = notice\n");
	assert_int_equal(read_args(&cfg, &errnum, err, "-c", c, NULL, NULL),
		RPMEMD_CFG_OK);
	assert_int_equal(cfg.log_level, RPD_LOG_NOTICE);
	assert_int_equal(cfg.persist_apm, 0);
	rpmemd_config_free(&cfg);

	/* empty -c file: defaults */
	c = write_conf("c.conf", "");
	assert_int_equal(read_args(&cfg, &errnum, err, "-c", c, NULL, NULL),
		RPMEMD_CFG_OK);
	assert_int_equal(cfg.log_level, RPD_LOG_ERR);
	rpmemd_config_free(&cfg);

	/* missing -c file */
	assert_int_equal(read_args(&cfg, &errnum, err, "--config",
				 "/nonexistent/r.conf", NULL, NULL),
		RPMEMD_CFG_BAD_FILE);
	assert_int_equal(errnum, ENOENT);
	assert_string_equal(
		err, "/nonexistent/r.conf: No such file or directory");
	rpmemd_config_free(&cfg);

	/* invalid file line: EINVAL */
	c = write_conf("c.conf", "log-level = loud\n");
	assert_int_equal(read_args(&cfg, &errnum, err, "-c", c, NULL, NULL),
		RPMEMD_CFG_BAD_FILE);
	assert_int_equal(errnum, EINVAL);
	assert_non_null(strstr(err, "Invalid config file line at"));
	rpmemd_config_free(&cfg);

	/* relative poolset-dir */
	assert_int_equal(read_args(&cfg, &errnum, err, "--poolset-dir", "rel",
				 NULL, NULL),
		RPMEMD_CFG_BAD_FILE);
	assert_int_equal(errnum, EINVAL);
	rpmemd_config_free(&cfg);

	/* remove mode options */
	assert_int_equal(read_args(&cfg, &errnum, err, "--remove", "p.set",
				 "-f", "--pool-set"),
		RPMEMD_CFG_OK);
	assert_string_equal(cfg.rm_poolset, "p.set");
	assert_int_equal(cfg.force, 1);
	assert_int_equal(cfg.pool_set, 1);
	rpmemd_config_free(&cfg);

	/* --log-file implies no syslog */
	assert_int_equal(read_args(&cfg, &errnum, err, "--log-file", "/tmp/l",
				 "-t", "3"),
		RPMEMD_CFG_OK);
	assert_int_equal(cfg.use_syslog, 0);
	assert_string_equal(cfg.log_file, "/tmp/l");
	assert_int_equal(cfg.nthreads, 3);
	rpmemd_config_free(&cfg);

	/* --no-check-source wins over the configuration files */
	assert_int_equal(read_args(&cfg, &errnum, err, "--no-check-source",
				 NULL, NULL, NULL),
		RPMEMD_CFG_OK);
	assert_int_equal(cfg.check_source, 0);
	rpmemd_config_free(&cfg);
	unlink(c);
	snprintf(want, sizeof(want), "%s/.rpmemd.conf", tmpdir);
	unlink(want);
}

/*
 * A FIFO as a configuration or log file: refused at once (a FIFO nobody
 * reads fails the log open with ENXIO), never waited on. alarm() ends the
 * test should an open block.
 */
static void
test_fifo_files(void **state)
{
	(void)state;
	char fifo[128];
	snprintf(fifo, sizeof(fifo), "%s/fifo", tmpdir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm((unsigned)(test_wait_ms(20000) / 1000));
	struct rpmemd_config cfg;
	int errnum;
	char err[256];
	assert_int_equal(read_args(&cfg, &errnum, err, "-c", fifo, NULL, NULL),
		RPMEMD_CFG_BAD_FILE);
	assert_int_equal(errnum, EINVAL);
	assert_non_null(strstr(err, fifo));
	assert_non_null(strstr(err, "is a FIFO"));
	rpmemd_config_free(&cfg);

	char user[128];
	snprintf(user, sizeof(user), "%s/.rpmemd.conf", tmpdir);
	assert_int_equal(rename(fifo, user), 0);
	assert_int_equal(read_args(&cfg, &errnum, err, NULL, NULL, NULL, NULL),
		RPMEMD_CFG_BAD_FILE);
	assert_non_null(strstr(err, "is a FIFO"));
	rpmemd_config_free(&cfg);

	errno = 0;
	assert_int_equal(rpmemd_log_init("rpmemd", user, 0), -1);
	assert_int_equal(errno, ENXIO);
	errno = 0;
	assert_int_equal(log_set_file(user), -1);
	assert_int_equal(errno, ENXIO);
	alarm(0);
	unlink(user);
}

static void
test_bad_args(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	int errnum;
	char err[256];
	static const char *const v[][2] = {
		{"--bogus", NULL},
		{"-t", "x"},
		{"-t", "-1"},
		{"--log-level", "verbose"},
		{"--force", NULL},
		{"extra", NULL},
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(read_args(&cfg, &errnum, err, v[i][0], v[i][1],
					 NULL, NULL),
			RPMEMD_CFG_BAD_ARGS);
		rpmemd_config_free(&cfg);
	}
	assert_int_equal(read_args(&cfg, &errnum, err, "-V", NULL, NULL, NULL),
		RPMEMD_CFG_EXIT);
	rpmemd_config_free(&cfg);
	assert_int_equal(
		read_args(&cfg, &errnum, err, "--help", NULL, NULL, NULL),
		RPMEMD_CFG_EXIT);
	rpmemd_config_free(&cfg);
}

/* liveness-timeout: whole seconds from 1 to 86400, file and command line */
static void
test_liveness_timeout(void **state)
{
	(void)state;
	struct rpmemd_config cfg;
	char err[256] = "";
	rpmemd_config_defaults(&cfg);
	assert_int_equal(parse(&cfg, "liveness-timeout = 3\n", 0, err), 0);
	assert_int_equal(cfg.liveness_timeout, 3);
	assert_int_equal(parse(&cfg, "liveness-timeout=86400\n", 0, err), 0);
	assert_int_equal(cfg.liveness_timeout, 86400);
	/* given on the command line: the file's value is checked, not used */
	assert_int_equal(parse(&cfg, "liveness-timeout = 7\n",
				 RPMEMD_OPT_LIVENESS_TIMEOUT, err),
		0);
	assert_int_equal(cfg.liveness_timeout, 86400);
	static const struct {
		const char *val, *why;
	} bad[] = {
		{"0", "out of range"},
		{"86401", "out of range"},
		{"99999999999999999999999", "out of range"},
		{"-3", "not a whole number"},
		{"3s", "not a whole number"},
		{"2.5", "not a whole number"},
		{"+3", "not a whole number"},
		{"0x10", "not a whole number"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "liveness-timeout = %s\n",
			bad[i].val);
		err[0] = '\0';
		if (parse(&cfg, line, RPMEMD_OPT_LIVENESS_TIMEOUT, err) !=
			-EINVAL)
			fail_msg("'%s' accepted", bad[i].val);
		if (strstr(err, "Invalid config file line at f.conf:1: "
				"liveness-timeout") == NULL ||
			strstr(err, bad[i].why) == NULL)
			fail_msg("unexpected message '%s'", err);
		assert_int_equal(cfg.liveness_timeout, 86400);
	}
	rpmemd_config_free(&cfg);

	int errnum;
	assert_int_equal(read_args(&cfg, &errnum, err, "--liveness-timeout",
				 "12", NULL, NULL),
		RPMEMD_CFG_OK);
	assert_int_equal(cfg.liveness_timeout, 12);
	rpmemd_config_free(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			read_args(&cfg, &errnum, err, "--liveness-timeout",
				bad[i].val, NULL, NULL),
			RPMEMD_CFG_BAD_ARGS);
		if (strncmp(err, "invalid liveness timeout -- '", 29) != 0 ||
			strstr(err, bad[i].why) == NULL)
			fail_msg("unexpected message '%s'", err);
		rpmemd_config_free(&cfg);
	}
	assert_int_equal(read_args(&cfg, &errnum, err, "--liveness-timeout", "",
				 NULL, NULL),
		RPMEMD_CFG_BAD_ARGS);
	rpmemd_config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_subst_home),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_fifo_files),
		cmocka_unit_test(test_liveness_timeout),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
