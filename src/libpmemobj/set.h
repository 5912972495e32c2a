/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set.h -- pool set files as what a pool lives in (set.c, set_open.c,
 * set_catchup.c)
 */
#ifndef LIBPMEMOBJ_SET_H
#define LIBPMEMOBJ_SET_H 1

#include <sys/types.h>

#include "backing.h"

/*
 * A pool set file (see set.c, set_open.c, set_catchup.c). obj_set_create()
 * creates the parts, writes the headers, creates the remote replicas; the
 * caller then writes the pool's body and calls obj_set_created() (or
 * obj_set_abort(), which removes what the create made). obj_set_open() maps the
 * set and checks its headers, links and the bytes every replica shares (with
 * check_only, without contacting remote replicas). Both return 0 or a negative
 * errno with the message set, and leave nothing mapped on failure.
 * obj_set_catch_up(), called once the pool is verified and before
 * anything is written to it, copies the master to every remote replica
 * that is behind (its generation is not the master's); 0 or a negative
 * errno with the message set, the set left open either way.
 */
int obj_set_create(struct obj_backing *p, const struct obj_set_ctx *ctx);
void obj_set_created(struct obj_backing *p, mode_t mode);
void obj_set_abort(struct obj_backing *p);
int obj_set_open(
	struct obj_backing *p, const struct obj_set_ctx *ctx, int check_only);
int obj_set_catch_up(struct obj_backing *p, const struct obj_set_ctx *ctx);
void obj_set_close(struct obj_backing *p);

#endif /* LIBPMEMOBJ_SET_H */
