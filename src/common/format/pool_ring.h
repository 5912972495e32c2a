/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_ring.h -- how the headers of a pool set point at each other, and a
 * pool header seen as rpmem pool attributes
 *
 * The one definition of both for libpmemobj (local and remote replicas) and
 * rpmemd (the parts of a remote pool).
 *
 * Contract:
 * - The parts of a replica form a ring: the header of part i names part
 *   i-1 in prev_part_uuid and part i+1 in next_part_uuid, circularly (a
 *   replica of one part points at itself). The replicas of a set form a
 *   ring the same way through prev/next_repl_uuid, which name the uuid of
 *   part 0 of the neighbouring replica; every header of a replica carries
 *   the same two. pool_ring_prev()/pool_ring_next() give the neighbours'
 *   indices. pool_ring_link() fills uuid and the four links of header i;
 *   pool_ring_part_ok() says whether header i of an array names its
 *   neighbours in the array.
 * - struct rpmem_pool_attr (include/librpmem.h, host byte order) holds the
 *   fields of part 0's header: signature, major, the three feature words,
 *   poolset_uuid, uuid, prev/next_repl_uuid, and as user_flags the header's
 *   arch flags (16 bytes, as stored). pool_attr_from_hdr() and
 *   pool_hdr_from_attr() convert; pool_hdr_from_attr() leaves every other
 *   field (part links, crtime, sds, checksum) as it was.
 * - Nothing here reads or writes files or allocates.
 */
#ifndef COMMON_POOL_RING_H
#define COMMON_POOL_RING_H 1

#include "format/pool_hdr.h"
#include "librpmem.h"

_Static_assert(sizeof(((struct rpmem_pool_attr *)0)->user_flags) ==
		       sizeof(struct pool_hdr_arch),
	"the user flags are the arch flags");

static inline unsigned
pool_ring_prev(unsigned i, unsigned n)
{
	return (i + n - 1) % n;
}

static inline unsigned
pool_ring_next(unsigned i, unsigned n)
{
	return (i + 1) % n;
}

/* uuids[0..n-1]: the part uuids of the replica, h: its header of part i */
void pool_ring_link(struct pool_hdr *h,
	const uint8_t (*uuids)[POOL_HDR_UUID_LEN], unsigned n, unsigned i,
	const uint8_t *prev_repl, const uint8_t *next_repl);

/* ring[0..n-1]: the headers of a replica's parts; 1 when ring[i] is linked */
int pool_ring_part_ok(const struct pool_hdr *ring, unsigned n, unsigned i);

void pool_attr_from_hdr(struct rpmem_pool_attr *a, const struct pool_hdr *h);
void pool_hdr_from_attr(struct pool_hdr *h, const struct rpmem_pool_attr *a);

#endif /* COMMON_POOL_RING_H */
