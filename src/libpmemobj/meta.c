/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meta.c -- a pool's metadata: its header (through the format layer), the
 * descriptor (create, verify), the body of a new pool, the checks of open
 * and check, and the boot of an opened pool
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "backing.h"
#include "format/checksum.h"
#include "format/pool_hdr.h"
#include "format/uuid.h"
#include "heap.h"
#include "layout.h"
#include "log.h"
#include "meta.h"
#include "replica.h"
#include "ulog.h"

static const struct pool_hdr_expect Obj_hdr = {
	.signature = OBJ_SIGNATURE,
	.major = OBJ_FORMAT_MAJOR,
	.known_incompat = OBJ_INCOMPAT_KNOWN,
};

/* header checks with the expectations `want`, the message set on failure */
static int
hdr_verify_as(const struct pool_hdr *h, const struct pool_hdr_expect *want)
{
	char why[256];
	if (pool_hdr_validate(h, want, why, sizeof(why)) != 0) {
		ERR("%s", why);
		return -EINVAL;
	}
	return 0;
}

/* a pool file of its own: every link points at the header itself */
int
obj_hdr_verify_single(const struct pool_hdr *h)
{
	struct pool_hdr_expect single = Obj_hdr;
	single.single_part = 1;
	int ret = hdr_verify_as(h, &single);
	if (ret)
		return ret;
	if (h->incompat & POOL_FEAT_SINGLEHDR) {
		ERR("poolset file options (none) do not match incompat "
		    "feature flags (0x%x)",
			h->incompat);
		return -EINVAL;
	}
	return 0;
}

void
obj_sds_set_dirty(struct obj_backing *p, int dirty)
{
	struct pool_hdr *h = (struct pool_hdr *)p->base;
	if (!(h->incompat & POOL_FEAT_SDS))
		return;
	struct pool_hdr_sds *s = &h->sds;
	if (s->checksum != pool_hdr_sds_checksum(s) &&
		!(s->usc == 0 && s->uuid == 0 && s->checksum == 0)) {
		memset(s, 0, sizeof(*s));
	}
	s->dirty = (uint8_t)dirty;
	s->checksum = pool_hdr_sds_checksum(s);
	obj_persist(p, s, sizeof(*s));
}

/* d: the pool's descriptor, or a copy with redo log entries applied */
static int
desc_verify_at(
	struct obj_backing *p, const struct obj_desc *d, const char *layout)
{
	if (d->checksum != csum_compute(d, DESC_CSUM_LEN, DESC_CSUM_LEN - 8,
				   DESC_CSUM_LEN)) {
		ERR("invalid checksum of pool descriptor");
		return -EINVAL;
	}
	if (layout && strncmp(d->layout, layout, PMEMOBJ_MAX_LAYOUT) != 0) {
		ERR("wrong layout (\"%s\"), pool created with layout "
		    "\"%.1023s\"",
			layout, d->layout);
		return -EINVAL;
	}
	if (d->heap_offset % 4096) {
		ERR("unaligned heap: off %llu",
			(unsigned long long)d->heap_offset);
		return -EINVAL;
	}
	/* sanity checks PMDK leaves out: everything inside the file, the
	 * 8-byte words of the logs aligned */
	if (d->nlanes == 0 || d->lanes_offset < VOLATILE_END ||
		d->lanes_offset % 8 || d->lanes_offset > p->size ||
		d->nlanes > (p->size - d->lanes_offset) / LANE_SIZE ||
		d->lanes_offset + d->nlanes * LANE_SIZE > d->heap_offset ||
		p->size < HEAP_MIN_SIZE ||
		d->heap_offset > p->size - HEAP_MIN_SIZE) {
		ERR("pool descriptor out of range: lanes at %llu x %llu, heap "
		    "at %llu, pool size %zu",
			(unsigned long long)d->lanes_offset,
			(unsigned long long)d->nlanes,
			(unsigned long long)d->heap_offset, p->size);
		return -EINVAL;
	}
	if (d->heap_size > p->size - d->heap_offset) {
		ERR("pool initialization failed: heap size %llu larger than "
		    "the pool allows (%zu)",
			(unsigned long long)d->heap_size,
			p->size - (size_t)d->heap_offset);
		return -EINVAL;
	}
	/* the last zone's size comes from heap_size: it needs a chunk */
	uint64_t nz = obj_heap_nzones(p->size - d->heap_offset);
	uint64_t need =
		HEAP_HDR_SIZE + (nz - 1) * ZONE_MAX_SIZE + ZONE_MIN_SIZE;
	if (d->heap_size != 0 && d->heap_size < need) {
		ERR("pool initialization failed: heap size %llu smaller than "
		    "the %llu bytes its zones need",
			(unsigned long long)d->heap_size,
			(unsigned long long)need);
		return -EINVAL;
	}
	/* the root object is handed out and copied from as stored: it must
	 * lie in the heap */
	if (d->root_offset != 0 &&
		(d->root_offset < d->heap_offset + HEAP_HDR_SIZE ||
			d->root_offset > p->size ||
			d->root_size > p->size - d->root_offset)) {
		ERR("pool descriptor: root object out of range: offset %llu "
		    "size %llu, pool size %zu",
			(unsigned long long)d->root_offset,
			(unsigned long long)d->root_size, p->size);
		return -EINVAL;
	}
	return 0;
}

int
obj_desc_verify(struct obj_backing *p, const char *layout)
{
	return desc_verify_at(p, OBJ_DESC(p->base), layout);
}

/*
 * Every check of open and check after the header(s), the lanes' recovery
 * tried on a copy: nothing is written.
 */
int
obj_pool_verify(struct obj_backing *p, const char *layout)
{
	int ret = obj_desc_verify(p, layout);
	if (ret)
		return ret;
	struct obj_desc *d = OBJ_DESC(p->base);
	if (d->run_id % 2) {
		ERR("invalid run_id %llu", (unsigned long long)d->run_id);
		return -EINVAL;
	}
	ret = obj_heap_verify(p);
	/* every lane is checked before any redo log is replayed, so a pool
	 * refused for one lane is left exactly as it was; so is one whose
	 * descriptor the replay would leave out of range */
	struct obj_desc shadow;
	memcpy(&shadow, d, sizeof(shadow));
	if (ret == 0)
		ret = obj_lanes_recover(p, 0, &shadow);
	if (ret == 0)
		ret = desc_verify_at(p, &shadow, layout);
	return ret;
}

int
obj_pool_recover(struct obj_backing *p)
{
	return obj_lanes_recover(p, 1, NULL);
}

void
obj_pool_boot(struct obj_backing *p)
{
	struct obj_desc *d = OBJ_DESC(p->base);
	memset(p->base + VOLATILE_OFF, 0, VOLATILE_END - VOLATILE_OFF);
	d->run_id += 2;
	if (d->run_id == 0)
		d->run_id += 2;
	obj_persist(p, &d->run_id, sizeof(d->run_id));
	if (d->heap_size == 0) {
		d->heap_size = p->size - d->heap_offset;
		obj_persist(p, &d->heap_size, sizeof(d->heap_size));
	}
	d->conversion_flags = 0;
	obj_persist(p, &d->conversion_flags, sizeof(d->conversion_flags));
	obj_sds_set_dirty(p, 1);
}

void
obj_hdr_create(struct obj_backing *p, int fd)
{
	struct pool_hdr *h = (struct pool_hdr *)p->base;
	struct stat st;
	pool_hdr_init(
		h, OBJ_SIGNATURE, OBJ_FORMAT_MAJOR, 0, POOL_FEAT_CKSUM_2K, 0);
	h->crtime = fstat(fd, &st) == 0 ? (uint64_t)st.st_ctime : 0;
	uint8_t id[16];
	uuid_gen(h->poolset_uuid);
	uuid_gen(id);
	memcpy(h->uuid, id, 16);
	memcpy(h->prev_part_uuid, id, 16);
	memcpy(h->next_part_uuid, id, 16);
	memcpy(h->prev_repl_uuid, id, 16);
	memcpy(h->next_repl_uuid, id, 16);
	pool_hdr_csum_set(h);
	obj_persist(p, h, sizeof(*h));
}

void
obj_body_create(struct obj_backing *p, const char *layout)
{
	struct obj_desc *d = OBJ_DESC(p->base);
	memset(p->base + VOLATILE_OFF, 0, VOLATILE_END - VOLATILE_OFF);
	memset(d, 0, sizeof(*d));
	if (layout)
		strncpy(d->layout, layout, PMEMOBJ_MAX_LAYOUT - 1);
	d->lanes_offset = LANES_OFFSET;
	d->nlanes = OBJ_NLANES;
	obj_lanes_init(p);
	d->heap_offset = (LANES_OFFSET + OBJ_NLANES * LANE_SIZE + 4095) &
			 ~(uint64_t)4095;
	struct heap_hdr *hh = (struct heap_hdr *)(p->base + d->heap_offset);
	obj_heap_hdr_fill(hh);
	obj_persist(p, hh, sizeof(*hh));
	d->heap_size = p->size - d->heap_offset;
	/* zone headers and first chunk headers stay zero: lazily set up */
	uint64_t nz = obj_nzones(p);
	for (uint64_t z = 0; z < nz; z++) {
		uint8_t *zone = obj_zone(p, z);
		memset(zone, 0,
			sizeof(struct zone_hdr) + sizeof(struct chunk_hdr));
		obj_persist(p, zone,
			sizeof(struct zone_hdr) + sizeof(struct chunk_hdr));
	}
	d->checksum = csum_compute(
		d, DESC_CSUM_LEN, DESC_CSUM_LEN - 8, DESC_CSUM_LEN);
	obj_persist(p, d, sizeof(*d));
}

/* the pool set's part of the work: what an object pool's headers hold */
void
obj_set_ctx_init(struct obj_set_ctx *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	c->hdr = Obj_hdr;
	c->new_incompat = POOL_FEAT_CKSUM_2K;
	c->shared_off = DESC_OFF;
	c->shared_len = DESC_CSUM_LEN;
	c->gen_off = DESC_OFF + offsetof(struct obj_desc, run_id);
}

/* as PMDK: the master's lanes are copied to every replica */
int
obj_lanes_mirror(struct obj_backing *p)
{
	const struct obj_desc *d = OBJ_DESC(p->base);
	if (obj_rep_sync(p, p->base + d->lanes_offset, d->nlanes * LANE_SIZE, 0,
		    OBJ_REP_PERSIST))
		return -errno;
	return 0;
}
