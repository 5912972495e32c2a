/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_provider.h -- the providers librpmem and rpmemd know, and what
 * differs between them
 *
 * Contract:
 * - provider id <-> name: 1 verbs, 2 sockets, 3 tcp (extension).
 * - rpmem_provider_traits() is the one table of per-provider behaviour;
 *   never NULL (an unknown id gets conservative defaults). A session looks
 *   its provider up once and keeps the pointer.
 * Nothing here prints, allocates or keeps state.
 */
#ifndef COMMON_RPMEM_PROVIDER_H
#define COMMON_RPMEM_PROVIDER_H 1

#include <stdint.h>

#include "rpmem_proto.h"

/*
 * what differs between the providers, looked up once per session; every
 * provider-specific decision of librpmem and rpmemd reads a field here
 * rather than comparing provider names
 */
struct rpmem_provider_traits {
	enum rpmem_provider id;
	const char *name; /* libfabric's provider name */
	/* which persists travel inline in the persist message (GPSPM) */
	enum {
		RPMEM_INLINE_NONE,	/* never: write, then persist message */
		RPMEM_INLINE_ONE_CHUNK, /* up to buff_size (tcp, ours only) */
		RPMEM_INLINE_ALL,	/* all, in buff_size chunks (verbs) */
	} inline_persist;
	/* manual data progress and no fi_cq_sread: the client's lanes sleep
	 * between plain reads of the queue (sockets) */
	int manual_progress;
	/* each lane's data connection is made by an 8-byte read right after
	 * connecting (sockets) */
	int warm_up_reads;
	/* rpmemd closes the provider's data-path listener once every lane
	 * has its connection (sockets) */
	int guard_listeners;
	/* rpmemd serves it only when told to (--allow-sockets): the guard
	 * above leaves a window a local user could use (sockets) */
	int opt_in;
	/* a refused connection request is rejected even when it already has
	 * an endpoint: the provider leaves it to the application until an
	 * accept succeeds (tcp) */
	int reject_after_endpoint;
	/* no IPv6 addresses: loopback stays on 127.0.0.1 (sockets) */
	int ipv4_only;
	/* PMDK's rpmemd does not know it and hangs up without a word (tcp) */
	int not_in_pmdk;
	/* file descriptors per endpoint and per completion queue */
	unsigned ep_fds;
	unsigned cq_fds;
};

/* traits of a provider id; an unknown id gets conservative defaults */
const struct rpmem_provider_traits *rpmem_provider_traits(uint32_t provider);

/* name of a provider id; NULL for an unknown id */
const char *rpmem_provider_name(uint32_t provider);
/* id of a provider name; RPMEM_PROV_UNKNOWN if not one of ours */
enum rpmem_provider rpmem_provider_from_name(const char *name);

#endif /* COMMON_RPMEM_PROVIDER_H */
