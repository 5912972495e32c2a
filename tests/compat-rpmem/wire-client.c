/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wire-client.c -- one librpmem call sequence per run, through the public
 * API only, so that PMDK's librpmem and ours make the same calls
 *
 * usage: wire-client <target> <scenario>
 * Every scenario that opens a pool also closes it, so each run is one whole
 * out-of-band conversation (one ssh session). Pool set names are the ones
 * wire-vectors.sh writes into the daemon's poolset directory. The attributes
 * are constants, so nothing in a request depends on the run. Exit status:
 * 0 if every call gave the result the scenario expects, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <librpmem.h>

#include "wire-attr.h"

#define POOL_SIZE ((size_t)8 << 20)
#define NLANES 2

static void
make_attr(struct rpmem_pool_attr *a, unsigned char tag)
{
	wire_attr(a, "WIREVEC", 7, tag);
}

static int
expect(int ok, const char *what, int want_errno)
{
	if (ok)
		return 0;
	printf("%s: unexpected result (errno %d, wanted %d): %s\n", what, errno,
		want_errno, rpmem_errormsg());
	return 1;
}

/* opens or creates set, optionally sets attributes, closes */
static int
session(const char *target, const char *set, void *pool, size_t size,
	int create, const struct rpmem_pool_attr *cattr, int set_attr,
	int want_errno)
{
	unsigned nlanes = NLANES;
	struct rpmem_pool_attr got, nattr;
	RPMEMpool *rpp =
		create ? rpmem_create(target, set, pool, size, &nlanes, cattr)
		       : rpmem_open(target, set, pool, size, &nlanes, &got);
	if (want_errno && !set_attr)
		return expect(
			rpp == NULL && errno == want_errno, set, want_errno);
	if (expect(rpp != NULL, set, 0))
		return 1;
	int ret = 0;
	if (set_attr) {
		make_attr(&nattr, 0x5a);
		int r = rpmem_set_attr(rpp, &nattr);
		ret |= want_errno ? expect(r == -1 && errno == want_errno,
					    "set_attr", want_errno)
				  : expect(r == 0, "set_attr", 0);
	}
	ret |= expect(rpmem_close(rpp) == 0, "close", 0);
	return ret;
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <target> <scenario>\n", argv[0]);
		return 2;
	}
	const char *t = argv[1], *s = argv[2];
	void *pool = mmap(NULL, 2 * POOL_SIZE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return 2;
	struct rpmem_pool_attr attr;
	make_attr(&attr, 0xa5);

	if (strcmp(s, "create") == 0)
		return session(t, "wire.set", pool, POOL_SIZE, 1, &attr, 0, 0);
	if (strcmp(s, "create-noattr") == 0)
		return session(t, "nohdrs.set", pool, POOL_SIZE, 1, NULL, 0, 0);
	if (strcmp(s, "open") == 0)
		return session(t, "wire.set", pool, POOL_SIZE, 0, NULL, 0, 0);
	if (strcmp(s, "open-noattr") == 0)
		return session(t, "nohdrs.set", pool, POOL_SIZE, 0, NULL, 0, 0);
	if (strcmp(s, "set-attr") == 0)
		return session(t, "wire.set", pool, POOL_SIZE, 0, NULL, 1, 0);
	if (strcmp(s, "set-attr-nohdrs") == 0)
		return session(
			t, "nohdrs.set", pool, POOL_SIZE, 0, NULL, 1, EINVAL);
	if (strcmp(s, "create-exists") == 0)
		return session(
			t, "wire.set", pool, POOL_SIZE, 1, &attr, 0, EEXIST);
	if (strcmp(s, "create-too-big") == 0)
		return session(
			t, "big.set", pool, 2 * POOL_SIZE, 1, &attr, 0, EFBIG);
	if (strcmp(s, "open-missing") == 0)
		return session(
			t, "missing.set", pool, POOL_SIZE, 0, NULL, 0, ENOENT);
	if (strcmp(s, "remove") == 0)
		return expect(rpmem_remove(t, "wire.set", 0) == 0, s, 0);
	if (strcmp(s, "remove-missing") == 0)
		return expect(rpmem_remove(t, "wire.set", 0) == -1, s, 0);
	if (strcmp(s, "remove-force-set") == 0)
		return expect(rpmem_remove(t, "nohdrs.set",
				      RPMEM_REMOVE_FORCE |
					      RPMEM_REMOVE_POOL_SET) == 0,
			s, 0);
	fprintf(stderr, "unknown scenario %s\n", s);
	return 2;
}
