/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-mixed.c -- one pool used in turns by Debian's PMDK 1.12.1 and by our
 * libpmemobj. Built twice (PMDK_PEER for PMDK's), each run is its own
 * process.
 *
 * usage: obj-mixed fill <pool>     (PMDK: objects of many sizes, table in
 *                                   a 4 KiB root; <pool> of 64 MiB, or an
 *                                   existing pool set file)
 *        obj-mixed grow <pool>     (ours: table and objects intact, root
 *                                   grown to 2 MiB in the used heap, tail
 *                                   written)
 *        obj-mixed verify <pool>   (either: everything above intact; PMDK
 *                                   also allocates, frees and runs a
 *                                   transaction)
 *        obj-mixed txloop <pool>   (PMDK: transactions until killed)
 *        obj-mixed recover <pool>  (after a grow killed at any moment:
 *                                   the objects intact, the root either
 *                                   the table or grown, the heap usable)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpmemobj.h>

#define LAYOUT "mixed"
#define NOBJ 200
#define SMALL 4096
#define BIG ((size_t)2 << 20)

struct table {
	uint64_t n;
	uint64_t off[NOBJ];
	uint64_t size[NOBJ];
};

#ifdef PMDK_PEER
static size_t
obj_size(unsigned i)
{
	static const size_t sizes[] = {16, 100, 256, 1000, 3000, 20000, 300000};
	return sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
}
#endif

static unsigned char
pat(unsigned i, size_t k)
{
	return (unsigned char)(i * 31 + k * 7 + 3);
}

static int
objects_ok(PMEMobjpool *pop, const struct table *t)
{
	if (t->n != NOBJ) {
		printf("table holds %llu objects\n", (unsigned long long)t->n);
		return 0;
	}
	for (unsigned i = 0; i < NOBJ; i++) {
		PMEMoid o = pmemobj_root(pop, 0);
		o.off = t->off[i];
		const unsigned char *d = pmemobj_direct(o);
		for (size_t k = 0; k < t->size[i]; k++)
			if (d[k] != pat(i, k)) {
				printf("object %u byte %zu differs\n", i, k);
				return 0;
			}
	}
	return 1;
}

static int
tail_ok(const unsigned char *r)
{
	for (size_t k = SMALL; k < BIG; k++)
		if (r[k] != (unsigned char)(k % 251)) {
			printf("grown root byte %zu differs\n", k);
			return 0;
		}
	return 1;
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s fill|grow|verify|recover <pool>\n",
			argv[0]);
		return 2;
	}
	const char *path = argv[2];
	PMEMobjpool *pop;
	if (strcmp(argv[1], "fill") == 0) {
#ifdef PMDK_PEER
		/* an existing file is a pool set file: its parts give the
		 * size */
		size_t size = access(path, F_OK) == 0 ? 0 : (size_t)64 << 20;
		pop = pmemobj_create(path, LAYOUT, size, 0600);
		if (pop == NULL) {
			printf("create: %s\n", pmemobj_errormsg());
			return 1;
		}
		struct table *t = pmemobj_direct(pmemobj_root(pop, sizeof(*t)));
		for (unsigned i = 0; i < NOBJ; i++) {
			PMEMoid o;
			size_t s = obj_size(i);
			if (pmemobj_alloc(pop, &o, s, 1, NULL, NULL) != 0) {
				printf("alloc %u: %s\n", i, pmemobj_errormsg());
				return 1;
			}
			unsigned char *d = pmemobj_direct(o);
			for (size_t k = 0; k < s; k++)
				d[k] = pat(i, k);
			pmemobj_persist(pop, d, s);
			t->off[i] = o.off;
			t->size[i] = s;
		}
		t->n = NOBJ;
		pmemobj_persist(pop, t, sizeof(*t));
		pmemobj_close(pop);
		return 0;
#else
		fprintf(stderr, "fill is done by the PMDK build\n");
		return 2;
#endif
	}
#ifdef PMDK_PEER
	if (strcmp(argv[1], "txloop") == 0) {
		/* transactions and allocations until killed */
		pop = pmemobj_open(path, LAYOUT);
		if (pop == NULL) {
			printf("open: %s\n", pmemobj_errormsg());
			return 1;
		}
		PMEMoid scratch;
		if (pmemobj_zalloc(pop, &scratch, 65536, 3) != 0) {
			printf("zalloc: %s\n", pmemobj_errormsg());
			return 1;
		}
		for (volatile unsigned i = 0;; i++) {
			TX_BEGIN(pop)
			{
				pmemobj_tx_add_range(scratch, 0, 65536);
				memset(pmemobj_direct(scratch), (int)i, 65536);
				PMEMoid o = pmemobj_tx_alloc(obj_size(i), 4);
				pmemobj_tx_free(o);
			}
			TX_END
		}
	}
#endif
	pop = pmemobj_open(path, LAYOUT);
	if (pop == NULL) {
		printf("open: %s\n", pmemobj_errormsg());
		/* ours leaves an interrupted PMDK transaction to PMDK */
		return errno == ENOTSUP ? 3 : 1;
	}
	struct table *t = pmemobj_direct(pmemobj_root(pop, 0));
	if (t == NULL || !objects_ok(pop, t))
		return 1;
	if (strcmp(argv[1], "grow") == 0) {
		PMEMoid r = pmemobj_root(pop, BIG);
		if (OID_IS_NULL(r)) {
			printf("grow: %s\n", pmemobj_errormsg());
			return 1;
		}
		unsigned char *d = pmemobj_direct(r);
		if (!objects_ok(pop, (struct table *)d))
			return 1;
		for (size_t k = SMALL; k < BIG; k++)
			d[k] = (unsigned char)(k % 251);
		pmemobj_persist(pop, d + SMALL, BIG - SMALL);
		printf("root grown to offset %llu\n",
			(unsigned long long)r.off);
		pmemobj_close(pop);
		return 0;
	}
	/* after a killed grow the root may still be the table alone */
	int grown = pmemobj_root_size(pop) == BIG;
	int after_kill = strcmp(argv[1], "recover") == 0;
	if (!grown && !(after_kill && pmemobj_root_size(pop) == sizeof(*t))) {
		printf("root size %zu\n", pmemobj_root_size(pop));
		return 1;
	}
	if (grown && !after_kill && !tail_ok((const unsigned char *)t))
		return 1;
#ifdef PMDK_PEER
	PMEMoid extra[20];
	for (unsigned i = 0; i < 20; i++)
		if (pmemobj_zalloc(pop, &extra[i], obj_size(i), 2) != 0) {
			printf("alloc: %s\n", pmemobj_errormsg());
			return 1;
		}
	volatile int aborted = 0;
	TX_BEGIN(pop)
	{
		pmemobj_tx_add_range(extra[0], 0, 16);
		memset(pmemobj_direct(extra[0]), 9, 16);
	}
	TX_ONABORT
	{
		aborted = 1;
	}
	TX_END
	if (aborted) {
		printf("transaction aborted\n");
		return 1;
	}
	for (unsigned i = 0; i < 20; i++)
		pmemobj_free(&extra[i]);
	if (!objects_ok(pop, t) ||
		(grown && !after_kill && !tail_ok((const unsigned char *)t)))
		return 1;
#endif
	pmemobj_close(pop);
	if (pmemobj_check(path, LAYOUT) != 1) {
		printf("pmemobj_check: %s\n", pmemobj_errormsg());
		return 1;
	}
	printf("verified\n");
	return 0;
}
