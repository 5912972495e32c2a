/* SPDX-License-Identifier: BSD-3-Clause */
/* rpmem_proto.c -- status codes of the out-of-band protocol */
#include <errno.h>

#include "rpmem_proto.h"

static const struct {
	int err;
	const char *msg;
} status_tab[MAX_RPMEM_ERR] = {
	[RPMEM_SUCCESS] = {0, "Success"},
	[RPMEM_ERR_BADPROTO] = {EPROTONOSUPPORT,
		"Protocol version number mismatch"},
	[RPMEM_ERR_BADNAME] = {EINVAL, "Invalid pool descriptor"},
	[RPMEM_ERR_BADSIZE] = {EFBIG, "Invalid pool size"},
	[RPMEM_ERR_BADNLANES] = {EINVAL, "Invalid number of lanes"},
	[RPMEM_ERR_BADPROVIDER] = {EINVAL, "Invalid provider"},
	[RPMEM_ERR_FATAL] = {EREMOTEIO, "Fatal error"},
	[RPMEM_ERR_FATAL_CONN] = {ECONNABORTED,
		"Fatal in-band connection error"},
	[RPMEM_ERR_BUSY] = {EBUSY, "Pool already in use"},
	[RPMEM_ERR_EXISTS] = {EEXIST, "Pool already exists"},
	[RPMEM_ERR_PROVNOSUP] = {EMEDIUMTYPE, "Provider not supported"},
	[RPMEM_ERR_NOEXIST] = {ENOENT,
		"Pool set or its part doesn't exist or it is unavailable"},
	[RPMEM_ERR_NOACCESS] = {EACCES, "Pool set permission denied"},
	[RPMEM_ERR_POOL_CFG] = {EINVAL, "Invalid pool set configuration"},
};

int
rpmem_status_errno(uint32_t status)
{
	if (status >= MAX_RPMEM_ERR)
		return EPROTO;
	return status_tab[status].err;
}

const char *
rpmem_status_msg(uint32_t status)
{
	if (status >= MAX_RPMEM_ERR)
		return "invalid status received";
	return status_tab[status].msg;
}
