/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uuid.h -- random (version 4) uuids in the 16-byte form pool headers use
 *
 * Contract: uuid_gen() fills 16 bytes from random_bytes() and returns 0, or
 * a negative errno; the version (4) is the high nibble of byte 7 and the
 * variant the top bits of byte 8, where PMDK's struct uuid has them (its
 * first three fields are native little-endian integers). Only uniqueness
 * matters to readers.
 * uuid_to_str() prints the 36-character text form (plus NUL) reading the
 * first three fields little-endian, as pool headers store them.
 */
#ifndef COMMON_UUID_H
#define COMMON_UUID_H 1

#include <stdint.h>

#define UUID_LEN 16

#define UUID_STR_LEN 37

int uuid_gen(uint8_t out[UUID_LEN]);
void uuid_to_str(const uint8_t u[UUID_LEN], char out[UUID_STR_LEN]);

#endif /* COMMON_UUID_H */
