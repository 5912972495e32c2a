/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set_open.c -- opening a pool set: every header checked against the
 * master's and the set file, the part and replica links followed (remote
 * replicas through their pool attributes), the bytes every replica shares
 * compared (header layout: set.c)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/pool_hdr.h"
#include "format/pool_ring.h"
#include "librpmem.h"
#include "log.h"
#include "backing.h"
#include "replica.h"
#include "set.h"
#include "set_parts.h"

/* ---- open and check ---- */

/* one header of local replica r, part `part`, against the set */
static int
hdr_check(const struct obj_backing *p, const struct pool_hdr *h,
	const struct pool_hdr *master, unsigned r, unsigned part)
{
	unsigned options = p->set->options;
	char why[256];
	if (pool_hdr_validate(h, &p->ctx->hdr, why, sizeof(why))) {
		ERR(REPFMT ", part %u: %s", p->ctx->path, r, part, why);
		return -EINVAL;
	}
	int single = (options & POOLSET_OPT_SINGLEHDR) != 0;
	if (((h->incompat & POOL_FEAT_SINGLEHDR) != 0) != single) {
		ERR(REPFMT ", part %u: poolset file options (%s) do not match "
			   "incompat feature flags (0x%x)",
			p->ctx->path, r, part, single ? "SINGLEHDR" : "none",
			h->incompat);
		return -EINVAL;
	}
	if (memcmp(h->poolset_uuid, master->poolset_uuid, 16)) {
		ERR(REPFMT ", part %u: belongs to another pool set (its "
			   "poolset_uuid differs from the master's)",
			p->ctx->path, r, part);
		return -EINVAL;
	}
	if (h->incompat != master->incompat || h->compat != master->compat) {
		ERR(REPFMT ", part %u: feature flags differ from the master's",
			p->ctx->path, r, part);
		return -EINVAL;
	}
	return 0;
}

/* read every local header, check it, note the uuids */
static int
headers_check(
	struct obj_backing *p, struct set_ids *ids, struct pool_hdr **hdrs)
{
	const struct poolset *set = p->set;
	struct pool_hdr master;
	memcpy(&master, p->base, sizeof(master));
	for (unsigned r = 0; r < set->nreplicas; r++) {
		if (set->replicas[r].node != NULL)
			continue;
		for (unsigned part = 0; part < ids->nhdrs[r]; part++) {
			struct pool_hdr *h = &hdrs[r][part];
			int ret = set_hdr_read(p, r, part, h);
			if (ret == 0)
				ret = hdr_check(p, h, &master, r, part);
			if (ret)
				return ret;
			memcpy(ids->uuid[r][part], h->uuid, 16);
		}
		ids->known[r] = 1;
	}
	return 0;
}

/*
 * A replica uuid naming another than the first part of local replica r:
 * the parts are rotated in the set file (the part links, circular, cannot
 * tell). Says so and returns 1.
 */
static int
first_part_moved(struct obj_backing *p, const struct set_ids *ids, unsigned r,
	const uint8_t *uuid)
{
	if (!ids->known[r] || p->set->replicas[r].node != NULL)
		return 0;
	for (unsigned part = 1; part < ids->nhdrs[r]; part++)
		if (memcmp(ids->uuid[r][part], uuid, 16) == 0) {
			ERR(REPFMT ": wrong part UUID (the pool's first part "
				   "is part %u of the set file: the parts are "
				   "not in this order)",
				p->ctx->path, r, part);
			return 1;
		}
	return 0;
}

/* prev/next links of every local header, where the neighbour is known */
static int
links_check(struct obj_backing *p, const struct set_ids *ids,
	struct pool_hdr **hdrs)
{
	unsigned R = ids->nreplicas;
	for (unsigned r = 0; r < R; r++) {
		if (p->set->replicas[r].node != NULL)
			continue;
		unsigned n = ids->nhdrs[r];
		unsigned pr = pool_ring_prev(r, R), nr = pool_ring_next(r, R);
		for (unsigned part = 0; part < n; part++) {
			const struct pool_hdr *h = &hdrs[r][part];
			if (!pool_ring_part_ok(hdrs[r], n, part)) {
				ERR(REPFMT ", part %u: wrong part UUID (the "
					   "parts are not those of this pool, "
					   "or not in this order)",
					p->ctx->path, r, part);
				return -EINVAL;
			}
			if ((ids->known[pr] && memcmp(h->prev_repl_uuid,
						       ids->uuid[pr][0], 16)) ||
				(ids->known[nr] &&
					memcmp(h->next_repl_uuid,
						ids->uuid[nr][0], 16))) {
				if (first_part_moved(
					    p, ids, pr, h->prev_repl_uuid) ||
					first_part_moved(
						p, ids, nr, h->next_repl_uuid))
					return -EINVAL;
				ERR(REPFMT ", part %u: wrong replica UUID (the "
					   "replicas are not those of this "
					   "pool, or not in this order)",
					p->ctx->path, r, part);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* a remote replica's attributes against the master and its neighbours */
static int
remote_attr_check(struct obj_backing *p, struct set_ids *ids,
	const struct obj_rep *r, const struct rpmem_pool_attr *a)
{
	struct rpmem_pool_attr m;
	pool_attr_from_hdr(&m, (const struct pool_hdr *)p->base);
	const char *bad = NULL;
	if (memcmp(a->signature, m.signature, sizeof(a->signature)))
		bad = "pool type (signature)";
	else if (a->major != m.major)
		bad = "format version";
	else if (a->compat_features != m.compat_features ||
		 a->incompat_features != m.incompat_features ||
		 a->ro_compat_features != m.ro_compat_features)
		bad = "feature flags";
	else if (memcmp(a->poolset_uuid, m.poolset_uuid, 16))
		bad = "pool set (poolset_uuid)";
	else if (memcmp(a->user_flags, m.user_flags, sizeof(m.user_flags)))
		bad = "architecture flags";
	if (bad != NULL) {
		ERR(REPFMT " (%s on %s): its %s differs from the master's",
			p->ctx->path, r->idx, r->desc, r->node, bad);
		return -EINVAL;
	}
	memcpy(ids->uuid[r->idx][0], a->uuid, 16);
	ids->known[r->idx] = 1;
	return 0;
}

static int
remote_links_check(const struct obj_backing *p, const struct set_ids *ids,
	const struct obj_rep *r, const struct rpmem_pool_attr *a)
{
	unsigned R = ids->nreplicas;
	unsigned pr = pool_ring_prev(r->idx, R), nr = pool_ring_next(r->idx, R);
	if ((ids->known[pr] && memcmp(a->prev_uuid, ids->uuid[pr][0], 16)) ||
		(ids->known[nr] &&
			memcmp(a->next_uuid, ids->uuid[nr][0], 16))) {
		ERR(REPFMT " (%s on %s): wrong replica UUID (the remote pool "
			   "belongs to another replica of this set)",
			p->ctx->path, r->idx, r->desc, r->node);
		return -EINVAL;
	}
	return 0;
}

/* the bytes every replica shares with the master (the checksummed pool
 * descriptor) are the master's */
static int
shared_check(struct obj_backing *p)
{
	size_t off = p->ctx->shared_off, len = p->ctx->shared_len;
	const uint8_t *mine = p->base + off;
	uint8_t *buf = malloc(len);
	if (buf == NULL) {
		ERR_W_ERRNO("cannot allocate %zu bytes", len);
		return -ENOMEM;
	}
	int ret = 0;
	for (unsigned i = 0; ret == 0 && i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		const uint8_t *d = buf;
		/* pmemobj_check does not open remote replicas */
		if (r->node != NULL && r->rpp == NULL)
			continue;
		if (r->node == NULL)
			d = (const uint8_t *)r->map.addr + off;
		else
			ret = obj_rep_remote_read(p, r, buf, off, len);
		if (ret == 0 && memcmp(d, mine, len) != 0) {
			ERR(REPFMT ": does not match the master (its pool "
				   "descriptor differs); repair the set "
				   "with pmempool sync",
				p->ctx->path, r->idx);
			ret = -EINVAL;
		}
	}
	free(buf);
	return ret;
}

/* what an open collects: uuids, headers, remote attributes */
struct open_tabs {
	struct set_ids ids;
	struct pool_hdr **hdrs;	       /* [replica][part] */
	struct rpmem_pool_attr *attrs; /* [replica - 1], remote ones only */
};

static void
tabs_free(struct obj_backing *p, struct open_tabs *t)
{
	for (unsigned r = 0; t->hdrs && r < p->set->nreplicas; r++)
		free(t->hdrs[r]);
	free(t->hdrs);
	free(t->attrs);
	set_ids_free(&t->ids);
}

static int
tabs_alloc(struct obj_backing *p, struct open_tabs *t, int with_attrs)
{
	int ret = set_ids_alloc(&t->ids, p->set);
	if (ret)
		return ret;
	t->hdrs = calloc(p->set->nreplicas, sizeof(*t->hdrs));
	for (unsigned r = 0; t->hdrs && r < p->set->nreplicas; r++) {
		t->hdrs[r] = calloc(t->ids.nhdrs[r], sizeof(struct pool_hdr));
		if (t->hdrs[r] == NULL)
			goto nomem;
	}
	if (t->hdrs == NULL)
		goto nomem;
	if (with_attrs && p->nreps) {
		t->attrs = calloc(p->nreps, sizeof(*t->attrs));
		if (t->attrs == NULL)
			goto nomem;
	}
	return 0;
nomem:
	ERR_W_ERRNO("cannot allocate the headers of the set");
	return -ENOMEM;
}

/* rpmem_open of every remote replica, its attributes checked */
static int
remotes_open(struct obj_backing *p, struct open_tabs *t)
{
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->node == NULL)
			continue;
		int ret = obj_rep_remote_open(p, r, &t->attrs[i]);
		if (ret == 0)
			ret = remote_attr_check(p, &t->ids, r, &t->attrs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static int
remotes_links_check(struct obj_backing *p, const struct open_tabs *t)
{
	for (unsigned i = 0; i < p->nreps; i++)
		if (p->reps[i].node != NULL) {
			int ret = remote_links_check(
				p, &t->ids, &p->reps[i], &t->attrs[i]);
			if (ret)
				return ret;
		}
	return 0;
}

int
obj_set_open(
	struct obj_backing *p, const struct obj_set_ctx *ctx, int check_only)
{
	p->ctx = ctx;
	struct open_tabs t;
	memset(&t, 0, sizeof(t));
	int ret = set_map(p, ctx->path, POOLSET_OPEN);
	if (ret == 0)
		ret = tabs_alloc(p, &t, !check_only);
	if (ret == 0)
		ret = headers_check(p, &t.ids, t.hdrs);
	if (ret == 0 && !check_only)
		ret = remotes_open(p, &t);
	if (ret == 0)
		ret = links_check(p, &t.ids, t.hdrs);
	if (ret == 0 && !check_only)
		ret = remotes_links_check(p, &t);
	if (ret == 0 && !check_only)
		ret = obj_rep_lanes_init(p);
	if (ret == 0)
		ret = shared_check(p);
	tabs_free(p, &t);
	if (ret && p->set)
		set_teardown(p, 0);
	p->ctx = NULL;
	return ret;
}
