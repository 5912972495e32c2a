/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_fabric.h -- a fake libfabric for unit tests of the fabric code
 *
 * Contract: a test program links fake_fabric.c instead of libfabric. It
 * defines the library's few real functions (fi_getinfo, fi_dupinfo,
 * fi_freeinfo, fi_fabric, fi_strerror); everything else the code under
 * test calls is inline in libfabric's headers and goes through the ops
 * tables of the fids the fake hands out. fi_getinfo reports the provider
 * and attributes in Fake (e.g. what verbs reports on an RDMA NIC). The fake
 * peer behaves like rpmemd: it connects every lane (or refuses), RMA
 * writes and reads go to the address given (the test's "remote pool", as
 * with FI_MR_VIRT_ADDR), a persist message is answered on the lane's
 * posted receive and an inline persist copies its data. Knobs inject
 * EAGAIN on posts, completion errors, a shutdown event and a stalled
 * peer. Every post is logged in Fake_log for the test to inspect.
 */
#ifndef TEST_FAKE_FABRIC_H
#define TEST_FAKE_FABRIC_H 1

#include <stddef.h>
#include <stdint.h>

#include <rdma/fabric.h>

#define FAKE_LOG_MAX 4096
#define FAKE_MAX_EPS 64

enum fake_kind { FAKE_SEND, FAKE_RECV, FAKE_WRITE, FAKE_READ };

struct fake_op {
	enum fake_kind kind;
	unsigned ep; /* endpoint index, in creation order */
	size_t len;
	void *desc;	/* local descriptor passed */
	uint64_t raddr; /* RMA: remote address */
	uint64_t key;	/* RMA: remote key */
	uint64_t flags;
	uint32_t pmsg_flags; /* SEND: the persist message's flags */
};

struct fake_cfg {
	const char *prov;   /* reported provider name */
	uint64_t mr_mode;   /* domain_attr->mr_mode */
	size_t tx_size;	    /* tx_attr->size */
	size_t inject_size; /* tx_attr->inject_size */
	size_t max_msg;	    /* ep_attr->max_msg_size */
	size_t ctx_cnt;	    /* tx/rx ctx, cq and ep counts */
	int getinfo_err;    /* fi_getinfo fails with -this */
	int refuse;	    /* connect: error event with this errno */
	int eagain;	    /* this many posts fail with -FI_EAGAIN */
	int cq_err;	    /* the next completion is this error */
	int stall;	    /* accept posts, complete nothing */
	int shutdown;	    /* post an FI_SHUTDOWN event on next read */
	uint64_t mr_key;    /* keys handed out start here */
};

extern struct fake_cfg Fake;
extern struct fake_op Fake_log[FAKE_LOG_MAX];
extern unsigned Fake_nlog;
extern unsigned Fake_eagains; /* -FI_EAGAIN returned so far */
extern unsigned Fake_open;    /* fids open now (leak check) */
/* connection data of the last fi_connect */
extern unsigned char Fake_cm_data[64];
extern size_t Fake_cm_len;
/* sizes asked for at the last fi_cq_open */
extern size_t Fake_cq_size;
/* access flags of the registrations, in order */
extern uint64_t Fake_mr_access[16];
extern unsigned Fake_nmr;

/* the daemon side: what a client does and what the daemon sent it */
struct fake_sent {
	unsigned char buf[64]; /* the last message sent on the endpoint */
	size_t len;
	unsigned count;
};
extern struct fake_sent Fake_sent[FAKE_MAX_EPS];
extern unsigned Fake_rejects; /* fi_reject calls */
unsigned fake_rejects(void);  /* the same, read under the fake's lock */
/* a connection request on the passive endpoint: data, source address */
int fake_connreq(const void *data, size_t len, const char *from);
/* sends seen on endpoint ep; the last one's first len bytes into buf */
unsigned fake_sent(unsigned ep, void *buf, size_t len);
/* a message from the client into endpoint ep's posted receive */
int fake_deliver(unsigned ep, const void *buf, size_t len);

/* defaults (sockets-like, every count 16) and an empty log */
void fake_reset(void);

#endif /* TEST_FAKE_FABRIC_H */
