/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_proto.h -- wire formats shared by librpmem and rpmemd
 *
 * Contract: this header is the single definition of every byte that crosses
 * the ssh channel (out-of-band protocol) or a fabric lane (persist messages)
 * between librpmem and rpmemd, byte-compatible with PMDK 1.12.1 (see
 * doc/protocol.md §3 to §5). All structs are packed and
 * their sizes are asserted below. The *_hton / *_ntoh helpers convert a
 * message in place between host order and the wire order of each field
 * (big-endian except where PMDK sends host order, marked "host order").
 * Both sides validate sizes before converting; these helpers never check.
 */
#ifndef COMMON_RPMEM_PROTO_H
#define COMMON_RPMEM_PROTO_H 1

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#define RPMEM_PROTO_MAJOR 0
#define RPMEM_PROTO_MINOR 1

#define RPMEM_POOL_HDR_SIZE 4096 /* bytes protected when attrs exist */
#define RPMEM_DEF_BUFF_SIZE 8192 /* max inline persist payload */
#define RPMEM_MIN_POOL_SIZE 8192

/* provider ids carried in CREATE/OPEN (PMDK: 1 verbs, 2 sockets) */
enum rpmem_provider {
	RPMEM_PROV_UNKNOWN = 0,
	RPMEM_PROV_LIBFABRIC_VERBS = 1,
	RPMEM_PROV_LIBFABRIC_SOCKETS = 2,
	/*
	 * Extension: libfabric tcp. Only sent to a daemon that is known to be
	 * ours; a PMDK rpmemd answers BADPROVIDER.
	 */
	RPMEM_PROV_LIBFABRIC_TCP = 3,
	MAX_RPMEM_PROV,
};

enum rpmem_persist_method {
	RPMEM_PM_GPSPM = 1, /* general purpose server persistency method */
	RPMEM_PM_APM = 2,   /* appliance persistency method */
	MAX_RPMEM_PM,
};

enum rpmem_msg_type {
	RPMEM_MSG_TYPE_CREATE = 1,
	RPMEM_MSG_TYPE_CREATE_RESP = 2,
	RPMEM_MSG_TYPE_OPEN = 3,
	RPMEM_MSG_TYPE_OPEN_RESP = 4,
	RPMEM_MSG_TYPE_CLOSE = 5,
	RPMEM_MSG_TYPE_CLOSE_RESP = 6,
	RPMEM_MSG_TYPE_SET_ATTR = 7,
	RPMEM_MSG_TYPE_SET_ATTR_RESP = 8,
	MAX_RPMEM_MSG_TYPE,
};

/* status codes of responses; client errno per rpmem_status_errno() */
enum rpmem_status {
	RPMEM_SUCCESS = 0,
	RPMEM_ERR_BADPROTO = 1,
	RPMEM_ERR_BADNAME = 2,
	RPMEM_ERR_BADSIZE = 3,
	RPMEM_ERR_BADNLANES = 4,
	RPMEM_ERR_BADPROVIDER = 5,
	RPMEM_ERR_FATAL = 6,
	RPMEM_ERR_FATAL_CONN = 7,
	RPMEM_ERR_BUSY = 8,
	RPMEM_ERR_EXISTS = 9,
	RPMEM_ERR_PROVNOSUP = 10,
	RPMEM_ERR_NOEXIST = 11,
	RPMEM_ERR_NOACCESS = 12,
	RPMEM_ERR_POOL_CFG = 13,
	MAX_RPMEM_ERR,
};

#define RPMEM_CLOSE_FLAGS_REMOVE 0x1U

/* pool attributes as on the wire: same layout as struct rpmem_pool_attr */
struct rpmem_pool_attr_packed {
	char signature[8];
	uint32_t major;		     /* BE */
	uint32_t compat_features;    /* BE */
	uint32_t incompat_features;  /* BE */
	uint32_t ro_compat_features; /* BE */
	unsigned char poolset_uuid[16];
	unsigned char uuid[16];
	unsigned char next_uuid[16];
	unsigned char prev_uuid[16];
	unsigned char user_flags[16];
} __attribute__((packed));

struct rpmem_msg_hdr {
	uint32_t type; /* BE */
	uint64_t size; /* BE, whole message */
} __attribute__((packed));

struct rpmem_msg_hdr_resp {
	uint32_t status; /* BE */
	uint32_t type;	 /* BE */
	uint64_t size;	 /* BE, whole message */
} __attribute__((packed));

struct rpmem_msg_common {
	uint16_t major;	    /* BE */
	uint16_t minor;	    /* BE */
	uint64_t pool_size; /* BE */
	uint32_t nlanes;    /* BE */
	uint32_t provider;  /* BE */
	uint64_t buff_size; /* BE */
} __attribute__((packed));

struct rpmem_msg_pool_desc {
	uint32_t size; /* BE, strlen(desc) + 1 */
	unsigned char desc[];
} __attribute__((packed));

struct rpmem_msg_ibc_attr {
	uint32_t port;		 /* BE */
	uint32_t persist_method; /* BE */
	uint64_t rkey;		 /* BE */
	uint64_t raddr;		 /* BE */
	uint32_t nlanes;	 /* host order (PMDK quirk) */
} __attribute__((packed));

struct rpmem_msg_create {
	struct rpmem_msg_hdr hdr;
	struct rpmem_msg_common c;
	struct rpmem_pool_attr_packed pool_attr;
	struct rpmem_msg_pool_desc pool_desc;
} __attribute__((packed));

struct rpmem_msg_create_resp {
	struct rpmem_msg_hdr_resp hdr;
	struct rpmem_msg_ibc_attr ibc;
} __attribute__((packed));

struct rpmem_msg_open {
	struct rpmem_msg_hdr hdr;
	struct rpmem_msg_common c;
	struct rpmem_msg_pool_desc pool_desc;
} __attribute__((packed));

struct rpmem_msg_open_resp {
	struct rpmem_msg_hdr_resp hdr;
	struct rpmem_msg_ibc_attr ibc;
	struct rpmem_pool_attr_packed pool_attr;
} __attribute__((packed));

struct rpmem_msg_close {
	struct rpmem_msg_hdr hdr;
	uint32_t flags; /* host order (PMDK quirk) */
} __attribute__((packed));

struct rpmem_msg_close_resp {
	struct rpmem_msg_hdr_resp hdr;
} __attribute__((packed));

struct rpmem_msg_set_attr {
	struct rpmem_msg_hdr hdr;
	struct rpmem_pool_attr_packed pool_attr;
} __attribute__((packed));

struct rpmem_msg_set_attr_resp {
	struct rpmem_msg_hdr_resp hdr;
} __attribute__((packed));

_Static_assert(sizeof(struct rpmem_pool_attr_packed) == 104, "pool attr");
_Static_assert(sizeof(struct rpmem_msg_hdr) == 12, "msg hdr");
_Static_assert(sizeof(struct rpmem_msg_hdr_resp) == 16, "resp hdr");
_Static_assert(sizeof(struct rpmem_msg_common) == 28, "common");
_Static_assert(sizeof(struct rpmem_msg_ibc_attr) == 28, "ibc");
_Static_assert(sizeof(struct rpmem_msg_create) == 148, "create");
_Static_assert(sizeof(struct rpmem_msg_create_resp) == 44, "create resp");
_Static_assert(sizeof(struct rpmem_msg_open) == 44, "open");
_Static_assert(sizeof(struct rpmem_msg_open_resp) == 148, "open resp");
_Static_assert(sizeof(struct rpmem_msg_close) == 16, "close");
_Static_assert(sizeof(struct rpmem_msg_close_resp) == 16, "close resp");
_Static_assert(sizeof(struct rpmem_msg_set_attr) == 116, "set attr");
_Static_assert(sizeof(struct rpmem_msg_set_attr_resp) == 16, "set attr resp");

/*
 * ---- session binding of fabric connections (extension, not in PMDK) ----
 *
 * Every fabric connection must carry, as libfabric connection data
 * (fi_connect param), a random secret that the daemon created for this
 * ssh session and sent over the ssh channel. The extension is negotiated so
 * that PMDK 1.12.1 peers keep working unchanged:
 *
 * 1. The client announces support in CREATE/OPEN by sending
 *    buff_size = real buff_size + RPMEM_AUTH_BUFF_TAG (real is a multiple
 *    of 64, so buff_size % 64 == 32 marks the announcement). A PMDK daemon
 *    only sizes its receive slots from buff_size, in 64-byte steps, so the
 *    tag changes nothing for it (slot 8256 bytes either way), and the client
 *    still never sends more than the real buff_size inline.
 * 2. A daemon that saw the tag sets RPMEM_AUTH_PM_FLAG in ibc.persist_method
 *    of a successful CREATE_RESP/OPEN_RESP and sends, right after it, one
 *    struct rpmem_msg_auth (type RPMEM_MSG_TYPE_AUTH, status 0, size 32)
 *    holding the secret. A PMDK client never sends the tag, so it never sees
 *    the flag or the extra message; a PMDK daemon never sets the flag, so
 *    our client reads no extra message and connects without data.
 * 3. The client passes the secret on fi_connect of every lane; the daemon
 *    compares it (constant time) on FI_CONNREQ and fi_rejects a missing or
 *    wrong one, then keeps waiting for good lanes.
 *
 * A peer without the extension is logged as legacy (unauthenticated) on
 * both sides. With rpmemd's require-auth, a legacy client gets an error
 * response (RPMEM_ERR_NOACCESS) to CREATE/OPEN and no fabric listener.
 */
#define RPMEM_AUTH_SECRET_LEN 16
#define RPMEM_AUTH_BUFF_TAG 32U
#define RPMEM_AUTH_PM_FLAG 0x80000000U
#define RPMEM_MSG_TYPE_AUTH 0x41555448U /* "AUTH" */

struct rpmem_msg_auth {
	struct rpmem_msg_hdr_resp hdr; /* BE; status 0, type AUTH, size 32 */
	unsigned char secret[RPMEM_AUTH_SECRET_LEN];
} __attribute__((packed));

_Static_assert(sizeof(struct rpmem_msg_auth) == 32, "auth msg");

/* 1 if a wire buff_size (host order) carries the client's announcement */
static inline int
rpmem_auth_announced(uint64_t buff_size)
{
	return (buff_size & 63) == RPMEM_AUTH_BUFF_TAG;
}

/*
 * ---- liveness of the ssh channel (extension, not in PMDK) ----
 *
 * sshd holds the TCP connection of the ssh channel, so neither rpmemd nor
 * librpmem can put a keepalive on it; instead the client sends a small
 * request at a fixed interval and the daemon answers it, so that each side
 * notices within a bound it chose that the other is no longer reachable.
 *
 * 1. A client that sends pings announces it together with session binding:
 *    buff_size = real + RPMEM_LIVE_BUFF_TAG + RPMEM_AUTH_BUFF_TAG (the real
 *    buff_size of such a client is a multiple of 128). A daemon without
 *    this extension sees the session-binding tag alone and a real
 *    buff_size 64 bytes larger (slots of 8256 instead of 8192 bytes for a
 *    PMDK daemon; the client never sends more than 8192 inline).
 * 2. A daemon that serves it sets RPMEM_LIVE_PM_FLAG (with
 *    RPMEM_AUTH_PM_FLAG) in a successful CREATE_RESP/OPEN_RESP and sends
 *    struct rpmem_msg_live right after the AUTH message: how often the
 *    client is to ping and how long the daemon waits for a message before
 *    it ends the session (closes the pool, exits) as if the ssh channel
 *    had ended.
 * 3. From then on the client sends a PING request (the 12-byte request
 *    header alone) every ping_ms while no other request is outstanding;
 *    the daemon answers each with a PONG (the 16-byte response header
 *    alone, status 0). A client that gets no PONG within its own stall
 *    limit takes the session as lost.
 */
#define RPMEM_LIVE_BUFF_TAG 64U
#define RPMEM_LIVE_PM_FLAG 0x40000000U
#define RPMEM_MSG_TYPE_LIVE 0x4c495645U /* "LIVE" */
#define RPMEM_MSG_TYPE_PING 0x50494e47U /* "PING" */
#define RPMEM_MSG_TYPE_PONG 0x504f4e47U /* "PONG" */

struct rpmem_msg_live {
	struct rpmem_msg_hdr_resp hdr; /* BE; status 0, type LIVE, size 24 */
	uint32_t ping_ms;	       /* BE: the client pings this often */
	uint32_t timeout_ms; /* BE: the daemon waits this long for a message */
} __attribute__((packed));

_Static_assert(sizeof(struct rpmem_msg_live) == 24, "live msg");

/* every extension flag a daemon may set in ibc.persist_method */
#define RPMEM_EXT_PM_FLAGS (RPMEM_AUTH_PM_FLAG | RPMEM_LIVE_PM_FLAG)

/* 1 if a wire buff_size carrying the binding tag also announces pings */
static inline int
rpmem_live_announced(uint64_t buff_size)
{
	return rpmem_auth_announced(buff_size) &&
	       (buff_size & RPMEM_LIVE_BUFF_TAG) != 0;
}

/* ---- in-band (fabric) persist message, host order, SEND/RECV ---- */

#define RPMEM_FLUSH_WRITE 0U  /* data already written by RDMA WRITE */
#define RPMEM_DEEP_PERSIST 1U /* as above, then deep flush */
#define RPMEM_PERSIST_SEND 2U /* data inline after the header */
#define RPMEM_FLUSH_PERSIST_MASK 0x3U
#define RPMEM_COMPLETION 0x4U /* client-internal; daemon ignores it */
#define RPMEM_PERSIST_MAX 2U

struct rpmem_msg_persist {
	uint32_t flags;
	uint32_t lane;
	uint64_t addr; /* remote virtual address: raddr + offset */
	uint64_t size;
	unsigned char data[];
};

struct rpmem_msg_persist_resp {
	uint32_t flags;
	uint32_t lane;
};

_Static_assert(sizeof(struct rpmem_msg_persist) == 24, "persist msg");
_Static_assert(sizeof(struct rpmem_msg_persist_resp) == 8, "persist resp");

/* size of one persist message slot for a given inline buffer size */
static inline size_t
rpmem_pmsg_slot_size(uint64_t buff_size)
{
	return (sizeof(struct rpmem_msg_persist) + (size_t)buff_size + 63) &
	       ~(size_t)63;
}

/* ---- byte order helpers (in place) ---- */

static inline void
rpmem_hton_pool_attr(struct rpmem_pool_attr_packed *a)
{
	a->major = htobe32(a->major);
	a->compat_features = htobe32(a->compat_features);
	a->incompat_features = htobe32(a->incompat_features);
	a->ro_compat_features = htobe32(a->ro_compat_features);
}
static inline void
rpmem_ntoh_pool_attr(struct rpmem_pool_attr_packed *a)
{
	a->major = be32toh(a->major);
	a->compat_features = be32toh(a->compat_features);
	a->incompat_features = be32toh(a->incompat_features);
	a->ro_compat_features = be32toh(a->ro_compat_features);
}

static inline void
rpmem_hton_msg_hdr(struct rpmem_msg_hdr *h)
{
	h->type = htobe32(h->type);
	h->size = htobe64(h->size);
}
static inline void
rpmem_ntoh_msg_hdr(struct rpmem_msg_hdr *h)
{
	h->type = be32toh(h->type);
	h->size = be64toh(h->size);
}

static inline void
rpmem_hton_msg_hdr_resp(struct rpmem_msg_hdr_resp *h)
{
	h->status = htobe32(h->status);
	h->type = htobe32(h->type);
	h->size = htobe64(h->size);
}
static inline void
rpmem_ntoh_msg_hdr_resp(struct rpmem_msg_hdr_resp *h)
{
	h->status = be32toh(h->status);
	h->type = be32toh(h->type);
	h->size = be64toh(h->size);
}

static inline void
rpmem_hton_msg_common(struct rpmem_msg_common *c)
{
	c->major = htobe16(c->major);
	c->minor = htobe16(c->minor);
	c->pool_size = htobe64(c->pool_size);
	c->nlanes = htobe32(c->nlanes);
	c->provider = htobe32(c->provider);
	c->buff_size = htobe64(c->buff_size);
}
static inline void
rpmem_ntoh_msg_common(struct rpmem_msg_common *c)
{
	c->major = be16toh(c->major);
	c->minor = be16toh(c->minor);
	c->pool_size = be64toh(c->pool_size);
	c->nlanes = be32toh(c->nlanes);
	c->provider = be32toh(c->provider);
	c->buff_size = be64toh(c->buff_size);
}

static inline void
rpmem_hton_msg_ibc_attr(struct rpmem_msg_ibc_attr *i)
{
	i->port = htobe32(i->port);
	i->persist_method = htobe32(i->persist_method);
	i->rkey = htobe64(i->rkey);
	i->raddr = htobe64(i->raddr);
	/* nlanes stays in host order */
}
static inline void
rpmem_ntoh_msg_ibc_attr(struct rpmem_msg_ibc_attr *i)
{
	i->port = be32toh(i->port);
	i->persist_method = be32toh(i->persist_method);
	i->rkey = be64toh(i->rkey);
	i->raddr = be64toh(i->raddr);
}

/* client errno for a response status; EPROTO for unknown ones */
int rpmem_status_errno(uint32_t status);
/* text for a status (what rpmem_errormsg shows); never NULL */
const char *rpmem_status_msg(uint32_t status);

#endif /* COMMON_RPMEM_PROTO_H */
