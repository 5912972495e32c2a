/* SPDX-License-Identifier: BSD-3-Clause */
/* checksum.c -- the Fletcher-style 64-bit checksum of the pmemobj format */
#include <string.h>

#include "format/checksum.h"

void
csum_update(struct csum_state *st, const void *buf, size_t len, size_t csum_off,
	size_t skip_off)
{
	const unsigned char *p = buf;
	uint32_t lo = st->lo, hi = st->hi;
	size_t i = 0;

	while (i + 4 <= len) {
		if (i == csum_off || i >= skip_off) {
			/* two words taken as zero */
			hi += lo;
			hi += lo;
			i += 8;
			continue;
		}
		uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
			     (uint32_t)p[i + 2] << 16 |
			     (uint32_t)p[i + 3] << 24;
		lo += w;
		hi += lo;
		i += 4;
	}
	st->lo = lo;
	st->hi = hi;
}

uint64_t
csum_value(const struct csum_state *st)
{
	return (uint64_t)st->hi << 32 | st->lo;
}

uint64_t
csum_compute(const void *buf, size_t len, size_t csum_off, size_t skip_off)
{
	struct csum_state st = {0, 0};
	csum_update(&st, buf, len, csum_off, skip_off);
	return csum_value(&st);
}
