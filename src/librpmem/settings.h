/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * settings.h -- librpmem's settings from the environment, read once when
 * the library loads: RPMEM_CMD (split on '|', the entries used in turn),
 * RPMEM_MAX_NLANES, RPMEM_WORK_QUEUE_SIZE and RPMEM_STALL_TIMEOUT (a value
 * out of range is logged and ignored)
 */
#ifndef LIBRPMEM_SETTINGS_H
#define LIBRPMEM_SETTINGS_H 1

struct rpmem_settings {
	unsigned max_nlanes; /* RPMEM_MAX_NLANES; UINT_MAX if unset */
	unsigned wq_size;    /* RPMEM_WORK_QUEUE_SIZE */
	unsigned stall_ms;   /* RPMEM_STALL_TIMEOUT, in ms */
};

void rpmem_settings_load(void);
void rpmem_settings_free(void);
const struct rpmem_settings *rpmem_settings(void);
/* the next RPMEM_CMD entry; NULL (message, errno) if it could not be kept */
const char *rpmem_next_cmd(void);

#endif /* LIBRPMEM_SETTINGS_H */
