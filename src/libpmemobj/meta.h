/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meta.h -- a pool's metadata (meta.c): header, descriptor, body, boot
 *
 * Contract: the checks return 0 or a negative errno with the message set.
 * obj_pool_verify() runs every check of open and check after the headers
 * and writes nothing; obj_pool_recover() then recovers the lanes of a
 * verified pool (the first write of an open). obj_pool_boot() makes
 * a verified pool ready for use (run_id, heap size, shutdown state, the
 * handle's uuid); obj_body_create() writes a new pool's descriptor, lanes
 * and heap. obj_set_ctx_init() says what a pool set of object pools holds;
 * obj_lanes_mirror() copies the master's lanes to every replica.
 */
#ifndef LIBPMEMOBJ_META_H
#define LIBPMEMOBJ_META_H 1

#include "format/pool_hdr.h"
#include "backing.h"

int obj_hdr_verify_single(const struct pool_hdr *h);
void obj_hdr_create(struct obj_backing *p, int fd);
void obj_sds_set_dirty(struct obj_backing *p, int dirty);
int obj_desc_verify(struct obj_backing *p, const char *layout);
int obj_pool_verify(struct obj_backing *p, const char *layout);
int obj_pool_recover(struct obj_backing *p);
void obj_pool_boot(struct obj_backing *p);
void obj_body_create(struct obj_backing *p, const char *layout);
void obj_set_ctx_init(struct obj_set_ctx *c, const char *path);
int obj_lanes_mirror(struct obj_backing *p);

#endif /* LIBPMEMOBJ_META_H */
