/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.h -- an open pool as the public functions see it (pool.c,
 * registry.c, root.c, memops.c); the layers below get its backing only
 *
 * Contract: obj_pool_of() is the open pool behind a handle, or NULL (the
 * handle is never dereferenced); a pool is in the registry from the end of
 * its create or open to the start of its close.
 */
#ifndef LIBPMEMOBJ_POOL_H
#define LIBPMEMOBJ_POOL_H 1

#include <pthread.h>
#include <stdint.h>

#include "libpmemobj.h"
#include "backing.h"

struct obj_pool {
	struct obj_backing b;
	uint64_t uuid_lo; /* of the poolset uuid: the oids' pool_uuid_lo */
	pthread_mutex_t root_lock;
	struct obj_pool *next; /* registry */
};

struct obj_pool *obj_pool_of(PMEMobjpool *pop);
void obj_registry_add(struct obj_pool *p);
void obj_registry_remove(struct obj_pool *p);

#endif /* LIBPMEMOBJ_POOL_H */
