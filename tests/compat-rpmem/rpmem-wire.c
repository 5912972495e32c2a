/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem-wire.c -- one librpmem session end to end, using only the public
 * API, so that it runs with either librpmem against either rpmemd
 *
 * usage: rpmem-wire <target> <poolset-dir>
 * The caller sets RPMEM_SSH / RPMEM_CMD / provider variables and, to test
 * another librpmem build, LD_LIBRARY_PATH. Creates <poolset-dir>/wire.set,
 * then: create with attributes, persist (plain, relaxed, deep), flush +
 * drain, read back, set_attr, close, check the part file byte for byte,
 * open (attributes must match), read back, close, remove.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librpmem.h>

#include "wire-attr.h"

#include "check.h"

#define POOL_SIZE ((size_t)8 << 20)
#define HDR 4096

static void
fill(unsigned char *p, size_t off, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		p[off + i] = (unsigned char)((off + i) * 31u + seed);
}

static void
make_attr(struct rpmem_pool_attr *a, unsigned char tag)
{
	wire_attr(a, "WIRETST", 1, tag);
}

int
main(int argc, char *argv[])
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <target> <poolset-dir>\n", argv[0]);
		return 2;
	}
	const char *target = argv[1];
	char set[4096], part[4096];
	snprintf(set, sizeof(set), "%s/wire.set", argv[2]);
	snprintf(part, sizeof(part), "%s/wire.part", argv[2]);
	unlink(part);
	FILE *f = fopen(set, "w");
	if (f == NULL) {
		perror(set);
		return 2;
	}
	fprintf(f, "PMEMPOOLSET\n%zuM %s\n", POOL_SIZE >> 20, part);
	fclose(f);

	unsigned char *pool = mmap(NULL, POOL_SIZE, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *back = malloc(POOL_SIZE);
	if (pool == MAP_FAILED || back == NULL)
		return 2;
	memset(pool, 0, POOL_SIZE);

	struct rpmem_pool_attr attr, got;
	make_attr(&attr, 0xa5);
	unsigned nlanes = 4;
	RPMEMpool *rpp = rpmem_create(
		target, "wire.set", pool, POOL_SIZE, &nlanes, &attr);
	CHECK(rpp != NULL, "rpmem_create");
	if (rpp == NULL)
		goto out;
	CHECK(nlanes >= 1 && nlanes <= 4, "nlanes %u", nlanes);

	/* plain persists of awkward sizes, round robin over the lanes */
	static const size_t sizes[] = {
		1, 63, 4095, 4096, 8191, 8192, 8193, 65536, (size_t)1 << 20};
	size_t off = HDR;
	unsigned lane = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(pool, off, sizes[i], 7);
		CHECK(rpmem_persist(rpp, off, sizes[i], lane, 0) == 0,
			"persist %zu at %zu", sizes[i], off);
		off += sizes[i] + 100;
		lane = (lane + 1) % nlanes;
	}
	/* relaxed and deep */
	fill(pool, off, 100000, 9);
	CHECK(rpmem_persist(rpp, off, 100000, 0, RPMEM_PERSIST_RELAXED) == 0,
		"persist relaxed");
	off += 100000;
	fill(pool, off, 50000, 11);
	CHECK(rpmem_deep_persist(rpp, off, 50000, 0) == 0, "deep_persist");
	off += 50000;
	/* many flushes, one drain */
	for (int i = 0; i < 16; i++) {
		fill(pool, off, 3000, 13);
		CHECK(rpmem_flush(rpp, off, 3000, 0,
			      i % 2 ? RPMEM_FLUSH_RELAXED : 0) == 0,
			"flush %d", i);
		off += 3000;
	}
	CHECK(rpmem_drain(rpp, 0, 0) == 0, "drain");
	/* a bad argument must not break the session */
	CHECK(rpmem_persist(rpp, 0, 10, 0, 0) == -1 && errno == EINVAL,
		"persist into the header is EINVAL");

	memset(back, 0, POOL_SIZE);
	CHECK(rpmem_read(rpp, back + HDR, HDR, off - HDR, 0) == 0, "read");
	CHECK(memcmp(back + HDR, pool + HDR, off - HDR) == 0,
		"read matches what was persisted");

	struct rpmem_pool_attr attr2;
	make_attr(&attr2, 0x5a);
	CHECK(rpmem_set_attr(rpp, &attr2) == 0, "set_attr");
	CHECK(rpmem_close(rpp) == 0, "close");

	/* the remote part file holds the data at the same offsets */
	int fd = open(part, O_RDONLY);
	CHECK(fd >= 0, "open part file %s", part);
	if (fd >= 0) {
		ssize_t r = pread(fd, back, POOL_SIZE, 0);
		CHECK(r == (ssize_t)POOL_SIZE, "part file size");
		CHECK(memcmp(back + HDR, pool + HDR, off - HDR) == 0,
			"part file matches what was persisted");
		close(fd);
	}

	nlanes = 2;
	memset(&got, 0, sizeof(got));
	rpp = rpmem_open(target, "wire.set", pool, POOL_SIZE, &nlanes, &got);
	CHECK(rpp != NULL, "rpmem_open");
	if (rpp == NULL)
		goto out;
	CHECK(memcmp(&got, &attr2, sizeof(got)) == 0,
		"open returns the attributes set_attr stored");
	memset(back, 0, POOL_SIZE);
	CHECK(rpmem_read(rpp, back + HDR, HDR, off - HDR, nlanes - 1) == 0,
		"read after open");
	CHECK(memcmp(back + HDR, pool + HDR, off - HDR) == 0,
		"data survives close and open");
	CHECK(rpmem_close(rpp) == 0, "close after open");
	CHECK(rpmem_remove(target, "wire.set", 0) == 0, "remove");
	CHECK(access(part, F_OK) != 0, "remove deleted the part file");
out:
	munmap(pool, POOL_SIZE);
	free(back);
	return check_summary();
}
