/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c -- rpmemd's configuration: defaults, the command line, and the
 * start-up sequence (the configuration files are read by config_file.c)
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fault_inject.h"

/*
 * the option parsers' "go on": not an enum rpmemd_config_result (those are
 * RPMEMD_CFG_OK and up), which they return when parsing ends
 */
#define CFG_GO_ON (-1)

int
rpmemd_config_set_str(char **dst, const char *val)
{
	char *s = fault_strdup(val);
	if (s == NULL)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

void
rpmemd_config_defaults(struct rpmemd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_file = fault_strdup(RPMEMD_DEFAULT_LOG_FILE);
	cfg->poolset_dir = fault_strdup(RPMEMD_DEFAULT_POOLSET_DIR);
	cfg->persist_apm = 0;
	cfg->persist_general = 1;
	cfg->use_syslog = 1;
	cfg->log_level = RPD_LOG_ERR;
	cfg->check_source = 1;
	cfg->liveness_timeout = RPMEMD_DEFAULT_LIVENESS_TIMEOUT;
}

void
rpmemd_config_free(struct rpmemd_config *cfg)
{
	free(cfg->log_file);
	free(cfg->poolset_dir);
	free(cfg->rm_poolset);
	memset(cfg, 0, sizeof(*cfg));
}

static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	if (h != NULL)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_dir : NULL;
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--help] [--version] [<args>]\n"
		"\n"
		"Remote persistent memory daemon, version %s\n"
		"\n"
		"Options:\n"
		"  -c, --config <path>      configuration file (only this "
		"one is read)\n"
		"  -h, --help               print this help and exit\n"
		"  -V, --version            print the version and exit\n"
		"  -r, --remove <poolset>   remove the parts of a pool set\n"
		"  -f, --force              ignore errors when removing\n"
		"  -s, --pool-set           also remove the pool set file\n"
		"  -t, --nthreads <n>       worker threads (0: one per lane)\n"
		"      --log-file <path>    log file\n"
		"      --poolset-dir <path> pool set directory\n"
		"      --persist-apm        enable the appliance persistency "
		"method\n"
		"      --persist-general    enable the general purpose server "
		"persistency method\n"
		"      --use-syslog         log to syslog\n"
		"      --require-auth       refuse clients whose fabric "
		"connections are not\n"
		"                           bound to their ssh session\n"
		"      --no-check-source    accept fabric connections from "
		"addresses other\n"
		"                           than the ssh client's "
		"(multi-homed nodes)\n"
		"      --allow-sockets      serve clients that ask for the "
		"libfabric\n"
		"                           sockets provider (see rpmemd(1))\n"
		"      --log-level <level>  err, warn, notice, info or debug\n"
		"      --liveness-timeout <seconds>\n"
		"                           end the session of a client that "
		"pings when\n"
		"                           it is silent this long (default "
		"30)\n",
		prog, RPMEMD_VERSION);
}

enum {
	OPT_LOG_FILE = 256,
	OPT_POOLSET_DIR,
	OPT_PERSIST_APM,
	OPT_PERSIST_GENERAL,
	OPT_USE_SYSLOG,
	OPT_LOG_LEVEL,
	OPT_REQUIRE_AUTH,
	OPT_NO_CHECK_SOURCE,
	OPT_ALLOW_SOCKETS,
	OPT_LIVENESS_TIMEOUT
};

/* an option's copy failed: the client gets ENOMEM as the status */
static enum rpmemd_config_result
no_memory(int *errnum, char *err, size_t errlen)
{
	*errnum = ENOMEM;
	snprintf(err, errlen, "cannot copy the command line: %s",
		strerror(ENOMEM));
	return RPMEMD_CFG_BAD_FILE;
}

static const struct option longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{"remove", required_argument, NULL, 'r'},
	{"force", no_argument, NULL, 'f'},
	{"pool-set", no_argument, NULL, 's'},
	{"nthreads", required_argument, NULL, 't'},
	{"log-file", required_argument, NULL, OPT_LOG_FILE},
	{"poolset-dir", required_argument, NULL, OPT_POOLSET_DIR},
	{"persist-apm", no_argument, NULL, OPT_PERSIST_APM},
	{"persist-general", no_argument, NULL, OPT_PERSIST_GENERAL},
	{"use-syslog", no_argument, NULL, OPT_USE_SYSLOG},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"require-auth", no_argument, NULL, OPT_REQUIRE_AUTH},
	{"no-check-source", no_argument, NULL, OPT_NO_CHECK_SOURCE},
	{"allow-sockets", no_argument, NULL, OPT_ALLOW_SOCKETS},
	{"liveness-timeout", required_argument, NULL, OPT_LIVENESS_TIMEOUT},
	{NULL, 0, NULL, 0},
};

/* options without a value; 1 when opt was one of them */
static int
flag_option(struct rpmemd_config *cfg, int opt, unsigned *given)
{
	switch (opt) {
	case 'f':
		cfg->force = 1;
		return 1;
	case 's':
		cfg->pool_set = 1;
		return 1;
	case OPT_PERSIST_APM:
		cfg->persist_apm = 1;
		*given |= RPMEMD_OPT_PERSIST_APM;
		return 1;
	case OPT_PERSIST_GENERAL:
		cfg->persist_general = 1;
		*given |= RPMEMD_OPT_PERSIST_GENERAL;
		return 1;
	case OPT_USE_SYSLOG:
		cfg->use_syslog = 1;
		*given |= RPMEMD_OPT_USE_SYSLOG;
		return 1;
	case OPT_REQUIRE_AUTH:
		cfg->require_auth = 1;
		*given |= RPMEMD_OPT_REQUIRE_AUTH;
		return 1;
	case OPT_NO_CHECK_SOURCE:
		cfg->check_source = 0;
		*given |= RPMEMD_OPT_CHECK_SOURCE;
		return 1;
	case OPT_ALLOW_SOCKETS:
		cfg->allow_sockets = 1;
		*given |= RPMEMD_OPT_ALLOW_SOCKETS;
		return 1;
	default:
		return 0;
	}
}

/* --nthreads, --log-level and --liveness-timeout; CFG_GO_ON when fine,
 * else the result */
static int
number_option(struct rpmemd_config *cfg, int opt, unsigned *given, char *err,
	size_t errlen)
{
	if (opt == OPT_LIVENESS_TIMEOUT) {
		const char *why = "";
		if (rpmemd_config_parse_timeout(
			    optarg, &cfg->liveness_timeout, &why)) {
			snprintf(err, errlen,
				"invalid liveness timeout -- '%s': %s", optarg,
				why);
			return RPMEMD_CFG_BAD_ARGS;
		}
		*given |= RPMEMD_OPT_LIVENESS_TIMEOUT;
		return CFG_GO_ON;
	}
	if (opt == 't') {
		char *end;
		errno = 0;
		cfg->nthreads = strtoul(optarg, &end, 10);
		if (errno || *end != '\0' || *optarg == '\0' ||
			*optarg == '-') {
			snprintf(err, errlen,
				"invalid number of threads -- '%s'", optarg);
			return RPMEMD_CFG_BAD_ARGS;
		}
		return CFG_GO_ON;
	}
	int l = rpmemd_log_level_from_str(optarg);
	if (l < 0) {
		snprintf(err, errlen, "invalid log level -- '%s'", optarg);
		return RPMEMD_CFG_BAD_ARGS;
	}
	cfg->log_level = (enum rpmemd_log_level)l;
	*given |= RPMEMD_OPT_LOG_LEVEL;
	return CFG_GO_ON;
}

/* options with a string value; CFG_GO_ON when fine, else the result */
static int
string_option(struct rpmemd_config *cfg, int opt, unsigned *given, int *errnum,
	char *err, size_t errlen)
{
	char **dst = opt == 'r' ? &cfg->rm_poolset
				: (opt == OPT_LOG_FILE ? &cfg->log_file
						       : &cfg->poolset_dir);
	if (rpmemd_config_set_str(dst, optarg))
		return no_memory(errnum, err, errlen);
	if (opt == OPT_LOG_FILE) {
		cfg->use_syslog = 0;
		*given |= RPMEMD_OPT_LOG_FILE | RPMEMD_OPT_USE_SYSLOG;
	} else if (opt == OPT_POOLSET_DIR) {
		*given |= RPMEMD_OPT_POOLSET_DIR;
	}
	return CFG_GO_ON;
}

/* the command line; CFG_GO_ON when rpmemd goes on, else the result */
static int
parse_args(struct rpmemd_config *cfg, int argc, char *argv[],
	const char **config_file, unsigned *given, int *errnum, char *err,
	size_t errlen)
{
	int opt;
	optind = 1;
	opterr = 1;
	while ((opt = getopt_long(argc, argv, "c:hVr:fst:", longopts, NULL)) !=
		-1) {
		int ret = CFG_GO_ON;
		if (flag_option(cfg, opt, given))
			continue;
		switch (opt) {
		case 'c':
			*config_file = optarg;
			break;
		case 'h':
			usage(argv[0]);
			return RPMEMD_CFG_EXIT;
		case 'V':
			fprintf(stderr, "rpmemd version %s\n", RPMEMD_VERSION);
			return RPMEMD_CFG_EXIT;
		case 't':
		case OPT_LOG_LEVEL:
		case OPT_LIVENESS_TIMEOUT:
			ret = number_option(cfg, opt, given, err, errlen);
			break;
		case 'r':
		case OPT_LOG_FILE:
		case OPT_POOLSET_DIR:
			ret = string_option(
				cfg, opt, given, errnum, err, errlen);
			break;
		default:
			usage(argv[0]);
			return RPMEMD_CFG_BAD_ARGS;
		}
		if (ret != CFG_GO_ON)
			return ret;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument -- '%s'",
			argv[optind]);
		return RPMEMD_CFG_BAD_ARGS;
	}
	if ((cfg->force || cfg->pool_set) && cfg->rm_poolset == NULL) {
		snprintf(err, errlen,
			"--force and --pool-set need --remove <poolset>");
		return RPMEMD_CFG_BAD_ARGS;
	}
	return CFG_GO_ON;
}

/* $HOME substituted in poolset-dir, which must then be absolute */
static enum rpmemd_config_result
finish_poolset_dir(struct rpmemd_config *cfg, const char *home, int *errnum,
	char *err, size_t errlen)
{
	char *dir;
	if (rpmemd_config_subst_home(cfg->poolset_dir, home, &dir)) {
		*errnum = ENOMEM;
		return RPMEMD_CFG_BAD_FILE;
	}
	free(cfg->poolset_dir);
	cfg->poolset_dir = dir;
	if (dir[0] != '/') {
		snprintf(err, errlen,
			"poolset-dir must be an absolute path -- '%s'", dir);
		*errnum = EINVAL;
		return RPMEMD_CFG_BAD_FILE;
	}
	return RPMEMD_CFG_OK;
}

enum rpmemd_config_result
rpmemd_config_read(struct rpmemd_config *cfg, int argc, char *argv[],
	int *errnum, char *err, size_t errlen)
{
	const char *config_file = NULL;
	unsigned given = 0;
	*errnum = 0;
	err[0] = '\0';
	rpmemd_config_defaults(cfg);
	if (cfg->log_file == NULL || cfg->poolset_dir == NULL)
		return no_memory(errnum, err, errlen);
	int ret = parse_args(
		cfg, argc, argv, &config_file, &given, errnum, err, errlen);
	if (ret != CFG_GO_ON)
		return (enum rpmemd_config_result)ret;
	const char *home = home_dir();
	ret = rpmemd_config_read_files(
		cfg, config_file, home, given, err, errlen);
	if (ret) {
		*errnum = -ret;
		return RPMEMD_CFG_BAD_FILE;
	}
	return finish_poolset_dir(cfg, home, errnum, err, errlen);
}
