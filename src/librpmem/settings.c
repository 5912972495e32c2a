/* SPDX-License-Identifier: BSD-3-Clause */
/* settings.c -- librpmem's settings from the environment, read at load */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "settings.h"
#include "ssh_cmd.h"

#define DEF_WQ_SIZE 50
#define DEF_STALL_S 60 /* RPMEM_STALL_TIMEOUT */
#define MAX_STALL_S 86400

static char **Cmds;
static unsigned Ncmds;
static atomic_uint Cmd_next;
static struct rpmem_settings Settings = {
	.max_nlanes = UINT_MAX,
	.wq_size = DEF_WQ_SIZE,
	.stall_ms = DEF_STALL_S * 1000U,
};

/* RPMEM_STALL_TIMEOUT: whole seconds, 1 to MAX_STALL_S */
static void
read_stall_timeout(void)
{
	const char *e = getenv("RPMEM_STALL_TIMEOUT");
	if (e == NULL || e[0] == '\0')
		return;
	unsigned v = rpmem_env_uint(e);
	if (v == 0 || v > MAX_STALL_S) {
		LOG(LOG_LVL_WARN,
			"RPMEM_STALL_TIMEOUT ignored -- '%s': not a whole "
			"number of seconds from 1 to %u; using %u s",
			e, MAX_STALL_S, DEF_STALL_S);
		return;
	}
	Settings.stall_ms = v * 1000U;
}

void
rpmem_settings_load(void)
{
	const char *cmd = getenv("RPMEM_CMD");
	if (cmd == NULL || cmd[0] == '\0')
		cmd = "rpmemd";
	Cmds = rpmem_split_cmds(cmd, &Ncmds);
	unsigned v = rpmem_env_uint(getenv("RPMEM_MAX_NLANES"));
	if (v)
		Settings.max_nlanes = v;
	v = rpmem_env_uint(getenv("RPMEM_WORK_QUEUE_SIZE"));
	if (v)
		Settings.wq_size = v;
	read_stall_timeout();
	LOG(LOG_LVL_DBG,
		"RPMEM_CMD '%s', max lanes %u, work queue %u, stall limit %u s",
		cmd, Settings.max_nlanes, Settings.wq_size,
		Settings.stall_ms / 1000);
}

void
rpmem_settings_free(void)
{
	free(Cmds);
	Cmds = NULL;
}

const struct rpmem_settings *
rpmem_settings(void)
{
	return &Settings;
}

/* the next RPMEM_CMD entry; NULL (message, errno) if it could not be kept */
const char *
rpmem_next_cmd(void)
{
	if (Cmds == NULL) {
		ERR("cannot keep a copy of RPMEM_CMD: %s", strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	unsigned i = atomic_fetch_add(&Cmd_next, 1);
	return Cmds[i % Ncmds];
}
