/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj.h -- the run-time state of an open pool, shared by obj.c (pool life
 * cycle and registry), root.c (the root object) and memops.c (the memory
 * functions). PMEMobjpool * handed to applications is the base address of
 * the mapping; obj_pool_of() finds the state behind it.
 */
#ifndef LIBPMEMOBJ_OBJ_H
#define LIBPMEMOBJ_OBJ_H 1

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "libpmemobj.h"

struct obj_pool {
	uint8_t *base;
	size_t size;
	int fd; /* kept open: its flock excludes other openers */
	int is_pmem;
	int rdonly_private; /* pmemobj_check's copy-on-write mapping */
	uint64_t uuid_lo;
	pthread_mutex_t root_lock;
	struct obj_pool *next;
};

struct obj_pool *obj_pool_of(PMEMobjpool *pop);
void obj_persist(struct obj_pool *p, const void *addr, size_t len);
uint8_t *obj_zone(struct obj_pool *p, uint64_t z);
uint32_t obj_zone_size_idx(struct obj_pool *p, uint64_t z);
uint64_t obj_nzones(struct obj_pool *p);

#endif /* LIBPMEMOBJ_OBJ_H */
