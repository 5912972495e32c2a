/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz-rpmemd-pmsg.c -- persist message validation on arbitrary bytes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "persist_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* checked in every build type (assert() vanishes with NDEBUG) */
#define CHECK(c)                 \
	do {                     \
		if (!(c))        \
			abort(); \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* first 16 bytes choose the bounds, the rest is the message */
	if (size < 16)
		return 0;
	struct rpmemd_pmsg_bounds b;
	uint64_t base, psize;
	memcpy(&base, data, 8);
	memcpy(&psize, data + 8, 8);
	b.base = base & ~0xfffULL;
	b.pool_size = psize & 0xffffffffULL;
	b.nlanes = (uint32_t)(psize >> 56) + 1;
	b.buff_size = 8192;
	size -= 16;
	uint8_t *msg = malloc(size ? size : 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data + 16, size);
	struct rpmem_msg_persist out;
	unsigned mode;
	const char *why = NULL;
	if (rpmemd_pmsg_check(msg, size, &b, &out, &mode, &why) == 0) {
		CHECK(out.lane < b.nlanes);
		CHECK(out.addr >= b.base);
		CHECK(out.addr - b.base + out.size <= b.pool_size);
		CHECK(mode <= RPMEM_PERSIST_SEND);
		if (mode == RPMEM_PERSIST_SEND) {
			CHECK(out.size <= b.buff_size);
			CHECK(out.size <= size - sizeof(out));
		}
	} else {
		CHECK(why != NULL);
	}
	free(msg);
	return 0;
}
