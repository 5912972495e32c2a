/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * checksum.h -- the Fletcher-style 64-bit checksum of the pmemobj format
 *
 * Contract: the buffer is walked in 32-bit little-endian words; the 8-byte
 * checksum field and everything from skip_off on count as zero words (and
 * still advance the high sum). skip_off == len means "no skip". A running
 * state lets callers continue the sum over further bytes (ulog buffer
 * entries continue over gen_num). Lengths and offsets are multiples of 4
 * (of 8 for the checksum field and skip_off).
 */
#ifndef COMMON_CHECKSUM_H
#define COMMON_CHECKSUM_H 1

#include <stddef.h>
#include <stdint.h>

struct csum_state {
	uint32_t lo, hi;
};

void csum_update(struct csum_state *st, const void *buf, size_t len,
	size_t csum_off, size_t skip_off);
uint64_t csum_value(const struct csum_state *st);

/* whole-buffer checksum; csum_off may be (size_t)-1 for "no field" */
uint64_t csum_compute(
	const void *buf, size_t len, size_t csum_off, size_t skip_off);

#define CSUM_NO_FIELD ((size_t)-1)

#endif /* COMMON_CHECKSUM_H */
