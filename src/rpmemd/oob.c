/* SPDX-License-Identifier: BSD-3-Clause */
/* oob.c -- rpmemd out-of-band requests: validation, decoding, responses */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "oob.h"

int
rpmemd_oob_check_hdr(
	const void *hdr, uint32_t *type, uint64_t *size, const char **why)
{
	struct rpmem_msg_hdr h;
	memcpy(&h, hdr, sizeof(h));
	rpmem_ntoh_msg_hdr(&h);
	*type = h.type;
	*size = h.size;
	switch (h.type) {
	case RPMEM_MSG_TYPE_CREATE:
	case RPMEM_MSG_TYPE_OPEN:
		if (h.size > RPMEMD_MAX_MSG) {
			*why = "message too large";
			return -1;
		}
		if (h.size < sizeof(struct rpmem_msg_hdr)) {
			*why = "message size smaller than its header";
			return -1;
		}
		return 0;
	case RPMEM_MSG_TYPE_CLOSE:
		if (h.size != sizeof(struct rpmem_msg_close)) {
			*why = "invalid CLOSE message size";
			return -1;
		}
		return 0;
	case RPMEM_MSG_TYPE_SET_ATTR:
		if (h.size != sizeof(struct rpmem_msg_set_attr)) {
			*why = "invalid SET_ATTR message size";
			return -1;
		}
		return 0;
	case RPMEM_MSG_TYPE_PING:
		if (h.size != sizeof(struct rpmem_msg_hdr)) {
			*why = "invalid PING message size";
			return -1;
		}
		return 0;
	default:
		*why = "invalid message type";
		return -1;
	}
}

uint32_t
rpmemd_oob_resp_type(uint32_t req_type)
{
	switch (req_type) {
	case RPMEM_MSG_TYPE_CREATE:
	case RPMEM_MSG_TYPE_OPEN:
	case RPMEM_MSG_TYPE_CLOSE:
	case RPMEM_MSG_TYPE_SET_ATTR:
		return req_type + 1;
	case RPMEM_MSG_TYPE_PING:
		return RPMEM_MSG_TYPE_PONG;
	default:
		return 0;
	}
}

static enum rpmem_status
decode_common(const struct rpmem_msg_common *wc, struct rpmemd_req *req,
	const char **why)
{
	struct rpmem_msg_common c;
	memcpy(&c, wc, sizeof(c));
	rpmem_ntoh_msg_common(&c);
	req->major = c.major;
	req->minor = c.minor;
	req->pool_size = c.pool_size;
	req->nlanes = c.nlanes;
	req->provider = c.provider;
	req->auth = rpmem_auth_announced(c.buff_size);
	req->live = rpmem_live_announced(c.buff_size);
	if (req->auth)
		c.buff_size -= RPMEM_AUTH_BUFF_TAG;
	if (req->live)
		c.buff_size -= RPMEM_LIVE_BUFF_TAG;
	req->buff_size = c.buff_size;
	if (c.major != RPMEM_PROTO_MAJOR || c.minor != RPMEM_PROTO_MINOR) {
		*why = "protocol version mismatch";
		return RPMEM_ERR_BADPROTO;
	}
	if (c.provider == RPMEM_PROV_UNKNOWN || c.provider >= MAX_RPMEM_PROV) {
		*why = "invalid provider";
		return RPMEM_ERR_BADPROVIDER;
	}
	if (c.nlanes == 0) {
		*why = "invalid number of lanes";
		return RPMEM_ERR_BADNLANES;
	}
	if (c.buff_size < sizeof(struct rpmem_msg_persist) ||
		c.buff_size > (1U << 20)) {
		*why = "invalid inline buffer size";
		return RPMEM_ERR_FATAL;
	}
	return RPMEM_SUCCESS;
}

static enum rpmem_status
decode_desc(const unsigned char *msg, size_t len, size_t off,
	struct rpmemd_req *req, const char **why)
{
	if (len < off + sizeof(uint32_t)) {
		*why = "message too short for the pool descriptor";
		return RPMEM_ERR_BADNAME;
	}
	uint32_t dsize;
	memcpy(&dsize, msg + off, sizeof(dsize));
	dsize = be32toh(dsize);
	off += sizeof(uint32_t);
	if ((uint64_t)off + dsize != len) {
		*why = "pool descriptor size does not match the message size";
		return RPMEM_ERR_BADNAME;
	}
	if (dsize < 2) {
		*why = "empty pool descriptor";
		return RPMEM_ERR_BADNAME;
	}
	const char *d = (const char *)msg + off;
	if (d[dsize - 1] != '\0') {
		*why = "pool descriptor not NUL-terminated";
		return RPMEM_ERR_BADNAME;
	}
	if (strlen(d) + 1 != dsize) {
		*why = "NUL inside the pool descriptor";
		return RPMEM_ERR_BADNAME;
	}
	req->desc = d;
	return RPMEM_SUCCESS;
}

static void
decode_attr(const struct rpmem_pool_attr_packed *w, struct rpmemd_req *req)
{
	static const struct rpmem_pool_attr_packed none; /* all zero: NULL */
	memcpy(&req->attr, w, sizeof(req->attr));
	req->has_attr = memcmp(&req->attr, &none, sizeof(none)) != 0;
	rpmem_ntoh_pool_attr(&req->attr);
}

enum rpmem_status
rpmemd_oob_decode(
	const void *msg, size_t len, struct rpmemd_req *req, const char **why)
{
	const unsigned char *m = msg;
	memset(req, 0, sizeof(*req));
	*why = "";
	if (len < sizeof(struct rpmem_msg_hdr)) {
		*why = "message shorter than its header";
		return RPMEM_ERR_FATAL;
	}
	uint32_t type;
	uint64_t size;
	if (rpmemd_oob_check_hdr(m, &type, &size, why))
		return RPMEM_ERR_FATAL;
	if (size != len) {
		*why = "message length does not match its header";
		return RPMEM_ERR_FATAL;
	}
	req->type = type;
	enum rpmem_status st;
	switch (type) {
	case RPMEM_MSG_TYPE_CREATE:
		if (len < sizeof(struct rpmem_msg_create)) {
			*why = "CREATE message too short";
			return RPMEM_ERR_BADNAME;
		}
		st = decode_common(
			&((const struct rpmem_msg_create *)m)->c, req, why);
		if (st)
			return st;
		decode_attr(
			&((const struct rpmem_msg_create *)m)->pool_attr, req);
		return decode_desc(m, len,
			offsetof(struct rpmem_msg_create, pool_desc), req, why);
	case RPMEM_MSG_TYPE_OPEN:
		if (len < sizeof(struct rpmem_msg_open)) {
			*why = "OPEN message too short";
			return RPMEM_ERR_BADNAME;
		}
		st = decode_common(
			&((const struct rpmem_msg_open *)m)->c, req, why);
		if (st)
			return st;
		return decode_desc(m, len,
			offsetof(struct rpmem_msg_open, pool_desc), req, why);
	case RPMEM_MSG_TYPE_CLOSE:
		memcpy(&req->close_flags,
			m + offsetof(struct rpmem_msg_close, flags),
			sizeof(uint32_t));
		return RPMEM_SUCCESS;
	case RPMEM_MSG_TYPE_SET_ATTR:
		decode_attr(&((const struct rpmem_msg_set_attr *)m)->pool_attr,
			req);
		return RPMEM_SUCCESS;
	case RPMEM_MSG_TYPE_PING:
		return RPMEM_SUCCESS;
	default:
		*why = "invalid message type";
		return RPMEM_ERR_FATAL;
	}
}

/*
 * 0 when fd is readable, -1 with errno (ETIMEDOUT when nothing came within
 * timeout_ms; a negative timeout waits for ever)
 */
static int
wait_readable(int fd, int timeout_ms)
{
	if (timeout_ms < 0)
		return 0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

/*
 * read exactly len bytes, each read within timeout_ms of the previous one;
 * returns bytes read (short only on EOF) or -1
 */
static ssize_t
read_full(int fd, void *buf, size_t len, int timeout_ms)
{
	size_t got = 0;
	while (got < len) {
		if (wait_readable(fd, timeout_ms))
			return -1;
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t
rpmemd_oob_recv(
	int fd, void *buf, uint32_t *type, const char **why, int timeout_ms)
{
	*type = 0;
	ssize_t r =
		read_full(fd, buf, sizeof(struct rpmem_msg_hdr), timeout_ms);
	if (r < 0) {
		*why = errno == ETIMEDOUT ? "no message from the client"
					  : "read error";
		return -1;
	}
	if (r == 0)
		return 0;
	if ((size_t)r < sizeof(struct rpmem_msg_hdr)) {
		*why = "connection closed inside a message header";
		errno = ECONNRESET;
		return -1;
	}
	uint64_t size;
	if (rpmemd_oob_check_hdr(buf, type, &size, why)) {
		errno = EPROTO;
		return -1;
	}
	size_t rest = (size_t)size - sizeof(struct rpmem_msg_hdr);
	r = read_full(fd, (char *)buf + sizeof(struct rpmem_msg_hdr), rest,
		timeout_ms);
	if (r < 0) {
		*why = errno == ETIMEDOUT ? "message from the client cut short"
					  : "read error";
		return -1;
	}
	if ((size_t)r < rest) {
		*why = "connection closed inside a message";
		errno = ECONNRESET;
		return -1;
	}
	return (ssize_t)size;
}

int
rpmemd_oob_write(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, (const char *)buf + done, len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

int
rpmemd_oob_send_resp(int fd, uint32_t req_type, uint32_t status,
	const struct rpmem_msg_ibc_attr *ibc,
	const struct rpmem_pool_attr_packed *attr)
{
	union {
		struct rpmem_msg_create_resp c;
		struct rpmem_msg_open_resp o;
		struct rpmem_msg_close_resp cl;
		struct rpmem_msg_set_attr_resp s;
	} u;
	memset(&u, 0, sizeof(u));
	size_t len;
	struct rpmem_msg_ibc_attr *dst_ibc = NULL;
	switch (req_type) {
	case RPMEM_MSG_TYPE_CREATE:
		len = sizeof(u.c);
		dst_ibc = &u.c.ibc;
		break;
	case RPMEM_MSG_TYPE_OPEN:
		len = sizeof(u.o);
		dst_ibc = &u.o.ibc;
		if (attr && status == RPMEM_SUCCESS) {
			u.o.pool_attr = *attr;
			rpmem_hton_pool_attr(&u.o.pool_attr);
		}
		break;
	case RPMEM_MSG_TYPE_CLOSE:
	case RPMEM_MSG_TYPE_SET_ATTR:
	case RPMEM_MSG_TYPE_PING: /* PONG: the header alone */
		len = sizeof(u.cl);
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (dst_ibc && ibc && status == RPMEM_SUCCESS) {
		*dst_ibc = *ibc;
		rpmem_hton_msg_ibc_attr(dst_ibc);
	}
	struct rpmem_msg_hdr_resp *h = &u.c.hdr;
	h->status = status;
	h->type = rpmemd_oob_resp_type(req_type);
	h->size = len;
	rpmem_hton_msg_hdr_resp(h);
	return rpmemd_oob_write(fd, &u, len);
}

int
rpmemd_oob_send_live(int fd, uint32_t ping_ms, uint32_t timeout_ms)
{
	struct rpmem_msg_live m;
	m.hdr.status = RPMEM_SUCCESS;
	m.hdr.type = RPMEM_MSG_TYPE_LIVE;
	m.hdr.size = sizeof(m);
	rpmem_hton_msg_hdr_resp(&m.hdr);
	m.ping_ms = htobe32(ping_ms);
	m.timeout_ms = htobe32(timeout_ms);
	return rpmemd_oob_write(fd, &m, sizeof(m));
}

int
rpmemd_oob_send_status(int fd, uint32_t status)
{
	return rpmemd_oob_write(fd, &status, sizeof(status));
}
