/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backing.h -- what a pool lives in: struct obj_backing, the memory of an
 * open pool and what keeps it (a file, or a pool set with its parts and
 * replicas), and backing.c's functions. Shared by the layers under the pool
 * module: backing.c, set*.c (pool set files, set.h), replica.c (keeping
 * replicas in step, replica.h), meta.c, ulog.c and heap.c. The pool
 * module's own state (pool.h) is private to the files that implement the
 * public functions. PMEMobjpool * handed to applications is the base
 * address of the master replica's mapping.
 *
 * Contract: struct obj_backing is the pool's memory and what keeps it;
 * obj_backing_init() makes an empty one, obj_backing_release() unmaps and
 * closes whatever it holds. The file functions fill b with a mapped, locked
 * pool file and return 0, or -1 with errno and the message set and b empty.
 * obj_file_map() opens an existing pool file (private_copy: a copy-on-write
 * mapping for pmemobj_check); obj_file_create() creates one of poolsize bytes,
 * locked from its creation on; obj_file_adopt() takes an existing file whose
 * header page is zero. obj_file_refused() sets the message and errno for a pool
 * or part file that file_open() or file_lock_path() refused with err (negative
 * errno). obj_persist() makes a range of the pool's own metadata persistent in
 * every replica (a remote failure is kept in the pool for the next call to
 * report).
 */
#ifndef LIBPMEMOBJ_BACKING_H
#define LIBPMEMOBJ_BACKING_H 1

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

void obj_backing_init(struct obj_backing *b);
void obj_backing_release(struct obj_backing *b);
int obj_is_set_file(const char *path);
int obj_file_map(struct obj_backing *b, const char *path, int private_copy);
int obj_file_create(struct obj_backing *b, const char *path, size_t poolsize);
int obj_file_adopt(struct obj_backing *b, const char *path);
void obj_file_refused(const char *path, int err);
void obj_persist(struct obj_backing *p, const void *addr, size_t len);

#endif /* LIBPMEMOBJ_BACKING_H */
