/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ssh_cmd.h -- the command lines librpmem runs: the ssh argument vector,
 * the remote rpmemd command (RPMEM_CMD, split on '|'), rpmem_remove's
 * command and the numbers read from the environment
 *
 * Contract: every function is pure (no globals, no printing); failures
 * return a negative errno or NULL with errno set.
 */
#ifndef LIBRPMEM_SSH_CMD_H
#define LIBRPMEM_SSH_CMD_H 1

#include <stddef.h>

#include "target.h"

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

#endif /* LIBRPMEM_SSH_CMD_H */
