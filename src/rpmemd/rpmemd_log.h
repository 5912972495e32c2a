/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd_log.h -- rpmemd logging: stderr until configured, then syslog or a
 * log file, filtered by level (err, warn, notice, info, debug)
 *
 * Contract: RPMEMD_LOG(level, fmt, ...) writes one line; with syslog every
 * message is passed on, otherwise messages above the configured level are
 * dropped. rpmemd_log_errno() appends ": <strerror(errno)>". Thread safe.
 * From rpmemd_log_init() to rpmemd_log_close() the lines of the common
 * layer (src/common's LOG()/ERR()) go to the same place at the matching
 * level (ERR err, WARN warn, INFO info, DBG debug).
 */
#ifndef RPMEMD_LOG_H
#define RPMEMD_LOG_H 1

enum rpmemd_log_level {
	RPD_LOG_ERR,
	RPD_LOG_WARN,
	RPD_LOG_NOTICE,
	RPD_LOG_INFO,
	RPD_LOG_DBG,
	MAX_RPD_LOG,
};

/* "err".."debug" -> level; -1 when unknown */
int rpmemd_log_level_from_str(const char *s);
const char *rpmemd_log_level_to_str(enum rpmemd_log_level l);

/* NULL file and use_syslog 0: stderr; returns 0 or -1 with errno */
int rpmemd_log_init(const char *ident, const char *file, int use_syslog);
void rpmemd_log_set_level(enum rpmemd_log_level l);
void rpmemd_log_close(void);

void rpmemd_log(enum rpmemd_log_level l, int with_errno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* from a fatal signal handler: line (no newline) to the log file, if
 * any, and to stderr with write(2) only; async-signal-safe */
void rpmemd_log_crash(const char *line);

/*
 * A failure: one line for the client (stderr, which ssh carries to it) and
 * one in the log at err level. rpmemd_fail_as() logs log_line instead (a
 * refusal whose log line keeps PMDK's shape) and keeps the client's fuller
 * text in the log at debug level.
 */
void rpmemd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void rpmemd_fail_as(const char *log_line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define RPMEMD_LOG(lvl, ...) rpmemd_log(RPD_LOG_##lvl, 0, __VA_ARGS__)
#define RPMEMD_LOG_ERRNO(lvl, ...) rpmemd_log(RPD_LOG_##lvl, 1, __VA_ARGS__)

#endif /* RPMEMD_LOG_H */
