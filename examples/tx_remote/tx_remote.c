/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tx_remote.c -- a PMDK 1.12.1 transactional program, unchanged, on a pool
 * set with a remote replica: built against Debian's libpmemobj (the full
 * library, with transactions and the allocator), which loads librpmem.so.1
 * at run time for the set's REPLICA line
 *
 * usage: tx_remote <pool-set-file> [<remote-part-file> [nodes]]
 *
 * Creates the pool (or opens it if it exists) and prepends <nodes> nodes
 * (default 200) to a linked list, one transaction each (TX_NEW, TX_ADD),
 * then runs one transaction that it aborts. It prints the libpmemobj and
 * librpmem the process loaded (from /proc/self/maps), the latency of the
 * transactions, and the time of create/open, close and reopen.
 *
 * With <remote-part-file> (the remote node's single part, readable from
 * here: pool offsets and file offsets are the same) it walks the list a
 * second time in that file, following the offsets stored there, and
 * compares every object, allocation header included, with the local pool.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpmemobj.h>

#define LAYOUT "tx_remote"
#define ALLOC_HDR 16 /* PMDK 1.12.1's compact allocation header */
#define TEXT_SIZE 96
/* PMDK 1.12.1's persistent pool descriptor: after the 4 KiB pool header,
 * up to where the run-time fields begin (those stay local) */
#define DESC_OFF 4096
#define DESC_END 0x1A20

POBJ_LAYOUT_BEGIN(tx_remote);
POBJ_LAYOUT_ROOT(tx_remote, struct root);
POBJ_LAYOUT_TOID(tx_remote, struct node);
POBJ_LAYOUT_END(tx_remote);

struct node {
	uint64_t seq;
	TOID(struct node) next;
	char text[TEXT_SIZE];
};

struct root {
	TOID(struct node) head;
	uint64_t count;
};

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void
node_text(char *text, uint64_t seq)
{
	memset(text, 0, TEXT_SIZE);
	snprintf(text, TEXT_SIZE, "node %" PRIu64 ", written in a transaction",
		seq);
}

/* the libpmemobj and librpmem this process runs, as the loader mapped them */
static void
print_libs(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], last[4096] = "";
	while (f != NULL && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (path == NULL ||
			(strstr(path, "/libpmemobj.so") == NULL &&
				strstr(path, "/librpmem.so") == NULL))
			continue;
		if (strcmp(path, last) != 0)
			printf("  loaded: %s", path);
		snprintf(last, sizeof(last), "%s", path);
	}
	if (f != NULL)
		fclose(f);
}

/* one transaction: a new node at the head of the list */
static int
prepend(PMEMobjpool *pop, uint64_t seq)
{
	volatile int ret = 0; /* set after the transaction's longjmp */
	TX_BEGIN(pop)
	{
		TOID(struct root) root = POBJ_ROOT(pop, struct root);
		TOID(struct node) nd = TX_NEW(struct node);
		D_RW(nd)->seq = seq;
		D_RW(nd)->next = D_RO(root)->head;
		node_text(D_RW(nd)->text, seq);
		TX_ADD(root);
		D_RW(root)->head = nd;
		D_RW(root)->count++;
	}
	TX_ONABORT
	{
		fprintf(stderr, "tx_remote: transaction aborted: %s\n",
			pmemobj_errormsg());
		ret = -1;
	}
	TX_END
	return ret;
}

/* a transaction that allocates and links a node, then aborts */
static int
aborted(PMEMobjpool *pop)
{
	TOID(struct root) root = POBJ_ROOT(pop, struct root);
	uint64_t before = D_RO(root)->count;
	TX_BEGIN(pop)
	{
		TOID(struct node) nd = TX_NEW(struct node);
		D_RW(nd)->next = D_RO(root)->head;
		TX_ADD(root);
		D_RW(root)->head = nd;
		D_RW(root)->count = 0;
		pmemobj_tx_abort(ECANCELED);
	}
	TX_END
	if (D_RO(root)->count != before) {
		fprintf(stderr, "tx_remote: the aborted transaction stayed\n");
		return -1;
	}
	printf("  one transaction aborted: list unchanged (%" PRIu64
	       " nodes)\n",
		before);
	return 0;
}

static int
write_nodes(PMEMobjpool *pop, uint64_t n)
{
	TOID(struct root) root = POBJ_ROOT(pop, struct root);
	uint64_t first = D_RO(root)->count;
	double *lat = calloc(n ? n : 1, sizeof(double));
	if (lat == NULL)
		return -1;
	double t0 = now_ms();
	for (uint64_t i = 0; i < n; i++) {
		double t = now_ms();
		if (prepend(pop, first + i)) {
			free(lat);
			return -1;
		}
		lat[i] = (now_ms() - t) * 1e3;
	}
	double total = now_ms() - t0;
	qsort(lat, n, sizeof(double), cmp_double);
	if (n > 0)
		printf("  %" PRIu64 " transactions (TX_NEW + TX_ADD, one node "
		       "each): %.0f tx/s, p50 %.1f us, p99 %.1f us\n",
			n, (double)n / (total / 1e3), lat[n / 2],
			lat[n * 99 / 100]);
	free(lat);
	return aborted(pop);
}

/* the list in the local pool: every node in order, count as recorded */
static int
verify_local(PMEMobjpool *pop, uint64_t *count)
{
	TOID(struct root) root = POBJ_ROOT(pop, struct root);
	uint64_t n = D_RO(root)->count, seen = 0;
	char text[TEXT_SIZE];
	TOID(struct node) nd = D_RO(root)->head;
	for (; !TOID_IS_NULL(nd); nd = D_RO(nd)->next, seen++) {
		node_text(text, n - 1 - seen);
		if (D_RO(nd)->seq != n - 1 - seen ||
			memcmp(D_RO(nd)->text, text, TEXT_SIZE) != 0) {
			fprintf(stderr,
				"tx_remote: node %" PRIu64 " is wrong\n", seen);
			return -1;
		}
	}
	if (seen != n) {
		fprintf(stderr,
			"tx_remote: %" PRIu64 " nodes, the root says %" PRIu64
			"\n",
			seen, n);
		return -1;
	}
	*count = n;
	return 0;
}

/* does [off - ALLOC_HDR, off + size) lie in the file and match the pool? */
static int
same_range(PMEMobjpool *pop, const char *remote, size_t rsize, uint64_t off,
	size_t size)
{
	if (off < ALLOC_HDR || off + size > rsize)
		return 0;
	const char *local = (const char *)pop + off - ALLOC_HDR;
	return memcmp(local, remote + off - ALLOC_HDR, size + ALLOC_HDR) == 0;
}

/*
 * The list once more, in the remote part: the root's and every node's
 * offsets are read from the remote file itself, and each object is
 * compared with the local one, allocation header included.
 */
static int
compare_remote(PMEMobjpool *pop, const char *remote, size_t rsize)
{
	if (rsize < DESC_END ||
		memcmp((const char *)pop + DESC_OFF, remote + DESC_OFF,
			DESC_END - DESC_OFF) != 0) {
		fprintf(stderr,
			"tx_remote: the pool descriptor differs between "
			"the local and the remote copy\n");
		return -1;
	}
	PMEMoid root = pmemobj_root(pop, sizeof(struct root));
	uint64_t bytes = 0, objs = 0;
	uint64_t off = root.off;
	size_t size = pmemobj_alloc_usable_size(root);
	while (off != 0) {
		if (!same_range(pop, remote, rsize, off, size)) {
			fprintf(stderr,
				"tx_remote: object at offset %" PRIu64
				" differs between the local and the remote "
				"copy\n",
				off);
			return -1;
		}
		objs++;
		bytes += size + ALLOC_HDR;
		/* the next offset, as the remote copy stores it */
		const char *obj = remote + off;
		const PMEMoid *next =
			objs == 1 ? &((const struct root *)obj)->head.oid
				  : &((const struct node *)obj)->next.oid;
		off = next->off;
		size = off ? pmemobj_alloc_usable_size(
				     (PMEMoid){root.pool_uuid_lo, off})
			   : 0;
	}
	printf("  remote copy: pool descriptor and the list walked in the "
	       "remote part, %" PRIu64 " objects (%" PRIu64
	       " bytes with their allocation headers), identical to the local "
	       "pool\n",
		objs, bytes);
	return 0;
}

static int
compare_file(PMEMobjpool *pop, const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	void *map =
		mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		perror(path);
		return -1;
	}
	int ret = compare_remote(pop, map, (size_t)st.st_size);
	munmap(map, (size_t)st.st_size);
	return ret;
}

/* creates the pool, or opens it when it exists */
static PMEMobjpool *
create_or_open(const char *set)
{
	double t = now_ms();
	PMEMobjpool *pop = pmemobj_create(set, LAYOUT, 0, 0600);
	const char *did = "created";
	if (pop == NULL && errno == EEXIST) {
		t = now_ms();
		pop = pmemobj_open(set, LAYOUT);
		did = "opened";
	}
	if (pop == NULL) {
		int e = errno;
		fprintf(stderr, "tx_remote: %s: %s (errno %d: %s)\n", set,
			pmemobj_errormsg(), e, strerror(e));
		return NULL;
	}
	printf("pool set %s %s in %.0f ms\n", set, did, now_ms() - t);
	return pop;
}

static int
reopen_and_verify(const char *set, uint64_t expect)
{
	double t = now_ms();
	PMEMobjpool *pop = pmemobj_open(set, LAYOUT);
	if (pop == NULL) {
		fprintf(stderr, "tx_remote: reopen %s: %s\n", set,
			pmemobj_errormsg());
		return -1;
	}
	double open_ms = now_ms() - t;
	uint64_t n = 0;
	int ret = verify_local(pop, &n);
	if (ret == 0 && n != expect) {
		fprintf(stderr, "tx_remote: %" PRIu64 " nodes after reopen\n",
			n);
		ret = -1;
	}
	t = now_ms();
	pmemobj_close(pop);
	if (ret == 0)
		printf("reopened in %.0f ms: %" PRIu64 " nodes, all intact; "
		       "closed in %.1f ms\n",
			open_ms, n, now_ms() - t);
	return ret;
}

int
main(int argc, char *argv[])
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr,
			"usage: %s <pool-set-file> [<remote-part-file> "
			"[nodes]]\n",
			argv[0]);
		return 2;
	}
	const char *set = argv[1], *rpart = argc > 2 ? argv[2] : NULL;
	uint64_t n = argc > 3 ? strtoull(argv[3], NULL, 10) : 200, count;
	PMEMobjpool *pop = create_or_open(set);
	if (pop == NULL)
		return 1;
	print_libs();
	if (rpart != NULL)
		printf("  remote part on the node: %s\n", rpart);
	int ret = write_nodes(pop, n);
	if (ret == 0)
		ret = verify_local(pop, &count);
	if (ret == 0 && rpart != NULL)
		ret = compare_file(pop, rpart);
	double t = now_ms();
	pmemobj_close(pop);
	if (ret != 0)
		return 1;
	printf("closed in %.1f ms\n", now_ms() - t);
	return reopen_and_verify(set, count) ? 1 : 0;
}
