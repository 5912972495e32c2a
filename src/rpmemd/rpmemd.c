/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd.c -- the remote persistent memory daemon's process: start-up
 * (configuration, log, version), the fatal-signal handler, --remove, and
 * one client's requests served by request.c
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pmem.h"
#include "request.h"
#include "rpmemd_log.h"

/* fatal signals that end rpmemd with a log line and the clean-up of a
 * pool it was creating */
static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

static void
server_node(struct rpmemd *d)
{
	const char *ssh = getenv("SSH_CONNECTION");
	char buf[256];
	d->node[0] = '\0';
	d->peer[0] = '\0';
	if (ssh != NULL) {
		/* "<client address> <client port> <server address> <port>" */
		snprintf(buf, sizeof(buf), "%s", ssh);
		char *save = NULL;
		char *tok = strtok_r(buf, " ", &save);
		if (tok != NULL)
			snprintf(d->peer, sizeof(d->peer), "%s", tok);
		for (int i = 0; tok != NULL && i < 2; i++)
			tok = strtok_r(NULL, " ", &save);
		if (tok != NULL)
			snprintf(d->node, sizeof(d->node), "%s", tok);
	}
	if (d->node[0] == '\0') {
		d->node_defaulted = 1;
		snprintf(d->node, sizeof(d->node), "127.0.0.1");
		RPMEMD_LOG(NOTICE,
			"SSH_CONNECTION not set or malformed, listening on %s",
			d->node);
	}
}

/* async-signal-safe: appends s to the string in buf */
static void
crash_add(char *buf, size_t len, const char *s)
{
	size_t o = strlen(buf);
	while (*s && o + 1 < len)
		buf[o++] = *s++;
	buf[o] = '\0';
}

/* async-signal-safe: appends n in decimal to the string in buf */
static void
crash_add_num(char *buf, size_t len, unsigned long long n)
{
	char num[24];
	int i = (int)sizeof(num) - 1;
	num[i] = '\0';
	do {
		num[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0 && i > 0);
	crash_add(buf, len, num + i);
}

/*
 * A SIGBUS in the pool is a page the kernel could not back (an I/O error,
 * a full file system under a part without reserved blocks, a part cut
 * short by someone else): the line names the part and the offset.
 */
static void
on_fatal_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	char line[PATH_MAX + 256];
	const char *part;
	size_t off, pool_off;
	/* si_addr holds the address only when the kernel sent the signal */
	int in_pool =
		(sig == SIGBUS || sig == SIGSEGV) && si != NULL &&
		si->si_code > 0 &&
		rpmemd_db_locate(si->si_addr, &part, &off, &pool_off) == 0;
	int removed = rpmemd_db_crash_cleanup();
	line[0] = '\0';
	crash_add(line, sizeof(line), "fatal signal ");
	crash_add_num(line, sizeof(line), (unsigned)sig);
	if (in_pool) {
		crash_add(line, sizeof(line), " at offset ");
		crash_add_num(line, sizeof(line), off);
		crash_add(line, sizeof(line), " of part '");
		crash_add(line, sizeof(line), part);
		crash_add(line, sizeof(line), "' (pool offset ");
		crash_add_num(line, sizeof(line), pool_off);
		crash_add(line, sizeof(line),
			sig == SIGBUS ? "): the page could not be read or "
					"written (I/O error, no space left, "
					"or the part file was truncated)"
				      : ")");
	}
	if (removed)
		crash_add(line, sizeof(line),
			"; removed the part files of the pool being created");
	rpmemd_log_crash(line);
	/* SA_RESETHAND: the default action ends the process */
	raise(sig);
}

static void
catch_fatal_signals(void)
{
	static char altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	(void)sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fatal_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
		i++)
		(void)sigaction(fatal_signals[i], &sa, NULL);
}

/* --remove: the exit status is 0 or the errno of the failure */
static int
remove_mode(struct rpmemd *d)
{
	int ret = rpmemd_db_pool_remove(
		&d->db, d->cfg.rm_poolset, d->cfg.force, d->cfg.pool_set);
	if (ret)
		rpmemd_fail("cannot remove pool set -- '%s': %s",
			d->cfg.rm_poolset, rpmemd_db_strerror(ret));
	else
		RPMEMD_LOG(NOTICE, "removed '%s'", d->cfg.rm_poolset);
	return -ret;
}

static const char *
yes_no(int v)
{
	return v ? "yes" : "no";
}

/* the session's start, in PMDK's lines; our own settings at debug level */
static void
log_startup(struct rpmemd *d)
{
	const char *ssh = getenv("SSH_CONNECTION");
	const char *user = getenv("USER");
	RPMEMD_LOG(NOTICE, "ssh connection: %s", ssh ? ssh : "(null)");
	RPMEMD_LOG(NOTICE, "user: %s", user ? user : "(null)");
	RPMEMD_LOG(NOTICE, "configuration");
	RPMEMD_LOG(NOTICE, "    pool set directory: '%s'", d->db.root);
	RPMEMD_LOG(NOTICE, "    persist method: %s",
		rpmemd_method_name(
			d->cfg.persist_apm ? RPMEM_PM_APM : RPMEM_PM_GPSPM));
	RPMEMD_LOG(NOTICE, "    number of threads: %lu", d->cfg.nthreads);
	RPMEMD_LOG(DBG, "    persist APM: %s", yes_no(d->cfg.persist_apm));
	RPMEMD_LOG(
		DBG, "    persist GPSPM: %s", yes_no(d->cfg.persist_general));
	RPMEMD_LOG(DBG, "    use syslog: %s", yes_no(d->cfg.use_syslog));
	RPMEMD_LOG(DBG, "    log file: %s",
		d->cfg.log_file ? d->cfg.log_file : "(null)");
	RPMEMD_LOG(DBG, "    log level: %s",
		rpmemd_log_level_to_str(d->cfg.log_level));
	RPMEMD_LOG(DBG, "    require auth: %s", yes_no(d->cfg.require_auth));
	RPMEMD_LOG(DBG, "    allow sockets: %s", yes_no(d->cfg.allow_sockets));
	RPMEMD_LOG(DBG, "    liveness timeout: %u s", d->cfg.liveness_timeout);
}

/* the version first, then the memory layer's choice and the fd limits */
static void
log_version(const struct rpmemd *d)
{
	RPMEMD_LOG(INFO, "rpmemd version %s", RPMEMD_VERSION);
	/* the probe again, for its warnings about PMEM_* knobs only */
	log_set_level(LOG_LVL_WARN);
	pm_reinit();
	rpmemd_log_set_level(d->cfg.log_level);
	char line[PM_DESCRIBE_LEN];
	pm_describe(line, sizeof(line));
	RPMEMD_LOG(DBG, "%s", line);
	rpmemd_fdlimit_raise();
}

/*
 * Configuration, log and pool set directory: -1 when rpmemd may go on,
 * otherwise its exit status (the failure already reported).
 */
static int
start_up(struct rpmemd *d, int argc, char *argv[])
{
	char err[512];
	int errnum = 0;
	enum rpmemd_config_result cr = rpmemd_config_read(
		&d->cfg, argc, argv, &errnum, err, sizeof(err));
	int rm = d->cfg.rm_poolset != NULL;
	if (cr == RPMEMD_CFG_EXIT)
		return RPMEMD_EXIT_OK;
	if (cr == RPMEMD_CFG_BAD_ARGS) {
		if (err[0])
			rpmemd_fail("%s", err);
		return EXIT_PROTO;
	}
	if (cr == RPMEMD_CFG_BAD_FILE) {
		rpmemd_fail("%s", err[0] ? err : strerror(errnum));
		goto err;
	}
	rpmemd_log_set_level(d->cfg.log_level);
	if (rpmemd_log_init("rpmemd", d->cfg.log_file, d->cfg.use_syslog)) {
		errnum = errno;
		rpmemd_fail("cannot open log file -- '%s': %s", d->cfg.log_file,
			strerror(errnum));
		goto err;
	}
	log_version(d);
	int ret = rpmemd_db_init(&d->db, d->cfg.poolset_dir);
	if (ret) {
		errnum = -ret;
		rpmemd_fail("cannot use pool set directory -- '%s': %s",
			d->cfg.poolset_dir, strerror(errnum));
		goto err;
	}
	return -1;
err:
	if (!rm)
		(void)rpmemd_oob_send_status(d->out_fd, (uint32_t)errnum);
	return rm ? errnum : RPMEMD_EXIT_REFUSED;
}

int
main(int argc, char *argv[])
{
	struct rpmemd d;
	memset(&d, 0, sizeof(d));
	d.in_fd = STDIN_FILENO;
	d.out_fd = STDOUT_FILENO;
	signal(SIGPIPE, SIG_IGN);
	catch_fatal_signals();
	rpmemd_log_init("rpmemd", NULL, 0);

	int ret = start_up(&d, argc, argv);
	if (ret >= 0) {
		rpmemd_config_free(&d.cfg);
		rpmemd_log_close();
		return ret;
	}
	if (d.cfg.rm_poolset != NULL) {
		ret = remove_mode(&d);
	} else if (rpmemd_oob_send_status(d.out_fd, 0)) {
		RPMEMD_LOG(ERR, "cannot send the initial status: %s",
			strerror(errno));
		ret = RPMEMD_EXIT_REFUSED;
	} else {
		rpmemd_fip_warm_up();
		log_startup(&d);
		server_node(&d);
		ret = rpmemd_serve(&d);
		rpmemd_fip_warm_up_wait();
	}
	rpmemd_db_fini(&d.db);
	rpmemd_config_free(&d.cfg);
	rpmemd_log_close();
	return ret;
}
