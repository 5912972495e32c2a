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
#include "backing.h"
#include "set_parts.h"
#include "pmem.h"
#include "format/uuid.h"
#include "replica.h"
#include "set.h"

void
set_ids_free(struct set_ids *ids)
{
	for (unsigned r = 0; ids->uuid && r < ids->nreplicas; r++)
		free(ids->uuid[r]);
	free(ids->uuid);
	free(ids->nhdrs);
	free(ids->known);
}

int
set_ids_alloc(struct set_ids *ids, const struct poolset *set)
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
	set_ids_free(ids);
	return -ENOMEM;
}

/* ---- set up and tear down ---- */

void
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
int
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
struct poolset_map *
set_rep_map(struct obj_backing *p, unsigned r)
{
	return r ? &p->reps[r - 1].map : &p->master;
}

int
set_hdr_read(
	struct obj_backing *p, unsigned r, unsigned part, struct pool_hdr *h)
{
	struct poolset_map *m = set_rep_map(p, r);
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
	if (set_hdr_read(p, r, part, &h))
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
		struct poolset_map *m = set_rep_map(p, r);
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
		struct poolset_map *m = set_rep_map(p, r);
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
		ret = set_ids_alloc(&ids, p->set);
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
	set_ids_free(&ids);
	p->ctx = NULL;
	return 0;
err:
	set_ids_free(&ids);
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
		struct poolset_map *m = set_rep_map(p, r);
		for (unsigned part = 0; part < m->nparts; part++)
			if (m->created[part] && fchmod(m->fds[part], mode))
				LOG(LOG_LVL_WARN, "chmod \"%s\": %s",
					set->replicas[r].parts[part].path,
					strerror(errno));
	}
}
