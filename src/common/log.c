/* SPDX-License-Identifier: BSD-3-Clause */
/* log.c -- per-library logging and the thread-local error message */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

static __thread char errmsg[ERRMSG_BUF_SIZE];

static const char *log_name = "common";
static int log_level;
static FILE *log_file;	     /* NULL means stderr */
static log_sink_fn log_sink; /* set: every line goes there instead */

static int
parse_level(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 0 || v > 4)
		return -1;
	*out = (int)v;
	return 0;
}

int
log_set_file(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len > 0 && path[len - 1] == '-') {
		int n = snprintf(buf, sizeof(buf), "%s%d", path, getpid());
		if (n < 0 || (size_t)n >= sizeof(buf)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		path = buf;
	}
	FILE *f = file_fopen_append(path);
	if (f == NULL)
		return -1;
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_file)
		fclose(log_file);
	log_file = f;
	return 0;
}

void
log_set_level(int level)
{
	log_level = level < 0 ? 0 : (level > 4 ? 4 : level);
}

void
log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_init(const char *name, const char *level_var, const char *file_var)
{
	int saved = errno;
	log_name = name;

	const char *lvl = level_var ? secure_getenv(level_var) : NULL;
	if (lvl && *lvl) {
		int v;
		if (parse_level(lvl, &v) == 0)
			log_level = v;
		else
			fprintf(stderr,
				"%s: ignoring %s='%s' (expected 0..4)\n", name,
				level_var, lvl);
	}

	const char *file = file_var ? secure_getenv(file_var) : NULL;
	if (file && *file && log_set_file(file) != 0)
		fprintf(stderr,
			"%s: cannot open %s='%s': %s; logging to "
			"stderr\n",
			name, file_var, file, strerror(errno));
	errno = saved;
}

void
log_fini(void)
{
	if (log_file) {
		fclose(log_file);
		log_file = NULL;
	}
}

static void
log_vwrite(int level, const char *file, int line, const char *func,
	const char *fmt, va_list ap)
{
	static const char *const tags[] = {"", "ERR", "WARN", "INFO", "DBG"};
	char msg[ERRMSG_BUF_SIZE];
	struct timespec ts;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	if (log_sink != NULL) {
		log_sink(level, base, line, func, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(log_file ? log_file : stderr,
		"%s[%d] %ld.%06ld %s %s:%d %s: %s\n", log_name, getpid(),
		(long)ts.tv_sec, ts.tv_nsec / 1000L,
		tags[level < 0 ? 0 : (level > 4 ? 4 : level)], base, line, func,
		msg);
}

void
log_msg(int level, const char *file, int line, const char *func,
	const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(level, file, line, func, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
err_vset(int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	int n = vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
	if (n < 0)
		n = 0;
	if (with_errno && (size_t)n < sizeof(errmsg)) {
		char ebuf[128];
		const char *e = strerror_r(saved, ebuf, sizeof(ebuf));
		snprintf(errmsg + n, sizeof(errmsg) - (size_t)n, ": %s", e);
	}
	errno = saved;
}

void
err_set(const char *file, int line, const char *func, int with_errno,
	const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	err_vset(with_errno, fmt, ap);
	va_end(ap);
	if (log_level >= LOG_LVL_ERR)
		log_msg(LOG_LVL_ERR, file, line, func, "%s", errmsg);
	errno = saved;
}

const char *
err_msg(void)
{
	return errmsg;
}
