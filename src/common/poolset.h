/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * poolset.h -- pool set files: parsing, and the part files of one replica
 *
 * Contract:
 * - poolset_parse() is pure: it turns the bytes of a pool set file into a
 *   struct poolset or fails with -EINVAL, writing a one-line reason
 *   ("<what> at line <n>") into errbuf. It never touches the file system,
 *   so a part path is a directory only for poolset_read_file(), which also
 *   reads the file, treats a file without the PMEMPOOLSET signature as a
 *   single-part pool of its current size, and marks directory parts.
 * - Syntax as in poolset(5) of PMDK 1.12.1: line 1 exactly "PMEMPOOLSET";
 *   '#' starts a comment; "<size> <absolute path>" part lines with sizes
 *   in bytes or with suffixes B K M G T P, KiB..PiB (powers of 1024),
 *   kB MB GB TB PB (powers of 1000); "OPTION SINGLEHDR|NOHDRS ...";
 *   "REPLICA" (local) or "REPLICA <target> <relative descriptor>" (remote,
 *   no parts may follow it).
 * - The replica helpers work on replica `rep` of a parsed set: part files
 *   are created (exact size, posix_fallocate) or opened (exact size
 *   required), flock()ed and mapped into one contiguous range: part 0 from
 *   file offset 0, every other part from offset 4096 when each part has a
 *   header, or from 0 with SINGLEHDR/NOHDRS. Sizes are rounded down to the
 *   page size. All return 0 or a negative errno and never print.
 * - poolset_parse.c holds the parser and the readers of set files,
 *   poolset_map.c the replica helpers.
 */
#ifndef COMMON_POOLSET_H
#define COMMON_POOLSET_H 1

#include <stddef.h>
#include <stdint.h>

#define POOLSET_SIG "PMEMPOOLSET"
#define POOLSET_SIG_LEN 11
#define POOLSET_HDR_SIZE 4096
#define POOLSET_MIN_PART ((size_t)2 << 20)

#define POOLSET_OPT_SINGLEHDR (1U << 0)
#define POOLSET_OPT_NOHDRS (1U << 1)

struct poolset_part {
	char *path;
	size_t size;   /* as written in the file (bytes) */
	int is_dir;    /* set by poolset_read_file() */
	unsigned line; /* line number in the set file */
};

struct poolset_replica {
	unsigned nparts;
	struct poolset_part *parts;
	char *node; /* remote replica: target, else NULL */
	char *desc; /* remote replica: relative descriptor, else NULL */
};

struct poolset {
	unsigned nreplicas;
	struct poolset_replica *replicas;
	unsigned options; /* POOLSET_OPT_* */
	int is_set_file;  /* 0: a plain pool file used as one part */
};

/* parse a size with an optional suffix; 0 and overflow are -EINVAL */
int poolset_parse_size(const char *s, size_t *out);

/* pure parser; errbuf (may be NULL) receives the reason on failure */
int poolset_parse(const char *buf, size_t len, struct poolset **out,
	char *errbuf, size_t errlen);

/* read and parse a file (see contract) */
int poolset_read_file(
	const char *path, struct poolset **out, char *errbuf, size_t errlen);
/* the same from fd, open on path (which names a plain file's one part);
 * fd stays open */
int poolset_read_fd(int fd, const char *path, struct poolset **out,
	char *errbuf, size_t errlen);

void poolset_free(struct poolset *set);

/* number of parts of replica rep that carry a 4096-byte header */
unsigned poolset_nhdrs(const struct poolset *set, unsigned rep);

/* usable size of replica rep (see contract) */
size_t poolset_replica_size(const struct poolset *set, unsigned rep);

/* one replica, opened and mapped */
struct poolset_map {
	void *addr;  /* contiguous mapping of the whole replica */
	size_t size; /* == poolset_replica_size() */
	unsigned nparts;
	int *fds;		/* one per part, locked */
	size_t *part_off;	/* offset of each part's data in addr */
	size_t *part_len;	/* bytes of each part inside addr */
	unsigned char *created; /* per part: created by this call */
	int is_pmem;		/* every part DAX-mapped, or forced */
	int bad_part;		/* after a failure: the part concerned, or -1 */
};

#define POOLSET_CREATE 1
#define POOLSET_OPEN 0

/*
 * Open (or with POOLSET_CREATE create the missing, with mode 0600) part
 * files of replica rep, lock and map them; parts that exist keep their mode.
 * Directory-based and remote replicas: -EINVAL. On failure nothing stays
 * mapped or locked and created files are removed; m->bad_part then names
 * the part that failed (-1: none in particular).
 */
int poolset_map_replica(const struct poolset *set, unsigned rep, int create,
	struct poolset_map *m);

#define POOLSET_KEEP 0
#define POOLSET_REMOVE_ALL 1
#define POOLSET_REMOVE_CREATED 2

/* unmap, unlock, close; POOLSET_REMOVE_ALL also unlinks every part file,
 * POOLSET_REMOVE_CREATED those created by poolset_map_replica() */
int poolset_unmap_replica(const struct poolset *set, unsigned rep,
	struct poolset_map *m, int remove);

/* a part of a set: replica and part index (-1: none) */
struct poolset_part_ref {
	int rep;
	int part;
};

/*
 * Remove the part files of every local replica of set (remote replicas are
 * left out). Each part is opened without blocking, locked and checked to
 * be still the file its path names (file_lock_path()) before it is
 * unlinked, so that a part another process creates or uses (-EWOULDBLOCK),
 * a part replaced meanwhile (-ESTALE) and anything but a regular file
 * (-EINVAL) stay. all_or_none: every part is locked first and, when one
 * cannot be (missing, in use, ...), nothing is removed; otherwise every
 * part that can be is removed. The first error is returned and *bad (may
 * be NULL) names its part.
 */
int poolset_remove_parts(const struct poolset *set, int all_or_none,
	struct poolset_part_ref *bad);

/* header I/O of part p (4096 bytes at file offset 0) */
int poolset_read_hdr(const struct poolset_map *m, unsigned p, void *hdr);
int poolset_write_hdr(const struct poolset_map *m, unsigned p, const void *hdr);

#endif /* COMMON_POOLSET_H */
