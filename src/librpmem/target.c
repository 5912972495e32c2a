/* SPDX-License-Identifier: BSD-3-Clause */
/* target.c -- the [user@]host[:port] target string and its ssh port */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target.h"

/* the reason a target was refused, into why (may be NULL) */
static int target_bad(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
target_bad(char *why, size_t whylen, const char *fmt, ...)
{
	if (whylen > 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* a user name ssh takes as one: 1..RPMEM_USER_MAX printable characters,
 * not an option */
static int
user_check(const char *u, size_t len, char *why, size_t whylen)
{
	if (len == 0)
		return target_bad(why, whylen, "empty user name before '@'");
	if (len > RPMEM_USER_MAX)
		return target_bad(why, whylen,
			"user name longer than %d characters", RPMEM_USER_MAX);
	if (u[0] == '-')
		return target_bad(why, whylen,
			"user name starts with '-' (an ssh option)");
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)u[i]) ||
			iscntrl((unsigned char)u[i]))
			return target_bad(why, whylen,
				"a space or control character in the user "
				"name");
	return 0;
}

/* an IPv6 address, optionally with a %zone */
static int
is_ipv6(const char *h, size_t len)
{
	char buf[RPMEM_NODE_MAX + 1];
	if (len > RPMEM_NODE_MAX)
		return 0;
	memcpy(buf, h, len);
	buf[len] = '\0';
	char *zone = strchr(buf, '%');
	if (zone != NULL) {
		if (zone[1] == '\0')
			return 0;
		for (const char *z = zone + 1; *z; z++)
			if (!isalnum((unsigned char)*z) && !strchr("-._", *z))
				return 0;
		*zone = '\0';
	}
	struct in6_addr a;
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/* a host name or IPv4 address: letters, digits, '-', '.', '_' */
static int
host_check(const char *h, size_t len, int ipv6, char *why, size_t whylen)
{
	if (len == 0)
		return target_bad(why, whylen, "empty host");
	if (len > RPMEM_NODE_MAX)
		return target_bad(why, whylen, "host longer than %d characters",
			RPMEM_NODE_MAX);
	if (h[0] == '-')
		return target_bad(
			why, whylen, "host starts with '-' (an ssh option)");
	if (ipv6)
		return is_ipv6(h, len)
			       ? 0
			       : target_bad(why, whylen,
					 "'%.*s' is not an IPv6 address",
					 (int)len, h);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr("-._", h[i]))
			return target_bad(why, whylen,
				"character '%c' not allowed in a host name",
				h[i]);
	return 0;
}

/* host and port of rest ([user@] already taken off) */
static int
host_port(const char *rest, struct rpmem_target *t, char *why, size_t whylen)
{
	const char *host = rest;
	size_t hostlen;
	const char *port = NULL;
	int ipv6 = 0;
	if (rest[0] == '[') {
		const char *end = strchr(rest, ']');
		if (end == NULL)
			return target_bad(why, whylen, "no ']' after '['");
		host = rest + 1;
		hostlen = (size_t)(end - host);
		ipv6 = 1;
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return target_bad(why, whylen,
				"'%s' after ']' (only ':port' may follow)",
				end + 1);
	} else {
		const char *colon = strchr(rest, ':');
		if (colon != NULL && strchr(colon + 1, ':') == NULL) {
			hostlen = (size_t)(colon - rest);
			port = colon + 1;
		} else {
			/* two or more colons: a bare IPv6 address */
			hostlen = strlen(rest);
			ipv6 = colon != NULL;
		}
	}
	int ret = host_check(host, hostlen, ipv6, why, whylen);
	if (ret)
		return ret;
	memcpy(t->node, host, hostlen);
	t->node[hostlen] = '\0';
	if (port == NULL)
		return 0;
	int n;
	ret = rpmem_target_port(port, &n, why, whylen);
	if (ret)
		return ret;
	snprintf(t->service, sizeof(t->service), "%d", n);
	t->has_service = 1;
	return 0;
}

int
rpmem_target_parse(
	const char *target, struct rpmem_target *t, char *why, size_t whylen)
{
	memset(t, 0, sizeof(*t));
	if (why == NULL)
		whylen = 0;
	else if (whylen > 0)
		why[0] = '\0';
	if (target == NULL || target[0] == '\0')
		return target_bad(why, whylen, "empty target");
	const char *rest = target;
	const char *at = strchr(target, '@');
	if (at != NULL) {
		size_t len = (size_t)(at - target);
		int ret = user_check(target, len, why, whylen);
		if (ret)
			return ret;
		memcpy(t->user, target, len);
		t->user[len] = '\0';
		t->has_user = 1;
		rest = at + 1;
	}
	return host_port(rest, t, why, whylen);
}

int
rpmem_target_port(const char *service, int *port, char *why, size_t whylen)
{
	char *end;
	if (service[0] == '\0') {
		snprintf(why, whylen, "invalid port number -- ''");
		return -EINVAL;
	}
	for (const char *c = service; *c; c++) {
		if (!isdigit((unsigned char)*c)) {
			snprintf(why, whylen, "invalid port number -- '%s'",
				service);
			return -EINVAL;
		}
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
