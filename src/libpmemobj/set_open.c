/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * set.c -- pmemobj pools described by a pool set file: parts, local and
 * remote replicas
 *
 * The set file is parsed by src/common/poolset_parse.c (shared with rpmemd).
 * Replica 0, the master, is mapped as one contiguous range and is what
 * PMEMobjpool * points at; every other local replica is mapped the same
 * way, remote replicas are attached through librpmem. The pool size is the
 * smallest local replica's.
 *
 * Headers, as PMDK 1.12.1 writes them: one per part (only part 0 with
 * OPTION SINGLEHDR), all with the set's poolset_uuid and their own uuid;
 * prev/next_part_uuid name the neighbouring parts of the same replica
 * (circularly), prev/next_repl_uuid the part-0 uuids of the neighbouring
 * replicas, in every header of a replica. A remote replica gets the same
 * fields as pool attributes in rpmem_create() and gives them back in
 * rpmem_open().
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "format/pool_hdr.h"
#include "format/pool_ring.h"
#include "librpmem.h"
#include "log.h"
#include "obj.h"
#include "pmem.h"
#include "format/uuid.h"

typedef uint8_t uuid_bytes[16];

/* the uuids of every header of every replica, filled as they are known */
struct set_ids {
	unsigned nreplicas;
	unsigned *nhdrs;
	uuid_bytes **uuid; /* [replica][part] */
	uint8_t *known;	   /* [replica]: uuid[r][0] is known */
};

static void
ids_free(struct set_ids *ids)
{
	for (unsigned r = 0; ids->uuid && r < ids->nreplicas; r++)
		free(ids->uuid[r]);
	free(ids->uuid);
	free(ids->nhdrs);
	free(ids->known);
}

static int
ids_alloc(struct set_ids *ids, const struct poolset *set)
{
	memset(ids, 0, sizeof(*ids));
	ids->nreplicas = set->nreplicas;
	ids->nhdrs = calloc(set->nreplicas, sizeof(*ids->nhdrs));
	ids->uuid = calloc(set->nreplicas, sizeof(*ids->uuid));
	ids->known = calloc(set->nreplicas, 1);
	if (!ids->nhdrs || !ids->uuid || !ids->known)
		goto nomem;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		unsigned h = set->replicas[r].node ? 1 : poolset_nhdrs(set, r);
		ids->nhdrs[r] = h;
		ids->uuid[r] = calloc(h, sizeof(uuid_bytes));
		if (ids->uuid[r] == NULL)
			goto nomem;
	}
	return 0;
nomem:
	ERR_W_ERRNO("cannot allocate the pool set's uuid table");
	ids_free(ids);
	return -ENOMEM;
}

/* "<set file>: replica r" in messages */
#define REPFMT "%s: replica %u"

/* ---- set up and tear down ---- */

static void
set_teardown(struct obj_backing *p, int remove)
{
	int how = remove ? POOLSET_REMOVE_CREATED : POOLSET_KEEP;
	for (unsigned i = 0; p->reps && i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->node != NULL)
			obj_rep_remote_close(r, remove);
		else if (r->map.addr != NULL)
			poolset_unmap_replica(p->set, r->idx, &r->map, how);
	}
	obj_rep_lanes_fini(p);
	free(p->reps);
	p->reps = NULL;
	p->nreps = 0;
	if (p->master.addr != NULL)
		poolset_unmap_replica(p->set, 0, &p->master, how);
	p->base = NULL;
	poolset_free(p->set);
	p->set = NULL;
}

void
obj_set_close(struct obj_backing *p)
{
	set_teardown(p, 0);
}

/* says why local replica r's parts could not be mapped */
static int
map_failed(struct obj_backing *p, unsigned r, const struct poolset_map *m,
	int create, int ret)
{
	const char *path = p->ctx->path;
	const struct poolset_replica *sr = &p->set->replicas[r];
	if (m->bad_part < 0) {
		ERR(REPFMT ": cannot %s its part files: %s", path, r,
			create ? "create or open" : "open", strerror(-ret));
		return ret;
	}
	const struct poolset_part *bp = &sr->parts[m->bad_part];
	if (ret == -ESTALE) {
		ERR(REPFMT ", part %d: \"%s\" was removed or replaced by "
			   "another process while this one opened it",
			path, r, m->bad_part, bp->path);
		return ret;
	}
	struct stat st;
	int found = stat(bp->path, &st) == 0;
	if (ret == -EINVAL && found && !S_ISREG(st.st_mode)) {
		ERR(REPFMT ", part %d: \"%s\" is %s, not a regular file", path,
			r, m->bad_part, bp->path, file_kind(st.st_mode));
		return ret;
	}
	if (ret == -EINVAL && found && (size_t)st.st_size != bp->size) {
		ERR(REPFMT ", part %d: file size does not match the set "
			   "file: \"%s\" has %lld bytes, not %zu",
			path, r, m->bad_part, bp->path, (long long)st.st_size,
			bp->size);
		return ret;
	}
	ERR(REPFMT ", part %d: cannot %s \"%s\": %s (a part must be a "
		   "regular file of the size the set file gives, %zu bytes, "
		   "at least 2 MiB, not in use)",
		path, r, m->bad_part, create ? "create or open" : "open",
		bp->path, strerror(-ret), bp->size);
	return ret;
}

/* read the set file, refuse what object pools do not support */
static int
set_read(struct obj_backing *p, const char *path)
{
	char why[256] = "";
	struct poolset *set = NULL;
	int ret = poolset_read_file(path, &set, why, sizeof(why));
	if (ret) {
		if (ret == -EINVAL)
			ERR("%s [%s]", path, why);
		else
			ERR("cannot read pool set file %s: %s", path,
				strerror(-ret));
		return ret;
	}
	p->set = set;
	if (set->options & POOLSET_OPT_NOHDRS) {
		ERR("%s: the NOHDRS poolset option is not supported for local "
		    "poolsets",
			path);
		return -EINVAL;
	}
	for (unsigned r = 0; r < set->nreplicas; r++)
		for (unsigned i = 0; i < set->replicas[r].nparts; i++)
			if (set->replicas[r].parts[i].is_dir) {
				ERR("%s: \"%s\" is a directory; pool sets of "
				    "directories are not supported",
					path, set->replicas[r].parts[i].path);
				return -ENOTSUP;
			}
	p->nreps = set->nreplicas - 1;
	if (p->nreps == 0)
		return 0;
	p->reps = calloc(p->nreps, sizeof(*p->reps));
	if (p->reps == NULL) {
		ERR_W_ERRNO("cannot allocate %u replicas", p->nreps);
		return -ENOMEM;
	}
	return 0;
}

/* read and check the set file, map every local replica */
static int
set_map(struct obj_backing *p, const char *path, int create)
{
	int ret = set_read(p, path);
	if (ret)
		return ret;
	const struct poolset *set = p->set;
	p->size = SIZE_MAX;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		const struct poolset_replica *sr = &set->replicas[r];
		struct obj_rep *rep = r ? &p->reps[r - 1] : NULL;
		if (rep)
			rep->idx = r;
		if (sr->node != NULL) {
			rep->node = sr->node;
			rep->desc = sr->desc;
			continue;
		}
		struct poolset_map *m = rep ? &rep->map : &p->master;
		ret = poolset_map_replica(set, r, create, m);
		if (ret)
			return map_failed(p, r, m, create, ret);
		if (m->size < p->size)
			p->size = m->size;
	}
	p->base = p->master.addr;
	p->is_pmem = p->master.is_pmem;
	p->gen_off = p->ctx->gen_off;
	if (p->size < PMEMOBJ_MIN_POOL) {
		ERR("%s: pool size %zu smaller than %zu", path, p->size,
			PMEMOBJ_MIN_POOL);
		return -EINVAL;
	}
	return 0;
}

/* local replica r's mapping (r == 0: the master) */
static struct poolset_map *
rep_map(struct obj_backing *p, unsigned r)
{
	return r ? &p->reps[r - 1].map : &p->master;
}

static int
hdr_read(struct obj_backing *p, unsigned r, unsigned part, struct pool_hdr *h)
{
	struct poolset_map *m = rep_map(p, r);
	if (part == 0) {
		memcpy(h, m->addr, sizeof(*h));
		return 0;
	}
	int ret = poolset_read_hdr(m, part, h);
	if (ret)
		ERR(REPFMT ": cannot read the header of part %u: %s",
			p->ctx->path, r, part, strerror(-ret));
	return ret;
}

/* ---- create ---- */

static int
part_is_empty(struct obj_backing *p, unsigned r, unsigned part)
{
	static const uint8_t zero[POOL_HDR_SIZE];
	struct pool_hdr h;
	if (hdr_read(p, r, part, &h))
		return 0;
	return memcmp(&h, zero, sizeof(h)) == 0;
}

static int
headers_write(struct obj_backing *p, const struct set_ids *ids,
	const uint8_t *poolset_uuid, unsigned incompat)
{
	unsigned R = ids->nreplicas;
	for (unsigned r = 0; r < R; r++) {
		if (p->set->replicas[r].node != NULL)
			continue;
		struct poolset_map *m = rep_map(p, r);
		unsigned n = ids->nhdrs[r];
		for (unsigned part = 0; part < n; part++) {
			struct pool_hdr h;
			struct stat st;
			uint64_t crtime = fstat(m->fds[part], &st) == 0
						  ? (uint64_t)st.st_ctime
						  : 0;
			pool_hdr_init(&h, p->ctx->hdr.signature,
				p->ctx->hdr.major, 0,
				p->ctx->new_incompat | incompat, 0);
			h.crtime = crtime;
			memcpy(h.poolset_uuid, poolset_uuid, 16);
			pool_ring_link(&h, ids->uuid[r], n, part,
				ids->uuid[pool_ring_prev(r, R)][0],
				ids->uuid[pool_ring_next(r, R)][0]);
			pool_hdr_csum_set(&h);
			if (part > 0) {
				int ret = poolset_write_hdr(m, part, &h);
				if (ret) {
					ERR(REPFMT ": cannot write the header "
						   "of part %u: %s",
						p->ctx->path, r, part,
						strerror(-ret));
					return ret;
				}
				continue;
			}
			memcpy(m->addr, &h, sizeof(h));
			if (m->is_pmem) {
				pm_persist(m->addr, sizeof(h));
			} else if (pm_msync(m->addr, sizeof(h))) {
				int e = errno;
				ERR(REPFMT ": cannot write the header of part "
					   "0: %s",
					p->ctx->path, r, strerror(e));
				return -e;
			}
		}
	}
	return 0;
}

/* parts given by the user must be empty where a header goes */
static int
parts_empty_check(struct obj_backing *p)
{
	const struct poolset *set = p->set;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		if (set->replicas[r].node != NULL)
			continue;
		struct poolset_map *m = rep_map(p, r);
		for (unsigned part = 0; part < poolset_nhdrs(set, r); part++) {
			if (m->created[part] || part_is_empty(p, r, part))
				continue;
			ERR(REPFMT ": Non-empty file detected: %s",
				p->ctx->path, r,
				set->replicas[r].parts[part].path);
			return -EEXIST;
		}
	}
	return 0;
}

/* rpmem_create of every remote replica, with the master's header fields */
static int
remotes_create(struct obj_backing *p, const struct set_ids *ids,
	const uint8_t *poolset_uuid)
{
	const struct pool_hdr *master = (const struct pool_hdr *)p->base;
	unsigned R = ids->nreplicas;
	for (unsigned i = 0; i < p->nreps; i++) {
		struct obj_rep *r = &p->reps[i];
		if (r->node == NULL)
			continue;
		struct rpmem_pool_attr a;
		pool_attr_from_hdr(&a, master);
		memcpy(a.poolset_uuid, poolset_uuid, 16);
		memcpy(a.uuid, ids->uuid[r->idx][0], 16);
		memcpy(a.next_uuid, ids->uuid[pool_ring_next(r->idx, R)][0],
			16);
		memcpy(a.prev_uuid, ids->uuid[pool_ring_prev(r->idx, R)][0],
			16);
		int ret = obj_rep_remote_create(p, r, &a);
		if (ret)
			return ret;
	}
	return 0;
}

int
obj_set_create(struct obj_backing *p, const struct obj_set_ctx *ctx)
{
	p->ctx = ctx;
	struct set_ids ids = {0};
	int ret = set_map(p, ctx->path, POOLSET_CREATE);
	if (ret == 0)
		ret = parts_empty_check(p);
	if (ret == 0)
		ret = ids_alloc(&ids, p->set);
	if (ret)
		goto err;
	uint8_t poolset_uuid[16];
	uuid_gen(poolset_uuid);
	for (unsigned r = 0; r < p->set->nreplicas; r++)
		for (unsigned part = 0; part < ids.nhdrs[r]; part++)
			uuid_gen(ids.uuid[r][part]);
	unsigned incompat = (p->set->options & POOLSET_OPT_SINGLEHDR)
				    ? POOL_FEAT_SINGLEHDR
				    : 0;
	ret = headers_write(p, &ids, poolset_uuid, incompat);
	if (ret == 0)
		ret = remotes_create(p, &ids, poolset_uuid);
	if (ret == 0)
		ret = obj_rep_lanes_init(p);
	if (ret)
		goto err;
	ids_free(&ids);
	p->ctx = NULL;
	return 0;
err:
	ids_free(&ids);
	set_teardown(p, 1);
	p->ctx = NULL;
	return ret;
}

void
obj_set_abort(struct obj_backing *p)
{
	set_teardown(p, 1);
}

void
obj_set_created(struct obj_backing *p, mode_t mode)
{
	/* as PMDK: the mode applies to the part files created here */
	const struct poolset *set = p->set;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		if (set->replicas[r].node != NULL)
			continue;
		struct poolset_map *m = rep_map(p, r);
		for (unsigned part = 0; part < m->nparts; part++)
			if (m->created[part] && fchmod(m->fds[part], mode))
				LOG(LOG_LVL_WARN, "chmod \"%s\": %s",
					set->replicas[r].parts[part].path,
					strerror(errno));
	}
}

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
			int ret = hdr_read(p, r, part, h);
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
	ids_free(&t->ids);
}

static int
tabs_alloc(struct obj_backing *p, struct open_tabs *t, int with_attrs)
{
	int ret = ids_alloc(&t->ids, p->set);
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
