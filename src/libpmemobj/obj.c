/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj.c -- pmemobj pools: create, open, check, close, the root object and
 * the registry of open pools
 *
 * The format is PMDK 1.12.1's (layout.h). A pool we create holds the
 * header, the descriptor, 1024 lanes with their log capacities and the heap
 * header; zones are initialised lazily as PMDK does. The root object is a
 * huge block (whole 256 KiB chunks) committed through lane 0's external
 * redo log, so PMDK replays it after a crash and can allocate around it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "badblocks.h"
#include "checksum.h"
#include "file.h"
#include "layout.h"
#include "log.h"
#include "obj.h"
#include "pmem.h"
#include "uuid.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	"the pool format is little-endian");

#define OBJ_API __attribute__((visibility("default")))

OBJ_API int _pobj_cache_invalidate;
OBJ_API __thread struct _pobj_pcache _pobj_cached_pool;

static pthread_mutex_t Pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj_pool *Pools;

__attribute__((constructor)) static void
obj_init(void)
{
	log_init("libpmemobj", "PMEMOBJ_LOG_LEVEL", "PMEMOBJ_LOG_FILE");
}

__attribute__((destructor)) static void
obj_fini(void)
{
	log_fini();
}

/* ---- persistence of the pool's own metadata ---- */

void
obj_persist(struct obj_pool *p, const void *addr, size_t len)
{
	if (p->is_pmem)
		pm_persist(addr, len);
	else if (!p->rdonly_private && pm_msync(addr, len) != 0)
		LOG(LOG_LVL_ERR, "msync: %s", strerror(errno));
	/* a remote failure is kept in the pool and reported by the next
	 * memory function and by pmemobj_close */
	(void)obj_rep_sync(p, addr, len, 0, OBJ_REP_PERSIST);
}

static inline struct obj_desc *
desc_of(struct obj_pool *p)
{
	return (struct obj_desc *)(p->base + DESC_OFF);
}

/* ---- header ---- */

static uint64_t
hdr_checksum(const struct pool_hdr *h)
{
	size_t skip = (h->incompat & FEAT_INCOMPAT_CKSUM_2K) ? HDR_CSUM_2K_SKIP
							     : POOL_HDR_SIZE;
	return csum_compute(h, POOL_HDR_SIZE, HDR_CSUM_OFF, skip);
}

static uint64_t
sds_checksum(const struct shutdown_state *s)
{
	return csum_compute(s, sizeof(*s), 56, sizeof(*s));
}

/* every check of a header but its links to other parts and replicas */
int
obj_hdr_verify(const struct pool_hdr *h)
{
	if (h->major == 0) {
		ERR("invalid major version (0)");
		return -EINVAL;
	}
	if (memcmp(h->signature, OBJ_SIGNATURE, 8) != 0) {
		ERR("wrong pool type: \"%.8s\"", h->signature);
		return -EINVAL;
	}
	if (h->major != OBJ_FORMAT_MAJOR) {
		ERR("pool version %u (library expects %d)", h->major,
			OBJ_FORMAT_MAJOR);
		return -EINVAL;
	}
	if (h->incompat & ~FEAT_INCOMPAT_KNOWN) {
		ERR("unsafe to continue due to unknown incompat features: "
		    "0x%x",
			h->incompat & ~FEAT_INCOMPAT_KNOWN);
		return -EINVAL;
	}
	if (h->ro_compat) {
		ERR("read-only mode is not supported (ro_compat features "
		    "0x%x)",
			h->ro_compat);
		return -EINVAL;
	}
	if (h->checksum != hdr_checksum(h)) {
		ERR("invalid checksum of pool header");
		return -EINVAL;
	}
	if (h->alignment_desc != ARCH_ALIGNMENT_DESC ||
		h->machine_class != ARCH_MACHINE_CLASS ||
		h->data != ARCH_DATA_LE || h->machine != ARCH_MACHINE_X86_64 ||
		h->arch_reserved[0] || h->arch_reserved[1] ||
		h->arch_reserved[2] || h->arch_reserved[3]) {
		ERR("wrong architecture flags");
		return -EINVAL;
	}
	if (h->incompat & FEAT_INCOMPAT_SDS) {
		const struct shutdown_state *s = &h->sds;
		int zero = s->usc == 0 && s->uuid == 0 && s->checksum == 0;
		if (!zero && s->checksum != sds_checksum(s)) {
			LOG(LOG_LVL_WARN, "shutdown state checksum invalid, "
					  "reinitialising");
		} else if (s->dirty && (s->usc != 0 || s->uuid != 0)) {
			/* the devices under a regular file report zeros */
			ERR("an ADR failure was detected, the pool might be "
			    "corrupted");
			return -EINVAL;
		}
	}
	return 0;
}

/* a pool file of its own: every link points at the header itself */
static int
hdr_verify_single(const struct pool_hdr *h)
{
	int ret = obj_hdr_verify(h);
	if (ret)
		return ret;
	if (memcmp(h->prev_part_uuid, h->uuid, 16) ||
		memcmp(h->next_part_uuid, h->uuid, 16)) {
		ERR("wrong part UUID");
		return -EINVAL;
	}
	if (memcmp(h->prev_repl_uuid, h->uuid, 16) ||
		memcmp(h->next_repl_uuid, h->uuid, 16)) {
		ERR("wrong replica UUID");
		return -EINVAL;
	}
	if (h->incompat & FEAT_INCOMPAT_SINGLEHDR) {
		ERR("poolset file options (none) do not match incompat "
		    "feature flags (0x%x)",
			h->incompat);
		return -EINVAL;
	}
	return 0;
}

static void
sds_set_dirty(struct obj_pool *p, int dirty)
{
	struct pool_hdr *h = (struct pool_hdr *)p->base;
	if (!(h->incompat & FEAT_INCOMPAT_SDS))
		return;
	struct shutdown_state *s = &h->sds;
	if (s->checksum != sds_checksum(s) &&
		!(s->usc == 0 && s->uuid == 0 && s->checksum == 0)) {
		memset(s, 0, sizeof(*s));
	}
	s->dirty = (uint8_t)dirty;
	s->checksum = sds_checksum(s);
	obj_persist(p, s, sizeof(*s));
}

/* ---- descriptor ---- */

static uint64_t heap_nzones(uint64_t heap_size);

/* d: the pool's descriptor, or a copy with redo log entries applied */
static int
desc_verify_at(struct obj_pool *p, const struct obj_desc *d, const char *layout)
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
	uint64_t nz = heap_nzones(p->size - d->heap_offset);
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

static int
desc_verify(struct obj_pool *p, const char *layout)
{
	return desc_verify_at(p, desc_of(p), layout);
}

/* ---- lanes: redo log recovery, undo log check ---- */

/* apply one value entry to the 8 bytes at t */
static void
redo_apply(uint64_t *t, uint64_t w, uint64_t v)
{
	switch (w & ULOG_OP_MASK) {
	case ULOG_OP_SET:
		*t = v;
		break;
	case ULOG_OP_AND:
		*t &= v;
		break;
	default:
		*t |= v;
		break;
	}
}

/*
 * area: the bytes of data the lane has for this log. Without write, the
 * entries that fall into the descriptor are applied to *shadow (a copy
 * of it) so that the caller can check what the replay would leave there.
 */
static int
ulog_recover_redo(struct obj_pool *p, struct ulog_hdr *u, size_t area,
	int write, struct obj_desc *shadow)
{
	uint8_t *data = (uint8_t *)(u + 1);
	/* entries past the lane's log area are none, whatever the
	 * capacity says */
	size_t cap = u->capacity < area ? u->capacity : area, n = 0;
	if (cap == 0)
		return 0;
	/* valid entries in the first ulog: value operations only */
	while (n + 16 <= cap) {
		uint64_t w;
		memcpy(&w, data + n, 8);
		if (w == 0)
			break;
		uint64_t op = w & ULOG_OP_MASK;
		if (op != ULOG_OP_SET && op != ULOG_OP_AND && op != ULOG_OP_OR)
			break;
		n += 16;
	}
	if (n == 0)
		return 0;
	struct csum_state st = {0, 0};
	csum_update(&st, u, sizeof(*u), 0, sizeof(*u));
	csum_update(&st, data, n, CSUM_NO_FIELD, n);
	if (csum_value(&st) != u->checksum)
		return 0; /* torn, never committed: ignored as PMDK does */
	if (u->next != 0) {
		ERR("committed redo log with extensions; open the pool with "
		    "PMDK's libpmemobj once to recover it");
		return -ENOTSUP;
	}
	for (size_t i = 0; i < n; i += 16) {
		uint64_t w, v;
		memcpy(&w, data + i, 8);
		memcpy(&v, data + i + 8, 8);
		uint64_t off = w & ~ULOG_OP_MASK;
		if (off + 8 > p->size || off % 8) {
			ERR("redo log entry out of the pool: offset %llu",
				(unsigned long long)off);
			return -EINVAL;
		}
		/* no log PMDK writes touches the pool header or the
		 * checksummed descriptor */
		if (off < DESC_OFF + DESC_CSUM_LEN) {
			ERR("redo log entry into the pool header or "
			    "descriptor: offset %llu",
				(unsigned long long)off);
			return -EINVAL;
		}
		if (!write) {
			if (off < DESC_OFF + sizeof(*shadow))
				redo_apply((uint64_t *)((uint8_t *)shadow +
							(off - DESC_OFF)),
					w, v);
			continue;
		}
		uint64_t *t = (uint64_t *)(p->base + off);
		redo_apply(t, w, v);
		obj_persist(p, t, 8);
	}
	if (write) {
		uint64_t next = u->next;
		memset(u, 0, sizeof(*u));
		u->next = next;
		obj_persist(p, u, sizeof(*u));
	}
	LOG(LOG_LVL_INFO, "replayed a redo log of %zu entries", n / 16);
	return 0;
}

static int
ulog_undo_pending(struct ulog_hdr *u)
{
	if (u->next != 0)
		return 1;
	uint8_t *data = (uint8_t *)(u + 1);
	uint64_t w, size;
	memcpy(&w, data, 8);
	if (w == 0)
		return 0;
	uint64_t op = w & ULOG_OP_MASK;
	if (op != ULOG_OP_BUF_CPY && op != ULOG_OP_BUF_SET)
		return 0;
	memcpy(&size, data + 16, 8);
	/* an entry must fit the lane's undo area, whatever the capacity */
	if (size > LANE_UNDO_CAP - 24 || size > u->capacity)
		return 0;
	size_t esize = (24 + size + 63) & ~(uint64_t)63;
	if (esize > u->capacity || esize > LANE_UNDO_CAP)
		return 0;
	struct csum_state st = {0, 0};
	csum_update(&st, data, esize, 8, esize);
	csum_update(&st, &u->gen_num, 8, CSUM_NO_FIELD, 8);
	uint64_t stored;
	memcpy(&stored, data + 8, 8);
	return csum_value(&st) == stored;
}

static int
lanes_recover(struct obj_pool *p, int write, struct obj_desc *shadow)
{
	struct obj_desc *d = desc_of(p);
	for (uint64_t i = 0; i < d->nlanes; i++) {
		uint8_t *lane = p->base + d->lanes_offset + i * LANE_SIZE;
		int ret = ulog_recover_redo(p,
			(struct ulog_hdr *)(lane + LANE_INTERNAL_OFF),
			LANE_INTERNAL_CAP, write, shadow);
		if (ret == 0)
			ret = ulog_recover_redo(p,
				(struct ulog_hdr *)(lane + LANE_EXTERNAL_OFF),
				LANE_EXTERNAL_CAP, write, shadow);
		if (ret)
			return ret;
		if (ulog_undo_pending(
			    (struct ulog_hdr *)(lane + LANE_UNDO_OFF))) {
			ERR("lane %llu holds an interrupted transaction; open "
			    "the pool with PMDK's libpmemobj once to roll it "
			    "back",
				(unsigned long long)i);
			return -ENOTSUP;
		}
	}
	return 0;
}

static void
lanes_init(struct obj_pool *p)
{
	struct obj_desc *d = desc_of(p);
	static const uint64_t caps[3][2] = {
		{LANE_INTERNAL_OFF, LANE_INTERNAL_CAP},
		{LANE_EXTERNAL_OFF, LANE_EXTERNAL_CAP},
		{LANE_UNDO_OFF, LANE_UNDO_CAP},
	};
	uint8_t *lanes = p->base + d->lanes_offset;
	for (uint64_t i = 0; i < d->nlanes; i++)
		for (int k = 0; k < 3; k++) {
			struct ulog_hdr *u =
				(struct ulog_hdr *)(lanes + i * LANE_SIZE +
						    caps[k][0]);
			memset(u, 0, sizeof(*u) + 64);
			u->capacity = caps[k][1];
		}
	obj_persist(p, lanes, d->nlanes * LANE_SIZE);
}

/* ---- heap ---- */

static uint64_t
heap_nzones(uint64_t heap_size)
{
	uint64_t s = heap_size - HEAP_HDR_SIZE, n = 0;
	while (s >= ZONE_MIN_SIZE) {
		n++;
		s -= s < ZONE_MAX_SIZE ? s : ZONE_MAX_SIZE;
	}
	return n;
}

uint8_t *
obj_zone(struct obj_pool *p, uint64_t z)
{
	return p->base + desc_of(p)->heap_offset + HEAP_HDR_SIZE +
	       z * ZONE_MAX_SIZE;
}

uint32_t
obj_zone_size_idx(struct obj_pool *p, uint64_t z)
{
	uint64_t hs = desc_of(p)->heap_size;
	uint64_t nz = heap_nzones(p->size - desc_of(p)->heap_offset);
	if (z + 1 < nz)
		return (uint32_t)MAX_CHUNK;
	return (uint32_t)((hs - z * ZONE_MAX_SIZE - ZONE_META_SIZE -
				  HEAP_HDR_SIZE) /
			  CHUNKSIZE);
}

uint64_t
obj_nzones(struct obj_pool *p)
{
	return heap_nzones(p->size - desc_of(p)->heap_offset);
}

static void
heap_hdr_fill(struct heap_hdr *h)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, HEAP_SIGNATURE, sizeof(HEAP_SIGNATURE));
	h->major = 1;
	h->minor = 0;
	h->chunksize = CHUNKSIZE;
	h->chunks_per_zone = MAX_CHUNK;
	h->checksum = csum_compute(h, sizeof(*h), sizeof(*h) - 8, sizeof(*h));
}

static int
heap_verify(struct obj_pool *p)
{
	struct obj_desc *d = desc_of(p);
	uint64_t region = p->size - d->heap_offset;
	if (region < HEAP_MIN_SIZE) {
		ERR("heap: too small (%llu bytes)", (unsigned long long)region);
		return -EINVAL;
	}
	struct heap_hdr want;
	heap_hdr_fill(&want);
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

/* ---- registry ---- */

static uint64_t
uuid_lo_of(const uint8_t *u)
{
	uint64_t lo = 0;
	for (int i = 0; i < 8; i++)
		lo = (lo << 8) | (uint8_t)(u[i] ^ u[8 + i]);
	return lo;
}

static void
registry_add(struct obj_pool *p)
{
	pthread_mutex_lock(&Pools_lock);
	p->next = Pools;
	Pools = p;
	pthread_mutex_unlock(&Pools_lock);
}

static void
registry_remove(struct obj_pool *p)
{
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool **pp = &Pools; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	__atomic_add_fetch(&_pobj_cache_invalidate, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&Pools_lock);
	if (_pobj_cached_pool.pop == (PMEMobjpool *)p->base)
		memset(&_pobj_cached_pool, 0, sizeof(_pobj_cached_pool));
}

struct obj_pool *
obj_pool_of(PMEMobjpool *pop)
{
	struct obj_pool *found = NULL;
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool *p = Pools; p; p = p->next)
		if ((PMEMobjpool *)p->base == pop) {
			found = p;
			break;
		}
	pthread_mutex_unlock(&Pools_lock);
	return found;
}

OBJ_API PMEMobjpool *
pmemobj_pool_by_oid(PMEMoid oid)
{
	PMEMobjpool *ret = NULL;
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool *p = Pools; p; p = p->next)
		if (p->uuid_lo == oid.pool_uuid_lo) {
			ret = (PMEMobjpool *)p->base;
			break;
		}
	pthread_mutex_unlock(&Pools_lock);
	return ret;
}

static struct obj_pool *
pool_by_addr(const void *addr)
{
	struct obj_pool *ret = NULL;
	uintptr_t a = (uintptr_t)addr;
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool *p = Pools; p; p = p->next) {
		uintptr_t b = (uintptr_t)p->base;
		struct obj_desc *d = desc_of(p);
		if (a >= b && a < b + d->heap_offset + d->heap_size) {
			ret = p;
			break;
		}
	}
	pthread_mutex_unlock(&Pools_lock);
	return ret;
}

OBJ_API PMEMobjpool *
pmemobj_pool_by_ptr(const void *addr)
{
	struct obj_pool *p = pool_by_addr(addr);
	return p ? (PMEMobjpool *)p->base : NULL;
}

OBJ_API PMEMoid
pmemobj_oid(const void *addr)
{
	struct obj_pool *p = pool_by_addr(addr);
	if (p == NULL)
		return OID_NULL;
	PMEMoid oid = {
		p->uuid_lo, (uint64_t)((uintptr_t)addr - (uintptr_t)p->base)};
	return oid;
}

#undef pmemobj_direct
OBJ_API void *
pmemobj_direct(PMEMoid oid)
{
	return pmemobj_direct_inline(oid);
}

/* ---- opening and creating ---- */

static struct obj_pool *
pool_alloc(void)
{
	struct obj_pool *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		ERR_W_ERRNO("cannot allocate the pool handle");
		return NULL;
	}
	p->fd = -1;
	return p;
}

static void
pool_release(struct obj_pool *p)
{
	if (p->set != NULL)
		obj_set_close(p);
	else if (p->base != NULL && p->base != MAP_FAILED)
		pm_unmap(p->base, p->size);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

/* 1: path starts with the pool set signature, 0: it does not, <0: error */
static int
is_set_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char sig[POOLSET_SIG_LEN];
	ssize_t n = pread(fd, sig, sizeof(sig), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return e == EISDIR ? 0 : -e;
	return n == (ssize_t)sizeof(sig) &&
	       memcmp(sig, POOLSET_SIG, sizeof(sig)) == 0;
}

/* open the file, lock it, map it; everything before any check */
static struct obj_pool *
pool_map(const char *path, int private_copy)
{
	struct obj_pool *p = pool_alloc();
	if (p == NULL)
		return NULL;
	int fd = file_open(path, private_copy);
	if (fd < 0) {
		errno = -fd;
		ERR_W_ERRNO("open \"%s\"", path);
		if (errno == EISDIR)
			errno = EINVAL; /* as PMDK: a directory is no pool */
		goto err;
	}
	p->fd = fd;
	ssize_t size = file_size(fd);
	if (size < 0) {
		errno = -size == EISDIR ? EINVAL : (int)-size;
		ERR_W_ERRNO("\"%s\"", path);
		goto err;
	}
	int ret = file_lock(fd);
	if (ret) {
		errno = -ret;
		ERR_W_ERRNO("flock \"%s\"", path);
		goto err;
	}
	p->size = (size_t)size & ~(size_t)4095;
	if (p->size < PMEMOBJ_MIN_PART) {
		ERR("size %zu smaller than %zu", p->size, PMEMOBJ_MIN_PART);
		errno = EINVAL;
		goto err;
	}
	if (private_copy) {
		p->base = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE, fd, 0);
		p->rdonly_private = 1;
	} else {
		p->base = pm_map_file(fd, p->size, 0, &p->is_pmem);
	}
	if (p->base == MAP_FAILED) {
		ERR_W_ERRNO("cannot map \"%s\"", path);
		p->base = NULL;
		goto err;
	}
	return p;
err:;
	int e = errno;
	pool_release(p);
	errno = e;
	return NULL;
}

/*
 * Every check of open and check after the header(s), then lane recovery
 * (writes unless check_only).
 */
int
obj_pool_verify(struct obj_pool *p, const char *layout, int check_only)
{
	int ret = desc_verify(p, layout);
	if (ret)
		return ret;
	struct obj_desc *d = desc_of(p);
	uint64_t run_id = d->run_id + (check_only ? 2 : 0);
	if (run_id % 2) {
		ERR("invalid run_id %llu", (unsigned long long)run_id);
		return -EINVAL;
	}
	ret = heap_verify(p);
	/* every lane is checked before any redo log is replayed, so a pool
	 * refused for one lane is left exactly as it was; so is one whose
	 * descriptor the replay would leave out of range */
	struct obj_desc shadow;
	memcpy(&shadow, d, sizeof(shadow));
	if (ret == 0)
		ret = lanes_recover(p, 0, &shadow);
	if (ret == 0)
		ret = desc_verify_at(p, &shadow, layout);
	if (ret == 0 && !check_only)
		ret = lanes_recover(p, 1, NULL);
	return ret;
}

void
obj_pool_boot(struct obj_pool *p)
{
	struct obj_desc *d = desc_of(p);
	struct pool_hdr *h = (struct pool_hdr *)p->base;
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
	sds_set_dirty(p, 1);
	p->uuid_lo = uuid_lo_of(h->poolset_uuid);
	pthread_mutex_init(&p->root_lock, NULL);
	registry_add(p);
}

#define SET_OPEN 0
#define SET_CHECK 1
#define SET_CREATE 2

/* a pool set file (is_set_file() said so): one handle, or NULL + errno */
static struct obj_pool *
set_handle(const char *path, const char *layout, mode_t mode, int how)
{
	struct obj_pool *p = pool_alloc();
	if (p == NULL)
		return NULL;
	int ret = how == SET_CREATE
			  ? obj_set_create(p, path, layout, mode)
			  : obj_set_open(p, path, layout, how == SET_CHECK);
	if (ret) {
		pool_release(p);
		errno = -ret;
		return NULL;
	}
	return p;
}

OBJ_API PMEMobjpool *
pmemobj_open(const char *path, const char *layout)
{
	LOG(LOG_LVL_DBG, "path %s layout %s", path ? path : "(null)",
		layout ? layout : "(null)");
	if (path == NULL) {
		ERR("invalid path -- NULL");
		errno = EINVAL;
		return NULL;
	}
	int bb = obj_badblocks_refuse(path);
	if (bb) {
		errno = -bb;
		return NULL;
	}
	struct obj_pool *p;
	if (is_set_file(path) == 1) {
		p = set_handle(path, layout, 0, SET_OPEN);
		if (p == NULL)
			return NULL;
	} else {
		p = pool_map(path, 0);
		if (p == NULL)
			return NULL;
		int ret = hdr_verify_single((struct pool_hdr *)p->base);
		if (ret == 0)
			ret = obj_pool_verify(p, layout, 0);
		if (ret) {
			pool_release(p);
			errno = -ret;
			return NULL;
		}
	}
	obj_pool_boot(p);
	return (PMEMobjpool *)p->base;
}

OBJ_API int
pmemobj_check(const char *path, const char *layout)
{
	LOG(LOG_LVL_DBG, "path %s layout %s", path ? path : "(null)",
		layout ? layout : "(null)");
	if (path == NULL) {
		ERR("invalid path -- NULL");
		errno = EINVAL;
		return -1;
	}
	struct obj_pool *p;
	int ret;
	if (is_set_file(path) == 1) {
		/* the headers are checked while opening the set */
		p = set_handle(path, layout, 0, SET_CHECK);
		if (p == NULL)
			return -1;
		ret = 0;
	} else {
		p = pool_map(path, 1);
		if (p == NULL)
			return -1;
		ret = hdr_verify_single((struct pool_hdr *)p->base);
	}
	/* a bad header or descriptor is an error, anything later: "not
	 * consistent" */
	if (ret == 0)
		ret = desc_verify(p, layout);
	if (ret) {
		pool_release(p);
		errno = -ret;
		return -1;
	}
	ret = obj_pool_verify(p, layout, 1);
	pool_release(p);
	return ret == 0 ? 1 : 0;
}

/* the fields every header of a pool shares; links and checksum apart */
void
obj_hdr_fill(struct pool_hdr *h, unsigned incompat, uint64_t crtime)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, OBJ_SIGNATURE, sizeof(OBJ_SIGNATURE));
	h->major = OBJ_FORMAT_MAJOR;
	h->compat = 0;
	h->incompat = FEAT_INCOMPAT_CKSUM_2K | incompat;
	h->ro_compat = 0;
	h->crtime = crtime;
	h->alignment_desc = ARCH_ALIGNMENT_DESC;
	h->machine_class = ARCH_MACHINE_CLASS;
	h->data = ARCH_DATA_LE;
	h->machine = ARCH_MACHINE_X86_64;
}

void
obj_hdr_seal(struct pool_hdr *h)
{
	h->checksum = hdr_checksum(h);
}

static void
hdr_create(struct obj_pool *p, int fd)
{
	struct pool_hdr *h = (struct pool_hdr *)p->base;
	struct stat st;
	obj_hdr_fill(h, 0, fstat(fd, &st) == 0 ? (uint64_t)st.st_ctime : 0);
	uint8_t id[16];
	uuid_gen(h->poolset_uuid);
	uuid_gen(id);
	memcpy(h->uuid, id, 16);
	memcpy(h->prev_part_uuid, id, 16);
	memcpy(h->next_part_uuid, id, 16);
	memcpy(h->prev_repl_uuid, id, 16);
	memcpy(h->next_repl_uuid, id, 16);
	obj_hdr_seal(h);
	obj_persist(p, h, sizeof(*h));
}

void
obj_body_create(struct obj_pool *p, const char *layout)
{
	struct obj_desc *d = desc_of(p);
	memset(p->base + VOLATILE_OFF, 0, VOLATILE_END - VOLATILE_OFF);
	memset(d, 0, sizeof(*d));
	if (layout)
		strncpy(d->layout, layout, PMEMOBJ_MAX_LAYOUT - 1);
	d->lanes_offset = LANES_OFFSET;
	d->nlanes = OBJ_NLANES;
	lanes_init(p);
	d->heap_offset = (LANES_OFFSET + OBJ_NLANES * LANE_SIZE + 4095) &
			 ~(uint64_t)4095;
	struct heap_hdr *hh = (struct heap_hdr *)(p->base + d->heap_offset);
	heap_hdr_fill(hh);
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

OBJ_API PMEMobjpool *
pmemobj_create(
	const char *path, const char *layout, size_t poolsize, mode_t mode)
{
	LOG(LOG_LVL_DBG, "path %s layout %s poolsize %zu mode %o",
		path ? path : "(null)", layout ? layout : "(null)", poolsize,
		(unsigned)mode);
	if (path == NULL) {
		ERR("invalid path -- NULL");
		errno = EINVAL;
		return NULL;
	}
	if (layout && strlen(layout) >= PMEMOBJ_MAX_LAYOUT) {
		ERR("Layout too long (%zu characters, at most %zu)",
			strlen(layout), PMEMOBJ_MAX_LAYOUT - 1);
		errno = EINVAL;
		return NULL;
	}
	int created = 0;
	if (poolsize != 0) {
		if ((poolsize & ~(size_t)4095) < PMEMOBJ_MIN_POOL) {
			ERR("size %zu smaller than %zu", poolsize,
				PMEMOBJ_MIN_POOL);
			errno = EINVAL;
			return NULL;
		}
		int fd = file_create(path, poolsize, 0);
		if (fd < 0) {
			errno = -fd;
			if (errno == EEXIST)
				ERR("file %s already exists", path);
			else
				ERR_W_ERRNO("cannot create \"%s\"", path);
			return NULL;
		}
		close(fd);
		created = 1;
	} else if (is_set_file(path) == 1) {
		struct obj_pool *sp =
			set_handle(path, layout, mode, SET_CREATE);
		if (sp == NULL)
			return NULL;
		obj_pool_boot(sp);
		return (PMEMobjpool *)sp->base;
	} else {
		int fd = file_open(path, 1);
		if (fd < 0) {
			errno = -fd;
			ERR_W_ERRNO("open \"%s\"", path);
			return NULL;
		}
		ssize_t sz = file_size(fd);
		close(fd);
		if (sz >= 0 && (size_t)sz < PMEMOBJ_MIN_POOL) {
			ERR("file is not a poolset file and its size (%zd) is "
			    "smaller than %zu",
				sz, PMEMOBJ_MIN_POOL);
			errno = EINVAL;
			return NULL;
		}
	}
	struct obj_pool *p = pool_map(path, 0);
	if (p == NULL)
		goto err_unlink;
	static const uint8_t zero[POOL_HDR_SIZE];
	if (memcmp(p->base, zero, POOL_HDR_SIZE) != 0) {
		ERR("Non-empty file detected");
		pool_release(p);
		errno = EEXIST;
		goto err_unlink;
	}
	hdr_create(p, p->fd);
	obj_body_create(p, layout);
	obj_pool_boot(p);
	if (created && fchmod(p->fd, mode) != 0)
		LOG(LOG_LVL_WARN, "chmod \"%s\": %s", path, strerror(errno));
	return (PMEMobjpool *)p->base;
err_unlink:;
	int e = errno;
	if (created)
		unlink(path);
	errno = e;
	return NULL;
}

OBJ_API void
pmemobj_close(PMEMobjpool *pop)
{
	LOG(LOG_LVL_DBG, "pop %p", (void *)pop);
	struct obj_pool *p = pop ? obj_pool_of(pop) : NULL;
	if (p == NULL) {
		ERR("invalid pool handle -- %p", (void *)pop);
		errno = EINVAL;
		return;
	}
	registry_remove(p);
	if (!p->is_pmem)
		pm_msync(p->base, p->size);
	sds_set_dirty(p, 0);
	int failed = obj_rep_failed(p);
	pthread_mutex_destroy(&p->root_lock);
	pool_release(p);
	if (failed) {
		/* nothing else can tell the application any more */
		ERR("pool %p closed, but a remote replica failed earlier (%s): "
		    "writes since then reached only the local replicas",
			(void *)pop, strerror(failed));
		errno = failed;
	}
}

OBJ_API const char *
pmemobj_errormsg(void)
{
	return err_msg();
}

OBJ_API const char *
pmemobj_check_version(unsigned major_required, unsigned minor_required)
{
	if (major_required != PMEMOBJ_MAJOR_VERSION) {
		ERR("libpmemobj major version mismatch (need %u, found %u)",
			major_required, PMEMOBJ_MAJOR_VERSION);
		return err_msg();
	}
	if (minor_required > PMEMOBJ_MINOR_VERSION) {
		ERR("libpmemobj minor version mismatch (need %u, found %u)",
			minor_required, PMEMOBJ_MINOR_VERSION);
		return err_msg();
	}
	return NULL;
}
