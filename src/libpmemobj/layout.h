/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * layout.h -- on-media layout of a pmemobj pool (PMDK 1.12.1 format 6)
 * after its pool header: descriptor, lanes with their logs, heap header,
 * zones and chunk headers. The pool header itself (struct pool_hdr, its
 * checksum and checks) is src/common/format/pool_hdr.h. All integers are
 * little-endian; this code runs on little-endian machines only (asserted
 * in pool.c).
 */
#ifndef LIBPMEMOBJ_LAYOUT_H
#define LIBPMEMOBJ_LAYOUT_H 1

#include <stdint.h>

#include "format/pool_hdr.h"

#define OBJ_SIGNATURE "PMEMOBJ"
#define OBJ_FORMAT_MAJOR 6
/* the incompat features of the pool header (format/pool_hdr.h) an object
 * pool may carry */
#define OBJ_INCOMPAT_KNOWN \
	(POOL_FEAT_SINGLEHDR | POOL_FEAT_CKSUM_2K | POOL_FEAT_SDS)

/* descriptor: 0x1000 .. 0x1A20 */
#define DESC_OFF 0x1000
#define DESC_CSUM_LEN 2048
struct obj_desc {
	char layout[1024];
	uint64_t lanes_offset;
	uint64_t nlanes;
	uint64_t heap_offset;
	uint64_t unused3;
	uint8_t unused[984];
	uint64_t checksum;
	/* not checksummed */
	uint64_t root_offset;
	uint64_t run_id;
	uint64_t root_size;
	uint64_t conversion_flags;
	uint64_t heap_size;
	uint64_t heap_curr_allocated;
	uint8_t pmem_reserved[496];
};
/* the descriptor of the pool mapped at base */
#define OBJ_DESC(base) ((struct obj_desc *)((uint8_t *)(base) + DESC_OFF))
#define VOLATILE_OFF 0x1A20
#define VOLATILE_END 0x2000

#define OBJ_NLANES 1024
#define LANE_SIZE 3072
#define LANES_OFFSET 0x2000
#define LANE_INTERNAL_OFF 0
#define LANE_EXTERNAL_OFF 256
#define LANE_UNDO_OFF 960
#define LANE_INTERNAL_CAP 192
#define LANE_EXTERNAL_CAP 640
#define LANE_UNDO_CAP 2048

struct ulog_hdr {
	uint64_t checksum;
	uint64_t next;
	uint64_t capacity;
	uint64_t gen_num;
	uint64_t flags;
	uint8_t unused[24];
};

#define ULOG_OP_MASK (7ULL << 61)
#define ULOG_OP_SET (0ULL << 61)
#define ULOG_OP_AND (1ULL << 61)
#define ULOG_OP_OR (2ULL << 61)
#define ULOG_OP_BUF_SET (5ULL << 61)
#define ULOG_OP_BUF_CPY (6ULL << 61)

/* heap */
#define HEAP_HDR_SIZE 1024
#define HEAP_SIGNATURE "MEMORY_HEAP_HDR"
#define CHUNKSIZE 262144ULL
#define MAX_CHUNK 65528ULL
#define ZONE_META_SIZE 524288ULL
#define ZONE_MAX_SIZE (ZONE_META_SIZE + MAX_CHUNK * CHUNKSIZE)
#define ZONE_MIN_SIZE (ZONE_META_SIZE + CHUNKSIZE)
#define HEAP_MIN_SIZE (HEAP_HDR_SIZE + ZONE_MIN_SIZE)
#define ZONE_MAGIC 0xC3F0A2D2U

struct heap_hdr {
	char signature[16];
	uint64_t major;
	uint64_t minor;
	uint64_t unused;
	uint64_t chunksize;
	uint64_t chunks_per_zone;
	uint8_t reserved[960];
	uint64_t checksum;
};

struct zone_hdr {
	uint32_t magic;
	uint32_t size_idx;
	uint8_t reserved[56];
};

struct chunk_hdr {
	uint16_t type;
	uint16_t flags;
	uint32_t size_idx;
};

enum chunk_type {
	CHUNK_UNKNOWN,
	CHUNK_FOOTER,
	CHUNK_FREE,
	CHUNK_USED,
	CHUNK_RUN,
	CHUNK_RUN_DATA,
	MAX_CHUNK_TYPE,
};
#define CHUNK_FLAG_COMPACT_HEADER 0x1
#define CHUNK_FLAGS_ALL 0xF

#define ALLOC_HDR_COMPACT 16
#define OBJ_INTERNAL_FLAG 0x8000ULL

_Static_assert(sizeof(struct obj_desc) == VOLATILE_OFF - DESC_OFF, "desc");
_Static_assert(sizeof(struct ulog_hdr) == 64, "ulog hdr");
_Static_assert(sizeof(struct heap_hdr) == HEAP_HDR_SIZE, "heap hdr");
_Static_assert(sizeof(struct zone_hdr) == 64, "zone hdr");
_Static_assert(sizeof(struct chunk_hdr) == 8, "chunk hdr");

#endif /* LIBPMEMOBJ_LAYOUT_H */
