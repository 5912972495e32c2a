/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-tx-remote.c -- transactions and the allocator of Debian's PMDK 1.12.1
 * libpmemobj on a pool set with a remote replica. Built only against
 * Debian's libpmemobj (never ours): PMDK's library loads librpmem.so.1 at
 * run time for the REPLICA line, and the test makes that ours.
 *
 * The pool holds a sorted singly linked list of nodes. Each node carries a
 * key and a payload whose size and bytes follow from the key (16 B up to
 * 300 KiB, so runs and huge chunks are both used). Stage 1 inserts keys
 * 0..n-1 in a scrambled order, one transaction per 8 keys, then frees every
 * key divisible by 3 in one transaction. Stage 2 inserts keys n..2n-1 and
 * frees every key divisible by 5. Both stages end with a transaction that
 * allocates, links and rewrites the root and is then aborted.
 *
 * usage: obj-tx-remote create <set> <n>        new pool, stage 1
 *        obj-tx-remote update <set> <n>        stage 1 -> stage 2
 *        obj-tx-remote verify <set> <n> <stage>
 * Every run checks the whole object graph after its changes (and before
 * them for update) and prints:
 *   lib <path>            the libpmemobj.so.1 and librpmem.so.1 mapped
 *   range <off> <len>     each live object, allocation header included
 *   nodes <count>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#define LAYOUT "obj-tx-remote"
#define ALLOC_HDR 16 /* PMDK's compact allocation header */

POBJ_LAYOUT_BEGIN(obj_tx_remote);
POBJ_LAYOUT_ROOT(obj_tx_remote, struct root);
POBJ_LAYOUT_TOID(obj_tx_remote, struct node);
POBJ_LAYOUT_END(obj_tx_remote);

struct node {
	uint64_t key;
	uint64_t size; /* payload bytes */
	TOID(struct node) next;
	unsigned char payload[];
};

typedef TOID(struct node) node_oid;

struct root {
	TOID(struct node) head;
	uint64_t count;
	uint64_t keysum;
};

static size_t
payload_size(uint64_t key)
{
	if (key % 37 == 5)
		return 300 * 1024; /* larger than a chunk: a huge allocation */
	return 16 + (size_t)(key * 97 % 4000);
}

static unsigned char
payload_byte(uint64_t key, size_t i)
{
	return (unsigned char)(key * 131 + i * 7 + (i >> 8));
}

/* does a node with <key> exist at the end of <stage>? */
static int
expected(uint64_t key, uint64_t n, int stage)
{
	if (key < n)
		return key % 3 != 0 && (stage < 2 || key % 5 != 0);
	return stage >= 2 && key < 2 * n && key % 5 != 0;
}

/* the i-th key of [lo, lo + n) in a scrambled order (n fixed per call) */
static uint64_t
scrambled(uint64_t lo, uint64_t n, uint64_t i)
{
	/* a prime: coprime with n unless n is its multiple */
	uint64_t step = 7919;
	if (n % step == 0)
		step = 1;
	return lo + (i * step) % n;
}

/* where a node with <key> belongs: the link that will point to it */
static node_oid *
link_before(TOID(struct root) root, uint64_t key)
{
	node_oid *pos = &D_RW(root)->head;
	while (!TOID_IS_NULL(*pos) && D_RO(*pos)->key < key)
		pos = &D_RW(*pos)->next;
	return pos;
}

/* one transaction: insert the keys [from, to) of the scrambled order */
static void
insert_keys(
	PMEMobjpool *pop, uint64_t lo, uint64_t n, uint64_t from, uint64_t to)
{
	TX_BEGIN(pop)
	{
		TOID(struct root) root = POBJ_ROOT(pop, struct root);
		TX_ADD(root);
		for (uint64_t i = from; i < to; i++) {
			uint64_t key = scrambled(lo, n, i);
			size_t sz = payload_size(key);
			TOID(struct node) nd;
			TOID_ASSIGN(
				nd, pmemobj_tx_alloc(sizeof(struct node) + sz,
					    TOID_TYPE_NUM(struct node)));
			D_RW(nd)->key = key;
			D_RW(nd)->size = sz;
			for (size_t b = 0; b < sz; b++)
				D_RW(nd)->payload[b] = payload_byte(key, b);
			TOID(struct node) *pos = link_before(root, key);
			D_RW(nd)->next = *pos;
			pmemobj_tx_add_range_direct(pos, sizeof(*pos));
			*pos = nd;
			D_RW(root)->count++;
			D_RW(root)->keysum += key;
		}
	}
	TX_ONABORT
	{
		fprintf(stderr, "insert: %s\n", pmemobj_errormsg());
		exit(1);
	}
	TX_END
}

/* one transaction: unlink and free every key divisible by <div> */
static void
free_keys(PMEMobjpool *pop, uint64_t div)
{
	TX_BEGIN(pop)
	{
		TOID(struct root) root = POBJ_ROOT(pop, struct root);
		TX_ADD(root);
		TOID(struct node) *pos = &D_RW(root)->head;
		while (!TOID_IS_NULL(*pos)) {
			TOID(struct node) nd = *pos;
			if (D_RO(nd)->key % div != 0) {
				pos = &D_RW(nd)->next;
				continue;
			}
			pmemobj_tx_add_range_direct(pos, sizeof(*pos));
			*pos = D_RO(nd)->next;
			D_RW(root)->count--;
			D_RW(root)->keysum -= D_RO(nd)->key;
			TX_FREE(nd);
		}
	}
	TX_ONABORT
	{
		fprintf(stderr, "free: %s\n", pmemobj_errormsg());
		exit(1);
	}
	TX_END
}

/* a transaction that changes the list and the root, then aborts */
static void
aborted(PMEMobjpool *pop)
{
	TX_BEGIN(pop)
	{
		TOID(struct root) root = POBJ_ROOT(pop, struct root);
		TX_ADD(root);
		TOID(struct node) nd = TX_ZALLOC(struct node, 4096);
		D_RW(nd)->key = 1;
		D_RW(nd)->next = D_RO(root)->head;
		D_RW(root)->head = nd;
		D_RW(root)->count = 0;
		D_RW(root)->keysum = 0;
		pmemobj_tx_abort(ECANCELED);
	}
	TX_ONCOMMIT
	{
		fprintf(stderr, "the aborted transaction committed\n");
		exit(1);
	}
	TX_END
	if (errno != ECANCELED) {
		fprintf(stderr, "abort: errno %d, expected ECANCELED\n", errno);
		exit(1);
	}
}

static void
run_stage(PMEMobjpool *pop, uint64_t lo, uint64_t n, uint64_t div)
{
	for (uint64_t i = 0; i < n; i += 8)
		insert_keys(pop, lo, n, i, i + 8 < n ? i + 8 : n);
	free_keys(pop, div);
	aborted(pop);
}

static int
fail(const char *what, uint64_t key)
{
	fprintf(stderr, "graph check: %s (key %" PRIu64 ")\n", what, key);
	return 0;
}

static int
node_ok(TOID(struct node) nd, uint64_t prev, int first, uint64_t n, int stage)
{
	const struct node *p = D_RO(nd);
	if (!first && p->key <= prev)
		return fail("list not sorted", p->key);
	if (!expected(p->key, n, stage))
		return fail("a key that should not exist", p->key);
	if (p->size != payload_size(p->key) ||
		pmemobj_alloc_usable_size(nd.oid) < sizeof(*p) + p->size)
		return fail("payload size", p->key);
	for (size_t b = 0; b < p->size; b++)
		if (p->payload[b] != payload_byte(p->key, b))
			return fail("payload bytes", p->key);
	return 1;
}

/* the whole graph: list order, keys, payloads, root totals, no leaks */
static int
check(PMEMobjpool *pop, TOID(struct root) root, uint64_t n, int stage)
{
	uint64_t count = 0, keysum = 0, want = 0, wantsum = 0, prev = 0;
	for (uint64_t k = 0; k < 2 * n; k++)
		if (expected(k, n, stage)) {
			want++;
			wantsum += k;
		}
	TOID(struct node) nd = D_RO(root)->head;
	for (; !TOID_IS_NULL(nd); nd = D_RO(nd)->next) {
		if (!node_ok(nd, prev, count == 0, n, stage))
			return 0;
		prev = D_RO(nd)->key;
		count++;
		keysum += prev;
	}
	if (count != want || keysum != wantsum)
		return fail("list length or key sum", count);
	if (D_RO(root)->count != count || D_RO(root)->keysum != keysum)
		return fail("root totals", D_RO(root)->count);
	uint64_t objs = 0;
	POBJ_FOREACH_TYPE(pop, nd)
	objs++;
	if (objs != count)
		return fail("allocated nodes outside the list", objs);
	return 1;
}

/* the ranges of the pool that must be the same in every replica */
static void
print_ranges(PMEMobjpool *pop, TOID(struct root) root)
{
	printf("range %" PRIu64 " %zu\n", root.oid.off - ALLOC_HDR,
		ALLOC_HDR + sizeof(struct root));
	uint64_t nodes = 0;
	TOID(struct node) nd;
	POBJ_FOREACH_TYPE(pop, nd)
	{
		printf("range %" PRIu64 " %zu\n", nd.oid.off - ALLOC_HDR,
			ALLOC_HDR + sizeof(struct node) + D_RO(nd)->size);
		nodes++;
	}
	printf("nodes %" PRIu64 "\n", nodes);
}

/* which libpmemobj.so.1 and librpmem.so.1 this process runs with */
static void
print_libs(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096], last[4096] = "";
	while (f && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (path == NULL || (!strstr(path, "/libpmemobj.so") &&
					    !strstr(path, "/librpmem.so")))
			continue;
		if (strcmp(path, last) != 0)
			printf("lib %s", path);
		snprintf(last, sizeof(last), "%s", path);
	}
	if (f)
		fclose(f);
}

int
main(int argc, char *argv[])
{
	const char *op = argc > 1 ? argv[1] : "";
	int create = strcmp(op, "create") == 0;
	int update = strcmp(op, "update") == 0;
	int verify = strcmp(op, "verify") == 0;
	if (!(((create || update) && argc == 4) || (verify && argc == 5))) {
		fprintf(stderr,
			"usage: %s create|update <set> <n> | "
			"verify <set> <n> <stage>\n",
			argv[0]);
		return 2;
	}
	uint64_t n = strtoull(argv[3], NULL, 10);
	int stage = verify ? atoi(argv[4]) : create ? 1 : 2;
	PMEMobjpool *pop = create ? pmemobj_create(argv[2], LAYOUT, 0, 0600)
				  : pmemobj_open(argv[2], LAYOUT);
	if (pop == NULL) {
		fprintf(stderr, "%s %s: %s (errno %d)\n", op, argv[2],
			pmemobj_errormsg(), errno);
		return 1;
	}
	print_libs();
	TOID(struct root) root = POBJ_ROOT(pop, struct root);
	int ok = !TOID_IS_NULL(root);
	if (ok && update)
		ok = check(pop, root, n, 1);
	if (ok && (create || update))
		run_stage(pop, create ? 0 : n, n, create ? 3 : 5);
	ok = ok && check(pop, root, n, stage);
	if (ok)
		print_ranges(pop, root);
	pmemobj_close(pop);
	return ok ? 0 : 1;
}
