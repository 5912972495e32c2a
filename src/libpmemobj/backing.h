/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backing.h -- what a pool lives in (backing.c; pool sets: set.c, replicas:
 * replica.c)
 *
 * Contract: the handle functions return a mapped, locked pool or NULL with
 * errno and the message set. obj_file_map() opens an existing pool file
 * (private_copy: a copy-on-write mapping for pmemobj_check);
 * obj_file_create() creates one of poolsize bytes, locked from its creation
 * on; obj_file_adopt() takes an existing file whose header page is zero.
 * obj_pool_release() unmaps and frees any handle. obj_persist() makes a
 * range of the pool's own metadata persistent in every replica (a remote
 * failure is kept in the pool for the next call to report).
 */
#ifndef LIBPMEMOBJ_BACKING_H
#define LIBPMEMOBJ_BACKING_H 1

#include <stddef.h>

#include "obj.h"

struct obj_pool *obj_pool_alloc(void);
void obj_pool_release(struct obj_pool *p);
int obj_is_set_file(const char *path);
struct obj_pool *obj_file_map(const char *path, int private_copy);
struct obj_pool *obj_file_create(const char *path, size_t poolsize);
struct obj_pool *obj_file_adopt(const char *path);
void obj_persist(struct obj_pool *p, const void *addr, size_t len);

#endif /* LIBPMEMOBJ_BACKING_H */
