/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * random.h -- random bytes from the kernel, for uuids and secrets
 *
 * Contract: random_bytes() fills len bytes from getrandom(2) (the kernel's
 * pool, blocking only until it is seeded once at boot) and returns 0, or a
 * negative errno with the buffer's contents unspecified. Good for keys and
 * session secrets as well as for uuids. It never prints.
 */
#ifndef COMMON_FORMAT_RANDOM_H
#define COMMON_FORMAT_RANDOM_H 1

#include <stddef.h>

int random_bytes(void *buf, size_t len);

#endif /* COMMON_FORMAT_RANDOM_H */
