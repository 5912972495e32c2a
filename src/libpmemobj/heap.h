/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * heap.h -- the heap of an object pool (heap.c)
 *
 * Contract: zones are counted from the heap's size as PMDK does (the last
 * one may be smaller); obj_zone() is zone z's header, obj_zone_size_idx()
 * its chunk count. obj_heap_verify() checks the heap header and every zone
 * in use, returning 0 or -EINVAL with the message set.
 */
#ifndef LIBPMEMOBJ_HEAP_H
#define LIBPMEMOBJ_HEAP_H 1

#include <stdint.h>

#include "layout.h"
#include "backing.h"

uint64_t obj_heap_nzones(uint64_t heap_size);
uint8_t *obj_zone(struct obj_backing *p, uint64_t z);
uint32_t obj_zone_size_idx(struct obj_backing *p, uint64_t z);
uint64_t obj_nzones(struct obj_backing *p);
void obj_heap_hdr_fill(struct heap_hdr *h);
int obj_heap_verify(struct obj_backing *p);

#endif /* LIBPMEMOBJ_HEAP_H */
