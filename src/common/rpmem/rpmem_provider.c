/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_provider.c -- provider ids, names and traits */
#include <string.h>

#include "rpmem_provider.h"

static const struct rpmem_provider_traits traits[MAX_RPMEM_PROV] = {
	[RPMEM_PROV_UNKNOWN] =
		{
			.id = RPMEM_PROV_UNKNOWN,
			.name = NULL,
			.inline_persist = RPMEM_INLINE_NONE,
			.ep_fds = 4,
			.cq_fds = 4,
		},
	[RPMEM_PROV_LIBFABRIC_VERBS] =
		{
			.id = RPMEM_PROV_LIBFABRIC_VERBS,
			.name = "verbs",
			.inline_persist = RPMEM_INLINE_ALL,
			.ep_fds = 1,
			.cq_fds = 2,
		},
	[RPMEM_PROV_LIBFABRIC_SOCKETS] =
		{
			.id = RPMEM_PROV_LIBFABRIC_SOCKETS,
			.name = "sockets",
			.inline_persist = RPMEM_INLINE_NONE,
			.manual_progress = 1,
			.warm_up_reads = 1,
			.guard_listeners = 1,
			.opt_in = 1,
			.ipv4_only = 1,
			/* control and data connections, and their signal pairs
			 */
			.ep_fds = 4,
			.cq_fds = 4,
		},
	[RPMEM_PROV_LIBFABRIC_TCP] =
		{
			.id = RPMEM_PROV_LIBFABRIC_TCP,
			.name = "tcp",
			.inline_persist = RPMEM_INLINE_ONE_CHUNK,
			.reject_after_endpoint = 1,
			.not_in_pmdk = 1,
			/* the socket; a queue's poll set and two signal pairs
			 */
			.ep_fds = 1,
			.cq_fds = 4,
		},
};

const struct rpmem_provider_traits *
rpmem_provider_traits(uint32_t provider)
{
	if (provider >= MAX_RPMEM_PROV)
		provider = RPMEM_PROV_UNKNOWN;
	return &traits[provider];
}

const char *
rpmem_provider_name(uint32_t provider)
{
	return rpmem_provider_traits(provider)->name;
}

enum rpmem_provider
rpmem_provider_from_name(const char *name)
{
	if (name == NULL)
		return RPMEM_PROV_UNKNOWN;
	for (unsigned i = 0; i < MAX_RPMEM_PROV; i++) {
		if (traits[i].name != NULL && strcmp(traits[i].name, name) == 0)
			return (enum rpmem_provider)i;
	}
	return RPMEM_PROV_UNKNOWN;
}
