/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz-rpmem-resp.c -- response checking accepts only well-formed
 * responses: first byte picks the expected type, the rest is the message
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oob_client.h"

#define CHECK(c)                                                   \
	do {                                                       \
		if (!(c)) {                                        \
			fprintf(stderr, "check failed: %s\n", #c); \
			abort();                                   \
		}                                                  \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t types[] = {RPMEM_MSG_TYPE_CREATE_RESP,
		RPMEM_MSG_TYPE_OPEN_RESP, RPMEM_MSG_TYPE_CLOSE_RESP,
		RPMEM_MSG_TYPE_SET_ATTR_RESP};
	if (size < 1)
		return 0;
	uint32_t type = types[data[0] % 4];
	size_t rsize = rpmem_obc_resp_size(type);
	/* the client always reads exactly rsize bytes */
	unsigned char buf[sizeof(struct rpmem_msg_open_resp)];
	memset(buf, 0, sizeof(buf));
	size_t n = size - 1 < rsize ? size - 1 : rsize;
	memcpy(buf, data + 1, n);

	uint32_t status = 0;
	char why[256] = "";
	int ret = rpmem_obc_check_resp(buf, type, &status, why, sizeof(why));
	const struct rpmem_msg_hdr_resp *h = (const void *)buf;
	if (ret == 0) {
		CHECK(h->type == type && h->size == rsize && status == 0);
		if (type == RPMEM_MSG_TYPE_CREATE_RESP ||
			type == RPMEM_MSG_TYPE_OPEN_RESP) {
			struct rpmem_resp_attr ra;
			rpmem_obc_get_ibc(
				&((struct rpmem_msg_create_resp *)buf)->ibc,
				&ra);
			CHECK(ra.port >= 1 && ra.port <= 65535);
			/* the extension flags may ride on the method */
			uint32_t pm = ra.persist_method & ~RPMEM_EXT_PM_FLAGS;
			CHECK(pm == RPMEM_PM_GPSPM || pm == RPMEM_PM_APM);
		}
	} else {
		CHECK(ret < 0);
		CHECK(why[0] != '\0');
		CHECK(memchr(why, '\0', sizeof(why)) != NULL);
	}
	return 0;
}
