/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap.c -- the heap of an object pool: its header, zones and chunk
 * headers, their checks and their set-up
 */
#include <errno.h>
#include <string.h>

#include "format/checksum.h"
#include "heap.h"
#include "layout.h"
#include "log.h"
#include "backing.h"

uint64_t
obj_heap_nzones(uint64_t heap_size)
{
	uint64_t s = heap_size - HEAP_HDR_SIZE, n = 0;
	while (s >= ZONE_MIN_SIZE) {
		n++;
		s -= s < ZONE_MAX_SIZE ? s : ZONE_MAX_SIZE;
	}
	return n;
}

uint8_t *
obj_zone(struct obj_backing *p, uint64_t z)
{
	return p->base + OBJ_DESC(p->base)->heap_offset + HEAP_HDR_SIZE +
	       z * ZONE_MAX_SIZE;
}

uint32_t
obj_zone_size_idx(struct obj_backing *p, uint64_t z)
{
	uint64_t hs = OBJ_DESC(p->base)->heap_size;
	uint64_t nz = obj_heap_nzones(p->size - OBJ_DESC(p->base)->heap_offset);
	if (z + 1 < nz)
		return (uint32_t)MAX_CHUNK;
	return (uint32_t)((hs - z * ZONE_MAX_SIZE - ZONE_META_SIZE -
				  HEAP_HDR_SIZE) /
			  CHUNKSIZE);
}

uint64_t
obj_nzones(struct obj_backing *p)
{
	return obj_heap_nzones(p->size - OBJ_DESC(p->base)->heap_offset);
}

void
obj_heap_hdr_fill(struct heap_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, HEAP_SIGNATURE, sizeof(HEAP_SIGNATURE));
	h->major = 1;
	h->minor = 0;
	h->chunksize = CHUNKSIZE;
	h->chunks_per_zone = MAX_CHUNK;
	h->checksum = csum_compute(h, sizeof(*h), sizeof(*h) - 8, sizeof(*h));
}

int
obj_heap_verify(struct obj_backing *p)
{
	struct obj_desc *d = OBJ_DESC(p->base);
	uint64_t region = p->size - d->heap_offset;
	if (region < HEAP_MIN_SIZE) {
		ERR("heap: too small (%llu bytes)", (unsigned long long)region);
		return -EINVAL;
	}
	struct heap_hdr want;
	obj_heap_hdr_fill(&want);
	struct heap_hdr *h = (struct heap_hdr *)(p->base + d->heap_offset);
	if (h->checksum !=
		csum_compute(h, sizeof(*h), sizeof(*h) - 8, sizeof(*h))) {
		ERR("heap: invalid header's checksum");
		return -EINVAL;
	}
	if (memcmp(h->signature, want.signature, sizeof(want.signature))) {
		ERR("heap: invalid signature");
		return -EINVAL;
	}
	if (d->heap_size == 0)
		return 0; /* repaired at open, zones not used yet */
	uint64_t nz = obj_nzones(p);
	for (uint64_t z = 0; z < nz; z++) {
		struct zone_hdr *zh = (struct zone_hdr *)obj_zone(p, z);
		if (zh->magic == 0)
			continue;
		if (zh->magic != ZONE_MAGIC) {
			ERR("heap: invalid zone magic (zone %llu)",
				(unsigned long long)z);
			return -EINVAL;
		}
		/* a zone's chunks must lie in the mapping: the allocator
		 * writes to every chunk the zone claims */
		uint64_t zone_end = p->size - (size_t)((uint8_t *)zh - p->base);
		uint64_t fit = (zone_end - ZONE_META_SIZE) / CHUNKSIZE;
		if (zh->size_idx == 0 || zh->size_idx > MAX_CHUNK ||
			zh->size_idx > fit) {
			ERR("heap: invalid zone size %u (zone %llu holds at "
			    "most %llu chunks)",
				zh->size_idx, (unsigned long long)z,
				(unsigned long long)(fit < MAX_CHUNK
							     ? fit
							     : MAX_CHUNK));
			return -EINVAL;
		}
		struct chunk_hdr *ch = (struct chunk_hdr *)(zh + 1);
		uint32_t c = 0;
		while (c < zh->size_idx) {
			if (ch[c].type == CHUNK_UNKNOWN ||
				ch[c].type >= MAX_CHUNK_TYPE) {
				ERR("heap: invalid chunk type (zone %llu, "
				    "chunk %u)",
					(unsigned long long)z, c);
				return -EINVAL;
			}
			if (ch[c].flags & ~CHUNK_FLAGS_ALL) {
				ERR("heap: invalid chunk flags (zone %llu, "
				    "chunk %u)",
					(unsigned long long)z, c);
				return -EINVAL;
			}
			if (ch[c].size_idx == 0)
				break;
			c += ch[c].size_idx;
		}
		if (c != zh->size_idx) {
			ERR("heap: chunk sizes mismatch (zone %llu)",
				(unsigned long long)z);
			return -EINVAL;
		}
	}
	return 0;
}
