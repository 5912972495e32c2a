/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz-rpmemd-hdr.c -- rpmemd_hdr_check() on the pool headers of a 2-part
 * pool set
 *
 * The set is created once in a private directory (under /dev/shm when it
 * exists) and its headers are written by rpmemd_hdr_create() from valid
 * attributes; those headers are the template. Each input (fuzz_patch.h)
 * patches them: region 0 is part 0's header, region 1 part 1's. Flags:
 * bit 0 recomputes part 0's checksum, bit 1 part 1's, bit 2 copies part
 * 0's patched header over part 1's before part 1's patches are applied.
 * Part 0's header is written through the mapping, part 1's with pwrite().
 *
 * Invariants: the check returns 0 or -EINVAL; on success the attributes
 * are the fields of part 0's header, both headers carry their checksum and
 * link to each other, and after rpmemd_hdr_set_attr() with those
 * attributes the check returns them again (zero replica uuids and user
 * flags replaced as rpmemd_hdr_set_attr() documents). An unpatched input
 * returns the creation attributes.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fuzz_patch.h"
#include "poolset.h"
#include "rpmemd_hdr.h"

/* the running machine's arch flags as 16 bytes (rpmem attribute form) */
static void
host_arch_flags(unsigned char out[16])
{
	struct pool_hdr_arch a;
	pool_hdr_arch_local(&a);
	memcpy(out, &a, sizeof(a));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_SIZE sizeof(struct pool_hdr)

static const struct fuzz_region Regions[] = {
	{0, HDR_SIZE},
	{HDR_SIZE, HDR_SIZE},
};

static struct {
	char dir[64];
	char part[2][96];
	struct poolset *set;
	struct poolset_map map;
	struct rpmem_pool_attr_packed attr;
	struct pool_hdr tmpl[2];
	struct pool_hdr hdr[2];
} F;

static void
teardown(void)
{
	poolset_unmap_replica(F.set, 0, &F.map, POOLSET_REMOVE_ALL);
	poolset_free(F.set);
	rmdir(F.dir);
}

static void
setup(void)
{
	fuzz_private_dir(F.dir, sizeof(F.dir), "fuzz-rpmemd-hdr");
	char text[512];
	for (int p = 0; p < 2; p++)
		snprintf(F.part[p], sizeof(F.part[p]), "%s/part%d", F.dir, p);
	int n = snprintf(text, sizeof(text), "PMEMPOOLSET\n2M %s\n2M %s\n",
		F.part[0], F.part[1]);
	CHECK(poolset_parse(text, (size_t)n, &F.set, NULL, 0) == 0);
	CHECK(poolset_map_replica(F.set, 0, POOLSET_CREATE, &F.map) == 0);
	CHECK(F.map.nparts == 2);
	atexit(teardown);

	struct rpmem_pool_attr_packed *a = &F.attr;
	memcpy(a->signature, "PMEMOBJ", 8);
	a->major = 6;
	a->compat_features = 1;
	a->incompat_features = POOL_FEAT_CKSUM_2K | 0x4;
	for (int i = 0; i < 16; i++) {
		a->poolset_uuid[i] = (unsigned char)(0x10 + i);
		a->uuid[i] = (unsigned char)(0x30 + i);
		a->next_uuid[i] = (unsigned char)(0x50 + i);
		a->prev_uuid[i] = (unsigned char)(0x70 + i);
	}
	host_arch_flags(a->user_flags);
	CHECK(rpmemd_hdr_create(F.set, &F.map, a) == 0);
	for (unsigned p = 0; p < 2; p++)
		CHECK(poolset_read_hdr(&F.map, p, &F.tmpl[p]) == 0);
}

static void
seal(struct pool_hdr *h)
{
	h->checksum = htole64(pool_hdr_checksum(h));
}

static int
sealed(const struct pool_hdr *h)
{
	return le64toh(h->checksum) == pool_hdr_checksum(h);
}

/* the attributes rpmemd_hdr_check() must report for these headers */
static void
attr_of(const struct pool_hdr *h, struct rpmem_pool_attr_packed *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->signature, h->signature, 8);
	a->major = le32toh(h->major);
	a->compat_features = le32toh(h->compat);
	a->incompat_features = le32toh(h->incompat);
	a->ro_compat_features = le32toh(h->ro_compat);
	memcpy(a->poolset_uuid, h->poolset_uuid, 16);
	memcpy(a->uuid, h->uuid, 16);
	memcpy(a->next_uuid, h->next_repl_uuid, 16);
	memcpy(a->prev_uuid, h->prev_repl_uuid, 16);
	memcpy(a->user_flags, (unsigned char *)&h->arch, 16);
}

static int
zero16(const unsigned char *b)
{
	static const unsigned char z[16];
	return memcmp(b, z, 16) == 0;
}

/* a successful check: the headers as they must be, and a set_attr round
 * trip */
static void
check_success(const struct rpmem_pool_attr_packed *got)
{
	struct rpmem_pool_attr_packed want;
	attr_of(&F.hdr[0], &want);
	CHECK(memcmp(got, &want, sizeof(want)) == 0);
	for (int p = 0; p < 2; p++) {
		CHECK(sealed(&F.hdr[p]));
		CHECK(memcmp(F.hdr[p].next_part_uuid, F.hdr[1 - p].uuid, 16) ==
			0);
		CHECK(memcmp(F.hdr[p].prev_part_uuid, F.hdr[1 - p].uuid, 16) ==
			0);
	}
	CHECK(memcmp(F.hdr[0].signature, F.hdr[1].signature,
		      offsetof(struct pool_hdr, uuid)) == 0);

	CHECK(rpmemd_hdr_set_attr(F.set, &F.map, got) == 0);
	struct rpmem_pool_attr_packed again;
	CHECK(rpmemd_hdr_check(F.set, &F.map, &again) == 0);
	if (zero16(want.prev_uuid))
		memcpy(want.prev_uuid, want.uuid, 16);
	if (zero16(want.next_uuid))
		memcpy(want.next_uuid, want.uuid, 16);
	if (zero16(want.user_flags))
		host_arch_flags(want.user_flags);
	CHECK(memcmp(&again, &want, sizeof(want)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (F.set == NULL)
		setup();
	if (size < 1)
		return 0;
	unsigned flags = data[0];
	data++;
	size--;

	memcpy(F.hdr, F.tmpl, sizeof(F.hdr));
	int patched = 0;
	struct fuzz_patch p;
	/* part 0's patches first, so that flag bit 2 copies them */
	const uint8_t *d = data;
	size_t left = size;
	while (fuzz_next_patch(&d, &left, Regions, 2, &p)) {
		patched = 1;
		if (p.region == 0)
			memcpy((uint8_t *)&F.hdr[0] + p.off, p.bytes, p.len);
	}
	if (flags & 4)
		F.hdr[1] = F.hdr[0];
	d = data;
	left = size;
	while (fuzz_next_patch(&d, &left, Regions, 2, &p))
		if (p.region == 1)
			memcpy((uint8_t *)&F.hdr[1] + p.off, p.bytes, p.len);
	if (flags & 1)
		seal(&F.hdr[0]);
	if (flags & 2)
		seal(&F.hdr[1]);

	memcpy(F.map.addr, &F.hdr[0], HDR_SIZE);
	CHECK(pwrite(F.map.fds[1], &F.hdr[1], HDR_SIZE, 0) ==
		(ssize_t)HDR_SIZE);

	struct rpmem_pool_attr_packed got;
	int ret = rpmemd_hdr_check(F.set, &F.map, &got);
	CHECK(ret == 0 || ret == -EINVAL);
	if (ret == 0)
		check_success(&got);
	if (!patched && !(flags & 4))
		CHECK(ret == 0 && memcmp(&got, &F.attr, sizeof(got)) == 0);
	return 0;
}
