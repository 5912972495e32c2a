/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ulog.h -- the lanes' logs (ulog.c)
 *
 * Contract: obj_lanes_recover() walks every lane of the pool: committed redo
 * logs are replayed (write) or, without write, only checked, their entries
 * into the descriptor applied to *shadow; a lane with an interrupted
 * transaction or an extended redo log is refused with -ENOTSUP. It returns
 * 0 or a negative errno with the message set. obj_lanes_init() sets up the
 * logs of every lane of a new pool. The redo writer collects SET entries
 * in lane log r->u (data r->data) and redo_run() commits, applies and
 * clears them the way PMDK does.
 */
#ifndef LIBPMEMOBJ_ULOG_H
#define LIBPMEMOBJ_ULOG_H 1

#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "backing.h"

int obj_lanes_recover(
	struct obj_backing *p, int write, struct obj_desc *shadow);
void obj_lanes_init(struct obj_backing *p);

struct redo {
	struct obj_backing *p;
	struct ulog_hdr *u;
	uint8_t *data;
	size_t used;
};

void redo_set(struct redo *r, void *target, uint64_t value);
void redo_run(struct redo *r);

#endif /* LIBPMEMOBJ_ULOG_H */
