/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemobj.h -- the persistence part of the libpmemobj API of PMDK 1.12.1
 * (API version 2.4): pools, the root object and the low-level memory
 * functions. Names, types and values are those of PMDK's header.
 */
#ifndef LIBPMEMOBJ_H
#define LIBPMEMOBJ_H 1

#include <libpmemobj/base.h>
#include <libpmemobj/pool_base.h>

#endif /* LIBPMEMOBJ_H */
