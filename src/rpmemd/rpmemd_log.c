/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd_log.c -- rpmemd logging to stderr, a file or syslog, and the
 * failures reported to the client as well
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "rpmemd_log.h"

static const char *const level_names[MAX_RPD_LOG] = {
	"err",
	"warn",
	"notice",
	"info",
	"debug",
};
static const int syslog_prio[MAX_RPD_LOG] = {
	LOG_ERR,
	LOG_WARNING,
	LOG_NOTICE,
	LOG_INFO,
	LOG_DEBUG,
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static enum rpmemd_log_level cur_level = RPD_LOG_ERR;
static FILE *out_file; /* NULL: stderr */
static int to_syslog;

int
rpmemd_log_level_from_str(const char *s)
{
	for (int i = 0; i < MAX_RPD_LOG; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *
rpmemd_log_level_to_str(enum rpmemd_log_level l)
{
	return (unsigned)l < MAX_RPD_LOG ? level_names[l] : "?";
}

/* the common layer's lines (src/common, LOG_LVL_*) go to the same log */
static void
common_sink(int level, const char *file, int line, const char *func,
	const char *msg)
{
	enum rpmemd_log_level l = RPD_LOG_DBG;
	if (level <= LOG_LVL_ERR)
		l = RPD_LOG_ERR;
	else if (level == LOG_LVL_WARN)
		l = RPD_LOG_WARN;
	else if (level == LOG_LVL_INFO)
		l = RPD_LOG_INFO;
	/* source locations are for debugging only */
	if (l == RPD_LOG_DBG)
		rpmemd_log(l, 0, "%s (%s:%d %s)", msg, file, line, func);
	else
		rpmemd_log(l, 0, "%s", msg);
}

/*
 * The common layer's level that lets through exactly the lines
 * rpmemd_log() would write at rpmemd's level l: common_sink() maps ERR,
 * WARN, INFO and DBG to err, warn, info and debug, and the common layer has
 * no notice level, so notice lets through its warnings only. A line above
 * this level is not even formatted.
 */
static const int common_levels[MAX_RPD_LOG] = {
	[RPD_LOG_ERR] = LOG_LVL_ERR,
	[RPD_LOG_WARN] = LOG_LVL_WARN,
	[RPD_LOG_NOTICE] = LOG_LVL_WARN,
	[RPD_LOG_INFO] = LOG_LVL_INFO,
	[RPD_LOG_DBG] = LOG_LVL_DBG,
};

/* let through what rpmemd_log() would write (with syslog: everything) */
static void
common_level(void)
{
	int l = (unsigned)cur_level < MAX_RPD_LOG ? common_levels[cur_level]
						  : LOG_LVL_DBG;
	log_set_level(to_syslog ? LOG_LVL_DBG : l);
	log_set_sink(common_sink);
}

int
rpmemd_log_init(const char *ident, const char *file, int use_syslog)
{
	FILE *f = NULL;
	if (!use_syslog && file != NULL) {
		f = file_fopen_append(file);
		if (f == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	pthread_mutex_lock(&lock);
	if (out_file)
		fclose(out_file);
	out_file = f;
	if (use_syslog)
		openlog(ident, LOG_NDELAY | LOG_PID, LOG_USER);
	to_syslog = use_syslog;
	pthread_mutex_unlock(&lock);
	common_level();
	return 0;
}

void
rpmemd_log_set_level(enum rpmemd_log_level l)
{
	cur_level = l;
	common_level();
}

void
rpmemd_log_close(void)
{
	pthread_mutex_lock(&lock);
	if (out_file)
		fclose(out_file);
	out_file = NULL;
	if (to_syslog)
		closelog();
	to_syslog = 0;
	pthread_mutex_unlock(&lock);
	log_set_sink(NULL);
	log_set_level(0);
}

void
rpmemd_log_crash(const char *line)
{
	size_t n = strlen(line);
	FILE *f = out_file;
	int fd = (f != NULL && !to_syslog) ? fileno(f) : -1;
	if (fd >= 0) {
		(void)!write(fd, line, n);
		(void)!write(fd, "\n", 1);
	}
	(void)!write(STDERR_FILENO, "rpmemd: ", 8);
	(void)!write(STDERR_FILENO, line, n);
	(void)!write(STDERR_FILENO, "\n", 1);
}

void
rpmemd_log(enum rpmemd_log_level l, int with_errno, const char *fmt, ...)
{
	int saved = errno;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (with_errno && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n, ": %s",
			strerror(saved));
	pthread_mutex_lock(&lock);
	if (to_syslog) {
		syslog(syslog_prio[(unsigned)l < MAX_RPD_LOG ? l : 0], "%s",
			buf);
	} else if (l <= cur_level) {
		fprintf(out_file ? out_file : stderr, "%s\n", buf);
	}
	pthread_mutex_unlock(&lock);
	errno = saved;
}

static void fail_log(const char *log_line, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void
fail_log(const char *log_line, const char *fmt, va_list ap)
{
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "rpmemd: %s\n", buf);
	fflush(stderr);
	RPMEMD_LOG(ERR, "%s", log_line ? log_line : buf);
	if (log_line && strcmp(log_line, buf) != 0)
		RPMEMD_LOG(DBG, "%s", buf);
}

void
rpmemd_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_log(NULL, fmt, ap);
	va_end(ap);
}

void
rpmemd_fail_as(const char *log_line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fail_log(log_line, fmt, ap);
	va_end(ap);
}