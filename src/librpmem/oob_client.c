/* SPDX-License-Identifier: BSD-3-Clause */
/* oob_client.c -- out-of-band request building and response checking */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oob_client.h"
#include "fault_inject.h"

_Static_assert(
	sizeof(struct rpmem_pool_attr) == sizeof(struct rpmem_pool_attr_packed),
	"attribute layouts");

static void
pack_attr(struct rpmem_pool_attr_packed *p, const struct rpmem_pool_attr *a)
{
	if (a == NULL) {
		memset(p, 0, sizeof(*p));
		return;
	}
	memcpy(p->signature, a->signature, sizeof(p->signature));
	p->major = a->major;
	p->compat_features = a->compat_features;
	p->incompat_features = a->incompat_features;
	p->ro_compat_features = a->ro_compat_features;
	memcpy(p->poolset_uuid, a->poolset_uuid, sizeof(p->poolset_uuid));
	memcpy(p->uuid, a->uuid, sizeof(p->uuid));
	memcpy(p->next_uuid, a->next_uuid, sizeof(p->next_uuid));
	memcpy(p->prev_uuid, a->prev_uuid, sizeof(p->prev_uuid));
	memcpy(p->user_flags, a->user_flags, sizeof(p->user_flags));
	rpmem_hton_pool_attr(p);
}

void
rpmem_obc_get_attr(
	const struct rpmem_pool_attr_packed *p, struct rpmem_pool_attr *a)
{
	struct rpmem_pool_attr_packed h = *p;
	memcpy(a->signature, h.signature, sizeof(a->signature));
	a->major = h.major;
	a->compat_features = h.compat_features;
	a->incompat_features = h.incompat_features;
	a->ro_compat_features = h.ro_compat_features;
	memcpy(a->poolset_uuid, h.poolset_uuid, sizeof(a->poolset_uuid));
	memcpy(a->uuid, h.uuid, sizeof(a->uuid));
	memcpy(a->next_uuid, h.next_uuid, sizeof(a->next_uuid));
	memcpy(a->prev_uuid, h.prev_uuid, sizeof(a->prev_uuid));
	memcpy(a->user_flags, h.user_flags, sizeof(a->user_flags));
}

int
rpmem_attr_is_zero(const struct rpmem_pool_attr *attr)
{
	if (attr == NULL)
		return 1;
	const unsigned char *b = (const unsigned char *)attr;
	for (size_t i = 0; i < sizeof(*attr); i++) {
		if (b[i])
			return 0;
	}
	return 1;
}

static void
fill_common(struct rpmem_msg_common *c, const struct rpmem_req_attr *req)
{
	c->major = RPMEM_PROTO_MAJOR;
	c->minor = RPMEM_PROTO_MINOR;
	c->pool_size = req->pool_size;
	c->nlanes = req->nlanes;
	c->provider = req->provider;
	c->buff_size = req->buff_size;
	rpmem_hton_msg_common(c);
}

static void
fill_desc(struct rpmem_msg_pool_desc *d, const char *desc, size_t dsize)
{
	d->size = htobe32((uint32_t)dsize);
	memcpy(d->desc, desc, dsize);
}

void *
rpmem_obc_create_msg(const struct rpmem_req_attr *req,
	const struct rpmem_pool_attr *attr, size_t *size)
{
	size_t dsize = strlen(req->pool_desc) + 1;
	size_t total = sizeof(struct rpmem_msg_create) + dsize;
	struct rpmem_msg_create *m = fault_calloc(1, total);
	if (m == NULL)
		return NULL;
	m->hdr.type = RPMEM_MSG_TYPE_CREATE;
	m->hdr.size = total;
	rpmem_hton_msg_hdr(&m->hdr);
	fill_common(&m->c, req);
	pack_attr(&m->pool_attr, attr);
	fill_desc(&m->pool_desc, req->pool_desc, dsize);
	*size = total;
	return m;
}

void *
rpmem_obc_open_msg(const struct rpmem_req_attr *req, size_t *size)
{
	size_t dsize = strlen(req->pool_desc) + 1;
	size_t total = sizeof(struct rpmem_msg_open) + dsize;
	struct rpmem_msg_open *m = fault_calloc(1, total);
	if (m == NULL)
		return NULL;
	m->hdr.type = RPMEM_MSG_TYPE_OPEN;
	m->hdr.size = total;
	rpmem_hton_msg_hdr(&m->hdr);
	fill_common(&m->c, req);
	fill_desc(&m->pool_desc, req->pool_desc, dsize);
	*size = total;
	return m;
}

void
rpmem_obc_close_msg(struct rpmem_msg_close *m, uint32_t flags)
{
	m->hdr.type = RPMEM_MSG_TYPE_CLOSE;
	m->hdr.size = sizeof(*m);
	rpmem_hton_msg_hdr(&m->hdr);
	m->flags = flags; /* host order on the wire */
}

void
rpmem_obc_set_attr_msg(
	struct rpmem_msg_set_attr *m, const struct rpmem_pool_attr *attr)
{
	m->hdr.type = RPMEM_MSG_TYPE_SET_ATTR;
	m->hdr.size = sizeof(*m);
	rpmem_hton_msg_hdr(&m->hdr);
	pack_attr(&m->pool_attr, attr);
}

size_t
rpmem_obc_resp_size(uint32_t resp_type)
{
	switch (resp_type) {
	case RPMEM_MSG_TYPE_CREATE_RESP:
		return sizeof(struct rpmem_msg_create_resp);
	case RPMEM_MSG_TYPE_OPEN_RESP:
		return sizeof(struct rpmem_msg_open_resp);
	case RPMEM_MSG_TYPE_CLOSE_RESP:
		return sizeof(struct rpmem_msg_close_resp);
	case RPMEM_MSG_TYPE_SET_ATTR_RESP:
		return sizeof(struct rpmem_msg_set_attr_resp);
	default:
		return 0;
	}
}

int
rpmem_obc_check_resp(void *resp, uint32_t resp_type, uint32_t *status,
	char *why, size_t whylen)
{
	struct rpmem_msg_hdr_resp *h = resp;
	rpmem_ntoh_msg_hdr_resp(h);
	*status = h->status;
	if (h->type != resp_type) {
		snprintf(why, whylen, "invalid message type received -- %u",
			h->type);
		return -EPROTO;
	}
	if (h->size != rpmem_obc_resp_size(resp_type)) {
		snprintf(why, whylen, "invalid message size received -- %lu",
			(unsigned long)h->size);
		return -EPROTO;
	}
	if (h->status >= MAX_RPMEM_ERR) {
		snprintf(why, whylen, "invalid status received -- %u",
			h->status);
		return -EPROTO;
	}
	if (h->status != RPMEM_SUCCESS) {
		snprintf(why, whylen, "%s", rpmem_status_msg(h->status));
		return -rpmem_status_errno(h->status);
	}
	struct rpmem_msg_ibc_attr *ibc = NULL;
	if (resp_type == RPMEM_MSG_TYPE_CREATE_RESP)
		ibc = &((struct rpmem_msg_create_resp *)resp)->ibc;
	else if (resp_type == RPMEM_MSG_TYPE_OPEN_RESP)
		ibc = &((struct rpmem_msg_open_resp *)resp)->ibc;
	if (ibc == NULL)
		return 0;
	rpmem_ntoh_msg_ibc_attr(ibc);
	if (resp_type == RPMEM_MSG_TYPE_OPEN_RESP)
		rpmem_ntoh_pool_attr(
			&((struct rpmem_msg_open_resp *)resp)->pool_attr);
	if (ibc->port == 0 || ibc->port > 65535) {
		snprintf(why, whylen, "invalid port number received -- %u",
			ibc->port);
		return -EPROTO;
	}
	/* the extension flags may accompany the method (rpmem_proto.h) */
	uint32_t pm = ibc->persist_method & ~RPMEM_EXT_PM_FLAGS;
	if (pm != RPMEM_PM_GPSPM && pm != RPMEM_PM_APM) {
		snprintf(why, whylen,
			"invalid persistency method received -- %u",
			ibc->persist_method);
		return -EPROTO;
	}
	return 0;
}

void
rpmem_obc_get_ibc(
	const struct rpmem_msg_ibc_attr *ibc, struct rpmem_resp_attr *out)
{
	out->port = ibc->port;
	out->persist_method = ibc->persist_method;
	out->rkey = ibc->rkey;
	out->raddr = ibc->raddr;
	out->nlanes = ibc->nlanes;
}
