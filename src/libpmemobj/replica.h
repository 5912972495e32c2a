/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replica.h -- replica.c's functions: librpmem loaded on demand, remote
 * replicas created, opened, read, closed, and every replica kept in step
 * with the master
 */
#ifndef LIBPMEMOBJ_REPLICA_H
#define LIBPMEMOBJ_REPLICA_H 1

#include <stddef.h>

#include "backing.h"

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
 * rpmem_drain, relaxed when flags has PMEMOBJ_F_RELAXED. Returns 0, or -1 with
 * errno and the error message set when msync of a local replica failed or a
 * remote replica failed now or before.
 */
int obj_rep_update(struct obj_backing *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op);

static inline int
obj_rep_sync(struct obj_backing *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op)
{
	if (p->nreps == 0)
		return 0;
	return obj_rep_update(p, addr, len, flags, op);
}

/* load librpmem.so.1 (once); -1 with errno ELIBACC when it is missing */
int obj_rpmem_load(void);

/* remote replica life cycle (attr is struct rpmem_pool_attr) */
int obj_rep_remote_create(
	struct obj_backing *p, struct obj_rep *r, const void *attr);
int obj_rep_remote_open(struct obj_backing *p, struct obj_rep *r, void *attr);
int obj_rep_remote_read(struct obj_backing *p, struct obj_rep *r, void *buf,
	size_t off, size_t len);
void obj_rep_remote_close(struct obj_rep *r, int remove);

/* copy [off, off + len) of the master to remote replica r (lanes set up) */
int obj_rep_remote_copy(
	struct obj_backing *p, struct obj_rep *r, size_t off, size_t len);

/* per-remote-lane locks, once nlanes of every remote replica are known */
int obj_rep_lanes_init(struct obj_backing *p);
void obj_rep_lanes_fini(struct obj_backing *p);

/* first failure of any remote replica (errno value), or 0 */
int obj_rep_failed(const struct obj_backing *p);

#endif /* LIBPMEMOBJ_REPLICA_H */
