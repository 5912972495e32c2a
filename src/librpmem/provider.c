/* SPDX-License-Identifier: BSD-3-Clause */
/* provider.c -- which libfabric provider a pool's lanes use, and the
 * message when the daemon does not serve it */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rdma/fabric.h>

#include "log.h"
#include "provider.h"
#include "rpmem_fip_common.h"
#include "fault_inject_fi.h"

/* integer environment knob: 0 unset, 1 a whole number (*v), -1 garbage */
static int
env_int(const char *name, long *v)
{
	const char *s = getenv(name);
	if (s == NULL)
		return 0;
	char *end;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (*end != '\0' || end == s || errno)
		return -1;
	return 1;
}

struct prov_probe {
	int have[MAX_RPMEM_PROV];
};

static void
probe_providers(const char *node, struct prov_probe *p)
{
	memset(p, 0, sizeof(*p));
	struct fi_info *hints = rpmem_fip_hints(NULL);
	struct fi_info *info = NULL;
	if (hints == NULL)
		return;
	if (fault_fi_getinfo(RPMEM_FIVERSION, node, NULL, 0, hints, &info) ==
		0) {
		for (struct fi_info *i = info; i != NULL; i = i->next) {
			enum rpmem_provider id = rpmem_provider_from_name(
				i->fabric_attr->prov_name);
			if (id != RPMEM_PROV_UNKNOWN)
				p->have[id] = 1;
		}
		fi_freeinfo(info);
	}
	fi_freeinfo(hints);
}

/* 1 if rpmem_choose_provider() may pick sockets, whatever the probe finds */
int
rpmem_sockets_possible(void)
{
	const char *forced = getenv("RPMEM_PROVIDER");
	if (forced != NULL && forced[0] != '\0')
		return rpmem_provider_from_name(forced) ==
		       RPMEM_PROV_LIBFABRIC_SOCKETS;
	long sockets = 0;
	return env_int("RPMEM_ENABLE_SOCKETS", &sockets) == 1 && sockets != 0;
}

/* 1 (with the message) when no provider was found because node does not
 * resolve: that, not a missing provider, is what the user must hear */
static int
unresolved(const char *node, const struct prov_probe *p)
{
	for (int i = 0; i < MAX_RPMEM_PROV; i++)
		if (p->have[i])
			return 0;
	struct addrinfo hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	struct addrinfo *res = NULL;
	int ret = getaddrinfo(node, NULL, &hints, &res);
	if (ret == 0) {
		freeaddrinfo(res);
		return 0;
	}
	ERR("cannot resolve the target host '%s': %s", node,
		ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret));
	return 1;
}

/* provider: RPMEM_PROVIDER, else verbs, else sockets if enabled, else tcp */
enum rpmem_provider
rpmem_choose_provider(const char *node)
{
	struct prov_probe p;
	probe_providers(node, &p);
	if (unresolved(node, &p))
		return RPMEM_PROV_UNKNOWN;
	const char *forced = getenv("RPMEM_PROVIDER");
	if (forced != NULL && forced[0] != '\0') {
		enum rpmem_provider id = rpmem_provider_from_name(forced);
		if (id == RPMEM_PROV_UNKNOWN || !p.have[id]) {
			ERR("cannot find provider -- RPMEM_PROVIDER='%s' is "
			    "not "
			    "available for '%s'",
				forced, node);
			return RPMEM_PROV_UNKNOWN;
		}
		return id;
	}
	/* verbs: unset or non-zero enables, garbage disables (as PMDK) */
	long verbs = 0, sockets = 0;
	int vset = env_int("RPMEM_ENABLE_VERBS", &verbs);
	int sset = env_int("RPMEM_ENABLE_SOCKETS", &sockets);
	if (p.have[RPMEM_PROV_LIBFABRIC_VERBS] &&
		(vset == 0 || (vset == 1 && verbs != 0)))
		return RPMEM_PROV_LIBFABRIC_VERBS;
	/* sockets: only a non-zero number enables it */
	if (p.have[RPMEM_PROV_LIBFABRIC_SOCKETS] && sset == 1 && sockets != 0)
		return RPMEM_PROV_LIBFABRIC_SOCKETS;
	if (p.have[RPMEM_PROV_LIBFABRIC_TCP])
		return RPMEM_PROV_LIBFABRIC_TCP;
	ERR("cannot find provider for '%s' (verbs %s, sockets %s, tcp absent)",
		node,
		p.have[RPMEM_PROV_LIBFABRIC_VERBS] ? "disabled" : "absent",
		p.have[RPMEM_PROV_LIBFABRIC_SOCKETS] ? "not enabled"
						     : "absent");
	return RPMEM_PROV_UNKNOWN;
}

/*
 * A CREATE/OPEN the daemon did not serve because of the provider: PMDK's
 * rpmemd knows only verbs and sockets and hangs up, unanswered and
 * without a word, on a request for tcp; a daemon may also answer that it
 * does not serve the provider. Named as PMDK names a provider it cannot
 * use ("cannot find provider"); returns the errno for the caller.
 */
int
rpmem_provider_refused(enum rpmem_provider prov, int err, int silent)
{
	const struct rpmem_provider_traits *t = rpmem_provider_traits(prov);
	const char *name = t->name;
	if (silent && t->not_in_pmdk) {
		ERR("cannot find provider -- the remote rpmemd hung up on a "
		    "request for the tcp provider (rpmemd of PMDK serves only "
		    "verbs and sockets; RPMEM_ENABLE_SOCKETS=1 lets librpmem "
		    "use sockets): %s",
			strerror(err));
		return ENOMEDIUM;
	}
	if (err == EMEDIUMTYPE) {
		char was[512];
		snprintf(was, sizeof(was), "%s", err_msg());
		ERR("cannot find provider -- the remote rpmemd does not serve "
		    "the %s provider%s: %s",
			name ? name : "requested",
			t->opt_in
				? " (our rpmemd serves it with --allow-sockets)"
				: "",
			was);
	}
	return err;
}
