/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h -- per-library logging and the thread-local error message
 *
 * Contract: `common` is a static library linked into each shared library and
 * into rpmemd with hidden visibility, so every library gets its own copy of
 * this module's state: its own log prefix, level, log file and error message
 * buffer (what <lib>_errormsg() returns).
 *
 * - log_init() is called once from the library constructor (or main() of a
 *   program) with the library name and the names of its environment knobs
 *   (e.g. "RPMEM_LOG_LEVEL", "RPMEM_LOG_FILE"). A log file name ending in
 *   '-' gets the PID appended, as PMDK does. Bad values are ignored with a
 *   warning on stderr.
 * - LOG(level, ...) writes a line to the log when level <= the configured
 *   level (0 = off, 1 = errors, 2 = warnings/notices, 3 = info, 4 = debug).
 * - ERR(...) formats the thread's error message and logs it at level 1;
 *   ERR_W_ERRNO(...) appends ": <strerror(errno)>". Neither changes errno.
 * - err_msg() returns the thread's last error message ("" before any).
 * - log_set_sink() hands every line that passes the level to a program's
 *   own logger instead (rpmemd: its log file or syslog), so that one log
 *   holds the messages of the program and of this layer.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H 1

#include <stdarg.h>
#include <stddef.h>

#define ERRMSG_BUF_SIZE 8192

#define LOG_LVL_ERR 1
#define LOG_LVL_WARN 2
#define LOG_LVL_INFO 3
#define LOG_LVL_DBG 4

void log_init(const char *name, const char *level_var, const char *file_var);
void log_fini(void);

/* programs (rpmemd) may direct the log elsewhere at run time */
int log_set_file(const char *path);
void log_set_level(int level);

/* level (LOG_LVL_*), source file base name, line, function, message */
typedef void (*log_sink_fn)(int level, const char *file, int line,
	const char *func, const char *msg);
/* NULL: back to the log file / stderr */
void log_set_sink(log_sink_fn sink);
int log_get_level(void);

void log_msg(int level, const char *file, int line, const char *func,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

void err_set(const char *file, int line, const char *func, int with_errno,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void err_vset(int with_errno, const char *fmt, va_list ap);
const char *err_msg(void);

#define LOG(level, ...)                                              \
	do {                                                         \
		if ((level) <= log_get_level())                      \
			log_msg(level, __FILE__, __LINE__, __func__, \
				__VA_ARGS__);                        \
	} while (0)

#define ERR(...) err_set(__FILE__, __LINE__, __func__, 0, __VA_ARGS__)
#define ERR_W_ERRNO(...) err_set(__FILE__, __LINE__, __func__, 1, __VA_ARGS__)

#endif /* COMMON_LOG_H */
