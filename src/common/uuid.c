/* SPDX-License-Identifier: BSD-3-Clause */
/* uuid.c -- random (version 4) uuids */
#include <errno.h>
#include <sys/random.h>

#include "uuid.h"

int
uuid_gen(uint8_t out[UUID_LEN])
{
	size_t got = 0;
	while (got < UUID_LEN) {
		ssize_t r = getrandom(out + got, UUID_LEN - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	/*
	 * the first three fields are stored little-endian (native struct
	 * form): the version nibble is the high nibble of byte 7
	 */
	out[7] = (uint8_t)((out[7] & 0x0f) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
	return 0;
}
