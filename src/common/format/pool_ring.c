/* SPDX-License-Identifier: BSD-3-Clause */
/* pool_ring.c -- header links of a pool set, headers as pool attributes */
#include <endian.h>
#include <string.h>

#include "format/pool_ring.h"

void
pool_ring_link(struct pool_hdr *h, const uint8_t (*uuids)[POOL_HDR_UUID_LEN],
	unsigned n, unsigned i, const uint8_t *prev_repl,
	const uint8_t *next_repl)
{
	memcpy(h->uuid, uuids[i], POOL_HDR_UUID_LEN);
	memcpy(h->prev_part_uuid, uuids[pool_ring_prev(i, n)],
		POOL_HDR_UUID_LEN);
	memcpy(h->next_part_uuid, uuids[pool_ring_next(i, n)],
		POOL_HDR_UUID_LEN);
	memcpy(h->prev_repl_uuid, prev_repl, POOL_HDR_UUID_LEN);
	memcpy(h->next_repl_uuid, next_repl, POOL_HDR_UUID_LEN);
}

int
pool_ring_part_ok(const struct pool_hdr *ring, unsigned n, unsigned i)
{
	const struct pool_hdr *h = &ring[i];
	return memcmp(h->prev_part_uuid, ring[pool_ring_prev(i, n)].uuid,
		       POOL_HDR_UUID_LEN) == 0 &&
	       memcmp(h->next_part_uuid, ring[pool_ring_next(i, n)].uuid,
		       POOL_HDR_UUID_LEN) == 0;
}

void
pool_attr_from_hdr(struct rpmem_pool_attr *a, const struct pool_hdr *h)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, h->signature, sizeof(a->signature));
	a->major = le32toh(h->major);
	a->compat_features = le32toh(h->compat);
	a->incompat_features = le32toh(h->incompat);
	a->ro_compat_features = le32toh(h->ro_compat);
	memcpy(a->poolset_uuid, h->poolset_uuid, POOL_HDR_UUID_LEN);
	memcpy(a->uuid, h->uuid, POOL_HDR_UUID_LEN);
	memcpy(a->next_uuid, h->next_repl_uuid, POOL_HDR_UUID_LEN);
	memcpy(a->prev_uuid, h->prev_repl_uuid, POOL_HDR_UUID_LEN);
	memcpy(a->user_flags, &h->arch, sizeof(a->user_flags));
}

void
pool_hdr_from_attr(struct pool_hdr *h, const struct rpmem_pool_attr *a)
{
	memcpy(h->signature, a->signature, sizeof(h->signature));
	h->major = htole32(a->major);
	h->compat = htole32(a->compat_features);
	h->incompat = htole32(a->incompat_features);
	h->ro_compat = htole32(a->ro_compat_features);
	memcpy(h->poolset_uuid, a->poolset_uuid, POOL_HDR_UUID_LEN);
	memcpy(h->uuid, a->uuid, POOL_HDR_UUID_LEN);
	memcpy(h->next_repl_uuid, a->next_uuid, POOL_HDR_UUID_LEN);
	memcpy(h->prev_repl_uuid, a->prev_uuid, POOL_HDR_UUID_LEN);
	memcpy(&h->arch, a->user_flags, sizeof(h->arch));
}
