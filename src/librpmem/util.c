/* SPDX-License-Identifier: BSD-3-Clause */
/* util.c -- target parsing, ssh command lines, environment numbers */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "librpmem.h"
#include "util.h"
#include "fault_inject.h"

static void
copy_trunc(char *dst, size_t max, const char *src, size_t len)
{
	if (len > max)
		len = max;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int
rpmem_target_parse(const char *target, struct rpmem_target *t)
{
	memset(t, 0, sizeof(*t));
	if (target == NULL)
		return -EINVAL;

	const char *rest = target;
	const char *at = strchr(target, '@');
	if (at != NULL) {
		copy_trunc(
			t->user, RPMEM_USER_MAX, target, (size_t)(at - target));
		t->has_user = 1;
		rest = at + 1;
	}

	const char *host = rest;
	size_t hostlen;
	const char *port = NULL;
	if (rest[0] == '[') {
		const char *end = strchr(rest, ']');
		if (end == NULL)
			return -EINVAL;
		host = rest + 1;
		hostlen = (size_t)(end - host);
		const char *colon = strchr(end + 1, ':');
		if (colon != NULL)
			port = colon + 1;
	} else {
		const char *colon = strchr(rest, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hostlen = (size_t)(colon - rest);
			port = colon + 1;
		} else {
			hostlen = strlen(rest);
		}
	}
	if (hostlen == 0)
		return -EINVAL;
	copy_trunc(t->node, RPMEM_NODE_MAX, host, hostlen);
	if (port != NULL) {
		copy_trunc(t->service, RPMEM_SERVICE_MAX, port, strlen(port));
		t->has_service = 1;
	}
	/* an option-looking user or host would be taken by ssh as an option */
	if (t->node[0] == '-' || (t->has_user && t->user[0] == '-'))
		return -EINVAL;
	return 0;
}

int
rpmem_target_port(const char *service, int *port, char *why, size_t whylen)
{
	char *end;
	if (service[0] == '\0') {
		snprintf(why, whylen, "invalid port number -- ''");
		return -EINVAL;
	}
	errno = 0;
	long v = strtol(service, &end, 10);
	if (*end != '\0' || errno != 0) {
		if (errno == ERANGE && *end == '\0' && v > 0) {
			snprintf(why, whylen, "port number too large -- '%s'",
				service);
			return -EINVAL;
		}
		snprintf(why, whylen, "invalid port number -- '%s'", service);
		return -EINVAL;
	}
	if (v < 1) {
		snprintf(why, whylen, "port number must be positive -- '%s'",
			service);
		return -EINVAL;
	}
	if (v > 65535) {
		snprintf(why, whylen, "port number too large -- '%s'", service);
		return -EINVAL;
	}
	*port = (int)v;
	return 0;
}

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
