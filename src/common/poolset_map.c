/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset_map.c -- the part files of one replica of a parsed pool set:
 * created or opened, locked, mapped contiguously; their headers read and
 * written; removed (see poolset.h)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_inject.h"
#include "file.h"
#include "pmem.h"
#include "poolset.h"

#define PAGE ((size_t)4096)

/* an existing part file, open (never blocking) and locked as the file its
 * path names (file_lock_path()) */
static int
part_lock(const char *path)
{
	int fd = file_open(path, 0);
	if (fd < 0)
		return fd;
	int ret = file_lock_path(fd, path);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * An existing part: locked first, then checked, so that a part another
 * process is still creating (it holds the lock from its exclusive open on)
 * gives -EWOULDBLOCK and not a size mismatch.
 */
static int
part_open(const char *path, size_t size)
{
	int fd = part_lock(path);
	if (fd < 0)
		return fd;
	struct stat st;
	int ret = 0;
	if (fstat(fd, &st))
		ret = -errno;
	else if ((size_t)st.st_size != size)
		ret = -EINVAL;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/* part p of a replica, open and locked; *created says whether made here */
static int
part_get(const struct poolset_part *part, int create, uint8_t *created)
{
	int fd = -ENOENT;
	*created = 0;
	if (create) {
		/* new parts are the owner's alone; existing ones keep
		 * their mode */
		fd = file_create(part->path, part->size, 0600);
		if (fd >= 0)
			*created = 1;
	}
	if (fd == -EEXIST || (!create && fd == -ENOENT))
		fd = part_open(part->path, part->size);
	return fd;
}

/* the first n parts' mappings, out of the pmem registry too */
static void
parts_unmap(struct poolset_map *m, unsigned n)
{
	for (unsigned p = 0; p < n; p++)
		if (m->part_len[p] != 0)
			pm_unmap((char *)m->addr + m->part_off[p],
				m->part_len[p]);
}

static void
map_free(struct poolset_map *m)
{
	free(m->fds);
	free(m->part_off);
	free(m->part_len);
	free(m->created);
	m->fds = NULL;
	m->part_off = NULL;
	m->part_len = NULL;
	m->created = NULL;
}

/* the per-part tables of m, every descriptor -1 */
static int
map_alloc(struct poolset_map *m, unsigned n)
{
	m->nparts = n;
	m->fds = fault_calloc(n, sizeof(int));
	m->part_off = fault_calloc(n, sizeof(size_t));
	m->part_len = fault_calloc(n, sizeof(size_t));
	m->created = fault_calloc(n, 1);
	if (!m->fds || !m->part_off || !m->part_len || !m->created) {
		map_free(m);
		return -ENOMEM;
	}
	for (unsigned p = 0; p < n; p++)
		m->fds[p] = -1;
	return 0;
}

/*
 * Every part at its place in one reserved range (parts after the first
 * without their header page when each part has one); pmem when every part
 * is (MAP_SYNC, or PMEM_IS_PMEM_FORCE=1 as pmem.c read it): the same rule
 * as for a single pool file.
 */
static int
parts_map(const struct poolset *set, unsigned rep, struct poolset_map *m)
{
	const struct poolset_replica *r = &set->replicas[rep];
	unsigned n = r->nparts;
	int skip_hdr = poolset_nhdrs(set, rep) == n && n > 1;
	size_t total = poolset_replica_size(set, rep);
	void *base = fault_mmap(NULL, total, PROT_NONE,
		MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	int all_pmem = 1;
	size_t off = 0;
	m->addr = base;
	for (unsigned p = 0; p < n; p++) {
		size_t psize = r->parts[p].size & ~(PAGE - 1);
		size_t foff = (p > 0 && skip_hdr) ? POOLSET_HDR_SIZE : 0;
		size_t len = psize - foff;
		int part_pmem;
		void *a = pm_map_file_at(
			m->fds[p], (char *)base + off, len, foff, &part_pmem);
		if (a == MAP_FAILED) {
			int ret = -errno;
			m->bad_part = (int)p;
			parts_unmap(m, p);
			munmap(base, total);
			m->addr = NULL;
			return ret;
		}
		all_pmem &= part_pmem;
		m->part_off[p] = off;
		m->part_len[p] = len;
		off += len;
	}
	m->size = total;
	m->is_pmem = all_pmem;
	return 0;
}

int
poolset_map_replica(const struct poolset *set, unsigned rep, int create,
	struct poolset_map *m)
{
	memset(m, 0, sizeof(*m));
	m->bad_part = -1;
	if (rep >= set->nreplicas)
		return -EINVAL;
	const struct poolset_replica *r = &set->replicas[rep];
	if (r->node != NULL || r->nparts == 0)
		return -EINVAL;
	for (unsigned p = 0; p < r->nparts; p++) {
		if (r->parts[p].is_dir ||
			(r->parts[p].size & ~(PAGE - 1)) < POOLSET_MIN_PART) {
			m->bad_part = (int)p;
			return -EINVAL;
		}
	}
	unsigned n = r->nparts;
	int ret = map_alloc(m, n);
	if (ret)
		return ret;
	for (unsigned p = 0; p < n; p++) {
		int fd = part_get(&r->parts[p], create, &m->created[p]);
		if (fd < 0) {
			ret = fd;
			m->bad_part = (int)p;
			goto err;
		}
		m->fds[p] = fd;
	}
	ret = parts_map(set, rep, m);
	if (ret == 0)
		return 0;
err:
	/* only parts made and still locked here are removed */
	for (unsigned i = 0; i < n; i++) {
		if (m->fds[i] < 0)
			continue;
		if (m->created[i])
			unlink(r->parts[i].path);
		close(m->fds[i]);
	}
	map_free(m);
	return ret;
}

int
poolset_unmap_replica(const struct poolset *set, unsigned rep,
	struct poolset_map *m, int remove)
{
	int ret = 0;
	if (m->addr != NULL) {
		parts_unmap(m, m->nparts);
		if (munmap(m->addr, m->size))
			ret = -errno;
	}
	const struct poolset_replica *r = &set->replicas[rep];
	for (unsigned p = 0; p < m->nparts; p++) {
		if (m->fds && m->fds[p] >= 0) {
			if ((remove == POOLSET_REMOVE_ALL ||
				    (remove == POOLSET_REMOVE_CREATED &&
					    m->created[p])) &&
				unlink(r->parts[p].path) && ret == 0)
				ret = -errno;
			close(m->fds[p]);
		}
	}
	m->addr = NULL;
	map_free(m);
	return ret;
}

/* the number of part files of the local replicas of set */
static unsigned
local_parts(const struct poolset *set)
{
	unsigned n = 0;
	for (unsigned r = 0; r < set->nreplicas; r++)
		if (set->replicas[r].node == NULL)
			n += set->replicas[r].nparts;
	return n;
}

/* lock every local part into fds[] (-errno where it failed); the first
 * failure, named in *bad; with all_or_none it is the last part tried */
static int
parts_lock(const struct poolset *set, int *fds, int all_or_none,
	struct poolset_part_ref *bad)
{
	int first = 0;
	unsigned k = 0;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		const struct poolset_replica *rep = &set->replicas[r];
		for (unsigned p = 0; rep->node == NULL && p < rep->nparts;
			p++) {
			int fd = part_lock(rep->parts[p].path);
			fds[k++] = fd;
			if (fd >= 0 || first)
				continue;
			first = fd;
			bad->rep = (int)r;
			bad->part = (int)p;
			if (all_or_none)
				return first;
		}
	}
	return first;
}

/* unlink the locked parts; the first error, named in *bad, if none yet */
static int
parts_unlink(const struct poolset *set, const int *fds, int first,
	struct poolset_part_ref *bad)
{
	unsigned k = 0;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		const struct poolset_replica *rep = &set->replicas[r];
		for (unsigned p = 0; rep->node == NULL && p < rep->nparts;
			p++) {
			if (fds[k++] < 0 || unlink(rep->parts[p].path) == 0 ||
				first)
				continue;
			first = -errno;
			bad->rep = (int)r;
			bad->part = (int)p;
		}
	}
	return first;
}

int
poolset_remove_parts(const struct poolset *set, int all_or_none,
	struct poolset_part_ref *bad)
{
	struct poolset_part_ref ignored;
	if (bad == NULL)
		bad = &ignored;
	bad->rep = -1;
	bad->part = -1;
	unsigned n = local_parts(set);
	if (n == 0)
		return 0;
	int *fds = fault_calloc(n, sizeof(*fds));
	if (fds == NULL)
		return -ENOMEM;
	for (unsigned k = 0; k < n; k++)
		fds[k] = -1;
	int ret = parts_lock(set, fds, all_or_none, bad);
	if (ret == 0 || !all_or_none)
		ret = parts_unlink(set, fds, ret, bad);
	for (unsigned k = 0; k < n; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	free(fds);
	return ret;
}

int
poolset_read_hdr(const struct poolset_map *m, unsigned p, void *hdr)
{
	if (p >= m->nparts)
		return -EINVAL;
	ssize_t r = pread(m->fds[p], hdr, POOLSET_HDR_SIZE, 0);
	if (r < 0)
		return -errno;
	if (r != POOLSET_HDR_SIZE)
		return -EIO;
	return 0;
}

int
poolset_write_hdr(const struct poolset_map *m, unsigned p, const void *hdr)
{
	if (p >= m->nparts)
		return -EINVAL;
	ssize_t r = pwrite(m->fds[p], hdr, POOLSET_HDR_SIZE, 0);
	if (r < 0)
		return -errno;
	if (r != POOLSET_HDR_SIZE)
		return -EIO;
	if (fdatasync(m->fds[p]))
		return -errno;
	return 0;
}
