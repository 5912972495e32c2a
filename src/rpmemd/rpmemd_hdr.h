/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd_hdr.h -- the pool headers rpmemd writes into the parts of a remote
 * pool set, built from and turned back into rpmem attributes
 *
 * The header itself (struct pool_hdr, checksum, arch flags, uuids), the
 * links between the headers and the mapping between a header and struct
 * rpmem_pool_attr are the format layer's (src/common/format/pool_hdr.h,
 * pool_ring.h); this module fills in what a client left zero and reads and
 * writes the headers of a set.
 *
 * Contract (doc/protocol.md §6): rpmemd_hdr_create()
 * checks that attributes and the set's header options agree, that every
 * header page to be written is all zero (-EEXIST otherwise), and writes
 * linked headers with a Fletcher-64 checksum; zero UUIDs are generated.
 * rpmemd_hdr_check() verifies every header of an opened pool and returns
 * part 0's attributes (all zero for a NOHDRS set). rpmemd_hdr_set_attr()
 * rewrites the headers. All return 0 or a negative errno.
 */
#ifndef RPMEMD_HDR_H
#define RPMEMD_HDR_H 1

#include <stddef.h>
#include <stdint.h>

#include "format/pool_hdr.h"
#include "poolset.h"
#include "rpmem_proto.h"

int rpmemd_hdr_create(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr);
int rpmemd_hdr_check(const struct poolset *set, const struct poolset_map *m,
	struct rpmem_pool_attr_packed *attr);
int rpmemd_hdr_set_attr(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr);

#endif /* RPMEMD_HDR_H */
