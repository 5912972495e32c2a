/* SPDX-License-Identifier: BSD-3-Clause */
/* ssh_cmd.c -- ssh argument vectors, remote command lines, RPMEM_CMD */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "librpmem.h"
#include "ssh_cmd.h"
#include "fault_inject.h"

int
rpmem_shell_quote(char *dst, size_t dstlen, const char *s)
{
	size_t n = strlen(dst);
	size_t need = 2;
	for (const char *p = s; *p; p++)
		need += *p == '\'' ? 4 : 1;
	if (n + need + 1 > dstlen)
		return -ENAMETOOLONG;
	char *o = dst + n;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return 0;
}

char *
rpmem_remove_cmd(const char *cmd, const char *pool_set, int flags)
{
	size_t len = strlen(cmd) + 4 * strlen(pool_set) + 64;
	char *s = fault_malloc(len);
	if (s == NULL)
		return NULL;
	snprintf(s, len, "%s --remove ", cmd);
	if (rpmem_shell_quote(s, len, pool_set)) {
		free(s);
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (flags & RPMEM_REMOVE_FORCE)
		strcat(s, " --force");
	if (flags & RPMEM_REMOVE_POOL_SET)
		strcat(s, " --pool-set");
	return s;
}

int
rpmem_ssh_argv(const char *argv[10], const char *ssh,
	const struct rpmem_target *t, int ipv4, const char *dest,
	const char *cmd)
{
	int n = 0;
	argv[n++] = ssh;
	if (t->has_service) {
		argv[n++] = "-p";
		argv[n++] = t->service;
	}
	argv[n++] = "-T";
	if (ipv4)
		argv[n++] = "-4";
	argv[n++] = "-oBatchMode=yes";
	argv[n++] = dest;
	argv[n++] = cmd;
	argv[n] = NULL;
	return n;
}

void
rpmem_ssh_dest(char *dst, size_t len, const struct rpmem_target *t)
{
	if (t->has_user)
		snprintf(dst, len, "%s@%s", t->user, t->node);
	else
		snprintf(dst, len, "%s", t->node);
}

unsigned
rpmem_env_uint(const char *value)
{
	if (value == NULL || value[0] == '\0')
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (*end != '\0' || v <= 0)
		return 0;
	if (errno == ERANGE || v >= (long long)UINT_MAX)
		return UINT_MAX;
	return (unsigned)v;
}

char **
rpmem_split_cmds(const char *s, unsigned *count)
{
	unsigned n = 1;
	for (const char *p = s; *p; p++)
		n += *p == '|';
	size_t len = strlen(s) + 1;
	char **v = fault_malloc((n + 1) * sizeof(char *) + len);
	if (v == NULL)
		return NULL;
	char *copy = (char *)(v + n + 1);
	memcpy(copy, s, len);
	unsigned i = 0;
	v[i++] = copy;
	for (char *p = copy; *p; p++) {
		if (*p == '|') {
			*p = '\0';
			v[i++] = p + 1;
		}
	}
	v[i] = NULL;
	*count = n;
	return v;
}
