/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oob.h -- rpmemd out-of-band requests: validation, decoding, responses
 *
 * Contract: rpmemd_oob_check_hdr() and rpmemd_oob_decode() are pure
 * functions over wire bytes (fuzzed). check_hdr tells whether a request
 * header can be answered at all; decode validates a whole message and fills
 * struct rpmemd_req in host order or returns the rpmem_status to answer
 * with, plus a reason. PING (the liveness extension) passes both; the
 * caller refuses it in a session that did not negotiate it. rpmemd_oob_recv()
 * reads one message from a file descriptor with bounded sizes;
 * rpmemd_oob_send_*() write the responses.
 */
#ifndef RPMEMD_OOB_H
#define RPMEMD_OOB_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rpmem_proto.h"

/* largest pool descriptor accepted (incl. NUL) */
#define RPMEMD_MAX_DESC 4096
#define RPMEMD_MAX_MSG (sizeof(struct rpmem_msg_create) + RPMEMD_MAX_DESC)

struct rpmemd_req {
	uint32_t type;
	/* CREATE / OPEN */
	uint16_t major, minor;
	uint64_t pool_size;
	uint32_t nlanes;
	uint32_t provider;
	uint64_t buff_size; /* announcement tag removed */
	int auth;	    /* client announced session binding */
	int live;	    /* client announced pings (rpmem_proto.h) */
	const char *desc;   /* points into the message buffer */
	/* CREATE / SET_ATTR, host order; has_attr 0 when all zero */
	struct rpmem_pool_attr_packed attr;
	int has_attr;
	/* CLOSE */
	uint32_t close_flags;
};

/*
 * hdr is 12 wire bytes. Returns 0 and the host-order type and size when a
 * message of that type and size may follow, else -1 and a reason. The
 * size bounds are per type: exact for CLOSE and SET_ATTR, at most
 * RPMEMD_MAX_MSG for CREATE/OPEN, never below the header.
 */
int rpmemd_oob_check_hdr(
	const void *hdr, uint32_t *type, uint64_t *size, const char **why);

/*
 * msg/len is a whole message (header included) whose header passed
 * check_hdr. Returns RPMEM_SUCCESS and fills req, or an error status
 * (BADPROTO, BADNAME, BADPROVIDER, BADNLANES, FATAL) with a reason.
 */
enum rpmem_status rpmemd_oob_decode(
	const void *msg, size_t len, struct rpmemd_req *req, const char **why);

/* response type for a request type (0 when none) */
uint32_t rpmemd_oob_resp_type(uint32_t req_type);

/*
 * Read one message from fd into buf (RPMEMD_MAX_MSG bytes). Returns the
 * message length; 0 on EOF before the first byte; -1 with *why on a
 * short message or an invalid header (*type then holds the header type,
 * or 0), errno set (ECONNRESET for a truncated message, ETIMEDOUT when no
 * byte came for timeout_ms, EPROTO otherwise). A negative timeout_ms
 * waits for ever.
 */
ssize_t rpmemd_oob_recv(
	int fd, void *buf, uint32_t *type, const char **why, int timeout_ms);

int rpmemd_oob_write(int fd, const void *buf, size_t len);

/* responses; ibc/attr in host order (NULL: zero) */
int rpmemd_oob_send_resp(int fd, uint32_t req_type, uint32_t status,
	const struct rpmem_msg_ibc_attr *ibc,
	const struct rpmem_pool_attr_packed *attr);

/* the LIVE message that follows AUTH (rpmem_proto.h) */
int rpmemd_oob_send_live(int fd, uint32_t ping_ms, uint32_t timeout_ms);

/* the 4-byte host-order status word */
int rpmemd_oob_send_status(int fd, uint32_t status);

#endif /* RPMEMD_OOB_H */
