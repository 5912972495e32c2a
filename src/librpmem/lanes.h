/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lanes.h -- the client's in-band (libfabric) side: one connected FI_EP_MSG
 * endpoint per lane, persist/flush/drain/read on the remote pool
 * (doc/protocol.md §5)
 *
 * Contract: every wait is bounded; while waiting, the fabric event queue
 * (FI_SHUTDOWN) and the caller's liveness callback (the ssh channel) are
 * checked every ~100 ms, so a dead peer gives -ECONNRESET within a second
 * or so. Functions return 0 or a negative errno (never a libfabric code)
 * and never print; a reason is left in the why buffer of init. Operations
 * on different lanes may run concurrently; one lane is used by one thread
 * at a time. Arguments are validated by the caller.
 *
 * Set-up and teardown: lane_setup.c; the I/O path: lane_io.c; what the two
 * share: lanes_internal.h.
 */
#ifndef LIBRPMEM_LANES_H
#define LIBRPMEM_LANES_H 1

#include <stddef.h>
#include <stdint.h>

struct rpmem_fip;

struct rpmem_fip_attr {
	const char *node; /* target host, as given to ssh */
	unsigned port;	  /* fabric port from the response */
	const char *prov; /* provider name */
	void *laddr;	  /* local pool */
	size_t size;	  /* pool size */
	uint64_t raddr;	  /* remote address of pool offset 0 */
	uint64_t rkey;	  /* remote key */
	unsigned persist_method;
	unsigned nlanes;  /* lanes wanted (already min of request/answer) */
	size_t buff_size; /* inline persist limit */
	unsigned wq_size; /* suggested work queue depth */
	int (*alive)(void *arg); /* 0 while the control channel is up */
	void *alive_arg;
	/* session secret sent as connection data; NULL for a legacy daemon */
	const unsigned char *secret; /* RPMEM_AUTH_SECRET_LEN bytes */
	/* a peer silent this long fails the wait (ETIMEDOUT); 0: 60 s */
	unsigned stall_ms;
};

/* connects every lane; *nlanes gets what the provider allows */
int rpmem_fip_init(const struct rpmem_fip_attr *attr, unsigned *nlanes,
	struct rpmem_fip **out, char *why, size_t whylen);

#define RPMEM_FIP_PERSIST 0
#define RPMEM_FIP_PERSIST_RELAXED 1
#define RPMEM_FIP_DEEP 2
int rpmem_fip_persist(struct rpmem_fip *fip, size_t offset, size_t len,
	unsigned lane, int how);
int rpmem_fip_flush(struct rpmem_fip *fip, size_t offset, size_t len,
	unsigned lane, int relaxed);
int rpmem_fip_drain(struct rpmem_fip *fip, unsigned lane);
int rpmem_fip_read(struct rpmem_fip *fip, void *buf, size_t offset, size_t len,
	unsigned lane);

/* the sticky connection error (negative errno) or 0 */
int rpmem_fip_error(struct rpmem_fip *fip);
/* fi_shutdown on every lane (no-op after a peer shutdown) */
void rpmem_fip_shutdown(struct rpmem_fip *fip);
/* frees everything */
void rpmem_fip_fini(struct rpmem_fip *fip);

#endif /* LIBRPMEM_LANES_H */
