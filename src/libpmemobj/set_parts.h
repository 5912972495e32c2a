/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set_parts.h -- the mapped parts of a pool set and the uuid table of its
 * headers: what set.c (set up, create, tear down) lends to set_open.c and
 * set_catchup.c
 *
 * Contract: set_ids_alloc() sizes the table for the set (one uuid for a
 * remote replica, one per header for a local one), 0 or -ENOMEM with the
 * message set; set_map() reads the set file and maps every local replica
 * (0 or a negative errno, message set); set_teardown() undoes it, removing
 * what was created when remove is set. set_rep_map() is local replica r's
 * mapping (r == 0: the master); set_hdr_read() copies the header of one of
 * its parts, 0 or a negative errno with the message set.
 */
#ifndef LIBPMEMOBJ_SET_PARTS_H
#define LIBPMEMOBJ_SET_PARTS_H 1

#include <stdint.h>

#include "format/pool_hdr.h"
#include "backing.h"

typedef uint8_t uuid_bytes[16];

/* the uuids of every header of every replica, filled as they are known */
struct set_ids {
	unsigned nreplicas;
	unsigned *nhdrs;
	uuid_bytes **uuid; /* [replica][part] */
	uint8_t *known;	   /* [replica]: uuid[r][0] is known */
};

/* "<set file>: replica r" in messages */
#define REPFMT "%s: replica %u"

void set_ids_free(struct set_ids *ids);
int set_ids_alloc(struct set_ids *ids, const struct poolset *set);
void set_teardown(struct obj_backing *p, int remove);
int set_map(struct obj_backing *p, const char *path, int create);
struct poolset_map *set_rep_map(struct obj_backing *p, unsigned r);
int set_hdr_read(
	struct obj_backing *p, unsigned r, unsigned part, struct pool_hdr *h);

#endif /* LIBPMEMOBJ_SET_PARTS_H */
