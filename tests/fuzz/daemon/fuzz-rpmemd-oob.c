/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz-rpmemd-oob.c -- out-of-band request validation on arbitrary bytes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oob.h"

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
	if (size > RPMEMD_MAX_MSG + 64)
		return 0;
	/* an exact-size copy so that ASan sees every read past the end */
	uint8_t *msg = malloc(size ? size : 1);
	if (msg == NULL)
		return 0;
	memcpy(msg, data, size);
	if (size >= sizeof(struct rpmem_msg_hdr)) {
		uint32_t type;
		uint64_t len;
		const char *why = NULL;
		if (rpmemd_oob_check_hdr(msg, &type, &len, &why) == 0)
			CHECK(len >= sizeof(struct rpmem_msg_hdr) &&
				len <= RPMEMD_MAX_MSG);
		else
			CHECK(why != NULL);
	}
	struct rpmemd_req req;
	const char *why = NULL;
	enum rpmem_status st = rpmemd_oob_decode(msg, size, &req, &why);
	if (st == RPMEM_SUCCESS) {
		if (req.type == RPMEM_MSG_TYPE_CREATE ||
			req.type == RPMEM_MSG_TYPE_OPEN) {
			size_t l = strlen(req.desc);
			CHECK(l > 0);
			CHECK((const uint8_t *)req.desc + l + 1 == msg + size);
			CHECK(req.provider > 0 &&
				req.provider < MAX_RPMEM_PROV);
		}
	} else {
		CHECK(st < MAX_RPMEM_ERR);
		CHECK(why != NULL && why[0] != '\0');
	}
	free(msg);
	return 0;
}
