/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * root.c -- the root object: a huge block of whole chunks, taken from the
 * first free block of a zone large enough, committed through lane 0's
 * external redo log exactly as PMDK commits its own allocations
 */
#include <errno.h>
#include <string.h>

#include "format/checksum.h"
#include "layout.h"
#include "log.h"
#include "backing.h"
#include "heap.h"
#include "pool.h"
#include "ulog.h"

#define OBJ_API __attribute__((visibility("default")))

static uint64_t
chunk_word(uint16_t type, uint16_t flags, uint32_t size_idx)
{
	struct chunk_hdr c = {type, flags, size_idx};
	uint64_t w;
	memcpy(&w, &c, 8);
	return w;
}

static struct chunk_hdr *
chunk_hdrs(struct obj_pool *p, uint64_t z)
{
	return (struct chunk_hdr *)(obj_zone(&p->b, z) +
				    sizeof(struct zone_hdr));
}

/* a zone nobody used yet becomes one free block (safe without a log) */
static void
zone_init(struct obj_pool *p, uint64_t z)
{
	struct zone_hdr *zh = (struct zone_hdr *)obj_zone(&p->b, z);
	uint32_t n = obj_zone_size_idx(&p->b, z);
	struct chunk_hdr *ch = chunk_hdrs(p, z);
	ch[0] = (struct chunk_hdr){CHUNK_FREE, 0, n};
	obj_persist(&p->b, &ch[0], sizeof(ch[0]));
	if (n > 1) {
		ch[n - 1] = (struct chunk_hdr){CHUNK_FOOTER, 0, n};
		obj_persist(&p->b, &ch[n - 1], sizeof(ch[0]));
	}
	zh->size_idx = n;
	zh->magic = ZONE_MAGIC;
	obj_persist(&p->b, zh, sizeof(*zh));
}

/*
 * find n free chunks, joining neighbouring free blocks as PMDK's heap
 * does in memory; splits the free block they come from (the new
 * header of the remainder lies inside a free block, so writing it early is
 * harmless). Returns the pool offset of the first chunk's header in *hdr
 * and of its data in *data, or -ENOMEM.
 */
static int
huge_find(
	struct obj_pool *p, uint32_t n, struct chunk_hdr **hdr, uint64_t *data)
{
	uint64_t nz = obj_nzones(&p->b);
	for (uint64_t z = 0; z < nz; z++) {
		struct zone_hdr *zh = (struct zone_hdr *)obj_zone(&p->b, z);
		if (zh->magic == 0)
			zone_init(p, z);
		struct chunk_hdr *ch = chunk_hdrs(p, z);
		/* the headers were checked at open, but a replayed redo
		 * log may have changed them since: no block may reach past
		 * the chunks the zone has */
		uint32_t lim = obj_zone_size_idx(&p->b, z);
		if (zh->size_idx < lim)
			lim = zh->size_idx;
		for (uint32_t c = 0;
			c < lim && ch[c].size_idx && ch[c].size_idx <= lim - c;
			c += ch[c].size_idx) {
			if (ch[c].type != CHUNK_FREE)
				continue;
			/* free blocks that follow join this one */
			uint32_t have = ch[c].size_idx;
			while (have < n && c + have < lim &&
				ch[c + have].size_idx &&
				ch[c + have].size_idx <= lim - (c + have) &&
				ch[c + have].type == CHUNK_FREE)
				have += ch[c + have].size_idx;
			if (have < n)
				continue;
			if (have != ch[c].size_idx) {
				/* footer first: both lie inside free space */
				ch[c + have - 1] = (struct chunk_hdr){
					CHUNK_FOOTER, 0, have};
				obj_persist(&p->b, &ch[c + have - 1],
					sizeof(ch[0]));
				ch[c].size_idx = have;
				obj_persist(&p->b, &ch[c], sizeof(ch[0]));
			}
			uint32_t rest = ch[c].size_idx - n;
			if (rest) {
				ch[c + n] =
					(struct chunk_hdr){CHUNK_FREE, 0, rest};
				obj_persist(&p->b, &ch[c + n], sizeof(ch[0]));
				if (rest > 1) {
					ch[c + n + rest - 1] =
						(struct chunk_hdr){
							CHUNK_FOOTER, 0, rest};
					obj_persist(&p->b,
						&ch[c + n + rest - 1],
						sizeof(ch[0]));
				}
			}
			*hdr = &ch[c];
			*data = (uint64_t)(obj_zone(&p->b, z) - p->b.base) +
				ZONE_META_SIZE + (uint64_t)c * CHUNKSIZE;
			return 0;
		}
	}
	return -ENOMEM;
}

/* the chunk header of a huge block whose user data is at off, or NULL */
static struct chunk_hdr *
huge_of(struct obj_pool *p, uint64_t off)
{
	struct obj_desc *d = OBJ_DESC(p->b.base);
	uint64_t heap = d->heap_offset + HEAP_HDR_SIZE;
	if (off < heap + ZONE_META_SIZE + ALLOC_HDR_COMPACT || off >= p->b.size)
		return NULL;
	uint64_t z = (off - heap) / ZONE_MAX_SIZE;
	if (z >= obj_nzones(&p->b))
		return NULL;
	uint64_t in = off - heap - z * ZONE_MAX_SIZE;
	if (in < ZONE_META_SIZE + ALLOC_HDR_COMPACT ||
		(in - ZONE_META_SIZE) % CHUNKSIZE != ALLOC_HDR_COMPACT)
		return NULL;
	struct chunk_hdr *ch =
		&chunk_hdrs(p, z)[(in - ZONE_META_SIZE) / CHUNKSIZE];
	return ch->type == CHUNK_USED ? ch : NULL;
}

static PMEMoid
root_alloc(struct obj_pool *p, size_t size)
{
	struct obj_desc *d = OBJ_DESC(p->b.base);
	uint64_t n64 = (size + ALLOC_HDR_COMPACT + CHUNKSIZE - 1) / CHUNKSIZE;
	if (n64 > MAX_CHUNK) {
		ERR("requested size too large: %zu", size);
		errno = ENOMEM;
		return OID_NULL;
	}
	uint32_t n = (uint32_t)n64;
	struct chunk_hdr *hdr;
	uint64_t start;
	if (huge_find(p, n, &hdr, &start) != 0) {
		ERR("out of memory: no %u free chunks for a root of %zu bytes",
			n, size);
		errno = ENOMEM;
		return OID_NULL;
	}
	/* still a free block: header and data are written before the log */
	uint64_t block = (uint64_t)n * CHUNKSIZE;
	uint64_t *ah = (uint64_t *)(p->b.base + start);
	ah[0] = block | OBJ_INTERNAL_FLAG << 48;
	ah[1] = POBJ_ROOT_TYPE_NUM;
	uint8_t *user = p->b.base + start + ALLOC_HDR_COMPACT;
	size_t usable = block - ALLOC_HDR_COMPACT;
	size_t keep = 0;
	if (d->root_offset && d->root_size) {
		keep = d->root_size < size ? d->root_size : size;
		/* a damaged pool's old root may overlap the new block */
		memmove(user, p->b.base + d->root_offset, keep);
	}
	memset(user + keep, 0, usable - keep);
	obj_persist(&p->b, ah, block);

	uint8_t *lane0 = p->b.base + d->lanes_offset;
	struct redo r = {&p->b, (struct ulog_hdr *)(lane0 + LANE_EXTERNAL_OFF),
		lane0 + LANE_EXTERNAL_OFF + sizeof(struct ulog_hdr), 0};
	redo_set(&r, &d->root_size, size);
	redo_set(&r, &d->root_offset, start + ALLOC_HDR_COMPACT);
	redo_set(&r, hdr, chunk_word(CHUNK_USED, CHUNK_FLAG_COMPACT_HEADER, n));
	/* an old root in a huge block goes back to the heap */
	struct chunk_hdr *old =
		d->root_offset ? huge_of(p, d->root_offset) : NULL;
	if (old)
		redo_set(&r, old,
			chunk_word(CHUNK_FREE, old->flags, old->size_idx));
	else if (d->root_offset)
		LOG(LOG_LVL_WARN,
			"old root at %llu is not a huge block; "
			"left allocated",
			(unsigned long long)d->root_offset);
	redo_run(&r);
	if (n > 1) {
		hdr[n - 1] = (struct chunk_hdr){CHUNK_FOOTER, 0, n};
		obj_persist(&p->b, &hdr[n - 1], sizeof(*hdr));
	}
	PMEMoid oid = {p->uuid_lo, d->root_offset};
	return oid;
}

static PMEMoid
root_get(PMEMobjpool *pop, size_t size)
{
	struct obj_pool *p = pop ? obj_pool_of(pop) : NULL;
	if (p == NULL) {
		ERR("invalid pool handle -- %p", (void *)pop);
		errno = EINVAL;
		return OID_NULL;
	}
	if (size > PMEMOBJ_MAX_ALLOC_SIZE) {
		ERR("requested size too large: %zu", size);
		errno = ENOMEM;
		return OID_NULL;
	}
	struct obj_desc *d = OBJ_DESC(p->b.base);
	pthread_mutex_lock(&p->root_lock);
	PMEMoid oid;
	if (size == 0 && d->root_offset == 0) {
		ERR("requested size cannot equals zero");
		errno = EINVAL;
		oid = OID_NULL;
	} else if (size <= d->root_size && d->root_offset != 0) {
		oid = (PMEMoid){p->uuid_lo, d->root_offset};
	} else {
		oid = root_alloc(p, size);
	}
	pthread_mutex_unlock(&p->root_lock);
	return oid;
}

OBJ_API PMEMoid
pmemobj_root(PMEMobjpool *pop, size_t size)
{
	LOG(LOG_LVL_DBG, "pop %p size %zu", (void *)pop, size);
	int e = errno;
	PMEMoid oid = root_get(pop, size);
	/* success leaves errno as it was */
	if (!OID_IS_NULL(oid))
		errno = e;
	return oid;
}

OBJ_API size_t
pmemobj_root_size(PMEMobjpool *pop)
{
	struct obj_pool *p = pop ? obj_pool_of(pop) : NULL;
	if (p == NULL) {
		ERR("invalid pool handle -- %p", (void *)pop);
		errno = EINVAL;
		return 0;
	}
	struct obj_desc *d = OBJ_DESC(p->b.base);
	return d->root_offset && d->root_size ? d->root_size : 0;
}
