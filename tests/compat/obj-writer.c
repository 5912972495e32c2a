/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-writer.c -- creates a pool with a root of a given size filled with a
 * pattern, or opens one and verifies it. Built twice: against our
 * libpmemobj and against Debian's PMDK 1.12.1 (PMDK_PEER), so each side's
 * pools are read by the other in a separate process.
 *
 * usage: obj-writer create|verify <pool> <root size>
 * PMDK_PEER builds also allocate an object and run a transaction in the
 * pool after verifying it, and run pmemobj_check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

#define LAYOUT "compat"

static char
pattern(size_t i)
{
	return (char)(i * 7 + 1);
}

int
main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s create|verify <pool> <size>\n",
			argv[0]);
		return 2;
	}
	const char *path = argv[2];
	size_t size = strtoull(argv[3], NULL, 0);
	PMEMobjpool *pop;
	if (strcmp(argv[1], "create") == 0) {
		pop = pmemobj_create(path, LAYOUT, (size_t)8 << 20, 0600);
		if (pop == NULL) {
			printf("create: %s\n", pmemobj_errormsg());
			return 1;
		}
		PMEMoid root = pmemobj_root(pop, size);
		if (OID_IS_NULL(root)) {
			printf("root: %s\n", pmemobj_errormsg());
			return 1;
		}
		char *d = pmemobj_direct(root);
		for (size_t i = 0; i < size; i++)
			d[i] = pattern(i);
		pmemobj_persist(pop, d, size);
		printf("root at offset %llu\n", (unsigned long long)root.off);
		pmemobj_close(pop);
		return 0;
	}
	pop = pmemobj_open(path, LAYOUT);
	if (pop == NULL) {
		printf("open: %s\n", pmemobj_errormsg());
		return 1;
	}
	if (pmemobj_root_size(pop) != size) {
		printf("root size %zu, expected %zu\n", pmemobj_root_size(pop),
			size);
		return 1;
	}
	PMEMoid root = pmemobj_root(pop, size);
	const char *d = pmemobj_direct(root);
	for (size_t i = 0; i < size; i++)
		if (d[i] != pattern(i)) {
			printf("root byte %zu differs\n", i);
			return 1;
		}
	printf("root at offset %llu verified\n", (unsigned long long)root.off);
#ifdef PMDK_PEER
	PMEMoid obj;
	if (pmemobj_alloc(pop, &obj, 1000, 1, NULL, NULL) != 0) {
		printf("alloc: %s\n", pmemobj_errormsg());
		return 1;
	}
	int failed = 0;
	TX_BEGIN(pop)
	{
		pmemobj_tx_add_range(obj, 0, 100);
		memset(pmemobj_direct(obj), 5, 100);
	}
	TX_ONABORT
	{
		failed = 1;
	}
	TX_END
	if (failed) {
		printf("transaction aborted: %s\n", pmemobj_errormsg());
		return 1;
	}
	pmemobj_free(&obj);
	printf("allocation and transaction done\n");
#endif
	pmemobj_close(pop);
	int c = pmemobj_check(path, LAYOUT);
	if (c != 1) {
		printf("pmemobj_check: %d %s\n", c, pmemobj_errormsg());
		return 1;
	}
	return 0;
}
