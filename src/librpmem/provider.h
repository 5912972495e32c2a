/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * provider.h -- the provider choice of librpmem
 *
 * Contract: RPMEM_PROVIDER names one (it must be available for the node);
 * otherwise verbs when present and not disabled by RPMEM_ENABLE_VERBS,
 * then sockets when RPMEM_ENABLE_SOCKETS is a non-zero number, then tcp.
 * RPMEM_PROV_UNKNOWN comes with the message "cannot find provider ...".
 */
#ifndef LIBRPMEM_PROVIDER_H
#define LIBRPMEM_PROVIDER_H 1

#include "rpmem_proto.h"

enum rpmem_provider rpmem_choose_provider(const char *node);

/* 1 if rpmem_choose_provider() may pick sockets, whatever is installed */
int rpmem_sockets_possible(void);

/* the errno for a failed CREATE/OPEN, named when the provider is why
 * (silent: the daemon hung up inside the response without a word) */
int rpmem_provider_refused(enum rpmem_provider prov, int err, int silent);

#endif /* LIBRPMEM_PROVIDER_H */
