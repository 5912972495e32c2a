/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * backing.c -- what a pool lives in: the pool handle's mappings, a single
 * pool file (created, adopted or opened, locked, mapped) or a pool set
 * (set.c), and the persistence of the pool's own metadata through every
 * replica (replica.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "file.h"
#include "format/pool_hdr.h"
#include "log.h"
#include "pmem.h"
#include "replica.h"
#include "set.h"

void
obj_backing_init(struct obj_backing *b)
{
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

void
obj_backing_release(struct obj_backing *b)
{
	if (b->set != NULL)
		obj_set_close(b);
	else if (b->base != NULL && b->base != MAP_FAILED)
		pm_unmap(b->base, b->size);
	if (b->fd >= 0)
		close(b->fd);
	obj_backing_init(b);
}

void
obj_persist(struct obj_backing *p, const void *addr, size_t len)
{
	if (p->is_pmem)
		pm_persist(addr, len);
	else if (!p->rdonly_private && pm_msync(addr, len) != 0)
		LOG(LOG_LVL_ERR, "msync: %s", strerror(errno));
	/* a remote failure is kept in the pool and reported by the next
	 * memory function and by pmemobj_close */
	(void)obj_rep_sync(p, addr, len, 0, OBJ_REP_PERSIST);
}

/* 1: path starts with the pool set signature, 0: it does not, <0: error */
int
obj_is_set_file(const char *path)
{
	/* O_NONBLOCK: a FIFO must not block; it is refused later */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char sig[POOLSET_SIG_LEN];
	ssize_t n = pread(fd, sig, sizeof(sig), 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return e == EISDIR ? 0 : -e;
	return n == (ssize_t)sizeof(sig) &&
	       memcmp(sig, POOLSET_SIG, sizeof(sig)) == 0;
}

/* map the open, locked file fd; everything before any check */
static int
map_fd(struct obj_backing *p, int fd, const char *path, int private_copy,
	int remove_on_err)
{
	p->fd = fd;
	ssize_t size = file_size(fd);
	if (size < 0) {
		errno = -size == EISDIR ? EINVAL : (int)-size;
		ERR_W_ERRNO("\"%s\"", path);
		goto err;
	}
	p->size = (size_t)size & ~(size_t)4095;
	if (p->size < PMEMOBJ_MIN_PART) {
		ERR("size %zu smaller than %zu", p->size, PMEMOBJ_MIN_PART);
		errno = EINVAL;
		goto err;
	}
	if (private_copy) {
		/* nothing is written to the copy: no memory is set aside
		 * for it, or a pool larger than memory could not be
		 * checked */
		p->base = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_NORESERVE, fd, 0);
		p->rdonly_private = 1;
	} else {
		p->base = pm_map_file(fd, p->size, 0, &p->is_pmem);
	}
	if (p->base == MAP_FAILED) {
		ERR_W_ERRNO("cannot map \"%s\"", path);
		p->base = NULL;
		goto err;
	}
	return 0;
err:;
	int e = errno;
	if (remove_on_err)
		unlink(path); /* still locked: ours */
	obj_backing_release(p);
	errno = e;
	return -1;
}

void
obj_file_refused(const char *path, int err)
{
	struct stat st;
	if (err == -EINVAL && stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		ERR("\"%s\" is %s, not a regular file: refused as a pool or "
		    "part file",
			path, file_kind(st.st_mode));
	else if (err == -ESTALE)
		ERR("\"%s\" was removed or replaced by another process "
		    "while this one opened it",
			path);
	else {
		errno = -err;
		ERR_W_ERRNO("open \"%s\"", path);
	}
	errno = -err;
}

/*
 * Open the file and lock it before anything else is looked at: a pool that
 * another process is still creating is locked by it from its exclusive
 * open on, and gives EWOULDBLOCK rather than what its unfinished contents
 * would say.
 */
int
obj_file_map(struct obj_backing *b, const char *path, int private_copy)
{
	int fd = file_open(path, private_copy);
	if (fd < 0) {
		obj_file_refused(path, fd);
		if (errno == EISDIR)
			errno = EINVAL; /* as PMDK: a directory is no pool */
		return -1;
	}
	int ret = file_lock_path(fd, path);
	if (ret) {
		close(fd);
		if (ret == -ESTALE)
			obj_file_refused(path, ret);
		else {
			errno = -ret;
			ERR_W_ERRNO("flock \"%s\"", path);
		}
		return -1;
	}
	return map_fd(b, fd, path, private_copy, 0);
}

/* a new pool file of poolsize bytes, mapped and locked since its creation */
int
obj_file_create(struct obj_backing *b, const char *path, size_t poolsize)
{
	if ((poolsize & ~(size_t)4095) < PMEMOBJ_MIN_POOL) {
		ERR("size %zu smaller than %zu", poolsize, PMEMOBJ_MIN_POOL);
		errno = EINVAL;
		return -1;
	}
	int fd = file_create(path, poolsize, 0);
	if (fd < 0) {
		errno = -fd;
		if (errno == EEXIST)
			ERR("file %s already exists", path);
		else if (errno == ESTALE)
			obj_file_refused(path, fd);
		else
			ERR_W_ERRNO("cannot create \"%s\"", path);
		return -1;
	}
	return map_fd(b, fd, path, 0, 1);
}

/* an existing file (not a pool set) to become a pool, mapped and locked */
int
obj_file_adopt(struct obj_backing *b, const char *path)
{
	int fd = file_open(path, 1);
	if (fd < 0) {
		obj_file_refused(path, fd);
		return -1;
	}
	ssize_t sz = file_size(fd);
	close(fd);
	if (sz >= 0 && (size_t)sz < PMEMOBJ_MIN_POOL) {
		ERR("file is not a poolset file and its size (%zd) is "
		    "smaller than %zu",
			sz, PMEMOBJ_MIN_POOL);
		errno = EINVAL;
		return -1;
	}
	if (obj_file_map(b, path, 0) != 0)
		return -1;
	static const uint8_t zero[POOL_HDR_SIZE];
	if (memcmp(b->base, zero, POOL_HDR_SIZE) != 0) {
		ERR("Non-empty file detected");
		obj_backing_release(b);
		errno = EEXIST;
		return -1;
	}
	return 0;
}
