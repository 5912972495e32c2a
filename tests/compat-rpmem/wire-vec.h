/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-vec.h -- the pieces of the wire-vec tool: .vec conversations,
 * the fabric lanes a replay connects, the field-by-field comparison
 */
#ifndef TESTS_WIRE_VEC_H
#define TESTS_WIRE_VEC_H 1

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rpmem_proto.h"

enum vkind { V_ARGV, V_C2D, V_D2C, V_EXIT };

struct ventry {
	enum vkind kind;
	size_t len;
	unsigned char *buf; /* text for V_ARGV and V_EXIT (NUL-terminated) */
};

struct vec {
	size_t n;
	struct ventry e[64];
};

void vec_read(const char *path, struct vec *v);
void vec_write(FILE *f, const struct vec *v);
void vec_free(struct vec *v);

/*
 * 0 if got matches ref up to the fields that vary per run, else 1;
 * our_client / our_daemon allow our documented extensions on that side
 */
int vec_compare(
	const char *refp, const char *gotp, int our_client, int our_daemon);

static inline uint32_t
be32_at(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return be32toh(v);
}

static inline uint64_t
be64_at(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

/* the client's fabric endpoints of one session */
struct lanes {
	void *fabric, *domain, *eq, *info;
	unsigned n;
	void *ep[64], *cq[64];
};

/* connects n lanes to 127.0.0.1:port with provider id prov; 0 or -1 */
int lanes_connect(struct lanes *l, uint32_t prov, uint32_t port, unsigned n,
	const void *secret, size_t slen);
/* shuts every lane down and frees the fabric objects (idempotent) */
void lanes_close(struct lanes *l);

#endif /* TESTS_WIRE_VEC_H */
