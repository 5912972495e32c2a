/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * obj-remote.c -- a pmemobj pool set with a remote replica, written and
 * read by one side. Built twice: against our libpmemobj and against
 * Debian's PMDK 1.12.1 (PMDK_PEER), which loads whichever librpmem.so.1
 * the loader finds (ours, or PMDK's own for the PMDK rpmemd runs).
 *
 * usage: obj-remote create <set> <text>     new pool, root holds <text>
 *        obj-remote update <set> <old> <new> root must hold <old>
 *        obj-remote verify <set> <text>     root must hold <text>
 * The root is 64 KiB: the text, then a pattern derived from it. Each run
 * prints "root <offset>" of the root object in the pool.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libpmemobj.h>

#define LAYOUT "remote-compat"
#define ROOT 65536

static void
fill(char *buf, const char *text)
{
	size_t n = strlen(text) + 1;
	memcpy(buf, text, n);
	for (size_t i = n; i < ROOT; i++)
		buf[i] = (char)(text[i % n] * 31 + (int)i);
}

static int
holds(const char *root, const char *text)
{
	static char want[ROOT];
	fill(want, text);
	if (memcmp(root, want, ROOT) == 0)
		return 1;
	fprintf(stderr, "root holds \"%.40s\", expected \"%s\"\n", root, text);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 4 || (strcmp(argv[1], "update") == 0 && argc != 5)) {
		fprintf(stderr,
			"usage: %s create|update|verify <set> <text> "
			"[<new text>]\n",
			argv[0]);
		return 2;
	}
	const char *op = argv[1], *set = argv[2];
	PMEMobjpool *pop = strcmp(op, "create") == 0
				   ? pmemobj_create(set, LAYOUT, 0, 0600)
				   : pmemobj_open(set, LAYOUT);
	if (pop == NULL) {
		fprintf(stderr, "%s %s: %s (errno %d)\n", op, set,
			pmemobj_errormsg(), errno);
		return 1;
	}
	char *root = pmemobj_direct(pmemobj_root(pop, ROOT));
	static char buf[ROOT];
	int ok = root != NULL;
	if (ok)
		printf("root %llu\n",
			(unsigned long long)pmemobj_oid(root).off);
	if (ok && strcmp(op, "create") == 0) {
		fill(buf, argv[3]);
		pmemobj_memcpy_persist(pop, root, buf, ROOT);
	} else if (ok) {
		ok = holds(root, argv[3]);
		if (ok && strcmp(op, "update") == 0) {
			fill(buf, argv[4]);
			/* half through memcpy, half through stores + persist */
			pmemobj_memcpy_persist(pop, root, buf, ROOT / 2);
			memcpy(root + ROOT / 2, buf + ROOT / 2, ROOT / 2);
			pmemobj_persist(pop, root + ROOT / 2, ROOT / 2);
		}
	}
	pmemobj_close(pop);
	return ok ? 0 : 1;
}
