/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-attr.h -- the constant pool attributes the wire test programs send,
 * so that nothing in their requests depends on the run
 */
#ifndef TESTS_WIRE_ATTR_H
#define TESTS_WIRE_ATTR_H 1

#include <stdint.h>
#include <string.h>

#include <librpmem.h>

/*
 * sig (at most 7 characters), major, uuids of 0x11/0x22/0x33/0x44 bytes,
 * user flags of tag bytes; no feature bits, which PMDK's rpmemd checks
 * against the pool set
 */
static inline void
wire_attr(struct rpmem_pool_attr *a, const char *sig, uint32_t major,
	unsigned char tag)
{
	memset(a, 0, sizeof(*a));
	size_t n = strlen(sig);
	memcpy(a->signature, sig,
		n < RPMEM_POOL_HDR_SIG_LEN ? n : RPMEM_POOL_HDR_SIG_LEN - 1);
	a->major = major;
	memset(a->poolset_uuid, 0x11, RPMEM_POOL_HDR_UUID_LEN);
	memset(a->uuid, 0x22, RPMEM_POOL_HDR_UUID_LEN);
	memset(a->next_uuid, 0x33, RPMEM_POOL_HDR_UUID_LEN);
	memset(a->prev_uuid, 0x44, RPMEM_POOL_HDR_UUID_LEN);
	memset(a->user_flags, tag, RPMEM_POOL_USER_FLAGS_LEN);
}

#endif /* TESTS_WIRE_ATTR_H */
