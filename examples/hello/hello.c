/* SPDX-License-Identifier: BSD-3-Clause */
/* hello.c -- the first run writes a greeting into a pool's root object,
 * the next run finds it there and prints it
 *
 * usage: hello <pool file>
 */
#include <stdio.h>
#include <string.h>
#include <libpmemobj.h>

#define LAYOUT "hello"
#define GREETING "Hello, persistent memory!"

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <pool file>\n", argv[0]);
		return 2;
	}
	PMEMobjpool *pop = pmemobj_open(argv[1], LAYOUT);
	if (pop != NULL) {
		char *text = pmemobj_direct(pmemobj_root(pop, 64));
		printf("read back: %s\n", text);
		int same = strcmp(text, GREETING) == 0;
		pmemobj_close(pop); /* unmaps text */
		return same ? 0 : 1;
	}
	pop = pmemobj_create(argv[1], LAYOUT, PMEMOBJ_MIN_POOL, 0600);
	if (pop == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], pmemobj_errormsg());
		return 1;
	}
	char *text = pmemobj_direct(pmemobj_root(pop, 64));
	pmemobj_memcpy_persist(pop, text, GREETING, sizeof(GREETING));
	printf("wrote: %s (run again to read it back)\n", text);
	pmemobj_close(pop);
	return 0;
}
