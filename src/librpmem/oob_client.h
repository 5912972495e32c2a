/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oob_client.h -- out-of-band client messages: building requests and checking
 * responses (doc/protocol.md §3)
 *
 * Contract: pure functions, no I/O. Builders return wire-order messages.
 * rpmem_obc_check_resp() validates a wire-order response of the expected
 * type, converts it to host order in place and returns 0, -EPROTO (reason
 * in why) or the negative errno of a non-zero status (status in *status).
 */
#ifndef LIBRPMEM_OOB_CLIENT_H
#define LIBRPMEM_OOB_CLIENT_H 1

#include <stddef.h>
#include <stdint.h>

#include "librpmem.h"
#include "rpmem_proto.h"

struct rpmem_req_attr {
	uint64_t pool_size;
	uint32_t nlanes;
	uint32_t provider;
	uint64_t buff_size;
	const char *pool_desc;
};

struct rpmem_resp_attr {
	unsigned port;
	uint64_t rkey;
	uint64_t raddr;
	unsigned persist_method;
	unsigned nlanes;
};

/* CREATE (attr may be NULL) or OPEN; malloc'ed, size in *size */
void *rpmem_obc_create_msg(const struct rpmem_req_attr *req,
	const struct rpmem_pool_attr *attr, size_t *size);
void *rpmem_obc_open_msg(const struct rpmem_req_attr *req, size_t *size);
void rpmem_obc_close_msg(struct rpmem_msg_close *m, uint32_t flags);
void rpmem_obc_set_attr_msg(
	struct rpmem_msg_set_attr *m, const struct rpmem_pool_attr *attr);

/* expected size of a response of the given type (0 for unknown) */
size_t rpmem_obc_resp_size(uint32_t resp_type);

int rpmem_obc_check_resp(void *resp, uint32_t resp_type, uint32_t *status,
	char *why, size_t whylen);

/* host-order ibc / attributes of a checked CREATE_RESP or OPEN_RESP */
void rpmem_obc_get_ibc(
	const struct rpmem_msg_ibc_attr *ibc, struct rpmem_resp_attr *out);
void rpmem_obc_get_attr(
	const struct rpmem_pool_attr_packed *p, struct rpmem_pool_attr *attr);

/* 1 if every byte of attr is zero (or attr is NULL) */
int rpmem_attr_is_zero(const struct rpmem_pool_attr *attr);

#endif /* LIBRPMEM_OOB_CLIENT_H */
