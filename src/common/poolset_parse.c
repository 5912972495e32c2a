/* SPDX-License-Identifier: BSD-3-Clause */
/* poolset.c -- pool set file parser and the part files of one replica */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "pmem.h"
#include "poolset.h"
#include "fault_inject.h"

#define PAGE ((size_t)4096)

static void
set_err(char *errbuf, size_t errlen, unsigned line, const char *fmt, ...)
{
	if (errbuf == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	if (line && n >= 0 && (size_t)n < errlen)
		snprintf(errbuf + n, errlen - (size_t)n, " at line %u", line);
}

static const struct {
	const char *suffix;
	uint64_t mult;
} suffixes[] = {
	{"", 1},
	{"B", 1},
	{"K", 1ULL << 10},
	{"M", 1ULL << 20},
	{"G", 1ULL << 30},
	{"T", 1ULL << 40},
	{"P", 1ULL << 50},
	{"KiB", 1ULL << 10},
	{"MiB", 1ULL << 20},
	{"GiB", 1ULL << 30},
	{"TiB", 1ULL << 40},
	{"PiB", 1ULL << 50},
	{"kB", 1000ULL},
	{"MB", 1000ULL * 1000},
	{"GB", 1000ULL * 1000 * 1000},
	{"TB", 1000ULL * 1000 * 1000 * 1000},
	{"PB", 1000ULL * 1000 * 1000 * 1000 * 1000},
};

int
poolset_parse_size(const char *s, size_t *out)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	uint64_t v = 0;
	while (isdigit((unsigned char)*s)) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -EFBIG; /* as PMDK: the size cannot be a file's
					*/
		v = v * 10 + d;
		s++;
	}
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcmp(s, suffixes[i].suffix) != 0)
			continue;
		if (v == 0)
			return -EINVAL;
		if (v > SIZE_MAX / suffixes[i].mult ||
			v * suffixes[i].mult > (uint64_t)INT64_MAX)
			return -EFBIG;
		*out = (size_t)(v * suffixes[i].mult);
		return 0;
	}
	return -EINVAL;
}

void
poolset_free(struct poolset *set)
{
	if (set == NULL)
		return;
	for (unsigned r = 0; r < set->nreplicas; r++) {
		struct poolset_replica *rep = &set->replicas[r];
		for (unsigned p = 0; p < rep->nparts; p++)
			free(rep->parts[p].path);
		free(rep->parts);
		free(rep->node);
		free(rep->desc);
	}
	free(set->replicas);
	free(set);
}

static int
add_replica(struct poolset *set)
{
	struct poolset_replica *r =
		fault_realloc(set->replicas, sizeof(*r) * (set->nreplicas + 1));
	if (r == NULL)
		return -ENOMEM;
	set->replicas = r;
	memset(&r[set->nreplicas], 0, sizeof(*r));
	set->nreplicas++;
	return 0;
}

static int
add_part(struct poolset_replica *rep, const char *path, size_t size,
	unsigned line)
{
	struct poolset_part *p =
		fault_realloc(rep->parts, sizeof(*p) * (rep->nparts + 1));
	if (p == NULL)
		return -ENOMEM;
	rep->parts = p;
	p = &rep->parts[rep->nparts];
	p->path = fault_strdup(path);
	if (p->path == NULL)
		return -ENOMEM;
	p->size = size;
	p->is_dir = 0;
	p->line = line;
	rep->nparts++;
	return 0;
}

#define MAX_TOKENS 4

/* split on blanks and tabs; returns the token count (max MAX_TOKENS + 1) */
static int
tokenize(char *line, char *tok[MAX_TOKENS + 1])
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t", &save); t != NULL;
		t = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_TOKENS + 1)
			break;
		tok[n++] = t;
	}
	return n;
}

static int
parse_option(struct poolset *set, char *tok[], int n, unsigned lineno,
	char *errbuf, size_t errlen)
{
	if (n == 1) {
		set_err(errbuf, errlen, lineno, "missing option name");
		return -EINVAL;
	}
	for (int i = 1; i < n; i++) {
		if (strcmp(tok[i], "SINGLEHDR") == 0)
			set->options |= POOLSET_OPT_SINGLEHDR;
		else if (strcmp(tok[i], "NOHDRS") == 0)
			set->options |= POOLSET_OPT_NOHDRS;
		else {
			set_err(errbuf, errlen, lineno, "unknown option '%s'",
				tok[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* "REPLICA" (local) or "REPLICA <node> <set name>" (remote) */
static int
parse_replica(struct poolset *set, char *tok[], int n, unsigned lineno,
	char *errbuf, size_t errlen)
{
	struct poolset_replica *cur = &set->replicas[set->nreplicas - 1];
	if (cur->nparts == 0 && cur->node == NULL) {
		set_err(errbuf, errlen, lineno,
			set->nreplicas == 1 ? "no pool set parts"
					    : "no replica parts");
		return -EINVAL;
	}
	if (n != 1 && n != 3) {
		set_err(errbuf, errlen, lineno,
			"address of remote node and descriptor of "
			"remote pool set expected");
		return -EINVAL;
	}
	if (n == 3 && tok[2][0] == '/') {
		set_err(errbuf, errlen, lineno,
			"incorrect descriptor (must be a relative "
			"path)");
		return -EINVAL;
	}
	int ret = add_replica(set);
	if (ret)
		return ret;
	if (n == 3) {
		cur = &set->replicas[set->nreplicas - 1];
		cur->node = fault_strdup(tok[1]);
		cur->desc = fault_strdup(tok[2]);
		if (cur->node == NULL || cur->desc == NULL)
			return -ENOMEM;
	}
	return 0;
}

static int
parse_line(struct poolset *set, char *line, unsigned lineno, char *errbuf,
	size_t errlen)
{
	char *tok[MAX_TOKENS + 1];
	int n = tokenize(line, tok);
	if (n == 0) {
		set_err(errbuf, errlen, lineno,
			"invalid token found in the current line");
		return -EINVAL;
	}
	struct poolset_replica *cur = &set->replicas[set->nreplicas - 1];

	if (strcmp(tok[0], "OPTION") == 0)
		return parse_option(set, tok, n, lineno, errbuf, errlen);

	if (strcmp(tok[0], "REPLICA") == 0)
		return parse_replica(set, tok, n, lineno, errbuf, errlen);

	/* part line */
	if (n != 2) {
		set_err(errbuf, errlen, lineno,
			"invalid token found in the current line");
		return -EINVAL;
	}
	if (cur->node != NULL) {
		set_err(errbuf, errlen, lineno,
			"a remote replica cannot have parts");
		return -EINVAL;
	}
	size_t size;
	int sret = poolset_parse_size(tok[0], &size);
	if (sret) {
		set_err(errbuf, errlen, lineno,
			sret == -EFBIG ? "size too large for a file '%s'"
				       : "incorrect format of size '%s'",
			tok[0]);
		return sret;
	}
	if (tok[1][0] != '/') {
		set_err(errbuf, errlen, lineno,
			"incorrect path (must be an absolute one)");
		return -EINVAL;
	}
	return add_part(cur, tok[1], size, lineno);
}

/* every line after the signature line, parsed into set */
static int
parse_lines(struct poolset *set, const char *buf, size_t len, char *errbuf,
	size_t errlen)
{
	int ret = 0;
	char *copy = fault_malloc(len + 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, buf, len);
	copy[len] = '\0';

	unsigned lineno = 0;
	char *p = copy;
	char *end = copy + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p;
		char *lend = nl ? nl : end;
		p = nl ? nl + 1 : end;
		lineno++;
		if (lend > line && lend[-1] == '\r')
			lend--;
		*lend = '\0';
		if (memchr(line, '\0', (size_t)(lend - line)) != NULL) {
			set_err(errbuf, errlen, lineno,
				"NUL byte in the current line");
			ret = -EINVAL;
			break;
		}
		if (lineno == 1) {
			if (strcmp(line, POOLSET_SIG) != 0 || nl == NULL) {
				set_err(errbuf, errlen, 1,
					"the first line must be exactly "
					"'" POOLSET_SIG "'");
				ret = -EINVAL;
				break;
			}
			continue;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (line[0] == '\0')
			continue;
		ret = parse_line(set, line, lineno, errbuf, errlen);
		if (ret)
			break;
	}
	free(copy);
	return ret;
}

int
poolset_parse(const char *buf, size_t len, struct poolset **out, char *errbuf,
	size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (buf == NULL || out == NULL)
		return -EINVAL;
	if (len < POOLSET_SIG_LEN ||
		memcmp(buf, POOLSET_SIG, POOLSET_SIG_LEN)) {
		set_err(errbuf, errlen, 0, "not a pool set file");
		return -EINVAL;
	}
	struct poolset *set = fault_calloc(1, sizeof(*set));
	if (set == NULL)
		return -ENOMEM;
	set->is_set_file = 1;
	int ret = add_replica(set);
	if (ret)
		goto err;

	ret = parse_lines(set, buf, len, errbuf, errlen);
	if (ret)
		goto err;

	struct poolset_replica *last = &set->replicas[set->nreplicas - 1];
	if (last->nparts == 0 && last->node == NULL) {
		set_err(errbuf, errlen, 0,
			set->nreplicas == 1 ? "no pool set parts"
					    : "no replica parts");
		ret = -EINVAL;
		goto err;
	}
	if (set->replicas[0].node != NULL) {
		set_err(errbuf, errlen, 0, "the first replica must be local");
		ret = -EINVAL;
		goto err;
	}
	*out = set;
	return 0;
err:
	poolset_free(set);
	return ret;
}

#define MAX_SET_FILE (1U << 20)

/* the pool set file of <len> bytes open at <fd>, parsed; parts that are
 * directories marked */
static int
parse_set_fd(
	int fd, size_t len, struct poolset **out, char *errbuf, size_t errlen)
{
	char *buf = fault_malloc(len + 1);
	if (buf == NULL)
		return -ENOMEM;
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, buf + got, len - got, (off_t)got);
		if (r < 0) {
			int err = errno;
			free(buf);
			return -err;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	struct poolset *set = NULL;
	int ret = poolset_parse(buf, got, &set, errbuf, errlen);
	free(buf);
	if (ret)
		return ret;
	for (unsigned i = 0; i < set->nreplicas; i++) {
		struct poolset_replica *rep = &set->replicas[i];
		for (unsigned p = 0; p < rep->nparts; p++) {
			struct stat ps;
			if (stat(rep->parts[p].path, &ps) == 0 &&
				S_ISDIR(ps.st_mode))
				rep->parts[p].is_dir = 1;
		}
	}
	*out = set;
	return 0;
}

int
poolset_read_fd(int fd, const char *path, struct poolset **out, char *errbuf,
	size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	struct stat st;
	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode)) {
		set_err(errbuf, errlen, 0, "not a regular file");
		return -EINVAL;
	}
	char sig[POOLSET_SIG_LEN];
	ssize_t r = pread(fd, sig, sizeof(sig), 0);
	if (r < 0)
		return -errno;
	if (r < (ssize_t)sizeof(sig) || memcmp(sig, POOLSET_SIG, sizeof(sig))) {
		/* a plain file: one part of its current size */
		struct poolset *set = fault_calloc(1, sizeof(*set));
		if (set == NULL || add_replica(set) ||
			add_part(&set->replicas[0], path, (size_t)st.st_size,
				0)) {
			poolset_free(set);
			return -ENOMEM;
		}
		*out = set;
		return 0;
	}
	if (st.st_size > MAX_SET_FILE) {
		set_err(errbuf, errlen, 0, "pool set file too large");
		return -EINVAL;
	}
	return parse_set_fd(fd, (size_t)st.st_size, out, errbuf, errlen);
}

int
poolset_read_file(
	const char *path, struct poolset **out, char *errbuf, size_t errlen)
{
	if (errbuf && errlen)
		errbuf[0] = '\0';
	/* O_NONBLOCK: a FIFO must not block the reader */
	int fd = fault_open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int ret = poolset_read_fd(fd, path, out, errbuf, errlen);
	close(fd);
	return ret;
}

unsigned
poolset_nhdrs(const struct poolset *set, unsigned rep)
{
	if (set->options & POOLSET_OPT_SINGLEHDR)
		return 1;
	if (set->options & POOLSET_OPT_NOHDRS)
		return 0;
	return set->replicas[rep].nparts;
}

size_t
poolset_replica_size(const struct poolset *set, unsigned rep)
{
	const struct poolset_replica *r = &set->replicas[rep];
	size_t sum = 0;
	for (unsigned p = 0; p < r->nparts; p++)
		sum += r->parts[p].size & ~(PAGE - 1);
	unsigned h = poolset_nhdrs(set, rep);
	if (h > 1)
		sum -= (size_t)(h - 1) * POOLSET_HDR_SIZE;
	return sum;
}

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
