/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set_catchup.c -- a remote replica that missed writes of an earlier
 * session gets the whole pool again, generation last
 */
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "backing.h"
#include "replica.h"
#include "set.h"
#include "set_parts.h"

/*
 * Remote replica r, behind the master, made a copy of it. Its generation
 * is what says it is current: it is written last, after every other byte
 * of the copy is durable on the node, so that a copy cut short anywhere
 * leaves the replica behind and the next open copies again.
 */
static int
remote_copy(struct obj_backing *p, struct obj_rep *r)
{
	size_t gen = p->gen_off, past = gen + sizeof(uint64_t);
	int ret = obj_rep_remote_copy(p, r, POOL_HDR_SIZE, gen - POOL_HDR_SIZE);
	if (ret == 0)
		ret = obj_rep_remote_copy(p, r, past, p->size - past);
	if (ret == 0)
		ret = obj_rep_remote_copy(p, r, gen, sizeof(uint64_t));
	return ret;
}

/*
 * A remote replica whose generation is not the master's failed in an
 * earlier session (or that session ended before the replica got its last
 * writes, or an earlier copy to it was cut short): it is behind the
 * master. PMDK attaches it as it is and leaves the repair to `pmempool
 * sync`; here it is said in the log and the whole pool is copied to it.
 */
int
obj_set_catch_up(struct obj_backing *p, const struct obj_set_ctx *ctx)
{
	uint64_t mine;
	memcpy(&mine, p->base + p->gen_off, sizeof(mine));
	int ret = 0;
	p->ctx = ctx;
	for (unsigned i = 0; ret == 0 && i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		uint64_t theirs;
		if (r->rpp == NULL)
			continue;
		ret = obj_rep_remote_read(
			p, r, &theirs, p->gen_off, sizeof(theirs));
		if (ret || theirs == mine)
			continue;
		LOG(LOG_LVL_WARN,
			REPFMT " (%s on %s) missed writes of an earlier "
			       "session (its run_id %llu, the master's %llu): "
			       "copying the whole pool to it",
			ctx->path, r->idx, r->desc, r->node,
			(unsigned long long)theirs, (unsigned long long)mine);
		ret = remote_copy(p, r);
		if (ret == 0)
			LOG(LOG_LVL_WARN,
				REPFMT " (%s on %s) is a copy of the master "
				       "again",
				ctx->path, r->idx, r->desc, r->node);
	}
	p->ctx = NULL;
	return ret;
}
