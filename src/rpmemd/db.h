/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db.h -- rpmemd pool set database: pool set files under poolset-dir
 *
 * Contract: a pool descriptor names a pool set file relative to the
 * database directory. rpmemd_db_resolve() refuses (-EBADF) an absolute
 * descriptor, any ".." component, and any path whose real location (after
 * symlinks) is outside the directory; a missing file is -ENOENT.
 * Create/open/set_attr/remove work on the one local replica of a set (a set
 * with more replicas or a remote replica is -EINVAL) and write or check the
 * 4096-byte pool headers built from the rpmem attributes. Create and open
 * reserve the blocks of every part (-ENOSPC, naming the part, when the
 * file system lacks room), so that the pool is never served with pages a
 * full disk could leave without a block. All functions
 * return 0 or a negative errno; they never print.
 */
#ifndef RPMEMD_DB_H
#define RPMEMD_DB_H 1

#include <stddef.h>

#include "poolset.h"
#include "rpmem_proto.h"

struct rpmemd_db {
	char *root; /* real path of poolset-dir, no trailing slash */
};

struct rpmemd_db_pool {
	char *set_path;
	struct poolset *set;
	struct poolset_map map;
	void *addr;   /* == map.addr: pool offset 0 */
	size_t size;  /* usable pool size */
	int has_hdrs; /* part 0 carries a pool header */
	int is_pmem;
	int created;	  /* created in this session */
	int hdrs_written; /* the create wrote the headers */
	/* the header page as rpmemd last wrote or checked it (has_hdrs) */
	unsigned char *hdr_copy;
	/* the first part whose blocks the file system cannot reserve
	 * (EOPNOTSUPP), NULL when every part's are */
	const char *unreserved;
};

/* text for the error err (negative errno) of the last failed call: what
 * was wrong when the call knew more than the errno says (e.g. a name
 * outside poolset-dir, a FIFO), else strerror(); valid until the next call */
const char *rpmemd_db_strerror(int err);

int rpmemd_db_init(struct rpmemd_db *db, const char *dir);
void rpmemd_db_fini(struct rpmemd_db *db);

int rpmemd_db_resolve(
	const struct rpmemd_db *db, const char *desc, char **path);

/* attr in host order, NULL: no headers (NOHDRS set required) */
int rpmemd_db_pool_create(const struct rpmemd_db *db, const char *desc,
	const struct rpmem_pool_attr_packed *attr, struct rpmemd_db_pool **out);

/* attr (host order) receives the stored attributes, zero when none */
int rpmemd_db_pool_open(const struct rpmemd_db *db, const char *desc,
	struct rpmemd_db_pool **out, struct rpmem_pool_attr_packed *attr);

int rpmemd_db_pool_set_attr(
	struct rpmemd_db_pool *pool, const struct rpmem_pool_attr_packed *attr);

/*
 * The pool is registered for remote access as one region that includes
 * the header page (see rpmemd(1)), but only rpmemd may change the header:
 * the page is mapped copy-on-write, so a client's write never reaches the
 * part file. Puts back the header in the mapping when a client wrote over
 * it since the last create, open or set_attr: 1 when it did, 0 when
 * untouched.
 */
int rpmemd_db_pool_guard_hdr(struct rpmemd_db_pool *pool);

/*
 * The one clean-up for a pool whose session failed after the part files
 * existed (refused request, fabric set-up, lanes that never connected):
 * unmaps and, for a created pool, removes the part files this process
 * created (it holds their locks until they are unlinked) and zeroes again
 * the header pages it wrote into parts that existed before; other files
 * and any opened pool stay as they are. Frees pool. 0 or the first
 * negative errno.
 */
int rpmemd_db_pool_discard(struct rpmemd_db_pool *pool);

/*
 * The same clean-up when rpmemd dies of a fatal signal: while a created
 * pool is armed, rpmemd_db_crash_cleanup() (async-signal-safe: unlink and
 * pwrite only) removes the part files it created and zeroes the header
 * pages written into parts that existed, and returns how many files it
 * removed. rpmemd arms a pool when its create succeeds; the fabric server
 * disarms it once all lanes are connected (from then on the pool is the
 * client's and stays, as after any other session). Ending the pool
 * (close, discard) disarms it too.
 */
void rpmemd_db_crash_arm(struct rpmemd_db_pool *pool);
void rpmemd_db_crash_disarm(void);
int rpmemd_db_crash_cleanup(void);

/*
 * Where addr lies in the pool this process serves (from a successful map
 * of a create or open until the pool ends): *path receives the part file's
 * path, *off the offset in that file and *pool_off the offset in the pool.
 * 0, or -1 when addr is in no part. Async-signal-safe (it only reads), so
 * that the fatal-signal handler can name the page a SIGBUS hit.
 */
int rpmemd_db_locate(
	const void *addr, const char **path, size_t *off, size_t *pool_off);

/* remove: POOLSET_KEEP, or POOLSET_REMOVE_ALL to unlink all part files */
int rpmemd_db_pool_close(struct rpmemd_db_pool *pool, int remove);

/* remove mode: unlink parts (and the set file with pool_set); force as in
 * rpmemd(1): only a name outside poolset-dir is still an error */
int rpmemd_db_pool_remove(
	const struct rpmemd_db *db, const char *desc, int force, int pool_set);

#endif /* RPMEMD_DB_H */
