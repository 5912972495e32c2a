/* SPDX-License-Identifier: BSD-3-Clause */
/* consumer.c -- a program built against an installed tree: checks the
 * library versions and, with WITH_PMEMOBJ (our libpmemobj), makes and
 * reopens a pool */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <librpmem.h>
#ifdef WITH_PMEMOBJ
#include <libpmemobj.h>
#endif

int
main(int argc, char *argv[])
{
	const char *msg =
		rpmem_check_version(RPMEM_MAJOR_VERSION, RPMEM_MINOR_VERSION);
	if (msg) {
		fprintf(stderr, "librpmem: %s\n", msg);
		return 1;
	}
#ifndef WITH_PMEMOBJ
	(void)argc;
	(void)argv;
	printf("consumer ok\n");
	return 0;
#else
	msg = pmemobj_check_version(
		PMEMOBJ_MAJOR_VERSION, PMEMOBJ_MINOR_VERSION);
	if (msg) {
		fprintf(stderr, "libpmemobj: %s\n", msg);
		return 1;
	}
	if (argc < 2)
		return 0;
	unlink(argv[1]);
	PMEMobjpool *pop =
		pmemobj_create(argv[1], "consumer", PMEMOBJ_MIN_POOL, 0600);
	if (pop == NULL) {
		fprintf(stderr, "pmemobj_create: %s\n", pmemobj_errormsg());
		return 1;
	}
	char *root = pmemobj_direct(pmemobj_root(pop, 64));
	pmemobj_memcpy_persist(pop, root, "installed", 10);
	pmemobj_close(pop);
	pop = pmemobj_open(argv[1], "consumer");
	if (pop == NULL) {
		fprintf(stderr, "pmemobj_open: %s\n", pmemobj_errormsg());
		return 1;
	}
	root = pmemobj_direct(pmemobj_root(pop, 64));
	int ok = strcmp(root, "installed") == 0;
	pmemobj_close(pop);
	unlink(argv[1]);
	printf("%s\n", ok ? "consumer ok" : "consumer: root differs");
	return ok ? 0 : 1;
#endif
}
