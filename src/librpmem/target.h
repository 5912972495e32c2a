/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * util.h -- librpmem helpers with no I/O: target strings, ssh command lines,
 * environment numbers
 *
 * Contract: every function is pure (no globals, no printing); failures
 * return a negative errno and, where a reason buffer is given, a short
 * human-readable reason in it.
 */
#ifndef LIBRPMEM_UTIL_H
#define LIBRPMEM_UTIL_H 1

#include <stddef.h>

#define RPMEM_USER_MAX 32
#define RPMEM_NODE_MAX 255
#define RPMEM_SERVICE_MAX 32

struct rpmem_target {
	char user[RPMEM_USER_MAX + 1];
	char node[RPMEM_NODE_MAX + 1];
	char service[RPMEM_SERVICE_MAX + 1];
	int has_user;
	int has_service;
};

/*
 * [user@]host[:port], [user@][ipv6][:port], [user@]bare-ipv6
 * (doc/protocol.md §1). Nothing is truncated or guessed: an empty, too long
 * (user over RPMEM_USER_MAX, host over RPMEM_NODE_MAX characters, PMDK's
 * limits) or option-like user or host, a host name with characters no host
 * name has, a bracketed or bare host that is no IPv6 address, anything but
 * ":port" after ']' and a port that is not a decimal number from 1 to 65535
 * give -EINVAL and the reason in why (may be NULL). The service of a parsed
 * target is the port in plain decimal.
 */
int rpmem_target_parse(
	const char *target, struct rpmem_target *t, char *why, size_t whylen);

/* validates the ssh port of a parsed target; -EINVAL with a reason */
int rpmem_target_port(const char *service, int *port, char *why, size_t whylen);

/* appends s to dst (size dstlen) as one single-quoted shell word */
int rpmem_shell_quote(char *dst, size_t dstlen, const char *s);

/*
 * Remote command for rpmem_remove: "<cmd> --remove '<name>'[ --force]
 * [ --pool-set]"; malloc'ed, NULL with errno on failure.
 */
char *rpmem_remove_cmd(const char *cmd, const char *pool_set, int flags);

/*
 * ssh argv: ssh [-p port] -T [-4] -oBatchMode=yes <dest> <cmd> NULL, where
 * dest is "[user@]host" (rpmem_ssh_dest). Returns argc.
 */
int rpmem_ssh_argv(const char *argv[10], const char *ssh,
	const struct rpmem_target *t, int ipv4, const char *dest,
	const char *cmd);

/* "user@host" or "host" into dst */
void rpmem_ssh_dest(char *dst, size_t len, const struct rpmem_target *t);

/* positive decimal integer clamped to UINT_MAX; 0 if unset/invalid */
unsigned rpmem_env_uint(const char *value);

/* splits s on '|' into a NULL-terminated malloc'ed array (one block) */
char **rpmem_split_cmds(const char *s, unsigned *count);

#endif /* LIBRPMEM_UTIL_H */
