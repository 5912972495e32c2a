/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * persist_msg.h -- validation of in-band persist messages received by rpmemd
 *
 * Contract: rpmemd_pmsg_check() is pure. A message is valid when it holds
 * the 24-byte header, names a lane below nlanes, a range [addr, addr+size)
 * inside the registered pool [base, base+pool_size), and for inline mode
 * (RPMEM_PERSIST_SEND) carries size <= buff_size bytes after the header.
 * Mode 3 is served like mode 0, as PMDK's daemon does; RPMEM_COMPLETION is
 * ignored. On success *out holds the header and *mode the mode.
 */
#ifndef RPMEMD_PERSIST_MSG_H
#define RPMEMD_PERSIST_MSG_H 1

#include <stddef.h>
#include <stdint.h>

#include "rpmem_proto.h"

/* response flags of a persist message that failed validation (PMDK's
 * daemon leaves the flags unset; its clients ignore them) */
#define RPMEMD_PRESP_INVALID 0x1U

struct rpmemd_pmsg_bounds {
	uint32_t nlanes;
	uint64_t base;
	uint64_t pool_size;
	uint64_t buff_size;
};

int rpmemd_pmsg_check(const void *msg, size_t len,
	const struct rpmemd_pmsg_bounds *b, struct rpmem_msg_persist *out,
	unsigned *mode, const char **why);

#endif /* RPMEMD_PERSIST_MSG_H */
