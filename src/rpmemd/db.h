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
 * 4096-byte pool headers built from the rpmem attributes. All functions
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
	int created; /* created in this session */
	/* the header page as rpmemd last wrote or checked it (has_hdrs) */
	unsigned char *hdr_copy;
};

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
 * the header page (see rpmemd(1)), but only rpmemd may change the header.
 * Puts back a header page a client wrote over since the last create, open
 * or set_attr: 1 when it did, 0 when untouched, negative errno on failure.
 */
int rpmemd_db_pool_guard_hdr(struct rpmemd_db_pool *pool);

/* remove != 0: unlink all part files */
int rpmemd_db_pool_close(struct rpmemd_db_pool *pool, int remove);

/* remove mode: unlink parts (and the set file with pool_set) */
int rpmemd_db_pool_remove(
	const struct rpmemd_db *db, const char *desc, int force, int pool_set);

#endif /* RPMEMD_DB_H */
