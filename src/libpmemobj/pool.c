/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pool.c -- the top of libpmemobj: the public life cycle of a pool
 * (pmemobj_create, open, check, close), the registry of open pools, the
 * lookups by oid and address, and the library's version and message
 *
 * Layers below, each called one way: backing (file or pool set, mapping,
 * locks, replicas) and meta (header, descriptor, body, boot), which uses
 * ulog and heap. The format is PMDK 1.12.1's (layout.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backing.h"
#include "badblocks.h"
#include "format/pool_hdr.h"
#include "layout.h"
#include "log.h"
#include "meta.h"
#include "pool.h"
#include "pmem.h"
#include "replica.h"
#include "set.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	"the pool format is little-endian");

#define OBJ_API __attribute__((visibility("default")))

__attribute__((constructor)) static void
obj_init(void)
{
	log_init("libpmemobj", "PMEMOBJ_LOG_LEVEL", "PMEMOBJ_LOG_FILE");
}

__attribute__((destructor)) static void
obj_fini(void)
{
	log_fini();
}

#define SET_OPEN 0
#define SET_CHECK 1
#define SET_CREATE 2

static int
set_create(struct obj_pool *p, const struct obj_set_ctx *c, const char *layout,
	mode_t mode)
{
	int ret = obj_set_create(&p->b, c);
	if (ret)
		return ret;
	obj_body_create(&p->b, layout);
	ret = -obj_rep_failed(&p->b);
	if (ret) {
		obj_set_abort(&p->b);
		return ret;
	}
	obj_set_created(&p->b, mode);
	return 0;
}

static int
set_open(struct obj_pool *p, const struct obj_set_ctx *c, const char *layout)
{
	int ret = obj_set_open(&p->b, c, 0);
	if (ret)
		return ret;
	/* verified before anything is copied or written to any replica */
	ret = obj_pool_verify(&p->b, layout);
	if (ret == 0)
		ret = obj_set_catch_up(&p->b, c);
	if (ret == 0)
		ret = obj_pool_recover(&p->b);
	if (ret == 0)
		ret = obj_lanes_mirror(&p->b);
	if (ret)
		obj_set_close(&p->b);
	return ret;
}

static struct obj_pool *
pool_alloc(void)
{
	struct obj_pool *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		ERR_W_ERRNO("cannot allocate the pool handle");
		return NULL;
	}
	obj_backing_init(&p->b);
	return p;
}

static void
pool_release(struct obj_pool *p)
{
	obj_backing_release(&p->b);
	free(p);
}

enum file_how { FILE_OPEN, FILE_CHECK, FILE_CREATE, FILE_ADOPT };

/* a pool file, mapped and locked (see backing.h): a handle, or NULL */
static struct obj_pool *
file_handle(const char *path, enum file_how how, size_t poolsize)
{
	struct obj_pool *p = pool_alloc();
	if (p == NULL)
		return NULL;
	int ret;
	if (how == FILE_CREATE)
		ret = obj_file_create(&p->b, path, poolsize);
	else if (how == FILE_ADOPT)
		ret = obj_file_adopt(&p->b, path);
	else
		ret = obj_file_map(&p->b, path, how == FILE_CHECK);
	if (ret) {
		int e = errno;
		free(p);
		errno = e;
		return NULL;
	}
	return p;
}

/* a verified pool made ready for use and entered in the registry */
static void
pool_boot(struct obj_pool *p)
{
	obj_pool_boot(&p->b);
	const struct pool_hdr *h = (const struct pool_hdr *)p->b.base;
	p->uuid_lo = pool_hdr_uuid_lo(h->poolset_uuid);
	pthread_mutex_init(&p->root_lock, NULL);
	obj_registry_add(p);
}

/* a pool set file (obj_is_set_file() said so): one handle, or NULL + errno */
static struct obj_pool *
set_handle(const char *path, const char *layout, mode_t mode, int how)
{
	struct obj_pool *p = pool_alloc();
	if (p == NULL)
		return NULL;
	struct obj_set_ctx c;
	obj_set_ctx_init(&c, path);
	int ret;
	if (how == SET_CREATE)
		ret = set_create(p, &c, layout, mode);
	else if (how == SET_OPEN)
		ret = set_open(p, &c, layout);
	else
		ret = obj_set_open(&p->b, &c, 1);
	if (ret) {
		pool_release(p);
		errno = -ret;
		return NULL;
	}
	return p;
}

/* 1 (errno EINVAL, with the message) when the caller gave no path */
static int
path_missing(const char *path)
{
	if (path != NULL)
		return 0;
	ERR("invalid path -- NULL");
	errno = EINVAL;
	return 1;
}

static PMEMobjpool *
obj_open(const char *path, const char *layout)
{
	LOG(LOG_LVL_DBG, "path %s layout %s", path ? path : "(null)",
		layout ? layout : "(null)");
	if (path_missing(path))
		return NULL;
	int bb = obj_badblocks_refuse(path);
	if (bb) {
		errno = -bb;
		return NULL;
	}
	struct obj_pool *p;
	if (obj_is_set_file(path) == 1) {
		p = set_handle(path, layout, 0, SET_OPEN);
		if (p == NULL)
			return NULL;
	} else {
		p = file_handle(path, FILE_OPEN, 0);
		if (p == NULL)
			return NULL;
		int ret = obj_hdr_verify_single((struct pool_hdr *)p->b.base);
		if (ret == 0)
			ret = obj_pool_verify(&p->b, layout);
		if (ret == 0)
			ret = obj_pool_recover(&p->b);
		if (ret) {
			pool_release(p);
			errno = -ret;
			return NULL;
		}
	}
	pool_boot(p);
	return (PMEMobjpool *)p->b.base;
}

static int
obj_check(const char *path, const char *layout)
{
	LOG(LOG_LVL_DBG, "path %s layout %s", path ? path : "(null)",
		layout ? layout : "(null)");
	if (path_missing(path))
		return -1;
	struct obj_pool *p;
	int ret;
	if (obj_is_set_file(path) == 1) {
		/* the headers are checked while opening the set */
		p = set_handle(path, layout, 0, SET_CHECK);
		if (p == NULL)
			return -1;
		ret = 0;
	} else {
		p = file_handle(path, FILE_CHECK, 0);
		if (p == NULL)
			return -1;
		ret = obj_hdr_verify_single((struct pool_hdr *)p->b.base);
	}
	/* a bad header or descriptor is an error, anything later: "not
	 * consistent" */
	if (ret == 0)
		ret = obj_desc_verify(&p->b, layout);
	if (ret) {
		pool_release(p);
		errno = -ret;
		return -1;
	}
	ret = obj_pool_verify(&p->b, layout);
	pool_release(p);
	return ret == 0 ? 1 : 0;
}

static PMEMobjpool *
obj_create(const char *path, const char *layout, size_t poolsize, mode_t mode)
{
	LOG(LOG_LVL_DBG, "path %s layout %s poolsize %zu mode %o",
		path ? path : "(null)", layout ? layout : "(null)", poolsize,
		(unsigned)mode);
	if (path_missing(path))
		return NULL;
	if (layout && strlen(layout) >= PMEMOBJ_MAX_LAYOUT) {
		ERR("Layout too long (%zu characters, at most %zu)",
			strlen(layout), PMEMOBJ_MAX_LAYOUT - 1);
		errno = EINVAL;
		return NULL;
	}
	struct obj_pool *p;
	if (poolsize != 0) {
		p = file_handle(path, FILE_CREATE, poolsize);
	} else if (obj_is_set_file(path) == 1) {
		p = set_handle(path, layout, mode, SET_CREATE);
		if (p == NULL)
			return NULL;
		pool_boot(p);
		return (PMEMobjpool *)p->b.base;
	} else {
		p = file_handle(path, FILE_ADOPT, 0);
	}
	if (p == NULL)
		return NULL;
	obj_hdr_create(&p->b, p->b.fd);
	obj_body_create(&p->b, layout);
	pool_boot(p);
	if (poolsize != 0 && fchmod(p->b.fd, mode) != 0)
		LOG(LOG_LVL_WARN, "chmod \"%s\": %s", path, strerror(errno));
	return (PMEMobjpool *)p->b.base;
}

/*
 * The public functions leave errno as they found it when they succeed:
 * the layers below (librpmem, libfabric, the file system) may change it on
 * their way to a success.
 */

OBJ_API PMEMobjpool *
pmemobj_open(const char *path, const char *layout)
{
	int e = errno;
	PMEMobjpool *pop = obj_open(path, layout);
	if (pop != NULL)
		errno = e;
	return pop;
}

OBJ_API int
pmemobj_check(const char *path, const char *layout)
{
	int e = errno;
	int ret = obj_check(path, layout);
	if (ret >= 0)
		errno = e;
	return ret;
}

OBJ_API PMEMobjpool *
pmemobj_create(
	const char *path, const char *layout, size_t poolsize, mode_t mode)
{
	int e = errno;
	PMEMobjpool *pop = obj_create(path, layout, poolsize, mode);
	if (pop != NULL)
		errno = e;
	return pop;
}

OBJ_API void
pmemobj_close(PMEMobjpool *pop)
{
	LOG(LOG_LVL_DBG, "pop %p", (void *)pop);
	int e = errno;
	struct obj_pool *p = pop ? obj_pool_of(pop) : NULL;
	if (p == NULL) {
		ERR("invalid pool handle -- %p", (void *)pop);
		errno = EINVAL;
		return;
	}
	obj_registry_remove(p);
	if (!p->b.is_pmem)
		pm_msync(p->b.base, p->b.size);
	obj_sds_set_dirty(&p->b, 0);
	int failed = obj_rep_failed(&p->b);
	pthread_mutex_destroy(&p->root_lock);
	pool_release(p);
	errno = e;
	if (failed) {
		/* nothing else can tell the application any more */
		ERR("pool %p closed, but a remote replica failed earlier (%s): "
		    "writes since then reached only the local replicas",
			(void *)pop, strerror(failed));
		errno = failed;
	}
}

OBJ_API const char *
pmemobj_errormsg(void)
{
	return err_msg();
}

OBJ_API const char *
pmemobj_check_version(unsigned major_required, unsigned minor_required)
{
	if (major_required != PMEMOBJ_MAJOR_VERSION) {
		ERR("libpmemobj major version mismatch (need %u, found %u)",
			major_required, PMEMOBJ_MAJOR_VERSION);
		return err_msg();
	}
	if (minor_required > PMEMOBJ_MINOR_VERSION) {
		ERR("libpmemobj minor version mismatch (need %u, found %u)",
			minor_required, PMEMOBJ_MINOR_VERSION);
		return err_msg();
	}
	return NULL;
}
