/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj.h -- the run-time state of an open pool, shared by obj.c (pool life
 * cycle and registry), set.c (pool set files), replica.c (keeping replicas
 * in step), root.c (the root object) and memops.c (the memory functions).
 * PMEMobjpool * handed to applications is the base address of the master
 * replica's mapping; obj_pool_of() finds the state behind it.
 */
#ifndef LIBPMEMOBJ_OBJ_H
#define LIBPMEMOBJ_OBJ_H 1

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "libpmemobj.h"
#include "poolset.h"

/* a replica other than the master (replica 0) */
struct obj_rep {
	unsigned idx;		/* replica number in the set file */
	struct poolset_map map; /* local: its parts, mapped */
	void *rpp;		/* remote: RPMEMpool * */
	const char *node;	/* remote: target, as in the set file */
	const char *desc;	/* remote: pool set name on the node */
	unsigned nlanes;	/* remote: lanes granted */
	int failed;		/* remote: first failure's errno, sticky */
};

struct obj_pool {
	uint8_t *base;
	size_t size; /* pool size: the smallest local replica */
	int fd;	     /* single file: kept open, its flock excludes others */
	int is_pmem;
	int rdonly_private; /* pmemobj_check's copy-on-write mapping */
	uint64_t uuid_lo;
	pthread_mutex_t root_lock;

	/* pool set (NULL for a single pool file) */
	struct poolset *set;
	struct poolset_map master;
	unsigned nreps; /* replicas besides the master */
	struct obj_rep *reps;
	unsigned nremote;
	unsigned rlanes;	     /* lanes usable on every remote replica */
	pthread_mutex_t *rlane_lock; /* one per remote lane */

	struct obj_pool *next;
};

struct obj_pool *obj_pool_of(PMEMobjpool *pop);
void obj_persist(struct obj_pool *p, const void *addr, size_t len);
uint8_t *obj_zone(struct obj_pool *p, uint64_t z);
uint32_t obj_zone_size_idx(struct obj_pool *p, uint64_t z);
uint64_t obj_nzones(struct obj_pool *p);

/* ---- replica.c ---- */

/* what was done to the master's range, to be repeated on each replica */
enum obj_rep_op {
	OBJ_REP_PERSIST, /* persist: copy and persist */
	OBJ_REP_FLUSH,	 /* flush: copy and flush, no drain */
	OBJ_REP_MEM,	 /* memcpy/memmove/memset with PMEMOBJ_F_MEM_* */
};

/*
 * Bring [addr, addr + len) of every replica up to the master's bytes (the
 * pool header page is never copied: each replica keeps its own). Local
 * replicas get a copy made with the same flags; remote replicas an
 * rpmem_flush on the calling thread's lane, all posted before the first
 * rpmem_drain, relaxed when flags has PMEMOBJ_F_RELAXED. Returns 0, or -1 with errno and the error message set
 * when msync of a local replica failed or a remote replica failed now or
 * before.
 */
int obj_rep_update(struct obj_pool *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op);

static inline int
obj_rep_sync(struct obj_pool *p, const void *addr, size_t len, unsigned flags,
	enum obj_rep_op op)
{
	if (p->nreps == 0)
		return 0;
	return obj_rep_update(p, addr, len, flags, op);
}

/* load librpmem.so.1 (once); -1 with errno ELIBACC when it is missing */
int obj_rpmem_load(void);

/* remote replica life cycle (attr is struct rpmem_pool_attr) */
int obj_rep_remote_create(
	struct obj_pool *p, struct obj_rep *r, const void *attr);
int obj_rep_remote_open(struct obj_pool *p, struct obj_rep *r, void *attr);
int obj_rep_remote_read(struct obj_pool *p, struct obj_rep *r, void *buf,
	size_t off, size_t len);
void obj_rep_remote_close(struct obj_rep *r, int remove);

/* per-remote-lane locks, once nlanes of every remote replica are known */
int obj_rep_lanes_init(struct obj_pool *p);
void obj_rep_lanes_fini(struct obj_pool *p);

/* first failure of any remote replica (errno value), or 0 */
int obj_rep_failed(const struct obj_pool *p);

/* ---- set.c ---- */

/* a pool set file: create / open / check it, fill p (see set.c) */
int obj_set_create(
	struct obj_pool *p, const char *path, const char *layout, mode_t mode);
int obj_set_open(struct obj_pool *p, const char *path, const char *layout,
	int check_only);
void obj_set_close(struct obj_pool *p);

/* ---- obj.c, used by set.c ---- */
struct pool_hdr;
int obj_hdr_verify(const struct pool_hdr *h);
void obj_hdr_seal(struct pool_hdr *h);
void obj_hdr_fill(struct pool_hdr *h, unsigned incompat, uint64_t crtime);
void obj_body_create(struct obj_pool *p, const char *layout);
int obj_pool_verify(struct obj_pool *p, const char *layout, int check_only);
void obj_pool_boot(struct obj_pool *p);

#endif /* LIBPMEMOBJ_OBJ_H */
