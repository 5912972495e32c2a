/* SPDX-License-Identifier: BSD-3-Clause */
/* db.c -- rpmemd pool set database: pool set files under poolset-dir */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "pmem.h"
#include "rpmemd_hdr.h"
#include "fault_inject.h" /* last: it may wrap calls */

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
	if (desc == NULL || desc[0] == '\0')
		return -EINVAL;
	if (desc[0] == '/' || has_dotdot(desc))
		return -EBADF;
	size_t len = strlen(db->root) + 1 + strlen(desc) + 1;
	if (len > PATH_MAX)
		return -ENAMETOOLONG;
	char *full = malloc(len);
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
		free(real);
		return -EBADF;
	}
	*path = real;
	return 0;
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
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_path;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = -errno;
		goto err_fd;
	}
	struct poolset *set;
	ret = poolset_read_file(path, &set, NULL, 0);
	if (ret)
		goto err_fd;
	if (set->nreplicas != 1 || set->replicas[0].node != NULL) {
		poolset_free(set);
		ret = -EINVAL;
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

static int
map_pool(const struct rpmemd_db *db, const char *desc, int create,
	struct rpmemd_db_pool **out)
{
	struct rpmemd_db_pool *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	int ret = load_set(db, desc, &p->set_path, &p->set);
	if (ret) {
		free(p);
		return ret;
	}
	ret = poolset_map_replica(p->set, 0, create, &p->map);
	if (ret) {
		pool_free(p);
		return ret;
	}
	p->addr = p->map.addr;
	p->size = p->map.size;
	p->is_pmem = p->map.is_pmem;
	p->has_hdrs = poolset_nhdrs(p->set, 0) > 0;
	p->created = create;
	if (p->has_hdrs) {
		p->hdr_copy = malloc(POOLSET_HDR_SIZE);
		if (p->hdr_copy == NULL) {
			poolset_unmap_replica(p->set, 0, &p->map,
				create ? POOLSET_REMOVE_CREATED : POOLSET_KEEP);
			pool_free(p);
			return -ENOMEM;
		}
	}
	*out = p;
	return 0;
}

/* remember the header page as it is now (after rpmemd wrote or checked it) */
static void
hdr_snapshot(struct rpmemd_db_pool *p)
{
	if (p->hdr_copy != NULL)
		memcpy(p->hdr_copy, p->addr, POOLSET_HDR_SIZE);
}

int
rpmemd_db_pool_guard_hdr(struct rpmemd_db_pool *p)
{
	if (p->hdr_copy == NULL ||
		memcmp(p->hdr_copy, p->addr, POOLSET_HDR_SIZE) == 0)
		return 0;
	memcpy(p->addr, p->hdr_copy, POOLSET_HDR_SIZE);
	if (p->is_pmem)
		pm_persist(p->addr, POOLSET_HDR_SIZE);
	else if (pm_msync(p->addr, POOLSET_HDR_SIZE))
		return -errno;
	return 1;
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
	if (ret) {
		/* only files this call created are removed */
		poolset_unmap_replica(
			p->set, 0, &p->map, POOLSET_REMOVE_CREATED);
		pool_free(p);
		return ret;
	}
	hdr_snapshot(p);
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
	if (ret) {
		poolset_unmap_replica(p->set, 0, &p->map, 0);
		pool_free(p);
		return ret;
	}
	hdr_snapshot(p);
	*out = p;
	return 0;
}

int
rpmemd_db_pool_set_attr(
	struct rpmemd_db_pool *pool, const struct rpmem_pool_attr_packed *attr)
{
	int ret = rpmemd_hdr_set_attr(pool->set, &pool->map, attr);
	if (ret == 0)
		hdr_snapshot(pool);
	return ret;
}

int
rpmemd_db_pool_close(struct rpmemd_db_pool *pool, int remove)
{
	int ret = poolset_unmap_replica(pool->set, 0, &pool->map, remove);
	pool_free(pool);
	return ret;
}

int
rpmemd_db_pool_remove(
	const struct rpmemd_db *db, const char *desc, int force, int pool_set)
{
	char *path;
	int ret = rpmemd_db_resolve(db, desc, &path);
	if (ret)
		return ret;
	struct poolset *set = NULL;
	ret = poolset_read_file(path, &set, NULL, 0);
	if (ret) {
		if (!force) {
			free(path);
			return ret;
		}
		ret = 0;
	}
	if (set != NULL && !set->is_set_file) {
		/* a plain pool file is its own only part */
		poolset_free(set);
		set = NULL;
		pool_set = 1;
	}
	int first_err = 0;
	/* a set naming a remote replica is not ours to remove */
	for (unsigned r = 0; set != NULL && r < set->nreplicas; r++) {
		if (set->replicas[r].node != NULL && !force) {
			poolset_free(set);
			free(path);
			return -EINVAL;
		}
	}
	for (unsigned r = 0; set != NULL && r < set->nreplicas; r++) {
		if (set->replicas[r].node != NULL) {
			if (!first_err)
				first_err = -EINVAL;
			continue;
		}
		int e = poolset_remove_parts(set, r);
		if (e && !first_err)
			first_err = e;
	}
	poolset_free(set);
	if (first_err && !force) {
		free(path);
		return first_err;
	}
	if (pool_set && unlink(path))
		ret = -errno;
	free(path);
	return ret;
}
