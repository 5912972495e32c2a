/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmemd_hdr.h -- the 4096-byte pool headers rpmemd writes into the parts of
 * a remote pool set, built from and turned back into rpmem attributes
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

#include "poolset.h"
#include "rpmem_proto.h"

#define RPMEMD_HDR_INCOMPAT_SINGLEHDR 0x1U
#define RPMEMD_HDR_INCOMPAT_CKSUM_2K 0x2U

struct rpmemd_pool_hdr {
	char signature[8];
	uint32_t major;
	uint32_t compat;
	uint32_t incompat;
	uint32_t ro_compat;
	unsigned char poolset_uuid[16];
	unsigned char uuid[16];
	unsigned char prev_part_uuid[16];
	unsigned char next_part_uuid[16];
	unsigned char prev_repl_uuid[16];
	unsigned char next_repl_uuid[16];
	uint64_t crtime;
	unsigned char arch_flags[16];
	unsigned char unused[1904];
	unsigned char unused2[1976];
	unsigned char sds[64];
	uint64_t checksum;
} __attribute__((packed));

_Static_assert(sizeof(struct rpmemd_pool_hdr) == 4096, "pool hdr");

/* Fletcher-64 of the header (checksum field and the tail beyond the
 * checksummed length count as zero) */
uint64_t rpmemd_hdr_checksum(const struct rpmemd_pool_hdr *h);

void rpmemd_hdr_host_arch_flags(unsigned char flags[16]);

int rpmemd_hdr_create(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr);
int rpmemd_hdr_check(const struct poolset *set, const struct poolset_map *m,
	struct rpmem_pool_attr_packed *attr);
int rpmemd_hdr_set_attr(const struct poolset *set, const struct poolset_map *m,
	const struct rpmem_pool_attr_packed *attr);

#endif /* RPMEMD_HDR_H */
