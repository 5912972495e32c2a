/* SPDX-License-Identifier: BSD-3-Clause */
/* poolset_parse.c -- pool set files read and parsed (see poolset.h) */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
