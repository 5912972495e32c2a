/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * request_log.c -- the log lines of requests, responses and the persist
 * policy, in the shape PMDK's rpmemd logs them
 */
#include "request.h"
#include "rpmem_fip_common.h"
#include "rpmemd_log.h"
#include "format/uuid.h"

const char *
rpmemd_method_name(enum rpmem_persist_method m)
{
	return m == RPMEM_PM_APM ? "Appliance Persistency Method"
				 : "General Purpose Server Persistency Method";
}

static void
log_uuid(const char *name, const unsigned char *u)
{
	char s[UUID_STR_LEN];
	uuid_to_str(u, s);
	RPMEMD_LOG(INFO, "    %s: %s", name, s);
}

void
rpmemd_log_attr(const char *title, const struct rpmem_pool_attr_packed *a)
{
	RPMEMD_LOG(NOTICE, "%s", title);
	if (a == NULL) {
		RPMEMD_LOG(INFO, "    NULL");
		return;
	}
	RPMEMD_LOG(INFO, "    signature: '%.8s'", a->signature);
	RPMEMD_LOG(INFO, "    major: %u", a->major);
	RPMEMD_LOG(INFO, "    compat_features: 0x%x", a->compat_features);
	RPMEMD_LOG(INFO, "    incompat_features: 0x%x", a->incompat_features);
	RPMEMD_LOG(INFO, "    ro_compat_features: 0x%x", a->ro_compat_features);
	log_uuid("poolset_uuid", a->poolset_uuid);
	log_uuid("uuid", a->uuid);
	log_uuid("next_uuid", a->next_uuid);
	log_uuid("prev_uuid", a->prev_uuid);
}

void
rpmemd_log_req(const char *what, const struct rpmemd_req *r)
{
	RPMEMD_LOG(NOTICE, "%s request:", what);
	RPMEMD_LOG(NOTICE, "    pool descriptor: '%s'", r->desc);
	RPMEMD_LOG(NOTICE, "    pool size: %llu",
		(unsigned long long)r->pool_size);
	RPMEMD_LOG(NOTICE, "    nlanes: %u", r->nlanes);
	RPMEMD_LOG(NOTICE, "    provider: %s",
		rpmem_provider_name(r->provider)
			? rpmem_provider_name(r->provider)
			: "?");
	RPMEMD_LOG(NOTICE, "    buff_size: %llu",
		(unsigned long long)r->buff_size);
	if (r->type == RPMEM_MSG_TYPE_CREATE)
		rpmemd_log_attr(
			"pool attributes:", r->has_attr ? &r->attr : NULL);
}

/*
 * the successful response as PMDK logs it, and its next line (logged here,
 * before the response goes out, so that it precedes the lanes' connection);
 * then our own: how the lanes fit, a legacy client
 */
void
rpmemd_log_resp(const struct rpmemd_req *r,
	const struct rpmem_msg_ibc_attr *ibc, const struct rpmemd_fdplan *plan)
{
	const char *what = r->type == RPMEM_MSG_TYPE_CREATE ? "create" : "open";
	RPMEMD_LOG(NOTICE, "%s request response: (status = 0)", what);
	RPMEMD_LOG(NOTICE, "    port: %u", ibc->port);
	RPMEMD_LOG(NOTICE, "    rkey: 0x%llx", (unsigned long long)ibc->rkey);
	RPMEMD_LOG(NOTICE, "    raddr: 0x%llx", (unsigned long long)ibc->raddr);
	RPMEMD_LOG(NOTICE, "    nlanes: %u", ibc->nlanes);
	RPMEMD_LOG(NOTICE, "    persist method: %s",
		rpmemd_method_name(ibc->persist_method));
	RPMEMD_LOG(INFO, "waiting for in-band connection");
	rpmemd_fdlimit_log(plan);
	if (!r->auth)
		RPMEMD_LOG(NOTICE,
			"legacy client: fabric connections are not bound to "
			"this session (unauthenticated)");
}

void
rpmemd_log_policy(const struct rpmemd_fip_attr *fa)
{
	RPMEMD_LOG(DBG, "persistency policy:");
	RPMEMD_LOG(
		DBG, "    persist method: %s", rpmemd_method_name(fa->method));
	RPMEMD_LOG(DBG, "    persist flush: %s",
		fa->method == RPMEM_PM_APM
			? "none"
			: (fa->is_pmem ? "pmem_persist" : "pmem_msync"));
}
