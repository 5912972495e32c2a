/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rpmem_fip_common.h -- libfabric helpers shared by librpmem and rpmemd
 *
 * Contract:
 * - rpmem_fip_hints() builds the fi_getinfo() hints both peers use (shared
 *   doc/protocol.md §5): FI_EP_MSG, FI_MSG|FI_RMA, FI_MR_BASIC (virtual
 *   addresses, provider keys), FI_THREAD_SAFE, RAW|SAW ordering,
 *   FI_SOCKADDR. prov may be NULL (probe for every provider). Caller frees
 *   with fi_freeinfo().
 * - provider ids, names and traits: rpmem_provider.h (included here).
 * - rpmem_fi_errno() turns a libfabric return code into a positive errno
 *   (never negative; codes that are not errno values become EIO).
 * Nothing here prints or keeps state.
 */
#ifndef COMMON_RPMEM_FIP_COMMON_H
#define COMMON_RPMEM_FIP_COMMON_H 1

#include <stdint.h>

#include <rdma/fabric.h>

#include "rpmem_proto.h"
#include "rpmem_provider.h"

#define RPMEM_FIVERSION FI_VERSION(1, 4)

struct fi_info *rpmem_fip_hints(const char *prov);

int rpmem_fi_errno(int fi_ret);

#endif /* COMMON_RPMEM_FIP_COMMON_H */
