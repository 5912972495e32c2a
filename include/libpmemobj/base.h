/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj/base.h -- object ids, the direct pointer of an object, the
 * low-level memory functions, error messages and the version check
 */
#ifndef LIBPMEMOBJ_BASE_H
#define LIBPMEMOBJ_BASE_H 1

#include <stddef.h>
#include <stdint.h>

#include <libpmemobj/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PMEMOBJ_MAJOR_VERSION 2
#define PMEMOBJ_MINOR_VERSION 4

#define PMEMOBJ_F_MEM_NODRAIN (1U << 0)
#define PMEMOBJ_F_MEM_NONTEMPORAL (1U << 1)
#define PMEMOBJ_F_MEM_TEMPORAL (1U << 2)
#define PMEMOBJ_F_MEM_WC (1U << 3)
#define PMEMOBJ_F_MEM_WB (1U << 4)
#define PMEMOBJ_F_MEM_NOFLUSH (1U << 5)

#define PMEMOBJ_F_RELAXED (1U << 31)

static const PMEMoid OID_NULL = {0, 0};
#define OID_IS_NULL(o) ((o).off == 0)
#define OID_EQUALS(lhs, rhs) \
	((lhs).off == (rhs).off && (lhs).pool_uuid_lo == (rhs).pool_uuid_lo)

PMEMobjpool *pmemobj_pool_by_ptr(const void *addr);
PMEMobjpool *pmemobj_pool_by_oid(PMEMoid oid);

/*
 * The per-thread cache behind the inline pmemobj_direct(): the library
 * bumps _pobj_cache_invalidate whenever a pool is closed.
 */
struct _pobj_pcache {
	PMEMobjpool *pop;
	uint64_t uuid_lo;
	int invalidate;
};

extern int _pobj_cache_invalidate;
extern __thread struct _pobj_pcache _pobj_cached_pool;

static inline void *
pmemobj_direct_inline(PMEMoid oid)
{
	if (oid.off == 0 || oid.pool_uuid_lo == 0)
		return NULL;

	struct _pobj_pcache *cache = &_pobj_cached_pool;
	if (_pobj_cache_invalidate != cache->invalidate ||
		cache->uuid_lo != oid.pool_uuid_lo) {
		cache->invalidate = _pobj_cache_invalidate;
		cache->pop = pmemobj_pool_by_oid(oid);
		if (cache->pop == NULL) {
			cache->uuid_lo = 0;
			return NULL;
		}
		cache->uuid_lo = oid.pool_uuid_lo;
	}
	return (void *)((uintptr_t)cache->pop + oid.off);
}

void *pmemobj_direct(PMEMoid oid);
#define pmemobj_direct pmemobj_direct_inline

PMEMoid pmemobj_oid(const void *addr);

void pmemobj_persist(PMEMobjpool *pop, const void *addr, size_t len);
void pmemobj_flush(PMEMobjpool *pop, const void *addr, size_t len);
int pmemobj_xpersist(
	PMEMobjpool *pop, const void *addr, size_t len, unsigned flags);
int pmemobj_xflush(
	PMEMobjpool *pop, const void *addr, size_t len, unsigned flags);
void pmemobj_drain(PMEMobjpool *pop);

void *pmemobj_memcpy_persist(
	PMEMobjpool *pop, void *dest, const void *src, size_t len);
void *pmemobj_memset_persist(PMEMobjpool *pop, void *dest, int c, size_t len);
void *pmemobj_memcpy(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags);
void *pmemobj_memmove(PMEMobjpool *pop, void *dest, const void *src, size_t len,
	unsigned flags);
void *pmemobj_memset(
	PMEMobjpool *pop, void *dest, int c, size_t len, unsigned flags);

const char *pmemobj_check_version(
	unsigned major_required, unsigned minor_required);
const char *pmemobj_errormsg(void);

#ifdef __cplusplus
}
#endif

#endif /* LIBPMEMOBJ_BASE_H */
