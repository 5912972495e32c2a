/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_patch.h -- structured fuzz inputs: byte patches applied to a valid
 * template, so that the bytes a target parses stay mostly valid and the
 * fuzzer reaches checks behind checksums and magic numbers
 *
 * An input is a flags byte followed by patches. A patch is
 *   u8 region selector (taken modulo the number of regions),
 *   u16 little-endian offset (modulo the region's size),
 *   u8 length, then that many bytes (fewer at the end of the input;
 *   clipped at the end of the region).
 * Every patch a target applies is also recorded, so that the next input
 * can put the template bytes back into exactly those ranges.
 * fuzz_private_dir() makes the directory a target keeps its files in.
 */
#ifndef FUZZ_PATCH_H
#define FUZZ_PATCH_H 1

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* checked in every build type (assert() vanishes with NDEBUG) */
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

struct fuzz_region {
	size_t base; /* offset of the region in the patched object */
	size_t size;
};

struct fuzz_patch {
	unsigned region;
	size_t off; /* inside the region */
	size_t len;
	const uint8_t *bytes;
};

/* a new directory "<name>-XXXXXX" under /dev/shm (else /tmp) */
static inline void
fuzz_private_dir(char *dir, size_t len, const char *name)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, len, "%s/%s-XXXXXX", base, name);
	CHECK(mkdtemp(dir) != NULL);
}

/* the next patch of the input; 0 when no complete patch header is left */
static inline int
fuzz_next_patch(const uint8_t **data, size_t *size,
	const struct fuzz_region *regions, unsigned nregions,
	struct fuzz_patch *p)
{
	if (*size < 4)
		return 0;
	const uint8_t *d = *data;
	p->region = d[0] % nregions;
	size_t rsize = regions[p->region].size;
	p->off = ((size_t)d[1] | (size_t)d[2] << 8) % rsize;
	size_t len = d[3];
	*data += 4;
	*size -= 4;
	if (len > *size)
		len = *size;
	p->bytes = *data;
	*data += len;
	*size -= len;
	if (len > rsize - p->off)
		len = rsize - p->off;
	p->len = len;
	return 1;
}

#endif /* FUZZ_PATCH_H */
