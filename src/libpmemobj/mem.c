/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem.c -- pmemobj_persist / flush / drain and the flagged memory
 * functions of pmemobj_memcpy_persist(3)
 *
 * A pool mapped as persistent memory (MAP_SYNC, or PMEM_IS_PMEM_FORCE=1)
 * uses the CPU primitives of src/common/pmem.h; any other pool is made
 * durable with msync(2) of the page-aligned range, whatever the flags, as
 * PMDK does. In a pool set every call is then repeated on the other
 * replicas (replica.c).
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "backing.h"
#include "pool.h"
#include "pmem.h"
#include "replica.h"

#define OBJ_API __attribute__((visibility("default")))

_Static_assert(PMEMOBJ_F_MEM_NODRAIN == PM_F_MEM_NODRAIN, "flag");
_Static_assert(PMEMOBJ_F_MEM_NONTEMPORAL == PM_F_MEM_NONTEMPORAL, "flag");
_Static_assert(PMEMOBJ_F_MEM_TEMPORAL == PM_F_MEM_TEMPORAL, "flag");
_Static_assert(PMEMOBJ_F_MEM_WC == PM_F_MEM_WC, "flag");
_Static_assert(PMEMOBJ_F_MEM_WB == PM_F_MEM_WB, "flag");
_Static_assert(PMEMOBJ_F_MEM_NOFLUSH == PM_F_MEM_NOFLUSH, "flag");

static struct obj_pool *
pool_or_err(PMEMobjpool *pop, const char *func)
{
	/*
	 * A per-thread memo of the last pool looked up, valid while no pool
	 * was closed since (pmemobj_close bumps _pobj_cache_invalidate); any
	 * other handle is looked up in the registry, never dereferenced.
	 */
	static __thread PMEMobjpool *memo_pop;
	static __thread struct obj_pool *memo_pool;
	static __thread uint64_t memo_gen;
	struct obj_pool *p = NULL;
	uint64_t gen =
		__atomic_load_n(&_pobj_cache_invalidate, __ATOMIC_ACQUIRE);
	if (pop != NULL && pop == memo_pop && gen == memo_gen) {
		p = memo_pool;
	} else if (pop != NULL) {
		p = obj_pool_of(pop);
		if (p != NULL) {
			memo_pop = pop;
			memo_pool = p;
			memo_gen = gen;
		}
	}
	if (p == NULL) {
		ERR("%s: invalid pool handle -- %p", func, (void *)pop);
		errno = EINVAL;
	}
	return p;
}

/*
 * Every function here leaves errno as it found it when it succeeds (the
 * layers below, librpmem and libfabric among them, may change it on their
 * way to a success); a failure sets errno and the message.
 */

/* 0, or -1 with errno and the message set */
static int
msync_range(const void *addr, size_t len)
{
	if (pm_msync(addr, len) == 0)
		return 0;
	ERR_W_ERRNO("msync of %zu bytes at %p", len, addr);
	return -1;
}

/* persist (pm_op pm_persist) or flush (pm_flush) of the master's range,
 * then of every replica's */
static int
sync_op(struct obj_pool *p, const void *addr, size_t len, unsigned flags,
	void (*pm_op)(const void *, size_t), enum obj_rep_op op)
{
	int ret = 0;
	if (p->b.is_pmem)
		pm_op(addr, len);
	else
		ret = msync_range(addr, len);
	/* the replicas are brought up to date even when msync failed */
	int rep = obj_rep_sync(&p->b, addr, len, flags, op);
	if (ret == 0)
		ret = rep;
	return ret;
}

OBJ_API void
pmemobj_persist(PMEMobjpool *pop, const void *addr, size_t len)
{
	int e = errno;
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p != NULL &&
		sync_op(p, addr, len, 0, pm_persist, OBJ_REP_PERSIST) == 0)
		errno = e;
}

OBJ_API void
pmemobj_flush(PMEMobjpool *pop, const void *addr, size_t len)
{
	int e = errno;
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p != NULL && sync_op(p, addr, len, 0, pm_flush, OBJ_REP_FLUSH) == 0)
		errno = e;
}

OBJ_API void
pmemobj_drain(PMEMobjpool *pop)
{
	int e = errno;
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return;
	/* one fence covers the master and the local replicas */
	if (p->b.is_pmem || p->b.nreps)
		pm_drain();
	errno = e;
}

/* xpersist and xflush: the pmem primitive, or msync, with flag checks */
static int
x_op(PMEMobjpool *pop, const void *addr, size_t len, unsigned flags,
	void (*pm_op)(const void *, size_t), enum obj_rep_op op,
	const char *func)
{
	if (flags & ~PMEMOBJ_F_RELAXED) {
		ERR("%s: invalid flags 0x%x", func, flags);
		errno = EINVAL;
		return -1;
	}
	int e = errno;
	struct obj_pool *p = pool_or_err(pop, func);
	if (p == NULL)
		return -1;
	/* as before: a failed msync leaves the replicas alone here */
	if (p->b.is_pmem)
		pm_op(addr, len);
	else if (msync_range(addr, len) != 0)
		return -1;
	if (obj_rep_sync(&p->b, addr, len, flags, op) != 0)
		return -1;
	errno = e;
	return 0;
}

OBJ_API int
pmemobj_xpersist(PMEMobjpool *pop, const void *addr, size_t len, unsigned flags)
{
	return x_op(
		pop, addr, len, flags, pm_persist, OBJ_REP_PERSIST, __func__);
}

OBJ_API int
pmemobj_xflush(PMEMobjpool *pop, const void *addr, size_t len, unsigned flags)
{
	return x_op(pop, addr, len, flags, pm_flush, OBJ_REP_FLUSH, __func__);
}

enum mem_kind { MEM_MOVE, MEM_COPY, MEM_SET };

/* the master's copy, then every replica's; 0 or -1 with errno set */
static int
mem_op(struct obj_pool *p, enum mem_kind kind, void *dest, const void *src,
	int c, size_t len, unsigned flags)
{
	int ret = 0;
	unsigned f = flags & PM_F_MEM_VALID_FLAGS;
	if (p->b.is_pmem) {
		if (kind == MEM_SET)
			pm_memset(dest, c, len, f);
		else if (kind == MEM_COPY)
			pm_memcpy(dest, src, len, f);
		else
			pm_memmove(dest, src, len, f);
	} else {
		if (kind == MEM_SET)
			memset(dest, c, len);
		else
			memmove(dest, src, len);
		ret = msync_range(dest, len);
	}
	int rep = obj_rep_sync(&p->b, dest, len, flags, OBJ_REP_MEM);
	return ret ? ret : rep;
}

/* one of the memory functions: dest, or NULL for a bad handle */
static void *
mem_call(PMEMobjpool *pop, enum mem_kind kind, void *dest, const void *src,
	int c, size_t len, unsigned flags, const char *func)
{
	int e = errno;
	struct obj_pool *p = pool_or_err(pop, func);
	if (p == NULL)
		return NULL;
	if (mem_op(p, kind, dest, src, c, len, flags) == 0)
		errno = e;
	return dest;
}

OBJ_API void *
pmemobj_memmove(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags)
{
	return mem_call(pop, MEM_MOVE, dest, src, 0, len, flags, __func__);
}

OBJ_API void *
pmemobj_memcpy(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags)
{
	return mem_call(pop, MEM_COPY, dest, src, 0, len, flags, __func__);
}

OBJ_API void *
pmemobj_memset(PMEMobjpool *pop, void *dest, int c, size_t len, unsigned flags)
{
	return mem_call(pop, MEM_SET, dest, NULL, c, len, flags, __func__);
}

OBJ_API void *
pmemobj_memcpy_persist(
	PMEMobjpool *pop, void *dest, const void *src, size_t len)
{
	return mem_call(pop, MEM_COPY, dest, src, 0, len, 0, __func__);
}

OBJ_API void *
pmemobj_memset_persist(PMEMobjpool *pop, void *dest, int c, size_t len)
{
	return mem_call(pop, MEM_SET, dest, NULL, c, len, 0, __func__);
}
