/* SPDX-License-Identifier: BSD-3-Clause */
/* pmemobj_memops.c -- a pool written with the libpmemobj memory functions
 * and their flags: one persist per call, a batch with one drain at the end,
 * a flush-only copy persisted by hand
 *
 * usage: pmemobj_memops <pool file>   (PMEM_IS_PMEM_FORCE=1 on /dev/shm)
 */
#include <stdio.h>
#include <string.h>
#include <libpmemobj.h>

#define LAYOUT "memops-example"

struct root {
	char title[64];
	char batch[8][64];
	char scratch[256];
};

int
main(int argc, char *argv[])
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s <pool file>\n", argv[0]);
		return 2;
	}
	PMEMobjpool *pop =
		pmemobj_create(argv[1], LAYOUT, PMEMOBJ_MIN_POOL, 0600);
	if (pop == NULL)
		pop = pmemobj_open(argv[1], LAYOUT);
	if (pop == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], pmemobj_errormsg());
		return 1;
	}
	struct root *r = pmemobj_direct(pmemobj_root(pop, sizeof(*r)));
	if (r == NULL) {
		fprintf(stderr, "pmemobj_root: %s\n", pmemobj_errormsg());
		pmemobj_close(pop);
		return 1;
	}

	/* one call, durable when it returns */
	pmemobj_memcpy_persist(pop, r->title, "memops example", 15);

	/* many copies without the fence, then one drain for all of them */
	for (int i = 0; i < 8; i++) {
		char line[64];
		int n = snprintf(line, sizeof(line), "record %d", i);
		pmemobj_memcpy(pop, r->batch[i], line, (size_t)n + 1,
			PMEMOBJ_F_MEM_NODRAIN | PMEMOBJ_F_MEM_NONTEMPORAL);
	}
	pmemobj_drain(pop);

	/* plain stores (no flush), then persisted explicitly */
	pmemobj_memset(pop, r->scratch, 'x', sizeof(r->scratch) - 1,
		PMEMOBJ_F_MEM_NOFLUSH);
	r->scratch[sizeof(r->scratch) - 1] = '\0';
	if (pmemobj_xpersist(
		    pop, r->scratch, sizeof(r->scratch), PMEMOBJ_F_RELAXED)) {
		fprintf(stderr, "pmemobj_xpersist: %s\n", pmemobj_errormsg());
		pmemobj_close(pop);
		return 1;
	}

	printf("%s: %s, %s .. %s, scratch %zu bytes\n", argv[1], r->title,
		r->batch[0], r->batch[7], strlen(r->scratch));
	pmemobj_close(pop);
	return 0;
}
