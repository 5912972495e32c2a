/* SPDX-License-Identifier: BSD-3-Clause */
/* libpmemobj/types.h -- PMEMobjpool, PMEMoid and the library constants */
#ifndef LIBPMEMOBJ_TYPES_H
#define LIBPMEMOBJ_TYPES_H 1

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PMEMOBJ_MAX_LAYOUT ((size_t)1024)

typedef struct pmemobjpool PMEMobjpool;

typedef struct pmemoid {
	uint64_t pool_uuid_lo;
	uint64_t off;
} PMEMoid;

#ifdef __cplusplus
}
#endif

#endif /* LIBPMEMOBJ_TYPES_H */
