/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fabric_server.h -- rpmemd fabric server: passive endpoint, lane
 * connections, workers
 *
 * Contract: rpmemd_fip_init() sets up fabric, domain, event queue, passive
 * endpoint on the given node (FI_SOURCE, ephemeral port), registers the
 * pool and the message slots, listens, and fills the ibc attributes for the
 * CREATE/OPEN response. rpmemd_fip_start() runs the accept phase and then
 * the workers in background threads; rpmemd_fip_stop() ends both (bounded:
 * every wait polls a stop flag at least every 100 ms) and reports whether
 * the accept phase succeeded. Negative errno on failure; init also sets the
 * response status. A persist is answered only after its range is durable
 * (msync succeeded where the pool is not pmem); otherwise see
 * persist_failed below.
 */
#ifndef RPMEMD_FABRIC_SERVER_H
#define RPMEMD_FABRIC_SERVER_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

struct rpmemd_fip_attr {
	void *addr;	    /* pool offset 0 */
	size_t size;	    /* registered bytes */
	uint32_t nlanes;    /* requested */
	uint32_t provider;  /* enum rpmem_provider */
	uint64_t buff_size; /* inline persist payload */
	enum rpmem_persist_method method;
	int is_pmem;
	unsigned nthreads; /* 0: one per lane */
	const char *node;  /* local address to listen on */
	unsigned accept_timeout_ms;
	/* NULL: accept lanes without connection data (legacy client) */
	const unsigned char *secret; /* RPMEM_AUTH_SECRET_LEN bytes */
	/* NULL: any source; else the only address lanes may come from */
	const char *peer;
	/* called once when every lane is connected (may be NULL) */
	void (*connected)(void);
	/*
	 * called by a worker when the persist of [addr, addr + len) on lane
	 * could not be made durable (err: negative errno of the msync); from
	 * then on no lane answers a persist. It is meant to end the session
	 * (rpmemd exits); NULL: the failure is only logged.
	 */
	void (*persist_failed)(
		unsigned lane, const void *addr, size_t len, int err);
};

struct rpmemd_fip;

/*
 * starts libfabric's initialization (provider discovery, which takes a
 * large part of a session's set-up) in a thread, so that it runs while
 * the client's request is on its way; rpmemd_fip_init() and
 * rpmemd_fip_warm_up_wait() wait for it
 */
void rpmemd_fip_warm_up(void);
void rpmemd_fip_warm_up_wait(void);

int rpmemd_fip_init(const struct rpmemd_fip_attr *attr,
	struct rpmemd_fip **fipp, struct rpmem_msg_ibc_attr *ibc,
	enum rpmem_status *status);
int rpmemd_fip_start(struct rpmemd_fip *fip);
/* returns 0 when all lanes had connected, negative errno otherwise */
int rpmemd_fip_stop(struct rpmemd_fip *fip);
void rpmemd_fip_fini(struct rpmemd_fip *fip);

#endif /* RPMEMD_FABRIC_SERVER_H */
