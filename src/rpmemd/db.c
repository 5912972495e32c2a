/* SPDX-License-Identifier: BSD-3-Clause */
/* db.c -- rpmemd pool set database: pool set files under poolset-dir */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "file.h"
#include "pmem.h"
#include "rpmemd_hdr.h"
#include "fault_inject.h"

/* what the last failed call found wrong, beyond its errno ("" none) */
static char db_why[256];

static int why(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int
why(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db_why, sizeof(db_why), fmt, ap);
	va_end(ap);
	return err;
}

const char *
rpmemd_db_strerror(int err)
{
	return db_why[0] ? db_why : strerror(err < 0 ? -err : err);
}

int
rpmemd_db_init(struct rpmemd_db *db, const char *dir)
{
	memset(db, 0, sizeof(*db));
	if (dir == NULL || dir[0] != '/')
		return -EINVAL;
	char *real = realpath(dir, NULL);
	if (real == NULL)
		return -errno;
	struct stat st;
	if (stat(real, &st)) {
		int e = errno;
		free(real);
		return -e;
	}
	if (!S_ISDIR(st.st_mode)) {
		free(real);
		return -ENOTDIR;
	}
	db->root = real;
	return 0;
}

void
rpmemd_db_fini(struct rpmemd_db *db)
{
	free(db->root);
	db->root = NULL;
}

/* does a relative path contain a ".." component */
static int
has_dotdot(const char *p)
{
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

int
rpmemd_db_resolve(const struct rpmemd_db *db, const char *desc, char **path)
{
	db_why[0] = '\0';
	if (desc == NULL || desc[0] == '\0')
		return why(-EINVAL, "empty pool set name");
	if (desc[0] == '/')
		return why(-EBADF,
			"absolute pool set names are refused; "
			"name a file relative to the pool set "
			"directory '%s'",
			db->root);
	if (has_dotdot(desc))
		return why(-EBADF,
			"the name leads outside the pool set "
			"directory '%s' (a '..' component)",
			db->root);
	size_t len = strlen(db->root) + 1 + strlen(desc) + 1;
	if (len > PATH_MAX)
		return -ENAMETOOLONG;
	char *full = fault_malloc(len);
	if (full == NULL)
		return -ENOMEM;
	strcpy(full, db->root);
	strcat(full, "/");
	strcat(full, desc);
	char *real = realpath(full, NULL);
	free(full);
	if (real == NULL)
		return -errno;
	size_t rl = strlen(db->root);
	int inside = strncmp(real, db->root, rl) == 0 &&
		     (real[rl] == '/' || (rl == 1 && db->root[0] == '/'));
	if (!inside) {
		why(-EBADF,
			"the name leads outside the pool set directory "
			"'%s' (through a symbolic link)",
			db->root);
		free(real);
		return -EBADF;
	}
	*path = real;
	return 0;
}

/*
 * Open a pool set file without blocking: a FIFO (or a device) under
 * poolset-dir must not make rpmemd wait forever for a writer.
 */
static int
set_open(const char *path)
{
	int fd = fault_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st)) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return why(S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL,
			"the pool set file is %s, not a regular file",
			file_kind(st.st_mode));
	}
	return fd;
}

/* parse the set at path, open (set_open()) on fd */
static int
set_read(int fd, const char *path, struct poolset **setp)
{
	char err[160];
	int ret = poolset_read_fd(fd, path, setp, err, sizeof(err));
	if (ret && err[0])
		return why(ret, "invalid pool set file: %s (%s)", err,
			strerror(-ret));
	return ret;
}

/* resolve, lock and parse a set; a set file must describe one local
 * replica */
static int
load_set(const struct rpmemd_db *db, const char *desc, char **pathp,
	struct poolset **setp)
{
	char *path;
	int ret = rpmemd_db_resolve(db, desc, &path);
	if (ret)
		return ret;
	int fd = set_open(path);
	if (fd < 0) {
		ret = fd;
		goto err_path;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		goto err_fd;
	}
	struct poolset *set;
	ret = set_read(fd, path, &set);
	if (ret)
		goto err_fd;
	if (set->nreplicas != 1 || set->replicas[0].node != NULL) {
		poolset_free(set);
		ret = why(-EINVAL, "the pool set must have exactly one local "
				   "replica");
		goto err_fd;
	}
	close(fd);
	*pathp = path;
	*setp = set;
	return 0;
err_fd:
	close(fd);
err_path:
	free(path);
	return ret;
}

static void
pool_free(struct rpmemd_db_pool *p)
{
	free(p->hdr_copy);
	poolset_free(p->set);
	free(p->set_path);
	free(p);
}

/* the blocks of a part could not be reserved */
static int
reserve_why(const struct poolset_part *part, int err)
{
	return why(err, "part file '%s': cannot reserve its %zu bytes: %s",
		part->path, part->size, strerror(-err));
}

/* name the part a mapping failed on, and what is wrong with it */
static void
part_why(const struct rpmemd_db_pool *p, int err)
{
	const char *path = p->set->replicas[0].parts[p->map.bad_part].path;
	struct stat st;
	if (err == -EINVAL && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		why(err, "part file '%s' is %s", path, file_kind(st.st_mode));
	else if (err == -EINVAL)
		why(err, "part file '%s' has the wrong size or is too small",
			path);
	else if (err == -ESTALE)
		why(err,
			"part file '%s' was removed or replaced by another "
			"process while this one opened it",
			path);
	else if (err == -ENOSPC)
		reserve_why(&p->set->replicas[0].parts[p->map.bad_part], err);
	else
		why(err, "part file '%s': %s", path, strerror(-err));
}

/*
 * The header page of part 0 is the first page of the registered region
 * (PMDK clients read it remotely), but only rpmemd may change it. It is
 * mapped copy-on-write: a client's RDMA write lands in rpmemd's private
 * copy and never reaches the part file, so neither a close nor a killed
 * rpmemd can leave a header a client wrote. rpmemd itself writes headers
 * with pwrite() and then refreshes the private copy (hdr_snapshot()).
 */
static int
hdr_private(struct rpmemd_db_pool *p)
{
	void *a = fault_mmap(p->addr, POOLSET_HDR_SIZE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_FIXED, p->map.fds[0], 0);
	if (a == MAP_FAILED)
		return -errno;
	return 0;
}

/* the pool a fatal signal cleans up after (rpmemd_db_crash_*()) */
static struct rpmemd_db_pool *volatile crash_pool;

void
rpmemd_db_crash_arm(struct rpmemd_db_pool *pool)
{
	crash_pool = pool->created ? pool : NULL;
}

void
rpmemd_db_crash_disarm(void)
{
	crash_pool = NULL;
}

int
rpmemd_db_crash_cleanup(void)
{
	static const unsigned char zero[POOLSET_HDR_SIZE];
	struct rpmemd_db_pool *p = crash_pool;
	crash_pool = NULL;
	if (p == NULL)
		return 0;
	unsigned nh = poolset_nhdrs(p->set, 0);
	int n = 0;
	for (unsigned i = 0; i < p->map.nparts; i++) {
		if (p->map.created[i]) {
			if (unlink(p->set->replicas[0].parts[i].path) == 0)
				n++;
		} else if (p->hdrs_written && i < nh) {
			/* async-signal-safe, like unlink() */
			(void)!pwrite(p->map.fds[i], zero, sizeof(zero), 0);
		}
	}
	return n;
}

/* the pool mapped in this process (rpmemd_db_locate()) */
static struct rpmemd_db_pool *volatile served_pool;

int
rpmemd_db_locate(
	const void *addr, const char **path, size_t *off, size_t *pool_off)
{
	const struct rpmemd_db_pool *p = served_pool;
	if (p == NULL || p->map.addr == NULL)
		return -1;
	uintptr_t a = (uintptr_t)addr;
	uintptr_t base = (uintptr_t)p->map.addr;
	if (a < base || a - base >= p->map.size)
		return -1;
	size_t o = (size_t)(a - base);
	unsigned n = p->map.nparts;
	/* parts after the first skip their header page when all have one */
	int skip_hdr = n > 1 && poolset_nhdrs(p->set, 0) == n;
	for (unsigned i = 0; i < n; i++) {
		size_t start = p->map.part_off[i];
		if (o < start || o - start >= p->map.part_len[i])
			continue;
		*path = p->set->replicas[0].parts[i].path;
		*off = o - start + ((i > 0 && skip_hdr) ? POOLSET_HDR_SIZE : 0);
		*pool_off = o;
		return 0;
	}
	return -1;
}

/* unmap; remove: a POOLSET_* removal mode */
static int
pool_end(struct rpmemd_db_pool *p, int remove)
{
	if (crash_pool == p)
		crash_pool = NULL;
	if (served_pool == p)
		served_pool = NULL;
	int ret = poolset_unmap_replica(p->set, 0, &p->map, remove);
	pool_free(p);
	return ret;
}

/*
 * The blocks of every part that existed before are reserved (a part made
 * here got its blocks when it was created): a full disk fails the create
 * or open now, naming the part, instead of killing rpmemd with SIGBUS when
 * a client's write reaches a page without a block, as with a sparse part.
 * A file system that cannot reserve space (EOPNOTSUPP) is noted in
 * p->unreserved and its parts are served as they are; any other failure
 * (ENOSPC, EDQUOT, EIO, ...) fails the request with the part named.
 */
static int
reserve_parts(struct rpmemd_db_pool *p)
{
	const struct poolset_replica *r = &p->set->replicas[0];
	for (unsigned i = 0; i < p->map.nparts; i++) {
		if (p->map.created[i])
			continue;
		int ret = file_reserve(p->map.fds[i], r->parts[i].size);
		if (ret == -EOPNOTSUPP) {
			if (p->unreserved == NULL)
				p->unreserved = r->parts[i].path;
		} else if (ret) {
			return reserve_why(&r->parts[i], ret);
		}
	}
	return 0;
}

static int
map_pool(const struct rpmemd_db *db, const char *desc, int create,
	struct rpmemd_db_pool **out)
{
	struct rpmemd_db_pool *p = fault_calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	int ret = load_set(db, desc, &p->set_path, &p->set);
	if (ret) {
		free(p);
		return ret;
	}
	ret = poolset_map_replica(p->set, 0, create, &p->map);
	if (ret) {
		if (p->map.bad_part >= 0)
			part_why(p, ret);
		pool_free(p);
		return ret;
	}
	ret = reserve_parts(p);
	if (ret) {
		pool_end(p, create ? POOLSET_REMOVE_CREATED : POOLSET_KEEP);
		return ret;
	}
	p->addr = p->map.addr;
	p->size = p->map.size;
	p->is_pmem = p->map.is_pmem;
	p->has_hdrs = poolset_nhdrs(p->set, 0) > 0;
	p->created = create;
	served_pool = p;
	if (p->has_hdrs) {
		p->hdr_copy = fault_malloc(POOLSET_HDR_SIZE);
		ret = p->hdr_copy == NULL ? -ENOMEM : hdr_private(p);
		if (ret) {
			pool_end(p,
				create ? POOLSET_REMOVE_CREATED : POOLSET_KEEP);
			return ret;
		}
	}
	*out = p;
	return 0;
}

/* the header page as the file holds it now (after rpmemd wrote or checked
 * it), also in the private copy clients read */
static int
hdr_snapshot(struct rpmemd_db_pool *p)
{
	if (p->hdr_copy == NULL)
		return 0;
	int ret = poolset_read_hdr(&p->map, 0, p->hdr_copy);
	if (ret)
		return ret;
	if (memcmp(p->addr, p->hdr_copy, POOLSET_HDR_SIZE) != 0)
		memcpy(p->addr, p->hdr_copy, POOLSET_HDR_SIZE);
	return 0;
}

int
rpmemd_db_pool_guard_hdr(struct rpmemd_db_pool *p)
{
	if (p->hdr_copy == NULL ||
		memcmp(p->hdr_copy, p->addr, POOLSET_HDR_SIZE) == 0)
		return 0;
	/* the private copy only: the part file has the header rpmemd wrote */
	memcpy(p->addr, p->hdr_copy, POOLSET_HDR_SIZE);
	return 1;
}

/* parts that existed before a failed create: the header pages it wrote
 * (all zero before, rpmemd_hdr_create() checks) become zero again */
static int
unwrite_hdrs(struct rpmemd_db_pool *p)
{
	static const unsigned char zero[POOLSET_HDR_SIZE];
	unsigned nh = poolset_nhdrs(p->set, 0);
	int first = 0;
	for (unsigned i = 0; i < nh && i < p->map.nparts; i++) {
		if (p->map.created[i])
			continue;
		int e = poolset_write_hdr(&p->map, i, zero);
		if (e && !first)
			first = e;
	}
	return first;
}

int
rpmemd_db_pool_discard(struct rpmemd_db_pool *pool)
{
	if (!pool->created)
		return pool_end(pool, POOLSET_KEEP);
	int ret = pool->hdrs_written ? unwrite_hdrs(pool) : 0;
	int e = pool_end(pool, POOLSET_REMOVE_CREATED);
	return ret ? ret : e;
}

int
rpmemd_db_pool_create(const struct rpmemd_db *db, const char *desc,
	const struct rpmem_pool_attr_packed *attr, struct rpmemd_db_pool **out)
{
	struct rpmemd_db_pool *p;
	int ret = map_pool(db, desc, POOLSET_CREATE, &p);
	if (ret)
		return ret;
	ret = rpmemd_hdr_create(p->set, &p->map, attr);
	p->hdrs_written = ret == 0;
	if (ret == 0)
		ret = hdr_snapshot(p);
	if (ret) {
		rpmemd_db_pool_discard(p);
		return ret;
	}
	*out = p;
	return 0;
}

int
rpmemd_db_pool_open(const struct rpmemd_db *db, const char *desc,
	struct rpmemd_db_pool **out, struct rpmem_pool_attr_packed *attr)
{
	struct rpmemd_db_pool *p;
	int ret = map_pool(db, desc, POOLSET_OPEN, &p);
	if (ret)
		return ret;
	ret = rpmemd_hdr_check(p->set, &p->map, attr);
	if (ret == 0)
		ret = hdr_snapshot(p);
	if (ret) {
		pool_end(p, POOLSET_KEEP);
		return ret;
	}
	*out = p;
	return 0;
}

int
rpmemd_db_pool_set_attr(
	struct rpmemd_db_pool *pool, const struct rpmem_pool_attr_packed *attr)
{
	db_why[0] = '\0';
	int ret = rpmemd_hdr_set_attr(pool->set, &pool->map, attr);
	if (ret == 0)
		ret = hdr_snapshot(pool);
	return ret;
}

int
rpmemd_db_pool_close(struct rpmemd_db_pool *pool, int remove)
{
	return pool_end(pool, remove);
}

/* a set naming a remote replica is not ours to remove (without force) */
static int
has_remote(const struct poolset *set)
{
	for (unsigned r = 0; r < set->nreplicas; r++)
		if (set->replicas[r].node != NULL)
			return 1;
	return 0;
}

/* unlink the parts of every local replica (all or none without force);
 * the first error, with the part it concerns */
static int
remove_all_parts(const struct poolset *set, int force)
{
	struct poolset_part_ref bad;
	int ret = poolset_remove_parts(set, !force, &bad);
	if (ret == 0 || bad.rep < 0)
		return ret;
	const char *path = set->replicas[bad.rep].parts[bad.part].path;
	struct stat st;
	const char *what = strerror(-ret);
	if (ret == -EINVAL && stat(path, &st) == 0)
		what = file_kind(st.st_mode);
	else if (ret == -EWOULDBLOCK)
		what = "in use by another process";
	else if (ret == -ESTALE)
		what = "replaced by another process during the remove";
	return why(ret, "part file '%s' of replica %d: %s%s", path, bad.rep,
		what, force ? "" : "; no part file was removed");
}

/*
 * Without force every part is checked (locked) first, and nothing is
 * removed when one is missing, in use or no regular file; the set file is
 * then kept too (PMDK's rpmemd removes what it can and reports the first
 * error). With force every part that can be removed is, and nothing fails
 * but a descriptor outside the directory: a missing set file, an
 * unreadable set or missing parts are not errors.
 */
int
rpmemd_db_pool_remove(
	const struct rpmemd_db *db, const char *desc, int force, int pool_set)
{
	char *path;
	int ret = rpmemd_db_resolve(db, desc, &path);
	if (ret)
		return (force && ret != -EBADF) ? 0 : ret;
	struct poolset *set = NULL;
	int fd = set_open(path);
	ret = fd < 0 ? fd : set_read(fd, path, &set);
	if (fd >= 0)
		close(fd);
	if (ret && !force)
		goto out;
	if (set != NULL && !set->is_set_file)
		pool_set = 0; /* a plain pool file is its own only part */
	if (set != NULL && has_remote(set) && !force) {
		ret = -EINVAL;
		goto out;
	}
	ret = set != NULL ? remove_all_parts(set, force) : 0;
	if (ret && !force)
		goto out;
	if (pool_set && unlink(path) && ret == 0)
		ret = -errno;
	if (force)
		ret = 0;
out:
	poolset_free(set);
	free(path);
	return ret;
}
