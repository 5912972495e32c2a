/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-set.c -- a pool set used in turns by our libpmemobj and by Debian's
 * PMDK 1.12.1. Built twice (PMDK_PEER for PMDK's), each run is its own
 * process.
 *
 * usage: obj-set create <set> <root size>        (generation 1 written)
 *        obj-set update <set> <root size> <gen>  (generation gen - 1
 *                                                 verified, gen written)
 *        obj-set verify <set> <root size> <gen>
 *        obj-set hold <set> <root size> <gen>    (verified, then kept open
 *                                                 until stdin closes)
 *
 * A generation g is written with every persistence call a program uses:
 * the root's first 8 bytes hold g (store + pmemobj_persist), the first half
 * of the rest a pattern of g copied with pmemobj_memcpy_persist, the second
 * half the pattern stored directly and made durable with pmemobj_flush +
 * pmemobj_drain, the last 4 KiB g set with pmemobj_memset_persist. With a
 * root of a few MiB the data crosses part boundaries. PMDK_PEER builds also
 * allocate an object, run a transaction and free it in update. Every run
 * but create ends with pmemobj_check of the set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#define LAYOUT "set-compat"
#define TAIL 4096
#define CHUNK ((size_t)64 << 10)
#define ALLOC 1000 /* a run object: the big roots leave few free chunks */

static unsigned char
pattern(size_t i, uint64_t gen)
{
	return (unsigned char)(i * 7 + gen * 13 + 1);
}

static void
write_gen(PMEMobjpool *pop, unsigned char *d, size_t size, uint64_t gen)
{
	size_t half = 8 + (size - 8 - TAIL) / 2;
	unsigned char buf[CHUNK];
	for (size_t off = 8; off < half; off += CHUNK) {
		size_t len = half - off < CHUNK ? half - off : CHUNK;
		for (size_t k = 0; k < len; k++)
			buf[k] = pattern(off + k, gen);
		pmemobj_memcpy_persist(pop, d + off, buf, len);
	}
	for (size_t i = half; i < size - TAIL; i++)
		d[i] = pattern(i, gen);
	pmemobj_flush(pop, d + half, size - TAIL - half);
	pmemobj_drain(pop);
	pmemobj_memset_persist(pop, d + size - TAIL, (int)(gen & 0xff), TAIL);
	memcpy(d, &gen, sizeof(gen));
	pmemobj_persist(pop, d, sizeof(gen));
}

static int
verify_gen(const unsigned char *d, size_t size, uint64_t gen)
{
	uint64_t g;
	memcpy(&g, d, sizeof(g));
	if (g != gen) {
		printf("root holds generation %llu, expected %llu\n",
			(unsigned long long)g, (unsigned long long)gen);
		return 0;
	}
	for (size_t i = 8; i < size - TAIL; i++)
		if (d[i] != pattern(i, gen)) {
			printf("root byte %zu differs (generation %llu)\n", i,
				(unsigned long long)gen);
			return 0;
		}
	for (size_t i = size - TAIL; i < size; i++)
		if (d[i] != (unsigned char)gen) {
			printf("root tail byte %zu differs\n", i);
			return 0;
		}
	return 1;
}

#ifdef PMDK_PEER
static int
heap_work(PMEMobjpool *pop)
{
	PMEMoid obj;
	if (pmemobj_alloc(pop, &obj, ALLOC, 1, NULL, NULL) != 0) {
		printf("alloc: %s\n", pmemobj_errormsg());
		return 0;
	}
	int failed = 0;
	TX_BEGIN(pop)
	{
		pmemobj_tx_add_range(obj, 0, ALLOC);
		memset(pmemobj_direct(obj), 5, ALLOC);
	}
	TX_ONABORT
	{
		failed = 1;
	}
	TX_END
	pmemobj_free(&obj);
	if (failed)
		printf("transaction aborted: %s\n", pmemobj_errormsg());
	return !failed;
}
#endif

int
main(int argc, char *argv[])
{
	if (argc < 4 || argc > 5) {
		fprintf(stderr,
			"usage: %s create|update|verify|hold <set> <size> "
			"[<gen>]\n",
			argv[0]);
		return 2;
	}
	const char *cmd = argv[1], *path = argv[2];
	size_t size = strtoull(argv[3], NULL, 0);
	uint64_t gen = argc == 5 ? strtoull(argv[4], NULL, 0) : 1;
	if (size < 8 + 2 * TAIL) {
		fprintf(stderr, "root size at least %d\n", 8 + 2 * TAIL);
		return 2;
	}
	PMEMobjpool *pop;
	if (strcmp(cmd, "create") == 0) {
		pop = pmemobj_create(path, LAYOUT, 0, 0600);
		if (pop == NULL) {
			printf("create %s: %s\n", path, pmemobj_errormsg());
			return 1;
		}
		PMEMoid root = pmemobj_root(pop, size);
		if (OID_IS_NULL(root)) {
			printf("root: %s\n", pmemobj_errormsg());
			return 1;
		}
		write_gen(pop, pmemobj_direct(root), size, 1);
		printf("root of %zu bytes at offset %llu written\n", size,
			(unsigned long long)root.off);
		pmemobj_close(pop);
		return 0;
	}
	pop = pmemobj_open(path, LAYOUT);
	if (pop == NULL) {
		printf("open %s: %s\n", path, pmemobj_errormsg());
		return 1;
	}
	if (pmemobj_root_size(pop) != size) {
		printf("root size %zu, expected %zu\n", pmemobj_root_size(pop),
			size);
		return 1;
	}
	unsigned char *d = pmemobj_direct(pmemobj_root(pop, size));
	int update = strcmp(cmd, "update") == 0;
	if (!verify_gen(d, size, update ? gen - 1 : gen))
		return 1;
	if (strcmp(cmd, "hold") == 0) {
		printf("held\n");
		fflush(stdout);
		while (getchar() != EOF)
			;
		pmemobj_close(pop);
		return 0;
	}
	if (update) {
		write_gen(pop, d, size, gen);
#ifdef PMDK_PEER
		if (!heap_work(pop))
			return 1;
#endif
	}
	printf("%s generation %llu\n", update ? "wrote" : "verified",
		(unsigned long long)gen);
	pmemobj_close(pop);
	int c = pmemobj_check(path, LAYOUT);
	if (c != 1) {
		printf("pmemobj_check: %d %s\n", c, pmemobj_errormsg());
		return 1;
	}
	return 0;
}
