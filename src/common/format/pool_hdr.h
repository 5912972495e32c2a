/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool_hdr.h -- the 4096-byte pool header at offset 0 of every pool part
 *
 * The one definition of the header in the tree: libpmemobj (object pools,
 * local parts and replicas) and rpmemd (the parts of remote pools) build
 * and check their headers with it.
 *
 * Contract: one struct for every kind of pool (the signature, major version
 * and known feature bits are parameters: "PMEMOBJ" for obj pools, the rpmem
 * pool attribute signature for remote pools). A header in memory or on media
 * is always kept in little-endian form; pool_hdr_h2le()/pool_hdr_le2h()
 * convert the fields that are wider than a byte (major, the three feature
 * words, crtime, alignment_desc, machine, checksum) for callers that want
 * host order. Every other function takes the little-endian form.
 *
 * - pool_hdr_init() zeroes the header and fills signature, major, features
 *   and the running machine's arch flags; the caller fills the uuids and
 *   crtime and then calls pool_hdr_csum_set().
 * - The checksum covers 4096 bytes with the checksum field as zero; with
 *   incompat CKSUM_2K (0x2) everything from 0x800 on counts as zero too.
 * - pool_hdr_validate() checks, in PMDK's order, major != 0, signature,
 *   major, unknown incompat bits, ro_compat bits, checksum, arch flags, the
 *   shutdown state (with incompat SDS: a dirty state with a valid checksum
 *   on a device that reports a shutdown count is an ADR failure; a state
 *   with a bad checksum counts as none) and the single-part uuid links (if
 *   asked). It returns 0 or a negative errno
 *   (-EINVAL for every failed check) and writes a reason naming the field
 *   (and value) into the caller's buffer. It never prints.
 * - Nothing here reads or writes files.
 */
#ifndef COMMON_POOL_HDR_H
#define COMMON_POOL_HDR_H 1

#include <stddef.h>
#include <stdint.h>

#define POOL_HDR_SIZE 4096
#define POOL_HDR_SIG_LEN 8
#define POOL_HDR_UUID_LEN 16
#define POOL_HDR_CSUM_OFF 0xFF8
#define POOL_HDR_CSUM_2K_OFF 0x800

/* feature bits */
#define POOL_FEAT_CHECK_BAD_BLOCKS 0x1U /* compat */
#define POOL_FEAT_SINGLEHDR 0x1U	/* incompat */
#define POOL_FEAT_CKSUM_2K 0x2U		/* incompat */
#define POOL_FEAT_SDS 0x4U		/* incompat */

struct pool_hdr_arch {
	uint64_t alignment_desc;
	uint8_t machine_class;
	uint8_t data;
	uint8_t reserved[4];
	uint16_t machine;
};

struct pool_hdr_sds {
	uint64_t usc;
	uint64_t uuid;
	uint8_t dirty;
	uint8_t reserved[39];
	uint64_t checksum;
};

struct pool_hdr {
	char signature[POOL_HDR_SIG_LEN];
	uint32_t major;
	uint32_t compat;
	uint32_t incompat;
	uint32_t ro_compat;
	uint8_t poolset_uuid[POOL_HDR_UUID_LEN];
	uint8_t uuid[POOL_HDR_UUID_LEN];
	uint8_t prev_part_uuid[POOL_HDR_UUID_LEN];
	uint8_t next_part_uuid[POOL_HDR_UUID_LEN];
	uint8_t prev_repl_uuid[POOL_HDR_UUID_LEN];
	uint8_t next_repl_uuid[POOL_HDR_UUID_LEN];
	uint64_t crtime;
	struct pool_hdr_arch arch;
	uint8_t unused[1904];
	uint8_t unused2[1976];
	struct pool_hdr_sds sds;
	uint64_t checksum;
};

_Static_assert(sizeof(struct pool_hdr) == POOL_HDR_SIZE, "pool_hdr size");
_Static_assert(offsetof(struct pool_hdr, sds) == 0xFB8, "pool_hdr sds");
_Static_assert(offsetof(struct pool_hdr, checksum) == POOL_HDR_CSUM_OFF,
	"pool_hdr checksum");

/* what a caller expects of a header */
struct pool_hdr_expect {
	const char *signature;	 /* up to 8 bytes, zero padded */
	uint32_t major;		 /* required major version */
	uint32_t known_incompat; /* incompat bits the caller understands */
	int single_part; /* require every uuid link to point to itself */
};

void pool_hdr_init(struct pool_hdr *h, const char *signature, uint32_t major,
	uint32_t compat, uint32_t incompat, uint32_t ro_compat);

/* arch flags of the running machine (little-endian form) */
void pool_hdr_arch_local(struct pool_hdr_arch *a);

uint64_t pool_hdr_checksum(const struct pool_hdr *h);
void pool_hdr_csum_set(struct pool_hdr *h);
int pool_hdr_csum_ok(const struct pool_hdr *h);

/* the sds checksum (64 bytes, checksum field at +56) */
uint64_t pool_hdr_sds_checksum(const struct pool_hdr_sds *s);

void pool_hdr_h2le(struct pool_hdr *h);
void pool_hdr_le2h(struct pool_hdr *h);

/* 1 when all 4096 bytes are zero (a header may be written there) */
int pool_hdr_is_zero(const struct pool_hdr *h);

/* xor of the two 8-byte halves of poolset_uuid, read big-endian */
uint64_t pool_hdr_uuid_lo(const uint8_t poolset_uuid[POOL_HDR_UUID_LEN]);

int pool_hdr_validate(const struct pool_hdr *h,
	const struct pool_hdr_expect *want, char *reason, size_t reason_len);

#endif /* COMMON_POOL_HDR_H */
