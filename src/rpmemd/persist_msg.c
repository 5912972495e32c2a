/* SPDX-License-Identifier: BSD-3-Clause */
/* persist_msg.c -- validation of in-band persist messages received by rpmemd */
#include <errno.h>
#include <string.h>

#include "persist_msg.h"

int
rpmemd_pmsg_check(const void *msg, size_t len,
	const struct rpmemd_pmsg_bounds *b, struct rpmem_msg_persist *out,
	unsigned *mode, const char **why)
{
	if (len < sizeof(struct rpmem_msg_persist)) {
		*why = "persist message shorter than its header";
		return -EINVAL;
	}
	memcpy(out, msg, sizeof(*out));
	if (out->lane >= b->nlanes) {
		*why = "invalid lane";
		return -EINVAL;
	}
	if (out->addr < b->base || out->size > b->pool_size ||
		out->addr - b->base > b->pool_size - out->size) {
		*why = "range outside the pool";
		return -EINVAL;
	}
	unsigned m = out->flags & RPMEM_FLUSH_PERSIST_MASK;
	if (m == RPMEM_PERSIST_SEND) {
		if (out->size > b->buff_size) {
			*why = "inline data larger than the buffer";
			return -EINVAL;
		}
		if (len - sizeof(struct rpmem_msg_persist) < out->size) {
			*why = "inline data shorter than the size given";
			return -EINVAL;
		}
	} else if (m != RPMEM_DEEP_PERSIST) {
		m = RPMEM_FLUSH_WRITE;
	}
	*mode = m;
	return 0;
}
