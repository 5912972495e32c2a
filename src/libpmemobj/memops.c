/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memops.c -- pmemobj_persist / flush / drain and the flagged memory
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
#include "obj.h"
#include "pmem.h"

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

static void
msync_range(const void *addr, size_t len)
{
	if (pm_msync(addr, len) != 0)
		ERR_W_ERRNO("msync of %zu bytes at %p", len, addr);
}

OBJ_API void
pmemobj_persist(PMEMobjpool *pop, const void *addr, size_t len)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return;
	if (p->is_pmem)
		pm_persist(addr, len);
	else
		msync_range(addr, len);
	(void)obj_rep_sync(p, addr, len, 0, OBJ_REP_PERSIST);
}

OBJ_API void
pmemobj_flush(PMEMobjpool *pop, const void *addr, size_t len)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return;
	if (p->is_pmem)
		pm_flush(addr, len);
	else
		msync_range(addr, len);
	(void)obj_rep_sync(p, addr, len, 0, OBJ_REP_FLUSH);
}

OBJ_API void
pmemobj_drain(PMEMobjpool *pop)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	/* one fence covers the master and the local replicas */
	if (p != NULL && (p->is_pmem || p->nreps))
		pm_drain();
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
	struct obj_pool *p = pool_or_err(pop, func);
	if (p == NULL)
		return -1;
	if (p->is_pmem)
		pm_op(addr, len);
	else if (pm_msync(addr, len) != 0) {
		ERR_W_ERRNO("msync of %zu bytes at %p", len, addr);
		return -1;
	}
	return obj_rep_sync(p, addr, len, flags, op);
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

/* the master's copy done, then every replica's; dest either way */
static void *
mem_done(struct obj_pool *p, void *dest, size_t len, unsigned flags)
{
	(void)obj_rep_sync(p, dest, len, flags, OBJ_REP_MEM);
	return dest;
}

OBJ_API void *
pmemobj_memmove(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return NULL;
	if (p->is_pmem) {
		pm_memmove(dest, src, len, flags & PM_F_MEM_VALID_FLAGS);
	} else {
		memmove(dest, src, len);
		msync_range(dest, len);
	}
	return mem_done(p, dest, len, flags);
}

OBJ_API void *
pmemobj_memcpy(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return NULL;
	if (p->is_pmem) {
		pm_memcpy(dest, src, len, flags & PM_F_MEM_VALID_FLAGS);
	} else {
		memmove(dest, src, len);
		msync_range(dest, len);
	}
	return mem_done(p, dest, len, flags);
}

OBJ_API void *
pmemobj_memset(PMEMobjpool *pop, void *dest, int c, size_t len, unsigned flags)
{
	struct obj_pool *p = pool_or_err(pop, __func__);
	if (p == NULL)
		return NULL;
	if (p->is_pmem) {
		pm_memset(dest, c, len, flags & PM_F_MEM_VALID_FLAGS);
	} else {
		memset(dest, c, len);
		msync_range(dest, len);
	}
	return mem_done(p, dest, len, flags);
}

OBJ_API void *
pmemobj_memcpy_persist(
	PMEMobjpool *pop, void *dest, const void *src, size_t len)
{
	return pmemobj_memcpy(pop, dest, src, len, 0);
}

OBJ_API void *
pmemobj_memset_persist(PMEMobjpool *pop, void *dest, int c, size_t len)
{
	return pmemobj_memset(pop, dest, c, len, 0);
}
