/* SPDX-License-Identifier: BSD-3-Clause */
/* uuid.c -- random (version 4) uuids */

#include "format/random.h"
#include "format/uuid.h"

int
uuid_gen(uint8_t out[UUID_LEN])
{
	int ret = random_bytes(out, UUID_LEN);
	if (ret)
		return ret;
	/*
	 * the first three fields are stored little-endian (native struct
	 * form): the version nibble is the high nibble of byte 7
	 */
	out[7] = (uint8_t)((out[7] & 0x0f) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80);
	return 0;
}

/*
 * text form: the first three fields (4, 2 and 2 bytes) are stored in native
 * (little-endian) order, the remaining 8 bytes as they are printed
 */
static const int uuid_order[UUID_LEN] = {
	3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

void
uuid_to_str(const uint8_t u[UUID_LEN], char out[UUID_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	char *p = out;
	for (int i = 0; i < UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		uint8_t b = u[uuid_order[i]];
		*p++ = hex[b >> 4];
		*p++ = hex[b & 0xf];
	}
	*p = '\0';
}
