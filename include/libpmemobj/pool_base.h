/* SPDX-License-Identifier: BSD-3-Clause */
/* libpmemobj/pool_base.h -- pool create, open, close, check; the root */
#ifndef LIBPMEMOBJ_POOL_BASE_H
#define LIBPMEMOBJ_POOL_BASE_H 1

#include <stddef.h>
#include <sys/types.h>

#include <libpmemobj/base.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PMEMOBJ_MIN_POOL ((size_t)(1024 * 1024 * 8))
#define PMEMOBJ_MIN_PART ((size_t)(1024 * 1024 * 2))
#define PMEMOBJ_MAX_ALLOC_SIZE ((size_t)0x3FFDFFFC0)
#define POBJ_ROOT_TYPE_NUM 0

PMEMobjpool *pmemobj_open(const char *path, const char *layout);
PMEMobjpool *pmemobj_create(
	const char *path, const char *layout, size_t poolsize, mode_t mode);
int pmemobj_check(const char *path, const char *layout);
void pmemobj_close(PMEMobjpool *pop);

PMEMoid pmemobj_root(PMEMobjpool *pop, size_t size);
size_t pmemobj_root_size(PMEMobjpool *pop);

#ifdef __cplusplus
}
#endif

#endif /* LIBPMEMOBJ_POOL_BASE_H */
