/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backing.h -- what a pool lives in (backing.c; pool sets: set.c, replicas:
 * replica.c)
 *
 * Contract: struct obj_backing (obj.h) is the pool's memory and what keeps
 * it; obj_backing_init() makes an empty one, obj_backing_release() unmaps
 * and closes whatever it holds. The file functions fill b with a mapped,
 * locked pool file and return 0, or -1 with errno and the message set and
 * b empty. obj_file_map() opens an existing pool file
 * (private_copy: a copy-on-write mapping for pmemobj_check);
 * obj_file_create() creates one of poolsize bytes, locked from its creation
 * on; obj_file_adopt() takes an existing file whose header page is zero.
 * obj_file_refused() sets the message and errno for a pool or part file
 * that file_open() or file_lock_path() refused with err (negative errno).
 * obj_persist() makes a
 * range of the pool's own metadata persistent in every replica (a remote
 * failure is kept in the pool for the next call to report).
 */
#ifndef LIBPMEMOBJ_BACKING_H
#define LIBPMEMOBJ_BACKING_H 1

#include <stddef.h>

#include "obj.h"

void obj_backing_init(struct obj_backing *b);
void obj_backing_release(struct obj_backing *b);
int obj_is_set_file(const char *path);
int obj_file_map(struct obj_backing *b, const char *path, int private_copy);
int obj_file_create(struct obj_backing *b, const char *path, size_t poolsize);
int obj_file_adopt(struct obj_backing *b, const char *path);
void obj_file_refused(const char *path, int err);
void obj_persist(struct obj_backing *p, const void *addr, size_t len);

#endif /* LIBPMEMOBJ_BACKING_H */
