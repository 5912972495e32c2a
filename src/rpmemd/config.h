/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h -- rpmemd command line and configuration files
 *
 * Contract: rpmemd_config_parse_buf() is pure (no I/O): it applies the
 * "key = value" lines of one configuration file to cfg, skipping keys whose
 * RPMEMD_OPT_* bit is in skip (given on the command line), and fails with
 * -EINVAL and "Invalid config file line at <file>:<n>: <line>" in err.
 * rpmemd_config_read() does the whole start-up sequence of PMDK's rpmemd:
 * defaults, command line, /etc/rpmemd/rpmemd.conf then $HOME/.rpmemd.conf
 * (or only the -c file), $HOME substitution in poolset-dir.
 */
#ifndef RPMEMD_CONFIG_H
#define RPMEMD_CONFIG_H 1

#include <stddef.h>

#include "rpmemd_log.h"

#ifndef RPMEMD_VERSION
#define RPMEMD_VERSION "1.12.1"
#endif

#define RPMEMD_DEFAULT_LOG_FILE "/var/log/rpmemd.log"
#define RPMEMD_DEFAULT_POOLSET_DIR "$HOME"
#define RPMEMD_GLOBAL_CONFIG "/etc/rpmemd/rpmemd.conf"
#define RPMEMD_USER_CONFIG ".rpmemd.conf"

enum rpmemd_opt {
	RPMEMD_OPT_LOG_FILE = 1 << 0,
	RPMEMD_OPT_POOLSET_DIR = 1 << 1,
	RPMEMD_OPT_PERSIST_APM = 1 << 2,
	RPMEMD_OPT_PERSIST_GENERAL = 1 << 3,
	RPMEMD_OPT_USE_SYSLOG = 1 << 4,
	RPMEMD_OPT_LOG_LEVEL = 1 << 5,
	RPMEMD_OPT_REQUIRE_AUTH = 1 << 6,
	RPMEMD_OPT_CHECK_SOURCE = 1 << 7,
	RPMEMD_OPT_ALLOW_SOCKETS = 1 << 8,
	RPMEMD_OPT_LIVENESS_TIMEOUT = 1 << 9,
};

/* how long a client that pings may stay silent (rpmem_proto.h), seconds */
#define RPMEMD_DEFAULT_LIVENESS_TIMEOUT 30U
#define RPMEMD_MAX_LIVENESS_TIMEOUT 86400U

struct rpmemd_config {
	char *log_file;
	char *poolset_dir;
	int persist_apm;
	int persist_general;
	int use_syslog;
	enum rpmemd_log_level log_level;
	unsigned long nthreads; /* 0: one per lane */
	int require_auth;	/* refuse clients without session binding */
	int check_source;  /* fabric peers must use the ssh client's address */
	int allow_sockets; /* serve the libfabric sockets provider */
	unsigned liveness_timeout; /* seconds, 1 to RPMEMD_MAX_... */
	/* remove mode */
	char *rm_poolset;
	int force;
	int pool_set;
};

void rpmemd_config_defaults(struct rpmemd_config *cfg);
void rpmemd_config_free(struct rpmemd_config *cfg);

int rpmemd_config_parse_buf(struct rpmemd_config *cfg, const char *buf,
	size_t len, const char *fname, unsigned skip, char *err, size_t errlen);

/*
 * a liveness timeout in whole seconds (1 to RPMEMD_MAX_LIVENESS_TIMEOUT,
 * digits only); 0, or -EINVAL with a reason
 */
int rpmemd_config_parse_timeout(
	const char *val, unsigned *out, const char **why);

/* replace the first $HOME (not followed by an alphanumeric character) */
int rpmemd_config_subst_home(const char *in, const char *home, char **out);

/* replaces *dst by a copy of val; 0 or -ENOMEM (*dst unchanged) */
int rpmemd_config_set_str(char **dst, const char *val);

/*
 * the -c file (config_file not NULL), or the global and then the user's
 * file under home; 0, or a negative errno with the reason in err
 */
int rpmemd_config_read_files(struct rpmemd_config *cfg, const char *config_file,
	const char *home, unsigned skip, char *err, size_t errlen);

enum rpmemd_config_result {
	RPMEMD_CFG_OK = 0,
	RPMEMD_CFG_EXIT = 1,	 /* -h / -V handled: exit 0 */
	RPMEMD_CFG_BAD_ARGS = 2, /* command line error: exit 255 */
	RPMEMD_CFG_BAD_FILE = 3, /* *errnum set: status word, exit 1 */
};

enum rpmemd_config_result rpmemd_config_read(struct rpmemd_config *cfg,
	int argc, char *argv[], int *errnum, char *err, size_t errlen);

#endif /* RPMEMD_CONFIG_H */
