/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * registry.c -- the open pools of the process: found by handle, by oid and
 * by address (pmemobj_pool_by_oid, pmemobj_pool_by_ptr, pmemobj_oid,
 * pmemobj_direct), and the oid cache the inline pmemobj_direct() keeps
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "layout.h"
#include "backing.h"
#include "pool.h"

#define OBJ_API __attribute__((visibility("default")))

OBJ_API int _pobj_cache_invalidate;
OBJ_API __thread struct _pobj_pcache _pobj_cached_pool;

static pthread_mutex_t Pools_lock = PTHREAD_MUTEX_INITIALIZER;
static struct obj_pool *Pools;

void
obj_registry_add(struct obj_pool *p)
{
	pthread_mutex_lock(&Pools_lock);
	p->next = Pools;
	Pools = p;
	pthread_mutex_unlock(&Pools_lock);
}

void
obj_registry_remove(struct obj_pool *p)
{
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool **pp = &Pools; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	__atomic_add_fetch(&_pobj_cache_invalidate, 1, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&Pools_lock);
	if (_pobj_cached_pool.pop == (PMEMobjpool *)p->b.base)
		memset(&_pobj_cached_pool, 0, sizeof(_pobj_cached_pool));
}

struct obj_pool *
obj_pool_of(PMEMobjpool *pop)
{
	struct obj_pool *found = NULL;
	pthread_mutex_lock(&Pools_lock);
	for (struct obj_pool *p = Pools; p; p = p->next)
		if ((PMEMobjpool *)p->b.base == pop) {
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
			ret = (PMEMobjpool *)p->b.base;
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
		uintptr_t b = (uintptr_t)p->b.base;
		struct obj_desc *d = OBJ_DESC(p->b.base);
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
	return p ? (PMEMobjpool *)p->b.base : NULL;
}

OBJ_API PMEMoid
pmemobj_oid(const void *addr)
{
	struct obj_pool *p = pool_by_addr(addr);
	if (p == NULL)
		return OID_NULL;
	PMEMoid oid = {
		p->uuid_lo, (uint64_t)((uintptr_t)addr - (uintptr_t)p->b.base)};
	return oid;
}

#undef pmemobj_direct
OBJ_API void *
pmemobj_direct(PMEMoid oid)
{
	return pmemobj_direct_inline(oid);
}
