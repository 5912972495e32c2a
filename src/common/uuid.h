/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * uuid.h -- random (version 4) uuids in the 16-byte form pool headers use
 *
 * Contract: uuid_gen() fills 16 bytes from the kernel's random source and
 * returns 0, or a negative errno. Only uniqueness matters to readers.
 */
#ifndef COMMON_UUID_H
#define COMMON_UUID_H 1

#include <stdint.h>

#define UUID_LEN 16

int uuid_gen(uint8_t out[UUID_LEN]);

#endif /* COMMON_UUID_H */
