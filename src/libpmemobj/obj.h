/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj.h -- struct obj_backing, the memory of an open pool and what keeps it
 * (a file, or a pool set with its parts and replicas), shared by the layers
 * under the pool module: backing.c, set.c (pool set files), replica.c
 * (keeping replicas in step), meta.c, ulog.c and heap.c. The pool module's
 * own state (pool.h) is private to the files that implement the public
 * functions. PMEMobjpool * handed to applications is the base address of
 * the master replica's mapping.
 */
#ifndef LIBPMEMOBJ_OBJ_H
#define LIBPMEMOBJ_OBJ_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "format/pool_hdr.h"
#include "libpmemobj.h"
#include "poolset.h"

/* a replica other than the master (replica 0) */
struct obj_rep {
	unsigned idx;		/* replica number in the set file */
	struct poolset_map map; /* local: its parts, mapped */
	void *rpp;		/* remote: RPMEMpool * */
	const char *node;	/* remote: target, as in the set file */
	const char *desc;	/* remote: pool set name on the node */
	unsigned nlanes;	/* remote: lanes granted */
	atomic_int failed;	/* remote: first failure's errno, sticky;
				 * set by any thread that persists */
};

/*
 * What the pool layer tells the backing layer about the pool it wants, for
 * one create, open or check of a pool set (passed down, kept in
 * obj_backing.ctx for the length of that call only).
 */
struct obj_set_ctx {
	const char *path;	    /* the set file, for messages */
	struct pool_hdr_expect hdr; /* what every header holds */
	uint32_t new_incompat;	    /* incompat features of new headers */
	size_t shared_off;	    /* bytes every replica shares with the */
	size_t shared_len;	    /* master (the checksummed descriptor) */
	size_t gen_off;		    /* see obj_backing.gen_off */
};

/* the pool's memory and what keeps it: a file or a set with its replicas */
struct obj_backing {
	uint8_t *base;
	size_t size; /* pool size: the smallest local replica */
	int fd;	     /* single file: kept open, its flock excludes others */
	int is_pmem;
	int rdonly_private; /* pmemobj_check's copy-on-write mapping */

	/* pool set (NULL for a single pool file) */
	struct poolset *set;
	struct poolset_map master;
	unsigned nreps; /* replicas besides the master */
	struct obj_rep *reps;
	unsigned nremote;
	unsigned rlanes; /* lanes usable on every remote replica */
	/* offset of the pool's generation, an even 8-byte counter (the
	 * descriptor's run_id): moved on in the master and in every replica
	 * but the failed one when a remote replica fails, so that the next
	 * open finds that replica behind, and only that one */
	size_t gen_off;
	const struct obj_set_ctx *ctx; /* during a set create/open only */
	pthread_mutex_t *rlane_lock;   /* one per remote lane */
	pthread_mutex_t gen_lock;      /* with rlane_lock: moves gen_off */
};

/* ---- replica.c ---- */

/* what was done to the master's range, to be repeated on each replica */
enum obj_rep_op {
	OBJ_REP_PERSIST, /* persist: copy and persist */
	OBJ_REP_FLUSH,	 /* flush: copy and flush, no drain */
	OBJ_REP_MEM,	 /* memcpy/memmove/memset with PMEMOBJ_F_MEM_* */
};

/*
 * Bring [addr, addr + len) of every replica up to the master's bytes (the
 * pool header page is never copied: each replica keeps its own). Local
 * replicas get a copy made with the same flags; remote replicas an
 * rpmem_flush on the calling thread's lane, all posted before the first
 * rpmem_drain, relaxed when flags has PMEMOBJ_F_RELAXED. Returns 0, or -1 with
 * errno and the error message set when msync of a local replica failed or a
 * remote replica failed now or before.
 */
int obj_rep_update(struct obj_backing *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op);

static inline int
obj_rep_sync(struct obj_backing *p, const void *addr, size_t len,
	unsigned flags, enum obj_rep_op op)
{
	if (p->nreps == 0)
		return 0;
	return obj_rep_update(p, addr, len, flags, op);
}

/* load librpmem.so.1 (once); -1 with errno ELIBACC when it is missing */
int obj_rpmem_load(void);

/* remote replica life cycle (attr is struct rpmem_pool_attr) */
int obj_rep_remote_create(
	struct obj_backing *p, struct obj_rep *r, const void *attr);
int obj_rep_remote_open(struct obj_backing *p, struct obj_rep *r, void *attr);
int obj_rep_remote_read(struct obj_backing *p, struct obj_rep *r, void *buf,
	size_t off, size_t len);
void obj_rep_remote_close(struct obj_rep *r, int remove);

/* copy [off, off + len) of the master to remote replica r (lanes set up) */
int obj_rep_remote_copy(
	struct obj_backing *p, struct obj_rep *r, size_t off, size_t len);

/* per-remote-lane locks, once nlanes of every remote replica are known */
int obj_rep_lanes_init(struct obj_backing *p);
void obj_rep_lanes_fini(struct obj_backing *p);

/* first failure of any remote replica (errno value), or 0 */
int obj_rep_failed(const struct obj_backing *p);

/* ---- set.c ---- */

/*
 * A pool set file (see set.c). obj_set_create() creates the parts, writes
 * the headers, creates the remote replicas; the caller then writes the
 * pool's body and calls obj_set_created() (or obj_set_abort(), which
 * removes what the create made). obj_set_open() maps the set and checks
 * its headers, links and the bytes every replica shares (with check_only,
 * without contacting remote replicas). Both return 0 or a negative errno
 * with the message set, and leave nothing mapped on failure.
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

#endif /* LIBPMEMOBJ_OBJ_H */
