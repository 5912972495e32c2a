/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * target.h -- the target string of rpmem_create/open/remove:
 * [user@]host[:port] parsed into its parts
 *
 * Contract: every function is pure (no globals, no printing); failures
 * return a negative errno and, where a reason buffer is given, a short
 * human-readable reason in it.
 */
#ifndef LIBRPMEM_TARGET_H
#define LIBRPMEM_TARGET_H 1

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

#endif /* LIBRPMEM_TARGET_H */
